//! `signcore checkpoint`, `signcore prove inclusion|consistency` and
//! `signcore verify-proof` (DESIGN.md §12): C2SP signed checkpoints over a
//! chain's RFC 9162 Merkle tree, and proofs an auditor checks offline.
//! Trees, notes and proofs are the core's; this module reads events and
//! prints.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use signcore::checkpoint::{self, Checkpoint};
use signcore::digest::{Hash, parse_hash};
use signcore::hex::HashHex;
use signcore::merkle::{self, MerkleTree};
use signcore::note::{NoteSigner, NoteVerifier};

use super::Outcome;

/// Where the events come from.
#[derive(Debug, clap::Args)]
pub struct Source {
    /// An archive, JSON array or NDJSON file (gzip too); `-` for stdin.
    pub file: Option<PathBuf>,
    /// Read the events from PostgreSQL instead (all rows, in chain order).
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
#[command(after_help = "Prints the C2SP signed note of the checkpoint <origin>\\n<size>\\n<base64 root>\\n
over the RFC 9162 Merkle tree of the events' hashes (leaf = SHA256(0x00 || hash)).

Examples:
  signcore checkpoint archive.json --origin memory-layer/audit --key-id log-ed25519 > checkpoint.txt
  signcore checkpoint --database-url $DATABASE_URL --origin memory-layer/audit --key-id log-ed25519
  signcore checkpoint --origin memory-layer/audit --key-id log-ed25519 --print-verifier-key

The key must be an Ed25519 key of the keystore (--keystore, default $RITMA_KEYSTORE_PATH).")]
pub struct CheckpointArgs {
    #[command(flatten)]
    pub source: Source,
    /// The log's name: the checkpoint's first line.
    #[arg(long, value_name = "O")]
    pub origin: String,
    /// The note key name (default: the origin).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Keystore holding the Ed25519 signing key.
    #[arg(long, env = "RITMA_KEYSTORE_PATH", value_name = "F")]
    pub keystore: Option<PathBuf>,
    /// Key id of the signing key.
    #[arg(long, env = "RITMA_KEY_ID", value_name = "ID")]
    pub key_id: Option<String>,
    /// Print the key's note verifier key (`<name>+<hex id>+<base64>`) instead of signing.
    #[arg(long)]
    pub print_verifier_key: bool,
}

/// `signcore prove`.
#[derive(Debug, clap::Subcommand)]
pub enum Prove {
    /// Inclusion proof of one event (JSON on stdout, for `verify-proof`).
    Inclusion {
        #[command(flatten)]
        source: Source,
        /// Index of the event in the chain (0-based).
        #[arg(long, value_name = "I")]
        index: u64,
        /// Tree size the proof is for (default: every event).
        #[arg(long, value_name = "N")]
        size: Option<u64>,
    },
    /// Consistency proof from an earlier tree size to the current one.
    Consistency {
        #[command(flatten)]
        source: Source,
        /// The earlier tree size (e.g. of an older checkpoint).
        #[arg(long, value_name = "M")]
        old_size: u64,
        /// The later tree size (default: every event).
        #[arg(long, value_name = "N")]
        size: Option<u64>,
    },
}

/// Arguments of `signcore verify-proof`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Verifies a proof written by `signcore prove` from the proof alone. With
--checkpoint, the tree size and root come from that signed checkpoint (verified with the
--key verifier keys, --threshold of them, for --origin); without, from the proof file, and
the output says that no signed checkpoint vouched for them.

Example:
  signcore verify-proof proof.json --checkpoint checkpoint.txt --origin memory-layer/audit \\
      --key 'memory-layer/audit+1a2b3c4d+AXb...'")]
pub struct VerifyProofArgs {
    /// The proof (JSON from `signcore prove`); `-` for stdin.
    pub proof: PathBuf,
    /// A signed checkpoint (C2SP note) whose size and root the proof must reach.
    #[arg(long, value_name = "FILE", requires_all = ["origin", "key"])]
    pub checkpoint: Option<PathBuf>,
    /// For a consistency proof: the signed checkpoint of the old size.
    #[arg(long, value_name = "FILE", requires = "checkpoint")]
    pub old_checkpoint: Option<PathBuf>,
    /// The log the checkpoint must be of.
    #[arg(long, value_name = "O")]
    pub origin: Option<String>,
    /// A trusted note verifier key; repeat for several.
    #[arg(long, value_name = "VKEY")]
    pub key: Vec<String>,
    /// How many distinct trusted keys must have signed the checkpoint.
    #[arg(long, default_value_t = 1)]
    pub threshold: usize,
}

fn read_input(path: &Path) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).context("cannot read stdin")?;
        return Ok(buf);
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The events' hashes, in chain order, from index 0.
fn event_hashes(source: &Source) -> Result<Vec<Hash>> {
    let events: Vec<Vec<u8>> = if let Some(url) = &source.database_url {
        let (first, _, events) = crate::db::archive_rows(url, &source.table, &source.order_by, None)?;
        if first != 0 {
            bail!("the table's chain does not start at index 0");
        }
        events
    } else {
        let path = source.file.clone().context("give an archive/events FILE (or - for stdin) or --database-url URL")?;
        let reader: Box<dyn std::io::Read + Send> = if path == Path::new("-") {
            Box::new(std::io::stdin())
        } else {
            Box::new(std::fs::File::open(&path).with_context(|| format!("cannot open {}", path.display()))?)
        };
        let mut events = Vec::new();
        let mut splitter = crate::input::Splitter::new(crate::input::maybe_gunzip(reader)?);
        splitter.run(
            &mut |batch| {
                for i in 0..batch.len() {
                    events.push(batch.event(i).to_vec());
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
                }
                Ok(())
            },
        )?;
        events
    };
    events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let v: Value = serde_json::from_slice(e).with_context(|| format!("event {i}: not JSON"))?;
            let h = v.get("hash").and_then(Value::as_str).with_context(|| format!("event {i}: no \"hash\" string"))?;
            parse_hash(h).map_err(|e| anyhow::anyhow!("event {i}: hash: {e}"))
        })
        .collect()
}

