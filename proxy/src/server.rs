//! Connections, limits, logging and the SIGTERM drain.
//!
//! - Connections: at most `max_connections` (then accepting pauses and the
//!   kernel backlog holds the rest). Each has `header_timeout` for its TLS
//!   handshake and for every request's headers (hyper's header read timer,
//!   which also closes idle keep-alive connections), and `body_timeout` for
//!   the body: a slowloris client is cut off and holds no worker meanwhile
//!   (everything is async; a stalled peer is a parked future).
//! - Requests: at most `max_in_flight` handled at once; headers are bounded
//!   by hyper's buffer (16 KiB), bodies by [`crate::routes::MAX_BODY`].
//! - SIGTERM/SIGINT: stop accepting, answer 503 to requests that arrive from
//!   then on, let the requests in flight finish (up to `drain_timeout`),
//!   close the idle connections, exit 0.
//! - One JSON log line per request on stderr: method, route, status, µs.
//!   Never a header, a body, a key or a signature.

use std::convert::Infallible;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore, watch};

use crate::auth::ApiKeys;
use crate::config::{Config, Keys, key_facts};
use crate::routes;

/// What every request handler shares.
pub struct State {
    pub keys: Keys,
    api_keys: RwLock<Arc<ApiKeys>>,
    api_keys_file: Option<std::path::PathBuf>,
    pub health: Value,
    pub keys_listing: Value,
    pub body_timeout: Duration,
    shutting_down: AtomicBool,
    in_flight: Semaphore,
    max_in_flight: u32,
}

impl State {
    /// Whether the request's `Authorization` is acceptable (always, when no
    /// API key is configured).
    pub fn authorized(&self, authorization: Option<&[u8]>) -> bool {
        // A poisoned lock still holds the last keys: fail closed, never open.
        let keys = match self.api_keys.read() {
            Ok(k) => Arc::clone(&k),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        };
        keys.is_empty() || keys.accepts(authorization)
    }
}

/// One log line, written with a single `write` so lines never interleave.
pub fn log(value: &Value) {
    let mut line = serde_json::to_vec(value).unwrap_or_default();
    line.push(b'\n');
    let _ = std::io::stderr().lock().write_all(&line);
}

/// Logs a request when dropped: finished (with its status) or abandoned by
/// its client before the answer (status 499, "aborted").
struct RequestLog {
    method: hyper::Method,
    route: &'static str,
    started: Instant,
    status: Option<StatusCode>,
}

impl Drop for RequestLog {
    fn drop(&mut self) {
        let us = self.started.elapsed().as_micros() as u64;
        let mut line = json!({
            "method": self.method.as_str(),
            "path": self.route,
            "status": self.status.map_or(499, |s| s.as_u16()),
            "us": us,
        });
        if self.status.is_none() {
            line["aborted"] = Value::Bool(true);
        }
        log(&line);
    }
}

async fn serve_request(req: Request<hyper::body::Incoming>, state: Arc<State>) -> routes::Answer {
    let mut entry = RequestLog { method: req.method().clone(), route: "-", started: Instant::now(), status: None };
    let answer = if state.shutting_down.load(Ordering::Acquire) {
        shutting_down_answer()
    } else {
        match state.in_flight.acquire().await {
            Ok(_permit) => routes::handle(req, &state, &mut entry.route).await,
            Err(_) => shutting_down_answer(),
        }
    };
    entry.status = Some(answer.status());
    answer
}

fn shutting_down_answer() -> routes::Answer {
    let mut answer =
        routes::error_answer(StatusCode::SERVICE_UNAVAILABLE, "SHUTTING_DOWN", "the service is shutting down");
    answer.headers_mut().insert(hyper::header::CONNECTION, hyper::header::HeaderValue::from_static("close"));
    answer
}

