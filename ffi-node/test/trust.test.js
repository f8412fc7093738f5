'use strict'
// Issue 8 ("Trust fixes"), the Node items: each test fails on the binding
// before the fix. Detached buffers (1), lone surrogates (4), JSON.stringify
// limits (9), the binding's own verification pool (11), public rings (14),
// messages (15), SigncoreError / ErrorCode (16), boot-time refusal (17).

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const signcore = require('..')
const {
  Signer,
  SigncoreError,
  ErrorCode,
  canonicalizePayload,
  canonicalizeJson,
  computeAuditDigest,
  keystoreMetadata,
  keystorePublicRing,
  verifyChain,
  verifyChainAsync,
  verifyManifest,
  verifySignature,
  initAuditSigning,
  signAuditDigest,
} = signcore

const ROOT = path.resolve(__dirname, '..')

/** A signed chain of `count` events, as JS objects. */
function chainOf(count, signer, payload = (i) => ({ seq: i, actor: 'svc', action: 'write', note: 'x'.repeat(40) })) {
  const events = []
  let prev = null
  for (let i = 0; i < count; i++) {
    const body = payload(i)
    const hash = computeAuditDigest(canonicalizePayload(body), prev)
    events.push({ payload: body, hash, prev_hash: prev, kid: signer.kid, alg: signer.alg, signature: signer.signSync(Buffer.from(hash, 'hex')).toString('hex') })
    prev = hash
  }
  return events
}

const HMAC_SECRET = 'trust-secret'
const hmacRing = (kid) => [{ kid, alg: 'hmac-sha256', secret_hex: Buffer.from(HMAC_SECRET).toString('hex') }]

function isSigncoreError(code) {
  return (e) => {
    assert.ok(e instanceof SigncoreError, `expected a SigncoreError, got ${e?.name}: ${e?.message}`)
    assert.ok(e instanceof Error)
    assert.equal(e.code, code, e.message)
    assert.ok(e.message.length > 0)
    return true
  }
}

// ------------------------------------------------------------------ item 1

test('1: async calls own their input: transferring the ArrayBuffer afterwards cannot crash', () => {
  // In a child process: on the old binding this was a SIGSEGV.
  const script = `
    const assert = require('node:assert/strict')
    const { Signer, verifyChainAsync, computeAuditDigest, canonicalizePayload } = require(${JSON.stringify(ROOT)})
    const signer = Signer.hmac('k', 'trust-secret')
    const ring = [{ kid: 'k', alg: 'hmac-sha256', secret_hex: Buffer.from('trust-secret').toString('hex') }]
    const events = []
    let prev = null
    for (let i = 0; i < 6000; i++) {
      const payload = { seq: i, note: 'y'.repeat(100) }
      const hash = computeAuditDigest(canonicalizePayload(payload), prev)
      events.push({ payload, hash, prev_hash: prev, kid: 'k', alg: 'hmac-sha256', signature: signer.signSync(Buffer.from(hash, 'hex')).toString('hex') })
      prev = hash
    }
    const text = JSON.stringify(events)
    const fresh = (s) => { const b = new Uint8Array(new ArrayBuffer(s.length + 16)); const v = b.subarray(8, 8 + s.length); v.set(Buffer.from(s)); return v }
    const churn = () => { globalThis.gc(); const junk = []; for (let i = 0; i < 64; i++) junk.push(new Uint8Array(1 << 20).fill(0xee)); globalThis.gc() }
    ;(async () => {
      const pending = []
      for (let round = 0; round < 4; round++) {
        const eventsBytes = fresh(text)
        const ringBytes = fresh(JSON.stringify(ring))
        pending.push(verifyChainAsync(eventsBytes, ringBytes))
        // Transfer (detach) both buffers at once, drop the clones, reuse the memory.
        structuredClone(eventsBytes.buffer, { transfer: [eventsBytes.buffer] })
        structuredClone(ringBytes.buffer, { transfer: [ringBytes.buffer] })
        assert.equal(eventsBytes.byteLength, 0)
        churn()
      }
      // A Buffer transferred through a MessageChannel.
      const buf = Buffer.from(fresh(text))
      pending.push(verifyChainAsync(buf, ring))
      const { port1, port2 } = new MessageChannel()
      port1.postMessage(buf.buffer, [buf.buffer])
      port1.close(); port2.close()
      churn()
      for (const report of await Promise.all(pending)) {
        assert.equal(report.ok, true)
        assert.equal(report.checked, 6000)
      }
      // The other calls that take bytes read them before they return.
      const digest = fresh('\\x01'.repeat(32))
      const signed = signer.sign(digest)
      const verified = signer.verify(digest, await signer.sign(Buffer.alloc(32, 1)))
      structuredClone(digest.buffer, { transfer: [digest.buffer] })
      churn()
      assert.equal((await signed).length, 32)
      assert.equal(await verified, true)
      console.log('ok ' + pending.length)
    })().catch((e) => { console.error(e); process.exit(1) })
  `
  const run = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 120_000 })
  assert.equal(run.signal, null, `child killed by ${run.signal}: ${run.stderr}`)
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stdout, /^ok 5/)
})

