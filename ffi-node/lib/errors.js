'use strict'
// The error class and codes of the `signcore` package (DESIGN.md §4, §7).
//
// Every error the package throws or rejects with is a SigncoreError with a
// stable `code`, except argument errors, which are Node-style TypeError /
// RangeError with Node's ERR_* codes. Errors made by the native layer and
// the signing-proxy backend are plain Errors with a `code`; `adopt` gives
// them the SigncoreError prototype (their message and stack unchanged).

const { constants } = require('node:buffer')

/** An error of the signcore package; `code` is one of `ErrorCode`. */
class SigncoreError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{ cause?: unknown }} [options]
   */
  constructor(code, message, options) {
    super(message, options)
    this.code = code
  }
}
Object.defineProperty(SigncoreError.prototype, 'name', { value: 'SigncoreError', writable: true, configurable: true })

const CODES = [
  // Node argument errors (TypeError / RangeError)
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_OUT_OF_RANGE',
  'ERR_INVALID_URL',
  // an AbortSignal fired (name 'AbortError', cause: the signal's reason)
  'ABORT_ERR',
  // the core's Error::code() (core/src/error.rs)
  'INVALID_JSON',
  'DUPLICATE_MEMBER',
  'LONE_SURROGATE',
  'INVALID_UTF8',
  'NUMBER_OUT_OF_RANGE',
  'LIMIT_EXCEEDED',
  'INVALID_HEX',
  'INVALID_LENGTH',
  'UNKNOWN_ALGORITHM',
  'UNSUPPORTED_ALGORITHM',
  'INVALID_KEY',
  'INVALID_KEYSTORE',
  'INVALID_KEY_RING',
  'KEY_NOT_FOUND',
  'KEYSTORE_UNREADABLE',
  'BUFFER_TOO_SMALL',
  'SIGNATURE_INVALID',
  'INVALID_THRESHOLD',
  'SIGNER_REQUIRED',
  'INVALID_SIGNER_CONFIG',
  'NO_SIGNER',
  'INVALID_BURN_SIGNATURE',
  'INVALID_EVIDENCE',
  // checkpoints, notes and Merkle proofs (core merkle/note/checkpoint)
  'MALFORMED_NOTE',
  'INVALID_VERIFIER_KEY',
  'MALFORMED_CHECKPOINT',
  'ORIGIN_MISMATCH',
  'ROOT_MISMATCH',
  'INVALID_PROOF_LENGTH',
  'INDEX_OUT_OF_RANGE',
  'INVALID_TREE_SIZE',
  'MALFORMED_PROOF',
  // this binding
  'NON_FINITE_NUMBER',
  'INVALID_KEY_ID',
  'SECRET_REQUIRED',
  'SIGNER_DISPOSED',
  'SYNC_UNSUPPORTED',
  'QUEUE_FULL',
  'INTERNAL_ERROR',
  // the signing proxy (lib/proxy.js)
  'PROXY_ERROR',
  'PROXY_TIMEOUT',
  'NO_PUBLIC_KEY',
  // AWS KMS (lib/kms.js)
  'KMS_ERROR',
  'KMS_KEY_UNSUITABLE',
  'KMS_NOT_STARTED',
]

/** Every `code` this package throws, as `ErrorCode.NAME === 'NAME'`. */
const ErrorCode = Object.freeze(Object.fromEntries(CODES.map((code) => [code, code])))

function codedError(code, message, options) {
  return new SigncoreError(code, message, options)
}

/** A plain coded Error from the native layer or the proxy backend, as a SigncoreError. */
function adopt(error) {
  if (error !== null && typeof error === 'object' && Object.getPrototypeOf(error) === Error.prototype && typeof error.code === 'string') {
    Object.setPrototypeOf(error, SigncoreError.prototype)
    // A native error's own `name` property (if any) stays; otherwise the prototype's.
  }
  return error
}

/** Node's AbortError for a fired signal: `code: 'ABORT_ERR'`, `cause: signal.reason`. */
function abortError(signal) {
  const error = new SigncoreError('ABORT_ERR', 'The operation was aborted', { cause: signal.reason })
  error.name = 'AbortError'
  return error
}

function describe(value) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`
  if (typeof value === 'function') return 'a function'
  return `type ${typeof value}`
}

function typeError(name, expected, value) {
  const error = new TypeError(`The "${name}" argument must be ${expected}. Received ${describe(value)}`)
  error.code = 'ERR_INVALID_ARG_TYPE'
  return error
}

/** The longest JS string (V8: 2**29 - 24 UTF-16 units on 64-bit hosts). */
const MAX_STRING_LENGTH = constants.MAX_STRING_LENGTH

/** Payloads nest at most this deep (the core's `json::MAX_DEPTH`). */
const MAX_DEPTH = 64

/**
 * JSON.stringify(value, replacer) with JSON.stringify's own failures as
 * coded errors: too deep (stack overflow) and too long (V8's string limit)
 * are `LIMIT_EXCEEDED`; BigInt and cycles are TypeErrors with ERR_* codes.
 * Errors thrown by the value's own toJSON or getters pass unchanged.
 */
function stringify(name, value, replacer) {
  try {
    return JSON.stringify(value, replacer)
  } catch (error) {
    throw stringifyError(name, error)
  }
}

function stringifyError(name, error) {
  if (!(error instanceof Error) || error.code !== undefined) return error
  const cause = { cause: error }
  if (error instanceof RangeError) {
    if (/invalid string length/i.test(error.message)) {
      return codedError(
        'LIMIT_EXCEEDED',
        `the "${name}" value is too large for JSON.stringify (its JSON would exceed V8's longest string, ` +
          `${MAX_STRING_LENGTH} UTF-16 units); pass large chains as JSON bytes instead: a Buffer or Uint8Array ` +
          `(e.g. from fs.readFile or a database export), which the core reads in place up to 4 GiB`,
        cause,
      )
    }
    if (/call stack/i.test(error.message)) {
      return codedError(
        'LIMIT_EXCEEDED',
        `the "${name}" value is nested too deeply to serialize (JSON.stringify ran out of stack); ` +
          `signcore accepts payloads nested at most ${MAX_DEPTH} levels deep`,
        cause,
      )
    }
  }
  if (error instanceof TypeError) {
    if (/bigint/i.test(error.message)) {
      const e = new TypeError(`The "${name}" argument must be JSON data: it holds a BigInt, which JSON cannot represent (convert it to a string or a number first)`, cause)
      e.code = 'ERR_INVALID_ARG_TYPE'
      return e
    }
    if (/circular/i.test(error.message)) {
      const e = new TypeError(`The "${name}" argument must be JSON data: it holds a cycle (an object that contains itself), which JSON cannot represent`, cause)
      e.code = 'ERR_INVALID_ARG_VALUE'
      return e
    }
  }
  return error
}

module.exports = {
  SigncoreError,
  ErrorCode,
  codedError,
  adopt,
  abortError,
  describe,
  typeError,
  stringify,
  MAX_DEPTH,
  MAX_STRING_LENGTH,
}
