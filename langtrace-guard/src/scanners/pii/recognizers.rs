//! The PII recognizers: a pattern per entity, and for most a check that the candidate is
//! real (Luhn, IBAN mod-97, `std::net` parsing, SSN number rules, base58check).

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use regex::Regex;
use sha2::{Digest, Sha256};

/// An entity the [`super::Pii`] scanner recognises; its name appears in placeholders
/// (`[REDACTED_EMAIL_1]`) and finding kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entity {
    /// E-mail addresses.
    Email,
    /// `http(s)://` and `www.` URLs.
    Url,
    /// IBANs with a valid mod-97 check and their country's length.
    Iban,
    /// Card numbers of 13 to 19 digits passing the Luhn check.
    CreditCard,
    /// UUIDs.
    Uuid,
    /// US social security numbers within the allocation rules.
    UsSsn,
    /// Bitcoin base58check addresses.
    Crypto,
    /// IPv4 and IPv6 addresses.
    IpAddress,
    /// E.164 numbers and national formats (NANP, UK, France, Germany).
    Phone,
}

impl Entity {
    /// Every entity, in the order recognizers run (where matches overlap, the earlier
    /// entity wins: a URL's host is not also an IP address).
    pub const ALL: [Entity; 9] = [
        Entity::Email,
        Entity::Url,
        Entity::Iban,
        Entity::CreditCard,
        Entity::Uuid,
        Entity::UsSsn,
        Entity::Crypto,
        Entity::IpAddress,
        Entity::Phone,
    ];

    /// The upper-case name used in placeholders.
    pub fn name(self) -> &'static str {
        match self {
            Entity::Email => "EMAIL",
            Entity::Url => "URL",
            Entity::Iban => "IBAN",
            Entity::CreditCard => "CREDIT_CARD",
            Entity::Uuid => "UUID",
            Entity::UsSsn => "US_SSN",
            Entity::Crypto => "CRYPTO",
            Entity::IpAddress => "IP_ADDRESS",
            Entity::Phone => "PHONE",
        }
    }

    fn pattern(self) -> &'static str {
        match self {
            Entity::Email => r"(?-u:\b)[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?-u:\b)",
            Entity::Url => r#"(?-u:\b)(?:https?://|www\.)[^\s<>"'`]+"#,
            Entity::Iban => r"(?-u:\b)[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?-u:\b)",
            Entity::CreditCard => r"(?-u:\b)\d(?:[ -]?\d){12,18}(?-u:\b)",
            Entity::Uuid => {
                r"(?-u:\b)[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?-u:\b)"
            }
            Entity::UsSsn => r"(?-u:\b)\d{3}-\d{2}-\d{4}(?-u:\b)",
            Entity::Crypto => r"(?-u:\b)[13][1-9A-HJ-NP-Za-km-z]{25,34}(?-u:\b)",
            Entity::IpAddress => {
                r"(?-u:\b)(?:\d{1,3}\.){3}\d{1,3}(?-u:\b)|(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:\d{1,3}(?:\.\d{1,3}){3})?"
            }
            Entity::Phone => concat!(
                r"\+[1-9](?:[ .-]?\(?\d\)?){6,14}(?-u:\b)", // E.164, separators allowed
                r"|\(?(?-u:\b)[2-9]\d{2}\)?[ .-]?[2-9]\d{2}[ .-]\d{4}(?-u:\b)", // NANP
                r"|(?-u:\b)0[1-9](?:[ .]\d{2}){4}(?-u:\b)", // France
                r"|(?-u:\b)0\d{2} ?\d{4} ?\d{4}(?-u:\b)|(?-u:\b)0\d{4} ?\d{6}(?-u:\b)", // UK
                r"|(?-u:\b)0\d{2,4}[ /-]\d{4,8}(?-u:\b)",   // Germany
            ),
        }
    }

    /// Whether a candidate the pattern matched is real.
    fn accepts(self, candidate: &str) -> bool {
        match self {
            Entity::Email | Entity::Uuid => true,
            Entity::Url => candidate.len() > 4 && !candidate.ends_with("://"),
            Entity::Iban => iban_is_valid(candidate),
            Entity::CreditCard => luhn_is_valid(candidate),
            Entity::UsSsn => ssn_is_valid(candidate),
            Entity::Crypto => base58check_is_valid(candidate),
            Entity::IpAddress => {
                candidate.parse::<Ipv4Addr>().is_ok()
                    || (candidate.bytes().filter(u8::is_ascii_hexdigit).count() >= 2
                        && candidate.parse::<Ipv6Addr>().is_ok())
            }
            Entity::Phone => {
                let digits: Vec<u8> = candidate.bytes().filter(u8::is_ascii_digit).collect();
                (7..=15).contains(&digits.len()) && digits.iter().skip(1).any(|&d| d != digits[1])
            }
        }
    }

    /// How much of a match is the entity (URLs drop trailing punctuation).
    fn trim(self, candidate: &str) -> &str {
        match self {
            Entity::Url => candidate.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}']),
            _ => candidate,
        }
    }
}

