//! `signcore checkpoint`, `prove`, `verify-proof` and `keys ring
//! --note-verifier` through the built binary (DESIGN.md §12): every proof
//! of a 50-event chain generated and verified, compared with the core's
//! `MerkleTree`; tampered proofs, wrong sizes, missing/extra/invalid
//! signatures and another origin refused with their codes; every input
//! error exit 2 with one line. With `SIGNCORE_TLOGCHECK` (set by
//! `make test-go`), Go's `note.Open`, `tlog.CheckRecord` and
//! `tlog.CheckTree` verify what the command printed.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64ct::{Base64, Encoding};
use common::{Vectors, assert_input_error, run, run_stdin};
use serde_json::Value;
use signcore::checkpoint;
use signcore::digest::{Hash, parse_hash};
use signcore::key::SigningKey;
use signcore::merkle::MerkleTree;
use signcore::note::{NoteSigner, NoteVerifier};

const ORIGIN: &str = "example.com/audit";
const KID: &str = "audit-ed25519-1";

struct Fixture {
    dir: tempfile::TempDir,
    keystore: PathBuf,
    events: PathBuf,
    hashes: Vec<Hash>,
    vkey: String,
    key: SigningKey,
}

impl Fixture {
    fn new() -> Fixture {
        let v = Vectors::load();
        let dir = tempfile::tempdir().unwrap();
        let keystore = v.write_keystore(dir.path());
        let (_, events, expected) = v.raw_events().into_iter().find(|s| s.0 == "valid-ed25519").unwrap();
        assert!(expected.is_empty());
        let path = dir.path().join("events.ndjson");
        std::fs::write(&path, common::ndjson(&events)).unwrap();
        let hashes = events.iter().map(|e| signcore::archive::stored_hash(e).unwrap()).collect();
        let key = v.key(KID);
        let vkey = NoteSigner::new(ORIGIN, &key).unwrap().verifier().to_string();
        Fixture { dir, keystore, events: path, hashes, vkey, key }
    }

    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn s(path: &Path) -> &str {
        path.to_str().unwrap()
    }

    /// `signcore checkpoint` of the first `size` events (all when None), written to `name`.
    fn checkpoint(&self, size: Option<u64>, name: &str) -> PathBuf {
        let out = self.p(name);
        let size_s = size.map(|s| s.to_string());
        let mut args = vec![
            "checkpoint",
            Self::s(&self.events),
            "--origin",
            ORIGIN,
            "--keystore",
            Self::s(&self.keystore),
            "--key-id",
            KID,
            "--out",
            Self::s(&out),
        ];
        if let Some(s) = &size_s {
            args.extend(["--size", s]);
        }
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.is_empty());
        assert!(stderr.contains(&self.vkey), "{stderr}");
        out
    }

    fn verify(&self, proof: &Path, extra: &[&str]) -> (i32, String, String) {
        let mut args = vec!["verify-proof", Self::s(proof), "--origin", ORIGIN, "--verifier-key", &self.vkey];
        args.extend_from_slice(extra);
        run(&args)
    }

    fn verify_json(&self, proof: &Path, extra: &[&str]) -> (i32, Value) {
        let mut args = extra.to_vec();
        args.push("--json");
        let (code, stdout, stderr) = self.verify(proof, &args);
        assert!(code == 0 || code == 1, "{stderr}");
        (code, serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}")))
    }
}

fn hexs(h: &Hash) -> String {
    signcore::hex::HashHex::new(h).as_str().to_string()
}

fn codes(report: &Value) -> Vec<String> {
    report["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap().to_string()).collect()
}

fn write_json(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_vec_pretty(v).unwrap()).unwrap();
}

fn hexes(v: &Value) -> Vec<Hash> {
    v.as_array().unwrap().iter().map(|h| parse_hash(h.as_str().unwrap()).unwrap()).collect()
}

