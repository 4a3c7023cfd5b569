/**
 * Creating, editing and ending a supervision contract (the admin API; the contracts CSV import writes the same
 * contracts). The same rules as the import (`contractProblems`); ending a contract keeps its sessions, records
 * and actions, cancels the sessions still booked and their reminders.
 */
import { z } from 'zod';
import { aYearOn, CONTRACT_TERMS, contractFromDraft, contractIdFor, contractProblems, type ContractDraft, parseCadence } from '../domain/imports/contracts.js';
import { AGREEMENT_TERMS } from '../domain/agreement.js';
import { canAdminister } from '../domain/permissions.js';
import { askForAgreement } from './agreement.js';
import type { Organisation, SupervisionContract } from '../domain/types.js';
import { calendarOf } from './context.js';
import { audit, refreshCompliance } from './effects.js';
import { parseInput, Refusal, ValidationError } from './errors.js';
import type { AppDeps } from './ports.js';
import { startHandover } from './handover.js';
import { ensureNextSession } from './sessions.js';

const id = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a person id');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD');

/** A contract's terms as the dashboard's form and the API send them (`POST`/`PUT /tab/api/admin/contracts`). */
export const contractInput = z
  .object({
    reference: z.string().regex(/^[A-Za-z0-9._ -]{1,80}$/, 'must be letters, digits, spaces, dots, dashes or underscores (at most 80)').optional(),
    kind: z.enum(['one-to-one', 'group'], { message: 'must be one-to-one or group' }),
    supervisorId: id,
    superviseeIds: z.array(id, { message: 'must be a list of person ids' }).min(1, 'names nobody: a contract needs a supervisee').max(50, 'names more than 50 people'),
    external: z.boolean({ message: 'must be true or false' }).optional(),
    cadence: z.string().max(40).refine((t) => parseCadence(t) !== undefined, 'must be weekly, every N weeks (2–26), fortnightly, monthly, half-termly, termly or yearly'),
    durationMinutes: z.number({ message: 'must be a number of minutes' }).int('must be a whole number of minutes').min(30, 'must be at least 30 minutes').max(120, 'must be at most 120 minutes'),
    location: z.string().trim().min(1, 'is empty: say where sessions are held').max(200, 'is longer than 200 characters'),
    format: z.enum(['face-to-face', 'video', 'phone'], { message: 'must be face-to-face, video or phone' }).optional(),
    level: z.union([z.literal(1), z.literal(2), z.literal(3)], { message: 'must be 1, 2 or 3' }),
    disputeRoute: z.enum(['line-manager', 'safeguarding-governor'], { message: 'must be line-manager or safeguarding-governor' }),
    agendaTemplate: z.enum(['general', 'dsl'], { message: 'must be general or dsl' }).optional(),
    startDate: day,
    reviewDueDate: day.optional(),
    preferredTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day, HH:mm').optional(),
  })
  .strict();
export type ContractInput = z.input<typeof contractInput>;

async function admin(deps: AppDeps, actorId: string) {
  const actor = await deps.people.get(actorId);
  const org = actor ? await deps.organisations.get(actor.organisationId) : null;
  if (!actor || !org || actor.active === false || !canAdminister(actor, org, 'contracts.manage')) throw new Refusal('Sorry — contracts are managed by the school’s admins, its DSL and its headteacher.');
  return { actor, org };
}

async function draftFrom(deps: AppDeps, organisationId: string, input: z.infer<typeof contractInput>, contractId?: string): Promise<ContractDraft> {
  const people = await deps.people.getMany([input.supervisorId, ...input.superviseeIds]);
  const known = new Map(people.filter((p) => p.organisationId === organisationId && p.active !== false).map((p) => [p.id, p]));
  if (!known.has(input.supervisorId)) throw new ValidationError('supervisorId', 'is nobody here (or someone who has left)');
  input.superviseeIds.forEach((s, i) => {
    if (!known.has(s)) throw new ValidationError(`superviseeIds.${i}`, 'is nobody here (or someone who has left)');
  });
  const draft: ContractDraft = {
    id: contractId ?? contractIdFor(organisationId, input.reference, known.get(input.supervisorId)?.email ?? input.supervisorId, input.superviseeIds.map((s) => known.get(s)?.email ?? s)),
    kind: input.kind,
    supervisorIds: [input.supervisorId],
    superviseeIds: input.superviseeIds,
    external: input.external ?? input.level === 3,
    cadence: parseCadence(input.cadence)!,
    durationMinutes: input.durationMinutes,
    location: input.location,
    format: input.format ?? 'face-to-face',
    level: input.level,
    disputeRoute: input.disputeRoute,
    agendaTemplate: input.agendaTemplate ?? 'general',
    startDate: input.startDate,
    reviewDueDate: input.reviewDueDate ?? aYearOn(input.startDate),
    preferredTime: input.preferredTime ?? '15:45',
  };
  const problem = contractProblems(draft)[0];
  if (problem) throw new ValidationError(problem[0], problem[1]);
  return draft;
}

