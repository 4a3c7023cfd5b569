/**
 * Agenda items from either party (stour §5, §6), items parked for the next session (white-laith, stour §2), and
 * what a plain line in chat means: an answer to an agenda prompt, or a question back ("Add this to your agenda
 * for …?") — never an item by guesswork.
 */
import { z } from 'zod';
import { agendaReplyProblem, answersPrompt, DEFAULT_AGENDA_CATEGORY, isSmallTalk, limitsSaid, parseAgendaLines } from '../domain/agenda.js';
import { canSubmitAgendaItem } from '../domain/permissions.js';
import { AGENDA_CATEGORIES, type AgendaItem, type Session, type SupervisionContract } from '../domain/types.js';
import { type ActorContext, loadActor, loadContract } from './context.js';
import { audit, escalate } from './effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase, ValidationError } from './errors.js';
import type { AppDeps, Platform } from './ports.js';
import { categoryOptions, formatDateTime, splitAgenda, supportContactsOf } from './present.js';
import type { AgendaSuggestionView, AgendaView } from './views.js';

const itemInput = z.object({
  /** Natural key of the interaction (command id): item ids derive from it, so a retry adds nothing twice. */
  key: z.string().min(1).max(200),
  /** The session the item is for (a card's button, an answer to that session's prompt). */
  sessionId: z.string().min(1).max(200).optional(),
  contractId: z.string().min(1).max(200).optional(),
  /** A supervisor's `add chloe: …`: the supervisee, by name. */
  supervisee: z.string().trim().min(1).max(100).optional(),
  text: z.string().trim().min(1, 'type at least one item').max(10_000, 'can be at most 10,000 characters'),
  category: z.enum(AGENDA_CATEGORIES, { message: 'pick a category' }).default(DEFAULT_AGENDA_CATEGORY),
  riskOfHarm: z.boolean().default(false),
});

/** A session chosen on a card that is not the person's own nor a supervisee's: said, naming nothing about it. */
export const NOT_YOURS = 'You can add items only to your own supervision or to your supervisees’ sessions — choose one from the list.';

interface Target {
  contract: SupervisionContract;
  session: Session | null;
}

const nameMatches = (name: string, wanted: string) => {
  const n = name.toLowerCase();
  const w = wanted.toLowerCase();
  return n === w || n.split(/\s+/)[0] === w;
};

/** The person's contracts, each with its next session, soonest first. */
async function upcoming(deps: AppDeps, ctx: ActorContext): Promise<Target[]> {
  const now = deps.clock.now();
  const contracts = (await deps.contracts.forPerson(ctx.actor.id)).filter((c) => c.active && canSubmitAgendaItem(ctx.actor, c));
  const targets = await Promise.all(contracts.map(async (contract) => ({ contract, session: await deps.sessions.nextScheduled(contract.id, now) })));
  return targets.sort((a, b) => (a.session?.startsAt.getTime() ?? Number.POSITIVE_INFINITY) - (b.session?.startsAt.getTime() ?? Number.POSITIVE_INFINITY));
}

async function optionLabel(deps: AppDeps, ctx: ActorContext, t: Target): Promise<string> {
  const others = await deps.people.getMany([...t.contract.supervisorIds, ...t.contract.superviseeIds].filter((id) => id !== ctx.actor.id));
  const names = others.map((p) => p.name).join(', ');
  return t.session ? `${formatDateTime(ctx.org, t.session.startsAt)} with ${names}` : `the next session with ${names}`;
}

async function suggestion(deps: AppDeps, ctx: ActorContext, text: string, targets: Target[], asking: 'confirm' | 'choose'): Promise<AgendaSuggestionView> {
  const withSession = targets.filter((t): t is Target & { session: Session } => t.session !== null);
  const options = await Promise.all(withSession.map(async (t) => ({ sessionId: t.session.id, sessionText: await optionLabel(deps, ctx, t) })));
  const question =
    options.length === 1 && asking === 'confirm'
      ? `Add this to your agenda for ${options[0]?.sessionText}?`
      : 'Which session is this for? Choose one to add it to its agenda.';
  return { type: 'agenda-suggestion', text, question, options, categories: categoryOptions() };
}

