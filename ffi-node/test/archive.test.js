'use strict'
// verifyArchive / verifyArchiveAsync (DESIGN.md §8): signed archives built
// here from the shared chain scenarios with an independent RFC 8785
// implementation (helpers.referenceJcs) and node:crypto signatures, then
// verified by the binding: valid, truncated, unsigned and under-signed,
// 2-of-3 cosigned, non-archive input, detached buffers during async calls.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')

const { verifyArchive, verifyArchiveAsync, verifyChain, SigncoreError, ErrorCode } = require('..')
const { readJsonVector, referenceJcs, sha256, hmac, ed25519PrivateKey, findingKeys } = require('./helpers.js')

const doc = readJsonVector('generated', 'audit_chains.json')
const ring = doc.ring
const secret = (kid) => Buffer.from(doc.signing_keys.find((k) => k.key_id === kid).secret_hex, 'hex')
const scenario = (name) => doc.scenarios.find((s) => s.name === name)

/** A §5 signature block over the 32 digest bytes. */
const signers = {
  hmac: (kid, key) => (digest) => ({ kid, alg: 'hmac-sha256', signature: hmac(key, Buffer.from(digest, 'hex')).toString('hex') }),
  ed25519: (kid, seed) => (digest) => ({
    kid,
    alg: 'ed25519',
    signature: crypto.sign(null, Buffer.from(digest, 'hex'), ed25519PrivateKey(seed)).toString('hex'),
  }),
}
const hmacSigner = signers.hmac('audit-hmac-1', secret('audit-hmac-1'))
const edSigner = signers.ed25519('audit-ed25519-1', secret('audit-ed25519-1'))

/** A §8 archive: digest = SHA-256(JCS(archive without manifest)). */
function buildArchive(events, { first = 0, anchor = null, origin = 'memory-layer/audit', sign = [hmacSigner], range } = {}) {
  const body = {
    format: 'signcore-archive/1',
    origin,
    range: range ?? { first, size: events.length, anchor, head: events.length ? events[events.length - 1].hash : null },
    events,
  }
  const digest = sha256(referenceJcs(body)).toString('hex')
  return { body, digest, archive: { ...body, manifest: { digest, signatures: sign.map((s) => s(digest)) } } }
}

const codes = (report) => report.errors.map((e) => `${e.index}:${e.code}`)
let checks = 0
const count = (n = 1) => {
  checks += n
}
test.after(() => console.log(`vectors: archive.test.js ran ${checks} archive checks`))

test('a valid archive: the verifyChain report plus head and the archive block', async () => {
  for (const name of ['valid-hmac', 'valid-ed25519', 'valid-rotation']) {
    const { events } = scenario(name)
    const { archive, digest } = buildArchive(events, { sign: [name === 'valid-ed25519' ? edSigner : hmacSigner] })
    const text = JSON.stringify(archive)
    for (const input of [archive, text, Buffer.from(text)]) {
      for (const report of [verifyArchive(input, ring), await verifyArchiveAsync(input, ring)]) {
        assert.deepEqual(report, {
          ok: true,
          checked: events.length,
          errors: [],
          head: events[events.length - 1].hash,
          archive: {
            format: 'signcore-archive/1',
            origin: 'memory-layer/audit',
            range: { first: 0, size: events.length, anchor: null, head: events[events.length - 1].hash },
            digest,
            manifest: { digest, threshold: 1, met: true, valid: 1, invalid: 0, unknown: 0, duplicate: 0, malformed: 0 },
            checkpoint: null,
          },
        })
        count()
      }
    }
  }
  // An empty archive verifies (size 0, head null).
  const empty = verifyArchive(buildArchive([]).archive, ring)
  assert.equal(empty.ok, true)
  assert.equal(empty.head, null)
  assert.deepEqual(empty.archive.range, { first: 0, size: 0, anchor: null, head: null })
  count()
})