/// A found entity: its kind and byte range.
pub(crate) type Span = (Entity, std::ops::Range<usize>);

static PATTERNS: LazyLock<Vec<Regex>> =
    LazyLock::new(|| Entity::ALL.iter().map(|e| Regex::new(e.pattern()).expect("valid recognizer pattern")).collect());

/// The entities of `entities` found in `text`, in text order, not overlapping.
pub(crate) fn recognize(text: &str, entities: &[Entity]) -> Vec<Span> {
    let mut found: Vec<Span> = Vec::new();
    for (entity, pattern) in Entity::ALL.iter().zip(PATTERNS.iter()) {
        if !entities.contains(entity) {
            continue;
        }
        for m in pattern.find_iter(text) {
            let candidate = entity.trim(m.as_str());
            let span = m.start()..m.start() + candidate.len();
            let overlaps = found.iter().any(|(_, f)| f.start < span.end && span.start < f.end);
            if !overlaps && stands_alone(*entity, text, &span) && entity.accepts(candidate) {
                found.push((*entity, span));
            }
        }
    }
    found.sort_by_key(|(_, span)| span.start);
    found
}

/// Whether an IP address candidate is not part of a longer token (`Vec::new` holds
/// `ec::e`, a valid IPv6 address); other patterns carry their own boundaries.
fn stands_alone(entity: Entity, text: &str, span: &std::ops::Range<usize>) -> bool {
    if entity != Entity::IpAddress {
        return true;
    }
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let joins = |mut chars: std::iter::Peekable<std::str::Chars<'_>>| match chars.next() {
        Some(c) if word(c) => true,
        Some(':' | '.') => chars.next().is_some_and(word),
        _ => false,
    };
    let before: String = text[..span.start].chars().rev().take(2).collect();
    !joins(before.chars().peekable()) && !joins(text[span.end..].chars().peekable())
}

/// The Luhn check over the digits of `candidate` (13 to 19 of them).
pub fn luhn_is_valid(candidate: &str) -> bool {
    let digits: Vec<u32> = candidate.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) || digits.iter().all(|&d| d == digits[0]) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| if i % 2 == 1 { (d * 2).div_euclid(10) + (d * 2) % 10 } else { d })
        .sum();
    sum.is_multiple_of(10)
}

/// IBAN lengths per country (ISO 13616 registry, the countries most seen in Europe and
/// beyond).
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FR", 27),
    ("GB", 22),
    ("GI", 23),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IS", 26),
    ("IT", 27),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SA", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("TR", 26),
    ("UA", 29),
];

/// An IBAN of a known country, of that country's length, passing the mod-97 check.
pub fn iban_is_valid(candidate: &str) -> bool {
    let compact: String = candidate.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(&(_, length)) = IBAN_LENGTHS.iter().find(|(country, _)| compact.starts_with(country)) else {
        return false;
    };
    if compact.len() != length || !compact.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        return false;
    }
    let rearranged = compact[4..].bytes().chain(compact[..4].bytes());
    let remainder = rearranged.fold(0u32, |acc, b| {
        let value = if b.is_ascii_digit() { (b - b'0') as u32 } else { (b - b'A') as u32 + 10 };
        if value >= 10 {
            (acc * 100 + value) % 97
        } else {
            (acc * 10 + value) % 97
        }
    });
    remainder == 1
}

/// A US SSN within the issuing rules: area not 000, 666 or 900-999, group not 00, serial
/// not 0000.
pub fn ssn_is_valid(candidate: &str) -> bool {
    let parts: Vec<&str> = candidate.split('-').collect();
    let [area, group, serial] = parts[..] else { return false };
    let area: u32 = area.parse().unwrap_or(0);
    area != 0 && area != 666 && area < 900 && group != "00" && serial != "0000"
}

/// A Bitcoin base58check address: 25 bytes whose last 4 are the double SHA-256 checksum
/// of the first 21, version 0 (P2PKH) or 5 (P2SH).
pub fn base58check_is_valid(candidate: &str) -> bool {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut bytes = [0u8; 25];
    for c in candidate.bytes() {
        let Some(mut carry) = ALPHABET.iter().position(|&a| a == c).map(|v| v as u32) else { return false };
        for byte in bytes.iter_mut().rev() {
            carry += (*byte as u32) * 58;
            *byte = carry as u8;
            carry >>= 8;
        }
        if carry != 0 {
            return false;
        }
    }
    let checksum = Sha256::digest(Sha256::digest(&bytes[..21]));
    matches!(bytes[0], 0 | 5) && checksum[..4] == bytes[21..]
}
