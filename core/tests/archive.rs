//! Signed archives (DESIGN.md §8): the shared chain scenarios wrapped as
//! archives, truncation, reordering, substitution, unsigned and under-signed
//! archives, 2-of-3 cosigning, and the streaming digest against a reference
//! canonicalizer.
#![cfg(feature = "alloc")]
mod common;

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::value::RawValue;
use signcore::archive::{self, ArchiveCode, Found, Options, build_archive, cosign, verify_archive};
use signcore::digest::Hash;
use signcore::key::SigningKey;
use signcore::keystore::{KeyRing, load_key};

#[derive(Deserialize)]
struct Chains<'a> {
    #[serde(borrow)]
    ring: &'a RawValue,
    #[serde(borrow)]
    signing_keys: &'a RawValue,
    #[serde(borrow)]
    scenarios: Vec<Scenario<'a>>,
}

#[derive(Deserialize)]
struct Scenario<'a> {
    name: String,
    #[serde(borrow)]
    events: Vec<&'a RawValue>,
    expected: Vec<(u64, String)>,
}

struct Fixture {
    bytes: Vec<u8>,
}

impl Fixture {
    fn load() -> Self {
        Fixture { bytes: common::read("generated/audit_chains.json") }
    }
    fn doc(&self) -> Chains<'_> {
        serde_json::from_slice(&self.bytes).unwrap()
    }
}

fn key(doc: &Chains, id: &str) -> SigningKey {
    load_key(doc.signing_keys.get().as_bytes(), id).unwrap().into_key()
}

type Findings = BTreeSet<(Option<u64>, String)>;

fn verify(archive: &[u8], ring: &KeyRing, options: Options) -> (Findings, archive::ArchiveReport) {
    let mut found = Findings::new();
    let mut archive_seen = false;
    let report = verify_archive(archive, ring, options, |f| match f {
        Found::Event(e) => {
            assert!(!archive_seen, "chain findings come before archive findings");
            found.insert((Some(e.index), e.code.as_str().to_string()));
        }
        Found::Archive(a) => {
            archive_seen = true;
            found.insert((None, a.code.as_str().to_string()));
        }
    })
    .unwrap();
    assert_eq!(report.is_ok(), found.is_empty());
    (found, report)
}

fn only(codes: &[ArchiveCode]) -> Findings {
    codes.iter().map(|c| (None, c.as_str().to_string())).collect()
}

fn events_of<'a>(s: &Scenario<'a>) -> Vec<&'a [u8]> {
    s.events.iter().map(|e| e.get().as_bytes()).collect()
}

fn sign(events: &[&[u8]], first: u64, anchor: Option<Hash>, signers: &[(&str, &SigningKey)]) -> Vec<u8> {
    build_archive(events.iter().copied(), "memory-layer/audit", first, anchor, signers).unwrap()
}

#[test]
fn scenarios_wrapped_as_archives() {
    let fixture = Fixture::load();
    let doc = fixture.doc();
    let ring = KeyRing::from_json(doc.ring.get().as_bytes()).unwrap();
    let hmac = key(&doc, "audit-hmac-1");
    assert_eq!(doc.scenarios.len(), 15);
    for scenario in &doc.scenarios {
        let events = events_of(scenario);
        let archive = sign(&events, 0, None, &[("audit-hmac-1", &hmac)]);
        let (found, report) = verify(&archive, &ring, Options::default());
        let expected: Findings = scenario.expected.iter().map(|(i, c)| (Some(*i), c.clone())).collect();
        assert_eq!(found, expected, "scenario {}", scenario.name);
        assert_eq!(report.chain.checked as usize, events.len());
        assert_eq!(report.archive_findings, 0, "scenario {}", scenario.name);
        // The streaming digest equals a reference canonicalization of the
        // archive without its manifest.
        let mut value: serde_json::Value = serde_json::from_slice(&archive).unwrap();
        let stated = value["manifest"]["digest"].as_str().unwrap().to_string();
        value.as_object_mut().unwrap().remove("manifest");
        let reference = serde_json_canonicalizer::to_vec(&value).unwrap();
        assert_eq!(stated, signcore::hex::HashHex::new(&signcore::digest::sha256(&reference)).as_str());
        assert_eq!(report.digest.map(|d| signcore::hex::HashHex::new(&d).as_str().to_string()), Some(stated));
    }
    common::report("generated/audit_chains.json scenarios as signed archives", doc.scenarios.len());
}