fn hex(h: &Hash) -> String {
    HashHex::new(h).as_str().to_owned()
}

/// Runs `signcore checkpoint`.
pub fn run_checkpoint(args: CheckpointArgs) -> Result<Outcome> {
    let (kid, key) = crate::util::signing_key(args.keystore.as_deref(), args.key_id.as_deref())?;
    let name = args.name.as_deref().unwrap_or(&args.origin);
    let signer = NoteSigner::new(name, &key).map_err(|e| anyhow::anyhow!("key {kid:?}: {e} ({})", e.code()))?;
    if args.print_verifier_key {
        println!("{}", signer.verifier());
        return Ok(Outcome::Done);
    }
    let hashes = event_hashes(&args.source)?;
    let root = merkle::root_of_event_hashes(&hashes)?;
    let cp = Checkpoint::new(&args.origin, hashes.len() as u64, root).map_err(|e| anyhow::anyhow!("--origin: {e}"))?;
    print!("{}", checkpoint::sign(&cp, &[&signer])?);
    eprintln!("checkpoint of {} events signed by {} ({kid})", hashes.len(), signer.verifier());
    Ok(Outcome::Done)
}

/// Runs `signcore prove`.
pub fn run_prove(cmd: Prove) -> Result<Outcome> {
    let out = match cmd {
        Prove::Inclusion { source, index, size } => {
            let hashes = event_hashes(&source)?;
            let tree = MerkleTree::from_event_hashes(&hashes);
            let size = size.unwrap_or(tree.size());
            let proof = tree.inclusion_proof(index, size)?;
            json!({
                "type": "inclusion",
                "index": index,
                "size": size,
                "event_hash": hex(&hashes[index as usize]),
                "root": hex(&tree.root_at(size)?),
                "proof": proof.iter().map(hex).collect::<Vec<_>>(),
            })
        }
        Prove::Consistency { source, old_size, size } => {
            let tree = MerkleTree::from_event_hashes(&event_hashes(&source)?);
            let size = size.unwrap_or(tree.size());
            let proof = tree.consistency_proof(old_size, size)?;
            json!({
                "type": "consistency",
                "old_size": old_size,
                "size": size,
                "old_root": hex(&tree.root_at(old_size)?),
                "root": hex(&tree.root_at(size)?),
                "proof": proof.iter().map(hex).collect::<Vec<_>>(),
            })
        }
    };
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(Outcome::Done)
}

fn field<'a>(v: &'a Value, name: &str) -> Result<&'a Value> {
    v.get(name).with_context(|| format!("the proof has no {name:?}"))
}

