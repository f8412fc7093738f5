//! The command groups of DESIGN.md §9, one module each.
//!
//! To add a command group: a module here with an `Args` struct (clap derive)
//! and `pub fn run(args) -> anyhow::Result<Outcome>`, plus one variant in
//! [`Command`] and one arm in [`run`].

use clap::{Parser, Subcommand};

pub mod archive;
pub mod checkpoint;
pub mod evidence;
pub mod keys;
pub mod keys_cloud;
pub mod prove;
pub mod sign;
pub mod verify;

/// How a command ended (errors are the third way: exit code 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Verified or done: exit code 0.
    Done,
    /// Something does not verify: exit code 1.
    Findings,
}

/// Verify audit chains and signed archives, write signed archives, manage keys.
///
/// Exit codes: 0 verified / done, 1 findings (something does not verify),
/// 2 usage or input error (one line on stderr).
#[derive(Debug, Parser)]
#[command(name = "signcore", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Every subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify a chain or a signed archive (file, stdin, S3 or PostgreSQL).
    Verify(verify::Args),
    /// Write a signed archive from PostgreSQL rows, or cosign one.
    Archive(archive::Args),
    /// Keystore keys: list metadata, export the public ring, generate a key.
    #[command(subcommand)]
    Keys(keys::Command),
    /// Sign a compliance burn hash (or a file's bytes) with a keystore key: prints sig_<hex>.
    Sign(sign::SignArgs),
    /// Verify a sig_<hex> burn signature: exit 0 valid, 1 invalid.
    VerifySignature(sign::VerifyArgs),
    /// Evidence packages: export a directory (signed with the fallback chain), verify one.
    #[command(subcommand)]
    Evidence(evidence::Command),
    /// Print the signed C2SP checkpoint (size, Merkle root) of a chain (Ed25519 key).
    Checkpoint(checkpoint::CheckpointArgs),
    /// Merkle proofs (RFC 9162) of a chain: one event's inclusion, or two sizes' consistency.
    #[command(subcommand)]
    Prove(prove::Prove),
    /// Verify a proof from `signcore prove` against a signed checkpoint: exit 0 valid, 1 invalid.
    VerifyProof(prove::VerifyProofArgs),
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Verify(args) => verify::run(args),
        Command::Archive(args) => archive::run(args),
        Command::Keys(cmd) => keys::run(cmd),
        Command::Sign(args) => sign::run_sign(args),
        Command::VerifySignature(args) => sign::run_verify(args),
        Command::Evidence(cmd) => evidence::run(cmd),
        Command::Checkpoint(args) => checkpoint::run(args),
        Command::Prove(cmd) => prove::run_prove(cmd),
        Command::VerifyProof(args) => prove::run_verify_proof(args),
    }
}
