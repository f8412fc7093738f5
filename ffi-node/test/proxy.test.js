'use strict'
// The signing-proxy backend, against the real signcore-proxy binary (the
// workspace's `proxy/` crate, started here on 127.0.0.1 with an ephemeral
// port and stopped by PID): --mock as in CI and a keystore Ed25519 key as in
// production, the seed's audit flow with SIGNING_PROXY_URL pointing at it,
// and https with a client certificate (mTLS, certificates made by openssl).
// Answers no real proxy gives (malformed, lying, echoing the API key) come
// from a hostile stub on node:http. A failed signing rejects and returns
// nothing.

const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn, spawnSync } = require('node:child_process')
const readline = require('node:readline')

const { Signer, signAuditDigest, signAuditEvent, computeAuditDigest, canonicalizePayload, verifyChain, verifySignature } = require('..')
const { hmac, sha256 } = require('./helpers.js')

const MOCK_KEY = 'proxy-mock-key'
const API_KEY = 'local-ci-key'
const DIGEST = sha256(Buffer.from('event')).toString('hex')
const ED_SEED = '07'.repeat(32)
const KEYSTORE = [
  { key_id: 'node-ed', alg: 'ed25519', secret_hex: ED_SEED, label: 'primary' },
  { key_id: 'node-hmac', alg: 'hmac-sha256', secret_hex: 'ab'.repeat(32) },
]

const REPO = path.resolve(__dirname, '..', '..')

/** The signcore-proxy binary: $SIGNCORE_PROXY_BIN, else target/debug (built if missing). */
function proxyBinary() {
  if (process.env.SIGNCORE_PROXY_BIN) return process.env.SIGNCORE_PROXY_BIN
  const target = process.env.CARGO_TARGET_DIR ? path.resolve(REPO, process.env.CARGO_TARGET_DIR) : path.join(REPO, 'target')
  const bin = path.join(target, 'debug', 'signcore-proxy')
  if (!fs.existsSync(bin)) {
    const built = spawnSync('cargo', ['build', '-q', '-p', 'signcore-proxy'], { cwd: REPO, stdio: 'inherit' })
    if (built.status !== 0) throw new Error('cargo build -p signcore-proxy failed')
  }
  return bin
}

/** Starts signcore-proxy; resolves { url, child, lines, stop() } once it listens. */
function startRealProxy(args, env) {
  const child = spawn(proxyBinary(), ['--listen', '127.0.0.1:0', ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const lines = []
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`signcore-proxy did not listen within 20 s: ${lines.join('\n')}`))
    }, 20_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`signcore-proxy exited (${code}): ${lines.join('\n')}`))
    })
    readline.createInterface({ input: child.stderr }).on('line', (line) => {
      lines.push(line)
      if (line.includes('"event":"listening"')) {
        clearTimeout(timer)
        const { addr } = JSON.parse(line)
        const stop = () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done()
            child.once('exit', () => done())
            process.kill(child.pid, 'SIGTERM')
          })
        resolve({ url: `http://${addr}`, child, lines, stop })
      }
    })
  })
}

