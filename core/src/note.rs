//! C2SP signed notes with Ed25519 keys (DESIGN.md §12), as Go's
//! `golang.org/x/mod/sumdb/note` reads and writes them.
//!
//! A signed note is a text (UTF-8, no ASCII control characters but newline,
//! ending in a newline), a blank line, then one line per signature:
//! `— <name> <base64(key id ‖ signature)>` (U+2014 em dash). The key id is
//! the first 4 bytes (big endian) of `SHA256(name ‖ 0x0A ‖ 0x01 ‖ public key)`;
//! a verifier key is written `<name>+<8 hex key id>+<base64(0x01 ‖ public key)>`.
//!
//! [`open`] checks a note against the verifier's own trusted keys and
//! threshold: signatures by other keys are skipped (key rotation, witnesses),
//! a signature that claims a trusted key but does not verify refuses the
//! note, and a key that signs twice counts once. Nothing here allocates;
//! signing writes into any [`core::fmt::Write`] or a caller buffer.
//!
//! ```
//! use signcore::key::SigningKey;
//! use signcore::note::{NoteSigner, NoteVerifier, open, sign_to_slice};
//! let key = SigningKey::ed25519_from_seed(&[7; 32]);
//! let signer = NoteSigner::new("example.com/log", &key)?;
//! let mut buf = [0u8; 512];
//! let n = sign_to_slice("hello\n", &[&signer], &mut buf)?;
//! let verifier: NoteVerifier = signer.verifier().to_string().parse()?;
//! let opened = open(&buf[..n], &[verifier], 1)?;
//! assert_eq!(opened.text, "hello\n");
//! # Ok::<(), signcore::note::NoteError>(())
//! ```

use core::fmt;
use core::str::FromStr;

use base64ct::{Base64, Encoding};
use sha2::{Digest, Sha256};

use crate::key::{ED25519_PUBLIC_KEY_LEN, ED25519_SIGNATURE_LEN, SigningKey, VerifyingKey};

/// Longest note [`open`] reads (text and signatures), in bytes.
pub const MAX_NOTE_LEN: usize = 1 << 20;
/// Most signature lines in a note (as Go's `note.Open`).
pub const MAX_NOTE_SIGNATURES: usize = 100;
/// Longest key name of a [`NoteSigner`] or [`NoteVerifier`], in bytes.
pub const MAX_KEY_NAME_LEN: usize = 128;
/// Most trusted keys passed to one [`open`].
pub const MAX_TRUSTED_KEYS: usize = 64;
/// The signature-type byte of Ed25519 keys in C2SP signed notes.
pub const ALG_ED25519: u8 = 0x01;
/// Bytes of one Ed25519 signature line: `— ` (4 bytes), name, space,
/// 92 base64 chars, newline; see [`signature_line_len`].
const SIG_LINE_FIXED: usize = 4 + 1 + 92 + 1;

/// What is wrong with a note's syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoteProblem {
    /// Longer than [`MAX_NOTE_LEN`].
    TooLarge,
    /// Not UTF-8.
    NotUtf8,
    /// An ASCII control character other than newline.
    ControlCharacter,
    /// No blank line before the signatures, or no signature line at all.
    NoSignatures,
    /// The text or the last signature line does not end in a newline.
    MissingFinalNewline,
    /// A signature line that is not `— <name> <base64>`.
    BadSignatureLine,
    /// A key name that is empty, has white space or a `+`, or is too long.
    BadKeyName,
    /// A signature that is not padded standard base64 of at least 5 bytes.
    BadSignatureEncoding,
    /// More than [`MAX_NOTE_SIGNATURES`] signature lines.
    TooManySignatures,
}

