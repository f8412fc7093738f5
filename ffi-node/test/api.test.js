'use strict'
// The rest of the API: error codes and TypeErrors, chain anchors and ring
// capacity, verifyChainAsync (thread pool, AbortSignal), verifyManifest,
// keystoreMetadata, verifySignature.

const test = require('node:test')
const assert = require('node:assert/strict')

const signcore = require('..')
const { Signer, verifyChain, verifyChainAsync, verifyManifest, verifySignature, canonicalizeJson, computeAuditDigest } = signcore
const { readJsonVector, findingKeys, sha256 } = require('./helpers.js')

const chains = readJsonVector('generated', 'audit_chains.json')
const scenario = (name) => chains.scenarios.find((s) => s.name === name)

test('every export is there', () => {
  assert.deepEqual(Object.keys(signcore).sort(), [
    'ErrorCode',
    'SigncoreError',
    'Signer',
    'canonicalizeJson',
    'canonicalizePayload',
    'computeAuditDigest',
    'consistencyProof',
    'inclusionProof',
    'initAuditSigning',
    'keystoreMetadata',
    'keystorePublicRing',
    'merkleRoot',
    'noteVerifierKey',
    'signAuditDigest',
    'signAuditEvent',
    'signCheckpoint',
    'verifyArchive',
    'verifyArchiveAsync',
    'verifyChain',
    'verifyChainAsync',
    'verifyCheckpoint',
    'verifyConsistency',
    'verifyInclusion',
    'verifyManifest',
    'verifySignature',
  ])
})

test('canonicalizeJson errors carry the core codes', () => {
  const cases = [
    ['{"a":1,"a":2}', 'DUPLICATE_MEMBER'],
    ['"\\ud800"', 'LONE_SURROGATE'],
    ['"\ud800"', 'LONE_SURROGATE'],
    [Buffer.from([0x22, 0xc3, 0x28, 0x22]), 'INVALID_UTF8'],
    [Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), 'INVALID_UTF8'],
    ['1e400', 'NUMBER_OUT_OF_RANGE'],
    ['[1] x', 'INVALID_JSON'],
    ['', 'INVALID_JSON'],
    ['['.repeat(100), 'LIMIT_EXCEEDED'],
  ]
  for (const [input, code] of cases) {
    assert.throws(() => canonicalizeJson(input), (e) => e instanceof Error && !(e instanceof TypeError) && e.code === code && e.message.length > 0, code)
  }
  assert.throws(() => computeAuditDigest('{}', 'xyz'), { code: 'INVALID_HEX' })
  assert.throws(() => computeAuditDigest('{}', 'ab'), { code: 'INVALID_LENGTH' })
  assert.throws(() => computeAuditDigest('\udc00', null), { code: 'LONE_SURROGATE' })
})

