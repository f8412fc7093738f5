//! The verification pipeline: a producer (file splitter or database cursor)
//! sends batches of events over a bounded channel; worker threads verify
//! the batches in parallel with the core's `ChainVerifier` (each batch
//! linked to the last event of the one before it, so findings are exactly
//! those of a sequential run); for archives, one more thread feeds the same
//! events in order into the core's streaming `ArchiveDigest`. Memory is
//! bounded by the channel depths, not by the number of events.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Result;
use signcore::archive::{ArchiveDigest, EventsRoot};
use signcore::chain::{ChainVerifier, Finding, FindingCode};
use signcore::digest::Hash;
use signcore::hex::HashHex;
use signcore::keystore::KeyRing;

use crate::input::Batch;

/// One finding as shown to people and machines.
#[derive(Debug, Clone)]
pub struct Shown {
    /// Event index (`None` for archive-level findings).
    pub index: Option<u64>,
    pub code: &'static str,
    /// The core's message (what Node's `verifyChain` says).
    pub message: &'static str,
    /// Row id (database input).
    pub id: Option<String>,
    /// What differs (stored vs computed values), when it can be said.
    pub detail: Option<String>,
}

/// The totals of a pipeline run.
pub struct Outcome {
    pub findings: Vec<Shown>,
    pub checked: u64,
    /// Stored hash of the last event.
    pub head: Option<Hash>,
    /// The archive digest state, fed with every event (when asked for).
    pub digest: Option<ArchiveDigest>,
    /// The Merkle root of the events, when the archive has a checkpoint.
    pub tree: Option<EventsRoot>,
}

/// What the producer learns before its first batch (an archive's anchor is
/// known only once `range` is read): where the first event is anchored, and
/// whether the events also go into the archive digest.
#[derive(Default)]
pub struct Start {
    pub anchor: OnceLock<Option<Hash>>,
    pub digest: OnceLock<bool>,
    /// The archive's `checkpoint` member (raw JSON), which starts the digest.
    pub checkpoint: OnceLock<Option<Vec<u8>>>,
}

/// Shared between the producer and the workers.
pub type Anchor = Arc<Start>;

/// Runs `produce` (which sends batches through its argument) against the
/// workers. `threads == 0` uses every available core.
pub fn run<T: Send>(
    ring: &KeyRing,
    anchor: Anchor,
    threads: usize,
    produce: impl FnOnce(&mut dyn FnMut(Batch) -> Result<()>) -> Result<T> + Send,
    mut progress: impl FnMut(u64),
) -> Result<(T, Outcome)> {
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let (work_tx, work_rx) = sync_channel::<(u64, Arc<Batch>)>(threads * 2);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (digest_tx, digest_rx) = sync_channel::<Arc<Batch>>(threads * 2);
    let (done_tx, done_rx) = sync_channel::<(u64, Vec<Shown>, u64)>(threads * 4);

    std::thread::scope(|scope| {
        let start = anchor.clone();
        let producer = scope.spawn(move || {
            let mut seq = 0u64;
            let mut last: Option<Vec<u8>> = None;
            let mut send = |batch: Batch| -> Result<()> {
                if batch.spans.is_empty() {
                    return Ok(());
                }
                last = batch.last_event().map(<[u8]>::to_vec);
                let batch = Arc::new(batch);
                if start.digest.get() == Some(&true) {
                    digest_tx.send(batch.clone()).map_err(|_| anyhow::anyhow!("the digest thread stopped"))?;
                }
                work_tx.send((seq, batch)).map_err(|_| anyhow::anyhow!("the verifier threads stopped"))?;
                seq += 1;
                Ok(())
            };
            let result = produce(&mut send);
            drop(work_tx);
            drop(digest_tx);
            result.map(|t| (t, seq, last))
        });
        let cp_start = anchor.clone();
        let digest = scope.spawn(move || {
            // The header (and so the checkpoint) is known before the first batch.
            let start = || match cp_start.checkpoint.get() {
                Some(Some(cp)) => (ArchiveDigest::with_checkpoint(cp), Some(EventsRoot::new())),
                _ => (ArchiveDigest::new(), None),
            };
            let mut state = None;
            for batch in digest_rx {
                let (digest, tree) = state.get_or_insert_with(start);
                for i in 0..batch.len() {
                    digest.event(batch.event(i));
                    if let Some(t) = tree {
                        t.event(batch.event(i));
                    }
                }
            }
            state.unwrap_or_else(start)
        });
        for _ in 0..threads {
            let work_rx = work_rx.clone();
            let done_tx = done_tx.clone();
            let anchor = anchor.clone();
            scope.spawn(move || worker(ring, &anchor, &work_rx, &done_tx));
        }
        drop(done_tx);

        // Collect in batch order.
        let mut pending: BTreeMap<u64, (Vec<Shown>, u64)> = BTreeMap::new();
        let mut next = 0u64;
        let mut findings = Vec::new();
        let mut checked = 0u64;
        for (seq, found, n) in done_rx {
            pending.insert(seq, (found, n));
            while let Some((found, n)) = pending.remove(&next) {
                findings.extend(found);
                checked += n;
                next += 1;
                progress(checked);
            }
        }
        let (value, batches, last) = producer.join().map_err(|_| anyhow::anyhow!("the input reader crashed"))??;
        if next != batches {
            anyhow::bail!("a verifier thread stopped early");
        }
        let (digest, tree) = digest.join().map_err(|_| anyhow::anyhow!("the digest thread crashed"))?;
        let head = last.as_deref().and_then(signcore::archive::stored_hash);
        Ok((value, Outcome { findings, checked, head, digest: Some(digest), tree }))
    })
}

