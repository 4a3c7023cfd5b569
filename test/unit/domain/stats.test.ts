import { describe, expect, it } from 'vitest';
import { sessionOverdueFrom } from '../../../src/domain/cadence.js';
import { dueDays, heldOnTime, sessionsNotHeld, supervisionFigures } from '../../../src/domain/stats.js';
import type { AgreedAction, RecordSheet, Session } from '../../../src/domain/types.js';
import { calendar, contract, london, school } from '../../support/school.js';

const org = school();
const cal = calendar(org);
const fourWeekly = contract({ id: 'c-amy', cadence: { kind: 'every-n-weeks', weeks: 4 }, startDate: '2025-09-01' });

const session = (id: string, at: string, status: Session['status'] = 'held', contractId = 'c-amy'): Session => ({
  id,
  organisationId: org.id,
  contractId,
  startsAt: london(at),
  durationMinutes: 60,
  status,
});
const record = (sessionId: string, state: RecordSheet['state'], version = 1) =>
  ({ id: `rec.${sessionId}`, version, sessionId, state, organisationId: org.id }) as RecordSheet;
const action = (id: string, dueDate: string, completed?: string): AgreedAction => ({
  id,
  organisationId: org.id,
  contractId: 'c-amy',
  recordId: 'rec.x',
  text: 'an action',
  ownerId: 'amy',
  dueDate,
  status: completed ? 'done' : 'open',
  agreedAt: london('2025-09-25T17:00'),
  completedAt: completed ? london(`${completed}T12:00`) : undefined,
});

describe('sessions due under a cadence', () => {
  it('four-weekly from 1 September: due days step four weeks, moved past the October half-term holiday', () => {
    expect(dueDays(fourWeekly, cal, '2025-12-19')).toEqual(['2025-09-29', '2025-11-03', '2025-12-01']);
  });

  it('half-termly (loughton §3): once in each half term, by its last day', () => {
    const c = contract({ cadence: { kind: 'half-termly' }, startDate: '2025-09-01' });
    expect(dueDays(c, cal, '2026-02-28')).toEqual(['2025-10-24', '2025-12-19', '2026-02-13']);
  });

  it('termly (loughton §5): once a term, by the end of the term', () => {
    const c = contract({ cadence: { kind: 'termly' }, startDate: '2025-09-01' });
    expect(dueDays(c, cal, '2026-07-31')).toEqual(['2025-12-19', '2026-04-02', '2026-07-21']);
  });

  it('a session is on time when it is held before supervision fell overdue', () => {
    const held = [session('s1', '2025-09-25T15:45'), session('s2', '2025-10-20T15:45'), session('s3', '2025-11-27T15:45')];
    // s3 comes 5½ weeks after s2: due by 17 November, so late
    expect(heldOnTime(fourWeekly, held, cal, 0)).toEqual([true, true, false]);
  });
});

