//! `signcore archive`: signed §8 archives from PostgreSQL rows (to a file or
//! S3), and `archive cosign` to add a signature block.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use signcore::archive::{ArchiveWriter, EventsRoot, Range};

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
///
/// Memory stays flat in the number of events: the range (first, size,
/// anchor, head) is worked out before the first event is written (a count
/// and the newest row in the database snapshot, or a first pass over the
/// file), then each event goes from the cursor (or the file) through the
/// core's `ArchiveWriter`, which canonicalizes it and feeds the manifest
/// digest, into a temporary file; that file is renamed over `--out` or
/// uploaded to S3 in parts.
pub fn run(args: Args) -> Result<Outcome> {
    if let Some(Sub::Cosign { file, keystore, key_id }) = args.command {
        return cosign(&file, keystore.as_deref(), key_id.as_deref());
    }
    let out = args.out.as_deref().context("give --out FILE or --out s3://bucket/key")?;
    if args.from.is_none() && args.database_url.is_none() {
        bail!("give --database-url URL (or set DATABASE_URL), or --from FILE");
    }
    let (kid, key) = crate::util::signing_key(args.keystore.as_deref(), args.key_id.as_deref())?;
    let spool = Spool::new(out)?;
    if args.checkpoint {
        return archive_with_checkpoint(&args, spool, out, &kid, &key);
    }
    let signers = [(kid.as_str(), &key)];
    let (spool, range, origin) = match &args.from {
        Some(path) => {
            let anchor = match &args.anchor {
                Some(a) => Some(signcore::digest::parse_hash(a.trim()).map_err(|e| anyhow::anyhow!("--anchor: {e}"))?),
                None => None,
            };
            let origin = args.origin.clone().unwrap_or_else(|| format!("file/{}", path.display()));
            // First pass: the number of events and the last one's hash.
            let mut range = Range { first: args.first, size: 0, anchor, head: None };
            read_events(path, |event| {
                range.size += 1;
                range.head = signcore::archive::stored_hash(event);
                Ok(())
            })?;
            // Second pass: the archive.
            let mut writer = spool.start(&origin, range);
            read_events(path, |event| writer.event(event))?;
            (writer.finish(&signers)?, range, origin)
        }
        None => {
            let url = args
                .database_url
                .as_deref()
                .context("give --database-url URL (or set DATABASE_URL), or --from FILE")?;
            let origin = args.origin.clone().unwrap_or_else(|| format!("postgres/{}", args.table));
            let mut spool = Some(spool);
            let mut writer = None;
            crate::db::archive_rows(url, &args.table, &args.order_by, args.limit, |item| match item {
                crate::db::ArchiveItem::Range(range) => {
                    writer = spool.take().map(|s| s.start(&origin, range));
                    Ok(())
                }
                crate::db::ArchiveItem::Event(event) => writer.as_mut().context("no archive range yet")?.event(event),
            })
            .context("reading the rows to archive")?;
            let writer = writer.context("no archive range was read")?;
            let range = writer.range;
            (writer.finish(&signers)?, range, origin)
        }
    };
    spool.commit()?;
    eprintln!(
        "wrote {out}: {} events (chain index {}..{}), origin {origin:?}, signed by {kid}",
        range.size,
        range.first,
        range.first + range.size
    );
    Ok(Outcome::Done)
}

