'use strict'
// The AWS KMS backend (DESIGN.md §11, §6 rule 1), with @aws-sdk/client-kms.
//
//   hmac-sha256  GenerateMac / VerifyMac, HMAC_SHA_256, message = the 32 digest bytes
//   rsa-sha256   Sign, MessageType=DIGEST, RSASSA_PKCS1_V1_5_SHA_256, message = the digest
//   ed25519      Sign, MessageType=RAW, ED25519_SHA_512, message = the 32 digest bytes
//
// At start DescribeKey (exists, enabled, key usage and spec fit the
// algorithm) and, for asymmetric keys, GetPublicKey. Every asymmetric answer
// is verified locally with the core before it is returned: a wrong answer
// from KMS is an error, never a stored signature. Only transport lives here;
// key parsing, key hashes and signature checks are the core's (index.js
// passes them in as `core`).

const DEFAULT_TIMEOUT_MS = 10_000
const DEFAULT_MAX_ATTEMPTS = 4

/** What each signcore algorithm needs of a KMS key. */
const PROFILES = {
  'hmac-sha256': {
    keyUsage: 'GENERATE_VERIFY_MAC',
    keySpecs: ['HMAC_256'],
    algorithm: 'HMAC_SHA_256',
    algorithmsField: 'MacAlgorithms',
    signatureLength: () => 32,
  },
  'rsa-sha256': {
    keyUsage: 'SIGN_VERIFY',
    keySpecs: ['RSA_2048', 'RSA_3072', 'RSA_4096'],
    algorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
    algorithmsField: 'SigningAlgorithms',
    messageType: 'DIGEST',
    signatureLength: (spec) => Number(spec.slice(4)) / 8,
  },
  ed25519: {
    keyUsage: 'SIGN_VERIFY',
    keySpecs: ['ECC_NIST_EDWARDS25519'],
    algorithm: 'ED25519_SHA_512',
    algorithmsField: 'SigningAlgorithms',
    messageType: 'RAW',
    signatureLength: () => 64,
  },
}

/** The signcore algorithm a KMS key spec serves (when AUDIT_SIGNING_ALG is not set). */
function algOfSpec(keySpec) {
  for (const [alg, profile] of Object.entries(PROFILES)) {
    if (profile.keySpecs.includes(keySpec)) return alg
  }
  return null
}

// Ed25519 SubjectPublicKeyInfo (RFC 8410): this 12-byte header, then the key.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

function kmsFailure(code, message, extra) {
  const error = new Error(message)
  error.code = code
  return Object.assign(error, extra)
}

// AWS access key ids look like this; an error text that echoes one (some
// IAM denials do) is scrubbed. Secret keys and session tokens are never in
// the SDK's error texts, and nothing here adds them.
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b/g
const MAX_AWS_MESSAGE = 300

function awsMessage(error) {
  let text = typeof error?.message === 'string' ? error.message : ''
  text = text.replace(ACCESS_KEY_ID, '<access key id>')
  return text.length > MAX_AWS_MESSAGE ? `${text.slice(0, MAX_AWS_MESSAGE)}…` : text
}

/** A copy of `bytes` as a Buffer. */
function copy(bytes) {
  return Buffer.from(bytes)
}

class KmsBackend {
  #client
  #ownsClient
  #keyId
  #requestedAlg
  #kidOverride
  #timeoutMs
  #core
  #disposed = false
  #starting = null
  #info = null

