/**
 * Supervisors trained (template line manager (f)): the lapse date is the training date plus the renewal months
 * (two years by default); lapsed, lapsing before the end of the next half term on the Leeds 2025/26 calendar, or
 * current; the staff template's optional `supervision_training_date` column read in either date form and refused
 * in words otherwise.
 */
import { describe, expect, it } from 'vitest';
import { planStaff, staffRowsFromTemplate } from '../../../src/domain/imports/staff.js';
import { halfTermHorizon, trainingLapsesOn, trainingState } from '../../../src/domain/training.js';
import { calendar } from '../../support/school.js';

describe('supervision training', () => {
  const cal = calendar();

  it('lapses two years on unless the renewal says otherwise', () => {
    expect(trainingLapsesOn('2024-01-15')).toBe('2026-01-15');
    expect(trainingLapsesOn('2025-03-31', 12)).toBe('2026-03-31');
  });

  it('"within a half term" runs to the end of the half term after the one today is in (Leeds 2025/26)', () => {
    // in Autumn 2: to the end of Spring 1; in the February holiday (before Spring 2): to the end of Summer 1
    expect(halfTermHorizon('2025-11-17', cal)).toBe('2026-02-13');
    expect(halfTermHorizon('2026-02-18', cal)).toBe('2026-05-22');
  });

  it('lapsed, lapsing and current', () => {
    const horizon = halfTermHorizon('2025-11-17', cal);
    expect(trainingState({ supervisionTrainingDate: '2023-11-01' }, '2025-11-17', horizon)).toEqual({ state: 'lapsed', lapsesOn: '2025-11-01' });
    expect(trainingState({ supervisionTrainingDate: '2024-02-01' }, '2025-11-17', horizon)).toEqual({ state: 'lapsing', lapsesOn: '2026-02-01' });
    expect(trainingState({ supervisionTrainingDate: '2024-06-01' }, '2025-11-17', horizon)).toEqual({ state: 'current', lapsesOn: '2026-06-01' });
    expect(trainingState({ supervisionTrainingDate: '2025-06-01', supervisionTrainingRenewalMonths: 4 }, '2025-11-17', horizon).state).toBe('lapsed');
    expect(trainingState({}, '2025-11-17', horizon)).toEqual({ state: 'unknown' });
  });

  it('the staff template’s supervision_training_date: either date form kept; anything else named by row and column', () => {
    const header = ['name', 'email', 'roles', 'supervision_training_date'];
    const rows = [
      { row: 2, cells: { name: 'Ruth Osei', email: 'r.osei@riverside.example', roles: 'supervisor', supervision_training_date: '2024-09-02' } },
      { row: 3, cells: { name: 'Marta K', email: 'm.k@riverside.example', roles: 'supervisor', supervision_training_date: '12/06/2023' } },
      { row: 4, cells: { name: 'Sunil Patel', email: 's.patel@riverside.example', roles: 'supervisee', supervision_training_date: '' } },
      { row: 5, cells: { name: 'Joe Bad', email: 'j.bad@riverside.example', roles: 'supervisor', supervision_training_date: 'last June' } },
    ];
    const { rows: read, errors } = staffRowsFromTemplate({ name: 'staff.csv', header, rows });
    expect(errors).toEqual([{ file: 'staff.csv', row: 5, column: 'supervision_training_date', message: '"last June" is not a date (YYYY-MM-DD or DD/MM/YYYY)' }]);
    expect(read.map((r) => r.supervisionTrainingDate)).toEqual(['2024-09-02', '2023-06-12', undefined]);
    const plan = planStaff('org', [], read);
    expect(plan.created.map((c) => c.person.supervisionTrainingDate)).toEqual(['2024-09-02', '2023-06-12', undefined]);
  });
});
