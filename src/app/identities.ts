/**
 * Linking staff to their chat accounts. Slack: the workspace's members matched by email. Teams: the roster of a
 * team the app is installed in, matched by Entra object id or email, each matched person given a one-to-one
 * conversation so reminders reach people who never wrote to the bot. The admin sees who is not linked, who
 * cannot be reached, and who wrote to the bot unmatched, and links such a person in one step.
 */
import type { Person } from '../domain/types.js';
import type { UnmatchedSender, UnmatchedSenders } from '../store/unmatched.js';
import type { InstallState } from '../queue/teams-install.js';
import { audit } from './effects.js';
import { Refusal, ValidationError } from './errors.js';
import { canAdminister } from './imports.js';
import type { AppDeps } from './ports.js';

export interface SlackMember {
  id: string;
  teamId?: string;
  email?: string;
  deleted: boolean;
  bot: boolean;
}

export interface SlackDirectory {
  members(): AsyncIterable<SlackMember>;
}

async function admin(deps: AppDeps, actorId: string) {
  const actor = await deps.people.get(actorId);
  const org = actor ? await deps.organisations.get(actor.organisationId) : null;
  if (!actor || !org || !canAdminister(actor, org)) throw new Refusal('Sorry — linking people is for the school’s admins, its DSL and its headteacher.');
  return { actor, org };
}

/** Where a person's Teams conversation is kept in `deliveries` (the Teams channel's `CONVERSATION_THREAD`). */
const TEAMS_CONVERSATION = 'teams-conversation';

const line = (p: Person) => ({ id: p.id, name: p.name, email: p.email });

export interface IdentityOverview {
  /** Active people with neither a Slack nor a Teams account linked. */
  unlinked: Array<{ id: string; name: string; email: string }>;
  /** Linked on one platform only: which one is missing. */
  partly: Array<{ id: string; name: string; email: string; slack: boolean; teams: boolean }>;
  /** People a platform refused a message to (Teams: the app is not installed for them). */
  unreachable: Array<{ id: string; name: string; platform: string; since: Date }>;
  /** People who wrote to the bot and are linked to nobody here, newest first. */
  unmatched: UnmatchedSender[];
  /**
   * Teams: whether the app is installed through Microsoft Graph here, and who the bot has no one-to-one
   * conversation with yet (everyone active when it installs, else those with a Teams account linked), with where
   * their installation stands.
   */
  teams: {
    installs: boolean;
    waiting: Array<{ id: string; name: string; email: string; linked: boolean; state: 'not installed' | InstallState['state']; at?: string; reason?: string }>;
  };
}

/** What the overview needs of the Graph installations: where each person's stands. */
export interface InstallStates {
  states(): Promise<Map<string, InstallState>>;
}

/**
 * `teamsInUse`: the Teams app is registered here (MicrosoftAppId); without it and without Graph installations (a
 * local try-out) nobody is listed as waiting for Teams.
 */
/** Who wrote unmatched: an organisation with its own Slack workspace sees, of Slack's, only that workspace's. */
async function unmatchedHere(deps: AppDeps, organisationId: string, unmatched: UnmatchedSenders): Promise<UnmatchedSender[]> {
  const all = await unmatched.list();
  const org = await deps.organisations.get(organisationId);
  if (org?.slackTeamId) return all.filter((s) => s.platform !== 'slack' || s.teamId === org.slackTeamId);
  // one workspace for the deployment: a sender from an installed workspace belongs to that workspace's school
  return all.filter((s) => s.platform !== 'slack' || !s.teamId);
}

export async function identityOverview(deps: AppDeps, organisationId: string, unmatched: UnmatchedSenders, installs?: InstallStates, teamsInUse = true): Promise<IdentityOverview> {
  const people = (await deps.people.byOrganisation(organisationId)).filter((p) => p.active !== false);
  const unreachable = await deps.people.unreachable(organisationId);
  return {
    unlinked: people.filter((p) => !p.identities.slackUserId && !p.identities.teamsAadObjectId).map(line).sort((a, b) => a.name.localeCompare(b.name)),
    partly: people
      .filter((p) => Boolean(p.identities.slackUserId) !== Boolean(p.identities.teamsAadObjectId))
      .map((p) => ({ ...line(p), slack: Boolean(p.identities.slackUserId), teams: Boolean(p.identities.teamsAadObjectId) })),
    unreachable: unreachable.filter((u) => u.person.active !== false).map((u) => ({ id: u.person.id, name: u.person.name, platform: u.platform, since: u.since })),
    unmatched: await unmatchedHere(deps, organisationId, unmatched),
    teams: installs || teamsInUse ? await teamsWaiting(deps, people, installs) : { installs: false, waiting: [] },
  };
}

