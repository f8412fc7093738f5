//! RFC 6962 / RFC 9162 Merkle trees over a chain's event hashes
//! (DESIGN.md §12): streaming roots, inclusion and consistency proofs.
//!
//! Leaf `i` is `SHA256(0x00 ‖ the 32 raw bytes of event i's hash)`, an
//! interior node is `SHA256(0x01 ‖ left ‖ right)`, and the tree over `n`
//! leaves splits at the largest power of two below `n` (RFC 9162 §2.1.1),
//! so roots and proofs are those of Certificate Transparency, Go's checksum
//! database (`golang.org/x/mod/sumdb/tlog`), Sigstore and sigsum.
//!
//! - [`RootBuilder`] computes the root of a stream of event hashes with
//!   no allocation, in O(log n) memory: a stack of at most
//!   [`MAX_TREE_DEPTH`] subtree roots.
//! - [`verify_inclusion`] and [`verify_consistency`] check RFC 9162
//!   §2.1.3.2 / §2.1.4.2 proofs, with no allocation.
//! - With `alloc`, [`MerkleTree`] keeps every complete subtree and
//!   generates proofs for any leaf and any earlier tree size, in
//!   O(log² n) hashes each.
//!
//! ```
//! use signcore::merkle::{RootBuilder, leaf_hash, verify_inclusion};
//! let events = [[1u8; 32], [2u8; 32], [3u8; 32]];
//! let mut tree = RootBuilder::new();
//! for hash in &events {
//!     tree.push_event_hash(hash)?;
//! }
//! let root = tree.root();
//! // Leaf 2 of 3: its proof is the hash of the left subtree of 2 leaves.
//! let left = signcore::merkle::node_hash(&leaf_hash(&events[0]), &leaf_hash(&events[1]));
//! verify_inclusion(&leaf_hash(&events[2]), 2, 3, &[left], &root)?;
//! # Ok::<(), signcore::merkle::ProofError>(())
//! ```

use core::fmt;

use sha2::{Digest, Sha256};

use crate::digest::Hash;

/// Most subtree roots a [`RootBuilder`] holds: one per bit of a `u64`
/// tree size, so any size up to `u64::MAX` leaves.
pub const MAX_TREE_DEPTH: usize = 64;

/// Most hashes in a valid proof for `u64` tree sizes: an inclusion proof
/// has at most 64, a consistency proof at most 65 (e.g. old size 3, new
/// size `u64::MAX`). Longer proofs are refused before any hashing.
pub const MAX_PROOF_HASHES: usize = 65;

/// The root of the empty tree, `SHA256()` (RFC 9162 §2.1.1).
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41,
    0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// Why a tree operation or a proof was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProofError {
    /// A leaf index that is not below the tree size.
    IndexOutOfRange {
        /// The leaf index given.
        index: u64,
        /// The tree size given.
        size: u64,
    },
    /// Tree sizes that no proof relates: an old size of 0 or above the new size.
    InvalidTreeSize {
        /// The old (first) tree size.
        old_size: u64,
        /// The new (second) tree size.
        new_size: u64,
    },
    /// A proof with the wrong number of hashes for its index and sizes.
    WrongProofLength {
        /// Hashes the sizes call for.
        expected: usize,
        /// Hashes given.
        actual: usize,
    },
    /// The proof leads to another root than the one given.
    RootMismatch,
    /// The proof leads to another root of the old tree than the one given.
    OldRootMismatch,
    /// The tree already holds `u64::MAX` leaves.
    TreeFull,
    /// A proof text (hex or base64 hashes) that cannot be read.
    MalformedProof,
}

impl ProofError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ProofError::IndexOutOfRange { .. } => "INDEX_OUT_OF_RANGE",
            ProofError::InvalidTreeSize { .. } => "INVALID_TREE_SIZE",
            ProofError::WrongProofLength { .. } => "INVALID_PROOF_LENGTH",
            ProofError::RootMismatch | ProofError::OldRootMismatch => "ROOT_MISMATCH",
            ProofError::TreeFull => "LIMIT_EXCEEDED",
            ProofError::MalformedProof => "MALFORMED_PROOF",
        }
    }
}

