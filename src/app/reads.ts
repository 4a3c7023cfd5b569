/** What a person asks for in chat: `next`, `actions`, `help`, the move form. Read-only, so not queued. */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { isDslOrDeputy } from './agreement.js';
import { sessionDueBy } from '../domain/cadence.js';
import { canCompleteAction, canScheduleSession, canSeeOverdue, canSetActionAside, isPartyToContract } from '../domain/permissions.js';
import { NOT_HELD_LABELS } from '../domain/engagement.js';
import type { Person, Session, SupervisionContract } from '../domain/types.js';
import { recordIdFor } from './records.js';
import { sessionCheckView } from './session-outcomes.js';
import { answersAsKeeper, keptCheckView } from './external.js';
import { loadActor, loadContract } from './context.js';
import { parseInput, Refusal, type UseCaseResult, useCase } from './errors.js';
import type { AppDeps } from './ports.js';
import { agendaItemView, formatDate, formatDateTime, openActionView, supportContactsOf } from './present.js';
import type { ActionsView, HelpView, MoveFormView, NextSessionView, SessionCheckView } from './views.js';

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
  // a session whose time passed with no answer yet, and the ones since the last held that did not happen
  const after = await sessionsSinceHeld(deps, contracts, now);
  if (after.pending) {
    const c = after.pending.contract;
    const people = await deps.people.getMany([...c.supervisorIds, ...c.superviseeIds]);
    view.pending = {
      id: after.pending.session.id,
      startsAtText: formatDateTime(ctx.org, after.pending.session.startsAt),
      withNames: [...c.supervisorIds, ...c.superviseeIds].filter((id) => id !== actorId).map((id) => people.find((p) => p.id === id)?.name ?? 'a colleague'),
      // stour §4: the supervisee answers a session whose supervisor from outside is in no chat
      canAnswer: canScheduleSession(ctx.actor, c, ctx.org) || (await answersAsKeeper(deps, ctx.actor, c)),
    };
  }
  if (after.notHeld.length > 0) {
    view.notHeld = after.notHeld.map((s) => ({ startsAtText: formatDateTime(ctx.org, s.startsAt), reasonText: s.notHeldReason ? NOT_HELD_LABELS[s.notHeldReason] : 'did not happen' }));
  }
  const canRequest = contracts.some((c) => c.superviseeIds.includes(actorId));
  if (upcoming?.s) {
    const { c, s } = upcoming;
    // white-laith, stour §2: what was raised informally comes first
    const items = await deps.agenda.forContractSession(c.id, s.id);
    const contractActions = await deps.actions.openForContract(c.id);
    const people = await deps.people.getMany([...c.supervisorIds, ...c.superviseeIds, ...items.map((i) => i.authorId), ...contractActions.map((a) => a.ownerId)]);
    view = {
      ...view,
      type: 'next-session',
      session: {
        id: s.id,
        startsAtText: formatDateTime(ctx.org, s.startsAt),
        withNames: [...c.supervisorIds, ...c.superviseeIds].filter((id) => id !== actorId).map((id) => people.find((p) => p.id === id)?.name ?? 'a colleague'),
        location: c.location,
        ...(s.onRequest ? { onRequest: true } : {}),
      },
      items: items.map((i) => agendaItemView(i, people, ctx.org)),
      openActions: contractActions.map((a) => openActionView(ctx.org, a, people, today)),
    };
  } else {
    view.openActions = actions.map((a) => openActionView(ctx.org, a, [ctx.actor], today));
  }
  if (canRequest) view.canRequest = true;
  return { ok: true, view, data: view };
});

const moveFormInput = z.object({ sessionId: z.string().min(1).max(250).optional(), cancel: z.boolean().default(false) });

/** `move` / `cancel`, or the Move button: the form for the person's next session (or the one named). */
export const moveForm = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<MoveFormView>> => {
  const parsed = parseInput(moveFormInput, input);
  const ctx = await loadActor(deps, actorId);
  const now = deps.clock.now();
  let session = parsed.sessionId ? await deps.sessions.get(parsed.sessionId) : null;
  if (parsed.sessionId && (!session || session.organisationId !== ctx.org.id)) throw new Refusal();
  if (!session) {
    const upcoming = await Promise.all((await deps.contracts.forPerson(actorId)).map((c) => deps.sessions.nextScheduled(c.id, now)));
    session = upcoming.filter((s): s is Session => s !== null).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())[0] ?? null;
    if (!session) return { ok: true, view: { type: 'text', text: 'You have no supervision session booked to move.' } };
  }
  const contract = await loadContract(deps, ctx, session.contractId);
  if (!canScheduleSession(ctx.actor, contract, ctx.org) && !isPartyToContract(ctx.actor, contract)) throw new Refusal();
  if (session.status !== 'scheduled') {
    return { ok: true, view: { type: 'text', text: session.replacedBy ? 'This session has already moved — type next to see the session booked now.' : 'This session cannot be moved now.' } };
  }
  const last = await deps.sessions.lastHeld(contract.id);
  const dueBy = sessionDueBy(contract, last ? ctx.cal.localDate(last.startsAt) : undefined, ctx.cal);
  const people = await deps.people.getMany([...contract.supervisorIds, ...contract.superviseeIds]);
  const local = DateTime.fromJSDate(session.startsAt, { zone: ctx.org.timezone });
  const startsAtText = formatDateTime(ctx.org, session.startsAt);
  const view: MoveFormView = {
    type: 'move-form',
    sessionId: session.id,
    cancel: parsed.cancel,
    title: parsed.cancel ? `Cancel the session of ${startsAtText} and book a new time` : `Move the session of ${startsAtText}`,
    startsAtText,
    date: local.toISODate() ?? '',
    time: local.toFormat('HH:mm'),
    withNames: [...contract.supervisorIds, ...contract.superviseeIds].filter((id) => id !== actorId).map((id) => people.find((p) => p.id === id)?.name ?? 'a colleague'),
    dueByText: formatDate(ctx.org, dueBy),
    dueBy,
  };
  return { ok: true, view, data: view };
});

