//! `signcore verify`: archives, JSON arrays, NDJSON (gzip too), S3, PostgreSQL.

use std::path::PathBuf;

use super::Outcome;

/// Arguments of `signcore verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Archive, JSON array or NDJSON file (`.gz` too), `s3://bucket/key`, or `-` for stdin.
    pub input: Option<String>,
    /// Trusted key ring (JSON array of {kid, alg, public_key | secret_hex}).
    #[arg(long, value_name = "F", conflicts_with = "keystore")]
    pub ring: Option<PathBuf>,
    /// A keystore file used as the key ring.
    #[arg(long, value_name = "F")]
    pub keystore: Option<PathBuf>,
    /// Distinct trusted keys that must have signed an archive.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub threshold: usize,
    /// Expected prev_hash of the first event (hex), for a slice of a longer chain.
    #[arg(long, value_name = "HEX")]
    pub anchor: Option<String>,
    /// Machine-readable report on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs `signcore verify`.
pub fn run(_args: Args) -> anyhow::Result<Outcome> {
    anyhow::bail!("verify: not implemented yet")
}
