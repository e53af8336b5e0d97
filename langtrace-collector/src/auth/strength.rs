//! The minimum strength of a chosen secret (`--init-secret-key`): generated secrets are
//! 128 random bits, and a salted SHA-256 only protects a secret that cannot be guessed.
//! A chosen one needs [`MIN_LENGTH`] characters, [`MIN_CLASSES`] of the four classes
//! (lower case, upper case, digits, others) and [`MIN_DISTINCT`] distinct characters.

/// Shortest chosen secret.
pub const MIN_LENGTH: usize = 24;
/// Character classes a chosen secret draws from at least.
pub const MIN_CLASSES: usize = 3;
/// Distinct characters a chosen secret has at least.
pub const MIN_DISTINCT: usize = 10;

/// Why `secret` is too weak, if it is.
pub fn weakness(secret: &str) -> Option<String> {
    let length = secret.chars().count();
    let classes = [
        secret.chars().any(|c| c.is_lowercase()),
        secret.chars().any(|c| c.is_uppercase()),
        secret.chars().any(|c| c.is_ascii_digit()),
        secret.chars().any(|c| !c.is_alphanumeric()),
    ]
    .into_iter()
    .filter(|present| *present)
    .count();
    let mut distinct: Vec<char> = secret.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let rule = format!(
        "a chosen secret needs at least {MIN_LENGTH} characters from at least {MIN_CLASSES} of lower case, upper \
         case, digits and others, {MIN_DISTINCT} of them distinct (or leave it unset to have one generated)"
    );
    if length < MIN_LENGTH {
        Some(format!("too short ({length} characters): {rule}"))
    } else if classes < MIN_CLASSES {
        Some(format!("too few kinds of characters ({classes}): {rule}"))
    } else if distinct.len() < MIN_DISTINCT {
        Some(format!("too repetitive ({} distinct characters): {rule}", distinct.len()))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_pass_and_weak_ones_say_why() {
        assert_eq!(weakness(&format!("sk-lt-{}", crate::auth::random_hex(16))), None);
        assert_eq!(weakness("Correct-Horse-Battery-42"), None);
        assert!(weakness("sk-lt-demo").unwrap().starts_with("too short (10 characters)"));
        assert!(weakness("abcdefghijklmnopqrstuvwxyz").unwrap().starts_with("too few kinds"));
        assert!(weakness("aA1-aA1-aA1-aA1-aA1-aA1-").unwrap().starts_with("too repetitive (4 distinct"));
    }
}