async fn serve_connection<IO>(io: IO, state: Arc<State>, header_timeout: Duration, mut stop: watch::Receiver<bool>)
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req| {
        let state = Arc::clone(&state);
        async move { Ok::<_, Infallible>(serve_request(req, state).await) }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_buf_size(16 * 1024)
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    let mut stopping = *stop.borrow();
    if stopping {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            _ = conn.as_mut() => break,
            changed = stop.changed(), if !stopping => {
                if changed.is_err() || *stop.borrow() {
                    stopping = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// Counts open connections; notifies when the last one closes.
struct Open {
    count: AtomicUsize,
    zero: Notify,
}

struct OpenGuard(Arc<Open>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.zero.notify_waiters();
        }
    }
}

/// Runs the service until SIGTERM/SIGINT; returns after the drain.
pub async fn run(config: Config) -> std::io::Result<()> {
    let listener = TcpListener::bind(config.listen).await?;
    let local = listener.local_addr()?;
    let (alg, key_hash, public_key) = key_facts(&config.keys.signing);
    let mut health = json!({ "status": "ok", "kid": config.keys.kid, "alg": alg.as_str(), "key_hash": key_hash });
    if let Some(pk) = &public_key {
        health["public_key"] = Value::String(pk.clone());
    }
    let keys_listing = Value::Array(
        config
            .keys
            .all
            .iter()
            .map(|e| {
                let (alg, key_hash, public_key) = key_facts(&e.key);
                let mut v = json!({ "key_id": e.kid, "alg": alg.as_str(), "key_hash": key_hash, "label": e.label });
                if let Some(pk) = public_key {
                    v["public_key"] = Value::String(pk);
                }
                v
            })
            .collect(),
    );
    for warning in &config.warnings {
        log(&json!({ "event": "warning", "message": warning }));
    }
    let max_in_flight = config.max_in_flight as u32;
    let state = Arc::new(State {
        api_keys: RwLock::new(Arc::new(config.api_keys)),
        api_keys_file: config.api_keys_file,
        keys: config.keys,
        health,
        keys_listing,
        body_timeout: config.body_timeout,
        shutting_down: AtomicBool::new(false),
        in_flight: Semaphore::new(config.max_in_flight),
        max_in_flight,
    });
    let api_key_count = state.api_keys.read().map(|k| k.len()).unwrap_or(0);
    log(&json!({
        "event": "listening",
        "addr": local.to_string(),
        "tls": config.tls.is_some(),
        "mtls": config.mtls,
        "api_keys": api_key_count,
        "kid": state.keys.kid,
        "alg": alg.as_str(),
    }));

    let acceptor = config.tls.map(tokio_rustls::TlsAcceptor::from);
    let connections = Arc::new(Semaphore::new(config.max_connections));
    let open = Arc::new(Open { count: AtomicUsize::new(0), zero: Notify::new() });
    let (stop_tx, stop_rx) = watch::channel(false);
    let header_timeout = config.header_timeout;

    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    let mut sighup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;

    let signal_name = loop {
        let permit = tokio::select! {
            _ = sigterm.recv() => break "SIGTERM",
            _ = sigint.recv() => break "SIGINT",
            _ = sighup.recv() => { reload_api_keys(&state); continue; }
            permit = Arc::clone(&connections).acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break "closed",
            },
        };
        let accepted = tokio::select! {
            _ = sigterm.recv() => break "SIGTERM",
            _ = sigint.recv() => break "SIGINT",
            _ = sighup.recv() => { reload_api_keys(&state); continue; }
            accepted = listener.accept() => accepted,
        };
        let (stream, _peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // EMFILE and friends: wait a little instead of spinning.
                log(&json!({ "event": "accept_error", "message": e.to_string() }));
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        open.count.fetch_add(1, Ordering::AcqRel);
        let guard = OpenGuard(Arc::clone(&open));
        let state = Arc::clone(&state);
        let stop = stop_rx.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let _guard = guard;
            match acceptor {
                None => serve_connection(stream, state, header_timeout, stop).await,
                Some(acceptor) => match tokio::time::timeout(header_timeout, acceptor.accept(stream)).await {
                    Ok(Ok(tls)) => serve_connection(tls, state, header_timeout, stop).await,
                    Ok(Err(e)) => log(&json!({ "event": "tls_handshake_failed", "reason": e.to_string() })),
                    Err(_) => log(&json!({ "event": "tls_handshake_failed", "reason": "timeout" })),
                },
            }
        });
    };

    // Drain: no new connections; requests arriving from now on get 503;
    // the ones in flight finish (taking every in-flight slot waits for them).
    drop(listener);
    state.shutting_down.store(true, Ordering::Release);
    let in_flight = config.max_in_flight - state.in_flight.available_permits();
    log(&json!({ "event": "shutting_down", "signal": signal_name, "in_flight": in_flight }));
    let drained = tokio::time::timeout(config.drain_timeout, state.in_flight.acquire_many(state.max_in_flight)).await;
    let drained = matches!(drained, Ok(Ok(_)));
    // Then every connection closes once its current answer is written.
    let _ = stop_tx.send(true);
    let closing = async {
        loop {
            let notified = open.zero.notified();
            if open.count.load(Ordering::Acquire) == 0 {
                break;
            }
            notified.await;
        }
    };
    let closed = tokio::time::timeout(Duration::from_secs(2), closing).await.is_ok();
    log(&json!({ "event": "stopped", "drained": drained, "connections_closed": closed }));
    Ok(())
}

fn reload_api_keys(state: &State) {
    let Some(path) = &state.api_keys_file else {
        log(&json!({ "event": "reload", "ok": false, "message": "SIGHUP: no --api-keys-file to re-read" }));
        return;
    };
    let env_key = std::env::var("SIGNING_PROXY_API_KEY").ok().filter(|v| !v.is_empty()).map(zeroize::Zeroizing::new);
    match ApiKeys::load(env_key.as_deref().map(String::as_str), Some(path)) {
        Ok(keys) => {
            let count = keys.len();
            let mut slot = state.api_keys.write().unwrap_or_else(|poisoned| poisoned.into_inner());
            *slot = Arc::new(keys);
            log(&json!({ "event": "reload", "ok": true, "api_keys": count }));
        }
        Err(message) => log(&json!({ "event": "reload", "ok": false, "message": message })),
    }
}
