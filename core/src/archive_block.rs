//! The archive block of a verification report (feature `alloc`): what the
//! hosts show about a verified §8 archive, next to the chain report.
//!
//! One type, so that `signcore verify --json` (CLI) and `verifyArchive`
//! (Node) produce the same block from the same data instead of two
//! hand-written shapes. With the feature `serde` it serializes as
//!
//! ```text
//! { "format": "signcore-archive/1" | null, "origin": "<string>" | null,
//!   "range": { "first", "size", "anchor": hex | null, "head": hex | null } | null,
//!   "digest": "<recomputed digest, hex>" | null,
//!   "manifest": { "digest", "threshold", "met", "valid", "invalid", "unknown",
//!                 "duplicate", "malformed" } | null,
//!   "checkpoint": { "size", "root": hex, "root_checked", "signed_by_ring" } | null }
//! ```
//!
//! `format` and `origin` are `null` when absent or not JSON strings;
//! `range` is `null` when unreadable (then a `RANGE_MISMATCH` was
//! reported); `digest` is `null` when the archive cannot be canonicalized;
//! `manifest` is `null` when absent or unreadable; `checkpoint` is `null`
//! when the archive carries none (or it cannot be read: then a
//! `CHECKPOINT_MISMATCH` was reported).

use alloc::string::String;

use crate::archive::{ArchiveReport, CheckpointSummary, Range};
use crate::digest::Hash;
use crate::json::{Span, decode_escape, pick_members, skip_ws, string_content};
use crate::manifest::ManifestReport;

/// The archive block of a report (see the module documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveBlock {
    /// The `format` string.
    pub format: Option<String>,
    /// The `origin` string (the log's name).
    pub origin: Option<String>,
    /// The archive's `range`, when readable.
    pub range: Option<Range>,
    /// The recomputed manifest digest.
    pub digest: Option<Hash>,
    /// The manifest's verdict with the verifier's threshold.
    pub manifest: Option<ManifestReport>,
    /// What the archive's checkpoint says, when it carries one.
    pub checkpoint: Option<CheckpointSummary>,
}

impl ArchiveBlock {
    /// The block of `report`, with the archive's raw `format` and `origin`
    /// members (their JSON text, `None` when absent).
    pub fn new(report: &ArchiveReport, format: Option<&[u8]>, origin: Option<&[u8]>) -> Self {
        ArchiveBlock {
            format: format.and_then(json_string),
            origin: origin.and_then(json_string),
            range: report.range,
            digest: report.digest,
            manifest: report.manifest,
            checkpoint: report.checkpoint,
        }
    }

    /// The block of `report` for the archive `archive_json` (whose `format`
    /// and `origin` are read from it; nothing when it is not an object).
    pub fn of_archive(archive_json: &[u8], report: &ArchiveReport) -> Self {
        let start = skip_ws(archive_json, 0);
        let picked = if archive_json.get(start) == Some(&b'{') {
            pick_members(archive_json, start, 0, ["format", "origin"]).ok()
        } else {
            None
        };
        let [format, origin] = picked.unwrap_or([None, None]);
        let of = |s: Option<Span>| s.map(|s| s.of(archive_json));
        ArchiveBlock::new(report, of(format), of(origin))
    }
}

/// The decoded value of a JSON string (its JSON text), `None` for anything else.
fn json_string(json: &[u8]) -> Option<String> {
    crate::canonical::validate(json).ok()?;
    let start = skip_ws(json, 0);
    let end = json.iter().rposition(|b| !b" \t\r\n".contains(b))? + 1;
    let raw = string_content(json, Span { start, end })?;
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let next = raw.get(i..)?.iter().position(|&b| b == b'\\').map_or(raw.len(), |p| i + p);
        out.push_str(core::str::from_utf8(raw.get(i..next)?).ok()?);
        if next == raw.len() {
            break;
        }
        let (c, len) = decode_escape(raw, next)?;
        out.push(c);
        i = next + len;
    }
    Some(out)
}

#[cfg(feature = "serde")]
mod ser {
    use serde::ser::{Serialize, SerializeStruct, Serializer};

    use super::{ArchiveBlock, CheckpointSummary, Hash, Range};
    use crate::hex::HashHex;

    struct Hex<'a>(&'a Option<Hash>);

    impl Serialize for Hex<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.0 {
                Some(h) => s.serialize_str(HashHex::new(h).as_str()),
                None => s.serialize_none(),
            }
        }
    }

    struct RangeShape<'a>(&'a Range);

    impl Serialize for RangeShape<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let r = self.0;
            let mut st = s.serialize_struct("Range", 4)?;
            st.serialize_field("first", &r.first)?;
            st.serialize_field("size", &r.size)?;
            st.serialize_field("anchor", &Hex(&r.anchor))?;
            st.serialize_field("head", &Hex(&r.head))?;
            st.end()
        }
    }

    struct CheckpointShape<'a>(&'a CheckpointSummary);

    impl Serialize for CheckpointShape<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let c = self.0;
            let mut st = s.serialize_struct("Checkpoint", 4)?;
            st.serialize_field("size", &c.size)?;
            st.serialize_field("root", HashHex::new(&c.root).as_str())?;
            st.serialize_field("root_checked", &c.root_checked)?;
            st.serialize_field("signed_by_ring", &c.signed_by_ring)?;
            st.end()
        }
    }

    /// The shape of the module documentation.
    impl Serialize for ArchiveBlock {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("ArchiveBlock", 6)?;
            st.serialize_field("format", &self.format)?;
            st.serialize_field("origin", &self.origin)?;
            st.serialize_field("range", &self.range.as_ref().map(RangeShape))?;
            st.serialize_field("digest", &Hex(&self.digest))?;
            st.serialize_field("manifest", &self.manifest)?;
            st.serialize_field("checkpoint", &self.checkpoint.as_ref().map(CheckpointShape))?;
            st.end()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::json_string;

    #[test]
    fn decodes_strings() {
        assert_eq!(json_string(br#""memory-layer/audit""#).as_deref(), Some("memory-layer/audit"));
        assert_eq!(json_string(br#" "a\"b\\c\u00e9\ud83d\ude00" "#).as_deref(), Some("a\"b\\c\u{e9}\u{1f600}"));
        assert_eq!(json_string(br#""""#).as_deref(), Some(""));
        assert_eq!(json_string(b"12"), None);
        assert_eq!(json_string(b"{\"a\":1}"), None);
        assert_eq!(json_string(b"\"unterminated"), None);
    }
}
