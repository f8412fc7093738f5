//! `signcore-proxy`: the signing service of DESIGN.md §10 (see README.md).
//!
//! The core does every cryptographic and canonical-JSON operation; this
//! binary parses flags, reads key files, and transports requests and answers.

#![forbid(unsafe_code)]

mod auth;
mod config;
mod routes;
mod server;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = config::Args::parse();
    let config = match config::Config::load(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("signcore-proxy: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("signcore-proxy: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let listen = config.listen;
    match runtime.block_on(server::run(config)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("signcore-proxy: cannot serve on {listen}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
