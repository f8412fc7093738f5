//! `signcore keys summary|publish`: the cloud key summary of DESIGN.md §13,
//! printed or POSTed to `{RITMA_CLOUD_URL}/keys`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use signcore::host::{CloudKeySummary, SummaryReport};
use signcore::policy::{ProcessEnv, Var};

use super::Outcome;

/// Where the summary's values come from (flags override the environment).
#[derive(Debug, clap::Args)]
pub struct SummaryArgs {
    /// Key id (default RITMA_KEY_ID).
    #[arg(long, value_name = "ID")]
    pub key_id: Option<String>,
    /// The keystore file (default RITMA_KEYSTORE_PATH, ./node_keystore.json).
    #[arg(long, value_name = "F")]
    pub keystore: Option<PathBuf>,
    /// Print JSON (the body `keys publish` sends) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `signcore keys publish`.
#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    #[command(flatten)]
    pub summary: SummaryArgs,
    /// Base URL of ritma_cloud (default RITMA_CLOUD_URL); the summary goes to {URL}/keys.
    #[arg(long, env = "RITMA_CLOUD_URL", value_name = "URL")]
    pub url: String,
    /// Request timeout in seconds.
    #[arg(long, default_value_t = 10, value_name = "S")]
    pub timeout: u64,
}

fn summary(args: &SummaryArgs) -> anyhow::Result<SummaryReport> {
    let env = ProcessEnv::capture();
    let keystore = args.keystore.as_ref().map(|p| p.to_string_lossy().into_owned());
    let mut snapshot = env.snapshot();
    if let Some(id) = args.key_id.as_deref() {
        snapshot = snapshot.with(Var::RitmaKeyId, id);
    }
    if let Some(path) = keystore.as_deref() {
        snapshot = snapshot.with(Var::RitmaKeystorePath, path);
    }
    let report = CloudKeySummary::from_snapshot(&snapshot)?;
    for warning in report.warnings() {
        eprintln!("signcore: warning: {warning}");
    }
    Ok(report)
}

/// Runs `signcore keys summary`.
pub fn run_summary(args: SummaryArgs) -> anyhow::Result<Outcome> {
    let report = summary(&args)?;
    let s = &report.summary;
    if args.json {
        println!("{}", s.to_json());
    } else {
        let hash = s.key_hash.as_ref().map(|h| signcore::hex::HashHex::new(h).to_string());
        println!("org_id   {}", s.org_id.as_deref().unwrap_or("-"));
        println!("node_id  {}", s.node_id);
        println!("key_id   {}", s.key_id);
        println!("key_hash {}", hash.as_deref().unwrap_or("-"));
        println!("label    {}", s.label.as_deref().unwrap_or("-"));
    }
    Ok(Outcome::Done)
}

/// Runs `signcore keys publish`.
pub fn run_publish(args: PublishArgs) -> anyhow::Result<Outcome> {
    let report = summary(&args.summary)?;
    let body = report.summary.to_json();
    let url = format!("{}/keys", args.url.trim_end_matches('/'));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(args.timeout)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(&url)
        .header("content-type", "application/json")
        .send(body.as_bytes())
        .with_context(|| format!("POST {url}"))?;
    let status = response.status();
    if !status.is_success() {
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let text: String = text.chars().take(200).collect();
        anyhow::bail!("POST {url} answered {status}: {}", text.trim());
    }
    if args.summary.json {
        println!("{body}");
    } else {
        eprintln!(
            "signcore: published key {} of node {} to {url} ({status})",
            report.summary.key_id, report.summary.node_id
        );
    }
    Ok(Outcome::Done)
}
