/**
 * Subject access (UK GDPR Art. 15): everything held about a person, as their supervision file (JSON and PDF, the
 * format of the exports). Records also hold other people's words — the supervisor's notes, a concern or a case
 * decision about a child, another group member's actions or agenda items, a change someone else asked for — so the response
 * goes through a review: the DSL (or a deputy) starts it, every such passage is listed with why it was flagged,
 * each is kept or redacted, and only then is the release generated, with the redacted passages withheld. Each
 * step is an audit entry (ids and counts only).
 */
import { z } from 'zod';
import { canManageRetention } from '../../domain/permissions.js';
import type { AgendaItem, Organisation, Person, RecordSheet } from '../../domain/types.js';
import { loadActor } from '../context.js';
import { PERSON_ID } from '../dashboard.js';
import { audit } from '../effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase, ValidationError } from '../errors.js';
import type { AppDeps, SubjectAccessRequest } from '../ports.js';
import { formatDate } from '../present.js';
import { RETENTION_REFUSAL } from '../retention.js';
import { buildPersonFile, type PersonFile } from './person-file.js';
import { anchorAuditHead } from './verify.js';

export const WITHHELD = '[Withheld: another person’s information]';
export const SUBJECT_ACCESS_ID = z.string().uuid('must be a subject access request id');

export interface FlaggedPassage {
  id: string;
  recordId: string;
  version: number;
  dateText: string;
  /** What it is, in words: "Notes", "Case decision for JB", "Action for Sam Supervisor". */
  label: string;
  why: string;
  text: string;
  decision?: 'keep' | 'redact';
}

export interface SubjectAccessReview {
  id: string;
  person: { id: string; name: string };
  requestedAt: string;
  passages: FlaggedPassage[];
  decided: boolean;
}

type Passage = Omit<FlaggedPassage, 'text' | 'dateText' | 'decision'>;

/** The passages of a record version that are not the subject's own words about themselves. */
export function flagPassages(r: RecordSheet, subjectId: string, name: (id: string) => string): Passage[] {
  const at = `${r.id}@${r.version}`;
  const out: Passage[] = [];
  const base = { recordId: r.id, version: r.version };
  const others = r.superviseeIds.filter((id) => id !== subjectId);
  if (r.notes.trim() !== '') {
    const why = r.supervisorId !== subjectId ? `written by ${name(r.supervisorId)}` : `written by them about ${r.superviseeIds.map(name).join(', ')}`;
    out.push({ ...base, id: `${at}/notes`, label: 'Notes', why: `${why}${others.length > 0 && r.supervisorId !== subjectId ? `, in a group session with ${others.map(name).join(', ')}` : ''}; may hold other people’s information` });
  }
  r.concerns.forEach((c, i) => {
    if (c.text.trim() !== '') out.push({ ...base, id: `${at}/concern/${i}`, label: `Concern ${i + 1}`, why: 'a concern may be about a child or another person' });
  });
  r.caseDecisions.forEach((d, i) => {
    if (d.decision.trim() !== '' || d.rationale.trim() !== '') out.push({ ...base, id: `${at}/decision/${i}`, label: `Case decision for ${d.childRef}`, why: `about a child (${d.childRef})` });
  });
  r.actions.forEach((a, i) => {
    if (a.ownerId !== subjectId && a.text.trim() !== '') out.push({ ...base, id: `${at}/action/${i}`, label: `Action for ${name(a.ownerId)}`, why: `${name(a.ownerId)}’s action` });
  });
  if (r.dispute && r.dispute.byId !== subjectId && r.dispute.reason.trim() !== '') out.push({ ...base, id: `${at}/dispute`, label: 'Change asked for', why: `asked for by ${name(r.dispute.byId)}` });
  if (r.correction && r.correction.byId !== subjectId && r.correction.reason.trim() !== '') out.push({ ...base, id: `${at}/correction`, label: 'Correction', why: `started by ${name(r.correction.byId)}` });
  return out;
}

