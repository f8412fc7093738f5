'use strict'
// Cross-checks against node:crypto: HMAC and Ed25519 signatures made by the
// binding verify with node:crypto and vice versa; digests equal node:crypto
// SHA-256 of the same bytes.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')

const { Signer, computeAuditDigest, signAuditDigest, verifySignature, canonicalizePayload } = require('..')
const { prng, sha256, hmac, ed25519PrivateKey, ed25519PublicKey, rawPublicKey } = require('./helpers.js')

const ROUNDS = 300

function randomBytes(rand, max) {
  const out = Buffer.alloc(Math.floor(rand() * (max + 1)))
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256)
  return out
}

test('HMAC-SHA256: binding and node:crypto agree both ways', (t) => {
  const rand = prng(1)
  for (let i = 0; i < ROUNDS; i++) {
    const key = randomBytes(rand, 64)
    const secret = key.length ? key : Buffer.from([1])
    const msg = randomBytes(rand, 200)
    const signer = Signer.hmac(`k${i}`, secret)
    const ours = signer.signSync(msg)
    const theirs = hmac(secret, msg)
    assert.ok(ours.equals(theirs), `round ${i}`)
    assert.equal(signer.verifySync(msg, theirs), true)
    assert.equal(verifySignature({ alg: 'hmac-sha256', secret }, msg, theirs.toString('hex')), true)
    const bad = Buffer.from(theirs)
    bad[i % 32] ^= 1 << i % 8
    assert.equal(signer.verifySync(msg, bad), false)
    assert.equal(verifySignature({ alg: 'hmac', secret }, msg, bad), false)
    assert.equal(signer.keyHash, sha256(secret).toString('hex'))
    signer.dispose()
  }
  // A string secret is its UTF-8 bytes.
  const s = Signer.hmac('s', 'tëst-ci-signing-key')
  assert.ok(s.signSync(Buffer.from('x')).equals(hmac(Buffer.from('tëst-ci-signing-key'), Buffer.from('x'))))
  t.diagnostic(`hmac cross-checks: ${ROUNDS} keys`)
})

test('Ed25519: binding and node:crypto agree both ways', (t) => {
  const rand = prng(2)
  for (let i = 0; i < ROUNDS; i++) {
    const seed = Buffer.alloc(32)
    for (let j = 0; j < 32; j++) seed[j] = Math.floor(rand() * 256)
    const msg = randomBytes(rand, 200)
    const privateKey = ed25519PrivateKey(seed)
    const publicKey = crypto.createPublicKey(privateKey)
    const signer = i % 2 ? Signer.ed25519(`e${i}`, seed) : Signer.ed25519(`e${i}`, seed.toString('hex').toUpperCase())
    assert.ok(signer.publicKey.equals(rawPublicKey(publicKey)), `round ${i}: public key`)
    assert.equal(signer.keyHash, sha256(signer.publicKey).toString('hex'))
    const ours = signer.signSync(msg)
    assert.equal(crypto.verify(null, msg, publicKey, ours), true, `round ${i}: node verifies ours`)
    const theirs = crypto.sign(null, msg, privateKey)
    assert.ok(ours.equals(theirs), `round ${i}: deterministic signatures equal`)
    assert.equal(signer.verifySync(msg, theirs), true)
    assert.equal(verifySignature({ alg: 'ed25519', publicKey: signer.publicKey }, msg, theirs), true)
    const bad = Buffer.from(theirs)
    bad[i % 64] ^= 1 << i % 8
    assert.equal(verifySignature({ alg: 'ed25519', publicKey: rawPublicKey(publicKey).toString('hex') }, msg, bad), false)
    assert.equal(crypto.verify(null, msg, ed25519PublicKey(signer.publicKey), bad), false)
    signer.dispose()
  }
  t.diagnostic(`ed25519 cross-checks: ${ROUNDS} keys`)
})

test('Ed25519: RFC 8032 §7.1 test 1', () => {
  const signer = Signer.ed25519('rfc', '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60')
  assert.equal(signer.publicKey.toString('hex'), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
  assert.equal(
    signer.signSync(Buffer.alloc(0)).toString('hex'),
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  )
})

test('audit digests equal node:crypto SHA-256 of canonical || prev_hash bytes', (t) => {
  const rand = prng(3)
  let prev = null
  for (let i = 0; i < ROUNDS; i++) {
    const payload = { seq: i, actor: `user-${Math.floor(rand() * 1e6)}`, note: 'é😀\n"', amount: rand() * 1e6 }
    const canonical = canonicalizePayload(payload)
    const prevBytes = prev === null ? Buffer.alloc(0) : Buffer.from(prev, 'hex')
    const expected = sha256(Buffer.concat([Buffer.from(canonical, 'utf8'), prevBytes])).toString('hex')
    const given = prev !== null && i % 3 === 0 ? prev.toUpperCase() : prev
    assert.equal(computeAuditDigest(canonical, given), expected, `round ${i}`)
    assert.equal(computeAuditDigest(Buffer.from(canonical), given), expected, `round ${i} (bytes)`)
    prev = expected
  }
  // Hashed as given: not canonicalized again.
  assert.equal(computeAuditDigest('{"b":1, "a":2}', null), sha256(Buffer.from('{"b":1, "a":2}')).toString('hex'))
  assert.equal(computeAuditDigest('', undefined), sha256(Buffer.alloc(0)).toString('hex'))
  t.diagnostic(`digest cross-checks: ${ROUNDS} chained events`)
})

test('signAuditDigest signs the 32 raw digest bytes, never the hex text', async () => {
  const key = Buffer.from('test-ci-signing-key')
  const signer = Signer.hmac('local', key)
  const digest = sha256(Buffer.from('payload'))
  const block = await signAuditDigest(digest.toString('hex').toUpperCase(), signer)
  assert.deepEqual(block, { kid: 'local', alg: 'hmac-sha256', signature: hmac(key, digest).toString('hex') })
  assert.notEqual(block.signature, hmac(key, Buffer.from(digest.toString('hex'))).toString('hex'))
  const ed = Signer.ed25519('ed', Buffer.alloc(32, 7))
  const edBlock = await ed.signDigest(digest.toString('hex'))
  assert.equal(crypto.verify(null, digest, ed25519PublicKey(ed.publicKey), Buffer.from(edBlock.signature, 'hex')), true)
})