/** My open actions, and for a supervisor those of the people they supervise, each with what I may do to it. */
export const myActions = useCase(async (deps: AppDeps, actorId: string, _input: unknown): Promise<UseCaseResult<ActionsView>> => {
  const ctx = await loadActor(deps, actorId);
  const today = ctx.cal.localDate(deps.clock.now());
  const mine = await deps.actions.openForPerson(actorId);
  const ofMine = await deps.contracts.forPerson(actorId);
  const supervised = ofMine.filter((c) => c.supervisorIds.includes(actorId));
  const theirs = (await Promise.all(supervised.map((c) => deps.actions.openForContract(c.id)))).flat();
  const byId = new Map([...mine, ...theirs].map((a) => [a.id, a]));
  const actions = [...byId.values()].sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id));
  const people = await deps.people.getMany([...new Set(actions.map((a) => a.ownerId))]);
  const contracts = new Map(ofMine.map((c) => [c.id, c]));
  const view: ActionsView = {
    type: 'actions',
    actions: actions.map((a) => {
      const contract = contracts.get(a.contractId) ?? { supervisorIds: [] };
      return {
        ...openActionView(ctx.org, a, people.length > 0 ? people : [ctx.actor], today),
        canComplete: canCompleteAction(ctx.actor, a, contract, ctx.org),
        canSetAside: canSetActionAside(ctx.actor, a, contract, ctx.org),
      };
    }),
  };
  return { ok: true, view, data: view };
});

/** loughton "support": staff are signposted to support, configurable per school. */
export const help = useCase(async (deps: AppDeps, actorId: string, _input: unknown): Promise<UseCaseResult<HelpView>> => {
  const ctx = await loadActor(deps, actorId);
  const view: HelpView = {
    type: 'help',
    isDsl: canSeeOverdue(ctx.actor, ctx.org),
    canRequest: (await deps.contracts.forPerson(actorId)).some((c) => c.superviseeIds.includes(actorId)),
    canStart: isDslOrDeputy(ctx.actor, ctx.org),
    supportContacts: supportContactsOf(ctx.org),
  };
  return { ok: true, view, data: view };
});

/**
 * For each contract, the sessions after its last one held: the earliest booked one whose time has passed with
 * no record (waiting for "did it happen?"), and those that did not happen, newest first.
 */
async function sessionsSinceHeld(deps: AppDeps, contracts: SupervisionContract[], now: Date): Promise<{ pending?: { contract: SupervisionContract; session: Session }; notHeld: Session[] }> {
  let pending: { contract: SupervisionContract; session: Session } | undefined;
  const notHeld: Session[] = [];
  for (const contract of contracts) {
    const sessions = (await deps.sessions.byContract(contract.id)).filter((s) => s.status !== 'cancelled');
    const lastHeld = sessions.map((s) => s.status).lastIndexOf('held');
    for (const s of sessions.slice(lastHeld + 1)) {
      if (s.status === 'missed') notHeld.push(s);
      else if (s.status === 'scheduled' && s.startsAt.getTime() <= now.getTime() && !(await deps.records.latest(recordIdFor(s.id)))) {
        if (!pending || s.startsAt.getTime() < pending.session.startsAt.getTime()) pending = { contract, session: s };
      }
    }
  }
  notHeld.sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime());
  return { pending, notHeld };
}

const checkInput = z.object({ sessionId: z.string().min(1).max(250) });

/** "Did it happen?" for a session whose time has passed with no record: the card with Record it / It did not happen. */
export const sessionCheck = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<SessionCheckView>> => {
  const parsed = parseInput(checkInput, input);
  const ctx = await loadActor(deps, actorId);
  const session = await deps.sessions.get(parsed.sessionId);
  if (!session || session.organisationId !== ctx.org.id) throw new Refusal();
  const contract = await loadContract(deps, ctx, session.contractId);
  const keeper = await answersAsKeeper(deps, ctx.actor, contract);
  if (!keeper && !canScheduleSession(ctx.actor, contract, ctx.org)) throw new Refusal();
  if (session.status !== 'scheduled' || session.startsAt.getTime() > deps.clock.now().getTime()) {
    return { ok: true, view: { type: 'text', text: session.status === 'scheduled' ? 'This session has not started yet.' : 'This session has been answered already — type next to see the session booked now.' } } as UseCaseResult<SessionCheckView>;
  }
  const view = keeper ? await keptCheckView(deps, ctx.org, contract, session, false) : await sessionCheckView(deps, ctx.org, contract, session, false);
  return { ok: true, view, data: view };
});

export async function personBySlack(deps: AppDeps, slackUserId: string): Promise<Person | null> {
  return deps.people.bySlackUser(slackUserId);
}

export async function personByTeams(deps: AppDeps, aadObjectId: string): Promise<Person | null> {
  return deps.people.byTeamsUser(aadObjectId);
}
