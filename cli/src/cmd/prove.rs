//! `signcore prove inclusion|consistency` and `signcore verify-proof`
//! (DESIGN.md §12): RFC 9162 proofs over a chain's Merkle tree, written as
//! a small JSON file (`signcore-proof/1`, see cli/README.md) that an
//! auditor verifies offline with the log's signed checkpoint and its
//! verifier keys. Proof generation and verification are the core's
//! (`merkle::inclusion_proof_of_events`, `merkle::verify_inclusion`, …).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use signcore::checkpoint::{self, Checkpoint};
use signcore::digest::{Hash, parse_hash};
use signcore::merkle::{self, ProofError};
use signcore::note::{self, NoteError, NoteVerifier};

use super::Outcome;
use super::checkpoint::{Source, for_each_event_hash, hex, note_error};

/// The `format` member of a proof file.
pub const PROOF_FORMAT: &str = "signcore-proof/1";

/// Subcommands of `signcore prove`.
#[derive(Debug, clap::Subcommand)]
pub enum Prove {
    /// Inclusion proof of one event: a signcore-proof/1 JSON file for `verify-proof`.
    #[command(after_help = "The proof carries the event itself, its hash, the tree size and root, the RFC 9162
audit path (hex, leaf side first) and, with --checkpoint (or when FILE is an archive that
carries its checkpoint of that size), the log's signed checkpoint, so
that `signcore verify-proof` needs nothing else but the log's verifier keys.
Memory: the events' hashes are held while proving (32 bytes per event).

Examples:
  signcore prove inclusion events.ndjson --index 7 --checkpoint checkpoint.txt > proof.json
  signcore prove inclusion --database-url $DATABASE_URL --index 41 --size 1000 --out proof.json")]
    Inclusion {
        #[command(flatten)]
        source: Source,
        /// Index of the event in the chain (0-based).
        #[arg(long, value_name = "I")]
        index: u64,
        #[command(flatten)]
        common: ProveArgs,
    },
    /// Consistency proof that an earlier tree (size M) is a prefix of a later one.
    #[command(after_help = "The proof carries both sizes and roots, the RFC 9162 consistency path (hex) and, with
--checkpoint / --old-checkpoint, the two signed checkpoints.
Memory: the events' hashes are held while proving (32 bytes per event).

Examples:
  signcore prove consistency events.ndjson --old-size 100 --old-checkpoint old.txt --checkpoint new.txt > proof.json
  signcore prove consistency --database-url $DATABASE_URL --old-size 1000 --out proof.json")]
    Consistency {
        #[command(flatten)]
        source: Source,
        /// The earlier tree size (e.g. of an older checkpoint).
        #[arg(long, value_name = "M")]
        old_size: u64,
        /// The signed checkpoint of the old size, embedded in the proof.
        #[arg(long, value_name = "NOTE")]
        old_checkpoint: Option<PathBuf>,
        #[command(flatten)]
        common: ProveArgs,
    },
}

/// Options shared by both proofs.
#[derive(Debug, clap::Args)]
pub struct ProveArgs {
    /// The tree size the proof is for (default: the checkpoint's size, else every event).
    #[arg(long, value_name = "N")]
    pub size: Option<u64>,
    /// A signed checkpoint (C2SP note) to embed; its size and root must be the events'.
    #[arg(long, value_name = "NOTE")]
    pub checkpoint: Option<PathBuf>,
    /// Write the proof to this file (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Arguments of `signcore verify-proof`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Verifies a signcore-proof/1 file from the proof alone: the checkpoint embedded in it (or
--checkpoint NOTE) must be a C2SP signed note of the log --origin, signed by at least --threshold
of the trusted --verifier-key keys (other signatures, e.g. witnesses, are ignored), its size must
be the proof's, and the proof must lead to its root. An inclusion proof also checks that the
embedded event's stored hash is the proven one and recomputes it from the payload.

Examples:
  signcore verify-proof proof.json --origin example.com/audit --verifier-key 'example.com/audit+1a2b3c4d+AXb...'
  signcore verify-proof proof.json --checkpoint checkpoint.txt --origin example.com/audit \\
      --verifier-key \"$LOG_VKEY\" --verifier-key \"$WITNESS_VKEY\" --threshold 2 --json

