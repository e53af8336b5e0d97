//! `langtrace`: the collector's command line.
//!
//! `serve` and `demo` open the store and start the writer on the main thread, before the
//! runtime whose threads yield to the writer exists, so the writer keeps normal priority.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use langtrace_collector::api::wire::iso;
use langtrace_collector::auth::Revocation;
use langtrace_collector::cli::{Cli, Command, DataArgs, KeysCommand, ProjectCommand, StoreArgs};
use langtrace_collector::lifecycle::{backup, prune};
use langtrace_collector::server::Server;
use langtrace_collector::store::retention;
use langtrace_collector::store::{Durability, Store};
use langtrace_collector::{auth, writer};

fn main() -> ExitCode {
    // The log goes to stderr: stdout carries the lines scripts read (listening, ready, keys).
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LANGTRACE_SERVER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => Server::open(args)
            .map_err(|e| e.to_string())
            .and_then(|server| block_on(server.run(None, shutdown_signal()))?.map_err(|e| e.to_string())),
        #[cfg(feature = "demo")]
        Command::Demo(args) => langtrace_collector::demo::Demo::prepare(args)
            .map_err(|e| e.to_string())
            .and_then(|demo| block_on(demo.run(shutdown_signal()))?.map_err(|e| e.to_string())),
        Command::Project(ProjectCommand::Create { name, data, store }) => with_store(&data, &store, |tx| {
            let project =
                auth::create_project(tx, &name).map_err(|e| format!("cannot create project {name:?}: {e}"))?;
            let keys = auth::create_keys(tx, &project.id, None).map_err(|e| e.to_string())?;
            Ok(format!(
                "created project {name:?} ({})\n  public key: {}\n  secret key: {}",
                project.id, keys.public_key, keys.secret_key
            ))
        }),
        Command::Project(ProjectCommand::Retention { name, days, keep_forever: _, data, store }) => {
            with_store(&data, &store, |tx| {
                let Some(found) = auth::project_by_name(tx, &name).map_err(|e| e.to_string())? else {
                    return Err(format!("no project named {name:?}"));
                };
                retention::set(tx, &found.id, days).map_err(|e| e.to_string())?;
                Ok(match days {
                    Some(days) => format!("project {name:?} keeps its traces {days} days"),
                    None => format!("project {name:?} keeps every trace"),
                })
            })
        }
        Command::Backup { data, to, force } => backup::backup(&data.data_dir, &to, force)
            .map(|copied| println!("backed up {} into {} ({})", data.data_dir.display(), to.display(), summary(copied)))
            .map_err(|e| e.to_string()),
        Command::Restore { from, data, force } => backup::restore(&from, &data.data_dir, force)
            .map(|copied| {
                println!("restored {} into {} ({})", from.display(), data.data_dir.display(), summary(copied))
            })
            .map_err(|e| e.to_string()),
        Command::Compact { data } => prune::compact(&data.data_dir)
            .map(|(before, after)| {
                println!("compacted {}: {before} bytes before, {after} after", data.data_dir.display())
            })
            .map_err(|e| e.to_string()),
        Command::Keys(KeysCommand::Create { project, data, store }) => with_store(&data, &store, |tx| {
            let Some(found) = auth::project_by_name(tx, &project).map_err(|e| e.to_string())? else {
                return Err(format!("no project named {project:?}"));
            };
            let keys = auth::create_keys(tx, &found.id, None).map_err(|e| e.to_string())?;
            Ok(format!(
                "new key pair for {project:?}\n  public key: {}\n  secret key: {}",
                keys.public_key, keys.secret_key
            ))
        }),
        Command::Keys(KeysCommand::List { project, data, store }) => with_store(&data, &store, |tx| {
            let Some(found) = auth::project_by_name(tx, &project).map_err(|e| e.to_string())? else {
                return Err(format!("no project named {project:?}"));
            };
            let keys = auth::list_keys(tx, &found.id).map_err(|e| e.to_string())?;
            let lines: Vec<String> =
                keys.iter().map(|key| format!("{}  created {}", key.public_key, iso(key.created_at))).collect();
            Ok(lines.join("\n"))
        }),
        Command::Keys(KeysCommand::Revoke { public_key, data, store }) => with_store(&data, &store, |tx| {
            match auth::revoke_key(tx, &public_key, None).map_err(|e| e.to_string())? {
                Revocation::Revoked => Ok(format!("revoked {public_key}")),
                Revocation::NotFound => Err(format!("no key {public_key:?}")),
                Revocation::LastKey => {
                    Err(format!("{public_key} is its project's last key: create another first (langtrace keys create)"))
                }
            }
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("langtrace: {error}");
            ExitCode::FAILURE
        }
    }
}

/// What a backup or restore copied, in words.
fn summary(copied: backup::Copied) -> String {
    let missing = match copied.media_missing {
        0 => String::new(),
        n => format!(", {n} media files recorded but not found"),
    };
    format!("database {} bytes, {} media files{missing}", copied.database_bytes, copied.media_files)
}

/// Runs `future` on the server's runtime, every thread of which yields to the writer.
fn block_on<T>(future: impl std::future::Future<Output = T>) -> Result<T, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(writer::priority::yield_to_writer)
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    Ok(runtime.block_on(future))
}

/// Resolves at Ctrl-C (SIGINT) or, on Unix, SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs one write against the store (each commit synced) and prints its message.
fn with_store(
    data: &DataArgs,
    store: &StoreArgs,
    work: impl FnOnce(&langtrace_collector::store::db::Transaction<'_>) -> Result<String, String>,
) -> Result<(), String> {
    let url = store.resolved()?;
    let (_, mut connection) =
        Store::connect(&data.data_dir, url.as_ref(), Durability::EachCommit).map_err(|e| e.to_string())?;
    let tx = connection.transaction().map_err(|e| e.to_string())?;
    let message = work(&tx)?;
    tx.commit().map_err(|e| e.to_string())?;
    println!("{message}");
    Ok(())
}
