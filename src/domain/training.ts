/**
 * Supervisors trained (template line manager (f)): each supervisor's supervision training is renewed every so
 * many months (two years unless the admin says otherwise). The DSL is shown a supervisor whose training has
 * lapsed, or lapses before the end of the next half term — time enough to book the renewal.
 */
import { DateTime } from 'luxon';
import type { SchoolCalendar } from './calendar.js';
import type { LocalDate, Person } from './types.js';

export const DEFAULT_TRAINING_RENEWAL_MONTHS = 24;

export function trainingLapsesOn(trainedOn: LocalDate, renewalMonths = DEFAULT_TRAINING_RENEWAL_MONTHS): LocalDate {
  return DateTime.fromISO(trainedOn, { zone: 'utc' }).plus({ months: renewalMonths }).toISODate() as LocalDate;
}

/** The last day "within a half term" of `today`: the end of the half term after the one today is in (or falls before). */
export function halfTermHorizon(today: LocalDate, cal: Pick<SchoolCalendar, 'halfTermOnOrAfter' | 'halfTermAfter'>): LocalDate {
  const current = cal.halfTermOnOrAfter(today);
  const next = current ? cal.halfTermAfter(current) : undefined;
  return (next ?? current)?.end ?? (DateTime.fromISO(today, { zone: 'utc' }).plus({ weeks: 14 }).toISODate() as LocalDate);
}

export type TrainingState = { state: 'lapsed' | 'lapsing'; lapsesOn: LocalDate } | { state: 'current'; lapsesOn: LocalDate } | { state: 'unknown' };

export function trainingState(person: Pick<Person, 'supervisionTrainingDate' | 'supervisionTrainingRenewalMonths'>, today: LocalDate, horizon: LocalDate): TrainingState {
  if (!person.supervisionTrainingDate) return { state: 'unknown' };
  const lapsesOn = trainingLapsesOn(person.supervisionTrainingDate, person.supervisionTrainingRenewalMonths);
  if (lapsesOn <= today) return { state: 'lapsed', lapsesOn };
  if (lapsesOn <= horizon) return { state: 'lapsing', lapsesOn };
  return { state: 'current', lapsesOn };
}