#[test]
fn truncation_reordering_substitution() {
    let fixture = Fixture::load();
    let doc = fixture.doc();
    let ring = KeyRing::from_json(doc.ring.get().as_bytes()).unwrap();
    let hmac = key(&doc, "audit-hmac-1");
    let events = events_of(&doc.scenarios[0]);
    let archive = sign(&events, 0, None, &[("audit-hmac-1", &hmac)]);
    let mut value: serde_json::Value = serde_json::from_slice(&archive).unwrap();

    // Tail cut off, range kept: size and head disagree, digest differs.
    let mut cut = value.clone();
    cut["events"].as_array_mut().unwrap().truncate(40);
    let (found, _) = verify(&serde_json::to_vec(&cut).unwrap(), &ring, Options::default());
    assert_eq!(found, only(&[ArchiveCode::ArchiveDigestMismatch, ArchiveCode::RangeMismatch]));

    // Tail cut off and range rewritten to match: the digest still differs.
    let head = cut["events"][39]["hash"].clone();
    cut["range"]["size"] = 40.into();
    cut["range"]["head"] = head;
    let (found, _) = verify(&serde_json::to_vec(&cut).unwrap(), &ring, Options::default());
    assert_eq!(found, only(&[ArchiveCode::ArchiveDigestMismatch]));

    // Everything rewritten, digest recomputed, old signature kept: not signed.
    let mut forged = cut.clone();
    forged.as_object_mut().unwrap().remove("manifest");
    let digest = signcore::digest::sha256(&serde_json_canonicalizer::to_vec(&forged).unwrap());
    let mut with_digest = cut.clone();
    with_digest["manifest"]["digest"] = signcore::hex::HashHex::new(&digest).as_str().into();
    let (found, _) = verify(&serde_json::to_vec(&with_digest).unwrap(), &ring, Options::default());
    assert_eq!(found, only(&[ArchiveCode::ThresholdNotMet]));

    // An empty archive in place of the real one.
    let mut empty = value.clone();
    empty["events"] = serde_json::json!([]);
    let (found, _) = verify(&serde_json::to_vec(&empty).unwrap(), &ring, Options::default());
    assert_eq!(found, only(&[ArchiveCode::ArchiveDigestMismatch, ArchiveCode::RangeMismatch]));

    // Two events swapped: the chain breaks and the digest differs.
    let mut swapped = value.clone();
    swapped["events"].as_array_mut().unwrap().swap(10, 11);
    let (found, _) = verify(&serde_json::to_vec(&swapped).unwrap(), &ring, Options::default());
    let mut expected = only(&[ArchiveCode::ArchiveDigestMismatch]);
    expected.extend([
        (Some(10), "CHAIN_BROKEN".into()),
        (Some(11), "CHAIN_BROKEN".into()),
        (Some(12), "CHAIN_BROKEN".into()),
    ]);
    assert_eq!(found, expected);

    // A different, validly signed chain under this archive's manifest.
    let other = events_of(&doc.scenarios[1]);
    value["events"] = serde_json::Value::Array(other.iter().map(|e| serde_json::from_slice(e).unwrap()).collect());
    let head = value["events"][49]["hash"].clone();
    value["range"]["head"] = head;
    let (found, _) = verify(&serde_json::to_vec(&value).unwrap(), &ring, Options::default());
    assert_eq!(found, only(&[ArchiveCode::ArchiveDigestMismatch]));
}

