import { describe, expect, it } from 'vitest';
import { remindersForSession } from '../../../src/domain/reminders.js';
import type { Session } from '../../../src/domain/types.js';
import { calendar, contract, london, school } from '../../support/school.js';

const cal = calendar();
const org = school({ reminderTime: '08:30' });

function session(startsAt: Date): Session {
  return { id: 's1', organisationId: 'org-wl', contractId: 'c-amy', startsAt, durationMinutes: 60, status: 'scheduled' };
}

describe('reminders', () => {
  it('a week’s notice across the last Sunday of October lands at the same local hour (stour App. C)', () => {
    // Session Thursday 6 Nov 2025 (GMT); notice seven days before is Thursday 30 Oct — half term — so it moves
    // to Friday 24 Oct, in BST. Both at 08:30 London time.
    const reminders = remindersForSession(session(london('2025-11-06T15:45')), contract(), org, cal);
    const notice = reminders.find((r) => r.kind === 'notice');
    expect(notice?.dueAt.toISOString()).toBe('2025-10-24T07:30:00.000Z'); // 08:30 BST
    const dayBefore = reminders.find((r) => r.kind === 'day-before');
    expect(dayBefore?.dueAt.toISOString()).toBe('2025-11-05T08:30:00.000Z'); // 08:30 GMT
  });

  it('a notice across the spring clock change keeps 08:30 local', () => {
    const reminders = remindersForSession(session(london('2026-04-01T15:45')), contract(), org, cal);
    // 25 March 2026 is GMT, 1 April is BST
    expect(reminders.find((r) => r.kind === 'notice')?.dueAt.toISOString()).toBe('2026-03-25T08:30:00.000Z');
    expect(reminders.find((r) => r.kind === 'day-before')?.dueAt.toISOString()).toBe('2026-03-31T07:30:00.000Z');
  });

  it('no reminder falls in a holiday, on a weekend or on a bank holiday', () => {
    const starts = ['2025-11-03', '2026-01-05', '2026-04-20', '2026-05-05', '2026-06-01', '2026-02-23'];
    for (const day of starts) {
      for (const r of remindersForSession(session(london(`${day}T14:00`)), contract(), org, cal)) {
        expect(cal.isSchoolDay(cal.localDate(r.dueAt)), `${r.id} for ${day}`).toBe(true);
      }
    }
  });

  it('notice and agenda prompt go to both parties with natural ids', () => {
    const reminders = remindersForSession(session(london('2025-11-20T15:45')), contract(), org, cal);
    expect(reminders.map((r) => r.id).sort()).toEqual(['agenda-prompt:s1', 'day-before:s1', 'notice:s1']);
    expect(reminders[0]?.recipientIds.sort()).toEqual(['amy', 'sup']);
  });

  it('a session that is no longer scheduled has no reminders', () => {
    expect(remindersForSession({ ...session(london('2025-11-20T15:45')), status: 'cancelled' }, contract(), org, cal)).toEqual([]);
  });
});
