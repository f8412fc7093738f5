//! `signcore-proxy`: the signing service of DESIGN.md §10 (see README.md).
//!
//! The core does every cryptographic and canonical-JSON operation; this
//! binary parses flags, reads key files, and transports requests and answers.

#![forbid(unsafe_code)]

mod auth;
mod config;
mod routes;
mod server;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};

fn main() -> std::process::ExitCode {
    let matches = config::Args::command().get_matches();
    let mut args = config::Args::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if args.mock {
        // --mock with --keystore/--key-id on the command line is a contradiction;
        // RITMA_* values in the environment are simply not used.
        let given = |id| matches.value_source(id) == Some(ValueSource::CommandLine);
        if given("keystore") || given("key_id") {
            eprintln!("signcore-proxy: --mock cannot be combined with --keystore or --key-id");
            return std::process::ExitCode::from(2);
        }
        args.keystore = None;
        args.key_id = None;
    }
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
