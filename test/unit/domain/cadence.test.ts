import { describe, expect, it } from 'vitest';
import { isSessionOverdue, proposeSessionTimes, sessionDueBy, sessionOverdueFrom } from '../../../src/domain/cadence.js';
import { calendar, contract, london, school } from '../../support/school.js';

const cal = calendar();

describe('four-weekly contract (white-laith: every four weeks at minimum)', () => {
  const fourWeekly = contract({ cadence: { kind: 'every-n-weeks', weeks: 4 } });

  it('a session on the Tuesday before half term is next due four weeks later, on Tuesday 18 November', () => {
    expect(sessionDueBy(fourWeekly, '2025-10-21', cal)).toBe('2025-11-18');
  });

  it('becomes overdue at the start of the next school day, Wednesday 19 November', () => {
    const held = london('2025-10-21T15:45');
    expect(sessionOverdueFrom(fourWeekly, held, cal, 0)).toEqual(london('2025-11-19T00:00'));
    expect(isSessionOverdue(fourWeekly, held, cal, 0, london('2025-11-18T23:59'))).toBe(false);
    expect(isSessionOverdue(fourWeekly, held, cal, 0, london('2025-11-19T00:00'))).toBe(true);
  });

  it('a grace of two school days makes it overdue from Friday 21 November', () => {
    expect(sessionOverdueFrom(fourWeekly, london('2025-10-21T15:45'), cal, 2)).toEqual(london('2025-11-21T00:00'));
  });

  it('a due day inside half term moves to the first school day after it', () => {
    // 30 September + 28 days = Tuesday 28 October, in the autumn half term; next school day Monday 3 November.
    expect(sessionDueBy(fourWeekly, '2025-09-30', cal)).toBe('2025-11-03');
  });

  it('proposes the next sessions on school days at the preferred local time', () => {
    const times = proposeSessionTimes(fourWeekly, london('2025-10-22T09:00'), london('2025-10-21T15:45'), cal, 3);
    expect(times.map((t) => cal.localDate(t))).toEqual(['2025-11-18', '2025-12-16', '2026-01-13']);
    for (const t of times) expect(cal.isSchoolDay(cal.localDate(t))).toBe(true);
    // 15:45 London both in GMT (November) and after the change
    expect(times[0]?.toISOString()).toBe('2025-11-18T15:45:00.000Z');
  });
});

describe('half-termly group (loughton §3: the safeguarding team meets every half term)', () => {
  const group = contract({ kind: 'group', cadence: { kind: 'half-termly' }, superviseeIds: ['amy', 'ben', 'cat'] });

  it('is due once per half term: held in Autumn 1, next due by the end of Autumn 2', () => {
    expect(sessionDueBy(group, '2025-10-01', cal)).toBe('2025-12-19');
    expect(sessionDueBy(group, '2025-11-20', cal)).toBe('2026-02-13');
  });

  it('holidays do not count: overdue only from the first school day of the next half term', () => {
    expect(sessionOverdueFrom(group, london('2025-10-01T12:00'), cal, 0)).toEqual(london('2026-01-05T00:00'));
  });

  it('a new contract is due within its first half term', () => {
    expect(sessionDueBy(group, undefined, cal)).toBe('2025-10-24');
  });
});

describe('termly DSL contract with the head (loughton §5)', () => {
  const termly = contract({ cadence: { kind: 'termly' }, supervisorIds: ['head'], superviseeIds: ['dsl'], agendaTemplate: 'dsl' });

  it('held in the autumn term, due by the end of the spring term', () => {
    expect(sessionDueBy(termly, '2025-11-10', cal)).toBe('2026-04-02');
  });

  it('held in the spring term, due by the end of the summer term', () => {
    expect(sessionDueBy(termly, '2026-01-20', cal)).toBe('2026-07-21');
  });

  it('is not overdue over the Easter holiday, but is on the first day of the summer term', () => {
    const held = london('2025-11-10T10:00');
    expect(isSessionOverdue(termly, held, cal, 0, london('2026-04-10T12:00'))).toBe(false);
    expect(isSessionOverdue(termly, held, cal, 0, london('2026-04-20T08:00'))).toBe(true);
  });
});

describe('yearly contract plus sessions on request (stour App. C)', () => {
  const yearly = contract({ cadence: { kind: 'yearly' }, onRequest: true });

  it('is due a year after the last session, on a school day', () => {
    expect(sessionDueBy(yearly, '2025-10-15', cal)).toBe('2026-10-15');
  });

  it('a session held on request restarts the year', () => {
    expect(sessionDueBy(yearly, '2026-02-04', cal)).toBe('2027-02-04');
  });
});

describe('school days', () => {
  it('bank holidays, weekends and holidays are not school days; INSET days are', () => {
    expect(cal.isSchoolDay('2026-05-04')).toBe(false); // Early May bank holiday, in term
    expect(cal.isSchoolDay('2025-10-29')).toBe(false); // half term
    expect(cal.isSchoolDay('2025-11-08')).toBe(false); // Saturday
    expect(cal.isSchoolDay('2025-09-01')).toBe(true); // INSET day: staff are in
  });

  it('outside the years the term dates cover, weekdays that are not bank holidays count', () => {
    const plain = calendar(school());
    expect(plain.isSchoolDay('2027-01-13')).toBe(true);
    expect(plain.isSchoolDay('2027-03-29')).toBe(false); // Easter Monday
  });
});