test('wrong argument types are TypeErrors', async () => {
  const ring = '[]'
  const sync = [
    () => canonicalizeJson(5),
    () => canonicalizeJson(null),
    () => canonicalizeJson({}),
    () => computeAuditDigest(5, null),
    () => computeAuditDigest('{}', 5),
    () => signcore.keystoreMetadata(5),
    () => verifyChain(5, ring),
    () => verifyChain('[]', true),
    () => verifyChain('[]', ring, 'anchor'),
    () => verifyChain('[]', ring, { anchor: 5 }),
    () => verifyManifest(5, ring, 1),
    () => verifyManifest('{}', ring, '1'),
    () => verifySignature(null, Buffer.alloc(0), ''),
    () => verifySignature({ alg: 'ed25519', publicKey: 5 }, Buffer.alloc(0), ''),
    () => verifySignature({ alg: 'ed25519', publicKey: 'aa' }, 'msg', ''),
    () => verifySignature({ alg: 'ed25519', publicKey: 'aa' }, Buffer.alloc(0), 5),
    () => verifySignature({ alg: 5, publicKey: 'aa' }, Buffer.alloc(0), ''),
  ]
  for (const [i, f] of sync.entries()) {
    assert.throws(f, { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }, `case ${i}`)
  }
  await assert.rejects(signcore.signAuditDigest(5), TypeError)
  await assert.rejects(signcore.signAuditDigest('ab'.repeat(32), {}), TypeError)
  await assert.rejects(verifyChainAsync(5, ring), TypeError)
  await assert.rejects(verifyChainAsync('[]', ring, { signal: {} }), TypeError)
  assert.throws(() => verifyManifest('{}', ring, -1), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' })
  assert.throws(() => verifyManifest('{}', ring, 1.5), RangeError)
})

test('verifyChain: anchors for slices, input errors, large rings', async (t) => {
  const { events } = scenario('valid-hmac')
  const slice = events.slice(10)
  assert.deepEqual(findingKeys(verifyChain(slice, chains.ring).errors), ['0:CHAIN_BROKEN'])
  assert.equal(verifyChain(slice, chains.ring, { anchor: events[9].hash }).ok, true)
  assert.equal(verifyChain(slice, chains.ring, { anchor: events[9].hash.toUpperCase() }).ok, true)
  assert.deepEqual(findingKeys(verifyChain(events, chains.ring, { anchor: events[9].hash }).errors), ['0:CHAIN_BROKEN'])
  assert.equal(verifyChain(events, chains.ring, { anchor: null }).ok, true)
  assert.throws(() => verifyChain(events, chains.ring, { anchor: 'zz' }), { code: 'INVALID_HEX' })
  await assert.rejects(verifyChainAsync(events, chains.ring, { anchor: 'ab' }), { code: 'INVALID_LENGTH' })
  // Input errors throw; a chain that fails verification returns a report.
  assert.throws(() => verifyChain('{}', chains.ring), { code: 'INVALID_JSON' })
  assert.throws(() => verifyChain('[1', chains.ring), { code: 'INVALID_JSON' })
  assert.throws(() => verifyChain(events, '[{"kid":"a"}]'), { code: 'INVALID_KEY_RING', message: /key ring/ })
  await assert.rejects(verifyChainAsync('[', chains.ring), { code: 'INVALID_JSON' })
  await assert.rejects(verifyChainAsync(events, '{'), { code: 'INVALID_JSON' })
  const malformed = verifyChain([{}, 5], chains.ring)
  assert.deepEqual(findingKeys(malformed.errors), ['0:MALFORMED', '1:MALFORMED'])
  assert.equal(verifyChain([], []).ok, true)
  // No ring capacity on hosts (the Node ring used to stop at 256 keys).
  const ring = (n) => Array.from({ length: n }, (_, i) => ({ kid: `k${i}`, alg: 'hmac-sha256', secret_hex: (i + 1).toString(16).padStart(4, '0') }))
  const big = [...ring(2000), ...chains.ring.filter((k) => k.kid === 'audit-hmac-1')]
  assert.equal(verifyChain(events, big).ok, true)
  t.diagnostic('ring of 2001 keys')
})

function bigChain(count) {
  const signer = Signer.hmac('bulk', 'bulk-secret')
  const events = []
  let prev = null
  for (let i = 0; i < count; i++) {
    const payload = { seq: i, actor: 'svc', action: 'write' }
    const hash = computeAuditDigest(signcore.canonicalizePayload(payload), prev)
    events.push({ payload, hash, prev_hash: prev, kid: 'bulk', alg: 'hmac-sha256', signature: signer.signSync(Buffer.from(hash, 'hex')).toString('hex') })
    prev = hash
  }
  const ring = [{ kid: 'bulk', alg: 'hmac-sha256', secret_hex: Buffer.from('bulk-secret').toString('hex') }]
  return { events, ring }
}

test('verifyChainAsync runs off the main thread and honours AbortSignal', async (t) => {
  const { events, ring } = bigChain(20000)
  const text = Buffer.from(JSON.stringify(events))
  let ticks = 0
  const timer = setInterval(() => ticks++, 0)
  const report = await verifyChainAsync(text, ring)
  clearInterval(timer)
  assert.equal(report.ok, true)
  assert.equal(report.checked, 20000)
  assert.ok(ticks > 0, 'the event loop ran while the chain was verified')
  t.diagnostic(`event-loop ticks while 20000 events were verified: ${ticks}`)
  // A Uint8Array that is not a Buffer works too.
  const view = new Uint8Array(text.buffer, text.byteOffset, text.byteLength)
  assert.deepEqual(await verifyChainAsync(view, JSON.stringify(ring)), report)

  const aborted = AbortSignal.abort()
  await assert.rejects(verifyChainAsync(text, ring, { signal: aborted }), { name: 'AbortError' })
  const controller = new AbortController()
  const pending = verifyChainAsync(text, ring, { signal: controller.signal })
  const reason = new Error('stop')
  controller.abort(reason)
  // Node's AbortError convention: code ABORT_ERR, the reason as cause.
  await assert.rejects(pending, (e) => e.name === 'AbortError' && e.code === 'ABORT_ERR' && e.cause === reason)
  // A signal that never fires changes nothing.
  assert.equal((await verifyChainAsync(text, ring, { signal: new AbortController().signal })).ok, true)
})

test('long chains are checked on every core with the findings of one pass', async (t) => {
  // Long enough for the parallel check (64 KiB of JSON and more), with
  // tampered events on both sides of every place a split into 2, 3, 4 or 8
  // runs cuts the chain: a run must link to the stored hash before it.
  const count = 3000
  const { events, ring } = bigChain(count)
  const expected = []
  const boundaries = new Set()
  for (const runs of [2, 3, 4, 8]) {
    const runLength = Math.ceil(count / runs)
    for (let k = 1; k < runs; k++) boundaries.add(k * runLength)
  }
  for (const b of boundaries) {
    events[b - 1].payload.seq += 0.5 // hash no longer matches; the stored hash still links
    expected.push(`${b - 1}:HASH_MISMATCH`)
    events[b].prev_hash = events[b - 2].hash // the link itself is broken
    expected.push(`${b}:CHAIN_BROKEN`, `${b}:HASH_MISMATCH`)
  }
  events[0].signature = '00'.repeat(32)
  expected.push('0:SIGNATURE_INVALID')
  events[count - 1].kid = 'nobody'
  expected.push(`${count - 1}:UNKNOWN_KEY`)
  expected.sort() // as findingKeys sorts
  const order = (key) => Number(key.split(':')[0])

  const text = JSON.stringify(events)
  assert.ok(text.length > 64 * 1024)
  const report = verifyChain(text, ring)
  assert.equal(report.checked, count)
  assert.deepEqual(findingKeys(report.errors), expected)
  assert.ok(report.errors.every((f, i) => i === 0 || report.errors[i - 1].index <= f.index), 'findings in index order')
  assert.deepEqual(await verifyChainAsync(Buffer.from(text), ring), report)
  assert.deepEqual(verifyChain(events, ring), report)
  // A slice of the same events under the parallel threshold, anchored:
  // checked in one pass, the same findings (indexes relative to the slice).
  const slice = events.slice(1490, 1510)
  assert.ok(JSON.stringify(slice).length < 64 * 1024)
  const shifted = expected.filter((k) => order(k) >= 1490 && order(k) < 1510).map((k) => `${order(k) - 1490}:${k.split(':')[1]}`)
    .sort()
  assert.deepEqual(findingKeys(verifyChain(slice, ring, { anchor: events[1489].hash }).errors), shifted)
  t.diagnostic(`${count} events, ${expected.length} findings around ${boundaries.size} run boundaries`)
})

test('verifyManifest: N-of-M with the verifier threshold', async () => {
  const a = Signer.ed25519('a', Buffer.alloc(32, 1))
  const b = Signer.hmac('b', 'b-secret')
  const c = Signer.ed25519('c', Buffer.alloc(32, 3))
  const ring = [
    { kid: 'a', alg: 'ed25519', public_key: a.publicKey.toString('hex') },
    { kid: 'b', alg: 'hmac-sha256', secret_hex: Buffer.from('b-secret').toString('hex') },
    { kid: 'c', alg: 'ed25519', public_key: c.publicKey.toString('hex') },
  ]
  const digest = sha256(Buffer.from(signcore.canonicalizePayload({ release: '1.2.3', files: ['a', 'b'] }))).toString('hex')
  const stranger = Signer.hmac('stranger', 'x')
  const signatures = [
    await a.signDigest(digest),
    await b.signDigest(digest),
    await a.signDigest(digest),
    await stranger.signDigest(digest),
    { ...(await c.signDigest(digest)), signature: '00'.repeat(64) },
    { kid: 'c' },
  ]
  const manifest = { digest, signatures }
  const report = verifyManifest(manifest, ring, 2)
  assert.equal(report.ok, true)
  assert.equal(report.digest, digest)
  assert.deepEqual(
    { valid: report.valid, invalid: report.invalid, unknown: report.unknown, duplicate: report.duplicate, malformed: report.malformed },
    { valid: 2, invalid: 1, unknown: 1, duplicate: 1, malformed: 1 },
  )
  assert.deepEqual(
    report.signers.map((s) => [s.index, s.kid, s.status]),
    [
      [0, 'a', 'valid'],
      [1, 'b', 'valid'],
      [2, 'a', 'duplicate'],
      [3, 'stranger', 'unknown'],
      [4, 'c', 'invalid'],
      [5, 'c', 'malformed'],
    ],
  )
  assert.equal(verifyManifest(JSON.stringify(manifest), JSON.stringify(ring), 3).ok, false)
  assert.throws(() => verifyManifest(manifest, ring, 0), { code: 'INVALID_THRESHOLD' })
  assert.throws(() => verifyManifest({ signatures: [] }, ring, 1), { code: 'INVALID_JSON' })
})

test('keystoreMetadata and verifySignature errors', () => {
  assert.throws(() => signcore.keystoreMetadata('/definitely/not/here.json'), { code: 'KEYSTORE_UNREADABLE', message: /not\/here/ })
  assert.throws(() => verifySignature({ alg: 'rsa-sha256', publicKey: 'aa' }, Buffer.alloc(0), ''), { code: 'INVALID_KEY' })
  assert.throws(() => verifySignature({ alg: 'ED25519', publicKey: 'aa' }, Buffer.alloc(0), ''), { code: 'UNKNOWN_ALGORITHM' })
  assert.throws(() => verifySignature({ alg: 'ed25519', secret: 'aa' }, Buffer.alloc(0), ''), { code: 'INVALID_KEY' })
  assert.throws(() => verifySignature({ alg: 'hmac', publicKey: 'aa' }, Buffer.alloc(0), ''), { code: 'INVALID_KEY' })
  assert.throws(() => verifySignature({ alg: 'ed25519', publicKey: '01' + '00'.repeat(31) }, Buffer.alloc(0), ''), { code: 'INVALID_KEY' })
  assert.equal(verifySignature({ alg: 'hmac-sha256', secret: 'k' }, Buffer.alloc(0), 'ab'.repeat(200)), false)
  assert.equal(verifySignature({ alg: 'hmac-sha256', secret: 'k' }, Buffer.alloc(0), Buffer.alloc(16)), false)
})
