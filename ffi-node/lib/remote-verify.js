'use strict'
// Chain verification with remote signature checks (DESIGN.md §11): links,
// hashes and every kid of the ring are checked natively in one call; the
// events the native check reports as UNKNOWN_KEY whose kid is one of
// `remote`'s have their signature checked by that signer's async
// `verify(digest, signature)` instead: AWS KMS VerifyMac for KMS HMAC keys
// (the secret never leaves KMS), a signing proxy's POST /verify, or any
// object with that method. Same report shape, same finding codes: a valid
// remote signature removes the UNKNOWN_KEY finding, an invalid one turns it
// into SIGNATURE_INVALID. A remote call that fails rejects the whole check
// (no verdict without an answer).

const DEFAULT_CONCURRENCY = 8
const MAX_CONCURRENCY = 256

function typeError(name, expected) {
  const error = new TypeError(`The "${name}" argument must be ${expected}`)
  error.code = 'ERR_INVALID_ARG_TYPE'
  return error
}

/** Checks `options.remote` / `options.concurrency`; returns a Map kid -> signer. */
function remoteArg(remote, concurrency) {
  if (remote === null || typeof remote !== 'object' || Array.isArray(remote)) {
    throw typeError('options.remote', 'an object { [kid]: signer }')
  }
  const signers = new Map()
  for (const [kid, signer] of Object.entries(remote)) {
    if (signer === null || typeof signer !== 'object' || typeof signer.verify !== 'function') {
      throw typeError(`options.remote[${JSON.stringify(kid)}]`, 'a signer with an async verify(digest, signature)')
    }
    signers.set(kid, signer)
  }
  if (concurrency !== undefined) {
    if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      const error = new RangeError(`The "options.concurrency" argument must be an integer from 1 to ${MAX_CONCURRENCY}. Received ${concurrency}`)
      error.code = 'ERR_OUT_OF_RANGE'
      throw error
    }
  }
  return signers
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/

/**
 * Applies the remote checks to a native report.
 * @param {{ ok: boolean, checked: number, errors: Array<{ index: number, code: string, message: string }> }} report
 * @param {() => unknown[]} readEvents the events as JS objects (parsed only when needed)
 * @param {Map<string, { verify: Function, alg?: string | null, ready?: Function }>} signers
 * @param {{ concurrency?: number, signal?: AbortSignal, canonicalAlg: (name: string) => string }} options
 */
async function applyRemote(report, readEvents, signers, { concurrency = DEFAULT_CONCURRENCY, signal, canonicalAlg }) {
  const candidates = report.errors.filter((finding) => finding.code === 'UNKNOWN_KEY')
  if (candidates.length === 0 || signers.size === 0) return report
  const events = readEvents()
  // Each remote signer's algorithm (a KMS signer knows it after its start checks).
  const algs = new Map()
  for (const [kid, signer] of signers) {
    if (typeof signer.ready === 'function') await signer.ready()
    algs.set(kid, typeof signer.alg === 'string' ? signer.alg : null)
  }
  const jobs = []
  for (const finding of candidates) {
    const event = events[finding.index]
    if (event === null || typeof event !== 'object') continue
    const { kid, alg, hash, signature } = event
    if (typeof kid !== 'string' || !signers.has(kid)) continue
    const expected = algs.get(kid)
    if (expected !== null) {
      let name
      try {
        name = canonicalAlg(String(alg))
      } catch {
        continue
      }
      if (name !== expected) continue
    }
    jobs.push({ finding, signer: signers.get(kid), hash, signature })
  }
  const verdicts = new Map()
  let next = 0
  let failed = false
  const worker = async () => {
    while (next < jobs.length && !failed) {
      signal?.throwIfAborted()
      const job = jobs[next++]
      let valid = false
      if (typeof job.signature === 'string' && HEX.test(job.signature)) {
        try {
          valid = await job.signer.verify(Buffer.from(job.hash, 'hex'), Buffer.from(job.signature, 'hex'))
        } catch (error) {
          failed = true
          throw error
        }
      }
      verdicts.set(job.finding, valid === true)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker))
  signal?.throwIfAborted()
  const errors = []
  for (const finding of report.errors) {
    const verdict = verdicts.get(finding)
    if (verdict === undefined) errors.push(finding)
    else if (!verdict) {
      errors.push({ index: finding.index, code: 'SIGNATURE_INVALID', message: 'signature does not verify (checked remotely by the key\'s signer)' })
    }
  }
  return { ...report, ok: errors.length === 0, errors }
}

module.exports = { remoteArg, applyRemote, DEFAULT_CONCURRENCY }
