//! The seed's three-call path made cheap (issue 14, goal 2b): a one-entry
//! memo of the canonical text `canonicalizePayload` last returned.
//!
//! `computeAuditDigest(canonicalizePayload(payload), prevHash)` used to carry
//! the canonical text back into native code: V8 re-encoded the string it had
//! just been given as UTF-8, and `index.js` scanned it for lone surrogates
//! first. Now [`payload_memo`] makes, once per loaded `index.js` (so per
//! isolate: a worker has its own), a pair of plain N-API functions sharing
//! one [`Memo`]: `canonicalize(text)` returns the canonical string and keeps
//! its UTF-8 bytes; `digest(prevHash)` hashes those bytes. `index.js` keeps
//! the string it was last returned and calls `digest` only for that very
//! string (`===`: a pointer comparison for the same string, a content
//! comparison otherwise, and equal content has the same digest); any other
//! text takes the normal path, and so does everything when `digest` answers
//! `null` (no entry).
//!
//! Memory: one entry, at most [`MEMO_MAX_BYTES`] of UTF-8, replaced by the
//! next `canonicalize` and freed with the functions.

use std::cell::RefCell;
use std::rc::Rc;

use napi::bindgen_prelude::{JsObjectValue, Object};
use napi::{Env, JsString, JsValue};
use napi_derive::napi;
use signcore::digest::audit_digest_canonical;
use signcore::hex::HashHex;
use signcore::stringified::canonicalize_stringified;

use crate::keys::{JsValueOf, hash_arg, thrown, type_error};
use crate::text::{PayloadText, RECYCLE_MAX_BYTES, Text, js_string, with_scratch};
use crate::{Fail, fail, from_napi};

/// The memo keeps canonical text of up to this many UTF-8 bytes: the most
/// 2^20 UTF-16 units can need, so that every string `index.js` keeps
/// (`MEMO_MAX_UNITS` there, 2^20) has its bytes here.
pub const MEMO_MAX_BYTES: usize = 3 << 20;

/// The entry: the UTF-8 of the string `canonicalize` last returned, if any.
#[derive(Default)]
struct Memo {
    bytes: Vec<u8>,
    valid: bool,
}

/// `canonicalize`: the fast path's canonical form of `text` as a JS string;
/// its bytes become the entry (or the entry is emptied when they are too
/// many, or on any failure).
fn canonicalize<'env>(env: &'env Env, memo: &RefCell<Memo>, text: &Text<'_>) -> Result<JsString<'env>, Fail> {
    let mut memo = memo.try_borrow_mut().map_err(|_| crate::fail_with("INTERNAL_ERROR", "memo in use"))?;
    memo.valid = false;
    let mut out = std::mem::take(&mut memo.bytes);
    // A large buffer is held only while it is the entry.
    if out.capacity() > RECYCLE_MAX_BYTES {
        out = Vec::new();
    }
    out.clear();
    let text = text.as_str()?;
    out.reserve(text.len());
    with_scratch(|scratch| canonicalize_stringified(text, scratch, &mut out)).map_err(fail)?;
    let made = js_string(env, &out)?;
    if out.len() <= MEMO_MAX_BYTES {
        memo.bytes = out;
        memo.valid = true;
    }
    Ok(made)
}

/// `digest`: `SHA256(entry || prevHash bytes)` as lowercase hex, or `null`
/// when there is no entry.
fn digest(env: &Env, memo: &RefCell<Memo>, prev: Option<&JsString<'_>>) -> Result<Option<[u8; 64]>, Fail> {
    let prev = prev.map(|p| hash_arg(env, p, "prevHash")).transpose()?;
    let memo = memo.try_borrow().map_err(|_| crate::fail_with("INTERNAL_ERROR", "memo in use"))?;
    if !memo.valid {
        return Ok(None);
    }
    let hash = audit_digest_canonical(&memo.bytes, prev.as_ref());
    let mut hex = [0u8; 64];
    hex.copy_from_slice(HashHex::new(&hash).as_str().as_bytes());
    Ok(Some(hex))
}

/// The memo functions of one `index.js`: `{ canonicalize(text), digest(prevHash) }`
/// (see the module documentation). Internal: `index.js` calls it once.
#[napi(ts_return_type = "{ canonicalize(text: string): string; digest(prevHash: string | null): string | null }")]
pub fn payload_memo<'env>(env: &'env Env) -> Result<Object<'env>, Fail> {
    let memo = Rc::new(RefCell::new(Memo::default()));
    let shared = Rc::clone(&memo);
    let canonicalize = env
        .create_function_from_closure::<(), _, _>("canonicalize", move |ctx| {
            let env = &*ctx.env;
            let PayloadText(text) =
                ctx.get::<PayloadText<'_>>(0).map_err(|_| thrown(env, type_error("text", "a string")))?;
            canonicalize(env, &shared, &text).map(|s| JsValueOf(s.raw())).map_err(|e| thrown(env, e))
        })
        .map_err(from_napi)?;
    let digest = env
        .create_function_from_closure::<(), _, _>("digest", move |ctx| {
            let env = &*ctx.env;
            let prev = ctx
                .get::<Option<JsString<'_>>>(0)
                .map_err(|_| thrown(env, type_error("prevHash", "a string, null or undefined")))?;
            // `None` is `null` in JS.
            digest(env, &memo, prev.as_ref())
                .map_err(|e| thrown(env, e))?
                .map(|hex| env.create_string_latin1(hex).map(|s| JsValueOf(s.raw())))
                .transpose()
        })
        .map_err(from_napi)?;
    let mut functions = Object::new(env).map_err(from_napi)?;
    functions.set_named_property("canonicalize", canonicalize).map_err(from_napi)?;
    functions.set_named_property("digest", digest).map_err(from_napi)?;
    Ok(functions)
}
