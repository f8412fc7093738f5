//! `signcore verify`: archives, JSON arrays, NDJSON (gzip too), stdin, S3
//! objects and PostgreSQL tables, streamed through the core's verifiers.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use signcore::archive::{self, ArchiveReport, Checks, Found, Options, Range};
use signcore::archive_block::ArchiveBlock;
use signcore::digest::{Hash, parse_hash};
use signcore::hex::HashHex;
use signcore::keystore::KeyRing;

use super::Outcome;
use crate::engine::{self, Shown};
use crate::input::{Header, Kind, Splitter, maybe_gunzip};

/// Arguments of `signcore verify`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  signcore verify archive.json --ring public-ring.json
  signcore verify s3://audit-archive/2026-12-01.json --ring public-ring.json --threshold 2
  zcat events.ndjson.gz | signcore verify - --keystore node_keystore.json --json
  signcore verify --database-url postgres://audit@127.0.0.1/audit --limit 100 --ring ring.json

Exit codes: 0 verified, 1 findings (something does not verify), 2 usage or input error.")]
#[command(group(clap::ArgGroup::new("keys").required(true).args(["ring", "keystore"])))]
pub struct Args {
    /// Archive, JSON array or NDJSON file (gzip too), s3://bucket/key, or - for stdin.
    #[arg(value_name = "FILE|-|s3://bucket/key", conflicts_with = "database_url")]
    pub input: Option<String>,
    /// Trusted key ring (JSON array of {kid, alg, public_key | secret_hex}).
    #[arg(long, value_name = "F")]
    pub ring: Option<PathBuf>,
    /// A keystore file used as the key ring (public keys derived).
    #[arg(long, value_name = "F")]
    pub keystore: Option<PathBuf>,
    /// Distinct trusted keys that must have signed an archive.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub threshold: u64,
    /// Expected prev_hash of the first event (hex), for a slice of a longer chain.
    #[arg(long, value_name = "HEX")]
    pub anchor: Option<String>,
    /// Machine-readable report on stdout (the Node verifyChain report plus the archive block).
    #[arg(long)]
    pub json: bool,
    /// Verify rows of a PostgreSQL table instead of a file (default: $DATABASE_URL).
    #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "")]
    pub database_url: Option<String>,
    /// Table holding the events.
    #[arg(long, default_value = "audit_events", requires = "database_url")]
    pub table: String,
    /// Column giving the chain order (and the row id shown in findings).
    #[arg(long, default_value = "id", requires = "database_url")]
    pub order_by: String,
    /// Check only the newest N rows, linked to the row before them.
    #[arg(long, value_name = "N", requires = "database_url")]
    pub limit: Option<u64>,
    /// Verifier threads (0 = every core).
    #[arg(long, default_value_t = 0, hide = true)]
    pub threads: usize,
}

/// Reads the ring (or keystore-as-ring).
pub fn load_ring(ring: Option<&PathBuf>, keystore: Option<&PathBuf>) -> Result<KeyRing> {
    let (path, what) = match (ring, keystore) {
        (Some(p), _) => (p, "key ring"),
        (None, Some(p)) => (p, "keystore"),
        (None, None) => bail!("give the trusted keys with --ring F or --keystore F"),
    };
    let bytes = std::fs::read(path).with_context(|| format!("cannot read the {what} {}", path.display()))?;
    KeyRing::from_json(&bytes).map_err(|e| anyhow::anyhow!("{} ({}): {e}", path.display(), e.code()))
}

/// Where the events come from, for the report.
pub struct Source {
    pub name: String,
    pub kind: &'static str,
}

/// Everything a report shows.
pub struct Verdict {
    pub source: Source,
    pub kind: Option<Kind>,
    pub findings: Vec<Shown>,
    pub checked: u64,
    pub head: Option<Hash>,
    pub archive: Option<(ArchiveReport, Header)>,
    pub threshold: u64,
    pub database: bool,
}