fn worker(
    ring: &KeyRing,
    anchor: &Start,
    work: &Mutex<Receiver<(u64, Arc<Batch>)>>,
    done: &SyncSender<(u64, Vec<Shown>, u64)>,
) {
    loop {
        let item = match work.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((seq, batch)) = item else { return };
        let start_anchor = anchor.anchor.get().copied().flatten();
        let mut verifier = match &batch.prev {
            None => ChainVerifier::new(ring, start_anchor),
            Some(prev) => ChainVerifier::resume(ring, prev, batch.first),
        };
        let mut found = Vec::new();
        for i in 0..batch.len() {
            let event = batch.event(i);
            verifier.check_event(event, |f: Finding| {
                let before = if i == 0 { batch.prev.as_deref() } else { Some(batch.event(i - 1)) };
                found.push(Shown {
                    index: Some(f.index),
                    code: f.code.as_str(),
                    message: f.detail,
                    id: batch.ids.as_ref().and_then(|ids| ids.get(i).cloned()),
                    detail: explain(f.code, event, before, start_anchor),
                });
            });
        }
        if done.send((seq, found, batch.len() as u64)).is_err() {
            return;
        }
    }
}

#[derive(serde::Deserialize)]
struct Links<'a> {
    #[serde(borrow)]
    payload: Option<&'a serde_json::value::RawValue>,
    hash: Option<String>,
    prev_hash: Option<String>,
}

/// What differs, for hash and link findings: the stored and computed values.
fn explain(code: FindingCode, event: &[u8], before: Option<&[u8]>, anchor: Option<Hash>) -> Option<String> {
    let ev: Links = serde_json::from_slice(event).ok()?;
    let short = |h: &str| h.get(..16).map_or_else(|| h.to_string(), |s| format!("{s}…"));
    match code {
        FindingCode::HashMismatch => {
            let prev = match &ev.prev_hash {
                Some(p) => Some(signcore::digest::parse_hash(p).ok()?),
                None => None,
            };
            let payload = ev.payload?.get().as_bytes();
            let computed = signcore::digest::audit_digest(payload, prev.as_ref()).ok()?;
            let canonical = signcore::canonical::canonicalize_to_string(payload).ok()?;
            let shown = if canonical.len() > 160 {
                let cut = (0..=160).rev().find(|&i| canonical.is_char_boundary(i)).unwrap_or(0);
                format!("{}…", &canonical[..cut])
            } else {
                canonical
            };
            Some(format!(
                "stored hash {} but SHA256(canonical(payload) || prev_hash) is {}: the payload or prev_hash changed after hashing; canonical payload now {}",
                short(ev.hash.as_deref()?),
                short(HashHex::new(&computed).as_str()),
                shown
            ))
        }
        FindingCode::ChainBroken => {
            let expected = match before {
                Some(b) => signcore::archive::stored_hash(b).map(|h| HashHex::new(&h).as_str().to_string()),
                None => anchor.map(|h| HashHex::new(&h).as_str().to_string()),
            };
            Some(format!(
                "prev_hash is {} but {} is {}",
                ev.prev_hash.as_deref().map_or_else(|| "null".to_string(), short),
                if before.is_some() { "the previous event's hash" } else { "the expected anchor" },
                expected.as_deref().map_or_else(|| "null".to_string(), short)
            ))
        }
        _ => None,
    }
}
