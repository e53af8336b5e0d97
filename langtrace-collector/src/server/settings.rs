//! The connection settings of `langtrace serve`'s two listeners: how long a request head
//! may take, how long a connection may sit without a byte moving, how many connections
//! are held at once.

use std::time::Duration;

use clap::Args;

/// Connection limits of the HTTP and gRPC listeners.
#[derive(Debug, Clone, Args)]
pub struct TransportArgs {
    /// Longest wait for a request's line and headers on the HTTP listener, counted from
    /// when the connection is ready for a request (accepted, or kept alive after its last
    /// answer): a slower client's connection is closed. Also bounds an idle keep-alive.
    #[arg(long, env = "LANGTRACE_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = crate::duration::positive)]
    pub header_read_timeout: Duration,
    /// A connection (HTTP or gRPC) on which no byte moves either way for this long is
    /// closed: a client that stops sending its body or reading its answer, a gRPC client
    /// that never speaks. gRPC clients are pinged at half this interval.
    #[arg(long, env = "LANGTRACE_IDLE_TIMEOUT", default_value = "60s", value_parser = crate::duration::positive)]
    pub idle_timeout: Duration,
    /// Client connections both listeners hold at once. At the cap, a new connection takes
    /// the place of the HTTP connection that has waited longest for a request head (closed
    /// for it); when every held one is busy, it waits until one ends.
    #[arg(long, env = "LANGTRACE_MAX_CONNECTIONS", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};

    /// `serve` parsed with `flags`: its transport settings, or clap's message.
    fn parse(flags: &[&str]) -> Result<super::TransportArgs, String> {
        let argv = ["langtrace", "serve"].iter().chain(flags);
        match Cli::try_parse_from(argv) {
            Ok(Cli { command: Command::Serve(args) }) => Ok(args.transport),
            Ok(other) => panic!("parsed {other:?}"),
            Err(error) => Err(error.to_string()),
        }
    }

    #[test]
    fn bad_values_are_start_up_errors_naming_the_setting() {
        for (flag, value) in [
            ("--header-read-timeout", "0s"),
            ("--idle-timeout", "soon"),
            ("--max-connections", "0"),
            ("--max-connections", "many"),
        ] {
            let error = parse(&[flag, value]).expect_err(value);
            assert!(error.contains(flag), "{flag} {value}: {error}");
        }
        let parsed = parse(&["--header-read-timeout", "2s", "--idle-timeout", "1m", "--max-connections", "8"]).unwrap();
        assert_eq!(
            (parsed.header_read_timeout.as_secs(), parsed.idle_timeout.as_secs(), parsed.max_connections),
            (2, 60, 8)
        );
    }
}
