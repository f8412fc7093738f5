//! C2SP tlog-checkpoint: the signed statement of a log's size and Merkle
//! root (DESIGN.md §12), read and written as transparency-log tools do.
//!
//! The body is `<origin>\n<tree size>\n<base64 root hash>\n`, then optional
//! extension lines (non-empty, each ending in a newline); it is the text of
//! a signed note ([`crate::note`]). [`open`] checks the note, the origin the
//! verifier expects and the threshold of trusted keys in one call.
//!
//! ```
//! use signcore::checkpoint::{self, Checkpoint};
//! use signcore::key::SigningKey;
//! use signcore::note::NoteSigner;
//! let signer = NoteSigner::new("audit.example/log", &SigningKey::ed25519_from_seed(&[1; 32]))?;
//! let cp = Checkpoint::new("audit.example/log", 3, [9; 32])?;
//! let mut buf = [0u8; 512];
//! let n = checkpoint::sign_to_slice(&cp, &[&signer], &mut buf)?;
//! let verified = checkpoint::open(&buf[..n], "audit.example/log", &[*signer.verifier()], 1)?;
//! assert_eq!((verified.checkpoint.size, verified.checkpoint.root), (3, [9; 32]));
//! # Ok::<(), signcore::note::NoteError>(())
//! ```

use core::fmt;

use base64ct::{Base64, Encoding};

use crate::digest::Hash;
use crate::note::{self, CheckpointProblem, NoteError, NoteSigner, NoteVerifier, SliceWriter};

/// Longest origin line, in bytes.
pub const MAX_ORIGIN_LEN: usize = 1024;
/// Longest checkpoint body (origin, size, root and extension lines) that
/// [`Checkpoint::parse`] reads and [`sign_to`] writes, in bytes.
pub const MAX_CHECKPOINT_LEN: usize = 4096;

/// A checkpoint body: origin, tree size, root hash and extension lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkpoint<'a> {
    /// The log's name (a schema-less URL by convention).
    pub origin: &'a str,
    /// The tree size (number of events).
    pub size: u64,
    /// The RFC 9162 Merkle root over the first `size` events.
    pub root: Hash,
    /// Extension lines after the root (each ending in a newline), or "".
    pub extensions: &'a str,
}

fn check_origin(origin: &str) -> Result<(), NoteError> {
    if origin.is_empty() || origin.len() > MAX_ORIGIN_LEN || origin.chars().any(char::is_control) {
        return Err(NoteError::Checkpoint(CheckpointProblem::BadOrigin));
    }
    Ok(())
}

fn check_extensions(ext: &str) -> Result<(), NoteError> {
    if ext.is_empty() {
        return Ok(());
    }
    if !ext.ends_with('\n') {
        return Err(NoteError::Checkpoint(CheckpointProblem::MissingFinalNewline));
    }
    if ext.starts_with('\n') || ext.contains("\n\n") {
        return Err(NoteError::Checkpoint(CheckpointProblem::EmptyExtensionLine));
    }
    if ext.bytes().any(|b| b < 0x20 && b != b'\n') {
        return Err(NoteError::Malformed(note::NoteProblem::ControlCharacter));
    }
    Ok(())
}

impl<'a> Checkpoint<'a> {
    /// A checkpoint without extension lines; refuses an empty origin or one
    /// with control characters (a newline would forge the size line).
    pub fn new(origin: &'a str, size: u64, root: Hash) -> Result<Self, NoteError> {
        check_origin(origin)?;
        Ok(Checkpoint { origin, size, root, extensions: "" })
    }

    /// The same checkpoint with extension lines (each non-empty, each
    /// ending in a newline).
    pub fn with_extensions(self, extensions: &'a str) -> Result<Self, NoteError> {
        check_extensions(extensions)?;
        Ok(Checkpoint { extensions, ..self })
    }

    /// Parses a checkpoint body strictly: size in decimal without leading
    /// zeros, root in padded standard base64 of exactly 32 bytes.
    pub fn parse(text: &'a str) -> Result<Self, NoteError> {
        let bad = |p| NoteError::Checkpoint(p);
        if text.len() > MAX_CHECKPOINT_LEN {
            return Err(bad(CheckpointProblem::TooLong));
        }
        if !text.ends_with('\n') {
            return Err(bad(CheckpointProblem::MissingFinalNewline));
        }
        let mut lines = text.splitn(4, '\n');
        let (Some(origin), Some(size), Some(root), Some(extensions)) =
            (lines.next(), lines.next(), lines.next(), lines.next())
        else {
            return Err(bad(CheckpointProblem::MissingLines));
        };
        check_origin(origin)?;
        let size = parse_size(size).ok_or(bad(CheckpointProblem::BadSize))?;
        let root = parse_root(root).ok_or(bad(CheckpointProblem::BadRootHash))?;
        check_extensions(extensions)?;
        Ok(Checkpoint { origin, size, root, extensions })
    }

