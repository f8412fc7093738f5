'use strict'
// The signing-proxy backend (DESIGN.md §6 rule 2 and §10), the client of
// signcore-proxy:
//   GET  <url>/health                                -> {status, kid, alg, key_hash?, public_key?}
//   POST <url>/sign/hash      {digest_hex}            -> {kid, alg, signature}
//   POST <url>/sign/canonical {canonical, prev_hash}  -> {kid, alg, signature, digest_hex}
//   POST <url>/verify         {digest_hex, signature} -> {valid}
// with `Authorization: Bearer <SIGNING_PROXY_API_KEY>` when a key is set.
//
// Only HTTP plumbing lives here; digests, canonical text and signatures are
// checked by the native core. A proxy's answer is not trusted: the kid must
// be a short printable string (and the expected one when pinned or learnt
// from /health), the alg one the core knows (and the expected one), the
// signature hex of the alg's length, and an Ed25519 signature must verify
// with the proxy's public key when it is known (configuration or /health).
// A failed call rejects with nothing returned (the caller stores nothing).
// Messages derived from an answer never carry the API key or a Bearer token.

const http = require('node:http')
const https = require('node:https')

const DEFAULT_TIMEOUT_MS = 10_000
const MAX_RESPONSE_BYTES = 64 * 1024
const MAX_KID_BYTES = 64
const SIGNATURE_BYTES = { 'hmac-sha256': 32, ed25519: 64 }
// C0, DEL and C1 controls, and the Unicode line/paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const BEARER = /\bBearer\s+[^\s"',;\\]+/gi

function proxyError(code, message, extra) {
  const error = new Error(message)
  error.code = code
  return Object.assign(error, extra)
}

/** A short, printable rendering of untrusted text for a message. */
function shown(text) {
  const cut = text.length > 40 ? `${text.slice(0, 40)}…` : text
  return JSON.stringify(cut)
}

class ProxyBackend {
  #url
  #apiKey
  #timeoutMs
  #agent
  #core
  #pin
  #known = null
  #ready = null
  #disposed = false

