// Compiled by `npm test` (tsc --strict): the issue-8 typings, with
// `@ts-expect-error` on every wrong use (tsc fails if one of them compiles).
import {
  ErrorCode,
  SigncoreError,
  Signer,
  computeAuditDigest,
  initAuditSigning,
  keystorePublicRing,
  signAuditDigest,
  verifyChain,
  type ExportedRingEntry,
  type RingEntry,
} from '../../index'

export async function typings(): Promise<void> {
  // SigncoreError is a class usable with instanceof; its code is an ErrorCode.
  try {
    computeAuditDigest('{}', 'zz')
  } catch (e) {
    if (e instanceof SigncoreError) {
      const code: ErrorCode = e.code
      const same: boolean = code === ErrorCode.INVALID_HEX || code === ErrorCode.ABORT_ERR || code === ErrorCode.ERR_INVALID_ARG_TYPE
      console.log(same, e.message, e.status)
      // @ts-expect-error: not a code
      const wrong: ErrorCode = 'NOT_A_CODE'
      console.log(wrong)
      // @ts-expect-error: code is read-only
      e.code = 'INVALID_JSON'
    }
  }
  // @ts-expect-error: no such member
  console.log(ErrorCode.NOT_A_CODE)
  const made = new SigncoreError('LIMIT_EXCEEDED', 'too deep', { cause: new RangeError('x') })
  // @ts-expect-error: the code must be an ErrorCode
  new SigncoreError('NOPE', 'x')

  // computeAuditDigest's prevHash is optional.
  const genesis: string = computeAuditDigest('{}')
  computeAuditDigest('{}', null)
  // @ts-expect-error: prevHash is hex text
  computeAuditDigest('{}', 5)

  // fromEnv never takes the proxy API key from options.
  Signer.fromEnv(process.env, { timeoutMs: 1000 })
  // @ts-expect-error: the API key is SIGNING_PROXY_API_KEY of env
  Signer.fromEnv(process.env, { apiKey: 'k' })
  Signer.proxy('http://127.0.0.1:8081', { apiKey: 'k' })

  // Rings: public_key as hex or bytes.
  const ed = Signer.ed25519('e', new Uint8Array(32))
  const ring: RingEntry[] = [
    { kid: 'e', alg: 'ed25519', public_key: ed.publicKey ?? new Uint8Array(32) },
    { kid: 'f', alg: 'ed25519', public_key: 'ab'.repeat(32) },
  ]
  // @ts-expect-error: public_key is hex or bytes
  const bad: RingEntry = { kid: 'g', alg: 'ed25519', public_key: 5 }
  const entry: ExportedRingEntry = ed.ringEntry()
  const withSecret: ExportedRingEntry = Signer.hmac('h', 's').ringEntry({ includeSecret: true })
  // @ts-expect-error: includeSecret is a boolean
  ed.ringEntry({ includeSecret: 'yes' })
  const publicRing: ExportedRingEntry[] = keystorePublicRing('./node_keystore.json', { includeHmacSecrets: false })
  // @ts-expect-error: unknown option
  keystorePublicRing('./node_keystore.json', { includeSecrets: true })
  console.log(verifyChain([], [...ring, entry, withSecret, ...publicRing]).ok, bad, made, genesis)

  // Boot-time signer.
  const boot: Signer = initAuditSigning(process.env, { onWarning: () => {} })
  // @ts-expect-error: env values are strings
  initAuditSigning({ REQUIRE_KMS: true })
  await signAuditDigest(genesis)
  console.log(boot.kid)
}
