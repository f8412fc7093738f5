//! Signing keys held natively, and signer selection (DESIGN.md §6) through
//! the core's `policy::resolve`.
//!
//! A key lives only inside a [`NativeKey`]; nothing returns its secret. The
//! core's key types wipe themselves on drop, which happens on `dispose()` or
//! when the JS object is collected.

use std::cell::RefCell;
use std::rc::Rc;

use napi::bindgen_prelude::JsObjectValue;
use napi::bindgen_prelude::{Buffer, Either, FnArgs, Function, JsError, Object, ToNapiValue, Uint8ArraySlice, Unknown};
use napi::{Env, JsString, JsValue, sys};
use napi_derive::napi;
use signcore::PolicyError;
use signcore::canonical::Sink;
use signcore::digest::{HASH_LEN, Hash, parse_hash};
use signcore::hex::HashHex;
use signcore::key::{Alg, ED25519_SEED_LEN, SigningKey};
use signcore::keystore::{HmacSecrets, KeyId, MAX_KEY_ID_LEN};
use signcore::policy::{self, EnvSnapshot, Remote, Resolved, Source, Var, Warning};
use signcore::stringified::audit_digest_stringified;
use zeroize::Zeroizing;

use crate::text::{PayloadText, Text, with_scratch};
use crate::{Fail, bytes, fail, fail_arg, fail_with, from_napi};

struct Held {
    kid: KeyId,
    label: Option<String>,
    source: &'static str,
    key: SigningKey,
}

/// The key of a [`NativeKey`], shared with the signing functions of
/// [`NativeKey::signers`]; `None` once disposed. Only the JS thread uses it.
type Slot = Rc<RefCell<Option<Held>>>;

/// A local signing key (HMAC-SHA256 or Ed25519) with its kid. There is no
/// way to read the secret back; `dispose()` wipes it at once.
#[napi]
pub struct NativeKey {
    held: Slot,
}

fn key_id(kid: &str) -> Result<KeyId, Fail> {
    if kid.is_empty() {
        return Err(fail_with("INVALID_KEY_ID", "kid must not be empty"));
    }
    KeyId::try_from(kid)
        .map_err(|_| fail_with("INVALID_KEY_ID", format!("kid must be at most {MAX_KEY_ID_LEN} bytes of UTF-8")))
}

fn source_name(source: Source) -> &'static str {
    match source {
        Source::Keystore => "keystore",
        Source::LegacyEnv => "legacy-env",
        Source::LocalEnv => "local-env",
        Source::Mock => "mock",
        _ => "unknown",
    }
}

/// Reads a keystore file; its bytes are wiped after use.
pub(crate) fn read_keystore_file(path: &str) -> Result<Zeroizing<Vec<u8>>, Fail> {
    std::fs::read(path)
        .map(Zeroizing::new)
        .map_err(|e| fail(signcore::Error::KeystoreUnreadable(signcore::KeystoreUnreadable::from_io(path, &e))))
}

fn disposed() -> Fail {
    fail_with("SIGNER_DISPOSED", "this signer has been disposed")
}

/// Runs `f` with the key of `slot`, or fails with `SIGNER_DISPOSED`.
fn with_held<T>(slot: &Slot, f: impl FnOnce(&Held) -> Result<T, Fail>) -> Result<T, Fail> {
    match slot.try_borrow().as_deref() {
        Ok(Some(held)) => f(held),
        Ok(None) => Err(disposed()),
        Err(_) => Err(fail_with("INTERNAL_ERROR", "signer in use")),
    }
}

impl NativeKey {
    fn new(kid: KeyId, key: SigningKey, label: Option<String>, source: &'static str) -> Self {
        NativeKey { held: Rc::new(RefCell::new(Some(Held { kid, label, source, key }))) }
    }

    fn with<T>(&self, f: impl FnOnce(&Held) -> Result<T, Fail>) -> Result<T, Fail> {
        with_held(&self.held, f)
    }

    /// Runs `f` with the core key (for the benchmark floor, `crate::bench`).
    pub(crate) fn with_key<T>(&self, f: impl FnOnce(&SigningKey) -> Result<T, Fail>) -> Result<T, Fail> {
        with_held(&self.held, |held| f(&held.key))
    }
}

