/**
 * After a major incident (loughton §5: "additional supervision will be offered to all staff involved who request
 * it"). The DSL or headteacher declares it — in chat (`incident …`) or on the dashboard — naming it privately and
 * choosing who was involved; each person gets an offer card with the school's support contacts. **Yes** asks
 * their supervisor for a session, booked within five school days (the `request` use case, stour App. C); **Not
 * now** is asked again once, ten school days on (a reminder, so a delayed job). The DSL and headteacher see
 * uptake as counts; nobody's reasons are asked for or shown, and an admin never sees the incident's name.
 */
import { z } from 'zod';
import {
  canDeclareIncident,
  INCIDENT_LIMITS,
  type Incident,
  type IncidentOffer,
  type IncidentScope,
  type IncidentUptake,
  isStaff,
  OFFER_AGAIN_SCHOOL_DAYS,
  peopleInvolved,
} from '../domain/incident.js';
import { escalationRecipients } from '../domain/routing.js';
import type { Organisation, Person } from '../domain/types.js';
import { calendarOf, loadActor } from './context.js';
import { audit, putReminders } from './effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase, ValidationError } from './errors.js';
import type { AppDeps, OutboxMessage } from './ports.js';
import { formatDate, supportContactsOf } from './present.js';
import { requestSession } from './session-outcomes.js';
import type { IncidentOfferView, NotificationView } from './views.js';

const ID = z.string().regex(/^[A-Za-z0-9._:@-]{1,200}$/, 'not a valid reference');

export const incidentInput = z
  .object({
    incidentName: z.string({ error: 'name the incident (only the DSL and headteacher see it)' }).trim().min(1, 'name the incident (only the DSL and headteacher see it)').max(INCIDENT_LIMITS.name, `at most ${INCIDENT_LIMITS.name} characters`),
    messageToStaff: z.string().trim().max(INCIDENT_LIMITS.message, `at most ${INCIDENT_LIMITS.message} characters`).optional(),
    scope: z.enum(['people', 'team', 'everyone'], { message: 'choose who was involved: named people, a team, or everyone' }),
    personIds: z.array(ID).max(INCIDENT_LIMITS.people, `at most ${INCIDENT_LIMITS.people} people`).optional(),
    /** A team: the people whose line manager this is. */
    lineManagerId: ID.optional(),
  })
  .strict();
export type IncidentInput = z.infer<typeof incidentInput>;

const DEFAULT_MESSAGE = 'After a recent incident, extra supervision is offered to everyone involved.';

function scopeOf(input: IncidentInput): IncidentScope {
  if (input.scope === 'everyone') return { kind: 'everyone' };
  if (input.scope === 'team') {
    if (!input.lineManagerId) throw new ValidationError('lineManagerId', 'choose whose team');
    return { kind: 'team', lineManagerId: input.lineManagerId };
  }
  if (!input.personIds || input.personIds.length === 0) throw new ValidationError('personIds', 'choose at least one person');
  return { kind: 'people', personIds: [...new Set(input.personIds)] };
}

export function offerView(org: Organisation, incident: Incident, offer: IncidentOffer, fromName: string): IncidentOfferView {
  return {
    type: 'incident-offer',
    offerId: offer.id,
    title: 'Would you like extra supervision?',
    lines: [
      incident.messageToStaff ? `${fromName}: ${incident.messageToStaff}` : DEFAULT_MESSAGE,
      'Yes asks your supervisor to book a session with you within five school days. Not now is fine: you will be asked once more in two weeks, and you can type request at any time.',
    ],
    again: Boolean(offer.askedAgainAt),
    supportContacts: supportContactsOf(org),
  };
}

