'use strict'
// The Node baseline of the signcore-proxy load benchmark: the seed's mock
// signing proxy done properly with node:http and node:crypto, answering
// POST /sign/hash {digest_hex} -> {kid, alg, signature} with the same checks
// (Bearer key compared in constant time, JSON content type, 64 KiB limit,
// 64-hex digest) in one process.
//   node node-server.js <port> <hmac|ed25519>
// Prints "listening <port>" when ready.

const http = require('node:http')
const crypto = require('node:crypto')

const port = Number(process.argv[2] || 0)
const alg = process.argv[3] === 'ed25519' ? 'ed25519' : 'hmac-sha256'
const apiKey = Buffer.from(process.env.SIGNING_PROXY_API_KEY || '')
const apiKeyHash = crypto.createHash('sha256').update(apiKey).digest()
const hmacKey = Buffer.from(process.env.MOCK_AUDIT_SIGNING_KEY || 'bench-key')
const seed = Buffer.from('07'.repeat(32), 'hex')
// PKCS#8 wrapping of a raw Ed25519 seed.
const edKey = crypto.createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
  format: 'der',
  type: 'pkcs8',
})
const kid = alg === 'ed25519' ? 'node-ed' : 'mock'
const HEX64 = /^[0-9a-fA-F]{64}$/

function send(res, status, value) {
  const body = JSON.stringify(value)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

function authorized(header) {
  if (apiKey.length === 0) return true
  const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : ''
  const hash = crypto.createHash('sha256').update(token).digest()
  return crypto.timingSafeEqual(hash, apiKeyHash) && token.length > 0
}

const server = http.createServer((req, res) => {
  if (req.url !== '/sign/hash') return send(res, 404, { error: { code: 'NOT_FOUND', message: 'no such endpoint' } })
  if (req.method !== 'POST') return send(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'POST only' } })
  if (!authorized(req.headers.authorization)) return send(res, 401, { error: { code: 'UNAUTHORIZED', message: 'missing or invalid API key' } })
  if (!/^application\/json\b/i.test(req.headers['content-type'] || '')) {
    return send(res, 415, { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'JSON only' } })
  }
  const chunks = []
  let size = 0
  req.on('data', (c) => {
    size += c.length
    if (size <= 65536) chunks.push(c)
  })
  req.on('end', () => {
    if (size > 65536) return send(res, 413, { error: { code: 'PAYLOAD_TOO_LARGE', message: 'over 64 KiB' } })
    let body
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      return send(res, 400, { error: { code: 'INVALID_JSON', message: 'malformed JSON' } })
    }
    const hex = body && body.digest_hex
    if (typeof hex !== 'string' || !HEX64.test(hex)) return send(res, 400, { error: { code: 'INVALID_HEX', message: 'digest_hex' } })
    const digest = Buffer.from(hex, 'hex')
    const signature =
      alg === 'ed25519' ? crypto.sign(null, digest, edKey) : crypto.createHmac('sha256', hmacKey).update(digest).digest()
    send(res, 200, { kid, alg, signature: signature.toString('hex') })
  })
})
server.keepAliveTimeout = 10_000
server.listen(port, '127.0.0.1', () => console.log(`listening ${server.address().port}`))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