/// A JS value made in a signing function, returned as is.
pub(crate) struct JsValueOf(pub(crate) sys::napi_value);

impl ToNapiValue for JsValueOf {
    unsafe fn to_napi_value(_: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        Ok(value.0)
    }
}

/// A binding error thrown from a signing function with its `code` (those
/// functions can only return napi's own error type).
pub(crate) fn thrown(env: &Env, e: Fail) -> napi::Error {
    napi::Error::from(JsError::from(e).into_unknown(*env))
}

/// The 32 digest bytes of a hash given as a JS string: 64 hex digits are read
/// into a stack buffer; anything else goes through the core's parser for its
/// exact error.
fn digest_arg(env: &Env, value: &JsString<'_>) -> Result<Hash, Fail> {
    hash_arg(env, value, "digestHex")
}

/// [`digest_arg`] for the argument `name`.
pub(crate) fn hash_arg(env: &Env, value: &JsString<'_>, name: &'static str) -> Result<Hash, Fail> {
    const HEX_LEN: usize = 2 * HASH_LEN;
    let mut units = [0u16; HEX_LEN + 2];
    let mut len = 0;
    // SAFETY: `value` is a string handle of `env` for this call; N-API
    // writes at most `units.len()` units (including a terminating NUL).
    let status =
        unsafe { sys::napi_get_value_string_utf16(env.raw(), value.raw(), units.as_mut_ptr(), units.len(), &mut len) };
    if status == sys::Status::napi_ok && len == HEX_LEN {
        let mut ascii = [0u8; HEX_LEN];
        if units[..HEX_LEN].iter().zip(&mut ascii).all(|(&unit, byte)| {
            *byte = unit as u8;
            unit < 0x80
        }) {
            return parse_hash(&ascii[..]).map_err(fail_arg(name));
        }
    }
    // Anything else: refuse a lone surrogate rather than read it as U+FFFD.
    let wide = value.into_utf16().map_err(|_| type_error(name, "a string"))?;
    // (napi-rs's buffer ends with the terminating NUL.)
    let units = wide.as_slice().split_last().map_or(&[][..], |(_, text)| text);
    let text: String = char::decode_utf16(units.iter().copied())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            fail_with(
                "LONE_SURROGATE",
                format!("the \"{name}\" string has a lone UTF-16 surrogate, which has no UTF-8 form (it would silently become U+FFFD)"),
            )
        })?;
    parse_hash(text).map_err(fail_arg(name))
}

/// The longest `signEvent` answer: a hash and an Ed25519 signature in hex.
const EVENT_HEX_MAX: usize = 2 * HASH_LEN + 2 * 64;

/// `signEvent`: digest of the payload text (and `prev`), signed with the
/// key of `slot`; writes `hash || signature` as hex into `out`.
fn sign_event(
    env: &Env,
    slot: &Slot,
    text: &Text<'_>,
    prev: Option<&JsString<'_>>,
    out: &mut [u8; EVENT_HEX_MAX],
) -> Result<usize, Fail> {
    let prev = prev.map(|p| hash_arg(env, p, "prevHash")).transpose()?;
    let text = text.as_str()?;
    let hash = with_scratch(|scratch| audit_digest_stringified(text, prev.as_ref(), scratch)).map_err(fail)?;
    let signature = with_held(slot, |held| Ok(held.key.sign(&hash).hex()))?;
    let hash = HashHex::new(&hash);
    let parts = [hash.as_str().as_bytes(), signature.as_str().as_bytes()];
    let mut len = 0;
    for part in parts {
        let dst =
            out.get_mut(len..len + part.len()).ok_or_else(|| fail_with("INTERNAL_ERROR", "signature too long"))?;
        dst.copy_from_slice(part);
        len += part.len();
    }
    Ok(len)
}

pub(crate) fn type_error(name: &str, expected: &str) -> Fail {
    fail_with("ERR_INVALID_ARG_TYPE", format!("The \"{name}\" argument must be {expected}"))
}

#[napi]
impl NativeKey {
    /// HMAC-SHA256 key from 1..=64 secret bytes.
    #[napi(factory)]
    pub fn hmac(kid: String, secret: Uint8ArraySlice<'_>) -> Result<Self, Fail> {
        let key = SigningKey::hmac(&secret).map_err(fail_arg("secret"))?;
        Ok(Self::new(key_id(&kid)?, key, None, "explicit"))
    }

