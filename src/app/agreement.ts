/**
 * The supervision agreement signed in chat (white-laith B, template "supervision agreement", stour App. C/§8):
 * a contract's terms go to every party as a card; each Agrees (signed with name and time, in the audit trail)
 * or asks the supervisor a question. Sessions are booked once all have agreed — the last signature books the
 * first one — or once the DSL starts the contract early, with a reason.
 */
import { z } from 'zod';
import { agreementTermsOf, cadenceInWords, isBookingHeld, levelInWords, partiesOf, signedParties, unsignedParties } from '../domain/agreement.js';
import { isPartyToContract } from '../domain/permissions.js';
import type { Organisation, Person, SupervisionContract } from '../domain/types.js';
import { loadActor, namesOf } from './context.js';
import { audit, refreshCompliance } from './effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase } from './errors.js';
import type { AppDeps, OutboxMessage } from './ports.js';
import { formatDate, formatDateTime } from './present.js';
import { ensureNextSession } from './sessions.js';
import type { AgreementView, NotificationView } from './views.js';

/** Template "confidentiality": supervision is confidential except for these. */
export const CONFIDENTIALITY_EXCEPTIONS = [
  'a child may be at risk of significant harm',
  'there is unsafe practice placing people at risk',
  'there is illegal activity',
];

const FORMAT_WORDS: Record<SupervisionContract['format'], string> = { 'face-to-face': 'Face to face', video: 'By video call', phone: 'By phone' };

export const threadKeyOfAgreement = (contractId: string) => `agreement:${contractId}`;

/** The agreement card as one party sees it. */
export async function agreementView(deps: AppDeps, org: Organisation, contract: SupervisionContract, viewerId: string, known?: Person[]): Promise<AgreementView> {
  const people = known ?? (await deps.people.getMany(partiesOf(contract)));
  const terms = contract.agreement?.terms ?? agreementTermsOf(contract);
  const signatures = contract.signatures.filter((s) => s.terms === terms);
  const mine = signatures.find((s) => s.personId === viewerId);
  const group = contract.kind === 'group';
  return {
    type: 'agreement',
    contractId: contract.id,
    terms,
    title: group ? 'Group agreement' : 'Supervision agreement',
    supervisorNames: namesOf(people, contract.supervisorIds),
    superviseeNames: namesOf(people, contract.superviseeIds),
    frequencyText: `${cadenceInWords(contract.cadence)[0]?.toUpperCase()}${cadenceInWords(contract.cadence).slice(1)}${contract.onRequest ? ', and on request between sessions' : ''}`,
    lengthText: `${contract.durationMinutes} minutes`,
    location: contract.location,
    formatText: FORMAT_WORDS[contract.format],
    levelText: levelInWords(contract.level, contract.kind),
    recordsText:
      'The supervisor writes a record of each session and both of you agree it before it is signed. Records are seen only by their parties, the DSL, whoever hears a dispute, and an auditor once signed; the school keeps them for as long as its retention policy says.',
    confidentialityLines: CONFIDENTIALITY_EXCEPTIONS,
    disputeText:
      contract.disputeRoute === 'safeguarding-governor'
        ? 'The safeguarding governor, in a three-way meeting with you both'
        : 'The supervisor’s line manager, in a three-way meeting with you both',
    reviewText: formatDate(org, contract.reviewDueDate),
    signed: signatures.map((s) => ({ name: namesOf(people, [s.personId])[0] as string, signedText: formatDateTime(org, s.signedAt) })),
    waitingNames: namesOf(people, unsignedParties(contract)),
    canAgree: contract.active && isPartyToContract({ id: viewerId, organisationId: org.id, roles: [] }, contract) && !mine,
    ...(mine ? { agreedText: `You agreed on ${formatDateTime(org, mine.signedAt)}.` } : {}),
  };
}

/**
 * A contract's terms were written (created, edited, imported, renewed): when the agreed terms changed — or it is
 * new — everyone is asked to agree to them, and its booking waits. Answers whether it asked.
 */
