//! `signcore checkpoint` (DESIGN.md §12): the C2SP signed checkpoint
//! `<origin>\n<size>\n<base64 root>\n` over the RFC 9162 Merkle tree of a
//! chain's event hashes, and the event-hash reader `prove` shares.
//!
//! The tree, the checkpoint text and the signed note are the core's
//! (`merkle::RootBuilder`, `checkpoint`, `note`); this module reads events
//! and prints. The root is streamed: memory stays flat (O(log n)) in the
//! number of events, from a file, stdin or PostgreSQL.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use signcore::checkpoint::{self, Checkpoint};
use signcore::digest::Hash;
use signcore::hex::HashHex;
use signcore::merkle::RootBuilder;
use signcore::note::{NoteError, NoteSigner};

use super::Outcome;

/// Where the events come from (a chain from its first event).
#[derive(Debug, clap::Args)]
pub struct Source {
    /// An archive, JSON array or NDJSON file (gzip too); `-` for stdin.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Read the events from PostgreSQL instead (every row, in chain order).
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true, conflicts_with = "file")]
    pub database_url: Option<String>,
    /// Table holding the events.
    #[arg(long, default_value = "audit_events")]
    pub table: String,
    /// Column giving the chain order.
    #[arg(long, default_value = "id")]
    pub order_by: String,
}

/// Arguments of `signcore checkpoint`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Prints the C2SP signed note of the checkpoint \"<origin>\\n<size>\\n<base64 root>\\n\"
over the RFC 9162 Merkle tree of the events' stored hashes (leaf i = SHA256(0x00 || hash of
event i), node = SHA256(0x01 || left || right)), as Go's sumdb/tlog, Sigstore and sigsum read it.
The key signs as \"<name>\" (default: the origin); its verifier key
\"<name>+<hex key id>+<base64(0x01 || public key)>\" is printed on stderr (and in --json).
The chain is not verified here (run signcore verify): the checkpoint commits to the stored
hashes as they are. The root is streamed: memory stays flat in the number of events.

Examples:
  signcore checkpoint archive.json --origin example.com/audit --keystore node_keystore.json --key-id log-1
  signcore checkpoint --database-url $DATABASE_URL --origin example.com/audit --out checkpoint.txt
  signcore checkpoint events.ndjson --origin example.com/audit --size 1000 --json

Only Ed25519 keys sign notes; an HMAC key is refused (exit 2).
Exit codes: 0 printed, 2 usage or input error.")]
pub struct CheckpointArgs {
    #[command(flatten)]
    pub source: Source,
    /// The log's name: the checkpoint's first line.
    #[arg(long, value_name = "O")]
    pub origin: String,
    /// The note key name (default: the origin).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Checkpoint the first N events only (default: every event).
    #[arg(long, value_name = "N")]
    pub size: Option<u64>,
    /// Keystore holding the Ed25519 signing key.
    #[arg(long, env = "RITMA_KEYSTORE_PATH", value_name = "F")]
    pub keystore: Option<PathBuf>,
    /// Key id of the signing key.
    #[arg(long, env = "RITMA_KEY_ID", value_name = "ID")]
    pub key_id: Option<String>,
    /// Write the signed note to this file (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// JSON output: {origin, size, root, root_base64, note, verifier_key, key_id}.
    #[arg(long)]
    pub json: bool,
}

/// A readable error for a note or key refused by the core.
pub fn note_error(context: &str, e: NoteError) -> anyhow::Error {
    anyhow::anyhow!("{context}: {e} ({})", e.code())
}

/// The note signer for keystore key `key_id` (Ed25519 only: HMAC is refused).
pub fn note_signer(keystore: Option<&Path>, key_id: Option<&str>, name: &str) -> Result<(String, NoteSigner)> {
    let (kid, key) = crate::util::signing_key(keystore, key_id)?;
    if key.alg() != signcore::key::Alg::Ed25519 {
        bail!(
            "key {kid:?} is {}: checkpoints are C2SP signed notes, signed with Ed25519 keys only (UNSUPPORTED_ALGORITHM)",
            key.alg().as_str()
        );
    }
    let signer =
        NoteSigner::new(name, &key).map_err(|e| note_error(&format!("key {kid:?} as note key {name:?}"), e))?;
    Ok((kid, signer))
}