describe('the figures per half term', () => {
  const input = {
    org,
    cal,
    halfTerms: org.termDates.halfTerms,
    today: '2025-12-01',
    contracts: [fourWeekly],
    sessions: [
      session('s1', '2025-09-25T15:45'),
      session('s2', '2025-10-20T15:45'),
      session('s3', '2025-11-27T15:45'),
      session('s4', '2025-12-18T15:45', 'scheduled'),
      session('s0', '2025-09-22T15:45', 'cancelled'),
    ],
    records: [record('s1', 'signed'), record('s2', 'signed'), record('s2', 'draft', 2), record('s3', 'awaiting-confirmation')],
    actions: [action('a1', '2025-10-01', '2025-09-30'), action('a2', '2025-10-22', '2025-10-30'), action('a3', '2025-11-28'), action('a4', '2025-12-10')],
    count: 6,
  };

  it('counts held against due, on time, signed and actions closed by their due day', () => {
    const figures = supervisionFigures(input);
    expect(figures.halfTerms.map((h) => h.name)).toEqual(['Autumn 1', 'Autumn 2']);
    const [autumn1, autumn2] = figures.halfTerms;
    expect(autumn1).toMatchObject({ current: false, due: 1, held: 2, heldOnTime: 2, signed: 2, actionsDue: 2, actionsClosedOnTime: 1 });
    // Autumn 2 is in progress: both of its due days count, the action due after today does not yet
    expect(autumn2).toMatchObject({ current: true, due: 2, held: 1, heldOnTime: 0, signed: 0, actionsDue: 1, actionsClosedOnTime: 0 });
    expect(figures.totals).toEqual({ due: 3, held: 3, heldOnTime: 2, notHeld: 0, didNotHappen: 0, signed: 2, actionsDue: 3, actionsClosedOnTime: 1 });
    expect(figures.overdueContractIds).toEqual([]);
    expect(figures.rates).toEqual({ heldOfDue: 1, onTime: 2 / 3, signed: 2 / 3, actionsOnTime: 1 / 3 });
  });

  it('a session due and not held counts as not on time, and puts the contract where /overdue lists it', async () => {
    const { isSessionOverdue } = await import('../../../src/domain/cadence.js');
    // nothing held after 27 November: by 2 February the sessions due around Christmas and in January were missed
    const now = cal.atLocalTime('2026-02-02', '09:00');
    const figures = supervisionFigures({ ...input, today: '2026-02-02', now });
    const missed = sessionsNotHeld(fourWeekly, new Date('2025-11-27T15:45:00Z'), cal, 0, now);
    expect(missed.length).toBeGreaterThan(0);
    expect(figures.totals.notHeld).toBe(missed.length);
    expect(figures.rates.onTime).toBe(figures.totals.heldOnTime / (figures.totals.held + missed.length));
    expect(figures.overdueContractIds).toEqual([fourWeekly.id]);
    expect(isSessionOverdue(fourWeekly, new Date('2025-11-27T15:45:00Z'), cal, 0, now)).toBe(true);
    // the moment the first one falls overdue is the moment /overdue lists the contract
    const justBefore = new Date(sessionOverdueFrom(fourWeekly, new Date('2025-11-27T15:45:00Z'), cal, 0).getTime() - 1);
    expect(sessionsNotHeld(fourWeekly, new Date('2025-11-27T15:45:00Z'), cal, 0, justBefore)).toEqual([]);
    expect(sessionsNotHeld(fourWeekly, new Date('2025-11-27T15:45:00Z'), cal, 0, new Date(justBefore.getTime() + 1))).toHaveLength(1);
  });

  it('an action set aside as not needed is neither due nor closed on time', () => {
    const notNeeded: AgreedAction = { ...action('a5', '2025-10-08'), status: 'not-needed', completedAt: london('2025-10-02T12:00'), closedById: 'sup', notNeeded: { reason: 'no longer needed' } };
    const figures = supervisionFigures({ ...input, actions: [...input.actions, notNeeded] });
    expect(figures.totals).toMatchObject({ actionsDue: 3, actionsClosedOnTime: 1 });
  });

  it('a correction being drafted does not unsign the record that was signed', () => {
    const figures = supervisionFigures(input);
    expect(figures.halfTerms[0]?.signed).toBe(2);
  });

  it('shows at most the number of half terms asked for, ending with the current one', () => {
    const figures = supervisionFigures({ ...input, today: '2026-03-02', count: 2 });
    expect(figures.halfTerms.map((h) => h.name)).toEqual(['Spring 1', 'Spring 2']);
    expect(figures.halfTerms[1]?.current).toBe(true);
  });

  it('in a holiday nothing is current, and the half term before it is the last shown', () => {
    const figures = supervisionFigures({ ...input, today: '2025-10-29' });
    expect(figures.halfTerms.map((h) => [h.name, h.current])).toEqual([['Autumn 1', false]]);
  });

  it('with nothing to measure the rates are null, not zero', () => {
    const figures = supervisionFigures({ ...input, contracts: [], sessions: [], records: [], actions: [] });
    expect(figures.rates).toEqual({ heldOfDue: null, onTime: null, signed: null, actionsOnTime: null });
  });

  it('an inactive contract asks for no more sessions, but what was held still counts', () => {
    const figures = supervisionFigures({ ...input, contracts: [{ ...fourWeekly, active: false }] });
    expect(figures.totals.due).toBe(0);
    expect(figures.totals.held).toBe(3);
  });
});
