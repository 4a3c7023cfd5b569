/**
 * A person's supervision file for an inspector (white-laith contract; template "recording", "confidentiality"):
 * their contracts and what was agreed in them, every session (held, moved, did not happen), every record
 * version with its confirmations, the actions and case decisions with their outcomes, and any change asked
 * for with how it was settled. Only the DSL, a deputy or an auditor may export one (`canExportRecords`), and
 * each record version is still shown only if `canViewRecord` allows it (an auditor: signed versions only).
 * Every export is itself an audit entry (ids only), and signs the chain's head when a key is configured.
 */
import { z } from 'zod';
import { type HandoverHistoryRow, handoverHistory } from '../handover.js';
import { canExportRecords, canViewRecord } from '../../domain/permissions.js';
import type { Organisation, Person, RecordSheet } from '../../domain/types.js';
import { loadActor } from '../context.js';
import { cadenceText, PERSON_ID, roleText } from '../dashboard.js';
import { audit } from '../effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase } from '../errors.js';
import type { AppDeps, AuditCheckpoint } from '../ports.js';
import { formatDate, formatDateTime } from '../present.js';
import { anchorAuditHead } from './verify.js';

export const EXPORT_REFUSAL = 'Only the DSL, a deputy DSL or an auditor can export supervision records.';

export interface PersonFile {
  type: 'person-file';
  organisation: { id: string; name: string };
  generatedAt: string;
  generatedAtText: string;
  generatedBy: { id: string; name: string; roleText: string };
  person: { id: string; name: string; roleText: string };
  contracts: Array<{
    id: string;
    role: 'supervisee' | 'supervisor';
    kind: string;
    level: number;
    supervisorNames: string[];
    superviseeNames: string[];
    cadenceText: string;
    durationMinutes: number;
    format: string;
    location: string;
    startText: string;
    reviewDueText: string;
    disputeRouteText: string;
    signatures: Array<{ name: string; signedText: string }>;
    active: boolean;
  }>;
  sessions: Array<{ id: string; contractId: string; startsAt: string; whenText: string; statusText: string; reasonText?: string; replacedBy?: string; /** A group session's attendance, as its record says. */ attendanceText?: string }>;
  /** Handovers of the person's contracts: who wrote each, when, what was carried over (its words only for the DSL or a deputy). */
  handovers: HandoverHistoryRow[];
  records: Array<{
    recordId: string;
    version: number;
    /** The session's day, YYYY-MM-DD. */
    date: string;
    dateText: string;
    stateText: string;
    supervisorName: string;
    superviseeNames: string[];
    topics: string[];
    notes: string;
    concerns: Array<{ text: string; riskOfHarm: boolean }>;
    caseDecisions: Array<{ childRef: string; decision: string; rationale: string; followUpName: string; copyDueText: string; outcomeText: string }>;
    actions: Array<{ text: string; ownerName: string; dueText: string; outcomeText: string }>;
    confirmations: Array<{ name: string; atText: string }>;
    submittedText?: string;
    signedText?: string;
    supersedesVersion?: number;
    correction?: { byName: string; reason: string; atText: string };
    dispute?: { byName: string; reason: string; atText: string; referredText?: string; hearerName?: string; meetingText?: string; outcomeText: string; resolution?: string; resolvedText?: string };
    /** Destroyed under the retention schedule: when, by whom, under which rule, and its tombstone in the trail. */
    destroyedText?: string;
  }>;
  /** A subject access response only: the agenda items of the person's sessions (and those parked for the next). */
  agenda?: Array<{ id: string; dateText: string; authorName: string; categoryText: string; text: string }>;
  /** Record versions this viewer may not see (an auditor: versions not yet signed), counted only. */
  withheldVersions: number;
  checkpoint?: AuditCheckpoint;
}

const ATTENDANCE: Record<string, string> = { present: 'present', apologies: 'apologies', absent: 'absent' };
const STATUS: Record<string, string> = { scheduled: 'Booked', held: 'Held', cancelled: 'Moved or cancelled', missed: 'Did not happen' };
const STATE: Record<RecordSheet['state'], string> = { draft: 'Draft', 'awaiting-confirmation': 'Waiting for confirmation', signed: 'Signed by both', disputed: 'Change requested', resolved: 'Being corrected' };
const TOPICS: Record<string, string> = { performance: 'Performance', 'impact-on-individual': 'Impact on the individual', 'professional-development': 'Professional development', organisational: 'Organisational' };
const OUTCOME: Record<string, string> = { edited: 'Edited by the supervisor and sent again', kept: 'Kept as it was, with the resolution noted', amended: 'To be amended; both confirm the new version' };

