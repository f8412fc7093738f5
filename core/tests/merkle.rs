//! RFC 6962 / RFC 9162 Merkle trees: reference roots, proofs against a
//! naive implementation written from the RFC's definitions, tampering.

mod common;

use signcore::digest::{Hash, sha256};
use signcore::merkle::{
    EMPTY_ROOT, MerkleTree, ProofError, RootBuilder, consistency_proof_len, consistency_proof_of_events,
    inclusion_proof_len, inclusion_proof_of_events, leaf_hash, node_hash, root_from_inclusion_proof,
    verify_consistency, verify_inclusion,
};

fn unhex32(s: &str) -> Hash {
    common::unhex(s).try_into().unwrap()
}

fn raw_leaf(data: &[u8]) -> Hash {
    let mut v = vec![0u8];
    v.extend_from_slice(data);
    sha256(&v)
}

/// The eight leaves of Certificate Transparency's reference tests and the
/// roots of their first 1..=8 (RFC 6962 leaves of arbitrary length).
const CT_LEAVES: [&str; 8] =
    ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];
const CT_ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

#[test]
fn certificate_transparency_reference_roots() {
    assert_eq!(EMPTY_ROOT, unhex32("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    let mut b = RootBuilder::new();
    let mut t = MerkleTree::new();
    for (i, data) in CT_LEAVES.iter().enumerate() {
        let leaf = raw_leaf(&common::unhex(data));
        b.push_leaf_hash(leaf).unwrap();
        t.push_leaf_hash(leaf);
        assert_eq!(b.root(), unhex32(CT_ROOTS[i]), "streaming root of size {}", i + 1);
        assert_eq!(t.root(), unhex32(CT_ROOTS[i]), "tree root of size {}", i + 1);
    }
    // Every proof within the reference tree verifies against the reference roots.
    let mut n = 0;
    for size in 1..=8u64 {
        let root = unhex32(CT_ROOTS[size as usize - 1]);
        for index in 0..size {
            let proof = t.inclusion_proof(index, size).unwrap();
            verify_inclusion(&t.leaf_hashes()[index as usize], index, size, &proof, &root).unwrap();
            n += 1;
        }
        for old in 1..=size {
            let proof = t.consistency_proof(old, size).unwrap();
            verify_consistency(old, size, &unhex32(CT_ROOTS[old as usize - 1]), &root, &proof).unwrap();
            n += 1;
        }
    }
    common::report("merkle CT reference roots and proofs", 8 + n);
}

/// MTH, PATH and PROOF exactly as RFC 6962 §2.1 defines them (slices, recursion).
fn mth(d: &[Hash]) -> Hash {
    match d.len() {
        0 => EMPTY_ROOT,
        1 => d[0],
        n => {
            let k = n.next_power_of_two() / 2;
            node_hash(&mth(&d[..k]), &mth(&d[k..]))
        }
    }
}

fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
    let n = d.len();
    if n <= 1 {
        return vec![];
    }
    let k = n.next_power_of_two() / 2;
    if m < k {
        let mut p = path(m, &d[..k]);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = path(m - k, &d[k..]);
        p.push(mth(&d[..k]));
        p
    }
}

fn subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { vec![] } else { vec![mth(d)] };
    }
    let k = n.next_power_of_two() / 2;
    if m <= k {
        let mut p = subproof(m, &d[..k], b);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = subproof(m - k, &d[k..], false);
        p.push(mth(&d[..k]));
        p
    }
}

fn event_hash(i: u64) -> Hash {
    sha256(format!("event {i}").as_bytes())
}