Exit codes: 0 verified, 1 does not verify (the reason is printed), 2 usage or input error.")]
pub struct VerifyProofArgs {
    /// The proof (JSON from `signcore prove`); `-` for stdin.
    #[arg(value_name = "PROOF")]
    pub proof: PathBuf,
    /// The signed checkpoint the proof must reach (default: the one in the proof).
    #[arg(long, value_name = "NOTE")]
    pub checkpoint: Option<PathBuf>,
    /// For a consistency proof: the signed checkpoint of the old size (default: the one in the proof).
    #[arg(long, value_name = "NOTE")]
    pub old_checkpoint: Option<PathBuf>,
    /// The log the checkpoints must be of (their first line).
    #[arg(long, value_name = "O")]
    pub origin: String,
    /// A trusted note verifier key `<name>+<hex key id>+<base64>`; repeat for several.
    #[arg(long = "verifier-key", value_name = "VKEY", required = true)]
    pub verifier_keys: Vec<String>,
    /// How many distinct trusted keys must have signed each checkpoint.
    #[arg(long, default_value_t = 1)]
    pub threshold: usize,
    /// JSON report.
    #[arg(long)]
    pub json: bool,
}

fn read_input(path: &Path) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).context("cannot read stdin")?;
        return Ok(buf);
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn proof_error(e: ProofError) -> anyhow::Error {
    anyhow::anyhow!("{e} ({})", e.code())
}

/// A checkpoint file read back (syntax only) by the prover: (note text, size, root).
fn read_own_checkpoint(path: &Path) -> Result<(String, u64, Hash)> {
    let bytes = read_input(path)?;
    let text = note::text_unverified(&bytes).map_err(|e| note_error(&path.display().to_string(), e))?;
    let cp = Checkpoint::parse(text).map_err(|e| note_error(&path.display().to_string(), e))?;
    let note = String::from_utf8(bytes.clone()).context("not UTF-8")?;
    Ok((note, cp.size, cp.root))
}

/// The stored hashes of the first `size` events (all when `None`), 32
/// bytes per event, the JSON of event `keep` and an archive's checkpoint
/// (note, size, root) when it has one of the tree size proven.
#[allow(clippy::type_complexity)]
fn hashes(
    source: &Source,
    size: Option<u64>,
    keep: Option<u64>,
) -> Result<(Vec<Hash>, Option<Vec<u8>>, Option<(String, u64, Hash)>)> {
    let mut out = Vec::new();
    let read = for_each_event_hash(source, size, keep, |_, h| out.push(h))?;
    let n = read.count;
    if let Some(want) = size.filter(|&s| s > n) {
        bail!("--size {want}: the chain has only {n} events");
    }
    let own = read.archive_checkpoint.and_then(|note| {
        let cp = Checkpoint::parse(note::text_unverified(note.as_bytes()).ok()?).ok()?;
        (cp.size == size.unwrap_or(n)).then(|| (note.clone(), cp.size, cp.root))
    });
    Ok((out, read.kept, own))
}

/// An inclusion proof file (the event is copied byte for byte).
#[derive(serde::Serialize)]
struct InclusionFile<'a> {
    format: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    index: u64,
    size: u64,
    root: String,
    event_hash: String,
    proof: Vec<String>,
    event: &'a RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    checkpoint: Option<String>,
}

