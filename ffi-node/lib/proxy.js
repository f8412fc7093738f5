'use strict'
// The signing-proxy backend (DESIGN.md §6 rule 2, first seed):
//   POST <url>/sign/hash {digest_hex}            -> {kid, alg, signature}
//   POST <url>/verify    {digest_hex, signature} -> {valid}
// with `Authorization: Bearer <SIGNING_PROXY_API_KEY>` when a key is set.
// Only HTTP plumbing lives here: digests are checked and normalized by the
// native core before they are sent, and a failed call rejects with nothing
// returned (the caller stores nothing).

const http = require('node:http')
const https = require('node:https')

const DEFAULT_TIMEOUT_MS = 10_000
const MAX_RESPONSE_BYTES = 64 * 1024
const SIGNATURE_BYTES = { 'hmac-sha256': 32, ed25519: 64 }

function proxyError(code, message, extra) {
  const error = new Error(message)
  error.code = code
  return Object.assign(error, extra)
}

class ProxyBackend {
  #url
  #apiKey
  #timeoutMs
  #agent
  #canonicalAlg
  #disposed = false

  /**
   * @param {URL} url base URL (http: or https:)
   * @param {{ apiKey?: string | null, timeoutMs: number, agent?: http.Agent }} options
   * @param {(name: string) => string} canonicalAlg the core's algorithm-name normalizer
   */
  constructor(url, { apiKey, timeoutMs, agent }, canonicalAlg) {
    this.#url = url
    this.#apiKey = apiKey || null
    this.#timeoutMs = timeoutMs
    this.#agent = agent
    this.#canonicalAlg = canonicalAlg
  }

  /** The base URL without credentials, for messages and inspection. */
  get url() {
    const shown = new URL(this.#url)
    shown.username = ''
    shown.password = ''
    return shown.href
  }

  dispose() {
    this.#apiKey = null
    this.#disposed = true
  }

  get disposed() {
    return this.#disposed
  }

  /** Signs a normalized (lowercase) digest; resolves `{kid, alg, signature}`. */
  async signHash(digestHex) {
    const answer = await this.#post('/sign/hash', { digest_hex: digestHex }, 'audit signing failed')
    const bad = (why) =>
      proxyError('PROXY_ERROR', `audit signing failed: signing proxy at ${this.url} answered ${why}`)
    if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) throw bad('something other than a JSON object')
    const { kid, alg, signature } = answer
    if (typeof kid !== 'string' || kid === '') throw bad('no kid')
    if (typeof alg !== 'string') throw bad('no alg')
    if (typeof signature !== 'string' || !/^(?:[0-9a-fA-F]{2})+$/.test(signature)) throw bad('a signature that is not hex')
    let name
    try {
      name = this.#canonicalAlg(alg)
    } catch {
      throw bad(`an unknown alg ${JSON.stringify(alg.slice(0, 40))}`)
    }
    const expected = SIGNATURE_BYTES[name]
    if (expected !== undefined && signature.length !== 2 * expected) {
      throw bad(`a ${signature.length / 2}-byte signature for ${name} (expected ${expected})`)
    }
    return { kid, alg: name, signature: signature.toLowerCase() }
  }

  /** Asks the proxy whether `signatureHex` is valid over the digest. */
  async verifyHash(digestHex, signatureHex) {
    const answer = await this.#post(
      '/verify',
      { digest_hex: digestHex, signature: signatureHex },
      'signature verification failed',
    )
    if (answer === null || typeof answer !== 'object' || typeof answer.valid !== 'boolean') {
      throw proxyError('PROXY_ERROR', `signature verification failed: signing proxy at ${this.url} answered no boolean "valid"`)
    }
    return answer.valid
  }

  #post(path, body, what) {
    if (this.#disposed) return Promise.reject(proxyError('SIGNER_DISPOSED', 'this signer has been disposed'))
    const target = new URL(this.#url)
    target.pathname = target.pathname.replace(/\/+$/, '') + path
    const payload = Buffer.from(JSON.stringify(body))
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      'content-length': String(payload.length),
    }
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`
    const transport = target.protocol === 'https:' ? https : http
    const where = `signing proxy at ${this.url}`
    const timeoutMs = this.#timeoutMs
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
        response.on('error', (cause) => finish(proxyError('PROXY_ERROR', `${what}: ${where}: ${cause.message}`, { cause })))
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const status = response.statusCode
          if (status < 200 || status > 299) {
            const snippet = text.length > 200 ? `${text.slice(0, 200)}…` : text
            finish(proxyError('PROXY_ERROR', `${what}: ${where} answered HTTP ${status}${snippet ? `: ${snippet}` : ''}`, { status }))
            return
          }
          let parsed
          try {
            parsed = JSON.parse(text)
          } catch {
            finish(proxyError('PROXY_ERROR', `${what}: ${where} answered something other than JSON`, { status }))
            return
          }
          finish(null, parsed)
        })
      }
      try {
        request = transport.request(target, { method: 'POST', headers, agent: this.#agent }, onResponse)
      } catch (cause) {
        // e.g. an API key with characters a header cannot carry (not echoed).
        finish(proxyError('PROXY_ERROR', `${what}: request to ${where} could not be made (${cause.code || 'error'})`, { cause }))
        return
      }
      timer = setTimeout(
        () => finish(proxyError('PROXY_TIMEOUT', `${what}: ${where} did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      )
      request.on('error', (cause) => finish(proxyError('PROXY_ERROR', `${what}: ${where}: ${cause.message}`, { cause })))
      request.end(payload)
    })
  }
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

module.exports = { ProxyBackend, proxyUrl, DEFAULT_TIMEOUT_MS }
