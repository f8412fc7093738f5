//! Test harness: starts the real `signcore-proxy` binary on 127.0.0.1 with an
//! ephemeral port (`--listen 127.0.0.1:0`, address read from its "listening"
//! log line), and talks raw HTTP/1.1 to it over plain TCP or rustls, so
//! that tests can also send what no well-behaved client would.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_signcore-proxy");

/// A keystore with an HMAC key, the signing Ed25519 key and a retired one.
pub const KEYSTORE: &str = r#"[
  {"key_id": "hmac-1", "alg": "hmac-sha256", "secret_hex": "aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899"},
  {"key_id": "ed-1", "alg": "ed25519", "secret_hex": "0101010101010101010101010101010101010101010101010101010101010101", "label": "primary"},
  {"key_id": "ed-old", "alg": "ed25519", "secret_hex": "0202020202020202020202020202020202020202020202020202020202020202", "label": "retired"}
]"#;

pub const API_KEY: &str = "test-api-key-0123456789";
pub const API_KEY_2: &str = "test-api-key-rotated-abcdef";

/// A scratch directory removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new() -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "signcore-proxy-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running proxy, killed (by PID) when dropped.
pub struct Proxy {
    pub child: Child,
    pub addr: SocketAddr,
    pub lines: Arc<Mutex<Vec<String>>>,
    rx: mpsc::Receiver<String>,
    pub scratch: Scratch,
}

/// How a start attempt ended when the proxy did not listen.
#[derive(Debug)]
pub struct Refused {
    pub code: Option<i32>,
    pub stderr: String,
}

pub fn path_str(p: &Path) -> String {
    p.to_str().unwrap().to_owned()
}

impl Proxy {
    /// Starts with a keystore in a scratch dir (`{keystore}` in `args` is
    /// replaced by its path) and a clean environment plus `env`.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Proxy {
        Self::try_start(args, env).unwrap_or_else(|r| panic!("proxy did not start: {r:?}"))
    }

    pub fn try_start(args: &[&str], env: &[(&str, &str)]) -> Result<Proxy, Refused> {
        let scratch = Scratch::new();
        let keystore = scratch.write("node_keystore.json", KEYSTORE);
        Self::try_start_in(scratch, args, env, &keystore)
    }

    pub fn try_start_in(
        scratch: Scratch,
        args: &[&str],
        env: &[(&str, &str)],
        keystore: &Path,
    ) -> Result<Proxy, Refused> {
        let args: Vec<String> = args
            .iter()
            .map(|a| a.replace("{keystore}", &path_str(keystore)).replace("{dir}", &path_str(&scratch.0)))
            .collect();
        let mut cmd = Command::new(BIN);
        cmd.args(&args)
            .env_clear()
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn signcore-proxy");
        let stderr = child.stderr.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        {
            let lines = Arc::clone(&lines);
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    lines.lock().unwrap().push(line.clone());
                    let _ = tx.send(line);
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(line) if line.contains(r#""event":"listening""#) => {
                    let v: Value = serde_json::from_str(&line).unwrap();
                    let addr = v["addr"].as_str().unwrap().parse().unwrap();
                    return Ok(Proxy { child, addr, lines, rx, scratch });
                }
                Ok(_) => {}
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(status) = child.try_wait().unwrap() {
                        std::thread::sleep(Duration::from_millis(100));
                        let stderr = lines.lock().unwrap().join("\n");
                        return Err(Refused { code: status.code(), stderr });
                    }
                    if Instant::now() > deadline {
                        let _ = child.kill();
                        let _ = child.wait();
                        panic!("proxy did not report listening within 20 s: {:?}", lines.lock().unwrap());
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = child.wait().unwrap();
                    let stderr = lines.lock().unwrap().join("\n");
                    return Err(Refused { code: status.code(), stderr });
                }
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill").arg(format!("-{name}")).arg(self.pid().to_string()).status().unwrap();
        assert!(status.success());
    }

    /// Waits for a log line containing `needle`.
    pub fn wait_for_line(&self, needle: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        if let Some(l) = self.lines.lock().unwrap().iter().find(|l| l.contains(needle)) {
            return l.clone();
        }
        while Instant::now() < deadline {
            if let Ok(line) = self.rx.recv_timeout(Duration::from_millis(50))
                && line.contains(needle)
            {
                return line;
            }
        }
        panic!("no log line with {needle:?} within {within:?}: {:?}", self.lines.lock().unwrap());
    }

    pub fn log_text(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    /// Resident memory of the proxy, in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    pub fn plain(&self) -> Client {
        Client::plain(self.addr)
    }

    /// One request on a fresh plain connection.
    pub fn call(&self, method: &str, path: &str, auth: Option<&str>, body: Option<&Value>) -> Response {
        let mut headers = vec![];
        let bearer;
        if let Some(key) = auth {
            bearer = format!("Bearer {key}");
            headers.push(("Authorization", bearer.as_str()));
        }
        let text = body.map(|b| serde_json::to_vec(b).unwrap());
        if text.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        self.plain().request(method, path, &headers, text.as_deref()).expect("request")
    }

    pub fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("proxy did not exit within {within:?}");
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

/// A raw HTTP/1.1 client connection.
pub struct Client {
    pub io: BufReader<Box<dyn Stream>>,
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// `error.code` of an error answer.
    pub fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_owned()
    }
}

