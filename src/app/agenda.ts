/** Agenda items from either party (stour §5, §6) and items parked for the next session (white-laith, stour §2). */
import { z } from 'zod';
import { agendaReplyProblem, parseAgendaReply } from '../domain/agenda.js';
import { canSubmitAgendaItem } from '../domain/permissions.js';
import { AGENDA_CATEGORIES, type AgendaItem } from '../domain/types.js';
import { type ActorContext, defaultContract, loadActor, loadContract } from './context.js';
import { audit, escalate } from './effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase, ValidationError } from './errors.js';
import type { AppDeps } from './ports.js';
import { agendaItemView, formatDateTime } from './present.js';
import type { AgendaView } from './views.js';

const itemInput = z.object({
  /** Natural key of the interaction (command id): item ids derive from it, so a retry adds nothing twice. */
  key: z.string().min(1).max(200),
  contractId: z.string().min(1).max(200).optional(),
  text: z.string().trim().min(1, 'type at least one item').max(10_000, 'can be at most 10,000 characters'),
  category: z.enum(AGENDA_CATEGORIES).default('case-discussion'),
  riskOfHarm: z.boolean().default(false),
});

async function addItems(deps: AppDeps, ctx: ActorContext, input: z.infer<typeof itemInput>, parked: boolean): Promise<AgendaView> {
  const contract = input.contractId ? await loadContract(deps, ctx, input.contractId) : await defaultContract(deps, ctx);
  if (!canSubmitAgendaItem(ctx.actor, contract)) throw new Refusal();
  const problem = agendaReplyProblem(input.text);
  if (problem) throw new ValidationError('text', problem, problem);
  const lines = parseAgendaReply(input.text);
  if (lines.length === 0) throw new Refusal('Type at least one item — one per line.');
  const now = deps.clock.now();
  const next = parked ? null : await deps.sessions.nextScheduled(contract.id, now);
  const items: AgendaItem[] = lines.map((text, i) => ({
    id: `${input.key}.${i}`,
    organisationId: ctx.org.id,
    contractId: contract.id,
    sessionId: next?.id,
    authorId: ctx.actor.id,
    text,
    category: input.category,
    riskOfHarm: input.riskOfHarm,
    parked: next === null,
    createdAt: now,
  }));
  let added = 0;
  for (const item of items) if (await deps.agenda.add(item)) added++;
  let unheard = false;
  if (input.riskOfHarm) {
    const subject = contract.superviseeIds.includes(ctx.actor.id) ? ctx.actor.id : (contract.superviseeIds[0] ?? ctx.actor.id);
    for (const item of items) {
      const escalation = await escalate(deps, ctx.org, {
        raisedById: ctx.actor.id,
        subjectPersonId: subject,
        source: { kind: 'agenda-item', id: item.id },
        text: item.text,
      });
      await deps.agenda.setEscalation(item.id, escalation.id);
      if (escalation.notifiedIds.length === 0) unheard = true;
    }
  }
  if (added > 0) {
    await audit(deps, {
      organisationId: ctx.org.id,
      actorId: ctx.actor.id,
      action: parked ? 'agenda.parked' : 'agenda.added',
      subject: { kind: next ? 'session' : 'contract', id: next?.id ?? contract.id },
      detail: { items: added, riskOfHarm: input.riskOfHarm },
    });
  }
  const current = [...(next ? await deps.agenda.forSession(next.id) : []), ...(await deps.agenda.parked(contract.id))];
  const people = await deps.people.getMany(current.map((i) => i.authorId));
  return {
    type: 'agenda',
    sessionId: next?.id,
    startsAtText: next ? formatDateTime(ctx.org, next.startsAt) : undefined,
    items: current.map((i) => agendaItemView(i, people)),
    parkedCount: current.filter((i) => i.parked).length,
    added,
    escalated: input.riskOfHarm,
    ...(unheard ? { unheard } : {}),
  };
}

/** A reply to the agenda prompt: one item per line, for the next session. */
export const submitAgendaItem = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(itemInput, input);
  const ctx = await loadActor(deps, actorId);
  return { ok: true, view: await addItems(deps, ctx, parsed, false) };
});

/** `park <text>`: kept for the next formal session, whenever it is arranged. */
export const parkItemForNextSession = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(itemInput, input);
  const ctx = await loadActor(deps, actorId);
  return { ok: true, view: await addItems(deps, ctx, parsed, true) };
});