/// What is wrong with a verifier key string or a signing key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyProblem {
    /// Not `<name>+<8 hex>+<base64>`.
    Syntax,
    /// A key name that is empty, has white space or a `+`, or is longer than
    /// [`MAX_KEY_NAME_LEN`].
    BadName,
    /// The key id is not 8 hex digits.
    BadKeyId,
    /// The key is not padded standard base64.
    BadBase64,
    /// The signature type is not Ed25519 (0x01).
    UnknownSignatureType,
    /// The Ed25519 public key is not 32 bytes.
    WrongKeyLength,
    /// The key id does not match the name and key.
    KeyIdMismatch,
    /// Not a valid Ed25519 point, or one of small order.
    WeakKey,
    /// Only Ed25519 keys sign notes (not HMAC).
    NotEd25519,
}

/// What is wrong with a checkpoint body (C2SP tlog-checkpoint).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckpointProblem {
    /// Fewer than the three lines origin, size, root hash.
    MissingLines,
    /// The body does not end in a newline.
    MissingFinalNewline,
    /// An empty origin, or one with control characters.
    BadOrigin,
    /// The size is not a decimal `u64` without leading zeros.
    BadSize,
    /// The root hash is not padded standard base64 of 32 bytes.
    BadRootHash,
    /// An empty extension line (a blank line inside the body).
    EmptyExtensionLine,
    /// A body longer than [`crate::checkpoint::MAX_CHECKPOINT_LEN`].
    TooLong,
}

/// Why a note, a key or a checkpoint was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoteError {
    /// The note is malformed.
    Malformed(NoteProblem),
    /// The verifier key or signing key is unusable.
    InvalidKey(KeyProblem),
    /// A signature by a trusted key does not verify.
    SignatureInvalid {
        /// Position of the key in the trusted list.
        verifier: usize,
        /// Its key id.
        key_id: u32,
    },
    /// Fewer distinct trusted keys signed than the threshold asks.
    ThresholdNotMet {
        /// Distinct trusted keys with a valid signature.
        verified: usize,
        /// The threshold asked for.
        threshold: usize,
    },
    /// A threshold of zero.
    InvalidThreshold,
    /// More trusted keys than [`MAX_TRUSTED_KEYS`].
    TooManyTrustedKeys,
    /// The checkpoint body is malformed.
    Checkpoint(CheckpointProblem),
    /// The checkpoint names another log than the one expected.
    OriginMismatch,
    /// The output buffer is too small; `needed` bytes would fit.
    BufferTooSmall {
        /// The size that would have been enough.
        needed: usize,
    },
}

impl NoteError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            NoteError::Malformed(_) => "MALFORMED_NOTE",
            NoteError::InvalidKey(KeyProblem::NotEd25519) => "UNSUPPORTED_ALGORITHM",
            NoteError::InvalidKey(_) => "INVALID_VERIFIER_KEY",
            NoteError::SignatureInvalid { .. } => "SIGNATURE_INVALID",
            NoteError::ThresholdNotMet { .. } => "THRESHOLD_NOT_MET",
            NoteError::InvalidThreshold => "INVALID_THRESHOLD",
            NoteError::TooManyTrustedKeys => "LIMIT_EXCEEDED",
            NoteError::Checkpoint(_) => "MALFORMED_CHECKPOINT",
            NoteError::OriginMismatch => "ORIGIN_MISMATCH",
            NoteError::BufferTooSmall { .. } => "BUFFER_TOO_SMALL",
        }
    }
}

