//! Table tests per recognizer (valid and invalid candidates) and the anonymize ->
//! deanonymize round trip.

use super::recognizers::recognize;
use super::*;

/// The entities found in `text`, as (entity, matched text).
fn found(text: &str) -> Vec<(Entity, String)> {
    recognize(text, &Entity::ALL).into_iter().map(|(e, span)| (e, text[span].to_owned())).collect()
}

/// Each case: a text and the single entity it must yield, or `None` for nothing.
fn check(cases: &[(&str, Option<Entity>)]) {
    for (text, expected) in cases {
        let got = found(text);
        match expected {
            Some(entity) => {
                assert_eq!(got.iter().map(|(e, _)| *e).collect::<Vec<_>>(), vec![*entity], "{text:?}: {got:?}")
            }
            None => assert!(got.is_empty(), "{text:?}: {got:?}"),
        }
    }
}

#[test]
fn emails_and_urls() {
    check(&[
        ("write to jane.doe+news@mail.example.co.uk today", Some(Entity::Email)),
        ("not an address: a@b or @handle", None),
        ("see https://example.com/a?b=c, then", Some(Entity::Url)),
        ("www.example.org/path.", Some(Entity::Url)),
    ]);
    assert_eq!(found("go to https://example.com/x).")[0].1, "https://example.com/x");
}

#[test]
fn cards_pass_luhn_only() {
    check(&[
        ("card 4111 1111 1111 1111 exp", Some(Entity::CreditCard)),
        ("card 5500-0000-0000-0004", Some(Entity::CreditCard)),
        ("amex 378282246310005", Some(Entity::CreditCard)),
        ("card 4111 1111 1111 1112", None),
        ("order 1234567890123", None),
        ("zeros 0000 0000 0000 0000", None),
    ]);
    assert!(luhn_is_valid("6011111111111117") && !luhn_is_valid("6011111111111118") && !luhn_is_valid("42"));
}

#[test]
fn ibans_check_digits_and_country_length() {
    check(&[
        ("DE89 3704 0044 0532 0130 00", Some(Entity::Iban)),
        ("GB82WEST12345698765432", Some(Entity::Iban)),
        ("FR14 2004 1010 0505 0001 3M02 606", Some(Entity::Iban)),
        ("NL91ABNA0417164300", Some(Entity::Iban)),
        ("BE68 5390 0754 7034", Some(Entity::Iban)),
        ("CH93 0076 2011 6238 5295 7", Some(Entity::Iban)),
    ]);
    let bad = [
        "DE88 3704 0044 0532 0130 00", // check digits off by one
        "GB82WEST1234569876543",       // one character short for GB
        "XX82WEST12345698765432",      // unknown country
        "NL91ABNA0417164301",          // last digit changed
    ];
    for iban in bad {
        assert!(!iban_is_valid(iban), "{iban}");
        assert!(!found(iban).iter().any(|(e, _)| *e == Entity::Iban), "{iban}");
    }
}

#[test]
fn phone_formats() {
    check(&[
        ("call +14155552671 now", Some(Entity::Phone)),
        ("call +44 20 7946 0958", Some(Entity::Phone)),
        ("call +1 (415) 555-2671", Some(Entity::Phone)),
        ("call (415) 555-2671", Some(Entity::Phone)),
        ("call 415.555.2671", Some(Entity::Phone)),
        ("appelle 01 23 45 67 89", Some(Entity::Phone)),
        ("ring 020 7946 0958", Some(Entity::Phone)),
        ("ring 07700 900123", Some(Entity::Phone)),
        ("ruf 030 12345678 an", Some(Entity::Phone)),
        ("version 1.2.3 and 42 items", None),
        ("year 2024 and 2025", None),
        ("+123 too short", None),
    ]);
}

#[test]
fn ip_addresses_parse() {
    check(&[
        ("host 192.168.1.20 is up", Some(Entity::IpAddress)),
        ("host 10.0.0.1.", Some(Entity::IpAddress)),
        ("host 2001:db8::8a2e:370:7334 is up", Some(Entity::IpAddress)),
        ("loopback ::1", None),
        ("host 999.1.1.1 is not", None),
        ("Vec::new and std::net::Ipv6Addr", None),
        ("at 12:30:45 today", None),
    ]);
}

#[test]
fn ssn_rules() {
    check(&[
        ("ssn 123-45-6789", Some(Entity::UsSsn)),
        ("ssn 000-12-3456", None),
        ("ssn 666-12-3456", None),
        ("ssn 912-12-3456", None),
        ("ssn 123-00-4567", None),
        ("ssn 123-45-0000", None),
    ]);
}

#[test]
fn uuids_and_bitcoin_addresses() {
    check(&[
        ("id 123e4567-e89b-12d3-a456-426614174000", Some(Entity::Uuid)),
        ("id 123e4567-e89b-12d3-a456-42661417400", None),
        ("pay 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 please", Some(Entity::Crypto)),
        ("pay 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy please", Some(Entity::Crypto)),
        ("pay 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 please", None),
    ]);
}

#[test]
fn anonymize_then_deanonymize_round_trips() {
    let vault = Vault::new();
    let pii = Pii::new(vault.clone());
    let prompt = "Mail bob@example.com or call +14155552671; bob@example.com again, card 4111111111111111.";
    let scan = pii.scan(prompt, &ScanContext::default());
    assert_eq!(
        scan.sanitized,
        "Mail [REDACTED_EMAIL_1] or call [REDACTED_PHONE_1]; [REDACTED_EMAIL_1] again, card [REDACTED_CREDIT_CARD_1]."
    );
    assert!(!scan.valid && !scan.blocked);
    assert_eq!(scan.finding_counts().get("EMAIL"), Some(&2));
    let second = pii.scan("and alice@example.org", &ScanContext::default());
    assert_eq!(second.sanitized, "and [REDACTED_EMAIL_2]");

    let answer = "I wrote to [REDACTED_EMAIL_1] and [redacted_email_2]; card [REDACTED_CREDIT_CARD_1].";
    let restored = Deanonymize::new(vault).scan(answer, &ScanContext::default());
    assert_eq!(restored.sanitized, "I wrote to bob@example.com and alice@example.org; card 4111111111111111.");
    assert!(restored.valid);
}

#[test]
fn entity_selection_and_mask() {
    let only_email = Pii::new(Vault::new()).entities([Entity::Email]);
    let scan = only_email.scan("a@b.io at 192.168.1.20", &ScanContext::default());
    assert_eq!(scan.sanitized, "[REDACTED_EMAIL_1] at 192.168.1.20");
    assert_eq!(mask_pii("a@b.io at 192.168.1.20"), "[EMAIL] at [IP_ADDRESS]");
    assert!(matches!(mask_pii("nothing here"), Cow::Borrowed(_)));
}
