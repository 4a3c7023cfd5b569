/** stour §4: supervision from outside — the six-member rule for external groups, and who keeps a session. */
import { describe, expect, it } from 'vitest';
import { EXTERNAL_GROUP_MAX, externalGroupProblem, keptBySupervisee } from '../../../src/domain/external.js';
import { contractProblems } from '../../../src/domain/imports/contracts.js';

const members = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);

describe('an external group has at most six members', () => {
  it('six are allowed; seven are refused in words, at level 3 or from another trust school (level 2)', () => {
    expect(EXTERNAL_GROUP_MAX).toBe(6);
    expect(externalGroupProblem({ kind: 'group', external: true, level: 3, superviseeIds: members(6) })).toBeUndefined();
    expect(externalGroupProblem({ kind: 'group', external: true, level: 3, superviseeIds: members(7) })).toBe('names 7 people: a group supervised from outside has at most 6 (stour §4)');
    expect(externalGroupProblem({ kind: 'group', external: false, level: 2, superviseeIds: members(7) })).toContain('at most 6');
  });

  it('an internal group, or a one-to-one contract, is not held to it', () => {
    expect(externalGroupProblem({ kind: 'group', external: false, level: 1, superviseeIds: members(12) })).toBeUndefined();
    expect(externalGroupProblem({ kind: 'one-to-one', external: true, level: 3, superviseeIds: members(1) })).toBeUndefined();
  });

  it('is the rule the contract form and the import share, naming the supervisees field', () => {
    const draft = { kind: 'group' as const, supervisorIds: ['ext'], superviseeIds: members(7), external: true, durationMinutes: 60, level: 3 as const, startDate: '2025-09-01', reviewDueDate: '2026-09-01' };
    expect(contractProblems(draft)).toContainEqual(['superviseeIds', 'names 7 people: a group supervised from outside has at most 6 (stour §4)']);
    expect(contractProblems({ ...draft, superviseeIds: members(6) })).toEqual([]);
  });
});

describe('a contract kept by its supervisee', () => {
  const ext = { external: true, level: 3 as const, supervisorIds: ['eve'] };
  it('is supervised from outside by someone in neither Slack nor Teams', () => {
    expect(keptBySupervisee(ext, [{ id: 'eve', identities: {} }])).toBe(true);
    expect(keptBySupervisee({ ...ext, external: false, level: 2 }, [{ id: 'eve', identities: {} }])).toBe(true);
  });
  it('is not when the supervisor is in the school’s chat, or the supervision is internal', () => {
    expect(keptBySupervisee(ext, [{ id: 'eve', identities: { slackUserId: 'UEVE' } }])).toBe(false);
    expect(keptBySupervisee(ext, [{ id: 'eve', identities: { teamsAadObjectId: 'aad-eve' } }])).toBe(false);
    expect(keptBySupervisee({ ...ext, external: false, level: 1 }, [{ id: 'eve', identities: {} }])).toBe(false);
    expect(keptBySupervisee(ext, [])).toBe(false);
  });
});