impl fmt::Display for NoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoteError::Malformed(p) => {
                f.write_str("malformed signed note: ")?;
                f.write_str(match p {
                    NoteProblem::TooLarge => "longer than the limit of 1 MiB",
                    NoteProblem::NotUtf8 => "not UTF-8",
                    NoteProblem::ControlCharacter => "an ASCII control character other than newline",
                    NoteProblem::NoSignatures => "no blank line followed by signature lines",
                    NoteProblem::MissingFinalNewline => "the text and every signature line must end in a newline",
                    NoteProblem::BadSignatureLine => "a signature line is not \"— <name> <base64>\"",
                    NoteProblem::BadKeyName => "a key name is empty, has white space or '+'",
                    NoteProblem::BadSignatureEncoding => {
                        "a signature is not padded standard base64 of a 4-byte key id and a signature"
                    }
                    NoteProblem::TooManySignatures => "more than 100 signature lines",
                })
            }
            NoteError::InvalidKey(p) => {
                f.write_str("invalid note key: ")?;
                f.write_str(match p {
                    KeyProblem::Syntax => "expected <name>+<8 hex key id>+<base64 key>",
                    KeyProblem::BadName => "the name is empty, longer than 128 bytes, or has white space or '+'",
                    KeyProblem::BadKeyId => "the key id is not 8 hex digits",
                    KeyProblem::BadBase64 => "the key is not padded standard base64",
                    KeyProblem::UnknownSignatureType => "the signature type is not Ed25519 (0x01)",
                    KeyProblem::WrongKeyLength => "the Ed25519 public key is not 32 bytes",
                    KeyProblem::KeyIdMismatch => "the key id does not match the name and public key",
                    KeyProblem::WeakKey => "the Ed25519 public key is not a valid point or has small order",
                    KeyProblem::NotEd25519 => "only Ed25519 keys sign notes",
                })
            }
            NoteError::SignatureInvalid { verifier, key_id } => {
                write!(f, "the signature by trusted key #{verifier} (key id {key_id:08x}) does not verify")
            }
            NoteError::ThresholdNotMet { verified, threshold } => {
                write!(f, "{verified} trusted key(s) signed the note, {threshold} required")
            }
            NoteError::InvalidThreshold => f.write_str("threshold must be at least 1"),
            NoteError::TooManyTrustedKeys => write!(f, "more than {MAX_TRUSTED_KEYS} trusted keys"),
            NoteError::Checkpoint(p) => {
                f.write_str("malformed checkpoint: ")?;
                f.write_str(match p {
                    CheckpointProblem::MissingLines => "expected the lines origin, tree size and root hash",
                    CheckpointProblem::MissingFinalNewline => "the body must end in a newline",
                    CheckpointProblem::BadOrigin => "the origin is empty or has control characters",
                    CheckpointProblem::BadSize => "the tree size is not a decimal u64 without leading zeros",
                    CheckpointProblem::BadRootHash => "the root hash is not padded standard base64 of 32 bytes",
                    CheckpointProblem::EmptyExtensionLine => "an extension line is empty",
                    CheckpointProblem::TooLong => "the body is longer than the limit of 4096 bytes",
                })
            }
            NoteError::OriginMismatch => f.write_str("the checkpoint's origin is not the log expected"),
            NoteError::BufferTooSmall { needed } => write!(f, "output buffer too small: {needed} bytes needed"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for NoteError {}

/// Whether `name` may name a note key: non-empty, no Unicode white space, no `+`.
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(|c: char| c.is_whitespace() || c == '+')
}

/// The key id of an Ed25519 key named `name`: the first 4 bytes (big
/// endian) of `SHA256(name ‖ 0x0A ‖ 0x01 ‖ public key)`.
pub fn key_id(name: &str, public_key: &[u8; ED25519_PUBLIC_KEY_LEN]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_ED25519]);
    h.update(public_key);
    let d: [u8; 32] = h.finalize().into();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct KeyName {
    bytes: [u8; MAX_KEY_NAME_LEN],
    len: u8,
}

impl KeyName {
    fn new(name: &str) -> Result<Self, NoteError> {
        if !is_valid_key_name(name) || name.len() > MAX_KEY_NAME_LEN {
            return Err(NoteError::InvalidKey(KeyProblem::BadName));
        }
        let mut bytes = [0u8; MAX_KEY_NAME_LEN];
        bytes[..name.len()].copy_from_slice(name.as_bytes());
        Ok(KeyName { bytes, len: name.len() as u8 })
    }

    fn as_str(&self) -> &str {
        self.bytes.get(..usize::from(self.len)).and_then(|b| core::str::from_utf8(b).ok()).unwrap_or("")
    }
}