#[test]
fn checkpoint_is_the_cores_signed_tree_head() {
    let f = Fixture::new();
    let cp = f.checkpoint(None, "cp.txt");
    let note = std::fs::read(&cp).unwrap();
    let verifier: NoteVerifier = f.vkey.parse().unwrap();
    let opened = checkpoint::open(&note, ORIGIN, &[verifier], 1).unwrap();
    let tree = MerkleTree::from_event_hashes(&f.hashes);
    assert_eq!((opened.checkpoint.size, opened.checkpoint.root), (50, tree.root()));
    // Ed25519 is deterministic: the same bytes as the core's own signature.
    let signer = NoteSigner::new(ORIGIN, &f.key).unwrap();
    let expected =
        checkpoint::sign(&checkpoint::Checkpoint::new(ORIGIN, 50, tree.root()).unwrap(), &[&signer]).unwrap();
    assert_eq!(String::from_utf8(note).unwrap(), expected);

    // stdout by default; the same from stdin, gzip, a JSON array and a full archive.
    let ks = Fixture::s(&f.keystore);
    let base = ["checkpoint", "--origin", ORIGIN, "--keystore", ks, "--key-id", KID];
    let events = std::fs::read(&f.events).unwrap();
    let (code, stdout, _) = run_stdin(&[&base[..], &["-"]].concat(), &events);
    assert_eq!((code, stdout.as_str()), (0, expected.as_str()));
    let (code, stdout, _) = run_stdin(&[&base[..], &["-"]].concat(), &common::gzip(&events));
    assert_eq!((code, stdout.as_str()), (0, expected.as_str()));
    let lines: Vec<Vec<u8>> = events.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect();
    std::fs::write(f.p("a.json"), common::array(&lines)).unwrap();
    let (code, stdout, _) = run(&[&base[..], &[Fixture::s(&f.p("a.json"))]].concat());
    assert_eq!((code, stdout.as_str()), (0, expected.as_str()));
    std::fs::write(f.p("ar.json"), common::archive(&lines, 0, None, &[(KID, &f.key)])).unwrap();
    let (code, stdout, _) = run(&[&base[..], &[Fixture::s(&f.p("ar.json"))]].concat());
    assert_eq!((code, stdout.as_str()), (0, expected.as_str()));

    // --size and --json.
    let (code, stdout, stderr) =
        run(&[&base[..], &[Fixture::s(&f.events), "--size", "20", "--json", "--name", "other-name"]].concat());
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["size"], 20);
    assert_eq!(v["root"].as_str().unwrap(), hexs(&tree.root_at(20).unwrap()));
    let other = NoteSigner::new("other-name", &f.key).unwrap().verifier().to_string();
    assert_eq!(v["verifier_key"].as_str().unwrap(), other);
    assert!(v["note"].as_str().unwrap().contains("\n\n\u{2014} other-name "));
    assert_eq!(v["key_id"], KID);
    assert!(stderr.is_empty(), "--json prints nothing else: {stderr}");
    let cp = checkpoint::open(v["note"].as_str().unwrap().as_bytes(), ORIGIN, &[other.parse().unwrap()], 1).unwrap();
    assert_eq!(v["root_base64"].as_str().unwrap(), cp.note.text.lines().nth(2).unwrap());
    common::report_count("checkpoint: inputs", 6);
}

#[test]
fn checkpoint_input_errors() {
    let f = Fixture::new();
    let ks = Fixture::s(&f.keystore);
    let ev = Fixture::s(&f.events);
    let lines: Vec<Vec<u8>> = std::fs::read(&f.events)
        .unwrap()
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    let anchor = signcore::archive::stored_hash(&lines[9]).unwrap();
    std::fs::write(f.p("slice.json"), common::archive(&lines[10..], 10, Some(anchor), &[(KID, &f.key)])).unwrap();
    std::fs::write(f.p("nohash.ndjson"), b"{\"payload\":{},\"hash\":\"zz\"}\n").unwrap();
    let (slice, nohash, missing) = (f.p("slice.json"), f.p("nohash.ndjson"), f.p("missing"));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![ev, "--origin", ORIGIN, "--keystore", ks, "--key-id", "audit-hmac-1"], "Ed25519 keys only"),
        (vec![ev, "--origin", ORIGIN, "--keystore", ks], "--key-id"),
        (vec![ev, "--origin", ORIGIN, "--keystore", ks, "--key-id", "nope"], "nope"),
        (vec![ev, "--origin", "", "--keystore", ks, "--key-id", KID], "origin"),
        (vec![ev, "--origin", "a\u{1}b", "--keystore", ks, "--key-id", KID], "origin"),
        (vec![ev, "--origin", ORIGIN, "--name", "has space", "--keystore", ks, "--key-id", KID], "name"),
        (vec![ev, "--origin", ORIGIN, "--size", "51", "--keystore", ks, "--key-id", KID], "only 50 events"),
        (vec![Fixture::s(&slice), "--origin", ORIGIN, "--keystore", ks, "--key-id", KID], "slice"),
        (vec![Fixture::s(&nohash), "--origin", ORIGIN, "--keystore", ks, "--key-id", KID], "event 0"),
        (vec![Fixture::s(&missing), "--origin", ORIGIN, "--keystore", ks, "--key-id", KID], "cannot open"),
        (vec!["--origin", ORIGIN, "--keystore", ks, "--key-id", KID], "FILE"),
        (vec![ev, "--keystore", ks, "--key-id", KID], "--origin"),
    ];
    for (args, want) in &cases {
        let (code, stdout, stderr) = run(&[&["checkpoint"][..], args].concat());
        assert_eq!(code, 2, "{args:?}: {stderr}");
        if stderr.starts_with("signcore: ") {
            assert_input_error(code, &stderr);
        }
        assert!(stdout.is_empty());
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
    common::report_count("checkpoint: input errors", cases.len());
}

