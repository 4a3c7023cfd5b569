/**
 * The council's term dates as an iCalendar file (`.ics`, RFC 5545), parsed with ical.js. Each VEVENT is read
 * by its SUMMARY and dates:
 *   - a half term ("Autumn 1", "Spring term 2", "Summer Term (second half)") → that half term;
 *   - a whole term ("Autumn Term") → its two halves, split by the half-term holiday inside it;
 *   - a holiday ("Autumn half term", "Christmas holiday", "Easter break") → the gap between half terms;
 *   - an INSET day ("INSET day", "Staff training day") → each weekday it covers;
 *   - a bank holiday → ignored (they ship with the product, by division);
 *   - anything else → ignored with a warning naming its line.
 * A broken event (no DTSTART, an end before its start) or a year whose half terms do not add up is refused with
 * the file, the line of the event and the reason; a refused file writes nothing.
 */
import ICAL from 'ical.js';
import { addDays, weekday } from '../../domain/calendar.js';
import { checkYearDates, schoolYearOf, type YearDates } from '../../domain/school-year.js';
import { parseInput, useCase, type UseCaseResult } from '../errors.js';
import type { AppDeps } from '../ports.js';
import { loadAdministrator } from './access.js';
import { decodeUtf8, emptyReport, type ImportProblem, type ImportReport, uploadSchema } from './report.js';
import { applyYearDates } from './terms.js';

export interface IcsEvent {
  line: number;
  summary: string;
  start: string;
  /** Inclusive last day. */
  end: string;
}

type Kind = { kind: 'half'; name: string } | { kind: 'term'; term: 'Autumn' | 'Spring' | 'Summer' } | { kind: 'holiday' } | { kind: 'inset' } | { kind: 'bank-holiday' } | { kind: 'other' };

const TERM = /\b(autumn|spring|summer)\b/i;
const SECOND = /(\b2\b|\bii\b|second|two|2nd|\b(autumn|spring|summer)\s*b\b)/i;
const FIRST = /(\b1\b|\bi\b|first|one|1st|\b(autumn|spring|summer)\s*a\b)/i;

export function classify(summary: string): Kind {
  const s = summary.replace(/\s+/g, ' ').trim();
  if (/\binset\b|training day|staff development day|professional development day|\bpd day\b|non[- ]pupil day|teacher day|teacher training/i.test(s)) return { kind: 'inset' };
  if (/bank holiday|good friday|easter monday|christmas day|boxing day|new year|st\.? andrew|st\.? patrick|battle of the boyne|orangemen|may day/i.test(s)) return { kind: 'bank-holiday' };
  if (/holiday|half[- ]?term|break|closure|closed|vacation/i.test(s)) return { kind: 'holiday' };
  const term = TERM.exec(s)?.[1];
  if (term) {
    const name = term[0]!.toUpperCase() + term.slice(1).toLowerCase();
    if (SECOND.test(s)) return { kind: 'half', name: `${name} 2` };
    if (FIRST.test(s)) return { kind: 'half', name: `${name} 1` };
    if (/\bterm\b/i.test(s)) return { kind: 'term', term: name as 'Autumn' | 'Spring' | 'Summer' };
  }
  return { kind: 'other' };
}

/** The 1-based line of each `BEGIN:VEVENT`, in order. */
function eventLines(text: string): number[] {
  const lines: number[] = [];
  text.split(/\r\n|\n|\r/).forEach((l, i) => {
    if (/^BEGIN:VEVENT\s*$/i.test(l)) lines.push(i + 1);
  });
  return lines;
}