/// `signcore archive --checkpoint`, streamed in two passes so that memory
/// stays flat in the number of events. The `checkpoint` member comes first
/// in the canonical text the manifest digest covers, so the checkpoint must
/// be signed before the first event is digested:
/// - pass 1 reads the events (the file, or the database cursor in its one
///   snapshot) for the range and the streamed Merkle root
///   ([`EventsRoot`], O(log n)); database rows also go into a local
///   temporary file ([`EventSpool`]), so pass 2 reads the same snapshot
///   without a second query;
/// - the checkpoint note is signed;
/// - pass 2 reads the events again (the file, or the temporary file) into
///   the core's `ArchiveWriter::with_checkpoint` and the output spool, as
///   the plain path does; a file whose events changed between the passes
///   (count, head or root) is refused.
///
/// The output is byte for byte the core's `build_archive_with_checkpoint`
/// of the same events (Ed25519 signatures are deterministic).
fn archive_with_checkpoint(
    args: &Args,
    spool: Spool,
    out: &str,
    kid: &str,
    key: &signcore::key::SigningKey,
) -> Result<Outcome> {
    let signers = [(kid, key)];
    let mut pass1 = Pass1::default();
    let (origin, spool, range) = match &args.from {
        Some(path) => {
            if args.anchor.is_some() {
                bail!("--checkpoint: a checkpoint covers a chain from its first event (no --anchor)");
            }
            let origin = args.origin.clone().unwrap_or_else(|| format!("file/{}", path.display()));
            let signer = super::checkpoint::archive_note_signer(&origin, args.first, kid, key)?;
            read_events(path, |event| pass1.event(event))?;
            let range = Range { first: 0, size: pass1.root.size(), anchor: None, head: pass1.head };
            let note = pass1.sign(&origin, &signer)?;
            let mut writer = spool.start_with_checkpoint(&origin, range, &note);
            let mut again = EventsRoot::new();
            read_events(path, |event| {
                again.event(event);
                writer.event(event)
            })?;
            if again.root() != pass1.root.root() {
                bail!("the input changed while it was archived (another Merkle root); nothing was written");
            }
            (origin, writer.finish(&signers)?, range)
        }
        None => {
            let url = args
                .database_url
                .as_deref()
                .context("give --database-url URL (or set DATABASE_URL), or --from FILE")?;
            let origin = args.origin.clone().unwrap_or_else(|| format!("postgres/{}", args.table));
            let signer = super::checkpoint::archive_note_signer(&origin, 0, kid, key)?;
            let mut rows = EventSpool::new()?;
            let mut range = None;
            crate::db::archive_rows(url, &args.table, &args.order_by, args.limit, |item| match item {
                crate::db::ArchiveItem::Range(r) => {
                    super::checkpoint::check_archive_first(r.first)?;
                    range = Some(r);
                    Ok(())
                }
                crate::db::ArchiveItem::Event(event) => {
                    pass1.event(event)?;
                    rows.push(event)
                }
            })
            .context("reading the rows to archive")?;
            let range = range.context("no archive range was read")?;
            let note = pass1.sign(&origin, &signer)?;
            let mut writer = spool.start_with_checkpoint(&origin, range, &note);
            rows.replay(|event| writer.event(event))?;
            (origin, writer.finish(&signers)?, range)
        }
    };
    spool.commit()?;
    eprintln!(
        "wrote {out}: {} events (chain index 0..{}), origin {origin:?}, signed by {kid}, with its checkpoint",
        range.size, range.size
    );
    Ok(Outcome::Done)
}

/// What the first pass of `archive --checkpoint` learns: the streamed
/// Merkle root and the last event's hash.
#[derive(Default)]
struct Pass1 {
    root: EventsRoot,
    head: Option<signcore::digest::Hash>,
}

impl Pass1 {
    fn event(&mut self, event: &[u8]) -> Result<()> {
        let n = self.root.size();
        self.head = Some(
            signcore::archive::stored_hash(event)
                .with_context(|| format!("--checkpoint: event {n} has no readable hash"))?,
        );
        self.root.event(event);
        if self.root.root().is_none() {
            bail!("--checkpoint: event {n} cannot go into the Merkle tree");
        }
        Ok(())
    }

    fn sign(&self, origin: &str, signer: &signcore::note::NoteSigner) -> Result<String> {
        let root = self.root.root().context("--checkpoint: an event has no readable hash")?;
        super::checkpoint::sign_archive_checkpoint(origin, self.root.size(), &root, signer)
    }
}

/// Database rows kept for the second pass of `archive --checkpoint`: a
/// temporary file (removed when dropped) of records `u64 LE length ‖ event
/// JSON`. Hand-written: a length prefix is all it takes, and the events are
/// read back by the same process.
struct EventSpool {
    file: std::io::BufWriter<tempfile::NamedTempFile>,
}

impl EventSpool {
    fn new() -> Result<Self> {
        let dir = std::env::temp_dir();
        let tmp = tempfile::Builder::new()
            .prefix(".signcore-rows-")
            .tempfile_in(&dir)
            .with_context(|| format!("cannot create a file in {}", dir.display()))?;
        Ok(EventSpool { file: std::io::BufWriter::with_capacity(FLUSH_AT, tmp) })
    }

    fn push(&mut self, event: &[u8]) -> Result<()> {
        let len = (event.len() as u64).to_le_bytes();
        self.file
            .write_all(&len)
            .and_then(|()| self.file.write_all(event))
            .context("cannot write the rows' temporary file")
    }

