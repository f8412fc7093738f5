'use strict'
// canonicalizePayload(x) against a reference JCS written from RFC 8785
// (test/helpers.js) and against npm `canonicalize`, for thousands of
// generated values; plus the JSON.stringify edge cases.

const test = require('node:test')
const assert = require('node:assert/strict')
const npmCanonicalize = require('canonicalize').default // ESM package (5.x): require(esm) gives its namespace

const { canonicalizePayload, canonicalizeJson } = require('..')
const { prng, referenceJcs } = require('./helpers.js')

const VALUES = 4000

// Characters that stress escaping and UTF-16 ordering: controls, quotes,
// backslash, DEL, Latin-1, U+2028, BMP near the surrogates, U+FFFF, and
// astral characters (surrogate pairs sort before U+E000..U+FFFF in UTF-16).
const ALPHABET = [
  'a', 'b', 'z', 'A', 'Z', '0', '9', '_', ' ', '/', '"', '\\', '\u0000', '\u0001', '\b', '\t', '\n', '\f', '\r',
  '\u001f', '\u007f', '\u0080', 'é', 'ß', 'ö', '\u2028', '\u2029', '€', '日', '\ud7ff', '\ue000', '\ufb33', '\uffff',
  '\u{1f600}', '\u{10ffff}', '\u{1d11e}', 'A\u030a',
]

function makeGenerator(seed) {
  const rand = prng(seed)
  const int = (n) => Math.floor(rand() * n)
  const bits = new DataView(new ArrayBuffer(8))
  function number() {
    switch (int(9)) {
      case 0:
        return int(2000) - 1000
      case 1:
        return (rand() - 0.5) * 10 ** (int(40) - 20)
      case 2:
        return -0
      case 3:
        return Number.MAX_SAFE_INTEGER + int(3) * 2 ** 53
      case 4:
        return 10 ** (int(600) - 300) * (rand() < 0.5 ? -1 : 1)
      case 5:
        return [5e-324, -5e-324, 1.7976931348623157e308, 1e21, 1e-7, 1e20, 123e-20, 0.1, 1 / 3][int(9)]
      case 6: {
        // Random finite bit patterns.
        for (;;) {
          bits.setUint32(0, int(2 ** 32))
          bits.setUint32(4, int(2 ** 32))
          const v = bits.getFloat64(0)
          if (Number.isFinite(v)) return v
        }
      }
      case 7:
        return Math.round(rand() * 1e6) / 100
      default:
        return rand()
    }
  }
  function string(max = 12) {
    let s = ''
    const n = int(max)
    for (let i = 0; i < n; i++) s += ALPHABET[int(ALPHABET.length)]
    return s
  }
  function value(depth, { extras }) {
    const pick = int(depth >= 5 ? 5 : 9)
    switch (pick) {
      case 0:
        return null
      case 1:
        return rand() < 0.5
      case 2:
      case 3:
        return number()
      case 4:
        return string()
      case 5:
      case 6: {
        const n = int(6)
        const arr = []
        for (let i = 0; i < n; i++) arr.push(extras && rand() < 0.1 ? extra() : value(depth + 1, { extras }))
        return arr
      }
      default: {
        const n = int(7)
        const obj = {}
        for (let i = 0; i < n; i++) {
          obj[string(5)] = extras && rand() < 0.1 ? extra() : value(depth + 1, { extras })
        }
        return obj
      }
    }
  }
  // Values JSON.stringify drops (members) or turns into null (in arrays),
  // and ones it transforms (toJSON, boxed primitives).
  function extra() {
    switch (int(7)) {
      case 0:
        return undefined
      case 1:
        return () => 1
      case 2:
        return Symbol('s')
      case 3:
        return new Date(int(2 ** 41))
      case 4:
        return new Number(number())
      case 5:
        return new String(string())
      default: {
        const replaced = { replaced: string(), n: number() }
        return { toJSON: () => replaced, ignored: 1 }
      }
    }
  }
  return { value, number, string }
}

test('canonicalizePayload equals the reference JCS for generated JSON values', (t) => {
  const gen = makeGenerator(42)
  let compared = 0
  for (let i = 0; i < VALUES; i++) {
    const v = gen.value(0, { extras: false })
    const expected = referenceJcs(v)
    assert.equal(canonicalizePayload(v), expected, `value ${i}: ${JSON.stringify(v)}`)
    assert.equal(npmCanonicalize(v), expected, `npm canonicalize, value ${i}`)
    // And the same text, non-canonically spelled, through canonicalizeJson.
    assert.equal(canonicalizeJson(JSON.stringify(v, null, i % 3)), expected, `value ${i} (indented)`)
    compared++
  }
  t.diagnostic(`generated JSON values: ${compared} compared with the reference and npm canonicalize`)
})

test('canonicalizePayload follows JSON.stringify for undefined, functions, symbols, toJSON, boxes', (t) => {
  const gen = makeGenerator(7)
  let compared = 0
  for (let i = 0; i < VALUES / 2; i++) {
    const v = gen.value(0, { extras: true })
    assert.equal(canonicalizePayload(v), referenceJcs(v), `value ${i}`)
    compared++
  }
  t.diagnostic(`generated values with JSON.stringify extras: ${compared} compared`)
})

