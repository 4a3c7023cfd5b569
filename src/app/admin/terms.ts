/**
 * Term dates (issue 13): a school year's six half terms and INSET days, entered in a form (the HTTP API) or
 * imported from the council's `.ics` file. Checked whole (ordered, within the year, no overlaps); a dry run
 * reports what would change and writes nothing; a refused change writes nothing.
 */
import { z } from 'zod';
import { isCalendarDate } from '../../domain/calendar.js';
import { checkYearDates, schoolYear, type YearDates, yearDatesOf, withYearDates } from '../../domain/school-year.js';
import type { Organisation } from '../../domain/types.js';
import { parseInput, type UseCaseResult, useCase } from '../errors.js';
import type { AppDeps } from '../ports.js';
import { loadAdministrator } from './access.js';
import { emptyReport, type ImportProblem, type ImportReport } from './report.js';

export const SCHOOL_YEAR = z.coerce.number({ message: 'must be the year the school year starts in, e.g. 2026 for 2026/27' }).int().min(2000, 'must be 2000 or later').max(2100, 'must be 2100 or earlier');

const day = z.string({ message: 'must be a date (YYYY-MM-DD)' }).refine(isCalendarDate, 'must be a date (YYYY-MM-DD)');

export const termDatesInput = z
  .object({
    year: SCHOOL_YEAR,
    halfTerms: z.array(z.object({ name: z.string().max(40, 'at most 40 characters'), start: day, end: day }).strict(), { message: 'must be the six half terms' }).max(6, 'a school year has six half terms'),
    insetDays: z.array(day, { message: 'must be a list of dates' }).max(10, 'at most 10 INSET days a year').default([]),
    dryRun: z.boolean({ message: 'must be true or false' }).default(false),
  })
  .strict();

export interface TermDatesView {
  year: number;
  label: string;
  halfTerms: YearDates['halfTerms'];
  holidays: YearDates['holidays'];
  insetDays: string[];
  bankHolidays: string[];
  bankHolidayDivision: NonNullable<Organisation['bankHolidayDivision']>;
}

export function termDatesView(org: Organisation, year: number): TermDatesView {
  const dates = yearDatesOf(org.termDates, year);
  const { start, end, label } = schoolYear(year);
  return {
    year,
    label,
    halfTerms: dates.halfTerms,
    holidays: dates.holidays,
    insetDays: dates.insetDays,
    bankHolidays: org.termDates.bankHolidays.filter((d) => d >= start && d <= end).sort(),
    bankHolidayDivision: org.bankHolidayDivision ?? 'england-and-wales',
  };
}

export const getTermDates = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<TermDatesView>> => {
  const { year } = parseInput(z.object({ year: SCHOOL_YEAR }).strict(), input);
  const { org } = await loadAdministrator(deps, actorId, 'terms.manage');
  return { ok: true, data: termDatesView(org, year) };
});

/** How a year's new dates compare with the stored ones: the half terms and INSET days created, changed, kept. */
function compare(before: YearDates, after: YearDates, report: ImportReport): void {
  for (const h of after.halfTerms) {
    const old = before.halfTerms.find((o) => o.name === h.name);
    if (!old) report.created++;
    else if (old.start === h.start && old.end === h.end) report.unchanged++;
    else report.updated++;
  }
  for (const d of after.insetDays) if (before.insetDays.includes(d)) report.unchanged++;
  else report.created++;
  report.deactivated += before.insetDays.filter((d) => !after.insetDays.includes(d)).length;
}

/**
 * Writes one or more years' dates (already checked) onto the organisation, or only reports them (dry run).
 * The organisation document is replaced in one write, so a reader sees the old dates or the new, never half.
 */
export async function applyYearDates(deps: AppDeps, org: Organisation, years: YearDates[], report: ImportReport, actorId: string): Promise<ImportReport> {
  let termDates = org.termDates;
  for (const dates of years) {
    compare(yearDatesOf(termDates, dates.year), dates, report);
    termDates = withYearDates(termDates, dates);
  }
  if (report.errors.length > 0 || report.dryRun || (report.created === 0 && report.updated === 0 && report.deactivated === 0)) return report;
  await deps.organisations.upsert({ ...org, termDates });
  await deps.audit.append({
    organisationId: org.id,
    at: deps.clock.now(),
    actorId,
    action: 'terms.set',
    subject: { kind: 'organisation', id: org.id },
    detail: { years: years.map((y) => y.year).join(','), created: report.created, updated: report.updated, removed: report.deactivated },
  });
  return report;
}

export const problemsOf = (file: string, problems: Array<{ field: string; message: string }>): ImportProblem[] =>
  problems.map((p) => ({ file, row: 0, column: p.field, message: p.message }));

/** The form: one year's six half terms and INSET days. */
export const setTermDates = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<ImportReport>> => {
  const data = parseInput(termDatesInput, input);
  const { org } = await loadAdministrator(deps, actorId, 'terms.manage');
  const report = emptyReport(data.dryRun);
  const checked = checkYearDates(data.year, { halfTerms: data.halfTerms, insetDays: data.insetDays });
  if (!checked.ok) return { ok: true, data: { ...report, errors: problemsOf('form', checked.problems) } };
  return { ok: true, data: await applyYearDates(deps, org, [checked.dates], report, actorId) };
});
