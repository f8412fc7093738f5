'use strict'
// The seed's audit flow against SQLite (examples/audit-flow.js): sign before
// commit; when signing fails the transaction rolls back and nothing is stored.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const http = require('node:http')
const { execFileSync } = require('node:child_process')

const { Signer } = require('..')
const { AuditLog } = require('../examples/audit-flow.js')

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signcore-example-'))
test.after(() => fs.rmSync(dir, { recursive: true }))

test('the example runs end to end', () => {
  const env = { PATH: process.env.PATH }
  const out = execFileSync(process.execPath, [path.join(__dirname, '..', 'examples', 'audit-flow.js'), path.join(dir, 'run.db')], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  assert.match(out, /rows before: 3, after the failed append: 3/)
  assert.match(out, /signer: node-ed25519-1 \(ed25519\)/)
  // Verified with the keystore's public ring, not the keystore.
  assert.match(out, /public ring: \[\{"kid":"node-ed25519-1","alg":"ed25519"\}\]/)
  assert.match(out, /verify: ok=true checked=4/)
  assert.match(out, /after tampering: ok=false errors=\[\[0,"HASH_MISMATCH"\]\]/)
})

test('a failing signer rolls the SQLite transaction back', async () => {
  let fail = false
  const mock = Signer.hmac('svc', 'svc-secret')
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', async () => {
      if (fail) return res.writeHead(503).end('{"error":"down"}')
      const block = await mock.signDigest(JSON.parse(body).digest_hex)
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(block))
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const signer = Signer.proxy(`http://127.0.0.1:${server.address().port}`, { timeoutMs: 1000 })
  const log = new AuditLog(path.join(dir, 'rollback.db'), signer)
  try {
    // Concurrent appends are serialized into one chain.
    await Promise.all([1, 2, 3, 4, 5].map((n) => log.append({ n })))
    assert.equal(log.count(), 5)
    fail = true
    const results = await Promise.allSettled([log.append({ n: 6 }), log.append({ n: 7 })])
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected'])
    assert.equal(results[0].reason.code, 'PROXY_ERROR')
    assert.equal(log.count(), 5, 'nothing stored')
    assert.equal(log.db.inTransaction, false)
    fail = false
    await log.append({ n: 6 })
    const ring = [{ kid: 'svc', alg: 'hmac-sha256', secret_hex: Buffer.from('svc-secret').toString('hex') }]
    const report = log.verify(ring)
    assert.deepEqual(report, { ok: true, checked: 6, errors: [] })
  } finally {
    log.close()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})
