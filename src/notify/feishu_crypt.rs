//! Feishu's (飞书 / Lark) event encryption and request signature: with an
//! Encrypt Key configured, an event arrives as `{"encrypt": "…"}`, Base64 of
//! a random 16-byte IV followed by AES-256-CBC (PKCS#7) under SHA-256 of the
//! Encrypt Key; its `X-Lark-Signature` header is the hex SHA-256 of the
//! `X-Lark-Request-Timestamp`, the `X-Lark-Request-Nonce`, the Encrypt Key
//! and the raw body, concatenated.

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::crypto::same_secret;

type Decryptor = cbc::Decryptor<aes::Aes256>;
type Encryptor = cbc::Encryptor<aes::Aes256>;

/// Why an event was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LarkError {
    #[error("the signature does not match")]
    Signature,
    #[error("the ciphertext is not Base64 of an IV and whole AES blocks")]
    Ciphertext,
    #[error("the plaintext's padding or text is not valid")]
    Plaintext,
}

/// One app's Encrypt Key.
#[derive(Clone)]
pub struct FeishuCrypt {
    encrypt_key: String,
    key: [u8; 32],
}

impl std::fmt::Debug for FeishuCrypt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeishuCrypt").finish_non_exhaustive()
    }
}

impl FeishuCrypt {
    pub fn new(encrypt_key: &str) -> Self {
        Self { encrypt_key: encrypt_key.to_owned(), key: Sha256::digest(encrypt_key.as_bytes()).into() }
    }

    /// The `X-Lark-Signature` of a request.
    pub fn signature(&self, timestamp: &str, nonce: &str, body: &[u8]) -> String {
        let mut h = Sha256::new();
        h.update(timestamp.as_bytes());
        h.update(nonce.as_bytes());
        h.update(self.encrypt_key.as_bytes());
        h.update(body);
        hex::encode(h.finalize())
    }

    /// Checks a request's signature.
    pub fn verify(&self, signature: &str, timestamp: &str, nonce: &str, body: &[u8]) -> Result<(), LarkError> {
        let expected = self.signature(timestamp, nonce, body);
        if same_secret(signature.to_ascii_lowercase().as_bytes(), expected.as_bytes()) {
            Ok(())
        } else {
            Err(LarkError::Signature)
        }
    }

    /// The event inside an `encrypt` field.
    pub fn decrypt(&self, encrypted: &str) -> Result<String, LarkError> {
        let data = STANDARD.decode(encrypted.trim()).map_err(|_| LarkError::Ciphertext)?;
        if data.len() < 32 || data.len() % 16 != 0 {
            return Err(LarkError::Ciphertext);
        }
        let (iv, body) = data.split_at(16);
        let iv: [u8; 16] = iv.try_into().map_err(|_| LarkError::Ciphertext)?;
        let plain = Decryptor::new(&self.key.into(), &iv.into())
            .decrypt_padded_vec_mut::<Pkcs7>(body)
            .map_err(|_| LarkError::Plaintext)?;
        String::from_utf8(plain).map_err(|_| LarkError::Plaintext)
    }

    /// Encrypts an event as Feishu does, with `iv` (for a test's fake Feishu).
    pub fn encrypt(&self, event: &str, iv: [u8; 16]) -> String {
        let body = Encryptor::new(&self.key.into(), &iv.into()).encrypt_padded_vec_mut::<Pkcs7>(event.as_bytes());
        STANDARD.encode([&iv[..], &body].concat())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendors_sample_decrypts_to_hello_world() {
        // The example of Feishu's "Encrypt Key" guide.
        let c = FeishuCrypt::new("test key");
        assert_eq!(c.decrypt("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=").unwrap(), "hello world");
    }

    #[test]
    fn what_it_encrypts_decrypts_and_a_signature_binds_every_part() {
        let c = FeishuCrypt::new("6YezwdTZnkkei0lTgsMyMc2PJBTuc7JW");
        let event = r#"{"type":"card.action.trigger","action":{"value":{"do":"acknowledged"}}}"#;
        assert_eq!(c.decrypt(&c.encrypt(event, [9; 16])).unwrap(), event);
        let body = br#"{"encrypt":"x"}"#;
        let signature = c.signature("1700000000", "n1", body);
        assert_eq!(c.verify(&signature, "1700000000", "n1", body), Ok(()));
        assert_eq!(c.verify(&signature.to_uppercase(), "1700000000", "n1", body), Ok(()));
        assert_eq!(c.verify(&signature, "1700000001", "n1", body), Err(LarkError::Signature));
        assert_eq!(c.verify(&signature, "1700000000", "n2", body), Err(LarkError::Signature));
        assert_eq!(c.verify(&signature, "1700000000", "n1", br#"{"encrypt":"y"}"#), Err(LarkError::Signature));
        assert_eq!(FeishuCrypt::new("other").verify(&signature, "1700000000", "n1", body), Err(LarkError::Signature));
        assert_eq!(c.decrypt("not base64!"), Err(LarkError::Ciphertext));
        assert_eq!(c.decrypt(&STANDARD.encode([0u8; 16])), Err(LarkError::Ciphertext));
        assert!(FeishuCrypt::new("other").decrypt(&c.encrypt(event, [9; 16])).is_err(), "another key");
    }
}