/** Where an item goes: the session named, the supervisee named, the contract named, or the person's only contract. */
async function targetOf(deps: AppDeps, ctx: ActorContext, input: z.infer<typeof itemInput>): Promise<Target | Target[]> {
  const now = deps.clock.now();
  if (input.sessionId) {
    const session = await deps.sessions.get(input.sessionId);
    if (!session || session.organisationId !== ctx.org.id) throw new Refusal();
    const contract = await loadContract(deps, ctx, session.contractId);
    if (!canSubmitAgendaItem(ctx.actor, contract)) throw new Refusal();
    if (session.status !== 'scheduled' || session.startsAt.getTime() <= now.getTime()) {
      // that session has gone: the item goes to the contract's next one
      return { contract, session: await deps.sessions.nextScheduled(contract.id, now) };
    }
    return { contract, session };
  }
  if (input.contractId) {
    // a choice from the picker: only a contract the person is party to (a forged one is refused, revealing nothing)
    const contract = await deps.contracts.get(input.contractId);
    if (!contract || contract.organisationId !== ctx.org.id || !contract.active || !canSubmitAgendaItem(ctx.actor, contract)) throw new Refusal(NOT_YOURS);
    return { contract, session: await deps.sessions.nextScheduled(contract.id, now) };
  }
  const targets = await upcoming(deps, ctx);
  if (targets.length === 0) throw new Refusal('You have no supervision contract yet — your DSL can set one up.');
  if (input.supervisee) {
    const supervising = targets.filter((t) => t.contract.supervisorIds.includes(ctx.actor.id));
    const people = await deps.people.getMany(supervising.flatMap((t) => t.contract.superviseeIds));
    const matching = supervising.filter((t) => t.contract.superviseeIds.some((id) => nameMatches(people.find((p) => p.id === id)?.name ?? '', input.supervisee as string)));
    if (matching.length === 1) return matching[0] as Target;
    if (matching.length > 1) return matching;
    // not a supervisee's name ("add workload: Year 4"): the words before the colon are part of the item
    input.text = `${input.supervisee}: ${input.text}`;
  }
  return targets.length === 1 ? (targets[0] as Target) : targets;
}

async function addItems(deps: AppDeps, ctx: ActorContext, input: z.infer<typeof itemInput>, park: boolean): Promise<AgendaView | AgendaSuggestionView> {
  const target = await targetOf(deps, ctx, input);
  // a person with several contracts chooses the session; nothing is written until they do
  if (Array.isArray(target)) return suggestion(deps, ctx, input.text, target, 'choose');
  const { contract } = target;
  // a limit is said and the reply refused, never cut (stour §5, §6: an item cut short is an item lost)
  const problem = agendaReplyProblem(input.text);
  if (problem) throw new ValidationError('text', problem, problem);
  const parsed = parseAgendaLines(input.text);
  if (parsed.items.length === 0) throw new Refusal('Type at least one item — one per line.');
  const now = deps.clock.now();
  // white-laith, stour §2: a parked item waits for the next session that is held, marked as raised informally
  const next = park ? null : target.session;
  const items: AgendaItem[] = parsed.items.map((text, i) => ({
    id: `${input.key}.${i}`,
    organisationId: ctx.org.id,
    contractId: contract.id,
    sessionId: next?.id,
    authorId: ctx.actor.id,
    text,
    category: input.category,
    riskOfHarm: input.riskOfHarm,
    parked: next === null,
    ...(park ? { raisedInformallyOn: ctx.cal.localDate(now) } : {}),
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
      action: park ? 'agenda.parked' : 'agenda.added',
      subject: { kind: next ? 'session' : 'contract', id: next?.id ?? contract.id },
      detail: { items: added, riskOfHarm: input.riskOfHarm, notAdded: parsed.notAdded, shortened: parsed.shortened.length },
    });
  }
  const session = target.session;
  const current = session ? await deps.agenda.forContractSession(contract.id, session.id) : await deps.agenda.parked(contract.id);
  const people = await deps.people.getMany([...current.map((i) => i.authorId), ...contract.superviseeIds]);
  const split = splitAgenda(ctx.org, current, people);
  const isSupervisee = contract.superviseeIds.includes(ctx.actor.id);
  return {
    type: 'agenda',
    sessionId: session?.id,
    startsAtText: session ? formatDateTime(ctx.org, session.startsAt) : undefined,
    ...(isSupervisee ? {} : { forNames: contract.superviseeIds.map((id) => people.find((p) => p.id === id)?.name ?? 'a colleague') }),
    items: split.items,
    parkedItems: split.parkedItems,
    parkedCount: current.filter((i) => i.parked).length,
    added,
    parked: park,
    escalated: input.riskOfHarm,
    ...(unheard ? { unheard } : {}),
    limits: limitsSaid(parsed),
    ...(input.riskOfHarm ? { supportContacts: supportContactsOf(ctx.org) } : {}),
  };
}

/** An agenda item (`add …`, a card, or an answer to the agenda prompt): one item per line, for the next session. */
export const submitAgendaItem = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(itemInput, input);
  const ctx = await loadActor(deps, actorId);
  return { ok: true, view: await addItems(deps, ctx, parsed, false) };
});

/** `park <text>`: kept for the next formal session, marked as raised informally today. */
export const parkItemForNextSession = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(itemInput, input);
  const ctx = await loadActor(deps, actorId);
  return { ok: true, view: await addItems(deps, ctx, parsed, true) };
});

