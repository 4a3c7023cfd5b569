/**
 * Retention and destruction (IRMS Information Management Toolkit for Schools; UK GDPR Art. 5(1)(e)); the
 * schedule and its sources are in `src/domain/retention.ts`. A daily job lists what has fallen due; nothing is
 * destroyed until the DSL (or a deputy) approves it, and a legal hold on the record or on one of its people
 * stops it. Destroying a record removes its free text everywhere and writes, for each of its versions, a
 * tombstone in the audit trail — what (the record version and the digest of its content), when, by whom and
 * under which rule — so the chain and `audit verify` still account for every version.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { canManageRetention } from '../domain/permissions.js';
import { addYears, DEFAULT_RETENTION, relationshipEnd, RULE_TEXT, type RetentionRule, type RetentionSchedule, ruleFor, yearsFor } from '../domain/retention.js';
import type { DestructionMark, LocalDate, Organisation, RecordSheet } from '../domain/types.js';
import { loadActor } from './context.js';
import { PERSON_ID } from './dashboard.js';
import { audit } from './effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase, ValidationError } from './errors.js';
import { recordDigest } from './evidence/chain.js';
import { anchorAuditHead } from './evidence/verify.js';
import type { AppDeps, LegalHold } from './ports.js';
import { formatDate } from './present.js';

export const RETENTION_REFUSAL = 'Only the DSL or a deputy DSL can manage the retention of supervision records.';

export const RETENTION_SOURCES = [
  'IRMS Information Management Toolkit for Schools: supervision and staff records kept six years after the relationship ends, then reviewed for secure disposal',
  'IRMS Information Management Toolkit for Schools, child protection: records linked to a concern about a child kept up to 25 years',
  'UK GDPR Art. 5(1)(e), storage limitation: kept no longer than necessary',
];

const YEARS = z.number({ message: 'must be a whole number of years' }).int('must be a whole number of years').min(1, 'must be at least 1 year').max(100, 'must be at most 100 years');
export const scheduleInput = z.object({ supervisionYears: YEARS, riskOrDecisionYears: YEARS }).strict();
export const RECORD_ID = z.string().regex(/^[A-Za-z0-9._:@-]{1,200}$/, 'must be a record id');
export const HOLD_ID = z.string().uuid('must be a hold id');
const REASON = z.string({ message: 'is needed: say why the hold is placed' }).trim().min(3, 'is needed: say why the hold is placed').max(2000, 'must be at most 2,000 characters');
export const holdInput = z
  .object({ target: z.object({ kind: z.enum(['person', 'record'], { message: 'must be person or record' }), id: z.union([PERSON_ID, RECORD_ID]) }).strict(), reason: REASON })
  .strict();
export const releaseInput = z.object({ holdId: HOLD_ID }).strict();
export const destroyInput = z.object({ recordIds: z.array(RECORD_ID, { message: 'must be a list of record ids' }).min(1, 'must name at least one record').max(200, 'must name at most 200 records at once') }).strict();

export interface DueItem {
  recordId: string;
  sessionId: string;
  contractId: string;
  /** The session's day. */
  date: LocalDate;
  dateText: string;
  versions: number;
  supervisorName: string;
  superviseeNames: string[];
  rule: RetentionRule;
  ruleText: string;
  years: number;
  relationshipEndedOn: LocalDate;
  dueOn: LocalDate;
  dueText: string;
  /** Holds that stop it; destruction is refused while any is in force. */
  heldBy: Array<{ holdId: string; kind: 'person' | 'record'; id: string }>;
}

export interface RetentionOverview {
  schedule: RetentionSchedule & { setById?: string; setAt?: string; isDefault: boolean };
  defaults: RetentionSchedule;
  sources: string[];
  due: DueItem[];
  holds: Array<LegalHold & { targetName: string; placedByName: string }>;
  /** Records destroyed so far (their tombstones are in the audit trail). */
  destroyed: number;
}