async function teamsWaiting(deps: AppDeps, people: Person[], installs: InstallStates | undefined): Promise<IdentityOverview['teams']> {
  const states = installs ? await installs.states() : new Map<string, InstallState>();
  const waiting: IdentityOverview['teams']['waiting'] = [];
  for (const p of people) {
    if (!installs && !p.identities.teamsAadObjectId) continue;
    if (await deps.deliveries.get(TEAMS_CONVERSATION, p.id, 'teams')) continue;
    const state = states.get(p.id);
    waiting.push({ ...line(p), linked: Boolean(p.identities.teamsAadObjectId), state: state?.state ?? 'not installed', ...(state ? { at: state.at } : {}), ...(state?.reason ? { reason: state.reason } : {}) });
  }
  return { installs: Boolean(installs), waiting: waiting.sort((a, b) => a.name.localeCompare(b.name)) };
}

/** What asking for the Graph installations needs: queueing them for an organisation. */
export interface InstallRequests {
  request(organisationId: string): Promise<number>;
}

/** The admin asks for the Teams app to be installed for everyone the bot cannot message in Teams yet. */
export async function requestTeamsInstalls(deps: AppDeps, actorId: string, installs: InstallRequests): Promise<{ queued: number }> {
  const { org } = await admin(deps, actorId);
  const queued = await installs.request(org.id);
  await audit(deps, { organisationId: org.id, actorId, action: 'identity.teams-install', subject: { kind: 'organisation', id: org.id }, detail: { queued } });
  return { queued };
}

const SLACK_USER = /^[UW][A-Z0-9]{2,20}$/;

/**
 * Who has a Slack account already: an organisation with its own installed workspace (`slackTeamId`) looks only
 * among its people, since another workspace's user ids are another namespace; otherwise anyone on the deployment.
 */
const slackOwner = (deps: AppDeps, org: { id: string; slackTeamId?: string }, userId: string) => (org.slackTeamId ? deps.people.bySlackUser(userId, org.id) : deps.people.bySlackUser(userId));
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The one-click link: this person is that chat account. */
export async function linkIdentity(deps: AppDeps, actorId: string, input: { personId: string; platform: 'slack' | 'teams'; userId: string }, unmatched: UnmatchedSenders): Promise<{ person: { id: string; name: string } }> {
  const { org } = await admin(deps, actorId);
  const person = await deps.people.get(input.personId);
  if (!person || person.organisationId !== org.id || person.active === false) throw new ValidationError('personId', 'is nobody here (or someone who has left)');
  const userId = input.platform === 'teams' ? input.userId.toLowerCase() : input.userId;
  if (input.platform === 'slack' && !SLACK_USER.test(userId)) throw new ValidationError('userId', 'must be a Slack user id (U… or W…)');
  if (input.platform === 'teams' && !GUID.test(userId)) throw new ValidationError('userId', 'must be an Entra object id (a GUID)');
  const owner = input.platform === 'slack' ? await slackOwner(deps, org, userId) : await deps.people.byTeamsUser(userId);
  if (owner && owner.id !== person.id && owner.active !== false) throw new ValidationError('userId', `is linked to ${owner.name} already`);
  const sender = (await unmatched.list()).find((s) => s.platform === input.platform && s.userId === userId);
  const identities = { ...person.identities, ...(input.platform === 'slack' ? { slackUserId: userId } : { teamsAadObjectId: userId, ...(sender?.tenantId ? { teamsTenantId: sender.tenantId } : {}) }) };
  await deps.people.upsert({ ...person, identities });
  await unmatched.remove(input.platform, userId);
  await audit(deps, { organisationId: org.id, actorId, action: 'identity.linked', subject: { kind: 'person', id: person.id }, detail: { platform: input.platform } });
  return { person: { id: person.id, name: person.name } };
}