    /// Ed25519 key from its 32-byte RFC 8032 seed, as bytes or hex.
    #[napi(factory)]
    pub fn ed25519(kid: String, seed: Either<String, Uint8ArraySlice<'_>>) -> Result<Self, Fail> {
        let key = match &seed {
            Either::A(hex) => SigningKey::from_hex(Alg::Ed25519, hex.as_bytes()).map_err(fail_arg("seed"))?,
            Either::B(raw) => {
                let seed: &[u8; ED25519_SEED_LEN] = (&**raw).try_into().map_err(|_| {
                    fail_arg("seed")(signcore::Error::InvalidLength {
                        what: "ed25519 seed",
                        expected: ED25519_SEED_LEN,
                        actual: raw.len(),
                    })
                })?;
                SigningKey::ed25519_from_seed(seed)
            }
        };
        Ok(Self::new(key_id(&kid)?, key, None, "explicit"))
    }

    /// The key `key_id` of a keystore, given as a file path or as its JSON.
    #[napi(factory)]
    pub fn from_keystore(source: Either<String, Uint8ArraySlice<'_>>, key_id: String) -> Result<Self, Fail> {
        let record = match &source {
            Either::A(path) => signcore::keystore::load_key(&read_keystore_file(path)?, &key_id),
            Either::B(json) => signcore::keystore::load_key(json, &key_id),
        }
        .map_err(fail)?;
        let kid = KeyId::try_from(record.key_id()).unwrap_or_default();
        let label = record.label().map(str::to_owned);
        Ok(Self::new(kid, record.into_key(), label, "keystore"))
    }

    /// Key id.
    #[napi(getter)]
    pub fn kid(&self) -> Result<String, Fail> {
        self.with(|held| Ok(held.kid.as_str().to_owned()))
    }

