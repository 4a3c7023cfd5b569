import { describe, expect, it } from 'vitest';
import { parseAgendaReply, parseParkCommand } from '../../../src/domain/agenda.js';
import { DomainError } from '../../../src/domain/errors.js';
import { isActionLate, isReviewDue, recordConfirmationOverdueFrom } from '../../../src/domain/overdue.js';
import {
  canAcknowledgeEscalation,
  canConfirmRecord,
  canDraftRecord,
  canSeeOverdue,
  canViewRecord,
} from '../../../src/domain/permissions.js';
import { disputeRecipient, escalationRecipients } from '../../../src/domain/routing.js';
import { cancelSession, rescheduleSession } from '../../../src/domain/session.js';
import type { Person, RecordSheet, Role, Session } from '../../../src/domain/types.js';
import { calendar, contract, london, person, school } from '../../support/school.js';

const cal = calendar();
const org = school();

describe('sessions are not moved or cancelled without a new time (template "intervals")', () => {
  const s: Session = { id: 's1', organisationId: 'org-wl', contractId: 'c-amy', startsAt: london('2025-11-18T15:45'), durationMinutes: 60, status: 'scheduled' };
  it('cancel without a new time is refused, naming the field', () => {
    try {
      cancelSession(s, { reason: 'ill', replacementId: 's2' }, london('2025-11-10T09:00'), cal);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('new-time-required');
      expect((e as DomainError).field).toBe('newStartsAt');
    }
  });
  it('a new time in a holiday is refused; a school day is accepted', () => {
    expect(() => rescheduleSession(s, { newStartsAt: london('2025-12-23T10:00'), reason: 'x', replacementId: 's2' }, london('2025-11-10T09:00'), cal)).toThrow(/holiday/);
    const change = rescheduleSession(s, { newStartsAt: london('2025-11-20T10:00'), reason: 'x', replacementId: 's2' }, london('2025-11-10T09:00'), cal);
    expect(change.old.status).toBe('cancelled');
    expect(change.old.replacedBy).toBe('s2');
    expect(change.replacement).toMatchObject({ id: 's2', status: 'scheduled', replaces: 's1' });
  });
});

describe('escalation and dispute routing', () => {
  it('risk of harm goes to the DSL and deputies at once (template supervisee (d))', () => {
    expect(escalationRecipients(org, 'amy').sort()).toEqual(['deputy', 'dsl']);
  });
  it('when the concern is about the DSL, it goes to the headteacher instead', () => {
    expect(escalationRecipients(org, 'dsl').sort()).toEqual(['deputy', 'head']);
  });
  it('a dispute goes to the safeguarding governor when the contract says so (white-laith)', () => {
    expect(disputeRecipient(contract({ disputeRoute: 'safeguarding-governor' }), org, [])).toBe('governor');
  });
  it('a dispute goes to the supervisor’s line manager when the contract says so (template "complaints")', () => {
    const people = [person('sup', ['supervisor'], { lineManagerId: 'head' })];
    expect(disputeRecipient(contract({ disputeRoute: 'line-manager' }), org, people)).toBe('head');
  });
  it('falls back to the governor when the line manager is a party', () => {
    const people = [person('sup', ['supervisor'], { lineManagerId: 'amy' })];
    expect(disputeRecipient(contract({ disputeRoute: 'line-manager' }), org, people)).toBe('governor');
  });
});

describe('overdue rules', () => {
  it('a record waiting more than five school days for confirmation is overdue', () => {
    // sent Friday 21 Nov: five school days are 24–28 Nov; overdue from Monday 1 December
    expect(recordConfirmationOverdueFrom(london('2025-11-21T17:00'), cal)).toEqual(london('2025-12-01T00:00'));
  });
  it('an open action past its due day is late; a done one is not', () => {
    expect(isActionLate({ status: 'open', dueDate: '2025-11-20' }, '2025-11-21')).toBe(true);
    expect(isActionLate({ status: 'open', dueDate: '2025-11-21' }, '2025-11-21')).toBe(false);
    expect(isActionLate({ status: 'done', dueDate: '2025-11-01' }, '2025-11-21')).toBe(false);
  });
  it('a contract past its annual review date is due for review', () => {
    expect(isReviewDue({ active: true, reviewDueDate: '2025-11-01' }, '2025-11-21')).toBe(true);
  });
});