impl fmt::Display for ProofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProofError::IndexOutOfRange { index, size } => {
                write!(f, "leaf index {index} is not in a tree of size {size}")
            }
            ProofError::InvalidTreeSize { old_size, new_size } => write!(
                f,
                "no consistency proof relates tree sizes {old_size} and {new_size} (need 1 <= old size <= new size)"
            ),
            ProofError::WrongProofLength { expected, actual } => {
                write!(f, "the proof has {actual} hashes, these sizes need {expected}")
            }
            ProofError::RootMismatch => f.write_str("the proof does not lead to the given root hash"),
            ProofError::OldRootMismatch => {
                f.write_str("the proof does not lead to the given root hash of the old tree")
            }
            ProofError::TreeFull => f.write_str("the tree already holds the most leaves a u64 size counts"),
            ProofError::MalformedProof => f.write_str("malformed proof: expected hashes of 32 bytes"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ProofError {}

/// The leaf hash of an event: `SHA256(0x00 ‖ event_hash)`.
pub fn leaf_hash(event_hash: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(event_hash);
    h.finalize().into()
}

/// An interior node: `SHA256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The streaming root of a growing tree, with no allocation: a stack of at
/// most [`MAX_TREE_DEPTH`] roots of complete subtrees (one per set bit of
/// the size), so each push costs one leaf hash and on average one node hash.
#[derive(Clone)]
pub struct RootBuilder {
    stack: [Hash; MAX_TREE_DEPTH],
    size: u64,
}

impl Default for RootBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for RootBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RootBuilder").field("size", &self.size).finish_non_exhaustive()
    }
}

impl RootBuilder {
    /// The empty tree.
    pub const fn new() -> Self {
        RootBuilder { stack: [[0; 32]; MAX_TREE_DEPTH], size: 0 }
    }

    /// Appends an event by its (32 raw bytes) hash.
    pub fn push_event_hash(&mut self, event_hash: &Hash) -> Result<(), ProofError> {
        self.push_leaf_hash(leaf_hash(event_hash))
    }

    /// Appends a leaf given by its leaf hash (already `SHA256(0x00 ‖ …)`).
    pub fn push_leaf_hash(&mut self, leaf: Hash) -> Result<(), ProofError> {
        if self.size == u64::MAX {
            return Err(ProofError::TreeFull);
        }
        // The stack holds one root per set bit of `size`, highest first;
        // the new leaf merges with the complete subtrees of its trailing ones.
        let mut depth = self.size.count_ones() as usize;
        let mut node = leaf;
        let mut carry = self.size;
        while carry & 1 == 1 {
            depth -= 1;
            node = node_hash(&self.stack[depth], &node);
            carry >>= 1;
        }
        self.stack[depth] = node;
        self.size += 1;
        Ok(())
    }

    /// Leaves so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root of the tree so far ([`EMPTY_ROOT`] when empty).
    pub fn root(&self) -> Hash {
        let depth = self.size.count_ones() as usize;
        let Some((last, rest)) = self.stack[..depth].split_last() else {
            return EMPTY_ROOT;
        };
        rest.iter().rev().fold(*last, |right, left| node_hash(left, &right))
    }
}

/// The root over `event_hashes` (a convenience over [`RootBuilder`]).
pub fn root_of_event_hashes<'a>(event_hashes: impl IntoIterator<Item = &'a Hash>) -> Result<Hash, ProofError> {
    let mut b = RootBuilder::new();
    for h in event_hashes {
        b.push_event_hash(h)?;
    }
    Ok(b.root())
}

fn bit_len(x: u64) -> u32 {
    u64::BITS - x.leading_zeros()
}

