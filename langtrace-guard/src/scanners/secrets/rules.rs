//! The secret rule table: the project's own rules, one per credential format.

/// One credential format: keywords that must appear (case-insensitive) before the
/// pattern is run, the pattern (the secret is group 1 if the pattern has one, else the
/// whole match), and the minimum Shannon entropy (bits per character) of the secret.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rule {
    /// The finding kind.
    pub id: &'static str,
    /// At least one must occur in the text for the pattern to run.
    pub keywords: &'static [&'static str],
    /// Rust `regex` syntax.
    pub pattern: &'static str,
    /// Matches with lower entropy are placeholders or examples, not secrets.
    pub min_entropy: f32,
}

/// Specific providers first: where two rules match the same text, the earlier wins.
pub(crate) const RULES: &[Rule] = &[
    Rule {
        id: "private-key",
        keywords: &["PRIVATE KEY"],
        pattern: r"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\s:,-]+?-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----",
        min_entropy: 3.0,
    },
    Rule {
        id: "anthropic-api-key",
        keywords: &["sk-ant-"],
        pattern: r"(?-u:\b)sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,120}(?-u:\b)",
        min_entropy: 3.5,
    },
    Rule {
        id: "openai-api-key",
        keywords: &["sk-proj-", "sk-svcacct-", "sk-admin-", "T3BlbkFJ"],
        pattern: r"(?-u:\b)sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,250}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})(?-u:\b)",
        min_entropy: 3.5,
    },
    Rule {
        id: "google-api-key",
        keywords: &["AIza"],
        pattern: r"(?-u:\b)AIza[A-Za-z0-9_-]{35}(?-u:\b)",
        min_entropy: 3.0,
    },
    Rule {
        id: "aws-access-key-id",
        keywords: &["AKIA", "ASIA", "ABIA", "ACCA"],
        pattern: r"(?-u:\b)(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?-u:\b)",
        min_entropy: 3.0,
    },
    Rule {
        id: "aws-secret-access-key",
        keywords: &["aws_secret", "aws-secret", "secretaccesskey", "secret_access_key"],
        pattern: r#"(?i)(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?-u:\b)"#,
        min_entropy: 4.0,
    },
    Rule {
        id: "azure-storage-key",
        keywords: &["AccountKey="],
        pattern: r"AccountKey=([A-Za-z0-9+/]{86}==)",
        min_entropy: 4.0,
    },
    Rule {
        id: "azure-openai-key",
        keywords: &["azure"],
        pattern: r#"(?i)azure[0-9A-Za-z_.-]{0,20}key["']?\s*[:=]\s*["']?([a-f0-9]{32})(?-u:\b)"#,
        min_entropy: 3.0,
    },
    Rule {
        id: "github-token",
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        pattern: r"(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?-u:\b)",
        min_entropy: 3.0,
    },
    Rule {
        id: "gitlab-token",
        keywords: &["glpat-"],
        pattern: r"(?-u:\b)glpat-[A-Za-z0-9_-]{20,}(?-u:\b)",
        min_entropy: 3.0,
    },
    Rule {
        id: "slack-token",
        keywords: &["xox"],
        pattern: r"(?-u:\b)xox[abprs]-[A-Za-z0-9-]{10,250}(?-u:\b)",
        min_entropy: 3.0,
    },
    Rule {
        id: "slack-webhook",
        keywords: &["hooks.slack.com"],
        pattern: r"https://hooks\.slack\.com/services/[A-Za-z0-9]{8,12}/[A-Za-z0-9]{8,12}/[A-Za-z0-9]{20,30}",
        min_entropy: 3.0,
    },
    Rule {
        id: "stripe-key",
        keywords: &["sk_live_", "sk_test_", "rk_live_", "rk_test_"],
        pattern: r"(?-u:\b)[rs]k_(?:live|test)_[A-Za-z0-9]{20,250}(?-u:\b)",
        min_entropy: 3.0,
    },
    Rule {
        id: "sendgrid-api-key",
        keywords: &["SG."],
        pattern: r"(?-u:\b)SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?-u:\b)",
        min_entropy: 3.5,
    },
    Rule { id: "twilio-api-key", keywords: &["SK"], pattern: r"(?-u:\b)SK[0-9a-f]{32}(?-u:\b)", min_entropy: 3.0 },
    Rule {
        id: "jwt",
        keywords: &["eyJ"],
        pattern: r"(?-u:\b)eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
        min_entropy: 3.0,
    },
    Rule {
        id: "generic-secret",
        keywords: &["key", "secret", "token", "passw", "pwd", "credential", "auth"],
        pattern: r#"(?i)(?:api_?key|apikey|secret|token|passwd|password|pwd|credentials?|auth)[0-9A-Za-z_.-]{0,20}["']?[ \t]*(?:[:=]|=>|:=)[ \t]*["']?([A-Za-z0-9_+/=.~-]{16,200})"#,
        min_entropy: 3.5,
    },
];
