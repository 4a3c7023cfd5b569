/**
 * `record`: the supervisor asks for the record sheet of their latest session that has taken place and has no
 * record sent yet (stour §5: the supervisor writes the record after the session). A draft already started
 * comes back as it was; otherwise a blank sheet, which is stored only when the supervisor sends it. With no
 * session to write up, a record waiting for the person's own confirmation comes back instead.
 */
import { canCorrectRecord } from '../domain/permissions.js';
import { requiredConfirmers } from '../domain/record.js';
import type { RecordSheet } from '../domain/types.js';
import { z } from 'zod';
import { loadActor } from './context.js';
import { parseInput, Refusal, type UseCaseResult, useCase } from './errors.js';
import type { AppDeps } from './ports.js';
import { formatDate, recordSheetView } from './present.js';
import { recordIdFor, viewRecord } from './records.js';
import { storedForm } from './record-form-context.js';

const input = z.object({
  supervisee: z.string().trim().max(100).default(''),
  /** One session's sheet (a form sent back to correct), rather than the latest waiting. */
  sessionId: z.string().min(1).max(200).optional(),
});

export const recordToWrite = useCase(async (deps: AppDeps, actorId: string, raw: unknown): Promise<UseCaseResult> => {
  const { supervisee, sessionId } = parseInput(input, raw);
  const ctx = await loadActor(deps, actorId);
  const now = deps.clock.now();
  type Waiting = { sessionId: string; contractId: string; startsAt: Date; superviseeIds: string[]; record: RecordSheet | null };
  // per contract, its latest session that took place and has no record sent yet: newest first, first found
  const waiting: Waiting[] = [];
  if (sessionId) {
    const session = await deps.sessions.get(sessionId);
    const contract = session ? await deps.contracts.get(session.contractId) : null;
    if (!session || !contract || contract.organisationId !== ctx.org.id || !contract.supervisorIds.includes(actorId)) throw new Refusal();
    const record = await deps.records.latest(recordIdFor(session.id));
    if (record && record.state !== 'draft' && record.state !== 'resolved') return viewRecord(deps, actorId, { recordId: record.id });
    waiting.push({ sessionId: session.id, contractId: contract.id, startsAt: session.startsAt, superviseeIds: contract.superviseeIds, record });
  }
  for (const contract of sessionId ? [] : await deps.contracts.forPerson(actorId)) {
    if (!contract.supervisorIds.includes(actorId)) continue;
    const past = (await deps.sessions.byContract(contract.id))
      .filter((s) => s.startsAt.getTime() <= now.getTime() && s.status !== 'cancelled')
      .sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime());
    for (const s of past) {
      const record = await deps.records.latest(recordIdFor(s.id));
      if (record && record.state !== 'draft' && record.state !== 'resolved') continue;
      waiting.push({ sessionId: s.id, contractId: contract.id, startsAt: s.startsAt, superviseeIds: contract.superviseeIds, record });
      break;
    }
  }
  const people = await deps.people.getMany([...new Set(waiting.flatMap((w) => w.superviseeIds))]);
  const nameOf = (id: string) => people.find((p) => p.id === id)?.name ?? 'a colleague';
  const names = (w: Waiting) => w.superviseeIds.map(nameOf);
  const wanted = supervisee.toLowerCase();
  const matching = wanted ? waiting.filter((w) => w.superviseeIds.some((id) => id === wanted || nameOf(id).toLowerCase().startsWith(wanted))) : waiting;
  if (matching.length > 1) {
    const list = matching.sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime()).map((w) => `${names(w).join(', ')} (${formatDate(ctx.org, w.startsAt)})`);
    return { ok: true, view: { type: 'text', text: `Sessions waiting for a record: ${list.join('; ')}. Type record and the first name, e.g. "record ${names(matching[0] as Waiting)[0]?.split(' ')[0] ?? ''}".` } };
  }
  const best = matching[0];
  if (!best && !wanted) {
    // nothing to write: a record waiting for this person's confirmation is what they most likely mean
    const mine = (await deps.records.forPerson(actorId)).find((r) => r.state === 'awaiting-confirmation' && !r.confirmations.some((c) => c.personId === actorId));
    if (mine) return viewRecord(deps, actorId, { recordId: mine.id });
  }
  if (!best) return { ok: true, view: { type: 'text', text: 'You have no session waiting for a record. The record sheet is for the supervisor, after the session has taken place.' } };
  const recordId = recordIdFor(best.sessionId);
  if (best.record) return viewRecord(deps, actorId, { recordId });
  const blank: RecordSheet = {
    id: recordId,
    version: 1,
    organisationId: ctx.org.id,
    contractId: best.contractId,
    sessionId: best.sessionId,
    date: ctx.cal.localDate(best.startsAt),
    supervisorId: actorId,
    superviseeIds: best.superviseeIds,
    topics: [],
    notes: '',
    concerns: [],
    caseDecisions: [],
    actions: [],
    previousActionsReviewed: [],
    state: 'draft',
    confirmations: [],
    createdAt: now,
    updatedAt: now,
  };
  const parties = await deps.people.getMany(requiredConfirmers(blank));
  const sheet = recordSheetView({ org: ctx.org, record: blank, viewer: ctx.actor, people: parties, previousActions: [] });
  return { ok: true, view: { ...sheet, form: await storedForm(deps, ctx.org, blank) } };
});

const correctInput = z.object({
  person: z.string().trim().min(1, 'say whose record, e.g. "correct amy"').max(100, 'at most 100 characters'),
});

/**
 * `correct <person>`: the supervisor, the DSL or a deputy opens the person's latest signed record they may
 * correct (stour §5, §8), whose card carries "Correct the record" (the `record.correct` verb). Nothing is
 * changed until they give the reason there.
 */
export const recordToCorrect = useCase(async (deps: AppDeps, actorId: string, raw: unknown): Promise<UseCaseResult> => {
  const { person } = parseInput(correctInput, raw);
  const ctx = await loadActor(deps, actorId);
  const lead = ctx.org.dslIds.includes(actorId) || ctx.org.deputyDslIds.includes(actorId);
  const supervises = (await deps.contracts.forPerson(actorId)).some((c) => c.supervisorIds.includes(actorId));
  if (!lead && !supervises) throw new Refusal('Correcting a signed record is for its supervisor, the DSL or a deputy.');
  const wanted = person.toLowerCase();
  const staff = (await deps.people.byOrganisation(ctx.org.id)).filter((p) => p.id !== actorId && (p.id === wanted || p.name.toLowerCase().startsWith(wanted) || p.name.toLowerCase().split(/\s+/).includes(wanted)));
  const candidates: Array<{ name: string; record: RecordSheet }> = [];
  for (const p of staff) {
    const signed = (await deps.records.forPerson(p.id)).find((r) => r.superviseeIds.includes(p.id) && r.state === 'signed' && canCorrectRecord(ctx.actor, r, ctx.org));
    if (signed) candidates.push({ name: p.name, record: signed });
  }
  if (candidates.length > 1) {
    const first = candidates[0]?.name.split(' ')[0] ?? '';
    return { ok: true, view: { type: 'text', text: `More than one person matches: ${candidates.map((c) => c.name).join('; ')}. Type correct and more of the name, e.g. "correct ${first}".` } };
  }
  const found = candidates[0];
  if (!found) return { ok: true, view: { type: 'text', text: 'No signed record of that person is yours to correct. A correction is started by the supervisor, the DSL or a deputy.' } };
  // the latest version of that record: a correction already under way is shown as it stands
  return viewRecord(deps, actorId, { recordId: found.record.id });
});