/// A trusted Ed25519 note key: name, key id and public key.
///
/// Parse one from the verifier key string with [`str::parse`]; print it
/// back with `Display` (`<name>+<hex key id>+<base64(0x01 ‖ public key)>`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct NoteVerifier {
    name: KeyName,
    key_id: u32,
    public_key: [u8; ED25519_PUBLIC_KEY_LEN],
    key: ed25519_dalek::VerifyingKey,
}

impl NoteVerifier {
    /// A verifier for the Ed25519 public key `public_key` under `name`.
    pub fn from_public_key(name: &str, public_key: &[u8; ED25519_PUBLIC_KEY_LEN]) -> Result<Self, NoteError> {
        let name = KeyName::new(name)?;
        let key = match ed25519_dalek::VerifyingKey::from_bytes(public_key) {
            Ok(k) if !k.is_weak() => k,
            _ => return Err(NoteError::InvalidKey(KeyProblem::WeakKey)),
        };
        Ok(NoteVerifier { key_id: key_id(name.as_str(), public_key), name, public_key: *public_key, key })
    }

    /// A verifier for a core verifying key (Ed25519 only).
    pub fn from_verifying_key(name: &str, key: &VerifyingKey) -> Result<Self, NoteError> {
        match key {
            VerifyingKey::Ed25519(k) => Self::from_public_key(name, k.as_bytes()),
            _ => Err(NoteError::InvalidKey(KeyProblem::NotEd25519)),
        }
    }

    /// Parses `<name>+<hex key id>+<base64(0x01 ‖ public key)>`.
    pub fn parse(vkey: &str) -> Result<Self, NoteError> {
        let bad = |p| NoteError::InvalidKey(p);
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(id_hex), Some(key_b64)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad(KeyProblem::Syntax));
        };
        let name = KeyName::new(name)?;
        if id_hex.len() != 8 || !id_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad(KeyProblem::BadKeyId));
        }
        let id = u32::from_str_radix(id_hex, 16).map_err(|_| bad(KeyProblem::BadKeyId))?;
        let mut raw = [0u8; 1 + ED25519_PUBLIC_KEY_LEN];
        if key_b64.is_empty() || key_b64.len() > 48 {
            return Err(bad(if key_b64.bytes().all(is_base64_byte) {
                KeyProblem::WrongKeyLength
            } else {
                KeyProblem::BadBase64
            }));
        }
        let mut buf = [0u8; 36];
        let decoded = Base64::decode(key_b64, &mut buf).map_err(|_| bad(KeyProblem::BadBase64))?;
        match decoded.split_first() {
            Some((&ALG_ED25519, key)) if key.len() == ED25519_PUBLIC_KEY_LEN => raw[1..].copy_from_slice(key),
            Some((&ALG_ED25519, _)) => return Err(bad(KeyProblem::WrongKeyLength)),
            _ => return Err(bad(KeyProblem::UnknownSignatureType)),
        }
        let mut public_key = [0u8; ED25519_PUBLIC_KEY_LEN];
        public_key.copy_from_slice(&raw[1..]);
        if key_id(name.as_str(), &public_key) != id {
            return Err(bad(KeyProblem::KeyIdMismatch));
        }
        Self::from_public_key(name.as_str(), &public_key)
    }

    /// The key name.
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// The key id (first 4 bytes of the key hash, big endian).
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The Ed25519 public key.
    pub fn public_key(&self) -> &[u8; ED25519_PUBLIC_KEY_LEN] {
        &self.public_key
    }

    /// Verifies one raw signature (no key id) over `text`, strictly.
    fn verify(&self, text: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = <&[u8; ED25519_SIGNATURE_LEN]>::try_from(signature) else {
            return false;
        };
        self.key.verify_strict(text, &ed25519_dalek::Signature::from_bytes(bytes)).is_ok()
    }
}

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='
}

impl FromStr for NoteVerifier {
    type Err = NoteError;
    fn from_str(s: &str) -> Result<Self, NoteError> {
        Self::parse(s)
    }
}