/** `incident <who>: <name>` or the dashboard's form: the incident kept privately, an offer to each person. */
export const declareIncident = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(incidentInput, input);
  const ctx = await loadActor(deps, actorId);
  if (!canDeclareIncident(ctx.actor, ctx.org)) throw new Refusal('Only the DSL or the headteacher declares a major incident.');
  const scope = scopeOf(parsed);
  const everyone = await deps.people.byOrganisation(ctx.org.id);
  if (scope.kind === 'people') {
    for (const [i, id] of scope.personIds.entries()) {
      const p = everyone.find((x) => x.id === id);
      // nobody acts on another organisation's people, nor learns whether they exist
      if (!p) throw new Refusal();
      if (!isStaff(p)) throw new ValidationError(`personIds.${i}`, 'is not a member of staff here');
    }
  }
  if (scope.kind === 'team' && !everyone.some((p) => p.id === scope.lineManagerId)) throw new Refusal();
  const involved = peopleInvolved(scope, everyone, actorId).sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
  if (involved.length === 0) throw new ValidationError(scope.kind === 'team' ? 'lineManagerId' : 'scope', 'names nobody on the staff to offer supervision to');
  const now = deps.clock.now();
  const incident: Incident = {
    id: `inc.${now.getTime().toString(36)}.${actorId}`.slice(0, 200),
    organisationId: ctx.org.id,
    incidentName: parsed.incidentName,
    ...(parsed.messageToStaff ? { messageToStaff: parsed.messageToStaff } : {}),
    declaredById: actorId,
    declaredAt: now,
    scope: scope.kind,
    personIds: involved.map((p) => p.id),
  };
  const offers: IncidentOffer[] = involved.map((p) => ({ id: `${incident.id}.${p.id}`, incidentId: incident.id, organisationId: ctx.org.id, personId: p.id, status: 'offered', offeredAt: now }));
  await deps.incidents.insert(incident, offers);
  await deps.outbox.enqueue(offers.map((o) => ({ id: `${o.id}.offer`, organisationId: ctx.org.id, recipientId: o.personId, threadKey: `incident:${o.id}`, createdAt: now, view: offerView(ctx.org, incident, o, ctx.actor.name) })));
  await audit(deps, { organisationId: ctx.org.id, actorId, action: 'incident.declared', subject: { kind: 'incident', id: incident.id }, detail: { scope: scope.kind, offered: offers.length } });
  return {
    ok: true,
    view: { type: 'text', text: `Extra supervision offered to ${offers.length} ${offers.length === 1 ? 'person' : 'people'}: ${involved.map((p) => p.name).join(', ')}. They see “after a recent incident”${parsed.messageToStaff ? ' and your message' : ''}, never the incident’s name. Type incident status for the uptake.` },
    data: { incidentId: incident.id, offered: offers.length },
  };
});

const answerInput = z.object({ offerId: ID, answer: z.enum(['yes', 'not-now'], { message: 'answer yes or not now' }) }).strict();

/** The offer answered by the person it was made to: Yes asks their supervisor for a session; Not now asks again once. */
export const answerIncidentOffer = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(answerInput, input);
  const ctx = await loadActor(deps, actorId);
  const offer = await deps.incidents.offer(parsed.offerId);
  if (!offer || offer.organisationId !== ctx.org.id || offer.personId !== actorId) throw new Refusal();
  const now = deps.clock.now();
  if (offer.status === 'accepted') return { ok: true, view: { type: 'text', text: 'You said yes to extra supervision already; your supervisor has been asked to book it. Type next to see it once booked.' } };
  if (parsed.answer === 'not-now') {
    if (offer.status === 'not-now') return { ok: true, view: notNowView(ctx.org, offer, offer.askedAgainAt ? undefined : againAt(ctx.org, offer.answeredAt ?? now)) };
    if (!(await deps.incidents.answer(offer.id, 'offered', 'not-now', now))) throw new Refusal('This offer has been answered already.');
    const askAgain = offer.askedAgainAt ? undefined : againAt(ctx.org, now);
    if (askAgain) {
      await putReminders(deps, [{ id: `incident-offer-again:${offer.id}`, organisationId: ctx.org.id, kind: 'incident-offer-again', subjectId: offer.id, recipientIds: [actorId], dueAt: askAgain }]);
    }
    await audit(deps, { organisationId: ctx.org.id, actorId, action: 'incident.offer-answered', subject: { kind: 'incident', id: offer.incidentId }, detail: { answer: 'not-now', again: Boolean(offer.askedAgainAt) }, key: `incident-answer:${offer.id}:${offer.askedAgainAt ? 2 : 1}` });
    return { ok: true, view: notNowView(ctx.org, offer, askAgain) };
  }
  // yes: their supervisor is asked to book a session within five school days (stour App. C)
  const asked = await requestSession(deps, actorId, { reason: 'Extra supervision after a recent incident' });
  const requestId = asked.ok ? (asked.data as { requestId?: string } | undefined)?.requestId : undefined;
  if (!(await deps.incidents.answer(offer.id, offer.status, 'accepted', now, requestId ? { requestId } : {}))) throw new Refusal('This offer has been answered already.');
  await audit(deps, { organisationId: ctx.org.id, actorId, action: 'incident.offer-answered', subject: { kind: 'incident', id: offer.incidentId }, detail: { answer: 'yes', requested: Boolean(requestId) }, key: `incident-answer:${offer.id}:yes` });
  if (asked.ok && asked.view?.type === 'text') return { ok: true, view: { type: 'text', text: `Thank you. ${asked.view.text}` } };
  // no supervision contract as a supervisee: the DSL (or the head) arranges it
  const leads = escalationRecipients(ctx.org, actorId);
  await deps.outbox.enqueue(
    leads.map((recipientId): OutboxMessage => ({ id: `${offer.id}.yes.${recipientId}`, organisationId: ctx.org.id, recipientId, createdAt: now, view: { type: 'text', text: `${ctx.actor.name} would like extra supervision after the recent incident and has no supervisor in Supervision Bot. Please arrange a session with them within five school days.` } })),
  );
  return { ok: true, view: { type: 'text', text: 'Thank you. You have no supervisor in Supervision Bot, so your DSL has been asked to arrange a session with you within five school days.' } };
});

