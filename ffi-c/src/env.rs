//! Signer selection from the process environment (DESIGN.md §6), `std` only.

use core::ffi::{c_char, c_void};
use core::fmt::Write as _;

use signcore::policy::{ProcessEnv, Remote, Resolved, Source, resolve_process_env};

use crate::key::{signcore_key, signcore_key_source, store};
use crate::status::signcore_error;
use crate::status::signcore_status::{self, *};
use crate::util::{Fail, Text, guard, out_ptr, put, scrubbed};

/// Receives a warning to log while `signcore_key_from_env` resolves the
/// signer (a keystore that cannot serve `RITMA_KEY_ID`, the legacy key, an
/// environment secret, the mock signer). `message` is NUL-terminated UTF-8
/// without secret material, valid only during the call (copy it to keep
/// it). `ctx` is the caller's `warn_ctx`, passed through. The callback must
/// return normally (no `longjmp`, no C++ exception).
pub type signcore_warning_fn = Option<unsafe extern "C" fn(ctx: *mut c_void, message: *const c_char)>;

/// Bytes of the warning text buffer (NUL included).
const WARNING_BYTES: usize = 512;

fn source_of(source: Source) -> signcore_key_source {
    match source {
        Source::Keystore => signcore_key_source::SIGNCORE_SOURCE_KEYSTORE,
        Source::LegacyEnv => signcore_key_source::SIGNCORE_SOURCE_LEGACY_ENV,
        Source::LocalEnv => signcore_key_source::SIGNCORE_SOURCE_LOCAL_ENV,
        Source::Mock => signcore_key_source::SIGNCORE_SOURCE_MOCK,
        // A rule newer than this binding: still a local key.
        _ => signcore_key_source::SIGNCORE_SOURCE_EXPLICIT,
    }
}

/// Chooses the signer from the process environment by the rules of
/// DESIGN.md §6 (the core's `signcore::policy`, the same rules as every
/// other host), and loads it into `key` when it is a local key.
///
/// First match wins: `AUDIT_SIGNING_KMS_KEY_ID` (KMS), `SIGNING_PROXY_URL`
/// (proxy), `RITMA_KEY_ID` from the keystore at `RITMA_KEYSTORE_PATH`
/// (default `./node_keystore.json`; if it cannot serve the key, a warning
/// and the next rule), `UTLD_PACKAGE_SIG_KEY` (`<alg>:<secret_hex>`, kid
/// `legacy-env`), `AUDIT_SIGNING_KEY` | `AUDIT_SIGNING_PRIVATE_KEY` |
/// `AUDIT_SIGNING_SECRET` with `AUDIT_SIGNING_ALG` (kid `local`),
/// `MOCK_AUDIT_SIGNING_KEY` (kid `mock`). With `REQUIRE_KMS=true` only KMS
/// or the proxy qualify; with `NODE_ENV=production` only KMS, the proxy or
/// the keystore. Empty variables count as unset.
///
/// - `key`: caller storage; filled on `SIGNCORE_OK` (old content wiped
///   first), unchanged otherwise.
/// - `source`: optional (may be NULL); receives the rule that matched on
///   `SIGNCORE_OK`, `SIGNCORE_REMOTE_SIGNER_CONFIGURED` (`SIGNCORE_SOURCE_KMS`
///   or `SIGNCORE_SOURCE_PROXY`) and `SIGNCORE_NO_SIGNER`
///   (`SIGNCORE_SOURCE_NONE`).
/// - `warn`, `warn_ctx`: optional (may be NULL) warning callback and its context.
/// - `error`: optional (may be NULL) failure details; a refused
///   configuration's message begins `Audit signing is required` and names
///   the variables to set.
///
/// Returns `SIGNCORE_OK` with a local key;
/// `SIGNCORE_REMOTE_SIGNER_CONFIGURED` when KMS or a proxy is configured
/// (the host must sign through it; `key` is not touched);
/// `SIGNCORE_NO_SIGNER` when nothing is configured (the host decides whether
/// that is fatal); `SIGNCORE_SIGNER_REQUIRED` when a guard refused the
/// configuration or an algorithm is unusable; `SIGNCORE_INVALID_KEY`,
/// `SIGNCORE_INVALID_HEX`, `SIGNCORE_UNKNOWN_ALGORITHM` for a bad
/// environment key; `SIGNCORE_NULL_POINTER`, `SIGNCORE_INVALID_ARGUMENT`.
///
/// Reads the process environment (not thread-safe against concurrent
/// `setenv`) and the keystore file. Only in builds with the `std` feature
/// (the header declares it unless `SIGNCORE_NO_STD` is defined).
///
/// # Safety
/// `key` must point to writable `signcore_key` storage (exclusive during the
/// call); `source`, when not NULL, to a writable `signcore_key_source`;
/// `warn`, when not NULL, to a function as described by
/// `signcore_warning_fn`; `error`, when not NULL, to a writable `signcore_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_key_from_env(
    key: *mut signcore_key,
    source: *mut signcore_key_source,
    warn: signcore_warning_fn,
    warn_ctx: *mut c_void,
    error: *mut signcore_error,
) -> signcore_status {
    scrubbed(|| {
        guard(error, || {
            out_ptr(key)?;
            if !source.is_null() {
                out_ptr(source)?;
            }
            let set_source = |value: signcore_key_source| {
                if !source.is_null() {
                    // SAFETY: non-NULL, aligned (checked above) and writable by contract.
                    unsafe { put(source, value) };
                }
            };
            let env = ProcessEnv::capture();
            let resolved = resolve_process_env(&env, |warning| {
                if let Some(callback) = warn {
                    let mut text = Text::<WARNING_BYTES>::new();
                    let _ = write!(text, "{warning}");
                    let chars = text.into_c_chars();
                    // SAFETY: the caller's contract for `warn`; `chars` is
                    // NUL-terminated (Text keeps the last byte 0) and outlives the call.
                    unsafe { callback(warn_ctx, chars.as_ptr()) };
                }
            })?;
            match resolved {
                Resolved::Local(signer) => {
                    let origin = source_of(signer.source);
                    // SAFETY: `key` checked non-NULL and aligned; exclusive by contract.
                    unsafe { store(key, origin, &signer.key, signer.kid.as_str(), signer.label.as_deref())? };
                    set_source(origin);
                    Ok(())
                }
                Resolved::Remote(Remote::Kms { .. }) => {
                    set_source(signcore_key_source::SIGNCORE_SOURCE_KMS);
                    Err(Fail::Detail(
                        SIGNCORE_REMOTE_SIGNER_CONFIGURED,
                        "AUDIT_SIGNING_KMS_KEY_ID is set: the host must sign through AWS KMS (no local key)",
                    ))
                }
                Resolved::Remote(Remote::Proxy { .. }) => {
                    set_source(signcore_key_source::SIGNCORE_SOURCE_PROXY);
                    Err(Fail::Detail(
                        SIGNCORE_REMOTE_SIGNER_CONFIGURED,
                        "SIGNING_PROXY_URL is set: the host must sign through the signing proxy (no local key)",
                    ))
                }
                Resolved::NoSigner => {
                    set_source(signcore_key_source::SIGNCORE_SOURCE_NONE);
                    Err(signcore::Error::Policy(signcore::PolicyError::NoSigner).into())
                }
                // A remote backend newer than this binding: the host must perform it.
                _ => Err(Fail::Detail(
                    SIGNCORE_REMOTE_SIGNER_CONFIGURED,
                    "a remote signer this binding does not know is configured (no local key)",
                )),
            }
        })
    })
}
