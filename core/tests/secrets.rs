//! Secret hygiene at the type level: every type that holds secret bytes
//! wipes itself on drop, and no Debug or error text shows the secret.

use signcore::key::{HmacKey, SigningKey};
use signcore::keystore::{KeyRecord, Keystore};
use zeroize::ZeroizeOnDrop;

fn zeroize_on_drop<T: ZeroizeOnDrop>() {}

#[test]
fn secret_types_are_zeroize_on_drop() {
    zeroize_on_drop::<HmacKey>();
    zeroize_on_drop::<SigningKey>();
    zeroize_on_drop::<ed25519_dalek::SigningKey>();
}

#[test]
fn debug_output_shows_no_secret() {
    let seed = [0x5a_u8; 32];
    let secret = b"super-secret-hmac-key-material!!";
    let hex_of = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let keys = [SigningKey::ed25519_from_seed(&seed), SigningKey::hmac(secret).unwrap()];
    for key in &keys {
        for text in [format!("{key:?}"), format!("{key:#?}"), format!("{:?}", key.verifying_key())] {
            assert!(!text.contains(&hex_of(&seed)) && !text.contains("5a, 5a") && !text.contains("90, 90"), "{text}");
            assert!(!text.contains("super-secret") && !text.contains(&hex_of(secret)), "{text}");
        }
    }
    let json = format!(r#"[{{"key_id":"k","alg":"hmac","secret_hex":"{}"}}]"#, hex_of(secret));
    let store: Keystore = Keystore::from_json(json.as_bytes()).unwrap();
    let record: &KeyRecord = &store.records()[0];
    let text = format!("{record:?} {store:?}");
    assert!(!text.contains(&hex_of(secret)) && !text.contains("super-secret"), "{text}");
}
