'use strict'
// Checkpoints and Merkle proofs (DESIGN.md §12): merkleRoot, inclusion and
// consistency proofs, signed checkpoint notes; cross-checked against a
// straight RFC 6962 implementation on node:crypto and Ed25519 from node:crypto.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')

const {
  merkleRoot,
  inclusionProof,
  consistencyProof,
  verifyInclusion,
  verifyConsistency,
  signCheckpoint,
  verifyCheckpoint,
  noteVerifierKey,
} = require('..')

const sha = (...parts) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest()
const events = Array.from({ length: 40 }, (_, i) => sha(Buffer.from(`event ${i}`)).toString('hex'))

// RFC 6962 §2.1 MTH, straight from the definition.
function mth(hashes) {
  if (hashes.length === 0) return sha()
  if (hashes.length === 1) return sha(Buffer.from([0]), Buffer.from(hashes[0], 'hex'))
  let k = 1
  while (k * 2 < hashes.length) k *= 2
  return sha(Buffer.from([1]), mth(hashes.slice(0, k)), mth(hashes.slice(k)))
}

test('merkleRoot equals RFC 6962 MTH for every size', () => {
  assert.equal(merkleRoot([]), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  for (let n = 1; n <= events.length; n++) {
    assert.equal(merkleRoot(events.slice(0, n)), mth(events.slice(0, n)).toString('hex'), `size ${n}`)
  }
  assert.equal(merkleRoot(events.map((hash) => ({ hash, payload: {} }))), merkleRoot(events))
  assert.equal(merkleRoot(events.map((h) => h.toUpperCase())), merkleRoot(events))
})

test('inclusion proofs verify from the proof alone, tampering is refused', () => {
  let checked = 0
  for (const size of [1, 2, 3, 7, 8, 9, 40]) {
    const root = merkleRoot(events.slice(0, size))
    for (let i = 0; i < size; i++) {
      const proof = inclusionProof(events, i, size)
      assert.deepEqual(verifyInclusion(events[i], i, { size, root }, proof), { ok: true, code: null, message: null })
      checked++
    }
  }
  const root = merkleRoot(events)
  const proof = inclusionProof(events, 13)
  assert.equal(verifyInclusion({ hash: events[13] }, 13, { size: 40, root }, proof).ok, true)
  const flipped = [...proof]
  flipped[1] = (flipped[1][0] === '0' ? '1' : '0') + flipped[1].slice(1)
  assert.equal(verifyInclusion(events[13], 13, { size: 40, root }, flipped).code, 'ROOT_MISMATCH')
  assert.equal(verifyInclusion(events[12], 13, { size: 40, root }, proof).code, 'ROOT_MISMATCH')
  const short = verifyInclusion(events[13], 13, { size: 40, root }, proof.slice(1))
  assert.equal(short.code, 'INVALID_PROOF_LENGTH')
  assert.match(short.message, /has 5 hashes, these sizes need 6/)
  assert.equal(verifyInclusion(events[13], 40, { size: 40, root }, proof).code, 'INDEX_OUT_OF_RANGE')
  assert.throws(() => inclusionProof(events, 40), { code: 'INDEX_OUT_OF_RANGE' })
  assert.throws(() => verifyInclusion('zz', 1, { size: 40, root }, proof), { code: 'INVALID_HEX' })
  assert.throws(() => verifyInclusion(events[1], -1, { size: 40, root }, proof), { code: 'ERR_INVALID_ARG_TYPE' })
  assert.throws(() => verifyInclusion(events[1], 1, null, proof), TypeError)
  assert.throws(() => inclusionProof('nope', 1), TypeError)
  assert.ok(checked > 50)
})

test('consistency proofs between every pair of sizes', () => {
  for (let n = 1; n <= 20; n++) {
    const newTree = { size: n, root: merkleRoot(events.slice(0, n)) }
    for (let m = 1; m <= n; m++) {
      const oldTree = { size: m, root: merkleRoot(events.slice(0, m)) }
      const proof = consistencyProof(events, m, n)
      assert.equal(verifyConsistency(oldTree, newTree, proof).ok, true, `${m} -> ${n}`)
      if (m < n) {
        const forkedRoot = merkleRoot([...events.slice(0, m - 1), events[39]])
        assert.equal(verifyConsistency({ size: m, root: forkedRoot }, newTree, proof).ok, false)
      }
    }
  }
  const all = { size: 40, root: merkleRoot(events) }
  assert.equal(verifyConsistency({ size: 0, root: merkleRoot([]) }, all, []).code, 'INVALID_TREE_SIZE')
  assert.equal(verifyConsistency(all, { size: 39, root: all.root }, []).code, 'INVALID_TREE_SIZE')
  assert.throws(() => consistencyProof(events, 41), { code: 'INVALID_TREE_SIZE' })
})

function ed25519(seedByte) {
  const seed = Buffer.alloc(32, seedByte)
  // PKCS#8 for an Ed25519 seed: fixed prefix + 32 bytes.
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed])
  const privateKey = crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
  const publicKey = crypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(12)
  return { seed, privateKey, publicKey }
}

const ORIGIN = 'audit.example/log'