impl Client {
    pub fn plain(addr: SocketAddr) -> Client {
        let tcp = TcpStream::connect(addr).expect("connect");
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        tcp.set_nodelay(true).unwrap();
        Client { io: BufReader::new(Box::new(tcp)) }
    }

    pub fn tls(addr: SocketAddr, config: Arc<rustls::ClientConfig>) -> Client {
        let tcp = TcpStream::connect(addr).expect("connect");
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let conn = rustls::ClientConnection::new(config, name).unwrap();
        Client { io: BufReader::new(Box::new(rustls::StreamOwned::new(conn, tcp))) }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let w = self.io.get_mut();
        w.write_all(bytes)?;
        w.flush()
    }

    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> std::io::Result<Response> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\n");
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        if let Some(b) = body {
            head.push_str(&format!("Content-Length: {}\r\n", b.len()));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body.unwrap_or(&[]));
        self.send_raw(&bytes)?;
        self.read_response()
    }

    /// POST a JSON value with the API key.
    pub fn post(&mut self, path: &str, auth: &str, body: &Value) -> std::io::Result<Response> {
        let bearer = format!("Bearer {auth}");
        let text = serde_json::to_vec(body).unwrap();
        self.request("POST", path, &[("Authorization", &bearer), ("Content-Type", "application/json")], Some(&text))
    }

    pub fn read_response(&mut self) -> std::io::Result<Response> {
        let mut line = String::new();
        if self.io.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed before an answer"));
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            self.io.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (n, v) = h.split_once(':').unwrap();
            headers.push((n.trim().to_owned(), v.trim().to_owned()));
        }
        let len =
            headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("content-length")).map(|(_, v)| v.parse().unwrap());
        let mut body = vec![0u8; len.unwrap_or(0)];
        self.io.read_exact(&mut body)?;
        Ok(Response { status, headers, body })
    }

    /// Reads until the server closes; true if it closed (EOF or reset)
    /// before the read timeout.
    pub fn closed_by_server(&mut self) -> bool {
        let mut buf = [0u8; 1024];
        loop {
            match self.io.read(&mut buf) {
                Ok(0) => return true,
                Ok(_) => continue,
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    return false;
                }
                Err(_) => return true,
            }
        }
    }
}

/// A test PKI: a CA, a server certificate for localhost/127.0.0.1, and
/// client certificates.
pub struct Pki {
    pub ca_pem: String,
    pub ca_der: rustls::pki_types::CertificateDer<'static>,
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
}

pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert_der: rustls::pki_types::CertificateDer<'static>,
    pub key_der: rustls::pki_types::PrivateKeyDer<'static>,
}

impl Pki {
    pub fn new(name: &str) -> Pki {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages =
            vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Pki { ca_pem: cert.pem(), ca_der: cert.der().clone(), issuer: rcgen::Issuer::new(params, key) }
    }

    fn leaf(&self, names: Vec<String>, purpose: rcgen::ExtendedKeyUsagePurpose) -> Leaf {
        use rcgen::{CertificateParams, DnType, KeyPair, KeyUsagePurpose};
        let mut params = CertificateParams::new(names.clone()).unwrap();
        params.distinguished_name.push(DnType::CommonName, names.first().cloned().unwrap_or_default());
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![purpose];
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            cert_der: cert.der().clone(),
            key_der: rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        }
    }

    pub fn server(&self) -> Leaf {
        self.leaf(vec!["localhost".into(), "127.0.0.1".into()], rcgen::ExtendedKeyUsagePurpose::ServerAuth)
    }

    pub fn client(&self, name: &str) -> Leaf {
        self.leaf(vec![name.into()], rcgen::ExtendedKeyUsagePurpose::ClientAuth)
    }

    /// A client config trusting this CA, with an optional client certificate.
    pub fn client_config(&self, client: Option<&Leaf>) -> Arc<rustls::ClientConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca_der.clone()).unwrap();
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots);
        let config = match client {
            Some(leaf) => builder.with_client_auth_cert(vec![leaf.cert_der.clone()], leaf.key_der.clone_key()).unwrap(),
            None => builder.with_no_client_auth(),
        };
        Arc::new(config)
    }
}

/// SHA-256 of `text`, lowercase hex: a digest to sign.
pub fn digest_of(text: &str) -> String {
    hex(&signcore::digest::sha256(text.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}
