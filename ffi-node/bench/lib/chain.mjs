// Chains of audit events in the DESIGN.md §2 format, and the §4 check
// written with node:crypto + npm `canonicalize` (the baseline).

import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
import canonicalize from 'canonicalize'

export const HMAC_SECRET = Buffer.from('bench-hmac-secret-0123456789abcdef')
export const HMAC_KID = 'audit-hmac-1'
export const ED_SEED = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex')
export const ED_KID = 'audit-ed25519-1'

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const edPrivate = crypto.createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, ED_SEED]), format: 'der', type: 'pkcs8' })
const edPublicRaw = Buffer.from(crypto.createPublicKey(edPrivate).export({ format: 'jwk' }).x, 'base64url')

export function ring(alg) {
  return alg === 'ed25519'
    ? [{ kid: ED_KID, alg: 'ed25519', public_key: edPublicRaw.toString('hex') }]
    : [{ kid: HMAC_KID, alg: 'hmac-sha256', secret_hex: HMAC_SECRET.toString('hex') }]
}

/** A ~250-byte audit payload (canonical form), deterministic in `i`. */
export function auditPayload(i) {
  return {
    id: `evt-${i}`,
    actor: ['alice', 'bob', 'carol'][i % 3],
    action: ['create', 'update', 'delete', 'login'][i % 4],
    seq: i,
    amount: Math.round(i * 37.13) / 100,
    tags: ['x', 'audit'],
    meta: { ip: `10.0.${i % 256}.${(i * 7) % 256}`, note: 'line\nbreak "quoted"', ratio: (i % 1000) / 997 },
    createdAt: 1_700_000_000_000 + i,
  }
}

/** `count` events signed with the bench key of `alg`, built with node:crypto + canonicalize. */
export function buildChain(alg, count) {
  const events = new Array(count)
  let prev = null
  for (let i = 0; i < count; i++) {
    const payload = auditPayload(i)
    const h = crypto.createHash('sha256').update(canonicalize(payload))
    if (prev) h.update(Buffer.from(prev, 'hex'))
    const digest = h.digest()
    const hash = digest.toString('hex')
    const signature =
      alg === 'ed25519'
        ? crypto.sign(null, digest, edPrivate).toString('hex')
        : crypto.createHmac('sha256', HMAC_SECRET).update(digest).digest('hex')
    const kid = alg === 'ed25519' ? ED_KID : HMAC_KID
    events[i] = { id: `row-${i}`, payload, hash, prev_hash: prev, kid, alg, signature }
    prev = hash
  }
  return events
}

/**
 * The JSON text of a chain, generated once and cached in the temp dir
 * (generation is deterministic: same bytes every time). Bump the `v1` in
 * the file name when buildChain or auditPayload changes.
 */
export function chainText(alg, count, { cache = true } = {}) {
  const file = path.join(os.tmpdir(), `signcore-bench-chain-v1-${alg}-${count}.json`)
  if (cache) {
    try {
      const text = fs.readFileSync(file, 'utf8')
      if (text.startsWith('[') && text.endsWith(']')) return { text, cached: true, file }
    } catch {}
  }
  const text = JSON.stringify(buildChain(alg, count))
  if (cache) {
    const tmp = `${file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, text)
    fs.renameSync(tmp, file)
  }
  return { text, cached: false, file }
}

const HEX64 = /^[0-9a-fA-F]{64}$/
const HEX = /^(?:[0-9a-fA-F]{2})*$/

function jsRing(entries) {
  const keys = new Map()
  for (const k of entries) {
    if (k.alg === 'ed25519') {
      const x = Buffer.from(k.public_key, 'hex').toString('base64url')
      keys.set(k.kid, { alg: 'ed25519', key: crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }) })
    } else {
      keys.set(k.kid, { alg: 'hmac-sha256', key: Buffer.from(k.secret_hex, 'hex') })
    }
  }
  return keys
}

/**
 * DESIGN.md §4 in plain JS over an array of event objects: link check,
 * SHA-256(canonical || prev bytes), kid/alg lookup, HMAC compared with
 * timingSafeEqual, or crypto.verify with a KeyObject made once per run.
 * Returns the same report shape as verifyChain (without messages).
 */
export function jsVerifyChain(events, ringEntries) {
  const keys = jsRing(ringEntries)
  const errors = []
  let expected = null
  for (let i = 0; i < events.length; i++) {
    const e = events[i]
    if (
      e === null || typeof e !== 'object' || !('payload' in e) ||
      typeof e.hash !== 'string' || !HEX64.test(e.hash) ||
      (e.prev_hash !== null && (typeof e.prev_hash !== 'string' || !HEX64.test(e.prev_hash))) ||
      typeof e.kid !== 'string' || typeof e.alg !== 'string' ||
      typeof e.signature !== 'string' || !HEX.test(e.signature)
    ) {
      errors.push({ index: i, code: 'MALFORMED' })
      expected = typeof e?.hash === 'string' && HEX64.test(e.hash) ? e.hash.toLowerCase() : undefined
      continue
    }
    const prev = e.prev_hash === null ? null : e.prev_hash.toLowerCase()
    const hash = e.hash.toLowerCase()
    if (expected !== undefined && expected !== prev) errors.push({ index: i, code: 'CHAIN_BROKEN' })
    const h = crypto.createHash('sha256').update(canonicalize(e.payload))
    if (prev !== null) h.update(Buffer.from(prev, 'hex'))
    if (h.digest('hex') !== hash) errors.push({ index: i, code: 'HASH_MISMATCH' })
    const key = keys.get(e.kid)
    const alg = e.alg === 'ed25519' ? 'ed25519' : /^(hmac|hmac_sha256|hmac-sha256|HMAC_SHA_256)$/.test(e.alg) ? 'hmac-sha256' : null
    if (!key || alg === null || key.alg !== alg) {
      errors.push({ index: i, code: 'UNKNOWN_KEY' })
    } else {
      const digest = Buffer.from(hash, 'hex')
      const sig = Buffer.from(e.signature, 'hex')
      let valid
      if (alg === 'ed25519') {
        valid = sig.length === 64 && crypto.verify(null, digest, key.key, sig)
      } else {
        const tag = crypto.createHmac('sha256', key.key).update(digest).digest()
        valid = sig.length === 32 && crypto.timingSafeEqual(tag, sig)
      }
      if (!valid) errors.push({ index: i, code: 'SIGNATURE_INVALID' })
    }
    expected = hash
  }
  return { ok: errors.length === 0, checked: events.length, errors }
}