#[test]
fn against_the_rfc_definitions() {
    const N: u64 = 70;
    let events: Vec<Hash> = (0..N).map(event_hash).collect();
    let leaves: Vec<Hash> = events.iter().map(leaf_hash).collect();
    let tree = MerkleTree::from_event_hashes(&events);
    let mut b = RootBuilder::new();
    let mut checked = 0;
    for size in 1..=N {
        b.push_event_hash(&events[size as usize - 1]).unwrap();
        let d = &leaves[..size as usize];
        let root = mth(d);
        assert_eq!(b.root(), root);
        assert_eq!(tree.root_at(size).unwrap(), root);
        for index in 0..size {
            let proof = tree.inclusion_proof(index, size).unwrap();
            assert_eq!(proof, path(index as usize, d), "PATH({index}, D[{size}])");
            let streamed = inclusion_proof_of_events(&events, index, size).unwrap();
            assert_eq!(streamed.proof(), &proof[..], "streamed PATH({index}, D[{size}])");
            assert_eq!((streamed.root, streamed.old_root), (root, root));
            assert_eq!(inclusion_proof_len(index, size).unwrap(), proof.len());
            verify_inclusion(&leaves[index as usize], index, size, &proof, &root).unwrap();
            checked += 1;
        }
        for old in 1..=size {
            let proof = tree.consistency_proof(old, size).unwrap();
            let expected = if old == size { vec![] } else { subproof(old as usize, d, true) };
            assert_eq!(proof, expected, "PROOF({old}, D[{size}])");
            let streamed = consistency_proof_of_events(&events, old, size).unwrap();
            assert_eq!(streamed.proof(), &proof[..], "streamed PROOF({old}, D[{size}])");
            assert_eq!((streamed.root, streamed.old_root), (root, mth(&leaves[..old as usize])));
            assert_eq!(consistency_proof_len(old, size).unwrap(), proof.len());
            verify_consistency(old, size, &mth(&leaves[..old as usize]), &root, &proof).unwrap();
            checked += 1;
        }
    }
    common::report("merkle proofs equal to RFC 6962 PATH/PROOF", checked);
}

#[test]
fn tampered_inclusion_proofs_are_refused() {
    let events: Vec<Hash> = (0..37).map(event_hash).collect();
    let tree = MerkleTree::from_event_hashes(&events);
    let mut refused = 0;
    for size in [1u64, 2, 3, 8, 13, 32, 37] {
        let root = tree.root_at(size).unwrap();
        for index in 0..size {
            let leaf = tree.leaf_hashes()[index as usize];
            let proof = tree.inclusion_proof(index, size).unwrap();
            // Each hash flipped.
            for i in 0..proof.len() {
                let mut bad = proof.clone();
                bad[i][i % 32] ^= 0x40;
                assert_eq!(verify_inclusion(&leaf, index, size, &bad, &root), Err(ProofError::RootMismatch));
                refused += 1;
            }
            // Wrong leaf, wrong root.
            let mut other = leaf;
            other[0] ^= 1;
            assert_eq!(verify_inclusion(&other, index, size, &proof, &root), Err(ProofError::RootMismatch));
            assert_eq!(verify_inclusion(&leaf, index, size, &proof, &other), Err(ProofError::RootMismatch));
            // The event hash instead of the leaf hash (a second-preimage attempt).
            assert!(verify_inclusion(&events[index as usize], index, size, &proof, &root).is_err());
            // An extra or a missing hash.
            let mut longer = proof.clone();
            longer.push(root);
            assert!(matches!(
                verify_inclusion(&leaf, index, size, &longer, &root),
                Err(ProofError::WrongProofLength { .. })
            ));
            if !proof.is_empty() {
                assert!(matches!(
                    verify_inclusion(&leaf, index, size, &proof[1..], &root),
                    Err(ProofError::WrongProofLength { .. })
                ));
            }
            // Another index with the same proof. (Another size may compute
            // the same root, e.g. leaf 0 of 3 and of 4: RFC 9162 binds the
            // size through the signed checkpoint, not through the proof.)
            for i2 in [index + 1, index ^ 1] {
                if i2 != index {
                    assert!(verify_inclusion(&leaf, i2, size, &proof, &root).is_err(), "{i2} from {index}/{size}");
                }
            }
            refused += 7;
        }
        assert_eq!(
            verify_inclusion(&[0; 32], size, size, &[], &root),
            Err(ProofError::IndexOutOfRange { index: size, size })
        );
    }
    common::report("merkle tampered inclusion proofs refused", refused);
}

