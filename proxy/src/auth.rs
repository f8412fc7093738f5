//! API keys (`Authorization: Bearer <key>`), compared in constant time.
//!
//! Only SHA-256 hashes of the keys are kept after start-up, so the key
//! text is not in the process's memory while it serves, and comparing
//! fixed-size hashes makes the comparison independent of the key lengths.
//! Every configured key is compared (no early exit), so the time taken does
//! not tell which key, or whether any, nearly matched.

use std::path::Path;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The API keys that are valid now (several during a rotation).
#[derive(Default)]
pub struct ApiKeys {
    hashes: Vec<[u8; 32]>,
}

impl ApiKeys {
    /// `SIGNING_PROXY_API_KEY` (if set) plus every key of `file` (if given).
    pub fn load(env_key: Option<&str>, file: Option<&Path>) -> Result<ApiKeys, String> {
        let mut hashes = Vec::new();
        if let Some(key) = env_key {
            check_key(key).map_err(|why| format!("SIGNING_PROXY_API_KEY {why}"))?;
            hashes.push(signcore::digest::sha256(key.as_bytes()));
        }
        if let Some(path) = file {
            let text = std::fs::read(path)
                .map(Zeroizing::new)
                .map_err(|e| format!("--api-keys-file {}: {e}", path.display()))?;
            let text = std::str::from_utf8(&text)
                .map_err(|_| format!("--api-keys-file {}: not UTF-8 text", path.display()))?;
            let before = hashes.len();
            for (n, line) in text.lines().enumerate() {
                let key = line.trim();
                if key.is_empty() || key.starts_with('#') {
                    continue;
                }
                check_key(key)
                    .map_err(|why| format!("--api-keys-file {} line {}: the key {why}", path.display(), n + 1))?;
                hashes.push(signcore::digest::sha256(key.as_bytes()));
            }
            if hashes.len() == before {
                return Err(format!("--api-keys-file {}: no key in the file", path.display()));
            }
        }
        Ok(ApiKeys { hashes })
    }

    /// No key configured: requests are not asked for one.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// How many keys are valid.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether the `Authorization` header value carries a valid key.
    pub fn accepts(&self, authorization: Option<&[u8]>) -> bool {
        let presented = authorization.and_then(bearer_token).unwrap_or(b"");
        let hash = signcore::digest::sha256(presented);
        let mut ok = subtle::Choice::from(0u8);
        for known in &self.hashes {
            ok |= known.ct_eq(&hash);
        }
        // An absent or empty token never matches, even if someone configured
        // the SHA-256 of the empty string (check_key refuses empty keys).
        bool::from(ok) && !presented.is_empty()
    }
}

/// Keys are header-safe visible ASCII, at least 1 byte.
fn check_key(key: &str) -> Result<(), &'static str> {
    if key.is_empty() {
        return Err("is empty");
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("must be visible ASCII without spaces (it travels in an HTTP header)");
    }
    Ok(())
}

/// The token of `Bearer <token>` (scheme case-insensitive, RFC 7235).
fn bearer_token(value: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return None;
    }
    let token = rest.strip_prefix(b" ")?;
    let token = token.trim_ascii();
    (!token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_parsing_and_matching() {
        let keys = ApiKeys::load(Some("k-one"), None).unwrap();
        assert!(keys.accepts(Some(b"Bearer k-one")));
        assert!(keys.accepts(Some(b"bearer k-one")));
        assert!(!keys.accepts(Some(b"Bearer k-two")));
        assert!(!keys.accepts(Some(b"Bearer ")));
        assert!(!keys.accepts(Some(b"Basic k-one")));
        assert!(!keys.accepts(Some(b"k-one")));
        assert!(!keys.accepts(None));
        assert!(ApiKeys::load(Some("has space"), None).is_err());
    }
}
