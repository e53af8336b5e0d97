//! Table tests of the rule table. Every fixture is assembled at run time from a prefix
//! and pseudo-random characters, so no real-looking secret sits in the repository.

use super::*;

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &str = "0123456789abcdef";
const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `n` characters of `alphabet`, pseudo-random from `seed` (xorshift).
pub(crate) fn random(alphabet: &str, n: usize, seed: u64) -> String {
    let alphabet: Vec<char> = alphabet.chars().collect();
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            alphabet[(state % alphabet.len() as u64) as usize]
        })
        .collect()
}

/// One fixture per rule: (rule id, text, the secret within it).
fn fixtures() -> Vec<(&'static str, String, String)> {
    let pem_body: String = (0..6).map(|i| random(B64, 64, 100 + i) + "\n").collect();
    let cases = [
        ("private-key", format!("-----BEGIN RSA PRIVATE KEY-----\n{pem_body}-----END RSA PRIVATE KEY-----")),
        ("anthropic-api-key", format!("{}{}AA", "sk-ant-api03-", random(ALNUM, 93, 1))),
        ("openai-api-key", format!("{}{}", "sk-proj-", random(ALNUM, 120, 2))),
        (
            "openai-api-key",
            format!("sk-{}{}{}", random(ALNUM, 20, 3), "T3Blbk", "FJ".to_owned() + &random(ALNUM, 20, 4)),
        ),
        ("google-api-key", format!("{}{}", "AI", "za".to_owned() + &random(ALNUM, 35, 5))),
        ("aws-access-key-id", format!("{}{}", "AK", "IA".to_owned() + &random(UPPER32, 16, 6))),
        ("github-token", format!("{}{}", "gh", "p_".to_owned() + &random(ALNUM, 36, 7))),
        ("github-token", format!("{}{}", "github_", "pat_".to_owned() + &random(ALNUM, 82, 8))),
        ("gitlab-token", format!("{}{}", "glpat-", random(ALNUM, 20, 9))),
        (
            "slack-token",
            format!("{}{}-{}", "xo", "xb-".to_owned() + &random("0123456789", 12, 10), random(ALNUM, 24, 11)),
        ),
        (
            "slack-webhook",
            format!(
                "https://hooks.slack.com/services/T{}/B{}/{}",
                random(UPPER32, 9, 12),
                random(UPPER32, 9, 13),
                random(ALNUM, 24, 14)
            ),
        ),
        ("stripe-key", format!("{}{}", "sk_", "live_".to_owned() + &random(ALNUM, 24, 15))),
        ("sendgrid-api-key", format!("S{}.{}.{}", "G", random(ALNUM, 22, 16), random(ALNUM, 43, 17))),
        ("twilio-api-key", format!("S{}{}", "K", random(HEX, 32, 18))),
        (
            "jwt",
            format!(
                "ey{}.ey{}.{}",
                "J".to_owned() + &random(ALNUM, 30, 19),
                "J".to_owned() + &random(ALNUM, 40, 20),
                random(ALNUM, 43, 21)
            ),
        ),
    ];
    let mut out: Vec<_> = cases.into_iter().map(|(id, secret)| (id, format!("use {secret} here"), secret)).collect();
    let assigned = [
        ("aws-secret-access-key", "aws_secret_access_key = ", random(B64, 40, 22)),
        ("azure-storage-key", "DefaultEndpointsProtocol=https;AccountKey=", random(B64, 86, 23) + "=="),
        ("azure-openai-key", "AZURE_OPENAI_API_KEY=", random(HEX, 32, 24)),
        ("generic-secret", "\"client_secret\": \"", random(ALNUM, 32, 25)),
        ("generic-secret", "DB_PASSWORD=", random(ALNUM, 20, 26)),
    ];
    out.extend(assigned.into_iter().map(|(id, prefix, secret)| (id, format!("{prefix}{secret};"), secret)));
    out
}

#[test]
fn every_rule_finds_its_fixture() {
    let fixtures = fixtures();
    for rule in RULES {
        assert!(fixtures.iter().any(|(id, ..)| id == &rule.id), "rule {} has no fixture", rule.id);
    }
    for (id, text, secret) in fixtures {
        let findings = Secrets::find(&text, RedactMode::All);
        assert_eq!(findings.len(), 1, "{id}: {findings:?} in {text:?}");
        assert_eq!(findings[0].kind, id, "{text:?}");
        assert_eq!(&text[findings[0].span.clone()], secret, "{id}");
        let scan = Secrets::new().scan(&text, &ScanContext::default());
        assert!(!scan.valid && !scan.blocked && !scan.sanitized.contains(&secret), "{id}");
    }
}

#[test]
fn placeholders_and_prose_are_not_secrets() {
    let texts = [
        format!("{}{}", "sk-proj-", "x".repeat(60)),
        format!("{}{}", "AKIA", "A".repeat(16)),
        "api_key = YOUR_API_KEY_HERE".to_owned(),
        "password=hunter2hunter2".to_owned(),
        "The token economy and the secret garden.".to_owned(),
        "Skip this: SKETCHY ideas and glpat- alone".to_owned(),
        format!("{}{}", "ghp_", random(ALNUM, 20, 30)),
    ];
    for text in texts {
        assert!(Secrets::find(&text, RedactMode::All).is_empty(), "{text:?}");
    }
}

#[test]
fn each_redact_mode() {
    let secret = format!("{}{}", "gh", "p_".to_owned() + &random(ALNUM, 36, 40));
    let text = format!("token {secret} end");
    let redact = |mode| Secrets::new().redact(mode).scan(&text, &ScanContext::default()).sanitized.into_owned();
    assert_eq!(redact(RedactMode::All), "token ****** end");
    let partial = format!("token gh..{} end", &secret[secret.len() - 2..]);
    assert_eq!(redact(RedactMode::Partial), partial);
    let hashed = redact(RedactMode::Hash);
    assert_eq!(hashed, format!("token {} end", hex::encode(Sha256::digest(secret.as_bytes()))));
    assert_eq!(RedactMode::Partial.replace("short"), "******");
}

#[test]
fn entropy_measures_bits_per_character() {
    assert_eq!(shannon_entropy(""), 0.0);
    assert_eq!(shannon_entropy("aaaa"), 0.0);
    assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-6);
    assert!(shannon_entropy(&random(ALNUM, 64, 50)) > 5.0);
}

#[test]
fn mask_replaces_with_a_marker() {
    let secret = format!("{}{}", "glpat-", random(ALNUM, 20, 60));
    assert_eq!(mask_secrets(&format!("key {secret}.")), "key [SECRET].");
    assert!(matches!(mask_secrets("nothing"), std::borrow::Cow::Borrowed(_)));
}
