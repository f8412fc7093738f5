'use strict'
// verifyChain of a JS array of 4096+ events runs chunk by chunk (JSON.stringify
// of chunk k + 1 overlapping the native check of chunk k): its report must be
// exactly that of the same chain checked in one call from its JSON text, with
// findings in several chunks and on chunk boundaries.

const test = require('node:test')
const assert = require('node:assert/strict')

const signcore = require('..')

const N = 12_000
// chunkLength(12000) in index.js: max(256, ceil(12000 / 256)) = 256.
const CHUNK = 256

async function chain(signer, n, anchor = null) {
  const events = []
  let prev = anchor
  for (let i = 0; i < n; i++) {
    const payload = { seq: i, actor: ['alice', 'bob'][i % 2], note: i % 7 === 0 ? 'ünïcödé "q"\n' : 'x', amount: i / 8 }
    const { hash, signature, kid, alg } = await signcore.signAuditEvent(payload, prev, signer)
    events.push({ id: i, payload, hash, prev_hash: prev, kid, alg, signature })
    prev = hash
  }
  return events
}

/** The one-call report of the same events (their JSON text). */
function oneCall(events, ring, options) {
  return signcore.verifyChain(JSON.stringify(events), JSON.stringify(ring), options)
}

test('chunked verifyChain = one-call verifyChain, findings in several chunks and on boundaries', async (t) => {
  const signer = signcore.Signer.hmac('chunk-hmac', 'chunk secret')
  const ring = [signer.ringEntry({ includeSecret: true })]
  const events = await chain(signer, N)
  const clean = signcore.verifyChain(events, ring)
  assert.deepEqual(clean, { ok: true, checked: N, errors: [] })

  const tampered = structuredClone(events)
  tampered[0].prev_hash = events[5].hash // CHAIN_BROKEN at the anchor
  tampered[CHUNK - 1].payload.amount += 1 // HASH_MISMATCH, last of chunk 0
  tampered[CHUNK].signature = tampered[CHUNK].signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) // first of chunk 1
  tampered[2 * CHUNK - 1].hash = 'not hex' // MALFORMED with no readable hash, just before a boundary
  tampered[3 * CHUNK].kid = 'nobody' // UNKNOWN_KEY
  tampered[5 * CHUNK + 1].prev_hash = events[3].hash // CHAIN_BROKEN (+ HASH_MISMATCH)
  delete tampered[7 * CHUNK - 1].payload // MALFORMED with a readable hash, before a boundary
  tampered[N - 1] = 42 // MALFORMED, the last event
  tampered[9 * CHUNK] = null
  const got = signcore.verifyChain(tampered, ring)
  const want = oneCall(tampered, ring)
  assert.deepEqual(got, want)
  const chunks = new Set(got.errors.map((e) => Math.floor(e.index / CHUNK)))
  assert.ok(chunks.size >= 7, `findings in ${chunks.size} chunks`)
  assert.ok(got.errors.length >= 10, `${got.errors.length} findings`)
  t.diagnostic(`${N} events, ${got.errors.length} findings in ${chunks.size} chunks: same report as the one-call check`)

  // A slice checked from its anchor.
  const slice = events.slice(4000)
  assert.deepEqual(signcore.verifyChain(slice, ring, { anchor: events[3999].hash }), { ok: true, checked: N - 4000, errors: [] })
  assert.deepEqual(signcore.verifyChain(slice, ring), oneCall(slice, ring))
  assert.equal(signcore.verifyChain(slice, ring).errors[0].code, 'CHAIN_BROKEN')
  signer.dispose()
})

test('chunked verifyChain errors are those of the one-call path', () => {
  const events = Array.from({ length: 5000 }, (_, i) => ({ seq: i }))
  const ring = [{ kid: 'k', alg: 'hmac-sha256', secret_hex: '00'.repeat(32) }]
  const codeOf = (fn) => {
    try {
      fn()
      return null
    } catch (error) {
      return error.code
    }
  }
  assert.equal(codeOf(() => signcore.verifyChain(events, 'not a ring')), codeOf(() => signcore.verifyChain(JSON.stringify(events), 'not a ring')))
  assert.equal(codeOf(() => signcore.verifyChain(events, ring, { anchor: 'xyz' })), 'INVALID_HEX')
  const withBigInt = [...events, { big: 1n }]
  assert.equal(codeOf(() => signcore.verifyChain(withBigInt, 'not a ring')), 'ERR_INVALID_ARG_TYPE')
  // Every event MALFORMED (no hash): same report.
  assert.deepEqual(signcore.verifyChain(events, ring), signcore.verifyChain(JSON.stringify(events), ring))
})

test('chunked Ed25519 verifyChain (chunks checked by the session threads and by finish() on this thread) = one-call', async (t) => {
  const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex')
  const signer = signcore.Signer.ed25519('chunk-ed25519', seed)
  const ring = [signer.ringEntry()]
  const n = 4600
  const events = await chain(signer, n)
  assert.deepEqual(signcore.verifyChain(events, ring), { ok: true, checked: n, errors: [] })
  const tampered = structuredClone(events)
  const flip = (s) => s.replace(/^./, (c) => (c === '0' ? '1' : '0'))
  // chunkLength(4600) = 256: findings in the first, middle and last chunks, on boundaries.
  for (const i of [0, 255, 256, 2303, 2304, 4351, 4352, n - 1]) tampered[i].signature = flip(tampered[i].signature)
  tampered[1000].payload.seq = -1
  const got = signcore.verifyChain(tampered, ring)
  assert.deepEqual(got, oneCall(tampered, ring))
  assert.deepEqual(
    got.errors.map((e) => `${e.index}:${e.code}`),
    ['0:SIGNATURE_INVALID', '255:SIGNATURE_INVALID', '256:SIGNATURE_INVALID', '1000:HASH_MISMATCH', '2303:SIGNATURE_INVALID', '2304:SIGNATURE_INVALID', '4351:SIGNATURE_INVALID', '4352:SIGNATURE_INVALID', `${n - 1}:SIGNATURE_INVALID`],
  )
  t.diagnostic(`${n} Ed25519 events, ${got.errors.length} findings: same report as the one-call check`)
  signer.dispose()
})
