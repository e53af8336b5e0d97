//! The data's lifecycle: deleting traces in bounded writer steps (`delete`), the
//! retention pruner and space reclaim (`prune`), the low-disk warning (`disk`), backup and
//! restore of a data directory (`backup`), and their `serve` settings.

pub mod backup;
pub mod delete;
#[cfg(target_os = "linux")]
pub mod disk;
pub mod prune;

use std::time::Duration;

use clap::Args;

/// Settings of the pruner and the disk check.
#[derive(Debug, Clone, Args)]
pub struct LifecycleArgs {
    /// How often the pruner deletes the traces past their project's retention (e.g. `10m`,
    /// `1h`); it also runs at start.
    #[arg(long, env = "LANGTRACE_PRUNE_INTERVAL", default_value = "10m", value_parser = parse_interval)]
    pub prune_interval: Duration,
    /// Free space of the data directory's file system, in percent, below which the log
    /// warns (checked every minute).
    #[arg(long, env = "LANGTRACE_MIN_FREE_DISK_PERCENT", default_value_t = 5, value_parser = clap::value_parser!(u8).range(1..=99))]
    pub min_free_disk_percent: u8,
}

impl Default for LifecycleArgs {
    fn default() -> Self {
        Self { prune_interval: Duration::from_secs(600), min_free_disk_percent: 5 }
    }
}

/// A duration of at least one second.
fn parse_interval(text: &str) -> Result<Duration, String> {
    let interval = humantime::parse_duration(text).map_err(|error| error.to_string())?;
    if interval < Duration::from_secs(1) {
        return Err(format!("{text:?} is shorter than one second"));
    }
    Ok(interval)
}