/** The text of a passage as the person file holds it. */
function passageText(file: PersonFile, p: Pick<Passage, 'id' | 'recordId' | 'version'>): { text: string; dateText: string } {
  if (p.id.startsWith('agenda/')) {
    const item = file.agenda?.find((a) => `agenda/${a.id}` === p.id);
    return { text: item?.text ?? '', dateText: item?.dateText ?? '' };
  }
  const r = file.records.find((x) => x.recordId === p.recordId && x.version === p.version);
  if (!r) return { text: '', dateText: '' };
  const [, kind, index] = p.id.slice(`${p.recordId}@${p.version}`.length).split('/');
  const i = Number(index);
  const text =
    kind === 'notes' ? r.notes
    : kind === 'concern' ? (r.concerns[i]?.text ?? '')
    : kind === 'decision' ? (r.caseDecisions[i] ? `${r.caseDecisions[i].decision}. Rationale: ${r.caseDecisions[i].rationale}` : '')
    : kind === 'action' ? (r.actions[i] ? `${r.actions[i].text}. Outcome: ${r.actions[i].outcomeText}` : '')
    : kind === 'dispute' ? [r.dispute?.reason, r.dispute?.resolution].filter(Boolean).join(' — ')
    : kind === 'correction' ? (r.correction?.reason ?? '')
    : '';
  return { text, dateText: r.dateText };
}

/** The file with each redacted passage withheld. */
export function redact(file: PersonFile, redacted: ReadonlySet<string>): PersonFile {
  const gone = (id: string) => redacted.has(id);
  return {
    ...file,
    agenda: file.agenda?.map((a) => (gone(`agenda/${a.id}`) ? { ...a, text: WITHHELD } : a)),
    // a handover's words were written for the incoming supervisor and are not reviewed passage by passage: the
    // release says who wrote it, when and what was carried over
    handovers: file.handovers.map(({ themes: _themes, note: _note, ...h }) => h),
    records: file.records.map((r) => {
      const at = `${r.recordId}@${r.version}`;
      return {
        ...r,
        notes: gone(`${at}/notes`) ? WITHHELD : r.notes,
        concerns: r.concerns.map((c, i) => (gone(`${at}/concern/${i}`) ? { ...c, text: WITHHELD } : c)),
        caseDecisions: r.caseDecisions.map((d, i) => (gone(`${at}/decision/${i}`) ? { ...d, childRef: 'a child', decision: WITHHELD, rationale: WITHHELD } : d)),
        actions: r.actions.map((a, i) => (gone(`${at}/action/${i}`) ? { ...a, text: WITHHELD, outcomeText: a.outcomeText.startsWith('Not needed') ? 'Not needed' : a.outcomeText } : a)),
        dispute: r.dispute && gone(`${at}/dispute`) ? { ...r.dispute, reason: WITHHELD, resolution: r.dispute.resolution === undefined ? undefined : WITHHELD } : r.dispute,
        correction: r.correction && gone(`${at}/correction`) ? { ...r.correction, reason: WITHHELD } : r.correction,
      };
    }),
  };
}

async function lead(deps: AppDeps, actorId: string) {
  const ctx = await loadActor(deps, actorId);
  if (!canManageRetention(ctx.actor, ctx.org)) throw new Refusal(RETENTION_REFUSAL);
  return ctx;
}

async function subjectOf(deps: AppDeps, orgId: string, personId: string): Promise<Person> {
  const subject = await deps.people.get(personId);
  // someone unknown and someone in another organisation get the same answer
  if (!subject || subject.organisationId !== orgId) throw new Refusal();
  return subject;
}

const CATEGORY: Record<string, string> = {
  'case-discussion': 'Case discussion',
  'impact-on-me': 'Impact on me',
  'professional-development': 'Professional development',
  organisational: 'Organisational',
  performance: 'Performance',
  aob: 'Any other business',
  other: 'Other',
};

