//! Known-answer checks through signcore's public API, grouped by cargo
//! feature so run.sh can measure what each part adds to `.text`:
//! `hash` (SHA-256, HMAC, hex), `ed25519`, `canonical` (RFC 8785 + audit
//! digest), `keystore`, `chain` (key ring + chain verification).
//!
//! Every expected value comes from `kat.rs` (RFCs, kat.py, shared vectors).
//! Each measured operation runs inside `stack::measure`; its inputs and
//! outputs live in this frame, as they would in an application.

#![allow(unused_imports)]

use crate::kat::*;
use crate::out::{Report, budget};
use crate::stack::measure;

// Stack budgets on the embedded target (bytes).
#[allow(dead_code)]
const BUDGET_ED25519_SIGN: usize = 4608;
#[allow(dead_code)]
const BUDGET_ED25519_VERIFY: usize = 8192;
#[allow(dead_code)]
const BUDGET_CANONICAL_DEPTH32: usize = 4096;
#[allow(dead_code)]
const BUDGET_KEYSTORE_PARSE: usize = 2048;

pub fn run(r: &mut Report) {
    #[cfg(feature = "hash")]
    hash(r);
    #[cfg(feature = "ed25519")]
    ed25519(r);
    #[cfg(feature = "canonical")]
    canonical(r);
    #[cfg(feature = "keystore")]
    keystore(r);
    #[cfg(feature = "chain")]
    chain(r);
    #[cfg(feature = "checkpoint")]
    checkpoint(r);
}

#[cfg(feature = "hash")]
fn hash(r: &mut Report) {
    use signcore::digest::sha256;
    use signcore::key::HmacKey;

    let mut out = [0u8; 32];
    let s = measure(&mut || out = sha256(b"abc"));
    r.check("sha256_fips180_abc", &out == SHA256_ABC);
    r.stack("sha256", s, None);

    // HmacKey directly: this group links no Ed25519 code.
    let (Ok(k1), Ok(k2)) = (HmacKey::new(HMAC_TC1_KEY), HmacKey::new(HMAC_TC2_KEY)) else {
        r.check("hmac_key_from_rfc4231", false);
        return;
    };
    let mut tag = [0u8; 32];
    let s = measure(&mut || tag = k1.tag(HMAC_TC1_DATA));
    r.check("hmac_rfc4231_tc1", &tag == HMAC_TC1_TAG);
    r.stack("hmac_sign", s, None);
    r.check("hmac_rfc4231_tc2", &k2.tag(HMAC_TC2_DATA) == HMAC_TC2_TAG);

    let mut res = Err(signcore::Error::SignatureInvalid);
    let s = measure(&mut || res = k2.verify(HMAC_TC2_DATA, HMAC_TC2_TAG));
    r.check("hmac_verify_rfc4231_tc2", res.is_ok());
    r.stack("hmac_verify", s, None);
    let mut bad = *HMAC_TC2_TAG;
    bad[31] ^= 1;
    r.check("hmac_reject_flipped_tag", k2.verify(HMAC_TC2_DATA, &bad).is_err());
    r.check("hmac_reject_short_tag", k2.verify(HMAC_TC2_DATA, &HMAC_TC2_TAG[..31]).is_err());
    r.check("hmac_key_hash", &k2.key_hash() == HMAC_TC2_KEY_HASH);
    r.check("hmac_refuse_65_byte_secret", HmacKey::new(&[0x55; 65]).is_err());
    r.check("hmac_refuse_empty_secret", HmacKey::new(&[]).is_err());

    let mut text = [0u8; 64];
    let enc = signcore::hex::encode(SHA256_ABC, &mut text).ok() == Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    r.check("hex_encode_lowercase", enc);
    let dec = signcore::hex::decode_array::<4>("BA7816bf").ok() == Some([0xba, 0x78, 0x16, 0xbf]);
    r.check("hex_decode_either_case", dec && signcore::hex::decode_array::<2>("ba7g").is_err());
}

