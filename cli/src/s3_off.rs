//! Stand-in when built without the `s3` feature.

use anyhow::{Result, bail};

const OFF: &str = "this signcore was built without S3 support (cargo feature `s3`)";

pub fn get(_: &str) -> Result<Vec<u8>> {
    bail!(OFF)
}

pub fn put(_: &str, _: Vec<u8>) -> Result<()> {
    bail!(OFF)
}
