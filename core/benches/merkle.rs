//! Checkpoint costs (DESIGN.md §12): the streaming Merkle root per event
//! against its floor (the one leaf SHA-256 plus one node SHA-256 that RFC
//! 6962 spends per leaf, hashed with raw sha2 in the same run), proof
//! generation and verification, and signing/opening a checkpoint note.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sha2::{Digest, Sha256};
use signcore::checkpoint::{self, Checkpoint};
use signcore::digest::Hash;
use signcore::key::SigningKey;
use signcore::merkle::{
    MerkleTree, RootBuilder, consistency_proof_of_events, inclusion_proof_of_events, leaf_hash, verify_consistency,
    verify_inclusion,
};
use signcore::note::NoteSigner;

fn events(n: u64) -> Vec<Hash> {
    (0..n).map(|i| Sha256::digest(i.to_le_bytes()).into()).collect()
}

fn roots(c: &mut Criterion) {
    let mut g = c.benchmark_group("merkle_root");
    for n in [1_000u64, 100_000] {
        let ev = events(n);
        g.throughput(Throughput::Elements(n));
        g.bench_with_input(BenchmarkId::new("streaming", n), &ev, |b, ev| {
            b.iter(|| {
                let mut t = RootBuilder::new();
                for h in ev {
                    t.push_event_hash(h).unwrap();
                }
                black_box(t.root())
            })
        });
        // The floor: the same number of compressions with raw sha2
        // (one 33-byte leaf hash and one 65-byte node hash per event).
        g.bench_with_input(BenchmarkId::new("raw_sha2_floor", n), &ev, |b, ev| {
            b.iter(|| {
                let mut acc = [0u8; 32];
                for h in ev {
                    let leaf: [u8; 32] = Sha256::new().chain_update([0u8]).chain_update(h).finalize().into();
                    acc = Sha256::new().chain_update([1u8]).chain_update(acc).chain_update(leaf).finalize().into();
                }
                black_box(acc)
            })
        });
        g.bench_with_input(BenchmarkId::new("tree_with_all_subtrees", n), &ev, |b, ev| {
            b.iter(|| black_box(MerkleTree::from_event_hashes(ev).root()))
        });
    }
    g.finish();
}

fn proofs(c: &mut Criterion) {
    let n = 1_000_000u64;
    let ev = events(n);
    let tree = MerkleTree::from_event_hashes(&ev);
    let root = tree.root();
    let index = 765_432;
    let proof = tree.inclusion_proof(index, n).unwrap();
    let old = 400_001;
    let old_root = tree.root_at(old).unwrap();
    let cons = tree.consistency_proof(old, n).unwrap();
    let leaf = leaf_hash(&ev[index as usize]);
    let mut g = c.benchmark_group("merkle_proof_1M");
    g.bench_function("inclusion_generate", |b| {
        b.iter(|| black_box(tree.inclusion_proof(black_box(index), n).unwrap()))
    });
    g.bench_function("inclusion_verify", |b| {
        b.iter(|| verify_inclusion(black_box(&leaf), index, n, black_box(&proof), &root).unwrap())
    });
    g.bench_function("consistency_generate", |b| {
        b.iter(|| black_box(tree.consistency_proof(black_box(old), n).unwrap()))
    });
    g.bench_function("consistency_verify", |b| {
        b.iter(|| verify_consistency(old, n, black_box(&old_root), &root, black_box(&cons)).unwrap())
    });
    g.finish();
    // What `signcore prove` does: a proof from the event hashes alone
    // (32 bytes per event held, no tree), one pass over the events.
    let mut g = c.benchmark_group("merkle_proof_from_event_hashes_1M");
    g.sample_size(10);
    g.bench_function("inclusion", |b| {
        b.iter(|| black_box(inclusion_proof_of_events(black_box(&ev), index, n).unwrap()))
    });
    g.bench_function("consistency", |b| {
        b.iter(|| black_box(consistency_proof_of_events(black_box(&ev), old, n).unwrap()))
    });
    g.finish();
}

fn notes(c: &mut Criterion) {
    let signer = NoteSigner::new("audit.example/log", &SigningKey::ed25519_from_seed(&[3; 32])).unwrap();
    let cp = Checkpoint::new("audit.example/log", 1_000_000, [7; 32]).unwrap();
    let note = checkpoint::sign(&cp, &[&signer]).unwrap();
    let trusted = [*signer.verifier()];
    let mut g = c.benchmark_group("checkpoint_note");
    g.bench_function("sign", |b| b.iter(|| black_box(checkpoint::sign(black_box(&cp), &[&signer]).unwrap())));
    g.bench_function("open_1_of_1", |b| {
        b.iter(|| black_box(checkpoint::open(black_box(note.as_bytes()), "audit.example/log", &trusted, 1).unwrap()))
    });
    // Anchors in the same run: ed25519-dalek alone on the same checkpoint text.
    let text = cp.to_string();
    let dalek = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
    let sig = ed25519_dalek::Signer::sign(&dalek, text.as_bytes());
    let public = dalek.verifying_key();
    g.bench_function("raw_dalek_sign", |b| {
        b.iter(|| black_box(ed25519_dalek::Signer::sign(&dalek, black_box(text.as_bytes()))))
    });
    g.bench_function("raw_dalek_verify_strict", |b| {
        b.iter(|| public.verify_strict(black_box(text.as_bytes()), black_box(&sig)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, roots, proofs, notes);
criterion_main!(benches);
