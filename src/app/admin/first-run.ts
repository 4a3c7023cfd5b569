/**
 * First run (issue 13): on an empty database the bot logs a single-use setup link (24 hours); the page it opens
 * creates the organisation and its first admin, who is then signed in to the dashboard. `npm run admin -- init`
 * makes a link too, or creates both at once from its arguments.
 */
import { z } from 'zod';
import { BANK_HOLIDAY_DIVISIONS, type Organisation, type Person } from '../../domain/types.js';
import { DEFAULT_SUPPORT_CONTACTS } from '../../domain/support.js';
import { ValidationError } from '../errors.js';
import type { AppDeps } from '../ports.js';
import { bankHolidaysFor } from './bank-holidays.js';

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

export const firstRunInput = z
  .object({
    organisationName: z.string({ message: 'type the school’s or trust’s name' }).trim().min(2, 'type the school’s or trust’s name').max(120, 'at most 120 characters'),
    kind: z.enum(['school', 'trust'], { message: 'choose school or trust' }).default('school'),
    timezone: z.string().trim().default('Europe/London').refine(isTimeZone, 'must be a time zone such as Europe/London'),
    bankHolidayDivision: z.enum(BANK_HOLIDAY_DIVISIONS, { message: 'choose England and Wales, Scotland or Northern Ireland' }).default('england-and-wales'),
    adminName: z.string({ message: 'type your name' }).trim().min(1, 'type your name').max(120, 'at most 120 characters'),
    adminEmail: z
      .string({ message: 'type your email address' })
      .trim()
      .toLowerCase()
      .max(254, 'at most 254 characters')
      .pipe(z.email({ message: 'must be an email address such as name@school.org.uk' })),
  })
  .strict();
export type FirstRunInput = z.input<typeof firstRunInput>;

/** Labels for the setup form's fields, for messages in words. */
export const FIRST_RUN_LABELS: Record<string, string> = {
  organisationName: 'Organisation name',
  kind: 'School or trust',
  timezone: 'Time zone',
  bankHolidayDivision: 'Bank holidays',
  adminName: 'Your name',
  adminEmail: 'Your email',
};

export function parseFirstRun(input: unknown): z.infer<typeof firstRunInput> {
  const parsed = firstRunInput.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.code === 'unrecognized_keys' ? issue.keys.join(',') : String(issue?.path[0] ?? 'input');
  const message = issue?.code === 'unrecognized_keys' ? 'is not a field of this form' : (issue?.message ?? 'is not valid');
  throw new ValidationError(field, message, `${FIRST_RUN_LABELS[field] ?? field}: ${message}`);
}

const slug = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40) || 'organisation';

/** Whether the database holds no organisation (first run). */
export async function isEmpty(deps: AppDeps): Promise<boolean> {
  return (await deps.organisations.list()).length === 0;
}

/** Creates the organisation (no DSL, no term dates yet: the checklist asks for them) and its first admin. */
export async function createOrganisation(deps: AppDeps, data: z.infer<typeof firstRunInput>, by: string): Promise<{ organisation: Organisation; admin: Person }> {
  const suffix = deps.newId().replace(/[^A-Za-z0-9]/g, '').slice(0, 6);
  const bank = await bankHolidaysFor(deps, data.bankHolidayDivision);
  const organisation: Organisation = {
    id: `${slug(data.organisationName)}-${suffix}`,
    name: data.organisationName,
    kind: data.kind,
    timezone: data.timezone,
    termDates: { halfTerms: [], holidays: [], insetDays: [], bankHolidays: bank.map((b) => b.date) },
    supportContacts: DEFAULT_SUPPORT_CONTACTS.map((c) => ({ ...c })),
    dslIds: [],
    deputyDslIds: [],
    overdueGraceDays: 0,
    reminderTime: '08:30',
    bankHolidayDivision: data.bankHolidayDivision,
  };
  const admin: Person = {
    id: `${slug(data.adminEmail.split('@')[0] ?? 'admin')}-${suffix}`,
    organisationId: organisation.id,
    name: data.adminName,
    email: data.adminEmail,
    identities: {},
    roles: ['admin'],
  };
  await deps.organisations.upsert(organisation);
  await deps.people.upsert(admin);
  await deps.audit.append({ organisationId: organisation.id, at: deps.clock.now(), actorId: by, action: 'organisation.created', subject: { kind: 'organisation', id: organisation.id }, detail: { adminId: admin.id } });
  return { organisation, admin };
}
