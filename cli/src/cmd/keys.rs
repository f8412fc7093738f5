//! `signcore keys`: keystore metadata, the public ring, key generation.

use std::path::PathBuf;

use super::Outcome;

/// Subcommands of `signcore keys`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Key metadata {key_id, alg, key_hash, label}; never secrets.
    List {
        /// The keystore file.
        #[arg(long, env = "RITMA_KEYSTORE_PATH", default_value = "./node_keystore.json", value_name = "F")]
        keystore: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Export the public key ring (HMAC secrets only with --include-secrets).
    Ring {
        /// The keystore file.
        #[arg(long, env = "RITMA_KEYSTORE_PATH", default_value = "./node_keystore.json", value_name = "F")]
        keystore: PathBuf,
        /// Include HMAC secrets (the ring is then secret too).
        #[arg(long)]
        include_secrets: bool,
        /// Write the ring to this file (atomically) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Generate a key from the OS RNG into a keystore (created with mode 0600).
    Generate {
        /// The keystore file.
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

/// Runs `signcore keys ...`.
pub fn run(cmd: Command) -> anyhow::Result<Outcome> {
    let _cmd = match cmd {
        Command::Summary(args) => return super::keys_cloud::run_summary(args),
        Command::Publish(args) => return super::keys_cloud::run_publish(args),
        other => other,
    };
    anyhow::bail!("keys: not implemented yet")
}