// ------------------------------------------------------------------ item 4

test('4: lone surrogates in every string argument are refused with LONE_SURROGATE', async () => {
  const lone = '\uD800'
  const seed = Buffer.alloc(32, 7)
  const keystore = Buffer.from(
    JSON.stringify([
      { key_id: '\uFFFD', alg: 'ed25519', secret_hex: seed.toString('hex') },
      { key_id: 'k', alg: 'hmac-sha256', secret_hex: '6b6579' },
    ]),
  )
  const ed = Signer.ed25519('e', seed)
  const hmac = Signer.hmac('h', HMAC_SECRET)
  const digest = 'ab'.repeat(32)
  const ring = hmacRing('h')
  const sync = {
    'Signer.hmac kid': () => Signer.hmac(`${lone}x`, 'secret'),
    'Signer.hmac secret': () => Signer.hmac('k', lone),
    'Signer.ed25519 kid': () => Signer.ed25519(lone, seed),
    'Signer.ed25519 seed': () => Signer.ed25519('k', `${lone}${'0'.repeat(63)}`),
    'Signer.fromKeystore keyId': () => Signer.fromKeystore(keystore, lone),
    'Signer.fromKeystore keyId (trail)': () => Signer.fromKeystore(keystore, `k${'\uDC00'}`),
    'Signer.fromKeystore path': () => Signer.fromKeystore(`/tmp/${lone}.json`, 'k'),
    'Signer.fromEnv RITMA_KEY_ID': () => Signer.fromEnv({ RITMA_KEY_ID: lone, MOCK_AUDIT_SIGNING_KEY: 'm' }, { onWarning() {} }),
    'Signer.fromEnv RITMA_KEYSTORE_PATH': () => Signer.fromEnv({ RITMA_KEY_ID: 'k', RITMA_KEYSTORE_PATH: lone }, { onWarning() {} }),
    'Signer.fromEnv AUDIT_SIGNING_KEY': () => Signer.fromEnv({ AUDIT_SIGNING_KEY: `a${lone}` }, { onWarning() {} }),
    'Signer.fromEnv MOCK_AUDIT_SIGNING_KEY': () => Signer.fromEnv({ MOCK_AUDIT_SIGNING_KEY: lone }, { onWarning() {} }),
    'Signer.fromEnv NODE_ENV': () => Signer.fromEnv({ NODE_ENV: lone, MOCK_AUDIT_SIGNING_KEY: 'm' }, { onWarning() {} }),
    'Signer.fromEnv SIGNING_PROXY_URL': () => Signer.fromEnv({ SIGNING_PROXY_URL: `http://127.0.0.1/${lone}` }),
    'Signer.fromEnv SIGNING_PROXY_API_KEY': () => Signer.fromEnv({ SIGNING_PROXY_URL: 'http://127.0.0.1', SIGNING_PROXY_API_KEY: lone }),
    'initAuditSigning env': () => initAuditSigning({ MOCK_AUDIT_SIGNING_KEY: lone }, { onWarning() {} }),
    'Signer.proxy url': () => Signer.proxy(`http://127.0.0.1/${lone}`),
    'Signer.proxy apiKey': () => Signer.proxy('http://127.0.0.1', { apiKey: lone }),
    'keystoreMetadata path': () => keystoreMetadata(lone),
    'keystorePublicRing path': () => keystorePublicRing(lone),
    'computeAuditDigest canonical': () => computeAuditDigest(lone, null),
    'computeAuditDigest prevHash': () => computeAuditDigest('{}', `${lone}${'a'.repeat(63)}`),
    'canonicalizeJson': () => canonicalizeJson(`"${lone}"`),
    'canonicalizePayload value': () => canonicalizePayload({ a: lone }),
    'canonicalizePayload key': () => canonicalizePayload({ [lone]: 1 }),
    'verifyChain events text': () => verifyChain(`[{"kid":"${lone}"}]`, ring),
    'verifyChain ring': () => verifyChain([], [{ kid: lone, alg: 'hmac-sha256', secret_hex: '00' }]),
    'verifyChain anchor': () => verifyChain([], ring, { anchor: `${lone}${'a'.repeat(63)}` }),
    'verifyManifest manifest': () => verifyManifest({ digest: digest, signatures: [{ kid: lone, alg: 'ed25519', signature: '00' }] }, ring, 1),
    'verifyManifest ring': () => verifyManifest({ digest, signatures: [] }, `[{"kid":"${lone}"}]`, 1),
    'verifySignature alg': () => verifySignature({ alg: lone, publicKey: ed.publicKey }, Buffer.alloc(1), ''),
    'verifySignature publicKey': () => verifySignature({ alg: 'ed25519', publicKey: lone }, Buffer.alloc(1), ''),
    'verifySignature secret': () => verifySignature({ alg: 'hmac-sha256', secret: lone }, Buffer.alloc(1), ''),
    'verifySignature signature': () => verifySignature({ alg: 'hmac-sha256', secret: 'k' }, Buffer.alloc(1), lone),
  }
  for (const [name, f] of Object.entries(sync)) {
    assert.throws(f, isSigncoreError('LONE_SURROGATE'), name)
  }
  const rejected = {
    'verifyChainAsync events text': () => verifyChainAsync(`[{"kid":"${lone}"}]`, ring),
    'verifyChainAsync ring': () => verifyChainAsync([], [{ kid: lone }]),
    'verifyChainAsync anchor': () => verifyChainAsync([], ring, { anchor: lone }),
    'signer.signDigest': () => hmac.signDigest(`${'a'.repeat(63)}${lone}`),
    'ed25519 signDigest': () => ed.signDigest(lone.repeat(64)),
    'signAuditDigest': () => signAuditDigest(`${lone}${'a'.repeat(63)}`, hmac),
  }
  for (const [name, f] of Object.entries(rejected)) {
    await assert.rejects(f(), isSigncoreError('LONE_SURROGATE'), name)
  }
  // Inside a chain, an event holding one is a MALFORMED finding at its index
  // (the other events are still checked), never read as U+FFFD.
  const hmacEvents = chainOf(2, hmac)
  hmacEvents[1].kid = `h${lone}`
  for (const report of [verifyChain(hmacEvents, ring), await verifyChainAsync(hmacEvents, ring)]) {
    assert.deepEqual(report.errors.map((f) => `${f.index}:${f.code}`), ['1:MALFORMED'])
  }
  // The old binding selected the record whose key_id is U+FFFD.
  assert.equal(Signer.fromKeystore(keystore, '\uFFFD').alg, 'ed25519')
})