function againAt(org: Organisation, from: Date): Date {
  const cal = calendarOf(org);
  return cal.atLocalTime(cal.addSchoolDays(cal.localDate(from), OFFER_AGAIN_SCHOOL_DAYS), org.reminderTime);
}

function notNowView(org: Organisation, _offer: IncidentOffer, askAgain: Date | undefined): NotificationView {
  const contacts = supportContactsOf(org).map((c) => `• ${c.name}${c.phone ? ` — ${c.phone}` : ''}`);
  return {
    type: 'text',
    text: [
      askAgain ? `That is fine. You will be asked once more on ${formatDate(org, askAgain)}; type request at any time to ask for a session sooner.` : 'That is fine. You will not be asked again; type request at any time to ask for a session.',
      ...(contacts.length > 0 ? ['', 'Support', ...contacts] : []),
    ].join('\n'),
  };
}

/** "Not now", ten school days on: the offer again, once (nothing when it was answered since). */
export async function offerAgainMessages(deps: AppDeps, org: Organisation, offerId: string, reminderId: string): Promise<OutboxMessage[]> {
  const offer = await deps.incidents.offer(offerId);
  if (!offer || offer.status !== 'not-now' || offer.askedAgainAt) return [];
  const incident = await deps.incidents.get(offer.incidentId);
  if (!incident) return [];
  const now = deps.clock.now();
  if (!(await deps.incidents.askAgain(offer.id, now))) return [];
  const [from] = await deps.people.getMany([incident.declaredById]);
  const again = { ...offer, status: 'offered' as const, askedAgainAt: now };
  return [{ id: `${reminderId}.${offer.personId}`, organisationId: org.id, recipientId: offer.personId, threadKey: `incident:${offer.id}`, createdAt: now, view: offerView(org, incident, again, from?.name ?? 'Your DSL') }];
}

export interface IncidentUptakeRow extends IncidentUptake {
  id: string;
  /** The private name: only for the DSL and headteacher. */
  incidentName: string;
  declaredOnText: string;
  declaredByName: string;
  scope: Incident['scope'];
}

/** Uptake per incident (counts only), newest first, for the DSL and headteacher. */
export interface IncidentsView {
  incidents: IncidentUptakeRow[];
  /** To choose who was involved: the staff by name, and each line manager's team. */
  people: Array<{ id: string; name: string }>;
  teams: Array<{ lineManagerId: string; name: string; size: number }>;
}

