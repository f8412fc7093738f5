//! Stand-in when built without the `s3` feature.

use anyhow::{Result, bail};

const OFF: &str = "this signcore was built without S3 support (cargo feature `s3`)";

pub fn get_reader(_: &str) -> Result<(Box<dyn std::io::Read + Send>, u64)> {
    bail!(OFF)
}

pub fn put_file(_: &str, _: &std::path::Path) -> Result<()> {
    bail!(OFF)
}
