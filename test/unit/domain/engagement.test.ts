import { describe, expect, it } from 'vitest';
import {
  firstAskAt,
  followUpsForSession,
  notEngaging,
  unansweredFrom,
} from '../../../src/domain/engagement.js';
import { supervisionFigures } from '../../../src/domain/stats.js';
import type { Session } from '../../../src/domain/types.js';
import { calendar, contract, london, school } from '../../support/school.js';

const org = school();
const cal = calendar(org);
const c = contract({ id: 'c-amy', supervisorIds: ['sup'], superviseeIds: ['amy'], startDate: '2025-09-01' });
const session = (id: string, at: string, status: Session['status'] = 'scheduled'): Session => ({
  id,
  organisationId: org.id,
  contractId: 'c-amy',
  startsAt: london(at),
  durationMinutes: 60,
  status,
});

describe('did it happen? (template "intervals")', () => {
  it('is asked the same afternoon, a quarter of an hour after the session ends, and never before 13:00', () => {
    expect(firstAskAt(session('a', '2025-11-11T15:45'), org, cal)).toEqual(london('2025-11-11T17:00'));
    expect(firstAskAt(session('b', '2025-11-11T09:00'), org, cal)).toEqual(london('2025-11-11T13:00'));
    expect(firstAskAt({ ...session('c', '2025-11-11T12:10'), durationMinutes: 50 }, org, cal)).toEqual(
      london('2025-11-11T13:15'),
    );
  });

  it('is asked again the next school day: a Friday session on Monday, one before half term after it', () => {
    const friday = followUpsForSession(session('f', '2025-11-14T15:45'), c, org, cal);
    expect(friday.map((r) => [r.kind, r.dueAt])).toEqual([
      ['did-it-happen', london('2025-11-14T17:00')],
      ['did-it-happen-again', london('2025-11-17T08:30')],
      ['not-answered', london('2025-11-21T08:30')],
    ]);
    // Leeds 2025/26: the October half term is 27–31 Oct
    const beforeHalfTerm = followUpsForSession(session('h', '2025-10-24T15:45'), c, org, cal);
    expect(beforeHalfTerm[1]?.dueAt).toEqual(london('2025-11-03T08:30'));
    expect(beforeHalfTerm.every((r) => r.recipientIds.join() === 'sup')).toBe(true);
  });

  it('asks nothing about a session that is not booked any more', () => {
    expect(followUpsForSession(session('x', '2025-11-11T15:45', 'cancelled'), c, org, cal)).toEqual([]);
  });
});

describe('not engaging (template line manager (j), supervisor (e))', () => {
  it('two sessions in a row that did not happen: the supervisee, from the second answer', () => {
    const sessions = [
      session('s1', '2025-10-06T15:45', 'held'),
      { ...session('s2', '2025-11-03T15:45', 'missed'), statusChangedAt: london('2025-11-03T17:00') },
      { ...session('s3', '2025-11-05T15:45', 'missed'), statusChangedAt: london('2025-11-05T17:00') },
      session('s4', '2025-11-10T15:45'),
    ];
    expect(notEngaging(c, sessions, org, cal)).toEqual({
      reason: 'missed-in-a-row',
      personIds: ['amy'],
      sessionIds: ['s2', 's3'],
      from: london('2025-11-05T17:00'),
    });
  });

  it('one that did not happen is not yet; a session held since ends it', () => {
    expect(
      notEngaging(
        c,
        [session('s1', '2025-11-03T15:45', 'missed'), session('s2', '2025-11-10T15:45')],
        org,
        cal,
      )?.reason,
    ).toBe('unanswered');
    const heldSince = [
      session('s1', '2025-11-03T15:45', 'missed'),
      session('s2', '2025-11-05T15:45', 'missed'),
      session('s3', '2025-11-10T15:45', 'held'),
    ];
    expect(notEngaging(c, heldSince, org, cal)).toBeUndefined();
  });

  it('a booked session not answered: the supervisor, five school days after it', () => {
    const s = session('s1', '2025-11-11T15:45');
    expect(unansweredFrom(s, org, cal)).toEqual(london('2025-11-18T08:30'));
    expect(notEngaging(c, [s], org, cal)).toEqual({
      reason: 'unanswered',
      personIds: ['sup'],
      sessionIds: ['s1'],
      from: london('2025-11-18T08:30'),
    });
  });
});

