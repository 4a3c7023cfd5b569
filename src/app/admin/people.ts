/**
 * The people screen (issue 13, `setup.read`): the organisation's staff with a search and a filter — not linked to
 * Slack or Teams, linked on one platform only, not reachable, with no contract, leavers. Each person comes with
 * their roles, their chat identities and their contracts (with whom, as what) — never supervision content.
 */
import { z } from 'zod';
import { isCalendarDate } from '../../domain/calendar.js';
import { DEFAULT_TRAINING_RENEWAL_MONTHS, trainingLapsesOn } from '../../domain/training.js';
import type { Person, Role } from '../../domain/types.js';
import { audit } from '../effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase } from '../errors.js';
import type { AppDeps } from '../ports.js';
import { loadAdministrator } from './access.js';

export const PEOPLE_FILTERS = ['all', 'unlinked', 'partly', 'unreachable', 'no-contract', 'leavers'] as const;
export type PeopleFilter = (typeof PEOPLE_FILTERS)[number];
export const peopleQuery = z
  .object({
    q: z.string().max(100, 'is longer than 100 characters').optional(),
    filter: z.enum(PEOPLE_FILTERS, { message: `must be one of ${PEOPLE_FILTERS.join(', ')}` }).optional(),
  })
  .strict();
export type PeopleQuery = z.infer<typeof peopleQuery>;

/** Roles that are not supervised staff: a person with only these is never listed as having no contract. */
const NOT_SUPERVISED: readonly Role[] = ['admin', 'auditor', 'governor'];

export interface PersonAdminView {
  id: string;
  name: string;
  email: string;
  roles: Role[];
  lineManager?: { id: string; name: string };
  /** `linked`: Slack and Teams; `partly`: one of them; `unlinked`: neither; `left`: deactivated. */
  chat: 'linked' | 'partly' | 'unlinked' | 'left';
  slackUserId?: string;
  teamsLinked: boolean;
  /** A platform refused a message to them (Teams: the app is not installed for them), since when. */
  unreachable?: { platform: string; since: string };
  /** Their active contracts, and as what. */
  contracts: Array<{ id: string; role: 'supervisor' | 'supervisee'; withNames: string[] }>;
  /** Deactivated by a confirmed re-import: their records are kept. */
  leftAt?: string;
  /** template line manager (f): when they were last trained to supervise, how often it is renewed, when it lapses. */
  training?: { date: string; renewalMonths: number; lapsesOn: string };
}

export interface PeopleView {
  people: PersonAdminView[];
  /** How many people each filter holds (before the search). */
  counts: Record<PeopleFilter, number>;
}

const chatOf = (p: Person): PersonAdminView['chat'] => {
  if (p.active === false) return 'left';
  const n = Number(Boolean(p.identities.slackUserId)) + Number(Boolean(p.identities.teamsAadObjectId));
  return n === 2 ? 'linked' : n === 1 ? 'partly' : 'unlinked';
};

function matches(v: PersonAdminView, filter: PeopleFilter): boolean {
  switch (filter) {
    case 'all':
      return v.chat !== 'left';
    case 'unlinked':
    case 'partly':
      return v.chat === filter;
    case 'unreachable':
      return v.chat !== 'left' && v.unreachable !== undefined;
    case 'no-contract':
      return v.chat !== 'left' && !v.contracts.some((c) => c.role === 'supervisee') && !(v.roles.length > 0 && v.roles.every((r) => NOT_SUPERVISED.includes(r)));
    case 'leavers':
      return v.chat === 'left';
  }
}

