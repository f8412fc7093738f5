//! PostgreSQL input: rows with the §2 event columns (`payload` json, jsonb
//! or text, `hash`, `prev_hash`, `kid`, `alg`, `signature`), read in chain
//! order through a cursor (a bound portal fetched in blocks) inside one
//! read-only REPEATABLE READ transaction, so the anchor row, the count and
//! the rows are one consistent snapshot.
//!
//! Every value is selected as `::text`: jsonb comes back as its text form
//! (members reordered, numbers rewritten), which canonical JSON makes
//! harmless. The row id shown in findings is the `--order-by` column.

use anyhow::{Result, bail};
use postgres::{Client, IsolationLevel, NoTls, Transaction};
use signcore::archive::Range;
use signcore::digest::{Hash, parse_hash};
use signcore::keystore::KeyRing;

use crate::cmd::verify::{Source, Verdict};
use crate::engine;
use crate::input::Batch;

/// Rows fetched per cursor round trip (and per verifier batch).
const FETCH: i32 = 4096;

/// `name` or `schema.name`, each part a plain SQL identifier, quoted.
fn ident(name: &str, what: &str) -> Result<String> {
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() > 2
        || parts.iter().any(|p| {
            p.is_empty()
                || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                || p.starts_with(|c: char| c.is_ascii_digit())
        })
    {
        bail!("{what} {name:?} is not a plain SQL identifier (letters, digits, _; optionally schema.name)");
    }
    Ok(parts.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join("."))
}

/// Connects (no TLS: the tool is run next to the database or through a tunnel).
pub fn connect(url: &str) -> Result<Client> {
    Client::connect(url, NoTls).map_err(|e| anyhow::anyhow!("cannot connect to the database: {}", pg_message(&e)))
}

/// The server's message for a database error, or the client's.
pub fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut m = db.message().to_string();
            if let Some(hint) = db.hint() {
                m.push_str(&format!(" (hint: {hint})"));
            }
            m
        }
        None => {
            let mut m = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(s) = src {
                m.push_str(&format!(": {s}"));
                src = s.source();
            }
            m
        }
    }
}

/// The rows' window: where it starts in the chain and the hash before it.
pub struct Window {
    pub first: u64,
    pub anchor: Option<Hash>,
    /// Rows in the window.
    pub size: u64,
    pub select: String,
    /// The selected columns (`sc_id`, `sc_payload`, ...).
    pub columns: String,
}

/// Starts the snapshot and works out the window (`limit` newest rows).
pub fn window(tx: &mut Transaction<'_>, table: &str, order_by: &str, limit: Option<u64>) -> Result<Window> {
    let t = ident(table, "--table")?;
    let o = ident(order_by, "--order-by")?;
    let columns = format!(
        "{o}::text AS sc_id, payload::text AS sc_payload, hash::text AS sc_hash, prev_hash::text AS sc_prev_hash, \
         kid::text AS sc_kid, alg::text AS sc_alg, signature::text AS sc_signature"
    );
    let total: i64 = tx
        .query_one(&format!("SELECT count(*) FROM {t}"), &[])
        .map_err(|e| anyhow::anyhow!("table {table}: {}", pg_message(&e)))?
        .get(0);
    // Check the columns now, for a message that names them.
    tx.execute(&format!("SELECT {columns} FROM {t} LIMIT 0"), &[]).map_err(|e| {
        anyhow::anyhow!(
            "table {table} needs the columns {order_by}, payload, hash, prev_hash, kid, alg, signature: {}",
            pg_message(&e)
        )
    })?;
    let total = total as u64;
    let (first, anchor, select, size) = match limit {
        Some(n) if n < total => {
            let before: Option<String> = tx
                .query_one(&format!("SELECT hash::text FROM {t} ORDER BY {o} DESC OFFSET {n} LIMIT 1"), &[])
                .map_err(|e| anyhow::anyhow!("table {table}: {}", pg_message(&e)))?
                .get(0);
            let anchor = before
                .map(|h| {
                    parse_hash(h.trim())
                        .map_err(|e| anyhow::anyhow!("the row before the newest {n} has an unreadable hash: {e}"))
                })
                .transpose()?;
            let select = format!(
                "SELECT {columns} FROM {t} WHERE {o} IN (SELECT {o} FROM {t} ORDER BY {o} DESC LIMIT {n}) ORDER BY {o} ASC"
            );
            (total - n, anchor, select, n)
        }
        _ => (0, None, format!("SELECT {columns} FROM {t} ORDER BY {o} ASC"), total),
    };
    Ok(Window { first, anchor, size, select, columns })
}

/// One row as an audit event JSON object (`id` first).
pub fn row_event(row: &postgres::Row, out: &mut Vec<u8>) -> String {
    let text = |i: usize| row.get::<_, Option<String>>(i);
    let id = text(0).unwrap_or_default();
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    out.extend_from_slice(b"{\"id\":");
    out.extend_from_slice(quote(&id).as_bytes());
    if let Some(payload) = text(1) {
        // Only a valid JSON document is embedded (a text column could
        // otherwise smuggle members into the event); else MALFORMED.
        if signcore::canonical::validate(payload.as_bytes()).is_ok() {
            out.extend_from_slice(b",\"payload\":");
            out.extend_from_slice(payload.as_bytes());
        }
    }
    for (i, name) in [(2, "hash"), (3, "prev_hash"), (4, "kid"), (5, "alg"), (6, "signature")] {
        out.extend_from_slice(format!(",\"{name}\":").as_bytes());
        match text(i) {
            Some(v) => out.extend_from_slice(quote(v.trim_end()).as_bytes()),
            None => out.extend_from_slice(b"null"),
        }
    }
    out.push(b'}');
    id
}

