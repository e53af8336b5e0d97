//! Provider secrets at rest: [`SecretBox`] seals text with AES-256-GCM (a fresh random
//! 12-byte IV each time) as `ivHex:cipherHex:tagHex`, Langfuse's format, and opens it
//! again; [`key`] says where the 256-bit key comes from (`LANGTRACE_ENCRYPTION_KEY`, else
//! a key file in the data directory). Nothing here logs or prints a secret or the key.

pub mod key;

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};

/// Length of the key in bytes.
pub const KEY_LEN: usize = 32;

/// Why sealed text could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("the stored secret cannot be decrypted: it is malformed or was sealed under another encryption key")]
pub struct OpenError;

/// An AES-256-GCM key that seals and opens secrets; its `Debug` shows no key material.
pub struct SecretBox {
    key: LessSafeKey,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(AES-256-GCM, key withheld)")
    }
}

impl SecretBox {
    /// A box for the 256-bit `key`.
    pub fn new(key: &[u8; KEY_LEN]) -> Self {
        let unbound = UnboundKey::new(&AES_256_GCM, key).expect("a 32-byte key suits AES-256-GCM");
        SecretBox { key: LessSafeKey::new(unbound) }
    }

    /// `plaintext` sealed under a fresh random IV, as `ivHex:cipherHex:tagHex`.
    pub fn seal(&self, plaintext: &str) -> String {
        let mut iv = [0u8; NONCE_LEN];
        getrandom::fill(&mut iv).expect("the operating system's random source");
        let mut data = plaintext.as_bytes().to_vec();
        let tag = self
            .key
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(iv), Aad::empty(), &mut data)
            .expect("AES-GCM seals any text shorter than 64 GB");
        format!("{}:{}:{}", hex::encode(iv), hex::encode(&data), hex::encode(tag.as_ref()))
    }

    /// The plaintext of what [`SecretBox::seal`] made under the same key.
    pub fn open(&self, sealed: &str) -> Result<String, OpenError> {
        let mut parts = sealed.split(':');
        let (Some(iv), Some(cipher), Some(tag), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(OpenError);
        };
        let iv: [u8; NONCE_LEN] = hex::decode(iv).ok().and_then(|iv| iv.try_into().ok()).ok_or(OpenError)?;
        let mut data = hex::decode(cipher).map_err(|_| OpenError)?;
        data.extend(hex::decode(tag).map_err(|_| OpenError)?);
        let plain =
            self.key.open_in_place(Nonce::assume_unique_for_key(iv), Aad::empty(), &mut data).map_err(|_| OpenError)?;
        String::from_utf8(plain.to_vec()).map_err(|_| OpenError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_under_its_key_only() {
        let secret_box = SecretBox::new(&[7; KEY_LEN]);
        let sealed = secret_box.seal("sk-live-123456");
        let parts: Vec<&str> = sealed.split(':').collect();
        assert_eq!(parts.len(), 3, "{sealed}");
        assert_eq!((parts[0].len(), parts[2].len()), (24, 32), "12-byte IV, 16-byte tag");
        assert!(!sealed.contains("sk-live"));
        assert_ne!(sealed, secret_box.seal("sk-live-123456"), "a fresh IV each time");
        assert_eq!(secret_box.open(&sealed).unwrap(), "sk-live-123456");
        assert!(SecretBox::new(&[8; KEY_LEN]).open(&sealed).is_err(), "another key");
        let mut tampered = sealed.clone();
        tampered.replace_range(30..31, if &sealed[30..31] == "0" { "1" } else { "0" });
        assert!(secret_box.open(&tampered).is_err(), "tampered cipher text");
        for malformed in ["", "zz:zz:zz", "00:00", "00:00:00:00"] {
            assert!(secret_box.open(malformed).is_err(), "{malformed}");
        }
    }
}
