//! `signcore keys`: keystore metadata, the public ring, key generation.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use signcore::hex::HashHex;
use signcore::keystore::{self, KeyMetadata};
use zeroize::Zeroizing;

use super::Outcome;
use crate::util::{read_secret_file, write_atomic};

/// Subcommands of `signcore keys`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Key metadata {key_id, alg, key_hash, label}; never secrets.
    #[command(after_help = "Example:\n  signcore keys list --keystore node_keystore.json --json")]
    List {
        /// The keystore file.
        #[arg(long, env = "RITMA_KEYSTORE_PATH", default_value = "./node_keystore.json", value_name = "F")]
        keystore: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Export the public key ring (Ed25519 public keys; HMAC keys only with --include-secrets).
    #[command(after_help = "With --note-verifier, prints each Ed25519 key (or --key-id's) as a C2SP note verifier key
<name>+<hex key id>+<base64(0x01 || public key)>, the form `signcore verify-proof --verifier-key`
and Go's note.NewVerifier read; the name is the one `signcore checkpoint` signs as (its
default: the origin). HMAC keys have no verifier key.

Examples:
  signcore keys ring --keystore node_keystore.json --out public-ring.json
  signcore keys ring --keystore node_keystore.json --note-verifier --name example.com/audit --key-id log-1")]
    Ring {
        /// The keystore file.
        #[arg(long, env = "RITMA_KEYSTORE_PATH", default_value = "./node_keystore.json", value_name = "F")]
        keystore: PathBuf,
        /// Include HMAC secrets (the ring is then secret too, written with mode 0600).
        #[arg(long)]
        include_secrets: bool,
        /// Write the ring to this file (atomically) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Print note verifier keys (C2SP signed notes) instead of the JSON ring.
        #[arg(long, requires = "name", conflicts_with = "include_secrets")]
        note_verifier: bool,
        /// With --note-verifier: the note key name (a checkpoint's default name is its origin).
        #[arg(long, value_name = "NAME", requires = "note_verifier")]
        name: Option<String>,
        /// With --note-verifier: only this key.
        #[arg(long, value_name = "ID", requires = "note_verifier")]
        key_id: Option<String>,
    },
    /// Generate a key from the OS RNG into a keystore (written atomically, mode 0600).
    #[command(
        after_help = "Example:\n  signcore keys generate --keystore node_keystore.json --key-id audit-2026 --alg ed25519"
    )]
    Generate {
        /// The keystore file (created when missing).
        #[arg(long, env = "RITMA_KEYSTORE_PATH", default_value = "./node_keystore.json", value_name = "F")]
        keystore: PathBuf,
        /// Key id of the new key.
        #[arg(long, value_name = "ID")]
        key_id: String,
        /// ed25519 or hmac-sha256.
        #[arg(long, default_value = "ed25519")]
        alg: String,
        /// Optional label.
        #[arg(long)]
        label: Option<String>,
    },
    /// The cloud key summary {org_id, node_id, key_id, key_hash, label} (DESIGN.md §13).
    Summary(super::keys_cloud::SummaryArgs),
    /// POST the cloud key summary to {RITMA_CLOUD_URL}/keys.
    Publish(super::keys_cloud::PublishArgs),
}

fn metadata_json(m: &KeyMetadata) -> serde_json::Value {
    serde_json::json!({
        "key_id": m.key_id.as_str(),
        "alg": m.alg.as_str(),
        "key_hash": HashHex::new(&m.key_hash).as_str(),
        "label": m.label.as_ref().map(|l| l.as_str()),
    })
}

fn metadata(path: &Path) -> Result<Vec<KeyMetadata>> {
    let json = read_secret_file(path)?;
    let mut out = Vec::new();
    keystore::for_each_metadata(&json, |m| out.push(m))
        .map_err(|e| anyhow::anyhow!("{}: {e} ({})", path.display(), e.code()))?;
    Ok(out)
}

/// Runs `signcore keys ...`.
pub fn run(cmd: Command) -> Result<Outcome> {
    match cmd {
        Command::Summary(args) => return super::keys_cloud::run_summary(args),
        Command::Publish(args) => return super::keys_cloud::run_publish(args),
        Command::List { keystore, json } => {
            let keys = metadata(&keystore)?;
            if json {
                let list: Vec<_> = keys.iter().map(metadata_json).collect();
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for m in &keys {
                    println!(
                        "{}\t{}\t{}\t{}",
                        m.key_id.as_str(),
                        m.alg.as_str(),
                        HashHex::new(&m.key_hash).as_str(),
                        m.label.as_ref().map_or("", |l| l.as_str())
                    );
                }
            }
        }
        Command::Ring { keystore, out, note_verifier: true, name, key_id, .. } => {
            let lines = note_verifiers(&keystore, name.as_deref().unwrap_or_default(), key_id.as_deref())?;
            match out {
                Some(path) => write_atomic(&path, lines.as_bytes(), 0o644)?,
                None => print!("{lines}"),
            }
        }
        Command::Ring { keystore, include_secrets, out, .. } => {
            let json = read_secret_file(&keystore)?;
            let ring =
                public_ring(&json, include_secrets).map_err(|e| anyhow::anyhow!("{}: {e}", keystore.display()))?;
            match out {
                Some(path) => write_atomic(&path, &ring, if include_secrets { 0o600 } else { 0o644 })?,
                None => println!("{}", String::from_utf8_lossy(&ring)),
            }
        }
        Command::Generate { keystore, key_id, alg, label } => generate(&keystore, &key_id, &alg, label.as_deref())?,
    }
    Ok(Outcome::Done)
}

