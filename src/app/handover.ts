/**
 * Handover when a contract's supervisor changes (white-laith supervisor responsibilities; issue 14). The change
 * is made in the dashboard or by a contracts import, and both pass through `contractTermsWritten`, which starts a
 * handover here: the outgoing supervisor (or the DSL, when they have left) is sent the handover form — each open
 * action of the contract kept or closed with a note, the themes to carry over, a note for the incoming
 * supervisor. Written, the kept actions move to the incoming supervisor (still open and chased), the closed ones
 * are closed through `completeAction` (audited), case decisions not yet on the child's file pass to the incoming
 * supervisor to follow up, the incoming supervisor receives the handover and the supervisee is told who their
 * supervisor now is and when the next session is. Until it is written the DSL sees it in `/overdue`.
 *
 * Its free text (themes, note, why an action was closed) is safeguarding content: it is never logged, and only
 * the writer, the incoming supervisor and the safeguarding leads read it — never an admin.
 */
import { z } from 'zod';
import { daysBetween } from '../domain/overdue.js';
import { isSafeguardingLead } from '../domain/permissions.js';
import { remindersForAction } from '../domain/reminders.js';
import type { Handover, Organisation, Person, SupervisionContract } from '../domain/types.js';
import { calendarOf, loadActor, namesOf } from './context.js';
import { audit, putReminders } from './effects.js';
import { completeAction } from './follow-up.js';
import { parseInput, Refusal, type UseCaseResult, useCase, ValidationError } from './errors.js';
import type { AppDeps, OutboxMessage } from './ports.js';
import { formatDate, formatDateTime } from './present.js';
import type { HandoverFormView, HandoverView, NotificationView } from './views.js';

/** The form lists at most this many open actions; any beyond them are kept (nothing open is dropped unseen). */
export const HANDOVER_ACTIONS_MAX = 30;
export const HANDOVER_TEXT_MAX = 5000;
export const HANDOVER_CLOSE_NOTE_MAX = 1000;

const ref = z.string().regex(/^[A-Za-z0-9._:@-]{1,250}$/, 'not a valid reference');

/**
 * Who writes a handover: the outgoing supervisor while they are here; once they have left, the DSL (the
 * deputies when the school has no DSL, else the headteacher).
 */
export function handoverWriters(org: Pick<Organisation, 'dslIds' | 'deputyDslIds' | 'headteacherId'>, from: Pick<Person, 'id' | 'active'> | null): string[] {
  if (from && from.active !== false) return [from.id];
  if (org.dslIds.length > 0) return [...org.dslIds];
  if (org.deputyDslIds.length > 0) return [...org.deputyDslIds];
  return org.headteacherId ? [org.headteacherId] : [];
}

/** The writer, the incoming supervisor and the safeguarding leads read a handover; nobody else (never an admin). */
export function canReadHandover(actor: Person, org: Organisation, handover: Handover, writers: readonly string[]): boolean {
  if (actor.organisationId !== handover.organisationId || actor.active === false) return false;
  return writers.includes(actor.id) || handover.toId === actor.id || handover.writtenById === actor.id || isSafeguardingLead(actor, org);
}

async function writersOf(deps: AppDeps, org: Organisation, handover: Handover): Promise<{ writers: string[]; from: Person | null }> {
  const from = await deps.people.get(handover.fromId);
  return { writers: handoverWriters(org, from), from };
}