test('chain findings inside an archive are exactly those of verifyChain over its events', async () => {
  for (const s of doc.scenarios) {
    const { archive } = buildArchive(s.events)
    const chain = verifyChain(s.events, ring)
    const report = verifyArchive(archive, ring)
    assert.deepEqual(report.errors, chain.errors, s.name)
    assert.equal(report.ok, chain.ok, s.name)
    assert.equal(report.checked, chain.checked, s.name)
    assert.deepEqual(findingKeys(report.errors), findingKeys(s.expected), s.name)
    assert.deepEqual(await verifyArchiveAsync(archive, ring), report, s.name)
    count(2)
  }
})

test('truncated archives: RANGE_MISMATCH and ARCHIVE_DIGEST_MISMATCH (index null)', async () => {
  const { events } = scenario('valid-hmac')
  const { archive } = buildArchive(events)
  // Tail cut off, range left as signed.
  const cut = { ...archive, events: events.slice(0, 30) }
  let report = verifyArchive(cut, ring)
  assert.equal(report.ok, false)
  assert.equal(report.checked, 30)
  assert.deepEqual(codes(report), ['null:ARCHIVE_DIGEST_MISMATCH', 'null:RANGE_MISMATCH', 'null:RANGE_MISMATCH'])
  assert.deepEqual(await verifyArchiveAsync(cut, ring), report)
  // The range rewritten to match the cut: only the digest gives it away.
  const rewritten = { ...cut, range: { ...archive.range, size: 30, head: events[29].hash } }
  report = verifyArchive(rewritten, ring)
  assert.deepEqual(codes(report), ['null:ARCHIVE_DIGEST_MISMATCH'])
  assert.equal(report.archive.manifest.met, true, 'the signature is still valid, over the old digest')
  assert.notEqual(report.archive.digest, report.archive.manifest.digest)
  // Head cut off (a slice that no longer starts at the genesis): CHAIN_BROKEN at 0 and the digest.
  report = verifyArchive({ ...archive, events: events.slice(1) }, ring)
  assert.deepEqual(report.errors.map((e) => e.code).sort(), ['ARCHIVE_DIGEST_MISMATCH', 'CHAIN_BROKEN', 'RANGE_MISMATCH'])
  // An unreadable range: one RANGE_MISMATCH, range null in the block.
  report = verifyArchive({ ...archive, range: 'all of them' }, ring)
  assert.ok(codes(report).includes('null:RANGE_MISMATCH'))
  assert.equal(report.archive.range, null)
  // Bytes cut off the end of the text: an input error, not a report.
  const text = JSON.stringify(archive)
  for (const at of [text.length - 2, text.length / 2, 10]) {
    assert.throws(() => verifyArchive(text.slice(0, at), ring), (e) => e instanceof SigncoreError && e.code === 'INVALID_JSON')
    await assert.rejects(verifyArchiveAsync(Buffer.from(text.slice(0, at)), ring), (e) => e instanceof SigncoreError && e.code === 'INVALID_JSON')
  }
  count(8)
})

