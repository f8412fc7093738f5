//! Hash-chain verification of audit events (DESIGN.md §4).
//!
//! [`ChainVerifier`] takes events one at a time in O(1) state and no
//! allocation, so an archive of any length can be streamed through it; it
//! reports every `(index, code)` finding through a callback, in index order.
//! [`verify_chain`] runs it over a JSON array of events.
//!
//! ```
//! use signcore::{chain::verify_chain, digest::audit_digest, hex::HashHex, key::SigningKey, keystore::KeyRing};
//! let key = SigningKey::hmac(b"secret")?;
//! let mut ring = KeyRing::new();
//! ring.insert("k1", key.verifying_key())?;
//! let hash = audit_digest(br#"{"n":1}"#, None)?;
//! let event = format!(
//!     r#"[{{"payload":{{"n":1}},"hash":"{}","prev_hash":null,"kid":"k1","alg":"hmac-sha256","signature":"{}"}}]"#,
//!     HashHex::new(&hash), key.sign(&hash).hex());
//! let summary = verify_chain(event.as_bytes(), &ring, None, |finding| panic!("{finding}"))?;
//! assert!(summary.is_ok() && summary.checked == 1);
//! # Ok::<(), signcore::Error>(())
//! ```

use core::fmt;

use crate::digest::{Hash, parse_hash};
use crate::error::Error;
use crate::json::{Elements, Members, Span, array_start, expect_end, skip_ws, str_eq, string_content as string};
use crate::key::{Alg, MAX_VERIFY_SIGNATURE_LEN};
use crate::keystore::KeyRing;

/// The finding codes of DESIGN.md §4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FindingCode {
    /// `prev_hash` differs from the previous event's stored `hash` (or, for
    /// the first event, from the expected anchor).
    ChainBroken,
    /// The stored `hash` is not SHA256(canonical(payload) || prev_hash).
    HashMismatch,
    /// The `kid` is not in the ring, or the ring's key has another algorithm.
    UnknownKey,
    /// The signature does not verify over the stored `hash`.
    SignatureInvalid,
    /// The event cannot be read; its other checks were skipped.
    Malformed,
}

impl FindingCode {
    /// The code as DESIGN.md spells it, e.g. `CHAIN_BROKEN`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::ChainBroken => "CHAIN_BROKEN",
            FindingCode::HashMismatch => "HASH_MISMATCH",
            FindingCode::UnknownKey => "UNKNOWN_KEY",
            FindingCode::SignatureInvalid => "SIGNATURE_INVALID",
            FindingCode::Malformed => "MALFORMED",
        }
    }
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// Index of the event in the chain (0-based).
    pub index: u64,
    /// What is wrong.
    pub code: FindingCode,
    /// A readable explanation.
    pub detail: &'static str,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event {}: {}: {}", self.index, self.code, self.detail)
    }
}

/// Totals of a verification run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChainSummary {
    /// Events checked.
    pub checked: u64,
    /// Findings reported.
    pub findings: u64,
    /// The stored `hash` of the last event, when it could be read: the
    /// anchor of the next slice of the same chain.
    pub head: Option<Hash>,
}

impl ChainSummary {
    /// True when no finding was reported.
    pub fn is_ok(&self) -> bool {
        self.findings == 0
    }
}

/// What the next event's `prev_hash` must be.
#[derive(Clone, Copy)]
enum Link {
    Expect(Option<Hash>),
    /// The previous event's hash could not be read: the link is not judged
    /// (that event was already reported MALFORMED).
    Unknown,
}

/// Streaming verifier: feed events in chain order with
/// [`ChainVerifier::check_event`].
pub struct ChainVerifier<'r> {
    ring: &'r KeyRing,
    link: Link,
    summary: ChainSummary,
}

struct Fields {
    payload: Option<Span>,
    hash: Option<Span>,
    prev_hash: Option<Span>,
    kid: Option<Span>,
    alg: Option<Span>,
    signature: Option<Span>,
}

/// An event whose members all decoded.
struct Event {
    hash: Hash,
    prev_hash: Option<Hash>,
    alg: Alg,
    signature: [u8; MAX_VERIFY_SIGNATURE_LEN],
    signature_len: usize,
    kid: Span,
    computed: Hash,
}

