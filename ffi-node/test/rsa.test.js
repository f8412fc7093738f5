'use strict'
// rsa-sha256 (DESIGN.md §2) through the Node binding: the Wycheproof
// RSASSA-PKCS1-v1_5/SHA-256 vectors (2048, 3072, 4096 bits; each signature
// verified over the pre-computed digest SHA256(msg), as KMS MessageType=DIGEST
// signs), through verifySignature with the key as SPKI DER bytes, DER hex and
// PEM, and rings with RSA entries through verifyChain and verifyManifest.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')

const { verifySignature, verifyChain, verifyChainAsync, verifyManifest, computeAuditDigest, canonicalizePayload } = require('..')
const { readJsonVector } = require('./helpers.js')

const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest()

test('wycheproof rsa_signature_{2048,3072,4096}_sha256: every test through verifySignature', () => {
  let checked = 0
  let valid = 0
  let acceptable = 0
  let acceptedAcceptable = 0
  for (const bits of [2048, 3072, 4096]) {
    const file = readJsonVector('wycheproof', `rsa_signature_${bits}_sha256_test.json`)
    let inFile = 0
    for (const group of file.testGroups) {
      const der = Buffer.from(group.publicKeyDer, 'hex')
      const forms = [der, group.publicKeyDer, group.publicKeyPem]
      for (const t of group.tests) {
        const digest = sha256(Buffer.from(t.msg, 'hex'))
        const verdicts = forms.map((publicKey) => verifySignature({ alg: 'rsa-sha256', publicKey }, digest, Buffer.from(t.sig, 'hex')))
        assert.ok(verdicts.every((v) => v === verdicts[0]), `tcId ${t.tcId}: the same verdict for DER, hex and PEM`)
        // The signature as hex text verifies the same way.
        assert.equal(verifySignature({ alg: 'rsa-sha256', publicKey: der }, digest, t.sig), verdicts[0])
        if (t.result === 'acceptable') {
          acceptable++
          if (verdicts[0]) acceptedAcceptable++
        } else {
          assert.equal(verdicts[0], t.result === 'valid', `${bits} tcId ${t.tcId} (${t.comment}; ${t.flags.join(', ')})`)
          if (t.result === 'valid') valid++
        }
        checked++
        inFile++
      }
    }
    assert.equal(inFile, file.numberOfTests)
  }
  assert.equal(checked, 776)
  console.log(
    `wycheproof rsa-sha256: ${checked} checked (${valid} valid, ${checked - valid - acceptable} invalid, ` +
      `${acceptable} acceptable "MissingNull", of which the core accepts ${acceptedAcceptable})`,
  )
})

function rsaFixture() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  const der = publicKey.export({ format: 'der', type: 'spki' })
  const pem = publicKey.export({ format: 'pem', type: 'spki' })
  // RSASSA-PKCS1-v1_5 over the pre-computed digest: sign the DigestInfo.
  const prefix = Buffer.from('3031300d060960864801650304020105000420', 'hex')
  const signDigest = (hex) =>
    crypto.privateEncrypt({ key: privateKey, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.concat([prefix, Buffer.from(hex, 'hex')])).toString('hex')
  const events = []
  let prev = null
  for (let i = 0; i < 20; i++) {
    const payload = { i, what: 'rsa' }
    const hash = computeAuditDigest(canonicalizePayload(payload), prev)
    events.push({ payload, hash, prev_hash: prev, kid: 'rsa-1', alg: 'rsa-sha256', signature: signDigest(hash) })
    prev = hash
  }
  return { der, pem, signDigest, events }
}

