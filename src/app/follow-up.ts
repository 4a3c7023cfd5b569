/** Following up: actions done, case decisions copied to the child's file, escalations acknowledged. */
import { z } from 'zod';
import { canAcknowledgeEscalation, canCompleteAction, canFlagRiskOfHarm, canMarkCaseDecisionCopied, canSetActionAside } from '../domain/permissions.js';
import { caseDecisionReminderIds } from '../domain/reminders.js';
import { loadActor, loadContract } from './context.js';
import { audit, dropReminders, escalate, escalationText } from './effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase, ValidationError } from './errors.js';
import type { AppDeps } from './ports.js';
import { escalationRaisedView, escalationView } from './present.js';
import type { EscalationView } from './views.js';
import type { Escalation, Organisation, Person } from '../domain/types.js';
import { handoverWriters } from './handover.js';

const actionInput = z.object({
  actionId: z.string().min(1).max(300),
  /** Set the action aside as not needed, saying why (the supervisor or a safeguarding lead); otherwise it is done. */
  notNeededReason: z.string().trim().min(1, 'say why the action is not needed').max(1000, 'at most 1,000 characters').optional(),
});

/** white-laith: agreed actions are followed up; done, or set aside as not needed with the reason. */
export const completeAction = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(actionInput, input);
  const ctx = await loadActor(deps, actorId);
  const action = await deps.actions.get(parsed.actionId);
  if (!action || action.organisationId !== ctx.org.id) throw new Refusal();
  const contract = await loadContract(deps, ctx, action.contractId);
  const setAside = parsed.notNeededReason !== undefined;
  if (!(setAside ? canSetActionAside(ctx.actor, action, contract, ctx.org) : canCompleteAction(ctx.actor, action, contract, ctx.org)) && !(await writesHandoverOf(deps, ctx.actor, ctx.org, action.contractId))) throw new Refusal();
  const now = deps.clock.now();
  if (await deps.actions.complete(action.id, now, { byId: actorId, ...(setAside ? { notNeededReason: parsed.notNeededReason } : {}) })) {
    await dropReminders(deps, action.id, [`action-late:${action.id}`]);
  }
  // keyed by the action, so a retry after a crash writes the entry it missed, and a second click writes nothing
  const stored = (await deps.actions.get(action.id)) ?? action;
  if (stored.status !== 'open') {
    const closedBy = stored.closedById ?? actorId;
    await audit(deps, { organisationId: ctx.org.id, actorId: closedBy, action: stored.status === 'not-needed' ? 'action.not-needed' : 'action.completed', subject: { kind: 'action', id: action.id }, detail: {}, at: stored.completedAt ?? now, key: `action-closed:${action.id}` });
  }
  const text = stored.status === 'not-needed' ? 'Action set aside as not needed.' : 'Action marked as done.';
  return { ok: true, view: { type: 'text', text }, data: { actionId: action.id, status: stored.status } };
});

/**
 * The outgoing supervisor (or the DSL, when they have left) writing a contract's handover closes its actions,
 * though the contract already names the incoming supervisor (src/app/handover.ts).
 */
async function writesHandoverOf(deps: AppDeps, actor: Person, org: Organisation, contractId: string): Promise<boolean> {
  const pending = await deps.handovers.pendingForContract(contractId);
  if (pending.length === 0) return false;
  for (const h of pending) {
    const from = h.fromId === actor.id ? actor : await deps.people.get(h.fromId);
    if (handoverWriters(org, from).includes(actor.id)) return true;
  }
  return false;
}

const copiedInput = z.object({
  recordId: z.string().min(1).max(200),
  decisionId: z.string().min(1).max(50),
  /** The school system's reference for the entry (CPOMS, MyConcern…), when the person gives one. */
  childFileRef: z.string().trim().max(40, 'at most 40 characters').regex(/^[A-Za-z0-9 ./#:_-]*$/, 'letters, digits and . / # : _ - only').optional(),
});

/** template "recording": the decision is on the child's file (CPOMS, MyConcern…); the bot holds the pointer. */
export const markCaseDecisionCopied = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(copiedInput, input);
  const ctx = await loadActor(deps, actorId);
  const decision = await deps.caseDecisions.get(parsed.recordId, parsed.decisionId);
  if (!decision || decision.organisationId !== ctx.org.id) throw new Refusal();
  const contract = await loadContract(deps, ctx, decision.contractId);
  if (!canMarkCaseDecisionCopied(ctx.actor, decision, contract, ctx.org)) throw new Refusal();
  const now = deps.clock.now();
  if (await deps.caseDecisions.markCopied(parsed.recordId, parsed.decisionId, actorId, now, parsed.childFileRef || undefined)) {
    await dropReminders(deps, `${parsed.recordId}:${parsed.decisionId}`, caseDecisionReminderIds(parsed.recordId, parsed.decisionId));
  }
  const stored = (await deps.caseDecisions.get(parsed.recordId, parsed.decisionId)) ?? decision;
  if (stored.copiedToChildFileAt) {
    await audit(deps, { organisationId: ctx.org.id, actorId: stored.copiedById ?? actorId, action: 'case-decision.copied', subject: { kind: 'record', id: parsed.recordId }, detail: { decisionId: parsed.decisionId }, at: stored.copiedToChildFileAt, key: `decision-copied:${parsed.recordId}:${parsed.decisionId}` });
  }
  return { ok: true, view: { type: 'text', text: `Noted: the decision for ${stored.childRef} is on the child’s file${stored.childFileRef ? ` (${stored.childFileRef})` : ''}.` }, data: { recordId: parsed.recordId, decisionId: parsed.decisionId } };
});

