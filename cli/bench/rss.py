"""Peak RSS of `signcore archive` (PostgreSQL -> file, PostgreSQL -> S3) and
`signcore verify s3://...` on a large table, for one or more builds of the
tool (a measurement, not a test).

    python3 cli/bench/rss.py EVENTS NAME=BIN [NAME=BIN ...]

Needs BIN's sibling examples/gen_chain (any build), Debian's PostgreSQL and
the moto server in build/venv-s3 (.ci/install-cli.sh). Starts both on
127.0.0.1 and stops them by PID / pg_ctl at the end, even on failure.
Prints a Markdown table: command, build, wall seconds, peak RSS (GNU time %M).
"""
import os, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KS = os.path.join(ROOT, "core/examples/demo_keystore.json")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sh(*args, **kw):
    return subprocess.run(args, check=True, **kw)


def pg_start(tmp):
    bindir = sorted(os.listdir("/usr/lib/postgresql"))[-1]
    bindir = f"/usr/lib/postgresql/{bindir}/bin"
    asuser = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data = f"{tmp}/pg"
    os.makedirs(data)
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres", "postgres")
        shutil.chown(data, "postgres", "postgres")
    sh(*asuser, f"{bindir}/initdb", "-A", "trust", "-U", "postgres", "--no-sync", "-D", data, stdout=subprocess.DEVNULL)
    port = free_port()
    sh(*asuser, f"{bindir}/pg_ctl", "-w", "-D", data, "-l", f"{tmp}/pg.log", "-o",
       f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off", "start", stdout=subprocess.DEVNULL)
    stop = lambda: subprocess.run([*asuser, f"{bindir}/pg_ctl", "-m", "immediate", "-D", data, "stop"], stdout=subprocess.DEVNULL)
    return f"postgres://postgres@127.0.0.1:{port}/postgres", f"{bindir}/psql", stop


def moto_start():
    port = free_port()
    child = subprocess.Popen([os.path.join(ROOT, "build/venv-s3/bin/moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            break
        except Exception:
            time.sleep(0.2)
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/bench", method="PUT"))
    return endpoint, child


def on_term(*_):
    raise KeyboardInterrupt  # the servers are stopped in main's finally


def timed(args, env):
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"{args} exited {p.returncode}: {p.stderr}")
    rss = int(p.stderr.strip().splitlines()[-1])
    print(f"# {' '.join(args[:3])}: {wall:.1f} s, {rss / 1024:.0f} MiB", file=sys.stderr, flush=True)
    return wall, rss


def main():
    signal.signal(signal.SIGTERM, on_term)
    n = int(sys.argv[1])
    builds = [a.split("=", 1) for a in sys.argv[2:]]
    gen = os.path.join(os.path.dirname(builds[-1][1]), "examples/gen_chain")
    tmp = tempfile.mkdtemp(prefix="signcore-rss-")
    url, psql, stop = pg_start(tmp)
    endpoint, moto = moto_start()
    rows = []
    try:
        csv = f"{tmp}/events.csv"
        sh(gen, KS, "demo-hmac-1", str(n), csv, "csv")
        sh(psql, url, "-q", "-c", "CREATE TABLE audit_events (id bigint PRIMARY KEY, payload jsonb, hash text, prev_hash text, kid text, alg text, signature text)")
        sh(psql, url, "-q", "-c", f"\\copy audit_events FROM '{csv}' CSV")
        ring = f"{tmp}/ring.json"
        sh(builds[-1][1], "keys", "ring", "--keystore", KS, "--include-secrets", "--out", ring)
        env = dict(os.environ, AWS_ENDPOINT_URL_S3=endpoint, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                   AWS_REGION="us-east-1", DATABASE_URL=url, RITMA_KEYSTORE_PATH=KS, RITMA_KEY_ID="demo-hmac-1")
        for name, bin in builds:
            out = f"{tmp}/archive-{name}.json"
            t, rss = timed([bin, "archive", "--out", out], env)
            size = os.path.getsize(out)
            rows.append((f"archive, {n:,} rows -> file ({size / 2**20:.0f} MiB)", name, t, rss))
            t, rss = timed([bin, "archive", "--out", f"s3://bench/{name}.json"], env)
            rows.append((f"archive, {n:,} rows -> s3://", name, t, rss))
            t, rss = timed([bin, "verify", f"s3://bench/{name}.json", "--ring", ring, "--json"], env)
            rows.append((f"verify s3:// ({size / 2**20:.0f} MiB archive)", name, t, rss))
            os.remove(out)
    finally:
        moto.kill()
        moto.wait()
        stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("| command | build | wall s | peak RSS |")
    print("|---|---|---:|---:|")
    for cmd, name, t, rss in rows:
        print(f"| {cmd} | {name} | {t:.1f} | {rss / 1024:.0f} MiB |")


main()
