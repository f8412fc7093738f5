//! `signcore verify --database-url` and `signcore archive` against a real
//! PostgreSQL server (Debian's postgresql package, initdb into a temp dir,
//! pg_ctl on 127.0.0.1 with a free port) and S3 output into a local moto
//! server (build/venv-s3, installed by .ci/install-cli.sh). Both servers are
//! started by this test and stopped by PID/pg_ctl when it ends, even on failure.
mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false)
}

/// Runs a PostgreSQL binary, as the `postgres` user when we are root
/// (initdb and the server refuse to run as root).
fn pg_command(bin: &Path, name: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(name));
        c
    } else {
        Command::new(bin.join(name))
    }
}

struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    _dir: tempfile::TempDir,
    url: String,
}

impl Postgres {
    fn start() -> Postgres {
        let mut bins: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .map(|d| d.flatten().map(|e| e.path().join("bin")).filter(|b| b.join("initdb").exists()).collect())
            .unwrap_or_default();
        bins.sort();
        let bin = bins.pop().expect("PostgreSQL not installed (/usr/lib/postgresql/*/bin): run .ci/install-cli.sh");
        let dir = tempfile::Builder::new().prefix("signcore-pg-").tempdir().unwrap();
        if is_root() {
            assert!(Command::new("chown").args(["postgres:postgres"]).arg(dir.path()).status().unwrap().success());
        }
        let data = dir.path().join("data");
        let out = pg_command(&bin, "initdb")
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "-D"])
            .arg(&data)
            .output()
            .unwrap();
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        let port = free_port();
        let opts = format!("-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", dir.path().display());
        let out = pg_command(&bin, "pg_ctl")
            .args(["-w", "-t", "60", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(dir.path().join("log"))
            .args(["-o", &opts, "start"])
            .output()
            .unwrap();
        let pg = Postgres { bin, data, url: format!("postgres://postgres@127.0.0.1:{port}/postgres"), _dir: dir };
        assert!(out.status.success(), "pg_ctl start: {}", String::from_utf8_lossy(&out.stderr));
        pg
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = pg_command(&self.bin, "pg_ctl").args(["-m", "immediate", "-D"]).arg(&self.data).arg("stop").output();
    }
}

struct Moto {
    child: Child,
    endpoint: String,
}