#[test]
fn slices_and_anchors() {
    let fixture = Fixture::load();
    let doc = fixture.doc();
    let ring = KeyRing::from_json(doc.ring.get().as_bytes()).unwrap();
    let hmac = key(&doc, "audit-hmac-1");
    let events = events_of(&doc.scenarios[0]);
    let hash_of = |e: &[u8]| {
        let v: serde_json::Value = serde_json::from_slice(e).unwrap();
        signcore::digest::parse_hash(v["hash"].as_str().unwrap()).unwrap()
    };
    let anchor = hash_of(events[19]);
    let slice = sign(&events[20..], 20, Some(anchor), &[("audit-hmac-1", &hmac)]);
    let (found, report) = verify(&slice, &ring, Options::default());
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(report.range.unwrap().head, Some(hash_of(events[49])));
    // The expected anchor from the previous slice.
    let (found, _) = verify(&slice, &ring, Options { threshold: 1, expected_anchor: Some(Some(anchor)) });
    assert!(found.is_empty());
    let (found, _) = verify(&slice, &ring, Options { threshold: 1, expected_anchor: Some(None) });
    assert_eq!(found, only(&[ArchiveCode::RangeMismatch]));
    // A slice whose anchor is not the event before it.
    let wrong = sign(&events[20..], 20, Some(hash_of(events[5])), &[("audit-hmac-1", &hmac)]);
    let (found, _) = verify(&wrong, &ring, Options::default());
    assert_eq!(found, [(Some(0), "CHAIN_BROKEN".to_string())].into());
    // first = 0 with an anchor: RANGE_MISMATCH.
    let wrong = sign(&events[20..], 0, Some(anchor), &[("audit-hmac-1", &hmac)]);
    let (found, _) = verify(&wrong, &ring, Options::default());
    assert_eq!(found, only(&[ArchiveCode::RangeMismatch]));
    // An honest empty archive verifies.
    let empty = sign(&[], 50, Some(hash_of(events[49])), &[("audit-hmac-1", &hmac)]);
    let (found, report) = verify(&empty, &ring, Options::default());
    assert!(found.is_empty());
    assert_eq!(report.chain.checked, 0);
}

#[test]
fn unsigned_under_signed_and_cosigned() {
    let fixture = Fixture::load();
    let doc = fixture.doc();
    let ring = KeyRing::from_json(doc.ring.get().as_bytes()).unwrap();
    let (h, e1, e2) = (key(&doc, "audit-hmac-1"), key(&doc, "audit-ed25519-1"), key(&doc, "audit-ed25519-2"));
    let events = events_of(&doc.scenarios[2]);
    let t = |n| Options { threshold: n, expected_anchor: None };

    let unsigned = sign(&events, 0, None, &[]);
    assert_eq!(verify(&unsigned, &ring, t(1)).0, only(&[ArchiveCode::ThresholdNotMet]));
    let mut no_manifest: serde_json::Value = serde_json::from_slice(&unsigned).unwrap();
    no_manifest.as_object_mut().unwrap().remove("manifest");
    let (found, report) = verify(&serde_json::to_vec(&no_manifest).unwrap(), &ring, t(1));
    assert_eq!(found, only(&[ArchiveCode::ThresholdNotMet]));
    assert!(report.manifest.is_none());

    let one = cosign(&unsigned, "audit-ed25519-1", &e1).unwrap();
    assert!(verify(&one, &ring, t(1)).0.is_empty());
    assert_eq!(verify(&one, &ring, t(2)).0, only(&[ArchiveCode::ThresholdNotMet]));
    // The same key again does not count twice.
    let again = cosign(&one, "audit-ed25519-1", &e1).unwrap();
    let (found, report) = verify(&again, &ring, t(2));
    assert_eq!(found, only(&[ArchiveCode::ThresholdNotMet]));
    assert_eq!(report.manifest.unwrap().valid, 1);
    // 2 of 3.
    let two = cosign(&one, "audit-ed25519-2", &e2).unwrap();
    assert!(verify(&two, &ring, t(2)).0.is_empty());
    assert_eq!(verify(&two, &ring, t(3)).0, only(&[ArchiveCode::ThresholdNotMet]));
    let three = cosign(&two, "audit-hmac-1", &h).unwrap();
    let (found, report) = verify(&three, &ring, t(3));
    assert!(found.is_empty());
    assert_eq!(report.manifest.unwrap().valid, 3);
    // A key the verifier does not trust does not count.
    let stranger = SigningKey::ed25519_from_seed(&[7; 32]);
    let odd = cosign(&one, "stranger", &stranger).unwrap();
    assert_eq!(verify(&odd, &ring, t(2)).0, only(&[ArchiveCode::ThresholdNotMet]));
    // Cosigning refuses an archive whose digest is wrong.
    let mut bad: serde_json::Value = serde_json::from_slice(&one).unwrap();
    bad["origin"] = "elsewhere".into();
    assert!(cosign(&serde_json::to_vec(&bad).unwrap(), "audit-ed25519-2", &e2).is_err());
    // Threshold 0 is an input error.
    assert!(verify_archive(&two, &ring, t(0), |_| {}).is_err());
}

