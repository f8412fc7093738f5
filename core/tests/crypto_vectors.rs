//! Wycheproof Ed25519 (151) and HMAC-SHA256 (174) verification tests, and
//! the RFC 8032 §7.1 signing vectors, through signcore's key types.
mod common;

use signcore::key::{HmacKey, SigningKey, VerifyingKey};
use signcore::{Error, RecordProblem};

#[test]
fn wycheproof_ed25519() {
    let doc = common::json("wycheproof/ed25519_test.json");
    let mut count = 0;
    for group in doc["testGroups"].as_array().unwrap() {
        let pk: [u8; 32] = common::unhex(group["publicKey"]["pk"].as_str().unwrap()).try_into().unwrap();
        let key = VerifyingKey::ed25519(&pk);
        for test in group["tests"].as_array().unwrap() {
            let msg = common::unhex(test["msg"].as_str().unwrap());
            let sig_hex = test["sig"].as_str().unwrap();
            let mut sig = vec![0u8; sig_hex.len() / 2 + 1];
            let sig = signcore::hex::decode(sig_hex, &mut sig).map(<[u8]>::to_vec);
            let accepted = match (&key, sig) {
                (Ok(key), Ok(sig)) => key.verify(&msg, &sig).is_ok(),
                _ => false,
            };
            let expected = test["result"].as_str().unwrap() == "valid";
            assert_eq!(accepted, expected, "tcId {} ({})", test["tcId"], test["comment"]);
            count += 1;
        }
    }
    assert_eq!(count, 151);
    common::report("wycheproof/ed25519_test.json", count);
}

#[test]
fn wycheproof_hmac_sha256() {
    let doc = common::json("wycheproof/hmac_sha256_test.json");
    let mut count = 0;
    for group in doc["testGroups"].as_array().unwrap() {
        let tag_bytes = group["tagSize"].as_u64().unwrap() as usize / 8;
        for test in group["tests"].as_array().unwrap() {
            let secret = common::unhex(test["key"].as_str().unwrap());
            let msg = common::unhex(test["msg"].as_str().unwrap());
            let tag = common::unhex(test["tag"].as_str().unwrap());
            // Wycheproof has 65-byte keys: accepted by the RFC 2104 entry
            // point, refused by the policy-checked one.
            let key = HmacKey::new_rfc2104(&secret).unwrap();
            if secret.len() > 64 {
                assert_eq!(HmacKey::new(&secret).err(), Some(Error::InvalidKey(RecordProblem::HmacSecretTooLong)));
            }
            let accepted = tag.len() == tag_bytes && key.verify_truncated(&msg, &tag).is_ok();
            let expected = test["result"].as_str().unwrap() == "valid";
            assert_eq!(accepted, expected, "tcId {} ({})", test["tcId"], test["comment"]);
            if expected && tag_bytes == 32 {
                assert_eq!(key.tag(&msg).to_vec(), tag);
            }
            count += 1;
        }
    }
    assert_eq!(count, 174);
    common::report("wycheproof/hmac_sha256_test.json", count);
}

/// RFC 8032 §7.1: TEST 1, 2, 3 and SHA(abc): (seed, public key, message, signature).
const RFC8032: [(&str, &str, &str, &str); 4] = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
    (
        "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
    ),
];

#[test]
fn rfc8032_signing() {
    for (seed, public, msg, sig) in RFC8032 {
        let key = SigningKey::ed25519_from_seed(&common::unhex(seed).try_into().unwrap());
        assert_eq!(key.public_key().unwrap().to_vec(), common::unhex(public));
        let msg = common::unhex(msg);
        let signature = key.sign(&msg);
        assert_eq!(signature.hex().as_str(), sig);
        let verifier = VerifyingKey::ed25519(&common::unhex(public).try_into().unwrap()).unwrap();
        verifier.verify(&msg, signature.as_bytes()).unwrap();
        let mut flipped = signature.as_bytes().to_vec();
        flipped[0] ^= 1;
        assert_eq!(verifier.verify(&msg, &flipped), Err(Error::SignatureInvalid));
        // The stored (expanded) form signs alike and keeps the public key.
        let raw = key.to_raw();
        assert_eq!(raw.public_key().map(|p| p.to_vec()), Some(common::unhex(public)));
        assert_eq!(raw.sign(&msg).unwrap().hex().as_str(), sig);
    }
    common::report("RFC 8032 §7.1 signing (seed and stored form)", RFC8032.len());
}