    /// Bytes of the body.
    pub fn body_len(&self) -> usize {
        let mut digits = 1;
        let mut s = self.size;
        while s >= 10 {
            s /= 10;
            digits += 1;
        }
        self.origin.len() + 1 + digits + 1 + 44 + 1 + self.extensions.len()
    }

    /// Writes the body into `out`; returns its length.
    pub fn write_to_slice(&self, out: &mut [u8]) -> Result<usize, NoteError> {
        let needed = self.body_len();
        let mut w = SliceWriter { buf: out, len: 0 };
        fmt::Write::write_fmt(&mut w, format_args!("{self}")).map_err(|_| NoteError::BufferTooSmall { needed })?;
        Ok(w.len)
    }
}

fn parse_size(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    s.bytes().try_fold(0u64, |acc, d| acc.checked_mul(10)?.checked_add(u64::from(d - b'0')))
}

fn parse_root(s: &str) -> Option<Hash> {
    if s.len() != 44 {
        return None;
    }
    let mut out = [0u8; 33];
    let d = Base64::decode(s, &mut out).ok()?;
    d.try_into().ok()
}

impl fmt::Display for Checkpoint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut b64 = [0u8; 44];
        let root = Base64::encode(&self.root, &mut b64).map_err(|_| fmt::Error)?;
        write!(f, "{}\n{}\n{}\n{}", self.origin, self.size, root, self.extensions)
    }
}

/// A checkpoint whose note met the verifier's threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifiedCheckpoint<'a> {
    /// The checkpoint.
    pub checkpoint: Checkpoint<'a>,
    /// The note's signature summary.
    pub note: note::OpenedNote<'a>,
}

/// Opens a signed checkpoint: the note's signatures by `trusted` keys must
/// meet `threshold`, the body must be a checkpoint and its origin must be
/// `origin` (a checkpoint of another log is refused, whoever signed it).
pub fn open<'a>(
    signed_note: &'a [u8],
    origin: &str,
    trusted: &[NoteVerifier],
    threshold: usize,
) -> Result<VerifiedCheckpoint<'a>, NoteError> {
    let opened = note::open(signed_note, trusted, threshold)?;
    let checkpoint = Checkpoint::parse(opened.text)?;
    if checkpoint.origin != origin {
        return Err(NoteError::OriginMismatch);
    }
    Ok(VerifiedCheckpoint { checkpoint, note: opened })
}

/// Signs `checkpoint` with every signer into `out` (the signed note).
/// The body is assembled on the stack (at most [`MAX_CHECKPOINT_LEN`]
/// bytes), since Ed25519 signs the whole message at once.
pub fn sign_to(
    checkpoint: &Checkpoint<'_>,
    signers: &[&NoteSigner],
    out: &mut impl fmt::Write,
) -> Result<(), NoteError> {
    let mut body = [0u8; MAX_CHECKPOINT_LEN];
    let n = checkpoint.write_to_slice(&mut body).map_err(|_| NoteError::Checkpoint(CheckpointProblem::TooLong))?;
    let text = core::str::from_utf8(body.get(..n).unwrap_or(&[]))
        .map_err(|_| NoteError::Checkpoint(CheckpointProblem::BadOrigin))?;
    note::sign_to(text, signers, out)
}

/// Bytes of the signed note [`sign_to`] writes.
pub fn signed_len(checkpoint: &Checkpoint<'_>, signers: &[&NoteSigner]) -> usize {
    checkpoint.body_len() + 1 + signers.iter().map(|s| note::signature_line_len(s)).sum::<usize>()
}

/// Signs `checkpoint` into `out`; returns the bytes written.
pub fn sign_to_slice(checkpoint: &Checkpoint<'_>, signers: &[&NoteSigner], out: &mut [u8]) -> Result<usize, NoteError> {
    let needed = signed_len(checkpoint, signers);
    if out.len() < needed {
        return Err(NoteError::BufferTooSmall { needed });
    }
    let mut w = SliceWriter { buf: out, len: 0 };
    sign_to(checkpoint, signers, &mut w)?;
    Ok(w.len)
}

/// Signs `checkpoint` (feature `alloc`).
#[cfg(feature = "alloc")]
pub fn sign(checkpoint: &Checkpoint<'_>, signers: &[&NoteSigner]) -> Result<alloc::string::String, NoteError> {
    let mut s = alloc::string::String::with_capacity(signed_len(checkpoint, signers));
    sign_to(checkpoint, signers, &mut s)?;
    Ok(s)
}
