'use strict'
// Signed archives (DESIGN.md §8): verifyArchive and verifyArchiveAsync,
// exported by index.js (which passes its argument helpers in).
//
// One native call into the core's streaming archive verifier: the §4 chain
// check anchored at range.anchor, the manifest digest recomputed over the
// same events, range against the events, and N distinct trusted keys (N is
// the verifier's `threshold`, default 1, never the archive's). The report is
// the verifyChain report plus `head` and the `archive` block, which is the
// core's ArchiveBlock: the same block `signcore verify --json` prints.

const native = require('../binding.js')
const { codedError, abortError, typeError } = require('./errors.js')

function thresholdArg(options) {
  const { threshold = 1 } = options
  if (typeof threshold !== 'number') throw typeError('options.threshold', 'a number', threshold)
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > 0xffffffff) {
    const error = new RangeError(`The "options.threshold" argument must be an integer from 1 to 4294967295. Received ${threshold}`)
    error.code = 'ERR_OUT_OF_RANGE'
    throw error
  }
  // 0 goes to the core, which refuses it with INVALID_THRESHOLD.
  return threshold
}

function report(native) {
  const { archive, ...chain } = native
  return { ...chain, archive: JSON.parse(archive) }
}

function outcome(result) {
  if (typeof result.code === 'string') throw codedError(result.code, result.message)
  return report(result)
}

module.exports = function archiveApi({ jsonArg, ringArg, optionsArg, anchorArg, call, poolTask }) {
  /** The native arguments after the JS checks: [archive, ring, threshold, anchor, genesis]. */
  function args(archive, ring, opts) {
    const threshold = thresholdArg(opts)
    // anchor: a hex string = the expected range.anchor; null = the archive must start at the genesis.
    const genesis = opts.anchor === null
    const anchor = anchorArg(opts)
    return [jsonArg('archive', archive), ringArg('ring', ring), threshold, anchor, genesis]
  }

  /**
   * Verifies a signed archive (JSON text, bytes, or the parsed object):
   * `{ ok, checked, errors: [{ index | null, code, message }], head, archive }`.
   * Options: `threshold` (distinct trusted keys, default 1), `anchor` (hex:
   * the range.anchor expected; null: expected to start at the genesis).
   * Input that is not a signcore-archive/1 throws a coded error.
   */
  function verifyArchive(archive, ring, options) {
    const opts = optionsArg('options', options)
    return report(call(native.verifyArchive, ...args(archive, ring, opts)))
  }

  /**
   * verifyArchive on the binding's own worker pool (that of
   * verifyChainAsync); the input is copied before this returns, so the caller
   * may reuse or detach its buffer at once. `options.signal` rejects early
   * with an AbortError (skipping the check if no thread has started it).
   */
  async function verifyArchiveAsync(archive, ring, options) {
    const opts = optionsArg('options', options)
    const { signal } = opts
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw typeError('options.signal', 'an AbortSignal', signal)
    const input = args(archive, ring, opts)
    if (signal?.aborted) throw abortError(signal)
    return poolTask(call(native.verifyArchiveAsync, ...input), outcome, signal)
  }

  return { verifyArchive, verifyArchiveAsync }
}