impl<'r> ChainVerifier<'r> {
    /// A verifier over `ring`. `anchor` is the hash the first event's
    /// `prev_hash` must equal: `None` for a chain from its genesis, or the
    /// last hash before a slice of a longer chain.
    pub fn new(ring: &'r KeyRing, anchor: Option<Hash>) -> Self {
        ChainVerifier { ring, link: Link::Expect(anchor), summary: ChainSummary::default() }
    }

    /// Checks the next event (one JSON object) and reports its findings.
    pub fn check_event(&mut self, event_json: &[u8], mut report: impl FnMut(Finding)) {
        let index = self.summary.checked;
        self.summary.checked += 1;
        let summary = &mut self.summary;
        let mut emit = |code, detail| {
            summary.findings += 1;
            report(Finding { index, code, detail });
        };
        let event = match read_event(event_json) {
            Ok(event) => event,
            Err((detail, hash)) => {
                emit(FindingCode::Malformed, detail);
                self.link = hash.map_or(Link::Unknown, |h| Link::Expect(Some(h)));
                self.summary.head = hash;
                return;
            }
        };
        let key = string(event_json, event.kid)
            .and_then(|raw| self.ring.position_raw(raw))
            .and_then(|i| self.ring.entry(i))
            .map(|(_, key)| key);
        if let Link::Expect(expected) = self.link
            && expected != event.prev_hash
        {
            emit(
                FindingCode::ChainBroken,
                if index == 0 {
                    "prev_hash differs from the expected anchor (null for a chain's first event)"
                } else {
                    "prev_hash differs from the previous event's hash"
                },
            );
        }
        if event.computed != event.hash {
            emit(FindingCode::HashMismatch, "hash differs from SHA256(canonical(payload) || prev_hash)");
        }
        let signature = event.signature.get(..event.signature_len).unwrap_or(&[]);
        match key {
            _ if event.alg == Alg::RsaSha256 && !cfg!(feature = "rsa") => {
                emit(FindingCode::UnknownKey, "alg is rsa-sha256, which this build cannot verify (no rsa feature)")
            }
            None => emit(FindingCode::UnknownKey, "kid is not in the key ring"),
            Some(key) if key.alg() != event.alg => {
                emit(FindingCode::UnknownKey, "the ring's key for this kid has another algorithm")
            }
            // HMAC and Ed25519 lengths were checked when the event was read.
            #[cfg(feature = "rsa")]
            Some(key) if key.signature_len() != signature.len() => {
                emit(FindingCode::SignatureInvalid, "signature has the wrong length for the ring's key")
            }
            Some(key) => {
                if key.verify(&event.hash, signature).is_err() {
                    emit(FindingCode::SignatureInvalid, "signature does not verify over the stored hash");
                }
            }
        }
        self.link = Link::Expect(Some(event.hash));
        self.summary.head = Some(event.hash);
    }

    /// Totals so far.
    pub fn summary(&self) -> ChainSummary {
        self.summary
    }

    /// A verifier for a run of a longer chain that starts at index `first`
    /// right after the event `previous_event_json` (the JSON of event
    /// `first - 1`): the run's first event is linked to that event's stored
    /// hash, exactly as a sequential run would link it (not judged when that
    /// hash cannot be read). Indices of findings and `checked` continue from
    /// `first`. This is how a host splits a stream into runs for several threads.
    pub fn resume(ring: &'r KeyRing, previous_event_json: &[u8], first: u64) -> Self {
        let link = stored_hash(previous_event_json).map_or(Link::Unknown, |h| Link::Expect(Some(h)));
        ChainVerifier { ring, link, summary: ChainSummary { checked: first, findings: 0, head: None } }
    }

    /// The stored hash of the last event checked (the anchor of what
    /// follows), `None` before any event or when it could not be read.
    pub(crate) fn last_hash(&self) -> Option<Hash> {
        match self.link {
            Link::Expect(h) if self.summary.checked > 0 => h,
            _ => None,
        }
    }