#[test]
fn not_archives_are_input_errors() {
    let fixture = Fixture::load();
    let doc = fixture.doc();
    let ring = KeyRing::from_json(doc.ring.get().as_bytes()).unwrap();
    let bad: &[&[u8]] = &[
        b"",
        b"[]",
        b"{}",
        b"null",
        br#"{"format":"signcore-archive/2","range":{"first":0,"size":0,"anchor":null,"head":null},"events":[]}"#,
        br#"{"format":"signcore-archive/1","events":{}}"#,
        br#"{"format":"signcore-archive/1","events":[],"extra":1}"#,
        br#"{"format":"signcore-archive/1","events":[],"events":[]}"#,
        br#"{"format":"signcore-archive/1","events":[]} x"#,
        br#"{"format":"signcore-archive/1","events":[{"a":1},"#,
        br#"{"format":"signcore-archive/1","events":["#,
    ];
    for input in bad {
        assert!(
            verify_archive(input, &ring, Options::default(), |_| {}).is_err(),
            "{}",
            String::from_utf8_lossy(input)
        );
    }
    // Unreadable range and manifest are findings, not errors.
    let odd =
        br#"{"format":"signcore-archive/1","origin":"o","range":{"first":-1},"events":[],"manifest":{"digest":1}}"#;
    let (found, _) = verify(odd, &ring, Options::default());
    assert_eq!(found, only(&[ArchiveCode::RangeMismatch, ArchiveCode::ThresholdNotMet]));
    // Members in any order.
    let hmac = key(&doc, "audit-hmac-1");
    let archive = sign(&events_of(&doc.scenarios[0]), 0, None, &[("audit-hmac-1", &hmac)]);
    let value: serde_json::Value = serde_json::from_slice(&archive).unwrap();
    let reordered = format!(
        r#"{{"manifest":{},"events":{},"range":{},"origin":{},"format":{}}}"#,
        value["manifest"], value["events"], value["range"], value["origin"], value["format"]
    );
    assert!(verify(reordered.as_bytes(), &ring, Options::default()).0.is_empty());
}

