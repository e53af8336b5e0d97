//! A `langtrace` child process (`serve` or `demo`): started with stdout piped, read up to
//! its `langtrace listening:` line (and, for the demo, its ready line), stdout drained
//! from then on so the server never blocks on a full pipe, stderr inherited; or, asked
//! to capture its log, both streams kept in a [`Log`] (the server's `tracing` output goes
//! to stdout, between the lines it prints). Killed when dropped.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use langtrace_collector::server::Listening;

use super::log::Log;

/// The start of the line a server prints once both listeners accept connections.
const LISTENING_PREFIX: &str = "langtrace listening:";

/// A running `langtrace` process.
pub struct ServerProcess {
    child: Child,
    /// The addresses its listeners bound.
    pub listening: Listening,
    /// Its output (stdout and stderr), when captured.
    pub log: Option<Log>,
}

/// What [`ServerProcess::start`] read: the process, and the line starting with the
/// prefix it was asked to wait for after the listening line.
pub struct Started {
    /// The process.
    pub process: ServerProcess,
    /// The awaited line, if one was asked for.
    pub line: Option<String>,
}

impl ServerProcess {
    /// Runs `env!("CARGO_BIN_EXE_langtrace") args...` and reads its stdout up to the
    /// listening line, then up to a line starting with `then` if given. With
    /// `capture_log`, stdout and stderr go to [`ServerProcess::log`], with the default log
    /// filter (`LANGTRACE_SERVER_LOG` removed from its environment); otherwise stderr is
    /// inherited.
    pub fn start(args: &[String], capture_log: bool, then: Option<&str>) -> Started {
        let mut command = Command::new(env!("CARGO_BIN_EXE_langtrace"));
        command.args(args).stdout(Stdio::piped());
        if capture_log {
            command.stderr(Stdio::piped()).env_remove("LANGTRACE_SERVER_LOG");
        } else {
            command.stderr(Stdio::inherit());
        }
        let mut child = command.spawn().unwrap_or_else(|e| panic!("start langtrace {args:?}: {e}"));
        let log = capture_log.then(Log::default);
        if let Some(log) = &log {
            log.follow(child.stderr.take().unwrap());
        }
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut next_line = |waiting_for: &str| {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("langtrace {args:?} exited before printing {waiting_for:?}"))
                .expect("a line of stdout");
            if let Some(log) = &log {
                log.push(&line);
            }
            line
        };
        let listening = loop {
            if let Some(addresses) = next_line(LISTENING_PREFIX).strip_prefix(LISTENING_PREFIX) {
                break parse_listening(addresses);
            }
        };
        let line = then.map(|prefix| loop {
            let line = next_line(prefix);
            if line.starts_with(prefix) {
                break line;
            }
        });
        match &log {
            Some(log) => log.follow_lines(lines),
            None => drop(std::thread::spawn(move || for _ in lines {})),
        }
        Started { process: Self { child, listening, log }, line }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// ` http://ADDR (OTLP/HTTP, API), grpc://ADDR (OTLP/gRPC), data in DIR` as addresses.
fn parse_listening(addresses: &str) -> Listening {
    let address = |scheme: &str| -> SocketAddr {
        let found = addresses.split_whitespace().find_map(|word| word.strip_prefix(scheme));
        let text = found.unwrap_or_else(|| panic!("no {scheme} address in {addresses:?}"));
        text.parse().unwrap_or_else(|e| panic!("{scheme}{text}: {e}"))
    };
    Listening { http_addr: address("http://"), grpc_addr: address("grpc://") }
}
