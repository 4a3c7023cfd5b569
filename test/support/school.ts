/** A small school on the real Leeds 2025/26 calendar, for tests. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchoolCalendar, termDatesFromJson } from '../../src/domain/calendar.js';
import type { Organisation, Person, Role, SupervisionContract } from '../../src/domain/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = path.join(here, 'data');

export const leedsTermDates = termDatesFromJson(
  JSON.parse(readFileSync(path.join(dataDir, 'leeds-term-dates-2025-26.json'), 'utf8')),
  JSON.parse(readFileSync(path.join(dataDir, 'england-and-wales-bank-holidays.json'), 'utf8')).dates,
);

export function school(overrides: Partial<Organisation> = {}): Organisation {
  return {
    id: 'org-wl',
    name: 'White Laith Primary',
    kind: 'school',
    timezone: 'Europe/London',
    termDates: leedsTermDates,
    supportContacts: [{ name: 'Education Support Partnership', phone: '08000 562 561' }],
    dslIds: ['dsl'],
    deputyDslIds: ['deputy'],
    headteacherId: 'head',
    safeguardingGovernorId: 'governor',
    overdueGraceDays: 0,
    reminderTime: '08:30',
    ...overrides,
  };
}

export const calendar = (org: Organisation = school()) => new SchoolCalendar(org);

export function person(id: string, roles: Role[], extra: Partial<Person> = {}): Person {
  return {
    id,
    organisationId: 'org-wl',
    name: id.replace(/^\w/, (c) => c.toUpperCase()),
    email: `${id}@school.example`,
    identities: {},
    roles,
    ...extra,
  };
}

export function contract(overrides: Partial<SupervisionContract> = {}): SupervisionContract {
  return {
    id: 'c-amy',
    organisationId: 'org-wl',
    kind: 'one-to-one',
    level: 1,
    external: false,
    supervisorIds: ['sup'],
    superviseeIds: ['amy'],
    cadence: { kind: 'every-n-weeks', weeks: 4 },
    onRequest: false,
    durationMinutes: 60,
    location: 'Meeting room 2',
    format: 'face-to-face',
    noticeDays: 7,
    agendaTemplate: 'general',
    preferredTime: '15:45',
    startDate: '2025-09-01',
    reviewDueDate: '2026-09-01',
    signatures: [],
    disputeRoute: 'safeguarding-governor',
    active: true,
    ...overrides,
  };
}

/** An instant given as London wall-clock time. */
export function london(local: string): Date {
  return calendar().atLocalTime(local.slice(0, 10), local.slice(11, 16) || '00:00');
}
