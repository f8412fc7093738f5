//! rsa-sha256 (issue 9): Wycheproof RSASSA-PKCS1-v1_5/SHA-256 verification
//! over the pre-computed digest SHA256(msg), and chains signed by OpenSSL
//! (an independent implementation) verified through a ring.
#![cfg(feature = "rsa")]

mod common;

use std::process::Command;

use sha2::{Digest, Sha256};
use signcore::chain::{FindingCode, verify_chain};
use signcore::digest::audit_digest;
use signcore::hex::HashHex;
use signcore::key::{Alg, VerifyingKey};
use signcore::keystore::KeyRing;

#[test]
fn wycheproof_rsa_pkcs1_sha256() {
    let mut total = 0;
    for bits in [2048, 3072, 4096] {
        let file = common::json(&format!("wycheproof/rsa_signature_{bits}_sha256_test.json"));
        let mut passed = 0;
        for group in file["testGroups"].as_array().unwrap() {
            let der = common::unhex(group["publicKeyDer"].as_str().unwrap());
            let key = VerifyingKey::rsa_spki_der(&der).unwrap();
            let pem = VerifyingKey::rsa_pem(group["publicKeyPem"].as_str().unwrap()).unwrap();
            assert_eq!(key.key_hash(), pem.key_hash());
            assert_eq!(key.key_hash(), <[u8; 32]>::from(Sha256::digest(&der)), "key_hash = SHA256(SPKI DER)");
            assert_eq!(key.alg(), Alg::RsaSha256);
            for test in group["tests"].as_array().unwrap() {
                let msg = common::unhex(test["msg"].as_str().unwrap());
                let sig = common::unhex(test["sig"].as_str().unwrap());
                let digest: [u8; 32] = Sha256::digest(&msg).into();
                let verdict = key.verify(&digest, &sig).is_ok();
                assert_eq!(verdict, pem.verify(&digest, &sig).is_ok());
                match test["result"].as_str().unwrap() {
                    "valid" => assert!(verdict, "tcId {} must verify", test["tcId"]),
                    "invalid" => assert!(!verdict, "tcId {} must not verify", test["tcId"]),
                    // MissingNull: a legacy encoding; signcore is strict.
                    _ => assert!(!verdict, "tcId {} (acceptable) is refused by the strict verifier", test["tcId"]),
                }
                passed += 1;
            }
        }
        common::report(&format!("wycheproof rsa_signature_{bits}_sha256"), passed);
        total += passed;
    }
    assert_eq!(total, 776);
}

#[test]
fn rsa_keys_outside_2048_to_4096_bits_and_garbage_are_refused() {
    for bad in [&b""[..], b"\x30\x00", &[0x30; 300][..]] {
        let e = VerifyingKey::rsa_spki_der(bad).unwrap_err();
        assert_eq!(e.code(), "INVALID_KEY", "{e}");
    }
    assert_eq!(VerifyingKey::rsa_pem("not pem").unwrap_err().code(), "INVALID_KEY");
    let dir = tempdir();
    let key = openssl_key(&dir, 1024);
    let der = std::fs::read(dir.join("pub.der")).unwrap();
    let e = VerifyingKey::rsa_spki_der(&der).unwrap_err();
    assert!(e.to_string().contains("2048..=4096"), "{e} ({key})");
}