export async function askForAgreement(deps: AppDeps, org: Organisation, contract: SupervisionContract): Promise<SupervisionContract> {
  const terms = agreementTermsOf(contract);
  if (!contract.active || contract.agreement?.terms === terms) return contract;
  const now = deps.clock.now();
  const asked: SupervisionContract = { ...contract, agreement: { terms, requestedAt: now }, signatures: [], awaitingSignatures: true };
  await deps.contracts.upsert(asked);
  const people = await deps.people.getMany(partiesOf(asked));
  const messages: OutboxMessage[] = [];
  for (const recipientId of partiesOf(asked)) {
    messages.push({
      id: `agreement.${asked.id}.${terms}.${recipientId}`,
      organisationId: org.id,
      recipientId,
      threadKey: threadKeyOfAgreement(asked.id),
      createdAt: now,
      view: await agreementView(deps, org, asked, recipientId, people),
    });
  }
  await deps.outbox.enqueue(messages);
  await audit(deps, { organisationId: org.id, actorId: 'system', action: 'contract.agreement-requested', subject: { kind: 'contract', id: asked.id }, detail: { terms, parties: partiesOf(asked).length } });
  return asked;
}

const agreeInput = z.object({
  contractId: z.string().min(1, 'must name the contract').max(250, 'is not a contract'),
  terms: z.string().regex(/^[0-9a-f]{16}$/, 'is not the terms of an agreement'),
});

/** Agree: the party's signature on these terms; the last one books the first session at once. */
export const agreeToContract = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(agreeInput, input);
  const ctx = await loadActor(deps, actorId);
  const contract = await deps.contracts.get(parsed.contractId);
  if (!contract || !isPartyToContract(ctx.actor, contract) || !contract.active) throw new Refusal();
  const terms = contract.agreement?.terms;
  if (terms !== parsed.terms) {
    // agreed before agreements were kept, or the terms changed since this card: the current card is in their chat
    if (!terms) return { ok: true, view: await agreementView(deps, ctx.org, contract, actorId) };
    throw new Refusal('The terms of this agreement have changed since this card was sent: the new agreement is in your chat — please read it and agree to that one.');
  }
  const now = deps.clock.now();
  const signed = await deps.contracts.sign(contract.id, terms, { personId: actorId, signedAt: now, terms });
  const current = signed ?? (await deps.contracts.get(contract.id)) ?? contract;
  if (signed) {
    await audit(deps, { organisationId: ctx.org.id, actorId, action: 'contract.agreed', subject: { kind: 'contract', id: contract.id }, detail: { terms, signedAt: now.toISOString() }, key: `agreed:${contract.id}:${terms}:${actorId}` });
  }
  if (unsignedParties(current).length === 0 && (await deps.contracts.settleAgreement(contract.id, terms))) await everyoneAgreed(deps, ctx.org, current);
  return { ok: true, view: await agreementView(deps, ctx.org, current, actorId), data: { contractId: contract.id } };
});

/** Everyone has agreed: the first session is booked (if the DSL has not started it already) and all are told. */
async function everyoneAgreed(deps: AppDeps, org: Organisation, contract: SupervisionContract): Promise<void> {
  const settled: SupervisionContract = { ...contract };
  delete settled.awaitingSignatures;
  const session = await ensureNextSession(deps, org, settled);
  await refreshCompliance(deps, org, settled);
  const now = deps.clock.now();
  const people = await deps.people.getMany(partiesOf(settled));
  const terms = settled.agreement?.terms ?? '';
  const what = settled.kind === 'group' ? 'group agreement' : 'supervision agreement';
  const first = session?.status === 'scheduled' ? ` Your next session: ${formatDateTime(org, session.startsAt)}, ${settled.location}.` : '';
  await deps.outbox.enqueue(
    partiesOf(settled).map((recipientId) => ({
      id: `agreement.${settled.id}.${terms}.all-agreed.${recipientId}`,
      organisationId: org.id,
      recipientId,
      createdAt: now,
      view: { type: 'text' as const, text: `Everyone has agreed to the ${what} (${namesOf(people, partiesOf(settled).filter((id) => id !== recipientId)).join(', ')} and you).${first}` },
    })),
  );
  await audit(deps, { organisationId: org.id, actorId: 'system', action: 'contract.agreement-complete', subject: { kind: 'contract', id: settled.id }, detail: { terms, ...(session ? { sessionId: session.id } : {}) } });
}

