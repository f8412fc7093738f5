//! Signed archives (DESIGN.md §8): a chain or a slice of it, closed with an
//! N-of-M manifest so that truncation, reordering and substitution of the
//! whole file are detected.
//!
//! ```text
//! { "format": "signcore-archive/1", "origin": "<log name>",
//!   "range": { "first": <u64>, "size": <u64>, "anchor": <hex>|null, "head": <hex>|null },
//!   "events": [ <audit events> ],
//!   "manifest": { "digest": "<hex>", "signatures": [ <signature blocks> ] } }
//! ```
//!
//! `manifest.digest` is SHA-256 of the RFC 8785 canonical JSON of the archive
//! without its `manifest` member. The archive's members are exactly
//! `format`, `origin`, `range`, `events`, `manifest` and the optional
//! `checkpoint` (any other member is an input error, see below), so that canonical text is always
//! `{"events":[e0,e1,...],"format":...,"origin":...,"range":{...}}` with each
//! `ei` the canonical JSON of one event. [`ArchiveDigest`] builds it
//! event by event straight into SHA-256, so verification streams: no buffer,
//! no allocation, one pass over the events shared with the
//! [`ChainVerifier`].
//!
//! An archive may carry its checkpoint (DESIGN.md §8, §12): an optional
//! `checkpoint` member, the C2SP signed checkpoint text as a JSON string,
//! covered by the digest like every member but `manifest`. Canonical order
//! puts it first (`{"checkpoint":...,"events":[...],...}`), so it is written
//! before the events and a streaming verifier knows it before the first
//! event ([`ArchiveDigest::with_checkpoint`]); [`check_checkpoint`] checks
//! it against the events (`CHECKPOINT_MISMATCH`).
//!
//! Choices where DESIGN.md is silent:
//! - Unknown top-level members are refused (input error, `INVALID_JSON`
//!   with [`JsonErrorKind::WrongShape`]): a format-1 archive has no room for
//!   them, and refusing keeps the digest computable in one streaming pass.
//! - Chain findings are indexed by position in `events` (0-based), exactly
//!   like `verifyChain` over the same array; `range.first` gives the index in
//!   the full chain.
//! - `range` checks ([`ArchiveCode::RangeMismatch`]): `size` equals the
//!   number of events; `head` equals the stored `hash` of the last event (null
//!   for an empty archive); `first` is 0 exactly when `anchor` is null; when
//!   the verifier passes an expected anchor, `range.anchor` must equal it. The
//!   first event's `prev_hash` against `range.anchor` is the §4 chain check
//!   (`CHAIN_BROKEN` at index 0). An unreadable `range` is one
//!   `RANGE_MISMATCH` and the chain is then anchored at null.
//! - The manifest: missing → `THRESHOLD_NOT_MET` (unsigned archive);
//!   unreadable → `THRESHOLD_NOT_MET`; `digest` differing from the recomputed
//!   one (or an archive that cannot be canonicalized) →
//!   `ARCHIVE_DIGEST_MISMATCH`; fewer than N distinct trusted keys with a valid
//!   signature → `THRESHOLD_NOT_MET`.
//! - Archive-level findings come after every chain finding, in the order
//!   digest, range, threshold, checkpoint.

use core::fmt;

use crate::chain::{ChainSummary, ChainVerifier, Finding};
use crate::digest::{Hash, HashSink, parse_hash};
use crate::error::{Error, JsonErrorKind};
use crate::json::{Elements, Members, Span, err, expect_end, skip_ws, str_eq, string_content};
use crate::keystore::KeyRing;
use crate::manifest::{ManifestReport, verify_manifest};

/// The value of the `format` member.
pub const FORMAT: &str = "signcore-archive/1";

/// Archive-level finding codes (reported with `index: null`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ArchiveCode {
    /// `manifest.digest` is not SHA-256 of the canonical archive without its manifest.
    ArchiveDigestMismatch,
    /// `range` does not agree with the events (or with the expected anchor).
    RangeMismatch,
    /// Fewer distinct trusted keys signed the manifest than the verifier's threshold.
    ThresholdNotMet,
    /// The archive's `checkpoint` (a C2SP signed checkpoint, DESIGN.md §12)
    /// is unreadable, of another origin, or of another size or root than
    /// the archive's events.
    CheckpointMismatch,
}

impl ArchiveCode {
    /// The code as DESIGN.md spells it, e.g. `RANGE_MISMATCH`.
    pub fn as_str(self) -> &'static str {
        match self {
            ArchiveCode::ArchiveDigestMismatch => "ARCHIVE_DIGEST_MISMATCH",
            ArchiveCode::RangeMismatch => "RANGE_MISMATCH",
            ArchiveCode::ThresholdNotMet => "THRESHOLD_NOT_MET",
            ArchiveCode::CheckpointMismatch => "CHECKPOINT_MISMATCH",
        }
    }
}

