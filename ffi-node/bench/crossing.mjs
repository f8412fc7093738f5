// The string crossings of canonicalizePayload, measured (issue 14): the
// canonical text of a JSON.stringify result made by the core's fast path,
// returned to JS either as this binding does (Latin-1 for ASCII, else
// UTF-16 transcoded natively, one copy into V8) or by V8 from UTF-8
// (napi_create_string_utf8); next to the full canonicalizer and to a
// digest-only call (input crossing + SHA-256, no output string).
//
//   node --expose-gc bench/crossing.mjs
//
// ns/op medians of interleaved rounds; not part of `npm run bench`.

import { createRequire } from 'node:module'

import { median } from './lib/harness.mjs'
import { largePayload, mediumPayload, smallPayload } from './lib/payloads.mjs'

const require = createRequire(import.meta.url)
const native = require('../binding.js')
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {}

for (const [label, payload, ops] of [['~300 B', smallPayload(), 20000], ['~10 KB', mediumPayload(), 1000], ['~100 KB', largePayload(), 100]]) {
  const text = JSON.stringify(payload)
  const fns = {
    'fast path, output as this binding makes it': () => native.canonicalizeStringified(text),
    'fast path, output made by V8 from UTF-8': () => native.benchCanonicalizeStringifiedV8(text),
    'full canonicalizer, output as this binding makes it': () => native.canonicalize(text),
    'input crossing + fast path into SHA-256 (no output string)': () => native.auditDigestStringified(text, null),
  }
  if (native.canonicalizeStringified(text) !== native.benchCanonicalizeStringifiedV8(text)) throw new Error('outputs differ')
  const names = Object.keys(fns)
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  for (const n of names) for (let i = 0; i < ops; i++) fns[n]()
  for (let r = 0; r < 9; r++) {
    for (let k = 0; k < names.length; k++) {
      const n = names[(r + k) % names.length]
      gc()
      const t0 = process.hrtime.bigint()
      for (let i = 0; i < ops; i++) fns[n]()
      samples[n].push(Number(process.hrtime.bigint() - t0) / ops)
    }
  }
  console.log(`\n${label} (${text.length} UTF-16 units)`)
  for (const n of names) console.log(`  ${median(samples[n]).toFixed(0).padStart(9)} ns  ${n}`)
}