// ------------------------------------------------------------------ item 9

test('9: JSON.stringify limits are LIMIT_EXCEEDED; BigInt and cycles have codes', async (t) => {
  let deep = { leaf: true }
  for (let i = 0; i < 100_000; i++) deep = { a: deep }
  const deepArray = []
  let cursor = deepArray
  for (let i = 0; i < 100_000; i++) cursor = cursor[0] = []
  const ring = hmacRing('h')
  for (const [name, f] of Object.entries({
    'canonicalizePayload object': () => canonicalizePayload(deep),
    'canonicalizePayload array': () => canonicalizePayload(deepArray),
    'verifyChain events': () => verifyChain([{ payload: deep }], ring),
    'verifyChain ring': () => verifyChain([], [deep]),
    'verifyManifest': () => verifyManifest({ digest: deep }, ring, 1),
  })) {
    assert.throws(f, (e) => isSigncoreError('LIMIT_EXCEEDED')(e) && /nested too deeply/.test(e.message) && /64/.test(e.message), name)
  }
  await assert.rejects(verifyChainAsync([{ payload: deep }], ring), isSigncoreError('LIMIT_EXCEEDED'))

  const cyclic = { a: 1 }
  cyclic.self = cyclic
  for (const f of [() => canonicalizePayload(cyclic), () => verifyChain([cyclic], ring), () => verifyManifest(cyclic, ring, 1)]) {
    assert.throws(f, { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: /cycle/ })
  }
  for (const f of [() => canonicalizePayload({ n: 1n }), () => canonicalizePayload(5n), () => verifyChain([{ payload: 2n }], ring)]) {
    assert.throws(f, { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /BigInt/ })
  }
  // An error thrown by the payload's own toJSON passes through unchanged.
  const mine = new RangeError('mine')
  assert.throws(() => canonicalizePayload({ toJSON() { throw mine } }), (e) => e === mine)

  // A chain whose JSON would be longer than V8's longest string (~512 MiB).
  const { constants } = require('node:buffer')
  const huge = 'x'.repeat(constants.MAX_STRING_LENGTH - 2)
  const started = Date.now()
  assert.throws(
    () => verifyChain([{ payload: huge }], ring),
    (e) => isSigncoreError('LIMIT_EXCEEDED')(e) && /Buffer or Uint8Array/.test(e.message) && e.cause instanceof RangeError,
  )
  t.diagnostic(`over-long chain refused in ${Date.now() - started} ms`)
})

