'use strict'
// The JSON.stringify fast path (core `signcore::stringified`, behind
// canonicalizePayload and signAuditEvent) against the full canonicalizer,
// both given V8's own JSON.stringify text: on every shared vector (parsed,
// then stringified) and on thousands of seeded random values (unicode and
// escaped names, nested objects, numbers of every magnitude, -0, lone
// surrogates). Then the fused signAuditEvent: equal to the three calls,
// verified by verifyChain, and its errors.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const signcore = require('..')
const native = require('../binding.js')
const { vectorPath, readVector, readJsonVector, prng, referenceJcs } = require('./helpers.js')

/** Both canonicalizers on the same JSON.stringify text: same output, or the same error code. */
function outcome(fn, text) {
  try {
    return { ok: fn(text) }
  } catch (error) {
    return { code: error.code }
  }
}

function sameAsFullPath(text, what) {
  const fast = outcome(native.canonicalizeStringified, text)
  const full = outcome(native.canonicalize, text)
  assert.deepEqual(fast, full, what)
  return fast
}

test('fast path = full canonicalizer on every shared vector (JSON.parse, then JSON.stringify)', (t) => {
  let count = 0
  const dir = path.dirname(vectorPath('jcs', 'input', 'values.json'))
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const input = readVector('jcs', 'input', name).toString('utf8')
    const value = JSON.parse(input)
    assert.equal(sameAsFullPath(JSON.stringify(value), name).ok, signcore.canonicalizeJson(input), name)
    count++
  }
  for (const [i, c] of readJsonVector('generated', 'jcs_cases.json').entries()) {
    const value = JSON.parse(c.input)
    assert.equal(sameAsFullPath(JSON.stringify(value), `case ${i}`).ok, c.expected, `case ${i}`)
    assert.equal(signcore.canonicalizePayload(value), c.expected, `case ${i} (payload)`)
    count++
  }
  const numbers = readVector('generated', 'es6_numbers.txt').toString('utf8').split('\n').filter(Boolean)
  const buf = new DataView(new ArrayBuffer(8))
  for (const line of numbers) {
    const [bits, expected] = line.split(',')
    buf.setBigUint64(0, BigInt(`0x${bits}`))
    const x = buf.getFloat64(0)
    assert.equal(sameAsFullPath(JSON.stringify({ n: x, a: [x] }), bits).ok, `{"a":[${expected}],"n":${expected}}`, bits)
    count++
  }
  const { scenarios } = readJsonVector('generated', 'audit_chains.json')
  for (const s of scenarios) {
    for (const [i, e] of s.events.entries()) {
      if (e !== null && typeof e === 'object' && 'payload' in e) {
        sameAsFullPath(JSON.stringify(e.payload), `${s.name} event ${i}`)
        count++
      }
    }
  }
  t.diagnostic(`stringified fast path = full canonicalizer: ${count} shared vectors (jcs pairs, jcs_cases, es6 numbers, chain payloads)`)
})

// ------------------------------------------------------------ random values

const NAME_CHARS = ['a', 'b', 'B', '_', '"', '\\', '\n', '\u0001', '\u001f', '\u007f', 'é', 'ß', '\u2028', '日', '\ud7ff', '\ue000', '\uffff', '😀', '\u{10ffff}', '']
const LONE = ['\ud800', '\udbff', '\udc00', '\udfff']

function randomNumber(rand) {
  switch (Math.floor(rand() * 8)) {
    case 0: {
      // Any double: random bits (non-finite ones redrawn as 0).
      const v = new DataView(new ArrayBuffer(8))
      v.setUint32(0, Math.floor(rand() * 2 ** 32))
      v.setUint32(4, Math.floor(rand() * 2 ** 32))
      const x = v.getFloat64(0)
      return Number.isFinite(x) ? x : 0
    }
    case 1:
      return Math.floor(rand() * 2 ** 53) * (rand() < 0.5 ? -1 : 1)
    case 2:
      return -0
    case 3:
      return (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20)
    case 4:
      return [1e21, 1e-7, 5e-324, Number.MAX_VALUE, 1e-6, 123e20, 0.1 + 0.2, Number.MIN_SAFE_INTEGER][Math.floor(rand() * 8)]
    default:
      return Math.round(rand() * 1e6) / 100
  }
}

function randomString(rand, lone) {
  let s = ''
  const n = Math.floor(rand() * 6)
  for (let i = 0; i < n; i++) s += NAME_CHARS[Math.floor(rand() * NAME_CHARS.length)]
  if (lone && rand() < 0.5) s += LONE[Math.floor(rand() * LONE.length)]
  return s
}

function randomValue(rand, depth, lone) {
  const r = rand()
  if (depth > 4 || r < 0.35) {
    const k = Math.floor(rand() * 5)
    if (k === 0) return null
    if (k === 1) return rand() < 0.5
    if (k === 2) return randomString(rand, lone)
    return randomNumber(rand)
  }
  const n = Math.floor(rand() * 7)
  if (r < 0.6) return Array.from({ length: n }, () => randomValue(rand, depth + 1, lone))
  const o = {}
  for (let i = 0; i < n; i++) o[randomString(rand, lone && rand() < 0.2)] = randomValue(rand, depth + 1, lone)
  return o
}