    /// Canonical algorithm name.
    #[napi(getter)]
    pub fn alg(&self) -> Result<&'static str, Fail> {
        self.with(|held| Ok(held.key.alg().as_str()))
    }

    /// Publishable key hash (DESIGN.md §3), lowercase hex.
    #[napi(getter)]
    pub fn key_hash(&self) -> Result<String, Fail> {
        self.with(|held| Ok(HashHex::new(&held.key.key_hash()).as_str().to_owned()))
    }

    /// Ed25519 public key; `null` for HMAC.
    #[napi(getter)]
    pub fn public_key(&self) -> Result<Option<Buffer>, Fail> {
        self.with(|held| Ok(held.key.public_key().map(|k| Buffer::from(k.to_vec()))))
    }

    /// Keystore label, if any.
    #[napi(getter)]
    pub fn label(&self) -> Result<Option<String>, Fail> {
        self.with(|held| Ok(held.label.clone()))
    }

    /// Where the key came from: `explicit`, `keystore`, `legacy-env`, `local-env`, `mock`.
    #[napi(getter)]
    pub fn source(&self) -> Result<&'static str, Fail> {
        self.with(|held| Ok(held.source))
    }

    /// True after `dispose()`.
    #[napi(getter)]
    pub fn disposed(&self) -> bool {
        self.held.borrow().is_none()
    }

    /// The per-call signing functions of this key, made once per key:
    /// `signEvent(payloadText, prevHash)` returns the audit digest of a
    /// `JSON.stringify` text (the core's fast path straight into SHA-256)
    /// followed by the signature over its 32 bytes, both lowercase hex in
    /// one string (JS slices it at 64);
    /// `signHex(digestHex)` returns the lowercase hex signature over the 32
    /// raw bytes of a digest; `signInto(message, out)` writes the raw
    /// signature over `message` into `out`, which must have exactly
    /// `signatureLength` bytes. Plain N-API functions that hold the key (a
    /// `dispose()` reaches them), without the per-call cost of a class
    /// method, and with no result object or external buffer to make.
    #[napi(
        ts_return_type = "{ signEvent(payloadText: string, prevHash: string | null | undefined): string; signHex(digestHex: string): string; signInto(message: Uint8Array, out: Uint8Array): void; signatureLength: number }"
    )]
    pub fn signers<'env>(&self, env: &'env Env) -> Result<Object<'env>, Fail> {
        // Local keys are HMAC or Ed25519: fixed lengths.
        let signature_length = self.with(|held| Ok(held.key.alg().signature_len().unwrap_or(0) as u32))?;
        let slot = Rc::clone(&self.held);
        let sign_hex = env
            .create_function_from_closure::<(), _, _>("signHex", move |ctx| {
                let env = &*ctx.env;
                let digest =
                    ctx.get::<JsString<'_>>(0).map_err(|_| thrown(env, type_error("digestHex", "a string")))?;
                let hex = with_held(&slot, |held| Ok(held.key.sign(&digest_arg(env, &digest)?).hex()))
                    .map_err(|e| thrown(env, e))?;
                env.create_string_latin1(hex.as_str().as_bytes()).map(|s| JsValueOf(s.raw()))
            })
            .map_err(from_napi)?;
        let slot = Rc::clone(&self.held);
        let sign_into = env
            .create_function_from_closure::<(), (), _>("signInto", move |ctx| {
                let env = &*ctx.env;
                let message = ctx
                    .get::<Uint8ArraySlice<'_>>(0)
                    .map_err(|_| thrown(env, type_error("message", "a Uint8Array")))?;
                let mut out =
                    ctx.get::<Uint8ArraySlice<'_>>(1).map_err(|_| thrown(env, type_error("out", "a Uint8Array")))?;
                let signature = with_held(&slot, |held| Ok(held.key.sign(&message))).map_err(|e| thrown(env, e))?;
                let signature = signature.as_bytes();
                if out.len() != signature.len() {
                    return Err(thrown(
                        env,
                        fail(signcore::Error::InvalidLength {
                            what: "signature output",
                            expected: signature.len(),
                            actual: out.len(),
                        }),
                    ));
                }
                // SAFETY: no other reference into `out`'s memory is alive
                // (the message was read into `signature` before), and JS does
                // not run during this call.
                unsafe { out.as_mut() }.copy_from_slice(signature);
                Ok(())
            })
            .map_err(from_napi)?;
        let slot = Rc::clone(&self.held);
        let sign_event = env
            .create_function_from_closure::<(), _, _>("signEvent", move |ctx| {
                let env = &*ctx.env;
                let PayloadText(text) =
                    ctx.get::<PayloadText<'_>>(0).map_err(|_| thrown(env, type_error("payload text", "a string")))?;
                let prev = ctx
                    .get::<Option<JsString<'_>>>(1)
                    .map_err(|_| thrown(env, type_error("prevHash", "a string, null or undefined")))?;
                let mut out = [0u8; EVENT_HEX_MAX];
                let len = sign_event(env, &slot, &text, prev.as_ref(), &mut out).map_err(|e| thrown(env, e))?;
                env.create_string_latin1(out.get(..len).unwrap_or(&[])).map(|s| JsValueOf(s.raw()))
            })
            .map_err(from_napi)?;
        let mut signers = Object::new(env).map_err(from_napi)?;
        signers.set_named_property("signEvent", sign_event).map_err(from_napi)?;
        signers.set_named_property("signHex", sign_hex).map_err(from_napi)?;
        signers.set_named_property("signInto", sign_into).map_err(from_napi)?;
        signers.set_named_property("signatureLength", signature_length).map_err(from_napi)?;
        Ok(signers)
    }

    /// Whether `signature` is this key's valid signature over `message`;
    /// any signature that does not verify (wrong length included) is `false`.
    #[napi]
    pub fn verify(&self, message: Uint8ArraySlice<'_>, signature: Uint8ArraySlice<'_>) -> Result<bool, Fail> {
        self.with(|held| Ok(held.key.verify(&message, &signature).is_ok()))
    }

    /// The key ring entry of this key, as JSON (DESIGN.md §4): Ed25519
    /// `{kid, alg, public_key}`; HMAC `{kid, alg, secret_hex}` only with
    /// `includeSecret` (else `SECRET_REQUIRED`).
    #[napi]
    pub fn ring_entry(&self, include_secret: bool) -> Result<String, Fail> {
        self.with(|held| ring_entry_json(held.kid.as_str(), &held.key, include_secret))
    }

    /// Wipes the key now (for the functions of `signers()` too); later calls
    /// throw `SIGNER_DISPOSED`.
    #[napi]
    pub fn dispose(&self) {
        // Dropping the core key zeroizes its secret. (Never borrowed here:
        // the signing functions hold the borrow only while no JS runs.)
        drop(self.held.replace(None));
    }
}