/// Hashes in the inclusion proof of leaf `index` in a tree of `size`.
pub fn inclusion_proof_len(index: u64, size: u64) -> Result<usize, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    // Levels where the paths of `index` and of the last leaf differ are
    // complete subtrees (one sibling each); above, only the levels where
    // `index` is a right child have a sibling (RFC 9162 §2.1.3.2).
    let inner = bit_len(index ^ (size - 1));
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    Ok((inner + border) as usize)
}

/// Hashes in the consistency proof between tree sizes `old_size` and `new_size`.
pub fn consistency_proof_len(old_size: u64, new_size: u64) -> Result<usize, ProofError> {
    if old_size == 0 || old_size > new_size {
        return Err(ProofError::InvalidTreeSize { old_size, new_size });
    }
    if old_size == new_size {
        return Ok(0);
    }
    // The steps of the RFC 9162 §2.1.4.2 loop, without the hashes.
    let mut fnode = old_size - 1;
    let mut snode = new_size - 1;
    let mut count = usize::from(!old_size.is_power_of_two());
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    while snode != 0 {
        count += 1;
        if fnode & 1 == 1 || fnode == snode {
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        }
        fnode >>= 1;
        snode >>= 1;
    }
    Ok(count)
}

/// The root an inclusion proof leads to (RFC 9162 §2.1.3.2), for callers
/// that compare it themselves; [`verify_inclusion`] compares it for you.
pub fn root_from_inclusion_proof(leaf: &Hash, index: u64, size: u64, proof: &[Hash]) -> Result<Hash, ProofError> {
    let expected = inclusion_proof_len(index, size)?;
    if proof.len() != expected {
        return Err(ProofError::WrongProofLength { expected, actual: proof.len() });
    }
    let mut fnode = index;
    let mut snode = size - 1;
    let mut r = *leaf;
    for p in proof {
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    Ok(r)
}

/// Verifies that `leaf` (a leaf hash, see [`leaf_hash`]) is leaf `index`
/// of the tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> Result<(), ProofError> {
    let r = root_from_inclusion_proof(leaf, index, size, proof)?;
    if ct_eq(&r, root) { Ok(()) } else { Err(ProofError::RootMismatch) }
}