// ----------------------------------------------------------------- item 11

test('11: chain checks run on the binding pool: fs keeps flowing while 8 run', async (t) => {
  const signer = Signer.ed25519('pool', Buffer.alloc(32, 11))
  const events = Buffer.from(JSON.stringify(chainOf(1500, signer)))
  const ring = [{ kid: 'pool', alg: 'ed25519', public_key: signer.publicKey.toString('hex') }]
  const small = path.join(os.tmpdir(), `signcore-node8-${process.pid}.txt`)
  fs.writeFileSync(small, 'small file')
  try {
    const started = process.hrtime.bigint()
    let firstSettled = null
    const runs = Array.from({ length: 8 }, () =>
      verifyChainAsync(events, ring).then((report) => {
        firstSettled ??= process.hrtime.bigint()
        return report
      }),
    )
    // Liveness, not a benchmark: libuv's pool (fs, dns.lookup, zlib) is not
    // where the checks run, so a read completes before any check does.
    const text = await fs.promises.readFile(small, 'utf8')
    const readDone = process.hrtime.bigint()
    assert.equal(text, 'small file')
    const reports = await Promise.all(runs)
    const ms = (ns) => Number(ns / 1_000_000n)
    t.diagnostic(`readFile ${ms(readDone - started)} ms; first check ${ms(firstSettled - started)} ms; all ${ms(process.hrtime.bigint() - started)} ms`)
    assert.ok(reports.every((r) => r.ok && r.checked === 1500))
    assert.equal(firstSettled === null || readDone <= firstSettled, true, 'fs.readFile waited for a chain check')
    assert.ok(ms(readDone - started) < 10_000, 'fs.readFile took more than 10 s')
  } finally {
    fs.rmSync(small, { force: true })
  }
  // Cancellation still works: an aborted call rejects at once with AbortError.
  const controller = new AbortController()
  const queued = Array.from({ length: 4 }, () => verifyChainAsync(events, ring, { signal: controller.signal }))
  const reason = new Error('stop')
  controller.abort(reason)
  for (const p of queued) {
    await assert.rejects(p, (e) => isSigncoreError('ABORT_ERR')(e) && e.name === 'AbortError' && e.cause === reason)
  }
  // The pool keeps working after cancelled jobs.
  assert.equal((await verifyChainAsync(events, ring)).ok, true)

  // The queue is bounded: with every thread busy and 256 calls waiting, the
  // next ones reject with QUEUE_FULL (then the waiting ones are aborted).
  const flood = new AbortController()
  require('node:events').setMaxListeners(400, flood.signal)
  const settled = Array.from({ length: 320 }, () =>
    verifyChainAsync(events, ring, { signal: flood.signal }).then(
      () => 'ok',
      (e) => e.code,
    ),
  )
  const full = await Promise.race([Promise.all(settled.slice(-20)), new Promise((resolve) => setTimeout(resolve, 30_000, null))])
  flood.abort()
  const codes = await Promise.all(settled)
  assert.deepEqual(full, Array(20).fill('QUEUE_FULL'))
  const count = (code) => codes.filter((c) => c === code).length
  t.diagnostic(`320 concurrent calls: ${count('QUEUE_FULL')} QUEUE_FULL, ${count('ABORT_ERR')} aborted while waiting, ${count('ok')} done`)
  assert.ok(count('QUEUE_FULL') >= 20 && count('QUEUE_FULL') <= 320 - 256)
  // Aborted calls left the queue at once: there is room again.
  assert.equal((await verifyChainAsync(events, ring)).ok, true)
})

