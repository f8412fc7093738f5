'use strict'
// Signer: factories, Signer.fromEnv (DESIGN.md §6 through the core's
// policy::resolve), guards, warnings, dispose, and that no secret is ever
// reachable from JS.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')

const { Signer, signAuditDigest } = require('..')
const { hmac, sha256 } = require('./helpers.js')

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signcore-signer-'))
const keystorePath = path.join(dir, 'node_keystore.json')
fs.writeFileSync(
  keystorePath,
  JSON.stringify([
    { key_id: 'node-key-ed25519-1', alg: 'ed25519', secret_hex: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', label: 'primary-ed25519' },
    { key_id: 'node-key-hmac-1', alg: 'hmac_sha256', secret_hex: 'aa55aa55aa55aa55aa55aa55aa55aa55', label: 'primary-hmac' },
  ]),
)
test.after(() => fs.rmSync(dir, { recursive: true }))

const DIGEST = sha256(Buffer.from('audit event')).toString('hex')

function fromEnv(env) {
  const warnings = []
  const signer = Signer.fromEnv(env, { onWarning: (message, code) => warnings.push({ code, message }) })
  return { signer, warnings, codes: warnings.map((w) => w.code) }
}

test('rule 6: MOCK_AUDIT_SIGNING_KEY is a deterministic HMAC mock signer, with a warning', async () => {
  const { signer, codes } = fromEnv({ MOCK_AUDIT_SIGNING_KEY: 'mock-key' })
  assert.deepEqual(codes, ['MOCK_SIGNER'])
  assert.equal(signer.kid, 'mock')
  assert.equal(signer.source, 'mock')
  assert.equal(signer.alg, 'hmac-sha256')
  const block = await signer.signDigest(DIGEST)
  assert.equal(block.signature, hmac(Buffer.from('mock-key'), Buffer.from(DIGEST, 'hex')).toString('hex'))
})

test('rule 5: AUDIT_SIGNING_KEY (and its aliases) beat the mock; AUDIT_SIGNING_ALG selects ed25519', () => {
  for (const name of ['AUDIT_SIGNING_KEY', 'AUDIT_SIGNING_PRIVATE_KEY', 'AUDIT_SIGNING_SECRET']) {
    const { signer, codes } = fromEnv({ [name]: 'test-ci-signing-key', MOCK_AUDIT_SIGNING_KEY: 'm' })
    assert.deepEqual(codes, ['LOCAL_ENV_KEY'], name)
    assert.equal(signer.kid, 'local')
    assert.equal(signer.source, 'local-env')
    assert.equal(signer.keyHash, sha256(Buffer.from('test-ci-signing-key')).toString('hex'))
  }
  const seed = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'
  const { signer } = fromEnv({ AUDIT_SIGNING_KEY: seed, AUDIT_SIGNING_ALG: 'ed25519' })
  assert.equal(signer.alg, 'ed25519')
  assert.equal(signer.publicKey.toString('hex'), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
  assert.throws(() => fromEnv({ AUDIT_SIGNING_KEY: 'k', AUDIT_SIGNING_ALG: 'rsa-sha256' }), { code: 'INVALID_SIGNER_CONFIG', message: /not an algorithm the local core signs with/ })
})

test('rule 4: legacy UTLD_PACKAGE_SIG_KEY, kid legacy-env, with a warning', () => {
  const { signer, codes } = fromEnv({ UTLD_PACKAGE_SIG_KEY: 'hmac:aa55aa55', AUDIT_SIGNING_KEY: 'x' })
  assert.deepEqual(codes, ['LEGACY_KEY'])
  assert.equal(signer.kid, 'legacy-env')
  assert.equal(signer.keyHash, sha256(Buffer.from('aa55aa55', 'hex')).toString('hex'))
  assert.throws(() => fromEnv({ UTLD_PACKAGE_SIG_KEY: 'no-colon' }), { code: 'INVALID_SIGNER_CONFIG', message: /UTLD_PACKAGE_SIG_KEY: must be/ })
})

test('rule 3: RITMA_KEY_ID from the keystore; an unusable keystore warns and goes on', () => {
  const { signer, codes } = fromEnv({ RITMA_KEY_ID: 'node-key-hmac-1', RITMA_KEYSTORE_PATH: keystorePath, MOCK_AUDIT_SIGNING_KEY: 'm' })
  assert.deepEqual(codes, [])
  assert.equal(signer.kid, 'node-key-hmac-1')
  assert.equal(signer.label, 'primary-hmac')
  assert.equal(signer.source, 'keystore')
  const fallback = fromEnv({ RITMA_KEY_ID: 'nope', RITMA_KEYSTORE_PATH: keystorePath, MOCK_AUDIT_SIGNING_KEY: 'm' })
  assert.deepEqual(fallback.codes, ['KEYSTORE_UNAVAILABLE', 'MOCK_SIGNER'])
  assert.match(fallback.warnings[0].message, /no key with key_id "nope"/)
  assert.equal(fallback.signer.kid, 'mock')
  const missing = fromEnv({ RITMA_KEY_ID: 'a', RITMA_KEYSTORE_PATH: path.join(dir, 'absent.json'), AUDIT_SIGNING_KEY: 'k' })
  assert.deepEqual(missing.codes, ['KEYSTORE_UNAVAILABLE', 'LOCAL_ENV_KEY'])
  assert.match(missing.warnings[0].message, /cannot be read/)
})

test('rule 2: SIGNING_PROXY_URL makes a proxy signer; rule 1: KMS wins over it', () => {
  const { signer } = fromEnv({ SIGNING_PROXY_URL: 'http://127.0.0.1:9/', SIGNING_PROXY_API_KEY: 'k', AUDIT_SIGNING_KEY: 'x' })
  assert.equal(signer.backend, 'proxy')
  assert.equal(signer.kid, null)
  assert.throws(() => signer.signSync(Buffer.alloc(32)), { code: 'SYNC_UNSUPPORTED' })
  // (No KMS call is made before ready() or a signing call: test/kms.suite.js runs those against an emulator.)
  const kms = Signer.fromEnv(
    { AUDIT_SIGNING_KMS_KEY_ID: 'arn:aws:kms:eu-west-1:1:key/x', AUDIT_SIGNING_ALG: 'rsa-sha256', SIGNING_PROXY_URL: 'http://x' },
    { kms: { endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } } },
  )
  assert.equal(kms.backend, 'kms')
  assert.equal(kms.alg, 'rsa-sha256')
  assert.equal(kms.kid, null, 'the KMS KeyId is known after the start checks')
  assert.throws(() => kms.signSync(Buffer.alloc(32)), { code: 'SYNC_UNSUPPORTED' })
  assert.throws(() => kms.ringEntry(), { code: 'KMS_NOT_STARTED' })
  kms.dispose()
  assert.throws(() => fromEnv({ AUDIT_SIGNING_KMS_KEY_ID: 'k', AUDIT_SIGNING_ALG: 'rsa-pss' }), { code: 'UNKNOWN_ALGORITHM' })
  assert.throws(() => fromEnv({ SIGNING_PROXY_URL: 'ftp://x' }), { name: 'TypeError', code: 'ERR_INVALID_URL' })
})

test('rule 7 and the guards: NO_SIGNER, and "Audit signing is required" for REQUIRE_KMS / production', () => {
  assert.throws(() => fromEnv({}), { code: 'NO_SIGNER', message: /^no signer configured/ })
  assert.throws(() => fromEnv({ MOCK_AUDIT_SIGNING_KEY: '' }), { code: 'NO_SIGNER' }, 'empty counts as unset')
  for (const env of [
    { NODE_ENV: 'production', MOCK_AUDIT_SIGNING_KEY: 'm' },
    { NODE_ENV: 'production', AUDIT_SIGNING_KEY: 'k' },
    { NODE_ENV: 'production', UTLD_PACKAGE_SIG_KEY: 'hmac:aa' },
    { NODE_ENV: 'production' },
    { REQUIRE_KMS: 'true', RITMA_KEY_ID: 'node-key-hmac-1', RITMA_KEYSTORE_PATH: keystorePath },
    { REQUIRE_KMS: 'true', MOCK_AUDIT_SIGNING_KEY: 'm' },
  ]) {
    assert.throws(() => fromEnv(env), { code: 'SIGNER_REQUIRED', message: /^Audit signing is required/ }, JSON.stringify(env))
  }
  // What the guards admit.
  assert.equal(fromEnv({ NODE_ENV: 'production', RITMA_KEY_ID: 'node-key-ed25519-1', RITMA_KEYSTORE_PATH: keystorePath }).signer.alg, 'ed25519')
  assert.equal(fromEnv({ NODE_ENV: 'production', REQUIRE_KMS: 'true', SIGNING_PROXY_URL: 'https://signer.internal' }).signer.backend, 'proxy')
  // Production with an unusable keystore: the warning is still reported.
  const warnings = []
  assert.throws(
    () => Signer.fromEnv({ NODE_ENV: 'production', RITMA_KEY_ID: 'x', RITMA_KEYSTORE_PATH: keystorePath }, { onWarning: (m, c) => warnings.push(c) }),
    { code: 'SIGNER_REQUIRED' },
  )
  assert.deepEqual(warnings, ['KEYSTORE_UNAVAILABLE'])
})

test('fromEnv defaults: process.env, console.warn; a throwing onWarning propagates', async () => {
  const saved = { ...process.env }
  const warnSaved = console.warn
  const printed = []
  try {
    for (const k of Object.keys(process.env)) delete process.env[k]
    process.env.MOCK_AUDIT_SIGNING_KEY = 'from-process-env'
    console.warn = (...args) => printed.push(args.join(' '))
    assert.equal(Signer.fromEnv().kid, 'mock')
    assert.equal(printed.length, 1)
    assert.match(printed[0], /^signcore: signing with the mock signer/)
    // signAuditDigest without a signer resolves the same way (once per configuration).
    const block = await signAuditDigest(DIGEST)
    assert.equal(block.signature, hmac(Buffer.from('from-process-env'), Buffer.from(DIGEST, 'hex')).toString('hex'))
    await signAuditDigest(DIGEST)
    assert.equal(printed.length, 2)
    process.env.MOCK_AUDIT_SIGNING_KEY = 'changed'
    const changed = await signAuditDigest(DIGEST)
    assert.equal(changed.signature, hmac(Buffer.from('changed'), Buffer.from(DIGEST, 'hex')).toString('hex'))
    delete process.env.MOCK_AUDIT_SIGNING_KEY
    process.env.NODE_ENV = 'production'
    await assert.rejects(signAuditDigest(DIGEST), { code: 'SIGNER_REQUIRED' })
  } finally {
    for (const k of Object.keys(process.env)) delete process.env[k]
    Object.assign(process.env, saved)
    console.warn = warnSaved
  }
  const boom = new Error('boom')
  assert.throws(() => Signer.fromEnv({ MOCK_AUDIT_SIGNING_KEY: 'm' }, { onWarning: () => { throw boom } }), (e) => e === boom)
  assert.throws(() => Signer.fromEnv({ MOCK_AUDIT_SIGNING_KEY: 5 }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  assert.throws(() => Signer.fromEnv('env'), TypeError)
  assert.throws(() => Signer.fromEnv({}, { onWarning: 'no' }), TypeError)
})

test('factories: explicit keys and their errors', async () => {
  const h = Signer.hmac('k1', Buffer.from('secret'))
  assert.equal(h.backend, 'local')
  assert.equal(h.source, 'explicit')
  assert.equal(h.publicKey, null)
  assert.equal(h.label, null)
  assert.ok((await h.sign(Buffer.from('m'))).equals(h.signSync(Buffer.from('m'))))
  assert.equal(await h.verify(Buffer.from('m'), h.signSync(Buffer.from('m'))), true)
  assert.equal(h.verifySync(Buffer.from('m'), Buffer.alloc(5)), false)
  assert.throws(() => Signer.hmac('k', Buffer.alloc(0)), { code: 'INVALID_KEY' })
  assert.throws(() => Signer.hmac('k', Buffer.alloc(65)), { code: 'INVALID_KEY', message: /longer than 64 bytes/ })
  assert.throws(() => Signer.hmac('', 'x'), { code: 'INVALID_KEY_ID' })
  assert.throws(() => Signer.hmac('x'.repeat(65), 'x'), { code: 'INVALID_KEY_ID' })
  assert.throws(() => Signer.hmac('k', '\ud800'), { code: 'LONE_SURROGATE' })
  assert.throws(() => Signer.ed25519('k', Buffer.alloc(31)), { code: 'INVALID_LENGTH' })
  assert.throws(() => Signer.ed25519('k', 'ab'.repeat(31)), { code: 'INVALID_KEY' })
  assert.throws(() => Signer.ed25519('k', 'zz'.repeat(32)), { code: 'INVALID_HEX' })
  assert.throws(() => Signer.fromKeystore(keystorePath, 'absent'), { code: 'KEY_NOT_FOUND' })
  assert.throws(() => Signer.fromKeystore(path.join(dir, 'absent.json'), 'a'), { code: 'KEYSTORE_UNREADABLE' })
  assert.throws(() => Signer.fromKeystore(Buffer.from('key_id=a'), 'a'), { code: 'INVALID_JSON' })
  const ks = Signer.fromKeystore(fs.readFileSync(keystorePath), 'node-key-ed25519-1')
  assert.equal(ks.label, 'primary-ed25519')
  await assert.rejects(h.signDigest('abc'), { code: 'INVALID_HEX' })
  await assert.rejects(h.signDigest('ab'.repeat(31)), { code: 'INVALID_LENGTH' })
  for (const bad of [
    () => Signer.hmac(1, 'x'),
    () => Signer.hmac('k', 5),
    () => Signer.ed25519('k', {}),
    () => Signer.fromKeystore(5, 'a'),
    () => Signer.fromKeystore(keystorePath, 5),
    () => h.signSync('text'),
    () => h.verifySync(Buffer.alloc(1), 'ab'),
    () => new Signer(),
  ]) {
    assert.throws(bad, TypeError)
  }
  await assert.rejects(h.sign('text'), TypeError)
  await assert.rejects(h.signDigest(5), TypeError)
})

test('dispose wipes the key; metadata stays readable; nothing exposes the secret', async () => {
  const secret = 'do-not-leak-this-secret'
  const s = Signer.hmac('k', secret)
  const names = new Set([...Object.getOwnPropertyNames(s), ...Object.getOwnPropertyNames(Signer.prototype)])
  for (const name of names) assert.doesNotMatch(name, /secret|seed|private/i)
  assert.doesNotMatch(JSON.stringify(s), /do-not-leak/)
  assert.doesNotMatch(util.inspect(s, { showHidden: true, depth: 5 }), /do-not-leak|646f2d6e6f74/)
  assert.equal(s.disposed, false)
  s.dispose()
  assert.equal(s.disposed, true)
  assert.equal(s.kid, 'k')
  assert.match(util.inspect(s), /disposed/)
  assert.throws(() => s.signSync(Buffer.alloc(32)), { code: 'SIGNER_DISPOSED' })
  await assert.rejects(s.signDigest(DIGEST), { code: 'SIGNER_DISPOSED' })
  await assert.rejects(signAuditDigest(DIGEST, s), { code: 'SIGNER_DISPOSED' })
  s.dispose()
})