export const listPeople = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<PeopleView>> => {
  const query = parseInput(peopleQuery, input ?? {});
  const { org } = await loadAdministrator(deps, actorId, 'setup.read');
  const [people, contracts, unreachable] = await Promise.all([deps.people.byOrganisation(org.id), deps.contracts.byOrganisation(org.id), deps.people.unreachable(org.id)]);
  const byId = new Map(people.map((p) => [p.id, p]));
  const name = (id: string) => byId.get(id)?.name ?? id;
  const refused = new Map(unreachable.map((u) => [u.person.id, { platform: u.platform, since: u.since.toISOString() }]));
  const theirs = new Map<string, PersonAdminView['contracts']>();
  for (const c of contracts) {
    if (!c.active) continue;
    for (const id of c.supervisorIds) theirs.set(id, [...(theirs.get(id) ?? []), { id: c.id, role: 'supervisor', withNames: c.superviseeIds.map(name) }]);
    for (const id of c.superviseeIds) theirs.set(id, [...(theirs.get(id) ?? []), { id: c.id, role: 'supervisee', withNames: c.supervisorIds.map(name) }]);
  }
  const all = people
    .map((p): PersonAdminView => {
      const manager = p.lineManagerId ? byId.get(p.lineManagerId) : undefined;
      const gone = refused.get(p.id);
      return {
        id: p.id,
        name: p.name,
        email: p.email,
        roles: p.roles,
        ...(manager ? { lineManager: { id: manager.id, name: manager.name } } : {}),
        chat: chatOf(p),
        ...(p.identities.slackUserId ? { slackUserId: p.identities.slackUserId } : {}),
        teamsLinked: Boolean(p.identities.teamsAadObjectId),
        ...(gone ? { unreachable: gone } : {}),
        contracts: theirs.get(p.id) ?? [],
        ...(p.active === false && p.leftAt ? { leftAt: new Date(p.leftAt).toISOString() } : {}),
        ...(p.supervisionTrainingDate ? { training: trainingOf(p.supervisionTrainingDate, p.supervisionTrainingRenewalMonths) } : {}),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const counts = Object.fromEntries(PEOPLE_FILTERS.map((f) => [f, all.filter((v) => matches(v, f)).length])) as Record<PeopleFilter, number>;
  const q = query.q?.trim().toLowerCase() ?? '';
  const filter = query.filter ?? 'all';
  return {
    ok: true,
    data: { people: all.filter((v) => matches(v, filter) && (!q || v.name.toLowerCase().includes(q) || v.email.toLowerCase().includes(q))), counts },
  };
});

const trainingOf = (date: string, months = DEFAULT_TRAINING_RENEWAL_MONTHS) => ({ date, renewalMonths: months, lapsesOn: trainingLapsesOn(date, months) });

/** The People page's supervision training: a date and how many months until it is renewed (6–60). */
export const trainingInput = z
  .object({
    personId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a person id'),
    date: z.string({ message: 'must be a date, YYYY-MM-DD' }).regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD').refine(isCalendarDate, 'must be a date that exists'),
    renewalMonths: z.number({ message: 'must be a number of months' }).int('must be a whole number of months').min(6, 'must be at least 6 months').max(60, 'must be at most 60 months').optional(),
  })
  .strict();

/** template line manager (f): the admin records when a supervisor was trained and how often it is renewed; audited. */
export const setSupervisionTraining = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<PersonAdminView['training']>> => {
  const parsed = parseInput(trainingInput, input);
  const { org } = await loadAdministrator(deps, actorId, 'people.manage');
  const person = await deps.people.get(parsed.personId);
  if (!person || person.organisationId !== org.id) throw new Refusal('There is nobody with that id here.');
  const updated: Person = { ...person, supervisionTrainingDate: parsed.date, ...(parsed.renewalMonths !== undefined ? { supervisionTrainingRenewalMonths: parsed.renewalMonths } : {}) };
  await deps.people.upsert(updated);
  await audit(deps, { organisationId: org.id, actorId, action: 'person.training', subject: { kind: 'person', id: person.id }, detail: { date: parsed.date, renewalMonths: updated.supervisionTrainingRenewalMonths ?? DEFAULT_TRAINING_RENEWAL_MONTHS } });
  return { ok: true, data: trainingOf(parsed.date, updated.supervisionTrainingRenewalMonths) };
});