  /**
   * @param {URL} url base URL (http: or https:)
   * @param {{ apiKey?: string | null, timeoutMs: number, agent?: http.Agent,
   *           kid?: string, alg?: string, publicKey?: string | Uint8Array }} options
   *   kid/alg/publicKey pin what the proxy must answer.
   * @param {{ canonicalAlg(name: string): string,
   *           verifySignature(alg: string, publicKey: any, secret: any, message: Uint8Array, signature: string): boolean,
   *           auditDigest(canonical: string, prevHash: string | null): string }} core the native core
   */
  constructor(url, { apiKey, timeoutMs, agent, kid, alg, publicKey }, core) {
    this.#url = url
    this.#apiKey = apiKey || null
    this.#timeoutMs = timeoutMs
    this.#agent = agent
    this.#core = core
    this.#pin = Object.freeze({
      kid: kid ?? null,
      alg: alg === undefined || alg === null ? null : core.canonicalAlg(alg),
      publicKey: publicKey === undefined || publicKey === null ? null : publicKeyHex(publicKey),
    })
    if (this.#pin.kid !== null) {
      const why = kidProblem(this.#pin.kid)
      if (why) throw proxyError('INVALID_KEY_ID', `options.kid ${why}`)
    }
    if (this.#pin.publicKey !== null && this.#pin.alg !== null && this.#pin.alg !== 'ed25519') {
      throw proxyError('INVALID_KEY', `options.publicKey is an Ed25519 key, but options.alg is ${this.#pin.alg}`)
    }
  }

  /** The base URL without credentials, for messages and inspection. */
  get url() {
    const shownUrl = new URL(this.#url)
    shownUrl.username = ''
    shownUrl.password = ''
    return shownUrl.href
  }

  /** What the proxy signs with: pinned, or learnt from /health; null until known. */
  get kid() {
    return this.#pin.kid ?? this.#known?.kid ?? null
  }
  get alg() {
    return this.#pin.alg ?? this.#known?.alg ?? null
  }
  get publicKey() {
    return this.#pin.publicKey ?? this.#known?.publicKey ?? null
  }
  get keyHash() {
    return this.#known?.keyHash ?? null
  }

  dispose() {
    this.#apiKey = null
    this.#disposed = true
  }

  get disposed() {
    return this.#disposed
  }

  /**
   * GET /health once (again after a failure): the proxy's kid, alg and
   * Ed25519 public key, checked against the pins, then used to check every
   * answer. Resolves the learnt `{ kid, alg, publicKey, keyHash }`.
   */
  ready() {
    this.#ready ??= this.#health().catch((error) => {
      this.#ready = null
      throw error
    })
    return this.#ready
  }

  async #health() {
    const answer = await this.#call('GET', '/health', null, 'signing proxy start-up check failed')
    const bad = (why) =>
      proxyError('PROXY_ERROR', this.#redact(`signing proxy start-up check failed: ${this.#where()} /health answered ${why}`))
    if (!isObject(answer)) throw bad('something other than a JSON object')
    if (answer.status !== 'ok') throw bad(`status ${typeof answer.status === 'string' ? shown(answer.status) : 'missing'}`)
    const { kid, alg } = this.#checkKidAlg(answer, bad)
    let publicKey = null
    if (answer.public_key !== undefined && answer.public_key !== null) {
      if (alg !== 'ed25519') throw bad(`a public_key for ${alg}`)
      try {
        publicKey = publicKeyHex(answer.public_key)
      } catch {
        throw bad('a public_key that is not 32 bytes of hex')
      }
      if (this.#pin.publicKey !== null && publicKey !== this.#pin.publicKey) {
        throw bad('a public_key other than the configured one')
      }
      try {
        this.#core.verifySignature('ed25519', publicKey, null, Buffer.alloc(32), '00'.repeat(64))
      } catch {
        throw bad('a public_key that is not a valid Ed25519 key')
      }
    }
    let keyHash = null
    if (typeof answer.key_hash === 'string' && /^[0-9a-fA-F]{64}$/.test(answer.key_hash)) keyHash = answer.key_hash.toLowerCase()
    this.#known = Object.freeze({ kid, alg, publicKey, keyHash })
    return this.#known
  }

  /** Signs a normalized (lowercase) digest; resolves `{kid, alg, signature}`. */
  async signHash(digestHex) {
    const answer = await this.#call('POST', '/sign/hash', { digest_hex: digestHex }, 'audit signing failed')
    return this.#checkBlock(answer, digestHex)
  }

  /**
   * Signs the audit digest of already-canonical JSON text (and the previous
   * event's hash); resolves `{ hash, kid, alg, signature }`, where `hash` is
   * the digest the core computes here, which the proxy's must equal.
   */
  async signCanonical(canonical, prevHash) {
    const hash = this.#core.auditDigest(canonical, prevHash)
    const body = { canonical, prev_hash: prevHash }
    const answer = await this.#call('POST', '/sign/canonical', body, 'audit signing failed')
    if (isObject(answer) && (typeof answer.digest_hex !== 'string' || answer.digest_hex.toLowerCase() !== hash)) {
      throw proxyError('PROXY_ERROR', `audit signing failed: ${this.#where()} answered a digest_hex other than the audit digest of the event`)
    }
    return { hash, ...this.#checkBlock(answer, hash) }
  }

  #checkKidAlg(answer, bad) {
    const { kid, alg } = answer
    if (typeof kid !== 'string' || kid === '') throw bad('no kid')
    const why = kidProblem(kid)
    if (why) throw bad(`a kid that ${why}`)
    if (typeof alg !== 'string') throw bad('no alg')
    let name
    try {
      name = this.#core.canonicalAlg(alg)
    } catch {
      throw bad(`an unknown alg ${shown(alg)}`)
    }
    const expectedKid = this.kid
    if (expectedKid !== null && kid !== expectedKid) throw bad(`kid ${shown(kid)}, expected ${shown(expectedKid)}`)
    const expectedAlg = this.alg
    if (expectedAlg !== null && name !== expectedAlg) throw bad(`alg ${name}, expected ${expectedAlg}`)
    return { kid, alg: name }
  }

  #checkBlock(answer, digestHex) {
    const bad = (why) => proxyError('PROXY_ERROR', this.#redact(`audit signing failed: ${this.#where()} answered ${why}`))
    if (!isObject(answer)) throw bad('something other than a JSON object')
    const { kid, alg } = this.#checkKidAlg(answer, bad)
    const { signature } = answer
    if (typeof signature !== 'string' || !/^(?:[0-9a-fA-F]{2})+$/.test(signature)) throw bad('a signature that is not hex')
    const expected = SIGNATURE_BYTES[alg]
    if (expected !== undefined && signature.length !== 2 * expected) {
      throw bad(`a ${signature.length / 2}-byte signature for ${alg} (expected ${expected})`)
    }
    const sig = signature.toLowerCase()
    const publicKey = this.publicKey
    if (alg === 'ed25519' && publicKey !== null) {
      const digest = Buffer.from(digestHex, 'hex')
      let valid = false
      try {
        valid = this.#core.verifySignature('ed25519', publicKey, null, digest, sig)
      } catch {
        valid = false
      }
      if (!valid) {
        throw bad('an ed25519 signature that does not verify with its public key')
      }
    }
    return { kid, alg, signature: sig }
  }

  /** Asks the proxy whether `signatureHex` is valid over the digest. */
  async verifyHash(digestHex, signatureHex) {
    const body = { digest_hex: digestHex, signature: signatureHex }
    const answer = await this.#call('POST', '/verify', body, 'signature verification failed')
    if (!isObject(answer) || typeof answer.valid !== 'boolean') {
      throw proxyError('PROXY_ERROR', `signature verification failed: ${this.#where()} answered no boolean "valid"`)
    }
    return answer.valid
  }

  #where() {
    return `signing proxy at ${this.url}`
  }

  /** Removes the API key and any Bearer token from text derived from an answer. */
  #redact(text) {
    let out = String(text).replace(BEARER, 'Bearer [redacted]')
    if (this.#apiKey) out = out.split(this.#apiKey).join('[redacted]')
    return out
  }

  #call(method, path, body, what) {
    if (this.#disposed) return Promise.reject(proxyError('SIGNER_DISPOSED', 'this signer has been disposed'))
    const target = new URL(this.#url)
    target.pathname = target.pathname.replace(/\/+$/, '') + path
    const headers = { accept: 'application/json' }
    let payload = null
    if (body !== null) {
      payload = Buffer.from(JSON.stringify(body))
      headers['content-type'] = 'application/json'
      headers['content-length'] = String(payload.length)
    }
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`
    const transport = target.protocol === 'https:' ? https : http
    const where = this.#where()
    const timeoutMs = this.#timeoutMs
    const redact = (text) => this.#redact(text)
    return new Promise((resolve, reject) => {
      let settled = false
      let timer = null
      let request = null
      const finish = (error, value) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (error) {
          if (request) request.destroy()
          reject(error)
        } else {
          resolve(value)
        }
      }
      const failed = (cause) =>
        finish(proxyError('PROXY_ERROR', redact(`${what}: ${where}: ${cause.message}`), { cause: redactedCause(cause, redact) }))
      const onResponse = (response) => {
        const chunks = []
        let size = 0
        response.on('data', (chunk) => {
          size += chunk.length
          if (size > MAX_RESPONSE_BYTES) {
            finish(proxyError('PROXY_ERROR', `${what}: ${where} answered more than ${MAX_RESPONSE_BYTES} bytes`))
          } else {
            chunks.push(chunk)
          }
        })
        response.on('error', failed)
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const status = response.statusCode
          if (status < 200 || status > 299) {
            const extra = { status }
            let detail = ''
            const parsed = parseJson(text)
            if (isObject(parsed) && isObject(parsed.error) && typeof parsed.error.code === 'string') {
              // signcore-proxy's { error: { code, message } }
              extra.proxyCode = redact(parsed.error.code.slice(0, 64))
              const message = typeof parsed.error.message === 'string' ? parsed.error.message : ''
              detail = `${parsed.error.code}${message ? `: ${message}` : ''}`
            } else {
              detail = text
            }
            detail = redact(detail).replace(/[\u0000-\u001f\u007f]+/g, ' ')
            const snippet = detail.length > 200 ? `${detail.slice(0, 200)}…` : detail
            finish(proxyError('PROXY_ERROR', `${what}: ${where} answered HTTP ${status}${snippet ? `: ${snippet}` : ''}`, extra))
            return
          }
          const parsed = parseJson(text)
          if (parsed === undefined) {
            finish(proxyError('PROXY_ERROR', `${what}: ${where} answered something other than JSON`, { status }))
            return
          }
          finish(null, parsed)
        })
      }
      try {
        request = transport.request(target, { method, headers, agent: this.#agent }, onResponse)
      } catch (cause) {
        // e.g. an API key with characters a header cannot carry (not echoed).
        finish(proxyError('PROXY_ERROR', `${what}: request to ${where} could not be made (${cause.code || 'error'})`))
        return
      }
      timer = setTimeout(
        () => finish(proxyError('PROXY_TIMEOUT', `${what}: ${where} did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      )
      request.on('error', failed)
      request.end(payload ?? undefined)
    })
  }
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function parseJson(text) {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** A network error's copy whose message is redacted (the original is dropped). */
function redactedCause(cause, redact) {
  const copy = new Error(redact(cause.message))
  if (cause.code !== undefined) copy.code = cause.code
  return copy
}

/** Why `kid` is not acceptable, or null. */
function kidProblem(kid) {
  if (typeof kid !== 'string' || kid === '') return 'is empty'
  if (!kid.isWellFormed()) return 'has a lone UTF-16 surrogate'
  if (Buffer.byteLength(kid, 'utf8') > MAX_KID_BYTES) return `is longer than ${MAX_KID_BYTES} bytes`
  if (CONTROL.test(kid)) return 'has a control character'
  return null
}

/** A 32-byte Ed25519 public key as lowercase hex. */
function publicKeyHex(value) {
  let bytes
  if (typeof value === 'string' && /^(?:[0-9a-fA-F]{2})*$/.test(value)) bytes = Buffer.from(value, 'hex')
  else if (value instanceof Uint8Array) bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  if (!bytes || bytes.length !== 32) {
    throw proxyError('INVALID_KEY', 'an Ed25519 public key must be 32 bytes (a Uint8Array or 64 hex chars)')
  }
  return bytes.toString('hex')
}

/** Parses and checks a proxy base URL; throws `TypeError` when unusable. */
function proxyUrl(url) {
  let parsed
  try {
    parsed = new URL(String(url))
  } catch {
    const error = new TypeError(`signing proxy URL is not a valid URL: ${JSON.stringify(String(url))}`)
    error.code = 'ERR_INVALID_URL'
    throw error
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    const error = new TypeError(`signing proxy URL must be http: or https:, not ${parsed.protocol}`)
    error.code = 'ERR_INVALID_URL'
    throw error
  }
  return parsed
}

module.exports = { ProxyBackend, proxyUrl, DEFAULT_TIMEOUT_MS, MAX_KID_BYTES }
