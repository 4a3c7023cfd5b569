/** What each reminder says, to whom (stour App. C a week's notice; stour §6 review of previous actions). */
import { DateTime } from 'luxon';
import { invitesFor } from '../app/calendar.js';
import { agendaPromptView, formatDate, formatDateTime } from '../app/present.js';
import type { InviteLink } from '../app/views.js';
import { calendarOf } from '../app/context.js';
import { addDays } from '../domain/calendar.js';
import { addressing } from '../domain/reminders.js';
import type { LocalDate } from '../domain/types.js';
import type { AppDeps, OutboxMessage } from '../app/ports.js';
import type { Reminder } from '../domain/types.js';
import { canSetActionAside } from '../domain/permissions.js';
import { escalationRecipients } from '../domain/routing.js';
import { recordIdFor } from '../app/records.js';
import { notEngagingMessages, sessionCheckView } from '../app/session-outcomes.js';
import { offerAgainMessages } from '../app/incidents.js';
import { isKeptBySupervisee, keptCheckView } from '../app/external.js';

/** How recent a read of the organisation is as good as a new one (`OrganisationRepository.recent`). */
const RECENT_ORGANISATION_MS = 250;

/** `<recordId>:<decisionId>`; a record id has no ':' but split at the last one all the same. */
function splitDecisionKey(key: string): [string, string] {
  const at = key.lastIndexOf(':');
  return at < 0 ? ['', ''] : [key.slice(0, at), key.slice(at + 1)];
}