    /// The ring this verifier checks against.
    pub(crate) fn ring(&self) -> &'r KeyRing {
        self.ring
    }
}

/// The stored `hash` and `prev_hash` of an event, when both can be read
/// (the rest of the event is not judged here). Used by the archive writer.
#[cfg(feature = "alloc")]
pub(crate) fn stored_links(event: &[u8]) -> Option<(Hash, Option<Hash>)> {
    let f = fields(event).ok()?;
    let hash = parse_hash(string(event, f.hash?)?).ok()?;
    let prev = f.prev_hash?;
    if prev.of(event) == b"null" {
        return Some((hash, None));
    }
    Some((hash, Some(parse_hash(string(event, prev)?).ok()?)))
}

/// Verifies a JSON array of events against `ring`, reporting each finding
/// to `report` in index order. Errors only when `events_json` itself is not
/// a readable JSON array; problems with single events are findings.
pub fn verify_chain(
    events_json: &[u8],
    ring: &KeyRing,
    anchor: Option<Hash>,
    mut report: impl FnMut(Finding),
) -> Result<ChainSummary, Error> {
    let start = array_start(events_json)?;
    let mut verifier = ChainVerifier::new(ring, anchor);
    // Delimit only: each event is validated by its own check, so that one
    // unreadable event is a MALFORMED finding, not the end of the report.
    let mut elements = Elements::new(events_json, start, 0)?.delimit_only();
    for element in &mut elements {
        verifier.check_event(element?.of(events_json), &mut report);
    }
    expect_end(events_json, elements.end())?;
    Ok(verifier.summary())
}