/// Collects JSON written by the core; wiped on drop (a secret ring holds
/// HMAC secrets).
#[derive(Default)]
struct SecretSink(Zeroizing<Vec<u8>>);

impl Sink for SecretSink {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

impl SecretSink {
    /// The JSON as a JS-bound string (the core writes UTF-8).
    fn into_string(self) -> Result<String, Fail> {
        String::from_utf8(self.0.to_vec()).map_err(|_| fail_with("INTERNAL_ERROR", "ring JSON is not UTF-8"))
    }
}

fn hmac_secrets(include: bool) -> HmacSecrets {
    if include { HmacSecrets::Include } else { HmacSecrets::Omit }
}

/// The ring entry of one key as JSON (core `keystore::ring_entry`). An HMAC
/// key without `include_secret` is `SECRET_REQUIRED`, with what to do.
pub(crate) fn ring_entry_json(kid: &str, key: &SigningKey, include_secret: bool) -> Result<String, Fail> {
    let mut sink = SecretSink::default();
    match signcore::keystore::ring_entry(kid, key, hmac_secrets(include_secret), &mut sink) {
        Ok(()) => sink.into_string(),
        Err(signcore::Error::SecretRequired) => Err(fail_with(
            "SECRET_REQUIRED",
            format!(
                "key {kid:?} is an HMAC key: its ring entry is its secret (whoever holds it can sign); \
                 pass includeSecret: true to export it deliberately, or verify with an Ed25519 key"
            ),
        )),
        Err(e) => Err(fail(e)),
    }
}

/// The public key ring of a keystore (a file path, or its JSON), as JSON
/// (core `keystore::write_public_ring`): Ed25519 keys as `{kid, alg,
/// public_key}`; HMAC keys only with `includeHmacSecrets` (their entry is
/// their secret).
#[napi]
pub fn keystore_public_ring(
    source: Either<String, Uint8ArraySlice<'_>>,
    include_hmac_secrets: bool,
) -> Result<String, Fail> {
    let file;
    let json: &[u8] = match &source {
        Either::A(path) => {
            file = read_keystore_file(path)?;
            &file
        }
        Either::B(json) => json,
    };
    let mut sink = SecretSink::default();
    signcore::keystore::write_public_ring(json, hmac_secrets(include_hmac_secrets), &mut sink).map_err(fail)?;
    sink.into_string()
}

/// Where `resolveSigner` says to sign when it is not a local key.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct RemoteBackend {
    /// `proxy` or `kms`.
    #[napi(ts_type = "'proxy' | 'kms'")]
    pub backend: &'static str,
    /// Proxy: `SIGNING_PROXY_URL`.
    pub url: Option<String>,
    /// Proxy: `SIGNING_PROXY_API_KEY`.
    pub api_key: Option<String>,
    /// KMS: `AUDIT_SIGNING_KMS_KEY_ID`.
    pub key_id: Option<String>,
    /// KMS: `AUDIT_SIGNING_ALG`.
    pub alg: Option<String>,
    /// KMS: `AWS_REGION` or `AWS_DEFAULT_REGION`.
    pub region: Option<String>,
}

impl RemoteBackend {
    fn of(backend: &'static str) -> Self {
        RemoteBackend { backend, url: None, api_key: None, key_id: None, alg: None, region: None }
    }
}

/// The names of the environment variables the signer rules read, in the
/// order `resolveSigner` expects their values.
#[napi]
pub fn signer_env_vars() -> Vec<&'static str> {
    Var::ALL.iter().map(|v| v.name()).collect()
}

fn warning_code(w: &Warning) -> &'static str {
    match w {
        Warning::KeystoreUnavailable { .. } => "KEYSTORE_UNAVAILABLE",
        Warning::LegacyKey => "LEGACY_KEY",
        Warning::LocalEnvKey => "LOCAL_ENV_KEY",
        Warning::MockSigner => "MOCK_SIGNER",
        _ => "WARNING",
    }
}

