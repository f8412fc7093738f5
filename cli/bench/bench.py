"""Driver of cli/bench/run.sh (see there)."""
import os, resource, shutil, signal, socket, subprocess, sys, tempfile, time

BIN, WORK = os.environ["BIN"], os.environ["WORK"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KS = os.path.join(ROOT, "core/examples/demo_keystore.json")
RUNS = int(os.environ.get("RUNS", "3"))
SETS = [("HMAC", "demo-hmac-1", int(os.environ.get("HMAC_EVENTS", "1000000"))),
        ("Ed25519", "demo-ed25519-1", int(os.environ.get("ED_EVENTS", "100000")))]


def sh(*args, **kw):
    return subprocess.run(args, check=True, **kw)


def timed(args, env=None):
    """Best wall time of RUNS runs and the peak RSS (KiB) of the process (GNU time %M)."""
    best, rss = float("inf"), 0
    for _ in range(RUNS):
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        best = min(best, time.perf_counter() - t)
        if p.returncode != 0:
            sys.exit(f"{args} exited {p.returncode}: {p.stderr}")
        rss = max(rss, int(p.stderr.strip().splitlines()[-1]))
    print(f"# {' '.join(args[:4])}: {best:.2f} s, {rss / 1024:.0f} MiB", file=sys.stderr, flush=True)
    return best, rss


def core(events, ring):
    out = subprocess.run([f"{BIN}/examples/bench_core", events, ring, str(RUNS)], check=True, capture_output=True, text=True).stdout
    fields = dict(kv.split("=") for kv in out.split())
    print(f"# core verify_chain_parallel {events}: {fields['seconds']} s", file=sys.stderr, flush=True)
    return float(fields["seconds"])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_start():
    bindir = sorted(d for d in os.listdir("/usr/lib/postgresql"))[-1]
    bindir = f"/usr/lib/postgresql/{bindir}/bin"
    tmp = tempfile.mkdtemp(prefix="signcore-bench-pg-")
    asuser = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres", "postgres")
    sh(*asuser, f"{bindir}/initdb", "-A", "trust", "-U", "postgres", "--no-sync", "-D", f"{tmp}/data", stdout=subprocess.DEVNULL)
    port = free_port()
    sh(*asuser, f"{bindir}/pg_ctl", "-w", "-D", f"{tmp}/data", "-l", f"{tmp}/log", "-o",
       f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=256MB", "start", stdout=subprocess.DEVNULL)
    stop = lambda: subprocess.run([*asuser, f"{bindir}/pg_ctl", "-m", "immediate", "-D", f"{tmp}/data", "stop"], stdout=subprocess.DEVNULL)
    return f"postgres://postgres@127.0.0.1:{port}/postgres", f"{bindir}/psql", stop


def on_term(*_):
    raise KeyboardInterrupt  # PostgreSQL is stopped in main's finally


def main():
    signal.signal(signal.SIGTERM, on_term)
    ring = f"{WORK}/ring.json"
    sh(f"{BIN}/signcore", "keys", "ring", "--keystore", KS, "--include-secrets", "--out", ring)
    rows = []
    url, psql, stop = pg_start()
    try:
        for name, kid, n in SETS:
            events = f"{WORK}/{name.lower()}-{n}.json"
            csv = f"{WORK}/{name.lower()}-{n}.csv"
            for path, fmt in [(events, "array"), (csv, "csv")]:
                if not os.path.exists(path):
                    sh(f"{BIN}/examples/gen_chain", KS, kid, str(n), path, fmt)
            size = os.path.getsize(events)
            c = core(events, ring)
            t, rss = timed([f"{BIN}/signcore", "verify", events, "--ring", ring, "--json"])
            rows.append((f"{name}, {n:,} events, file ({size / 2**20:.0f} MiB JSON array)", n / t, rss, n / c, t / c))
            table = f"bench_{name.lower()}"
            sh(psql, url, "-q", "-c", f"CREATE TABLE {table} (id bigint PRIMARY KEY, payload jsonb, hash text, prev_hash text, kid text, alg text, signature text)")
            sh(psql, url, "-q", "-c", f"\\copy {table} FROM '{csv}' CSV")
            t, rss = timed([f"{BIN}/signcore", "verify", "--database-url", url, "--table", table, "--ring", ring, "--json"])
            rows.append((f"{name}, {n:,} rows, PostgreSQL (jsonb, cursor)", n / t, rss, n / c, t / c))
    finally:
        stop()
    print("| input | signcore verify events/s | peak RSS | core verify_chain_parallel events/s | time ratio (tool / core) |")
    print("|---|---:|---:|---:|---:|")
    for label, eps, rss, ceps, ratio in rows:
        print(f"| {label} | {eps:,.0f} | {rss / 1024:.0f} MiB | {ceps:,.0f} | {ratio:.2f} |")


main()
