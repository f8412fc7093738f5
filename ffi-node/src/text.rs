//! JSON text across N-API with one copy each way.
//!
//! napi-rs reads a JS `String` argument in two V8 passes (the UTF-8 length,
//! then a copy into a zeroed buffer) and returns a Rust string through
//! `napi_create_string_utf8`, which V8 decodes again. For whole documents
//! (canonicalization, chains) this module instead reads a string in one pass:
//! a payload's `JSON.stringify` text ([`PayloadText`]) of up to
//! [`TRANSCODE_MAX_UNITS`] as UTF-16 (a plain copy out of V8), turned into
//! UTF-8 here (ASCII narrowed, the rest by `encoding_rs`, whose output is a
//! `str`, so it is not validated again), anything else as UTF-8 by V8 into a
//! buffer sized for the worst case. It returns ASCII as Latin-1 (a plain copy into a one-byte
//! string) and anything else as UTF-16 (transcoded by `encoding_rs`).

use std::cell::{Cell, RefCell};
use std::ptr;
use std::thread::LocalKey;

use napi::bindgen_prelude::{FromNapiValue, TypeName, Uint8ArraySlice};
use napi::{Env, JsString, ValueType, check_status, sys};
use signcore::stringified::{Scratch, canonicalize_stringified};
use signcore::{Error, JsonError, JsonErrorKind};

use crate::{Fail, fail, from_napi};

/// Up to this many UTF-16 units a string is read in one pass into a buffer
/// of 3 bytes per unit (the most UTF-8 one unit can need); longer strings
/// are measured first, so the buffer is never larger than 192 MiB.
const ONE_PASS_MAX_UNITS: usize = 1 << 26;

/// Strings up to this many UTF-16 units are read as UTF-16 and transcoded
/// here (V8's own UTF-8 writer is several times slower on two-byte strings);
/// longer ones are written as UTF-8 by V8, without a UTF-16 copy on the side.
const TRANSCODE_MAX_UNITS: usize = 1 << 18;

/// Buffers up to this size are kept for the next call on the thread (so at
/// most 3 MiB per thread): malloc and free of the three buffers of a call
/// (input, canonical output, UTF-16) otherwise cost as much as the copies,
/// and buffers past glibc's mmap threshold are page-faulted in anew.
pub(crate) const RECYCLE_MAX_BYTES: usize = 1024 * 1024;

thread_local! {
    static SPARE_INPUT: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
    static SPARE_OUTPUT: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
    static SPARE_UTF16: Cell<Vec<u16>> = const { Cell::new(Vec::new()) };
    static SPARE_READ: Cell<Vec<u16>> = const { Cell::new(Vec::new()) };
    static SPARE_STR: Cell<String> = const { Cell::new(String::new()) };
    static SCRATCH: RefCell<Scratch> = const { RefCell::new(Scratch::new()) };
}

/// Runs `f` with the thread's fast-path scratch (kept between calls unless
/// a large input grew it past [`RECYCLE_MAX_BYTES`]).
pub(crate) fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|slot| match slot.try_borrow_mut() {
        Ok(mut scratch) => {
            let made = f(&mut scratch);
            if scratch.heap_bytes() > RECYCLE_MAX_BYTES {
                *scratch = Scratch::new();
            }
            made
        }
        // Not reachable (no JS runs inside `f`); a fresh scratch all the same.
        Err(_) => f(&mut Scratch::new()),
    })
}

/// An empty buffer, reused from `slot` when one was kept.
fn spare<T>(slot: &'static LocalKey<Cell<Vec<T>>>) -> Vec<T> {
    slot.take()
}

/// Keeps `buffer` in `slot` for the next call, unless it is large.
fn recycle<T>(slot: &'static LocalKey<Cell<Vec<T>>>, mut buffer: Vec<T>) {
    if buffer.capacity() > 0 && buffer.capacity() * size_of::<T>() <= RECYCLE_MAX_BYTES {
        buffer.clear();
        slot.set(buffer);
    }
}