  /**
   * @param {object} options
   * @param {string} options.keyId key id, ARN, alias name or alias ARN
   * @param {string | null} options.alg canonical signcore algorithm, or null (taken from the key spec)
   * @param {string | null} [options.kid] the kid of the signature blocks (default: the KMS KeyId)
   * @param {string | null} [options.region]
   * @param {string | null} [options.endpoint]
   * @param {object} [options.client] a KMSClient to use as is
   * @param {object} [options.credentials] credentials or a provider (default: the SDK's chain)
   * @param {number} options.timeoutMs deadline of one call, retries included
   * @param {number} options.maxAttempts attempts per call (the SDK's standard retry: throttling and transient errors, with backoff)
   * @param {object} core the core's functions: verifySignature, keyInfo
   */
  constructor(options, core) {
    const { keyId, alg, kid, region, endpoint, client, credentials, timeoutMs, maxAttempts } = options
    this.#keyId = keyId
    this.#requestedAlg = alg
    this.#kidOverride = kid ?? null
    this.#timeoutMs = timeoutMs
    this.#core = core
    if (client) {
      this.#client = client
      this.#ownsClient = false
    } else {
      const { KMSClient } = require('@aws-sdk/client-kms')
      const config = {
        maxAttempts,
        retryMode: 'standard',
        // Socket-level limits; the per-call deadline (AbortSignal) covers retries.
        requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
      }
      if (region) config.region = region
      if (endpoint) config.endpoint = endpoint
      if (credentials) config.credentials = credentials
      this.#client = new KMSClient(config)
      this.#ownsClient = true
    }
  }

  /** The configured key id (what the caller named; never secret). */
  get keyId() {
    return this.#keyId
  }

  /** For messages and inspection. */
  get url() {
    return `kms:${this.#keyId}`
  }

  get disposed() {
    return this.#disposed
  }

