//! The low-disk warning: the data directory's file system is checked every minute, and
//! the log warns while its free space is under `--min-free-disk-percent`.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// Time between two checks.
const CHECK_EVERY: Duration = Duration::from_secs(60);

/// Free and total bytes of the file system holding `path`.
pub fn space(path: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "a path with a NUL byte"))?;
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `name` is a NUL-terminated path and `stats` a writable statvfs.
    if unsafe { libc::statvfs(name.as_ptr(), &mut stats) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let block = stats.f_frsize as u64;
    Ok((stats.f_bavail as u64 * block, stats.f_blocks as u64 * block))
}

/// Warns in the log whenever the free space of `data_dir`'s file system is below
/// `min_free_percent`, every minute, until the runtime stops.
pub async fn watch(data_dir: PathBuf, min_free_percent: u8) {
    let mut ticks = tokio::time::interval(CHECK_EVERY);
    loop {
        ticks.tick().await;
        match space(&data_dir) {
            Ok((free, total)) if total > 0 && free * 100 < total * u64::from(min_free_percent) => {
                tracing::warn!(
                    free_bytes = free,
                    total_bytes = total,
                    data_dir = %data_dir.display(),
                    "the data directory's file system is low on free space (below --min-free-disk-percent / \
                     LANGTRACE_MIN_FREE_DISK_PERCENT = {min_free_percent}%): set a retention or free space"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "cannot read the data directory's free space"),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_free_space_of_a_directory_is_at_most_its_total() {
        let (free, total) = super::space(&std::env::temp_dir()).unwrap();
        assert!(total > 0 && free <= total, "{free} of {total}");
    }
}