// ----------------------------------------------------------------- item 14

test('14: signer.ringEntry() and keystorePublicRing() give public rings that verify', async () => {
  const seed = Buffer.alloc(32, 14)
  const ed = Signer.ed25519('node-ed', seed)
  const entry = ed.ringEntry()
  assert.deepEqual(entry, { kid: 'node-ed', alg: 'ed25519', public_key: ed.publicKey.toString('hex') })
  assert.deepEqual(ed.ringEntry({ includeSecret: true }), entry, 'an Ed25519 entry never holds the seed')
  const events = chainOf(5, ed)
  assert.equal(verifyChain(events, [entry]).ok, true)
  // public_key as bytes in a JS ring.
  assert.equal(verifyChain(events, [{ kid: 'node-ed', alg: 'ed25519', public_key: ed.publicKey }]).ok, true)
  assert.equal((await verifyChainAsync(events, [{ kid: 'node-ed', alg: 'ed25519', public_key: new Uint8Array(ed.publicKey) }])).ok, true)

  const hmac = Signer.hmac('node-hmac', HMAC_SECRET)
  assert.throws(() => hmac.ringEntry(), (e) => isSigncoreError('NO_PUBLIC_KEY')(e) && /includeSecret/.test(e.message) && !e.message.includes(HMAC_SECRET))
  assert.deepEqual(hmac.ringEntry({ includeSecret: true }), hmacRing('node-hmac')[0])
  assert.throws(() => hmac.ringEntry({ includeSecret: 'yes' }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  assert.throws(() => Signer.proxy('http://127.0.0.1:9').ringEntry(), isSigncoreError('NO_PUBLIC_KEY'))
  ed.dispose()
  assert.throws(() => ed.ringEntry(), isSigncoreError('SIGNER_DISPOSED'))

  const keystore = [
    { key_id: 'a', alg: 'ed25519', secret_hex: seed.toString('hex'), label: 'node a' },
    { key_id: 'b', alg: 'hmac-sha256', secret_hex: Buffer.from(HMAC_SECRET).toString('hex') },
  ]
  const file = path.join(os.tmpdir(), `signcore-node8-ks-${process.pid}.json`)
  fs.writeFileSync(file, JSON.stringify(keystore))
  try {
    const ring = keystorePublicRing(file)
    assert.deepEqual(ring, [{ kid: 'a', alg: 'ed25519', public_key: entry.public_key }])
    assert.ok(!JSON.stringify(ring).includes(seed.toString('hex')))
    assert.deepEqual(keystorePublicRing(Buffer.from(JSON.stringify(keystore)), { includeHmacSecrets: true }), [ring[0], hmacRing('b')[0]])
    const fromStore = Signer.fromKeystore(file, 'a')
    assert.equal(verifyChain(chainOf(3, fromStore), ring).ok, true)
    assert.throws(() => keystorePublicRing(file, { includeHmacSecrets: 1 }), { name: 'TypeError' })
    assert.throws(() => keystorePublicRing(Buffer.from('[{"key_id":"x"}]')), isSigncoreError('INVALID_KEYSTORE'))
    assert.throws(() => keystorePublicRing('/no/such/keystore.json'), (e) => isSigncoreError('KEYSTORE_UNREADABLE')(e) && /no\/such/.test(e.message))
  } finally {
    fs.rmSync(file, { force: true })
  }
})

// ----------------------------------------------------------------- item 15

test('15: messages name the argument and never the secret', () => {
  assert.throws(() => computeAuditDigest('{}', 'zz'), (e) => isSigncoreError('INVALID_HEX')(e) && /"prevHash"/.test(e.message))
  const secret = 'do-not-print-this-secret-value-0123456789'
  const keystore = Buffer.from(JSON.stringify([{ key_id: 'k', alg: 'ed25519', secret_hex: `${secret}` }]))
  assert.throws(() => Signer.fromKeystore(keystore, 'k'), (e) => isSigncoreError('INVALID_KEYSTORE')(e) && !e.message.includes(secret) && /k/.test(e.message))
  assert.throws(() => keystoreMetadata('/no/such/dir/ks.json'), (e) => isSigncoreError('KEYSTORE_UNREADABLE')(e) && /\/no\/such\/dir\/ks\.json/.test(e.message) && /ENOENT|No such file/i.test(e.message))
  assert.throws(() => Signer.hmac('', 'x'), (e) => isSigncoreError('INVALID_KEY_ID')(e) && /kid/.test(e.message))
})

// ----------------------------------------------------------------- item 16

test('16: SigncoreError and ErrorCode cover every error the package throws', async () => {
  assert.equal(typeof SigncoreError, 'function')
  const made = new SigncoreError('INVALID_JSON', 'x')
  assert.ok(made instanceof Error)
  assert.equal(made.name, 'SigncoreError')
  assert.ok(Object.isFrozen(ErrorCode))
  for (const [k, v] of Object.entries(ErrorCode)) assert.equal(k, v)

  // Every code the core can give (core/src/error.rs, Error::code) is listed.
  const errorRs = fs.readFileSync(path.join(ROOT, '..', 'core', 'src', 'error.rs'), 'utf8')
  const body = errorRs.slice(errorRs.indexOf('pub fn code(&self)'))
  const coreCodes = [...body.slice(0, body.indexOf('\n    }\n')).matchAll(/"([A-Z][A-Z0-9_]+)"/g)].map((m) => m[1])
  assert.ok(coreCodes.length >= 15, `read ${coreCodes.length} core codes`)
  for (const code of coreCodes) assert.equal(ErrorCode[code], code, `ErrorCode lacks the core's ${code}`)
  for (const code of ['ERR_INVALID_ARG_TYPE', 'ERR_OUT_OF_RANGE', 'ERR_INVALID_URL', 'ABORT_ERR']) assert.equal(ErrorCode[code], code)

  // Errors from every layer: native, binding, async, proxy, abort.
  const thrown = []
  const grab = (f) => {
    try {
      f()
    } catch (e) {
      thrown.push(e)
      return e
    }
    assert.fail('did not throw')
  }
  const grabAsync = async (p) => {
    try {
      await p
    } catch (e) {
      thrown.push(e)
      return e
    }
    assert.fail('did not reject')
  }
  const signer = Signer.hmac('k', 'secret')
  grab(() => canonicalizeJson('{"a":1,"a":2}'))
  grab(() => canonicalizePayload({ x: NaN }))
  grab(() => verifyChain('[', '[]'))
  grab(() => Signer.fromKeystore(Buffer.from('[]'), 'k'))
  grab(() => verifyManifest({ digest: 'ab'.repeat(32), signatures: [] }, '[]', 0))
  grab(() => Signer.fromEnv({}, { onWarning() {} }))
  grab(() => Signer.proxy('http://127.0.0.1:9').signSync(Buffer.alloc(32)))
  await grabAsync(verifyChainAsync('[', '[]'))
  await grabAsync(verifyChainAsync('[]', '[]', { signal: AbortSignal.abort() }))
  await grabAsync(Signer.proxy('http://127.0.0.1:9', { timeoutMs: 2000 }).signDigest('ab'.repeat(32)))
  signer.dispose()
  grab(() => signer.signSync(Buffer.alloc(32)))
  await grabAsync(signer.signDigest('ab'.repeat(32)))
  grab(() => verifySignature({ alg: 'nope', secret: 'k' }, Buffer.alloc(1), ''))
  for (const e of thrown) {
    assert.ok(e instanceof SigncoreError, `${e.name}: ${e.message}`)
    assert.equal(typeof e.code, 'string')
    assert.equal(ErrorCode[e.code], e.code, `${e.code} not in ErrorCode`)
  }
  assert.deepEqual(
    thrown.map((e) => e.code),
    ['DUPLICATE_MEMBER', 'NON_FINITE_NUMBER', 'INVALID_JSON', 'KEY_NOT_FOUND', 'INVALID_THRESHOLD', 'NO_SIGNER', 'SYNC_UNSUPPORTED', 'INVALID_JSON', 'ABORT_ERR', 'PROXY_ERROR', 'SIGNER_DISPOSED', 'SIGNER_DISPOSED', 'UNKNOWN_ALGORITHM'],
  )
  // Argument errors stay Node's TypeError / RangeError, with codes in ErrorCode.
  for (const [f, name, code] of [
    [() => canonicalizeJson(5), 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    [() => verifyManifest('{}', '[]', -1), 'RangeError', 'ERR_OUT_OF_RANGE'],
    [() => Signer.proxy('not a url'), 'TypeError', 'ERR_INVALID_URL'],
    [() => Signer.fromEnv({ SIGNING_PROXY_URL: 'http://127.0.0.1:9' }, { apiKey: 'k' }), 'TypeError', 'ERR_INVALID_ARG_VALUE'],
  ]) {
    assert.throws(f, (e) => e.name === name && e.code === code && !(e instanceof SigncoreError) && ErrorCode[e.code] === code)
  }
  // computeAuditDigest's prevHash is optional.
  assert.equal(computeAuditDigest('{}'), computeAuditDigest('{}', null))
})

// ----------------------------------------------------------------- item 17

test('17: initAuditSigning resolves the signer once at start-up and fails fast', async () => {
  // In a child process: the default signer is process-wide state.
  const script = `
    const assert = require('node:assert/strict')
    const { initAuditSigning, signAuditDigest, Signer, SigncoreError } = require(${JSON.stringify(ROOT)})
    const quiet = { onWarning() {} }
    const refuse = (env, code, pattern) => assert.throws(() => initAuditSigning(env, quiet), (e) => e instanceof SigncoreError && e.code === code && pattern.test(e.message))
    refuse({}, 'SIGNER_REQUIRED', /^Audit signing is required/)
    refuse({ NODE_ENV: 'production', MOCK_AUDIT_SIGNING_KEY: 'm' }, 'SIGNER_REQUIRED', /^Audit signing is required/)
    refuse({ REQUIRE_KMS: 'true', AUDIT_SIGNING_KEY: 'k' }, 'SIGNER_REQUIRED', /^Audit signing is required/)
    // REQUIRE_KMS: true/1/yes/on guard (case-insensitive), false/0/no/off or empty do not; anything else fails start.
    for (const v of ['1', 'YES', 'on', 'True']) refuse({ REQUIRE_KMS: v, MOCK_AUDIT_SIGNING_KEY: 'm' }, 'SIGNER_REQUIRED', /^Audit signing is required \\(REQUIRE_KMS/)
    for (const v of ['maybe', '2', 'enabled']) refuse({ REQUIRE_KMS: v, MOCK_AUDIT_SIGNING_KEY: 'm' }, 'INVALID_SIGNER_CONFIG', /^REQUIRE_KMS: /)
    for (const v of ['off', '0', 'No', '']) assert.equal(initAuditSigning({ REQUIRE_KMS: v, MOCK_AUDIT_SIGNING_KEY: 'm' }, quiet).kid, 'mock')
    // NODE_ENV: a known name or empty; anything else fails start.
    for (const v of ['prod', 'prd', 'live']) refuse({ NODE_ENV: v, MOCK_AUDIT_SIGNING_KEY: 'm' }, 'INVALID_SIGNER_CONFIG', /^NODE_ENV: /)
    for (const v of ['development', 'test', 'staging', 'ci', 'local', '']) assert.equal(initAuditSigning({ NODE_ENV: v, MOCK_AUDIT_SIGNING_KEY: 'm' }, quiet).kid, 'mock')
    ;(async () => {
      process.env.MOCK_AUDIT_SIGNING_KEY = 'boot-key'
      const signer = initAuditSigning(process.env, quiet)
      assert.ok(signer instanceof Signer)
      assert.equal(signer.kid, 'mock')
      const digest = 'ab'.repeat(32)
      const first = await signAuditDigest(digest)
      assert.equal(first.kid, 'mock')
      // Resolved once: a later change of process.env does not swap the signer.
      process.env.MOCK_AUDIT_SIGNING_KEY = 'other-key'
      assert.deepEqual(await signAuditDigest(digest), first)
      console.log('ok')
    })().catch((e) => { console.error(e); process.exit(1) })
  `
  const env = { PATH: process.env.PATH }
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env, timeout: 60_000 })
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stdout, /^ok/)
})