/** The agenda items of the person's contracts (every session, and those parked for the next), oldest first. */
async function agendaOf(deps: AppDeps, org: Organisation, subject: Person): Promise<AgendaItem[]> {
  const contracts = (await deps.contracts.byOrganisation(org.id)).filter((c) => c.supervisorIds.includes(subject.id) || c.superviseeIds.includes(subject.id));
  const sessions = (await Promise.all(contracts.map((c) => deps.sessions.byContract(c.id)))).flat();
  const items = [...(await Promise.all(sessions.map((s) => deps.agenda.forSession(s.id)))).flat(), ...(await Promise.all(contracts.map((c) => deps.agenda.parked(c.id)))).flat()];
  const unique = new Map(items.map((i) => [i.id, i]));
  return [...unique.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
}

async function withAgenda(deps: AppDeps, org: Organisation, subject: Person, file: PersonFile): Promise<PersonFile> {
  const items = await agendaOf(deps, org, subject);
  const people = await deps.people.getMany([...new Set(items.map((i) => i.authorId))]);
  const name = (id: string) => people.find((p) => p.id === id)?.name ?? 'a colleague';
  return { ...file, agenda: items.map((i) => ({ id: i.id, dateText: formatDate(org, i.createdAt), authorName: name(i.authorId), categoryText: CATEGORY[i.category] ?? i.category, text: i.text })) };
}

async function flaggedFor(deps: AppDeps, org: Organisation, subject: Person): Promise<Passage[]> {
  const fromRecords = await flaggedInRecords(deps, org.id, subject);
  const items = await agendaOf(deps, org, subject);
  const people = await deps.people.getMany([...new Set(items.map((i) => i.authorId))]);
  const name = (id: string) => people.find((p) => p.id === id)?.name ?? 'a colleague';
  // another person's agenda item (the supervisor's, or another group member's) is theirs to review
  const fromAgenda = items
    .filter((i) => i.authorId !== subject.id && i.text.trim() !== '')
    .map((i): Passage => ({ id: `agenda/${i.id}`, recordId: '', version: 0, label: `Agenda item raised by ${name(i.authorId)}`, why: `written by ${name(i.authorId)}` }));
  return [...fromRecords, ...fromAgenda];
}

async function flaggedInRecords(deps: AppDeps, orgId: string, subject: Person): Promise<Passage[]> {
  const records = (await deps.records.forPerson(subject.id)).filter((r) => r.organisationId === orgId);
  const ids = new Set(records.flatMap((r) => [r.supervisorId, ...r.superviseeIds, ...r.actions.map((a) => a.ownerId), r.dispute?.byId, r.correction?.byId].filter((x): x is string => !!x)));
  const people = await deps.people.getMany([...ids]);
  const name = (id: string) => people.find((p) => p.id === id)?.name ?? 'a colleague';
  return records.sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id) || a.version - b.version).flatMap((r) => flagPassages(r, subject.id, name));
}

function reviewOf(request: SubjectAccessRequest, subject: Person, file: PersonFile): SubjectAccessReview {
  const passages = request.passages.map((p) => {
    const { text, dateText } = passageText(file, p);
    return { ...p, text, dateText, decision: request.decisions?.[p.id] };
  });
  return { id: request.id, person: { id: subject.id, name: subject.name }, requestedAt: request.requestedAt.toISOString(), passages, decided: request.decisions !== undefined };
}

/** Starts a response: the passages to review, with their text (for the DSL's eyes only). */
export const startSubjectAccess = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<SubjectAccessReview>> => {
  const { personId } = parseInput(z.object({ personId: PERSON_ID }).strict(), input);
  const ctx = await lead(deps, actorId);
  const subject = await subjectOf(deps, ctx.org.id, personId);
  const now = deps.clock.now();
  const passages = await flaggedFor(deps, ctx.org, subject);
  const request: SubjectAccessRequest = {
    id: deps.newId(),
    organisationId: ctx.org.id,
    personId: subject.id,
    requestedById: actorId,
    requestedAt: now,
    passages: passages.map((p) => ({ id: p.id, recordId: p.recordId, version: p.version, label: p.label, why: p.why })),
  };
  await deps.retention.putSubjectAccess(request);
  await audit(deps, { organisationId: ctx.org.id, actorId, action: 'subject-access.started', subject: { kind: 'person', id: subject.id }, detail: { requestId: request.id, flagged: passages.length }, at: now });
  const file = await withAgenda(deps, ctx.org, subject, await buildPersonFile(deps, ctx.org, ctx.actor, subject, now));
  return { ok: true, data: reviewOf(request, subject, file) };
});

async function loadRequest(deps: AppDeps, actorId: string, id: string) {
  const ctx = await lead(deps, actorId);
  const request = await deps.retention.subjectAccess(id);
  if (!request || request.organisationId !== ctx.org.id) throw new Refusal();
  const subject = await subjectOf(deps, ctx.org.id, request.personId);
  return { ctx, request, subject };
}