/// Verifies that the tree of `old_size` leaves with root `old_root` is a
/// prefix of the tree of `new_size` leaves with root `new_root`
/// (RFC 9162 §2.1.4.2). Equal sizes need an empty proof and equal roots.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    let expected = consistency_proof_len(old_size, new_size)?;
    if proof.len() != expected {
        return Err(ProofError::WrongProofLength { expected, actual: proof.len() });
    }
    if old_size == new_size {
        return if ct_eq(old_root, new_root) { Ok(()) } else { Err(ProofError::RootMismatch) };
    }
    // With an old size that is a power of two, the old root is itself the
    // first node of the path (RFC 9162: "prepend first_hash").
    let (first, rest) = if old_size.is_power_of_two() {
        (old_root, proof)
    } else {
        match proof.split_first() {
            Some((first, rest)) => (first, rest),
            None => return Err(ProofError::WrongProofLength { expected, actual: 0 }),
        }
    };
    let mut fnode = old_size - 1;
    let mut snode = new_size - 1;
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let mut fr = *first;
    let mut sr = *first;
    for c in rest {
        if snode == 0 {
            return Err(ProofError::WrongProofLength { expected, actual: proof.len() });
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if !ct_eq(&fr, old_root) {
        return Err(ProofError::OldRootMismatch);
    }
    if !ct_eq(&sr, new_root) {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// A proof as generated by [`inclusion_proof_of_events`] and
/// [`consistency_proof_of_events`], with no allocation: `len` hashes in
/// `hashes`, leaf side first, and the roots it relates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedProof {
    /// The proof hashes; only the first `len` are used.
    pub hashes: [Hash; MAX_PROOF_HASHES],
    /// Hashes in the proof.
    pub len: usize,
    /// The root of the tree of `size` leaves.
    pub root: Hash,
    /// The root of the tree of `old_size` leaves (consistency proofs; the
    /// same as `root` for inclusion proofs).
    pub old_root: Hash,
}

impl GeneratedProof {
    /// The proof hashes.
    pub fn proof(&self) -> &[Hash] {
        self.hashes.get(..self.len).unwrap_or(&[])
    }
}

/// The largest power of two below `n` (n >= 2).
fn split_point(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The leaf ranges `[lo, hi)` whose subtree roots form a proof, in proof
/// order. Every range is disjoint from the others, so computing all of
/// them reads each event once.
struct Ranges {
    spans: [(u64, u64); MAX_PROOF_HASHES],
    len: usize,
}

impl Ranges {
    fn push(&mut self, lo: u64, hi: u64) {
        if let Some(slot) = self.spans.get_mut(self.len) {
            *slot = (lo, hi);
            self.len += 1;
        }
    }

    /// RFC 9162 §2.1.3.1 PATH(m, D[0:size]), walked from the root down
    /// (the recursion emits the deepest sibling first: reversed at the end).
    fn inclusion(index: u64, size: u64) -> Self {
        let mut r = Ranges { spans: [(0, 0); MAX_PROOF_HASHES], len: 0 };
        let (mut lo, mut hi) = (0u64, size);
        while hi - lo > 1 {
            let k = split_point(hi - lo);
            if index - lo < k {
                r.push(lo + k, hi);
                hi = lo + k;
            } else {
                r.push(lo, lo + k);
                lo += k;
            }
        }
        r.spans[..r.len].reverse();
        r
    }

    /// RFC 9162 §2.1.4.1 SUBPROOF(m, D[0:size], true), from the root down.
    fn consistency(old_size: u64, size: u64) -> Self {
        let mut r = Ranges { spans: [(0, 0); MAX_PROOF_HASHES], len: 0 };
        let (mut m, mut lo, mut hi, mut whole) = (old_size, 0u64, size, true);
        while m < hi - lo {
            let k = split_point(hi - lo);
            if m <= k {
                r.push(lo + k, hi);
                hi = lo + k;
            } else {
                r.push(lo, lo + k);
                m -= k;
                lo += k;
                whole = false;
            }
        }
        if !whole && old_size < size {
            r.push(lo, hi);
        }
        r.spans[..r.len].reverse();
        r
    }

    /// The subtree roots of the ranges, the root of `[0, size)` and of
    /// `[0, old_size)`, in one pass over the events.
    fn compute(&self, event_hashes: &[Hash], size: u64, old_size: u64) -> Result<GeneratedProof, ProofError> {
        let mut out = GeneratedProof {
            hashes: [[0; 32]; MAX_PROOF_HASHES],
            len: self.len,
            root: EMPTY_ROOT,
            old_root: EMPTY_ROOT,
        };
        let mut all = RootBuilder::new();
        for (slot, &(lo, hi)) in out.hashes.iter_mut().zip(&self.spans[..self.len]) {
            let range = event_hashes
                .get(lo as usize..hi as usize)
                .ok_or(ProofError::InvalidTreeSize { old_size: hi, new_size: event_hashes.len() as u64 })?;
            let mut b = RootBuilder::new();
            for h in range {
                b.push_event_hash(h)?;
            }
            *slot = b.root();
        }
        let prefix = event_hashes
            .get(..size as usize)
            .ok_or(ProofError::InvalidTreeSize { old_size: size, new_size: event_hashes.len() as u64 })?;
        for (i, h) in prefix.iter().enumerate() {
            if i as u64 == old_size {
                out.old_root = all.root();
            }
            all.push_event_hash(h)?;
        }
        out.root = all.root();
        if old_size == size {
            out.old_root = out.root;
        }
        Ok(out)
    }
}

/// The inclusion proof of event `index` in the tree of the first `size`
/// of `event_hashes` (RFC 9162 §2.1.3.1), computed without allocation
/// from the event hashes alone (32 bytes per event, nothing else kept):
/// each event is hashed once or twice, so a proof costs O(size) hashes.
/// [`MerkleTree`] (feature `alloc`) answers many proofs faster.
pub fn inclusion_proof_of_events(event_hashes: &[Hash], index: u64, size: u64) -> Result<GeneratedProof, ProofError> {
    if size > event_hashes.len() as u64 {
        return Err(ProofError::InvalidTreeSize { old_size: size, new_size: event_hashes.len() as u64 });
    }
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    Ranges::inclusion(index, size).compute(event_hashes, size, size)
}

/// The consistency proof from the tree of the first `old_size` of
/// `event_hashes` to the tree of the first `size` (RFC 9162 §2.1.4.1),
/// without allocation, as [`inclusion_proof_of_events`].
pub fn consistency_proof_of_events(
    event_hashes: &[Hash],
    old_size: u64,
    size: u64,
) -> Result<GeneratedProof, ProofError> {
    if size > event_hashes.len() as u64 || old_size == 0 || old_size > size {
        return Err(ProofError::InvalidTreeSize { old_size, new_size: size });
    }
    Ranges::consistency(old_size, size).compute(event_hashes, size, old_size)
}

fn ct_eq(a: &Hash, b: &Hash) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.ct_eq(b))
}

#[cfg(feature = "alloc")]
pub use tree::MerkleTree;

#[cfg(feature = "alloc")]
mod tree {
    use alloc::vec::Vec;

    use super::{EMPTY_ROOT, ProofError, leaf_hash, node_hash};
    use crate::digest::Hash;

    /// A whole tree in memory (feature `alloc`): every leaf hash and the
    /// root of every complete, aligned subtree (about `2n` hashes), so the
    /// root of any earlier size and the proofs of any leaf or earlier size
    /// cost O(log² n) hashes each.
    #[derive(Clone, Debug, Default)]
    pub struct MerkleTree {
        /// `levels[l][k]`: the root of leaves `k·2^l .. (k+1)·2^l`.
        levels: Vec<Vec<Hash>>,
    }

    impl MerkleTree {
        /// The empty tree.
        pub fn new() -> Self {
            MerkleTree { levels: Vec::new() }
        }

        /// A tree over the given event hashes, in order.
        pub fn from_event_hashes<'a>(event_hashes: impl IntoIterator<Item = &'a Hash>) -> Self {
            let mut t = Self::new();
            for h in event_hashes {
                t.push_leaf_hash(leaf_hash(h));
            }
            t
        }

        /// Appends an event by its hash.
        pub fn push_event_hash(&mut self, event_hash: &Hash) {
            self.push_leaf_hash(leaf_hash(event_hash));
        }

        /// Appends a leaf by its leaf hash.
        pub fn push_leaf_hash(&mut self, leaf: Hash) {
            let mut node = leaf;
            let mut level = 0;
            loop {
                if self.levels.len() == level {
                    self.levels.push(Vec::new());
                }
                let row = &mut self.levels[level];
                row.push(node);
                let n = row.len();
                if n % 2 == 1 {
                    break;
                }
                node = node_hash(&row[n - 2], &row[n - 1]);
                level += 1;
            }
        }

        /// Leaves in the tree.
        pub fn size(&self) -> u64 {
            self.levels.first().map_or(0, |l| l.len() as u64)
        }

        /// The leaf hashes, in order.
        pub fn leaf_hashes(&self) -> &[Hash] {
            self.levels.first().map_or(&[], |l| l.as_slice())
        }

        /// The current root.
        pub fn root(&self) -> Hash {
            self.subtree(0, self.size())
        }

        /// The root of the tree as it was at `size` leaves.
        pub fn root_at(&self, size: u64) -> Result<Hash, ProofError> {
            if size > self.size() {
                return Err(ProofError::InvalidTreeSize { old_size: size, new_size: self.size() });
            }
            Ok(self.subtree(0, size))
        }

        /// MTH(D[lo:hi]) for `lo` aligned on the split points of RFC 6962.
        fn subtree(&self, lo: u64, hi: u64) -> Hash {
            let n = hi - lo;
            if n == 0 {
                return EMPTY_ROOT;
            }
            if n.is_power_of_two() && lo.is_multiple_of(n) {
                let level = n.trailing_zeros() as usize;
                return self.levels[level][(lo >> level) as usize];
            }
            let k = split(n);
            node_hash(&self.subtree(lo, lo + k), &self.subtree(lo + k, hi))
        }

        /// The inclusion proof of leaf `index` in the tree at `size` leaves
        /// (RFC 9162 §2.1.3.1), leaf-side sibling first.
        pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
            if size > self.size() {
                return Err(ProofError::InvalidTreeSize { old_size: size, new_size: self.size() });
            }
            if index >= size {
                return Err(ProofError::IndexOutOfRange { index, size });
            }
            let mut out = Vec::with_capacity(super::inclusion_proof_len(index, size)?);
            self.path(index, 0, size, &mut out);
            Ok(out)
        }

        fn path(&self, m: u64, lo: u64, hi: u64, out: &mut Vec<Hash>) {
            let n = hi - lo;
            if n <= 1 {
                return;
            }
            let k = split(n);
            if m < k {
                self.path(m, lo, lo + k, out);
                out.push(self.subtree(lo + k, hi));
            } else {
                self.path(m - k, lo + k, hi, out);
                out.push(self.subtree(lo, lo + k));
            }
        }

        /// The consistency proof from the tree at `old_size` leaves to the
        /// tree at `new_size` leaves (RFC 9162 §2.1.4.1).
        pub fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Hash>, ProofError> {
            if new_size > self.size() || old_size == 0 || old_size > new_size {
                return Err(ProofError::InvalidTreeSize { old_size, new_size });
            }
            let mut out = Vec::with_capacity(super::consistency_proof_len(old_size, new_size)?);
            if old_size < new_size {
                self.subproof(old_size, 0, new_size, true, &mut out);
            }
            Ok(out)
        }

        fn subproof(&self, m: u64, lo: u64, hi: u64, whole: bool, out: &mut Vec<Hash>) {
            let n = hi - lo;
            if m == n {
                if !whole {
                    out.push(self.subtree(lo, hi));
                }
                return;
            }
            let k = split(n);
            if m <= k {
                self.subproof(m, lo, lo + k, whole, out);
                out.push(self.subtree(lo + k, hi));
            } else {
                self.subproof(m - k, lo + k, hi, false, out);
                out.push(self.subtree(lo, lo + k));
            }
        }
    }

    /// The largest power of two below `n` (n >= 2).
    fn split(n: u64) -> u64 {
        1u64 << (63 - (n - 1).leading_zeros())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(EMPTY_ROOT, crate::digest::sha256(b""));
        assert_eq!(RootBuilder::new().root(), EMPTY_ROOT);
    }

    #[test]
    fn proof_lengths() {
        assert_eq!(inclusion_proof_len(0, 1), Ok(0));
        assert_eq!(inclusion_proof_len(0, 2), Ok(1));
        assert_eq!(inclusion_proof_len(6, 7), Ok(2));
        assert_eq!(inclusion_proof_len(0, u64::MAX), Ok(64));
        assert_eq!(consistency_proof_len(3, u64::MAX), Ok(65));
        assert_eq!(consistency_proof_len(4, 4), Ok(0));
        assert!(consistency_proof_len(0, 4).is_err());
        assert!(consistency_proof_len(5, 4).is_err());
    }
}
