//! Benchmarks only: see `benches/c_abi.rs`.
