//! `signcore archive`: signed §8 archives from PostgreSQL, and cosigning.

use std::path::PathBuf;

use super::Outcome;

/// Arguments of `signcore archive`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Sub>,
    /// PostgreSQL connection URL.
    #[arg(long, env = "DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// Archive the newest N rows only.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Name of the log, written into the archive.
    #[arg(long, value_name = "O")]
    pub origin: Option<String>,
    /// Output: a file path or s3://bucket/key.
    #[arg(long, value_name = "FILE|s3://bucket/key")]
    pub out: Option<String>,
    /// Keystore holding the signing key.
    #[arg(long, env = "RITMA_KEYSTORE_PATH", value_name = "F")]
    pub keystore: Option<PathBuf>,
    /// Key id of the signing key.
    #[arg(long, env = "RITMA_KEY_ID", value_name = "ID")]
    pub key_id: Option<String>,
}

/// Subcommands of `signcore archive`.
#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// Add a signature block to an existing archive.
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
pub fn run(_args: Args) -> anyhow::Result<Outcome> {
    anyhow::bail!("archive: not implemented yet")
}