async function formView(deps: AppDeps, org: Organisation, handover: Handover, from: Person | null): Promise<HandoverFormView> {
  const [actions, decisions] = await Promise.all([deps.actions.openForContract(handover.contractId), deps.caseDecisions.notCopiedForContract(handover.contractId)]);
  const people = await deps.people.getMany([handover.fromId, handover.toId, ...handover.superviseeIds, ...actions.map((a) => a.ownerId)]);
  const name = (id: string) => namesOf(people, [id])[0] as string;
  const supervisees = namesOf(people, handover.superviseeIds).join(', ');
  const listed = actions.slice(0, HANDOVER_ACTIONS_MAX);
  const left = !from || from.active === false;
  const lines = [
    left
      ? `${name(handover.fromId)} has left, so the handover of ${supervisees}’s supervision to ${name(handover.toId)} is for you to write as DSL.`
      : `Your supervision of ${supervisees} passes to ${name(handover.toId)}. Please write them a handover.`,
    listed.length > 0
      ? 'Keep each open action (it moves to the new supervisor) or close it with a note; then the themes to carry over and a note for the new supervisor.'
      : 'There are no open actions. Add the themes to carry over and a note for the new supervisor.',
    ...(actions.length > listed.length ? [`${actions.length - listed.length} more open actions are kept as they are.`] : []),
    ...(decisions.length > 0 ? [`${decisions.length === 1 ? 'A case decision' : `${decisions.length} case decisions`} not yet on the child’s file pass${decisions.length === 1 ? 'es' : ''} to ${name(handover.toId)} to follow up.`] : []),
  ];
  return {
    type: 'handover-form',
    handoverId: handover.id,
    title: `Handover: ${supervisees}’s supervision`,
    lines,
    actions: listed.map((a, n) => ({ n, id: a.id, text: a.text, ownerName: name(a.ownerId), dueText: formatDate(org, a.dueDate), outcome: 'keep' as const, note: '' })),
    actionIds: listed.map((a) => a.id).join(','),
    themesTyped: '',
    noteTyped: '',
    decisions: decisions.map((d) => ({ childRef: d.childRef, copyDueText: formatDateTime(org, d.copyDueAt) })),
  };
}

async function handoverView(deps: AppDeps, org: Organisation, handover: Handover): Promise<HandoverView> {
  const [decisions, actionDocs, records] = await Promise.all([
    deps.caseDecisions.notCopiedForContract(handover.contractId),
    Promise.all((handover.actions ?? []).map((a) => deps.actions.get(a.actionId))),
    Promise.all(handover.superviseeIds.map((s) => deps.records.forPerson(s))),
  ]);
  const disputed = new Map(records.flat().filter((r) => r.contractId === handover.contractId && r.state === 'disputed' && !r.destroyed).map((r) => [r.id, r]));
  const people = await deps.people.getMany([handover.fromId, handover.toId, handover.writtenById ?? '', ...handover.superviseeIds, ...decisions.map((d) => d.followUpById), ...actionDocs.map((a) => a?.ownerId ?? '')]);
  const name = (id: string) => namesOf(people, [id])[0] as string;
  const supervisees = namesOf(people, handover.superviseeIds).join(', ');
  const byDsl = handover.writtenById !== undefined && handover.writtenById !== handover.fromId;
  return {
    type: 'handover',
    handoverId: handover.id,
    title: `Handover: ${supervisees}’s supervision`,
    lines: [
      `From ${name(handover.fromId)} to ${name(handover.toId)}${handover.writtenAt ? `, written ${formatDate(org, handover.writtenAt)}` : ''}${byDsl ? ` by ${name(handover.writtenById as string)} (DSL)` : ''}.`,
    ],
    kept: (handover.actions ?? []).flatMap((a, i) => {
      const doc = actionDocs[i];
      return a.outcome === 'kept' ? [{ text: a.text, ownerName: doc ? name(doc.ownerId) : '', dueText: doc ? formatDate(org, doc.dueDate) : '' }] : [];
    }),
    closed: (handover.actions ?? []).flatMap((a) => (a.outcome === 'closed' ? [{ text: a.text, note: a.note ?? '' }] : [])),
    themes: handover.themes ?? '',
    note: handover.note ?? '',
    decisions: decisions.map((d) => ({ childRef: d.childRef, followUpByName: name(d.followUpById), copyDueText: formatDateTime(org, d.copyDueAt) })),
    disputes: [...disputed.values()].map((r) => ({ dateText: formatDate(org, r.date) })),
  };
}

/** Sends the handover form to whoever writes it now (idempotent: one message per handover and writer). */
async function sendForm(deps: AppDeps, org: Organisation, handover: Handover): Promise<number> {
  const { writers, from } = await writersOf(deps, org, handover);
  if (writers.length === 0) return 0;
  const view = await formView(deps, org, handover, from);
  const now = deps.clock.now();
  await deps.outbox.enqueue(writers.map((recipientId) => ({ id: `${handover.id}.form.${recipientId}`, organisationId: org.id, recipientId, threadKey: `handover:${handover.id}`, createdAt: now, view })));
  return writers.length;
}

/**
 * A contract's supervisor changed (`contractTermsWritten`): a handover from the outgoing supervisor to the
 * incoming one, its form sent to whoever writes it. A change already waiting for its handover is not doubled.
 */
