// signcore Node benchmarks (issue 5, "Benchmarks" / Node): every figure is
// a ratio against an anchor built from public npm packages (node:crypto,
// npm `canonicalize`), measured in the same run, interleaved round by round,
// medians of the rounds.
//
//   npm run bench [-- --json <file>] [--events N] [--quick] [--no-cache]
//                 [--only hmac,canonical,event,chain-hmac,chain-ed25519,keystore]
//
//   --json <file>  machine-readable results (default bench/results.json)
//   --events N     chain length (default 100000)
//   --quick        smoke run: 10k-event chains, fewer rounds (figures not meaningful)
//   --no-cache     regenerate the chains instead of reading them from the temp dir
//
// Run with --expose-gc (npm run bench does) so each timed sample starts
// after a full GC.

import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

import { interleavedGroup, interleavedOps, median, pair } from './lib/harness.mjs'
import { ED_SEED, chainText, jsVerifyChain, ring as benchRing, HMAC_SECRET } from './lib/chain.mjs'
import { largePayload, mediumPayload, smallPayload } from './lib/payloads.mjs'

const require = createRequire(import.meta.url)
const signcore = require('../index.js')
const native = require('../binding.js')
import canonicalize from 'canonicalize'
const here = path.dirname(fileURLToPath(import.meta.url))

// ------------------------------------------------------------------ options

function parseArgs(argv) {
  const opts = { json: path.join(here, 'results.json'), events: 100_000, quick: false, cache: true, only: null }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    if (a === '--json') opts.json = path.resolve(value())
    else if (a === '--events') opts.events = Number(value())
    else if (a === '--quick') opts.quick = true
    else if (a === '--no-cache') opts.cache = false
    else if (a === '--only') opts.only = new Set(value().split(','))
    else if (a === '--help' || a === '-h') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(0, 16).join('\n'))
      process.exit(0)
    } else throw new Error(`unknown argument ${a}`)
  }
  if (opts.quick && !argv.includes('--events')) opts.events = 10_000
  if (!Number.isInteger(opts.events) || opts.events < 100) throw new Error('--events must be an integer >= 100')
  return opts
}

const opts = parseArgs(process.argv.slice(2))
const R = opts.quick
  ? { ops: 3, canon: 3, chainHmac: 1, chainEd: 1, opsScale: 0.1 }
  : { ops: 15, canon: 11, chainHmac: 5, chainEd: 3, opsScale: 1 }
const wants = (section) => opts.only === null || opts.only.has(section)

// ------------------------------------------------------------------ output

const results = []
const started = Date.now()