test('unsigned and under-signed archives: THRESHOLD_NOT_MET', async () => {
  const { events } = scenario('valid-hmac')
  const { archive, body } = buildArchive(events)
  // No manifest at all.
  let report = verifyArchive(body, ring)
  assert.deepEqual(codes(report), ['null:THRESHOLD_NOT_MET'])
  assert.equal(report.archive.manifest, null)
  assert.equal(report.archive.digest, archive.manifest.digest, 'the digest is still recomputed')
  // A manifest with no signatures.
  report = verifyArchive({ ...archive, manifest: { digest: archive.manifest.digest, signatures: [] } }, ring)
  assert.deepEqual(codes(report), ['null:THRESHOLD_NOT_MET'])
  assert.equal(report.archive.manifest.valid, 0)
  // One signer, the verifier asks for two.
  report = await verifyArchiveAsync(archive, ring, { threshold: 2 })
  assert.deepEqual(codes(report), ['null:THRESHOLD_NOT_MET'])
  assert.equal(report.archive.manifest.threshold, 2)
  // The same key listed twice under two kids counts once.
  const twin = [...ring, { kid: 'twin', alg: 'hmac-sha256', secret_hex: secret('audit-hmac-1').toString('hex') }]
  const doubled = buildArchive(events, { sign: [hmacSigner, signers.hmac('twin', secret('audit-hmac-1'))] }).archive
  report = verifyArchive(doubled, twin, { threshold: 2 })
  assert.deepEqual(codes(report), ['null:THRESHOLD_NOT_MET'])
  assert.equal(report.archive.manifest.duplicate, 1)
  // A signature that does not verify, by a trusted kid.
  const forged = { ...archive, manifest: { ...archive.manifest, signatures: [{ ...archive.manifest.signatures[0], signature: '00'.repeat(32) }] } }
  report = verifyArchive(forged, ring)
  assert.deepEqual(codes(report), ['null:THRESHOLD_NOT_MET'])
  assert.equal(report.archive.manifest.invalid, 1)
  // An unreadable manifest.
  report = verifyArchive({ ...archive, manifest: 'signed, honestly' }, ring)
  assert.deepEqual(codes(report), ['null:THRESHOLD_NOT_MET'])
  // The threshold is the verifier's: 0 is refused, a non-number is a TypeError.
  assert.throws(() => verifyArchive(archive, ring, { threshold: 0 }), (e) => e instanceof SigncoreError && e.code === 'INVALID_THRESHOLD')
  assert.throws(() => verifyArchive(archive, ring, { threshold: '2' }), TypeError)
  assert.throws(() => verifyArchive(archive, ring, { threshold: 1.5 }), RangeError)
  await assert.rejects(verifyArchiveAsync(archive, ring, { threshold: 0 }), (e) => e.code === 'INVALID_THRESHOLD')
  count(9)
})

test('2-of-3 cosigned archives', async () => {
  const keys = ['officer-1', 'officer-2', 'officer-3'].map((kid, i) => ({ kid, key: sha256(Buffer.from(`officer secret ${i}`)) }))
  const officers = keys.map(({ kid, key }) => ({ kid, alg: 'hmac-sha256', secret_hex: key.toString('hex') }))
  const sign = keys.map(({ kid, key }) => signers.hmac(kid, key))
  const { events } = scenario('valid-ed25519')
  const trusted = [...ring, ...officers]
  const two = buildArchive(events, { sign: [sign[0], sign[2]] }).archive
  let report = verifyArchive(two, trusted, { threshold: 2 })
  assert.equal(report.ok, true, JSON.stringify(report.errors))
  assert.equal(report.archive.manifest.valid, 2)
  assert.deepEqual(await verifyArchiveAsync(two, trusted, { threshold: 2 }), report)
  report = verifyArchive(two, trusted, { threshold: 3 })
  assert.deepEqual(codes(report), ['null:THRESHOLD_NOT_MET'])
  // A signer the verifier does not trust is not counted.
  report = verifyArchive(two, [...ring, officers[0], officers[1]], { threshold: 2 })
  assert.deepEqual(codes(report), ['null:THRESHOLD_NOT_MET'])
  assert.deepEqual([report.archive.manifest.valid, report.archive.manifest.unknown], [1, 1])
  // All three: met at 3.
  report = verifyArchive(buildArchive(events, { sign }).archive, trusted, { threshold: 3 })
  assert.equal(report.ok, true)
  count(5)
})