impl Verdict {
    pub fn ok(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Runs `signcore verify`.
pub fn run(args: Args) -> Result<Outcome> {
    let ring = load_ring(args.ring.as_ref(), args.keystore.as_ref())?;
    let anchor = match &args.anchor {
        Some(a) => Some(parse_hash(a.trim()).map_err(|e| anyhow::anyhow!("--anchor: {e}"))?),
        None => None,
    };
    let verdict = if let Some(url) = &args.database_url {
        let url = if url.is_empty() {
            std::env::var("DATABASE_URL").context("--database-url has no value and DATABASE_URL is not set")?
        } else {
            url.clone()
        };
        crate::db::verify(
            &url,
            &args.table,
            &args.order_by,
            args.limit,
            &ring,
            anchor,
            args.threads,
            progress_bar(args.json, None),
        )?
    } else {
        let input = args.input.as_deref().unwrap_or("-");
        let s3 = input.strip_prefix("s3://");
        // Each call opens the input afresh (a second GET for S3): the body
        // is streamed, never collected.
        let open = || -> Result<(Box<dyn Read + Send>, Option<u64>)> {
            if input == "-" {
                Ok((Box::new(std::io::stdin()), None))
            } else if let Some(url) = s3 {
                let (body, size) = crate::s3::get_reader(url)?;
                Ok((body, Some(size)))
            } else {
                let file = std::fs::File::open(input).with_context(|| format!("cannot open {input}"))?;
                let len = file.metadata().ok().map(|m| m.len());
                Ok((Box::new(file), len))
            }
        };
        let kind = if input == "-" {
            "stdin"
        } else if s3.is_some() {
            "s3"
        } else {
            "file"
        };
        let source = || Source { name: if input == "-" { "stdin".into() } else { input.into() }, kind };
        let (reader, size) = open()?;
        match verify_reader(
            reader,
            source(),
            &ring,
            anchor,
            args.threshold,
            args.threads,
            progress_bar(args.json, size),
        ) {
            Err(e) if e.downcast_ref::<crate::input::OutOfOrder>().is_some() && input != "-" => {
                verify_in_memory(open()?.0, source(), &ring, anchor, args.threshold)?
            }
            other => other?,
        }
    };
    let mut verdict = verdict;
    verdict.threshold = args.threshold;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json_report(&verdict))?);
    } else {
        print_text(&verdict);
    }
    Ok(if verdict.ok() { Outcome::Done } else { Outcome::Findings })
}

/// A progress bar on stderr when it is a terminal and the output is for people.
pub fn progress_bar(json: bool, bytes: Option<u64>) -> Option<indicatif::ProgressBar> {
    if json || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(bytes.unwrap_or(0));
    let style = if bytes.is_some() {
        indicatif::ProgressStyle::with_template("{spinner} {bytes}/{total_bytes} {wide_bar} {msg}")
    } else {
        indicatif::ProgressStyle::with_template("{spinner} {msg}")
    };
    if let Ok(style) = style {
        bar.set_style(style);
    }
    Some(bar)
}

/// Verifies a stream (archive, array or NDJSON, gzip detected).
pub fn verify_reader(
    reader: Box<dyn Read + Send>,
    source: Source,
    ring: &KeyRing,
    anchor: Option<Hash>,
    threshold: u64,
    threads: usize,
    bar: Option<indicatif::ProgressBar>,
) -> Result<Verdict> {
    let reader = maybe_gunzip(reader)?;
    let start_anchor: engine::Anchor = Arc::new(engine::Start::default());
    let set_anchor = start_anchor.clone();
    let read_bytes = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = read_bytes.clone();
    let ((kind, header), outcome) = engine::run(
        ring,
        start_anchor,
        threads,
        move |send| {
            let mut splitter = Splitter::new(reader);
            let mut on_header = |kind: Kind, header: &Header| -> Result<()> {
                let a = match kind {
                    Kind::Archive => {
                        header.range.as_deref().and_then(|r| Range::from_json(r).ok()).and_then(|r| r.anchor)
                    }
                    _ => anchor,
                };
                let _ = set_anchor.anchor.set(a);
                let _ = set_anchor.digest.set(kind == Kind::Archive);
                let _ = set_anchor.checkpoint.set(header.checkpoint.clone());
                Ok(())
            };
            let mut send_counted = |b: crate::input::Batch| {
                send(b)?;
                Ok(())
            };
            let r = splitter.run(&mut send_counted, &mut on_header);
            counter.store(splitter.bytes_read, std::sync::atomic::Ordering::Relaxed);
            r
        },
        |checked| {
            if let Some(bar) = &bar {
                bar.set_message(format!("{checked} events"));
                bar.tick();
            }
        },
    )?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let mut findings = outcome.findings;
    let archive = if kind == Kind::Archive {
        let digest = outcome
            .digest
            .and_then(|d| d.finish(header.format.as_deref(), header.origin.as_deref(), header.range.as_deref()));
        let range = header.range.as_deref().and_then(|r| Range::from_json(r).ok());
        let mut chain = signcore::chain::ChainSummary::default();
        chain.checked = outcome.checked;
        chain.findings = findings.len() as u64;
        chain.head = outcome.head;
        let options = Options { threshold: threshold as usize, expected_anchor: anchor.map(Some) };
        let mut push = |f| {
            if let Found::Archive(a) = f {
                findings.push(Shown { index: None, code: a.code.as_str(), message: a.detail, id: None, detail: None });
            }
        };
        let mut report = archive::conclude(
            ring,
            header.manifest.as_deref(),
            options,
            Checks { chain, head: outcome.head, digest, range },
            &mut push,
        );
        if let (Some(cp), Some(tree)) = (header.checkpoint.as_deref(), &outcome.tree) {
            // The checkpoint's findings come after the other archive findings.
            report.checkpoint = archive::check_checkpoint(cp, header.origin.as_deref(), range, tree, ring, &mut push);
        }
        Some((report, header))
    } else {
        None
    };
    Ok(Verdict {
        source,
        kind: Some(kind),
        findings,
        checked: outcome.checked,
        head: outcome.head,
        archive,
        threshold,
        database: false,
    })
}

