'use strict'
// Issue 12: a compliance burn signed in Rust, verified from Node. The burns
// are signed at test time by the Rust host API (`NodeKeystore::sign_burn`,
// core/examples/interop_fixtures.rs, run through cargo; one burn hash is new
// on every run), then verified here through the binding (`Signer.verifySync`
// with the keystore key, `verifySignature` with the public ring only) and
// cross-checked with node:crypto. Every altered hex digit and an altered
// burn hash must fail. SIGNCORE_INTEROP_DIR reuses fixtures already written
// (tests/c/run.sh writes them to target/c-tests/interop).
//
// The binding has no burn-specific call: a burn signature is
// "sig_" + hex(sign(key, UTF-8 bytes of the burn-hash text)) (DESIGN.md §13),
// so these are the calls a Node host uses.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const { Signer, verifySignature } = require('..')

const REPO = path.resolve(__dirname, '..', '..')

function fixtures() {
  if (process.env.SIGNCORE_INTEROP_DIR) return process.env.SIGNCORE_INTEROP_DIR
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signcore-burn-interop-'))
  const run = spawnSync(
    'cargo',
    ['run', '-q', '-p', 'signcore', '--all-features', '--example', 'interop_fixtures', '--', dir],
    { cwd: REPO, encoding: 'utf8', timeout: 600_000 },
  )
  assert.equal(run.status, 0, `cargo run --example interop_fixtures failed:\n${run.stderr}`)
  return dir
}

const dir = fixtures()
const fixture = JSON.parse(fs.readFileSync(path.join(dir, 'burns.json'), 'utf8'))
const keystore = Buffer.from(JSON.stringify(fixture.keystore))

function altered(signature) {
  // Every hex digit of the signature changed in turn.
  const out = []
  for (let i = 4; i < signature.length; i++) {
    const digit = signature[i] === '0' ? '1' : '0'
    out.push(signature.slice(0, i) + digit + signature.slice(i + 1))
  }
  return out
}

test('the fixture holds Ed25519 and HMAC burns, one of this run', () => {
  assert.equal(fixture.burns.length, 6)
  assert.deepEqual(new Set(fixture.burns.map((b) => b.alg)), new Set(['ed25519', 'hmac-sha256']))
  const fresh = fixture.burns.filter((b) => /^burn-\d+$/.test(b.burn_hash))
  assert.equal(fresh.length, 2)
  const nanos = BigInt(fresh[0].burn_hash.slice(5))
  const age = BigInt(Date.now()) * 1_000_000n - nanos
  assert.ok(age >= 0n && age < 3_600_000_000_000n, 'the burn was signed by this test run')
})

test('burns signed in Rust verify with the keystore key in Node; altered ones do not', () => {
  for (const burn of fixture.burns) {
    assert.match(burn.signature, /^sig_[0-9a-f]+$/)
    const signer = Signer.fromKeystore(keystore, burn.key_id)
    try {
      assert.equal(signer.alg, burn.alg)
      const message = Buffer.from(burn.burn_hash, 'utf8')
      const sig = Buffer.from(burn.signature.slice(4), 'hex')
      assert.equal(signer.verifySync(message, sig), true, burn.burn_hash)
      // Node signs the same text (both algorithms are deterministic).
      assert.equal('sig_' + signer.signSync(message).toString('hex'), burn.signature)
      for (const bad of altered(burn.signature)) {
        assert.equal(signer.verifySync(message, Buffer.from(bad.slice(4), 'hex')), false, bad)
      }
      assert.equal(signer.verifySync(Buffer.from(burn.burn_hash + 'x', 'utf8'), sig), false)
    } finally {
      signer.dispose()
    }
  }
})

test('Ed25519 burns verify with the public ring alone, and with node:crypto', () => {
  const ed = fixture.burns.filter((b) => b.alg === 'ed25519')
  assert.equal(ed.length, 3)
  for (const burn of ed) {
    const entry = fixture.public_ring.find((e) => e.kid === burn.key_id)
    assert.ok(entry && !('secret_hex' in entry))
    const message = Buffer.from(burn.burn_hash, 'utf8')
    const key = { alg: 'ed25519', publicKey: entry.public_key }
    assert.equal(verifySignature(key, message, burn.signature.slice(4)), true)
    for (const bad of altered(burn.signature)) {
      assert.equal(verifySignature(key, message, bad.slice(4)), false, bad)
    }
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(entry.public_key, 'hex')])
    const publicKey = crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' })
    assert.equal(crypto.verify(null, message, publicKey, Buffer.from(burn.signature.slice(4), 'hex')), true)
  }
})

test('HMAC burns are HMAC-SHA256 over the burn-hash text (node:crypto)', () => {
  for (const burn of fixture.burns.filter((b) => b.alg === 'hmac-sha256')) {
    const record = fixture.keystore.find((r) => r.key_id === burn.key_id)
    const secret = Buffer.from(record.secret_hex, 'hex')
    const tag = crypto.createHmac('sha256', secret).update(burn.burn_hash, 'utf8').digest('hex')
    assert.equal('sig_' + tag, burn.signature)
    const key = { alg: 'hmac-sha256', secret }
    assert.equal(verifySignature(key, Buffer.from(burn.burn_hash, 'utf8'), burn.signature.slice(4)), true)
    assert.equal(verifySignature(key, Buffer.from(burn.burn_hash + 'x', 'utf8'), burn.signature.slice(4)), false)
  }
})