export async function scheduleOf(deps: AppDeps, organisationId: string): Promise<RetentionSchedule & { setById?: string; setAt?: Date }> {
  return (await deps.retention.schedule(organisationId)) ?? { ...DEFAULT_RETENTION };
}

const dayIn = (org: Pick<Organisation, 'timezone'>) => (d: Date): LocalDate => DateTime.fromJSDate(d, { zone: org.timezone }).toISODate() as LocalDate;

/** Every record of the school whose retention has run out on `now`'s day (held ones included, marked), oldest first. */
export async function dueForDestruction(deps: AppDeps, org: Organisation, now: Date): Promise<{ due: DueItem[]; byRecord: Map<string, RecordSheet[]>; destroyed: number }> {
  const [schedule, records, contracts, people, holds, links] = await Promise.all([
    scheduleOf(deps, org.id),
    deps.records.byOrganisation(org.id),
    deps.contracts.byOrganisation(org.id),
    deps.people.byOrganisation(org.id),
    deps.retention.holds(org.id),
    deps.retention.riskLinks(org.id),
  ]);
  const today = dayIn(org)(now);
  const byId = new Map(people.map((p) => [p.id, p]));
  const name = (id: string) => byId.get(id)?.name ?? 'a colleague';
  const contractOf = new Map(contracts.map((c) => [c.id, c]));
  const byRecord = new Map<string, RecordSheet[]>();
  for (const r of records) byRecord.set(r.id, [...(byRecord.get(r.id) ?? []), r].sort((a, b) => a.version - b.version));
  const due: DueItem[] = [];
  let destroyed = 0;
  for (const [recordId, versions] of byRecord) {
    if (versions.every((v) => v.destroyed)) {
      destroyed++;
      continue;
    }
    const latest = versions[versions.length - 1] as RecordSheet;
    const contract = contractOf.get(latest.contractId);
    if (!contract) continue;
    const ended = relationshipEnd(contract, byId, dayIn(org));
    if (!ended) continue;
    const rule = ruleFor(versions, links.sessionIds.has(latest.sessionId) ? [{ riskOfHarm: true }] : [], links.recordIds.has(recordId) ? [{ source: { kind: 'record-concern', id: '', recordId } }] : []);
    const years = yearsFor(rule, schedule);
    const dueOn = addYears(ended, years);
    if (dueOn > today) continue;
    const parties = new Set(versions.flatMap((v) => [v.supervisorId, ...v.superviseeIds]));
    const heldBy = holds
      .filter((h) => (h.target.kind === 'record' && h.target.id === recordId) || (h.target.kind === 'person' && parties.has(h.target.id)))
      .map((h) => ({ holdId: h.id, kind: h.target.kind, id: h.target.id }));
    due.push({
      recordId,
      sessionId: latest.sessionId,
      contractId: latest.contractId,
      date: latest.date,
      dateText: formatDate(org, latest.date),
      versions: versions.length,
      supervisorName: name(latest.supervisorId),
      superviseeNames: latest.superviseeIds.map(name),
      rule,
      ruleText: RULE_TEXT[rule],
      years,
      relationshipEndedOn: ended,
      dueOn,
      dueText: formatDate(org, dueOn),
      heldBy,
    });
  }
  due.sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.date.localeCompare(b.date) || a.recordId.localeCompare(b.recordId));
  return { due, byRecord, destroyed };
}

async function lead(deps: AppDeps, actorId: string) {
  const ctx = await loadActor(deps, actorId);
  if (!canManageRetention(ctx.actor, ctx.org)) throw new Refusal(RETENTION_REFUSAL);
  return ctx;
}