#[test]
fn keys_ring_note_verifier_form() {
    let f = Fixture::new();
    let ks = Fixture::s(&f.keystore);
    let (code, stdout, stderr) = run(&["keys", "ring", "--keystore", ks, "--note-verifier", "--name", ORIGIN]);
    assert_eq!(code, 0, "{stderr}");
    let v = Vectors::load();
    let expected: Vec<String> = ["audit-ed25519-1", "audit-ed25519-2"]
        .iter()
        .map(|id| NoteSigner::new(ORIGIN, &v.key(id)).unwrap().verifier().to_string())
        .collect();
    assert_eq!(stdout.lines().collect::<Vec<_>>(), expected);
    assert!(stderr.contains("audit-hmac-1"), "the HMAC key is said to be skipped: {stderr}");
    let (code, stdout, _) =
        run(&["keys", "ring", "--keystore", ks, "--note-verifier", "--name", ORIGIN, "--key-id", KID]);
    assert_eq!((code, stdout.trim_end()), (0, f.vkey.as_str()));
    let out = f.p("vkey.txt");
    let (code, _, _) = run(&[
        "keys",
        "ring",
        "--keystore",
        ks,
        "--note-verifier",
        "--name",
        ORIGIN,
        "--key-id",
        KID,
        "--out",
        Fixture::s(&out),
    ]);
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(&out).unwrap().trim_end(), f.vkey);
    for (args, want) in [
        (vec!["--note-verifier", "--name", ORIGIN, "--key-id", "audit-hmac-1"], "only Ed25519"),
        (vec!["--note-verifier", "--name", ORIGIN, "--key-id", "nope"], "no key"),
        (vec!["--note-verifier"], "--name"),
        (vec!["--note-verifier", "--name", "a+b"], "name"),
        (vec!["--name", ORIGIN], "--note-verifier"),
        (vec!["--note-verifier", "--name", ORIGIN, "--include-secrets"], "--include-secrets"),
    ] {
        let (code, _, stderr) = run(&[&["keys", "ring", "--keystore", ks][..], &args].concat());
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
}

