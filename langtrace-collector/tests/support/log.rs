//! A server's log captured line by line (ANSI colour codes removed) by threads reading its
//! output, so that a test can wait for a line and assert on it. Each line is also echoed
//! to the test's own stderr (shown when the test fails).

use std::io::{BufRead, BufReader, Read};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The lines a server has logged so far; more arrive while it runs.
#[derive(Clone, Default)]
pub struct Log {
    shared: Arc<(Mutex<Vec<String>>, Condvar)>,
}

impl Log {
    /// Starts a thread adding every line of `stream` to this log, to the stream's end.
    pub fn follow(&self, stream: impl Read + Send + 'static) {
        self.follow_lines(BufReader::new(stream).lines());
    }

    /// Starts a thread adding every line `lines` gives (the rest of a stream partly read).
    pub fn follow_lines(&self, lines: impl Iterator<Item = std::io::Result<String>> + Send + 'static) {
        let log = self.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                log.push(&line);
            }
        });
    }

    /// Adds `line` (read elsewhere) to the log.
    pub fn push(&self, line: &str) {
        let line = without_colours(line);
        eprintln!("{line}");
        self.shared.0.lock().unwrap().push(line);
        self.shared.1.notify_all();
    }

    /// Every line so far.
    pub fn lines(&self) -> Vec<String> {
        self.shared.0.lock().unwrap().clone()
    }

    /// The first line matching `wanted`, waiting for it up to `timeout`; `None` if none
    /// came by then.
    pub fn wait_for(&self, wanted: impl Fn(&str) -> bool, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        let (lines, arrived) = &*self.shared;
        let mut lines = lines.lock().unwrap();
        loop {
            if let Some(line) = lines.iter().find(|line| wanted(line)) {
                return Some(line.clone());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            lines = arrived.wait_timeout(lines, left).unwrap().0;
        }
    }
}

/// `line` without ANSI escape sequences (`ESC [ ... letter`).
fn without_colours(line: &str) -> String {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // Up to and including the sequence's final letter.
            chars.by_ref().find(char::is_ascii_alphabetic);
        } else {
            plain.push(c);
        }
    }
    plain
}