function fmtNs(ns) {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(2)} s`
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(1)} ms`
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`
  return `${ns.toFixed(0)} ns`
}

function record({ section, name, candidate, baseline, unit, m, goal = null, notes = '' }) {
  const met = goal === null ? null : m.ratio >= goal
  const row = {
    section,
    name,
    candidate,
    baseline,
    unit,
    candidate_median_ns: Math.round(m.candidate_median_ns),
    baseline_median_ns: Math.round(m.baseline_median_ns),
    ratio: Number(m.ratio.toFixed(3)),
    goal,
    met,
    notes,
    rounds: m.rounds,
    per_round_ratio_min: Number(m.pair_ratio_min.toFixed(3)),
    per_round_ratio_max: Number(m.pair_ratio_max.toFixed(3)),
    candidate_samples_ns: m.candidate_samples_ns.map(Math.round),
    baseline_samples_ns: m.baseline_samples_ns.map(Math.round),
  }
  if (m.candidate_cores !== undefined) {
    row.candidate_cores = Number(m.candidate_cores.toFixed(2))
    row.baseline_cores = Number(m.baseline_cores.toFixed(2))
  }
  results.push(row)
  const verdict = goal === null ? '' : `  goal ≥ ${goal}×: ${met ? 'MET' : 'MISSED'}`
  const per = unit === 'ns/op' ? '/op' : '/run'
  console.log(
    `  ${name}\n` +
      `    signcore ${fmtNs(m.candidate_median_ns)}${per}  vs  ${fmtNs(m.baseline_median_ns)}${per}  ` +
      `→ ${m.ratio.toFixed(2)}× (rounds ${m.rounds}, per-round ${m.pair_ratio_min.toFixed(2)}–${m.pair_ratio_max.toFixed(2)}×)${verdict}`,
  )
  if (notes) console.log(`    ${notes}`)
}

function assertEqual(what, a, b) {
  if (a !== b) throw new Error(`sanity check failed (${what}): ${String(a).slice(0, 120)} !== ${String(b).slice(0, 120)}`)
}

// ------------------------------------------------------------------ metadata

const pkg = require('../package.json')
const meta = {
  node: process.version,
  v8: process.versions.v8,
  napi: process.versions.napi,
  openssl: process.versions.openssl,
  platform: `${process.platform}-${process.arch}`,
  os: `${os.type()} ${os.release()}`,
  cpus: os.cpus().length,
  cpu_model: os.cpus()[0]?.model ?? 'unknown',
  memory_gib: Number((os.totalmem() / 2 ** 30).toFixed(1)),
  loadavg_start: os.loadavg().map((x) => Number(x.toFixed(2))),
  signcore: pkg.version,
  // 5.x exports no package.json: read it next to its entry point.
  canonicalize_npm: JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('canonicalize')), '..', 'package.json'), 'utf8')).version,
  events: opts.events,
  quick: opts.quick,
  gc_between_samples: typeof globalThis.gc === 'function',
  date: new Date().toISOString(),
  method:
    'candidate and baseline interleaved round by round (alternating/rotating order); each figure is the median over rounds; ratio = baseline median / candidate median (>1: signcore faster)',
}
console.log(
  `signcore ${meta.signcore} Node benchmarks: node ${meta.node} (V8 ${meta.v8}, OpenSSL ${meta.openssl}), ${meta.platform}, ` +
    `${meta.cpus} × ${meta.cpu_model}, load ${meta.loadavg_start.join(' ')}`,
)
if (!meta.gc_between_samples) console.log('  (run with node --expose-gc for a GC before each sample; `npm run bench` does)')
if (opts.quick) console.log('  --quick: smoke run, figures are not meaningful')

// ------------------------------------------------------------------ 1. per-call signing

if (wants('hmac')) {
  console.log('\n[1] per-call signing of a 32-byte audit digest')
  const POOL = 1024
  const digests = Array.from({ length: POOL }, (_, i) => crypto.createHash('sha256').update(`digest-${i}`).digest())
  const digestHex = digests.map((d) => d.toString('hex'))
  const key = HMAC_SECRET
  const hmac = signcore.Signer.hmac('bench-hmac', key)
  const nodeHmacHex = (i) => crypto.createHmac('sha256', key).update(digests[i & (POOL - 1)]).digest('hex')
  const nodeHmacBuf = (i) => crypto.createHmac('sha256', key).update(digests[i & (POOL - 1)]).digest()

  for (let i = 0; i < 4; i++) {
    assertEqual('signAuditDigest = createHmac', (await signcore.signAuditDigest(digestHex[i], hmac)).signature, nodeHmacHex(i))
    assertEqual('signSync = createHmac', hmac.signSync(digests[i]).toString('hex'), nodeHmacHex(i))
  }
  const ops = Math.round(20_000 * R.opsScale)
  const base = 'node:crypto createHmac(sha256, key).update(digestBytes).digest("hex")'

  let m = await interleavedOps({
    candidate: (i) => signcore.signAuditDigest(digestHex[i & (POOL - 1)], hmac),
    baseline: nodeHmacHex,
    ops,
    rounds: R.ops,
    async: true,
  })
  record({
    section: 'per-call',
    name: 'HMAC per call: signAuditDigest(digestHex, signer)',
    candidate: 'signAuditDigest(digestHex, Signer.hmac) → {kid, alg, signature}',
    baseline: base,
    unit: 'ns/op',
    m,
    goal: 2,
    notes:
      'candidate awaited in a loop (Promise + microtask per call included), baseline synchronous; both take the digest in its stored form (hex vs bytes) and give hex',
  })

  m = await interleavedOps({ candidate: (i) => hmac.signSync(digests[i & (POOL - 1)]), baseline: nodeHmacHex, ops, rounds: R.ops })
  record({
    section: 'per-call',
    name: 'HMAC per call: signer.signSync(bytes)',
    candidate: 'Signer.hmac(...).signSync(digestBytes) → Buffer',
    baseline: base,
    unit: 'ns/op',
    m,
    goal: 2,
    notes: 'candidate returns a raw Buffer, baseline a hex string (the goal as written)',
  })

  m = await interleavedOps({ candidate: (i) => hmac.signSync(digests[i & (POOL - 1)]), baseline: nodeHmacBuf, ops, rounds: R.ops })
  record({
    section: 'per-call',
    name: 'HMAC per call: signer.signSync(bytes), like for like (Buffer out)',
    candidate: 'Signer.hmac(...).signSync(digestBytes) → Buffer',
    baseline: 'node:crypto createHmac(sha256, key).update(digestBytes).digest() → Buffer',
    unit: 'ns/op',
    m,
    notes: 'extra row: both return a Buffer',
  })

  const ed = signcore.Signer.ed25519('bench-ed25519', ED_SEED)
  const edPriv = crypto.createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), ED_SEED]),
    format: 'der',
    type: 'pkcs8',
  })
  assertEqual('ed25519 signSync = crypto.sign', ed.signSync(digests[0]).toString('hex'), crypto.sign(null, digests[0], edPriv).toString('hex'))
  m = await interleavedOps({
    candidate: (i) => ed.signSync(digests[i & (POOL - 1)]),
    baseline: (i) => crypto.sign(null, digests[i & (POOL - 1)], edPriv),
    ops: Math.max(50, Math.round(ops / 20)),
    rounds: R.ops,
  })
  record({
    section: 'per-call',
    name: 'Ed25519 per call: signer.signSync(bytes)',
    candidate: 'Signer.ed25519(...).signSync(digestBytes) → Buffer',
    baseline: 'node:crypto crypto.sign(null, digestBytes, privateKeyObject) → Buffer',
    unit: 'ns/op',
    m,
    notes: 'extra row (no goal): KeyObject made once',
  })
  hmac.dispose()
  ed.dispose()
}

// ------------------------------------------------------------------ 2. canonical JSON

const PAYLOADS = [
  ['~300-byte audit payload', smallPayload(), Math.round(20_000 * R.opsScale)],
  ['~10 KB document', mediumPayload(), Math.max(20, Math.round(1000 * R.opsScale))],
  ['~100 KB document', largePayload(), Math.max(10, Math.round(100 * R.opsScale))],
]

if (wants('canonical')) {
  console.log('\n[2] canonicalizePayload(obj) vs npm canonicalize(obj)')
  for (const [label, payload, ops] of PAYLOADS) {
    const ours = signcore.canonicalizePayload(payload)
    assertEqual(`canonical form (${label})`, ours, canonicalize(payload))
    const bytes = Buffer.byteLength(ours)
    const m = await interleavedOps({
      candidate: () => signcore.canonicalizePayload(payload),
      baseline: () => canonicalize(payload),
      ops,
      rounds: R.canon,
    })
    record({
      section: 'canonical',
      name: `canonicalizePayload, ${label} (${bytes} bytes canonical)`,
      candidate: "canonicalizePayload(obj) (JSON.stringify, a walk for NaN/±Infinity only when the text has a null, then the core's JSON.stringify fast path)",
      baseline: `npm canonicalize@${meta.canonicalize_npm}(obj)`,
      unit: 'ns/op',
      m,
      goal: 1.5,
      notes: `identical output checked; ${((bytes / m.candidate_median_ns) * 1e3).toFixed(0)} MB/s vs ${((bytes / m.baseline_median_ns) * 1e3).toFixed(0)} MB/s`,
    })
  }
}

// ------------------------------------------------------------------ 2b. per-event signing path

/**
 * Several per-op functions in the same rounds (rotating order); ns/op
 * medians. A function may return `{ nsPerOp }` (a native loop), else the
 * batch is timed here.
 */
async function opsGroup(fns, { ops, rounds }) {
  const names = Object.keys(fns)
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  const run = async (name) => {
    const fn = fns[name]
    const t0 = process.hrtime.bigint()
    let own = null
    for (let i = 0; i < ops; i++) {
      const r = fn(i)
      if (r instanceof Promise) await r
      else if (r !== null && typeof r === 'object' && 'nsPerOp' in r) own = r.nsPerOp
    }
    const ns = Number(process.hrtime.bigint() - t0) / ops
    return own ?? ns
  }
  for (const n of names) await run(n) // warm-up
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length]
      if (typeof globalThis.gc === 'function') globalThis.gc()
      samples[name].push(await run(name))
    }
  }
  return samples
}

const medianOf = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** A result row's figures from two sample lists (or a derived candidate). */
function figures(c, b) {
  const pairs = c.map((x, i) => b[i] / x)
  return {
    candidate_median_ns: medianOf(c),
    baseline_median_ns: medianOf(b),
    ratio: medianOf(b) / medianOf(c),
    pair_ratio_min: Math.min(...pairs),
    pair_ratio_max: Math.max(...pairs),
    rounds: c.length,
    candidate_samples_ns: c,
    baseline_samples_ns: b,
  }
}

if (wants('event')) {
  console.log('\n[2b] per-event signing path: payload → { hash, signature, kid, alg }')
  const edPriv = crypto.createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), ED_SEED]),
    format: 'der',
    type: 'pkcs8',
  })
  const prev = crypto.createHash('sha256').update('previous event').digest('hex')
  const prevBytes = Buffer.from(prev, 'hex')
  for (const alg of ['hmac-sha256', 'ed25519']) {
    const signer = alg === 'ed25519' ? signcore.Signer.ed25519('bench-ed25519', ED_SEED) : signcore.Signer.hmac('bench-hmac', HMAC_SECRET)
    const key = alg === 'ed25519' ? native.NativeKey.ed25519('bench-ed25519', ED_SEED) : native.NativeKey.hmac('bench-hmac', HMAC_SECRET)
    const nodeSign = alg === 'ed25519' ? (d) => crypto.sign(null, d, edPriv).toString('hex') : (d) => crypto.createHmac('sha256', HMAC_SECRET).update(d).digest('hex')
    const label = alg === 'ed25519' ? 'Ed25519' : 'HMAC'
    for (const [size, payload, baseOps] of PAYLOADS) {
      const ops = alg === 'ed25519' ? Math.max(10, Math.round(baseOps / 4)) : baseOps
      const anchor = () => {
        const digest = crypto.createHash('sha256').update(canonicalize(payload)).update(prevBytes).digest()
        return { hash: digest.toString('hex'), signature: nodeSign(digest), kid: 'bench', alg }
      }
      const threeCalls = () => signcore.signAuditDigest(signcore.computeAuditDigest(signcore.canonicalizePayload(payload), prev), signer)
      const fused = () => signcore.signAuditEvent(payload, prev, signer)
      // Same answers before timing.
      const a = anchor()
      const f = await fused()
      const t = await threeCalls()
      assertEqual(`fused hash (${label}, ${size})`, f.hash, a.hash)
      assertEqual(`fused signature (${label}, ${size})`, f.signature, a.signature)
      assertEqual(`three-call signature (${label}, ${size})`, t.signature, a.signature)
      const text = JSON.stringify(payload)
      const samples = await opsGroup(
        {
          anchor,
          'three-call': threeCalls,
          fused,
          stringify: () => JSON.stringify(payload).length,
          // Native loops: the core's work alone, ns/op (the first call of a batch runs them all).
          core: (i) => (i === 0 ? { nsPerOp: native.benchEventFloor(key, text, prev, ops, false) / ops } : undefined),
          'core-fast': (i) => (i === 0 ? { nsPerOp: native.benchEventFloor(key, text, prev, ops, true) / ops } : undefined),
        },
        { ops, rounds: R.canon },
      )
      // The core loops return their ns/op from the first call only.
      const floor = samples.stringify.map((x, i) => x + samples.core[i])
      const floorFast = samples.stringify.map((x, i) => x + samples['core-fast'][i])
      const anchorText = `node:crypto + npm canonicalize@${meta.canonicalize_npm}: createHash(sha256).update(canonicalize(obj)).update(prevBytes), then ${alg === 'ed25519' ? 'crypto.sign(null, digest, KeyObject)' : 'createHmac(sha256, key).update(digest)'}, hex`
      const stringifyNs = medianOf(samples.stringify)
      const coreNs = medianOf(samples.core)
      const coreFastNs = medianOf(samples['core-fast'])
      const parts = `JSON.stringify ${fmtNs(stringifyNs)}, core digest (full canonicalizer) + signature ${fmtNs(coreNs)}, with the fast path ${fmtNs(coreFastNs)}`
      let m = figures(samples.fused, floor)
      record({
        section: 'event',
        name: `${label} signAuditEvent, ${size}: fused call vs its floor`,
        candidate: 'await signAuditEvent(obj, prevHash, signer)',
        baseline: 'floor: JSON.stringify(obj) + the core canonicalizing that text into SHA-256 + the signature (native loop, no N-API)',
        unit: 'ns/op',
        m,
        goal: 0.8,
        notes: `goal: cost ≤ 1.25 × floor (ratio ≥ 0.8); ${parts}; vs the floor with the core's fast path: ${(medianOf(floorFast) / medianOf(samples.fused)).toFixed(2)}×`,
      })
      m = figures(samples.fused, samples.anchor)
      record({
        section: 'event',
        name: `${label} signAuditEvent, ${size}: fused call vs the anchor`,
        candidate: 'await signAuditEvent(obj, prevHash, signer)',
        baseline: anchorText,
        unit: 'ns/op',
        m,
      })
      m = figures(samples['three-call'], samples.anchor)
      record({
        section: 'event',
        name: `${label} three calls, ${size}: canonicalizePayload → computeAuditDigest → await signAuditDigest vs the anchor`,
        candidate: 'await signAuditDigest(computeAuditDigest(canonicalizePayload(obj), prevHash), signer)',
        baseline: anchorText,
        unit: 'ns/op',
        m,
        goal: alg === 'hmac-sha256' && size.includes('10 KB') ? 2.2 : null,
        notes: `vs its floor: ${(medianOf(floor) / medianOf(samples['three-call'])).toFixed(2)}× (${parts})`,
      })
    }
    signer.dispose()
    key.dispose()
  }
}