/** The dashboard's retention page: the schedule, its sources, what is due, the holds in force. */
export const retentionOverview = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<RetentionOverview>> => {
  parseInput(z.object({}).strict(), input ?? {});
  const { org } = await lead(deps, actorId);
  const now = deps.clock.now();
  const [stored, { due, destroyed }, holds, people] = await Promise.all([deps.retention.schedule(org.id), dueForDestruction(deps, org, now), deps.retention.holds(org.id), deps.people.byOrganisation(org.id)]);
  const name = (id: string) => people.find((p) => p.id === id)?.name ?? 'a colleague';
  return {
    ok: true,
    data: {
      schedule: stored ? { supervisionYears: stored.supervisionYears, riskOrDecisionYears: stored.riskOrDecisionYears, setById: stored.setById, setAt: stored.setAt.toISOString(), isDefault: false } : { ...DEFAULT_RETENTION, isDefault: true },
      defaults: DEFAULT_RETENTION,
      sources: RETENTION_SOURCES,
      due,
      holds: holds.map((h) => ({ ...h, targetName: h.target.kind === 'person' ? name(h.target.id) : `record ${h.target.id}`, placedByName: name(h.placedById) })),
      destroyed,
    },
  };
});

export const setRetentionSchedule = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<RetentionSchedule>> => {
  const schedule = parseInput(scheduleInput, input);
  if (schedule.riskOrDecisionYears < schedule.supervisionYears) {
    throw new ValidationError('riskOrDecisionYears', 'must be at least as long as supervisionYears: records linked to a risk of harm or a case decision are kept longer');
  }
  const { org } = await lead(deps, actorId);
  const now = deps.clock.now();
  await deps.retention.setSchedule(org.id, schedule, actorId, now);
  await audit(deps, { organisationId: org.id, actorId, action: 'retention.schedule-set', subject: { kind: 'organisation', id: org.id }, detail: { ...schedule }, at: now });
  return { ok: true, data: schedule };
});

export const placeLegalHold = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<LegalHold>> => {
  const parsed = parseInput(holdInput, input);
  const { org } = await lead(deps, actorId);
  // something unknown and something in another organisation get the same answer
  const target = parsed.target.kind === 'person' ? await deps.people.get(parsed.target.id) : await deps.records.latest(parsed.target.id);
  if (!target || target.organisationId !== org.id) throw new Refusal();
  const now = deps.clock.now();
  const hold: LegalHold = { id: deps.newId(), organisationId: org.id, target: parsed.target, reason: parsed.reason, placedById: actorId, placedAt: now };
  await deps.retention.placeHold(hold);
  await audit(deps, { organisationId: org.id, actorId, action: 'retention.hold-placed', subject: { kind: parsed.target.kind, id: parsed.target.id }, detail: { holdId: hold.id }, at: now });
  return { ok: true, data: hold };
});

export const releaseLegalHold = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<{ holdId: string }>> => {
  const { holdId } = parseInput(releaseInput, input);
  const { org } = await lead(deps, actorId);
  const hold = (await deps.retention.holds(org.id)).find((h) => h.id === holdId);
  if (!hold) throw new Refusal('That hold is not in force at your school.');
  const now = deps.clock.now();
  if (!(await deps.retention.releaseHold(org.id, holdId, actorId, now))) throw new Refusal('That hold is not in force at your school.');
  await audit(deps, { organisationId: org.id, actorId, action: 'retention.hold-released', subject: { kind: hold.target.kind, id: hold.target.id }, detail: { holdId }, at: now });
  return { ok: true, data: { holdId } };
});

export interface DestructionResult {
  destroyed: Array<{ recordId: string; versions: number; tombstones: number[] }>;
}

/**
 * The DSL approves destruction of records on the due list. Every record named must be due and not held, or
 * nothing is destroyed. Per version, the tombstone goes into the trail first (keyed, so a retry after a crash
 * writes it once), then the text is removed; the head is signed afterwards when a key is configured.
 */
