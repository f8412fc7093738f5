#!/usr/bin/env node
'use strict'
// The audit flow of the signing-backends seed, against a real embedded
// database (SQLite through better-sqlite3):
//
//   canonicalize payload -> digest with the previous row's hash -> SIGN ->
//   insert, all inside one transaction. Signing happens before the commit;
//   if signing fails the transaction rolls back and nothing is stored.
//
// Run from ffi-node/ after the build:  node examples/audit-flow.js [db-file]
// The signer is resolved once at start-up (initAuditSigning: no usable signer,
// no start). With none configured in the environment, the example makes a
// node keystore with one Ed25519 key in a temp dir and uses it (RITMA_KEY_ID).
// The chain is verified with the keystore's PUBLIC ring (keystorePublicRing):
// a verifier never needs the signing secrets.

const path = require('node:path')
const os = require('node:os')
const fs = require('node:fs')
const Database = require('better-sqlite3')

const crypto = require('node:crypto')
const {
  canonicalizePayload,
  computeAuditDigest,
  signAuditDigest,
  verifyChain,
  initAuditSigning,
  keystorePublicRing,
  Signer,
} = require('..')

class AuditLog {
  /**
   * @param {string} file SQLite database file
   * @param {Signer} [signer] default: the signer of initAuditSigning()
   */
  constructor(file, signer) {
    this.db = new Database(file)
    this.db.pragma('journal_mode = WAL')
    this.db.exec(`CREATE TABLE IF NOT EXISTS audit_events (
      id         INTEGER PRIMARY KEY AUTOINCREMENT,
      created_at TEXT NOT NULL,
      payload    TEXT NOT NULL,          -- canonical JSON (RFC 8785), as hashed
      hash       TEXT NOT NULL UNIQUE,
      prev_hash  TEXT UNIQUE,            -- one successor per hash: no forks
      kid        TEXT NOT NULL,
      alg        TEXT NOT NULL,
      signature  TEXT NOT NULL
    )`)
    this.signer = signer
    this.queue = Promise.resolve()
  }

