import { describe, expect, it } from 'vitest';
import { addDays } from '../../../src/domain/calendar.js';
import { addressing, MAX_NOTICE_DAYS, remindersForSession } from '../../../src/domain/reminders.js';
import type { Reminder, Session } from '../../../src/domain/types.js';
import { calendar, contract, london, school } from '../../support/school.js';

const cal = calendar();
const org = school({ reminderTime: '08:30' });

function session(startsAt: Date, bookedAt?: Date): Session {
  return { id: 's1', organisationId: 'org-wl', contractId: 'c-amy', startsAt, durationMinutes: 60, status: 'scheduled', ...(bookedAt ? { bookedAt } : {}) };
}
const byKind = (reminders: Reminder[], kind: Reminder['kind']) => reminders.find((r) => r.kind === kind);
const daysBefore = (r: Reminder | undefined, s: Date) => {
  const from = cal.localDate(r?.dueAt ?? new Date(0));
  let n = 0;
  while (addDays(from, n) < cal.localDate(s)) n++;
  return n;
};

describe('reminders on the Leeds 2025/26 calendar (stour App. C: a week’s notice)', () => {
  it('a session in term gets its notice and agenda prompt a week ahead and a reminder the school day before, to both parties', () => {
    const starts = london('2025-11-20T15:45'); // Thursday
    const reminders = remindersForSession(session(starts), contract(), org, cal);
    expect(reminders.map((r) => r.id).sort()).toEqual(['agenda-prompt:s1', 'day-before:s1', 'notice:s1']);
    expect(byKind(reminders, 'notice')?.dueAt).toEqual(london('2025-11-13T08:30'));
    expect(byKind(reminders, 'agenda-prompt')?.dueAt).toEqual(london('2025-11-13T08:30'));
    expect(byKind(reminders, 'day-before')?.dueAt).toEqual(london('2025-11-19T08:30'));
    for (const r of reminders) expect(r.recipientIds.sort()).toEqual(['amy', 'sup']);
  });

  it('a session booked 3 days ahead: a "booked" message and the agenda prompt at once, the reminder the day before', () => {
    const bookedAt = london('2025-11-17T10:05'); // Monday
    const reminders = remindersForSession(session(london('2025-11-20T15:45'), bookedAt), contract(), org, cal);
    expect(reminders.map((r) => [r.id, r.kind])).toEqual([
      ['notice:s1', 'booked'],
      ['agenda-prompt:s1', 'agenda-prompt'],
      ['day-before:s1', 'day-before'],
    ]);
    expect(byKind(reminders, 'booked')?.dueAt).toEqual(bookedAt);
    expect(byKind(reminders, 'agenda-prompt')?.dueAt).toEqual(bookedAt);
    expect(byKind(reminders, 'day-before')?.dueAt).toEqual(london('2025-11-19T08:30'));
  });

  it('a session booked more than a week ahead keeps its ordinary notice', () => {
    const reminders = remindersForSession(session(london('2025-11-20T15:45'), london('2025-11-03T09:00')), contract(), org, cal);
    expect(byKind(reminders, 'notice')?.dueAt).toEqual(london('2025-11-13T08:30'));
  });

  it('a session booked the afternoon before: booked and agenda prompt at once, no day-before reminder after the booking', () => {
    const bookedAt = london('2025-11-19T16:00');
    const reminders = remindersForSession(session(london('2025-11-20T15:45'), bookedAt), contract(), org, cal);
    expect(reminders.map((r) => r.kind)).toEqual(['booked', 'agenda-prompt']);
  });

  it('a session after the autumn half term: the notice comes in the school days before it, not before the holiday', () => {
    // Thursday 6 Nov 2025; a week before is half term (27–31 Oct): the notice goes on Monday 3 Nov, the first
    // school day in its window — not on Friday 24 Oct, 13 days ahead.
    const starts = london('2025-11-06T15:45');
    const reminders = remindersForSession(session(starts), contract(), org, cal);
    expect(byKind(reminders, 'notice')?.dueAt).toEqual(london('2025-11-03T08:30'));
    expect(byKind(reminders, 'day-before')?.dueAt).toEqual(london('2025-11-05T08:30'));
  });

  it('a session on the first day after half term: no school day in its window, so the notice goes on the holiday weekday a week ahead', () => {
    const starts = london('2025-11-03T15:45'); // Monday after half term
    const reminders = remindersForSession(session(starts), contract(), org, cal);
    expect(byKind(reminders, 'notice')?.dueAt).toEqual(london('2025-10-27T08:30'));
    expect(daysBefore(byKind(reminders, 'notice'), starts)).toBe(7);
    expect(byKind(reminders, 'day-before')?.dueAt).toEqual(london('2025-10-31T08:30'));
  });

  it('after the Christmas holiday: a Wednesday 7 Jan session is announced on Monday 5 Jan, never 19 days early', () => {
    const starts = london('2026-01-07T15:45');
    const reminders = remindersForSession(session(starts), contract(), org, cal);
    expect(byKind(reminders, 'notice')?.dueAt).toEqual(london('2026-01-05T08:30'));
    expect(byKind(reminders, 'day-before')?.dueAt).toEqual(london('2026-01-06T08:30'));
  });

  it('every school day of the year: notice 2–8 days ahead on a weekday, a school day whenever its window has one; day-before at most 4 days ahead', () => {
    for (let day = '2025-09-08'; day <= '2026-07-21'; day = addDays(day, 1)) {
      if (!cal.isSchoolDay(day)) continue;
      const starts = london(`${day}T15:45`);
      const reminders = remindersForSession(session(starts), contract(), org, cal);
      const notice = byKind(reminders, 'notice');
      const n = daysBefore(notice, starts);
      expect(n, `notice for ${day}`).toBeLessThanOrEqual(MAX_NOTICE_DAYS);
      expect(n, `notice for ${day}`).toBeGreaterThanOrEqual(2);
      const windowHasSchoolDay = [2, 3, 4, 5, 6, 7, 8].some((k) => cal.isSchoolDay(addDays(day, -k)));
      for (const r of reminders) {
        const d = cal.localDate(r.dueAt);
        expect(cal.isBankHoliday(d) || [6, 0].includes(new Date(`${d}T00:00:00Z`).getUTCDay()), `${r.id} for ${day}`).toBe(false);
      }
      if (windowHasSchoolDay) expect(cal.isSchoolDay(cal.localDate(notice?.dueAt as Date)), `notice for ${day}`).toBe(true);
      const before = byKind(reminders, 'day-before');
      expect(before, `day-before for ${day}`).toBeDefined();
      expect(daysBefore(before, starts), `day-before for ${day}`).toBeLessThanOrEqual(4);
    }
  });

  it('a group of four: every reminder goes to the supervisor and all four, addressed as "you all"', () => {
    const group = contract({ kind: 'group', superviseeIds: ['amy', 'ben', 'cat', 'dan'] });
    const reminders = remindersForSession(session(london('2025-11-20T15:45')), group, org, cal);
    expect(reminders).toHaveLength(3);
    for (const r of reminders) expect(r.recipientIds.sort()).toEqual(['amy', 'ben', 'cat', 'dan', 'sup']);
    expect(addressing(5)).toBe('you all');
    expect(addressing(2)).toBe('you both');
  });

  it('a notice across the spring clock change keeps 08:30 local', () => {
    const reminders = remindersForSession(session(london('2026-04-01T15:45')), contract(), org, cal);
    // 25 March 2026 is GMT, 1 April is BST
    expect(byKind(reminders, 'notice')?.dueAt.toISOString()).toBe('2026-03-25T08:30:00.000Z');
    expect(byKind(reminders, 'day-before')?.dueAt.toISOString()).toBe('2026-03-31T07:30:00.000Z');
  });

  it('a session that is no longer scheduled has no reminders', () => {
    expect(remindersForSession({ ...session(london('2025-11-20T15:45')), status: 'cancelled' }, contract(), org, cal)).toEqual([]);
  });
});
