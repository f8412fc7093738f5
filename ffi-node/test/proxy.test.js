'use strict'
// The signing-proxy backend against a mock proxy on 127.0.0.1 (node:http)
// that answers with the core's mock signer: success, API key, timeouts,
// error answers, malformed answers. A failed signing rejects and returns
// nothing.

const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')

const { Signer, signAuditDigest, computeAuditDigest, canonicalizePayload } = require('..')
const { hmac, sha256 } = require('./helpers.js')

const MOCK_KEY = 'proxy-mock-key'
const API_KEY = 'local-ci-key'
const DIGEST = sha256(Buffer.from('event')).toString('hex')

/** A mock signing proxy; `mode` selects how it answers. */
async function startProxy() {
  const mock = Signer.fromEnv({ MOCK_AUDIT_SIGNING_KEY: MOCK_KEY }, { onWarning() {} })
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
      if (req.headers.authorization !== `Bearer ${API_KEY}`) return send(401, { error: 'unauthorized' })
      if (req.method !== 'POST') return send(405, { error: 'method' })
      const { mode } = state
      if (mode === 'slow') return setTimeout(() => send(200, {}), 2000).unref()
      if (mode === 'error') return send(500, { error: 'hsm unavailable' })
      if (mode === 'not-json') return send(200, '<html>')
      const input = JSON.parse(body)
      if (req.url === '/sign/hash') {
        const block = await mock.signDigest(input.digest_hex)
        if (mode === 'no-kid') return send(200, { alg: block.alg, signature: block.signature })
        if (mode === 'bad-hex') return send(200, { ...block, signature: 'xyz' })
        if (mode === 'short') return send(200, { ...block, signature: block.signature.slice(0, 62) })
        if (mode === 'odd-alg') return send(200, { ...block, alg: 'ecdsa-p256' })
        if (mode === 'upper') return send(200, { ...block, alg: 'HMAC_SHA_256', signature: block.signature.toUpperCase() })
        return send(200, block)
      }
      if (req.url === '/verify') {
        const valid = mock.verifySync(Buffer.from(input.digest_hex, 'hex'), Buffer.from(input.signature, 'hex'))
        return send(200, { valid })
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

let proxy
test.before(async () => {
  proxy = await startProxy()
})
test.after(() => proxy.close())
test.beforeEach(() => {
  proxy.state.mode = 'ok'
  proxy.state.requests.length = 0
})

const expectedSignature = (digestHex) => hmac(Buffer.from(MOCK_KEY), Buffer.from(digestHex, 'hex')).toString('hex')

test('signs through POST /sign/hash with the Bearer API key', async () => {
  const signer = Signer.proxy(proxy.url, { apiKey: API_KEY })
  assert.equal(signer.backend, 'proxy')
  const block = await signer.signDigest(DIGEST.toUpperCase())
  assert.deepEqual(block, { kid: 'mock', alg: 'hmac-sha256', signature: expectedSignature(DIGEST) })
  const [request] = proxy.state.requests
  assert.equal(request.url, '/sign/hash')
  assert.equal(request.authorization, `Bearer ${API_KEY}`)
  assert.deepEqual(JSON.parse(request.body), { digest_hex: DIGEST })
  const raw = await signer.sign(Buffer.from(DIGEST, 'hex'))
  assert.equal(raw.toString('hex'), expectedSignature(DIGEST))
  proxy.state.mode = 'upper'
  assert.deepEqual(await signer.signDigest(DIGEST), block, 'alg and hex normalized')
})

test('verifies through POST /verify', async () => {
  const signer = Signer.proxy(`${proxy.url}/`, { apiKey: API_KEY })
  const digest = Buffer.from(DIGEST, 'hex')
  assert.equal(await signer.verify(digest, Buffer.from(expectedSignature(DIGEST), 'hex')), true)
  assert.equal(await signer.verify(digest, Buffer.alloc(32)), false)
  assert.equal(proxy.state.requests.at(-1).url, '/verify')
})

test('Signer.fromEnv and signAuditDigest use SIGNING_PROXY_URL / SIGNING_PROXY_API_KEY', async () => {
  const signer = Signer.fromEnv({ SIGNING_PROXY_URL: proxy.url, SIGNING_PROXY_API_KEY: API_KEY, NODE_ENV: 'production', REQUIRE_KMS: 'true' })
  const canonical = canonicalizePayload({ action: 'login', actor: 'bob' })
  const digest = computeAuditDigest(canonical, null)
  const block = await signAuditDigest(digest, signer)
  assert.equal(block.signature, expectedSignature(digest))
  const saved = { ...process.env }
  try {
    process.env.SIGNING_PROXY_URL = proxy.url
    process.env.SIGNING_PROXY_API_KEY = API_KEY
    assert.deepEqual(await signAuditDigest(digest), block)
  } finally {
    for (const k of Object.keys(process.env)) delete process.env[k]
    Object.assign(process.env, saved)
  }
})

test('failures reject with PROXY_ERROR / PROXY_TIMEOUT and return nothing', async () => {
  const signer = Signer.proxy(proxy.url, { apiKey: API_KEY, timeoutMs: 200 })
  const cases = [
    ['error', { code: 'PROXY_ERROR', status: 500, message: /audit signing failed: .*HTTP 500/ }],
    ['not-json', { code: 'PROXY_ERROR', message: /other than JSON/ }],
    ['no-kid', { code: 'PROXY_ERROR', message: /no kid/ }],
    ['bad-hex', { code: 'PROXY_ERROR', message: /not hex/ }],
    ['short', { code: 'PROXY_ERROR', message: /31-byte signature/ }],
    ['odd-alg', { code: 'PROXY_ERROR', message: /unknown alg/ }],
  ]
  for (const [mode, expected] of cases) {
    proxy.state.mode = mode
    await assert.rejects(signer.signDigest(DIGEST), expected, mode)
  }
  proxy.state.mode = 'slow'
  const started = Date.now()
  await assert.rejects(signer.signDigest(DIGEST), { code: 'PROXY_TIMEOUT', message: /within 200 ms/ })
  assert.ok(Date.now() - started < 1500, 'the timeout fired')
  proxy.state.mode = 'error'
  await assert.rejects(signer.verify(Buffer.from(DIGEST, 'hex'), Buffer.alloc(32)), { code: 'PROXY_ERROR' })
})

test('a wrong API key is refused and never echoed', async () => {
  const signer = Signer.proxy(proxy.url, { apiKey: 'wrong-key-value' })
  const error = await signer.signDigest(DIGEST).catch((e) => e)
  assert.equal(error.code, 'PROXY_ERROR')
  assert.equal(error.status, 401)
  assert.doesNotMatch(error.message, /wrong-key-value/)
  const noKey = Signer.proxy(proxy.url)
  await assert.rejects(noKey.signDigest(DIGEST), { status: 401 })
  assert.equal(proxy.state.requests.at(-1).authorization, undefined)
})

test('unreachable proxy, bad digests and disposal fail before or without a request', async () => {
  const closed = await startProxy()
  await closed.close()
  await assert.rejects(Signer.proxy(closed.url, { apiKey: API_KEY }).signDigest(DIGEST), { code: 'PROXY_ERROR', message: /ECONNREFUSED/ })
  const signer = Signer.proxy(proxy.url, { apiKey: API_KEY })
  await assert.rejects(signer.signDigest('xyz'), { code: 'INVALID_HEX' })
  await assert.rejects(signer.signDigest('ab'), { code: 'INVALID_LENGTH' })
  await assert.rejects(signer.sign(Buffer.alloc(31)), { code: 'INVALID_LENGTH' })
  assert.equal(proxy.state.requests.length, 0)
  assert.throws(() => Signer.proxy(proxy.url, { timeoutMs: -1 }), TypeError)
  assert.throws(() => Signer.proxy(proxy.url, { apiKey: 5 }), TypeError)
  assert.throws(() => Signer.proxy(5), TypeError)
  assert.throws(() => Signer.proxy('not a url'), { code: 'ERR_INVALID_URL' })
  signer.dispose()
  assert.equal(signer.disposed, true)
  await assert.rejects(signer.signDigest(DIGEST), { code: 'SIGNER_DISPOSED' })
  const withBadKey = Signer.proxy(proxy.url, { apiKey: 'line\nbreak' })
  await assert.rejects(withBadKey.signDigest(DIGEST), { code: 'PROXY_ERROR', message: /could not be made/ })
})

test('the seed flow: sign before storing; a failed signing stores nothing', async () => {
  const stored = []
  async function append(signer, payload) {
    const prev = stored.at(-1)?.hash ?? null
    const canonical = canonicalizePayload(payload)
    const hash = computeAuditDigest(canonical, prev)
    const block = await signAuditDigest(hash, signer)
    stored.push({ payload, hash, prev_hash: prev, ...block })
  }
  const signer = Signer.proxy(proxy.url, { apiKey: API_KEY, timeoutMs: 200 })
  await append(signer, { n: 1 })
  proxy.state.mode = 'slow'
  await assert.rejects(append(signer, { n: 2 }), { code: 'PROXY_TIMEOUT' })
  proxy.state.mode = 'error'
  await assert.rejects(append(signer, { n: 2 }), { code: 'PROXY_ERROR' })
  proxy.state.mode = 'ok'
  await append(signer, { n: 2 })
  assert.equal(stored.length, 2)
  assert.equal(stored[1].prev_hash, stored[0].hash)
})
