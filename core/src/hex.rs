//! Hex text: lowercase out, either case in, constant time both ways.
//!
//! Built on `base16ct`, which avoids data-dependent branches and lookup
//! tables, so decoding a secret does not leak it through timing.
//!
//! ```
//! let mut text = [0u8; 4];
//! assert_eq!(signcore::hex::encode(&[0xab, 0x01], &mut text)?, "ab01");
//! assert_eq!(signcore::hex::decode_array::<2>("AB01")?, [0xab, 0x01]);
//! # Ok::<(), signcore::Error>(())
//! ```

use crate::error::Error;

/// Writes `bytes` as lowercase hex into `out` (needs `2 * bytes.len()`).
pub fn encode<'o>(bytes: &[u8], out: &'o mut [u8]) -> Result<&'o str, Error> {
    base16ct::lower::encode_str(bytes, out).map_err(|_| Error::BufferTooSmall { needed: bytes.len() * 2 })
}

/// Decodes hex of either case into `out`; returns the decoded prefix.
pub fn decode(text: impl AsRef<[u8]>, out: &mut [u8]) -> Result<&[u8], Error> {
    let text = text.as_ref();
    if text.len() % 2 != 0 {
        return Err(Error::InvalidHex);
    }
    if out.len() < text.len() / 2 {
        return Err(Error::BufferTooSmall { needed: text.len() / 2 });
    }
    base16ct::mixed::decode(text, out).map_err(|_| Error::InvalidHex)
}

/// Decodes hex of exactly `N` bytes (e.g. a hash or a public key). For
/// secret material use [`decode_exact`] into wiped storage instead: a
/// returned array is a copy the caller cannot wipe.
pub fn decode_array<const N: usize>(text: impl AsRef<[u8]>) -> Result<[u8; N], Error> {
    let mut out = [0u8; N];
    decode_exact(text, &mut out)?;
    Ok(out)
}

/// Decodes hex of exactly `out.len()` bytes into `out` (in place, so a
/// secret can be decoded straight into zeroize-on-drop storage).
pub fn decode_exact(text: impl AsRef<[u8]>, out: &mut [u8]) -> Result<(), Error> {
    let text = text.as_ref();
    if text.len() != 2 * out.len() {
        // Error path only: say "hex" before "length" when the text is not hex.
        return Err(if !looks_like_hex(text) {
            Error::InvalidHex
        } else {
            Error::InvalidLength { what: "hex value", expected: out.len(), actual: text.len() / 2 }
        });
    }
    decode(text, out).map(drop)
}

/// Whether `text` is even-length hex. Branches on the data, so only for
/// choosing the message of an error that is already certain.
pub(crate) fn looks_like_hex(text: &[u8]) -> bool {
    text.len().is_multiple_of(2) && text.iter().all(u8::is_ascii_hexdigit)
}

/// Fixed-size lowercase hex text of `N` bytes (`2 * N` ASCII chars).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HexBuf<const N: usize, const M: usize> {
    text: [u8; M],
}

/// Lowercase hex of a 32-byte hash.
pub type HashHex = HexBuf<32, 64>;

impl<const N: usize, const M: usize> HexBuf<N, M> {
    /// Encodes `bytes`. `M` must be `2 * N`: any other pair fails to
    /// compile, so the text is never cut short or padded.
    pub fn new(bytes: &[u8; N]) -> Self {
        const { assert!(M == 2 * N, "HexBuf<N, M> needs M == 2 * N") };
        let mut text = [b'0'; M];
        let _ = base16ct::lower::encode(bytes, &mut text);
        HexBuf { text }
    }

    /// The hex text.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.text).unwrap_or("")
    }
}

impl<const N: usize, const M: usize> core::fmt::Display for HexBuf<N, M> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<const N: usize, const M: usize> core::fmt::Debug for HexBuf<N, M> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_rules() {
        assert_eq!(decode_array::<2>("aBcD").unwrap(), [0xab, 0xcd]);
        assert_eq!(decode_array::<2>("abc"), Err(Error::InvalidHex));
        assert_eq!(decode_array::<2>("zzzz"), Err(Error::InvalidHex));
        assert_eq!(decode_array::<2>("zz"), Err(Error::InvalidHex));
        assert_eq!(
            decode_array::<2>("abcdef"),
            Err(Error::InvalidLength { what: "hex value", expected: 2, actual: 3 })
        );
        assert_eq!(HashHex::new(&[0xff; 32]).as_str().len(), 64);
        let mut small = [0u8; 1];
        assert_eq!(encode(&[1, 2], &mut small), Err(Error::BufferTooSmall { needed: 4 }));
    }
}