/// Applies DESIGN.md §6 (core `policy::resolve`) to `values`, given in the
/// order of `signerEnvVars()` (`null`/`undefined` for unset). Warnings go to
/// `onWarning(message, code)` as they happen. Throws the core's policy error
/// (`SIGNER_REQUIRED`: "Audit signing is required …"; `NO_SIGNER` when
/// nothing is configured; others for unusable keys).
#[napi(ts_return_type = "NativeKey | RemoteBackend")]
pub fn resolve_signer(
    values: Vec<Option<String>>,
    on_warning: Function<'_, FnArgs<(String, &'static str)>, Unknown<'_>>,
) -> Result<Either<NativeKey, RemoteBackend>, Fail> {
    let values: Vec<Option<Zeroizing<String>>> = values.into_iter().map(|v| v.map(Zeroizing::new)).collect();
    let env = Var::ALL.iter().zip(&values).fold(EnvSnapshot::new(), |env, (&var, value)| match value {
        Some(v) => env.with(var, v.as_str()),
        None => env,
    });
    let mut callback_error = None;
    let resolved = policy::resolve(&env, policy::load_keystore_key, |warning| {
        if callback_error.is_none()
            && let Err(e) = on_warning.call((warning.to_string(), warning_code(&warning)).into())
        {
            callback_error = Some(e);
        }
    });
    if let Some(e) = callback_error {
        return Err(from_napi(e));
    }
    Ok(match resolved.map_err(fail)? {
        Resolved::Local(local) => {
            let label = local.label.as_ref().map(|l| l.as_str().to_owned());
            Either::A(NativeKey::new(local.kid, local.key, label, source_name(local.source)))
        }
        Resolved::Remote(Remote::Proxy { url, api_key }) => Either::B(RemoteBackend {
            url: Some(url.to_owned()),
            api_key: api_key.map(str::to_owned),
            ..RemoteBackend::of("proxy")
        }),
        Resolved::Remote(Remote::Kms { key_id, alg, region }) => Either::B(RemoteBackend {
            key_id: Some(key_id.to_owned()),
            alg: alg.map(str::to_owned),
            region: region.map(str::to_owned),
            ..RemoteBackend::of("kms")
        }),
        // Rule 7: the binding's hosts (Signer.fromEnv, signAuditDigest) need a
        // signer, so "nothing configured" is the core's NO_SIGNER error.
        Resolved::NoSigner => return Err(fail(signcore::Error::Policy(PolicyError::NoSigner))),
        _ => return Err(fail_with("INTERNAL_ERROR", "a signer backend this binding does not know")),
    })
}

/// An RSA public key from SubjectPublicKeyInfo DER bytes, DER hex, or PEM
/// text (`-----BEGIN PUBLIC KEY-----`).
fn rsa_public_key(public: &Either<String, Uint8ArraySlice<'_>>) -> Result<signcore::key::VerifyingKey, Fail> {
    use signcore::key::VerifyingKey;
    match public {
        Either::A(text) if text.trim_start().starts_with("-----BEGIN") => VerifyingKey::rsa_pem(text).map_err(fail),
        Either::A(hex) => {
            let mut der = vec![0u8; hex.len() / 2];
            let der = signcore::hex::decode(hex, &mut der).map_err(fail)?;
            VerifyingKey::rsa_spki_der(der).map_err(fail)
        }
        Either::B(der) => VerifyingKey::rsa_spki_der(der).map_err(fail),
    }
}

/// Publishable facts of a public key (Ed25519: 32 bytes; RSA: SPKI DER),
/// checked by the core: `{ alg, keyHash }` with key_hash = SHA256(public
/// key) for Ed25519 and SHA256(SPKI DER) for RSA (DESIGN.md §2, §3).
#[napi(object, object_from_js = false)]
pub struct PublicKeyInfo {
    /// Canonical algorithm name.
    pub alg: &'static str,
    /// Lowercase hex.
    pub key_hash: String,
}