/// The note verifier keys (`<name>+<hex id>+<base64>`, one per line) of the
/// keystore's Ed25519 keys, or of `key_id` only; computed by the core's
/// `note::NoteSigner`. HMAC keys have none (an error when named).
fn note_verifiers(path: &Path, name: &str, key_id: Option<&str>) -> Result<String> {
    let json = read_secret_file(path)?;
    let mut out = String::new();
    for m in metadata(path)? {
        let id = m.key_id.as_str();
        if key_id.is_some_and(|k| k != id) {
            continue;
        }
        if m.alg != signcore::key::Alg::Ed25519 {
            if key_id.is_some() {
                bail!(
                    "key {id:?} is {}: only Ed25519 keys have a note verifier key (UNSUPPORTED_ALGORITHM)",
                    m.alg.as_str()
                );
            }
            eprintln!("signcore: skipped key {id:?} ({}): only Ed25519 keys have a note verifier key", m.alg.as_str());
            continue;
        }
        let key = keystore::load_key(&json, id)
            .map_err(|e| anyhow::anyhow!("{}: key {id:?}: {e} ({})", path.display(), e.code()))?
            .into_key();
        let signer = signcore::note::NoteSigner::new(name, &key)
            .map_err(|e| anyhow::anyhow!("--name {name:?}: {e} ({})", e.code()))?;
        out.push_str(&format!("{}\n", signer.verifier()));
    }
    if out.is_empty() {
        match key_id {
            Some(k) => bail!("{}: no key {k:?}", path.display()),
            None => bail!("{}: no Ed25519 key", path.display()),
        }
    }
    Ok(out)
}

/// The ring of a keystore (the core's `keystore::write_public_ring`):
/// Ed25519 public keys; HMAC keys (their secrets) only when `include_secrets`.
fn public_ring(json: &[u8], include_secrets: bool) -> Result<Zeroizing<Vec<u8>>> {
    let mut ring = Zeroizing::new(Vec::new());
    let hmac = if include_secrets { keystore::HmacSecrets::Include } else { keystore::HmacSecrets::Omit };
    keystore::write_public_ring(json, hmac, &mut *ring).map_err(|e| anyhow::anyhow!("{e} ({})", e.code()))?;
    Ok(ring)
}

fn generate(path: &Path, key_id: &str, alg: &str, label: Option<&str>) -> Result<()> {
    let alg = signcore::key::Alg::parse(alg).map_err(|e| anyhow::anyhow!("--alg {alg}: {e}"))?;
    let mut secret = Zeroizing::new([0u8; 32]);
    getrandom::fill(secret.as_mut()).map_err(|e| anyhow::anyhow!("the OS random number generator failed: {e}"))?;
    let mut hex = Zeroizing::new([0u8; 64]);
    let secret_hex = signcore::hex::encode(secret.as_ref(), hex.as_mut())?.to_string();
    let secret_hex = Zeroizing::new(secret_hex);
    let existing = match std::fs::metadata(path) {
        Ok(_) => read_secret_file(path)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Zeroizing::new(b"[]".to_vec()),
        Err(e) => bail!("cannot read the keystore {}: {e}", path.display()),
    };
    let count = keystore::validate(&existing).map_err(|e| anyhow::anyhow!("{}: {e} ({})", path.display(), e.code()))?;
    let mut record = serde_json::json!({ "key_id": key_id, "alg": alg.as_str(), "secret_hex": "" });
    if let Some(label) = label {
        record["label"] = label.into();
    }
    let record_text = Zeroizing::new(
        serde_json::to_string(&record)?
            .replace(r#""secret_hex":"""#, &format!(r#""secret_hex":"{}""#, secret_hex.as_str())),
    );
    let close = existing.iter().rposition(|&b| b == b']').unwrap_or(0);
    let mut out = Zeroizing::new(Vec::with_capacity(existing.len() + record_text.len() + 4));
    out.extend_from_slice(&existing[..close]);
    while out.last().is_some_and(|b| b.is_ascii_whitespace()) {
        out.pop();
    }
    out.extend_from_slice(if count > 0 { b",\n  " } else { b"\n  " });
    out.extend_from_slice(record_text.as_bytes());
    out.extend_from_slice(b"\n]\n");
    // The result must be a valid keystore holding the new key.
    let record = keystore::load_key(&out, key_id).map_err(|e| match e {
        signcore::Error::Record(r) => anyhow::anyhow!("{}: cannot add {key_id:?}: {r}", path.display()),
        e => anyhow::anyhow!("{}: cannot add {key_id:?}: {e}", path.display()),
    })?;
    write_atomic(path, &out, 0o600)?;
    let m = record.metadata();
    println!("{}", serde_json::to_string_pretty(&metadata_json(&m))?);
    Ok(())
}