// ------------------------------------------------------- items 2, 3, 8 (core)

/** `depth` nested arrays around a 1 (`[1]` has depth 1). */
function nested(depth) {
  let value = 1
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

test('2: whatever canonicalizePayload accepts, verifyChain verifies (depth 62..65 under the envelope)', async () => {
  const signer = Signer.hmac('deep', HMAC_SECRET)
  const ring = hmacRing('deep')
  for (const depth of [62, 63, 64]) assert.equal(typeof canonicalizePayload(nested(depth)), 'string', `depth ${depth}`)
  assert.throws(() => canonicalizePayload(nested(65)), isSigncoreError('LIMIT_EXCEEDED'))
  const events = chainOf(3, signer, (i) => nested(62 + i))
  // A 65-deep payload cannot be signed through canonicalizePayload; stored anyway (e.g. by another writer).
  const last = events[2]
  const tooDeep = { payload: nested(65), hash: 'cd'.repeat(32), prev_hash: last.hash, kid: 'deep', alg: 'hmac-sha256', signature: '00'.repeat(32) }
  const good = chainOf(1, signer)[0]
  for (const chain of [[...events], [...events, tooDeep], [...events, tooDeep, { ...good, prev_hash: tooDeep.hash }]]) {
    const expected = chain.length > 3 ? ['3:MALFORMED'] : []
    for (const input of [chain, JSON.stringify(chain), Buffer.from(JSON.stringify(chain))]) {
      const report = verifyChain(input, ring)
      assert.equal(report.checked, chain.length)
      // The event after the malformed one is still verified: its signature is
      // good, its hash does not match its new prev_hash.
      const keys = report.errors.map((f) => `${f.index}:${f.code}`)
      assert.deepEqual(keys.filter((k) => k.startsWith('3:')), expected)
      assert.deepEqual(keys.filter((k) => !k.startsWith('3:') && !k.startsWith('4:')), [])
      if (chain.length === 5) assert.deepEqual(keys.filter((k) => k.startsWith('4:')), ['4:HASH_MISMATCH'])
      assert.deepEqual(await verifyChainAsync(input, ring), report)
    }
  }
})

test('3: one key under two kids counts once towards a manifest threshold', async () => {
  const a = Signer.ed25519('a', Buffer.alloc(32, 3))
  const digest = 'ef'.repeat(32)
  const block = await a.signDigest(digest)
  const ring = [a.ringEntry(), { ...a.ringEntry(), kid: 'a-again' }]
  const manifest = { digest, signatures: [block, { ...block, kid: 'a-again' }] }
  const report = verifyManifest(manifest, ring, 2)
  assert.equal(report.valid, 1)
  assert.equal(report.ok, false)
  assert.equal(verifyManifest(manifest, ring, 1).ok, true)
  // The same for HMAC keys.
  const h = hmacRing('h')[0]
  const hmacBlock = await Signer.hmac('h', HMAC_SECRET).signDigest(digest)
  const hmacReport = verifyManifest({ digest, signatures: [hmacBlock, { ...hmacBlock, kid: 'h2' }] }, [h, { ...h, kid: 'h2' }], 2)
  assert.equal(hmacReport.valid, 1)
  assert.equal(hmacReport.ok, false)
})

test('8: a 10,000-key keystore loads as metadata, as a signer and as a ring (no 256-key ring limit)', (t) => {
  const KEYS = 10_000
  const records = Array.from({ length: KEYS }, (_, i) => ({
    key_id: `key-${i}`,
    // Mostly HMAC (cheap to build): the old cost was the duplicate-id scan, whatever the alg.
    alg: i % 100 === 1 ? 'ed25519' : 'hmac-sha256',
    secret_hex: require('node:crypto').createHash('sha256').update(`k${i}`).digest('hex'),
  }))
  const keystore = Buffer.from(JSON.stringify(records))
  const started = Date.now()
  const metadata = keystoreMetadata(keystore)
  assert.equal(metadata.length, KEYS)
  assert.equal(metadata[KEYS - 1].key_id, `key-${KEYS - 1}`)
  const signer = Signer.fromKeystore(keystore, `key-${KEYS - 99}`)
  const events = chainOf(3, signer)
  assert.equal(verifyChain(events, keystore).ok, true)
  const ring = keystorePublicRing(keystore)
  assert.equal(ring.length, KEYS / 100)
  assert.equal(verifyChain(events, ring).ok, true)
  // A big JS ring, HMAC entries included.
  const hmacSigner = Signer.fromKeystore(keystore, 'key-0')
  assert.equal(verifyChain(chainOf(2, hmacSigner), keystorePublicRing(keystore, { includeHmacSecrets: true })).ok, true)
  // Duplicates are still found, at the end of a long file too.
  const dup = Buffer.from(JSON.stringify([...records, { ...records[0] }]))
  assert.throws(() => keystoreMetadata(dup), isSigncoreError('INVALID_KEYSTORE'))
  t.diagnostic(`${KEYS}-key keystore: metadata, signer, two rings and a duplicate check in ${Date.now() - started} ms (bench: npm run bench -- --only keystore)`)
})