const askInput = z.object({
  contractId: z.string().min(1, 'must name the contract').max(250, 'is not a contract'),
  question: z.string().trim().min(1, 'type your question').max(2000, 'is longer than 2,000 characters'),
});

/** Ask a question about the agreement: it goes to the supervisor as a message (kept in chat, never logged). */
export const askAboutAgreement = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(askInput, input);
  const ctx = await loadActor(deps, actorId);
  const contract = await deps.contracts.get(parsed.contractId);
  if (!contract || !isPartyToContract(ctx.actor, contract) || !contract.active) throw new Refusal();
  const to = contract.supervisorIds.filter((id) => id !== actorId);
  if (to.length === 0) throw new Refusal('You are this contract’s supervisor: questions about the agreement come to you.');
  const now = deps.clock.now();
  const people = await deps.people.getMany([actorId, ...to]);
  await deps.outbox.enqueue(
    to.map((recipientId) => ({
      id: `agreement.${contract.id}.question.${actorId}.${now.getTime().toString(36)}.${recipientId}`,
      organisationId: ctx.org.id,
      recipientId,
      createdAt: now,
      view: { type: 'agreement-question' as const, contractId: contract.id, title: 'A question about the supervision agreement', askerName: ctx.actor.name, question: parsed.question },
    })),
  );
  return { ok: true, view: { type: 'text', text: `Sent to ${namesOf(people, to).join(', ')}. The agreement is still here for when you are ready.` } };
});

const startInput = z.object({
  contractId: z.string().min(1, 'must name the contract').max(250, 'is not a contract'),
  reason: z.string().trim().min(1, 'say why the contract starts before everyone has agreed').max(1000, 'is longer than 1,000 characters'),
});

/** The DSL or a deputy: who may start a contract before everyone has agreed. */
export const isDslOrDeputy = (actor: Person, org: Organisation) =>
  actor.organisationId === org.id && (org.dslIds.includes(actor.id) || org.deputyDslIds.includes(actor.id) || actor.roles.includes('dsl') || actor.roles.includes('deputy-dsl'));

/** The DSL starts a contract before everyone has agreed, with a reason (kept, never logged; audited). */
export const startContractEarly = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(startInput, input);
  const ctx = await loadActor(deps, actorId);
  if (!isDslOrDeputy(ctx.actor, ctx.org)) throw new Refusal(START_REFUSED);
  const contract = await deps.contracts.get(parsed.contractId);
  if (!contract || contract.organisationId !== ctx.org.id || !contract.active) throw new Refusal('There is no such contract here.');
  if (!isBookingHeld(contract) || !contract.agreement) {
    return { ok: true, view: { type: 'text', text: 'This contract is not waiting: its sessions are booked already.' } };
  }
  const now = deps.clock.now();
  const started: SupervisionContract = { ...contract, agreement: { ...contract.agreement, startedEarly: { byId: actorId, at: now, reason: parsed.reason, terms: contract.agreement.terms } } };
  await deps.contracts.upsert(started);
  const session = await ensureNextSession(deps, ctx.org, started);
  await refreshCompliance(deps, ctx.org, started);
  await audit(deps, { organisationId: ctx.org.id, actorId, action: 'contract.started-early', subject: { kind: 'contract', id: contract.id }, detail: { terms: contract.agreement.terms, waiting: unsignedParties(started).length } });
  const when = session?.status === 'scheduled' ? `; the first session is ${formatDateTime(ctx.org, session.startsAt)}` : '';
  return { ok: true, view: { type: 'text', text: `Started before everyone has agreed${when}. The agreement stays open for those who have not signed.` }, data: { contractId: contract.id, ...(session ? { sessionId: session.id } : {}) } };
});

/** For lists: who has agreed, who not yet, and since when (a contract agreed before they were kept: everyone). */
export function agreementState(org: Organisation, contract: SupervisionContract, people: Person[]) {
  const terms = contract.agreement?.terms;
  return {
    waiting: unsignedParties(contract).length > 0 && contract.active,
    since: contract.agreement ? formatDate(org, contract.agreement.requestedAt) : undefined,
    signed: contract.signatures.filter((s) => s.terms === terms && terms !== undefined).map((s) => ({ name: namesOf(people, [s.personId])[0] as string, signedText: formatDateTime(org, s.signedAt) })),
    signedNames: namesOf(people, signedParties(contract)),
    waitingNames: namesOf(people, unsignedParties(contract)),
    startedEarly: contract.agreement?.startedEarly?.terms === terms && terms !== undefined,
  };
}

