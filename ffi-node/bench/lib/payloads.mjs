// Payloads for the canonicalization benchmark: a ~300-byte audit payload
// (as the TypeScript audit service stores them) and a ~100 KB document.

/** ~300 bytes of canonical JSON: strings, integers, a float, a nested object, an array, an escape. */
export function smallPayload() {
  return {
    event: 'user.permission.update',
    actor: { id: 'usr_8f14e45fceea167a', role: 'admin', ip: '203.0.113.42' },
    target: { type: 'project', id: 'prj_45c48cce2e2d7fbd' },
    changes: [{ field: 'role', from: 'viewer', to: 'editor' }],
    reason: 'quarterly access review — approved by "sec-team"\n',
    amount: 1234.5,
    ratio: 0.1,
    seq: 981273,
    ok: true,
    ts: 1700000123456,
  }
}

/** ~100 KB: 310 records with mixed members (unsorted keys, unicode, floats, nesting). */
export function largePayload() {
  return documentPayload(310)
}

/** ~10 KB: the same records, 31 of them. */
export function mediumPayload() {
  return documentPayload(31)
}

function documentPayload(count) {
  const records = []
  for (let i = 0; i < count; i++) {
    records.push({
      zeta: `record ${i} ünïcödé ✓ 日本語`,
      id: `rec-${i.toString(16).padStart(6, '0')}`,
      alpha: i * 1.000001,
      big: 1e21 + i * 1e6,
      tiny: 1e-7 * (i + 1),
      neg: -i,
      flags: [i % 2 === 0, i % 3 === 0, null],
      nested: { b: 'x'.repeat(i % 17), a: [1, 2.5, -3e-5, 'tab\there'], c: { deep: { deeper: i } } },
      note: 'quote " backslash \\ control \u0001 end',
      emoji: '😀🔐',
    })
  }
  return { kind: 'audit-archive', version: 3, generatedAt: '2024-01-01T00:00:00Z', records }
}
