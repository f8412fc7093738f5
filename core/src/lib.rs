#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc = include_str!("../README.md")]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod archive;
#[cfg(feature = "alloc")]
pub mod archive_block;
pub mod canonical;
pub mod chain;
pub mod checkpoint;
pub mod digest;
mod error;
pub mod hex;
pub mod host;
mod json;
pub mod key;
pub mod keystore;
pub mod manifest;
pub mod merkle;
pub mod note;
pub mod policy;
#[cfg(feature = "rsa")]
pub mod rsa;
pub mod secret;
#[cfg(feature = "serde")]
mod serde_impls;
#[cfg(feature = "signature")]
pub mod signature_impls;
#[cfg(feature = "alloc")]
pub mod stringified;

pub use error::{
    EnvError, EnvProblem, Error, JsonError, JsonErrorKind, KeystoreUnreadable, PolicyError, RecordContext, RecordError,
    RecordProblem,
};