/// Runs `signcore prove ...`.
pub fn run_prove(cmd: Prove) -> Result<Outcome> {
    let (out, path, mismatch) = match cmd {
        Prove::Inclusion { source, index, common } => {
            let embedded = common.checkpoint.as_deref().map(read_own_checkpoint).transpose()?;
            let size = common.size.or(embedded.as_ref().map(|c| c.1));
            let (hashes, event, own) = hashes(&source, size, Some(index))?;
            // An archive's own checkpoint, when none is given and it is of this size.
            let embedded = embedded.or(own);
            let size = size.unwrap_or(hashes.len() as u64);
            let p = merkle::inclusion_proof_of_events(&hashes, index, size).map_err(proof_error)?;
            let event = String::from_utf8(event.with_context(|| format!("event {index} not found"))?)
                .with_context(|| format!("event {index} is not UTF-8"))?;
            let event = RawValue::from_string(event).with_context(|| format!("event {index} is not JSON"))?;
            let mut mismatch = None;
            if let Some((_, s, root)) = &embedded
                && (*s != size || *root != p.root)
            {
                mismatch = Some(format!(
                    "the checkpoint is of size {s} with root {}, the events' tree of size {size} has root {}",
                    hex(root),
                    hex(&p.root)
                ));
            }
            let file = InclusionFile {
                format: PROOF_FORMAT,
                kind: "inclusion",
                index,
                size,
                root: hex(&p.root),
                event_hash: hex(&hashes[index as usize]),
                proof: p.proof().iter().map(hex).collect(),
                event: &event,
                checkpoint: embedded.map(|c| c.0),
            };
            (serde_json::to_string_pretty(&file)?, common.out, mismatch)
        }
        Prove::Consistency { source, old_size, old_checkpoint, common } => {
            let embedded = common.checkpoint.as_deref().map(read_own_checkpoint).transpose()?;
            let old = old_checkpoint.as_deref().map(read_own_checkpoint).transpose()?;
            let size = common.size.or(embedded.as_ref().map(|c| c.1));
            let (hashes, _, own) = hashes(&source, size, None)?;
            let embedded = embedded.or(own);
            let size = size.unwrap_or(hashes.len() as u64);
            let p = merkle::consistency_proof_of_events(&hashes, old_size, size).map_err(proof_error)?;
            let mut v = json!({
                "format": PROOF_FORMAT,
                "type": "consistency",
                "old_size": old_size,
                "size": size,
                "old_root": hex(&p.old_root),
                "root": hex(&p.root),
                "proof": p.proof().iter().map(hex).collect::<Vec<_>>(),
            });
            let mut mismatch = None;
            for (member, cp, want_size, want_root) in
                [("checkpoint", embedded, size, p.root), ("old_checkpoint", old, old_size, p.old_root)]
            {
                if let Some((note, s, root)) = cp {
                    if s != want_size || root != want_root {
                        mismatch = Some(format!(
                            "the {} is of size {s} with root {}, the events' tree of size {want_size} has root {}",
                            member.replace('_', " "),
                            hex(&root),
                            hex(&want_root)
                        ));
                    }
                    v[member] = note.into();
                }
            }
            (serde_json::to_string_pretty(&v)?, common.out, mismatch)
        }
    };
    if let Some(why) = mismatch {
        eprintln!("signcore: the events do not match the checkpoint: {why} (ROOT_MISMATCH); no proof written");
        return Ok(Outcome::Findings);
    }
    let text = format!("{out}\n");
    match path {
        Some(p) => crate::util::write_atomic(&p, text.as_bytes(), 0o644)?,
        None => print!("{text}"),
    }
    Ok(Outcome::Done)
}

// ---- verify-proof ----

fn field<'a>(v: &'a Value, name: &str) -> Result<&'a Value> {
    v.get(name).with_context(|| format!("the proof has no {name:?} member"))
}

fn u64_field(v: &Value, name: &str) -> Result<u64> {
    field(v, name)?.as_u64().with_context(|| format!("proof member {name:?} must be a non-negative integer"))
}

fn hash_field(v: &Value, name: &str) -> Result<Hash> {
    let s = field(v, name)?.as_str().with_context(|| format!("proof member {name:?} must be a hex string"))?;
    parse_hash(s).map_err(|e| anyhow::anyhow!("proof member {name:?}: {e}"))
}

/// One reason a proof does not verify.
struct Finding {
    code: &'static str,
    message: String,
}

/// A checkpoint that opened: what the report shows of it.
struct Opened {
    size: u64,
    root: Hash,
    verified: usize,
    unknown: usize,
}

/// Opens a checkpoint note with the verifier's keys. Input errors
/// (malformed note, bad threshold) are `Err`; refusals are `Ok(Err)`.
fn open_checkpoint(
    what: &str,
    note_bytes: &[u8],
    origin: &str,
    keys: &[NoteVerifier],
    threshold: usize,
) -> Result<std::result::Result<Opened, Finding>> {
    match checkpoint::open(note_bytes, origin, keys, threshold) {
        Ok(v) => Ok(Ok(Opened {
            size: v.checkpoint.size,
            root: v.checkpoint.root,
            verified: v.note.verified,
            unknown: v.note.unknown,
        })),
        Err(
            e @ (NoteError::SignatureInvalid { .. } | NoteError::ThresholdNotMet { .. } | NoteError::OriginMismatch),
        ) => {
            let message = match e {
                NoteError::OriginMismatch => {
                    let text = note::text_unverified(note_bytes).unwrap_or("");
                    format!("the {what} is of the log {:?}, not of {origin:?}", text.lines().next().unwrap_or(""))
                }
                e => format!("the {what}: {e}"),
            };
            Ok(Err(Finding { code: e.code(), message }))
        }
        Err(e) => Err(note_error(&format!("the {what}"), e)),
    }
}

