import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.js';
import { isCaseDecisionCopyOverdue } from '../../../src/domain/overdue.js';
import {
  agreedActionsFrom,
  confirm,
  correctSignedRecord,
  dispute,
  editDraft,
  newDraft,
  referDispute,
  resolveDispute,
  arrangeDisputeMeeting,
  submitForConfirmation,
} from '../../../src/domain/record.js';
import type { RecordSheet } from '../../../src/domain/types.js';

const t0 = new Date('2025-11-18T16:45:00Z');
const later = (h: number) => new Date(t0.getTime() + h * 3_600_000);

function draft(): RecordSheet {
  return newDraft(
    {
      id: 'r1',
      organisationId: 'org-wl',
      contractId: 'c-amy',
      sessionId: 's1',
      date: '2025-11-18',
      supervisorId: 'sup',
      superviseeIds: ['amy'],
      topics: ['performance'],
      notes: 'notes',
      concerns: [],
      caseDecisions: [{ id: 'd1', childRef: 'JB', decision: 'refer', rationale: 'why', followUpById: 'amy', decidedAt: t0 }],
      actions: [{ id: 'a1', text: 'call', ownerId: 'amy', dueDate: '2025-11-25' }],
      previousActionsReviewed: [],
    },
    t0,
  );
}

function signed(): RecordSheet {
  const sent = submitForConfirmation(draft(), 'sup', later(1));
  return confirm(confirm(sent, 'amy', later(2)).record, 'sup', later(3)).record;
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof DomainError ? e.code : 'other';
  }
  return undefined;
}

describe('record sheet', () => {
  it('a record locks once both parties confirm', () => {
    const sent = submitForConfirmation(draft(), 'sup', later(1));
    const one = confirm(sent, 'amy', later(2));
    expect(one.signed).toBe(false);
    const both = confirm(one.record, 'sup', later(3));
    expect(both.signed).toBe(true);
    expect(both.record.state).toBe('signed');
    expect(both.record.signedAt).toEqual(later(3));
  });

  it('a second confirm by the same person is harmless', () => {
    const sent = submitForConfirmation(draft(), 'sup', later(1));
    const once = confirm(sent, 'amy', later(2));
    const twice = confirm(once.record, 'amy', later(2.5));
    expect(twice.alreadyConfirmed).toBe(true);
    expect(twice.record).toBe(once.record);
  });

  it('a signed record cannot be edited, disputed or resubmitted', () => {
    const s = signed();
    expect(code(() => editDraft(s, { ...s }, 'sup', later(4)))).toBe('record-locked');
    expect(code(() => dispute(s, 'amy', 'wrong', 'governor', later(4)))).toBe('record-locked');
    expect(code(() => submitForConfirmation(s, 'sup', later(4)))).toBe('record-locked');
  });

  it('a correction is a new version and the signed one is unchanged', () => {
    const s = signed();
    const copy = structuredClone(s);
    const v2 = correctSignedRecord(s, 'sup', later(5));
    expect(v2.version).toBe(2);
    expect(v2.state).toBe('draft');
    expect(v2.supersedesVersion).toBe(1);
    expect(s).toEqual(copy);
  });

  it('only the parties confirm; only the supervisor writes', () => {
    const sent = submitForConfirmation(draft(), 'sup', later(1));
    expect(code(() => confirm(sent, 'stranger', later(2)))).toBe('forbidden');
    expect(code(() => editDraft(draft(), { ...draft() }, 'amy', later(2)))).toBe('forbidden');
    expect(code(() => submitForConfirmation(draft(), 'amy', later(1)))).toBe('forbidden');
  });

  it('a dispute records who, why and who would hear it; referred, the hearer resolves it and the supervisor amends and resends', () => {
    const sent = submitForConfirmation(draft(), 'sup', later(1));
    const disputed = dispute(sent, 'amy', 'the action owner is wrong', 'governor', later(2));
    expect(disputed.state).toBe('disputed');
    expect(disputed.dispute?.routedToId).toBe('governor');
    expect(code(() => confirm(disputed, 'sup', later(3)))).toBe('invalid-transition');
    // nobody hears it before it is referred, and a party never hears their own
    expect(code(() => resolveDispute(disputed, 'governor', 'agreed owner', later(3)))).toBe('invalid-transition');
    const referred = referDispute(disputed, 'sup', later(3));
    expect(code(() => referDispute(disputed, 'stranger', later(3)))).toBe('forbidden');
    expect(code(() => resolveDispute(referred, 'sup', 'my way', later(4)))).toBe('forbidden');
    expect(code(() => editDraft(referred, { ...referred, notes: 'n2' }, 'sup', later(4)))).toBe('invalid-transition');
    expect(code(() => arrangeDisputeMeeting(referred, 'governor', later(3), later(4)))).toBe('invalid');
    const meeting = arrangeDisputeMeeting(referred, 'governor', later(48), later(4));
    expect(meeting.dispute?.meeting?.at).toEqual(later(48));
    const resolved = resolveDispute(meeting, 'governor', 'agreed owner', later(50));
    expect(resolved).toMatchObject({ state: 'resolved', dispute: { outcome: 'amended', resolvedById: 'governor' } });
    const edited = editDraft(resolved, { ...resolved, notes: 'n2' }, 'sup', later(51));
    expect(submitForConfirmation(edited, 'sup', later(52)).state).toBe('awaiting-confirmation');
  });

  it('a referred change kept as it was is signed with the resolution noted', () => {
    const disputed = dispute(submitForConfirmation(draft(), 'sup', later(1)), 'amy', 'wrong', 'governor', later(2));
    const kept = resolveDispute(referDispute(disputed, 'amy', later(3)), 'governor', 'the record stands', later(4), 'keep');
    expect(kept).toMatchObject({ state: 'signed', signedAt: later(4), dispute: { outcome: 'kept', resolution: 'the record stands' } });
  });

  it('a change asked for and not referred is settled by the supervisor editing and resending', () => {
    const disputed = dispute(submitForConfirmation(draft(), 'sup', later(1)), 'amy', 'wrong', 'governor', later(2));
    const edited = editDraft(disputed, { ...disputed, notes: 'n2' }, 'sup', later(3));
    expect(edited).toMatchObject({ state: 'draft', confirmations: [], dispute: { outcome: 'edited', resolvedById: 'sup' } });
    expect(submitForConfirmation(edited, 'sup', later(4)).state).toBe('awaiting-confirmation');
  });

  it('case decisions carry a 24-hour deadline to reach the child’s file (template "recording")', () => {
    const d = draft().caseDecisions[0]!;
    expect(d.copyDueAt).toEqual(later(24));
    expect(isCaseDecisionCopyOverdue(d, later(23))).toBe(false);
    expect(isCaseDecisionCopyOverdue(d, later(25))).toBe(true);
    expect(isCaseDecisionCopyOverdue({ ...d, copiedToChildFileAt: later(10) }, later(25))).toBe(false);
  });

  it('actions become live when the record is signed', () => {
    const actions = agreedActionsFrom(signed(), later(6));
    expect(actions).toEqual([expect.objectContaining({ id: 'r1.a1', ownerId: 'amy', status: 'open', dueDate: '2025-11-25' })]);
  });
});