/// Streams the window's rows in blocks to `f`.
pub fn fetch_rows(
    tx: &mut Transaction<'_>,
    select: &str,
    mut f: impl FnMut(Vec<postgres::Row>) -> Result<()>,
) -> Result<()> {
    let portal = tx.bind(select, &[]).map_err(|e| anyhow::anyhow!("{}", pg_message(&e)))?;
    loop {
        let rows = tx.query_portal(&portal, FETCH).map_err(|e| anyhow::anyhow!("reading rows: {}", pg_message(&e)))?;
        if rows.is_empty() {
            return Ok(());
        }
        f(rows)?;
    }
}

/// Begins the read-only snapshot.
pub fn snapshot(client: &mut Client) -> Result<Transaction<'_>> {
    client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(|e| anyhow::anyhow!("cannot start a transaction: {}", pg_message(&e)))
}

/// `signcore verify --database-url`.
#[allow(clippy::too_many_arguments)]
pub fn verify(
    url: &str,
    table: &str,
    order_by: &str,
    limit: Option<u64>,
    ring: &KeyRing,
    anchor: Option<Hash>,
    threads: usize,
    bar: Option<indicatif::ProgressBar>,
) -> Result<Verdict> {
    let mut client = connect(url)?;
    let mut tx = snapshot(&mut client)?;
    let w = window(&mut tx, table, order_by, limit)?;
    let start_anchor: engine::Anchor = Default::default();
    let _ = start_anchor.anchor.set(anchor.or(w.anchor));
    let select = w.select.clone();
    let ((), outcome) = engine::run(
        ring,
        start_anchor,
        threads,
        move |send| {
            let mut next = w.first;
            let mut prev: Option<Vec<u8>> = None;
            fetch_rows(&mut tx, &select, |rows| {
                let mut buf = Vec::with_capacity(rows.len() * 256);
                let mut spans = Vec::with_capacity(rows.len());
                let mut ids = Vec::with_capacity(rows.len());
                for row in &rows {
                    let start = buf.len();
                    ids.push(row_event(row, &mut buf));
                    spans.push((start, buf.len()));
                }
                let n = spans.len() as u64;
                let batch = Batch { buf, spans, first: next - w.first, prev: prev.take(), ids: Some(ids) };
                prev = batch.last_event().map(<[u8]>::to_vec);
                next += n;
                send(batch)
            })?;
            tx.commit().map_err(|e| anyhow::anyhow!("{}", pg_message(&e)))?;
            Ok(())
        },
        |checked| {
            if let Some(bar) = &bar {
                bar.set_message(format!("{checked} rows"));
                bar.tick();
            }
        },
    )?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    Ok(Verdict {
        source: Source { name: table.to_string(), kind: "database" },
        kind: None,
        findings: outcome.findings,
        checked: outcome.checked,
        head: outcome.head,
        archive: None,
        threshold: 1,
        database: true,
    })
}

/// What [`archive_rows`] hands on: first the archive's range (known before
/// any row is read), then every row's event JSON in chain order.
pub enum ArchiveItem<'a> {
    Range(Range),
    Event(&'a [u8]),
}

/// Rows for an archive, streamed through a cursor in one snapshot: the
/// range first (`first` and `anchor` from the window, `size` from the
/// count, `head` from the newest row), then each row's event; nothing is
/// held beyond one fetch block.
pub fn archive_rows(
    url: &str,
    table: &str,
    order_by: &str,
    limit: Option<u64>,
    mut f: impl FnMut(ArchiveItem<'_>) -> Result<()>,
) -> Result<()> {
    let mut client = connect(url)?;
    let mut tx = snapshot(&mut client)?;
    let w = window(&mut tx, table, order_by, limit)?;
    let t = ident(table, "--table")?;
    let o = ident(order_by, "--order-by")?;
    let newest = tx
        .query(&format!("SELECT {} FROM {t} ORDER BY {o} DESC LIMIT 1", w.columns), &[])
        .map_err(|e| anyhow::anyhow!("table {table}: {}", pg_message(&e)))?;
    let head = newest.first().and_then(|row| {
        let mut e = Vec::with_capacity(256);
        row_event(row, &mut e);
        signcore::archive::stored_hash(&e)
    });
    f(ArchiveItem::Range(Range { first: w.first, size: w.size, anchor: w.anchor, head }))?;
    let mut e = Vec::with_capacity(256);
    fetch_rows(&mut tx, &w.select, |rows| {
        for row in &rows {
            e.clear();
            row_event(row, &mut e);
            f(ArchiveItem::Event(&e))?;
        }
        Ok(())
    })?;
    tx.commit().map_err(|e| anyhow::anyhow!("{}", pg_message(&e)))?;
    Ok(())
}
