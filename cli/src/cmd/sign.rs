//! `signcore sign` and `signcore verify-signature`: the compliance burn
//! signature of DESIGN.md §13, `sig_<hex>` over the bytes of the burn-hash
//! text (or of a file / stdin, signed exactly as read).

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use signcore::host::NodeKeystore;
use signcore::host::burn::{parse_burn_signature, sign_burn, verify_burn};
use signcore::keystore::KeyRing;

use super::Outcome;

/// What is signed: `--burn HASH`, or the bytes of FILE or stdin (`-`).
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Message {
    /// The burn hash text (its bytes are signed, as compliance_index does).
    #[arg(long, value_name = "HASH")]
    pub burn: Option<String>,
    /// A file whose bytes are signed, or `-` for stdin.
    #[arg(value_name = "FILE|-")]
    pub file: Option<String>,
}

impl Message {
    fn bytes(&self) -> anyhow::Result<Vec<u8>> {
        match (&self.burn, self.file.as_deref()) {
            (Some(hash), _) => Ok(hash.as_bytes().to_vec()),
            (None, Some("-")) => {
                let mut bytes = Vec::new();
                std::io::stdin().read_to_end(&mut bytes).context("cannot read stdin")?;
                Ok(bytes)
            }
            (None, Some(file)) => std::fs::read(file).with_context(|| format!("cannot read {file}")),
            (None, None) => anyhow::bail!("give --burn HASH, FILE or -"),
        }
    }
}

/// Arguments of `signcore sign`.
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// Key id in the keystore.
    #[arg(long, env = "RITMA_KEY_ID", value_name = "ID")]
    pub key_id: String,
    /// The node keystore file.
    #[arg(long, env = "RITMA_KEYSTORE_PATH", default_value = "./node_keystore.json", value_name = "F")]
    pub keystore: PathBuf,
    #[command(flatten)]
    pub message: Message,
    /// Print {kid, alg, signature} as JSON instead of the bare signature.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `signcore verify-signature`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The signature, `sig_<hex>`.
    #[arg(long, value_name = "SIG")]
    pub signature: String,
    /// Key id of the signer.
    #[arg(long, env = "RITMA_KEY_ID", value_name = "ID")]
    pub key_id: String,
    /// A key ring (public keys) with the signer's key.
    #[arg(long, value_name = "F", conflicts_with = "keystore")]
    pub ring: Option<PathBuf>,
    /// A keystore used as the ring (default RITMA_KEYSTORE_PATH, ./node_keystore.json).
    #[arg(long, env = "RITMA_KEYSTORE_PATH", value_name = "F")]
    pub keystore: Option<PathBuf>,
    #[command(flatten)]
    pub message: Message,
    /// Machine-readable verdict on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs `signcore sign`.
pub fn run_sign(args: SignArgs) -> anyhow::Result<Outcome> {
    let bytes = args.message.bytes()?;
    let keystore = NodeKeystore::from_path(&args.keystore)?;
    let record = keystore.record(&args.key_id)?;
    let text = std::str::from_utf8(&bytes);
    let signature = match text {
        Ok(text) => sign_burn(record.key(), text).to_string(),
        Err(_) => format!("sig_{}", record.key().sign(&bytes).hex()),
    };
    if args.json {
        let out = serde_json::json!({ "kid": args.key_id, "alg": record.key().alg().as_str(), "signature": signature });
        println!("{out}");
    } else {
        println!("{signature}");
    }
    Ok(Outcome::Done)
}

/// Reads a ring file (ring JSON or a keystore).
pub fn read_ring(ring: Option<&PathBuf>, keystore: Option<&PathBuf>) -> anyhow::Result<KeyRing> {
    let default = PathBuf::from("./node_keystore.json");
    let path = ring.or(keystore).unwrap_or(&default);
    let bytes =
        zeroize::Zeroizing::new(std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?);
    KeyRing::from_json(&bytes).with_context(|| format!("key ring {}", path.display()))
}

/// Runs `signcore verify-signature`.
pub fn run_verify(args: VerifyArgs) -> anyhow::Result<Outcome> {
    let bytes = args.message.bytes()?;
    let mut scratch = [0u8; signcore::key::MAX_SIGNATURE_LEN];
    parse_burn_signature(&args.signature, &mut scratch)?;
    let ring = read_ring(args.ring.as_ref(), args.keystore.as_ref())?;
    let key = ring.get(&args.key_id).with_context(|| format!("the key ring has no key {:?}", args.key_id))?;
    // verify_burn signs text; the bytes of a file are the same bytes.
    let verdict = match std::str::from_utf8(&bytes) {
        Ok(text) => verify_burn(key, text, &args.signature),
        Err(_) => {
            let len = parse_burn_signature(&args.signature, &mut scratch)?;
            key.verify(&bytes, &scratch[..len])
        }
    };
    let valid = match verdict {
        Ok(()) => true,
        Err(signcore::Error::SignatureInvalid) => false,
        Err(e) => return Err(e.into()),
    };
    if args.json {
        println!("{}", serde_json::json!({ "valid": valid, "kid": args.key_id }));
    } else if valid {
        println!("signature valid (key {})", args.key_id);
    } else {
        println!("signature INVALID (key {})", args.key_id);
    }
    Ok(if valid { Outcome::Done } else { Outcome::Findings })
}
