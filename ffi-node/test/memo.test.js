'use strict'
// computeAuditDigest(canonicalizePayload(payload), prevHash) through the
// one-entry memo (src/memo.rs, issue 14 goal 2b): the digest of the string
// canonicalizePayload last returned is made from the UTF-8 bytes kept
// natively. Same digests as the normal path (the string read again) and as
// node:crypto, on every shared vector and on random values; the memo's
// invalidation (another string with equal or different content, interleaved
// calls, failed calls, long strings, two loaded copies of index.js, worker
// threads); and the string reads and writes of src/text.rs (a payload's
// text read as UTF-16 and transcoded natively up to 2^18 units, V8's UTF-8
// beyond and for other text) on both sides of that limit.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const path = require('node:path')
const { Worker } = require('node:worker_threads')

const signcore = require('..')
const native = require('../binding.js')
const { readJsonVector, prng } = require('./helpers.js')

/** SHA256(canonical UTF-8 || prev bytes) with node:crypto. */
function expectedDigest(canonical, prev) {
  const h = crypto.createHash('sha256').update(Buffer.from(canonical, 'utf8'))
  if (prev !== null && prev !== undefined) h.update(Buffer.from(prev, 'hex'))
  return h.digest('hex')
}

/** A copy of `s` that is another string object with the same content. */
function freshCopy(s) {
  return Buffer.from(s, 'utf8').toString('utf8')
}

function hashOf(i) {
  return crypto.createHash('sha256').update(`prev ${i}`).digest('hex')
}

test('memo digest = the normal path = node:crypto on every shared vector', (t) => {
  let count = 0
  const check = (payload, prev, what) => {
    const canonical = signcore.canonicalizePayload(payload)
    const viaMemo = signcore.computeAuditDigest(canonical, prev)
    // The normal path: the native call, given the string again.
    assert.equal(viaMemo, native.auditDigest(canonical, prev), what)
    assert.equal(viaMemo, expectedDigest(canonical, prev), what)
    count++
  }
  for (const [i, c] of readJsonVector('generated', 'jcs_cases.json').entries()) {
    check(JSON.parse(c.input), null, `jcs case ${i}`)
    check(JSON.parse(c.input), hashOf(i), `jcs case ${i} with prevHash`)
  }
  const { scenarios } = readJsonVector('generated', 'audit_chains.json')
  for (const s of scenarios) {
    for (const [i, e] of s.events.entries()) {
      if (e === null || typeof e !== 'object' || !('payload' in e)) continue
      const prev = typeof e.prev_hash === 'string' && /^[0-9a-fA-F]{64}$/.test(e.prev_hash) ? e.prev_hash : null
      check(e.payload, prev, `${s.name} event ${i}`)
      // A valid event's stored hash is this digest.
      if (s.expected?.ok === true) assert.equal(signcore.computeAuditDigest(signcore.canonicalizePayload(e.payload), e.prev_hash), e.hash)
    }
  }
  t.diagnostic(`memo digest = normal path = node:crypto: ${count} shared vectors`)
})

test('memo digest = the normal path on 2,000 seeded random values', (t) => {
  const rand = prng(0x3e3011)
  const chars = ['a', 'é', 'ß', '日', '😀', '"', '\\', '\n', '\u0001', '\u2028', 'z']
  const str = () => Array.from({ length: Math.floor(rand() * 8) }, () => chars[Math.floor(rand() * chars.length)]).join('')
  const value = (depth) => {
    const r = rand()
    if (depth > 3 || r < 0.4) return [null, true, 1.5e-7 * rand(), Math.floor(rand() * 1e9), str()][Math.floor(rand() * 5)]
    if (r < 0.7) return Array.from({ length: Math.floor(rand() * 5) }, () => value(depth + 1))
    return Object.fromEntries(Array.from({ length: Math.floor(rand() * 5) }, () => [str(), value(depth + 1)]))
  }
  for (let i = 0; i < 2000; i++) {
    const payload = { i, v: value(0) }
    const prev = i % 3 === 0 ? null : hashOf(i)
    const canonical = signcore.canonicalizePayload(payload)
    assert.equal(signcore.computeAuditDigest(canonical, prev), expectedDigest(canonical, prev), `value ${i}`)
  }
  t.diagnostic('random values: 2000 memo digests = node:crypto')
})