export const START_REFUSED = 'Only the DSL or a deputy starts a contract before everyone has agreed.';
export const START_HOW =
  'To start a contract before everyone has agreed to it, type start, the supervisee’s name, a colon and why — e.g. start Amy Teacher: she takes up her new role this week. Its first session is booked at once and the agreement stays open for those who have not signed.';

/** What `start …` typed in chat says, checked: the supervisee's name (or a contract's reference) and the reason. */
const typedStartInput = z.object({
  name: z.string().trim().min(1, 'say whose contract to start, e.g. start Amy Teacher: why').max(200, 'is longer than 200 characters'),
  reason: z.string().trim().min(1, 'say why the contract starts before everyone has agreed, after the colon').max(1000, 'is longer than 1,000 characters'),
});

/**
 * `start` (how to) or `start <name>: <reason>` typed in chat by the DSL or a deputy: the input of
 * `startContractEarly` for the one contract of that supervisee waiting for signatures, or what to answer — how to,
 * a refusal, a field named, or the choice when several wait (each with its reference, typed in the name's place).
 * Anyone else is refused in words when the line has the command's shape (`start` alone, or with a colon); another
 * line that begins with the word is theirs to say (an agenda item). Undefined when it is not the command.
 */
export async function typedStart(deps: AppDeps, actor: Person, typed: string): Promise<{ input: { contractId: string; reason: string } } | { view: NotificationView } | undefined> {
  const match = /^\/?start\b([\s\S]*)$/i.exec(typed.trim());
  if (!match) return undefined;
  const rest = (match[1] ?? '').trim();
  const colon = rest.indexOf(':');
  const org = await deps.organisations.get(actor.organisationId);
  if (!org || !isDslOrDeputy(actor, org)) return rest === '' || colon >= 0 ? { view: { type: 'refusal', text: START_REFUSED } } : undefined;
  if (rest === '') return { view: { type: 'text', text: START_HOW } };
  if (colon < 0) return { view: { type: 'error', field: 'reason', message: 'reason: say why after a colon, e.g. start Amy Teacher: she takes up her new role this week' } };
  const parsed = typedStartInput.safeParse({ name: rest.slice(0, colon), reason: rest.slice(colon + 1) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? 'name');
    return { view: { type: 'error', field, message: `${field}: ${issue?.message ?? 'is not valid'}` } };
  }
  const { name, reason } = parsed.data;
  const waiting = (await deps.contracts.waitingForSignatures(org.id)).filter((c) => c.active && isBookingHeld(c) && c.agreement);
  const people = await deps.people.getMany([...new Set(waiting.flatMap((c) => [...c.superviseeIds, ...c.supervisorIds]))]);
  const wanted = name.toLowerCase();
  const named = (matches: (p: Person) => boolean) => waiting.filter((c) => people.some((p) => c.superviseeIds.includes(p.id) && matches(p)));
  const byReference = waiting.filter((c) => c.id.toLowerCase() === wanted);
  const byName = named((p) => p.name.toLowerCase() === wanted);
  const found = byReference.length > 0 ? byReference : byName.length > 0 ? byName : named((p) => p.name.toLowerCase().split(/\s+/)[0] === wanted);
  if (found.length === 0) return { view: { type: 'refusal', text: `No contract of “${name.slice(0, 80)}” is waiting for signatures — type the supervisee’s full name as the contract names them.` } };
  if (found.length > 1) {
    const lines = found.map((c) => `• ${c.id} — ${c.kind === 'group' ? 'group, ' : ''}${namesOf(people, c.superviseeIds).join(', ')} with ${namesOf(people, c.supervisorIds).join(', ')}, waiting since ${formatDate(org, c.agreement?.requestedAt as Date)}`);
    return { view: { type: 'text', text: `${found.length} contracts of “${name.slice(0, 80)}” are waiting for signatures. Type start and the one you mean, then the colon and why:\n${lines.join('\n')}\ne.g. start ${found[0]?.id}: why it starts now` } };
  }
  return { input: { contractId: (found[0] as SupervisionContract).id, reason } };
}