// ------------------------------------------------------------------ 3. chains

/** Both verifiers agree, finding by finding, on a tampered slice. */
function crossCheck(alg, events, ringEntries) {
  const slice = structuredClone(events.slice(0, Math.min(2000, events.length)))
  slice[10].payload.amount += 1 // HASH_MISMATCH
  slice[20].signature = slice[20].signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) // SIGNATURE_INVALID
  slice[30].kid = 'nobody' // UNKNOWN_KEY
  slice[40].prev_hash = slice[38].hash // CHAIN_BROKEN (+ HASH_MISMATCH)
  slice[50].hash = 'xyz' // MALFORMED (+ CHAIN_BROKEN at 51)
  const a = signcore.verifyChain(slice, ringEntries).errors.map((e) => `${e.index}:${e.code}`).join()
  const b = jsVerifyChain(slice, ringEntries).errors.map((e) => `${e.index}:${e.code}`).join()
  assertEqual(`${alg} findings on a tampered slice`, a, b)
  return a
}

async function chainSection(alg, label, rounds, goal) {
  const key = alg === 'ed25519' ? 'chain-ed25519' : 'chain-hmac'
  if (!wants(key)) return
  console.log(`\n[3] verifyChain, ${opts.events.toLocaleString('en-US')} ${label} events`)
  const t0 = Date.now()
  const { text, cached, file } = chainText(alg, opts.events, { cache: opts.cache })
  const events = JSON.parse(text)
  const buf = Buffer.from(text)
  const ringEntries = benchRing(alg)
  const ringText = JSON.stringify(ringEntries)
  console.log(
    `  chain: ${(buf.length / 1e6).toFixed(1)} MB of JSON, ${cached ? `read from ${file}` : 'generated with node:crypto + canonicalize' + (opts.cache ? `, cached in ${file}` : '')} ` +
      `(${Date.now() - t0} ms)`,
  )
  const findings = crossCheck(alg, events, ringEntries)
  console.log(`  cross-check on a tampered 2,000-event slice: same findings (${findings})`)

  const fns = {
    'sc-array': () => signcore.verifyChain(events, ringEntries),
    'sc-text': () => signcore.verifyChain(text, ringText),
    'sc-buffer': () => signcore.verifyChain(buf, ringText),
    'js-array': () => jsVerifyChain(events, ringEntries),
    'js-text': () => jsVerifyChain(JSON.parse(text), ringEntries),
    stringify: () => JSON.stringify(events).length,
  }
  if (alg !== 'ed25519') fns['sc-async'] = () => signcore.verifyChainAsync(buf, ringText)
  // Ed25519: the floor in the same rounds, as the machine offers it then:
  // events × verify_strict, split over a native thread per core.
  const floorKey = alg === 'ed25519' ? native.NativeKey.ed25519('bench-ed25519', ED_SEED) : null
  if (floorKey) fns['verify-floor'] = () => native.benchVerifyParallel(floorKey, opts.events, meta.cpus)
  const check = (name, result) => {
    if (name === 'stringify' || name === 'verify-floor') return
    if (!result.ok || result.checked !== opts.events) throw new Error(`${name}: unexpected report ${JSON.stringify(result).slice(0, 200)} (a stale chain cache? rerun with --no-cache)`)
  }
  // Warm-up on a slice (JIT, page-in), outside the rounds.
  const warm = events.slice(0, 5000)
  signcore.verifyChain(warm, ringEntries)
  jsVerifyChain(warm, ringEntries)
  const g = await interleavedGroup(fns, { rounds, check })

  const perEvent = (ns) => `${fmtNs(ns / opts.events)}/event`
  // CPU time / wall time of each run. On a loaded machine neither side gets
  // a whole core, so the verdict compares the candidate with the baseline
  // (single-threaded JS plus V8's GC helpers) measured in the same rounds.
  const coresNote = (m) => {
    const rel = m.candidate_cores / m.baseline_cores
    return (
      `CPU time / wall time: signcore ${m.candidate_cores.toFixed(2)}, baseline ${m.baseline_cores.toFixed(2)} (${meta.cpus} cores) — ` +
      (rel >= 1.4
        ? `signcore kept ${rel.toFixed(1)}× as many cores busy as the single-threaded baseline: the chain was verified in parallel`
        : rel >= 1.15
          ? `signcore kept ${rel.toFixed(2)}× as many cores busy as the single-threaded baseline: partly parallel (or the cores were busy elsewhere)`
          : `signcore used no more cores than the single-threaded baseline (${rel.toFixed(2)}×): the chain was verified on ONE core (or the other cores were busy)`)
    )
  }
  const base = 'same §4 check in JS: node:crypto (createHash, createHmac + timingSafeEqual / crypto.verify with a KeyObject made once) + npm canonicalize'

  let m = pair(g, 'sc-array', 'js-array')
  const sm = g.samples.stringify.slice().sort((a, b) => a - b)[g.samples.stringify.length >> 1]
  const smCores = g.cores.stringify.slice().sort((a, b) => a - b)[g.cores.stringify.length >> 1]
  // The single-threaded JSON.stringify is about half of this candidate: judge
  // the cores of the rest (CPU and wall time net of the stringify medians).
  const nativeWall = m.candidate_median_ns - sm
  const nativeCores = nativeWall > 0 ? (m.candidate_cores * m.candidate_median_ns - smCores * sm) / nativeWall : m.candidate_cores
  record({
    section: 'chain',
    name: `verifyChain ${label}, ${opts.events} events as JS objects`,
    candidate: 'verifyChain(eventsArray, ring) (JSON.stringify of the events inside)',
    baseline: `${base}, over the same array`,
    unit: 'ns/run',
    m,
    goal,
    notes:
      `${perEvent(m.candidate_median_ns)} vs ${perEvent(m.baseline_median_ns)}; ` +
      `JSON.stringify(events) alone: ${fmtNs(sm)} median (${((sm / m.candidate_median_ns) * 100).toFixed(0)}% of the candidate; ` +
      `caps this ratio at ${(m.baseline_median_ns / sm).toFixed(1)}× even if the native part took no time); ` +
      `the rest of the candidate (native, after the stringify): ${coresNote({ ...m, candidate_cores: nativeCores })}`,
  })

  // Issue 14, goal 3: the array check against what bounds it.
  if (alg !== 'ed25519') {
    m = figures(g.samples['sc-array'], g.samples.stringify)
    record({
      section: 'chain',
      name: `verifyChain ${label}, ${opts.events} events as JS objects: wall time vs JSON.stringify(events) alone`,
      candidate: 'verifyChain(eventsArray, ring) (chunked: JSON.stringify of chunk k+1 overlaps the native check of chunk k)',
      baseline: 'JSON.stringify(events) alone (same rounds)',
      unit: 'ns/run',
      m,
      goal: Number((1 / 1.15).toFixed(3)),
      notes: `goal: wall ≤ 1.15 × JSON.stringify(events) (ratio ≥ 0.87); ${coresNote({ ...m, candidate_cores: median(g.cores['sc-array']), baseline_cores: median(g.cores.stringify) })}`,
    })
  } else {
    const key = native.NativeKey.ed25519('bench-ed25519', ED_SEED)
    const iterations = opts.quick ? 200 : 2000
    native.benchVerify(key, 50)
    const single = [1, 2, 3].map(() => native.benchVerify(key, iterations) / iterations).sort((a, b) => a - b)[1]
    key.dispose()
    const floor = (opts.events * single) / meta.cpus
    const c = g.samples['sc-array']
    m = figures(c, c.map(() => floor))
    record({
      section: 'chain',
      name: `verifyChain ${label}, ${opts.events} events as JS objects: wall time vs cores × single-thread verify_strict throughput`,
      candidate: 'verifyChain(eventsArray, ring) (chunked, session threads on every core)',
      baseline: `events × single-thread verify_strict time (${fmtNs(single)}, native loop, median of 3) / ${meta.cpus} cores`,
      unit: 'ns/run',
      m,
      goal: Number((1 / 1.1).toFixed(3)),
      notes: 'goal: within 10% of the floor (ratio ≥ 0.909); the floor counts the signature checks only (no JSON.stringify, digests or parsing)',
    })
    m = pair(g, 'sc-array', 'verify-floor')
    record({
      section: 'chain',
      name: `verifyChain ${label}, ${opts.events} events as JS objects: wall time vs verify_strict on every core, same rounds`,
      candidate: 'verifyChain(eventsArray, ring) (chunked, session threads on every core, the JS thread too once its JSON.stringify is done)',
      baseline: `events × verify_strict split over ${meta.cpus} native threads (benchVerifyParallel), measured in the same rounds`,
      unit: 'ns/run',
      m,
      goal: Number((1 / 1.1).toFixed(3)),
      notes: `goal: within 10% of the floor (ratio ≥ 0.909), the floor measured under the same load as the candidate; ${coresNote(m)}`,
    })
    floorKey.dispose()
  }

  m = pair(g, 'sc-text', 'js-text')
  record({
    section: 'chain',
    name: `verifyChain ${label}, ${opts.events} events from a JSON string`,
    candidate: 'verifyChain(jsonString, ringJson)',
    baseline: `JSON.parse(jsonString) + ${base}`,
    unit: 'ns/run',
    m,
    notes: `archive-verifier path; ${perEvent(m.candidate_median_ns)} vs ${perEvent(m.baseline_median_ns)}; ${coresNote(m)}`,
  })

  m = pair(g, 'sc-buffer', 'js-text')
  record({
    section: 'chain',
    name: `verifyChain ${label}, ${opts.events} events from a Buffer`,
    candidate: 'verifyChain(jsonBuffer, ringJson)',
    baseline: `JSON.parse(jsonString) + ${base} (baseline given the string: Buffer decoding not charged to it)`,
    unit: 'ns/run',
    m,
    notes: `archive-verifier path (file bytes); ${perEvent(m.candidate_median_ns)} vs ${perEvent(m.baseline_median_ns)}; ${coresNote(m)}`,
  })

  if (g.samples['sc-async']) {
    m = pair(g, 'sc-async', 'js-text')
    record({
      section: 'chain',
      name: `verifyChainAsync ${label}, ${opts.events} events from a Buffer`,
      candidate: 'await verifyChainAsync(jsonBuffer, ringJson) (libuv thread pool)',
      baseline: `JSON.parse(jsonString) + ${base}`,
      unit: 'ns/run',
      m,
      notes: `${perEvent(m.candidate_median_ns)}; ${coresNote(m)}`,
    })
  }
}

