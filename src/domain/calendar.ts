/**
 * The school's working calendar, in the organisation's timezone.
 *
 * A school day is a weekday inside a half term that is not a bank holiday. INSET days count: staff are in
 * school, and supervision happens "during the working day" (stour §5). Outside the years the term dates
 * cover, every weekday that is not a bank holiday counts, so a missing calendar never stops scheduling.
 */
import { boundedMemo } from './bounded-memo.js';
import { DateTime } from 'luxon';
import type { DateRange, HalfTerm, LocalDate, Organisation, TermDates } from './types.js';

const DAY_MS = 86_400_000;

export function addDays(day: LocalDate, n: number): LocalDate {
  const t = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) + n * DAY_MS;
  return new Date(t).toISOString().slice(0, 10);
}

/** Whether `YYYY-MM-DD` names a day that exists (not 2026-02-30). */
export function isCalendarDate(day: string): boolean {
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}

export function weekday(day: LocalDate): number {
  // 1 = Monday … 7 = Sunday
  const d = new Date(`${day}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

function within(day: LocalDate, range: Pick<DateRange, 'start' | 'end'>): boolean {
  return day >= range.start && day <= range.end;
}

const dayFormats = new Map<string, { format: Intl.DateTimeFormat; day: (ms: number, make: () => LocalDate) => LocalDate }>();
/**
 * `YYYY-MM-DD` of an instant in a zone (en-CA formats dates as ISO); the formatter is built once per zone, and
 * the answers for the last few thousand instants are kept (formatting is slow, and the same session times come
 * back in every summary).
 */
function isoDayIn(zone: string, instant: Date): LocalDate {
  let f = dayFormats.get(zone);
  if (!f) {
    f = { format: new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }), day: boundedMemo(10_000) };
    dayFormats.set(zone, f);
  }
  const { format } = f;
  return f.day(instant.getTime(), () => format.format(instant));
}

export class SchoolCalendar {
  // answers depend only on the term dates, so they are remembered for the calendar's life
  private readonly schoolDays = new Map<LocalDate, boolean>();
  private readonly between = new Map<string, number>();
  readonly timezone: string;
  private readonly halfTerms: HalfTerm[];
  private readonly holidays: DateRange[];
  private readonly bankHolidays: Set<LocalDate>;
  private readonly coveredFrom: LocalDate | undefined;
  private readonly coveredTo: LocalDate | undefined;

  constructor(org: Pick<Organisation, 'timezone' | 'termDates'>) {
    this.timezone = org.timezone;
    this.halfTerms = [...org.termDates.halfTerms].sort((a, b) => a.start.localeCompare(b.start));
    this.holidays = org.termDates.holidays;
    this.bankHolidays = new Set(org.termDates.bankHolidays);
    this.coveredFrom = this.halfTerms[0]?.start;
    this.coveredTo = this.halfTerms[this.halfTerms.length - 1]?.end;
  }

  localDate(instant: Date): LocalDate {
    return isoDayIn(this.timezone, instant);
  }

  /** The instant of a local wall-clock time; luxon resolves BST/GMT for that very day. */
  atLocalTime(day: LocalDate, hhmm: string): Date {
    const [h, m] = hhmm.split(':').map(Number);
    return DateTime.fromISO(day, { zone: this.timezone })
      .set({ hour: h ?? 0, minute: m ?? 0, second: 0, millisecond: 0 })
      .toJSDate();
  }

  startOfDay(day: LocalDate): Date {
    return this.atLocalTime(day, '00:00');
  }

  private covered(day: LocalDate): boolean {
    return this.coveredFrom !== undefined && this.coveredTo !== undefined && day >= this.coveredFrom && day <= this.coveredTo;
  }

  isHoliday(day: LocalDate): boolean {
    if (this.holidays.some((h) => within(day, h))) return true;
    return this.covered(day) && this.halfTermOf(day) === undefined;
  }

  isBankHoliday(day: LocalDate): boolean {
    return this.bankHolidays.has(day);
  }

  isSchoolDay(day: LocalDate): boolean {
    let answer = this.schoolDays.get(day);
    if (answer === undefined) {
      if (weekday(day) > 5 || this.bankHolidays.has(day)) answer = false;
      else if (this.covered(day)) answer = this.halfTermOf(day) !== undefined;
      else answer = !this.holidays.some((h) => within(day, h));
      this.schoolDays.set(day, answer);
    }
    return answer;
  }

  halfTermOf(day: LocalDate): HalfTerm | undefined {
    return this.halfTerms.find((h) => within(day, h));
  }

  /** The half term a day belongs to, or for a holiday day the next half term. */
  halfTermOnOrAfter(day: LocalDate): HalfTerm | undefined {
    return this.halfTermOf(day) ?? this.halfTerms.find((h) => h.start > day);
  }

  halfTermAfter(halfTerm: HalfTerm): HalfTerm | undefined {
    return this.halfTerms.find((h) => h.start > halfTerm.end);
  }

  /** The last day of the term (both halves) a half term belongs to. */
  termEnd(halfTerm: HalfTerm): LocalDate {
    const same = this.halfTerms.filter(
      (h) => h.term === halfTerm.term && Math.abs(Date.parse(h.start) - Date.parse(halfTerm.start)) < 200 * DAY_MS,
    );
    return same.reduce((end, h) => (h.end > end ? h.end : end), halfTerm.end);
  }

  /** The first half term of the term after the one `halfTerm` belongs to. */
  nextTermStart(halfTerm: HalfTerm): HalfTerm | undefined {
    const end = this.termEnd(halfTerm);
    return this.halfTerms.find((h) => h.start > end);
  }

  nextSchoolDay(day: LocalDate, inclusive = false): LocalDate {
    let d = inclusive ? day : addDays(day, 1);
    for (let i = 0; i < 800 && !this.isSchoolDay(d); i++) d = addDays(d, 1);
    return d;
  }

  previousSchoolDay(day: LocalDate, inclusive = false): LocalDate {
    let d = inclusive ? day : addDays(day, -1);
    for (let i = 0; i < 800 && !this.isSchoolDay(d); i++) d = addDays(d, -1);
    return d;
  }

  /** The `n`th school day after `day` (n ≥ 0; 0 is `day` itself or the next school day). */
  addSchoolDays(day: LocalDate, n: number): LocalDate {
    let d = this.nextSchoolDay(day, true);
    for (let i = 0; i < n; i++) d = this.nextSchoolDay(d);
    return d;
  }

  /** School days strictly after `from` up to and including `to`. */
  schoolDaysBetween(from: LocalDate, to: LocalDate): number {
    if (to <= from) return 0;
    const key = `${from}/${to}`;
    let count = this.between.get(key);
    if (count === undefined) {
      count = 0;
      for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (this.isSchoolDay(d)) count++;
      this.between.set(key, count);
    }
    return count;
  }
}

interface TermDatesJson {
  terms: Array<{ name: string; start: string; end: string }>;
  holidays: Array<{ name: string; start: string; end: string }>;
  exampleInsetDays?: string[];
  insetDays?: string[];
}

/** Reads term dates in the shape of the Leeds calendar file ("Autumn 1" … "Summer 2"). */
export function termDatesFromJson(json: TermDatesJson, bankHolidays: Array<{ date: string }>): TermDates {
  return {
    halfTerms: json.terms.map((t) => {
      const [term, half] = t.name.split(' ');
      if (term !== 'Autumn' && term !== 'Spring' && term !== 'Summer') throw new Error(`unknown term ${t.name}`);
      return { name: t.name, start: t.start, end: t.end, term, half: half === '2' ? 2 : 1 };
    }),
    holidays: json.holidays.map((h) => ({ name: h.name, start: h.start, end: h.end })),
    insetDays: json.insetDays ?? json.exampleInsetDays ?? [],
    bankHolidays: bankHolidays.map((b) => b.date),
  };
}
