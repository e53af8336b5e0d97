//! A 10 KB prompt through the input chain InvisibleText + BanSubstrings (1,000 terms) +
//! Secrets + Pii, without a tracing subscriber (the scanning alone).
//!
//! `cargo bench -p langtrace-guard` (set `LANGTRACE_BENCH_QUICK=1` for a run of a few
//! seconds). Prints the median over rounds as one line:
//! `guard: scan_10kb_us=<microseconds per prompt> mib_per_s=<throughput>`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use langtrace_guard::scanners::{BanSubstrings, InvisibleText, MatchType, Pii, Secrets, Vault};
use langtrace_guard::{Guard, Scanner};

/// About 10 KB of support-chat prose with a few e-mails, a phone number, a card number,
/// an IP address, a zero-width character and a key-like assignment (assembled here).
fn prompt() -> String {
    let key = format!("{}{}", "sk-proj-", "Q7fLm2Xc9RbTz4WkPq8Vn3Hd6Js1Ay5Ge0Uo".repeat(2));
    let paragraphs = [
        "Hello, I have a question about my last invoice and the export of my data. ".to_owned(),
        "You can reach me at jane.doe@example.com or on +1 (415) 555-2671 during the day. ".to_owned(),
        "My colleague (bob@example.org) tried card 4111 1111 1111 1111 but it was declined. ".to_owned(),
        "The dashboard at https://app.example.com/reports shows errors from 10.20.30.40 since Monday. ".to_owned(),
        format!("Our config has OPENAI_API_KEY={key} which we rotate monthly.\u{200B} "),
        "Could you explain how the quota is computed and whether unused credits roll over? ".to_owned(),
    ];
    let mut text = String::with_capacity(10_400);
    while text.len() < 10_240 {
        for paragraph in &paragraphs {
            text.push_str(paragraph);
        }
    }
    text.truncate(text.char_indices().map(|(i, _)| i).take_while(|&i| i <= 10_240).last().unwrap_or(0));
    text
}

fn main() {
    let quick = std::env::var_os("LANGTRACE_BENCH_QUICK").is_some();
    let terms: Vec<String> = (0..1000).map(|i| format!("bannedterm{i:04}")).collect();
    let guard = Guard::new().input([
        InvisibleText::new().shared(),
        BanSubstrings::builder(&terms)
            .match_type(MatchType::Word)
            .redact(true)
            .build()
            .expect("1,000 terms build")
            .shared(),
        Secrets::new().shared(),
        Pii::new(Vault::new()).shared(),
    ]);
    let prompt = prompt();
    let scanned = guard.scan_input(&prompt).expect("redacting scanners never block");
    assert!(
        !scanned.is_clean() && !scanned.text.contains("jane.doe@example.com") && !scanned.text.contains("sk-proj-")
    );

    let (rounds, per_round) = if quick { (5, 50) } else { (30, 200) };
    let mut medians: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_round {
                black_box(guard.scan_input(black_box(&prompt)).ok());
            }
            start.elapsed() / per_round
        })
        .collect();
    medians.sort();
    let per_prompt = medians[medians.len() / 2];
    let mib_per_s = prompt.len() as f64 / per_prompt.as_secs_f64() / (1024.0 * 1024.0);
    println!("guard: scan_10kb_us={:.1} mib_per_s={:.1}", per_prompt.as_secs_f64() * 1e6, mib_per_s);
}
