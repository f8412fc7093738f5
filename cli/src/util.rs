//! Small helpers shared by the command modules.

/// An error and its causes on one line: `outer: cause: root cause`.
pub fn one_line(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for (i, cause) in e.chain().enumerate() {
        let text = cause.to_string();
        if i > 0 {
            if out.contains(&text) {
                continue;
            }
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out.replace('\n', " ")
}

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, flushed to disk, then renamed over `path`. `mode` sets the
/// permissions (e.g. `0o600` for keystores).
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".signcore-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    tmp.write_all(bytes).with_context(|| format!("cannot write {}", path.display()))?;
    tmp.as_file().sync_all().with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path).map_err(|e| anyhow::anyhow!("cannot write {}: {}", path.display(), e.error))?;
    Ok(())
}

/// Reads a keystore file (secret material: the buffer is wiped on drop).
pub fn read_secret_file(path: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read the keystore {}", path.display()))?;
    Ok(zeroize::Zeroizing::new(bytes))
}

/// The signing key `key_id` from the keystore at `path` (§6 rule 3).
pub fn signing_key(path: Option<&Path>, key_id: Option<&str>) -> Result<(String, signcore::key::SigningKey)> {
    let path = path.unwrap_or(Path::new("./node_keystore.json"));
    let key_id = key_id.context("no signing key: give --key-id ID (or set RITMA_KEY_ID)")?;
    let json = read_secret_file(path)?;
    let record = signcore::keystore::load_key(&json, key_id)
        .map_err(|e| anyhow::anyhow!("{}: key {key_id:?}: {e} ({})", path.display(), e.code()))?;
    Ok((key_id.to_string(), record.into_key()))
}