/// An archive may carry its checkpoint (§8, §12): covered by the digest,
/// checked against the events, kept by cosign.
#[test]
fn archives_carry_their_checkpoint() {
    use signcore::archive::{ArchiveWriter, Range, build_archive_with_checkpoint};
    use signcore::checkpoint::{self, Checkpoint};
    use signcore::merkle::root_of_event_hashes;
    use signcore::note::NoteSigner;
    let fixture = Fixture::load();
    let doc = fixture.doc();
    let ring = KeyRing::from_json(doc.ring.get().as_bytes()).unwrap();
    let ed = key(&doc, "audit-ed25519-1");
    let scenario = doc.scenarios.iter().find(|s| s.name == "valid-ed25519").unwrap();
    let events = events_of(scenario);
    let hashes: Vec<Hash> = events.iter().map(|e| archive::stored_hash(e).unwrap()).collect();
    let root = root_of_event_hashes(&hashes).unwrap();
    let origin = "memory-layer/audit";
    let signer = NoteSigner::new(origin, &ed).unwrap();
    let signers = [("audit-ed25519-1", &ed)];
    let a = build_archive_with_checkpoint(events.iter().copied(), origin, &signers, &signer).unwrap();
    let (found, report) = verify(&a, &ring, Options::default());
    assert!(found.is_empty(), "{found:?}");
    let cp = report.checkpoint.unwrap();
    assert_eq!((cp.size, cp.root, cp.root_checked, cp.signed_by_ring), (50, root, true, 1));
    // The member sits before the events and is the note, verbatim.
    let v: serde_json::Value = serde_json::from_slice(&a).unwrap();
    let note = v["checkpoint"].as_str().unwrap().to_string();
    let opened = checkpoint::open(note.as_bytes(), origin, &[*signer.verifier()], 1).unwrap();
    assert_eq!((opened.checkpoint.size, opened.checkpoint.root), (50, root));
    let text = String::from_utf8_lossy(&a);
    assert!(text.find("\"checkpoint\"").unwrap() < text.find("\"events\"").unwrap());

    // Cosigning keeps it (and the digest).
    let ed2 = key(&doc, "audit-ed25519-2");
    let cosigned = cosign(&a, "audit-ed25519-2", &ed2).unwrap();
    let (found, report) = verify(&cosigned, &ring, Options { threshold: 2, ..Options::default() });
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(report.checkpoint.unwrap().size, 50);

    // Editing the checkpoint breaks the digest; a signed archive whose
    // checkpoint is of another size, root or origin is CHECKPOINT_MISMATCH.
    let edited = String::from_utf8(a.clone()).unwrap().replacen("\\n50\\n", "\\n49\\n", 1);
    let (found, _) = verify(edited.as_bytes(), &ring, Options::default());
    assert!(found.contains(&(None, "ARCHIVE_DIGEST_MISMATCH".into())), "{found:?}");
    let range = Range { first: 0, size: 50, anchor: None, head: hashes.last().copied() };
    let with_note = |note: &str| {
        let mut w = ArchiveWriter::with_checkpoint(origin, range, note);
        for e in &events {
            w.event(e).unwrap();
        }
        w.finish(&signers).unwrap()
    };
    let mut n = 0;
    for (cp, why) in [
        (Checkpoint::new(origin, 49, root).unwrap(), "size"),
        (Checkpoint::new(origin, 50, [7; 32]).unwrap(), "root"),
        (Checkpoint::new("other/log", 50, root).unwrap(), "origin"),
    ] {
        let note = checkpoint::sign(&cp, &[&signer]).unwrap();
        let (found, report) = verify(&with_note(&note), &ring, Options::default());
        assert_eq!(found, only(&[ArchiveCode::CheckpointMismatch]), "{why}");
        assert!(report.checkpoint.is_some());
        n += 1;
    }
    // Not a signed note at all; a signature by a ring key that does not verify.
    let (found, report) = verify(&with_note("hello\n"), &ring, Options::default());
    assert_eq!((found, report.checkpoint), (only(&[ArchiveCode::CheckpointMismatch]), None));
    let mut bad = note.clone().into_bytes();
    let at = bad.len() - 6;
    bad[at] = if bad[at] == b'A' { b'B' } else { b'A' };
    let (found, _) = verify(&with_note(core::str::from_utf8(&bad).unwrap()), &ring, Options::default());
    assert_eq!(found, only(&[ArchiveCode::CheckpointMismatch]));
    // A checkpoint signed by a key outside the ring is fine (0 ring signatures).
    let other = NoteSigner::new(origin, &SigningKey::ed25519_from_seed(&[5; 32])).unwrap();
    let note_other = checkpoint::sign(&Checkpoint::new(origin, 50, root).unwrap(), &[&other]).unwrap();
    let (found, report) = verify(&with_note(&note_other), &ring, Options::default());
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(report.checkpoint.unwrap().signed_by_ring, 0);

    // A slice carries the log's checkpoint at its last event: only the size is checked.
    let anchor = hashes[9];
    let slice_range = Range { first: 10, size: 40, anchor: Some(anchor), head: hashes.last().copied() };
    for (size, ok) in [(50u64, true), (40, false)] {
        let note = checkpoint::sign(&Checkpoint::new(origin, size, [3; 32]).unwrap(), &[&signer]).unwrap();
        let mut w = ArchiveWriter::with_checkpoint(origin, slice_range, &note);
        for e in &events[10..] {
            w.event(e).unwrap();
        }
        let (found, report) = verify(&w.finish(&signers).unwrap(), &ring, Options::default());
        assert_eq!(found.is_empty(), ok, "slice with a checkpoint of size {size}: {found:?}");
        assert!(!report.checkpoint.unwrap().root_checked);
        n += 1;
    }
    // An unknown member is still refused.
    let unknown = String::from_utf8(a).unwrap().replacen("\"checkpoint\"", "\"checkpoints\"", 1);
    assert!(verify_archive(unknown.as_bytes(), &ring, Options::default(), |_| {}).is_err());
    common::report("archive checkpoints", n + 6);
}
