/** A school year's dates: checked whole (six half terms, ordered, within the year, no overlaps), and read from .ics. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify, readIcs, yearsFromEvents } from '../../../src/app/admin/terms-ics.js';
import { readiness } from '../../../src/domain/readiness.js';
import { checkYearDates, hasYearDates, nextYearDatesWanted, schoolYearOf, withYearDates } from '../../../src/domain/school-year.js';
import { leedsTermDates } from '../../support/school.js';

const halves = (year: number) => [
  { name: 'Autumn 1', start: `${year}-09-02`, end: `${year}-10-23` },
  { name: 'Autumn 2', start: `${year}-11-02`, end: `${year}-12-18` },
  { name: 'Spring 1', start: `${year + 1}-01-04`, end: `${year + 1}-02-12` },
  { name: 'Spring 2', start: `${year + 1}-02-22`, end: `${year + 1}-03-25` },
  { name: 'Summer 1', start: `${year + 1}-04-12`, end: `${year + 1}-05-28` },
  { name: 'Summer 2', start: `${year + 1}-06-07`, end: `${year + 1}-07-21` },
];

describe('a school year’s dates', () => {
  it('accepts six ordered half terms and derives the holidays between them', () => {
    const checked = checkYearDates(2026, { halfTerms: halves(2026), insetDays: ['2026-09-02', '2027-07-21'] });
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.dates.holidays.map((h) => `${h.name} ${h.start}..${h.end}`)).toEqual([
      'Autumn half term 2026-10-24..2026-11-01',
      'Christmas holiday 2026-12-19..2027-01-03',
      'Spring half term 2027-02-13..2027-02-21',
      'Easter holiday 2027-03-26..2027-04-11',
      'Summer half term 2027-05-29..2027-06-06',
    ]);
  });

  it('names every problem: missing, overlapping, outside the year, reversed, weekend INSET', () => {
    const bad = halves(2026);
    bad[1] = { name: 'Autumn 2', start: '2026-10-20', end: '2026-12-18' }; // overlaps Autumn 1
    bad[5] = { name: 'Summer 2', start: '2027-06-07', end: '2027-08-02' }; // past 31 July
    const checked = checkYearDates(2026, { halfTerms: bad.slice(0, 6), insetDays: ['2026-09-05'] });
    expect(checked.ok).toBe(false);
    const messages = checked.ok ? [] : checked.problems.map((p) => `${p.field}: ${p.message}`);
    expect(messages.join('\n')).toMatch(/halfTerms\.5\.end: Summer 2 end: Monday 2 August 2027 is outside the school year 2026\/27/);
    expect(messages.join('\n')).toMatch(/insetDays\.0: INSET day 1: Saturday 5 September 2026 is a weekend day/);
    const overlap = checkYearDates(2026, { halfTerms: bad.slice(0, 5).concat(halves(2026)[5]!), insetDays: [] });
    expect(overlap.ok ? [] : overlap.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^Autumn 2 starts \(Tuesday 20 October 2026\) before Autumn 1 ends/)]);
    const missing = checkYearDates(2026, { halfTerms: halves(2026).slice(0, 5), insetDays: [] });
    expect(missing.ok ? [] : missing.problems.map((p) => p.message)).toEqual(['Summer 2 is missing: a school year has six half terms']);
    const reversed = checkYearDates(2026, { halfTerms: [...halves(2026).slice(0, 5), { name: 'Summer 2', start: '2027-07-21', end: '2027-06-07' }], insetDays: [] });
    expect(reversed.ok ? [] : reversed.problems.map((p) => p.field)).toEqual(['halfTerms.5.end']);
  });

  it('knows which years are in, asks for next year’s from the summer half term, and says when supervision can run', () => {
    expect(schoolYearOf('2026-07-31')).toBe(2025);
    expect(schoolYearOf('2026-08-01')).toBe(2026);
    expect(hasYearDates(leedsTermDates, 2025)).toBe(true);
    expect(hasYearDates(leedsTermDates, 2026)).toBe(false);
    expect(nextYearDatesWanted(leedsTermDates, '2026-04-17')).toBeUndefined();
    expect(nextYearDatesWanted(leedsTermDates, '2026-04-20')).toBe(2026);
    const checked = checkYearDates(2026, { halfTerms: halves(2026), insetDays: [] });
    const both = checked.ok ? withYearDates(leedsTermDates, checked.dates) : leedsTermDates;
    expect(nextYearDatesWanted(both, '2026-06-01')).toBeUndefined();
    expect(both.halfTerms).toHaveLength(12);
    expect(readiness({ dslIds: ['dsl'], termDates: leedsTermDates }, '2025-11-10')).toEqual({ ready: true, missing: [], year: 2025 });
    expect(readiness({ dslIds: [], termDates: leedsTermDates }, '2026-09-10')).toEqual({ ready: false, missing: ['dsl', 'term-dates'], year: 2026 });
  });
});

const ics = (...events: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Test//EN', ...events.flatMap((e) => ['BEGIN:VEVENT', ...e.split('\n'), 'END:VEVENT']), 'END:VCALENDAR', ''].join('\r\n');
const ev = (summary: string, start: string, endExclusive?: string) =>
  [`UID:${summary.replace(/\W/g, '')}${start}@t`, 'DTSTAMP:20260101T000000Z', `DTSTART;VALUE=DATE:${start.replace(/-/g, '')}`, ...(endExclusive ? [`DTEND;VALUE=DATE:${endExclusive.replace(/-/g, '')}`] : []), `SUMMARY:${summary}`].join('\n');

describe('term dates from an .ics file', () => {
  it('reads the shipped example: six half terms, five INSET days, the bank holiday left to the shipped list', () => {
    const read = readIcs('term-dates-2026-27.ics', readFileSync('examples/term-dates-2026-27.ics', 'utf8'));
    expect(read.errors).toEqual([]);
    const years = yearsFromEvents('term-dates-2026-27.ics', read.events);
    expect(years.errors).toEqual([]);
    expect(years.years).toHaveLength(1);
    expect(years.years[0]?.halfTerms.map((h) => `${h.name} ${h.start}..${h.end}`)).toEqual([
      'Autumn 1 2026-09-02..2026-10-23',
      'Autumn 2 2026-11-02..2026-12-18',
      'Spring 1 2027-01-04..2027-02-12',
      'Spring 2 2027-02-22..2027-03-25',
      'Summer 1 2027-04-12..2027-05-28',
      'Summer 2 2027-06-07..2027-07-21',
    ]);
    expect(years.years[0]?.insetDays).toEqual(['2026-09-02', '2026-12-18', '2027-02-12', '2027-07-20', '2027-07-21']);
    expect(years.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^a bank holiday/)]);
  });

  it('splits whole terms at the half-term holiday inside them', () => {
    const text = ics(
      ev('Autumn Term', '2026-09-02', '2026-12-19'),
      ev('October half term', '2026-10-26', '2026-10-31'),
      ev('Spring Term', '2027-01-04', '2027-03-26'),
      ev('February half-term holiday', '2027-02-15', '2027-02-20'),
      ev('Summer Term', '2027-04-12', '2027-07-22'),
      ev('Whitsun break', '2027-05-31', '2027-06-05'),
      ev('Staff training day', '2026-09-01', '2026-09-02'),
    );
    const years = yearsFromEvents('council.ics', readIcs('council.ics', text).events);
    expect(years.errors).toEqual([]);
    expect(years.years[0]?.halfTerms.map((h) => `${h.name} ${h.start}..${h.end}`)).toEqual([
      'Autumn 1 2026-09-02..2026-10-23',
      'Autumn 2 2026-11-02..2026-12-18',
      'Spring 1 2027-01-04..2027-02-12',
      'Spring 2 2027-02-22..2027-03-25',
      'Summer 1 2027-04-12..2027-05-28',
      'Summer 2 2027-06-07..2027-07-21',
    ]);
    expect(years.years[0]?.insetDays).toEqual(['2026-09-01']);
  });

  it('refuses a bad file with its line and reason', () => {
    expect(readIcs('x.ics', 'Term,Start,End\r\nAutumn 1,2026-09-02,2026-10-23').errors).toEqual([
      { file: 'x.ics', row: 1, column: '', message: 'is not an iCalendar file: it must begin with BEGIN:VCALENDAR' },
    ]);
    const noStart = ics(ev('Autumn 1', '2026-09-02', '2026-10-24'), 'UID:x@t\nDTSTAMP:20260101T000000Z\nSUMMARY:Autumn 2');
    expect(readIcs('y.ics', noStart).errors).toEqual([{ file: 'y.ics', row: 11, column: 'DTSTART', message: 'the event has no start date (DTSTART)' }]);
    const backwards = ics(ev('Autumn 1', '2026-09-02', '2026-08-24'));
    expect(readIcs('z.ics', backwards).errors).toMatchObject([{ file: 'z.ics', row: 4, column: 'DTEND' }]);
    const overlapping = ics(...halves(2026).map((h, i) => ev(h.name, i === 1 ? '2026-10-01' : h.start, h.end)));
    const years = yearsFromEvents('o.ics', readIcs('o.ics', overlapping).events);
    expect(years.errors).toEqual([{ file: 'o.ics', row: 11, column: 'DTSTART', message: expect.stringMatching(/^Autumn 2 starts \(Thursday 1 October 2026\) before Autumn 1 ends/) }]);
    expect(readIcs('b.ics', 'BEGIN:VCALENDAR\r\nthis is not a property line\r\nEND:VCALENDAR\r\n').errors).toMatchObject([{ file: 'b.ics', row: 2 }]);
  });

  it('classifies summaries', () => {
    expect(classify('Autumn half term')).toEqual({ kind: 'holiday' });
    expect(classify('Spring Term 2')).toEqual({ kind: 'half', name: 'Spring 2' });
    expect(classify('Summer term (first half)')).toEqual({ kind: 'half', name: 'Summer 1' });
    expect(classify('INSET')).toEqual({ kind: 'inset' });
    expect(classify('Good Friday')).toEqual({ kind: 'bank-holiday' });
    expect(classify('Parents’ evening')).toEqual({ kind: 'other' });
  });
});