test('memo invalidation: other strings, interleaved calls, failures', () => {
  const a = signcore.canonicalizePayload({ b: 'é', a: [1, 2] })
  const b = signcore.canonicalizePayload({ z: '日本', y: null })
  // `a` is no longer the memo's string: the normal path.
  assert.equal(signcore.computeAuditDigest(a, null), expectedDigest(a, null))
  assert.equal(signcore.computeAuditDigest(b, hashOf(1)), expectedDigest(b, hashOf(1)))
  // Another string object with equal content: the same digest.
  const copy = freshCopy(b)
  assert.equal(copy, b)
  assert.equal(signcore.computeAuditDigest(copy, hashOf(2)), expectedDigest(b, hashOf(2)))
  // A different string of the same length right after canonicalizePayload.
  const other = b.replace('日', '月')
  assert.equal(other.length, b.length)
  assert.equal(signcore.computeAuditDigest(other, null), expectedDigest(other, null))
  // Plain JSON text and bytes are never the memo's.
  assert.equal(signcore.computeAuditDigest('{"a":1}', null), expectedDigest('{"a":1}', null))
  assert.equal(signcore.computeAuditDigest(Buffer.from(b), null), expectedDigest(b, null))
  // The same memo string used twice, with different prevHashes (and upper case).
  const c = signcore.canonicalizePayload({ k: 'v' })
  assert.equal(signcore.computeAuditDigest(c, hashOf(3)), expectedDigest(c, hashOf(3)))
  assert.equal(signcore.computeAuditDigest(c, hashOf(3).toUpperCase()), expectedDigest(c, hashOf(3)))
  assert.equal(signcore.computeAuditDigest(c), expectedDigest(c, null))
  // A failed canonicalizePayload leaves no memo entry behind.
  assert.throws(() => signcore.canonicalizePayload({ n: NaN }), { code: 'NON_FINITE_NUMBER' })
  assert.equal(signcore.computeAuditDigest(c, null), expectedDigest(c, null))
  const d = signcore.canonicalizePayload({ k: 'w' })
  assert.throws(() => signcore.canonicalizePayload({ s: '\ud800' }), { code: 'LONE_SURROGATE' })
  assert.equal(signcore.computeAuditDigest(d, null), expectedDigest(d, null))
  // signAuditEvent and canonicalizeJson in between do not touch the memo.
  const e = signcore.canonicalizePayload({ k: 'x' })
  signcore.canonicalizeJson('{"q":"日"}')
  assert.equal(signcore.computeAuditDigest(e, null), expectedDigest(e, null))
})

test('memo path: prevHash errors are the normal path\'s', () => {
  const cases = [
    ['abcd', 'INVALID_LENGTH'],
    ['zz'.repeat(32), 'INVALID_HEX'],
    ['\ud800'.padEnd(64, 'a'), 'LONE_SURROGATE'],
    [42, 'ERR_INVALID_ARG_TYPE'],
    [{}, 'ERR_INVALID_ARG_TYPE'],
  ]
  for (const [prev, code] of cases) {
    const canonical = signcore.canonicalizePayload({ a: 1 })
    let viaMemo
    let normal
    try {
      signcore.computeAuditDigest(canonical, prev)
    } catch (error) {
      viaMemo = { code: error.code, message: error.message, name: error.name }
    }
    try {
      signcore.computeAuditDigest(freshCopy('{"b":2}'), prev)
    } catch (error) {
      normal = { code: error.code, message: error.message, name: error.name }
    }
    assert.equal(viaMemo?.code, code, String(prev))
    assert.deepEqual(viaMemo, normal, String(prev))
  }
})

test('a canonical text past the memo limit (2^20 UTF-16 units) takes the normal path', () => {
  for (const unit of ['a', 'é', '日']) {
    const payload = { big: unit.repeat((1 << 20) + 10) }
    const canonical = signcore.canonicalizePayload(payload)
    assert.ok(canonical.length > 1 << 20)
    assert.equal(signcore.computeAuditDigest(canonical, hashOf(4)), expectedDigest(canonical, hashOf(4)))
  }
  // Just under it: kept (same result either way).
  const near = signcore.canonicalizePayload({ s: '日'.repeat((1 << 20) - 10) })
  assert.ok(near.length <= 1 << 20)
  assert.equal(signcore.computeAuditDigest(near, null), expectedDigest(near, null))
})

