/**
 * School years and their term dates (issue 13). A school year is named by the calendar year it starts in
 * (2026 = 2026/27) and runs from 1 August to 31 July, so Scotland's mid-August starts fall in it too.
 *
 * A year's dates are six half terms (Autumn 1 … Summer 2), ordered, within the year and not overlapping, and
 * the school's INSET days: weekdays within the year. The holidays are the gaps between the half terms.
 * Problems come back as `{ field, message }`, every one of them, in words (nothing is written while any remains).
 */
import { addDays, isCalendarDate, weekday } from './calendar.js';
import type { DateRange, HalfTerm, LocalDate, TermDates } from './types.js';

export interface SchoolYearRange {
  year: number;
  label: string;
  start: LocalDate;
  end: LocalDate;
}

export function schoolYear(year: number): SchoolYearRange {
  return { year, label: `${year}/${String((year + 1) % 100).padStart(2, '0')}`, start: `${year}-08-01`, end: `${year + 1}-07-31` };
}

/** The school year a day belongs to. */
export function schoolYearOf(day: LocalDate): number {
  const y = Number(day.slice(0, 4));
  return Number(day.slice(5, 7)) >= 8 ? y : y - 1;
}

export const HALF_TERM_NAMES = ['Autumn 1', 'Autumn 2', 'Spring 1', 'Spring 2', 'Summer 1', 'Summer 2'] as const;

export interface YearDatesInput {
  halfTerms: Array<{ name: string; start: LocalDate; end: LocalDate }>;
  insetDays: LocalDate[];
}

export interface YearDates {
  year: number;
  halfTerms: HalfTerm[];
  holidays: DateRange[];
  insetDays: LocalDate[];
}

export interface DateProblem {
  field: string;
  message: string;
}

const HOLIDAY_AFTER: Record<string, string> = {
  'Autumn 1': 'Autumn half term',
  'Autumn 2': 'Christmas holiday',
  'Spring 1': 'Spring half term',
  'Spring 2': 'Easter holiday',
  'Summer 1': 'Summer half term',
};

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** "Monday 2 August 2027". */
export const longDate = (day: LocalDate) => `${DAYS[weekday(day) - 1]} ${Number(day.slice(8, 10))} ${MONTHS[Number(day.slice(5, 7)) - 1]} ${day.slice(0, 4)}`;
const long = longDate;