export async function startHandover(deps: AppDeps, org: Organisation, contract: SupervisionContract, previousSupervisorIds: readonly string[], actorId?: string): Promise<Handover | null> {
  const fromId = previousSupervisorIds[0];
  const toId = contract.supervisorIds[0];
  if (!fromId || !toId || fromId === toId || !contract.active) return null;
  const waiting = await deps.handovers.pendingForContract(contract.id);
  if (waiting.some((h) => h.fromId === fromId && h.toId === toId)) return null;
  const now = deps.clock.now();
  const handover: Handover = {
    id: `ho.${now.getTime().toString(36)}.${contract.id}`.slice(0, 250),
    organisationId: org.id,
    contractId: contract.id,
    fromId,
    toId,
    superviseeIds: [...contract.superviseeIds],
    createdAt: now,
    state: 'pending',
  };
  if (!(await deps.handovers.insert(handover))) return null;
  await audit(deps, { organisationId: org.id, actorId: actorId ?? fromId, action: 'handover.started', subject: { kind: 'handover', id: handover.id }, detail: { contractId: contract.id, fromId, toId }, at: now, key: `handover-started:${handover.id}` });
  await sendForm(deps, org, handover);
  return handover;
}

/** A person has left: the handovers still waiting for them go to the DSL to write. */
export async function handoversOfLeaver(deps: AppDeps, org: Organisation, personId: string): Promise<number> {
  let sent = 0;
  for (const handover of await deps.handovers.pendingFrom(personId)) {
    if (handover.organisationId === org.id) sent += await sendForm(deps, org, handover);
  }
  return sent;
}

const openInput = z.object({ handoverId: ref }).strict();

/**
 * `handover.open`: the form for whoever writes it, or the written handover for those who read it; an admin, the
 * supervisee or anyone else is refused without being told it exists.
 */
export const openHandover = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const { handoverId } = parseInput(openInput, input);
  const ctx = await loadActor(deps, actorId);
  const handover = await deps.handovers.get(handoverId);
  if (!handover || handover.organisationId !== ctx.org.id) throw new Refusal();
  const { writers, from } = await writersOf(deps, ctx.org, handover);
  if (!canReadHandover(ctx.actor, ctx.org, handover, writers)) throw new Refusal();
  if (handover.state === 'written') return { ok: true, view: await handoverView(deps, ctx.org, handover) };
  if (writers.includes(actorId)) return { ok: true, view: await formView(deps, ctx.org, handover, from) };
  return { ok: true, view: { type: 'text', text: 'That handover has not been written yet.' } };
});

const submitInput = z
  .object({
    handoverId: ref,
    actions: z
      .array(
        z
          .object({
            actionId: ref,
            outcome: z.enum(['keep', 'close'], { message: 'choose keep or close' }),
            note: z.string().trim().max(HANDOVER_CLOSE_NOTE_MAX, `can be at most ${HANDOVER_CLOSE_NOTE_MAX.toLocaleString('en-GB')} characters`).optional(),
          })
          .strict(),
      )
      .max(HANDOVER_ACTIONS_MAX, `at most ${HANDOVER_ACTIONS_MAX} actions`)
      .default([]),
    themes: z.string().trim().max(HANDOVER_TEXT_MAX, `can be at most ${HANDOVER_TEXT_MAX.toLocaleString('en-GB')} characters`).default(''),
    note: z.string().trim().max(HANDOVER_TEXT_MAX, `can be at most ${HANDOVER_TEXT_MAX.toLocaleString('en-GB')} characters`).default(''),
  })
  .strict();
export type HandoverInput = z.input<typeof submitInput>;

const label = (path: ReadonlyArray<string | number>) => (path[0] === 'themes' ? 'Themes to carry over' : path[0] === 'note' ? 'Note for the new supervisor' : path[0] === 'actions' && typeof path[1] === 'number' ? `Action ${path[1] + 1}` : String(path.join('.')));

/**
 * The handover written (by the outgoing supervisor, or the DSL when they have left). Every rule is checked
 * before anything is written: a closed action needs a note; an action not listed (or beyond the form's rows) is
 * kept.
 */
