//! S3 objects (`s3://bucket/key`) through `object_store`'s AWS backend.
//! Credentials and region come from the usual AWS environment variables;
//! the endpoint from `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL` (plain
//! `http://` endpoints are allowed, for local emulators).

use anyhow::{Context, Result, bail};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};

fn split(url: &str) -> Result<(&str, &str)> {
    match url.split_once('/') {
        Some((bucket, key)) if !bucket.is_empty() && !key.is_empty() => Ok((bucket, key)),
        _ => bail!("s3://{url}: expected s3://bucket/key"),
    }
}

fn store(bucket: &str) -> Result<AmazonS3> {
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
    let endpoint = std::env::var("AWS_ENDPOINT_URL_S3").or_else(|_| std::env::var("AWS_ENDPOINT_URL")).ok();
    if let Some(endpoint) = endpoint.filter(|e| !e.is_empty()) {
        builder = builder.with_allow_http(endpoint.starts_with("http://")).with_endpoint(endpoint);
    }
    if std::env::var("AWS_REGION").is_err() && std::env::var("AWS_DEFAULT_REGION").is_err() {
        builder = builder.with_region("us-east-1");
    }
    builder.build().context("S3 configuration")
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the I/O runtime")
}

/// Reads `s3://bucket/key` (given without the scheme) into memory.
pub fn get(url: &str) -> Result<Vec<u8>> {
    let (bucket, key) = split(url)?;
    let store = store(bucket)?;
    runtime()?.block_on(async {
        let object = store.get(&Path::from(key)).await.with_context(|| format!("cannot read s3://{url}"))?;
        let bytes = object.bytes().await.with_context(|| format!("cannot read s3://{url}"))?;
        Ok(bytes.to_vec())
    })
}

/// Writes `bytes` to `s3://bucket/key` (one PUT: the object appears whole or not at all).
pub fn put(url: &str, bytes: Vec<u8>) -> Result<()> {
    let (bucket, key) = split(url)?;
    let store = store(bucket)?;
    runtime()?.block_on(async {
        store
            .put(&Path::from(key), PutPayload::from(bytes))
            .await
            .with_context(|| format!("cannot write s3://{url}"))?;
        Ok(())
    })
}