test('signCheckpoint writes a C2SP signed note that node:crypto verifies', () => {
  const k = ed25519(1)
  const root = merkleRoot(events)
  const note = signCheckpoint({ origin: ORIGIN, size: 40, root }, { seed: k.seed })
  const [body, sigs] = note.split('\n\n')
  assert.equal(body, `${ORIGIN}\n40\n${Buffer.from(root, 'hex').toString('base64')}`)
  const vkey = noteVerifierKey(ORIGIN, k.publicKey)
  assert.equal(vkey, noteVerifierKey(ORIGIN, k.publicKey.toString('hex')))
  const [name, id, key] = vkey.split('+')
  assert.equal(name, ORIGIN)
  assert.equal(Buffer.from(key, 'base64').toString('hex'), '01' + k.publicKey.toString('hex'))
  // key id = SHA256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]
  assert.equal(id, sha(Buffer.from(`${ORIGIN}\n`), Buffer.from([1]), k.publicKey).subarray(0, 4).toString('hex'))
  const m = /^\u2014 (\S+) (\S+)\n$/.exec(sigs)
  assert.ok(m, sigs)
  const raw = Buffer.from(m[2], 'base64')
  assert.equal(raw.subarray(0, 4).toString('hex'), id)
  const text = Buffer.from(body + '\n')
  assert.ok(crypto.verify(null, text, crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), k.publicKey]), format: 'der', type: 'spki' }), raw.subarray(4)))
})

test('verifyCheckpoint: the verifier names its keys, threshold and origin', () => {
  const [a, b, w] = [ed25519(1), ed25519(2), ed25519(3)]
  const root = merkleRoot(events)
  const note = signCheckpoint({ origin: ORIGIN, size: 40, root }, [
    { seed: a.seed },
    { name: 'b.example', seed: b.seed.toString('hex') },
    { name: 'witness.example', seed: w.seed },
  ])
  const ka = noteVerifierKey(ORIGIN, a.publicKey)
  const kb = noteVerifierKey('b.example', b.publicKey)
  const v = verifyCheckpoint(note, { origin: ORIGIN, keys: [ka, kb], threshold: 2 })
  assert.deepEqual(v, {
    ok: true,
    code: null,
    message: null,
    origin: ORIGIN,
    size: 40,
    root,
    extensions: '',
    signedBy: [ka, kb],
    unknown: 1,
  })
  assert.equal(verifyCheckpoint(Buffer.from(note), { origin: ORIGIN, keys: [ka] }).ok, true)
  const missing = verifyCheckpoint(note, { origin: ORIGIN, keys: [ka, kb], threshold: 3 })
  assert.equal(missing.code, 'THRESHOLD_NOT_MET')
  assert.equal(missing.message, '2 trusted key(s) signed the note, 3 required')
  assert.equal(verifyCheckpoint(note, { origin: 'other.example/log', keys: [ka] }).code, 'ORIGIN_MISMATCH')
  assert.equal(verifyCheckpoint(note.replace('\n40\n', '\n41\n'), { origin: ORIGIN, keys: [ka] }).code, 'SIGNATURE_INVALID')
  assert.equal(verifyCheckpoint(note.split('\n\n')[0] + '\n', { origin: ORIGIN, keys: [ka] }).code, 'MALFORMED_NOTE')
  const stranger = noteVerifierKey('stranger', ed25519(9).publicKey)
  assert.equal(verifyCheckpoint(note, { origin: ORIGIN, keys: [stranger] }).code, 'THRESHOLD_NOT_MET')
  // The verifier's own mistakes are thrown.
  assert.throws(() => verifyCheckpoint(note, { origin: ORIGIN, keys: ['nope'] }), { code: 'INVALID_VERIFIER_KEY' })
  assert.throws(() => verifyCheckpoint(note, { origin: ORIGIN, keys: [ka], threshold: 0 }), { code: 'INVALID_THRESHOLD' })
  assert.throws(() => verifyCheckpoint(note, { origin: ORIGIN, keys: ka }), TypeError)
  assert.throws(() => signCheckpoint({ origin: ORIGIN, size: 1, root }, { seed: Buffer.alloc(31) }), { code: 'INVALID_LENGTH' })
  assert.throws(() => signCheckpoint({ origin: 'a\nb', size: 1, root }, { seed: a.seed }), { code: 'MALFORMED_CHECKPOINT' })
  // Extension lines are signed and returned.
  const ext = signCheckpoint({ origin: ORIGIN, size: 40, root, extensions: 'note one\n' }, { seed: a.seed })
  assert.equal(verifyCheckpoint(ext, { origin: ORIGIN, keys: [ka] }).extensions, 'note one\n')
})

test('an auditor checks one event from a checkpoint and a proof', () => {
  const a = ed25519(4)
  const note = signCheckpoint({ origin: ORIGIN, size: events.length, root: merkleRoot(events) }, { seed: a.seed })
  const proof = inclusionProof(events, 21)
  // The auditor holds only: the note, the log's verifier key, event 21's hash and the proof.
  const cp = verifyCheckpoint(note, { origin: ORIGIN, keys: [noteVerifierKey(ORIGIN, a.publicKey)] })
  assert.equal(cp.ok, true)
  assert.equal(verifyInclusion(events[21], 21, cp, proof).ok, true)
})