export const submitHandover = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(submitInput, input, label);
  const ctx = await loadActor(deps, actorId);
  const handover = await deps.handovers.get(parsed.handoverId);
  if (!handover || handover.organisationId !== ctx.org.id) throw new Refusal();
  const { writers } = await writersOf(deps, ctx.org, handover);
  if (!writers.includes(actorId)) {
    if (canReadHandover(ctx.actor, ctx.org, handover, writers)) throw new Refusal('Sorry — this handover is written by the outgoing supervisor (or the DSL when they have left).');
    throw new Refusal();
  }
  if (handover.state === 'written') return { ok: true, view: await handoverView(deps, ctx.org, handover) };
  const contract = await deps.contracts.get(handover.contractId);
  if (!contract) throw new Refusal();
  const open = await deps.actions.openForContract(handover.contractId);
  const openById = new Map(open.map((a) => [a.id, a]));
  const chosen = new Map<string, { outcome: 'keep' | 'close'; note?: string }>();
  parsed.actions.forEach((a, i) => {
    if (chosen.has(a.actionId)) throw new ValidationError(`actions.${i}.actionId`, 'is listed twice', `Action ${i + 1}: is listed twice`);
    const action = openById.get(a.actionId);
    // an action closed meanwhile (done from its reminder) needs nothing more; one of another contract is refused
    if (!action) return;
    if (a.outcome === 'close' && !a.note) throw new ValidationError(`actions.${i}.note`, 'a note is needed to close it', `Action ${i + 1} ‘${action.text}’: a note is needed to close it`);
    chosen.set(a.actionId, a);
  });
  for (const [i, a] of parsed.actions.entries()) {
    if (!openById.has(a.actionId)) {
      const stored = await deps.actions.get(a.actionId);
      if (!stored || stored.contractId !== handover.contractId) throw new ValidationError(`actions.${i}.actionId`, 'is not an action of this contract', `Action ${i + 1}: is not an action of this contract`);
    }
  }
  const now = deps.clock.now();
  // the contract's supervisor now (it may have changed again since the handover was started)
  const toId = contract.supervisorIds[0] ?? handover.toId;
  const summary: NonNullable<Handover['actions']> = [];
  for (const action of open) {
    const choice = chosen.get(action.id);
    if (choice?.outcome === 'close') {
      const closed = await completeAction(deps, actorId, { actionId: action.id, notNeededReason: choice.note });
      if (!closed.ok) throw new Refusal(closed.error.type === 'refusal' ? closed.error.text : closed.error.message);
      summary.push({ actionId: action.id, text: action.text, outcome: 'closed', ...(choice.note ? { note: choice.note } : {}) });
      continue;
    }
    const ownerId = action.ownerId === handover.fromId ? toId : action.ownerId;
    if (await deps.actions.handOver(action.id, { ownerId, supervisorId: toId, handedOverFrom: handover.fromId })) {
      await putReminders(deps, remindersForAction({ ...action, ownerId }, ctx.org, ctx.cal));
    }
    summary.push({ actionId: action.id, text: action.text, outcome: 'kept' });
  }
  for (const d of await deps.caseDecisions.notCopiedForContract(handover.contractId)) {
    if (d.followUpById === handover.fromId) await deps.caseDecisions.reassignFollowUp(d.recordId, d.id, handover.fromId, toId);
  }
  const written = await deps.handovers.markWritten(handover.id, { writtenById: actorId, writtenAt: now, actions: summary, themes: parsed.themes, note: parsed.note, toId });
  const stored = (await deps.handovers.get(handover.id)) ?? handover;
  if (written) {
    await audit(deps, {
      organisationId: ctx.org.id,
      actorId,
      action: 'handover.written',
      subject: { kind: 'handover', id: handover.id },
      detail: { contractId: handover.contractId, kept: summary.filter((a) => a.outcome === 'kept').length, closed: summary.filter((a) => a.outcome === 'closed').length },
      at: now,
      key: `handover-written:${handover.id}`,
    });
  }
  const view = await handoverView(deps, ctx.org, stored);
  const messages: OutboxMessage[] = [];
  if (stored.toId !== actorId) messages.push({ id: `${handover.id}.to.${stored.toId}`, organisationId: ctx.org.id, recipientId: stored.toId, threadKey: `handover:${handover.id}`, createdAt: now, view });
  const told = await toldView(deps, ctx.org, contract, stored);
  for (const s of stored.superviseeIds) messages.push({ id: `${handover.id}.told.${s}`, organisationId: ctx.org.id, recipientId: s, threadKey: `handover-told:${handover.id}`, createdAt: now, view: told });
  await deps.outbox.enqueue(messages);
  const [to] = await deps.people.getMany([stored.toId]);
  return { ok: true, view: { ...view, lines: [`Handover sent to ${to?.name ?? 'the new supervisor'}.`, ...view.lines] }, data: { handoverId: handover.id } };
});