export async function reminderMessages(deps: AppDeps, reminder: Reminder): Promise<OutboxMessage[]> {
  // read by this process moments ago at most: a morning's reminders are thousands for the same few organisations
  const org = await (deps.organisations.recent?.(reminder.organisationId, RECENT_ORGANISATION_MS) ?? deps.organisations.get(reminder.organisationId));
  if (!org) return [];
  const cal = calendarOf(org);
  const now = deps.clock.now();
  const msg = (recipientId: string, view: OutboxMessage['view'], threadKey?: string): OutboxMessage => ({
    id: `${reminder.id}.${recipientId}`,
    organisationId: org.id,
    recipientId,
    threadKey,
    createdAt: now,
    view,
  });
  switch (reminder.kind) {
    case 'notice':
    case 'booked':
    case 'agenda-prompt':
    case 'day-before': {
      const session = await deps.sessions.get(reminder.subjectId);
      if (!session || session.status !== 'scheduled') return [];
      const contract = await deps.contracts.get(session.contractId);
      if (!contract) return [];
      const items = await deps.agenda.forContractSession(contract.id, session.id);
      // the agenda prompt lists the actions from last time; the other reminders do not
      const openActions = reminder.kind === 'agenda-prompt' ? await deps.actions.openForContract(contract.id) : [];
      const parties = [...new Set([...contract.supervisorIds, ...contract.superviseeIds])];
      const people = await deps.people.getMany([...parties, ...items.map((i) => i.authorId), ...openActions.map((a) => a.ownerId)]);
      const name = (id: string) => people.find((p) => p.id === id)?.name ?? 'a colleague';
      const when = formatDateTime(org, session.startsAt);
      const day = relativeDay(cal.localDate(now), cal.localDate(session.startsAt), session.startsAt, org.timezone);
      const together = addressing(parties.length);
      // the notice of a session (or its "booked" message) carries each recipient's "Add to calendar" invite
      const invites = reminder.kind === 'notice' || reminder.kind === 'booked' ? await invitesFor(deps, org.id, reminder.recipientIds, 'session', session.id) : new Map<string, InviteLink>();
      return reminder.recipientIds.map((recipientId) => {
        const others = parties.filter((id) => id !== recipientId).map(name);
        if (reminder.kind === 'agenda-prompt') {
          return msg(
            recipientId,
            agendaPromptView({ org, contract, session, recipientId, people, items, openActions, today: cal.localDate(now) }),
            `agenda:${session.id}`,
          );
        }
        const what = `Supervision with ${others.join(', ')}`;
        const view = (title: string, lines: string[]) => msg(recipientId, { type: 'reminder', kind: reminder.kind, title, lines, sessionId: session.id, invite: invites.get(recipientId) });
        if (reminder.kind === 'booked') {
          return view(`Supervision booked for ${formatDate(org, session.startsAt)}`, [
            `${what} is booked for ${when} (${session.durationMinutes} minutes, ${contract.location}).`,
            `That is less than a week away, so ${together} have this message in place of a week’s notice.`,
          ]);
        }
        if (reminder.kind === 'notice') {
          return view(`Supervision ${day}`, [
            `${what} on ${when} (${session.durationMinutes} minutes, ${contract.location}).`,
            `This is your notice, so ${together} have time to prepare.`,
          ]);
        }
        const first = `${what} ${day}, ${when}, ${contract.location}.`;
        const none = 'No agenda items yet — type `add` and what you want to discuss.';
        return msg(recipientId, {
          type: 'reminder',
          kind: reminder.kind,
          title: `Supervision ${day}`,
          lines: [first, ...(items.length ? ['Agenda:', ...items.map((i) => `• ${i.text}${i.raisedInformallyOn ? ` (raised informally on ${formatDate(org, i.raisedInformallyOn)})` : ''}`)] : [none])],
          withoutContent: [first, items.length ? `${items.length === 1 ? 'One item is' : `${items.length} items are`} on the agenda.` : none],
          sessionId: session.id,
          invite: invites.get(recipientId),
        });
      });
    }
    case 'did-it-happen':
    case 'did-it-happen-again': {
      // asked only while the session is still booked with no record started (template "intervals")
      const session = await deps.sessions.get(reminder.subjectId);
      if (!session || session.status !== 'scheduled') return [];
      if (await deps.records.latest(recordIdFor(session.id))) return [];
      const contract = await deps.contracts.get(session.contractId);
      if (!contract) return [];
      // every party in one read: the card names the ones and goes to the others (remembered for this reminder)
      await deps.people.getMany([...contract.supervisorIds, ...contract.superviseeIds]);
      // stour §4: a supervisor from outside who is not in the school's chat: the supervisee is asked instead
      if (await isKeptBySupervisee(deps, contract)) {
        const view = await keptCheckView(deps, org, contract, session, reminder.kind === 'did-it-happen-again');
        return contract.superviseeIds.map((recipientId) => msg(recipientId, view, `session-check:${session.id}`));
      }
      const view = await sessionCheckView(deps, org, contract, session, reminder.kind === 'did-it-happen-again');
      return contract.supervisorIds.map((recipientId) => msg(recipientId, view, `session-check:${session.id}`));
    }
    case 'not-answered': {
      const session = await deps.sessions.get(reminder.subjectId);
      if (!session || session.status !== 'scheduled') return [];
      if (await deps.records.latest(recordIdFor(session.id))) return [];
      const contract = await deps.contracts.get(session.contractId);
      if (!contract) return [];
      // the line manager and the DSL, as named now (template supervisor (e), line manager (j))
      // a session kept by its supervisee is theirs to answer
      const answerers = (await isKeptBySupervisee(deps, contract)) ? contract.superviseeIds : contract.supervisorIds;
      return notEngagingMessages(deps, org, contract, { reason: 'unanswered', personIds: answerers, sessionIds: [session.id], from: now });
    }
    case 'request-unanswered': {
      const request = await deps.sessionRequests.get(reminder.subjectId);
      if (!request || request.status !== 'open') return [];
      const contract = await deps.contracts.get(request.contractId);
      if (!contract) return [];
      const people = await deps.people.getMany([request.requestedById, ...contract.supervisorIds]);
      const name = (id: string) => people.find((p) => p.id === id)?.name ?? 'a colleague';
      const recipients = reminder.recipientIds.length > 0 ? reminder.recipientIds : escalationRecipients(org, request.requestedById);
      return recipients.map((recipientId) =>
        msg(recipientId, {
          type: 'reminder',
          kind: 'request-unanswered',
          title: `A session asked for is not booked: ${name(request.requestedById)}`,
          lines: [
            `${name(request.requestedById)} asked on ${formatDate(org, request.requestedAt)} for a supervision session with ${contract.supervisorIds.map(name).join(', ')}.`,
            `It was to be booked by ${formatDate(org, request.bookBy)} and is not booked yet (stour App. C: sessions on request).`,
          ],
        }),
      );
    }
    case 'incident-offer-again':
      return offerAgainMessages(deps, org, reminder.subjectId, reminder.id);
    case 'record-unsigned': {
      const record = await deps.records.latest(reminder.subjectId);
      if (!record || record.state !== 'awaiting-confirmation') return [];
      const waiting = reminder.recipientIds.filter((id) => !record.confirmations.some((c) => c.personId === id));
      return waiting.map((recipientId) =>
        msg(recipientId, { type: 'reminder', kind: 'record-unsigned', title: 'A supervision record is waiting for you', lines: [`Please check and confirm the record of ${formatDate(org, record.date)}.`], recordId: record.id }),
      );
    }
    case 'action-late': {
      const action = await deps.actions.get(reminder.subjectId);
      if (!action || action.status !== 'open') return [];
      const contract = await deps.contracts.get(action.contractId);
      const owner = await deps.people.get(action.ownerId);
      const canSetAside = Boolean(contract && owner && canSetActionAside(owner, action, contract, org));
      return [
        msg(action.ownerId, {
          type: 'reminder',
          kind: 'action-late',
          title: 'An agreed action is past its date',
          lines: [`“${action.text}” was due ${formatDate(org, action.dueDate)}. Mark it done here when it is, or talk it through at your next session.`],
          withoutContent: [`An action you own was due ${formatDate(org, action.dueDate)}. Mark it done here when it is, or talk it through at your next session.`],
          action: { id: action.id, canSetAside },
        }),
      ];
    }
    case 'case-decision-copy':
    case 'case-decision-overdue': {
      const [recordId, decisionId] = splitDecisionKey(reminder.subjectId);
      const decision = recordId && decisionId ? await deps.caseDecisions.get(recordId, decisionId) : null;
      if (!decision || decision.copiedToChildFileAt) return [];
      const caseDecision = { recordId: decision.recordId, decisionId: decision.id };
      if (reminder.kind === 'case-decision-copy') {
        return [msg(decision.followUpById, { type: 'reminder', kind: 'case-decision-copy', title: 'A case decision must reach the child’s file', lines: [`The decision for ${decision.childRef} must be on the child’s safeguarding file by ${formatDateTime(org, decision.copyDueAt)}.`], recordId, caseDecision })];
      }
      // template "recording": a day past its deadline, the DSL is told whose it is (ids and names only, never the decision)
      const people = await deps.people.getMany([decision.followUpById]);
      const follower = people[0]?.name ?? 'a colleague';
      return reminder.recipientIds.map((recipientId) =>
        msg(recipientId, {
          type: 'reminder',
          kind: 'case-decision-overdue',
          title: 'A case decision is not on the child’s file',
          lines: [`The decision for ${decision.childRef} was due on the child’s safeguarding file by ${formatDateTime(org, decision.copyDueAt)} and is not there yet. ${follower} follows it up.`],
          caseDecision,
        }),
      );
    }
  }
}

/** "today", "tomorrow", "on Monday" within the week, else "on Monday 17 Nov" (the Friday reminder of a Monday session says the day). */
export function relativeDay(today: LocalDate, day: LocalDate, instant: Date, zone: string): string {
  const dt = DateTime.fromJSDate(instant, { zone }).setLocale('en-GB');
  if (day === today) return 'today';
  if (day === addDays(today, 1)) return 'tomorrow';
  for (let n = 2; n <= 6; n++) if (day === addDays(today, n)) return `on ${dt.toFormat('cccc')}`;
  return `on ${dt.toFormat('cccc d LLL')}`;
}
