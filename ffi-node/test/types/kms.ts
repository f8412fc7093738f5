// Compiled by `npm test` (tsc --strict): the AWS KMS surface of the typings.
import { Signer, signAuditDigest, verifyChainAsync, type KmsOptions, type RemoteVerifier, type SigncoreError } from '../..'

export async function kmsConsumer(events: string): Promise<boolean> {
  const options: KmsOptions = { keyId: 'alias/audit', alg: 'rsa-sha256', region: 'us-east-1', timeoutMs: 5000, maxAttempts: 3 }
  const signer: Signer = await Signer.kms(options)
  const fromEnv: Signer = await Signer.fromEnv(process.env, { kms: { timeoutMs: 2000 } }).ready()
  const backend: 'local' | 'proxy' | 'kms' = signer.backend
  const alg: 'hmac-sha256' | 'ed25519' | 'rsa-sha256' | null = signer.alg
  const entry: { kid: string; alg: 'ed25519' | 'rsa-sha256'; public_key: string } = signer.ringEntry()
  const block = await signAuditDigest('00'.repeat(32), fromEnv)
  const custom: RemoteVerifier = { verify: async () => true }
  const report = await verifyChainAsync(events, [entry], { remote: { [block.kid]: fromEnv, other: custom }, concurrency: 4 })
  try {
    await Signer.kms({ keyId: 'missing' })
  } catch (e) {
    const error = e as SigncoreError
    if (error.code === 'KMS_ERROR') return error.awsErrorName === 'NotFoundException' && error.requestId !== undefined
    if (error.code === 'KMS_KEY_UNSUITABLE') return typeof error.keyId === 'string'
  }
  return report.ok && backend === 'kms' && alg !== null
}
