//! Rust-side checks of the boundary itself; the API is tested from C in
//! `tests/c/`.

use core::ffi::CStr;
use core::fmt::Write as _;

use crate::status::signcore_status::*;
use crate::status::{ALL_STATUSES, signcore_error, status_for_code, status_of};
use crate::util::{Fail, Text, guard};
use crate::*;

#[test]
fn every_core_code_has_its_own_status() {
    use signcore::{Error, JsonError, JsonErrorKind, PolicyError, RecordProblem};
    // Errors a binding can build: each maps to the status of its code.
    let json = |kind| Error::Json(JsonError { kind, offset: 0 });
    let errors = [
        json(JsonErrorKind::UnexpectedEnd),
        json(JsonErrorKind::DuplicateMember),
        json(JsonErrorKind::LoneSurrogate),
        json(JsonErrorKind::InvalidUtf8),
        json(JsonErrorKind::NumberOutOfRange),
        json(JsonErrorKind::NestingTooDeep),
        Error::InvalidHex,
        Error::InvalidLength { what: "x", expected: 1, actual: 2 },
        Error::UnknownAlgorithm,
        Error::UnsupportedAlgorithm,
        Error::InvalidKey(RecordProblem::EmptySecret),
        Error::KeyNotFound { key_id: None },
        Error::SecretRequired,
        Error::BufferTooSmall { needed: 1 },
        Error::SignatureInvalid,
        Error::InvalidThreshold,
        Error::Policy(PolicyError::KmsRequired),
        Error::Policy(PolicyError::NoSigner),
        Error::InvalidBurnSignature,
        Error::InvalidEvidence(signcore::host::EvidenceProblem::BadMeta),
    ];
    for e in &errors {
        let status = status_of(e);
        assert_ne!(status, SIGNCORE_OTHER_ERROR, "{} unmapped", e.code());
        assert_eq!(status.code().to_str().unwrap(), e.code());
    }
    // The host API's own errors (evidence directories) too.
    let host = [
        signcore::host::HostError::Io { path: "dir".into(), action: "read", kind: std::io::ErrorKind::NotFound },
        signcore::host::HostError::NotPackageable { path: "dir/link".into() },
    ];
    for e in &host {
        let status = status_for_code(e.code());
        assert_ne!(status, SIGNCORE_OTHER_ERROR, "{} unmapped", e.code());
        assert_eq!(status.code().to_str().unwrap(), e.code());
    }
    // Every core status (5100..5199) round-trips through its code string, and
    // no two statuses share one.
    let mut seen = std::collections::HashSet::new();
    for s in ALL_STATUSES {
        let code = s.code().to_str().unwrap();
        assert!(seen.insert(code), "{code} twice");
        if (5100..5200).contains(&(*s as i32)) {
            assert_eq!(status_for_code(code), *s, "{code}");
        }
        // SAFETY: the functions return static NUL-terminated strings.
        let text = unsafe { CStr::from_ptr(signcore_status_str(*s as i32)) };
        assert!(!text.to_bytes().is_empty());
    }
}

#[test]
fn panics_become_a_status() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut details = core::mem::MaybeUninit::<signcore_error>::uninit();
    let status = guard(details.as_mut_ptr(), || -> Result<(), Fail> { panic!("boom") });
    std::panic::set_hook(prev);
    assert_eq!(status, SIGNCORE_PANIC);
    // SAFETY: `guard` wrote it.
    let details = unsafe { details.assume_init() };
    assert_eq!(details.status, SIGNCORE_PANIC);
}

#[test]
fn text_truncates_at_char_boundaries() {
    let mut t = Text::<5>::new();
    let _ = t.write_str("ab\u{e9}\u{e9}");
    let chars = t.into_c_chars();
    let bytes: Vec<u8> = chars.iter().map(|&c| c as u8).collect();
    assert_eq!(&bytes, b"ab\xc3\xa9\0");
}

#[test]
fn key_storage_has_room() {
    let used = core::mem::size_of::<crate::key::KeySlot>();
    println!("KeySlot: {used} of {SIGNCORE_KEY_STORAGE_BYTES} bytes");
    assert!(used <= SIGNCORE_KEY_STORAGE_BYTES);
}