const dateOf = (t: ICAL.Time) => `${String(t.year).padStart(4, '0')}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;

/** Reads the events; every problem with the file, line and property that caused it. */
export function readIcs(file: string, text: string): { events: IcsEvent[]; errors: ImportProblem[]; warnings: ImportProblem[] } {
  const errors: ImportProblem[] = [];
  const warnings: ImportProblem[] = [];
  const body = text.replace(/^\uFEFF/, '');
  if (!/^BEGIN:VCALENDAR\s*$/im.test(body.split(/\r\n|\n|\r/, 1)[0] ?? '')) {
    return { events: [], errors: [{ file, row: 1, column: '', message: 'is not an iCalendar file: it must begin with BEGIN:VCALENDAR' }], warnings };
  }
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(body) as unknown[]);
  } catch (error) {
    const message = (error as Error).message ?? 'cannot be read';
    // ical.js names the line it could not read: find it to give its number
    const quoted = /"([^"]{1,200})"\s*$/.exec(message)?.[1];
    const row = quoted ? body.split(/\r\n|\n|\r/).findIndex((l) => l.includes(quoted.trim())) + 1 : 0;
    return { events: [], errors: [{ file, row, column: '', message: `cannot be read as iCalendar: ${message.replace(/"[^"]*"/g, '').replace(/\s+/g, ' ').trim()}` }], warnings };
  }
  const lines = eventLines(body);
  const events: IcsEvent[] = [];
  root.getAllSubcomponents('vevent').forEach((vevent, i) => {
    const line = lines[i] ?? 0;
    const summary = String(vevent.getFirstPropertyValue('summary') ?? '').trim();
    if (!summary) {
      errors.push({ file, row: line, column: 'SUMMARY', message: 'the event has no SUMMARY, so it cannot be told apart from a term, holiday or INSET day' });
      return;
    }
    let start: ICAL.Time | undefined;
    try {
      start = (vevent.getFirstPropertyValue('dtstart') as ICAL.Time | null) ?? undefined;
    } catch {
      start = undefined;
    }
    if (!start || typeof start.year !== 'number' || Number.isNaN(start.year)) {
      errors.push({ file, row: line, column: 'DTSTART', message: 'the event has no start date (DTSTART)' });
      return;
    }
    let end: string;
    try {
      const dtend = vevent.getFirstPropertyValue('dtend') as ICAL.Time | null;
      const duration = vevent.getFirstPropertyValue('duration') as ICAL.Duration | null;
      const exclusive = dtend ?? (duration ? start.clone() : null);
      if (exclusive && !dtend && duration) exclusive.addDuration(duration);
      if (!exclusive) end = dateOf(start);
      else if (exclusive.isDate || (exclusive.hour === 0 && exclusive.minute === 0 && exclusive.second === 0)) end = addDays(dateOf(exclusive), -1);
      else end = dateOf(exclusive);
      if (end < dateOf(start)) {
        if (!dtend || exclusive?.compare(start) === 0) end = dateOf(start);
        else {
          errors.push({ file, row: line, column: 'DTEND', message: `the event ends (${dateOf(exclusive as ICAL.Time)}) before it starts (${dateOf(start)})` });
          return;
        }
      }
    } catch {
      errors.push({ file, row: line, column: 'DTEND', message: 'the end date (DTEND or DURATION) cannot be read' });
      return;
    }
    if (vevent.hasProperty('rrule')) warnings.push({ file, row: line, column: 'RRULE', message: 'the event repeats; only its first occurrence is read' });
    events.push({ line, summary, start: dateOf(start), end });
  });
  if (events.length === 0 && errors.length === 0) errors.push({ file, row: 0, column: '', message: 'has no events (VEVENT) in it' });
  return { events, errors, warnings };
}

