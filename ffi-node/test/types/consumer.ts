// Compiled by `npm test` (tsc --strict): a consumer using every export.
import {
  canonicalizePayload,
  canonicalizeJson,
  computeAuditDigest,
  signAuditDigest,
  signAuditEvent,
  Signer,
  keystoreMetadata,
  verifyChain,
  verifyChainAsync,
  verifyManifest,
  verifyArchive,
  verifyArchiveAsync,
  type ArchiveReport,
  type ArchiveBlock,
  type ArchiveFinding,
  verifySignature,
  type AuditEvent,
  type ChainReport,
  type ChainFinding,
  type KeyMetadata,
  type ManifestReport,
  type ManifestSigner,
  type SignatureBlock,
  type SignedEvent,
  type SigncoreError,
  type ErrorCode,
  type RingEntry,
  type WarningCode,
} from '../../index'

async function main(): Promise<void> {
  const canonical: string = canonicalizePayload({ actor: 'bob', n: 1 })
  const same: string = canonicalizeJson(new TextEncoder().encode(canonical))
  const digest: string = computeAuditDigest(same, null)

  const warnings: Array<[string, WarningCode]> = []
  const signer: Signer = Signer.fromEnv(process.env, { onWarning: (m, c) => warnings.push([m, c]), timeoutMs: 5000 })
  const hmac = Signer.hmac('k', Buffer.from('secret'))
  const ed = Signer.ed25519('e', '00'.repeat(32))
  const fromStore = Signer.fromKeystore('./node_keystore.json', 'node-key-1')
  const proxy = Signer.proxy(new URL('http://127.0.0.1:8081'), { apiKey: 'local-ci-key' })
  const block: SignatureBlock = await signAuditDigest(digest, hmac)
  const fromEnvBlock: SignatureBlock = await signAuditDigest(digest)
  const fused: SignedEvent = await signAuditEvent({ actor: 'bob', n: 1 }, null, hmac)
  const next: SignedEvent = await ed.signEvent({ n: 2 }, fused.hash)
  const fromDefault: string = (await signAuditEvent({ n: 3 })).hash + next.signature + fused.kid
  const raw: Buffer = hmac.signSync(Buffer.from(digest, 'hex'))
  const later: Buffer = await ed.sign(new Uint8Array(32))
  const ok: boolean = hmac.verifySync(Buffer.from(digest, 'hex'), raw) && (await ed.verify(new Uint8Array(32), later))
  const kid: string | null = signer.kid
  const alg: 'hmac-sha256' | 'ed25519' | 'rsa-sha256' | null = fromStore.alg
  const pk: Buffer | null = ed.publicKey
  const meta = { kid, alg, pk, hash: hmac.keyHash, label: fromStore.label, source: proxy.source, backend: proxy.backend }
  const json: { kid: string | null } = proxy.toJSON()
  const pinned: Signer = await Signer.proxy('https://signer.internal', { apiKey: 'k', kid: 'node-1', alg: 'ed25519', publicKey: ed.publicKey }).ready()
  const signedEvent: { hash: string; kid: string; alg: string; signature: string } = await pinned.signCanonical('{"a":1}', null)
  // @ts-expect-error publicKey is bytes or hex, not a number
  Signer.proxy('https://signer.internal', { publicKey: 5 })
  hmac.dispose()
  const disposed: boolean = hmac.disposed

  const keys: KeyMetadata[] = keystoreMetadata('./node_keystore.json')
  const firstId: string | undefined = keys[0]?.key_id
  const ring: RingEntry[] = [{ kid: block.kid, alg: 'hmac-sha256', secret_hex: '736563726574' }]
  const event: AuditEvent = { payload: { n: 1 }, hash: digest, prev_hash: null, ...block }
  const report: ChainReport = verifyChain([event], ring, { anchor: null })
  const findings: ChainFinding[] = report.errors
  const codes: string[] = findings.map((f) => `${f.index}:${f.code}:${f.message}`)
  const controller = new AbortController()
  const asyncReport: ChainReport = await verifyChainAsync(JSON.stringify([event]), Buffer.from(JSON.stringify(ring)), {
    signal: controller.signal,
  })
  const manifest: ManifestReport = verifyManifest({ digest, signatures: [block] }, ring, 1)
  const signers: ManifestSigner[] = manifest.signers
  const archiveReport: ArchiveReport = verifyArchive('{"format":"signcore-archive/1"}', ring, { threshold: 2, anchor: null })
  const archiveBlock: ArchiveBlock = (await verifyArchiveAsync(new Uint8Array(0), ring, { signal: AbortSignal.timeout(1000) })).archive
  const archiveFindings: ArchiveFinding[] = archiveReport.errors
  const archiveIndex: number | null = archiveFindings[0]?.index ?? null
  console.log(archiveBlock.range?.head, archiveBlock.manifest?.met, archiveIndex, archiveReport.head)
  const valid: boolean = verifySignature({ alg: 'ed25519', publicKey: pk ?? '' }, new Uint8Array(32), later)
  const validHmac: boolean = verifySignature({ alg: 'hmac-sha256', secret: 'secret' }, Buffer.from(digest, 'hex'), raw)

  try {
    canonicalizeJson('{"a":1,"a":2}')
  } catch (e) {
    const code: ErrorCode = (e as SigncoreError).code
    console.log(code, (e as SigncoreError).status)
  }
  console.log(fromEnvBlock, ok, meta, json, signedEvent, disposed, firstId, codes, asyncReport.checked, signers, valid, validHmac, warnings, fromDefault)
}

void main
