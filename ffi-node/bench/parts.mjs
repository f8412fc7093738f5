// Where the seed's three-call path spends its time (issue 14, goal 2b):
// each step of canonicalizePayload → computeAuditDigest → signAuditDigest,
// interleaved with the fused call and the anchor, ns/op medians.
//
//   node --expose-gc bench/parts.mjs [300|10k|100k ...]
//
// Not part of `npm run bench`; evidence for the goal-2b rows.

import crypto from 'node:crypto'
import { createRequire } from 'node:module'

import { interleavedTable as table } from './lib/harness.mjs'
import { HMAC_SECRET } from './lib/chain.mjs'
import { largePayload, mediumPayload, smallPayload } from './lib/payloads.mjs'
import canonicalize from 'canonicalize'

const require = createRequire(import.meta.url)
const signcore = require('../index.js')
const native = require('../binding.js')

const sizes = { 300: [smallPayload(), 20000], '10k': [mediumPayload(), 1000], '100k': [largePayload(), 100] }
const want = process.argv.slice(2)
const prev = crypto.createHash('sha256').update('previous event').digest('hex')
const prevBytes = Buffer.from(prev, 'hex')
const signer = signcore.Signer.hmac('bench-hmac', HMAC_SECRET)
for (const [name, [payload, ops]] of Object.entries(sizes)) {
  if (want.length && !want.includes(name)) continue
  const text = JSON.stringify(payload)
  const canonical = signcore.canonicalizePayload(payload)
  const digest = signcore.computeAuditDigest(canonical, prev)
  await table(
    `${name}: ${text.length} UTF-16 units of JSON.stringify text`,
    {
      anchor: () => {
        const d = crypto.createHash('sha256').update(canonicalize(payload)).update(prevBytes).digest()
        return crypto.createHmac('sha256', HMAC_SECRET).update(d).digest('hex')
      },
      'three calls': () => signcore.signAuditDigest(signcore.computeAuditDigest(signcore.canonicalizePayload(payload), prev), signer),
      'fused signAuditEvent': () => signcore.signAuditEvent(payload, prev, signer),
      'npm canonicalize(obj)': () => canonicalize(payload),
      'canonicalizePayload(obj)': () => signcore.canonicalizePayload(payload),
      'JSON.stringify(obj)': () => JSON.stringify(payload),
      'native canonicalizeStringified(text)': () => native.canonicalizeStringified(text),
      'native auditDigestStringified(text, prev)': () => native.auditDigestStringified(text, prev),
      'computeAuditDigest(canonical, prev)': () => signcore.computeAuditDigest(canonical, prev),
      'canonical.isWellFormed()': () => canonical.isWellFormed(),
      'signAuditDigest(digest)': () => signcore.signAuditDigest(digest, signer),
    },
    { ops },
  )
}
signer.dispose()