fn tempdir() -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("signcore-rsa-{}-{:?}", std::process::id(), std::thread::current().id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Generates an RSA key with OpenSSL; writes pub.der and pub.pem.
fn openssl_key(dir: &std::path::Path, bits: u32) -> String {
    let key = dir.join(format!("key{bits}.pem"));
    let ok = Command::new("openssl")
        .args(["genpkey", "-algorithm", "RSA", "-pkeyopt", &format!("rsa_keygen_bits:{bits}"), "-out"])
        .arg(&key)
        .output()
        .expect("openssl is needed for this test (Debian package openssl)");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    for (form, file) in [("DER", "pub.der"), ("PEM", "pub.pem")] {
        let out = Command::new("openssl")
            .args(["pkey", "-pubout", "-outform", form, "-in"])
            .arg(&key)
            .arg("-out")
            .arg(dir.join(file))
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    key.to_string_lossy().into_owned()
}

/// RSASSA-PKCS1-v1_5 over a pre-computed SHA-256 digest, as KMS
/// `MessageType=DIGEST` signs.
fn openssl_sign_digest(key: &str, dir: &std::path::Path, digest: &[u8; 32]) -> Vec<u8> {
    let input = dir.join("digest.bin");
    std::fs::write(&input, digest).unwrap();
    let out = Command::new("openssl")
        .args(["pkeyutl", "-sign", "-pkeyopt", "digest:sha256", "-inkey", key, "-in"])
        .arg(&input)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn openssl_signed_chain_verifies_through_a_ring() {
    let dir = tempdir();
    for bits in [2048, 4096] {
        let key = openssl_key(&dir, bits);
        let der = std::fs::read(dir.join("pub.der")).unwrap();
        let pem = std::fs::read_to_string(dir.join("pub.pem")).unwrap();
        let mut prev: Option<[u8; 32]> = None;
        let mut events = Vec::new();
        for i in 0..5 {
            let payload = format!(r#"{{"seq":{i},"actor":"kms-signer"}}"#);
            let hash = audit_digest(payload.as_bytes(), prev.as_ref()).unwrap();
            let signature = openssl_sign_digest(&key, &dir, &hash);
            assert_eq!(signature.len(), bits as usize / 8);
            let prev_text = prev.map_or("null".into(), |p| format!("\"{}\"", HashHex::new(&p)));
            let mut sig_hex = vec![0u8; 2 * signature.len()];
            let sig_hex = signcore::hex::encode(&signature, &mut sig_hex).unwrap().to_string();
            events.push(format!(
                r#"{{"payload":{payload},"hash":"{}","prev_hash":{prev_text},"kid":"kms-rsa","alg":"rsa-sha256","signature":"{sig_hex}"}}"#,
                HashHex::new(&hash)
            ));
            prev = Some(hash);
        }
        let mut der_hex = vec![0u8; 2 * der.len()];
        let der_hex = signcore::hex::encode(&der, &mut der_hex).unwrap();
        let rings = [
            format!(r#"[{{"kid":"kms-rsa","alg":"rsa-sha256","public_key":"{der_hex}"}}]"#),
            format!(
                r#"[{{"kid":"kms-rsa","alg":"rsa-sha256","public_key_pem":{}}}]"#,
                serde_json::to_string(&pem).unwrap()
            ),
        ];
        for ring in &rings {
            let ring = KeyRing::from_json(ring.as_bytes()).unwrap();
            assert_eq!(ring.key_hash(0), Some(<[u8; 32]>::from(Sha256::digest(&der))));
            let json = format!("[{}]", events.join(","));
            let summary = verify_chain(json.as_bytes(), &ring, None, |f| panic!("{f}")).unwrap();
            assert_eq!(summary.checked, 5);
            // Tampering: a flipped signature byte at event 2, a wrong kid at event 0.
            let mut tampered = events.clone();
            let at = tampered[2].rfind('"').unwrap() - 1;
            let flipped = if &tampered[2][at..=at] == "0" { "1" } else { "0" };
            tampered[2].replace_range(at..=at, flipped);
            tampered[0] = tampered[0].replace("kms-rsa", "other");
            let mut found = Vec::new();
            let json = format!("[{}]", tampered.join(","));
            verify_chain(json.as_bytes(), &ring, None, |f| found.push((f.index, f.code))).unwrap();
            assert_eq!(found, vec![(0, FindingCode::UnknownKey), (2, FindingCode::SignatureInvalid)]);
        }
        // A keystore cannot hold an RSA key (verify-only).
        let keystore = format!(r#"[{{"key_id":"r","alg":"rsa-sha256","secret_hex":"{der_hex}"}}]"#);
        let e = signcore::keystore::Keystore::from_json(keystore.as_bytes()).unwrap_err();
        assert_eq!(e.code(), "UNSUPPORTED_ALGORITHM", "{e}");
        common::report(&format!("openssl rsa-{bits} chain"), 5);
    }
}