  /**
   * Appends one event. Appends are serialized (one chain head); each runs in
   * its own transaction that commits only after the signature is back.
   */
  append(payload) {
    const run = this.queue.then(() => this.#appendNow(payload))
    this.queue = run.catch(() => {})
    return run
  }

  async #appendNow(payload) {
    const canonical = canonicalizePayload(payload)
    this.db.exec('BEGIN IMMEDIATE')
    try {
      const head = this.db.prepare('SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1').get()
      const prevHash = head ? head.hash : null
      const hash = computeAuditDigest(canonical, prevHash)
      // Sign BEFORE the commit: a failed signing rolls the transaction back.
      const { kid, alg, signature } = await signAuditDigest(hash, this.signer)
      const createdAt = new Date().toISOString()
      const info = this.db
        .prepare(
          `INSERT INTO audit_events (created_at, payload, hash, prev_hash, kid, alg, signature)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(createdAt, canonical, hash, prevHash, kid, alg, signature)
      this.db.exec('COMMIT')
      return { id: Number(info.lastInsertRowid), hash, prev_hash: prevHash, kid, alg, signature }
    } catch (error) {
      this.db.exec('ROLLBACK')
      throw error
    }
  }

  count() {
    return this.db.prepare('SELECT count(*) AS n FROM audit_events').get().n
  }

  /** The stored rows as one JSON array of events, payloads spliced in byte for byte. */
  eventsJson() {
    const rows = this.db.prepare('SELECT * FROM audit_events ORDER BY id').all()
    const parts = rows.map(({ payload, ...rest }) => `${JSON.stringify(rest).slice(0, -1)},"payload":${payload}}`)
    return `[${parts.join(',')}]`
  }

  /** Verifies the whole stored chain in one native call. */
  verify(ring) {
    return verifyChain(this.eventsJson(), ring)
  }

  close() {
    this.db.close()
  }
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signcore-audit-'))
  const file = process.argv[2] || path.join(dir, 'audit.db')
  const configured = ['AUDIT_SIGNING_KMS_KEY_ID', 'SIGNING_PROXY_URL', 'RITMA_KEY_ID', 'UTLD_PACKAGE_SIG_KEY', 'AUDIT_SIGNING_KEY', 'AUDIT_SIGNING_PRIVATE_KEY', 'AUDIT_SIGNING_SECRET', 'MOCK_AUDIT_SIGNING_KEY'].some((n) => process.env[n])
  let keystorePath = null
  if (!configured) {
    // A node keystore (DESIGN.md §3) with one Ed25519 key, readable by us only.
    keystorePath = path.join(dir, 'node_keystore.json')
    const record = { key_id: 'node-ed25519-1', alg: 'ed25519', secret_hex: crypto.randomBytes(32).toString('hex'), label: 'example node key' }
    fs.writeFileSync(keystorePath, JSON.stringify([record]), { mode: 0o600 })
    process.env.RITMA_KEY_ID = record.key_id
    process.env.RITMA_KEYSTORE_PATH = keystorePath
  }
  // Start-up: resolve the signer once; a refused configuration ("Audit
  // signing is required …") stops the service here, not at the first event.
  const signer = initAuditSigning()
  const log = new AuditLog(file)
  console.log(`database: ${file}`)
  console.log(`signer: ${signer.kid} (${signer.alg ?? signer.backend})`)

  for (const payload of [
    { action: 'user.login', actor: 'alice', ip: '10.0.0.7' },
    { action: 'policy.update', actor: 'bob', changes: { retention_days: 90, mfa: true } },
    { action: 'export.create', actor: 'carol', rows: 1250, ratio: 0.125 },
  ]) {
    const row = await log.append(payload)
    console.log(`stored #${row.id} ${row.hash.slice(0, 16)}… signed by ${row.kid} (${row.alg})`)
  }

  // A signer that fails (a proxy that is not there): nothing is stored.
  const before = log.count()
  const broken = new AuditLog(file, Signer.proxy('http://127.0.0.1:9', { timeoutMs: 500 }))
  try {
    await broken.append({ action: 'user.delete', actor: 'mallory' })
    console.log('unexpected: the append succeeded')
    process.exitCode = 1
  } catch (error) {
    console.log(`signing failed (${error.code}): ${error.message}`)
  }
  broken.close()
  console.log(`rows before: ${before}, after the failed append: ${log.count()}`)
  if (log.count() !== before) process.exitCode = 1

  const row = await log.append({ action: 'user.logout', actor: 'alice' })
  console.log(`stored #${row.id} after the failure, chained to ${row.prev_hash.slice(0, 16)}…`)

  // The verifier's ring: public keys only (an HMAC key's ring entry would be its secret).
  const ring = keystorePath ? keystorePublicRing(keystorePath) : signer.alg === 'ed25519' ? [signer.ringEntry()] : null
  if (ring) {
    console.log(`public ring: ${JSON.stringify(ring.map(({ kid, alg }) => ({ kid, alg })))}`)
    const report = log.verify(ring)
    console.log(`verify: ok=${report.ok} checked=${report.checked}`)
    if (!report.ok) process.exitCode = 1
    // Tamper with one stored payload: the verifier names the row.
    log.db.prepare("UPDATE audit_events SET payload = '{\"action\":\"user.login\",\"actor\":\"eve\"}' WHERE id = 1").run()
    const tampered = log.verify(ring)
    console.log(`after tampering: ok=${tampered.ok} errors=${JSON.stringify(tampered.errors.map((e) => [e.index, e.code]))}`)
    if (tampered.ok) process.exitCode = 1
  } else {
    console.log('verify: skipped (an HMAC or remote signer: pass its ring to AuditLog.verify)')
  }
  log.close()
}

module.exports = { AuditLog }

if (require.main === module) {
  main().catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
}