impl fmt::Display for ArchiveCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One archive-level problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArchiveFinding {
    /// What is wrong.
    pub code: ArchiveCode,
    /// A readable explanation.
    pub detail: &'static str,
}

impl fmt::Display for ArchiveFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "archive: {}: {}", self.code, self.detail)
    }
}

/// A finding of an archive verification: about one event, or about the archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// A §4 chain finding at an event.
    Event(Finding),
    /// An archive-level finding (`index: null`).
    Archive(ArchiveFinding),
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Event(e) => e.fmt(f),
            Found::Archive(a) => a.fmt(f),
        }
    }
}

/// The `range` member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    /// Index in the full chain of `events[0]`.
    pub first: u64,
    /// Number of events.
    pub size: u64,
    /// `prev_hash` of `events[0]` (null from the chain's genesis).
    pub anchor: Option<Hash>,
    /// Stored `hash` of the last event (null when empty).
    pub head: Option<Hash>,
}

impl Range {
    /// Reads a `range` object. Errors when it is not an object with
    /// non-negative integer `first` and `size` and hex-or-null `anchor` and `head`.
    pub fn from_json(json: &[u8]) -> Result<Range, Error> {
        crate::canonical::validate(json)?;
        let start = skip_ws(json, 0);
        let shape = || Error::Json(err(JsonErrorKind::WrongShape, start));
        let [first, size, anchor, head] =
            crate::json::pick_members(json, start, 0, ["first", "size", "anchor", "head"]).map_err(|_| shape())?;
        let int = |s: Option<Span>| s.and_then(|s| parse_u64(s.of(json))).ok_or_else(shape);
        let hash = |s: Option<Span>| -> Result<Option<Hash>, Error> {
            let s = s.ok_or_else(shape)?;
            if s.of(json) == b"null" {
                return Ok(None);
            }
            string_content(json, s).ok_or_else(shape).and_then(parse_hash).map(Some)
        };
        Ok(Range { first: int(first)?, size: int(size)?, anchor: hash(anchor)?, head: hash(head)? })
    }
}