/// The facts of a public key for `alg` (`ed25519` or `rsa-sha256`); throws
/// `INVALID_KEY` for a key the core refuses.
#[napi]
pub fn public_key_info(alg: String, public_key: Uint8ArraySlice<'_>) -> Result<PublicKeyInfo, Fail> {
    use signcore::key::{ED25519_PUBLIC_KEY_LEN, VerifyingKey};
    let key = match Alg::parse(&alg).map_err(fail)? {
        Alg::Ed25519 => {
            let raw: &[u8; ED25519_PUBLIC_KEY_LEN] = (&*public_key).try_into().map_err(|_| {
                fail(signcore::Error::InvalidLength {
                    what: "ed25519 public key",
                    expected: ED25519_PUBLIC_KEY_LEN,
                    actual: public_key.len(),
                })
            })?;
            VerifyingKey::ed25519(raw).map_err(fail)?
        }
        Alg::RsaSha256 => VerifyingKey::rsa_spki_der(&public_key).map_err(fail)?,
        _ => return Err(fail_with("INVALID_KEY", format!("{alg} has no public key"))),
    };
    Ok(PublicKeyInfo { alg: key.alg().as_str(), key_hash: HashHex::new(&key.key_hash()).as_str().to_owned() })
}

/// Verifies `signature` (bytes or hex) over `message` with a bare key: an
/// Ed25519 `publicKey` (bytes or hex) or an HMAC `secret` (bytes, or a
/// string's UTF-8). `false` when the signature does not verify or has the
/// wrong length; throws for an unusable key or algorithm.
#[napi]
pub fn verify_signature(
    alg: String,
    public_key: Option<Either<String, Uint8ArraySlice<'_>>>,
    secret: Option<Either<String, Uint8ArraySlice<'_>>>,
    message: Uint8ArraySlice<'_>,
    signature: Either<String, Uint8ArraySlice<'_>>,
) -> Result<bool, Fail> {
    use signcore::key::{ED25519_PUBLIC_KEY_LEN, MAX_VERIFY_SIGNATURE_LEN, VerifyingKey};
    let key = match (Alg::parse(&alg).map_err(fail_arg("key.alg"))?, &public_key, &secret) {
        (Alg::Ed25519, Some(public), None) => {
            let public: [u8; ED25519_PUBLIC_KEY_LEN] = match public {
                Either::A(hex) => signcore::hex::decode_array(hex).map_err(fail_arg("key.publicKey"))?,
                Either::B(raw) => (&**raw).try_into().map_err(|_| {
                    fail_arg("key.publicKey")(signcore::Error::InvalidLength {
                        what: "ed25519 public key",
                        expected: ED25519_PUBLIC_KEY_LEN,
                        actual: raw.len(),
                    })
                })?,
            };
            VerifyingKey::ed25519(&public).map_err(fail_arg("key.publicKey"))?
        }
        (Alg::HmacSha256, None, Some(secret)) => VerifyingKey::hmac(bytes(secret)).map_err(fail_arg("key.secret"))?,
        (Alg::RsaSha256, Some(public), None) => rsa_public_key(public)?,
        (Alg::Ed25519, _, _) => return Err(fail_with("INVALID_KEY", "ed25519 verification takes a publicKey only")),
        (Alg::HmacSha256, _, _) => {
            return Err(fail_with("INVALID_KEY", "hmac-sha256 verification takes a secret only"));
        }
        (Alg::RsaSha256, _, _) => {
            return Err(fail_with("INVALID_KEY", "rsa-sha256 verification takes a publicKey only (SPKI DER or PEM)"));
        }
        _ => return Err(fail_arg("key.alg")(signcore::Error::UnsupportedAlgorithm)),
    };
    let mut buf = [0u8; MAX_VERIFY_SIGNATURE_LEN];
    let signature: &[u8] = match &signature {
        Either::A(hex) if hex.len() > 2 * MAX_VERIFY_SIGNATURE_LEN => return Ok(false),
        Either::A(hex) => signcore::hex::decode(hex, &mut buf).map_err(fail_arg("signature"))?,
        Either::B(raw) => raw,
    };
    Ok(key.verify(&message, signature).is_ok())
}

/// The canonical name of an algorithm name DESIGN.md §2 accepts
/// (`hmac-sha256`, `ed25519`, `rsa-sha256`). Throws `UNKNOWN_ALGORITHM`
/// otherwise.
#[napi]
pub fn canonical_alg(name: String) -> Result<&'static str, Fail> {
    match Alg::parse(&name) {
        Ok(alg) => Ok(alg.as_str()),
        Err(signcore::Error::UnsupportedAlgorithm) => Ok("rsa-sha256"),
        Err(e) => Err(fail(e)),
    }
}
