/**
 * The setup checklist (issue 13, "ready or not"): what a school has put in and what is still to do, for the
 * dashboard and `npm run admin -- status`. Counts and names only: nothing of anyone's supervision.
 */
import { z } from 'zod';
import { readiness } from '../../domain/readiness.js';
import { nextYearDatesWanted, schoolYear } from '../../domain/school-year.js';
import type { Organisation, Person } from '../../domain/types.js';
import { calendarOf } from '../context.js';
import { parseInput, type UseCaseResult, useCase } from '../errors.js';
import type { AppDeps } from '../ports.js';
import { loadAdministrator } from './access.js';

export const CHECKLIST_KEYS = ['organisation', 'dsl', 'term-dates', 'next-year-term-dates', 'staff', 'identities', 'contracts'] as const;
export type ChecklistKey = (typeof CHECKLIST_KEYS)[number];

export interface ChecklistItem {
  key: ChecklistKey;
  done: boolean;
  /** What it is, in words ("Term dates for 2025/26"). */
  label: string;
  /** Where it stands, in words ("12 of 40 people linked"). */
  detail: string;
  /** Whether supervision cannot run without it (a DSL, this year's term dates). */
  required: boolean;
}

export interface SetupChecklist {
  organisation: { id: string; name: string; timezone: string };
  /** Supervision runs (a DSL and this year's term dates exist). */
  ready: boolean;
  schoolYear: string;
  items: ChecklistItem[];
  counts: { staff: number; linked: number; unlinked: number; unreachable: number; activeContracts: number };
}

/** Whether a person is on the staff supervision reaches (anyone with a role other than administering). */
const isStaff = (p: Person) => p.roles.some((r) => r !== 'admin');
const linked = (p: Person) => Boolean(p.identities.slackUserId || p.identities.teamsAadObjectId);

export async function checklistOf(deps: AppDeps, org: Organisation): Promise<SetupChecklist> {
  const today = calendarOf(org).localDate(deps.clock.now());
  const ready = readiness(org, today);
  const [people, contracts, unreachable] = await Promise.all([
    deps.people.byOrganisation(org.id),
    deps.contracts.byOrganisation(org.id),
    deps.people.unreachable(org.id),
  ]);
  const staff = people.filter(isStaff);
  const linkedCount = staff.filter(linked).length;
  const active = contracts.filter((c) => c.active).length;
  const dsls = people.filter((p) => org.dslIds.includes(p.id)).map((p) => p.name);
  const year = schoolYear(ready.year);
  const wanted = nextYearDatesWanted(org.termDates, today);
  const items: ChecklistItem[] = [
    { key: 'organisation', done: org.name.trim() !== '', label: 'Organisation', detail: org.name, required: true },
    {
      key: 'dsl',
      done: dsls.length > 0,
      label: 'Designated Safeguarding Lead named',
      detail: dsls.length > 0 ? dsls.join(', ') : 'nobody yet: a risk of harm could reach nobody',
      required: true,
    },
    {
      key: 'term-dates',
      done: !ready.missing.includes('term-dates'),
      label: `Term dates for ${year.label}`,
      detail: ready.missing.includes('term-dates') ? 'not entered: nothing is scheduled until they are' : 'six half terms entered',
      required: true,
    },
    ...(wanted !== undefined
      ? [{ key: 'next-year-term-dates' as const, done: false, label: `Term dates for ${schoolYear(wanted).label}`, detail: 'needed before the summer holiday: nothing is scheduled into a year without them', required: false }]
      : []),
    { key: 'staff', done: staff.length > 0, label: 'Staff imported', detail: `${staff.length} ${staff.length === 1 ? 'person' : 'people'}`, required: false },
    {
      key: 'identities',
      done: staff.length > 0 && linkedCount === staff.length && unreachable.length === 0,
      label: 'Slack or Teams identities linked',
      detail: `${linkedCount} of ${staff.length} linked${unreachable.length > 0 ? `, ${unreachable.length} unreachable` : ''}`,
      required: false,
    },
    { key: 'contracts', done: active > 0, label: 'Supervision contracts', detail: `${active} active`, required: false },
  ];
  return {
    organisation: { id: org.id, name: org.name, timezone: org.timezone },
    ready: ready.ready,
    schoolYear: year.label,
    items,
    counts: { staff: staff.length, linked: linkedCount, unlinked: staff.length - linkedCount, unreachable: unreachable.length, activeContracts: active },
  };
}

export const setupChecklist = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<SetupChecklist>> => {
  parseInput(z.object({}).strict(), input ?? {});
  const { org } = await loadAdministrator(deps, actorId, 'setup.read');
  return { ok: true, data: await checklistOf(deps, org) };
});