/// JSON input from JS: a string's UTF-8, or a `Uint8Array` read in place.
pub enum Text<'a> {
    /// The UTF-8 of a long JS string, written by V8 (its buffer is recycled on drop).
    Utf8(Vec<u8>),
    /// The first `.1` bytes of `.0`: a JS string transcoded here. The rest of
    /// the buffer is left from earlier calls (so it need not be zeroed again);
    /// it is recycled on drop.
    Str(String, usize),
    /// Bytes, borrowed from the JS typed array for the call.
    Bytes(Uint8ArraySlice<'a>),
}

impl Drop for Text<'_> {
    fn drop(&mut self) {
        match self {
            Text::Utf8(bytes) => recycle(&SPARE_INPUT, std::mem::take(bytes)),
            Text::Str(text, _) => {
                let text = std::mem::take(text);
                if text.capacity() <= RECYCLE_MAX_BYTES {
                    SPARE_STR.set(text);
                }
            }
            Text::Bytes(_) => {}
        }
    }
}

impl Text<'_> {
    /// The bytes as an owned buffer: a string's UTF-8 is taken over, a
    /// typed array's bytes are copied (JS may detach it once the call returns).
    pub fn into_owned(mut self) -> Vec<u8> {
        match &mut self {
            Text::Utf8(bytes) => {
                let mut owned = std::mem::take(bytes);
                // Sized for the worst case (3 bytes a unit) until here.
                owned.shrink_to_fit();
                owned
            }
            Text::Str(..) | Text::Bytes(_) => self.as_bytes().to_vec(),
        }
    }

    /// The text as UTF-8 (`INVALID_UTF8` for bytes that are not; a string
    /// transcoded here is UTF-8 by construction and not checked again).
    pub fn as_str(&self) -> Result<&str, Fail> {
        if let Text::Str(text, len) = self {
            return Ok(text.get(..*len).unwrap_or_default());
        }
        core::str::from_utf8(self.as_bytes())
            .map_err(|e| fail(Error::Json(JsonError { kind: JsonErrorKind::InvalidUtf8, offset: e.valid_up_to() })))
    }

    /// The bytes as an owned buffer without [`Text::into_owned`]'s shrink
    /// (which may copy): for buffers that live only until a job is done.
    pub fn into_buffer(mut self) -> Vec<u8> {
        match &mut self {
            Text::Utf8(bytes) => std::mem::take(bytes),
            Text::Str(..) | Text::Bytes(_) => self.as_bytes().to_vec(),
        }
    }

    /// The bytes the core reads.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Text::Utf8(bytes) => bytes,
            Text::Str(text, len) => text.as_bytes().get(..*len).unwrap_or_default(),
            Text::Bytes(bytes) => bytes,
        }
    }
}

impl TypeName for Text<'_> {
    fn type_name() -> &'static str {
        "string | Uint8Array"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl FromNapiValue for Text<'_> {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: as this function's.
        unsafe { text_arg(env, value, false) }
    }
}

/// A payload's `JSON.stringify` text (`canonicalizePayload`, `signAuditEvent`):
/// a [`Text`] whose string, when short enough, is read as UTF-16 and
/// transcoded here (see [`TRANSCODE_MAX_UNITS`]). Other text arguments
/// (chains, rings, `canonicalizeJson`) are written as UTF-8 by V8, which is
/// as fast for strings V8 holds as Latin-1, as those mostly are.
pub struct PayloadText<'a>(pub Text<'a>);

impl TypeName for PayloadText<'_> {
    fn type_name() -> &'static str {
        "string | Uint8Array"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl FromNapiValue for PayloadText<'_> {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: as this function's.
        unsafe { text_arg(env, value, true) }.map(PayloadText)
    }
}

