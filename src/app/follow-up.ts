/** Following up: actions done, case decisions copied to the child's file, escalations acknowledged. */
import { z } from 'zod';
import { canAcknowledgeEscalation, canCompleteAction, canMarkCaseDecisionCopied } from '../domain/permissions.js';
import { loadActor, loadContract } from './context.js';
import { audit, dropReminders, escalate } from './effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase } from './errors.js';
import type { AppDeps } from './ports.js';
import { escalationView } from './present.js';
import type { EscalationView } from './views.js';
import type { Escalation, Organisation } from '../domain/types.js';

const actionInput = z.object({ actionId: z.string().min(1).max(300) });

export const completeAction = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(actionInput, input);
  const ctx = await loadActor(deps, actorId);
  const action = await deps.actions.get(parsed.actionId);
  if (!action || action.organisationId !== ctx.org.id) throw new Refusal();
  const contract = await loadContract(deps, ctx, action.contractId);
  if (!canCompleteAction(ctx.actor, action, contract)) throw new Refusal();
  if (await deps.actions.complete(action.id, deps.clock.now())) {
    await dropReminders(deps, action.id, [`action-late:${action.id}`]);
    await audit(deps, { organisationId: ctx.org.id, actorId, action: 'action.completed', subject: { kind: 'action', id: action.id }, detail: {} });
  }
  return { ok: true, view: { type: 'text', text: 'Action marked as done.' } };
});

const copiedInput = z.object({ recordId: z.string().min(1).max(200), decisionId: z.string().min(1).max(50) });

/** template "recording": the decision is on the child's file (CPOMS, MyConcern…); the bot holds the pointer. */
export const markCaseDecisionCopied = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(copiedInput, input);
  const ctx = await loadActor(deps, actorId);
  const decision = await deps.caseDecisions.get(parsed.recordId, parsed.decisionId);
  if (!decision || decision.organisationId !== ctx.org.id) throw new Refusal();
  const contract = await loadContract(deps, ctx, decision.contractId);
  if (!canMarkCaseDecisionCopied(ctx.actor, decision, contract, ctx.org)) throw new Refusal();
  if (await deps.caseDecisions.markCopied(parsed.recordId, parsed.decisionId, actorId, deps.clock.now())) {
    await dropReminders(deps, `${parsed.recordId}:${parsed.decisionId}`, [`case-decision-copy:${parsed.recordId}:${parsed.decisionId}`]);
    await audit(deps, { organisationId: ctx.org.id, actorId, action: 'case-decision.copied', subject: { kind: 'record', id: parsed.recordId }, detail: { decisionId: parsed.decisionId } });
  }
  return { ok: true, view: { type: 'text', text: 'Noted: the decision is on the child’s file.' } };
});

const escalateInput = z.object({ agendaItemId: z.string().min(1).max(300) });

/** Flag an agenda item already written as risk of harm: it reaches the DSL at once (template supervisee (d)). */
export const escalateRiskOfHarm = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(escalateInput, input);
  const ctx = await loadActor(deps, actorId);
  const item = await deps.agenda.get(parsed.agendaItemId);
  if (!item || item.organisationId !== ctx.org.id) throw new Refusal();
  const contract = await loadContract(deps, ctx, item.contractId);
  if (![...contract.supervisorIds, ...contract.superviseeIds].includes(actorId)) throw new Refusal();
  const escalation = await escalate(deps, ctx.org, {
    raisedById: actorId,
    subjectPersonId: contract.superviseeIds.includes(item.authorId) ? item.authorId : (contract.superviseeIds[0] ?? item.authorId),
    source: { kind: 'agenda-item', id: item.id },
    text: item.text,
  });
  await deps.agenda.setEscalation(item.id, escalation.id);
  const leads = await deps.people.getMany(escalation.notifiedIds);
  return { ok: true, view: { type: 'escalation-raised', dslNames: leads.map((p) => p.name), raisedAtText: escalation.raisedAt.toISOString() } };
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
  let text = '';
  if (escalation.source.kind === 'agenda-item') text = (await deps.agenda.get(escalation.source.id))?.text ?? '';
  else if (escalation.source.recordId) {
    const record = await deps.records.latest(escalation.source.recordId);
    const concernId = escalation.source.id.slice(escalation.source.recordId.length + 1);
    text = record?.concerns.find((c) => c.id === concernId)?.text ?? '';
  }
  const people = await deps.people.getMany([escalation.raisedById, escalation.subjectPersonId, escalation.acknowledgedById ?? '']);
  return escalationView(org, escalation, people, text);
}