/** Gathers the file; the caller has checked `canExportRecords`. */
export async function buildPersonFile(deps: AppDeps, org: Organisation, viewer: Person, subject: Person, now: Date): Promise<PersonFile> {
  // ended contracts too: a file (and a subject access response, often asked for after someone has left) holds them
  const [contracts, records, handovers] = await Promise.all([deps.contracts.byOrganisation(org.id), deps.records.forPerson(subject.id), deps.handovers.forPerson(subject.id)]);
  const mine = contracts.filter((c) => c.supervisorIds.includes(subject.id) || c.superviseeIds.includes(subject.id));
  const sessions = (await Promise.all(mine.map((c) => deps.sessions.byContract(c.id)))).flat().sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  const ours = records.filter((r) => r.organisationId === org.id).sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id) || a.version - b.version);
  const visible = ours.filter((r) => canViewRecord(viewer, r, org));
  const ids = new Set<string>([subject.id]);
  for (const c of mine) for (const id of [...c.supervisorIds, ...c.superviseeIds, ...c.signatures.map((s) => s.personId)]) ids.add(id);
  for (const r of visible) {
    for (const id of [r.supervisorId, ...r.superviseeIds, ...r.confirmations.map((c) => c.personId), ...r.actions.map((a) => a.ownerId), ...r.caseDecisions.map((d) => d.followUpById)]) ids.add(id);
    for (const id of [r.dispute?.byId, r.dispute?.routedToId, r.correction?.byId, r.destroyed?.byId]) if (id) ids.add(id);
  }
  for (const h of handovers) for (const id of [h.fromId, h.toId, h.writtenById ?? h.fromId]) ids.add(id);
  const people = await deps.people.getMany([...ids]);
  const name = (id: string | undefined) => (id ? (people.find((p) => p.id === id)?.name ?? 'a colleague') : 'nobody');
  const when = (d: Date | undefined) => (d ? formatDateTime(org, d) : undefined);

  const fileRecords: PersonFile['records'] = [];
  for (const r of visible) {
    const [actions, decisions] = await Promise.all([
      Promise.all(r.actions.map((a) => deps.actions.get(`${r.id}.${a.id}`))),
      Promise.all(r.caseDecisions.map((d) => deps.caseDecisions.get(r.id, d.id))),
    ]);
    fileRecords.push({
      recordId: r.id,
      version: r.version,
      date: r.date,
      dateText: formatDate(org, r.date),
      stateText: STATE[r.state],
      supervisorName: name(r.supervisorId),
      superviseeNames: r.superviseeIds.map(name),
      topics: r.topics.map((t) => TOPICS[t] ?? t),
      notes: r.notes,
      concerns: r.concerns.map((c) => ({ text: c.text, riskOfHarm: c.riskOfHarm || c.escalationId !== undefined })),
      caseDecisions: r.caseDecisions.map((d, i) => {
        const stored = decisions[i];
        const copied = stored?.copiedToChildFileAt;
        return {
          childRef: d.childRef,
          decision: d.decision,
          rationale: d.rationale,
          followUpName: name(d.followUpById),
          copyDueText: formatDateTime(org, d.copyDueAt),
          outcomeText: copied ? `Copied to the child's file on ${formatDateTime(org, copied)} by ${name(stored?.copiedById)}${stored?.childFileRef ? ` (ref. ${stored.childFileRef})` : ''}` : r.state === 'draft' ? 'Not yet sent' : 'Not yet copied to the child’s file',
        };
      }),
      actions: r.actions.map((a, i) => {
        const live = actions[i];
        const outcome = !live
          ? r.state === 'signed' ? 'Open' : 'Agreed when the record is signed'
          : live.status === 'done' ? `Done on ${when(live.completedAt)}${live.closedById ? ` (marked by ${name(live.closedById)})` : ''}`
          : live.status === 'not-needed' ? `Not needed (${when(live.completedAt)}): ${live.notNeeded?.reason ?? ''}`
          : live.dueDate < now.toISOString().slice(0, 10) ? 'Open, late' : 'Open';
        return { text: a.text, ownerName: name(a.ownerId), dueText: formatDate(org, a.dueDate), outcomeText: outcome };
      }),
      confirmations: r.confirmations.map((c) => ({ name: name(c.personId), atText: formatDateTime(org, c.at) })),
      submittedText: when(r.submittedAt),
      signedText: when(r.signedAt),
      supersedesVersion: r.supersedesVersion,
      correction: r.correction ? { byName: name(r.correction.byId), reason: r.correction.reason, atText: formatDateTime(org, r.correction.at) } : undefined,
      dispute: r.dispute
        ? {
            byName: name(r.dispute.byId),
            reason: r.dispute.reason,
            atText: formatDateTime(org, r.dispute.at),
            referredText: when(r.dispute.referredAt),
            hearerName: r.dispute.routedToId ? name(r.dispute.routedToId) : undefined,
            meetingText: r.dispute.meeting ? formatDateTime(org, r.dispute.meeting.at) : undefined,
            outcomeText: r.dispute.outcome ? (OUTCOME[r.dispute.outcome] ?? r.dispute.outcome) : 'Not settled yet',
            resolution: r.dispute.resolution,
            resolvedText: when(r.dispute.resolvedAt),
          }
        : undefined,
      destroyedText: r.destroyed
        ? `Content destroyed on ${formatDateTime(org, r.destroyed.at)} by ${name(r.destroyed.byId)} under the retention schedule (${r.destroyed.rule === 'supervision' ? 'supervision records' : 'records linked to a risk of harm or a case decision'}); the tombstone is audit entry ${r.destroyed.tombstoneSeq}`
        : undefined,
    });
  }

  return {
    type: 'person-file',
    organisation: { id: org.id, name: org.name },
    generatedAt: now.toISOString(),
    generatedAtText: formatDateTime(org, now),
    generatedBy: { id: viewer.id, name: viewer.name, roleText: roleText(viewer) },
    person: { id: subject.id, name: subject.name, roleText: roleText(subject) },
    contracts: mine.map((c) => ({
      id: c.id,
      role: c.superviseeIds.includes(subject.id) ? 'supervisee' : 'supervisor',
      kind: c.kind === 'group' ? 'Group' : 'One to one',
      level: c.level,
      supervisorNames: c.supervisorIds.map(name),
      superviseeNames: c.superviseeIds.map(name),
      cadenceText: cadenceText(c.cadence),
      durationMinutes: c.durationMinutes,
      format: c.format,
      location: c.location,
      startText: formatDate(org, c.startDate),
      reviewDueText: formatDate(org, c.reviewDueDate),
      disputeRouteText: c.disputeRoute === 'safeguarding-governor' ? 'The safeguarding governor' : 'The line manager',
      signatures: c.signatures.map((s) => ({ name: name(s.personId), signedText: formatDateTime(org, s.signedAt) })),
      active: c.active,
    })),
    sessions: sessions.map((s) => ({
      id: s.id,
      contractId: s.contractId,
      startsAt: s.startsAt.toISOString(),
      whenText: formatDateTime(org, s.startsAt),
      statusText: s.status === 'scheduled' && s.startsAt.getTime() <= now.getTime() ? 'Time passed — not recorded' : (STATUS[s.status] ?? s.status),
      reasonText: s.statusReason,
      replacedBy: s.replacedBy,
      ...(s.attendance?.length ? { attendanceText: s.attendance.map((a) => `${name(a.personId)}: ${ATTENDANCE[a.state]}`).join(', ') } : {}),
    })),
    handovers: handoverHistory(org, handovers, people, viewer),
    records: fileRecords,
    withheldVersions: ours.length - visible.length,
  };
}

const exportInput = z.object({ personId: PERSON_ID, format: z.enum(['pdf', 'json'], { message: 'must be pdf or json' }) });

/** The export as the dashboard and the command line ask for it: the file, with its audit entry and checkpoint. */
export const exportPersonFile = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<PersonFile>> => {
  const parsed = parseInput(exportInput, input);
  const ctx = await loadActor(deps, actorId);
  if (!canExportRecords(ctx.actor, ctx.org)) throw new Refusal(EXPORT_REFUSAL);
  const subject = await deps.people.get(parsed.personId);
  // someone unknown and someone in another organisation get the same answer
  if (!subject || subject.organisationId !== ctx.org.id) throw new Refusal();
  const now = deps.clock.now();
  const file = await buildPersonFile(deps, ctx.org, ctx.actor, subject, now);
  await audit(deps, { organisationId: ctx.org.id, actorId, action: 'export.person-file', subject: { kind: 'person', id: subject.id }, detail: { format: parsed.format, versions: file.records.length }, at: now });
  const anchored = await anchorAuditHead(deps, ctx.org.id, 'export');
  return { ok: true, data: { ...file, checkpoint: anchored.signed ? anchored.checkpoint : undefined } };
});
