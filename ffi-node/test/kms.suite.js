'use strict'
// AWS KMS signing (DESIGN.md §11) against the real emulator `ministack`
// (started here on 127.0.0.1, stopped by PID). moto is not used: it ignores
// MessageType=DIGEST (it signs SHA256(digest)) and has no Ed25519 keys.
//
// Every asymmetric signature is also verified OFFLINE: with the public key
// from GetPublicKey (asked here with the SDK, not through the signer) as a
// ring entry through the core, and with node:crypto as a second,
// independent check.

// Dummy credentials for the emulator, through the SDK's own chain.
const { CREDENTIALS, REGION, startEmulator, freePort } = require('./kms-emulator.js')
process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId
process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey
process.env.AWS_EC2_METADATA_DISABLED = 'true'
delete process.env.AWS_PROFILE
delete process.env.AWS_SESSION_TOKEN

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const net = require('node:net')
const http = require('node:http')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const {
  KMSClient,
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  GetPublicKeyCommand,
  SignCommand,
} = require('@aws-sdk/client-kms')

const { Signer, canonicalizePayload, computeAuditDigest, signAuditDigest, verifyChain, verifyChainAsync } = require('..')
const { AuditLog } = require('../examples/audit-flow.js')

const OUT = path.resolve(__dirname, '..', '..', 'target', 'kms')
const CHAIN_EVENTS = 1000

let emulator
let admin
const counts = { chains: 0, events: 0, offlineChecks: 0, cases: 0 }

test.before(async () => {
  emulator = await startEmulator()
  console.log(`kms emulator: ministack ${emulator.version} at ${emulator.endpoint} (pid ${emulator.pid})`)
  admin = new KMSClient({ region: REGION, endpoint: emulator.endpoint, credentials: CREDENTIALS })
})

test.after(async () => {
  admin?.destroy()
  if (emulator) await emulator.stop()
  console.log(
    `kms: ${counts.chains} chains of ${CHAIN_EVENTS} events signed through KMS (${counts.events} signatures in all), ` +
      `${counts.offlineChecks} offline signature checks (node:crypto), ${counts.cases} error cases`,
  )
})

async function createKey(KeySpec, KeyUsage) {
  const { KeyMetadata } = await admin.send(new CreateKeyCommand({ KeySpec, KeyUsage, Description: `signcore test ${KeySpec}` }))
  return KeyMetadata
}

function kmsSigner(keyId, alg, extra) {
  return Signer.kms({ keyId, alg, region: REGION, endpoint: emulator.endpoint, credentials: CREDENTIALS, ...extra })
}

/** The key's public key, asked directly with the SDK: a ring entry and a node:crypto key. */
async function offlineKey(arn, kid, alg) {
  const { PublicKey } = await admin.send(new GetPublicKeyCommand({ KeyId: arn }))
  const spki = Buffer.from(PublicKey)
  const nodeKey = crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' })
  const publicHex = alg === 'ed25519' ? spki.subarray(12).toString('hex') : spki.toString('hex')
  return { ring: [{ kid, alg, public_key: publicHex }], nodeKey, spki }
}

/** node:crypto's verdict on one signature over a 32-byte digest. */
function nodeVerify(alg, nodeKey, digest, signature) {
  if (alg === 'ed25519') return crypto.verify(null, digest, nodeKey, signature)
  // RSASSA-PKCS1-v1_5 over a pre-computed SHA-256 digest: the DigestInfo.
  const recovered = crypto.publicDecrypt({ key: nodeKey, padding: crypto.constants.RSA_PKCS1_PADDING }, signature)
  return recovered.equals(Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), digest]))
}

function payloadOf(i) {
  return { seq: i, action: ['user.login', 'policy.update', 'export.create'][i % 3], actor: `user-${i % 17}`, ratio: i / 8 }
}