await chainSection('hmac-sha256', 'HMAC-SHA256', R.chainHmac, 4)
await chainSection('ed25519', 'Ed25519', R.chainEd, 6)

// ------------------------------------------------------------------ 4. large keystores

// Issue 8, item 8: a 10,000-key keystore (half HMAC, half Ed25519) loads in
// well under a second (it took 24 s when duplicate ids were found by
// re-scanning), as metadata, as one signer, and as a verification ring.
if (wants('keystore')) {
  const KEYS = opts.quick ? 2000 : 10_000
  console.log(`\n[4] a ${KEYS.toLocaleString('en-US')}-key keystore`)
  const records = Array.from({ length: KEYS }, (_, i) => {
    const secret = crypto.createHash('sha256').update(`keystore-key-${i}`).digest('hex')
    return i % 2 === 0
      ? { key_id: `node-hmac-${i}`, alg: 'hmac-sha256', secret_hex: secret, label: `key ${i}` }
      : { key_id: `node-ed25519-${i}`, alg: 'ed25519', secret_hex: secret, label: `key ${i}` }
  })
  const keystoreText = JSON.stringify(records)
  const keystoreBytes = Buffer.from(keystoreText)
  const lastId = records[KEYS - 1].key_id
  const ED_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex')
  const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex')
  /** The JS anchor: JSON.parse, duplicate ids through a Set, each key built with node:crypto. */
  const jsKeys = (text) => {
    const seen = new Set()
    return JSON.parse(text).map((r) => {
      if (seen.has(r.key_id)) throw new Error('duplicate')
      seen.add(r.key_id)
      const secret = Buffer.from(r.secret_hex, 'hex')
      if (r.alg !== 'ed25519') return { kid: r.key_id, alg: 'hmac-sha256', secret, key_hash: sha256(secret) }
      const priv = crypto.createPrivateKey({ key: Buffer.concat([ED_PKCS8, secret]), format: 'der', type: 'pkcs8' })
      const pub = Buffer.from(crypto.createPublicKey(priv).export({ format: 'jwk' }).x, 'base64url')
      return { kid: r.key_id, alg: 'ed25519', public_key: pub, key_hash: sha256(pub) }
    })
  }
  const meta0 = signcore.keystoreMetadata(keystoreBytes)
  const js0 = jsKeys(keystoreText)
  assertEqual('metadata count', meta0.length, KEYS)
  assertEqual('last key hash', meta0[KEYS - 1].key_hash, js0[KEYS - 1].key_hash)

  let g = await interleavedGroup(
    {
      metadata: () => signcore.keystoreMetadata(keystoreBytes),
      'js-metadata': () => jsKeys(keystoreText).map(({ kid, alg, key_hash }) => ({ key_id: kid, alg, key_hash })),
    },
    { rounds: R.chainHmac },
  )
  let m = pair(g, 'metadata', 'js-metadata')
  record({
    section: 'keystore',
    name: `keystoreMetadata, ${KEYS} keys`,
    candidate: 'keystoreMetadata(keystoreBytes)',
    baseline: 'JSON.parse + a Set for duplicate ids + each key_hash with node:crypto (Ed25519 public keys derived)',
    unit: 'ns/run',
    m,
    notes: `${(m.candidate_median_ns / KEYS).toFixed(0)} ns a key; was 24 s for 10,000 keys before issue 8`,
  })

  g = await interleavedGroup(
    {
      load: () => signcore.Signer.fromKeystore(keystoreBytes, lastId).dispose(),
      'js-load': () => jsKeys(keystoreText).find((k) => k.kid === lastId),
    },
    { rounds: R.chainHmac },
  )
  m = pair(g, 'load', 'js-load')
  record({
    section: 'keystore',
    name: `Signer.fromKeystore, the last of ${KEYS} keys`,
    candidate: 'Signer.fromKeystore(keystoreBytes, lastKeyId) (the whole keystore validated)',
    baseline: 'the same JS parse and key building, then find',
    unit: 'ns/run',
    m,
  })

  // A short chain signed by the last key, verified with the whole keystore as the ring.
  const signer = signcore.Signer.fromKeystore(keystoreBytes, lastId)
  const events = []
  let prev = null
  for (let i = 0; i < 100; i++) {
    const payload = { seq: i }
    const hash = signcore.computeAuditDigest(signcore.canonicalizePayload(payload), prev)
    events.push({ payload, hash, prev_hash: prev, ...(await signer.signDigest(hash)) })
    prev = hash
  }
  const eventsText = JSON.stringify(events)
  assertEqual('chain ok with the keystore ring', signcore.verifyChain(eventsText, keystoreBytes).ok, true)
  const jsRingOf = (text) => jsKeys(text).map((k) => (k.alg === 'ed25519' ? { kid: k.kid, alg: k.alg, public_key: k.public_key.toString('hex') } : { kid: k.kid, alg: k.alg, secret_hex: k.secret.toString('hex') }))
  assertEqual('JS chain ok', jsVerifyChain(events, jsRingOf(keystoreText)).errors.length, 0)
  g = await interleavedGroup(
    {
      ring: () => signcore.verifyChain(eventsText, keystoreBytes),
      'js-ring': () => jsVerifyChain(JSON.parse(eventsText), jsRingOf(keystoreText)),
    },
    { rounds: R.chainHmac },
  )
  m = pair(g, 'ring', 'js-ring')
  record({
    section: 'keystore',
    name: `verifyChain of 100 events with a ${KEYS}-key keystore as the ring`,
    candidate: 'verifyChain(eventsText, keystoreBytes)',
    baseline: 'the JS keystore parse + the §4 check in JS (node:crypto + npm canonicalize)',
    unit: 'ns/run',
    m,
    notes: 'the Node ring had a 256-key capacity before issue 8',
  })
  signer.dispose()
}

// ------------------------------------------------------------------ summary

meta.loadavg_end = os.loadavg().map((x) => Number(x.toFixed(2)))
meta.duration_s = Number(((Date.now() - started) / 1000).toFixed(1))
fs.mkdirSync(path.dirname(opts.json), { recursive: true })
fs.writeFileSync(opts.json, `${JSON.stringify({ meta, results }, null, 2)}\n`)

console.log('\nsummary (ratio = baseline / signcore; > 1 means signcore is faster)')
for (const r of results) {
  const goal = r.goal === null ? '' : `goal ≥ ${r.goal}×  ${r.met ? 'MET' : 'MISSED'}`
  console.log(`  ${r.ratio.toFixed(2).padStart(6)}×  ${r.name.padEnd(72)} ${goal}`)
}
console.log(`\n${results.length} results in ${meta.duration_s} s (load ${meta.loadavg_end.join(' ')}); written to ${opts.json}`)