export const approveDestruction = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<DestructionResult>> => {
  const { recordIds } = parseInput(destroyInput, input);
  const { org } = await lead(deps, actorId);
  const now = deps.clock.now();
  const { due, byRecord } = await dueForDestruction(deps, org, now);
  const dueById = new Map(due.map((d) => [d.recordId, d]));
  const unique = [...new Set(recordIds)];
  // a record unknown or of another organisation gets the same answer
  for (const id of unique) {
    if (byRecord.has(id)) continue;
    const r = await deps.records.latest(id);
    if (!r || r.organisationId !== org.id) throw new Refusal();
  }
  unique.forEach((id) => {
    const i = recordIds.indexOf(id);
    const item = dueById.get(id);
    if (!item) throw new ValidationError(`recordIds.${i}`, `is not on the list of records due for destruction (${id})`);
    if (item.heldBy.length > 0) throw new ValidationError(`recordIds.${i}`, `is under a legal hold and cannot be destroyed until the hold is released (${id})`);
  });
  const result: DestructionResult = { destroyed: [] };
  for (const id of unique) {
    const item = dueById.get(id) as DueItem;
    const versions = (byRecord.get(id) ?? []).filter((v) => !v.destroyed);
    const marks = new Map<number, DestructionMark>();
    for (const v of versions) {
      const entry = await deps.audit.append({
        organisationId: org.id,
        at: now,
        actorId,
        action: 'record.destroyed',
        subject: { kind: 'record', id, version: v.version },
        detail: { destroyedDigest: recordDigest(v), rule: item.rule, years: item.years, relationshipEndedOn: item.relationshipEndedOn, dueOn: item.dueOn, state: v.state },
        key: `destroyed:${id}@${v.version}`,
      });
      marks.set(v.version, { at: entry.at, byId: entry.actorId, rule: item.rule, tombstoneSeq: entry.seq });
    }
    await deps.retention.destroyRecord(id, item.sessionId, marks);
    result.destroyed.push({ recordId: id, versions: versions.length, tombstones: [...marks.values()].map((m) => m.tombstoneSeq) });
  }
  await anchorAuditHead(deps, org.id, 'manual');
  return { ok: true, data: result };
});

/**
 * The daily job: for each school, what has fallen due; the DSLs and deputies are told (one message, with the
 * count and the way to the dashboard's Retention page) when something is due that they were not told of before.
 * Nothing is destroyed here.
 */
export async function reviewRetention(deps: AppDeps): Promise<{ organisations: number; due: number; told: number }> {
  const now = deps.clock.now();
  let due = 0;
  let told = 0;
  const orgs = await deps.organisations.list();
  for (const org of orgs) {
    const list = (await dueForDestruction(deps, org, now)).due;
    due += list.length;
    const seen = new Set(await deps.retention.noticed(org.id));
    const fresh = list.filter((d) => !seen.has(d.recordId));
    if (fresh.length > 0) {
      const people = await deps.people.byOrganisation(org.id);
      const leads = [...new Set([...org.dslIds, ...org.deputyDslIds, ...people.filter((p) => p.roles.includes('dsl') || p.roles.includes('deputy-dsl')).map((p) => p.id)])];
      const held = list.filter((d) => d.heldBy.length > 0).length;
      const day = dayIn(org)(now);
      const text = `${list.length} supervision record${list.length === 1 ? ' has' : 's have'} reached the end of the retention schedule (${fresh.length} new since you were last told${held > 0 ? `; ${held} under a legal hold` : ''}). Nothing is destroyed until you approve it: open the dashboard, Retention, to review the list, approve destruction or place a legal hold.`;
      await deps.outbox.enqueue(leads.map((recipientId) => ({ id: `retention-due.${org.id}.${day}.${recipientId}`, organisationId: org.id, recipientId, threadKey: 'retention:due', createdAt: now, view: { type: 'text' as const, text } })));
      told += leads.length;
    }
    await deps.retention.setNoticed(org.id, list.map((d) => d.recordId), now);
  }
  return { organisations: orgs.length, due, told };
}