fn u64_field(v: &Value, name: &str) -> Result<u64> {
    field(v, name)?.as_u64().with_context(|| format!("{name:?} must be a non-negative integer"))
}

fn hash_field(v: &Value, name: &str) -> Result<Hash> {
    let s = field(v, name)?.as_str().with_context(|| format!("{name:?} must be a hex string"))?;
    parse_hash(s).map_err(|e| anyhow::anyhow!("{name:?}: {e}"))
}

/// Reads and verifies a signed checkpoint; returns (size, root).
fn trusted_head(
    path: &Path,
    origin: &str,
    keys: &[NoteVerifier],
    threshold: usize,
) -> Result<std::result::Result<(u64, Hash), String>> {
    let note = read_input(path)?;
    Ok(match checkpoint::open(&note, origin, keys, threshold) {
        Ok(v) => Ok((v.checkpoint.size, v.checkpoint.root)),
        Err(e @ (signcore::note::NoteError::InvalidThreshold | signcore::note::NoteError::TooManyTrustedKeys)) => {
            bail!("{e}")
        }
        Err(e) => Err(format!("{}: {e} ({})", path.display(), e.code())),
    })
}

/// Runs `signcore verify-proof`.
pub fn run_verify_proof(args: VerifyProofArgs) -> Result<Outcome> {
    let text = read_input(&args.proof)?;
    let p: Value = serde_json::from_slice(&text).with_context(|| format!("{}: not JSON", args.proof.display()))?;
    let proof: Vec<Hash> = field(&p, "proof")?
        .as_array()
        .context("\"proof\" must be an array of hex hashes")?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let s = h.as_str().with_context(|| format!("proof[{i}] must be a hex string"))?;
            parse_hash(s).map_err(|e| anyhow::anyhow!("proof[{i}]: {e}"))
        })
        .collect::<Result<_>>()?;
    let keys: Vec<NoteVerifier> = args
        .key
        .iter()
        .map(|k| NoteVerifier::parse(k).map_err(|e| anyhow::anyhow!("--key {k:?}: {e}")))
        .collect::<Result<_>>()?;
    let origin = args.origin.as_deref().unwrap_or("");
    let fail = |why: String| -> Result<Outcome> {
        println!("NOT VERIFIED: {why}");
        Ok(Outcome::Findings)
    };
    let mut size = u64_field(&p, "size")?;
    let mut root = hash_field(&p, "root")?;
    let vouched = if let Some(cp) = &args.checkpoint {
        match trusted_head(cp, origin, &keys, args.threshold)? {
            Ok((s, r)) => {
                if s != size {
                    return fail(format!("the proof is for tree size {size}, the checkpoint is of size {s}"));
                }
                (size, root) = (s, r);
                format!("the signed checkpoint {} of {origin}", cp.display())
            }
            Err(why) => return fail(why),
        }
    } else {
        "the root in the proof file (no signed checkpoint given)".to_owned()
    };
    match field(&p, "type")?.as_str() {
        Some("inclusion") => {
            let index = u64_field(&p, "index")?;
            let event = hash_field(&p, "event_hash")?;
            match merkle::verify_inclusion(&merkle::leaf_hash(&event), index, size, &proof, &root) {
                Ok(()) => println!(
                    "VERIFIED: event {index} (hash {}) is in the tree of {size} events of {vouched}",
                    hex(&event)
                ),
                Err(e) => return fail(format!("{e} ({})", e.code())),
            }
        }
        Some("consistency") => {
            let old_size = u64_field(&p, "old_size")?;
            let mut old_root = hash_field(&p, "old_root")?;
            if let Some(old) = &args.old_checkpoint {
                match trusted_head(old, origin, &keys, args.threshold)? {
                    Ok((s, r)) if s == old_size => old_root = r,
                    Ok((s, _)) => {
                        return fail(format!(
                            "the proof is from tree size {old_size}, the old checkpoint is of size {s}"
                        ));
                    }
                    Err(why) => return fail(why),
                }
            }
            match merkle::verify_consistency(old_size, size, &old_root, &root, &proof) {
                Ok(()) => println!(
                    "VERIFIED: the tree of {old_size} events is a prefix of the tree of {size} events of {vouched}"
                ),
                Err(e) => return fail(format!("{e} ({})", e.code())),
            }
        }
        _ => bail!("\"type\" must be \"inclusion\" or \"consistency\""),
    }
    Ok(Outcome::Done)
}
