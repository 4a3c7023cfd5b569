/**
 * What follows a state change: the audit entry, the compliance summary `/overdue` reads, the reminders,
 * and risk-of-harm escalation. Every step is idempotent, so a command re-run after a crash repeats none.
 */
import { sessionOverdueFrom } from '../domain/cadence.js';
import { followUpsForSession, notEngaging } from '../domain/engagement.js';
import { remindersForSession } from '../domain/reminders.js';
import { heldOnTime } from '../domain/stats.js';
import { escalationRecipients } from '../domain/routing.js';
import type { Escalation, Organisation, Reminder, Session, SupervisionContract } from '../domain/types.js';
import { calendarOf } from './context.js';
import type { AppDeps, AuditEntry, ComplianceSummary, OutboxMessage } from './ports.js';
import { escalationView } from './present.js';

export async function audit(
  deps: AppDeps,
  entry: Omit<AuditEntry, 'seq' | 'prevHash' | 'hash' | 'at'> & { at?: Date },
): Promise<void> {
  await deps.audit.append({ ...entry, at: entry.at ?? deps.clock.now() });
  // every change to a session is audited, so this is where its Outlook event is put in step (from the queue)
  if (entry.subject.kind === 'session') await deps.outlookSync?.changed(entry.subject.id);
}

/** Recomputes the contract's compliance summary from its sessions (P3: `/overdue` reads only this). */
export async function refreshCompliance(deps: AppDeps, org: Organisation, contract: SupervisionContract): Promise<void> {
  const sessions = await deps.sessions.byContract(contract.id);
  await deps.compliance.upsert(complianceSummaryOf(org, contract, sessions, deps.clock.now()));
}

/** The contract's compliance summary from all its sessions, at `now`. */
export function complianceSummaryOf(org: Organisation, contract: SupervisionContract, sessions: Session[], now: Date): ComplianceSummary {
  const cal = calendarOf(org);
  const held = sessions.filter((s) => s.status === 'held').sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  const last = held[held.length - 1];
  const next = sessions
    .filter((s) => s.status === 'scheduled' && s.startsAt.getTime() > now.getTime())
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())[0];
  // the same rule as the dashboard's on-time rate
  const onTime = heldOnTime(contract, held, cal, org.overdueGraceDays).filter(Boolean).length;
  const engaging = contract.active ? notEngaging(contract, sessions, org, cal) : undefined;
  return {
    contractId: contract.id,
    organisationId: contract.organisationId,
    supervisorIds: contract.supervisorIds,
    superviseeIds: contract.superviseeIds,
    lastHeldAt: last?.startsAt,
    lastSessionId: last?.id,
    nextScheduledAt: next?.startsAt,
    sessionOverdueFrom: contract.active
      ? sessionOverdueFrom(contract, last?.startsAt, cal, org.overdueGraceDays)
      : new Date('9999-12-31T00:00:00Z'),
    reviewDueDate: contract.reviewDueDate,
    sessionsHeld: held.length,
    sessionsHeldOnTime: onTime,
    notEngagingFrom: engaging?.from,
    notEngaging: engaging ? { reason: engaging.reason, personIds: engaging.personIds, sessionIds: engaging.sessionIds } : undefined,
    updatedAt: now,
  };
}

export async function putReminders(deps: AppDeps, reminders: Reminder[]): Promise<void> {
  if (reminders.length === 0) return;
  await deps.reminders.upsertMany(reminders);
  await deps.reminderScheduler?.schedule(reminders);
}

export async function dropReminders(deps: AppDeps, subjectId: string, ids: string[]): Promise<void> {
  await deps.reminders.removeForSubject(subjectId);
  await deps.reminderScheduler?.unschedule(ids);
}

export async function remindSession(deps: AppDeps, org: Organisation, contract: SupervisionContract, sessionId: string): Promise<void> {
  const session = await deps.sessions.get(sessionId);
  if (!session) return;
  const cal = calendarOf(org);
  await putReminders(deps, [...remindersForSession(session, contract, org, cal), ...followUpsForSession(session, contract, org, cal)]);
}

