//! The callback encryption WeCom (企业微信 回调加解密, its `WXBizMsgCrypt`
//! libraries) and DingTalk (钉钉 回调加解密, `DingCallbackCrypto`) share: a
//! callback carries `msg_signature`, the
//! SHA-1 of the sorted token, timestamp, nonce and ciphertext; the
//! ciphertext is AES-256-CBC under the 43-character EncodingAESKey (plus
//! `=`, Base64-decoded; the IV is the key's first 16 bytes, PKCS#7 padding to
//! 32 bytes) over 16 random bytes, the message's length (4 bytes, big-endian),
//! the message, and the receiver's id (WeCom's corp id; the app key of a
//! DingTalk internal app's event subscription), which must be ours.

use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::Engine;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use sha1::{Digest, Sha1};

use crate::crypto::same_secret;

type Decryptor = cbc::Decryptor<aes::Aes256>;
type Encryptor = cbc::Encryptor<aes::Aes256>;

/// WeCom's keys end in bits a strict decoder refuses (its own libraries
/// decode leniently).
const LENIENT: GeneralPurpose =
    GeneralPurpose::new(&alphabet::STANDARD, GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true));

/// WeCom pads to 32-byte blocks, not AES's 16, so padding is its own.
const PAD_BLOCK: usize = 32;

/// Why a callback was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptError {
    #[error("the EncodingAESKey must be 43 Base64 characters")]
    BadKey,
    #[error("the signature does not match")]
    Signature,
    #[error("the ciphertext is not Base64 of whole AES blocks")]
    Ciphertext,
    #[error("the plaintext's padding or length is inconsistent")]
    Plaintext,
    #[error("the message is addressed to another receiver")]
    Receiver,
}

/// One app's callback keys.
#[derive(Clone)]
pub struct MsgCrypt {
    token: String,
    key: [u8; 32],
    receiver: String,
}

impl std::fmt::Debug for MsgCrypt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MsgCrypt").field("receiver", &self.receiver).finish_non_exhaustive()
    }
}

