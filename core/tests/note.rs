//! C2SP signed notes and tlog checkpoints: signing, opening with the
//! verifier's keys and threshold, strict parsing, refusals with reasons.

mod common;

use proptest::prelude::*;
use signcore::checkpoint::{self, Checkpoint};
use signcore::key::SigningKey;
use signcore::merkle;
use signcore::note::{self, CheckpointProblem, KeyProblem, NoteError, NoteProblem, NoteSigner, NoteVerifier, key_id};

fn signer(name: &str, seed: u8) -> NoteSigner {
    NoteSigner::new(name, &SigningKey::ed25519_from_seed(&[seed; 32])).unwrap()
}

const ORIGIN: &str = "audit.example/log";

fn checkpoint_note(signers: &[&NoteSigner]) -> String {
    let cp = Checkpoint::new(ORIGIN, 42, [0xab; 32]).unwrap();
    checkpoint::sign(&cp, signers).unwrap()
}

#[test]
fn rfc8032_key_id_and_verifier_key_text() {
    // RFC 8032 §7.1 test 1: seed 9d61…7f60, public key d75a…511a.
    let seed: [u8; 32] =
        common::unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60").try_into().unwrap();
    let s = NoteSigner::new("example.com", &SigningKey::ed25519_from_seed(&seed)).unwrap();
    let public = common::unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assert_eq!(s.verifier().public_key().as_slice(), public.as_slice());
    // key id = SHA256("example.com" ‖ 0x0A ‖ 0x01 ‖ public key)[..4]
    let mut data = b"example.com\n\x01".to_vec();
    data.extend_from_slice(&public);
    let d = signcore::digest::sha256(&data);
    assert_eq!(s.verifier().key_id(), u32::from_be_bytes([d[0], d[1], d[2], d[3]]));
    assert_eq!(key_id("example.com", s.verifier().public_key()), s.verifier().key_id());
    let text = s.verifier().to_string();
    let mut typed = vec![1u8];
    typed.extend_from_slice(&public);
    assert_eq!(text, format!("example.com+{:08x}+{}", s.verifier().key_id(), base64_encode(&typed)));
    let parsed: NoteVerifier = text.parse().unwrap();
    assert_eq!(&parsed, s.verifier());
    assert_eq!(parsed.to_string(), text);
}

