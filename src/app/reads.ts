/** What a person asks for in chat: `next`, `actions`, `help`. Read-only, so not queued. */
import { canSeeOverdue } from '../domain/permissions.js';
import type { Person } from '../domain/types.js';
import { loadActor } from './context.js';
import { type UseCaseResult, useCase } from './errors.js';
import type { AppDeps } from './ports.js';
import { agendaItemView, formatDateTime, openActionView } from './present.js';
import type { ActionsView, HelpView, NextSessionView } from './views.js';

export const nextSession = useCase(async (deps: AppDeps, actorId: string, _input: unknown): Promise<UseCaseResult<NextSessionView>> => {
  const ctx = await loadActor(deps, actorId);
  const now = deps.clock.now();
  const today = ctx.cal.localDate(now);
  const contracts = await deps.contracts.forPerson(actorId);
  const upcoming = (await Promise.all(contracts.map(async (c) => ({ c, s: await deps.sessions.nextScheduled(c.id, now) }))))
    .filter((x) => x.s !== null)
    .sort((a, b) => (a.s?.startsAt.getTime() ?? 0) - (b.s?.startsAt.getTime() ?? 0))[0];
  const actions = await deps.actions.openForPerson(actorId);
  let view: NextSessionView = { type: 'next-session', items: [], openActions: [] };
  if (upcoming?.s) {
    const { c, s } = upcoming;
    // white-laith, stour §2: what was raised informally comes first
    const items = [...(await deps.agenda.parked(c.id)), ...(await deps.agenda.forSession(s.id))];
    const contractActions = await deps.actions.openForContract(c.id);
    const people = await deps.people.getMany([...c.supervisorIds, ...c.superviseeIds, ...items.map((i) => i.authorId), ...contractActions.map((a) => a.ownerId)]);
    view = {
      type: 'next-session',
      session: {
        id: s.id,
        startsAtText: formatDateTime(ctx.org, s.startsAt),
        withNames: [...c.supervisorIds, ...c.superviseeIds].filter((id) => id !== actorId).map((id) => people.find((p) => p.id === id)?.name ?? 'a colleague'),
        location: c.location,
      },
      items: items.map((i) => agendaItemView(i, people, ctx.org)),
      openActions: contractActions.map((a) => openActionView(ctx.org, a, people, today)),
    };
  } else {
    view.openActions = actions.map((a) => openActionView(ctx.org, a, [ctx.actor], today));
  }
  return { ok: true, view, data: view };
});

export const myActions = useCase(async (deps: AppDeps, actorId: string, _input: unknown): Promise<UseCaseResult<ActionsView>> => {
  const ctx = await loadActor(deps, actorId);
  const today = ctx.cal.localDate(deps.clock.now());
  const actions = await deps.actions.openForPerson(actorId);
  const view: ActionsView = { type: 'actions', actions: actions.map((a) => openActionView(ctx.org, a, [ctx.actor], today)) };
  return { ok: true, view, data: view };
});

/** loughton "support": staff are signposted to support, configurable per school. */
export const help = useCase(async (deps: AppDeps, actorId: string, _input: unknown): Promise<UseCaseResult<HelpView>> => {
  const ctx = await loadActor(deps, actorId);
  const view: HelpView = {
    type: 'help',
    isDsl: canSeeOverdue(ctx.actor, ctx.org),
    supportContacts: ctx.org.supportContacts.map((c) => ({ name: c.name, phone: c.phone, url: c.url })),
  };
  return { ok: true, view, data: view };
});

export async function personBySlack(deps: AppDeps, slackUserId: string): Promise<Person | null> {
  return deps.people.bySlackUser(slackUserId);
}

export async function personByTeams(deps: AppDeps, aadObjectId: string): Promise<Person | null> {
  return deps.people.byTeamsUser(aadObjectId);
}