export interface SlackSyncResult {
  linked: number;
  alreadyLinked: number;
  /** Active people with no Slack member of that email. */
  notFound: Array<{ id: string; name: string; email: string }>;
  /** A Slack account linked to someone else already. */
  conflicts: Array<{ id: string; name: string; email: string }>;
}

/** Matches every active person without a Slack account to the workspace member with their email. */
export async function syncSlackByEmail(deps: AppDeps, actorId: string, directory: SlackDirectory): Promise<SlackSyncResult> {
  const { org } = await admin(deps, actorId);
  const people = (await deps.people.byOrganisation(org.id)).filter((p) => p.active !== false);
  const byEmail = new Map<string, SlackMember>();
  for await (const m of directory.members()) if (!m.deleted && !m.bot && m.email) byEmail.set(m.email, m);
  const taken = new Map(people.filter((p) => p.identities.slackUserId).map((p) => [p.identities.slackUserId as string, p]));
  const result: SlackSyncResult = { linked: 0, alreadyLinked: 0, notFound: [], conflicts: [] };
  for (const p of people) {
    if (p.identities.slackUserId) {
      result.alreadyLinked++;
      continue;
    }
    const m = byEmail.get(p.email.toLowerCase());
    if (!m) {
      result.notFound.push(line(p));
      continue;
    }
    const owner = taken.get(m.id) ?? (await slackOwner(deps, org, m.id));
    if (owner && owner.id !== p.id && owner.active !== false) {
      result.conflicts.push(line(p));
      continue;
    }
    await deps.people.upsert({ ...p, identities: { ...p.identities, slackUserId: m.id, ...(m.teamId ? { slackTeamId: m.teamId } : {}) } });
    taken.set(m.id, p);
    result.linked++;
  }
  if (result.linked > 0) await audit(deps, { organisationId: org.id, actorId, action: 'identity.slack-sync', subject: { kind: 'organisation', id: org.id }, detail: { linked: result.linked } });
  return result;
}

export interface TeamsMember {
  /** The member's id in the conversation (`29:…`), for creating the one-to-one conversation. */
  id: string;
  aadObjectId?: string;
  email?: string;
  userPrincipalName?: string;
}

/**
 * The roster of a team the app was installed in: each member matched to a person by Entra object id, else by
 * email (or user principal name); a person matched by email gets the object id linked. Returns the people
 * matched, with their member id, for their one-to-one conversations.
 */
export async function matchTeamsRoster(deps: AppDeps, tenantId: string | undefined, members: TeamsMember[]): Promise<Array<{ person: Person; member: TeamsMember }>> {
  const matched: Array<{ person: Person; member: TeamsMember }> = [];
  const unmatched: TeamsMember[] = [];
  let orgId: string | undefined;
  for (const m of members) {
    const p = m.aadObjectId ? await deps.people.byTeamsUser(m.aadObjectId.toLowerCase()) : null;
    if (p && p.active !== false) {
      matched.push({ person: p, member: m });
      orgId ??= p.organisationId;
    } else unmatched.push(m);
  }
  if (!orgId) {
    const orgs = await deps.organisations.list();
    if (orgs.length === 1) orgId = orgs[0]?.id;
  }
  if (!orgId || unmatched.length === 0) return matched;
  const people = (await deps.people.byOrganisation(orgId)).filter((p) => p.active !== false);
  const byEmail = new Map(people.map((p) => [p.email.toLowerCase(), p]));
  for (const m of unmatched) {
    const p = byEmail.get((m.email ?? '').toLowerCase()) ?? byEmail.get((m.userPrincipalName ?? '').toLowerCase());
    if (!p || !m.aadObjectId || !GUID.test(m.aadObjectId)) continue;
    // someone already linked to another Teams account keeps it
    if (p.identities.teamsAadObjectId && p.identities.teamsAadObjectId.toLowerCase() !== m.aadObjectId.toLowerCase()) continue;
    const linked = { ...p, identities: { ...p.identities, teamsAadObjectId: m.aadObjectId.toLowerCase(), ...(tenantId ? { teamsTenantId: tenantId } : {}) } };
    await deps.people.upsert(linked);
    matched.push({ person: linked, member: m });
  }
  return matched;
}