impl Moto {
    fn start() -> Moto {
        let server = Path::new(env!("CARGO_MANIFEST_DIR")).join("../build/venv-s3/bin/moto_server");
        assert!(server.exists(), "moto_server not found at {}: run .ci/install-cli.sh", server.display());
        let port = free_port();
        let child = Command::new(server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let moto = Moto { child, endpoint: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    fn create_bucket(&self, bucket: &str) {
        let addr = self.endpoint.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).unwrap();
        write!(s, "PUT /{bucket} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn load(client: &mut postgres::Client, table: &str, payload_type: &str, events: &[Vec<u8>]) {
    client
        .batch_execute(&format!(
            "CREATE TABLE {table} (id bigint PRIMARY KEY, payload {payload_type} NOT NULL, hash text NOT NULL, prev_hash text,
             kid text NOT NULL, alg text NOT NULL, signature text NOT NULL, created_at timestamptz DEFAULT now())"
        ))
        .unwrap();
    for (i, e) in events.iter().enumerate() {
        let v: Value = serde_json::from_slice(e).unwrap();
        let s = |k: &str| v[k].as_str().map(str::to_string);
        client
            .execute(
                &format!("INSERT INTO {table} (id, payload, hash, prev_hash, kid, alg, signature) VALUES ($1, $2::text::{payload_type}, $3, $4, $5, $6, $7)"),
                &[&(i as i64 + 1), &v["payload"].to_string(), &s("hash"), &s("prev_hash"), &s("kid"), &s("alg"), &s("signature")],
            )
            .unwrap();
    }
}

fn db_json(url: &str, ring: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["verify", "--database-url", url, "--ring", ring.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args);
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    (code, serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}")))
}

#[test]
fn postgres_and_s3() {
    let v = Vectors::load();
    let dir = tempfile::tempdir().unwrap();
    let ring = v.write_ring(dir.path());
    let keystore = v.write_keystore(dir.path());
    let (_, events, _) = v.raw_events().into_iter().find(|(n, _, _)| n == "valid-rotation").unwrap();
    let pg = Postgres::start();
    let moto = Moto::start();
    let mut client = postgres::Client::connect(&pg.url, postgres::NoTls).unwrap();
    load(&mut client, "audit_events", "jsonb", &events);
    load(&mut client, "audit_text", "text", &events);
    load(&mut client, "audit_json", "json", &events);
    let mut checks = 0;

    // jsonb (members reordered, numbers rewritten), json and text all verify.
    for table in ["audit_events", "audit_text", "audit_json"] {
        let (code, report) = db_json(&pg.url, &ring, &["--table", table]);
        assert_eq!(code, 0, "{table}: {report}");
        assert_eq!(report["checked"], 50);
        assert_eq!(report["input"]["kind"], "database");
        checks += 1;
    }
    // jsonb really did rewrite the stored text.
    let stored: String = client.query_one("SELECT payload::text FROM audit_events WHERE id = 1", &[]).unwrap().get(0);
    let original: Value = serde_json::from_slice(&events[0]).unwrap();
    assert_ne!(stored, original["payload"].to_string());
    // DATABASE_URL is the default URL; --limit checks the newest N linked to the row before.
    let out = output(
        bin()
            .args(["verify", "--database-url", "--ring", ring.to_str().unwrap(), "--limit", "10", "--json"])
            .env("DATABASE_URL", &pg.url)
            .output()
            .unwrap(),
    );
    assert_eq!(out.0, 0, "{}", out.2);
    let report: Value = serde_json::from_str(&out.1).unwrap();
    assert_eq!(report["checked"], 10);
    checks += 1;

    // checkpoint / prove from the table (ckpt2): the root of the stored hashes, a proof that verifies.
    {
        let hashes: Vec<[u8; 32]> = events.iter().map(|e| signcore::archive::stored_hash(e).unwrap()).collect();
        let root = signcore::merkle::root_of_event_hashes(&hashes).unwrap();
        let ks = keystore.to_str().unwrap();
        let base = ["--database-url", pg.url.as_str(), "--origin", "example.com/audit"];
        let (code, out, err) =
            run(&[&["checkpoint"][..], &base, &["--keystore", ks, "--key-id", "audit-ed25519-1", "--json"]].concat());
        assert_eq!(code, 0, "{err}");
        let cp: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            (cp["size"].as_u64(), cp["root"].as_str()),
            (Some(50), Some(signcore::hex::HashHex::new(&root).as_str()))
        );
        let note = dir.path().join("db-checkpoint.txt");
        std::fs::write(&note, cp["note"].as_str().unwrap()).unwrap();
        let proof = dir.path().join("db-proof.json");
        let (code, _, err) = run(&[
            "prove",
            "inclusion",
            "--database-url",
            &pg.url,
            "--index",
            "9",
            "--checkpoint",
            note.to_str().unwrap(),
            "--out",
            proof.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        let vkey = cp["verifier_key"].as_str().unwrap();
        let (code, out, err) =
            run(&["verify-proof", proof.to_str().unwrap(), "--origin", "example.com/audit", "--verifier-key", vkey]);
        assert_eq!(code, 0, "{out}{err}");
        checks += 2;

        // archive --checkpoint from the table (ckpt3): streamed in two passes (rows spooled to a
        // local file in pass 1), it verifies and equals the core's in-memory build of its events.
        let file = dir.path().join("db-checkpointed.json");
        let (code, _, err) = run(&[
            &["archive"][..],
            &base,
            &["--keystore", ks, "--key-id", "audit-ed25519-1", "--checkpoint", "--out", file.to_str().unwrap()],
        ]
        .concat());
        assert_eq!(code, 0, "{err}");
        let written = std::fs::read(&file).unwrap();
        let archive: Value = serde_json::from_slice(&written).unwrap();
        assert_eq!(archive["checkpoint"].as_str(), cp["note"].as_str(), "the note signcore checkpoint prints");
        let texts: Vec<String> =
            archive["events"].as_array().unwrap().iter().map(|e| serde_json::to_string(e).unwrap()).collect();
        assert_eq!(texts.len(), 50);
        let key = v.key("audit-ed25519-1");
        let in_memory = signcore::archive::build_archive_with_checkpoint(
            texts.iter().map(|t| t.as_bytes()),
            "example.com/audit",
            &[("audit-ed25519-1", &key)],
            &signcore::note::NoteSigner::new("example.com/audit", &key).unwrap(),
        )
        .unwrap();
        assert!(written == in_memory, "the streamed archive differs from build_archive_with_checkpoint");
        let (code, out, err) = run(&["verify", file.to_str().unwrap(), "--ring", ring.to_str().unwrap(), "--json"]);
        assert_eq!(code, 0, "{out}{err}");
        let report: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report["archive"]["checkpoint"]["root_checked"], true, "{report}");
        // --limit makes a slice: refused before anything is written.
        let refused = dir.path().join("refused.json");
        let (code, _, err) = run(&[
            &["archive"][..],
            &base,
            &[
                "--limit",
                "10",
                "--keystore",
                ks,
                "--key-id",
                "audit-ed25519-1",
                "--checkpoint",
                "--out",
                refused.to_str().unwrap(),
            ],
        ]
        .concat());
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("first event"), "{err}");
        assert!(!refused.exists());
        checks += 2;
    }

    // A row edited in place: HASH_MISMATCH at that row id, saying what differs.
    client
        .execute("UPDATE audit_events SET payload = jsonb_set(payload, '{actor}', '\"mallory\"') WHERE id = 8", &[])
        .unwrap();
    let (code, report) = db_json(&pg.url, &ring, &[]);
    assert_eq!(code, 1);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report}");
    assert_eq!(errors[0]["code"], "HASH_MISMATCH");
    assert_eq!(errors[0]["id"], "8");
    assert_eq!(errors[0]["index"], 7);
    assert!(errors[0]["detail"].as_str().unwrap().contains("mallory"), "{report}");
    let (code, text, _) = run(&["verify", "--database-url", &pg.url, "--ring", ring.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(text.contains("row id 8 (event 7): HASH_MISMATCH"), "{text}");
    assert!(text.contains("stored hash"), "{text}");
    // The newest 10 rows do not include row 8.
    assert_eq!(db_json(&pg.url, &ring, &["--limit", "10"]).0, 0);
    checks += 2;

    // Archive the newest 20 rows to a file and to S3, verify both.
    let file = dir.path().join("archive.json");
    let ks = keystore.to_str().unwrap();
    let (code, _, err) = run(&[
        "archive",
        "--database-url",
        &pg.url,
        "--limit",
        "20",
        "--origin",
        "memory-layer/audit",
        "--out",
        file.to_str().unwrap(),
        "--keystore",
        ks,
        "--key-id",
        "audit-ed25519-1",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["verify", file.to_str().unwrap(), "--ring", ring.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{out} {err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["archive"]["range"]["first"], 30);
    assert_eq!(report["archive"]["range"]["size"], 20);
    assert_eq!(report["archive"]["origin"], "memory-layer/audit");
    moto.create_bucket("audit-archive");
    let s3 = |args: &[&str]| {
        output(
            bin()
                .args(args)
                .env("AWS_ENDPOINT_URL_S3", &moto.endpoint)
                .env("AWS_ACCESS_KEY_ID", "test")
                .env("AWS_SECRET_ACCESS_KEY", "test")
                .env("AWS_REGION", "us-east-1")
                .env("DATABASE_URL", &pg.url)
                .env("RITMA_KEYSTORE_PATH", ks)
                .env("RITMA_KEY_ID", "audit-hmac-1")
                .output()
                .unwrap(),
        )
    };
    let (code, _, err) = s3(&["archive", "--limit", "20", "--out", "s3://audit-archive/2026/12/01.json"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) =
        s3(&["verify", "s3://audit-archive/2026/12/01.json", "--ring", ring.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{out} {err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["signed"], true);
    assert_eq!(report["checked"], 20);
    // The whole table (row 8 edited) archives, and its archive shows the edit.
    let (code, _, err) = s3(&["archive", "--out", "s3://audit-archive/all.json"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = s3(&["verify", "s3://audit-archive/all.json", "--ring", ring.to_str().unwrap(), "--json"]);
    assert_eq!(code, 1);
    assert_eq!(pairs(&serde_json::from_str(&out).unwrap()), [(Some(7), "HASH_MISMATCH".to_string())].into());
    let (code, _, err) = s3(&["verify", "s3://audit-archive/missing.json", "--ring", ring.to_str().unwrap()]);
    assert_input_error(code, &err);
    checks += 4;

    // A table whose archive is larger than one S3 part (8 MiB): streamed from
    // the cursor into a temporary file, uploaded in parts, read back streamed.
    let n = big_table(&mut client, "audit_big", &v.key("audit-hmac-1"));
    let (code, _, err) = s3(&["archive", "--table", "audit_big", "--out", "s3://audit-archive/big.json"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = s3(&["verify", "s3://audit-archive/big.json", "--ring", ring.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{out} {err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((report["checked"].as_u64(), report["signed"].as_bool()), (Some(n), Some(true)));
    assert_eq!(report["archive"]["range"]["size"], n);
    // The same rows to a file, and from an NDJSON file (two streamed passes): the same events.
    let big = dir.path().join("big.json");
    let (code, _, err) = s3(&["archive", "--table", "audit_big", "--limit", "5000", "--out", big.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let value: Value = serde_json::from_slice(&std::fs::read(&big).unwrap()).unwrap();
    assert_eq!(value["range"]["first"], n - 5000);
    let ndjson: Vec<u8> =
        value["events"].as_array().unwrap().iter().flat_map(|e| format!("{e}\n").into_bytes()).collect();
    let from = dir.path().join("big.ndjson");
    std::fs::write(&from, ndjson).unwrap();
    let anchor = value["range"]["anchor"].as_str().unwrap().to_string();
    let first = (n - 5000).to_string();
    let again = dir.path().join("again.json");
    let (code, _, err) = s3(&[
        "archive",
        "--from",
        from.to_str().unwrap(),
        "--first",
        &first,
        "--anchor",
        &anchor,
        "--origin",
        "postgres/audit_big",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let again: Value = serde_json::from_slice(&std::fs::read(&again).unwrap()).unwrap();
    assert_eq!(again["manifest"]["digest"], value["manifest"]["digest"]);
    assert_eq!(again["range"], value["range"]);
    let stray: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".signcore-archive-"))
        .collect();
    assert!(stray.is_empty(), "temporary files left: {stray:?}");
    checks += 4;

    // Errors people can act on: one line, exit 2.
    let r = ring.to_str().unwrap();
    let closed = format!("postgres://postgres@127.0.0.1:{}/postgres", free_port());
    for (args, needle) in [
        (vec!["verify", "--database-url", &pg.url, "--ring", r, "--table", "no_such_table"], "does not exist"),
        (vec!["verify", "--database-url", &pg.url, "--ring", r, "--order-by", "seq"], "columns"),
        (vec!["verify", "--database-url", &pg.url, "--ring", r, "--table", "x; drop table audit_events"], "identifier"),
        (vec!["verify", "--database-url", &closed, "--ring", r], "cannot connect"),
        (vec!["verify", "--database-url", "not a url", "--ring", r], "cannot connect"),
        (
            vec![
                "archive",
                "--database-url",
                &pg.url,
                "--out",
                "/nonexistent/dir/a.json",
                "--keystore",
                ks,
                "--key-id",
                "audit-hmac-1",
            ],
            "cannot",
        ),
        (vec!["archive", "--database-url", &pg.url, "--out", "a.json", "--keystore", ks, "--key-id", "nope"], "nope"),
    ] {
        let (code, _, err) = run(&args);
        assert_input_error(code, &err);
        assert!(err.contains(needle), "{args:?}: {needle:?} not in {err}");
        assert!(!err.contains("secret"), "{err}");
        checks += 1;
    }
    drop(client);
    report_count("PostgreSQL (jsonb/json/text, --limit, edited row, errors) and S3 (moto) checks", checks);
}

/// A valid HMAC chain of about 12 MiB of archive text in `table`, loaded
/// with COPY; returns the number of rows.
fn big_table(client: &mut postgres::Client, table: &str, key: &signcore::key::SigningKey) -> u64 {
    use signcore::hex::HashHex;
    let n = 20_000u64;
    client
        .batch_execute(&format!(
            "CREATE TABLE {table} (id bigint PRIMARY KEY, payload jsonb NOT NULL, hash text NOT NULL, prev_hash text, kid text, alg text, signature text)"
        ))
        .unwrap();
    let mut copy = Vec::new();
    let mut prev: Option<signcore::digest::Hash> = None;
    for i in 0..n {
        let payload = format!(r#"{{"seq":{i},"actor":"user-{}","note":"{}"}}"#, i % 97, "x".repeat(400));
        let hash = signcore::digest::audit_digest(payload.as_bytes(), prev.as_ref()).unwrap();
        let sig = key.sign(&hash);
        let prev_hex = prev.map_or("\\N".to_string(), |p| HashHex::new(&p).as_str().to_string());
        copy.extend_from_slice(
            format!(
                "{}\t{payload}\t{}\t{prev_hex}\taudit-hmac-1\thmac-sha256\t{}\n",
                i + 1,
                HashHex::new(&hash),
                sig.hex().as_str()
            )
            .as_bytes(),
        );
        prev = Some(hash);
    }
    let mut w = client.copy_in(&format!("COPY {table} FROM STDIN")).unwrap();
    std::io::Write::write_all(&mut w, &copy).unwrap();
    w.finish().unwrap();
    n
}