  /** Facts known after start (null before): kid, alg, keyHash, publicKey, label. */
  get meta() {
    const info = this.#info
    if (!info) return { kid: this.#kidOverride, alg: this.#requestedAlg, keyHash: null, publicKey: null, label: null }
    return { kid: info.kid, alg: info.alg, keyHash: info.keyHash, publicKey: info.publicKey, label: null }
  }

  /** True once the start checks have passed. */
  get started() {
    return this.#info !== null
  }

  /** KMS facts about the key after start: `{ arn, keyId, keySpec }`, else null. */
  get key() {
    const info = this.#info
    return info && { arn: info.arn, keyId: info.awsKeyId, keySpec: info.keySpec }
  }

  /**
   * Runs the start checks once; a KMS call error (network, throttling,
   * credentials) lets a later call try again, an unsuitable key does not.
   */
  start() {
    if (this.#disposed) return Promise.reject(kmsFailure('SIGNER_DISPOSED', 'this signer has been disposed'))
    if (this.#info) return Promise.resolve()
    if (!this.#starting) {
      const run = this.#check()
      this.#starting = run
      run.catch((error) => {
        if (error.code === 'KMS_ERROR' && this.#starting === run) this.#starting = null
      })
    }
    return this.#starting
  }

  async #check() {
    const { DescribeKeyCommand, GetPublicKeyCommand } = require('@aws-sdk/client-kms')
    const name = this.#keyId
    const { KeyMetadata: meta } = await this.#send('DescribeKey', DescribeKeyCommand, { KeyId: name })
    const unsuitable = (why) =>
      kmsFailure('KMS_KEY_UNSUITABLE', `AWS KMS key ${JSON.stringify(name)} cannot sign audit events: ${why}`, {
        keyId: name,
      })
    if (!meta || typeof meta !== 'object') throw unsuitable('DescribeKey answered no KeyMetadata')
    const keySpec = meta.KeySpec ?? meta.CustomerMasterKeySpec
    if (meta.KeyState !== 'Enabled' || meta.Enabled === false) {
      throw unsuitable(`it is not enabled (KeyState ${meta.KeyState ?? 'unknown'}); enable it or configure another key`)
    }
    const alg = this.#requestedAlg ?? algOfSpec(keySpec)
    if (alg === null) {
      throw unsuitable(
        `its key spec ${keySpec} serves none of hmac-sha256 (HMAC_256), rsa-sha256 (RSA_2048..RSA_4096), ed25519 (ECC_NIST_EDWARDS25519)`,
      )
    }
    const profile = PROFILES[alg]
    if (!profile) throw unsuitable(`AUDIT_SIGNING_ALG ${alg} has no KMS profile`)
    if (meta.KeyUsage !== profile.keyUsage) {
      throw unsuitable(`its key usage is ${meta.KeyUsage}, but ${alg} needs ${profile.keyUsage}`)
    }
    if (!profile.keySpecs.includes(keySpec)) {
      throw unsuitable(`its key spec is ${keySpec}, but AUDIT_SIGNING_ALG=${alg} needs ${profile.keySpecs.join(' or ')}`)
    }
    const offered = meta[profile.algorithmsField]
    if (Array.isArray(offered) && !offered.includes(profile.algorithm)) {
      throw unsuitable(`it does not offer ${profile.algorithm} (${profile.algorithmsField}: ${offered.join(', ') || 'none'})`)
    }
    const awsKeyId = String(meta.KeyId)
    const info = {
      alg,
      profile,
      keySpec,
      arn: String(meta.Arn ?? ''),
      awsKeyId,
      kid: this.#kidOverride ?? awsKeyId,
      signatureLength: profile.signatureLength(keySpec),
      keyHash: null,
      publicKey: null,
      spki: null,
      verifyKey: null,
    }
    if (alg !== 'hmac-sha256') {
      const answer = await this.#send('GetPublicKey', GetPublicKeyCommand, { KeyId: info.arn || name })
      if (!(answer.PublicKey instanceof Uint8Array)) throw unsuitable('GetPublicKey answered no public key')
      if (answer.KeySpec !== undefined && answer.KeySpec !== keySpec) {
        throw unsuitable(`GetPublicKey answered key spec ${answer.KeySpec}, DescribeKey ${keySpec}`)
      }
      const spki = copy(answer.PublicKey)
      let publicKey = spki
      if (alg === 'ed25519') {
        if (spki.length !== ED25519_SPKI_PREFIX.length + 32 || !spki.subarray(0, 12).equals(ED25519_SPKI_PREFIX)) {
          throw unsuitable('GetPublicKey answered something other than an Ed25519 SubjectPublicKeyInfo')
        }
        publicKey = spki.subarray(12)
      }
      let keyInfo
      try {
        keyInfo = this.#core.keyInfo(alg, publicKey)
      } catch (error) {
        throw unsuitable(`its public key is not usable (${error.code}: ${error.message})`)
      }
      info.spki = spki
      info.publicKey = copy(publicKey)
      info.verifyKey = { alg, publicKey: info.publicKey }
      info.keyHash = keyInfo.keyHash
    }
    this.#info = info
  }

  async #send(operation, Command, input) {
    if (this.#disposed) throw kmsFailure('SIGNER_DISPOSED', 'this signer has been disposed')
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs)
    try {
      return await this.#client.send(new Command(input), { abortSignal: controller.signal })
    } catch (error) {
      if (controller.signal.aborted) {
        throw kmsFailure(
          'KMS_ERROR',
          `AWS KMS ${operation} for key ${JSON.stringify(this.#keyId)} did not answer within ${this.#timeoutMs} ms`,
          { operation, awsErrorName: 'TimeoutError', requestId: null, httpStatus: null },
        )
      }
      const awsErrorName = typeof error?.name === 'string' ? error.name : 'Error'
      const requestId = error?.$metadata?.requestId ?? null
      const httpStatus = error?.$metadata?.httpStatusCode ?? null
      const text = awsMessage(error)
      throw kmsFailure(
        'KMS_ERROR',
        `AWS KMS ${operation} for key ${JSON.stringify(this.#keyId)} failed: ${awsErrorName}` +
          `${text ? `: ${text}` : ''}${requestId ? ` (request id ${requestId})` : ''}`,
        { operation, awsErrorName, requestId, httpStatus },
      )
    } finally {
      clearTimeout(timer)
    }
  }

  /** Signs a normalized (lowercase hex) digest; resolves `{ kid, alg, signature }`. */
  async signHash(digestHex) {
    await this.start()
    const info = this.#info
    const digest = Buffer.from(digestHex, 'hex')
    const wrong = (why) =>
      kmsFailure('KMS_ERROR', `audit signing failed: AWS KMS key ${JSON.stringify(this.#keyId)} answered ${why}`, {
        operation: info.alg === 'hmac-sha256' ? 'GenerateMac' : 'Sign',
        awsErrorName: null,
        requestId: null,
        httpStatus: null,
      })
    let signature
    if (info.alg === 'hmac-sha256') {
      const { GenerateMacCommand } = require('@aws-sdk/client-kms')
      const answer = await this.#send('GenerateMac', GenerateMacCommand, {
        KeyId: info.arn || this.#keyId,
        MacAlgorithm: info.profile.algorithm,
        Message: digest,
      })
      signature = answer.Mac
      if (!(signature instanceof Uint8Array)) throw wrong('no Mac')
    } else {
      const { SignCommand } = require('@aws-sdk/client-kms')
      const answer = await this.#send('Sign', SignCommand, {
        KeyId: info.arn || this.#keyId,
        Message: digest,
        MessageType: info.profile.messageType,
        SigningAlgorithm: info.profile.algorithm,
      })
      signature = answer.Signature
      if (!(signature instanceof Uint8Array)) throw wrong('no Signature')
      if (answer.KeyId && info.arn && answer.KeyId !== info.arn) throw wrong(`for another key (${answer.KeyId})`)
      if (answer.SigningAlgorithm && answer.SigningAlgorithm !== info.profile.algorithm) {
        throw wrong(`with another algorithm (${answer.SigningAlgorithm})`)
      }
    }
    if (signature.length !== info.signatureLength) {
      throw wrong(`a ${signature.length}-byte signature (${info.alg} with ${info.keySpec} has ${info.signatureLength})`)
    }
    if (info.verifyKey && !this.#core.verifySignature(info.verifyKey, digest, signature)) {
      throw wrong('a signature that does not verify with its public key (nothing was returned)')
    }
    return { kid: info.kid, alg: info.alg, signature: Buffer.from(signature).toString('hex') }
  }

  /**
   * Whether `signatureHex` is valid over the digest: locally with the public
   * key for asymmetric keys, by VerifyMac for HMAC (the secret stays in KMS).
   */
  async verifyHash(digestHex, signatureHex) {
    await this.start()
    const info = this.#info
    const digest = Buffer.from(digestHex, 'hex')
    const signature = Buffer.from(signatureHex, 'hex')
    if (info.verifyKey) return this.#core.verifySignature(info.verifyKey, digest, signature)
    if (signature.length !== info.signatureLength) return false
    const { VerifyMacCommand } = require('@aws-sdk/client-kms')
    try {
      const answer = await this.#send('VerifyMac', VerifyMacCommand, {
        KeyId: info.arn || this.#keyId,
        MacAlgorithm: info.profile.algorithm,
        Message: digest,
        Mac: signature,
      })
      return answer.MacValid === true
    } catch (error) {
      // KMS answers an invalid MAC with KMSInvalidMacException: a verdict, not a failure.
      if (error.awsErrorName === 'KMSInvalidMacException') return false
      throw error
    }
  }

  /** The ring entry of an asymmetric key (DESIGN.md §2, §4); throws for HMAC. */
  ringEntry() {
    const info = this.#info
    if (!info) {
      throw kmsFailure('KMS_NOT_STARTED', `AWS KMS key ${JSON.stringify(this.#keyId)}: await signer.ready() before ringEntry()`)
    }
    if (!info.verifyKey) {
      throw kmsFailure(
        'NO_PUBLIC_KEY',
        `AWS KMS key ${JSON.stringify(this.#keyId)} is an HMAC key: it has no public ring entry; chains verify through VerifyMac (verifyChainAsync with options.remote)`,
      )
    }
    const hex = info.alg === 'rsa-sha256' ? info.spki.toString('hex') : info.publicKey.toString('hex')
    return { kid: info.kid, alg: info.alg, public_key: hex }
  }

  dispose() {
    if (this.#disposed) return
    this.#disposed = true
    if (this.#ownsClient) this.#client.destroy()
  }
}

module.exports = { KmsBackend, PROFILES, algOfSpec, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_ATTEMPTS }