#[test]
fn verifier_keys_are_parsed_strictly() {
    let good = signer("log.example", 3).verifier().to_string();
    let (name, rest) = good.split_once('+').unwrap();
    let (id, key) = rest.split_once('+').unwrap();
    let bad = |s: &str, p: KeyProblem| {
        assert_eq!(NoteVerifier::parse(s), Err(NoteError::InvalidKey(p)), "{s}");
        assert_eq!(NoteError::InvalidKey(p).code(), "INVALID_VERIFIER_KEY");
    };
    bad("log.example", KeyProblem::Syntax);
    bad(&format!("{name}+{id}"), KeyProblem::Syntax);
    bad(&format!("+{id}+{key}"), KeyProblem::BadName);
    bad(&format!("a b+{id}+{key}"), KeyProblem::BadName);
    bad(&format!("{}+{id}+{key}", "n".repeat(129)), KeyProblem::BadName);
    bad(&format!("{name}+{}+{key}", &id[..7]), KeyProblem::BadKeyId);
    bad(&format!("{name}+0x{}+{key}", &id[..6]), KeyProblem::BadKeyId);
    bad(&format!("{name}+{id}+{}", &key[..43]), KeyProblem::BadBase64);
    bad(&format!("{name}+{id}+{key}=="), KeyProblem::BadBase64);
    let mut long = base64_decode(key);
    long.push(0);
    bad(&format!("{name}+{id}+{}", base64_encode(&long)), KeyProblem::WrongKeyLength);
    bad(&format!("{name}+{id}+*{}", &key[1..]), KeyProblem::BadBase64);
    bad(&format!("{name}+00000000+{key}"), KeyProblem::KeyIdMismatch);
    bad(&format!("other+{id}+{key}"), KeyProblem::KeyIdMismatch);
    // Signature type 0x02 and a short key.
    bad(&format!("{name}+{id}+AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), KeyProblem::UnknownSignatureType);
    bad(&format!("{name}+{id}+AQAA"), KeyProblem::WrongKeyLength);
    // A small-order point (the identity) under its correct id.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(NoteVerifier::from_public_key("x", &identity), Err(NoteError::InvalidKey(KeyProblem::WeakKey)));
    // HMAC keys do not sign notes.
    let hmac = SigningKey::hmac(b"secret").unwrap();
    let e = NoteSigner::new("x", &hmac).unwrap_err();
    assert_eq!(e.code(), "UNSUPPORTED_ALGORITHM");
    assert_eq!(NoteVerifier::from_verifying_key("x", &hmac.verifying_key()).unwrap_err(), e);
}

#[test]
fn checkpoint_round_trip_and_text() {
    let s = signer(ORIGIN, 1);
    let note = checkpoint_note(&[&s]);
    let (body, sigs) = note.split_once("\n\n").unwrap();
    assert_eq!(body, format!("{ORIGIN}\n42\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="));
    assert!(sigs.starts_with(&format!("\u{2014} {ORIGIN} ")));
    assert!(sigs.ends_with('\n') && sigs.lines().count() == 1);
    let v = checkpoint::open(note.as_bytes(), ORIGIN, &[*s.verifier()], 1).unwrap();
    assert_eq!(v.checkpoint, Checkpoint { origin: ORIGIN, size: 42, root: [0xab; 32], extensions: "" });
    assert_eq!((v.note.verified, v.note.unknown, v.note.signed_by), (1, 0, 1));
    // The no-alloc writer gives the same bytes, and says how much it needs.
    let cp = Checkpoint::new(ORIGIN, 42, [0xab; 32]).unwrap();
    let mut buf = [0u8; 300];
    let n = checkpoint::sign_to_slice(&cp, &[&s], &mut buf).unwrap();
    assert_eq!(&buf[..n], note.as_bytes());
    assert_eq!(checkpoint::signed_len(&cp, &[&s]), n);
    assert_eq!(checkpoint::sign_to_slice(&cp, &[&s], &mut buf[..n - 1]), Err(NoteError::BufferTooSmall { needed: n }));
}

#[test]
fn several_signatures_threshold_and_unknown_keys() {
    let (a, b, c, w) = (signer("a.example", 1), signer("b.example", 2), signer("c.example", 3), signer("witness", 9));
    let note = checkpoint_note(&[&a, &b, &w]);
    let trusted = [*a.verifier(), *b.verifier(), *c.verifier()];
    let v = checkpoint::open(note.as_bytes(), ORIGIN, &trusted, 2).unwrap();
    assert_eq!((v.note.verified, v.note.unknown, v.note.signed_by), (2, 1, 0b011));
    // Missing signature: c never signed.
    assert_eq!(
        checkpoint::open(note.as_bytes(), ORIGIN, &trusted, 3),
        Err(NoteError::ThresholdNotMet { verified: 2, threshold: 3 })
    );
    // Only unknown signatures.
    let e = checkpoint::open(note.as_bytes(), ORIGIN, &[*c.verifier()], 1).unwrap_err();
    assert_eq!(e.code(), "THRESHOLD_NOT_MET");
    assert_eq!(e.to_string(), "0 trusted key(s) signed the note, 1 required");
    assert_eq!(checkpoint::open(note.as_bytes(), ORIGIN, &trusted, 0), Err(NoteError::InvalidThreshold));
    // A signature repeated counts once.
    let line_a = note.lines().find(|l| l.starts_with("\u{2014} a.example ")).unwrap();
    let doubled = format!("{note}{line_a}\n");
    assert_eq!(checkpoint::open(doubled.as_bytes(), ORIGIN, &trusted[..1], 1).unwrap().note.verified, 1);
    assert!(checkpoint::open(doubled.as_bytes(), ORIGIN, &trusted[..1], 2).is_err());
    // The same key trusted under two names counts once.
    let a2 = NoteSigner::new("a-again", &SigningKey::ed25519_from_seed(&[1; 32])).unwrap();
    let note2 = checkpoint_note(&[&a, &a2]);
    let e = checkpoint::open(note2.as_bytes(), ORIGIN, &[*a.verifier(), *a2.verifier()], 2).unwrap_err();
    assert_eq!(e, NoteError::ThresholdNotMet { verified: 1, threshold: 2 });
    // A witness cosigns an existing note.
    let mut cosigned = String::new();
    note::add_signature(note.as_bytes(), &c, &mut cosigned).unwrap();
    assert_eq!(checkpoint::open(cosigned.as_bytes(), ORIGIN, &trusted, 3).unwrap().note.verified, 3);
}

#[test]
fn tampering_and_other_origins_are_refused() {
    let (a, b) = (signer("a.example", 1), signer("b.example", 2));
    let note = checkpoint_note(&[&a, &b]);
    let trusted = [*a.verifier(), *b.verifier()];
    // Another size in the text: every trusted signature fails.
    let forged = note.replacen("\n42\n", "\n43\n", 1);
    assert_eq!(
        checkpoint::open(forged.as_bytes(), ORIGIN, &trusted, 1),
        Err(NoteError::SignatureInvalid { verifier: 0, key_id: a.verifier().key_id() })
    );
    let e = checkpoint::open(forged.as_bytes(), ORIGIN, &trusted, 1).unwrap_err();
    assert_eq!(e.code(), "SIGNATURE_INVALID");
    assert!(e.to_string().contains(&format!("{:08x}", a.verifier().key_id())), "{e}");
    // A flipped signature byte.
    let line_b = note.lines().find(|l| l.starts_with("\u{2014} b.example ")).unwrap();
    let b64 = line_b.rsplit(' ').next().unwrap();
    let mut raw = base64_decode(b64);
    raw[10] ^= 1;
    let bad_line = format!("\u{2014} b.example {}", base64_encode(&raw));
    let tampered = note.replace(line_b, &bad_line);
    assert_eq!(
        checkpoint::open(tampered.as_bytes(), ORIGIN, &trusted, 1),
        Err(NoteError::SignatureInvalid { verifier: 1, key_id: b.verifier().key_id() })
    );
    // A truncated signature of a trusted key.
    let short = format!("\u{2014} b.example {}", base64_encode(&raw[..40]));
    let tampered = note.replace(line_b, &short);
    assert!(matches!(
        checkpoint::open(tampered.as_bytes(), ORIGIN, &trusted, 1),
        Err(NoteError::SignatureInvalid { .. })
    ));
    // A checkpoint of another log, validly signed.
    let other = checkpoint::sign(&Checkpoint::new("other.example/log", 42, [0xab; 32]).unwrap(), &[&a]).unwrap();
    assert_eq!(checkpoint::open(other.as_bytes(), ORIGIN, &trusted, 1), Err(NoteError::OriginMismatch));
    assert_eq!(NoteError::OriginMismatch.code(), "ORIGIN_MISMATCH");
    // The signature block cut off.
    let (body, _) = note.split_once("\n\n").unwrap();
    let cut = format!("{body}\n");
    assert_eq!(note::open(cut.as_bytes(), &trusted, 1), Err(NoteError::Malformed(NoteProblem::NoSignatures)));
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64ct::Encoding;
    base64ct::Base64::decode_vec(s).unwrap()
}

fn base64_encode(b: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(b)
}

#[test]
fn malformed_notes_are_refused_with_reasons() {
    let a = signer("a.example", 1);
    let note = checkpoint_note(&[&a]);
    let trusted = [*a.verifier()];
    let line = note.lines().last().unwrap().to_string();
    let sig_b64 = line.rsplit(' ').next().unwrap().to_string();
    let body = note.split_once("\n\n").unwrap().0.to_string() + "\n";
    let cases: Vec<(String, NoteProblem)> = vec![
        (format!("{body}\n{line}"), NoteProblem::MissingFinalNewline),
        (format!("{body}\n\n"), NoteProblem::NoSignatures),
        (format!("{body}\n- a.example {sig_b64}\n"), NoteProblem::BadSignatureLine),
        (format!("{body}\n\u{2014}a.example {sig_b64}\n"), NoteProblem::BadSignatureLine),
        (format!("{body}\n\u{2014} a.example\n"), NoteProblem::BadSignatureLine),
        (format!("{body}\n\u{2014} a+b {sig_b64}\n"), NoteProblem::BadKeyName),
        (format!("{body}\n\u{2014}  {sig_b64}\n"), NoteProblem::BadKeyName),
        (format!("{body}\n\u{2014} a.example {}\n", &sig_b64[..sig_b64.len() - 1]), NoteProblem::BadSignatureEncoding),
        (format!("{body}\n\u{2014} a.example {sig_b64}=\n"), NoteProblem::BadSignatureEncoding),
        (format!("{body}\n\u{2014} a.example AAAA\n"), NoteProblem::BadSignatureEncoding),
        (format!("{body}\n\u{2014} a.example \n"), NoteProblem::BadSignatureEncoding),
        (note.replace("\n42\n", "\n4\t2\n"), NoteProblem::ControlCharacter),
        (note.replace("\n42\n", "\n42\r\n"), NoteProblem::ControlCharacter),
        (body.clone(), NoteProblem::NoSignatures),
        (format!("{body}\n{}", format!("{line}\n").repeat(101)), NoteProblem::TooManySignatures),
    ];
    for (text, problem) in &cases {
        let e = note::open(text.as_bytes(), &trusted, 1).unwrap_err();
        assert_eq!(e, NoteError::Malformed(*problem), "{text:?}");
        assert_eq!(e.code(), "MALFORMED_NOTE");
    }
    let mut bytes = note.clone().into_bytes();
    bytes[3] = 0xff;
    assert_eq!(note::open(&bytes, &trusted, 1), Err(NoteError::Malformed(NoteProblem::NotUtf8)));
    assert_eq!(
        note::open(&vec![b'a'; note::MAX_NOTE_LEN + 1], &trusted, 1),
        Err(NoteError::Malformed(NoteProblem::TooLarge))
    );
    // 100 copies of one valid line are accepted (and count once).
    let hundred = format!("{body}\n{}", format!("{line}\n").repeat(100));
    assert_eq!(note::open(hundred.as_bytes(), &trusted, 1).unwrap().verified, 1);
    // Text to sign must end in a newline and hold no control characters.
    assert_eq!(note::sign("no newline", &[&a]), Err(NoteError::Malformed(NoteProblem::MissingFinalNewline)));
    assert_eq!(note::sign("tab\t\n", &[&a]), Err(NoteError::Malformed(NoteProblem::ControlCharacter)));
    common::report("note malformed inputs refused", cases.len() + 2);
}

#[test]
fn unknown_signature_types_are_skipped() {
    // A witness cosignature (C2SP tlog-cosignature: 8-byte timestamp + 64
    // bytes) and a long post-quantum-sized signature, both by unknown keys.
    let a = signer("a.example", 1);
    let note = checkpoint_note(&[&a]);
    let cosig = base64_encode(&[7u8; 4 + 8 + 64]);
    let big = base64_encode(&[9u8; 4 + 3309]);
    let extended = format!("{note}\u{2014} witness.example {cosig}\n\u{2014} pq.example {big}\n");
    let v = note::open(extended.as_bytes(), &[*a.verifier()], 1).unwrap();
    assert_eq!((v.verified, v.unknown), (1, 2));
    // A long signature under a trusted name and id is a bad signature, not a crash.
    let mut raw = a.verifier().key_id().to_be_bytes().to_vec();
    raw.extend_from_slice(&[1u8; 3309]);
    let claim = format!("{}\n\n\u{2014} a.example {}\n", note.split_once("\n\n").unwrap().0, base64_encode(&raw));
    assert!(matches!(note::open(claim.as_bytes(), &[*a.verifier()], 1), Err(NoteError::SignatureInvalid { .. })));
}

#[test]
fn checkpoint_bodies_are_parsed_strictly() {
    let root = "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=";
    let zero = format!("o\n0\n{root}\n");
    let ok = Checkpoint::parse(&zero).unwrap();
    assert_eq!((ok.size, ok.root, ok.extensions), (0, [0xab; 32], ""));
    let ext = format!("o\n18446744073709551615\n{root}\nextension one\n2\n");
    let cp = Checkpoint::parse(&ext).unwrap();
    assert_eq!((cp.size, cp.extensions), (u64::MAX, "extension one\n2\n"));
    assert_eq!(cp.to_string(), ext);
    let bad = |t: String, p: CheckpointProblem| {
        assert_eq!(Checkpoint::parse(&t), Err(NoteError::Checkpoint(p)), "{t:?}");
    };
    bad(format!("o\n1\n{root}"), CheckpointProblem::MissingFinalNewline);
    bad("o\n1\n".into(), CheckpointProblem::MissingLines);
    bad(format!("\n1\n{root}\n"), CheckpointProblem::BadOrigin);
    bad(format!("o\n01\n{root}\n"), CheckpointProblem::BadSize);
    bad(format!("o\n+1\n{root}\n"), CheckpointProblem::BadSize);
    bad(format!("o\n\n{root}\n"), CheckpointProblem::BadSize);
    bad(format!("o\n18446744073709551616\n{root}\n"), CheckpointProblem::BadSize);
    bad("o\n1\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urqw==\n".into(), CheckpointProblem::BadRootHash);
    bad(format!("o\n1\n{}\n", &root[..43]), CheckpointProblem::BadRootHash);
    bad(format!("o\n1\n{root} \n"), CheckpointProblem::BadRootHash);
    bad(format!("o\n1\n{root}\n\nx\n"), CheckpointProblem::EmptyExtensionLine);
    bad(format!("o\n1\n{root}\nx\n\ny\n"), CheckpointProblem::EmptyExtensionLine);
    bad(format!("o\n1\n{root}\n{}\n", "x".repeat(4096)), CheckpointProblem::TooLong);
    assert_eq!(Checkpoint::new("a\nb", 1, [0; 32]), Err(NoteError::Checkpoint(CheckpointProblem::BadOrigin)));
    assert_eq!(Checkpoint::new("", 1, [0; 32]), Err(NoteError::Checkpoint(CheckpointProblem::BadOrigin)));
    let e = Checkpoint::new("o", 1, [0; 32]).unwrap().with_extensions("x").unwrap_err();
    assert_eq!(e, NoteError::Checkpoint(CheckpointProblem::MissingFinalNewline));
    assert_eq!(e.code(), "MALFORMED_CHECKPOINT");
}

#[test]
fn a_checkpoint_and_an_inclusion_proof_verify_from_the_proof_alone() {
    let events: Vec<[u8; 32]> = (0..10u8).map(|i| signcore::digest::sha256(&[i])).collect();
    let s = signer(ORIGIN, 5);
    let root = merkle::root_of_event_hashes(&events).unwrap();
    let note = checkpoint::sign(&Checkpoint::new(ORIGIN, 10, root).unwrap(), &[&s]).unwrap();
    let proof = merkle::MerkleTree::from_event_hashes(&events).inclusion_proof(7, 10).unwrap();
    // The auditor has: the note, the verifier key, event 7's hash, the proof.
    let vkey: NoteVerifier = s.verifier().to_string().parse().unwrap();
    let cp = checkpoint::open(note.as_bytes(), ORIGIN, &[vkey], 1).unwrap().checkpoint;
    merkle::verify_inclusion(&merkle::leaf_hash(&events[7]), 7, cp.size, &proof, &cp.root).unwrap();
    assert!(merkle::verify_inclusion(&merkle::leaf_hash(&events[6]), 7, cp.size, &proof, &cp.root).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn open_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400), cut in 0usize..400, flip in any::<u8>()) {
        let a = signer("a.example", 1);
        let _ = note::open(&bytes, &[*a.verifier()], 1);
        let mut note = checkpoint_note(&[&a]).into_bytes();
        let at = cut % note.len();
        note[at] ^= flip;
        let r = checkpoint::open(&note, ORIGIN, &[*a.verifier()], 1);
        prop_assert!(flip == 0 || r.is_err());
        let _ = note::open(&note[..at], &[*a.verifier()], 1);
        if let Ok(s) = std::str::from_utf8(&bytes) {
            let _ = NoteVerifier::parse(s);
            let _ = Checkpoint::parse(s);
        }
    }

    #[test]
    fn proofs_never_panic(index in any::<u64>(), size in any::<u64>(), old in any::<u64>(), len in 0usize..70) {
        let proof = vec![[3u8; 32]; len];
        let _ = merkle::verify_inclusion(&[0; 32], index, size, &proof, &[0; 32]);
        let _ = merkle::verify_consistency(old, size, &[0; 32], &[0; 32], &proof);
        let _ = merkle::verify_inclusion(&[0; 32], index >> 40, size >> 40, &proof, &[0; 32]);
        let _ = merkle::verify_consistency(old >> 40, size >> 40, &[0; 32], &[0; 32], &proof);
        if let Ok(n) = merkle::consistency_proof_len(old.min(size), size) {
            prop_assert!(n <= merkle::MAX_PROOF_HASHES);
        }
        if let Ok(n) = merkle::inclusion_proof_len(index, size) {
            prop_assert!(n <= 64);
        }
    }
}
