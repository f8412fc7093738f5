//! The endpoints of DESIGN.md §10. Requests are converted into core calls
//! and the core's answers into JSON; no crypto or canonical rule lives here.

// The helpers below return the finished error answer as their `Err`: it is
// built once per failed request and returned straight to hyper, so boxing it
// would only add an allocation.
#![allow(clippy::result_large_err)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use signcore::Error;

use crate::config::{KeyEntry, hex};
use crate::server::State;

/// Largest request body accepted (413 above).
pub const MAX_BODY: usize = 64 * 1024;

/// A finished answer and the route name for the log line.
pub type Answer = Response<Full<Bytes>>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    Health,
    SignHash,
    SignCanonical,
    Verify,
    Keys,
}

impl Route {
    fn find(path: &str) -> Option<Route> {
        Some(match path {
            "/health" => Route::Health,
            "/sign/hash" => Route::SignHash,
            "/sign/canonical" => Route::SignCanonical,
            "/verify" => Route::Verify,
            "/keys" => Route::Keys,
            _ => return None,
        })
    }

    fn method(self) -> Method {
        match self {
            Route::Health | Route::Keys => Method::GET,
            _ => Method::POST,
        }
    }

    fn method_name(self) -> &'static str {
        match self {
            Route::Health | Route::Keys => "GET",
            _ => "POST",
        }
    }
}