export const incidentUptake = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<IncidentsView>> => {
  parseInput(z.object({}).strict(), input ?? {});
  const ctx = await loadActor(deps, actorId);
  if (!canDeclareIncident(ctx.actor, ctx.org)) throw new Refusal('Only the DSL or the headteacher sees the uptake after an incident.');
  const incidents = await deps.incidents.forOrganisation(ctx.org.id);
  const offers = await deps.incidents.offersFor(incidents.map((i) => i.id));
  const requests = await Promise.all(offers.filter((o) => o.requestId).map((o) => deps.sessionRequests.get(o.requestId as string)));
  const sessions = await Promise.all(requests.filter((r) => r?.sessionId).map((r) => deps.sessions.get(r?.sessionId as string)));
  const heldRequests = new Set(sessions.filter((s) => s?.status === 'held').map((s) => s?.requestId));
  const people = await deps.people.byOrganisation(ctx.org.id);
  const staff = people.filter(isStaff).sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
  const managers = [...new Set(staff.map((p) => p.lineManagerId).filter((id): id is string => Boolean(id)))];
  const rows = incidents.map((incident): IncidentUptakeRow => {
    const mine = offers.filter((o) => o.incidentId === incident.id);
    return {
      id: incident.id,
      incidentName: incident.incidentName,
      declaredOnText: formatDate(ctx.org, incident.declaredAt),
      declaredByName: people.find((p) => p.id === incident.declaredById)?.name ?? 'a colleague',
      scope: incident.scope,
      offered: mine.length,
      accepted: mine.filter((o) => o.status === 'accepted').length,
      notNow: mine.filter((o) => o.status === 'not-now').length,
      waiting: mine.filter((o) => o.status === 'offered').length,
      held: mine.filter((o) => o.requestId && heldRequests.has(o.requestId)).length,
    };
  });
  return {
    ok: true,
    data: {
      incidents: rows,
      people: staff.map((p) => ({ id: p.id, name: p.name })),
      teams: managers
        .map((id) => ({ lineManagerId: id, name: `${people.find((p) => p.id === id)?.name ?? 'a colleague'}’s team`, size: staff.filter((p) => p.lineManagerId === id).length }))
        .sort((a, b) => a.name.localeCompare(b.name, 'en-GB')),
    },
  };
});

export function uptakeText(rows: IncidentUptakeRow[]): string {
  if (rows.length === 0) return 'No major incident has been declared. Type incident to see how.';
  return [
    'Uptake of extra supervision after an incident (counts only; nobody’s reasons):',
    ...rows.slice(0, 20).map((r) => `• ${r.incidentName} (${r.declaredOnText}): offered ${r.offered}, accepted ${r.accepted}, not now ${r.notNow}, not answered ${r.waiting}, held ${r.held}`),
  ].join('\n');
}

export const INCIDENT_HOW =
  'After a major incident, offer extra supervision to everyone involved (loughton §5):\n• incident everyone: <name of the incident>\n• incident team <line manager>: <name>\n• incident <name>, <name>: <name of the incident>\nAdd | and a message for staff after the name if you want one; otherwise the offer says “after a recent incident”. Only you and the headteacher see the incident’s name.\n• incident status — the uptake';

/** A typed `incident …` line resolved to the declaration's input: names matched among the staff. */
export async function typedIncidentInput(deps: AppDeps, actor: Person, who: { kind: 'everyone' } | { kind: 'team'; name: string } | { kind: 'people'; names: string[] }): Promise<{ scope: 'everyone' } | { scope: 'team'; lineManagerId: string } | { scope: 'people'; personIds: string[] } | { error: NotificationView }> {
  if (who.kind === 'everyone') return { scope: 'everyone' };
  const people = (await deps.people.byOrganisation(actor.organisationId)).filter((p) => p.active !== false);
  const find = (name: string) => {
    const n = name.toLowerCase();
    const exact = people.filter((p) => p.name.toLowerCase() === n);
    return exact.length > 0 ? exact : people.filter((p) => p.name.toLowerCase().split(/\s+/)[0] === n);
  };
  const names = who.kind === 'team' ? [who.name] : who.names;
  const ids: string[] = [];
  for (const name of names) {
    const found = find(name);
    if (found.length !== 1) return { error: { type: 'error', field: who.kind === 'team' ? 'team' : 'people', message: `${who.kind === 'team' ? 'team' : 'people'}: ${found.length === 0 ? 'nobody here is called' : 'more than one person is called'} “${name.slice(0, 80)}” — type their full name` } };
    ids.push((found[0] as Person).id);
  }
  return who.kind === 'team' ? { scope: 'team', lineManagerId: ids[0] as string } : { scope: 'people', personIds: ids };
}