impl fmt::Display for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut raw = [0u8; 1 + ED25519_PUBLIC_KEY_LEN];
        raw[0] = ALG_ED25519;
        raw[1..].copy_from_slice(&self.public_key);
        let mut b64 = [0u8; 44];
        let key = Base64::encode(&raw, &mut b64).map_err(|_| fmt::Error)?;
        write!(f, "{}+{:08x}+{}", self.name(), self.key_id, key)
    }
}

impl fmt::Debug for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoteVerifier({self})")
    }
}

/// An Ed25519 key that signs notes under a name. The seed is wiped on drop
/// (ed25519-dalek's zeroize); there is no `Debug` output of it.
#[derive(Clone)]
pub struct NoteSigner {
    verifier: NoteVerifier,
    /// Always an Ed25519 key (checked by [`NoteSigner::new`]).
    key: SigningKey,
}

impl fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NoteSigner").field("verifier", &self.verifier).finish_non_exhaustive()
    }
}

impl NoteSigner {
    /// A signer for `key` (Ed25519 only) under `name`.
    pub fn new(name: &str, key: &SigningKey) -> Result<Self, NoteError> {
        match (key.alg(), key.public_key()) {
            (crate::key::Alg::Ed25519, Some(public)) => {
                let verifier = NoteVerifier::from_public_key(name, &public)?;
                Ok(NoteSigner { verifier, key: key.clone() })
            }
            _ => Err(NoteError::InvalidKey(KeyProblem::NotEd25519)),
        }
    }

    /// The matching verifier (print it to publish the key).
    pub fn verifier(&self) -> &NoteVerifier {
        &self.verifier
    }

    /// Writes this key's signature line over `text` into `out`.
    pub fn write_signature_line(&self, text: &str, out: &mut impl fmt::Write) -> fmt::Result {
        let sig = self.key.sign(text.as_bytes());
        let mut raw = [0u8; 4 + ED25519_SIGNATURE_LEN];
        raw[..4].copy_from_slice(&self.verifier.key_id.to_be_bytes());
        raw.get_mut(4..)
            .ok_or(fmt::Error)?
            .copy_from_slice(sig.as_bytes().get(..ED25519_SIGNATURE_LEN).ok_or(fmt::Error)?);
        let mut b64 = [0u8; 92];
        let text = Base64::encode(&raw, &mut b64).map_err(|_| fmt::Error)?;
        writeln!(out, "\u{2014} {} {}", self.verifier.name(), text)
    }
}

/// Bytes of the signature line of `signer` (for sizing buffers).
pub fn signature_line_len(signer: &NoteSigner) -> usize {
    SIG_LINE_FIXED + signer.verifier.name().len()
}

/// Bytes of the note [`sign_to`] writes for `text` and `signers`.
pub fn signed_note_len(text: &str, signers: &[&NoteSigner]) -> usize {
    text.len() + 1 + signers.iter().map(|s| signature_line_len(s)).sum::<usize>()
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if text.len() > MAX_NOTE_LEN {
        return Err(NoteError::Malformed(NoteProblem::TooLarge));
    }
    if text.bytes().any(|b| b < 0x20 && b != b'\n') {
        return Err(NoteError::Malformed(NoteProblem::ControlCharacter));
    }
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed(NoteProblem::MissingFinalNewline));
    }
    Ok(())
}

/// Signs `text` (which must end in a newline) with every signer, writing
/// the signed note (text, blank line, signature lines) into `out`.
pub fn sign_to(text: &str, signers: &[&NoteSigner], out: &mut impl fmt::Write) -> Result<(), NoteError> {
    check_text(text)?;
    if signers.is_empty() {
        return Err(NoteError::Malformed(NoteProblem::NoSignatures));
    }
    let needed = signed_note_len(text, signers);
    let full = |_| NoteError::BufferTooSmall { needed };
    out.write_str(text).map_err(full)?;
    out.write_str("\n").map_err(full)?;
    for s in signers {
        s.write_signature_line(text, out).map_err(full)?;
    }
    Ok(())
}

