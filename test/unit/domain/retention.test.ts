/** The retention rules (IRMS toolkit; UK GDPR Art. 5(1)(e)): when the relationship ends, which rule, when due. */
import { describe, expect, it } from 'vitest';
import { addYears, relationshipEnd, ruleFor } from '../../../src/domain/retention.js';
import type { Person, RecordSheet } from '../../../src/domain/types.js';

const day = (d: Date) => d.toISOString().slice(0, 10);
const people = (entries: Array<[string, Partial<Person>]>) => new Map(entries.map(([id, p]) => [id, p]));

describe('addYears', () => {
  it('adds whole years; 29 February falls on 28 February in a year without one', () => {
    expect(addYears('2025-12-19', 6)).toBe('2031-12-19');
    expect(addYears('2024-02-29', 6)).toBe('2030-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2000-02-29', 100)).toBe('2100-02-28');
  });
});

describe('relationshipEnd', () => {
  it('is the day an ended contract ended', () => {
    expect(relationshipEnd({ active: false, endedOn: '2026-03-31', superviseeIds: ['amy'] }, people([]), day)).toBe('2026-03-31');
  });
  it('for a contract still marked active, the day the last of its supervisees left; undefined while any stays', () => {
    const contract = { active: true, superviseeIds: ['amy', 'ben'] };
    const amyLeft = ['amy', { active: false, leftAt: new Date('2026-07-20T12:00:00Z') }] as [string, Partial<Person>];
    expect(relationshipEnd(contract, people([amyLeft, ['ben', { active: true }]]), day)).toBeUndefined();
    expect(relationshipEnd(contract, people([amyLeft, ['ben', { active: false, leftAt: new Date('2026-08-31T12:00:00Z') }]]), day)).toBe('2026-08-31');
    expect(relationshipEnd({ active: true, superviseeIds: [] }, people([]), day)).toBeUndefined();
  });
});

describe('ruleFor', () => {
  const record = (extra: Partial<RecordSheet> = {}) => ({ id: 'r1', caseDecisions: [], concerns: [], ...extra }) as unknown as RecordSheet;
  it('an ordinary record: the supervision rule', () => {
    expect(ruleFor([record()], [], [])).toBe('supervision');
    expect(ruleFor([record({ concerns: [{ id: 'c1', text: 'x', riskOfHarm: false }] })], [{ riskOfHarm: false }], [])).toBe('supervision');
  });
  it('a case decision, a concern of risk of harm, a risk on the session agenda or an escalation from the record: the longer rule', () => {
    expect(ruleFor([record(), record({ caseDecisions: [{} as never] })], [], [])).toBe('risk-or-decision');
    expect(ruleFor([record({ concerns: [{ id: 'c1', text: 'x', riskOfHarm: true }] })], [], [])).toBe('risk-or-decision');
    expect(ruleFor([record({ concerns: [{ id: 'c1', text: 'x', riskOfHarm: false, escalationId: 'e1' }] })], [], [])).toBe('risk-or-decision');
    expect(ruleFor([record()], [{ riskOfHarm: true }], [])).toBe('risk-or-decision');
    expect(ruleFor([record()], [], [{ source: { kind: 'record-concern', id: 'c1', recordId: 'r1' } }])).toBe('risk-or-decision');
    expect(ruleFor([record()], [], [{ source: { kind: 'record-concern', id: 'c1', recordId: 'r2' } }])).toBe('supervision');
  });
});