/**
 * template supervisee (d): risk of harm goes to the DSL at once and never waits for the next session.
 * The escalation id comes from its source, so raising it twice is one escalation.
 */
export async function escalate(
  deps: AppDeps,
  org: Organisation,
  input: { raisedById: string; subjectPersonId: string; source: Escalation['source']; text: string },
): Promise<Escalation> {
  const id = `esc.${input.source.kind}.${input.source.id}`;
  // anything raised while nobody could hear it goes with this one to whoever is named now
  await deliverWaitingEscalations(deps, org);
  const existing = await deps.escalations.get(id);
  if (existing) return existing;
  const now = deps.clock.now();
  const people = await deps.people.getMany([input.raisedById, input.subjectPersonId]);
  const escalation: Escalation = {
    id,
    organisationId: org.id,
    raisedById: input.raisedById,
    subjectPersonId: input.subjectPersonId,
    source: input.source,
    raisedAt: now,
    notifiedIds: escalationRecipients(org, input.subjectPersonId),
  };
  await deps.escalations.insert(escalation);
  const view = escalationView(org, escalation, people, input.text);
  const messages: OutboxMessage[] = escalation.notifiedIds.map((recipientId) => ({
    id: `${id}.notify.${recipientId}`,
    organisationId: org.id,
    recipientId,
    threadKey: `escalation:${id}`,
    createdAt: now,
    view,
  }));
  await deps.outbox.enqueue(messages);
  await audit(deps, {
    organisationId: org.id,
    actorId: input.raisedById,
    action: 'escalation.raised',
    subject: { kind: 'escalation', id },
    detail: { source: input.source.kind, sourceId: input.source.id, notified: escalation.notifiedIds.length },
    at: now,
  });
  return escalation;
}

/** The text an escalation was raised with: the agenda item's, or the record concern's. */
export async function escalationText(deps: AppDeps, escalation: Escalation): Promise<string> {
  if (escalation.source.kind === 'agenda-item') return (await deps.agenda.get(escalation.source.id))?.text ?? '';
  if (!escalation.source.recordId) return '';
  const record = await deps.records.latest(escalation.source.recordId);
  const concernId = escalation.source.id.slice(escalation.source.recordId.length + 1);
  return record?.concerns.find((c) => c.id === concernId)?.text ?? '';
}

/**
 * An escalation raised when the school had no DSL, deputy or headteacher in the bot is kept, never dropped:
 * each unacknowledged one goes to the safeguarding leads named since, who were not told of it yet. Run before
 * every new escalation and when a worker starts; idempotent (outbox ids per escalation and recipient).
 */
export async function deliverWaitingEscalations(deps: AppDeps, org: Organisation): Promise<number> {
  let delivered = 0;
  for (const escalation of await deps.escalations.unacknowledged(org.id)) {
    const missing = escalationRecipients(org, escalation.subjectPersonId).filter((id) => !escalation.notifiedIds.includes(id));
    if (missing.length === 0) continue;
    const people = await deps.people.getMany([escalation.raisedById, escalation.subjectPersonId]);
    const view = escalationView(org, escalation, people, await escalationText(deps, escalation));
    await deps.escalations.addNotified(escalation.id, missing);
    const now = deps.clock.now();
    await deps.outbox.enqueue(missing.map((recipientId) => ({ id: `${escalation.id}.notify.${recipientId}`, organisationId: org.id, recipientId, threadKey: `escalation:${escalation.id}`, createdAt: now, view })));
    await audit(deps, { organisationId: org.id, actorId: escalation.raisedById, action: 'escalation.delivered', subject: { kind: 'escalation', id: escalation.id }, detail: { notified: missing.length }, at: now, key: `escalation-delivered:${escalation.id}:${missing.sort().join(',')}` });
    delivered += missing.length;
  }
  return delivered;
}
