//! signcore against Go's independent implementation of the same formats:
//! `golang.org/x/mod/sumdb/tlog` (Merkle trees and proofs) and
//! `golang.org/x/mod/sumdb/note` (signed notes), the code behind Go's
//! checksum database, through the query program in `tests/go/tlogcheck`.
//!
//! Run by `make test-go`, which builds that program and sets
//! `SIGNCORE_TLOGCHECK` to it; without the variable the test says it is
//! skipped. Both ways: Go's roots and proofs are compared with signcore's
//! and verified by signcore, signcore's are verified by Go; notes signed by
//! signcore open with `note.Open`, notes signed by Go open in signcore.

mod common;

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use base64ct::{Base64, Encoding};
use signcore::checkpoint::{self, Checkpoint};
use signcore::digest::{Hash, sha256};
use signcore::key::SigningKey;
use signcore::merkle::{self, MerkleTree};
use signcore::note::{self, NoteSigner, NoteVerifier};

struct Go {
    child: Child,
    stdin: Option<BufWriter<ChildStdin>>,
    stdout: BufReader<ChildStdout>,
}

impl Go {
    fn start() -> Option<Go> {
        let Ok(bin) = std::env::var("SIGNCORE_TLOGCHECK") else {
            println!("go interop: skipped (SIGNCORE_TLOGCHECK unset; run `make test-go`)");
            return None;
        };
        let mut child = Command::new(&bin)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{bin}: {e}"));
        let stdin = Some(BufWriter::new(child.stdin.take().unwrap()));
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Some(Go { child, stdin, stdout })
    }

    fn ask(&mut self, q: &str) -> String {
        self.batch(&[q.to_string()]).pop().unwrap()
    }

    /// Sends all queries from a second thread while reading the answers,
    /// so neither pipe can fill up and block both sides.
    fn batch(&mut self, queries: &[String]) -> Vec<String> {
        let stdin = self.stdin.as_mut().unwrap();
        let stdout = &mut self.stdout;
        std::thread::scope(|s| {
            s.spawn(|| {
                for q in queries {
                    writeln!(stdin, "{q}").unwrap();
                }
                stdin.flush().unwrap();
            });
            queries
                .iter()
                .map(|q| {
                    let mut line = String::new();
                    assert!(stdout.read_line(&mut line).unwrap() > 0, "tlogcheck ended at {q:?}");
                    line.trim_end().to_string()
                })
                .collect()
        })
    }
}