/// An archive whose members are out of streaming order, verified whole in
/// memory by the core's `verify_archive` (any member order).
fn verify_in_memory(
    reader: Box<dyn Read + Send>,
    source: Source,
    ring: &KeyRing,
    anchor: Option<Hash>,
    threshold: u64,
) -> Result<Verdict> {
    let mut bytes = Vec::new();
    maybe_gunzip(reader)?.read_to_end(&mut bytes).context("cannot read the input")?;
    let mut findings = Vec::new();
    let options = Options { threshold: threshold as usize, expected_anchor: anchor.map(Some) };
    let report = archive::verify_archive(&bytes, ring, options, |f| {
        findings.push(match f {
            Found::Event(e) => {
                Shown { index: Some(e.index), code: e.code.as_str(), message: e.detail, id: None, detail: None }
            }
            Found::Archive(a) => {
                Shown { index: None, code: a.code.as_str(), message: a.detail, id: None, detail: None }
            }
        })
    })
    .map_err(|e| anyhow::anyhow!("not a signcore-archive/1: {e} ({})", e.code()))?;
    // The members, for the report.
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let raw = |k: &str| value.get(k).and_then(|v| serde_json::to_vec(v).ok());
    let header = Header {
        format: raw("format"),
        origin: raw("origin"),
        range: raw("range"),
        manifest: raw("manifest"),
        checkpoint: raw("checkpoint"),
    };
    let head = report.chain.head;
    Ok(Verdict {
        source,
        kind: Some(Kind::Archive),
        findings,
        checked: report.chain.checked,
        head,
        archive: Some((report, header)),
        threshold,
        database: false,
    })
}

fn hex(h: &Option<Hash>) -> serde_json::Value {
    h.as_ref().map_or(serde_json::Value::Null, |h| HashHex::new(h).as_str().into())
}

fn raw_json(bytes: Option<&[u8]>) -> serde_json::Value {
    bytes.and_then(|b| serde_json::from_slice(b).ok()).unwrap_or(serde_json::Value::Null)
}

/// `{ ok, checked, errors: [{ index, code, message }] }` (Node's verifyChain
/// report) plus `head`, `signed`, `input` and the `archive` block.
pub fn json_report(v: &Verdict) -> serde_json::Value {
    use serde_json::json;
    let errors: Vec<serde_json::Value> = v
        .findings
        .iter()
        .map(|f| {
            let mut e = json!({ "index": f.index, "code": f.code, "message": f.message });
            if v.database {
                e["id"] = f.id.clone().into();
                e["detail"] = f.detail.clone().into();
            }
            e
        })
        .collect();
    // The core's ArchiveBlock: the very block Node's verifyArchive reports.
    let archive = v.archive.as_ref().map(|(r, h)| {
        serde_json::to_value(ArchiveBlock::new(r, h.format.as_deref(), h.origin.as_deref()))
            .unwrap_or(serde_json::Value::Null)
    });
    json!({
        "ok": v.ok(),
        "checked": v.checked,
        "errors": errors,
        "head": hex(&v.head),
        "signed": v.archive.is_some(),
        "input": { "source": v.source.kind, "name": v.source.name, "kind": if v.database { "database" } else { v.kind.map_or("unknown", Kind::as_str) } },
        "archive": archive,
    })
}

fn print_text(v: &Verdict) {
    for f in &v.findings {
        let at = match (f.index, &f.id) {
            (Some(i), Some(id)) => format!("row id {id} (event {i})"),
            (Some(i), None) => format!("event {i}"),
            (None, _) => "archive".to_string(),
        };
        println!("{at}: {}: {}", f.code, f.message);
        if let Some(d) = &f.detail {
            println!("    {d}");
        }
    }
    let what = match (&v.archive, v.database) {
        (_, true) => format!("rows of {}", v.source.name),
        (Some((r, h)), _) => {
            let origin = raw_json(h.origin.as_deref());
            let signers = r.manifest.map_or("no manifest".to_string(), |m| {
                format!("{} distinct trusted key(s) signed, threshold {}", m.valid, m.threshold)
            });
            let range =
                r.range.map_or(String::new(), |r| format!(", events {}..{} of the chain", r.first, r.first + r.size));
            format!("signed archive {} (origin {origin}{range}; {signers})", v.source.name)
        }
        (None, _) => format!(
            "{} ({}, unsigned: a cut-off tail or a replaced file cannot be detected; verify a signed archive for that)",
            v.source.name,
            v.kind.map_or("input", |k| match k {
                Kind::Array => "JSON array",
                Kind::Ndjson => "NDJSON",
                Kind::Archive => "archive",
            })
        ),
    };
    if let Some(c) = v.archive.as_ref().and_then(|(r, _)| r.checkpoint) {
        println!(
            "checkpoint: tree size {}, root {} ({}; signed by {} ring key(s))",
            c.size,
            HashHex::new(&c.root).as_str(),
            if c.root_checked { "the Merkle root of these events" } else { "a slice: only the size is checked" },
            c.signed_by_ring
        );
    }
    if v.ok() {
        println!("OK: {} events verified: {what}", v.checked);
    } else {
        println!("FAILED: {} finding(s) in {} events: {what}", v.findings.len(), v.checked);
    }
}