test('anchored slices: range.anchor links to the chain; options.anchor checks it', () => {
  const { events } = scenario('valid-hmac')
  const slice = events.slice(20)
  const anchor = events[19].hash
  const { archive } = buildArchive(slice, { first: 20, anchor })
  assert.equal(verifyArchive(archive, ring).ok, true)
  assert.equal(verifyArchive(archive, ring, { anchor }).ok, true)
  assert.equal(verifyArchive(archive, ring, { anchor: anchor.toUpperCase() }).ok, true)
  assert.deepEqual(codes(verifyArchive(archive, ring, { anchor: events[18].hash })), ['null:RANGE_MISMATCH'])
  assert.deepEqual(codes(verifyArchive(archive, ring, { anchor: null })), ['null:RANGE_MISMATCH'], 'null: must start at the genesis')
  assert.throws(() => verifyArchive(archive, ring, { anchor: 'abc' }), (e) => e.code === 'INVALID_LENGTH' || e.code === 'INVALID_HEX')
  // first > 0 with a null anchor disagrees.
  const { archive: orphan } = buildArchive(events, { first: 5 })
  assert.deepEqual(codes(verifyArchive(orphan, ring)), ['null:RANGE_MISMATCH'])
  count(7)
})

test('non-archive input is a coded error', async () => {
  const { events } = scenario('valid-hmac')
  const { archive } = buildArchive(events)
  const cases = [
    [events, 'INVALID_JSON'], // a JSON array of events: use verifyChain
    ['{"events": 3}', 'INVALID_JSON'],
    [{ ...archive, format: 'signcore-archive/2' }, 'INVALID_JSON'],
    [{ ...archive, extra: 1 }, 'INVALID_JSON'],
    ['{"format":"signcore-archive/1","format":"signcore-archive/1","events":[]}', 'DUPLICATE_MEMBER'],
    ['not json', 'INVALID_JSON'],
    ['', 'INVALID_JSON'],
    [`${JSON.stringify(archive)} trailing`, 'INVALID_JSON'],
  ]
  for (const [input, code] of cases) {
    assert.throws(
      () => verifyArchive(input, ring),
      (e) => e instanceof SigncoreError && e.code === code && ErrorCode[code] === code && /archive/.test(e.message),
      String(input).slice(0, 40),
    )
    await assert.rejects(verifyArchiveAsync(input, ring), (e) => e instanceof SigncoreError && e.code === code)
    count(2)
  }
  assert.throws(() => verifyArchive(archive, '[{"kid":1}]'), (e) => e instanceof SigncoreError && /ring/.test(e.message))
  assert.throws(() => verifyArchive(42, ring), TypeError)
  assert.throws(() => verifyArchive(archive, ring, 'threshold 2'), TypeError)
  await assert.rejects(verifyArchiveAsync(archive, ring, { signal: 'x' }), TypeError)
})

test('async calls own their input: detaching the ArrayBuffer during the call changes nothing', async () => {
  const { events } = scenario('valid-ed25519')
  const { archive } = buildArchive(events, { sign: [edSigner] })
  const text = JSON.stringify(archive)
  const expected = verifyArchive(text, ring)
  const pending = []
  for (let i = 0; i < 32; i++) {
    const bytes = new Uint8Array(Buffer.byteLength(text))
    Buffer.from(bytes.buffer).write(text)
    const ringBytes = new TextEncoder().encode(JSON.stringify(ring))
    pending.push(verifyArchiveAsync(bytes, ringBytes, {}))
    // Detach both buffers while the check is queued or running.
    structuredClone(bytes.buffer, { transfer: [bytes.buffer] })
    structuredClone(ringBytes.buffer, { transfer: [ringBytes.buffer] })
    assert.equal(bytes.byteLength, 0)
  }
  for (const report of await Promise.all(pending)) assert.deepEqual(report, expected)
  // An already aborted signal rejects at once; an abort during the call rejects with AbortError.
  await assert.rejects(verifyArchiveAsync(text, ring, { signal: AbortSignal.abort() }), { name: 'AbortError', code: 'ABORT_ERR' })
  const controller = new AbortController()
  const running = verifyArchiveAsync(text, ring, { signal: controller.signal })
  controller.abort()
  await assert.rejects(running, { name: 'AbortError' })
  count(34)
})