/// A JSON answer.
pub fn json_answer(status: StatusCode, value: &Value) -> Answer {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `{ "error": { "code", "message" } }`.
pub fn error_answer(status: StatusCode, code: &str, message: &str) -> Answer {
    json_answer(status, &json!({ "error": { "code": code, "message": message } }))
}

fn close(mut answer: Answer) -> Answer {
    answer.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    answer
}

fn core_error(field: &str, e: &Error) -> Answer {
    error_answer(StatusCode::BAD_REQUEST, e.code(), &format!("{field}: {e}"))
}

fn bad_json(message: impl std::fmt::Display) -> Answer {
    error_answer(StatusCode::BAD_REQUEST, "INVALID_JSON", &format!("request body: {message}"))
}

/// Handles one request; `route_name` receives the path to log (known routes
/// only; anything else is logged as "-" so that no client text reaches logs).
pub async fn handle(req: Request<Incoming>, state: &State, route_name: &mut &'static str) -> Answer {
    let Some(route) = Route::find(req.uri().path()) else {
        return error_answer(StatusCode::NOT_FOUND, "NOT_FOUND", "no such endpoint (see DESIGN.md §10)");
    };
    *route_name = match route {
        Route::Health => "/health",
        Route::SignHash => "/sign/hash",
        Route::SignCanonical => "/sign/canonical",
        Route::Verify => "/verify",
        Route::Keys => "/keys",
    };
    if req.method() != route.method() {
        let mut answer = error_answer(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            &format!("{} accepts {} only", route_name, route.method()),
        );
        answer.headers_mut().insert(header::ALLOW, HeaderValue::from_static(route.method_name()));
        return answer;
    }
    if route == Route::Health {
        return json_answer(StatusCode::OK, &state.health);
    }
    if !state.authorized(req.headers().get(header::AUTHORIZATION).map(HeaderValue::as_bytes)) {
        let mut answer = error_answer(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "missing or invalid API key");
        answer.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return answer;
    }
    if route == Route::Keys {
        return json_answer(StatusCode::OK, &state.keys_listing);
    }
    let body = match read_json_body(req, state).await {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    match route {
        Route::SignHash => sign_hash(&body, state),
        Route::SignCanonical => sign_canonical(&body, state),
        _ => verify(&body, state),
    }
}

fn is_json(value: Option<&HeaderValue>) -> bool {
    let Some(value) = value.and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

async fn read_json_body(req: Request<Incoming>, state: &State) -> Result<Bytes, Answer> {
    if !is_json(req.headers().get(header::CONTENT_TYPE)) {
        return Err(error_answer(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "the request body must be JSON (Content-Type: application/json)",
        ));
    }
    let too_large = || {
        close(error_answer(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            &format!("the request body is larger than {MAX_BODY} bytes"),
        ))
    };
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    let body = Limited::new(req.into_body(), MAX_BODY);
    match tokio::time::timeout(state.body_timeout, body.collect()).await {
        Err(_) => Err(close(error_answer(
            StatusCode::REQUEST_TIMEOUT,
            "REQUEST_TIMEOUT",
            "the request body did not arrive in time",
        ))),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Ok(Err(_)) => {
            Err(close(error_answer(StatusCode::BAD_REQUEST, "INVALID_BODY", "the request body could not be read")))
        }
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

/// Every member is optional here so that a missing one gets a message
/// naming it; duplicates are refused by the derive (I-JSON), unknown
/// members are ignored (forward compatibility).
#[derive(Deserialize)]
struct SignHashBody {
    digest_hex: Option<Value>,
}

#[derive(Deserialize)]
struct SignCanonicalBody {
    canonical: Option<Value>,
    prev_hash: Option<Value>,
}

#[derive(Deserialize)]
struct VerifyBody {
    digest_hex: Option<Value>,
    signature: Option<Value>,
    kid: Option<Value>,
}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, Answer> {
    serde_json::from_slice(body).map_err(|e| {
        // serde_json's messages name the position and what was expected,
        // never the input's text.
        bad_json(e)
    })
}

fn string_member<'v>(value: &'v Option<Value>, name: &str) -> Result<&'v str, Answer> {
    match value {
        Some(Value::String(s)) => Ok(s),
        None => Err(bad_json(format!("{name} is missing"))),
        Some(_) => Err(bad_json(format!("{name} must be a string"))),
    }
}

fn digest_member(value: &Option<Value>) -> Result<signcore::digest::Hash, Answer> {
    let text = string_member(value, "digest_hex")?;
    signcore::digest::parse_hash(text).map_err(|e| core_error("digest_hex", &e))
}

fn signed(state: &State, digest: &signcore::digest::Hash) -> serde_json::Map<String, Value> {
    let signature = state.keys.signing.sign(digest);
    let mut out = serde_json::Map::new();
    out.insert("kid".into(), Value::String(state.keys.kid.clone()));
    out.insert("alg".into(), Value::String(state.keys.signing.alg().as_str().into()));
    out.insert("signature".into(), Value::String(signature.hex().as_str().to_owned()));
    out
}

fn sign_hash(body: &[u8], state: &State) -> Answer {
    let request: SignHashBody = match parse(body) {
        Ok(r) => r,
        Err(a) => return a,
    };
    let digest = match digest_member(&request.digest_hex) {
        Ok(d) => d,
        Err(a) => return a,
    };
    json_answer(StatusCode::OK, &Value::Object(signed(state, &digest)))
}

fn sign_canonical(body: &[u8], state: &State) -> Answer {
    let request: SignCanonicalBody = match parse(body) {
        Ok(r) => r,
        Err(a) => return a,
    };
    let canonical = match string_member(&request.canonical, "canonical") {
        Ok(c) => c.as_bytes(),
        Err(a) => return a,
    };
    let prev = match &request.prev_hash {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => match signcore::digest::parse_hash(text) {
            Ok(h) => Some(h),
            Err(e) => return core_error("prev_hash", &e),
        },
        Some(_) => return bad_json("prev_hash must be a string or null"),
    };
    // Canonical means: the core's RFC 8785 form of the text is the text.
    let mut again = Vec::with_capacity(canonical.len());
    if let Err(e) = signcore::canonical::canonicalize(canonical, &mut again) {
        return core_error("canonical", &e);
    }
    if again != canonical {
        return error_answer(
            StatusCode::BAD_REQUEST,
            "NOT_CANONICAL",
            "canonical: valid JSON but not in RFC 8785 canonical form (canonicalize it before signing)",
        );
    }
    let digest = signcore::digest::audit_digest_canonical(canonical, prev.as_ref());
    let mut out = signed(state, &digest);
    out.insert("digest_hex".into(), Value::String(hex(&digest)));
    json_answer(StatusCode::OK, &Value::Object(out))
}

fn verify(body: &[u8], state: &State) -> Answer {
    let request: VerifyBody = match parse(body) {
        Ok(r) => r,
        Err(a) => return a,
    };
    let digest = match digest_member(&request.digest_hex) {
        Ok(d) => d,
        Err(a) => return a,
    };
    let signature_hex = match string_member(&request.signature, "signature") {
        Ok(s) => s,
        Err(a) => return a,
    };
    let entry: &KeyEntry = match &request.kid {
        None | Some(Value::Null) => match state.keys.all.iter().find(|e| e.kid == state.keys.kid) {
            Some(e) => e,
            None => return error_answer(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "signing key missing"),
        },
        Some(Value::String(kid)) => match state.keys.all.iter().find(|e| &e.kid == kid) {
            Some(e) => e,
            None => return error_answer(StatusCode::BAD_REQUEST, "KEY_NOT_FOUND", "kid: no key with this id"),
        },
        Some(_) => return bad_json("kid must be a string or null"),
    };
    let mut buf = [0u8; signcore::key::MAX_SIGNATURE_LEN];
    if signature_hex.len() > 2 * buf.len() {
        let message = format!("signature: {} hex chars, longer than any signature", signature_hex.len());
        return error_answer(StatusCode::BAD_REQUEST, "INVALID_LENGTH", &message);
    }
    let signature = match signcore::hex::decode(signature_hex, &mut buf) {
        Ok(s) => s,
        Err(e) => return core_error("signature", &e),
    };
    match entry.key.verify(&digest, signature) {
        Ok(()) => json_answer(StatusCode::OK, &json!({ "valid": true })),
        Err(Error::SignatureInvalid) => json_answer(StatusCode::OK, &json!({ "valid": false })),
        Err(e) => core_error("signature", &e),
    }
}