/// A JSON integer 0..=2^53 (exactly representable everywhere) in plain digits.
fn parse_u64(raw: &[u8]) -> Option<u64> {
    if raw.is_empty() || (raw.len() > 1 && raw.first() == Some(&b'0')) {
        return None;
    }
    let mut n: u64 = 0;
    for &b in raw {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    (n <= 1 << 53).then_some(n)
}

/// Streaming archive digest: SHA-256 of
/// `{"events":[e0,...],"format":F,"origin":O,"range":R}` in canonical JSON,
/// fed one event at a time. Holds no buffer beyond a SHA-256 block.
pub struct ArchiveDigest {
    sink: HashSink,
    events: u64,
    failed: bool,
}

impl Default for ArchiveDigest {
    fn default() -> Self {
        Self::new()
    }
}

impl ArchiveDigest {
    /// An empty digest (no events yet).
    pub fn new() -> Self {
        let mut sink = HashSink::new();
        crate::canonical::Sink::write(&mut sink, br#"{"events":["#);
        ArchiveDigest { sink, events: 0, failed: false }
    }

    /// An empty digest of an archive with a `checkpoint` member (its raw
    /// JSON text, a string), which canonical member order puts first: the
    /// checkpoint must be known before the first event.
    pub fn with_checkpoint(checkpoint_json: &[u8]) -> Self {
        let mut sink = HashSink::new();
        crate::canonical::Sink::write(&mut sink, br#"{"checkpoint":"#);
        let failed = crate::canonical::canonicalize(checkpoint_json, &mut sink).is_err();
        crate::canonical::Sink::write(&mut sink, br#","events":["#);
        ArchiveDigest { sink, events: 0, failed }
    }

    /// Adds the next event (its JSON text, canonicalized here).
    pub fn event(&mut self, event_json: &[u8]) {
        if self.events > 0 {
            crate::canonical::Sink::write(&mut self.sink, b",");
        }
        self.events += 1;
        if crate::canonical::canonicalize(event_json, &mut self.sink).is_err() {
            self.failed = true;
        }
    }

    /// Events added so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Closes the text with the other members (their JSON text, `None` when
    /// absent) and returns the digest, or `None` when some part is not
    /// I-JSON (then no digest can match).
    pub fn finish(mut self, format: Option<&[u8]>, origin: Option<&[u8]>, range: Option<&[u8]>) -> Option<Hash> {
        crate::canonical::Sink::write(&mut self.sink, b"]");
        for (name, value) in [(&br#","format":"#[..], format), (br#","origin":"#, origin), (br#","range":"#, range)] {
            if let Some(value) = value {
                crate::canonical::Sink::write(&mut self.sink, name);
                if crate::canonical::canonicalize(value, &mut self.sink).is_err() {
                    self.failed = true;
                }
            }
        }
        crate::canonical::Sink::write(&mut self.sink, b"}");
        if self.failed { None } else { Some(self.sink.finalize()) }
    }
}

/// What a verifier asks of an archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Distinct trusted keys that must have signed (at least 1; default 1).
    pub threshold: usize,
    /// When `Some`, the anchor the verifier expects (`Some(None)` = genesis):
    /// `range.anchor` must equal it.
    pub expected_anchor: Option<Option<Hash>>,
}

impl Default for Options {
    fn default() -> Self {
        Options { threshold: 1, expected_anchor: None }
    }
}

/// The outcome of verifying an archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArchiveReport {
    /// The chain check's totals (`checked` = events seen).
    pub chain: ChainSummary,
    /// The archive's `range`, when readable.
    pub range: Option<Range>,
    /// The recomputed digest (`None` when the archive cannot be canonicalized).
    pub digest: Option<Hash>,
    /// The manifest's verdict, when there is a readable manifest.
    pub manifest: Option<ManifestReport>,
    /// Archive-level findings reported.
    pub archive_findings: u64,
    /// What the archive's `checkpoint` member says, when it has one and it
    /// can be read ([`check_checkpoint`]).
    pub checkpoint: Option<CheckpointSummary>,
}

impl ArchiveReport {
    /// True when no finding of either kind was reported.
    pub fn is_ok(&self) -> bool {
        self.chain.is_ok() && self.archive_findings == 0
    }
}

/// The raw JSON text of the members of an archive other than `events`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Header<'a> {
    /// `format` (a JSON string).
    pub format: Option<&'a [u8]>,
    /// `origin`.
    pub origin: Option<&'a [u8]>,
    /// `range`.
    pub range: Option<&'a [u8]>,
}

impl Header<'_> {
    /// Checks `format` is the string `signcore-archive/1`.
    pub fn check_format(&self) -> Result<(), Error> {
        let wrong = || Error::Json(err(JsonErrorKind::WrongShape, 0));
        let format = self.format.ok_or_else(wrong)?;
        let raw = string_content(format, Span { start: 0, end: format.len() }).ok_or_else(wrong)?;
        if str_eq(raw, FORMAT) { Ok(()) } else { Err(wrong()) }
    }
}

/// Streaming archive verifier: the chain check and the archive digest over
/// the same events, then the range and manifest checks. No allocation.
pub struct ArchiveVerifier<'r, 'h> {
    chain: ChainVerifier<'r>,
    digest: ArchiveDigest,
    header: Header<'h>,
    range: Option<Range>,
    options: Options,
    checkpoint: Option<(&'h [u8], EventsRoot)>,
}

impl<'r, 'h> ArchiveVerifier<'r, 'h> {
    /// Starts verifying an archive whose non-event members are `header`
    /// (they must be known before the events, to anchor the chain).
    /// Errors on a wrong `format` or a threshold of 0.
    pub fn new(ring: &'r KeyRing, header: Header<'h>, options: Options) -> Result<Self, Error> {
        if options.threshold == 0 {
            return Err(Error::InvalidThreshold);
        }
        header.check_format()?;
        let range = header.range.and_then(|r| Range::from_json(r).ok());
        let anchor = range.and_then(|r| r.anchor);
        Ok(ArchiveVerifier {
            chain: ChainVerifier::new(ring, anchor),
            digest: ArchiveDigest::new(),
            header,
            range,
            options,
            checkpoint: None,
        })
    }

    /// The archive has a `checkpoint` member (its raw JSON text, a string):
    /// it is covered by the digest and checked against the events
    /// ([`check_checkpoint`]). Call before the first event.
    pub fn with_checkpoint(mut self, checkpoint_json: &'h [u8]) -> Self {
        self.digest = ArchiveDigest::with_checkpoint(checkpoint_json);
        self.checkpoint = Some((checkpoint_json, EventsRoot::new()));
        self
    }

    /// Checks the next event and adds it to the digest.
    pub fn check_event(&mut self, event_json: &[u8], mut report: impl FnMut(Found)) {
        if let Some((_, root)) = &mut self.checkpoint {
            root.event(event_json);
        }
        self.digest.event(event_json);
        self.chain.check_event(event_json, |f| report(Found::Event(f)));
    }

    /// Ends the archive: digest, range and manifest checks
    /// (`manifest_json` is the raw `manifest` member, `None` when absent; an
    /// unreadable manifest is a finding, not an error).
    pub fn finish(self, manifest_json: Option<&[u8]>, mut report: impl FnMut(Found)) -> ArchiveReport {
        let chain = self.chain.summary();
        let digest = self.digest.finish(self.header.format, self.header.origin, self.header.range);
        let checks = Checks { chain, head: self.chain.last_hash(), digest, range: self.range };
        let mut out = conclude(self.chain.ring(), manifest_json, self.options, checks, &mut report);
        if let Some((cp, root)) = &self.checkpoint {
            let mut n = 0;
            out.checkpoint = check_checkpoint(cp, self.header.origin, self.range, root, self.chain.ring(), |f| {
                n += 1;
                report(f)
            });
            out.archive_findings += n;
        }
        out
    }
}

/// What a host that ran the chain check and the digest itself (e.g. on
/// several threads) hands to [`conclude`].
#[derive(Clone, Copy, Debug)]
pub struct Checks {
    /// The chain check's totals over all events.
    pub chain: ChainSummary,
    /// The stored hash of the last event ([`stored_hash`]), `None` when
    /// there is none or it cannot be read.
    pub head: Option<Hash>,
    /// [`ArchiveDigest::finish`] over the same events and header.
    pub digest: Option<Hash>,
    /// The archive's range ([`Range::from_json`]), `None` when unreadable.
    pub range: Option<Range>,
}

/// The archive-level checks after the events: digest, range and manifest
/// (with the verifier's threshold and ring), reported in that order.
pub fn conclude(
    ring: &KeyRing,
    manifest_json: Option<&[u8]>,
    options: Options,
    checks: Checks,
    mut report: impl FnMut(Found),
) -> ArchiveReport {
    let Checks { chain, head, digest, range } = checks;
    let mut archive_findings = 0;
    let mut emit = |code, detail| {
        archive_findings += 1;
        report(Found::Archive(ArchiveFinding { code, detail }));
    };
    let threshold = options.threshold.max(1);
    let manifest = manifest_json.and_then(|m| verify_manifest(m, ring, threshold, |_| {}).ok());
    match (digest, manifest) {
        (None, _) => emit(
            ArchiveCode::ArchiveDigestMismatch,
            "the archive is not I-JSON (an event or member cannot be canonicalized), so no digest can match",
        ),
        (Some(d), Some(m)) if d != m.digest => emit(
            ArchiveCode::ArchiveDigestMismatch,
            "manifest.digest differs from SHA-256 of the canonical archive without its manifest",
        ),
        _ => {}
    }
    match range {
        None => emit(ArchiveCode::RangeMismatch, "range is missing or unreadable"),
        Some(range) => {
            if range.size != chain.checked {
                emit(ArchiveCode::RangeMismatch, "range.size differs from the number of events");
            }
            match head {
                Some(h) if chain.checked > 0 && range.head != Some(h) => {
                    emit(ArchiveCode::RangeMismatch, "range.head differs from the hash of the last event")
                }
                _ if chain.checked == 0 && range.head.is_some() => {
                    emit(ArchiveCode::RangeMismatch, "range.head is not null but the archive has no events")
                }
                _ => {}
            }
            if (range.first == 0) != range.anchor.is_none() {
                emit(
                    ArchiveCode::RangeMismatch,
                    "range.first and range.anchor disagree (first is 0 exactly when anchor is null)",
                );
            }
            if let Some(expected) = options.expected_anchor
                && expected != range.anchor
            {
                emit(ArchiveCode::RangeMismatch, "range.anchor differs from the expected anchor");
            }
        }
    }
    match (manifest_json, manifest) {
        (None, _) => emit(ArchiveCode::ThresholdNotMet, "the archive has no manifest (unsigned)"),
        (Some(_), None) => emit(ArchiveCode::ThresholdNotMet, "the manifest cannot be read"),
        (Some(_), Some(m)) if !m.is_met() => {
            emit(ArchiveCode::ThresholdNotMet, "fewer distinct trusted keys signed than the threshold")
        }
        _ => {}
    }
    ArchiveReport { chain, range, digest, manifest, archive_findings, checkpoint: None }
}

/// Longest `checkpoint` member an archive may carry (decoded), in bytes:
/// the checkpoint body and its signature lines.
pub const MAX_ARCHIVE_CHECKPOINT_LEN: usize = 8192;

/// The Merkle root (DESIGN.md §12) of an archive's events, streamed
/// (O(log n) memory) from their stored hashes, for [`check_checkpoint`].
#[derive(Clone, Debug, Default)]
pub struct EventsRoot {
    tree: crate::merkle::RootBuilder,
    unreadable: bool,
}

impl EventsRoot {
    /// No events yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the next event (its JSON text) by its stored `hash`.
    pub fn event(&mut self, event_json: &[u8]) {
        match stored_hash(event_json) {
            Some(h) if !self.unreadable => {
                if self.tree.push_event_hash(&h).is_err() {
                    self.unreadable = true;
                }
            }
            _ => self.unreadable = true,
        }
    }

    /// Events added so far (while all were readable).
    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// The root, `None` when an event had no readable hash.
    pub fn root(&self) -> Option<Hash> {
        (!self.unreadable).then(|| self.tree.root())
    }
}

/// What an archive's checkpoint says (see [`check_checkpoint`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckpointSummary {
    /// The checkpoint's tree size.
    pub size: u64,
    /// Its root hash.
    pub root: Hash,
    /// True when the root was recomputed from the events (a full-chain
    /// archive, `range.first == 0`); a slice cannot recompute the root of
    /// the chain before it, only its size is checked.
    pub root_checked: bool,
    /// Distinct Ed25519 keys of the verifier's ring with a valid note
    /// signature on it (under any key name); 0 is not a finding, the
    /// manifest's signatures already cover the checkpoint's text.
    pub signed_by_ring: usize,
}

/// Checks an archive's `checkpoint` member (its raw JSON text: a string
/// holding a C2SP signed checkpoint, DESIGN.md §8/§12) against the archive:
/// its origin must be the archive's `origin`; for a full-chain archive
/// (`range.first == 0`) its size and root must be those of the archive's
/// events; for a slice its size must be `range.first + range.size` (the log
/// at the slice's last event) and the root is not checked. A note
/// signature by a ring key that does not verify is a finding too. Findings
/// are `CHECKPOINT_MISMATCH` (index null); returns what the checkpoint says
/// when it can be read.
pub fn check_checkpoint(
    checkpoint_json: &[u8],
    origin_json: Option<&[u8]>,
    range: Option<Range>,
    events: &EventsRoot,
    ring: &KeyRing,
    mut report: impl FnMut(Found),
) -> Option<CheckpointSummary> {
    let mut emit = |detail| report(Found::Archive(ArchiveFinding { code: ArchiveCode::CheckpointMismatch, detail }));
    let decoded = crate::canonical::validate(checkpoint_json)
        .ok()
        .and_then(|_| string_content(checkpoint_json, Span { start: 0, end: checkpoint_json.len() }))
        .and_then(crate::json::decode_string::<MAX_ARCHIVE_CHECKPOINT_LEN>);
    let Some(note) = decoded else {
        emit("checkpoint is not a string of at most 8192 bytes");
        return None;
    };
    let parsed = crate::note::text_unverified(note.as_bytes()).and_then(crate::checkpoint::Checkpoint::parse);
    let Ok(cp) = parsed else {
        emit("checkpoint is not a C2SP signed checkpoint (origin, size, base64 root, blank line, signatures)");
        return None;
    };
    let origin = origin_json
        .and_then(|o| string_content(o, Span { start: 0, end: o.len() }))
        .is_some_and(|raw| str_eq(raw, cp.origin));
    if !origin {
        emit("the checkpoint's origin is not the archive's origin");
    }
    let mut root_checked = false;
    match range {
        Some(r) if r.first == 0 => {
            root_checked = true;
            if cp.size != events.size() || events.root().is_none() {
                emit("the checkpoint's size is not the number of events (or an event has no readable hash)");
            } else if events.root() != Some(cp.root) {
                emit("the checkpoint's root is not the Merkle root of the archive's events");
            }
        }
        Some(r) => {
            if r.first.checked_add(r.size) != Some(cp.size) {
                emit("the checkpoint's size is not range.first + range.size (the log at the slice's last event)");
            }
        }
        None => emit("the checkpoint cannot be checked without a readable range"),
    }
    let signed_by_ring = ring_signatures(note.as_bytes(), ring, &mut emit);
    Some(CheckpointSummary { size: cp.size, root: cp.root, root_checked, signed_by_ring })
}

/// Counts the ring's Ed25519 keys with a valid signature line on `note`,
/// whatever name the line gives (the key id binds name and key).
fn ring_signatures(note: &[u8], ring: &KeyRing, emit: &mut impl FnMut(&'static str)) -> usize {
    use crate::note::{MAX_TRUSTED_KEYS, NoteError, NoteVerifier};
    let mut trusted: heapless::Vec<NoteVerifier, MAX_TRUSTED_KEYS> = heapless::Vec::new();
    crate::note::for_each_signature_line(note, |name, key_id| {
        for (_, key) in ring.iter() {
            if let Ok(v) = NoteVerifier::from_verifying_key(name, key)
                && v.key_id() == key_id
                && !trusted.contains(&v)
            {
                let _ = trusted.push(v);
            }
        }
    });
    if trusted.is_empty() {
        return 0;
    }
    match crate::note::open(note, &trusted, 1) {
        Ok(o) => o.verified,
        Err(NoteError::SignatureInvalid { .. }) => {
            emit("a signature on the checkpoint by a ring key does not verify");
            0
        }
        Err(_) => 0,
    }
}

/// The stored `hash` of an event as the chain verifier links to it (`None`
/// when it cannot be read): the `range.head` of an archive ending with it.
pub fn stored_hash(event_json: &[u8]) -> Option<Hash> {
    crate::chain::stored_hash(event_json)
}

/// The members of an archive located in its text.
struct Located {
    format: Option<Span>,
    origin: Option<Span>,
    range: Option<Span>,
    events: Span,
    manifest: Option<Span>,
    checkpoint: Option<Span>,
}

fn locate(json: &[u8]) -> Result<Located, Error> {
    let start = skip_ws(json, 0);
    let shape = |at| Error::Json(err(JsonErrorKind::WrongShape, at));
    if json.get(start) != Some(&b'{') {
        return Err(shape(start));
    }
    let mut slots: [Option<Span>; 6] = [None; 6];
    let mut members = Members::new(json, start, 0)?.delimit_only();
    for member in &mut members {
        let member = member?;
        let name = member.name.of(json);
        let i = ["format", "origin", "range", "events", "manifest", "checkpoint"]
            .iter()
            .position(|n| str_eq(name, n))
            .ok_or(shape(member.name.start))?;
        let slot = slots.get_mut(i).ok_or(shape(member.name.start))?;
        if slot.is_some() {
            return Err(Error::Json(err(JsonErrorKind::DuplicateMember, member.name.start)));
        }
        *slot = Some(member.value);
    }
    let [format, origin, range, events, manifest, checkpoint] = slots;
    let events = events.ok_or(shape(start))?;
    if json.get(events.start) != Some(&b'[') {
        return Err(shape(events.start));
    }
    let end = find_end(json, start)?;
    expect_end(json, end)?;
    Ok(Located { format, origin, range, events, manifest, checkpoint })
}

fn find_end(json: &[u8], start: usize) -> Result<usize, Error> {
    Ok(crate::json::find_value_end(json, start, None)?)
}

/// Verifies a whole archive held in memory: the chain check anchored at
/// `range.anchor`, the range, the recomputed digest and the manifest with
/// the verifier's threshold. Findings go to `report` (chain findings in
/// index order, then archive findings). Errors when `archive_json` is not a
/// `signcore-archive/1` object (wrong shape, unknown or duplicate members,
/// `events` not an array, trailing data) or the threshold is 0.
pub fn verify_archive(
    archive_json: &[u8],
    ring: &KeyRing,
    options: Options,
    mut report: impl FnMut(Found),
) -> Result<ArchiveReport, Error> {
    let at = locate(archive_json)?;
    let of = |s: Option<Span>| s.map(|s| s.of(archive_json));
    let header = Header { format: of(at.format), origin: of(at.origin), range: of(at.range) };
    let mut verifier = ArchiveVerifier::new(ring, header, options)?;
    if let Some(cp) = of(at.checkpoint) {
        verifier = verifier.with_checkpoint(cp);
    }
    let mut elements = Elements::new(archive_json, at.events.start, 1)?.delimit_only();
    for element in &mut elements {
        verifier.check_event(element?.of(archive_json), &mut report);
    }
    Ok(verifier.finish(of(at.manifest), report))
}

#[cfg(feature = "alloc")]
pub use build::{ArchiveWriter, build_archive, build_archive_with_checkpoint, cosign};

#[cfg(feature = "alloc")]
mod build {
    use alloc::string::String;
    use alloc::vec::Vec;

    use super::*;
    use alloc::string::ToString;

    use crate::canonical::write_json_string;
    use crate::hex::HashHex;
    use crate::key::SigningKey;
    use crate::manifest::signature_block;

    /// Writes an archive event by event into a `Vec<u8>` sink (members in
    /// the order format, origin, range, events, manifest, so that a reader
    /// knows the range before the events). The range is stated up front;
    /// [`ArchiveWriter::finish`] checks its `size`.
    pub struct ArchiveWriter {
        out: Vec<u8>,
        digest: ArchiveDigest,
        range: Range,
        events: u64,
        format: Vec<u8>,
        origin: Vec<u8>,
        range_json: Vec<u8>,
    }

    fn hash_json(out: &mut Vec<u8>, h: Option<Hash>) {
        match h {
            None => out.extend_from_slice(b"null"),
            Some(h) => {
                out.push(b'"');
                out.extend_from_slice(HashHex::new(&h).as_str().as_bytes());
                out.push(b'"');
            }
        }
    }

    fn range_json(range: &Range) -> Vec<u8> {
        let mut r = Vec::new();
        r.extend_from_slice(br#"{"first":"#);
        r.extend_from_slice(alloc::format!("{}", range.first).as_bytes());
        r.extend_from_slice(br#","size":"#);
        r.extend_from_slice(alloc::format!("{}", range.size).as_bytes());
        r.extend_from_slice(br#","anchor":"#);
        hash_json(&mut r, range.anchor);
        r.extend_from_slice(br#","head":"#);
        hash_json(&mut r, range.head);
        r.push(b'}');
        r
    }

    impl ArchiveWriter {
        /// Starts an archive of `origin` covering `range`.
        pub fn new(origin: &str, range: Range) -> Self {
            let mut format = Vec::new();
            write_json_string(FORMAT, &mut format);
            let mut origin_json = Vec::new();
            write_json_string(origin, &mut origin_json);
            let range_text = range_json(&range);
            let mut out = Vec::new();
            out.extend_from_slice(br#"{"format":"#);
            out.extend_from_slice(&format);
            out.extend_from_slice(br#","origin":"#);
            out.extend_from_slice(&origin_json);
            out.extend_from_slice(br#","range":"#);
            out.extend_from_slice(&range_text);
            out.extend_from_slice(br#","events":["#);
            ArchiveWriter {
                out,
                digest: ArchiveDigest::new(),
                range,
                events: 0,
                format,
                origin: origin_json,
                range_json: range_text,
            }
        }

        /// Starts an archive of `origin` covering `range` that carries the
        /// signed checkpoint `note` (C2SP note text) as its `checkpoint`
        /// member, written before the events and covered by the digest.
        pub fn with_checkpoint(origin: &str, range: Range, note: &str) -> Self {
            let mut w = Self::new(origin, range);
            let mut cp = Vec::new();
            write_json_string(note, &mut cp);
            // Re-open the header: `... "range":{...},"checkpoint":"...","events":[`.
            w.out.truncate(w.out.len() - br#","events":["#.len());
            w.out.extend_from_slice(br#","checkpoint":"#);
            w.out.extend_from_slice(&cp);
            w.out.extend_from_slice(br#","events":["#);
            w.digest = ArchiveDigest::with_checkpoint(&cp);
            w
        }

        /// Appends one event, written in canonical form. Errors when it is
        /// not I-JSON (a canonical archive cannot hold it).
        pub fn event(&mut self, event_json: &[u8]) -> Result<(), Error> {
            if self.events > 0 {
                self.out.push(b',');
            }
            crate::canonical::canonicalize(event_json, &mut self.out)?;
            self.digest.event(event_json);
            self.events += 1;
            Ok(())
        }

        /// Hands the text written so far to `write` and empties the buffer,
        /// so an archive of any size streams through a small buffer: call it
        /// every few events; [`ArchiveWriter::finish`] returns the rest.
        pub fn flush_to<E>(&mut self, write: impl FnOnce(&[u8]) -> Result<(), E>) -> Result<(), E> {
            write(&self.out)?;
            self.out.clear();
            Ok(())
        }

        /// Bytes buffered since the last [`ArchiveWriter::flush_to`].
        pub fn buffered(&self) -> usize {
            self.out.len()
        }

        /// Closes the archive with a manifest signed by each of `signers`
        /// (`(kid, key)`; none makes an unsigned archive) and returns its JSON
        /// text. Errors when the number of events differs from `range.size`.
        pub fn finish(mut self, signers: &[(&str, &SigningKey)]) -> Result<Vec<u8>, Error> {
            if self.range.size != self.events {
                return Err(Error::InvalidLength {
                    what: "archive events (range.size)",
                    expected: self.range.size as usize,
                    actual: self.events as usize,
                });
            }
            let digest = self
                .digest
                .finish(Some(&self.format), Some(&self.origin), Some(&self.range_json))
                .ok_or(Error::Json(err(JsonErrorKind::WrongShape, 0)))?;
            self.out.extend_from_slice(b"]");
            write_manifest(
                &mut self.out,
                &digest,
                signers.iter().map(|(kid, key)| signature_block(kid, key, &digest).to_string()),
                &[],
            );
            self.out.push(b'}');
            Ok(self.out)
        }
    }

    fn write_manifest(out: &mut Vec<u8>, digest: &Hash, new: impl Iterator<Item = String>, existing: &[&[u8]]) {
        out.extend_from_slice(br#","manifest":{"digest":""#);
        out.extend_from_slice(HashHex::new(digest).as_str().as_bytes());
        out.extend_from_slice(br#"","signatures":["#);
        let mut first = true;
        for block in existing.iter().copied().map(Vec::from).chain(new.map(String::into_bytes)) {
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(&block);
        }
        out.extend_from_slice(b"]}");
    }

    /// Builds a signed archive from events given as JSON texts, the index
    /// `first` of the first one in the full chain and `anchor`, the hash
    /// before it (`None` from the genesis). `range.size` and `range.head`
    /// (stored hash of the last event) are derived from the events.
    pub fn build_archive<'e>(
        events: impl IntoIterator<Item = &'e [u8]> + Clone,
        origin: &str,
        first: u64,
        anchor: Option<Hash>,
        signers: &[(&str, &SigningKey)],
    ) -> Result<Vec<u8>, Error> {
        let mut range = Range { first, size: 0, anchor, head: None };
        for event in events.clone() {
            range.head = crate::chain::stored_links(event).map(|(hash, _)| hash);
            range.size += 1;
        }
        let mut writer = ArchiveWriter::new(origin, range);
        for event in events {
            writer.event(event)?;
        }
        writer.finish(signers)
    }

    /// [`build_archive`] of a full chain (`range.first == 0`) that also
    /// carries its signed checkpoint (DESIGN.md §8, §12): the Merkle root of
    /// the events signed as a C2SP checkpoint of `origin` by `note_signer`
    /// (an Ed25519 key) and written as the `checkpoint` member.
    pub fn build_archive_with_checkpoint<'e>(
        events: impl IntoIterator<Item = &'e [u8]> + Clone,
        origin: &str,
        signers: &[(&str, &SigningKey)],
        note_signer: &crate::note::NoteSigner,
    ) -> Result<Vec<u8>, Error> {
        let mut range = Range { first: 0, size: 0, anchor: None, head: None };
        let mut root = EventsRoot::new();
        for event in events.clone() {
            range.head = crate::chain::stored_links(event).map(|(hash, _)| hash);
            range.size += 1;
            root.event(event);
        }
        let bad = || Error::Json(err(JsonErrorKind::WrongShape, 0));
        let cp =
            crate::checkpoint::Checkpoint::new(origin, range.size, root.root().ok_or_else(bad)?).map_err(|_| bad())?;
        let note = crate::checkpoint::sign(&cp, &[note_signer]).map_err(|_| bad())?;
        let mut writer = ArchiveWriter::with_checkpoint(origin, range, &note);
        for event in events {
            writer.event(event)?;
        }
        writer.finish(signers)
    }

    /// Adds a signature block by `kid`/`key` to an archive, after
    /// recomputing its digest (an archive whose `manifest.digest` is wrong is
    /// refused: a cosigner never signs a digest it has not checked). Members
    /// are rewritten in the writer's order; events are kept as they are.
    pub fn cosign(archive_json: &[u8], kid: &str, key: &SigningKey) -> Result<Vec<u8>, Error> {
        let at = locate(archive_json)?;
        let of = |s: Option<Span>| s.map(|s| s.of(archive_json));
        let header = Header { format: of(at.format), origin: of(at.origin), range: of(at.range) };
        header.check_format()?;
        let checkpoint = of(at.checkpoint);
        let mut digest = checkpoint.map_or_else(ArchiveDigest::new, ArchiveDigest::with_checkpoint);
        let mut elements = Elements::new(archive_json, at.events.start, 1)?;
        for element in &mut elements {
            digest.event(element?.of(archive_json));
        }
        let digest = digest
            .finish(header.format, header.origin, header.range)
            .ok_or(Error::Json(err(JsonErrorKind::WrongShape, at.events.start)))?;
        let mut existing: Vec<&[u8]> = Vec::new();
        if let Some(m) = at.manifest {
            let m_json = m.of(archive_json);
            let start = skip_ws(m_json, 0);
            let [d, sigs] = crate::json::pick_members(m_json, start, 0, ["digest", "signatures"])
                .map_err(|_| Error::Json(err(JsonErrorKind::WrongShape, m.start)))?;
            let stated = d.and_then(|d| string_content(m_json, d)).map(parse_hash);
            if !matches!(stated, Some(Ok(h)) if h == digest) {
                // Never sign a digest that does not match the content.
                return Err(Error::SignatureInvalid);
            }
            if let Some(sigs) = sigs {
                for block in Elements::new(m_json, sigs.start, 1)? {
                    existing.push(block?.of(m_json));
                }
            }
        }
        let mut out = Vec::with_capacity(archive_json.len() + 256);
        out.extend_from_slice(br#"{"format":"#);
        crate::canonical::canonicalize(header.format.unwrap_or(b"null"), &mut out)?;
        if let Some(origin) = header.origin {
            out.extend_from_slice(br#","origin":"#);
            out.extend_from_slice(origin);
        }
        if let Some(range) = header.range {
            out.extend_from_slice(br#","range":"#);
            out.extend_from_slice(range);
        }
        if let Some(cp) = checkpoint {
            out.extend_from_slice(br#","checkpoint":"#);
            out.extend_from_slice(cp);
        }
        out.extend_from_slice(br#","events":"#);
        out.extend_from_slice(at.events.of(archive_json));
        let block = signature_block(kid, key, &digest).to_string();
        write_manifest(&mut out, &digest, core::iter::once(block), &existing);
        out.push(b'}');
        Ok(out)
    }
}