#[test]
fn every_proof_of_the_chain_verifies_and_equals_the_cores() {
    let f = Fixture::new();
    let tree = MerkleTree::from_event_hashes(&f.hashes);
    let mut checkpoints = vec![PathBuf::new()];
    for size in 1..=50u64 {
        checkpoints.push(f.checkpoint(Some(size), &format!("cp{size}.txt")));
    }
    let ev = Fixture::s(&f.events);
    let mut n = 0;
    for index in 0..50u64 {
        let out = f.p("incl.json");
        let i = index.to_string();
        let (code, _, stderr) = run(&[
            "prove",
            "inclusion",
            ev,
            "--index",
            &i,
            "--checkpoint",
            Fixture::s(&checkpoints[50]),
            "--out",
            Fixture::s(&out),
        ]);
        assert_eq!(code, 0, "{stderr}");
        let p: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(p["format"], "signcore-proof/1");
        assert_eq!(hexes(&p["proof"]), tree.inclusion_proof(index, 50).unwrap());
        assert_eq!(p["event_hash"].as_str().unwrap(), hexs(&f.hashes[index as usize]));
        let (code, report) = f.verify_json(&out, &[]);
        assert_eq!((code, report["ok"].as_bool()), (0, Some(true)), "{report}");
        assert_eq!(report["checkpoint"]["signatures_verified"], 1);
        n += 1;
    }
    for old in 1..=50u64 {
        let out = f.p("cons.json");
        let m = old.to_string();
        let (code, _, stderr) = run(&[
            "prove",
            "consistency",
            ev,
            "--old-size",
            &m,
            "--checkpoint",
            Fixture::s(&checkpoints[50]),
            "--old-checkpoint",
            Fixture::s(&checkpoints[old as usize]),
            "--out",
            Fixture::s(&out),
        ]);
        assert_eq!(code, 0, "{stderr}");
        let p: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(hexes(&p["proof"]), tree.consistency_proof(old, 50).unwrap());
        let (code, stdout, stderr) = f.verify(&out, &[]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        assert!(stdout.starts_with("VERIFIED: the tree of"), "{stdout}");
        n += 1;
    }
    // A proof for a smaller tree than the chain (--size), without a checkpoint.
    let (code, _, stderr) = run(&["prove", "inclusion", ev, "--index", "3", "--size", "10"]);
    assert_eq!(code, 0, "{stderr}");
    common::report_count("proofs generated and verified (inclusion and consistency, size 50)", n);
}

/// The proof of event 7 of 50 with its checkpoint, and the checkpoint path.
fn inclusion_fixture(f: &Fixture) -> (Value, PathBuf) {
    let cp = f.checkpoint(None, "cp.txt");
    let (code, stdout, stderr) =
        run(&["prove", "inclusion", Fixture::s(&f.events), "--index", "7", "--checkpoint", Fixture::s(&cp)]);
    assert_eq!(code, 0, "{stderr}");
    (serde_json::from_str(&stdout).unwrap(), cp)
}

#[test]
fn tampered_proofs_are_refused_with_a_reason() {
    let f = Fixture::new();
    let (good, _) = inclusion_fixture(&f);
    let other = SigningKey::ed25519_from_seed(&[9; 32]);
    let other_signer = NoteSigner::new("witness.example/w1", &other).unwrap();
    let note = good["checkpoint"].as_str().unwrap().to_string();
    let text = signcore::note::text_unverified(note.as_bytes()).unwrap().to_string();
    let mut cases: Vec<(&str, Value, Vec<&str>, &str)> = Vec::new();
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        v
    };
    cases.push(("a proof hash changed", edit(&|v| v["proof"][1] = "00".repeat(32).into()), vec![], "ROOT_MISMATCH"));
    cases.push((
        "a proof hash dropped",
        edit(&|v| {
            v["proof"].as_array_mut().unwrap().pop();
        }),
        vec![],
        "INVALID_PROOF_LENGTH",
    ));
    cases.push(("another index", edit(&|v| v["index"] = 6.into()), vec![], "ROOT_MISMATCH"));
    cases.push(("an index beyond the tree", edit(&|v| v["index"] = 50.into()), vec![], "INDEX_OUT_OF_RANGE"));
    cases.push(("a wrong size", edit(&|v| v["size"] = 49.into()), vec![], "SIZE_MISMATCH"));
    cases.push(("another root", edit(&|v| v["root"] = "11".repeat(32).into()), vec![], "ROOT_MISMATCH"));
    cases.push((
        "the event's payload edited",
        edit(&|v| v["event"]["payload"]["actor"] = "mallory".into()),
        vec![],
        "HASH_MISMATCH",
    ));
    cases.push((
        "another event's hash claimed",
        edit(&|v| v["event_hash"] = "22".repeat(32).into()),
        vec![],
        "EVENT_HASH_MISMATCH",
    ));
    // Signatures: missing (only a witness signed), invalid, below threshold, another origin.
    let witness_only = signcore::note::sign(&text, &[&other_signer]).unwrap();
    cases.push((
        "no signature by a trusted key",
        edit(&|v| v["checkpoint"] = witness_only.clone().into()),
        vec![],
        "THRESHOLD_NOT_MET",
    ));
    let mut flipped = note.clone().into_bytes();
    let at = flipped.len() - 6;
    flipped[at] = if flipped[at] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    cases.push((
        "a trusted signature altered",
        edit(&|v| v["checkpoint"] = flipped.clone().into()),
        vec![],
        "SIGNATURE_INVALID",
    ));
    let wvkey = other_signer.verifier().to_string();
    cases.push((
        "a threshold of 2 with one signature",
        good.clone(),
        vec!["--verifier-key", wvkey.as_str(), "--threshold", "2"],
        "THRESHOLD_NOT_MET",
    ));
    let signer = NoteSigner::new(ORIGIN, &f.key).unwrap();
    let other_log = checkpoint::sign(
        &checkpoint::Checkpoint::parse(&text.replacen(ORIGIN, "example.com/other", 1)).unwrap(),
        &[&signer],
    )
    .unwrap();
    cases.push((
        "a checkpoint of another log",
        edit(&|v| v["checkpoint"] = other_log.clone().into()),
        vec![],
        "ORIGIN_MISMATCH",
    ));
    let mut n = 0;
    for (what, proof, extra, code_wanted) in &cases {
        let path = f.p("bad.json");
        write_json(&path, proof);
        let (code, report) = f.verify_json(&path, extra);
        assert_eq!(code, 1, "{what}: {report}");
        assert_eq!(report["ok"], false);
        assert!(codes(&report).contains(&code_wanted.to_string()), "{what}: {report}");
        let (code, stdout, _) = f.verify(&path, extra);
        assert_eq!(code, 1);
        assert!(stdout.starts_with("NOT VERIFIED: ") && stdout.contains(code_wanted), "{what}: {stdout}");
        n += 1;
    }
    // An extra signature by an unknown key is ignored; cosigned by both keys meets 2-of-2.
    let mut cosigned = String::new();
    signcore::note::add_signature(note.as_bytes(), &other_signer, &mut cosigned).unwrap();
    let path = f.p("cosigned.json");
    write_json(&path, &edit(&|v| v["checkpoint"] = cosigned.clone().into()));
    let (code, report) = f.verify_json(&path, &[]);
    assert_eq!((code, &report["checkpoint"]["signatures_ignored"]), (0, &Value::from(1)), "{report}");
    let (code, report) = f.verify_json(&path, &["--verifier-key", &wvkey, "--threshold", "2"]);
    assert_eq!((code, &report["checkpoint"]["signatures_verified"]), (0, &Value::from(2)), "{report}");
    // The checkpoint from the command line instead of the proof.
    let path = f.p("bare.json");
    write_json(&path, &edit(&|v| v["checkpoint"] = Value::Null));
    std::fs::write(f.p("cosigned.txt"), &cosigned).unwrap();
    let (code, _, stderr) = f.verify(&path, &["--checkpoint", Fixture::s(&f.p("cosigned.txt"))]);
    assert_eq!(code, 0, "{stderr}");
    common::report_count("verify-proof refusals", n);
}