    /// Reads the events back in order.
    fn replay(self, mut f: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        use std::io::{Read, Seek};
        let what = "cannot read the rows' temporary file back";
        let mut tmp = self.file.into_inner().map_err(|e| anyhow::anyhow!("{what}: {}", e.error()))?;
        tmp.as_file_mut().seek(std::io::SeekFrom::Start(0)).context(what)?;
        let mut reader = std::io::BufReader::with_capacity(FLUSH_AT, tmp.as_file());
        let mut event = Vec::new();
        loop {
            let mut len = [0u8; 8];
            match reader.read_exact(&mut len) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(e) => return Err(anyhow::Error::new(e).context(what)),
            }
            let len = usize::try_from(u64::from_le_bytes(len)).context(what)?;
            event.clear();
            event.resize(len, 0);
            reader.read_exact(&mut event).context(what)?;
            f(&event)?;
        }
    }
}

/// Buffered archive text is written out in blocks of about this size.
const FLUSH_AT: usize = 1 << 20;

/// The archive's text on its way to `--out`: a temporary file (beside the
/// destination file, so the final rename is atomic; in the temp directory
/// for S3), renamed or uploaded by [`Spool::commit`]. Dropped without a
/// commit (an error), the temporary file is removed.
struct Spool {
    dest: String,
    file: std::io::BufWriter<tempfile::NamedTempFile>,
}

impl Spool {
    fn new(dest: &str) -> Result<Self> {
        let dir = if dest.starts_with("s3://") {
            std::env::temp_dir()
        } else {
            match Path::new(dest).parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            }
        };
        let tmp = tempfile::Builder::new()
            .prefix(".signcore-archive-")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .tempfile_in(&dir)
            .with_context(|| format!("cannot create a file in {}", dir.display()))?;
        Ok(Spool { dest: dest.to_string(), file: std::io::BufWriter::with_capacity(FLUSH_AT, tmp) })
    }

    fn start(self, origin: &str, range: Range) -> Writer {
        Writer { inner: ArchiveWriter::new(origin, range), range, events: 0, head: None, spool: self }
    }

    fn start_with_checkpoint(self, origin: &str, range: Range, note: &str) -> Writer {
        let inner = ArchiveWriter::with_checkpoint(origin, range, note);
        Writer { inner, range, events: 0, head: None, spool: self }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.file.write_all(bytes).with_context(|| format!("cannot write the archive for {}", self.dest))
    }

    /// Flushes the file to disk, then renames it over the destination or uploads it.
    fn commit(self) -> Result<()> {
        let dest = self.dest;
        let tmp = self
            .file
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot write the archive for {dest}: {}", e.error()))?;
        tmp.as_file().sync_all().with_context(|| format!("cannot write the archive for {dest}"))?;
        match dest.strip_prefix("s3://") {
            Some(url) => crate::s3::put_file(url, tmp.path()),
            None => {
                tmp.persist(&dest).map_err(|e| anyhow::anyhow!("cannot write {dest}: {}", e.error))?;
                Ok(())
            }
        }
    }
}

/// The core's `ArchiveWriter`, flushed into the spool every [`FLUSH_AT`]
/// bytes; checks that the events agree with the range stated up front.
struct Writer {
    inner: ArchiveWriter,
    range: Range,
    events: u64,
    head: Option<signcore::digest::Hash>,
    spool: Spool,
}

impl Writer {
    fn event(&mut self, event: &[u8]) -> Result<()> {
        self.inner.event(event).map_err(|e| {
            anyhow::anyhow!("event {} cannot go into an archive: {e} ({})", self.range.first + self.events, e.code())
        })?;
        self.events += 1;
        self.head = signcore::archive::stored_hash(event);
        if self.inner.buffered() >= FLUSH_AT {
            let spool = &mut self.spool;
            self.inner.flush_to(|bytes| spool.write(bytes))?;
        }
        Ok(())
    }

    fn finish(self, signers: &[(&str, &signcore::key::SigningKey)]) -> Result<Spool> {
        if self.events != self.range.size || self.head != self.range.head {
            bail!(
                "the input changed while it was archived ({} events, expected {}); nothing was written",
                self.events,
                self.range.size
            );
        }
        let Writer { inner, mut spool, .. } = self;
        let tail =
            inner.finish(signers).map_err(|e| anyhow::anyhow!("cannot build the archive: {e} ({})", e.code()))?;
        spool.write(&tail)?;
        Ok(spool)
    }
}

/// Streams the events of a JSON array or NDJSON file (gzip too) to `f`.
fn read_events(path: &Path, mut f: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader = crate::input::maybe_gunzip(Box::new(file))?;
    let mut splitter = crate::input::Splitter::new(reader);
    splitter.run(
        &mut |batch| {
            for i in 0..batch.len() {
                f(batch.event(i))?;
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
    Ok(())
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
