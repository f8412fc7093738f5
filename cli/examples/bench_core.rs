//! The anchor of the CLI benchmark: the core's in-process
//! `verify_chain_parallel` over a JSON array already in memory.
//! `bench_core EVENTS.json RING.json [RUNS]` prints the best run's
//! events/s as `core_events_per_s=<n> seconds=<s>`.

use std::time::Instant;

use signcore::chain::verify_chain_parallel;
use signcore::keystore::KeyRing;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let events = std::fs::read(&args[1])?;
    let ring = KeyRing::from_json(&std::fs::read(&args[2])?)?;
    let runs: usize = args.get(3).map_or(Ok(3), |r| r.parse())?;
    let mut best = f64::MAX;
    let mut checked = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let summary = verify_chain_parallel(&events, &ring, None, 0, |_| {})?;
        best = best.min(start.elapsed().as_secs_f64());
        checked = summary.checked;
    }
    println!("core_events_per_s={:.0} seconds={best:.3} checked={checked}", checked as f64 / best);
    Ok(())
}