test('fast path = full canonicalizer on 5,000 seeded random values (and = a reference JCS)', (t) => {
  const rand = prng(0x5eed14)
  let fast = 0
  let lone = 0
  for (let i = 0; i < 5000; i++) {
    const withLone = i % 10 === 9
    const value = randomValue(rand, 0, withLone)
    const text = JSON.stringify(value)
    const got = sameAsFullPath(text, `value ${i}: ${text.slice(0, 200)}`)
    if (got.ok !== undefined) {
      assert.equal(got.ok, referenceJcs(value), `value ${i} (reference)`)
      assert.equal(signcore.canonicalizePayload(value), got.ok, `value ${i} (canonicalizePayload)`)
      fast++
    } else {
      assert.equal(got.code, 'LONE_SURROGATE', `value ${i}: ${text.slice(0, 200)}`)
      assert.throws(() => signcore.canonicalizePayload(value), { code: 'LONE_SURROGATE' })
      lone++
    }
  }
  assert.ok(lone > 100, `lone surrogates drawn: ${lone}`)
  t.diagnostic(`random values: ${fast} canonicalized identically, ${lone} refused LONE_SURROGATE by both paths`)
})

test('a lone surrogate JSON.stringify escapes is LONE_SURROGATE (names and values)', () => {
  for (const value of [{ a: '\ud800' }, { '\udfff': 1 }, ['x\udc00y'], '\ud83d']) {
    assert.throws(() => signcore.canonicalizePayload(value), { code: 'LONE_SURROGATE' }, JSON.stringify(value))
  }
  // A well-formed pair is a character, not a lone surrogate.
  assert.equal(signcore.canonicalizePayload({ '\ud83d\ude00': '\ud83d\ude00' }), '{"😀":"😀"}')
})

// ------------------------------------------------------------ signAuditEvent

const ED_SEED = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex')

function signers() {
  return [signcore.Signer.hmac('event-hmac', 'event secret'), signcore.Signer.ed25519('event-ed25519', ED_SEED)]
}

test('signAuditEvent equals the three calls and its chain verifies', async () => {
  const rand = prng(42)
  for (const signer of signers()) {
    const events = []
    let prev = null
    for (let i = 0; i < 40; i++) {
      const payload = i === 0 ? { seq: 0 } : { seq: i, value: randomValue(rand, 1, false) }
      const fused = await signcore.signAuditEvent(payload, prev, signer)
      const hash = signcore.computeAuditDigest(signcore.canonicalizePayload(payload), prev)
      const block = await signcore.signAuditDigest(hash, signer)
      assert.deepEqual(fused, { hash, ...block })
      assert.deepEqual(Object.keys(fused), ['hash', 'signature', 'kid', 'alg'])
      assert.deepEqual(await signer.signEvent(payload, prev ?? undefined), fused)
      events.push({ payload, hash: fused.hash, prev_hash: prev, kid: fused.kid, alg: fused.alg, signature: fused.signature })
      prev = fused.hash
    }
    const ring = [signer.ringEntry({ includeSecret: true })]
    const report = signcore.verifyChain(events, ring)
    assert.equal(report.ok, true, JSON.stringify(report.errors))
    assert.equal(report.checked, 40)
    signer.dispose()
  }
})

test('signAuditEvent errors are coded and reject', async () => {
  const [hmac] = signers()
  await assert.rejects(signcore.signAuditEvent({ a: NaN }, null, hmac), { code: 'NON_FINITE_NUMBER' })
  await assert.rejects(signcore.signAuditEvent({ a: '\ud800' }, null, hmac), { code: 'LONE_SURROGATE' })
  await assert.rejects(signcore.signAuditEvent({ a: 1 }, 'abcd', hmac), { code: 'INVALID_LENGTH' })
  await assert.rejects(signcore.signAuditEvent({ a: 1 }, 'zz'.repeat(32), hmac), { code: 'INVALID_HEX' })
  await assert.rejects(signcore.signAuditEvent({ a: 1 }, 42, hmac), { code: 'ERR_INVALID_ARG_TYPE' })
  await assert.rejects(signcore.signAuditEvent({ a: 1 }, null, {}), { code: 'ERR_INVALID_ARG_TYPE' })
  await assert.rejects(signcore.signAuditEvent(undefined, null, hmac), { code: 'ERR_INVALID_ARG_TYPE' })
  await assert.rejects(signcore.signAuditEvent({ big: 1n }, null, hmac), { code: 'ERR_INVALID_ARG_TYPE' })
  // An upper-case prevHash is the same hash.
  const lower = await signcore.signAuditEvent({ a: 1 }, 'ab'.repeat(32), hmac)
  assert.deepEqual(await signcore.signAuditEvent({ a: 1 }, 'AB'.repeat(32), hmac), lower)
  hmac.dispose()
  await assert.rejects(signcore.signAuditEvent({ a: 1 }, null, hmac), { code: 'SIGNER_DISPOSED' })
})