fn checkpoint_bytes(flag: Option<&Path>, proof: &Value, member: &str) -> Result<Option<Vec<u8>>> {
    if let Some(path) = flag {
        return read_input(path).map(Some);
    }
    match proof.get(member) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_bytes().to_vec())),
        Some(_) => bail!("proof member {member:?} must be the signed note's text"),
    }
}

/// Runs `signcore verify-proof`.
pub fn run_verify_proof(args: VerifyProofArgs) -> Result<Outcome> {
    let text = read_input(&args.proof)?;
    let p: Value =
        serde_json::from_slice(&text).with_context(|| format!("{}: not a JSON proof", args.proof.display()))?;
    match p.get("format").and_then(Value::as_str) {
        Some(PROOF_FORMAT) => {}
        other => bail!("{}: not a {PROOF_FORMAT} proof (format {other:?})", args.proof.display()),
    }
    let kind = match field(&p, "type")?.as_str() {
        Some(k @ ("inclusion" | "consistency")) => k,
        _ => bail!("proof member \"type\" must be \"inclusion\" or \"consistency\""),
    };
    let hashes: Vec<Hash> = field(&p, "proof")?
        .as_array()
        .context("proof member \"proof\" must be an array of hex hashes")?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let s = h.as_str().with_context(|| format!("proof[{i}] must be a hex string"))?;
            parse_hash(s).map_err(|e| anyhow::anyhow!("proof[{i}]: {e}"))
        })
        .collect::<Result<_>>()?;
    if hashes.len() > merkle::MAX_PROOF_HASHES {
        bail!("the proof has {} hashes, more than any u64 tree needs ({})", hashes.len(), merkle::MAX_PROOF_HASHES);
    }
    let keys: Vec<NoteVerifier> = args
        .verifier_keys
        .iter()
        .map(|k| NoteVerifier::parse(k).map_err(|e| note_error(&format!("--verifier-key {k:?}"), e)))
        .collect::<Result<_>>()?;
    if args.threshold == 0 || args.threshold > keys.len() {
        bail!("--threshold {}: must be between 1 and the {} --verifier-key given", args.threshold, keys.len());
    }
    let size = u64_field(&p, "size")?;
    let claimed_root = hash_field(&p, "root")?;
    let mut findings: Vec<Finding> = Vec::new();
    let mut report = json!({ "type": kind, "origin": args.origin, "size": size, "threshold": args.threshold });

    let note = checkpoint_bytes(args.checkpoint.as_deref(), &p, "checkpoint")?.context(
        "no checkpoint vouches for the root: give --checkpoint NOTE, or a proof made with `prove --checkpoint`",
    )?;
    let head = open_checkpoint("checkpoint", &note, &args.origin, &keys, args.threshold)?;
    let root = match head {
        Ok(o) => {
            report["checkpoint"] = json!({ "size": o.size, "root": hex(&o.root),
                "signatures_verified": o.verified, "signatures_ignored": o.unknown });
            if o.size != size {
                findings.push(Finding {
                    code: "SIZE_MISMATCH",
                    message: format!("the proof is for tree size {size}, the checkpoint is of size {}", o.size),
                });
            } else if o.root != claimed_root {
                findings.push(Finding {
                    code: "ROOT_MISMATCH",
                    message: format!(
                        "the proof's root {} is not the checkpoint's root {}",
                        hex(&claimed_root),
                        hex(&o.root)
                    ),
                });
            }
            Some(o.root)
        }
        Err(f) => {
            findings.push(f);
            None
        }
    };

    match kind {
        "inclusion" => {
            let index = u64_field(&p, "index")?;
            let event_hash = hash_field(&p, "event_hash")?;
            report["index"] = index.into();
            report["event_hash"] = hex(&event_hash).into();
            #[derive(serde::Deserialize)]
            struct Embedded<'a> {
                #[serde(borrow)]
                event: Option<&'a RawValue>,
            }
            let embedded: Embedded = serde_json::from_slice(&text)?;
            if let Some(event) = embedded.event {
                check_event(event.get().as_bytes(), &event_hash, &mut findings)?;
            }
            if let Some(root) = root.filter(|_| findings.is_empty())
                && let Err(e) = merkle::verify_inclusion(&merkle::leaf_hash(&event_hash), index, size, &hashes, &root)
            {
                findings.push(Finding { code: e.code(), message: format!("inclusion proof: {e}") });
            }
        }
        _ => {
            let old_size = u64_field(&p, "old_size")?;
            let claimed_old = hash_field(&p, "old_root")?;
            report["old_size"] = old_size.into();
            let old_note = checkpoint_bytes(args.old_checkpoint.as_deref(), &p, "old_checkpoint")?.context(
                "no checkpoint vouches for the old root: give --old-checkpoint NOTE, or a proof made with `prove --old-checkpoint`",
            )?;
            let old_root = match open_checkpoint("old checkpoint", &old_note, &args.origin, &keys, args.threshold)? {
                Ok(o) => {
                    report["old_checkpoint"] = json!({ "size": o.size, "root": hex(&o.root),
                        "signatures_verified": o.verified, "signatures_ignored": o.unknown });
                    if o.size != old_size {
                        findings.push(Finding {
                            code: "SIZE_MISMATCH",
                            message: format!(
                                "the proof is from tree size {old_size}, the old checkpoint is of size {}",
                                o.size
                            ),
                        });
                    } else if o.root != claimed_old {
                        findings.push(Finding {
                            code: "ROOT_MISMATCH",
                            message: format!(
                                "the proof's old root {} is not the old checkpoint's root {}",
                                hex(&claimed_old),
                                hex(&o.root)
                            ),
                        });
                    }
                    Some(o.root)
                }
                Err(f) => {
                    findings.push(f);
                    None
                }
            };
            if let (Some(root), Some(old_root)) = (root, old_root)
                && findings.is_empty()
                && let Err(e) = merkle::verify_consistency(old_size, size, &old_root, &root, &hashes)
            {
                findings.push(Finding { code: e.code(), message: format!("consistency proof: {e}") });
            }
        }
    }

    let ok = findings.is_empty();
    if args.json {
        report["ok"] = ok.into();
        report["errors"] =
            findings.iter().map(|f| json!({ "code": f.code, "message": f.message })).collect::<Vec<_>>().into();
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if ok {
        let signed = report["checkpoint"]["signatures_verified"].as_u64().unwrap_or(0);
        match kind {
            "inclusion" => println!(
                "VERIFIED: event {} (hash {}) is in the tree of {size} events of {:?} (checkpoint signed by {signed} trusted key(s), {} required)",
                report["index"],
                report["event_hash"].as_str().unwrap_or(""),
                args.origin,
                args.threshold
            ),
            _ => println!(
                "VERIFIED: the tree of {} events is a prefix of the tree of {size} events of {:?} (both checkpoints signed by {} trusted key(s) or more)",
                report["old_size"], args.origin, args.threshold
            ),
        }
    } else {
        for f in &findings {
            println!("NOT VERIFIED: {} ({})", f.message, f.code);
        }
    }
    Ok(if ok { Outcome::Done } else { Outcome::Findings })
}