impl Drop for Go {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

fn event_hash(i: u64) -> Hash {
    sha256(format!("signcore interop {i}").as_bytes())
}

fn hex(h: &Hash) -> String {
    let mut buf = [0u8; 64];
    signcore::hex::encode(h, &mut buf).unwrap().to_string()
}

fn list(p: &[Hash]) -> String {
    if p.is_empty() { "-".into() } else { p.iter().map(hex).collect::<Vec<_>>().join(",") }
}

fn parse_list(s: &str) -> Vec<Hash> {
    assert!(!s.starts_with("err"), "go: {s}");
    if s == "-" { vec![] } else { s.split(',').map(|h| signcore::digest::parse_hash(h).unwrap()).collect() }
}

/// Tiny deterministic generator (splitmix64) for the random sizes.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Default)]
struct Counts {
    roots: usize,
    inclusion: usize,
    consistency: usize,
}

/// Roots and proofs for the given (size, index) and (size, old size)
/// pairs: equal to Go's, Go's verify here, ours verify in Go.
fn compare(go: &mut Go, tree: &MerkleTree, sizes: &[u64], incl: &[(u64, u64)], cons: &[(u64, u64)], c: &mut Counts) {
    let queries: Vec<String> = sizes.iter().map(|n| format!("root {n}")).collect();
    for (n, answer) in sizes.iter().zip(go.batch(&queries)) {
        assert_eq!(answer, hex(&tree.root_at(*n).unwrap()), "root of size {n}");
        c.roots += 1;
    }
    let queries: Vec<String> = incl.iter().map(|(n, i)| format!("incl {n} {i}")).collect();
    let mut checks = Vec::new();
    for (&(n, i), answer) in incl.iter().zip(go.batch(&queries)) {
        let ours = tree.inclusion_proof(i, n).unwrap();
        let theirs = parse_list(&answer);
        assert_eq!(theirs, ours, "inclusion proof of {i} in {n}");
        let root = tree.root_at(n).unwrap();
        merkle::verify_inclusion(&tree.leaf_hashes()[i as usize], i, n, &theirs, &root).unwrap();
        checks.push(format!("checkincl {n} {i} {} {} {}", hex(&root), hex(&event_hash(i)), list(&ours)));
    }
    for answer in go.batch(&checks) {
        assert_eq!(answer, "ok");
        c.inclusion += 1;
    }
    let queries: Vec<String> = cons.iter().map(|(n, m)| format!("cons {n} {m}")).collect();
    let mut checks = Vec::new();
    for (&(n, m), answer) in cons.iter().zip(go.batch(&queries)) {
        let ours = tree.consistency_proof(m, n).unwrap();
        let theirs = parse_list(&answer);
        assert_eq!(theirs, ours, "consistency proof of {m} in {n}");
        let (rn, rm) = (tree.root_at(n).unwrap(), tree.root_at(m).unwrap());
        merkle::verify_consistency(m, n, &rm, &rn, &theirs).unwrap();
        checks.push(format!("checkcons {n} {m} {} {} {}", hex(&rn), hex(&rm), list(&ours)));
    }
    for answer in go.batch(&checks) {
        assert_eq!(answer, "ok");
        c.consistency += 1;
    }
}

#[test]
fn trees_and_proofs_agree_with_go_tlog() {
    let Some(mut go) = Go::start() else { return };
    const EXHAUSTIVE: u64 = 300;
    const MAX: u64 = 1_000_000;
    assert_eq!(go.ask(&format!("leaves {MAX}")), "ok");
    let events: Vec<Hash> = (0..MAX).map(event_hash).collect();
    let tree = MerkleTree::from_event_hashes(&events);
    assert_eq!(tree.root(), merkle::root_of_event_hashes(&events).unwrap());
    drop(events);

    // Every size 1..=300, every index, every old size.
    let mut c = Counts::default();
    let sizes: Vec<u64> = (1..=EXHAUSTIVE).collect();
    let incl: Vec<(u64, u64)> = sizes.iter().flat_map(|&n| (0..n).map(move |i| (n, i))).collect();
    let cons: Vec<(u64, u64)> = sizes.iter().flat_map(|&n| (1..=n).map(move |m| (n, m))).collect();
    compare(&mut go, &tree, &sizes, &incl, &cons, &mut c);
    println!(
        "go interop: sizes 1..={EXHAUSTIVE}: {} roots, {} inclusion and {} consistency proofs equal to tlog, both ways",
        c.roots, c.inclusion, c.consistency
    );

    // Random sizes up to 10^6, with the edges of each.
    let mut rng = Rng(0x5167_6e63_6f72_6501);
    let mut sizes: Vec<u64> = (0..200).map(|_| 1 + rng.below(MAX)).collect();
    sizes.extend([MAX, MAX - 1, 1 << 19, (1 << 19) + 1, (1 << 19) - 1]);
    let mut incl = Vec::new();
    let mut cons = Vec::new();
    for &n in &sizes {
        for i in [0, n - 1, n / 2, rng.below(n), rng.below(n), rng.below(n)] {
            incl.push((n, i));
        }
        for m in [1, n, n - 1, (n / 2).max(1), 1 + rng.below(n), 1 + rng.below(n), 1 + rng.below(n)] {
            cons.push((n, m.max(1)));
        }
    }
    let mut r = Counts::default();
    compare(&mut go, &tree, &sizes, &incl, &cons, &mut r);
    println!(
        "go interop: {} random sizes up to {MAX}: {} roots, {} inclusion and {} consistency proofs equal to tlog, both ways",
        sizes.len(),
        r.roots,
        r.inclusion,
        r.consistency
    );

    // Go refuses our proofs once tampered, as we refuse Go's.
    let (n, i) = (1000u64, 123u64);
    let mut p = tree.inclusion_proof(i, n).unwrap();
    p[2][0] ^= 1;
    let root = tree.root_at(n).unwrap();
    let answer = go.ask(&format!("checkincl {n} {i} {} {} {}", hex(&root), hex(&event_hash(i)), list(&p)));
    assert!(answer.starts_with("err"), "{answer}");
    let mut p = tree.consistency_proof(77, n).unwrap();
    p[0][0] ^= 1;
    let answer = go.ask(&format!("checkcons {n} 77 {} {} {}", hex(&root), hex(&tree.root_at(77).unwrap()), list(&p)));
    assert!(answer.starts_with("err"), "{answer}");
    println!(
        "vectors: go interop trees: {} passed",
        c.roots + c.inclusion + c.consistency + r.roots + r.inclusion + r.consistency + 2
    );
}

fn b64(b: &[u8]) -> String {
    Base64::encode_string(b)
}

fn unb64(s: &str) -> Vec<u8> {
    Base64::decode_vec(s).unwrap()
}

#[test]
fn notes_agree_with_go_note() {
    let Some(mut go) = Go::start() else { return };
    let mut rng = Rng(42);
    let names = ["audit.example/log", "witness.example", "w2", "sum.golang.org", "ex\u{e9}mple.org/\u{2603}"];
    let mut ours_in_go = 0;
    let mut go_in_ours = 0;
    let mut refused = 0;
    for round in 0..100u64 {
        // One to three keys, random seeds.
        let k = 1 + rng.below(3) as usize;
        let keys: Vec<(String, [u8; 32])> = (0..k)
            .map(|j| {
                let mut seed = [0u8; 32];
                for b in seed.iter_mut() {
                    *b = rng.next() as u8;
                }
                (format!("{}{}", names[(round as usize + j) % names.len()], j), seed)
            })
            .collect();
        let signers: Vec<NoteSigner> =
            keys.iter().map(|(n, s)| NoteSigner::new(n, &SigningKey::ed25519_from_seed(s)).unwrap()).collect();
        let refs: Vec<&NoteSigner> = signers.iter().collect();
        // The same verifier key text on both sides.
        for ((name, seed), s) in keys.iter().zip(&signers) {
            let seed_hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(go.ask(&format!("vkey {name} {seed_hex}")), s.verifier().to_string());
        }
        let vkeys: Vec<String> = signers.iter().map(|s| s.verifier().to_string()).collect();
        let trusted: Vec<NoteVerifier> = vkeys.iter().map(|v| v.parse().unwrap()).collect();

        let origin = if round % 10 == 0 { "go.sum database tree" } else { names[round as usize % names.len()] };
        let root = event_hash(round);
        let size = rng.next() >> (rng.below(64));
        let ext = if round % 3 == 0 { "ext line one\n\u{2014} looks like a signature but is not\n" } else { "" };
        let cp = Checkpoint::new(origin, size, root).unwrap().with_extensions(ext).unwrap();

        // signcore signs, Go opens.
        let ours = checkpoint::sign(&cp, &refs).unwrap();
        let answer = go.ask(&format!("open {} {}", b64(ours.as_bytes()), vkeys.join(" ")));
        let text = cp.to_string();
        assert_eq!(answer, format!("ok {} {k} 0", b64(text.as_bytes())), "round {round}");
        ours_in_go += 1;
        if origin == "go.sum database tree" && ext.is_empty() {
            assert_eq!(go.ask(&format!("parsetree {}", b64(text.as_bytes()))), format!("ok {size} {}", hex(&root)));
        }
        // Only some of the keys trusted by Go: the others are unverified.
        let answer = go.ask(&format!("open {} {}", b64(ours.as_bytes()), vkeys[0]));
        assert_eq!(answer, format!("ok {} 1 {}", b64(text.as_bytes()), k - 1));

        // Go signs, signcore opens (and gets the same bytes we would write).
        let mut q = format!("sign {}", b64(text.as_bytes()));
        for (name, seed) in &keys {
            let seed_hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
            q += &format!(" {name} {seed_hex}");
        }
        let answer = go.ask(&q);
        assert!(!answer.starts_with("err"), "{answer}");
        let theirs = unb64(&answer);
        assert_eq!(theirs, ours.as_bytes(), "Go's signed note equals ours (Ed25519 is deterministic)");
        let v = checkpoint::open(&theirs, origin, &trusted, k).unwrap();
        assert_eq!(v.checkpoint, cp);
        assert_eq!((v.note.verified, v.note.unknown), (k, 0));
        let v = checkpoint::open(&theirs, origin, &trusted[..1], 1).unwrap();
        assert_eq!(v.note.unknown, k - 1);
        go_in_ours += 1;

        // Tampered: a size changed. Both refuse.
        let forged = String::from_utf8(theirs.clone()).unwrap().replacen(
            &format!("\n{size}\n"),
            &format!("\n{}\n", size ^ 1),
            1,
        );
        assert!(go.ask(&format!("open {} {}", b64(forged.as_bytes()), vkeys.join(" "))).starts_with("err"));
        assert_eq!(checkpoint::open(forged.as_bytes(), origin, &trusted, 1).unwrap_err().code(), "SIGNATURE_INVALID");
        // Another origin expected: refused by signcore (Go's note layer has no origin).
        assert_eq!(checkpoint::open(&theirs, "other.example", &trusted, 1), Err(note::NoteError::OriginMismatch));
        // Not trusted at all: Go says unverified, signcore says threshold not met.
        let stranger = NoteSigner::new("stranger", &SigningKey::ed25519_from_seed(&[0xee; 32])).unwrap();
        assert!(go.ask(&format!("open {} {}", b64(&theirs), stranger.verifier())).starts_with("err"));
        assert_eq!(
            checkpoint::open(&theirs, origin, &[*stranger.verifier()], 1).unwrap_err().code(),
            "THRESHOLD_NOT_MET"
        );
        refused += 4;
    }
    println!(
        "go interop: {ours_in_go} checkpoints signed by signcore opened by note.Open, {go_in_ours} signed by Go opened by signcore, {refused} tampered/foreign refused"
    );
    println!("vectors: go interop notes: {} passed", ours_in_go + go_in_ours + refused);
}
