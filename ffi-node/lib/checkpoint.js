'use strict'
// Checkpoints and Merkle proofs (DESIGN.md §12), exported by index.js.
//
// RFC 6962 / RFC 9162 Merkle trees over events' `hash` values, C2SP
// tlog-checkpoint notes signed as C2SP signed notes with Ed25519 keys. All
// rules live in the Rust core; this file checks argument types only.
// Hashes are lowercase hex (either case accepted); sizes and indexes are
// non-negative safe integers.

const native = require('../binding.js')

function typeError(name, expected, value) {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `type ${typeof value}`
  const error = new TypeError(`The "${name}" argument must be ${expected}. Received ${got}`)
  error.code = 'ERR_INVALID_ARG_TYPE'
  return error
}

function hexArg(name, value) {
  if (typeof value !== 'string') throw typeError(name, 'a hex string', value)
  return value
}

function hashesArg(name, value) {
  if (!Array.isArray(value)) throw typeError(name, 'an array of hex strings (or of events with a hash)', value)
  return value.map((v, i) => {
    if (v !== null && typeof v === 'object' && typeof v.hash === 'string') return v.hash
    return hexArg(`${name}[${i}]`, v)
  })
}

function intArg(name, value, optional = false) {
  if (optional && (value === undefined || value === null)) return null
  if (!Number.isSafeInteger(value) || value < 0) throw typeError(name, 'a non-negative safe integer', value)
  return value
}

function stringArg(name, value) {
  if (typeof value !== 'string') throw typeError(name, 'a string', value)
  return value
}

/** The Merkle root (hex) over events, given as their hashes or as events. */
function merkleRoot(events) {
  return native.merkleRoot(hashesArg('events', events))
}

/** Inclusion proof of event `index` in the tree of the first `size` events (default all). */
function inclusionProof(events, index, size) {
  return native.inclusionProof(hashesArg('events', events), intArg('index', index), intArg('size', size, true))
}

/** Consistency proof from the first `oldSize` events to the first `newSize` (default all). */
function consistencyProof(events, oldSize, newSize) {
  return native.consistencyProof(hashesArg('events', events), intArg('oldSize', oldSize), intArg('newSize', newSize, true))
}

/** { ok, code, message }: does `proof` put the event with `eventHash` at `index` of the tree `{ size, root }`? */
function verifyInclusion(eventHash, index, tree, proof) {
  if (tree === null || typeof tree !== 'object') throw typeError('tree', 'an object { size, root }', tree)
  return native.verifyInclusion(
    hexArg('eventHash', typeof eventHash === 'object' && eventHash !== null ? eventHash.hash : eventHash),
    intArg('index', index),
    intArg('tree.size', tree.size),
    hashesArg('proof', proof),
    hexArg('tree.root', tree.root),
  )
}

/** { ok, code, message }: is the tree `oldTree` ({ size, root }) a prefix of `newTree`? */
function verifyConsistency(oldTree, newTree, proof) {
  for (const [name, t] of [['oldTree', oldTree], ['newTree', newTree]]) {
    if (t === null || typeof t !== 'object') throw typeError(name, 'an object { size, root }', t)
  }
  return native.verifyConsistency(
    intArg('oldTree.size', oldTree.size),
    intArg('newTree.size', newTree.size),
    hexArg('oldTree.root', oldTree.root),
    hexArg('newTree.root', newTree.root),
    hashesArg('proof', proof),
  )
}

function seedArg(name, value) {
  if (value instanceof Uint8Array) return value
  if (typeof value === 'string' && /^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex')
  throw typeError(name, 'a 32-byte Uint8Array or 64 hex chars', value)
}

/**
 * Signs the checkpoint `{ origin, size, root, extensions? }` with one or
 * more Ed25519 note keys `{ name?, seed }` (name defaults to the origin);
 * returns the signed note text.
 */
function signCheckpoint(checkpoint, keys) {
  if (checkpoint === null || typeof checkpoint !== 'object') {
    throw typeError('checkpoint', 'an object { origin, size, root }', checkpoint)
  }
  const list = Array.isArray(keys) ? keys : [keys]
  const origin = stringArg('checkpoint.origin', checkpoint.origin)
  const names = []
  const seeds = []
  list.forEach((k, i) => {
    if (k === null || typeof k !== 'object') throw typeError(`keys[${i}]`, 'an object { name?, seed }', k)
    names.push(k.name === undefined ? origin : stringArg(`keys[${i}].name`, k.name))
    seeds.push(seedArg(`keys[${i}].seed`, k.seed))
  })
  const extensions = checkpoint.extensions === undefined ? null : stringArg('checkpoint.extensions', checkpoint.extensions)
  return native.signCheckpoint(origin, intArg('checkpoint.size', checkpoint.size), hexArg('checkpoint.root', checkpoint.root), extensions, names, seeds)
}

/** The note verifier key `<name>+<hex id>+<base64>` of an Ed25519 public key (hex or 32 bytes). */
function noteVerifierKey(name, publicKey) {
  if (typeof publicKey !== 'string' && !(publicKey instanceof Uint8Array)) {
    throw typeError('publicKey', 'a hex string or a Uint8Array', publicKey)
  }
  return native.noteVerifierKey(stringArg('name', name), publicKey)
}

/**
 * Opens a signed checkpoint note with the verifier's own trusted keys:
 * `{ origin, keys: [verifier key strings], threshold? (default 1) }`.
 * Returns `{ ok, code, message, origin, size, root, extensions, signedBy, unknown }`;
 * throws for an unusable verifier key or threshold.
 */
function verifyCheckpoint(note, options) {
  if (typeof note !== 'string' && !(note instanceof Uint8Array)) throw typeError('note', 'a string or a Uint8Array', note)
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object { origin, keys, threshold? }', options)
  const keys = options.keys
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) {
    throw typeError('options.keys', 'an array of verifier key strings', keys)
  }
  const threshold = options.threshold === undefined ? 1 : intArg('options.threshold', options.threshold)
  if (threshold > 0xffffffff) throw typeError('options.threshold', 'at most 2^32 - 1', threshold)
  return native.verifyCheckpoint(note, stringArg('options.origin', options.origin), keys, threshold)
}

module.exports = {
  merkleRoot,
  inclusionProof,
  consistencyProof,
  verifyInclusion,
  verifyConsistency,
  signCheckpoint,
  verifyCheckpoint,
  noteVerifierKey,
}