/** A hostile proxy: `mode` selects how it misbehaves. */
async function startStub() {
  const mock = Signer.fromEnv({ MOCK_AUDIT_SIGNING_KEY: MOCK_KEY }, { onWarning() {} })
  const ed = Signer.ed25519('node-ed', ED_SEED)
  const state = { mode: 'ok', requests: [] }
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8')
      state.requests.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body })
      const send = (status, value) => {
        const text = typeof value === 'string' ? value : JSON.stringify(value)
        res.writeHead(status, { 'content-type': 'application/json' }).end(text)
      }
      const { mode } = state
      if (mode === 'echo-auth') return send(500, `upstream rejected request with headers ${JSON.stringify(req.headers)}`)
      if (mode === 'echo-auth-json') return send(502, { error: { code: 'UPSTREAM', message: `HSM said no to ${req.headers.authorization}` } })
      if (mode === 'echo-key') return send(500, { error: `bad key ${API_KEY} for tenant` })
      if (req.url === '/health') {
        if (mode === 'health-weak-key') return send(200, { status: 'ok', kid: 'node-ed', alg: 'ed25519', public_key: '00'.repeat(32) })
        if (mode === 'health-hmac-pk') return send(200, { status: 'ok', kid: 'mock', alg: 'hmac-sha256', public_key: ed.publicKey.toString('hex') })
        if (mode === 'health-down') return send(200, { status: 'draining', kid: 'node-ed', alg: 'ed25519' })
        return send(200, { status: 'ok', kid: 'node-ed', alg: 'ed25519', public_key: ed.publicKey.toString('hex') })
      }
      if (mode === 'slow') return setTimeout(() => send(200, {}), 2000).unref()
      if (mode === 'error') return send(500, { error: 'hsm unavailable' })
      if (mode === 'not-json') return send(200, '<html>')
      const input = JSON.parse(body)
      if (req.url === '/sign/hash') {
        const block = mode.startsWith('ed') ? await ed.signDigest(input.digest_hex) : await mock.signDigest(input.digest_hex)
        const random = require('node:crypto').randomBytes(64).toString('hex')
        switch (mode) {
          case 'no-kid': return send(200, { alg: block.alg, signature: block.signature })
          case 'bad-hex': return send(200, { ...block, signature: 'xyz' })
          case 'short': return send(200, { ...block, signature: block.signature.slice(0, 62) })
          case 'odd-alg': return send(200, { ...block, alg: 'ecdsa-p256' })
          case 'upper': return send(200, { ...block, alg: 'HMAC_SHA_256', signature: block.signature.toUpperCase() })
          case 'long-kid': return send(200, { ...block, kid: 'k'.repeat(60_000) })
          case 'kid-65': return send(200, { ...block, kid: 'é'.repeat(33) })
          case 'nul-kid': return send(200, { ...block, kid: 'node\u0000ed' })
          case 'newline-kid': return send(200, { ...block, kid: 'node-ed\nforged: yes' })
          case 'surrogate-kid': return send(200, `{"kid":"\\ud800","alg":"${block.alg}","signature":"${block.signature}"}`)
          case 'ed-random': return send(200, { ...block, signature: random })
          case 'ed-other-kid': return send(200, { ...block, kid: 'someone-else' })
          case 'ed-as-hmac': return send(200, { kid: 'node-ed', alg: 'hmac-sha256', signature: random.slice(0, 64) })
          default: return send(200, block)
        }
      }
      if (req.url === '/sign/canonical') {
        const digest = computeAuditDigest(input.canonical, input.prev_hash ?? null)
        const block = await ed.signDigest(digest)
        if (mode === 'canonical-other-digest') {
          const other = sha256(Buffer.from('other')).toString('hex')
          return send(200, { ...(await ed.signDigest(other)), digest_hex: other })
        }
        return send(200, { ...block, digest_hex: digest })
      }
      return send(404, { error: 'not found' })
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}`
  const close = () =>
    new Promise((resolve) => {
      server.closeAllConnections()
      server.close(resolve)
    })
  return { url, state, close }
}

let mockProxy
let edProxy
let stub
let dir
test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signcore-proxy-node-'))
  const keystore = path.join(dir, 'node_keystore.json')
  fs.writeFileSync(keystore, JSON.stringify(KEYSTORE), { mode: 0o600 })
  ;[mockProxy, edProxy, stub] = await Promise.all([
    startRealProxy(['--mock'], { MOCK_AUDIT_SIGNING_KEY: MOCK_KEY, SIGNING_PROXY_API_KEY: API_KEY }),
    startRealProxy(['--keystore', keystore, '--key-id', 'node-ed'], { SIGNING_PROXY_API_KEY: API_KEY }),
    startStub(),
  ])
})
test.after(async () => {
  await Promise.all([mockProxy?.stop(), edProxy?.stop(), stub?.close()])
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})
test.beforeEach(() => {
  if (stub) {
    stub.state.mode = 'ok'
    stub.state.requests.length = 0
  }
})

const expectedSignature = (digestHex) => hmac(Buffer.from(MOCK_KEY), Buffer.from(digestHex, 'hex')).toString('hex')
const edSigner = () => Signer.ed25519('node-ed', ED_SEED)

test('signcore-proxy --mock: /health, /sign/hash with the Bearer API key, /verify', async () => {
  const signer = Signer.proxy(mockProxy.url, { apiKey: API_KEY })
  assert.equal(signer.backend, 'proxy')
  assert.equal(signer.kid, null, 'unknown before the start-up check')
  assert.equal(await signer.ready(), signer)
  assert.equal(signer.kid, 'mock')
  assert.equal(signer.alg, 'hmac-sha256')
  assert.equal(signer.publicKey, null)
  assert.equal(signer.keyHash, sha256(Buffer.from(MOCK_KEY)).toString('hex'))
  const block = await signer.signDigest(DIGEST.toUpperCase())
  assert.deepEqual(block, { kid: 'mock', alg: 'hmac-sha256', signature: expectedSignature(DIGEST) })
  const raw = await signer.sign(Buffer.from(DIGEST, 'hex'))
  assert.equal(raw.toString('hex'), expectedSignature(DIGEST))
  const digest = Buffer.from(DIGEST, 'hex')
  assert.equal(await signer.verify(digest, raw), true)
  assert.equal(await signer.verify(digest, Buffer.alloc(32)), false)
  assert.deepEqual(signer.toJSON(), { backend: 'proxy', source: 'proxy', kid: 'mock', alg: 'hmac-sha256', keyHash: signer.keyHash, label: null })
  // One log line per request, without the key or the digest.
  await new Promise((r) => setTimeout(r, 50))
  const log = mockProxy.lines.join('\n')
  assert.match(log, /"path":"\/sign\/hash","status":200/)
  assert.doesNotMatch(log, new RegExp(`${API_KEY}|${DIGEST}`, 'i'))
})

test('signcore-proxy with a keystore Ed25519 key: answers verified locally, pins, /sign/canonical', async () => {
  const signer = await Signer.proxy(`${edProxy.url}/`, { apiKey: API_KEY }).ready()
  const local = edSigner()
  assert.equal(signer.kid, 'node-ed')
  assert.equal(signer.alg, 'ed25519')
  assert.deepEqual(signer.publicKey, local.publicKey)
  assert.equal(signer.keyHash, local.keyHash)
  const block = await signer.signDigest(DIGEST)
  assert.deepEqual(block, await local.signDigest(DIGEST), 'Ed25519 is deterministic')
  assert.equal(verifySignature({ alg: 'ed25519', publicKey: local.publicKey }, Buffer.from(DIGEST, 'hex'), block.signature), true)

  // /sign/canonical: the proxy's digest is the core's audit digest.
  const canonical = canonicalizePayload({ action: 'login', actor: 'bob', n: 1e21 })
  const first = await signer.signCanonical(canonical)
  assert.equal(first.hash, computeAuditDigest(canonical, null))
  assert.deepEqual({ ...first, hash: undefined }, { ...(await local.signDigest(first.hash)), hash: undefined })
  const second = await signer.signCanonical(canonical, first.hash.toUpperCase())
  assert.equal(second.hash, computeAuditDigest(canonical, first.hash))
  assert.deepEqual(await local.signCanonical(canonical, first.hash), second, 'local keys sign canonical text too')
  await assert.rejects(signer.signCanonical('{"b":1,"a":2}'), { code: 'PROXY_ERROR', status: 400, proxyCode: 'NOT_CANONICAL' })
  await assert.rejects(signer.signCanonical(canonical, 'xyz'), { code: 'INVALID_HEX' })
  await assert.rejects(signer.signCanonical(5), { code: 'ERR_INVALID_ARG_TYPE' })

  // The fused call through the proxy: digest made natively, then /sign/hash.
  const payload = { action: 'login', actor: 'bob', n: 1e21 }
  const fused = await signAuditEvent(payload, first.hash, signer)
  assert.deepEqual(fused, await signAuditEvent(payload, first.hash, local), 'same event as a local key signs')
  assert.equal(fused.hash, second.hash)
  await assert.rejects(signAuditEvent({ a: NaN }, null, signer), { code: 'NON_FINITE_NUMBER' })

  // Pins: configured kid/alg/public key must match what the proxy answers.
  await Signer.proxy(edProxy.url, { apiKey: API_KEY, kid: 'node-ed', alg: 'ed25519', publicKey: local.publicKey }).ready()
  const wrongKid = Signer.proxy(edProxy.url, { apiKey: API_KEY, kid: 'node-hmac' })
  await assert.rejects(wrongKid.signDigest(DIGEST), { code: 'PROXY_ERROR', message: /kid "node-ed", expected "node-hmac"/ })
  await assert.rejects(wrongKid.ready(), { code: 'PROXY_ERROR', message: /start-up check failed.*expected "node-hmac"/ })
  const wrongAlg = Signer.proxy(edProxy.url, { apiKey: API_KEY, alg: 'hmac' })
  await assert.rejects(wrongAlg.signDigest(DIGEST), { code: 'PROXY_ERROR', message: /alg ed25519, expected hmac-sha256/ })
  const otherKey = Signer.ed25519('x', '08'.repeat(32)).publicKey
  const wrongPk = Signer.proxy(edProxy.url, { apiKey: API_KEY, publicKey: otherKey })
  await assert.rejects(wrongPk.ready(), { code: 'PROXY_ERROR', message: /public_key other than the configured one/ })
  await assert.rejects(wrongPk.signDigest(DIGEST), { code: 'PROXY_ERROR', message: /does not verify/ })
  assert.throws(() => Signer.proxy(edProxy.url, { publicKey: 'abcd' }), { code: 'INVALID_KEY' })
  assert.throws(() => Signer.proxy(edProxy.url, { kid: 'a\nb' }), { code: 'INVALID_KEY_ID' })
  assert.throws(() => Signer.proxy(edProxy.url, { alg: 'rot13' }), { code: 'UNKNOWN_ALGORITHM' })
  assert.throws(() => Signer.proxy(edProxy.url, { kid: 5 }), TypeError)
})

test('errors of the real proxy: wrong or missing API key (never echoed), its error codes', async () => {
  const wrong = Signer.proxy(mockProxy.url, { apiKey: 'wrong-key-value' })
  const error = await wrong.signDigest(DIGEST).catch((e) => e)
  assert.equal(error.code, 'PROXY_ERROR')
  assert.equal(error.status, 401)
  assert.equal(error.proxyCode, 'UNAUTHORIZED')
  assert.doesNotMatch(error.message, /wrong-key-value/)
  await assert.rejects(Signer.proxy(mockProxy.url).signDigest(DIGEST), { status: 401, proxyCode: 'UNAUTHORIZED' })
  // /health needs no key: the start-up check works, signing then fails.
  await Signer.proxy(mockProxy.url).ready()
})

test('the seed audit flow with SIGNING_PROXY_URL at signcore-proxy: SQLite rows verify offline', async () => {
  const { AuditLog } = require('../examples/audit-flow.js')
  const saved = { ...process.env }
  const log = new AuditLog(path.join(dir, 'audit.db'))
  try {
    for (const k of Object.keys(process.env)) if (/^(AUDIT_|SIGNING_|RITMA_|MOCK_|UTLD_|REQUIRE_KMS|NODE_ENV)/.test(k)) delete process.env[k]
    process.env.SIGNING_PROXY_URL = edProxy.url
    process.env.SIGNING_PROXY_API_KEY = API_KEY
    process.env.NODE_ENV = 'production'
    process.env.REQUIRE_KMS = 'true'
    await Signer.fromEnv().ready()
    for (let n = 0; n < 5; n++) await log.append({ action: 'user.login', n })
    assert.equal(log.count(), 5)
    const ring = [{ kid: 'node-ed', alg: 'ed25519', public_key: edSigner().publicKey.toString('hex') }]
    assert.deepEqual(log.verify(ring), { ok: true, checked: 5, errors: [] })
    // The proxy goes away: the append fails and stores nothing.
    process.env.SIGNING_PROXY_URL = 'http://127.0.0.1:9'
    await assert.rejects(log.append({ n: 6 }), { code: 'PROXY_ERROR' })
    assert.equal(log.count(), 5)
    process.env.SIGNING_PROXY_URL = edProxy.url
    await log.append({ n: 6 })
    assert.deepEqual(log.verify(ring), { ok: true, checked: 6, errors: [] })
    // Signer.fromEnv with explicit env and signAuditDigest with it.
    const signer = Signer.fromEnv({ SIGNING_PROXY_URL: mockProxy.url, SIGNING_PROXY_API_KEY: API_KEY, NODE_ENV: 'production' })
    const digest = computeAuditDigest(canonicalizePayload({ a: 1 }), null)
    assert.equal((await signAuditDigest(digest, signer)).signature, expectedSignature(digest))
  } finally {
    log.close()
    for (const k of Object.keys(process.env)) delete process.env[k]
    Object.assign(process.env, saved)
  }
})

test('hostile answers are refused: forged or random signatures, bad kids, wrong alg', async () => {
  const pinned = await Signer.proxy(stub.url, { apiKey: API_KEY }).ready()
  assert.equal(pinned.kid, 'node-ed')
  const cases = [
    ['ed-random', /ed25519 signature that does not verify/],
    ['ed-other-kid', /kid "someone-else", expected "node-ed"/],
    ['ed-as-hmac', /alg hmac-sha256, expected ed25519/],
  ]
  for (const [mode, message] of cases) {
    stub.state.mode = mode
    await assert.rejects(pinned.signDigest(DIGEST), { code: 'PROXY_ERROR', message }, mode)
  }
  stub.state.mode = 'canonical-other-digest'
  await assert.rejects(pinned.signCanonical('{"a":1}'), { code: 'PROXY_ERROR', message: /digest_hex other than the audit digest/ })
  stub.state.mode = 'ed'
  assert.equal((await pinned.signDigest(DIGEST)).kid, 'node-ed')

  // Without a pin or a start-up check: still no unusable kid is returned.
  const signer = Signer.proxy(stub.url, { apiKey: API_KEY, timeoutMs: 200 })
  const kids = [
    ['long-kid', /kid that is longer than 64 bytes/],
    ['kid-65', /kid that is longer than 64 bytes/],
    ['nul-kid', /kid that has a control character/],
    ['newline-kid', /kid that has a control character/],
    ['surrogate-kid', /kid that has a lone UTF-16 surrogate/],
    ['no-kid', /no kid/],
    ['bad-hex', /not hex/],
    ['short', /31-byte signature/],
    ['odd-alg', /unknown alg/],
    ['not-json', /other than JSON/],
    ['error', /audit signing failed: .*HTTP 500/],
  ]
  for (const [mode, message] of kids) {
    stub.state.mode = mode
    const error = await signer.signDigest(DIGEST).catch((e) => e)
    assert.equal(error.code, 'PROXY_ERROR', mode)
    assert.match(error.message, message, mode)
    assert.ok(error.message.length < 600, `${mode}: the message is bounded`)
  }
  stub.state.mode = 'upper'
  assert.deepEqual(await signer.signDigest(DIGEST), { kid: 'mock', alg: 'hmac-sha256', signature: expectedSignature(DIGEST) })
  stub.state.mode = 'slow'
  const started = Date.now()
  await assert.rejects(signer.signDigest(DIGEST), { code: 'PROXY_TIMEOUT', message: /within 200 ms/ })
  assert.ok(Date.now() - started < 1500, 'the timeout fired')

  // Start-up checks refuse a bad /health.
  for (const [mode, message] of [
    ['health-weak-key', /not a valid Ed25519 key/],
    ['health-hmac-pk', /public_key for hmac-sha256/],
    ['health-down', /status "draining"/],
  ]) {
    stub.state.mode = mode
    await assert.rejects(Signer.proxy(stub.url).ready(), { code: 'PROXY_ERROR', message }, mode)
  }
})

test('secrets are redacted from everything derived from an answer', async () => {
  const signer = Signer.proxy(stub.url, { apiKey: API_KEY })
  for (const mode of ['echo-auth', 'echo-auth-json', 'echo-key']) {
    stub.state.mode = mode
    const error = await signer.signDigest(DIGEST).catch((e) => e)
    assert.equal(error.code, 'PROXY_ERROR', mode)
    assert.ok(error.status >= 500, mode)
    const everything = JSON.stringify({ message: error.message, stack: error.stack, ...error })
    assert.doesNotMatch(everything, new RegExp(API_KEY), mode)
    assert.match(error.message, /\[redacted\]/, mode)
    await assert.rejects(signer.ready(), (e) => !e.message.includes(API_KEY) && !e.stack.includes(API_KEY))
  }
  assert.equal(stub.state.requests[0].authorization, `Bearer ${API_KEY}`, 'the key was sent')
})

test('unreachable proxy, bad digests and disposal fail before or without a request', async () => {
  const closed = await startStub()
  await closed.close()
  await assert.rejects(Signer.proxy(closed.url, { apiKey: API_KEY }).signDigest(DIGEST), { code: 'PROXY_ERROR', message: /ECONNREFUSED/ })
  const signer = Signer.proxy(stub.url, { apiKey: API_KEY })
  await assert.rejects(signer.signDigest('xyz'), { code: 'INVALID_HEX' })
  await assert.rejects(signer.signDigest('ab'), { code: 'INVALID_LENGTH' })
  await assert.rejects(signer.sign(Buffer.alloc(31)), { code: 'INVALID_LENGTH' })
  await assert.rejects(signer.signCanonical('{"a":"\uD800"}'), { code: 'LONE_SURROGATE' })
  assert.equal(stub.state.requests.length, 0)
  assert.throws(() => Signer.proxy(stub.url, { timeoutMs: -1 }), TypeError)
  assert.throws(() => Signer.proxy(stub.url, { apiKey: 5 }), TypeError)
  assert.throws(() => Signer.proxy(5), TypeError)
  assert.throws(() => Signer.proxy('not a url'), { code: 'ERR_INVALID_URL' })
  signer.dispose()
  assert.equal(signer.disposed, true)
  await assert.rejects(signer.signDigest(DIGEST), { code: 'SIGNER_DISPOSED' })
  await assert.rejects(signer.ready(), { code: 'SIGNER_DISPOSED' })
  const withBadKey = Signer.proxy(stub.url, { apiKey: 'line\nbreak' })
  await assert.rejects(withBadKey.signDigest(DIGEST), { code: 'PROXY_ERROR', message: /could not be made/ })
})

test('the seed flow against the real proxy: a failed signing stores nothing', async () => {
  const stored = []
  async function append(signer, payload) {
    const prev = stored.at(-1)?.hash ?? null
    const canonical = canonicalizePayload(payload)
    const { hash, ...block } = await signer.signCanonical(canonical, prev)
    stored.push({ payload, hash, prev_hash: prev, ...block })
  }
  const signer = await Signer.proxy(edProxy.url, { apiKey: API_KEY, timeoutMs: 500 }).ready()
  await append(signer, { n: 1 })
  const broken = Signer.proxy('http://127.0.0.1:9', { apiKey: API_KEY, timeoutMs: 500 })
  await assert.rejects(append(broken, { n: 2 }), { code: 'PROXY_ERROR' })
  await append(signer, { n: 2 })
  assert.equal(stored.length, 2)
  assert.equal(stored[1].prev_hash, stored[0].hash)
  const ring = [{ kid: 'node-ed', alg: 'ed25519', public_key: edSigner().publicKey.toString('hex') }]
  assert.deepEqual(verifyChain(stored, ring), { ok: true, checked: 2, errors: [] })
})

test('https with a client certificate (mTLS through `agent`) against signcore-proxy', async (t) => {
  if (spawnSync('openssl', ['version']).status !== 0) return t.skip('openssl is not installed')
  const pki = fs.mkdtempSync(path.join(os.tmpdir(), 'signcore-proxy-pki-'))
  const file = (name) => path.join(pki, name)
  const openssl = (...args) => {
    const r = spawnSync('openssl', args, { cwd: pki })
    if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`)
  }
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=signcore test CA')
  const leaf = (name, ext) => {
    fs.writeFileSync(file(`${name}.ext`), ext)
    openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`)
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`)
  }
  leaf('server', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
  leaf('client', 'extendedKeyUsage=clientAuth\n')
  const proxy = await startRealProxy(
    ['--mock', '--tls-cert', file('server.pem'), '--tls-key', file('server.key'), '--client-ca', file('ca.pem')],
    { MOCK_AUDIT_SIGNING_KEY: MOCK_KEY },
  )
  const ca = fs.readFileSync(file('ca.pem'))
  const agent = new (require('node:https').Agent)({ ca, cert: fs.readFileSync(file('client.pem')), key: fs.readFileSync(file('client.key')), keepAlive: true })
  const bare = new (require('node:https').Agent)({ ca })
  try {
    const url = proxy.url.replace('http:', 'https:')
    const signer = await Signer.proxy(url, { agent }).ready()
    assert.equal(signer.kid, 'mock')
    assert.deepEqual(await signer.signDigest(DIGEST), { kid: 'mock', alg: 'hmac-sha256', signature: expectedSignature(DIGEST) })
    // Without a client certificate the handshake is refused.
    await assert.rejects(Signer.proxy(url, { agent: bare, timeoutMs: 2000 }).ready(), { code: 'PROXY_ERROR' })
    await assert.rejects(Signer.proxy(proxy.url, { timeoutMs: 2000 }).ready(), { code: 'PROXY_ERROR' }, 'plain HTTP to the TLS port')
  } finally {
    agent.destroy()
    bare.destroy()
    await proxy.stop()
    fs.rmSync(pki, { recursive: true, force: true })
  }
})
