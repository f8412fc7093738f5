//! S3 objects (`s3://bucket/key`) through `object_store`'s AWS backend.
//! Credentials and region come from the usual AWS environment variables;
//! the endpoint from `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL` (plain
//! `http://` endpoints are allowed, for local emulators).

use std::io::Read;

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload, WriteMultipart};

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

/// The body of `s3://bucket/key` as a reader, streamed (at most one
/// response chunk held at a time), and the object's size.
pub fn get_reader(url: &str) -> Result<(Box<dyn Read + Send>, u64)> {
    let (bucket, key) = split(url)?;
    let store = store(bucket)?;
    let rt = runtime()?;
    let object =
        rt.block_on(async { store.get(&Path::from(key)).await }).with_context(|| format!("cannot read s3://{url}"))?;
    let size = object.meta.size;
    Ok((Box::new(Body { rt, stream: object.into_stream(), chunk: Bytes::new(), url: url.to_string() }), size))
}

/// A streamed S3 response body as `Read` (the runtime is driven from `read`).
struct Body {
    rt: tokio::runtime::Runtime,
    stream: BoxStream<'static, object_store::Result<Bytes>>,
    chunk: Bytes,
    url: String,
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.chunk.is_empty() {
            match self.rt.block_on(self.stream.next()) {
                Some(Ok(chunk)) => self.chunk = chunk,
                Some(Err(e)) => return Err(std::io::Error::other(format!("reading s3://{}: {e}", self.url))),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        self.chunk = self.chunk.slice(n..);
        Ok(n)
    }
}

/// Objects up to this size go up in one PUT; larger ones in parts of this size.
const PART: usize = 8 << 20;
/// Parts in flight at most.
const PARTS_IN_FLIGHT: usize = 2;

/// Uploads the file at `path` to `s3://bucket/key`: one PUT when small, else
/// a multipart upload read from the file part by part (the object appears
/// whole when the upload completes, or not at all; a failed upload is aborted).
pub fn put_file(url: &str, path: &std::path::Path) -> Result<()> {
    let (bucket, key) = split(url)?;
    let store = store(bucket)?;
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let rt = runtime()?;
    if len <= PART as u64 {
        let mut bytes = Vec::with_capacity(len as usize);
        file.read_to_end(&mut bytes).with_context(|| format!("cannot read {}", path.display()))?;
        return put_with(&rt, &store, url, key, bytes);
    }
    rt.block_on(async {
        let upload = store.put_multipart(&Path::from(key)).await.with_context(|| format!("cannot write s3://{url}"))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut buf = vec![0u8; PART];
        let result: Result<()> = async {
            loop {
                let n = file.read(&mut buf).with_context(|| format!("cannot read {}", path.display()))?;
                if n == 0 {
                    return Ok(());
                }
                writer.wait_for_capacity(PARTS_IN_FLIGHT).await.with_context(|| format!("cannot write s3://{url}"))?;
                writer.write(&buf[..n]);
            }
        }
        .await;
        match result {
            Ok(()) => {
                writer.finish().await.with_context(|| format!("cannot write s3://{url}"))?;
                Ok(())
            }
            Err(e) => {
                let _ = writer.abort().await;
                Err(e)
            }
        }
    })
}

/// One PUT: the object appears whole or not at all.
fn put_with(rt: &tokio::runtime::Runtime, store: &AmazonS3, url: &str, key: &str, bytes: Vec<u8>) -> Result<()> {
    rt.block_on(async {
        store
            .put(&Path::from(key), PutPayload::from(bytes))
            .await
            .with_context(|| format!("cannot write s3://{url}"))?;
        Ok(())
    })
}