/// A string (read with [`read_string`] when `transcode`, else by V8 as
/// UTF-8) or a `Uint8Array`.
///
/// # Safety
///
/// `value` must be a handle of `env`, valid for this call.
unsafe fn text_arg<'a>(env: sys::napi_env, value: sys::napi_value, transcode: bool) -> napi::Result<Text<'a>> {
    let mut kind = 0;
    check_status!(unsafe { sys::napi_typeof(env, value, &mut kind) })?;
    if ValueType::from(kind) != ValueType::String {
        // SAFETY: as napi-rs converts any `Uint8Array` argument.
        return unsafe { Uint8ArraySlice::from_napi_value(env, value) }.map(Text::Bytes);
    }
    if transcode {
        // SAFETY: `value` is a string of `env`, during the call.
        return unsafe { read_string(env, value) };
    }
    let mut units = 0;
    // With no buffer, N-API returns the length in UTF-16 units (no pass).
    check_status!(unsafe { sys::napi_get_value_string_utf16(env, value, ptr::null_mut(), 0, &mut units) })?;
    // SAFETY: `value` is a string of `env`, during the call.
    unsafe { utf8(env, value, units) }.map(Text::Utf8)
}

/// The UTF-8 of the JS string `value`. Lone surrogates become U+FFFD, as in
/// every N-API UTF-8 read (`index.js` refuses them before calling).
///
/// # Safety
///
/// `value` must be a string handle of `env`, valid for this call.
unsafe fn read_string<'a>(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Text<'a>> {
    let mut units = 0;
    // With no buffer, N-API returns the length in UTF-16 units (no pass).
    check_status!(unsafe { sys::napi_get_value_string_utf16(env, value, ptr::null_mut(), 0, &mut units) })?;
    if units > TRANSCODE_MAX_UNITS {
        // SAFETY: as this function's.
        return unsafe { utf8(env, value, units) }.map(Text::Utf8);
    }
    let mut wide = spare(&SPARE_READ);
    // N-API always writes a terminating NUL after the text.
    wide.resize(units + 1, 0);
    let mut read = 0;
    check_status!(unsafe { sys::napi_get_value_string_utf16(env, value, wide.as_mut_ptr(), units + 1, &mut read) })?;
    let wide_text = wide.get(..read.min(units)).unwrap_or_default();
    if is_ascii_utf16(wide_text) {
        // Narrowed in a loop the compiler vectorizes (ASCII is UTF-8 as is).
        let mut bytes = spare(&SPARE_INPUT);
        bytes.clear();
        bytes.extend(wide_text.iter().map(|&unit| unit as u8));
        recycle(&SPARE_READ, wide);
        return Ok(Text::Utf8(bytes));
    }
    // The buffer keeps what earlier calls wrote (valid UTF-8, as a `String`
    // must be): only its growth is zeroed.
    let mut text = SPARE_STR.take();
    let needed = 3 * wide_text.len();
    if text.len() < needed {
        let grow = needed - text.len();
        text.extend(std::iter::repeat_n('\0', grow));
    }
    // `text` has room for 3 bytes a unit, what encoding_rs asks for.
    let len = encoding_rs::mem::convert_utf16_to_str(wide_text, text.as_mut_str());
    recycle(&SPARE_READ, wide);
    Ok(Text::Str(text, len))
}

/// Whether every unit is ASCII (blocks of 32 OR-ed together: vectorized).
fn is_ascii_utf16(units: &[u16]) -> bool {
    let mut blocks = units.chunks_exact(32);
    let mut any = 0u16;
    for block in &mut blocks {
        any |= block.iter().fold(0, |acc, &unit| acc | unit);
        if any >= 0x80 {
            return false;
        }
    }
    (blocks.remainder().iter().fold(any, |acc, &unit| acc | unit)) < 0x80
}

