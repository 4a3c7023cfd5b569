import { describe, expect, it } from 'vitest';
import { editDraft, newDraft } from '../../../src/domain/record.js';
import { childRefProblem, oneYearOn, previousActionLabel, recordDateProblems, recordFieldLabel, recordFormProblems, withinRecordWindow } from '../../../src/domain/record-form.js';

describe('the child on a case decision (template "recording")', () => {
  it('takes initials or a school or CPOMS reference', () => {
    for (const ok of ['JS', 'J.S.', 'J S B', 'CPOMS-4471', 'Ref 1234', 'Y5/JS', '#4471', 'MC 20931', 'cpoms 12']) expect(childRefProblem(ok), ok).toBeUndefined();
  });
  it('refuses what reads as a name, saying what to give instead', () => {
    for (const name of ['Jane Smith', 'jane smith', 'Jane', 'Jane Smith 5', 'Smith J']) expect(childRefProblem(name), name).toMatch(/looks like a name.*initials.*reference/);
  });
  it('refuses nothing at all, marks outside a reference, and more than 20 characters, stating the limit', () => {
    expect(childRefProblem('  ')).toMatch(/initials/);
    expect(childRefProblem('J<S>')).toMatch(/letters, numbers/);
    expect(childRefProblem('CPOMS-1234567890123456')).toBe('the child’s reference can be at most 20 characters');
  });
});

describe('dates on the record (white-laith B, stour §5)', () => {
  const schoolDay = (day: string) => !['2026-12-19', '2026-12-20', '2026-12-25'].includes(day);
  it('a year on keeps the date, and 29 February becomes 28 February', () => {
    expect(oneYearOn('2026-12-16')).toBe('2027-12-16');
    expect(oneYearOn('2028-02-29')).toBe('2029-02-28');
  });
  it('lie between the session day and a year after it', () => {
    expect(withinRecordWindow('2026-12-16', '2026-12-16')).toBe(true);
    expect(withinRecordWindow('2027-12-16', '2026-12-16')).toBe(true);
    expect(withinRecordWindow('2027-12-17', '2026-12-16')).toBe(false);
    expect(withinRecordWindow('2026-12-15', '2026-12-16')).toBe(false);
    expect(withinRecordWindow('0001-01-01', '2026-12-16')).toBe(false);
    expect(withinRecordWindow('2026-02-30', '2026-01-16')).toBe(false);
  });
  it('each refusal names the action or the next session in words', () => {
    const problems = recordDateProblems({ sessionDay: '2026-12-16', actions: [{ dueDate: '2026-12-18' }, { dueDate: '0001-01-01' }], nextSessionDay: '9999-12-31' }, schoolDay);
    expect(problems).toEqual([
      { field: 'actions.1.dueDate', message: 'Action 2: the due date must be between the session and a year after it' },
      { field: 'nextSessionAt', message: 'Next session: the date must be between this session and a year after it' },
    ]);
  });
  it('the next session falls on a school day', () => {
    expect(recordDateProblems({ sessionDay: '2026-12-16', actions: [], nextSessionDay: '2026-12-19' }, schoolDay)).toEqual([
      { field: 'nextSessionAt', message: 'Next session: pick a school day — that date is a weekend, a holiday or a bank holiday' },
    ]);
    expect(recordDateProblems({ sessionDay: '2026-12-16', actions: [], nextSessionDay: '2026-12-18' }, schoolDay)).toEqual([]);
  });
});

describe('fields in words', () => {
  it('names each input as the form labels it', () => {
    expect(recordFieldLabel(['caseDecisions', 0, 'decision'])).toBe('Case decision 1, the decision');
    expect(recordFieldLabel(['actions', 1, 'dueDate'])).toBe('Action 2, the due date');
    expect(recordFieldLabel(['concerns', 2, 'text'])).toBe('Concern 3');
    expect(recordFieldLabel(['notes'])).toBe('Discussion');
  });
});