const escalateInput = z.union([
  z.object({ agendaItemId: z.string().min(1).max(300) }).strict(),
  z.object({ recordId: z.string().min(1).max(200), concernId: z.string().regex(/^c\d{1,3}$/, 'not a concern of this record') }).strict(),
]);

/**
 * Flag an agenda item or a record concern already written as risk of harm: it reaches the DSL and deputies at
 * once (template supervisee (d)). With nobody in the bot to hear it, the person flagging is told to phone
 * their DSL now, and the escalation is kept for whoever is named next (`deliverWaitingEscalations`).
 */
export const escalateRiskOfHarm = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(escalateInput, input);
  const ctx = await loadActor(deps, actorId);
  let escalation: Escalation;
  if ('agendaItemId' in parsed) {
    const item = await deps.agenda.get(parsed.agendaItemId);
    if (!item || item.organisationId !== ctx.org.id) throw new Refusal();
    const contract = await loadContract(deps, ctx, item.contractId);
    if (!canFlagRiskOfHarm(ctx.actor, contract, ctx.org)) throw new Refusal();
    escalation = await escalate(deps, ctx.org, {
      raisedById: actorId,
      subjectPersonId: contract.superviseeIds.includes(item.authorId) ? item.authorId : (contract.superviseeIds[0] ?? item.authorId),
      source: { kind: 'agenda-item', id: item.id },
      text: item.text,
    });
    await deps.agenda.setEscalation(item.id, escalation.id);
  } else {
    const record = await deps.records.latest(parsed.recordId);
    if (!record || record.organisationId !== ctx.org.id) throw new Refusal();
    const contract = await loadContract(deps, ctx, record.contractId);
    if (!canFlagRiskOfHarm(ctx.actor, contract, ctx.org)) throw new Refusal();
    // a draft's concerns are renumbered on each edit; the supervisor marks risk of harm in the form itself
    if (record.state === 'draft') throw new Refusal('The record is still a draft: mark the concern as a risk of harm in the record form.');
    const concern = record.concerns.find((c) => c.id === parsed.concernId);
    if (!concern) throw new ValidationError('concernId', 'not a concern of this record');
    escalation = await escalate(deps, ctx.org, {
      raisedById: actorId,
      subjectPersonId: record.superviseeIds[0] ?? actorId,
      source: { kind: 'record-concern', id: `${record.id}.${concern.id}`, recordId: record.id },
      text: concern.text,
    });
  }
  const leads = await deps.people.getMany(escalation.notifiedIds);
  return { ok: true, view: escalationRaisedView(ctx.org, escalation, leads.map((p) => p.name)), data: { escalationId: escalation.id, notified: escalation.notifiedIds.length } };
});

const ackInput = z.object({ escalationId: z.string().min(1).max(300) });

export const acknowledgeEscalation = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(ackInput, input);
  const ctx = await loadActor(deps, actorId);
  const escalation = await deps.escalations.get(parsed.escalationId);
  if (!escalation || !canAcknowledgeEscalation(ctx.actor, escalation, ctx.org)) throw new Refusal();
  const now = deps.clock.now();
  await deps.escalations.acknowledge(escalation.id, actorId, now);
  const stored = await deps.escalations.get(escalation.id);
  // another lead's click may have claimed it a moment before writing who: it is acknowledged either way
  const acknowledged = { ...escalation, ...stored, acknowledgedAt: stored?.acknowledgedAt ?? now, acknowledgedById: stored?.acknowledgedById ?? actorId };
  const view = await acknowledgedView(deps, ctx.org, acknowledged);
  // Both steps are keyed by the escalation, so a retry after a crash writes what it missed and a second click
  // writes nothing: one audit entry, by whoever acknowledged first.
  const byId = acknowledged.acknowledgedById ?? actorId;
  await audit(deps, { organisationId: ctx.org.id, actorId: byId, action: 'escalation.acknowledged', subject: { kind: 'escalation', id: escalation.id }, detail: {}, at: acknowledged.acknowledgedAt ?? now, key: `acknowledge:${escalation.id}` });
  // every lead it went to sees who has it in hand: their card is updated in place (same thread)
  await deps.outbox.enqueue(
    escalation.notifiedIds.map((recipientId) => ({ id: `${escalation.id}.acknowledged.${recipientId}`, organisationId: ctx.org.id, recipientId, threadKey: `escalation:${escalation.id}`, createdAt: now, view })),
  );
  return { ok: true, view };
});

/** The escalation card as it stands once acknowledged, with the flagged text it was raised with. */
async function acknowledgedView(deps: AppDeps, org: Organisation, escalation: Escalation): Promise<EscalationView> {
  const text = await escalationText(deps, escalation);
  const people = await deps.people.getMany([escalation.raisedById, escalation.subjectPersonId, escalation.acknowledgedById ?? '']);
  return escalationView(org, escalation, people, text);
}