export const subjectAccessReview = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<SubjectAccessReview>> => {
  const { id } = parseInput(z.object({ id: SUBJECT_ACCESS_ID }).strict(), input);
  const { ctx, request, subject } = await loadRequest(deps, actorId, id);
  const file = await withAgenda(deps, ctx.org, subject, await buildPersonFile(deps, ctx.org, ctx.actor, subject, deps.clock.now()));
  return { ok: true, data: reviewOf(request, subject, file) };
});

const decisionsInput = z
  .object({ id: SUBJECT_ACCESS_ID, decisions: z.record(z.string().max(300), z.enum(['keep', 'redact'], { message: 'must be keep or redact' }), { message: 'must name each flagged passage with keep or redact' }) })
  .strict();

/** The review: every flagged passage kept or redacted (all of them, and only them). */
export const decideSubjectAccess = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<SubjectAccessReview>> => {
  const parsed = parseInput(decisionsInput, input);
  const { ctx, request, subject } = await loadRequest(deps, actorId, parsed.id);
  const flagged = new Set(request.passages.map((p) => p.id));
  for (const id of Object.keys(parsed.decisions)) if (!flagged.has(id)) throw new ValidationError(`decisions.${id}`, 'is not a passage flagged in this request');
  const missing = request.passages.find((p) => parsed.decisions[p.id] === undefined);
  if (missing) throw new ValidationError(`decisions.${missing.id}`, 'needs a decision: keep or redact');
  const now = deps.clock.now();
  await deps.retention.decideSubjectAccess(request.id, parsed.decisions, actorId, now);
  const redacted = Object.values(parsed.decisions).filter((d) => d === 'redact').length;
  await audit(deps, { organisationId: ctx.org.id, actorId, action: 'subject-access.reviewed', subject: { kind: 'person', id: subject.id }, detail: { requestId: request.id, kept: flagged.size - redacted, redacted }, at: now });
  const file = await withAgenda(deps, ctx.org, subject, await buildPersonFile(deps, ctx.org, ctx.actor, subject, now));
  return { ok: true, data: reviewOf({ ...request, decisions: parsed.decisions }, subject, file) };
});

export type SubjectAccessRelease = PersonFile & { subjectAccess: { requestId: string; redacted: number; kept: number; notice: string } };

/** The release, once every flagged passage is decided: the person's file with the redactions applied. */
export const releaseSubjectAccess = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<SubjectAccessRelease>> => {
  const parsed = parseInput(z.object({ id: SUBJECT_ACCESS_ID, format: z.enum(['pdf', 'json'], { message: 'must be pdf or json' }) }).strict(), input);
  const { ctx, request, subject } = await loadRequest(deps, actorId, parsed.id);
  if (!request.decisions) throw new Refusal(`Review the ${request.passages.length} flagged passage${request.passages.length === 1 ? '' : 's'} (keep or redact each) before the response is released.`);
  const now = deps.clock.now();
  const redacted = new Set(Object.entries(request.decisions).filter(([, d]) => d === 'redact').map(([id]) => id));
  const file = redact(await withAgenda(deps, ctx.org, subject, await buildPersonFile(deps, ctx.org, ctx.actor, subject, now)), redacted);
  await audit(deps, { organisationId: ctx.org.id, actorId, action: 'subject-access.released', subject: { kind: 'person', id: subject.id }, detail: { requestId: request.id, format: parsed.format, redacted: redacted.size, versions: file.records.length }, at: now });
  const anchored = await anchorAuditHead(deps, ctx.org.id, 'export');
  return {
    ok: true,
    data: {
      ...file,
      checkpoint: anchored.signed ? anchored.checkpoint : undefined,
      subjectAccess: {
        requestId: request.id,
        redacted: redacted.size,
        kept: request.passages.length - redacted.size,
        notice: `Subject access response (UK GDPR Art. 15) for ${subject.name}. ${redacted.size} passage${redacted.size === 1 ? '' : 's'} holding other people’s information ${redacted.size === 1 ? 'is' : 'are'} withheld.`,
      },
    },
  };
});
