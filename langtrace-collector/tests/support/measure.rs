//! What the benchmarks compute: their mode, medians and percentiles of timings, and a
//! process's peak resident memory and CPU time.

/// Whether `LANGTRACE_BENCH_QUICK=1` asks for a short run.
pub fn quick() -> bool {
    std::env::var("LANGTRACE_BENCH_QUICK").is_ok_and(|v| v == "1")
}

/// The median of `values` (the upper one of an even count).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The `p`th percentile (nearest rank) of `sorted`, which is sorted ascending.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((p / 100.0 * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// The peak resident set (`VmHWM`) of process `pid` in MiB; 0 where `/proc` does not
/// tell.
pub fn peak_rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

/// The CPU time (user and system, all threads) process `pid` has used so far, in
/// seconds; 0 where `/proc` does not tell.
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat_cpu_seconds(&stat).map_or(0.0, |(_, seconds)| seconds)
}

/// The CPU time (user and system, in seconds) each thread of process `pid` has used so
/// far, by thread name (threads of one name summed); empty where `/proc` does not tell.
pub fn thread_cpu_seconds(pid: u32) -> std::collections::BTreeMap<String, f64> {
    let mut threads = std::collections::BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return threads };
    for task in tasks.flatten() {
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        if let Some((name, seconds)) = stat_cpu_seconds(&stat) {
            *threads.entry(name.to_owned()).or_insert(0.0) += seconds;
        }
    }
    threads
}

/// The command name and CPU time (user and system, in seconds) of a `/proc/.../stat`
/// line. (`/proc` counts in USER_HZ, 100 per second on Linux.)
fn stat_cpu_seconds(stat: &str) -> Option<(&str, f64)> {
    // The name is in parentheses (it may hold spaces and parentheses); after it, state is
    // the first field, utime the 12th and stime the 13th.
    let (head, rest) = stat.rsplit_once(')')?;
    let (_, name) = head.split_once('(')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |index: usize| fields.get(index).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    Some((name, (ticks(11) + ticks(12)) as f64 / 100.0))
}

/// The CPU time the calling thread has used so far, in seconds (nanosecond resolution,
/// where `/proc` counts hundredths).
#[cfg(target_os = "linux")]
pub fn current_thread_cpu_seconds() -> f64 {
    let mut time = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `time` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut time) };
    time.tv_sec as f64 + time.tv_nsec as f64 / 1e9
}
