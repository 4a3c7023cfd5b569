/** Moving, cancelling and the next session, on the Leeds 2025/26 calendar (template "intervals", stour §5). */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.js';
import { NEW_TIME_REQUIRED, overlaps, recordedNextTime, requireReasonWhenLate, rescheduleSession } from '../../../src/domain/session.js';
import type { Session } from '../../../src/domain/types.js';
import { calendar, london } from '../../support/school.js';

const cal = calendar();
const now = london('2025-11-10T12:00');
const session = (over: Partial<Session> = {}): Session => ({
  id: 'c-amy.2025-11-11',
  organisationId: 'org-wl',
  contractId: 'c-amy',
  startsAt: london('2025-11-11T15:45'),
  durationMinutes: 60,
  status: 'scheduled',
  ...over,
});
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, field: error.field, message: error.message };
    throw error;
  }
  return undefined;
};

describe('moving and cancelling (template "intervals")', () => {
  it('is refused without a new time, in the policy’s words, on the new-time field', () => {
    expect(refusal(() => rescheduleSession(session(), { reason: '', replacementId: 'x' }, now, cal))).toEqual({ code: 'new-time-required', field: 'newStartsAt', message: NEW_TIME_REQUIRED });
    expect(NEW_TIME_REQUIRED).toContain('never changed or cancelled without a new time set at once');
  });

  it('needs a future time on a school day: not the past, a weekend, half term or a bank holiday', () => {
    for (const at of ['2025-11-10T09:00', '2025-11-15T10:00', '2025-10-28T10:00', '2025-12-25T10:00', '2026-05-04T10:00']) {
      expect(refusal(() => rescheduleSession(session(), { newStartsAt: london(at), reason: '', replacementId: 'x' }, now, cal))?.field, at).toBe('newStartsAt');
    }
  });

  it('moves a scheduled session to a school day: the old one names its replacement, the new one the old', () => {
    const change = rescheduleSession(session(), { newStartsAt: london('2025-11-12T10:00'), reason: 'Parents evening', replacementId: 'c-amy.2025-11-12' }, now, cal);
    expect(change.old).toMatchObject({ status: 'cancelled', replacedBy: 'c-amy.2025-11-12' });
    expect(change.replacement).toMatchObject({ id: 'c-amy.2025-11-12', status: 'scheduled', replaces: 'c-amy.2025-11-11', startsAt: london('2025-11-12T10:00'), durationMinutes: 60 });
  });

  it('refuses a session that is no longer scheduled', () => {
    expect(refusal(() => rescheduleSession(session({ status: 'held' }), { newStartsAt: london('2025-11-12T10:00'), reason: '', replacementId: 'x' }, now, cal))?.code).toBe('invalid-transition');
  });

  it('a day after the cadence’s due day needs a reason; on or before it does not', () => {
    expect(refusal(() => requireReasonWhenLate('2025-12-01', '2025-11-28', undefined, 'Fri 28 Nov 2025'))).toMatchObject({ field: 'reason' });
    expect(refusal(() => requireReasonWhenLate('2025-12-01', '2025-11-28', '   ', 'Fri 28 Nov 2025'))).toMatchObject({ field: 'reason' });
    expect(refusal(() => requireReasonWhenLate('2025-12-01', '2025-11-28', 'Supervisor on a course', 'Fri 28 Nov 2025'))).toBeUndefined();
    expect(refusal(() => requireReasonWhenLate('2025-11-28', '2025-11-28', undefined, 'Fri 28 Nov 2025'))).toBeUndefined();
  });
});

describe('clashes: a person cannot be in two sessions at once', () => {
  const at = (local: string, durationMinutes = 60) => ({ startsAt: london(local), durationMinutes });
  it('overlapping sessions clash; back to back do not', () => {
    expect(overlaps(at('2025-11-11T15:45'), at('2025-11-11T16:00'))).toBe(true);
    expect(overlaps(at('2025-11-11T15:45'), at('2025-11-11T15:15', 31))).toBe(true);
    expect(overlaps(at('2025-11-11T15:45'), at('2025-11-11T16:45'))).toBe(false);
    expect(overlaps(at('2025-11-11T15:45'), at('2025-11-11T14:45'))).toBe(false);
  });
});

describe('the next session a record names', () => {
  it('is kept when it is ahead and on a school day, else the cadence decides', () => {
    expect(recordedNextTime(london('2026-01-13T15:45'), now, cal)).toEqual(london('2026-01-13T15:45'));
    expect(recordedNextTime(undefined, now, cal)).toBeUndefined();
    expect(recordedNextTime(london('2025-11-03T15:45'), now, cal)).toBeUndefined(); // past
    expect(recordedNextTime(london('2025-12-29T10:00'), now, cal)).toBeUndefined(); // Christmas holiday
    expect(recordedNextTime(london('2025-11-16T10:00'), now, cal)).toBeUndefined(); // Sunday
  });
});
