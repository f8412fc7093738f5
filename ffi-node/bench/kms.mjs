// Per-call latency of each AWS KMS operation signcore uses, against the
// emulator ministack on 127.0.0.1 (started and stopped here, like the tests):
// the raw SDK call, and the signer's call (SDK call + the core's local
// check of the answer). Sequential calls, one in flight: median and p99.
// A figure for the emulator on this machine, not for AWS (add the network
// round trip to a KMS endpoint, typically milliseconds).
//
//   node bench/kms.mjs [--calls N] [--json FILE]

import { createRequire } from 'node:module'
import fs from 'node:fs'
import { performance } from 'node:perf_hooks'

const require = createRequire(import.meta.url)
const { startEmulator, CREDENTIALS, REGION } = require('../test/kms-emulator.js')
const {
  KMSClient,
  CreateKeyCommand,
  DescribeKeyCommand,
  GetPublicKeyCommand,
  SignCommand,
  GenerateMacCommand,
  VerifyMacCommand,
} = require('@aws-sdk/client-kms')
const { Signer, computeAuditDigest } = require('../index.js')

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const at = args.indexOf(name)
  return at >= 0 ? args[at + 1] : fallback
}
const CALLS = Number(option('--calls', '300'))
const JSON_OUT = option('--json', null)

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
}

async function measure(name, fn, calls = CALLS) {
  for (let i = 0; i < Math.min(20, calls); i++) await fn(i) // warm-up
  const times = []
  for (let i = 0; i < calls; i++) {
    const start = performance.now()
    await fn(i)
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  const result = { name, calls, median_ms: quantile(times, 0.5), p99_ms: quantile(times, 0.99) }
  console.log(`${name.padEnd(44)} median ${result.median_ms.toFixed(2).padStart(7)} ms   p99 ${result.p99_ms.toFixed(2).padStart(7)} ms   (${calls} calls)`)
  return result
}

const emulator = await startEmulator()
const results = []
try {
  console.log(`ministack ${emulator.version} at ${emulator.endpoint}`)
  const client = new KMSClient({ region: REGION, endpoint: emulator.endpoint, credentials: CREDENTIALS })
  const key = async (KeySpec, KeyUsage) => (await client.send(new CreateKeyCommand({ KeySpec, KeyUsage }))).KeyMetadata
  const rsa2048 = await key('RSA_2048', 'SIGN_VERIFY')
  const rsa4096 = await key('RSA_4096', 'SIGN_VERIFY')
  const ed = await key('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY')
  const mac = await key('HMAC_256', 'GENERATE_VERIFY_MAC')
  const digests = Array.from({ length: 64 }, (_, i) => computeAuditDigest(`{"i":${i}}`, null))
  const digest = (i) => Buffer.from(digests[i % digests.length], 'hex')

  results.push(await measure('DescribeKey', () => client.send(new DescribeKeyCommand({ KeyId: rsa2048.KeyId }))))
  results.push(await measure('GetPublicKey (RSA_2048)', () => client.send(new GetPublicKeyCommand({ KeyId: rsa2048.KeyId }))))
  const sign = (meta, MessageType, SigningAlgorithm) => (i) =>
    client.send(new SignCommand({ KeyId: meta.KeyId, Message: digest(i), MessageType, SigningAlgorithm }))
  results.push(await measure('Sign RSA_2048 DIGEST PKCS1_V1_5_SHA_256', sign(rsa2048, 'DIGEST', 'RSASSA_PKCS1_V1_5_SHA_256')))
  results.push(await measure('Sign RSA_4096 DIGEST PKCS1_V1_5_SHA_256', sign(rsa4096, 'DIGEST', 'RSASSA_PKCS1_V1_5_SHA_256'), Math.min(CALLS, 150)))
  results.push(await measure('Sign ED25519 RAW ED25519_SHA_512', sign(ed, 'RAW', 'ED25519_SHA_512')))
  results.push(
    await measure('GenerateMac HMAC_SHA_256', (i) =>
      client.send(new GenerateMacCommand({ KeyId: mac.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: digest(i) })),
    ),
  )
  const fixed = digest(0)
  const fixedMac = (await client.send(new GenerateMacCommand({ KeyId: mac.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: fixed }))).Mac
  results.push(await measure('VerifyMac HMAC_SHA_256', () => client.send(new VerifyMacCommand({ KeyId: mac.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: fixed, Mac: fixedMac }))))

  const signers = [
    ['RSA_2048', await Signer.kms({ keyId: rsa2048.Arn, alg: 'rsa-sha256', region: REGION, endpoint: emulator.endpoint, credentials: CREDENTIALS }), CALLS],
    ['RSA_4096', await Signer.kms({ keyId: rsa4096.Arn, alg: 'rsa-sha256', region: REGION, endpoint: emulator.endpoint, credentials: CREDENTIALS }), Math.min(CALLS, 150)],
    ['ED25519', await Signer.kms({ keyId: ed.Arn, alg: 'ed25519', region: REGION, endpoint: emulator.endpoint, credentials: CREDENTIALS }), CALLS],
    ['HMAC_256', await Signer.kms({ keyId: mac.Arn, alg: 'hmac-sha256', region: REGION, endpoint: emulator.endpoint, credentials: CREDENTIALS }), CALLS],
  ]
  for (const [spec, signer, calls] of signers) {
    results.push(await measure(`signer.signDigest ${spec}${spec === 'HMAC_256' ? ' (GenerateMac)' : ' (+ local check)'}`, (i) => signer.signDigest(digests[i % digests.length]), calls))
  }
  results.push(
    await measure('Signer.kms start RSA_2048 (DescribeKey+GetPublicKey)', async () => {
      const s = await Signer.kms({ keyId: rsa2048.Arn, alg: 'rsa-sha256', region: REGION, endpoint: emulator.endpoint, credentials: CREDENTIALS })
      s.dispose()
    }, Math.min(CALLS, 100)),
  )
  for (const [, signer] of signers) signer.dispose()
  client.destroy()
} finally {
  await emulator.stop()
}
if (JSON_OUT) fs.writeFileSync(JSON_OUT, JSON.stringify({ emulator: `ministack ${emulator.version}`, results }, null, 2))