/// The embedded event must carry the proven hash, and that hash must be
/// SHA256(canonical(payload) || prev_hash) (§2), from the event's own bytes.
fn check_event(raw: &[u8], event_hash: &Hash, findings: &mut Vec<Finding>) -> Result<()> {
    #[derive(serde::Deserialize)]
    struct Links<'a> {
        #[serde(borrow)]
        payload: Option<&'a RawValue>,
        prev_hash: Option<String>,
    }
    if signcore::archive::stored_hash(raw).as_ref() != Some(event_hash) {
        findings.push(Finding {
            code: "EVENT_HASH_MISMATCH",
            message: "the proof's event does not carry the proven event_hash".into(),
        });
        return Ok(());
    }
    let ev: Links = serde_json::from_slice(raw).context("the proof's event: not an audit event")?;
    let prev = match &ev.prev_hash {
        None => None,
        Some(s) => Some(parse_hash(s).map_err(|e| anyhow::anyhow!("the proof's event: prev_hash: {e}"))?),
    };
    let payload = ev.payload.context("the proof's event has no payload")?;
    let computed = signcore::digest::audit_digest(payload.get().as_bytes(), prev.as_ref())
        .map_err(|e| anyhow::anyhow!("the proof's event: payload: {e}"))?;
    if &computed != event_hash {
        findings.push(Finding {
            code: "HASH_MISMATCH",
            message: format!(
                "the proof's event hashes to {}, not to its stored hash {} (payload or prev_hash changed)",
                hex(&computed),
                hex(event_hash)
            ),
        });
    }
    Ok(())
}
