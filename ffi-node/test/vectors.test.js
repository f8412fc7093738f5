'use strict'
// The shared vectors (../shared/vectors, or SIGNCORE_VECTORS) through the
// Node binding: RFC 8785 pairs, generated JCS cases and ES6 numbers, audit
// chains (exact (index, code) sets), keystores, Wycheproof HMAC and Ed25519.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const signcore = require('..')
const { vectorPath, readVector, readJsonVector, findingKeys, sha256 } = require('./helpers.js')

test('RFC 8785 reference pairs (jcs/input -> jcs/output)', (t) => {
  const dir = path.dirname(vectorPath('jcs', 'input', 'values.json'))
  const names = fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()
  assert.ok(names.length >= 6)
  for (const name of names) {
    const input = readVector('jcs', 'input', name)
    const expected = readVector('jcs', 'output', name).toString('utf8')
    assert.equal(signcore.canonicalizeJson(input), expected, `${name} (bytes)`)
    assert.equal(signcore.canonicalizeJson(input.toString('utf8')), expected, `${name} (string)`)
    assert.equal(signcore.canonicalizePayload(JSON.parse(input.toString('utf8'))), expected, `${name} (payload)`)
  }
  t.diagnostic(`rfc8785 pairs: ${names.length} checked (x3 input forms)`)
})

test('generated/jcs_cases.json', (t) => {
  const cases = readJsonVector('generated', 'jcs_cases.json')
  for (const [i, { input, expected }] of cases.entries()) {
    assert.equal(signcore.canonicalizeJson(input), expected, `case ${i}`)
    assert.equal(signcore.canonicalizeJson(Buffer.from(input)), expected, `case ${i} (bytes)`)
  }
  t.diagnostic(`jcs_cases: ${cases.length} checked`)
})

test('generated/es6_numbers.txt via canonicalizeJson', (t) => {
  const lines = readVector('generated', 'es6_numbers.txt').toString('utf8').split('\n').filter(Boolean)
  const bits = Buffer.alloc(8)
  let checked = 0
  for (const line of lines) {
    const [hex, expected] = line.split(',')
    bits.write(hex.padStart(16, '0'), 'hex')
    const value = bits.readDoubleBE(0)
    assert.ok(Number.isFinite(value), line)
    // 17 significant digits always round-trip; the sign of -0 is added by hand.
    const spelled = (Object.is(value, -0) ? '-' : '') + value.toExponential(16)
    assert.equal(signcore.canonicalizeJson(spelled), expected, `${hex} spelled ${spelled}`)
    assert.equal(signcore.canonicalizeJson(`[${String(value)}]`), `[${expected}]`, `${hex} as ${String(value)}`)
    checked++
  }
  assert.equal(checked, 20000)
  t.diagnostic(`es6_numbers: ${checked} doubles checked (2 spellings each)`)
})

test('generated/audit_chains.json: exact (index, code) sets', async (t) => {
  const { ring, scenarios, signing_keys: signingKeys } = readJsonVector('generated', 'audit_chains.json')
  const ringText = JSON.stringify(ring)
  const keystoreRing = Buffer.from(JSON.stringify(signingKeys))
  let reports = 0
  for (const { name, events, expected } of scenarios) {
    const want = findingKeys(expected)
    const asArray = signcore.verifyChain(events, ring)
    assert.deepEqual(findingKeys(asArray.errors), want, `${name} (array)`)
    assert.equal(asArray.ok, want.length === 0, name)
    assert.equal(asArray.checked, events.length, name)
    const asText = signcore.verifyChain(JSON.stringify(events), ringText)
    assert.deepEqual(asText, asArray, `${name} (text)`)
    const asBytes = signcore.verifyChain(Buffer.from(JSON.stringify(events)), new TextEncoder().encode(ringText))
    assert.deepEqual(asBytes, asArray, `${name} (bytes)`)
    const viaKeystore = signcore.verifyChain(events, keystoreRing)
    assert.deepEqual(viaKeystore, asArray, `${name} (keystore as ring)`)
    const async = await signcore.verifyChainAsync(events, ring)
    assert.deepEqual(async, asArray, `${name} (async)`)
    for (const e of asArray.errors) assert.ok(e.message.length > 0)
    reports += 5
  }
  t.diagnostic(`audit_chains: ${scenarios.length} scenarios, ${reports} reports compared`)
})

test('audit_chains: the binding re-creates the valid chains byte for byte', async (t) => {
  const { scenarios, signing_keys: signingKeys } = readJsonVector('generated', 'audit_chains.json')
  const keystore = Buffer.from(JSON.stringify(signingKeys))
  const signers = new Map(signingKeys.map((k) => [k.key_id, signcore.Signer.fromKeystore(keystore, k.key_id)]))
  let events = 0
  for (const { name, events: chain } of scenarios.filter((s) => s.name.startsWith('valid-'))) {
    for (const event of chain) {
      const canonical = signcore.canonicalizePayload(event.payload)
      const hash = signcore.computeAuditDigest(canonical, event.prev_hash)
      assert.equal(hash, event.hash, `${name}: hash`)
      const block = await signcore.signAuditDigest(hash, signers.get(event.kid))
      assert.deepEqual(block, { kid: event.kid, alg: event.alg, signature: event.signature }, `${name}: signature`)
      events++
    }
  }
  for (const s of signers.values()) s.dispose()
  t.diagnostic(`audit_chains: ${events} events re-canonicalized, re-hashed and re-signed`)
})