/** The events → each school year's six half terms and INSET days, checked; problems name the event's line. */
export function yearsFromEvents(file: string, events: IcsEvent[]): { years: YearDates[]; errors: ImportProblem[]; warnings: ImportProblem[] } {
  const errors: ImportProblem[] = [];
  const warnings: ImportProblem[] = [];
  const halves: Array<IcsEvent & { name: string }> = [];
  const terms: Array<IcsEvent & { term: string }> = [];
  const holidays: IcsEvent[] = [];
  const inset: Array<{ day: string; line: number }> = [];
  for (const e of events) {
    const kind = classify(e.summary);
    if (kind.kind === 'half') halves.push({ ...e, name: kind.name });
    else if (kind.kind === 'term') terms.push({ ...e, term: kind.term });
    else if (kind.kind === 'holiday') holidays.push(e);
    else if (kind.kind === 'inset') {
      for (let d = e.start; d <= e.end; d = addDays(d, 1)) if (weekday(d) <= 5) inset.push({ day: d, line: e.line });
    } else if (kind.kind === 'bank-holiday') warnings.push({ file, row: e.line, column: 'SUMMARY', message: 'a bank holiday: they come from the bank holidays that ship with the product, so the event is not needed' });
    else warnings.push({ file, row: e.line, column: 'SUMMARY', message: 'not a term, half term, holiday or INSET day, so it is ignored' });
  }
  // a whole term with the half-term holiday inside it: its two halves
  for (const t of terms) {
    const gap = holidays.find((h) => h.start > t.start && h.end < t.end);
    if (!gap) {
      errors.push({ file, row: t.line, column: 'SUMMARY', message: `the ${t.term} term has no half-term holiday inside it, so its two halves cannot be told; give the half terms (${t.term} 1, ${t.term} 2) or the half-term holiday` });
      continue;
    }
    // the halves end and start on weekdays, whatever weekend the holiday's event takes in
    let end = addDays(gap.start, -1);
    while (weekday(end) > 5) end = addDays(end, -1);
    let start = addDays(gap.end, 1);
    while (weekday(start) > 5) start = addDays(start, 1);
    halves.push({ ...t, name: `${t.term} 1`, end }, { ...t, name: `${t.term} 2`, start });
  }
  const byYear = new Map<number, Array<IcsEvent & { name: string }>>();
  for (const h of halves) {
    const year = schoolYearOf(h.start);
    byYear.set(year, [...(byYear.get(year) ?? []), h]);
  }
  if (byYear.size === 0 && errors.length === 0) errors.push({ file, row: 0, column: '', message: 'has no half terms or terms in it (events named like "Autumn 1" or "Autumn Term")' });
  const years: YearDates[] = [];
  for (const [year, list] of [...byYear].sort(([a], [b]) => a - b)) {
    list.sort((a, b) => a.start.localeCompare(b.start));
    const days = inset.filter((d) => schoolYearOf(d.day) === year);
    const unique = days.filter((d, i) => days.findIndex((o) => o.day === d.day) === i);
    const checked = checkYearDates(year, { halfTerms: list.map((h) => ({ name: h.name, start: h.start, end: h.end })), insetDays: unique.map((d) => d.day) });
    if (checked.ok) {
      years.push(checked.dates);
      continue;
    }
    for (const p of checked.problems) {
      const m = /^(halfTerms|insetDays)\.(\d+)/.exec(p.field);
      const row = m ? (m[1] === 'halfTerms' ? list[Number(m[2])]?.line : unique[Number(m[2])]?.line) ?? 0 : 0;
      errors.push({ file, row, column: m?.[1] === 'insetDays' ? 'DTSTART' : m ? (p.field.endsWith('.end') ? 'DTEND' : p.field.endsWith('.name') ? 'SUMMARY' : 'DTSTART') : '', message: p.message });
    }
  }
  for (const d of inset) {
    if (!byYear.has(schoolYearOf(d.day))) errors.push({ file, row: d.line, column: 'DTSTART', message: `an INSET day in a school year the file gives no half terms for (${d.day})` });
  }
  return { years, errors, warnings };
}

export const importTermsIcs = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<ImportReport>> => {
  const { file, bytes, dryRun } = parseInput(uploadSchema, input);
  const { org } = await loadAdministrator(deps, actorId, 'terms.manage');
  const text = decodeUtf8(file, bytes);
  if (typeof text !== 'string') return { ok: true, data: { ...emptyReport(dryRun), errors: [text] } };
  return { ok: true, data: await importTermsText(deps, org, actorId, file, text, dryRun) };
});

/** Reads, checks and (unless a dry run, or refused) writes the file's years. */
export async function importTermsText(deps: AppDeps, org: Parameters<typeof applyYearDates>[1], actorId: string, file: string, text: string, dryRun: boolean): Promise<ImportReport> {
  const report = emptyReport(dryRun);
  const read = readIcs(file, text);
  report.warnings.push(...read.warnings);
  if (read.errors.length > 0) return { ...report, errors: read.errors };
  const years = yearsFromEvents(file, read.events);
  report.warnings.push(...years.warnings);
  if (years.errors.length > 0) return { ...report, errors: years.errors };
  return applyYearDates(deps, org, years.years, report, actorId);
}
