/**
 * The annual review of a supervision contract (white-laith B, stour App. C): a month before its review date the
 * supervisor gets a review card — keep it as it is, or change the cadence, length, location, level or supervisor.
 * Either way the next review date is set a year on and every party agrees to the agreement again (the review
 * date is one of the agreed terms, `src/domain/agreement.ts`). Past its date the contract is on `/overdue`
 * ("Contracts due for review") until the review clears it.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { aYearOn, cadenceWords, contractProblems, parseCadence } from '../domain/imports/contracts.js';
import type { Organisation, Person, Role, SupervisionContract } from '../domain/types.js';
import { loadActor, namesOf } from './context.js';
import { changedTerms, contractTermsWritten } from './contract-admin.js';
import { audit } from './effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase, ValidationError } from './errors.js';
import type { AppDeps } from './ports.js';
import { formatDate } from './present.js';
import type { ContractReviewView } from './views.js';

/** How long before the review date the supervisor is asked. */
export const REVIEW_NOTICE_MONTHS = 1;

export const threadKeyOfReview = (contractId: string) => `review:${contractId}`;

const SUPERVISING_ROLES: Role[] = ['supervisor', 'dsl', 'deputy-dsl', 'headteacher'];

/**
 * Who a review card offers as the supervisor: the organisation's people who supervise now or hold a role that
 * does (a school's few dozen, not its whole staff — a card carries every choice, and Teams caps a card's size).
 * Anyone else is made a supervisor by an administrator, on the contract in the dashboard.
 */
async function supervisorCandidates(deps: AppDeps, org: Organisation): Promise<Person[]> {
  const [people, contracts] = await Promise.all([deps.people.byOrganisation(org.id), deps.contracts.byOrganisation(org.id)]);
  const supervising = new Set(contracts.filter((c) => c.active).flatMap((c) => c.supervisorIds));
  return people.filter((p) => p.active !== false && (supervising.has(p.id) || p.roles.some((r) => SUPERVISING_ROLES.includes(r))));
}

/** The review card for a supervisor: the current terms as the form's values, and who may supervise instead. */
export async function contractReviewView(deps: AppDeps, org: Organisation, contract: SupervisionContract, candidates: Person[]): Promise<ContractReviewView> {
  const everyone = candidates.filter((p) => !contract.superviseeIds.includes(p.id));
  const names = namesOf(await deps.people.getMany(contract.superviseeIds), contract.superviseeIds);
  return {
    type: 'contract-review',
    contractId: contract.id,
    title: `Annual review: your supervision contract with ${names.join(', ')}`,
    superviseeNames: names,
    reviewDueText: formatDate(org, contract.reviewDueDate),
    cadence: cadenceWords(contract.cadence),
    durationMinutes: contract.durationMinutes,
    location: contract.location,
    level: String(contract.level),
    supervisorId: contract.supervisorIds[0] ?? '',
    supervisorOptions: everyone.map((p) => ({ value: p.id, title: p.name })).sort((a, b) => a.title.localeCompare(b.title)),
  };
}

/**
 * Sends the review card to the supervisors of every active contract whose review date is a month away or less
 * and has not been asked about (once per review date). Run by the workers' sweep with the due reminders.
 */
export async function askForReviews(deps: AppDeps, org: Organisation): Promise<number> {
  const now = deps.clock.now();
  const within = DateTime.fromJSDate(now, { zone: org.timezone }).plus({ months: REVIEW_NOTICE_MONTHS, days: 1 }).toISODate() as string;
  let asked = 0;
  // read once for every card of this pass, and only when there is one to send
  let candidates: Promise<Person[]> | undefined;
  for (const contract of await deps.contracts.reviewDueBefore(org.id, within)) {
    if (contract.review?.askedFor === contract.reviewDueDate) continue;
    candidates ??= supervisorCandidates(deps, org);
    const view = await contractReviewView(deps, org, contract, await candidates);
    await deps.outbox.enqueue(
      contract.supervisorIds.map((recipientId) => ({
        id: `review.${contract.id}.${contract.reviewDueDate}.${recipientId}`,
        organisationId: org.id,
        recipientId,
        threadKey: threadKeyOfReview(contract.id),
        createdAt: now,
        view,
      })),
    );
    await deps.contracts.upsert({ ...contract, review: { askedFor: contract.reviewDueDate, askedAt: now } });
    asked++;
  }
  return asked;
}