/** A chain of `n` events signed by `signer`, `parallel` signatures in flight (links first, then signatures). */
async function signChain(signer, n, parallel = 8) {
  const events = []
  let prev = null
  for (let i = 0; i < n; i++) {
    const payload = payloadOf(i)
    const hash = computeAuditDigest(canonicalizePayload(payload), prev)
    events.push({ payload, hash, prev_hash: prev })
    prev = hash
  }
  let next = 0
  const worker = async () => {
    while (next < events.length) {
      const event = events[next++]
      Object.assign(event, await signer.signDigest(event.hash))
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
  if (n === CHAIN_EVENTS) counts.chains++
  counts.events += n
  return events
}

function tamper(events) {
  const copy = structuredClone(events)
  copy[10].payload.actor = 'mallory' // HASH_MISMATCH at 10
  const sig = Buffer.from(copy[20].signature, 'hex')
  sig[sig.length - 1] ^= 1
  copy[20].signature = sig.toString('hex') // SIGNATURE_INVALID at 20
  copy[30].prev_hash = copy[28].hash // CHAIN_BROKEN and HASH_MISMATCH at 30
  copy[40].kid = 'someone-else' // UNKNOWN_KEY at 40
  return copy
}

const TAMPER_FINDINGS = [
  [10, 'HASH_MISMATCH'],
  [20, 'SIGNATURE_INVALID'],
  [30, 'CHAIN_BROKEN'],
  [30, 'HASH_MISMATCH'],
  [40, 'UNKNOWN_KEY'],
]

function pairs(report) {
  return report.errors.map((e) => [e.index, e.code])
}

for (const [spec, alg] of [
  ['RSA_2048', 'rsa-sha256'],
  ['RSA_4096', 'rsa-sha256'],
  ['ECC_NIST_EDWARDS25519', 'ed25519'],
]) {
  test(`KMS ${spec}: a ${CHAIN_EVENTS}-event chain signs, verifies offline (core + node:crypto), tampering is found`, async () => {
    const meta = await createKey(spec, 'SIGN_VERIFY')
    const signer = await kmsSigner(meta.Arn, alg)
    try {
      assert.equal(signer.backend, 'kms')
      assert.equal(signer.source, 'kms')
      assert.equal(signer.alg, alg)
      assert.equal(signer.kid, meta.KeyId)
      const offline = await offlineKey(meta.Arn, meta.KeyId, alg)
      assert.deepEqual(signer.ringEntry(), offline.ring[0])
      const hashed = alg === 'ed25519' ? offline.spki.subarray(12) : offline.spki
      assert.equal(signer.keyHash, crypto.createHash('sha256').update(hashed).digest('hex'))
      assert.deepEqual(signer.publicKey, Buffer.from(offline.ring[0].public_key, 'hex'))

      const events = await signChain(signer, CHAIN_EVENTS)
      const sigLen = alg === 'ed25519' ? 64 : Number(spec.slice(4)) / 8
      for (const event of events) {
        assert.equal(event.kid, meta.KeyId)
        assert.equal(event.alg, alg)
        assert.equal(event.signature.length, 2 * sigLen)
        assert.ok(nodeVerify(alg, offline.nodeKey, Buffer.from(event.hash, 'hex'), Buffer.from(event.signature, 'hex')))
        counts.offlineChecks++
      }
      const report = verifyChain(events, offline.ring)
      assert.deepEqual(report, { ok: true, checked: CHAIN_EVENTS, errors: [] })
      assert.deepEqual(await verifyChainAsync(JSON.stringify(events), offline.ring), report)

      const tampered = verifyChain(tamper(events), offline.ring)
      assert.equal(tampered.ok, false)
      assert.deepEqual(pairs(tampered), TAMPER_FINDINGS)

      // The signer's own verify() is local (the public key), not a KMS call.
      assert.equal(await signer.verify(Buffer.from(events[0].hash, 'hex'), Buffer.from(events[0].signature, 'hex')), true)
      assert.equal(await signer.verify(Buffer.from(events[1].hash, 'hex'), Buffer.from(events[0].signature, 'hex')), false)
      if (spec === 'RSA_2048') {
        fs.mkdirSync(OUT, { recursive: true })
        fs.writeFileSync(path.join(OUT, 'kms-rsa2048-chain.json'), JSON.stringify(events.slice(0, 50), null, 1))
        fs.writeFileSync(path.join(OUT, 'kms-rsa2048-ring.json'), JSON.stringify(offline.ring, null, 1))
      }
    } finally {
      signer.dispose()
    }
  })
}

test(`KMS HMAC_256: a ${CHAIN_EVENTS}-event chain signs with GenerateMac and verifies through VerifyMac`, async () => {
  const meta = await createKey('HMAC_256', 'GENERATE_VERIFY_MAC')
  const signer = await kmsSigner(meta.KeyId, 'hmac-sha256')
  try {
    assert.equal(signer.alg, 'hmac-sha256')
    assert.equal(signer.keyHash, null, 'the secret never leaves KMS: no key hash')
    assert.equal(signer.publicKey, null)
    assert.throws(() => signer.ringEntry(), { code: 'NO_PUBLIC_KEY' })
    const events = await signChain(signer, CHAIN_EVENTS)
    for (const event of events) assert.equal(event.signature.length, 64)
    // Natively the kid is unknown (no secret in any ring) ...
    const native = verifyChain(events, [])
    assert.equal(native.errors.length, CHAIN_EVENTS)
    assert.ok(native.errors.every((e) => e.code === 'UNKNOWN_KEY'))
    // ... through VerifyMac it verifies, same report shape.
    const remote = { [meta.KeyId]: signer }
    const report = await verifyChainAsync(events, [], { remote, concurrency: 8 })
    assert.deepEqual(report, { ok: true, checked: CHAIN_EVENTS, errors: [] })
    const tampered = await verifyChainAsync(JSON.stringify(tamper(events).slice(0, 50)), [], { remote })
    assert.deepEqual(pairs(tampered), TAMPER_FINDINGS)
    assert.equal(tampered.errors.find((e) => e.index === 20).code, 'SIGNATURE_INVALID')
    // verify() goes to VerifyMac: a verdict both ways.
    const digest = Buffer.from(events[5].hash, 'hex')
    assert.equal(await signer.verify(digest, Buffer.from(events[5].signature, 'hex')), true)
    assert.equal(await signer.verify(digest, Buffer.from(events[6].signature, 'hex')), false)
    assert.equal(await signer.verify(digest, Buffer.alloc(5)), false)
    // §2 spellings of the event's alg are the key's alg ...
    const spelled = structuredClone(events.slice(0, 3))
    spelled[1].alg = 'HMAC_SHA_256'
    assert.deepEqual(pairs(await verifyChainAsync(spelled, [], { remote })), [])
    // ... another alg is not (a signer that declares ed25519 gets no HMAC event).
    const ed = { alg: 'ed25519', verify: async () => assert.fail('not asked') }
    assert.deepEqual(pairs(await verifyChainAsync(spelled, [], { remote: { [meta.KeyId]: ed } })).length, 3)
  } finally {
    signer.dispose()
  }
})

test('remote verification is generic: any signer with an async verify(), concurrency-bounded', async () => {
  const local = Signer.hmac('proxy-held', 'proxy-secret')
  const events = await signChain(local, 40)
  let inFlight = 0
  let most = 0
  const proxyLike = {
    async verify(digest, signature) {
      inFlight++
      most = Math.max(most, inFlight)
      await new Promise((resolve) => setTimeout(resolve, 2))
      inFlight--
      return local.verify(digest, signature)
    },
  }
  const report = await verifyChainAsync(events, [], { remote: { 'proxy-held': proxyLike }, concurrency: 3 })
  assert.deepEqual(report, { ok: true, checked: 40, errors: [] })
  assert.ok(most <= 3 && most >= 2, `at most 3 in flight (saw ${most})`)
  // A failing remote rejects the whole check (no verdict without an answer).
  const failing = { verify: async () => Promise.reject(Object.assign(new Error('down'), { code: 'PROXY_ERROR' })) }
  await assert.rejects(verifyChainAsync(events, [], { remote: { 'proxy-held': failing } }), { code: 'PROXY_ERROR' })
  assert.throws(() => verifyChain(events, [], { remote: {} }), { code: 'SYNC_UNSUPPORTED' })
  await assert.rejects(verifyChainAsync(events, [], { remote: { x: {} } }), TypeError)
  await assert.rejects(verifyChainAsync(events, [], { remote: {}, concurrency: 0 }), RangeError)
  local.dispose()
})

// ------------------------------------------------------------- error cases

function noSecrets(error) {
  for (const text of [error.message, String(error.stack)]) {
    assert.ok(!text.includes(CREDENTIALS.secretAccessKey), 'no secret access key in errors')
    assert.ok(!text.includes(CREDENTIALS.accessKeyId), 'no access key id in errors')
  }
  counts.cases++
  return true
}

test('start fails for a disabled key, naming the key and the problem', async () => {
  const meta = await createKey('RSA_2048', 'SIGN_VERIFY')
  await admin.send(new DisableKeyCommand({ KeyId: meta.KeyId }))
  await assert.rejects(kmsSigner(meta.KeyId, 'rsa-sha256'), (error) => {
    assert.equal(error.code, 'KMS_KEY_UNSUITABLE')
    assert.match(error.message, new RegExp(`AWS KMS key "${meta.KeyId}" cannot sign audit events: it is not enabled \\(KeyState Disabled\\)`))
    return noSecrets(error)
  })
})

test('start fails for the wrong key usage', async () => {
  const meta = await createKey('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT')
  await assert.rejects(kmsSigner(meta.KeyId, 'hmac-sha256'), (error) => {
    assert.equal(error.code, 'KMS_KEY_UNSUITABLE')
    assert.match(error.message, /its key usage is ENCRYPT_DECRYPT, but hmac-sha256 needs GENERATE_VERIFY_MAC/)
    return noSecrets(error)
  })
  // With no alg configured, a symmetric encryption key serves nothing.
  await assert.rejects(kmsSigner(meta.KeyId, undefined), (error) => {
    assert.match(error.message, /its key spec SYMMETRIC_DEFAULT serves none of/)
    return noSecrets(error)
  })
})

test('start fails for a key spec that does not fit AUDIT_SIGNING_ALG', async () => {
  const rsa = await createKey('RSA_2048', 'SIGN_VERIFY')
  await assert.rejects(kmsSigner(rsa.KeyId, 'ed25519'), (error) => {
    assert.equal(error.code, 'KMS_KEY_UNSUITABLE')
    assert.match(error.message, /its key spec is RSA_2048, but AUDIT_SIGNING_ALG=ed25519 needs ECC_NIST_EDWARDS25519/)
    return noSecrets(error)
  })
  const p256 = await createKey('ECC_NIST_P256', 'SIGN_VERIFY')
  await assert.rejects(kmsSigner(p256.KeyId, 'rsa-sha256'), (error) => {
    assert.match(error.message, /its key spec is ECC_NIST_P256, but AUDIT_SIGNING_ALG=rsa-sha256 needs RSA_2048 or RSA_3072 or RSA_4096/)
    return noSecrets(error)
  })
  const hmac = await createKey('HMAC_256', 'GENERATE_VERIFY_MAC')
  await assert.rejects(kmsSigner(hmac.KeyId, 'rsa-sha256'), /its key usage is GENERATE_VERIFY_MAC, but rsa-sha256 needs SIGN_VERIFY/)
  counts.cases++
  // An algorithm name §2 does not know is refused before any call.
  await assert.rejects(kmsSigner(hmac.KeyId, 'rsa-pss'), { code: 'UNKNOWN_ALGORITHM' })
  counts.cases++
})

test('start fails for an unknown key id with the AWS error name and request id', async () => {
  const missing = 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000000'
  await assert.rejects(kmsSigner(missing, 'rsa-sha256'), (error) => {
    assert.equal(error.code, 'KMS_ERROR')
    assert.equal(error.operation, 'DescribeKey')
    assert.equal(error.awsErrorName, 'NotFoundException')
    assert.equal(error.httpStatus, 400)
    assert.match(error.message, /AWS KMS DescribeKey for key "arn:aws:kms:[^"]+" failed: NotFoundException: /)
    return noSecrets(error)
  })
})

test('an endpoint that never answers hits the per-call deadline; a closed port fails fast', async () => {
  const sockets = new Set()
  const blackHole = net.createServer((socket) => sockets.add(socket))
  await new Promise((resolve) => blackHole.listen(0, '127.0.0.1', resolve))
  try {
    const started = Date.now()
    await assert.rejects(
      Signer.kms({ keyId: 'alias/audit', alg: 'rsa-sha256', region: REGION, credentials: CREDENTIALS, endpoint: `http://127.0.0.1:${blackHole.address().port}`, timeoutMs: 400 }),
      (error) => {
        assert.equal(error.code, 'KMS_ERROR')
        assert.equal(error.awsErrorName, 'TimeoutError')
        assert.match(error.message, /AWS KMS DescribeKey for key "alias\/audit" did not answer within 400 ms/)
        return noSecrets(error)
      },
    )
    assert.ok(Date.now() - started < 5000)
  } finally {
    for (const socket of sockets) socket.destroy()
    blackHole.close()
  }
  const closed = await freePort()
  await assert.rejects(
    Signer.kms({ keyId: 'alias/audit', alg: 'rsa-sha256', region: REGION, credentials: CREDENTIALS, endpoint: `http://127.0.0.1:${closed}`, timeoutMs: 3000, maxAttempts: 1 }),
    (error) => {
      assert.equal(error.code, 'KMS_ERROR')
      assert.match(error.message, /AWS KMS DescribeKey for key "alias\/audit" failed: /)
      return noSecrets(error)
    },
  )
})

test('throttling is retried with backoff (the SDK standard retry), then reported', async () => {
  // A local HTTP endpoint that always answers KMS's throttling error.
  let requests = 0
  const server = http.createServer((req, res) => {
    requests++
    req.resume()
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${requests}` })
      res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }))
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    await assert.rejects(
      Signer.kms({ keyId: 'k', alg: 'ed25519', region: REGION, credentials: CREDENTIALS, endpoint: `http://127.0.0.1:${server.address().port}`, maxAttempts: 3, timeoutMs: 20_000 }),
      (error) => {
        assert.equal(error.code, 'KMS_ERROR')
        assert.equal(error.awsErrorName, 'ThrottlingException')
        assert.equal(error.requestId, 'req-3')
        assert.match(error.message, /failed: ThrottlingException: Rate exceeded \(request id req-3\)/)
        return noSecrets(error)
      },
    )
    assert.equal(requests, 3)
  } finally {
    server.close()
  }
})

test('a key disabled after start: signing rejects with the AWS error, nothing returned', async () => {
  const meta = await createKey('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY')
  const signer = await kmsSigner(meta.KeyId, 'ed25519')
  const digest = computeAuditDigest('{"a":1}', null)
  await signer.signDigest(digest)
  await admin.send(new DisableKeyCommand({ KeyId: meta.KeyId }))
  await assert.rejects(signer.signDigest(digest), (error) => {
    assert.equal(error.code, 'KMS_ERROR')
    assert.equal(error.operation, 'Sign')
    assert.equal(error.awsErrorName, 'DisabledException')
    return noSecrets(error)
  })
  signer.dispose()
  await assert.rejects(signer.signDigest(digest), { code: 'SIGNER_DISPOSED' })
})

test('a wrong answer from KMS is an error, never a signature', async () => {
  // The real client, with the Sign answer of another key spliced in.
  const meta = await createKey('RSA_2048', 'SIGN_VERIFY')
  const other = await createKey('RSA_2048', 'SIGN_VERIFY')
  const client = new KMSClient({ region: REGION, endpoint: emulator.endpoint, credentials: CREDENTIALS })
  const splicing = {
    async send(command, options) {
      const answer = await client.send(command, options)
      if (command instanceof SignCommand) {
        const { Signature } = await client.send(new SignCommand({ ...command.input, KeyId: other.KeyId }))
        return { ...answer, Signature }
      }
      return answer
    },
  }
  const signer = await Signer.kms({ keyId: meta.KeyId, alg: 'rsa-sha256', client: splicing })
  await assert.rejects(signer.signDigest(computeAuditDigest('{}', null)), (error) => {
    assert.equal(error.code, 'KMS_ERROR')
    assert.match(error.message, /answered a signature that does not verify with its public key/)
    return noSecrets(error)
  })
  client.destroy()
})

// ------------------------------------------------ the audit flow and fromEnv

test('the sign-before-commit flow (SQLite) with KMS: a failure in the middle stores nothing', async () => {
  const meta = await createKey('RSA_2048', 'SIGN_VERIFY')
  const signer = await kmsSigner(meta.KeyId, 'rsa-sha256')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signcore-kms-flow-'))
  const log = new AuditLog(path.join(dir, 'audit.db'), signer)
  try {
    for (let i = 0; i < 5; i++) await log.append(payloadOf(i))
    assert.equal(log.count(), 5)
    await admin.send(new DisableKeyCommand({ KeyId: meta.KeyId }))
    await assert.rejects(log.append({ action: 'user.delete', actor: 'mallory' }), { code: 'KMS_ERROR', awsErrorName: 'DisabledException' })
    assert.equal(log.count(), 5, 'the failed append stored nothing')
    await admin.send(new EnableKeyCommand({ KeyId: meta.KeyId }))
    for (let i = 5; i < 8; i++) await log.append(payloadOf(i))
    assert.equal(log.count(), 8)
    const offline = await offlineKey(meta.Arn, meta.KeyId, 'rsa-sha256')
    assert.deepEqual(log.verify(offline.ring), { ok: true, checked: 8, errors: [] })
    const rows = JSON.parse(log.eventsJson())
    for (const row of rows) {
      assert.ok(nodeVerify('rsa-sha256', offline.nodeKey, Buffer.from(row.hash, 'hex'), Buffer.from(row.signature, 'hex')))
      counts.offlineChecks++
    }
  } finally {
    log.close()
    signer.dispose()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

function productionEnv(keyId) {
  return {
    AUDIT_SIGNING_KMS_KEY_ID: keyId,
    AUDIT_SIGNING_ALG: 'rsa-sha256',
    REQUIRE_KMS: 'true',
    NODE_ENV: 'production',
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_KMS: emulator.endpoint,
  }
}

test("Signer.fromEnv() with the seed's production example signs; the chain verifies offline", async () => {
  const meta = await createKey('RSA_2048', 'SIGN_VERIFY')
  const warnings = []
  const signer = Signer.fromEnv(productionEnv(meta.Arn), { onWarning: (m) => warnings.push(m) })
  assert.equal(signer.backend, 'kms')
  assert.equal(await signer.ready(), signer)
  assert.deepEqual(warnings, [])
  assert.equal(signer.kid, meta.KeyId)
  const events = await signChain(signer, 20, 4)
  const offline = await offlineKey(meta.Arn, meta.KeyId, 'rsa-sha256')
  assert.deepEqual(verifyChain(events, signer.ringEntry() && [signer.ringEntry()]), { ok: true, checked: 20, errors: [] })
  assert.deepEqual(verifyChain(events, offline.ring), { ok: true, checked: 20, errors: [] })
  for (const event of events) {
    assert.ok(nodeVerify('rsa-sha256', offline.nodeKey, Buffer.from(event.hash, 'hex'), Buffer.from(event.signature, 'hex')))
    counts.offlineChecks++
  }
  fs.mkdirSync(OUT, { recursive: true })
  fs.writeFileSync(path.join(OUT, 'kms-fromenv-rsa-chain.json'), JSON.stringify(events, null, 1))
  fs.writeFileSync(path.join(OUT, 'kms-fromenv-rsa-ring.json'), JSON.stringify([signer.ringEntry()], null, 1))
  signer.dispose()

  // An unsuitable key fails ready() (and every signing call), never unhandled.
  const ed = await createKey('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY')
  const wrong = Signer.fromEnv(productionEnv(ed.KeyId))
  await assert.rejects(wrong.ready(), { code: 'KMS_KEY_UNSUITABLE' })
  await assert.rejects(wrong.signDigest(events[0].hash), { code: 'KMS_KEY_UNSUITABLE' })
  wrong.dispose()
})

test('process.env production example: signAuditDigest signs through KMS and prints nothing', async () => {
  const meta = await createKey('RSA_3072', 'SIGN_VERIFY')
  const script = `
    const { signAuditDigest, Signer, computeAuditDigest } = require(${JSON.stringify(path.resolve(__dirname, '..'))})
    ;(async () => {
      const signer = await Signer.fromEnv().ready()
      const block = await signAuditDigest(computeAuditDigest('{"a":1}', null))
      require('node:fs').writeSync(3, JSON.stringify({ block, ring: [signer.ringEntry()] }))
    })().catch((e) => { require('node:fs').writeSync(3, JSON.stringify({ error: e.code + ': ' + e.message })); process.exitCode = 1 })
  `
  const env = { PATH: process.env.PATH, HOME: os.tmpdir(), ...productionEnv(meta.KeyId) }
  env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId
  env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey
  env.AWS_EC2_METADATA_DISABLED = 'true'
  const run = (extra) =>
    spawnSync(process.execPath, ['-e', script], { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], encoding: 'utf8', timeout: 60_000 })
  // On Node < 22 the AWS SDK itself warns once that its 2027 releases need
  // Node 22 (its NodeVersionSupportWarning, which its own variable turns off):
  // that is the only output there is.
  const sdkNotice = run({})
  assert.equal(sdkNotice.status, 0, sdkNotice.stderr)
  assert.equal(sdkNotice.stdout, '')
  const major = Number(process.versions.node.split('.')[0])
  if (major < 22) assert.match(sdkNotice.stderr, /^\(node:\d+\) Warning: NodeVersionSupportWarning: The AWS SDK for JavaScript/)
  assert.doesNotMatch(sdkNotice.stderr, /signcore/)
  const result = run({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' })
  const out = JSON.parse(result.output[3])
  assert.equal(out.error, undefined)
  assert.equal(result.status, 0)
  assert.equal(result.stdout, '', 'nothing on stdout')
  assert.equal(result.stderr, '', 'nothing on stderr (no warning)')
  assert.equal(out.block.alg, 'rsa-sha256')
  assert.equal(out.block.kid, meta.KeyId)
  assert.equal(out.block.signature.length, 2 * 384)
  const events = [{ payload: { a: 1 }, hash: computeAuditDigest('{"a":1}', null), prev_hash: null, ...out.block }]
  assert.deepEqual(verifyChain(events, out.ring), { ok: true, checked: 1, errors: [] })
})

test('the guards: KMS qualifies under REQUIRE_KMS=true and NODE_ENV=production; signAuditDigest needs no signer argument', async () => {
  const meta = await createKey('HMAC_256', 'GENERATE_VERIFY_MAC')
  for (const guards of [{ REQUIRE_KMS: 'true' }, { NODE_ENV: 'production' }, { REQUIRE_KMS: 'true', NODE_ENV: 'production' }]) {
    const env = { AUDIT_SIGNING_KMS_KEY_ID: meta.KeyId, AWS_DEFAULT_REGION: REGION, AWS_ENDPOINT_URL: emulator.endpoint, ...guards }
    const signer = Signer.fromEnv(env, { onWarning: () => assert.fail('no warning') })
    // AUDIT_SIGNING_ALG unset: taken from the key spec.
    const block = await signer.signDigest(computeAuditDigest('{}', null))
    assert.equal(block.alg, 'hmac-sha256')
    assert.equal(await signAuditDigest(computeAuditDigest('{}', null), signer).then((b) => b.signature), block.signature)
    signer.dispose()
  }
  // The guards still refuse what does not qualify.
  assert.throws(() => Signer.fromEnv({ AUDIT_SIGNING_KEY: 'k', REQUIRE_KMS: 'true' }), { code: 'SIGNER_REQUIRED' })
})