/// [`verify_chain`] on several threads (`std` only): events are split into
/// contiguous runs, one per thread, each run linked to the stored hash of
/// the event before it. Findings and totals are exactly those of
/// [`verify_chain`], reported in index order. `threads == 0` uses every
/// available core.
///
/// Ed25519 signatures are verified one by one with `verify_strict`, never
/// batched: ed25519-dalek's batch equation is cofactored, so it can accept a
/// signature with a torsion component that strict verification rejects.
#[cfg(feature = "std")]
pub fn verify_chain_parallel(
    events_json: &[u8],
    ring: &KeyRing,
    anchor: Option<Hash>,
    threads: usize,
    mut report: impl FnMut(Finding),
) -> Result<ChainSummary, Error> {
    use std::vec::Vec;

    let mut elements = Elements::new(events_json, array_start(events_json)?, 0)?.delimit_only();
    let spans = (&mut elements).collect::<Result<Vec<Span>, _>>()?;
    expect_end(events_json, elements.end())?;
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let run_len = spans.len().div_ceil(threads.max(1)).max(1);
    let runs: Vec<(Vec<Finding>, ChainSummary)> = std::thread::scope(|scope| {
        let handles: Vec<_> = spans
            .chunks(run_len)
            .enumerate()
            .map(|(k, run)| {
                let first = k * run_len;
                let link = match first.checked_sub(1).and_then(|i| spans.get(i)) {
                    None => Link::Expect(anchor),
                    Some(before) => {
                        stored_hash(before.of(events_json)).map_or(Link::Unknown, |h| Link::Expect(Some(h)))
                    }
                };
                scope.spawn(move || {
                    let summary = ChainSummary { checked: first as u64, findings: 0, head: None };
                    let mut verifier = ChainVerifier { ring, link, summary };
                    let mut found = Vec::new();
                    for span in run {
                        verifier.check_event(span.of(events_json), |f| found.push(f));
                    }
                    (found, verifier.summary())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    let mut total = ChainSummary::default();
    for (found, summary) in runs {
        found.into_iter().for_each(&mut report);
        total.findings += summary.findings;
        total.head = summary.head;
    }
    total.checked = spans.len() as u64;
    Ok(total)
}

/// The stored hash of an event, as the sequential verifier would link to it.
pub(crate) fn stored_hash(event: &[u8]) -> Option<Hash> {
    // The first step of `read_event`: what the sequential verifier links to.
    match read_event(event) {
        Ok(e) => Some(e.hash),
        Err((_, hash)) => hash,
    }
}

fn fields(event: &[u8]) -> Result<Fields, &'static str> {
    // The envelope is validated here member by member; the payload is
    // validated by the canonicalizer when its digest is computed, with its
    // own nesting budget: whatever `canonicalizePayload` accepts and signs,
    // this verifier can verify, however deep the archive holds the event.
    let start = skip_ws(event, 0);
    if event.get(start) != Some(&b'{') {
        return Err("event is not a JSON object");
    }
    let unreadable = "event is not valid JSON";
    let mut slots: [Option<Span>; 6] = [None; 6];
    let mut members = Members::new(event, start, 0).map_err(|_| unreadable)?.delimit_only();
    for member in &mut members {
        let member = member.map_err(|_| unreadable)?;
        let name = member.name.of(event);
        let slot = EVENT_MEMBERS.iter().position(|n| str_eq(name, n));
        if slot != Some(0) && crate::json::skip_value(event, member.value.start, 1) != Ok(member.value.end) {
            return Err("a member is not valid JSON (or nested deeper than the limit)");
        }
        if let Some(slot) = slot.and_then(|i| slots.get_mut(i)) {
            if slot.is_some() {
                return Err("a member appears twice");
            }
            *slot = Some(member.value);
        }
    }
    expect_end(event, members.end()).map_err(|_| unreadable)?;
    let [payload, hash, prev_hash, kid, alg, signature] = slots;
    Ok(Fields { payload, hash, prev_hash, kid, alg, signature })
}

/// The members of an event that verification reads (payload first).
const EVENT_MEMBERS: [&str; 6] = ["payload", "hash", "prev_hash", "kid", "alg", "signature"];

/// Reads an event; on failure returns the reason and, when it could be
/// read, the stored hash (so the chain link can still be judged).
fn read_event(event: &[u8]) -> Result<Event, (&'static str, Option<Hash>)> {
    let f = fields(event).map_err(|d| (d, None))?;
    let hash = f.hash.and_then(|s| string(event, s)).ok_or(("hash is missing or not a string", None))?;
    let hash = parse_hash(hash).map_err(|_| ("hash is not 64 hex characters", None))?;
    let fail = |detail| (detail, Some(hash));
    let prev_hash = match f.prev_hash {
        None => return Err(fail("prev_hash is missing")),
        Some(s) if s.of(event) == b"null" => None,
        Some(s) => Some(
            string(event, s)
                .and_then(|t| parse_hash(t).ok())
                .ok_or(fail("prev_hash is neither null nor 64 hex characters"))?,
        ),
    };
    let kid = f.kid.filter(|&s| string(event, s).is_some()).ok_or(fail("kid is missing or not a string"))?;
    let alg_text = f.alg.and_then(|s| string(event, s)).ok_or(fail("alg is missing or not a string"))?;
    let alg = core::str::from_utf8(alg_text)
        .ok()
        .and_then(|name| Alg::parse(name).ok())
        .ok_or(fail("alg is not a known algorithm"))?;
    let sig_hex = f.signature.and_then(|s| string(event, s)).ok_or(fail("signature is missing or not a string"))?;
    let mut signature = [0u8; MAX_VERIFY_SIGNATURE_LEN];
    let signature_len = sig_hex.len() / 2;
    let unverifiable = alg == Alg::RsaSha256 && !cfg!(feature = "rsa");
    match alg.signature_len() {
        Some(len) if sig_hex.len() != 2 * len => return Err(fail("signature has the wrong length for its alg")),
        _ if unverifiable => {}
        _ if sig_hex.len() > 2 * MAX_VERIFY_SIGNATURE_LEN => return Err(fail("signature is too long")),
        _ => {
            crate::hex::decode(sig_hex, &mut signature).map_err(|_| fail("signature is not hex"))?;
        }
    }
    let payload = f.payload.ok_or(fail("payload is missing"))?;
    let computed = crate::digest::audit_digest(payload.of(event), prev_hash.as_ref())
        .map_err(|_| fail("payload cannot be canonicalized (not I-JSON, or over the limits)"))?;
    Ok(Event { hash, prev_hash, alg, signature, signature_len, kid, computed })
}