describe('the figures count a session that did not happen as due and not held', () => {
  const base = {
    org,
    cal,
    halfTerms: org.termDates.halfTerms,
    records: [],
    actions: [],
    contracts: [c],
    count: 6,
  };

  it('once, in its half term, and once only while the contract is also overdue for it', () => {
    const held = [session('s1', '2025-09-29T15:45', 'held')];
    const notYet = supervisionFigures({
      ...base,
      today: '2025-10-28',
      now: london('2025-10-28T09:00'),
      sessions: held,
    });
    const missed = supervisionFigures({
      ...base,
      today: '2025-10-28',
      now: london('2025-10-28T09:00'),
      sessions: [...held, session('s2', '2025-10-24T15:45', 'missed')],
    });
    expect(missed.totals.notHeld).toBe(notYet.totals.notHeld + 1);
    expect(missed.rates.onTime).toBeCloseTo(
      missed.totals.heldOnTime / (missed.totals.held + missed.totals.notHeld),
      10,
    );
    // past its due day the contract is overdue: the session that did not happen stands for that due day
    const overdue = supervisionFigures({
      ...base,
      today: '2025-11-05',
      now: london('2025-11-05T09:00'),
      sessions: held,
    });
    const overdueMissed = supervisionFigures({
      ...base,
      today: '2025-11-05',
      now: london('2025-11-05T09:00'),
      sessions: [...held, session('s2', '2025-10-24T15:45', 'missed')],
    });
    expect(overdue.totals.notHeld).toBe(1);
    expect(overdueMissed.totals.notHeld).toBe(1);
    expect(overdueMissed.overdueContractIds).toEqual(['c-amy']);
  });
});

describe('a group member absent twice in a row (issue 14 "Groups")', () => {
  const group = contract({ id: 'c-group', kind: 'group', supervisorIds: ['sup'], superviseeIds: ['amy', 'ben', 'cat'] });
  const held = (id: string, at: string, states: Record<string, 'present' | 'apologies' | 'absent'>): Session => ({
    ...session(id, at, 'held'),
    contractId: 'c-group',
    statusChangedAt: london(`${at.slice(0, 10)}T17:00`),
    attendance: Object.entries(states).map(([personId, state]) => ({ personId, state })),
  });

  it('is not engaging from the second session; apologies, or attending either, is not', () => {
    const sessions = [
      held('g1', '2025-11-03T12:30', { amy: 'absent', ben: 'apologies', cat: 'absent' }),
      held('g2', '2025-11-10T12:30', { amy: 'absent', ben: 'absent', cat: 'present' }),
      session('g3', '2025-11-17T12:30'),
    ];
    expect(notEngaging(group, sessions, org, cal)).toEqual({ reason: 'absent-in-a-row', personIds: ['amy'], sessionIds: ['g1', 'g2'], from: london('2025-11-10T17:00') });
  });

  it('ends when the member attends again; one absence alone is nothing', () => {
    const sessions = [
      held('g1', '2025-11-03T12:30', { amy: 'absent', ben: 'present', cat: 'present' }),
      held('g2', '2025-11-10T12:30', { amy: 'absent', ben: 'present', cat: 'present' }),
      held('g3', '2025-11-17T12:30', { amy: 'present', ben: 'present', cat: 'absent' }),
    ];
    expect(notEngaging(group, sessions, org, cal)).toBeUndefined();
    expect(notEngaging(group, sessions.slice(0, 1), org, cal)).toBeUndefined();
  });

  it('sessions that did not happen come first: two missed in a row is the whole group', () => {
    const sessions = [
      held('g1', '2025-11-03T12:30', { amy: 'absent', ben: 'present', cat: 'present' }),
      held('g2', '2025-11-10T12:30', { amy: 'absent', ben: 'present', cat: 'present' }),
      { ...session('g3', '2025-11-17T12:30', 'missed'), contractId: 'c-group' },
      { ...session('g4', '2025-11-24T12:30', 'missed'), contractId: 'c-group' },
    ];
    expect(notEngaging(group, sessions, org, cal)?.reason).toBe('missed-in-a-row');
  });
});
