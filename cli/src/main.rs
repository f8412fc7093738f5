//! `signcore`: verify audit chains and signed archives, write archives, manage keys.
//!
//! One module per command group lives under `cmd/`; this file only parses the
//! command line and maps outcomes to exit codes (0 verified/done, 1 findings,
//! 2 usage or input error).

use std::process::ExitCode;

use clap::Parser;

mod cmd;
mod db;
mod engine;
mod input;
mod s3;
mod util;

use cmd::{Cli, Outcome};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help / --version print to stdout and exit 0; usage errors exit 2.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cmd::run(cli) {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(e) => {
            eprintln!("signcore: {}", util::one_line(&e));
            ExitCode::from(2)
        }
    }
}