#[test]
fn tampered_consistency_proofs_are_refused() {
    let events: Vec<Hash> = (0..40).map(event_hash).collect();
    let tree = MerkleTree::from_event_hashes(&events);
    let mut refused = 0;
    for size in [2u64, 3, 7, 8, 9, 31, 40] {
        let root = tree.root_at(size).unwrap();
        for old in 1..size {
            let old_root = tree.root_at(old).unwrap();
            let proof = tree.consistency_proof(old, size).unwrap();
            verify_consistency(old, size, &old_root, &root, &proof).unwrap();
            for i in 0..proof.len() {
                let mut bad = proof.clone();
                bad[i][31] ^= 1;
                assert!(verify_consistency(old, size, &old_root, &root, &bad).is_err());
                refused += 1;
            }
            let mut other = old_root;
            other[5] ^= 1;
            // (When the old size is a power of two the old root is the
            // first node of the path, so a wrong one shows in the new root.)
            assert!(matches!(
                verify_consistency(old, size, &other, &root, &proof),
                Err(ProofError::OldRootMismatch | ProofError::RootMismatch)
            ));
            let mut other = root;
            other[5] ^= 1;
            assert_eq!(verify_consistency(old, size, &old_root, &other, &proof), Err(ProofError::RootMismatch));
            let mut longer = proof.clone();
            longer.push(root);
            assert!(matches!(
                verify_consistency(old, size, &old_root, &root, &longer),
                Err(ProofError::WrongProofLength { .. })
            ));
            // A proof for another old size.
            if old > 1 {
                assert!(verify_consistency(old - 1, size, &old_root, &root, &proof).is_err());
            }
            refused += 5;
        }
        assert_eq!(verify_consistency(size, size, &root, &root, &[]), Ok(()));
        assert!(verify_consistency(size, size, &root, &[0; 32], &[]).is_err());
        assert!(verify_consistency(size, size, &root, &root, &[root]).is_err());
        assert!(matches!(
            verify_consistency(0, size, &EMPTY_ROOT, &root, &[]),
            Err(ProofError::InvalidTreeSize { .. })
        ));
        assert!(matches!(
            verify_consistency(size + 1, size, &root, &root, &[]),
            Err(ProofError::InvalidTreeSize { .. })
        ));
        refused += 5;
    }
    common::report("merkle tampered consistency proofs refused", refused);
}

#[test]
fn huge_sizes_need_no_hashing_to_refuse() {
    // Sizes near u64::MAX: lengths are computed, nothing overflows or panics.
    assert_eq!(inclusion_proof_len(u64::MAX - 1, u64::MAX), Ok(63));
    assert_eq!(inclusion_proof_len(0, u64::MAX), Ok(64));
    assert!(matches!(
        root_from_inclusion_proof(&[0; 32], u64::MAX - 1, u64::MAX, &[]),
        Err(ProofError::WrongProofLength { expected: 63, actual: 0 })
    ));
    let proof = vec![[7u8; 32]; 64];
    assert!(root_from_inclusion_proof(&[0; 32], 0, u64::MAX, &proof).is_ok());
    assert!(verify_consistency(3, u64::MAX, &[0; 32], &[0; 32], &vec![[1u8; 32]; 65]).is_err());
    for (m, n) in [(1u64, u64::MAX), (1 << 63, u64::MAX), (u64::MAX, u64::MAX), (12345, 1 << 40)] {
        let len = consistency_proof_len(m, n).unwrap();
        assert!(len <= signcore::merkle::MAX_PROOF_HASHES);
        let _ = verify_consistency(m, n, &[0; 32], &[0; 32], &vec![[1u8; 32]; len]);
    }
}

#[test]
fn errors_have_codes_and_reasons() {
    let e = ProofError::WrongProofLength { expected: 3, actual: 4 };
    assert_eq!(e.code(), "INVALID_PROOF_LENGTH");
    assert_eq!(e.to_string(), "the proof has 4 hashes, these sizes need 3");
    let core: signcore::Error = ProofError::RootMismatch.into();
    assert_eq!(core.code(), "ROOT_MISMATCH");
    assert_eq!(
        ProofError::IndexOutOfRange { index: 5, size: 5 }.to_string(),
        "leaf index 5 is not in a tree of size 5"
    );
}

#[test]
fn generation_from_event_hashes_refuses_bad_sizes() {
    let events: Vec<Hash> = (0..5).map(event_hash).collect();
    assert!(matches!(inclusion_proof_of_events(&events, 5, 5), Err(ProofError::IndexOutOfRange { index: 5, size: 5 })));
    assert!(matches!(inclusion_proof_of_events(&events, 0, 6), Err(ProofError::InvalidTreeSize { .. })));
    assert!(matches!(inclusion_proof_of_events(&[], 0, 0), Err(ProofError::IndexOutOfRange { .. })));
    assert!(matches!(consistency_proof_of_events(&events, 0, 5), Err(ProofError::InvalidTreeSize { .. })));
    assert!(matches!(consistency_proof_of_events(&events, 4, 3), Err(ProofError::InvalidTreeSize { .. })));
    assert!(matches!(consistency_proof_of_events(&events, 3, 6), Err(ProofError::InvalidTreeSize { .. })));
    let p = consistency_proof_of_events(&events, 5, 5).unwrap();
    assert_eq!((p.proof().len(), p.root, p.old_root), (0, p.root, p.root));
}