test('rsa-sha256 rings: chains and manifests verify with SPKI DER hex entries', async () => {
  const { der, signDigest, events } = rsaFixture()
  for (const ring of [[{ kid: 'rsa-1', alg: 'rsa-sha256', public_key: der.toString('hex') }]]) {
    assert.deepEqual(verifyChain(events, ring), { ok: true, checked: 20, errors: [] })
    assert.deepEqual(await verifyChainAsync(events, ring), { ok: true, checked: 20, errors: [] })
    const bad = structuredClone(events)
    bad[3].signature = events[4].signature
    bad[7].signature = bad[7].signature.slice(0, -2)
    assert.deepEqual(
      verifyChain(bad, ring).errors.map((e) => [e.index, e.code]),
      [
        [3, 'SIGNATURE_INVALID'],
        [7, verifyChain(bad, ring).errors[1].code],
      ],
    )
    assert.ok(['SIGNATURE_INVALID', 'MALFORMED'].includes(verifyChain(bad, ring).errors[1].code))
  }
  const digest = sha256(Buffer.from('manifest content')).toString('hex')
  const manifest = { digest, signatures: [{ kid: 'rsa-1', alg: 'rsa-sha256', signature: signDigest(digest) }] }
  const report = verifyManifest(manifest, [{ kid: 'rsa-1', alg: 'rsa-sha256', public_key: der.toString('hex') }], 1)
  assert.equal(report.ok, true)
  assert.equal(report.valid, 1)
  // A 1024-bit key is refused as a key, never a verdict.
  const small = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' })
  assert.throws(() => verifySignature({ alg: 'rsa-sha256', publicKey: small }, Buffer.alloc(32), Buffer.alloc(128)), { code: 'INVALID_KEY' })
  assert.throws(() => verifyChain(events, [{ kid: 'rsa-1', alg: 'rsa-sha256', public_key: small.toString('hex') }]), { code: 'INVALID_KEY_RING' })
  assert.throws(() => verifySignature({ alg: 'rsa-sha256', secret: 'x' }, Buffer.alloc(32), Buffer.alloc(256)), { code: 'INVALID_KEY' })
})

test('rsa-sha256 rings with public_key_pem entries', async () => {
  const { pem, der, events } = rsaFixture()
  const ring = [{ kid: 'rsa-1', alg: 'rsa-sha256', public_key_pem: pem }]
  assert.deepEqual(verifyChain(events, ring), { ok: true, checked: 20, errors: [] })
  assert.deepEqual(await verifyChainAsync(JSON.stringify(events), JSON.stringify(ring)), { ok: true, checked: 20, errors: [] })
  // The same key through PEM and DER: one key (manifests count keys, not kids).
  const both = [...ring, { kid: 'rsa-2', alg: 'rsa-sha256', public_key: der.toString('hex') }]
  assert.equal(verifyChain(events, both).ok, true)
})

test('the committed KMS-signed chain (tests/kms) verifies offline; tampering is found', () => {
  const path = require('node:path')
  const fs = require('node:fs')
  const dir = path.resolve(__dirname, '..', '..', 'tests', 'kms')
  const events = JSON.parse(fs.readFileSync(path.join(dir, 'rsa2048-chain.json'), 'utf8'))
  const ring = JSON.parse(fs.readFileSync(path.join(dir, 'rsa2048-ring.json'), 'utf8'))
  assert.equal(ring[0].alg, 'rsa-sha256')
  assert.deepEqual(verifyChain(events, ring), { ok: true, checked: events.length, errors: [] })
  // Each signature with node:crypto as well (PKCS#1 v1.5 over the pre-computed digest).
  const key = crypto.createPublicKey({ key: Buffer.from(ring[0].public_key, 'hex'), format: 'der', type: 'spki' })
  const prefix = Buffer.from('3031300d060960864801650304020105000420', 'hex')
  for (const event of events) {
    const recovered = crypto.publicDecrypt({ key, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.from(event.signature, 'hex'))
    assert.ok(recovered.equals(Buffer.concat([prefix, Buffer.from(event.hash, 'hex')])))
  }
  const tampered = structuredClone(events)
  tampered[5].payload = { changed: true }
  assert.deepEqual(verifyChain(tampered, ring).errors.map((e) => [e.index, e.code]), [[5, 'HASH_MISMATCH']])
})