/// Signs `text` into `out`; returns the bytes written.
pub fn sign_to_slice(text: &str, signers: &[&NoteSigner], out: &mut [u8]) -> Result<usize, NoteError> {
    let needed = signed_note_len(text, signers);
    check_text(text)?;
    if out.len() < needed {
        return Err(NoteError::BufferTooSmall { needed });
    }
    let mut w = SliceWriter { buf: out, len: 0 };
    sign_to(text, signers, &mut w)?;
    Ok(w.len)
}

/// Signs `text` (feature `alloc`).
#[cfg(feature = "alloc")]
pub fn sign(text: &str, signers: &[&NoteSigner]) -> Result<alloc::string::String, NoteError> {
    let mut s = alloc::string::String::with_capacity(signed_note_len(text, signers));
    sign_to(text, signers, &mut s)?;
    Ok(s)
}

/// Adds `signer`'s signature to an already signed note (a witness
/// cosigning), after the existing lines, into `out`. The note is only
/// parsed here, not verified: open it first.
pub fn add_signature(note: &[u8], signer: &NoteSigner, out: &mut impl fmt::Write) -> Result<(), NoteError> {
    let parts = split(note)?;
    let needed = note.len() + signature_line_len(signer);
    let full = |_| NoteError::BufferTooSmall { needed };
    out.write_str(parts.whole).map_err(full)?;
    signer.write_signature_line(parts.text, out).map_err(full)
}

pub(crate) struct SliceWriter<'a> {
    pub(crate) buf: &'a mut [u8],
    pub(crate) len: usize,
}

impl fmt::Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let dst = self.buf.get_mut(self.len..self.len + s.len()).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len += s.len();
        Ok(())
    }
}

/// A note whose signatures met the verifier's threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenedNote<'a> {
    /// The signed text (ending in a newline).
    pub text: &'a str,
    /// Bit `i` is set when trusted key `i` signed (valid signature).
    pub signed_by: u64,
    /// Distinct trusted public keys with a valid signature.
    pub verified: usize,
    /// Signature lines by keys not in the trusted list (ignored).
    pub unknown: usize,
}

struct Parts<'a> {
    whole: &'a str,
    text: &'a str,
    sigs: &'a str,
}

fn split(note: &[u8]) -> Result<Parts<'_>, NoteError> {
    let bad = |p| NoteError::Malformed(p);
    if note.len() > MAX_NOTE_LEN {
        return Err(bad(NoteProblem::TooLarge));
    }
    let whole = core::str::from_utf8(note).map_err(|_| bad(NoteProblem::NotUtf8))?;
    if note.iter().any(|&b| b < 0x20 && b != b'\n') {
        return Err(bad(NoteProblem::ControlCharacter));
    }
    let Some(at) = whole.rfind("\n\n") else {
        return Err(bad(NoteProblem::NoSignatures));
    };
    let (text, sigs) = (&whole[..at + 1], &whole[at + 2..]);
    if sigs.is_empty() {
        return Err(bad(NoteProblem::NoSignatures));
    }
    if !sigs.ends_with('\n') {
        return Err(bad(NoteProblem::MissingFinalNewline));
    }
    Ok(Parts { whole, text, sigs })
}

/// The text of a signed note, checked for syntax only (no signature is
/// verified): for a signer that reads back its own note, e.g. to embed a
/// checkpoint with a proof. Verifiers call [`open`].
pub fn text_unverified(note: &[u8]) -> Result<&str, NoteError> {
    let parts = split(note)?;
    for line in parts.sigs.split_terminator('\n') {
        parse_sig_line(line)?;
    }
    Ok(parts.text)
}

/// Calls `f(name, key id)` for each readable signature line of `note`
/// (nothing when the note is malformed), e.g. to pick trusted keys.
pub fn for_each_signature_line(note: &[u8], mut f: impl FnMut(&str, u32)) {
    let Ok(parts) = split(note) else { return };
    for line in parts.sigs.split_terminator('\n').take(MAX_NOTE_SIGNATURES) {
        if let Ok(sig) = parse_sig_line(line) {
            f(sig.name, sig.key_id);
        }
    }
}