const formInput = z.object({
  /** Words typed before the form opened (kept in the text box). */
  text: z.string().max(2000, 'can be at most 2,000 characters').default(''),
});

/** How a contract is named in the picker: whose session (the supervisees, or "Your supervision with …") and when. */
async function pickerLabel(deps: AppDeps, ctx: ActorContext, t: Target): Promise<string> {
  const { contract, session } = t;
  const when = session ? formatDateTime(ctx.org, session.startsAt) : 'next session not booked yet';
  const group = contract.kind === 'group' ? ' (group)' : '';
  if (contract.superviseeIds.includes(ctx.actor.id)) {
    const supervisors = await deps.people.getMany(contract.supervisorIds);
    return `Your supervision${group} with ${supervisors.map((p) => p.name).join(', ')} — ${when}`;
  }
  const supervisees = await deps.people.getMany(contract.superviseeIds);
  return `${supervisees.map((p) => p.name).join(', ')}${group} — ${when}`;
}

/**
 * "Add an agenda item" with a picker: the person's contracts (their supervisees', and their own as supervisee),
 * each with its next session by name and date. Read-only; `submitAgendaItem` with the chosen `contractId` adds.
 */
export const agendaForm = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(formInput, input ?? {});
  const ctx = await loadActor(deps, actorId);
  const targets = await upcoming(deps, ctx);
  if (targets.length === 0) return { ok: true, view: { type: 'text', text: 'You have no supervision contract yet — your DSL can set one up.' } };
  // at most 100 (Slack's static select holds no more); soonest session first
  const options = await Promise.all(targets.slice(0, 100).map(async (t) => ({ contractId: t.contract.id, sessionText: await pickerLabel(deps, ctx, t) })));
  return { ok: true, view: { type: 'agenda-form', text: parsed.text, options, selected: options.length === 1 ? (options[0]?.contractId ?? '') : '', categories: categoryOptions() } };
});

const lineInput = z.object({
  text: z.string().trim().min(1, 'type a message').max(10_000),
  /** The session whose agenda prompt this line replies to in a thread, when the platform says so. */
  threadSessionId: z.string().min(1).max(200).optional(),
});

/** What a plain line means: it answers a prompt (and goes to that session), is small talk, or is asked about. */
export type AgendaLine = { kind: 'answer'; sessionId: string } | { kind: 'ask'; view: AgendaSuggestionView } | { kind: 'reply'; text: string };

/**
 * A plain line in the bot's chat becomes an agenda item only when it answers an agenda prompt: a reply in the
 * prompt's thread, or a line within the prompt's window (stour §5, §6). Anything else is asked about, and a
 * pleasantry is never an item. Read-only: the item is added by the command the caller then sends.
 */
export async function agendaLine(deps: AppDeps, actorId: string, input: unknown): Promise<AgendaLine> {
  const parsed = parseInput(lineInput, input);
  const ctx = await loadActor(deps, actorId);
  if (isSmallTalk(parsed.text)) {
    return { kind: 'reply', text: 'To put something on your supervision agenda, type add and the item (for example: add workload in December). Type help for everything else.' };
  }
  const targets = await upcoming(deps, ctx);
  const now = deps.clock.now();
  if (parsed.threadSessionId && targets.some((t) => t.session?.id === parsed.threadSessionId)) return { kind: 'answer', sessionId: parsed.threadSessionId };
  const answering: Target[] = [];
  for (const t of targets) {
    if (!t.session) continue;
    const prompt = await deps.reminders.get(`agenda-prompt:${t.session.id}`);
    if (prompt?.sent && prompt.recipientIds.includes(ctx.actor.id) && answersPrompt(prompt.dueAt, t.session.startsAt, now)) answering.push(t);
  }
  if (answering.length === 1) return { kind: 'answer', sessionId: (answering[0] as Target & { session: Session }).session.id };
  const choices = answering.length > 1 ? answering : targets;
  if (!choices.some((t) => t.session)) {
    return { kind: 'reply', text: 'You have no supervision session booked to add this to. Type park and the item to keep it for your next session.' };
  }
  return { kind: 'ask', view: await suggestion(deps, ctx, parsed.text, choices, 'confirm') };
}

/** The session whose agenda prompt a platform message (Slack `ts`, Teams activity id) is, for a reply in its thread. */
export async function sessionOfThread(deps: AppDeps, personId: string, platform: Platform, messageRef: string): Promise<string | undefined> {
  const now = deps.clock.now();
  for (const contract of await deps.contracts.forPerson(personId)) {
    const next = await deps.sessions.nextScheduled(contract.id, now);
    if (!next) continue;
    const ref = await deps.deliveries.get(`agenda:${next.id}`, personId, platform);
    if (ref && (ref.ts === messageRef || ref.activityId === messageRef)) return next.id;
  }
  return undefined;
}