test('generated/keystores.json', (t) => {
  const { valid, broken, raw } = readJsonVector('generated', 'keystores.json')
  const text = Buffer.from(JSON.stringify(valid.keystore))
  assert.deepEqual(signcore.keystoreMetadata(text), valid.expected)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signcore-ks-'))
  const file = path.join(dir, 'node_keystore.json')
  fs.writeFileSync(file, text)
  assert.deepEqual(signcore.keystoreMetadata(file), valid.expected)
  for (const meta of valid.expected) {
    const signer = signcore.Signer.fromKeystore(file, meta.key_id)
    assert.equal(signer.kid, meta.key_id)
    assert.equal(signer.alg, meta.alg)
    assert.equal(signer.keyHash, meta.key_hash)
    assert.equal(signer.label, meta.label)
    if (meta.alg === 'ed25519') assert.equal(sha256(signer.publicKey).toString('hex'), meta.key_hash)
    else assert.equal(signer.publicKey, null)
    signer.dispose()
  }
  for (const { name, keystore, secrets } of broken) {
    const bytes = Buffer.from(JSON.stringify(keystore))
    const error = (() => {
      try {
        signcore.keystoreMetadata(bytes)
      } catch (e) {
        return e
      }
      assert.fail(`${name}: accepted`)
    })()
    assert.equal(typeof error.code, 'string', name)
    assert.match(error.code, /^(INVALID_KEYSTORE|INVALID_JSON)$/, `${name}: ${error.code}`)
    for (const secret of secrets) {
      if (secret.length >= 4) {
        assert.ok(!error.message.toLowerCase().includes(secret.toLowerCase()), `${name}: secret in message`)
        assert.ok(!String(error.stack).toLowerCase().includes(secret.toLowerCase()), `${name}: secret in stack`)
      }
    }
    assert.throws(() => signcore.Signer.fromKeystore(bytes, 'a'), { code: error.code }, name)
  }
  for (const { name, text: rawText } of raw) {
    assert.throws(() => signcore.keystoreMetadata(Buffer.from(rawText)), { code: 'INVALID_JSON' }, name)
  }
  fs.rmSync(dir, { recursive: true })
  t.diagnostic(
    `keystores: ${valid.expected.length} valid keys, ${broken.length} broken keystores, ${raw.length} raw texts`,
  )
})

test('Wycheproof HMAC-SHA256', (t) => {
  const { testGroups } = readJsonVector('wycheproof', 'hmac_sha256_test.json')
  const counts = { checked: 0, skippedLongKey: 0 }
  for (const group of testGroups) {
    const tagBytes = group.tagSize / 8
    for (const tc of group.tests) {
      const key = Buffer.from(tc.key, 'hex')
      const msg = Buffer.from(tc.msg, 'hex')
      const tag = Buffer.from(tc.tag, 'hex')
      const valid = tc.result === 'valid'
      if (key.length > 64) {
        // The core refuses HMAC keys over 64 bytes by policy (DESIGN.md §3).
        assert.throws(() => signcore.Signer.hmac('w', key), { code: 'INVALID_KEY' })
        counts.skippedLongKey++
        continue
      }
      const signer = signcore.Signer.hmac('w', key)
      const computed = signer.signSync(msg)
      assert.equal(computed.subarray(0, tagBytes).equals(tag), valid, `tcId ${tc.tcId}`)
      if (tagBytes === 32) {
        assert.equal(signer.verifySync(msg, tag), valid, `tcId ${tc.tcId} verify`)
        assert.equal(signcore.verifySignature({ alg: 'hmac-sha256', secret: key }, msg, tag), valid, `tcId ${tc.tcId}`)
      } else {
        // A truncated tag is not a full signature: never valid as one.
        assert.equal(signer.verifySync(msg, tag), false)
      }
      signer.dispose()
      counts.checked++
    }
  }
  t.diagnostic(
    `wycheproof hmac: ${counts.checked} checked, ${counts.skippedLongKey} skipped (keys over 64 bytes, refused by policy)`,
  )
})

test('Wycheproof Ed25519 (strict verification)', (t) => {
  const { testGroups } = readJsonVector('wycheproof', 'ed25519_test.json')
  const counts = { checked: 0, keyRefused: 0 }
  for (const group of testGroups) {
    const pk = group.publicKey.pk
    for (const tc of group.tests) {
      const msg = Buffer.from(tc.msg, 'hex')
      let ok
      try {
        ok = signcore.verifySignature({ alg: 'ed25519', publicKey: pk }, msg, tc.sig)
      } catch (e) {
        assert.match(e.code, /^(INVALID_KEY|INVALID_HEX)$/, `tcId ${tc.tcId}`)
        ok = false
        counts.keyRefused++
      }
      assert.equal(ok, tc.result === 'valid', `tcId ${tc.tcId} (${tc.comment})`)
      counts.checked++
    }
  }
  t.diagnostic(`wycheproof ed25519: ${counts.checked} checked (${counts.keyRefused} refused as key or hex errors)`)
})