describe('agenda replies', () => {
  it('one item per line, bullets dropped', () => {
    expect(parseAgendaReply('- first\n\n2. second\n• third  ')).toEqual(['first', 'second', 'third']);
  });
  it('park takes the rest of the line', () => {
    expect(parseParkCommand('park worried about attendance')).toBe('worried about attendance');
    expect(parseParkCommand('something else')).toBeUndefined();
  });
});

describe('permissions matrix', () => {
  const people: Record<string, Person> = {
    supervisee: person('amy', ['supervisee']),
    otherSupervisee: person('ben', ['supervisee']),
    supervisor: person('sup', ['supervisor']),
    otherSupervisor: person('sup2', ['supervisor']),
    dsl: person('dsl', ['dsl', 'supervisor']),
    deputy: person('deputy', ['deputy-dsl']),
    head: person('head', ['headteacher']),
    governor: person('governor', ['governor']),
    auditor: person('aud', ['auditor']),
    stranger: person('x', [] as Role[]),
    otherOrg: person('dsl', ['dsl'], { organisationId: 'org-other' }),
  };
  const record = (state: RecordSheet['state']) =>
    ({ organisationId: 'org-wl', supervisorId: 'sup', superviseeIds: ['amy'], state }) as RecordSheet;
  const expected: Record<string, { draft: boolean; confirm: boolean; viewDraft: boolean; viewSigned: boolean; overdue: boolean }> = {
    supervisee: { draft: false, confirm: true, viewDraft: true, viewSigned: true, overdue: false },
    otherSupervisee: { draft: false, confirm: false, viewDraft: false, viewSigned: false, overdue: false },
    supervisor: { draft: true, confirm: true, viewDraft: true, viewSigned: true, overdue: false },
    otherSupervisor: { draft: false, confirm: false, viewDraft: false, viewSigned: false, overdue: false },
    dsl: { draft: false, confirm: false, viewDraft: true, viewSigned: true, overdue: true },
    deputy: { draft: false, confirm: false, viewDraft: true, viewSigned: true, overdue: true },
    head: { draft: false, confirm: false, viewDraft: false, viewSigned: false, overdue: true },
    governor: { draft: false, confirm: false, viewDraft: false, viewSigned: false, overdue: false },
    auditor: { draft: false, confirm: false, viewDraft: false, viewSigned: true, overdue: false },
    stranger: { draft: false, confirm: false, viewDraft: false, viewSigned: false, overdue: false },
    otherOrg: { draft: false, confirm: false, viewDraft: false, viewSigned: false, overdue: false },
  };
  for (const [role, want] of Object.entries(expected)) {
    it(`${role}: draft ${want.draft}, confirm ${want.confirm}, view ${want.viewDraft}/${want.viewSigned}, overdue ${want.overdue}`, () => {
      const actor = people[role]!;
      expect(canDraftRecord(actor, contract())).toBe(want.draft);
      expect(canConfirmRecord(actor, record('awaiting-confirmation'))).toBe(want.confirm);
      expect(canViewRecord(actor, record('awaiting-confirmation'), org)).toBe(want.viewDraft);
      expect(canViewRecord(actor, record('signed'), org)).toBe(want.viewSigned);
      expect(canSeeOverdue(actor, org)).toBe(want.overdue);
    });
  }
  it('only the notified leads acknowledge an escalation', () => {
    const e = { organisationId: 'org-wl', notifiedIds: ['dsl', 'deputy'] };
    expect(canAcknowledgeEscalation(people.dsl!, e, org)).toBe(true);
    expect(canAcknowledgeEscalation(people.supervisor!, e, org)).toBe(false);
    expect(canAcknowledgeEscalation(people.otherOrg!, e, org)).toBe(false);
  });
});
