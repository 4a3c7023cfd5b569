/** The audit chain's canonical form must stay byte for byte what it has always been, or old chains stop verifying. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditCanonical, canonical } from '../../../src/app/evidence/chain.js';

/** The form the chain was first hashed with (kept here as the reference). */
function reference(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const leaf = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.date({ noInvalidDate: true }));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('a', 'B', 'routedTo', 'routedto', 'a-b', 'a_b', '1', 'Z')), tie('node'), { maxKeys: 6 })),
})).node;

describe('canonical', () => {
  it('is the reference form for any value (keys in collation order, undefined left out, dates as ISO)', () => {
    fc.assert(fc.property(value, (v) => canonical(v) === reference(v)), { numRuns: 2000 });
  });

  it('an entry is hashed as the canonical form of its fields', () => {
    const entry = { organisationId: 'o', seq: 3, at: new Date('2026-01-01T00:00:00Z'), actorId: 'a', action: 'x', subject: { kind: 'record', id: 'r', version: 2 }, detail: { Zeta: 1, alpha: 'b', routedTo: null }, prevHash: '0'.repeat(64), key: undefined };
    const { key: _k, ...rest } = entry;
    expect(auditCanonical(entry)).toBe(reference(rest));
  });
});
