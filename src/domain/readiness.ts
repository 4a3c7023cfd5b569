/**
 * Whether supervision can run at a school yet (issue 13, "ready or not"): it needs a DSL to hear a risk of harm
 * (template supervisee (d)) and this school year's term dates to schedule in. Until both exist the bot says so
 * plainly rather than half-working.
 */
import { hasYearDates, schoolYear, schoolYearOf } from './school-year.js';
import type { LocalDate, Organisation } from './types.js';

export type Missing = 'dsl' | 'term-dates';

export interface Readiness {
  ready: boolean;
  missing: Missing[];
  /** The school year `today` is in (2026 = 2026/27). */
  year: number;
}

export function readiness(org: Pick<Organisation, 'dslIds' | 'termDates'>, today: LocalDate): Readiness {
  const year = schoolYearOf(today);
  const missing: Missing[] = [];
  if (org.dslIds.length === 0) missing.push('dsl');
  if (!hasYearDates(org.termDates, year)) missing.push('term-dates');
  return { ready: missing.length === 0, missing, year };
}

/** What a person is told while the school is not ready. */
export function notSetUpText(r: Readiness): string {
  const what = r.missing.map((m) => (m === 'dsl' ? 'a Designated Safeguarding Lead' : `term dates for ${schoolYear(r.year).label}`));
  return `Supervision is not set up yet at your school: it still needs ${what.join(' and ')}. Your school’s administrator or DSL can finish the set-up in the dashboard. If you are worried a child or adult is at risk of harm, phone your DSL now.`;
}