/** What the supervisee is told: who their supervisor now is, and when the next session is. */
async function toldView(deps: AppDeps, org: Organisation, contract: SupervisionContract, handover: Handover): Promise<NotificationView> {
  const [to] = await deps.people.getMany([handover.toId]);
  const next = await deps.sessions.nextScheduled(contract.id, deps.clock.now());
  const toName = to?.name ?? 'a colleague';
  return {
    type: 'text',
    text: `Your supervisor is now ${toName}. ${next ? `Your next session is ${formatDateTime(org, next.startsAt)} (${contract.location}).` : `Your next session is not booked yet — ${toName} will arrange it.`}`,
  };
}

/** The DSL's list of handovers not yet written (`/overdue`, the dashboard): who owes it, and since when. */
export async function pendingHandoverRows(deps: AppDeps, org: Organisation, today: string): Promise<Array<{ personId: string; personName: string; detail: string; daysOverdue: number; refId: string }>> {
  const pending = await deps.handovers.pending(org.id);
  if (pending.length === 0) return [];
  const people = await deps.people.getMany(pending.flatMap((h) => [h.fromId, h.toId, ...h.superviseeIds]));
  const cal = calendarOf(org);
  return pending.map((h) => {
    const from = people.find((p) => p.id === h.fromId);
    const left = !from || from.active === false;
    return {
      personId: h.fromId,
      personName: namesOf(people, [h.fromId])[0] as string,
      detail: `Handover not written: ${namesOf(people, h.superviseeIds).join(', ')}’s supervision passes to ${namesOf(people, [h.toId])[0]}${left ? ' — they have left, so the DSL writes it' : ''}`,
      daysOverdue: Math.max(0, daysBetween(cal.localDate(h.createdAt), today)),
      refId: h.id,
    };
  });
}

/** A handover as a person's history shows it: who wrote it, when, and what was carried over. */
export interface HandoverHistoryRow {
  id: string;
  contractId: string;
  fromName: string;
  toName: string;
  /** "Written by … on …", or "Not yet written". */
  stateText: string;
  writtenAt?: string;
  /** How many open actions were kept for the incoming supervisor and how many closed, and whether themes were carried over. */
  carriedOverText: string;
  /** The themes and the note: only for the incoming supervisor, whoever wrote it, and the DSL or a deputy. */
  themes?: string;
  note?: string;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The handovers of a person's contracts for their history and their supervision file, oldest first. The words
 * (themes, note) are kept from anyone but the incoming supervisor, the writer and the DSL or a deputy.
 */
export function handoverHistory(org: Organisation, handovers: readonly Handover[], people: readonly Person[], viewer: Person): HandoverHistoryRow[] {
  const name = (id: string | undefined) => (id ? (namesOf([...people], [id])[0] ?? 'a colleague') : 'a colleague');
  const lead = viewer.organisationId === org.id && (org.dslIds.includes(viewer.id) || org.deputyDslIds.includes(viewer.id) || viewer.roles.includes('dsl') || viewer.roles.includes('deputy-dsl'));
  return handovers
    .filter((h) => h.organisationId === org.id)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
    .map((h) => {
      const written = h.state === 'written' && h.writtenAt;
      const kept = (h.actions ?? []).filter((a) => a.outcome === 'kept').length;
      const closed = (h.actions ?? []).filter((a) => a.outcome === 'closed').length;
      const readsWords = lead || viewer.id === h.toId || (h.writtenById !== undefined && viewer.id === h.writtenById);
      return {
        id: h.id,
        contractId: h.contractId,
        fromName: name(h.fromId),
        toName: name(h.toId),
        stateText: written ? `Written by ${name(h.writtenById)} on ${formatDateTime(org, h.writtenAt as Date)}` : `Not yet written (asked for on ${formatDate(org, h.createdAt)})`,
        ...(written ? { writtenAt: (h.writtenAt as Date).toISOString() } : {}),
        carriedOverText: written
          ? `${plural(kept, 'open action', 'open actions')} carried over to ${name(h.toId)}, ${plural(closed, 'closed', 'closed')} with a note${h.themes?.trim() ? '; themes for the next sessions' : ''}${h.note?.trim() ? '; a note for the incoming supervisor' : ''}`
          : 'Nothing yet: the open actions stay open until it is written',
        ...(written && readsWords && h.themes?.trim() ? { themes: h.themes } : {}),
        ...(written && readsWords && h.note?.trim() ? { note: h.note } : {}),
      };
    });
}
