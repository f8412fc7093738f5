// Where the time of the Node benchmarks goes: each public call split into
// its JS and native parts, calling the internal native layer (binding.js)
// directly. Not part of `npm run bench`; evidence for what limits its ratios.
//
//   node --expose-gc bench/diagnose.mjs
//
// Every figure is ns/op, median of interleaved rounds (see lib/harness.mjs),
// next to node:crypto / npm canonicalize measured in the same rounds.

import crypto from 'node:crypto'
import { createRequire } from 'node:module'

import { interleavedTable as table } from './lib/harness.mjs'
import { HMAC_SECRET } from './lib/chain.mjs'
import { largePayload, smallPayload } from './lib/payloads.mjs'

const require = createRequire(import.meta.url)
const signcore = require('../index.js')
const native = require('../binding.js')
import canonicalize from 'canonicalize'

const POOL = 1024
const digests = Array.from({ length: POOL }, (_, i) => crypto.createHash('sha256').update(`d${i}`).digest())
const hex = digests.map((d) => d.toString('hex'))
const signer = signcore.Signer.hmac('k', HMAC_SECRET)
const key = native.NativeKey.hmac('k', HMAC_SECRET)
const { signHex, signInto } = key.signers()
const sig = digests.map((d) => signer.signSync(d))
const scratch = Buffer.alloc(32)
const at = (i) => i & (POOL - 1)

await table(
  'per-call HMAC: what each layer costs',
  {
    'node:crypto createHmac(...).digest("hex")': (i) => crypto.createHmac('sha256', HMAC_SECRET).update(digests[at(i)]).digest('hex'),
    'node:crypto createHmac(...).digest() (Buffer)': (i) => crypto.createHmac('sha256', HMAC_SECRET).update(digests[at(i)]).digest(),
    'native NativeKey.verify(bytes, tag) → bool (class method: HMAC computed, no result object)': (i) => key.verify(digests[at(i)], sig[at(i)]),
    'native signInto(bytes, scratch) (per-key function: HMAC, no result object)': (i) => signInto(digests[at(i)], scratch),
    'native Buffer.allocUnsafe(32) + signInto(bytes, out)': (i) => signInto(digests[at(i)], Buffer.allocUnsafe(32)),
    'native signHex(hex) → hex': (i) => signHex(hex[at(i)]),
    'native normalizeHash(hex) → hex (string in, string out, no HMAC)': (i) => native.normalizeHash(hex[at(i)]),
    'native NativeKey.kid getter (one string out)': () => key.kid,
    'public Signer.signSync(bytes)': (i) => signer.signSync(digests[at(i)]),
    'public await signAuditDigest(hex, signer)': (i) => signcore.signAuditDigest(hex[at(i)], signer),
    'JS: await of an async function (Promise floor)': async () => 0,
  },
  { ops: 20_000 },
)

function finiteOnly(_key, value) {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('non-finite')
  return value
}
for (const [label, payload, ops] of [
  ['~300-byte payload', smallPayload(), 20_000],
  ['~100 KB document', largePayload(), 60],
]) {
  const text = JSON.stringify(payload)
  await table(
    `canonicalizePayload, ${label}: JS half vs native half`,
    {
      'npm canonicalize(obj)': () => canonicalize(payload),
      'public canonicalizePayload(obj)': () => signcore.canonicalizePayload(payload),
      'JSON.stringify(obj) (no replacer)': () => JSON.stringify(payload),
      'JSON.stringify(obj, replacer) (as canonicalizePayload does)': () => JSON.stringify(payload, finiteOnly),
      'native canonicalize(jsonText) → string': () => native.canonicalize(text),
      'native auditDigest(jsonText, null) → hex (same input crossing, tiny output)': () => native.auditDigest(text, null),
    },
    { ops },
  )
}
signer.dispose()
key.dispose()