/** Checks a year's dates; either the dates as the calendar keeps them, or every problem found. */
export function checkYearDates(year: number, input: YearDatesInput): { ok: true; dates: YearDates } | { ok: false; problems: DateProblem[] } {
  const range = schoolYear(year);
  const problems: DateProblem[] = [];
  const byName = new Map<string, { name: string; start: LocalDate; end: LocalDate; index: number }>();
  input.halfTerms.forEach((h, i) => {
    const field = `halfTerms.${i}`;
    if (!(HALF_TERM_NAMES as readonly string[]).includes(h.name)) {
      problems.push({ field: `${field}.name`, message: `"${h.name.slice(0, 40)}" is not a half term; use ${HALF_TERM_NAMES.join(', ')}` });
      return;
    }
    if (byName.has(h.name)) problems.push({ field: `${field}.name`, message: `${h.name} is given twice` });
    let datesOk = true;
    for (const key of ['start', 'end'] as const) {
      if (!isCalendarDate(h[key])) {
        problems.push({ field: `${field}.${key}`, message: `${h.name} ${key}: "${String(h[key]).slice(0, 20)}" is not a date (YYYY-MM-DD)` });
        datesOk = false;
      } else if (h[key] < range.start || h[key] > range.end) {
        problems.push({ field: `${field}.${key}`, message: `${h.name} ${key}: ${long(h[key])} is outside the school year ${range.label} (1 August ${year} to 31 July ${year + 1})` });
        datesOk = false;
      }
    }
    if (datesOk && h.end < h.start) problems.push({ field: `${field}.end`, message: `${h.name} ends (${long(h.end)}) before it starts (${long(h.start)})` });
    byName.set(h.name, { ...h, index: i });
  });
  for (const name of HALF_TERM_NAMES) if (!byName.has(name)) problems.push({ field: 'halfTerms', message: `${name} is missing: a school year has six half terms` });
  if (problems.length === 0) {
    for (let i = 1; i < HALF_TERM_NAMES.length; i++) {
      const before = byName.get(HALF_TERM_NAMES[i - 1] as string)!;
      const after = byName.get(HALF_TERM_NAMES[i] as string)!;
      if (after.start <= before.end) {
        problems.push({ field: `halfTerms.${after.index}.start`, message: `${after.name} starts (${long(after.start)}) before ${before.name} ends (${long(before.end)}): half terms must be in order and must not overlap` });
      }
    }
  }
  const inset = new Set<LocalDate>();
  input.insetDays.forEach((d, i) => {
    const field = `insetDays.${i}`;
    if (!isCalendarDate(d)) problems.push({ field, message: `INSET day ${i + 1}: "${String(d).slice(0, 20)}" is not a date (YYYY-MM-DD)` });
    else if (d < range.start || d > range.end) problems.push({ field, message: `INSET day ${i + 1}: ${long(d)} is outside the school year ${range.label}` });
    else if (weekday(d) > 5) problems.push({ field, message: `INSET day ${i + 1}: ${long(d)} is a weekend day` });
    else if (inset.has(d)) problems.push({ field, message: `INSET day ${i + 1}: ${long(d)} is given twice` });
    inset.add(d);
  });
  if (problems.length > 0) return { ok: false, problems };
  const halfTerms: HalfTerm[] = HALF_TERM_NAMES.map((name) => {
    const h = byName.get(name)!;
    const [term, half] = name.split(' ') as [HalfTerm['term'], string];
    return { name, start: h.start, end: h.end, term, half: half === '2' ? 2 : 1 };
  });
  const holidays: DateRange[] = [];
  for (let i = 0; i < halfTerms.length - 1; i++) {
    const a = halfTerms[i] as HalfTerm;
    const b = halfTerms[i + 1] as HalfTerm;
    const start = addDays(a.end, 1);
    const end = addDays(b.start, -1);
    if (start <= end) holidays.push({ name: HOLIDAY_AFTER[a.name] as string, start, end });
  }
  return { ok: true, dates: { year, halfTerms, holidays, insetDays: [...inset].sort() } };
}

/** The year's half terms, holidays and INSET days as stored (none when the calendar has no such year). */
export function yearDatesOf(termDates: TermDates, year: number): YearDates {
  const { start, end } = schoolYear(year);
  const inYear = (r: { start: LocalDate }) => r.start >= start && r.start <= end;
  return {
    year,
    halfTerms: termDates.halfTerms.filter(inYear).sort((a, b) => a.start.localeCompare(b.start)),
    holidays: termDates.holidays.filter(inYear),
    insetDays: termDates.insetDays.filter((d) => d >= start && d <= end).sort(),
  };
}

/** Whether the calendar holds the year's six half terms (the bot schedules only into such a year). */
export function hasYearDates(termDates: TermDates, year: number): boolean {
  return yearDatesOf(termDates, year).halfTerms.length >= HALF_TERM_NAMES.length;
}

/** The term dates with one year's dates replaced by `dates` (other years and the bank holidays kept). */
export function withYearDates(termDates: TermDates, dates: YearDates): TermDates {
  const { start, end } = schoolYear(dates.year);
  const outside = (r: { start: LocalDate }) => r.start < start || r.start > end;
  const byStart = (a: { start: LocalDate }, b: { start: LocalDate }) => a.start.localeCompare(b.start);
  return {
    halfTerms: [...termDates.halfTerms.filter(outside), ...dates.halfTerms].sort(byStart),
    holidays: [...termDates.holidays.filter(outside), ...dates.holidays].sort(byStart),
    insetDays: [...termDates.insetDays.filter((d) => d < start || d > end), ...dates.insetDays].sort(),
    bankHolidays: termDates.bankHolidays,
  };
}

/**
 * From the first day of the summer half terms on (Summer 1), the admin and the DSL are asked for the next
 * year's dates until they are in.
 */
export function nextYearDatesWanted(termDates: TermDates, today: LocalDate): number | undefined {
  const year = schoolYearOf(today);
  const summer = yearDatesOf(termDates, year).halfTerms.find((h) => h.name === 'Summer 1');
  const from = summer?.start ?? `${year + 1}-04-15`;
  if (today < from) return undefined;
  return hasYearDates(termDates, year + 1) ? undefined : year + 1;
}