/// What [`for_each_event_hash`] read besides the hashes.
#[derive(Debug, Default)]
pub struct EventsRead {
    /// Events read.
    pub count: u64,
    /// The JSON of the event asked for.
    pub kept: Option<Vec<u8>>,
    /// The signed checkpoint an archive carries (its `checkpoint` member).
    pub archive_checkpoint: Option<String>,
}

/// Calls `f(index, stored hash)` for each event of the chain in order,
/// streamed (flat memory); returns how many events were read, the JSON
/// of event `keep` (when asked for) and an archive's own checkpoint. Stops
/// reading after `limit` events.
pub fn for_each_event_hash(
    source: &Source,
    limit: Option<u64>,
    keep: Option<u64>,
    mut f: impl FnMut(u64, Hash),
) -> Result<EventsRead> {
    if let Some(url) = &source.database_url {
        return db_event_hashes(url, &source.table, &source.order_by, limit, keep, &mut f);
    }
    let mut kept = None;
    let mut archive_checkpoint = None;
    let path = source.file.clone().context("give an archive or events FILE (or - for stdin), or --database-url URL")?;
    let reader: Box<dyn std::io::Read + Send> = if path == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(&path).with_context(|| format!("cannot open {}", path.display()))?)
    };
    let mut splitter = crate::input::Splitter::new(crate::input::maybe_gunzip(reader)?);
    let mut n = 0u64;
    let done = std::cell::Cell::new(false);
    let result = splitter.run(
        &mut |batch| {
            for i in 0..batch.len() {
                if limit.is_some_and(|l| n >= l) {
                    done.set(true);
                    return Err(StopReading.into());
                }
                let event = batch.event(i);
                let hash = signcore::archive::stored_hash(event)
                    .with_context(|| format!("event {n}: no \"hash\" member of 64 hex digits"))?;
                if keep == Some(n) {
                    kept = Some(event.to_vec());
                }
                f(n, hash);
                n += 1;
            }
            Ok(())
        },
        &mut |kind, header| {
            if kind == crate::input::Kind::Archive {
                let range = header.range.as_deref().map(signcore::archive::Range::from_json).transpose()?;
                if let Some(r) = range.filter(|r| r.first != 0) {
                    bail!(
                        "the archive is a slice starting at chain index {}: a checkpoint covers a chain from its first event",
                        r.first
                    );
                }
                archive_checkpoint = header.checkpoint.as_deref().and_then(|c| serde_json::from_slice(c).ok());
            }
            Ok(())
        },
    );
    let read = || EventsRead { count: n, kept: kept.clone(), archive_checkpoint: archive_checkpoint.clone() };
    match result {
        Ok(_) => Ok(read()),
        Err(_) if done.get() => Ok(read()),
        Err(e) => Err(e.context(format!("reading {}", path.display()))),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("stopped reading")]
struct StopReading;

#[cfg(feature = "postgres")]
fn db_event_hashes(
    url: &str,
    table: &str,
    order_by: &str,
    limit: Option<u64>,
    keep: Option<u64>,
    f: &mut dyn FnMut(u64, Hash),
) -> Result<EventsRead> {
    let mut client = crate::db::connect(url)?;
    let mut tx = crate::db::snapshot(&mut client)?;
    let w = crate::db::window(&mut tx, table, order_by, None)?;
    let select = match limit {
        // The first N rows of the chain, in order.
        Some(n) => format!("{} LIMIT {n}", w.select),
        None => w.select.clone(),
    };
    let mut n = 0u64;
    let mut kept = None;
    crate::db::fetch_rows(&mut tx, &select, |rows| {
        for row in &rows {
            let id: Option<String> = row.get("sc_id");
            let text: Option<String> = row.get("sc_hash");
            let hash = text
                .as_deref()
                .and_then(|t| signcore::digest::parse_hash(t.trim()).ok())
                .with_context(|| format!("row {} (event {n}): hash is not 64 hex digits", id.unwrap_or_default()))?;
            if keep == Some(n) {
                let mut e = Vec::with_capacity(256);
                crate::db::row_event(row, &mut e);
                kept = Some(e);
            }
            f(n, hash);
            n += 1;
        }
        Ok(())
    })?;
    tx.commit().map_err(|e| anyhow::anyhow!("{}", crate::db::pg_message(&e)))?;
    Ok(EventsRead { count: n, kept, archive_checkpoint: None })
}

#[cfg(not(feature = "postgres"))]
fn db_event_hashes(
    _: &str,
    _: &str,
    _: &str,
    _: Option<u64>,
    _: Option<u64>,
    _: &mut dyn FnMut(u64, Hash),
) -> Result<EventsRead> {
    bail!("this signcore was built without PostgreSQL support (cargo feature `postgres`)")
}

