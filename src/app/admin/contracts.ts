/**
 * The contracts screen (issue 13, `contracts.manage`): the organisation's supervision contracts with search and
 * a filter (active, ended, waiting for their first session), and creating, editing and ending one. Creating and
 * editing go through `saveContractTerms`, the same rules and the same after-effects as the contracts CSV import;
 * ending keeps every session, record and action (`endContract`). A view holds a contract's terms, its people's
 * names and how many sessions were held — never what was said in supervision.
 */
import { z } from 'zod';
import { cadenceWords } from '../../domain/imports/contracts.js';
import type { Organisation, Person, SupervisionContract } from '../../domain/types.js';
import { agreementState } from '../agreement.js';
import { endContract, saveContractTerms } from '../contract-admin.js';
import { parseInput, Refusal, type UseCaseResult, useCase } from '../errors.js';
import type { AppDeps } from '../ports.js';
import { loadAdministrator } from './access.js';

export const CONTRACT_STATUSES = ['all', 'active', 'waiting', 'ended'] as const;
export const contractsQuery = z
  .object({
    q: z.string().max(100, 'is longer than 100 characters').optional(),
    status: z.enum(CONTRACT_STATUSES, { message: 'must be all, active, waiting or ended' }).optional(),
  })
  .strict();
export type ContractsQuery = z.infer<typeof contractsQuery>;

export const CONTRACT_ID = z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, 'must be a contract id');
export const contractIdInput = z.object({ contractId: CONTRACT_ID }).strict();

/**
 * `active`: running, with a session held; `waiting`: running, no session held yet (its start date is ahead, or
 * its first session is still to come); `ended`: ended, its history kept.
 */
export type ContractStatus = Exclude<(typeof CONTRACT_STATUSES)[number], 'all'>;

export interface ContractView {
  id: string;
  status: ContractStatus;
  kind: SupervisionContract['kind'];
  supervisor: { id: string; name: string };
  supervisees: Array<{ id: string; name: string }>;
  external: boolean;
  /** As the form and the CSV take it: `weekly`, `every 3 weeks`, `monthly`, `half-termly`, `termly`, `yearly`. */
  cadence: string;
  durationMinutes: number;
  location: string;
  format: SupervisionContract['format'];
  level: SupervisionContract['level'];
  disputeRoute: SupervisionContract['disputeRoute'];
  agendaTemplate: SupervisionContract['agendaTemplate'];
  startDate: string;
  reviewDueDate: string;
  preferredTime: string;
  endedOn?: string;
  sessionsHeld: number;
  /** When its next session is booked (an instant), if one is. */
  nextSessionAt?: string;
  /** The supervision agreement: who has agreed to its current terms and when, who has not yet, since when. */
  agreement: ContractAgreementState;
}

export interface ContractAgreementState {
  /** Some party has not agreed to the current terms: its sessions are booked once they have (or the DSL starts it). */
  waiting: boolean;
  /** When the current terms were sent to be agreed (absent for a contract agreed before agreements were kept). */
  since?: string;
  signed: Array<{ name: string; signedText: string }>;
  waitingNames: string[];
  /** The DSL started it before everyone had agreed. */
  startedEarly: boolean;
}

export interface ContractsView {
  contracts: ContractView[];
  /** How many contracts the organisation has in each state (the filter's counts, before the search). */
  counts: Record<ContractStatus, number>;
  /** Who may be named in a contract: the organisation's active people, by name. */
  people: Array<{ id: string; name: string; email: string }>;
}

type Summary = { sessionsHeld: number; nextScheduledAt?: Date };

