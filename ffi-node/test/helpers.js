'use strict'
// Shared test helpers: where the vectors are, a seeded PRNG, a reference
// RFC 8785 implementation written from the RFC (independent of the core),
// and small node:crypto helpers.

const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')

// <repo>/../shared/vectors (CI has shared/ beside the checkout), or
// SIGNCORE_VECTORS.
const VECTORS = process.env.SIGNCORE_VECTORS || path.resolve(__dirname, '..', '..', '..', 'shared', 'vectors')

function vectorPath(...parts) {
  const file = path.join(VECTORS, ...parts)
  if (!fs.existsSync(file)) {
    throw new Error(`test vector ${file} not found: put shared/ beside the repository or set SIGNCORE_VECTORS`)
  }
  return file
}

function readVector(...parts) {
  return fs.readFileSync(vectorPath(...parts))
}

function readJsonVector(...parts) {
  return JSON.parse(readVector(...parts).toString('utf8'))
}

/** mulberry32: small, seeded, good enough for test data. */
function prng(seed) {
  let a = seed >>> 0
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Reference JCS (RFC 8785) of a JS value, following JSON.stringify's rules
 * for what is serialized (toJSON, undefined/functions/symbols dropped from
 * objects and null in arrays). Strings: RFC 8785 §3.2.2.2 escaping, which
 * ECMAScript's JSON.stringify implements for well-formed strings. Numbers:
 * ECMAScript Number::toString. Members: sorted by UTF-16 code units (the
 * default JS string order).
 */
function referenceJcs(value) {
  const out = serialize({ '': value }, '', value)
  if (out === undefined) throw new TypeError('not representable')
  return out
}

function serialize(holder, key, value) {
  if (value !== null && (typeof value === 'object' || typeof value === 'bigint') && typeof value.toJSON === 'function') {
    value = value.toJSON(key)
  }
  if (value instanceof Number) value = Number(value)
  else if (value instanceof String) value = String(value)
  else if (value instanceof Boolean) value = value.valueOf()
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError('non-finite number')
      return Object.is(value, -0) ? '0' : String(value)
    case 'string':
      return quote(value)
    case 'bigint':
      throw new TypeError('BigInt')
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined
  }
  if (Array.isArray(value)) {
    return `[${value.map((v, i) => serialize(value, String(i), v) ?? 'null').join(',')}]`
  }
  const members = []
  for (const k of Object.keys(value).sort()) {
    const v = serialize(value, k, value[k])
    if (v !== undefined) members.push(`${quote(k)}:${v}`)
  }
  return `{${members.join(',')}}`
}

function quote(s) {
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x22) out += '\\"'
    else if (c === 0x5c) out += '\\\\'
    else if (c === 0x08) out += '\\b'
    else if (c === 0x09) out += '\\t'
    else if (c === 0x0a) out += '\\n'
    else if (c === 0x0c) out += '\\f'
    else if (c === 0x0d) out += '\\r'
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`
    else out += s[i]
  }
  return `${out}"`
}

const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest()
const hmac = (key, bytes) => crypto.createHmac('sha256', key).update(bytes).digest()

// PKCS#8 and SPKI DER prefixes for raw Ed25519 keys (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

function ed25519PrivateKey(seed) {
  return crypto.createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })
}

function ed25519PublicKey(raw) {
  return crypto.createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
}

function rawPublicKey(keyObject) {
  return keyObject.export({ format: 'der', type: 'spki' }).subarray(ED25519_SPKI_PREFIX.length)
}

/** The sorted `index:code` keys of a chain report or expected list. */
function findingKeys(list) {
  return list.map((f) => (Array.isArray(f) ? `${f[0]}:${f[1]}` : `${f.index}:${f.code}`)).sort()
}

module.exports = {
  VECTORS,
  vectorPath,
  readVector,
  readJsonVector,
  prng,
  referenceJcs,
  sha256,
  hmac,
  ed25519PrivateKey,
  ed25519PublicKey,
  rawPublicKey,
  findingKeys,
}
