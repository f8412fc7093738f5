//! Stand-in when built without the `postgres` feature.

use anyhow::{Result, bail};
use signcore::digest::Hash;
use signcore::keystore::KeyRing;

use crate::cmd::verify::Verdict;

const OFF: &str = "this signcore was built without PostgreSQL support (cargo feature `postgres`)";

#[allow(clippy::too_many_arguments)]
pub fn verify(
    _: &str,
    _: &str,
    _: &str,
    _: Option<u64>,
    _: &KeyRing,
    _: Option<Hash>,
    _: usize,
    _: Option<indicatif::ProgressBar>,
) -> Result<Verdict> {
    bail!(OFF)
}

/// The items `cmd::archive` matches on; the stand-in [`archive_rows`] never
/// yields one (it fails first), so without PostgreSQL nothing constructs them.
#[expect(dead_code, reason = "matched by cmd::archive, never constructed without PostgreSQL")]
pub enum ArchiveItem<'a> {
    Range(signcore::archive::Range),
    Event(&'a [u8]),
}

pub fn archive_rows(
    _: &str,
    _: &str,
    _: &str,
    _: Option<u64>,
    _: impl FnMut(ArchiveItem<'_>) -> Result<()>,
) -> Result<()> {
    bail!(OFF)
}