#[cfg(feature = "ed25519")]
fn ed25519(r: &mut Report) {
    use signcore::key::{SigningKey, VerifyingKey};

    let mut k = None;
    let s = measure(&mut || k = Some(SigningKey::ed25519_from_seed(ED_T1_SEED)));
    let Some(k1) = k else { return };
    r.stack("ed25519_from_seed", s, None);
    r.check("ed25519_rfc8032_t1_public_key", k1.public_key().as_ref() == Some(ED_T1_PUB));
    r.check("ed25519_rfc8032_t1_key_hash", &k1.key_hash() == ED_T1_KEY_HASH);

    let mut sig = [0u8; 64];
    let s = measure(&mut || sig.copy_from_slice(k1.sign(b"").as_bytes()));
    r.check("ed25519_rfc8032_t1_sign", &sig == ED_T1_SIG);
    r.stack("ed25519_sign", s, budget(BUDGET_ED25519_SIGN));
    r.check("ed25519_sign_digest", k1.sign(ED_T1_DIGEST).as_bytes() == ED_T1_DIGEST_SIG);
    let k2 = SigningKey::ed25519_from_seed(ED_T2_SEED);
    r.check("ed25519_rfc8032_t2_sign", k2.sign(b"\x72").as_bytes() == ED_T2_SIG);

    let Ok(vk) = VerifyingKey::ed25519(ED_T2_PUB) else {
        r.check("ed25519_rfc8032_t2_public_key", false);
        return;
    };
    let mut res = Err(signcore::Error::SignatureInvalid);
    let s = measure(&mut || res = vk.verify(b"\x72", ED_T2_SIG));
    r.check("ed25519_rfc8032_t2_verify", res.is_ok());
    r.stack("ed25519_verify", s, budget(BUDGET_ED25519_VERIFY));
    r.check("ed25519_reject_other_message", vk.verify(b"\x73", ED_T2_SIG).is_err());
    r.check("ed25519_reject_noncanonical_s", vk.verify(b"\x72", ED_T2_SIG_S_PLUS_Q).is_err());
    r.check("ed25519_reject_short_signature", vk.verify(b"\x72", &ED_T2_SIG[..63]).is_err());
    r.check("ed25519_refuse_small_order_key", VerifyingKey::ed25519(ED_SMALL_ORDER_PUB).is_err());
    r.check("ed25519_signing_key_verifies", k1.verify(ED_T1_DIGEST, ED_T1_DIGEST_SIG).is_ok());

    // The algorithm-generic key type with an HMAC key (RFC 4231 case 2).
    let ok = match SigningKey::hmac(HMAC_TC2_KEY) {
        Ok(k) => k.sign(HMAC_TC2_DATA).as_bytes() == HMAC_TC2_TAG && k.verify(HMAC_TC2_DATA, HMAC_TC2_TAG).is_ok(),
        Err(_) => false,
    };
    r.check("signing_key_hmac_rfc4231_tc2", ok);
    r.check("signing_key_refuse_65_byte_hmac", SigningKey::hmac(&[0x55; 65]).is_err());
}