describe('the 24-hour deadline of a case decision (template "recording")', () => {
  const t0 = new Date('2026-12-16T16:45:00Z');
  const later = (h: number) => new Date(t0.getTime() + h * 3_600_000);
  const decision = (at: Date, text = 'Refer to early help') => ({ id: 'd1', childRef: 'JB', decision: text, rationale: 'why', followUpById: 'amy', decidedAt: at });
  const base = {
    id: 'r1', organisationId: 'o', contractId: 'c', sessionId: 's', date: '2026-12-16', supervisorId: 'sup', superviseeIds: ['amy'],
    topics: [], notes: '', concerns: [], actions: [], previousActionsReviewed: [],
  };
  it('runs from the first time the decision was recorded, not from the last save', () => {
    const first = newDraft({ ...base, caseDecisions: [decision(t0)] }, t0);
    const saved = editDraft(first, { ...base, caseDecisions: [decision(later(5), 'Refer to early help today')] }, 'sup', later(5));
    expect(saved.caseDecisions[0]?.decidedAt).toEqual(t0);
    expect(saved.caseDecisions[0]?.copyDueAt).toEqual(later(24));
  });
  it('a different child is a new decision with its own deadline', () => {
    const first = newDraft({ ...base, caseDecisions: [decision(t0)] }, t0);
    const saved = editDraft(first, { ...base, caseDecisions: [{ ...decision(later(5)), childRef: 'KT' }] }, 'sup', later(5));
    expect(saved.caseDecisions[0]?.copyDueAt).toEqual(later(29));
  });
});

describe('an agenda reply is never cut (stour §5, §6)', () => {
  it('more than it holds is refused in words, stating the limit', async () => {
    const { agendaReplyProblem } = await import('../../../src/domain/agenda.js');
    expect(agendaReplyProblem('one\ntwo')).toBeUndefined();
    expect(agendaReplyProblem(Array.from({ length: 21 }, (_, i) => `item ${i}`).join('\n'))).toBe('Agenda: send at most 20 items at a time (this has 21) — send the rest in another message');
    expect(agendaReplyProblem(`short\n${'x'.repeat(501)}`)).toBe('Agenda item 2: an item can be at most 500 characters (this one has 501) — split it over two lines');
  });
});

describe('the whole form (recordFormProblems)', () => {
  const rules = {
    sessionDay: '2026-12-16',
    parties: ['sup', 'amy'],
    followUpIds: ['sup', 'amy', 'dsl'],
    isSchoolDay: (day: string) => !['2026-12-19', '2026-12-20'].includes(day),
    previous: [{ id: 'a1', label: previousActionLabel('4 Nov', 'Call the parent about attendance this week, before Friday') }],
  };
  const none = { caseDecisions: [], actions: [], previousActionsReviewed: [] };
  it('names last session’s action by its day and words when it is dropped without a note', () => {
    expect(recordFormProblems({ ...none, previousActionsReviewed: [{ actionId: 'a1', outcome: 'dropped' }] }, rules)).toEqual([
      { field: 'previousActionsReviewed.0.note', message: 'Action from 4 Nov ‘Call the parent about attendance this…’: a note is needed to drop it' },
    ]);
    expect(recordFormProblems({ ...none, previousActionsReviewed: [{ actionId: 'a1', outcome: 'dropped', note: 'Moved school' }] }, rules)).toEqual([]);
    expect(recordFormProblems({ ...none, previousActionsReviewed: [{ actionId: 'a1', outcome: 'done' }, { actionId: 'a1', outcome: 'done' }] }, rules)[0]?.message).toMatch(/reviewed twice/);
    expect(recordFormProblems({ ...none, previousActionsReviewed: [{ actionId: 'other', outcome: 'done' }] }, rules)[0]?.field).toBe('previousActionsReviewed.0.actionId');
  });
  it('states the row limits, and checks each row in words', () => {
    const eleven = Array.from({ length: 11 }, () => ({ ownerId: 'amy', dueDate: '2026-12-18' }));
    expect(recordFormProblems({ ...none, actions: eleven }, rules)[0]).toEqual({ field: 'actions', message: 'Actions agreed: at most 10 on one record' });
    expect(recordFormProblems({ ...none, actions: [{ ownerId: 'amy', dueDate: '2026-12-18' }, { ownerId: 'ben', dueDate: '2028-01-01' }] }, rules).map((p) => p.message)).toEqual([
      'Action 2: the owner must be one of the people in the session',
      'Action 2: the due date must be between the session and a year after it',
    ]);
    expect(recordFormProblems({ ...none, caseDecisions: [{ childRef: 'JS', followUpById: 'dsl' }, { childRef: 'Jane Smith', followUpById: 'x' }] }, rules).map((p) => p.field)).toEqual(['caseDecisions.1.childRef', 'caseDecisions.1.followUpById']);
  });
});