/** The terms an edit changed (the same comparison the contracts import makes). */
export function changedTerms(before: SupervisionContract, after: SupervisionContract): string[] {
  return CONTRACT_TERMS.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

/**
 * What follows a contract's terms being written, by the dashboard or a confirmed contracts import (the one place
 * for both): its compliance and its next session (with that session's reminders). `changed` names
 * the terms an edit changed (undefined for a new contract). A change of supervisor (`changed` includes
 * `supervisorIds`) passes through here too, so anything a new supervisor must be handed belongs here.
 */
export async function contractTermsWritten(deps: AppDeps, org: Organisation, contract: SupervisionContract, changed?: readonly string[], before?: Pick<SupervisionContract, 'supervisorIds'>, actorId?: string): Promise<void> {
  // a new contract, or a change of the agreed terms, asks every party to agree (a contract agreed before agreements
  // were kept and edited in nothing they agreed to stays agreed)
  const asks = changed === undefined || contract.agreement !== undefined || changed.some((k) => (AGREEMENT_TERMS as readonly string[]).includes(k));
  const current = asks ? await askForAgreement(deps, org, contract) : contract;
  await refreshCompliance(deps, org, current);
  await ensureNextSession(deps, org, current);
  // a new supervisor: the outgoing one (or the DSL, when they have left) writes the handover
  if (before && changed?.includes('supervisorIds')) await startHandover(deps, org, current, before.supervisorIds, actorId);
}

/** Creates a contract, or (with `contractId`) replaces an active one's terms; its next session follows. */
export async function saveContractTerms(deps: AppDeps, actorId: string, input: unknown, contractId?: string): Promise<SupervisionContract> {
  const { org } = await admin(deps, actorId);
  const parsed = parseInput(contractInput, input);
  let before: SupervisionContract | null = null;
  if (contractId) {
    before = await deps.contracts.get(contractId);
    if (!before || before.organisationId !== org.id) throw new Refusal('There is no such contract here.');
    if (!before.active) throw new Refusal('That contract has ended; its history is kept. Make a new contract instead.');
  }
  const draft = await draftFrom(deps, org.id, parsed, contractId);
  if (!contractId && (await deps.contracts.get(draft.id))) throw new ValidationError(parsed.reference ? 'reference' : 'superviseeIds', 'a contract with these parties (or this reference) exists already: edit it instead');
  const contract = contractFromDraft(org.id, draft, before ?? undefined);
  await deps.contracts.upsert(contract);
  const changed = before ? changedTerms(before, contract) : undefined;
  await contractTermsWritten(deps, org, contract, changed, before ?? undefined, actorId);
  // the names of the terms that changed (never their values: a location is free text)
  await audit(deps, { organisationId: org.id, actorId, action: contractId ? 'contract.edited' : 'contract.created', subject: { kind: 'contract', id: contract.id }, detail: changed ? { fields: changed.join(',') } : {} });
  return contract;
}

/** Ends a contract: no more sessions or reminders; everything it had is kept. Ending it twice is once. */
export async function endContract(deps: AppDeps, actorId: string, contractId: string): Promise<SupervisionContract> {
  const { org } = await admin(deps, actorId);
  const contract = await deps.contracts.get(contractId);
  if (!contract || contract.organisationId !== org.id) throw new Refusal('There is no such contract here.');
  if (!contract.active) return contract;
  const now = deps.clock.now();
  const ended: SupervisionContract = { ...contract, active: false, endedOn: calendarOf(org).localDate(now) };
  await deps.contracts.upsert(ended);
  for (const s of await deps.sessions.byContract(contractId)) {
    if (s.status !== 'scheduled') continue;
    if (await deps.sessions.transition(s.id, 'scheduled', 'cancelled', { statusReason: 'contract ended', statusChangedAt: now })) {
      await deps.reminders.removeForSubject(s.id);
    }
  }
  await refreshCompliance(deps, org, ended);
  await audit(deps, { organisationId: org.id, actorId, action: 'contract.ended', subject: { kind: 'contract', id: contractId }, detail: {} });
  return ended;
}