/// The streaming root of the first `size` events (default: all); returns (size, root).
pub fn streamed_root(source: &Source, size: Option<u64>) -> Result<(u64, Hash)> {
    let mut tree = RootBuilder::new();
    let mut full = Ok(());
    let n = for_each_event_hash(source, size, None, |_, h| {
        if full.is_ok() {
            full = tree.push_event_hash(&h);
        }
    })?
    .count;
    full.map_err(|e| anyhow::anyhow!("{e} ({})", e.code()))?;
    if let Some(want) = size.filter(|&s| s > n) {
        bail!("--size {want}: the chain has only {n} events");
    }
    Ok((n, tree.root()))
}

pub fn hex(h: &Hash) -> String {
    HashHex::new(h).as_str().to_owned()
}

/// Runs `signcore checkpoint`.
pub fn run(args: CheckpointArgs) -> Result<Outcome> {
    let name = args.name.as_deref().unwrap_or(&args.origin);
    Checkpoint::new(&args.origin, 0, [0; 32]).map_err(|e| note_error("--origin", e))?;
    let (kid, signer) = note_signer(args.keystore.as_deref(), args.key_id.as_deref(), name)?;
    let (size, root) = streamed_root(&args.source, args.size)?;
    let cp = Checkpoint::new(&args.origin, size, root).map_err(|e| note_error("--origin", e))?;
    let note = checkpoint::sign(&cp, &[&signer]).map_err(|e| note_error("cannot sign the checkpoint", e))?;
    let vkey = signer.verifier().to_string();
    let shown = if args.json {
        let root_b64 = base64_root(&root);
        let v = serde_json::json!({
            "origin": args.origin,
            "size": size,
            "root": hex(&root),
            "root_base64": root_b64,
            "note": note,
            "verifier_key": vkey,
            "key_id": kid,
        });
        format!("{}\n", serde_json::to_string_pretty(&v)?)
    } else {
        note.clone()
    };
    match &args.out {
        Some(path) => crate::util::write_atomic(path, shown.as_bytes(), 0o644)?,
        None => print!("{shown}"),
    }
    if !args.json {
        eprintln!("checkpoint of {size} events of {:?} signed by key {kid:?}; verifier key: {vkey}", args.origin);
    }
    Ok(Outcome::Done)
}

/// The root as the checkpoint's third line writes it (padded standard base64).
pub fn base64_root(root: &Hash) -> String {
    let cp = Checkpoint { origin: "x", size: 0, root: *root, extensions: "" };
    cp.to_string().lines().nth(2).unwrap_or_default().to_owned()
}

/// `signcore archive --checkpoint`: the note signer of an archive's
/// checkpoint (the archive's own key under the origin's name), after the
/// checks that come before any event is read: a full chain (`first` 0) and
/// an Ed25519 key. The archive itself is streamed by `cmd::archive`.
pub fn archive_note_signer(origin: &str, first: u64, kid: &str, key: &signcore::key::SigningKey) -> Result<NoteSigner> {
    check_archive_first(first)?;
    if key.alg() != signcore::key::Alg::Ed25519 {
        bail!(
            "--checkpoint: key {kid:?} is {}: checkpoints are signed with Ed25519 keys only (UNSUPPORTED_ALGORITHM)",
            key.alg().as_str()
        );
    }
    Checkpoint::new(origin, 0, [0; 32]).map_err(|e| note_error("--origin", e))?;
    NoteSigner::new(origin, key)
        .map_err(|e| note_error(&format!("--checkpoint: --origin {origin:?} as a note key name"), e))
}

/// `signcore archive --checkpoint` covers a chain from its first event only.
pub fn check_archive_first(first: u64) -> Result<()> {
    if first != 0 {
        bail!(
            "--checkpoint: the archive starts at chain index {first}: a checkpoint covers a chain from its first event (archive without --limit/--first)"
        );
    }
    Ok(())
}

/// The signed checkpoint note of `size` events whose Merkle root is `root`.
pub fn sign_archive_checkpoint(origin: &str, size: u64, root: &Hash, signer: &NoteSigner) -> Result<String> {
    let cp = Checkpoint::new(origin, size, *root).map_err(|e| note_error("--origin", e))?;
    checkpoint::sign(&cp, &[signer]).map_err(|e| note_error("cannot sign the checkpoint", e))
}
