/**
 * The organisation's settings (issue 13, `org.manage`): its name, time zone, bank holiday division and who holds
 * the safeguarding roles (DSL, deputies, headteacher, safeguarding governor), and its support contacts. Everyone named must be a person of
 * the organisation. A change of division takes that division's bank holidays into the calendar.
 */
import { z } from 'zod';
import { PHONE_PATTERN, SUPPORT_LIMITS } from '../../domain/support.js';
import { BANK_HOLIDAY_DIVISIONS, type Organisation, type Person } from '../../domain/types.js';
import { PERSON_ID } from '../dashboard.js';
import { parseInput, Refusal, type UseCaseResult, useCase, ValidationError } from '../errors.js';
import type { AppDeps } from '../ports.js';
import { loadAdministrator } from './access.js';
import { bankHolidaysFor } from './bank-holidays.js';

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** A support contact (loughton "Support"): shown as text wherever it appears, never as a link. */
export const supportContact = z
  .object({
    name: z.string().trim().min(2, 'type the name of the service').max(SUPPORT_LIMITS.name, `at most ${SUPPORT_LIMITS.name} characters`),
    phone: z
      .string()
      .trim()
      .max(SUPPORT_LIMITS.phone, `at most ${SUPPORT_LIMITS.phone} characters`)
      .refine((v) => v === '' || PHONE_PATTERN.test(v), 'a telephone number: digits, spaces, + ( ) and - only')
      .optional(),
    description: z.string().trim().max(SUPPORT_LIMITS.description, `at most ${SUPPORT_LIMITS.description} characters`).optional(),
  })
  .strict();

export const organisationPatch = z
  .object({
    name: z.string().trim().min(2, 'type the organisation’s name').max(120, 'at most 120 characters').optional(),
    timezone: z.string().trim().refine(isTimeZone, 'must be a time zone such as Europe/London').optional(),
    bankHolidayDivision: z.enum(BANK_HOLIDAY_DIVISIONS, { message: `must be one of ${BANK_HOLIDAY_DIVISIONS.join(', ')}` }).optional(),
    dslIds: z.array(PERSON_ID).max(5, 'at most 5 DSLs').optional(),
    deputyDslIds: z.array(PERSON_ID).max(20, 'at most 20 deputies').optional(),
    headteacherId: PERSON_ID.nullable().optional(),
    safeguardingGovernorId: PERSON_ID.nullable().optional(),
    supportContacts: z.array(supportContact).max(SUPPORT_LIMITS.contacts, `at most ${SUPPORT_LIMITS.contacts} support contacts`).optional(),
    keepContentOutOfChat: z.boolean({ message: 'must be true or false' }).optional(),
    /** The Slack workspace (team id) whose installation serves this organisation's people; null unlinks it. */
    slackTeamId: z.string().trim().regex(/^T[A-Z0-9]{2,20}$/, 'must be a Slack workspace id (T followed by capital letters and digits)').nullable().optional(),
  })
  .strict();

export const CONTENT_SETTING_REFUSAL = 'Sorry — only your school’s administrator or DSL can choose whether supervision content is kept out of chat.';

export interface OrganisationView {
  id: string;
  name: string;
  kind: Organisation['kind'];
  timezone: string;
  bankHolidayDivision: NonNullable<Organisation['bankHolidayDivision']>;
  dslIds: string[];
  deputyDslIds: string[];
  headteacherId?: string;
  safeguardingGovernorId?: string;
  /** Support for staff beyond supervision, shown in help, the agenda prompt, after a risk flag and in an incident offer. */
  supportContacts: Array<{ name: string; phone?: string; description?: string }>;
  /** Cards and messages carry no supervision content, only a button to open it in the dashboard. */
  keepContentOutOfChat: boolean;
  /** The viewer may change that (the admin role or the DSL; not the headteacher). */
  canSetContentOutOfChat: boolean;
  /** The organisation's active people, by name, to choose who holds each role (names and emails only). */
  people: Array<{ id: string; name: string; email: string }>;
  /** The Slack workspace linked to this organisation (many workspaces, each installed through Slack's OAuth flow). */
  slackTeamId?: string;
  /** Workspaces that installed the app and that no other organisation claims, to link one (ids and names only). */
  slackWorkspaces: Array<{ teamId: string; name?: string; linked: boolean }>;
}

/** "Keep supervision content out of chat" is the administrator's or the DSL's to choose (issue 15). */
export function canSetContentOutOfChat(actor: Person, org: Organisation): boolean {
  return actor.organisationId === org.id && (actor.roles.includes('admin') || actor.roles.includes('dsl') || org.dslIds.includes(actor.id));
}

/** Installed workspaces this organisation may link: its own, and those no organisation claims. */
async function workspacesFor(deps: AppDeps, org: Organisation): Promise<OrganisationView['slackWorkspaces']> {
  const installed = await deps.slackInstallations.list();
  return installed
    .filter((i): i is typeof i & { teamId: string } => Boolean(i.teamId) && (i.organisationId === undefined || i.organisationId === org.id || i.teamId === org.slackTeamId))
    .map((i) => ({ teamId: i.teamId, ...(i.teamName ? { name: i.teamName } : {}), linked: i.teamId === org.slackTeamId }))
    .sort((a, b) => a.teamId.localeCompare(b.teamId));
}