test('non-finite numbers are refused wherever JSON.stringify would write them', (t) => {
  // canonicalizePayload serializes without a replacer and looks for NaN and
  // ±Infinity only when the text has a `null`; the answer must be that of
  // checking every value JSON.stringify writes (a replacer), always.
  const gen = makeGenerator(99)
  const rand = prng(1234)
  const BAD = [NaN, Infinity, -Infinity]
  const bad = () => (rand() < 0.8 ? BAD[Math.floor(rand() * 3)] : new Number(BAD[Math.floor(rand() * 3)]))
  // Replaces some numbers and nulls in place (also inside toJSON results and
  // in members JSON.stringify drops), and adds `null`-bearing strings.
  function inject(value, depth = 0) {
    if (value === null || typeof value !== 'object' || depth > 6) return value
    if (value instanceof Date || value instanceof Number || value instanceof String) return value
    // The generator's toJSON returns the same object each time.
    if (typeof value.toJSON === 'function') inject(value.toJSON(''), depth + 1)
    for (const key of Object.keys(value)) {
      const v = value[key]
      if ((typeof v === 'number' || v === null) && rand() < 0.08) value[key] = bad()
      else if (typeof v === 'string' && rand() < 0.05) value[key] = `${v}null`
      else inject(v, depth + 1)
    }
    return value
  }
  const replacer = (_key, value) => {
    if ((typeof value === 'number' || value instanceof Number) && !Number.isFinite(Number(value))) throw new Error('non-finite')
    return value
  }
  let refused = 0
  let accepted = 0
  for (let i = 0; i < VALUES / 2; i++) {
    const v = inject(gen.value(0, { extras: true }))
    let expected
    try {
      JSON.stringify(v, replacer)
      expected = referenceJcs(v)
    } catch (error) {
      if (error.message !== 'non-finite') throw error
      expected = null
    }
    if (expected === null) {
      assert.throws(() => canonicalizePayload(v), { code: 'NON_FINITE_NUMBER' }, `value ${i}`)
      refused++
    } else {
      assert.equal(canonicalizePayload(v), expected, `value ${i}`)
      accepted++
    }
  }
  assert.ok(refused > 100 && accepted > 100)
  t.diagnostic(`generated values with non-finite numbers injected: ${refused} refused, ${accepted} accepted, as a replacer decides`)
})

test('edge cases', () => {
  assert.equal(canonicalizePayload(-0), '0')
  assert.equal(canonicalizePayload([-0, 0, 1e21, 1e-7, 1.5e300]), '[0,0,1e+21,1e-7,1.5e+300]')
  assert.equal(canonicalizePayload({ b: undefined, a: () => 1, c: Symbol('x'), d: 1 }), '{"d":1}')
  assert.equal(canonicalizePayload([undefined, () => 1, Symbol('x')]), '[null,null,null]')
  assert.equal(canonicalizePayload(new Date(0)), '"1970-01-01T00:00:00.000Z"')
  assert.equal(canonicalizePayload({ toJSON: (key) => ({ key }) }), '{"key":""}')
  assert.equal(canonicalizePayload({ x: { toJSON: (key) => key } }), '{"x":"x"}')
  assert.equal(canonicalizePayload(new Map([[1, 2]])), '{}')
  assert.equal(canonicalizePayload('\u2028'), '"\u2028"')
  assert.equal(canonicalizePayload({ '\u{1f600}': 1, '\uffff': 2 }), '{"\u{1f600}":1,"\uffff":2}')
  assert.equal(canonicalizePayload(Object.assign(Object.create({ inherited: 1 }), { own: 2 })), '{"own":2}')

  // An invalid Date is null (its toJSON), not a non-finite number.
  assert.equal(canonicalizePayload([null, new Date(NaN), { n: null }]), '[null,null,{"n":null}]')
  const withNulls = [{ a: null, b: NaN }, { s: 'null', n: Infinity }, [null, [{ x: -Infinity }]], { a: null, d: new Date(0), n: NaN }]
  for (const bad of [NaN, Infinity, -Infinity, { a: [1, NaN] }, new Number(Infinity), { toJSON: () => -Infinity }, ...withNulls]) {
    assert.throws(() => canonicalizePayload(bad), { code: 'NON_FINITE_NUMBER' })
  }
  assert.throws(() => canonicalizePayload({ n: 1n }), TypeError)
  const cyclic = {}
  cyclic.self = cyclic
  assert.throws(() => canonicalizePayload(cyclic), TypeError)
  for (const nothing of [undefined, () => 1, Symbol('x')]) {
    assert.throws(() => canonicalizePayload(nothing), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  }
  // A lone surrogate is escaped by JSON.stringify and refused by the core (I-JSON).
  assert.throws(() => canonicalizePayload({ s: '\ud800' }), { code: 'LONE_SURROGATE' })
  assert.throws(() => canonicalizePayload({ ['\udc00']: 1 }), { code: 'LONE_SURROGATE' })
  // Nesting past the core's documented limit (64) is an error, not a crash.
  let deep = 1
  for (let i = 0; i < 64; i++) deep = [deep]
  assert.equal(canonicalizePayload(deep).length, 129)
  assert.throws(() => canonicalizePayload([deep]), { code: 'LIMIT_EXCEEDED' })
  // Large objects (more members than the core's default member table).
  const wide = {}
  for (let i = 0; i < 5000; i++) wide[`k${i}`] = i
  assert.equal(canonicalizePayload(wide), referenceJcs(wide))
})
