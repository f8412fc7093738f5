//! `signcore archive`: signed §8 archives from PostgreSQL rows (to a file or
//! S3), and `archive cosign` to add a signature block.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use super::Outcome;

/// Arguments of `signcore archive`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
#[command(after_help = "Examples:
  signcore archive --database-url $DATABASE_URL --limit 1000 --out s3://audit-archive/latest.json
  signcore archive --origin memory-layer/audit --out archive.json --keystore node_keystore.json --key-id audit-1
  signcore archive --from events.ndjson --origin demo/audit --out archive.json --key-id demo-ed25519-1
  signcore archive cosign archive.json --keystore officer_keystore.json --key-id officer-2

The signing key comes from --keystore/--key-id (default $RITMA_KEYSTORE_PATH, $RITMA_KEY_ID);
no secret is ever taken on the command line.")]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Sub>,
    /// PostgreSQL connection URL.
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Archive the events of a JSON array or NDJSON file (gzip too) instead of a database.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// With --from: index of the file's first event in the full chain.
    #[arg(long, default_value_t = 0, requires = "from")]
    pub first: u64,
    /// With --from: the hash before the file's first event (hex), for a slice.
    #[arg(long, value_name = "HEX", requires = "from")]
    pub anchor: Option<String>,
    /// Table holding the events.
    #[arg(long, default_value = "audit_events")]
    pub table: String,
    /// Column giving the chain order.
    #[arg(long, default_value = "id")]
    pub order_by: String,
    /// Archive the newest N rows only (linked to the row before them by range.anchor).
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Name of the log, written into the archive (default: postgres/<table>).
    #[arg(long, value_name = "O")]
    pub origin: Option<String>,
    /// Output: a file path (written atomically) or s3://bucket/key.
    #[arg(long, value_name = "FILE|s3://bucket/key")]
    pub out: Option<String>,
    /// Keystore holding the signing key.
    #[arg(long, env = "RITMA_KEYSTORE_PATH", value_name = "F")]
    pub keystore: Option<PathBuf>,
    /// Key id of the signing key.
    #[arg(long, env = "RITMA_KEY_ID", value_name = "ID")]
    pub key_id: Option<String>,
    /// Also carry the signed checkpoint of the events (DESIGN.md §8, §12), signed by the
    /// same key as a C2SP note named after the origin: full chains and Ed25519 keys only.
    #[arg(long)]
    pub checkpoint: bool,
}

/// Subcommands of `signcore archive`.
#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// Add a signature block to an existing archive (after checking its digest).
    Cosign {
        /// The archive file (rewritten atomically).
        file: PathBuf,
        /// Keystore holding the signing key.
        #[arg(long, env = "RITMA_KEYSTORE_PATH", value_name = "F")]
        keystore: Option<PathBuf>,
        /// Key id of the signing key.
        #[arg(long, env = "RITMA_KEY_ID", value_name = "ID")]
        key_id: Option<String>,
    },
}

/// Runs `signcore archive`.
pub fn run(args: Args) -> Result<Outcome> {
    if let Some(Sub::Cosign { file, keystore, key_id }) = args.command {
        return cosign(&file, keystore.as_deref(), key_id.as_deref());
    }
    let out = args.out.as_deref().context("give --out FILE or --out s3://bucket/key")?;
    if args.from.is_none() && args.database_url.is_none() {
        bail!("give --database-url URL (or set DATABASE_URL), or --from FILE");
    }
    let (kid, key) = crate::util::signing_key(args.keystore.as_deref(), args.key_id.as_deref())?;
    let (first, anchor, events, default_origin) = match &args.from {
        Some(path) => {
            let anchor = match &args.anchor {
                Some(a) => Some(signcore::digest::parse_hash(a.trim()).map_err(|e| anyhow::anyhow!("--anchor: {e}"))?),
                None => None,
            };
            (args.first, anchor, read_events(path)?, format!("file/{}", path.display()))
        }
        None => {
            let url = args
                .database_url
                .as_deref()
                .context("give --database-url URL (or set DATABASE_URL), or --from FILE")?;
            let (first, anchor, events) = crate::db::archive_rows(url, &args.table, &args.order_by, args.limit)?;
            (first, anchor, events, format!("postgres/{}", args.table))
        }
    };
    let origin = args.origin.unwrap_or(default_origin);
    let archive = if args.checkpoint {
        super::checkpoint::archive_with_checkpoint(&events, &origin, first, &kid, &key)?
    } else {
        signcore::archive::build_archive(events.iter().map(Vec::as_slice), &origin, first, anchor, &[(&kid, &key)])
            .map_err(|e| anyhow::anyhow!("cannot build the archive: {e} ({})", e.code()))?
    };
    write_out(out, archive)?;
    eprintln!(
        "wrote {out}: {} events (chain index {first}..{}), origin {origin:?}, signed by {kid}",
        events.len(),
        first + events.len() as u64
    );
    Ok(Outcome::Done)
}

/// The events of a JSON array or NDJSON file, in memory (an archive is
/// written whole; `verify` is the streaming side).
fn read_events(path: &std::path::Path) -> Result<Vec<Vec<u8>>> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader = crate::input::maybe_gunzip(Box::new(file))?;
    let mut events = Vec::new();
    let mut splitter = crate::input::Splitter::new(reader);
    let (kind, _) = splitter.run(
        &mut |batch| {
            for i in 0..batch.len() {
                events.push(batch.event(i).to_vec());
            }
            Ok(())
        },
        &mut |kind, _| {
            if kind == crate::input::Kind::Archive {
                bail!("{} is already an archive (use archive cosign to add a signature)", path.display());
            }
            Ok(())
        },
    )?;
    let _ = kind;
    Ok(events)
}

fn write_out(out: &str, bytes: Vec<u8>) -> Result<()> {
    match out.strip_prefix("s3://") {
        Some(url) => crate::s3::put(url, bytes),
        None => crate::util::write_atomic(std::path::Path::new(out), &bytes, 0o644),
    }
}

fn cosign(file: &std::path::Path, keystore: Option<&std::path::Path>, key_id: Option<&str>) -> Result<Outcome> {
    let (kid, key) = crate::util::signing_key(keystore, key_id)?;
    let archive = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let signed = match signcore::archive::cosign(&archive, &kid, &key) {
        Ok(s) => s,
        Err(signcore::Error::SignatureInvalid) => bail!(
            "{}: manifest.digest does not match the archive's content; refusing to cosign (run signcore verify)",
            file.display()
        ),
        Err(e) => bail!("{}: not a signcore-archive/1 ({e})", file.display()),
    };
    crate::util::write_atomic(file, &signed, 0o644)?;
    eprintln!("cosigned {} with {kid}", file.display());
    Ok(Outcome::Done)
}