const view = (org: Organisation, people: readonly Person[], actor: Person, slackWorkspaces: OrganisationView['slackWorkspaces']): OrganisationView => ({
  id: org.id,
  name: org.name,
  kind: org.kind,
  timezone: org.timezone,
  bankHolidayDivision: org.bankHolidayDivision ?? 'england-and-wales',
  dslIds: org.dslIds,
  deputyDslIds: org.deputyDslIds,
  ...(org.headteacherId ? { headteacherId: org.headteacherId } : {}),
  ...(org.safeguardingGovernorId ? { safeguardingGovernorId: org.safeguardingGovernorId } : {}),
  supportContacts: (org.supportContacts ?? []).map((c) => ({ name: c.name, ...(c.phone ? { phone: c.phone } : {}), ...(c.description ? { description: c.description } : {}) })),
  keepContentOutOfChat: org.keepContentOutOfChat === true,
  canSetContentOutOfChat: canSetContentOutOfChat(actor, org),
  people: people
    .filter((p) => p.active !== false)
    .map((p) => ({ id: p.id, name: p.name, email: p.email }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en-GB')),
  ...(org.slackTeamId ? { slackTeamId: org.slackTeamId } : {}),
  slackWorkspaces,
});

export const getOrganisation = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<OrganisationView>> => {
  parseInput(z.object({}).strict(), input ?? {});
  const { org, actor } = await loadAdministrator(deps, actorId, 'org.manage');
  return { ok: true, data: view(org, await deps.people.byOrganisation(org.id), actor, await workspacesFor(deps, org)) };
});

export const updateOrganisation = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<OrganisationView>> => {
  const patch = parseInput(organisationPatch, input);
  const { org, actor } = await loadAdministrator(deps, actorId, 'org.manage');
  const contentSetting = patch.keepContentOutOfChat !== undefined && patch.keepContentOutOfChat !== (org.keepContentOutOfChat === true);
  if (contentSetting && !canSetContentOutOfChat(actor, org)) throw new Refusal(CONTENT_SETTING_REFUSAL);
  const named: Array<[string, string]> = [
    ...(patch.dslIds ?? []).map((id, i): [string, string] => [`dslIds.${i}`, id]),
    ...(patch.deputyDslIds ?? []).map((id, i): [string, string] => [`deputyDslIds.${i}`, id]),
    ...(patch.headteacherId ? [['headteacherId', patch.headteacherId] as [string, string]] : []),
    ...(patch.safeguardingGovernorId ? [['safeguardingGovernorId', patch.safeguardingGovernorId] as [string, string]] : []),
  ];
  const people = await deps.people.getMany(named.map(([, id]) => id));
  for (const [field, id] of named) {
    if (!people.some((p) => p.id === id && p.organisationId === org.id)) throw new ValidationError(field, 'is not a person of this organisation');
  }
  // one workspace serves one organisation
  const team = patch.slackTeamId === undefined ? undefined : patch.slackTeamId;
  if (team) {
    const claimed = await deps.organisations.bySlackTeam(team);
    if (claimed && claimed.id !== org.id) throw new ValidationError('slackTeamId', 'is linked to another organisation already (one Slack workspace serves one organisation)');
  }
  const division = patch.bankHolidayDivision ?? org.bankHolidayDivision;
  const next: Organisation = {
    ...org,
    ...(patch.name ? { name: patch.name } : {}),
    ...(patch.timezone ? { timezone: patch.timezone } : {}),
    ...(patch.dslIds ? { dslIds: [...new Set(patch.dslIds)] } : {}),
    ...(patch.deputyDslIds ? { deputyDslIds: [...new Set(patch.deputyDslIds)] } : {}),
    headteacherId: patch.headteacherId === null ? undefined : (patch.headteacherId ?? org.headteacherId),
    safeguardingGovernorId: patch.safeguardingGovernorId === null ? undefined : (patch.safeguardingGovernorId ?? org.safeguardingGovernorId),
    ...(division ? { bankHolidayDivision: division } : {}),
    ...(patch.supportContacts
      ? { supportContacts: patch.supportContacts.map((c) => ({ name: c.name, ...(c.phone ? { phone: c.phone } : {}), ...(c.description ? { description: c.description } : {}) })) }
      : {}),
    ...(patch.keepContentOutOfChat !== undefined ? { keepContentOutOfChat: patch.keepContentOutOfChat } : {}),
    slackTeamId: patch.slackTeamId === null ? undefined : (patch.slackTeamId ?? org.slackTeamId),
  };
  if (patch.bankHolidayDivision && patch.bankHolidayDivision !== (org.bankHolidayDivision ?? 'england-and-wales')) {
    next.termDates = { ...org.termDates, bankHolidays: (await bankHolidaysFor(deps, patch.bankHolidayDivision)).map((b) => b.date) };
  }
  await deps.organisations.upsert(next);
  if (next.slackTeamId !== org.slackTeamId) {
    // the installations' tokens go under the data key of the organisation that claims them now
    for (const t of [org.slackTeamId, next.slackTeamId]) if (t) await deps.slackInstallations.relink(t);
    await deps.audit.append({
      organisationId: org.id,
      at: deps.clock.now(),
      actorId,
      action: next.slackTeamId ? 'slack.linked' : 'slack.unlinked',
      subject: { kind: 'organisation', id: org.id },
      detail: { ...(next.slackTeamId ? { teamId: next.slackTeamId } : {}), ...(org.slackTeamId ? { before: org.slackTeamId } : {}) },
    });
  }
  await deps.audit.append({
    organisationId: org.id,
    at: deps.clock.now(),
    actorId,
    action: 'organisation.updated',
    subject: { kind: 'organisation', id: org.id },
    detail: { fields: Object.keys(patch).sort().join(',') },
  });
  if (contentSetting) {
    await deps.audit.append({
      organisationId: org.id,
      at: deps.clock.now(),
      actorId,
      action: 'organisation.content-out-of-chat',
      subject: { kind: 'organisation', id: org.id },
      detail: { on: patch.keepContentOutOfChat === true },
    });
  }
  return { ok: true, data: view(next, await deps.people.byOrganisation(org.id), actor, await workspacesFor(deps, next)) };
});