const reviewInput = z
  .object({
    contractId: z.string().min(1, 'must name the contract').max(250, 'is not a contract'),
    keep: z.boolean({ message: 'must be true (keep it as it is) or false (change it)' }),
    cadence: z.string().max(40, 'is longer than 40 characters').refine((t) => parseCadence(t) !== undefined, 'must be weekly, every N weeks (2–26), fortnightly, monthly, half-termly, termly or yearly').optional(),
    durationMinutes: z.coerce.number({ message: 'must be a number of minutes' }).int('must be a whole number of minutes').min(30, 'must be at least 30 minutes').max(120, 'must be at most 120 minutes').optional(),
    location: z.string().trim().min(1, 'is empty: say where sessions are held').max(200, 'is longer than 200 characters').optional(),
    level: z.coerce.number({ message: 'must be 1, 2 or 3' }).int('must be 1, 2 or 3').min(1, 'must be 1, 2 or 3').max(3, 'must be 1, 2 or 3').optional(),
    supervisorId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a person').optional(),
  })
  .strict();

/** The supervisor's review: kept as it is, or changed; the next review a year on; everyone agrees again. */
export const reviewContract = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(reviewInput, input);
  const ctx = await loadActor(deps, actorId);
  const before = await deps.contracts.get(parsed.contractId);
  if (!before || before.organisationId !== ctx.org.id || !before.supervisorIds.includes(actorId)) throw new Refusal();
  if (!before.active) throw new Refusal('That contract has ended; its history is kept.');
  const today = ctx.cal.localDate(deps.clock.now());
  const changes: Partial<SupervisionContract> = {};
  if (!parsed.keep) {
    if (parsed.cadence !== undefined) changes.cadence = parseCadence(parsed.cadence);
    if (parsed.durationMinutes !== undefined) changes.durationMinutes = parsed.durationMinutes;
    if (parsed.location !== undefined) changes.location = parsed.location;
    if (parsed.level !== undefined) changes.level = parsed.level as 1 | 2 | 3;
    if (parsed.supervisorId !== undefined && parsed.supervisorId !== before.supervisorIds[0]) {
      const next = await deps.people.get(parsed.supervisorId);
      if (!next || next.organisationId !== ctx.org.id || next.active === false) throw new ValidationError('supervisorId', 'is nobody here (or someone who has left)');
      changes.supervisorIds = [parsed.supervisorId];
    }
  }
  const after: SupervisionContract = { ...before, ...changes, reviewDueDate: aYearOn(today) };
  if (changes.level !== undefined) after.external = after.level === 3;
  const problem = contractProblems({ ...after, startDate: after.startDate })[0];
  if (problem) throw new ValidationError(problem[0], problem[1]);
  await deps.contracts.upsert(after);
  const changed = changedTerms(before, after);
  await contractTermsWritten(deps, ctx.org, after, changed);
  // the names of the terms that changed (never their values: a location is free text)
  await audit(deps, { organisationId: ctx.org.id, actorId, action: 'contract.reviewed', subject: { kind: 'contract', id: after.id }, detail: { kept: parsed.keep, fields: changed.join(','), reviewDueDate: after.reviewDueDate } });
  return {
    ok: true,
    view: {
      type: 'text',
      text: `${parsed.keep || changed.length === 1 ? 'Kept as it is' : 'Changed'}; the next review is ${formatDate(ctx.org, after.reviewDueDate)}. The agreement has gone to everyone in it to agree again.`,
    },
    data: { contractId: after.id },
  };
});