test('two loaded copies of index.js keep their own memo', () => {
  const file = require.resolve('..')
  const saved = require.cache[file]
  delete require.cache[file]
  let other
  try {
    other = require('..')
  } finally {
    require.cache[file] = saved
  }
  assert.notEqual(other, signcore)
  const a = signcore.canonicalizePayload({ copy: 'first' })
  const b = other.canonicalizePayload({ copy: 'second' })
  assert.equal(signcore.computeAuditDigest(a, null), expectedDigest(a, null))
  assert.equal(other.computeAuditDigest(b, null), expectedDigest(b, null))
  // Each copy given the other's string: the normal path.
  assert.equal(signcore.computeAuditDigest(b, null), expectedDigest(b, null))
  assert.equal(other.computeAuditDigest(a, null), expectedDigest(a, null))
})

test('worker threads: each isolate has its own memo', async () => {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads')
    const signcore = require(${JSON.stringify(path.resolve(__dirname, '..'))})
    const out = []
    for (let i = 0; i < 300; i++) {
      const c = signcore.canonicalizePayload({ worker: workerData, i, s: 'ü'.repeat(i % 7) })
      out.push([c, signcore.computeAuditDigest(c, null)])
    }
    parentPort.postMessage(out)
  `
  const run = (id) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(source, { eval: true, workerData: id })
      worker.once('message', resolve)
      worker.once('error', reject)
    })
  const pending = [run(1), run(2)]
  // The main thread keeps using its own memo meanwhile.
  for (let i = 0; i < 300; i++) {
    const c = signcore.canonicalizePayload({ worker: 0, i })
    assert.equal(signcore.computeAuditDigest(c, null), expectedDigest(c, null))
  }
  for (const results of await Promise.all(pending)) {
    assert.equal(results.length, 300)
    for (const [c, digest] of results) assert.equal(digest, expectedDigest(c, null))
  }
})

test('payload text reads on both sides of the 2^18-unit transcoding limit = V8\'s UTF-8 read (lone surrogates as U+FFFD)', (t) => {
  let count = 0
  for (const n of [0, 1, 7, 1000, (1 << 18) - 3, (1 << 18) - 2, (1 << 18) - 1, 300_000]) {
    for (const unit of ['a', 'é', '日', '😀', '\ud800', 'x\udc00']) {
      // A JSON string literal of n - 2 units + its quotes: n units in all.
      const text = `"${unit.repeat(Math.ceil(n / unit.length)).slice(0, Math.max(0, n - 2))}"`
      // canonicalizeStringified reads its (payload) text as UTF-16 and
      // transcodes it up to 2^18 units; canonicalize reads through V8's UTF-8.
      const fast = native.canonicalizeStringified(text)
      assert.equal(fast, native.canonicalize(text), `${n} × ${JSON.stringify(unit)}`)
      assert.equal(fast, JSON.stringify(Buffer.from(text.slice(1, -1), 'utf8').toString('utf8')), `${n} × ${JSON.stringify(unit)}`)
      assert.equal(native.auditDigestStringified(text, null), expectedDigest(fast, null))
      count += 3
    }
  }
  // Canonical output of non-ASCII text both sides of the limit (the UTF-16 write).
  for (const n of [10, (1 << 18) + 5]) {
    const value = { z: '日'.repeat(n), a: 'é😀' }
    const json = JSON.stringify(value)
    assert.equal(signcore.canonicalizeJson(json), `{"a":"é😀","z":"${'日'.repeat(n)}"}`)
    assert.equal(signcore.canonicalizePayload(value), `{"a":"é😀","z":"${'日'.repeat(n)}"}`)
    count += 2
  }
  t.diagnostic(`string crossings: ${count} checks`)
})

test('the memo is what answers: the normal native call is not made for canonicalizePayload\'s string', () => {
  const original = native.auditDigest
  let normalCalls = 0
  native.auditDigest = (...args) => {
    normalCalls++
    return original(...args)
  }
  try {
    const c = signcore.canonicalizePayload({ counted: true, s: 'ü' })
    assert.equal(signcore.computeAuditDigest(c, hashOf(5)), expectedDigest(c, hashOf(5)))
    assert.equal(normalCalls, 0)
    assert.equal(signcore.computeAuditDigest(freshCopy(c), null), expectedDigest(c, null))
    assert.equal(normalCalls, 0, 'equal content is the same entry')
    assert.equal(signcore.computeAuditDigest(c.replace('ü', 'u'), null), expectedDigest(c.replace('ü', 'u'), null))
    assert.equal(normalCalls, 1)
  } finally {
    native.auditDigest = original
  }
})
