// This build against another build of the package, interleaved in one
// process (issue 14: "nothing gets slower"): the per-event rows
// (canonicalizePayload, the seed's three calls, signAuditEvent; HMAC) and
// verifyChain from JS objects (HMAC, Ed25519), each with its anchor.
//
//   node --expose-gc bench/compare.mjs <other ffi-node dir> [--events N] [--rounds R]
//
// <other ffi-node dir>: a copy of ffi-node at another commit with its native
// module built (index.js, binding.js, lib/, *.node; node_modules may be a
// symlink to this one's). ns/op or ms medians; not part of `npm run bench`.

import crypto from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'

import { interleavedTable } from './lib/harness.mjs'
import { ED_SEED, HMAC_SECRET, chainText, ring } from './lib/chain.mjs'
import { largePayload, mediumPayload, smallPayload } from './lib/payloads.mjs'
import canonicalize from 'canonicalize'

const require = createRequire(import.meta.url)
const args = process.argv.slice(2)
const flag = (name, value) => {
  const i = args.indexOf(name)
  return i < 0 ? value : Number(args.splice(i, 2)[1])
}
const EVENTS = flag('--events', 30_000)
const ROUNDS = flag('--rounds', 7)
if (args.length !== 1) throw new Error('usage: node --expose-gc bench/compare.mjs <other ffi-node dir> [--events N] [--rounds R]')
const after = require('../index.js')
const before = require(path.resolve(args[0], 'index.js'))
const native = require('../binding.js')
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ')

const fmt = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(1)} ms` : `${(ns / 1e3).toFixed(2)} µs`)
console.log(`this build vs ${path.resolve(args[0])}; node ${process.version}; load ${load()}`)
const prev = crypto.createHash('sha256').update('previous event').digest('hex')
const prevBytes = Buffer.from(prev, 'hex')
const sa = after.Signer.hmac('bench-hmac', HMAC_SECRET)
const sb = before.Signer.hmac('bench-hmac', HMAC_SECRET)
for (const [label, p, ops] of [['~300 B', smallPayload(), 20000], ['~10 KB', mediumPayload(), 1000], ['~100 KB', largePayload(), 100]]) {
  const fns = {
    anchor: () => {
      const d = crypto.createHash('sha256').update(canonicalize(p)).update(prevBytes).digest()
      return crypto.createHmac('sha256', HMAC_SECRET).update(d).digest('hex')
    },
    'three calls, other': () => before.signAuditDigest(before.computeAuditDigest(before.canonicalizePayload(p), prev), sb),
    'three calls, this': () => after.signAuditDigest(after.computeAuditDigest(after.canonicalizePayload(p), prev), sa),
    'signAuditEvent, other': () => before.signAuditEvent(p, prev, sb),
    'signAuditEvent, this': () => after.signAuditEvent(p, prev, sa),
    'npm canonicalize': () => canonicalize(p),
    'canonicalizePayload, other': () => before.canonicalizePayload(p),
    'canonicalizePayload, this': () => after.canonicalizePayload(p),
  }
  const [x, y] = [await fns['three calls, this'](), await fns['three calls, other']()]
  if (x.signature !== y.signature || x.signature !== fns.anchor()) throw new Error('the builds disagree')
  const { medians: m } = await interleavedTable(null, fns, { ops, rounds: ROUNDS, warmup: Math.min(ops, 1000) })
  const r = (a, b) => (m[a] / m[b]).toFixed(2)
  console.log(`\n${label} (load ${load()}): ${Object.entries(m).map(([n, v]) => `${n} ${fmt(v)}`).join(', ')}`)
  console.log(`  three calls vs anchor: other ${r('anchor', 'three calls, other')}×, this ${r('anchor', 'three calls, this')}×`)
  console.log(`  signAuditEvent vs anchor: other ${r('anchor', 'signAuditEvent, other')}×, this ${r('anchor', 'signAuditEvent, this')}×`)
  console.log(`  canonicalizePayload vs npm: other ${r('npm canonicalize', 'canonicalizePayload, other')}×, this ${r('npm canonicalize', 'canonicalizePayload, this')}×`)
}
sa.dispose()
sb.dispose()

for (const alg of ['hmac-sha256', 'ed25519']) {
  const full = chainText(alg, 100_000).text
  const events = JSON.parse(full).slice(0, EVENTS)
  const entries = ring(alg)
  const key = native.NativeKey.ed25519('bench-ed25519', ED_SEED)
  const fns = {
    'verifyChain(objects), other': () => before.verifyChain(events, entries),
    'verifyChain(objects), this': () => after.verifyChain(events, entries),
    'JSON.stringify(events)': () => JSON.stringify(events).length,
  }
  if (alg === 'ed25519') fns['verify_strict on every core'] = () => native.benchVerifyParallel(key, EVENTS, os.cpus().length)
  for (const n of ['verifyChain(objects), other', 'verifyChain(objects), this']) {
    const rep = fns[n]()
    if (!rep.ok || rep.checked !== EVENTS) throw new Error(`${n}: ${JSON.stringify(rep).slice(0, 200)}`)
  }
  const rounds = alg === 'ed25519' ? Math.max(3, ROUNDS >> 1) : ROUNDS
  const { medians: m, cpu } = await interleavedTable(null, fns, { ops: 1, rounds, warmup: 1 })
  key.dispose()
  console.log(`\n${alg}, ${EVENTS} events (load ${load()}): ${Object.entries(m).map(([n, v]) => `${n} ${fmt(v)}`).join(', ')}`)
  const floor = alg === 'ed25519' ? 'verify_strict on every core' : 'JSON.stringify(events)'
  console.log(`  ${floor} / verifyChain: other ${(m[floor] / m['verifyChain(objects), other']).toFixed(3)}, this ${(m[floor] / m['verifyChain(objects), this']).toFixed(3)}`)
  console.log(`  CPU time: ${Object.entries(cpu).map(([n, v]) => `${n} ${fmt(v)}`).join(', ')}`)
}