#[test]
fn consistency_refusals() {
    let f = Fixture::new();
    let ev = Fixture::s(&f.events);
    let cp50 = f.checkpoint(None, "cp50.txt");
    let cp20 = f.checkpoint(Some(20), "cp20.txt");
    let cp21 = f.checkpoint(Some(21), "cp21.txt");
    let (code, stdout, stderr) = run(&[
        "prove",
        "consistency",
        ev,
        "--old-size",
        "20",
        "--checkpoint",
        Fixture::s(&cp50),
        "--old-checkpoint",
        Fixture::s(&cp20),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let good: Value = serde_json::from_str(&stdout).unwrap();
    let path = f.p("c.json");
    write_json(&path, &good);
    assert_eq!(f.verify(&path, &[]).0, 0);
    // The old checkpoint of another size; a changed path; a rewritten old root.
    let (code, report) = f.verify_json(&path, &["--old-checkpoint", Fixture::s(&cp21)]);
    assert_eq!((code, codes(&report)), (1, vec!["SIZE_MISMATCH".to_string()]), "{report}");
    let mut bad = good.clone();
    bad["proof"][0] = "33".repeat(32).into();
    write_json(&path, &bad);
    let (code, report) = f.verify_json(&path, &[]);
    assert_eq!((code, codes(&report)), (1, vec!["ROOT_MISMATCH".to_string()]), "{report}");
    let mut bad = good.clone();
    bad["old_root"] = "44".repeat(32).into();
    write_json(&path, &bad);
    assert_eq!(f.verify_json(&path, &[]).0, 1);
    // A consistency proof without its old checkpoint is an input error.
    let mut bare = good.clone();
    bare.as_object_mut().unwrap().remove("old_checkpoint");
    write_json(&path, &bare);
    let (code, _, stderr) = f.verify(&path, &[]);
    assert_input_error(code, &stderr);
    assert!(stderr.contains("--old-checkpoint"), "{stderr}");
    // prove refuses a checkpoint the events do not match.
    let (code, stdout, stderr) = run(&[
        "prove",
        "consistency",
        ev,
        "--old-size",
        "20",
        "--checkpoint",
        Fixture::s(&cp50),
        "--old-checkpoint",
        Fixture::s(&cp21),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty() && stderr.contains("ROOT_MISMATCH"), "{stderr}");
    let (code, _, stderr) =
        run(&["prove", "inclusion", ev, "--index", "3", "--size", "20", "--checkpoint", Fixture::s(&cp21)]);
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn proof_input_errors() {
    let f = Fixture::new();
    let (good, cp) = inclusion_fixture(&f);
    let ev = Fixture::s(&f.events);
    let path = f.p("p.json");
    write_json(&path, &good);
    let p = Fixture::s(&path);
    let mut cases: Vec<(Vec<String>, &str)> = Vec::new();
    let mk = |args: &[&str]| args.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    cases.push((mk(&["verify-proof", p, "--origin", ORIGIN, "--verifier-key", "nope"]), "--verifier-key"));
    cases.push((mk(&["verify-proof", p, "--origin", ORIGIN]), "--verifier-key"));
    cases.push((mk(&["verify-proof", p, "--verifier-key", &f.vkey]), "--origin"));
    cases.push((
        mk(&["verify-proof", p, "--origin", ORIGIN, "--verifier-key", &f.vkey, "--threshold", "0"]),
        "threshold",
    ));
    cases.push((
        mk(&["verify-proof", p, "--origin", ORIGIN, "--verifier-key", &f.vkey, "--threshold", "2"]),
        "threshold",
    ));
    cases.push((mk(&["verify-proof", "missing.json", "--origin", ORIGIN, "--verifier-key", &f.vkey]), "cannot read"));
    cases.push((mk(&["prove", "inclusion", ev, "--index", "50"]), "INDEX_OUT_OF_RANGE"));
    cases.push((mk(&["prove", "inclusion", ev, "--index", "3", "--size", "51"]), "only 50"));
    cases.push((mk(&["prove", "inclusion", ev]), "--index"));
    cases.push((mk(&["prove", "consistency", ev, "--old-size", "0"]), "INVALID_TREE_SIZE"));
    cases.push((mk(&["prove", "consistency", ev, "--old-size", "51"]), "INVALID_TREE_SIZE"));
    cases.push((mk(&["prove", "inclusion", ev, "--index", "1", "--checkpoint", ev]), "malformed"));
    type Edit = Box<dyn Fn(&mut Value)>;
    let edits: Vec<(&str, Edit, &str)> = vec![
        ("not JSON", Box::new(|v| *v = Value::String("x".into())), "format"),
        ("no format", Box::new(|v| v["format"] = Value::Null), "format"),
        ("bad type", Box::new(|v| v["type"] = "other".into()), "type"),
        ("bad hex", Box::new(|v| v["proof"][0] = "zz".into()), "proof[0]"),
        ("short hash", Box::new(|v| v["root"] = "abcd".into()), "root"),
        ("no size", Box::new(|v| v["size"] = Value::Null), "size"),
        ("negative index", Box::new(|v| v["index"] = (-1).into()), "index"),
        ("no checkpoint", Box::new(|v| v["checkpoint"] = Value::Null), "no checkpoint"),
        ("malformed checkpoint", Box::new(|v| v["checkpoint"] = "hello\n".into()), "malformed signed note"),
        ("too many hashes", Box::new(|v| v["proof"] = vec![Value::from("55".repeat(32)); 66].into()), "65"),
    ];
    for (i, (_, e, want)) in edits.iter().enumerate() {
        let mut v = good.clone();
        e(&mut v);
        let q = f.p(&format!("e{i}.json"));
        write_json(&q, &v);
        cases.push((mk(&["verify-proof", Fixture::s(&q), "--origin", ORIGIN, "--verifier-key", &f.vkey]), want));
    }
    std::fs::write(f.p("junk.json"), b"{not json").unwrap();
    cases.push((
        mk(&["verify-proof", Fixture::s(&f.p("junk.json")), "--origin", ORIGIN, "--verifier-key", &f.vkey]),
        "JSON",
    ));
    for (args, want) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
    }
    // The proof from stdin.
    let (code, _, stderr) = run_stdin(
        &["verify-proof", "-", "--origin", ORIGIN, "--verifier-key", &f.vkey],
        &std::fs::read(&path).unwrap(),
    );
    assert_eq!(code, 0, "{stderr}");
    let _ = cp;
    common::report_count("prove/verify-proof input errors", cases.len());
}

#[test]
fn help_has_examples() {
    for cmd in [
        vec!["checkpoint", "--help"],
        vec!["prove", "inclusion", "--help"],
        vec!["prove", "consistency", "--help"],
        vec!["verify-proof", "--help"],
        vec!["keys", "ring", "--help"],
    ] {
        let (code, stdout, _) = run(&cmd);
        assert_eq!(code, 0);
        assert!(stdout.contains("Example"), "{cmd:?}: {stdout}");
    }
    let (_, stdout, _) = run(&["prove", "inclusion", "--help"]);
    assert!(stdout.contains("32 bytes per event"));
    let (_, stdout, _) = run(&["checkpoint", "--help"]);
    assert!(stdout.contains("memory stays flat"));
}

/// Go's `tlogcheck` (tests/go) answering one query per line.
fn go_answers(bin: &str, queries: &[String]) -> Vec<String> {
    let mut child = Command::new(bin).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = queries.join("\n") + "\n";
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn go_verifies_what_the_command_printed() {
    let Ok(go) = std::env::var("SIGNCORE_TLOGCHECK") else {
        println!("go interop: skipped (SIGNCORE_TLOGCHECK unset; run `make test-go`)");
        return;
    };
    let f = Fixture::new();
    let ev = Fixture::s(&f.events);
    let b64 = |b: &[u8]| Base64::encode_string(b);
    let list = |v: &Value| {
        let h: Vec<&str> = v.as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
        if h.is_empty() { "-".to_string() } else { h.join(",") }
    };
    let mut queries = Vec::new();
    for size in [1u64, 2, 3, 7, 8, 13, 32, 50] {
        let cp = f.checkpoint(Some(size), &format!("go{size}.txt"));
        queries.push(format!("open {} {}", b64(&std::fs::read(&cp).unwrap()), f.vkey));
        for index in 0..size {
            let (code, stdout, stderr) = run(&[
                "prove",
                "inclusion",
                ev,
                "--index",
                &index.to_string(),
                "--size",
                &size.to_string(),
                "--checkpoint",
                Fixture::s(&cp),
            ]);
            assert_eq!(code, 0, "{stderr}");
            let p: Value = serde_json::from_str(&stdout).unwrap();
            queries.push(format!(
                "checkincl {size} {index} {} {} {}",
                p["root"].as_str().unwrap(),
                p["event_hash"].as_str().unwrap(),
                list(&p["proof"])
            ));
        }
        for old in 1..=size {
            let (code, stdout, stderr) =
                run(&["prove", "consistency", ev, "--old-size", &old.to_string(), "--size", &size.to_string()]);
            assert_eq!(code, 0, "{stderr}");
            let p: Value = serde_json::from_str(&stdout).unwrap();
            queries.push(format!(
                "checkcons {size} {old} {} {} {}",
                p["root"].as_str().unwrap(),
                p["old_root"].as_str().unwrap(),
                list(&p["proof"])
            ));
        }
    }
    let answers = go_answers(&go, &queries);
    assert_eq!(answers.len(), queries.len());
    for (q, a) in queries.iter().zip(&answers) {
        assert!(a.starts_with("ok"), "Go refused {q}: {a}");
        if let Some(rest) = q.strip_prefix("open ") {
            // ok <text> <verified signatures> <unverified signatures>
            let note = Base64::decode_vec(rest.split(' ').next().unwrap()).unwrap();
            let text = signcore::note::text_unverified(&note).unwrap();
            assert_eq!(a, &format!("ok {} 1 0", b64(text.as_bytes())), "{q}");
        }
    }
    // And Go refuses a tampered one.
    let bad = queries.iter().find(|q| q.starts_with("checkincl 50 7 ")).unwrap().replacen(
        "checkincl 50 7 ",
        "checkincl 50 6 ",
        1,
    );
    assert!(go_answers(&go, &[bad])[0].starts_with("err"));
    println!(
        "go interop: {} signcore CLI notes and proofs verified by Go's note.Open / tlog.CheckRecord / tlog.CheckTree",
        queries.len()
    );
}

#[test]
fn archives_carry_their_checkpoint() {
    let f = Fixture::new();
    let v = Vectors::load();
    let ring = v.write_ring(f.dir.path());
    let (ks, ev, r) = (Fixture::s(&f.keystore), Fixture::s(&f.events), Fixture::s(&ring));
    let out = f.p("a.json");
    let a = Fixture::s(&out);
    let (code, _, stderr) = run(&[
        "archive",
        "--from",
        ev,
        "--origin",
        ORIGIN,
        "--out",
        a,
        "--keystore",
        ks,
        "--key-id",
        KID,
        "--checkpoint",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let written = std::fs::read(&out).unwrap();
    let archive: Value = serde_json::from_slice(&written).unwrap();
    let note = archive["checkpoint"].as_str().unwrap();
    // Streamed in two passes, byte for byte the core's in-memory build of the same events.
    let texts: Vec<Vec<u8>> = std::fs::read(&f.events)
        .unwrap()
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    let in_memory = signcore::archive::build_archive_with_checkpoint(
        texts.iter().map(Vec::as_slice),
        ORIGIN,
        &[(KID, &f.key)],
        &NoteSigner::new(ORIGIN, &f.key).unwrap(),
    )
    .unwrap();
    assert!(written == in_memory, "the streamed archive differs from build_archive_with_checkpoint");
    // The same from a gzip file.
    let gz = f.p("events.ndjson.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&std::fs::read(&f.events).unwrap()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let out_gz = f.p("a-gz.json");
    let (code, _, stderr) = run(&[
        "archive",
        "--from",
        Fixture::s(&gz),
        "--origin",
        ORIGIN,
        "--out",
        Fixture::s(&out_gz),
        "--keystore",
        ks,
        "--key-id",
        KID,
        "--checkpoint",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::read(&out_gz).unwrap() == in_memory, "gzip input: another archive");
    // The same note `signcore checkpoint` prints for these events.
    let (_, printed, _) = run(&["checkpoint", ev, "--origin", ORIGIN, "--keystore", ks, "--key-id", KID]);
    assert_eq!(note, printed);
    let (code, stdout, stderr) = run(&["verify", a, "--ring", r, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let cp = &report["archive"]["checkpoint"];
    assert_eq!(
        (cp["size"].as_u64(), cp["root_checked"].as_bool(), cp["signed_by_ring"].as_u64()),
        (Some(50), Some(true), Some(1))
    );
    let (code, stdout, _) = run(&["verify", a, "--ring", r]);
    assert_eq!(code, 0);
    assert!(stdout.contains("checkpoint: tree size 50"), "{stdout}");
    // prove takes the archive as its events; the checkpoint from it verifies the proof.
    std::fs::write(f.p("cp.txt"), note).unwrap();
    let (code, proof, _) = run(&["prove", "inclusion", a, "--index", "3", "--checkpoint", Fixture::s(&f.p("cp.txt"))]);
    assert_eq!(code, 0);
    std::fs::write(f.p("p.json"), proof).unwrap();
    assert_eq!(f.verify(&f.p("p.json"), &[]).0, 0);
    // Without --checkpoint, the archive's own checkpoint goes into the proof.
    let (code, proof, stderr) = run(&["prove", "inclusion", a, "--index", "4"]);
    assert_eq!(code, 0, "{stderr}");
    let p: Value = serde_json::from_str(&proof).unwrap();
    assert_eq!(p["checkpoint"].as_str(), Some(note));
    std::fs::write(f.p("p2.json"), proof).unwrap();
    assert_eq!(f.verify(&f.p("p2.json"), &[]).0, 0);
    let (code, proof, _) = run(&["prove", "inclusion", a, "--index", "4", "--size", "10"]);
    assert_eq!(code, 0);
    assert!(serde_json::from_str::<Value>(&proof).unwrap().get("checkpoint").is_none(), "another size: not embedded");
    // Cosigning keeps it; the in-memory path (members out of streaming order) checks it too.
    let ks2 = Fixture::s(&f.keystore);
    let (code, _, stderr) = run(&["archive", "cosign", a, "--keystore", ks2, "--key-id", "audit-ed25519-2"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, _) = run(&["verify", a, "--ring", r, "--threshold", "2", "--json"]);
    assert_eq!(code, 0, "{stdout}");
    let mut reordered: serde_json::Map<String, Value> = serde_json::Map::new();
    let obj: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    for k in ["events", "checkpoint", "format", "origin", "range", "manifest"] {
        reordered.insert(k.into(), obj[k].clone());
    }
    let events_first = f.p("reordered.json");
    std::fs::write(&events_first, serde_json::to_vec(&reordered).unwrap()).unwrap();
    let (code, stdout, stderr) = run(&["verify", Fixture::s(&events_first), "--ring", r, "--json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["archive"]["checkpoint"]["size"], 50);

    // A signed archive whose checkpoint is not of its events: CHECKPOINT_MISMATCH (exit 1).
    let lines: Vec<Vec<u8>> = std::fs::read(&f.events)
        .unwrap()
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    let signer = NoteSigner::new(ORIGIN, &f.key).unwrap();
    let wrong = checkpoint::sign(&checkpoint::Checkpoint::new(ORIGIN, 49, [1; 32]).unwrap(), &[&signer]).unwrap();
    let head = signcore::archive::stored_hash(lines.last().unwrap());
    let range = signcore::archive::Range { first: 0, size: 50, anchor: None, head };
    let mut w = signcore::archive::ArchiveWriter::with_checkpoint(ORIGIN, range, &wrong);
    for e in &lines {
        w.event(e).unwrap();
    }
    std::fs::write(f.p("wrong.json"), w.finish(&[(KID, &f.key)]).unwrap()).unwrap();
    let (code, stdout, _) = run(&["verify", Fixture::s(&f.p("wrong.json")), "--ring", r]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("CHECKPOINT_MISMATCH"), "{stdout}");
    // Editing the checkpoint text breaks the digest.
    let edited = String::from_utf8(std::fs::read(&out).unwrap()).unwrap().replacen("\\n50\\n", "\\n51\\n", 1);
    std::fs::write(f.p("edited.json"), edited).unwrap();
    let (code, stdout, _) = run(&["verify", Fixture::s(&f.p("edited.json")), "--ring", r]);
    assert_eq!(code, 1);
    assert!(stdout.contains("ARCHIVE_DIGEST_MISMATCH"), "{stdout}");
    // An HMAC key or a slice cannot carry one.
    let (code, _, stderr) = run(&[
        "archive",
        "--from",
        ev,
        "--origin",
        ORIGIN,
        "--out",
        a,
        "--keystore",
        ks,
        "--key-id",
        "audit-hmac-1",
        "--checkpoint",
    ]);
    assert_input_error(code, &stderr);
    assert!(stderr.contains("Ed25519"), "{stderr}");
    let (code, _, stderr) = run(&[
        "archive",
        "--from",
        ev,
        "--first",
        "5",
        "--anchor",
        &"ab".repeat(32),
        "--origin",
        ORIGIN,
        "--out",
        a,
        "--keystore",
        ks,
        "--key-id",
        KID,
        "--checkpoint",
    ]);
    assert_input_error(code, &stderr);
    assert!(stderr.contains("first event"), "{stderr}");
    common::report_count(
        "archive checkpoints (write, same bytes as the core, gzip, verify, cosign, reorder, mismatch, edit, refusals)",
        10,
    );
}