/// The UTF-8 of the JS string `value` (of `units` UTF-16 units), written by V8.
///
/// # Safety
///
/// `value` must be a string handle of `env`, valid for this call.
unsafe fn utf8(env: sys::napi_env, value: sys::napi_value, units: usize) -> napi::Result<Vec<u8>> {
    let needed = if units <= ONE_PASS_MAX_UNITS {
        3 * units
    } else {
        let mut len = 0;
        check_status!(unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut len) })?;
        len
    };
    // N-API always writes a terminating NUL after the text.
    let capacity = needed + 1;
    let mut out = spare(&SPARE_INPUT);
    out.reserve_exact(capacity);
    let mut written = 0;
    check_status!(unsafe {
        sys::napi_get_value_string_utf8(env, value, out.as_mut_ptr().cast(), capacity, &mut written)
    })?;
    // SAFETY: N-API initialized the first `written` bytes (`written < capacity`).
    unsafe { out.set_len(written.min(needed)) };
    Ok(out)
}

/// The RFC 8785 form of `input` as a JS string.
pub(crate) fn canonical_js_string<'env>(env: &'env Env, input: &[u8]) -> Result<JsString<'env>, Fail> {
    let mut out = spare(&SPARE_OUTPUT);
    out.reserve(input.len());
    let made = signcore::canonical::canonicalize(input, &mut out).map_err(fail).and_then(|()| js_string(env, &out));
    recycle(&SPARE_OUTPUT, out);
    made
}

/// The RFC 8785 form of `text`, the output of `JSON.stringify`, as a JS
/// string: the core's fast path (`signcore::stringified`), which falls back
/// to the full canonicalizer for anything else.
pub(crate) fn stringified_js_string<'env>(env: &'env Env, text: &str) -> Result<JsString<'env>, Fail> {
    let mut out = spare(&SPARE_OUTPUT);
    out.reserve(text.len());
    let made = with_scratch(|scratch| canonicalize_stringified(text, scratch, &mut out))
        .map_err(fail)
        .and_then(|_| js_string(env, &out));
    recycle(&SPARE_OUTPUT, out);
    made
}

/// [`stringified_js_string`] with the output made by V8 from UTF-8
/// (`napi_create_string_utf8`) instead of [`js_string`]: the alternative
/// `bench/diagnose.mjs` measures.
pub(crate) fn stringified_js_string_v8<'env>(env: &'env Env, text: &str) -> Result<JsString<'env>, Fail> {
    let mut out = spare(&SPARE_OUTPUT);
    out.reserve(text.len());
    let made = with_scratch(|scratch| canonicalize_stringified(text, scratch, &mut out)).map_err(fail).and_then(|_| {
        let text = core::str::from_utf8(&out).map_err(|_| fail_with_utf8())?;
        env.create_string(text).map_err(from_napi)
    });
    recycle(&SPARE_OUTPUT, out);
    made
}

fn fail_with_utf8() -> Fail {
    fail(Error::Json(JsonError { kind: JsonErrorKind::InvalidUtf8, offset: 0 }))
}

/// A JS string of UTF-8 text: ASCII is copied into a one-byte string, other
/// text is transcoded to UTF-16 here (`encoding_rs`) and copied.
pub(crate) fn js_string<'env>(env: &'env Env, utf8: &[u8]) -> Result<JsString<'env>, Fail> {
    if utf8.is_ascii() {
        return env.create_string_latin1(utf8).map_err(from_napi);
    }
    let mut units = spare(&SPARE_UTF16);
    // UTF-16 never needs more units than UTF-8 needs bytes (encoding_rs asks
    // for one more). The core's output is UTF-8 whenever its input is, so
    // nothing is replaced (the conversion would write U+FFFD for bytes that
    // are not UTF-8).
    units.resize(utf8.len() + 1, 0);
    let len = encoding_rs::mem::convert_utf8_to_utf16(utf8, &mut units);
    let made = env.create_string_utf16(units.get(..len).unwrap_or_default()).map_err(from_napi);
    recycle(&SPARE_UTF16, units);
    made
}
