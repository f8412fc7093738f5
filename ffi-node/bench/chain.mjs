// Benchmark: verifyChain over 100k HMAC-signed audit events, against the
// same check written with node:crypto + npm `canonicalize`.
//
//   node bench/chain.mjs [events=100000] [runs=3]
//
// Both sides start from the same JSON text of the chain and do all of
// DESIGN.md §4 (link, hash, kid, signature); times are the best of `runs`.

import { createRequire } from 'node:module'
import crypto from 'node:crypto'

const require = createRequire(import.meta.url)
const { verifyChain, verifyChainAsync } = require('../index.js')
const canonicalize = require('canonicalize')

const COUNT = Number(process.argv[2] ?? 100_000)
const RUNS = Number(process.argv[3] ?? 3)
const SECRET = Buffer.from('bench-hmac-secret-0123456789abcdef')
const KID = 'audit-hmac-1'

function buildChain(count) {
  const events = []
  let prev = null
  for (let i = 0; i < count; i++) {
    const payload = {
      id: `evt-${i}`,
      actor: ['alice', 'bob', 'carol'][i % 3],
      action: ['create', 'update', 'delete', 'login'][i % 4],
      seq: i,
      amount: Math.round(i * 37.13) / 100,
      tags: ['x', 'audit'],
      meta: { ip: `10.0.${i % 256}.${(i * 7) % 256}`, note: 'line\nbreak "quoted"', ratio: (i % 1000) / 997 },
      createdAt: 1_700_000_000_000 + i,
    }
    const h = crypto.createHash('sha256').update(canonicalize(payload))
    if (prev) h.update(Buffer.from(prev, 'hex'))
    const hash = h.digest('hex')
    const signature = crypto.createHmac('sha256', SECRET).update(Buffer.from(hash, 'hex')).digest('hex')
    events.push({ id: `row-${i}`, payload, hash, prev_hash: prev, kid: KID, alg: 'hmac-sha256', signature })
    prev = hash
  }
  return events
}

/** The §4 check in plain JS: node:crypto + npm canonicalize. */
function jsVerifyChain(eventsText, ring) {
  const keys = new Map(ring.map((k) => [k.kid, { alg: k.alg, secret: Buffer.from(k.secret_hex, 'hex') }]))
  const events = JSON.parse(eventsText)
  const errors = []
  let expected = null
  for (let i = 0; i < events.length; i++) {
    const e = events[i]
    if (typeof e.hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(e.hash)) {
      errors.push({ index: i, code: 'MALFORMED' })
      expected = undefined
      continue
    }
    const prev = e.prev_hash === null ? null : e.prev_hash.toLowerCase()
    const hash = e.hash.toLowerCase()
    if (expected !== undefined && expected !== prev) errors.push({ index: i, code: 'CHAIN_BROKEN' })
    const h = crypto.createHash('sha256').update(canonicalize(e.payload))
    if (prev !== null) h.update(Buffer.from(prev, 'hex'))
    if (h.digest('hex') !== hash) errors.push({ index: i, code: 'HASH_MISMATCH' })
    const key = keys.get(e.kid)
    if (!key || key.alg !== 'hmac-sha256' || e.alg !== 'hmac-sha256') {
      errors.push({ index: i, code: 'UNKNOWN_KEY' })
    } else {
      const tag = crypto.createHmac('sha256', key.secret).update(Buffer.from(hash, 'hex')).digest()
      const sig = Buffer.from(e.signature, 'hex')
      if (sig.length !== 32 || !crypto.timingSafeEqual(tag, sig)) errors.push({ index: i, code: 'SIGNATURE_INVALID' })
    }
    expected = hash
  }
  return { ok: errors.length === 0, checked: events.length, errors }
}

async function best(label, fn) {
  let min = Infinity
  let result
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint()
    result = await fn()
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    min = Math.min(min, ms)
  }
  if (!result.ok || result.checked !== COUNT) throw new Error(`${label}: unexpected report ${JSON.stringify(result).slice(0, 200)}`)
  return min
}

const t0 = Date.now()
const events = buildChain(COUNT)
const text = JSON.stringify(events)
const bytes = Buffer.from(text)
const ring = [{ kid: KID, alg: 'hmac-sha256', secret_hex: SECRET.toString('hex') }]
const ringText = JSON.stringify(ring)
console.log(`built ${COUNT} events (${(bytes.length / 1e6).toFixed(1)} MB of JSON) in ${Date.now() - t0} ms; best of ${RUNS} runs`)

// Sanity: both find the same single finding in a tampered copy.
const tampered = JSON.parse(text)
tampered[COUNT >> 1].payload.amount += 1
const a = verifyChain(tampered, ring).errors.map((e) => `${e.index}:${e.code}`)
const b = jsVerifyChain(JSON.stringify(tampered), ring).errors.map((e) => `${e.index}:${e.code}`)
if (a.join() !== b.join() || a.length !== 1) throw new Error(`disagreement: ${a} vs ${b}`)

const nativeText = await best('verifyChain(text)', () => verifyChain(text, ringText))
const nativeBytes = await best('verifyChain(Buffer)', () => verifyChain(bytes, ringText))
const nativeArray = await best('verifyChain(array)', () => verifyChain(events, ring))
const nativeAsync = await best('verifyChainAsync(Buffer)', () => verifyChainAsync(bytes, ringText))
const js = await best('node:crypto + canonicalize', () => jsVerifyChain(text, ring))

const rate = (ms) => `${Math.round(COUNT / (ms / 1000)).toLocaleString('en-US')} events/s`
console.log(`verifyChain(JSON text)      ${nativeText.toFixed(1)} ms  (${rate(nativeText)})`)
console.log(`verifyChain(Buffer)         ${nativeBytes.toFixed(1)} ms  (${rate(nativeBytes)})`)
console.log(`verifyChain(array of objs)  ${nativeArray.toFixed(1)} ms  (${rate(nativeArray)}, JSON.stringify included)`)
console.log(`verifyChainAsync(Buffer)    ${nativeAsync.toFixed(1)} ms  (${rate(nativeAsync)})`)
console.log(`node:crypto + canonicalize  ${js.toFixed(1)} ms  (${rate(js)}, JSON.parse included)`)
console.log(
  `verifyChain ${COUNT} HMAC events: native ${nativeText.toFixed(0)} ms (JSON text; ${nativeBytes.toFixed(0)} ms from a Buffer) ` +
    `vs node:crypto+canonicalize ${js.toFixed(0)} ms: ratio ${(js / nativeText).toFixed(2)}x (${(js / nativeBytes).toFixed(2)}x from a Buffer)`,
)