#[cfg(feature = "canonical")]
fn canonical(r: &mut Report) {
    use signcore::canonical::{MAX_DEPTH, canonicalize_to_slice, validate};
    use signcore::digest::audit_digest;
    use signcore::{Error, JsonErrorKind};

    let mut buf = [0u8; 4096];
    let mut all = true;
    for (name, input, expected) in JCS_CASES {
        let ok = matches!(canonicalize_to_slice(input, &mut buf), Ok(n) if &buf[..n] == *expected);
        if !ok {
            crate::out::line(&["  jcs case failed: ", name]);
        }
        all &= ok;
    }
    r.check("jcs_rfc8785_testdata_and_generated", all);
    let ok = matches!(canonicalize_to_slice(ES6_NUMBERS_IN, &mut buf), Ok(n) if &buf[..n] == ES6_NUMBERS_OUT);
    r.check("jcs_es6_numbers", ok);

    let mut res = Ok(0);
    let s = measure(&mut || res = canonicalize_to_slice(DEPTH32_IN, &mut buf));
    r.check("jcs_depth32", matches!(res, Ok(n) if &buf[..n] == DEPTH32_OUT));
    r.stack("canonicalize_depth32", s, budget(BUDGET_CANONICAL_DEPTH32));

    // Nesting: MAX_DEPTH levels accepted, one more refused.
    let mut deep = [0u8; 2 * (MAX_DEPTH + 1)];
    let nested = |buf: &mut [u8], n: usize| {
        buf[..n].fill(b'[');
        buf[n..2 * n].fill(b']');
    };
    nested(&mut deep, MAX_DEPTH);
    let at_limit = validate(&deep[..2 * MAX_DEPTH]).is_ok();
    nested(&mut deep, MAX_DEPTH + 1);
    let over = matches!(validate(&deep), Err(Error::Json(e)) if e.kind == JsonErrorKind::NestingTooDeep);
    r.check("jcs_depth_limit", at_limit && over);

    let refused: [(&[u8], JsonErrorKind); 6] = [
        (br#"{"a":1,"a":2}"#, JsonErrorKind::DuplicateMember),
        (br#"["\ud800"]"#, JsonErrorKind::LoneSurrogate),
        (b"[\"\xed\xa0\x80\"]", JsonErrorKind::InvalidUtf8),
        (b"[1e400]", JsonErrorKind::NumberOutOfRange),
        (b"{} {}", JsonErrorKind::TrailingData),
        (b"[\"\xff\"]", JsonErrorKind::InvalidUtf8),
    ];
    let all = refused.iter().all(|(input, kind)| matches!(validate(input), Err(Error::Json(e)) if e.kind == *kind));
    r.check("jcs_refuse_ijson_violations", all);
    r.check("jcs_buffer_too_small", matches!(canonicalize_to_slice(b"[1,2]", &mut buf[..4]), Err(Error::BufferTooSmall { needed: 5 })));

    let mut h0 = Ok([0u8; 32]);
    let s = measure(&mut || h0 = audit_digest(AUDIT_P0, None));
    r.check("audit_digest_first", h0.as_ref() == Ok(AUDIT_H0));
    r.stack("audit_digest", s, None);
    r.check("audit_digest_chained", audit_digest(AUDIT_P1, Some(AUDIT_H0)).as_ref() == Ok(AUDIT_H1));
    r.check("audit_digest_shared_vector", audit_digest(SHARED_P1, Some(SHARED_PREV1)).as_ref() == Ok(SHARED_H1));
}

#[cfg(feature = "keystore")]
fn keystore(r: &mut Report) {
    use signcore::keystore::{KeyRecord, load_key};
    use signcore::{Error, RecordProblem};

    // The parse alone: a one-record HMAC keystore (no curve arithmetic).
    let mut rec: Option<Result<KeyRecord, Error>> = None;
    let s = measure(&mut || rec = Some(load_key(KEYSTORE_HMAC, "rfc4231-tc1")));
    let ok = match &rec {
        Some(Ok(k)) => {
            k.label() == Some("RFC 4231 case 1") && k.key().sign(HMAC_TC1_DATA).as_bytes() == HMAC_TC1_TAG
        }
        _ => false,
    };
    r.check("keystore_load_hmac_rfc4231", ok);
    r.stack("keystore_parse", s, budget(BUDGET_KEYSTORE_PARSE));
    drop(rec.take());

    // A keystore with an Ed25519 and an HMAC record: every Ed25519 record's
    // public key is derived while parsing, so this includes a base-point multiplication.
    let s = measure(&mut || rec = Some(load_key(KEYSTORE_RFC, "rfc8032-test1")));
    let ok = match &rec {
        Some(Ok(k)) => {
            k.label() == Some("RFC 8032 TEST 1") && &k.key().key_hash() == ED_T1_KEY_HASH && k.key().sign(b"").as_bytes() == ED_T1_SIG
        }
        _ => false,
    };
    r.check("keystore_load_ed25519_rfc8032", ok);
    r.stack("keystore_parse_with_ed25519", s, None);
    drop(rec.take());
    let ok = match load_key(KEYSTORE_RFC, "rfc4231-tc2") {
        Ok(k) => &k.key().key_hash() == HMAC_TC2_KEY_HASH && k.key().sign(HMAC_TC2_DATA).as_bytes() == HMAC_TC2_TAG,
        Err(_) => false,
    };
    r.check("keystore_load_hmac_uppercase_hex_alias_alg", ok);

    let mut all = true;
    for (key_id, alg, key_hash, label) in KEYSTORE_VALID_META {
        let ok = match load_key(KEYSTORE_VALID, key_id) {
            Ok(k) => k.key().alg().as_str() == *alg && &k.key().key_hash() == *key_hash && k.label() == *label,
            Err(_) => false,
        };
        if !ok {
            crate::out::line(&["  keystore record failed: ", key_id]);
        }
        all &= ok;
    }
    r.check("keystore_shared_metadata", all);
    r.check("keystore_key_not_found", matches!(load_key(KEYSTORE_VALID, "nope"), Err(Error::KeyNotFound { .. })));

    let mut all = true;
    for (name, json) in KEYSTORE_BROKEN {
        if load_key(json, "a").is_ok() {
            crate::out::line(&["  keystore accepted: ", name]);
            all = false;
        }
    }
    r.check("keystore_refuse_broken", all);
    let too_long = matches!(load_key(KEYSTORE_HMAC_65, "long"),
        Err(Error::Record(e)) if e.index == 0 && e.problem == RecordProblem::HmacSecretTooLong);
    r.check("keystore_refuse_hmac_over_64_bytes", too_long);
}

#[cfg(feature = "chain")]
fn chain(r: &mut Report) {
    use signcore::chain::{Finding, verify_chain};
    use signcore::keystore::KeyRing;

    let ring = KeyRing::from_json(CHAIN_RING);
    r.check("chain_ring_parse", matches!(&ring, Ok(k) if k.len() == 3));
    let Ok(ring) = ring else { return };
    let keystore_ring = KeyRing::from_json(CHAIN_KEYSTORE);
    r.check("chain_ring_from_keystore", matches!(&keystore_ring, Ok(k) if k.len() == 3));

    for (i, (name, events, expected)) in CHAINS.iter().enumerate() {
        let mut found = [(0u64, ""); 48];
        let mut n = 0;
        let mut collect = |f: Finding| {
            if n < found.len() {
                found[n] = (f.index, f.code.as_str());
            }
            n += 1;
        };
        let mut res = Ok(Default::default());
        let ok = if i == 0 {
            // The whole valid chain (50 events, HMAC and both Ed25519 keys).
            let s = measure(&mut || res = verify_chain(events, &ring, None, &mut collect));
            r.stack("chain_verify_50", s, None);
            res.is_ok()
        } else {
            verify_chain(events, &ring, None, &mut collect).is_ok()
        };
        // Findings come in index order; within one event compare as a set
        // (insertion sort: core's sort_unstable would add ~1.7 KB of .text).
        let got = &mut found[..n.min(48)];
        for j in 1..got.len() {
            let mut k = j;
            while k > 0 && got[k - 1] > got[k] {
                got.swap(k - 1, k);
                k -= 1;
            }
        }
        let ok = ok && n == expected.len() && got.iter().zip(expected.iter()).all(|(a, b)| a == b);
        let summary_ok = matches!(res, Ok(s) if s.checked == 50 && s.findings == 0);
        r.check_parts(&["chain_", name], ok && (i != 0 || summary_ok));
    }
    // The same valid chain, verified against the keystore the signers used.
    if let Ok(ks) = keystore_ring {
        let res = verify_chain(CHAINS[0].1, &ks, None, |_| {});
        r.check("chain_verify_with_keystore_ring", matches!(res, Ok(s) if s.is_ok() && s.checked == 50));
    }
}

/// Signed checkpoints and Merkle proofs (DESIGN.md §12): the verifier side,
/// with no allocation. Known answers from Go's sumdb/tlog and sumdb/note
/// (`kat_checkpoint.rs`, made by kat_checkpoint.py).
#[cfg(feature = "checkpoint")]
fn checkpoint(r: &mut Report) {
    use crate::kat_checkpoint::*;
    use signcore::checkpoint;
    use signcore::merkle::{RootBuilder, leaf_hash, verify_consistency, verify_inclusion};
    use signcore::note::NoteVerifier;

    let mut vkey = Err(signcore::note::NoteError::InvalidThreshold);
    let s = measure(&mut || vkey = NoteVerifier::parse(CP_VKEY));
    r.stack("note_verifier_parse", s, None);
    r.check("checkpoint_verifier_key_from_go", vkey.is_ok());
    let Ok(vkey) = vkey else { return };
    let trusted = [vkey];
    let mut opened = None;
    let s = measure(&mut || opened = checkpoint::open(CP_NOTE.as_bytes(), CP_ORIGIN, &trusted, 1).ok());
    r.stack("checkpoint_open", s, None);
    r.check(
        "checkpoint_open_go_note",
        matches!(opened, Some(v) if v.checkpoint.size == CP_SIZE && v.checkpoint.root == CP_ROOT),
    );
    r.check("checkpoint_other_origin_refused", checkpoint::open(CP_NOTE.as_bytes(), "example.com/other", &trusted, 1).is_err());
    let mut tampered = [0u8; 256];
    let n = CP_NOTE.len().min(tampered.len());
    tampered[..n].copy_from_slice(&CP_NOTE.as_bytes()[..n]);
    tampered[17] ^= 1; // a digit of the size
    r.check("checkpoint_tampered_refused", checkpoint::open(&tampered[..n], CP_ORIGIN, &trusted, 1).is_err());

    let leaf = leaf_hash(&CP_EVENT);
    let mut res = Ok(());
    let s = measure(&mut || res = verify_inclusion(&leaf, CP_INDEX, CP_SIZE, &CP_INCLUSION, &CP_ROOT));
    r.stack("merkle_verify_inclusion", s, None);
    r.check("merkle_inclusion_go_proof", res.is_ok());
    r.check("merkle_inclusion_wrong_index_refused", verify_inclusion(&leaf, CP_INDEX - 1, CP_SIZE, &CP_INCLUSION, &CP_ROOT).is_err());
    let s = measure(&mut || res = verify_consistency(CP_OLD_SIZE, CP_SIZE, &CP_OLD_ROOT, &CP_ROOT, &CP_CONSISTENCY));
    r.stack("merkle_verify_consistency", s, None);
    r.check("merkle_consistency_go_proof", res.is_ok());
    r.check(
        "merkle_consistency_wrong_root_refused",
        verify_consistency(CP_OLD_SIZE, CP_SIZE, &CP_ROOT, &CP_ROOT, &CP_CONSISTENCY).is_err(),
    );
    // The streaming root over event hashes SHA256("signcore interop " ‖ i), i < 1000.
    let mut root = [0u8; 32];
    let s = measure(&mut || {
        let mut b = RootBuilder::new();
        let mut text = *b"signcore interop 0000";
        for i in 0..CP_SIZE {
            let digits = if i < 10 { 1 } else if i < 100 { 2 } else { 3 };
            let mut x = i;
            for d in (0..digits).rev() {
                text[17 + d] = b'0' + (x % 10) as u8;
                x /= 10;
            }
            let _ = b.push_event_hash(&signcore::digest::sha256(&text[..17 + digits]));
        }
        root = b.root();
    });
    r.stack("merkle_streaming_root_1000", s, None);
    r.check("merkle_streaming_root_go", root == CP_ROOT);
}
