//! `signcore evidence export|verify`: evidence packages (DESIGN.md §13)
//! with the seed's fallback chain: keystore → `UTLD_PACKAGE_SIG_KEY`
//! (warning) → unsigned (warning).

use std::path::{Path, PathBuf};

use anyhow::Context;
use signcore::host::evidence::VerifyOptions;
use signcore::host::{EvidenceBuilder, Unsigned, read_package, verify_package, verify_package_dir};
use signcore::policy::{ProcessEnv, Var};

use super::Outcome;

/// Subcommands of `signcore evidence`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Package every file of DIR (paths, sizes, SHA-256) and sign it with the
    /// keystore key (RITMA_KEY_ID), else UTLD_PACKAGE_SIG_KEY, else unsigned.
    Export {
        /// The directory to package.
        dir: PathBuf,
        /// The package file to write (atomically), outside DIR.
        #[arg(long, value_name = "PKG")]
        out: PathBuf,
        /// Key id in the keystore (default RITMA_KEY_ID).
        #[arg(long, value_name = "ID")]
        key_id: Option<String>,
        /// The keystore file (default RITMA_KEYSTORE_PATH, ./node_keystore.json).
        #[arg(long, value_name = "F")]
        keystore: Option<PathBuf>,
        /// Metadata entries NAME=VALUE.
        #[arg(long, value_name = "NAME=VALUE")]
        meta: Vec<String>,
        /// Fail (exit 2) instead of exporting an unsigned package.
        #[arg(long)]
        require_signature: bool,
    },
    /// Verify a package's signature and, with --dir, every file's size and
    /// SHA-256 with no file missing or extra.
    Verify {
        /// The package file.
        package: PathBuf,
        /// The directory the package describes.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Trusted key ring.
        #[arg(long, value_name = "F", conflicts_with = "keystore")]
        ring: Option<PathBuf>,
        /// A keystore used as the ring (default RITMA_KEYSTORE_PATH, ./node_keystore.json).
        #[arg(long, env = "RITMA_KEYSTORE_PATH", value_name = "F")]
        keystore: Option<PathBuf>,
        /// Accept an unsigned package.
        #[arg(long)]
        allow_unsigned: bool,
        /// Machine-readable report on stdout.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `signcore evidence ...`.
pub fn run(cmd: Command) -> anyhow::Result<Outcome> {
    match cmd {
        Command::Export { dir, out, key_id, keystore, meta, require_signature } => {
            export(&dir, &out, key_id, keystore, &meta, require_signature)
        }
        Command::Verify { package, dir, ring, keystore, allow_unsigned, json } => {
            let ring = super::sign::read_ring(ring.as_ref(), keystore.as_ref())?;
            let bytes = read_package(&package)?;
            let options = VerifyOptions { allow_unsigned };
            let report = match &dir {
                Some(dir) => verify_package_dir(&bytes, &ring, options, dir)?,
                None => verify_package(&bytes, &ring, options).with_context(|| format!("{}", package.display()))?,
            };
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                for finding in &report.findings {
                    println!("{}: {}", finding.code, finding.message);
                }
                let files = if report.files_checked { "files checked" } else { "files not checked (no --dir)" };
                let verdict = if report.ok { "verified" } else { "NOT verified" };
                println!(
                    "{verdict}: signature {}{}, {} files, {files}",
                    report.signature.as_str(),
                    report.kid.as_deref().map(|k| format!(" ({k})")).unwrap_or_default(),
                    report.files
                );
            }
            Ok(if report.ok { Outcome::Done } else { Outcome::Findings })
        }
    }
}

fn export(
    dir: &Path,
    out: &Path,
    key_id: Option<String>,
    keystore: Option<PathBuf>,
    meta: &[String],
    require_signature: bool,
) -> anyhow::Result<Outcome> {
    let dir_abs = dir.canonicalize().with_context(|| format!("cannot read {}", dir.display()))?;
    let out_parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let out_abs = out_parent.canonicalize().with_context(|| format!("cannot write {}", out.display()))?;
    if out_abs.starts_with(&dir_abs) {
        anyhow::bail!("--out {} must be outside {}: the package would list itself", out.display(), dir.display());
    }
    let mut builder = EvidenceBuilder::new();
    builder.add_dir(dir)?;
    for entry in meta {
        let (name, value) = entry.split_once('=').with_context(|| format!("--meta {entry:?} is not NAME=VALUE"))?;
        builder.meta(name, value);
    }
    let env = ProcessEnv::capture();
    let keystore = keystore.map(|p| p.to_string_lossy().into_owned());
    let mut snapshot = env.snapshot();
    if let Some(id) = key_id.as_deref() {
        snapshot = snapshot.with(Var::RitmaKeyId, id);
    }
    if let Some(path) = keystore.as_deref() {
        snapshot = snapshot.with(Var::RitmaKeystorePath, path);
    }
    let unsigned = if require_signature { Unsigned::Refuse } else { Unsigned::Allow };
    let outcome = builder.export_with_env(&snapshot, unsigned)?;
    for warning in outcome.warnings() {
        eprintln!("signcore: warning: {warning}");
    }
    write_atomic(out, outcome.package.to_json().as_bytes())?;
    match &outcome.signed_by {
        Some(by) => eprintln!(
            "signcore: wrote {} ({} files, signed by {} {})",
            out.display(),
            outcome.package.files.len(),
            by.kid,
            by.alg
        ),
        None => eprintln!("signcore: wrote {} ({} files, UNSIGNED)", out.display(), outcome.package.files.len()),
    }
    Ok(Outcome::Done)
}

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename, so readers never see a partial package.
fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp =
        tempfile::NamedTempFile::new_in(parent).with_context(|| format!("cannot write {}", path.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path).map_err(|e| e.error).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
