/**
 * Bank holidays (issue 13): England and Wales, Scotland and Northern Ireland ship with the product
 * (`data/bank-holidays.json`, in the format of www.gov.uk/bank-holidays.json) and can be refreshed from that file
 * (`npm run admin -- import bank-holidays <file>`). Each organisation keeps the bank holidays of its division in
 * its calendar; a refresh rewrites them for every organisation of a division it brings.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isCalendarDate } from '../../domain/calendar.js';
import { BANK_HOLIDAY_DIVISIONS, type BankHolidayDivision, type Organisation } from '../../domain/types.js';
import type { AppDeps, BankHolidayEvent } from '../ports.js';
import { emptyReport, type ImportReport } from './report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SHIPPED_BANK_HOLIDAYS = path.join(here, 'data', 'bank-holidays.json');

const division = z
  .object({
    division: z.enum(BANK_HOLIDAY_DIVISIONS, { message: `must be one of ${BANK_HOLIDAY_DIVISIONS.join(', ')}` }),
    events: z
      .array(
        z.object({
          title: z.string({ message: 'must be the holiday’s name' }).trim().min(1, 'must be the holiday’s name').max(200, 'at most 200 characters'),
          date: z.string({ message: 'must be a date (YYYY-MM-DD)' }).refine(isCalendarDate, 'must be a date (YYYY-MM-DD)'),
          notes: z.string().max(500).optional(),
          bunting: z.boolean().optional(),
        }),
        { message: 'must be a list of events' },
      )
      .max(2000, 'at most 2,000 events'),
  })
  .passthrough();

/** The UK government's bank-holidays.json: one entry per division (any of the three). */
export const bankHolidaysFile = z
  .object({ 'england-and-wales': division.optional(), scotland: division.optional(), 'northern-ireland': division.optional() })
  .strict()
  .superRefine((v, ctx) => {
    if (!v['england-and-wales'] && !v.scotland && !v['northern-ireland']) ctx.addIssue({ code: 'custom', path: [], message: 'has none of england-and-wales, scotland, northern-ireland' });
    for (const key of BANK_HOLIDAY_DIVISIONS) {
      const d = v[key];
      if (d && d.division !== key) ctx.addIssue({ code: 'custom', path: [key, 'division'], message: `must be ${key}, as its key says` });
    }
  });

let shipped: Record<BankHolidayDivision, BankHolidayEvent[]> | undefined;
export function shippedBankHolidays(division: BankHolidayDivision): BankHolidayEvent[] {
  if (!shipped) {
    const file = bankHolidaysFile.parse(JSON.parse(readFileSync(SHIPPED_BANK_HOLIDAYS, 'utf8')));
    shipped = Object.fromEntries(BANK_HOLIDAY_DIVISIONS.map((d) => [d, (file[d]?.events ?? []).map((e) => ({ date: e.date, title: e.title }))])) as Record<BankHolidayDivision, BankHolidayEvent[]>;
  }
  return shipped[division];
}

/** The division's bank holidays: the last refresh, else the shipped copy. */
export async function bankHolidaysFor(deps: Pick<AppDeps, 'bankHolidays'>, division: BankHolidayDivision): Promise<BankHolidayEvent[]> {
  return (await deps.bankHolidays.get(division))?.events ?? shippedBankHolidays(division);
}

export const divisionOf = (org: Pick<Organisation, 'bankHolidayDivision'>): BankHolidayDivision => org.bankHolidayDivision ?? 'england-and-wales';

/** Reads and checks a bank-holidays.json; then (unless a dry run) stores each division and rewrites its organisations' calendars. */
export async function importBankHolidays(deps: AppDeps, file: string, text: string, dryRun: boolean, actorId: string): Promise<ImportReport & { organisationsUpdated: number }> {
  const report = emptyReport(dryRun);
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    const row = at ? text.slice(0, Number(at)).split('\n').length : 0;
    return { ...report, organisationsUpdated: 0, errors: [{ file, row, column: '', message: 'is not JSON: download bank-holidays.json from www.gov.uk/bank-holidays.json' }] };
  }
  const parsed = bankHolidaysFile.safeParse(json);
  if (!parsed.success) {
    return {
      ...report,
      organisationsUpdated: 0,
      errors: parsed.error.issues.slice(0, 100).map((i) => ({ file, row: 0, column: i.path.join('.'), message: i.code === 'unrecognized_keys' ? `${i.keys.join(', ')} is not a division (england-and-wales, scotland, northern-ireland)` : i.message })),
    };
  }
  const brought = BANK_HOLIDAY_DIVISIONS.filter((d) => parsed.data[d]);
  const now = deps.clock.now();
  let organisationsUpdated = 0;
  const orgs = await deps.organisations.list();
  for (const d of brought) {
    const events = (parsed.data[d]?.events ?? []).map((e) => ({ date: e.date, title: e.title })).sort((a, b) => a.date.localeCompare(b.date));
    const before = await bankHolidaysFor(deps, d);
    const dates = new Set(events.map((e) => e.date));
    for (const e of events) {
      const old = before.find((b) => b.date === e.date);
      if (!old) report.created++;
      else if (old.title === e.title) report.unchanged++;
      else report.updated++;
    }
    report.deactivated += before.filter((b) => !dates.has(b.date)).length;
    if (dryRun) continue;
    await deps.bankHolidays.put(d, events, now);
    for (const org of orgs.filter((o) => divisionOf(o) === d)) {
      const same = org.termDates.bankHolidays.length === dates.size && org.termDates.bankHolidays.every((x) => dates.has(x));
      if (same) continue;
      await deps.organisations.upsert({ ...org, termDates: { ...org.termDates, bankHolidays: [...dates].sort() } });
      await deps.audit.append({ organisationId: org.id, at: now, actorId, action: 'bank-holidays.refreshed', subject: { kind: 'organisation', id: org.id }, detail: { division: d, count: dates.size } });
      organisationsUpdated++;
    }
  }
  return { ...report, organisationsUpdated };
}