function viewOf(org: Organisation, c: SupervisionContract, names: Map<string, Person>, summary: Summary | undefined): ContractView {
  const who = (id: string) => ({ id, name: names.get(id)?.name ?? id });
  const held = summary?.sessionsHeld ?? 0;
  return {
    id: c.id,
    status: !c.active ? 'ended' : held > 0 ? 'active' : 'waiting',
    kind: c.kind,
    supervisor: who(c.supervisorIds[0] ?? ''),
    supervisees: c.superviseeIds.map(who),
    external: c.external,
    cadence: cadenceWords(c.cadence),
    durationMinutes: c.durationMinutes,
    location: c.location,
    format: c.format,
    level: c.level,
    disputeRoute: c.disputeRoute,
    agendaTemplate: c.agendaTemplate,
    startDate: c.startDate,
    reviewDueDate: c.reviewDueDate,
    preferredTime: c.preferredTime,
    ...(c.endedOn ? { endedOn: c.endedOn } : {}),
    sessionsHeld: held,
    ...(c.active && summary?.nextScheduledAt ? { nextSessionAt: summary.nextScheduledAt.toISOString() } : {}),
    agreement: agreementStateOf(org, c, names),
  };
}

function agreementStateOf(org: Organisation, c: SupervisionContract, names: Map<string, Person>): ContractAgreementState {
  const { waiting, since, signed, waitingNames, startedEarly } = agreementState(org, c, [...names.values()]);
  return { waiting, ...(since ? { since } : {}), signed, waitingNames, startedEarly };
}

async function viewOne(deps: AppDeps, saved: SupervisionContract): Promise<ContractView> {
  const contract = (await deps.contracts.get(saved.id)) ?? saved;
  const org = await deps.organisations.get(contract.organisationId);
  if (!org) throw new Refusal('There is no such contract here.');
  const people = await deps.people.getMany([...contract.supervisorIds, ...contract.superviseeIds]);
  return viewOf(org, contract, new Map(people.map((p) => [p.id, p])), (await deps.compliance.get(contract.id)) ?? undefined);
}

export const listContracts = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<ContractsView>> => {
  const query = parseInput(contractsQuery, input ?? {});
  const { org } = await loadAdministrator(deps, actorId, 'contracts.manage');
  const [contracts, people, summaries] = await Promise.all([deps.contracts.byOrganisation(org.id), deps.people.byOrganisation(org.id), deps.compliance.byOrganisation(org.id)]);
  const names = new Map(people.map((p) => [p.id, p]));
  const byContract = new Map(summaries.map((s) => [s.contractId, s]));
  const all = contracts.map((c) => viewOf(org, c, names, byContract.get(c.id)));
  const counts: Record<ContractStatus, number> = { active: 0, waiting: 0, ended: 0 };
  for (const v of all) counts[v.status]++;
  const q = query.q?.trim().toLowerCase() ?? '';
  const status = query.status ?? 'all';
  const shown = all
    .filter((v) => status === 'all' || v.status === status)
    .filter((v) => !q || [v.supervisor.name, ...v.supervisees.map((s) => s.name), v.location, v.id].some((t) => t.toLowerCase().includes(q)))
    .sort((a, b) => Number(a.status === 'ended') - Number(b.status === 'ended') || a.supervisor.name.localeCompare(b.supervisor.name) || a.id.localeCompare(b.id));
  return {
    ok: true,
    data: {
      contracts: shown,
      counts,
      people: people
        .filter((p) => p.active !== false)
        .map((p) => ({ id: p.id, name: p.name, email: p.email }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    },
  };
});

/** `{ contract: ContractInput }` or, to edit, `{ contractId, contract: ContractInput }`. */
export const createOrEditContract = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<ContractView>> => {
  const { contractId, contract } = (input ?? {}) as { contractId?: string; contract?: unknown };
  const saved = await saveContractTerms(deps, actorId, contract, contractId === undefined ? undefined : parseInput(contractIdInput, { contractId }).contractId);
  return { ok: true, data: await viewOne(deps, saved) };
});

export const endContractTerms = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<ContractView>> => {
  const { contractId } = parseInput(contractIdInput, input);
  return { ok: true, data: await viewOne(deps, await endContract(deps, actorId, contractId)) };
});