impl MsgCrypt {
    pub fn new(token: &str, encoding_aes_key: &str, receiver: &str) -> Result<Self, CryptError> {
        if encoding_aes_key.len() != 43 {
            return Err(CryptError::BadKey);
        }
        let bytes = LENIENT.decode(format!("{encoding_aes_key}=")).map_err(|_| CryptError::BadKey)?;
        let key = <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| CryptError::BadKey)?;
        Ok(Self { token: token.to_owned(), key, receiver: receiver.to_owned() })
    }

    /// The `msg_signature` of a callback or a reply.
    pub fn signature(&self, timestamp: &str, nonce: &str, encrypted: &str) -> String {
        let mut parts = [self.token.as_str(), timestamp, nonce, encrypted];
        parts.sort_unstable();
        hex::encode(Sha1::digest(parts.concat().as_bytes()))
    }

    /// Checks a callback's signature, then decrypts its message.
    pub fn open(&self, signature: &str, timestamp: &str, nonce: &str, encrypted: &str) -> Result<String, CryptError> {
        let expected = self.signature(timestamp, nonce, encrypted);
        if !same_secret(signature.to_ascii_lowercase().as_bytes(), expected.as_bytes()) {
            return Err(CryptError::Signature);
        }
        self.decrypt(encrypted)
    }

    /// The message inside a ciphertext addressed to this receiver.
    pub fn decrypt(&self, encrypted: &str) -> Result<String, CryptError> {
        let data = STANDARD.decode(encrypted.trim()).map_err(|_| CryptError::Ciphertext)?;
        if data.is_empty() || data.len() % 16 != 0 {
            return Err(CryptError::Ciphertext);
        }
        let iv: [u8; 16] = self.key[..16].try_into().map_err(|_| CryptError::BadKey)?;
        let mut plain = Decryptor::new(&self.key.into(), &iv.into())
            .decrypt_padded_vec_mut::<cbc::cipher::block_padding::NoPadding>(&data)
            .map_err(|_| CryptError::Ciphertext)?;
        let pad = usize::from(*plain.last().ok_or(CryptError::Plaintext)?);
        if pad == 0 || pad > PAD_BLOCK || pad > plain.len() {
            return Err(CryptError::Plaintext);
        }
        plain.truncate(plain.len() - pad);
        let length: [u8; 4] = plain.get(16..20).and_then(|s| s.try_into().ok()).ok_or(CryptError::Plaintext)?;
        let end = 20usize.checked_add(u32::from_be_bytes(length) as usize).ok_or(CryptError::Plaintext)?;
        let message = plain.get(20..end).ok_or(CryptError::Plaintext)?;
        let receiver = &plain[end..];
        if !same_secret(receiver, self.receiver.as_bytes()) {
            return Err(CryptError::Receiver);
        }
        String::from_utf8(message.to_vec()).map_err(|_| CryptError::Plaintext)
    }

    /// Encrypts a message as WeCom does (for the passive reply to a callback,
    /// and for a test's fake WeCom); `random` is the 16-byte prefix.
    pub fn encrypt(&self, message: &str, random: [u8; 16]) -> String {
        let length = u32::try_from(message.len()).unwrap_or(u32::MAX).to_be_bytes();
        let mut plain = [&random[..], &length, message.as_bytes(), self.receiver.as_bytes()].concat();
        let pad = PAD_BLOCK - plain.len() % PAD_BLOCK;
        plain.extend(std::iter::repeat_n(u8::try_from(pad).unwrap_or(32), pad));
        let iv: [u8; 16] = self.key[..16].try_into().unwrap_or([0; 16]);
        let data = Encryptor::new(&self.key.into(), &iv.into())
            .encrypt_padded_vec_mut::<cbc::cipher::block_padding::NoPadding>(&plain);
        STANDARD.encode(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The public sample of WeCom's callback documentation (path/90968).
    const TOKEN: &str = "QDG6eK";
    const KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    const CORP: &str = "wx5823bf96d3bd56c7";

    fn official() -> MsgCrypt {
        MsgCrypt::new(TOKEN, KEY, CORP).unwrap()
    }

    #[test]
    fn the_vendors_url_verification_sample_opens_to_its_echo() {
        let echo = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==";
        let opened = official().open("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780", echo);
        assert_eq!(opened.unwrap(), "1616140317555161061");
    }

    #[test]
    fn the_vendors_message_sample_opens_to_its_xml() {
        let encrypted = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";
        let xml = official().open("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", encrypted);
        let xml = xml.unwrap();
        assert!(xml.starts_with("<xml>") && xml.contains("<ToUserName><![CDATA[wx5823bf96d3bd56c7]]>"), "{xml}");
    }

    #[test]
    fn what_it_encrypts_opens_and_anything_altered_is_refused() {
        let c = official();
        let sealed = c.encrypt("<xml>确认接收</xml>", [7; 16]);
        let signature = c.signature("1700000000", "42", &sealed);
        assert_eq!(c.open(&signature, "1700000000", "42", &sealed).unwrap(), "<xml>确认接收</xml>");
        assert_eq!(c.open(&signature, "1700000001", "42", &sealed), Err(CryptError::Signature));
        let other_corp = MsgCrypt::new(TOKEN, KEY, "ww0000000000000000").unwrap();
        assert_eq!(other_corp.decrypt(&sealed), Err(CryptError::Receiver));
        assert_eq!(c.decrypt("not base64!"), Err(CryptError::Ciphertext));
        assert_eq!(c.decrypt(&STANDARD.encode([0u8; 15])), Err(CryptError::Ciphertext));
        assert_eq!(MsgCrypt::new(TOKEN, "short", CORP).unwrap_err(), CryptError::BadKey);
    }

    #[test]
    fn dingtalks_published_sample_opens_with_the_same_scheme() {
        // The sample in DingTalk's DingTalk-Callback-Crypto (DingCallbackCrypto3.py);
        // its timestamp is in milliseconds.
        let c = MsgCrypt::new("mryue", "Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7", "ding6ccabc44d2c8d38b").unwrap();
        let encrypted = "0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3";
        let opened =
            c.open("03044561471240d4a14bb09372dfcfd4fd0e40cb", "1608001896814", "WL4PK6yA", encrypted).unwrap();
        assert!(opened.contains("EventType"), "{opened}");
        assert_eq!(
            c.open("03044561471240d4a14bb09372dfcfd4fd0e40cb", "1608001896815", "WL4PK6yA", encrypted),
            Err(CryptError::Signature)
        );
    }
}