/// One signature line, decoded: name, key id and the rest of the raw
/// signature (only kept when it is short enough to be Ed25519's).
struct SigLine<'a> {
    name: &'a str,
    key_id: u32,
    sig: [u8; ED25519_SIGNATURE_LEN],
    sig_len: usize,
}

fn parse_sig_line(line: &str) -> Result<SigLine<'_>, NoteError> {
    let bad = |p| NoteError::Malformed(p);
    let rest = line.strip_prefix("\u{2014} ").ok_or(bad(NoteProblem::BadSignatureLine))?;
    let (name, b64) = rest.split_once(' ').ok_or(bad(NoteProblem::BadSignatureLine))?;
    if !is_valid_key_name(name) {
        return Err(bad(NoteProblem::BadKeyName));
    }
    // Decode in whole 4-char groups, so that signatures of any type
    // (longer than Ed25519's) are checked without a large buffer.
    let enc = || bad(NoteProblem::BadSignatureEncoding);
    if b64.is_empty() || b64.len() % 4 != 0 {
        return Err(enc());
    }
    let mut out = SigLine { name, key_id: 0, sig: [0; ED25519_SIGNATURE_LEN], sig_len: 0 };
    let mut total = 0usize;
    let mut chunks = b64.as_bytes().chunks(192).peekable();
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        if !last && chunk.contains(&b'=') {
            return Err(enc());
        }
        let mut buf = [0u8; 144];
        let d = Base64::decode(chunk, &mut buf).map_err(|_| enc())?;
        for &b in d {
            if total < 4 {
                out.key_id = (out.key_id << 8) | u32::from(b);
            } else if total - 4 < ED25519_SIGNATURE_LEN {
                out.sig[total - 4] = b;
            }
            total += 1;
        }
    }
    if total < 5 {
        return Err(enc());
    }
    out.sig_len = total - 4;
    Ok(out)
}

/// Opens a signed note: checks its syntax, verifies the signatures by the
/// `trusted` keys (others are skipped) and requires `threshold` distinct
/// trusted public keys to have signed. A signature that names a trusted key
/// (same name and key id) and does not verify refuses the whole note.
pub fn open<'a>(note: &'a [u8], trusted: &[NoteVerifier], threshold: usize) -> Result<OpenedNote<'a>, NoteError> {
    if threshold == 0 {
        return Err(NoteError::InvalidThreshold);
    }
    if trusted.len() > MAX_TRUSTED_KEYS {
        return Err(NoteError::TooManyTrustedKeys);
    }
    let parts = split(note)?;
    let mut signed_by = 0u64;
    let mut unknown = 0usize;
    let mut lines = 0usize;
    for line in parts.sigs.split_terminator('\n') {
        lines += 1;
        if lines > MAX_NOTE_SIGNATURES {
            return Err(NoteError::Malformed(NoteProblem::TooManySignatures));
        }
        let sig = parse_sig_line(line)?;
        let Some(i) = trusted.iter().position(|v| v.key_id == sig.key_id && v.name() == sig.name) else {
            unknown += 1;
            continue;
        };
        if signed_by & (1 << i) != 0 {
            continue;
        }
        let raw = sig.sig.get(..sig.sig_len).unwrap_or(&[]);
        if sig.sig_len != ED25519_SIGNATURE_LEN || !trusted[i].verify(parts.text.as_bytes(), raw) {
            return Err(NoteError::SignatureInvalid { verifier: i, key_id: sig.key_id });
        }
        signed_by |= 1 << i;
    }
    // Distinct keys: a public key trusted under two names counts once.
    let verified = (0..trusted.len())
        .filter(|&i| signed_by & (1 << i) != 0)
        .filter(|&i| !(0..i).any(|j| signed_by & (1 << j) != 0 && trusted[j].public_key == trusted[i].public_key))
        .count();
    if verified < threshold {
        return Err(NoteError::ThresholdNotMet { verified, threshold });
    }
    Ok(OpenedNote { text: parts.text, signed_by, verified, unknown })
}
