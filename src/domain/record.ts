/**
 * The record sheet's life (stour App. B, white-laith "concerns and agreed actions"):
 * draft → awaiting-confirmation → signed (both confirmed; locked) | disputed → (edited → draft) |
 * (referred → kept: signed | amended: resolved → draft) → …
 * A signed record never changes; a correction is a new version both sign again (stour §5, §8).
 */
import { caseDecisionCopyDueAt } from './overdue.js';
import { DomainError } from './errors.js';
import type {
  AgreedAction,
  Attendance,
  LineManagerReferral,
  AgreedActionDraft,
  CaseDecision,
  Concern,
  LocalDate,
  PreviousActionReview,
  RecordSheet,
  RecordTopic,
} from './types.js';

export interface RecordContent {
  topics: RecordTopic[];
  notes: string;
  concerns: Concern[];
  caseDecisions: Array<Omit<CaseDecision, 'copyDueAt' | 'copiedToChildFileAt' | 'copiedById'>>;
  actions: AgreedActionDraft[];
  previousActionsReviewed: PreviousActionReview[];
  nextSessionAt?: Date;
  attendance?: Attendance[];
  referral?: LineManagerReferral;
}

export interface NewDraftInput extends RecordContent {
  id: string;
  organisationId: string;
  contractId: string;
  sessionId: string;
  date: LocalDate;
  supervisorId: string;
  superviseeIds: string[];
}

/**
 * template "recording": on the child's file within 24 hours of the decision — of the first time it was
 * recorded, so saving the draft again does not move the deadline. A decision is the same one when it keeps
 * its place and child, or has the same child and wording elsewhere in the list.
 */
function withDeadlines(decisions: RecordContent['caseDecisions'], previous: CaseDecision[]): CaseDecision[] {
  return decisions.map((d) => {
    const before =
      previous.find((p) => p.id === d.id && p.childRef === d.childRef) ?? previous.find((p) => p.childRef === d.childRef && p.decision === d.decision);
    const decidedAt = before && before.decidedAt.getTime() < d.decidedAt.getTime() ? before.decidedAt : d.decidedAt;
    return { ...d, decidedAt, copyDueAt: caseDecisionCopyDueAt(decidedAt), copiedToChildFileAt: before?.copiedToChildFileAt, copiedById: before?.copiedById };
  });
}

export function newDraft(input: NewDraftInput, now: Date): RecordSheet {
  return {
    id: input.id,
    version: 1,
    organisationId: input.organisationId,
    contractId: input.contractId,
    sessionId: input.sessionId,
    date: input.date,
    supervisorId: input.supervisorId,
    superviseeIds: input.superviseeIds,
    topics: input.topics,
    notes: input.notes,
    concerns: input.concerns,
    caseDecisions: withDeadlines(input.caseDecisions, []),
    actions: input.actions,
    previousActionsReviewed: input.previousActionsReviewed,
    nextSessionAt: input.nextSessionAt,
    ...(input.attendance ? { attendance: input.attendance } : {}),
    ...(input.referral ? { referral: input.referral } : {}),
    state: 'draft',
    confirmations: [],
    createdAt: now,
    updatedAt: now,
  };
}

function assertEditable(record: RecordSheet): void {
  if (record.state === 'signed') throw new DomainError('record-locked', 'a signed record cannot be changed', 'recordId');
  if (record.state === 'awaiting-confirmation') {
    throw new DomainError('invalid-transition', 'the record is waiting for confirmation; ask for a change instead', 'recordId');
  }
  if (record.state === 'disputed' && record.dispute?.referredAt) {
    throw new DomainError('invalid-transition', 'the change is with the person hearing it; wait for their outcome', 'recordId');
  }
}

/**
 * stour §5: the supervisor takes the notes. A change asked for and not referred is settled by editing: the
 * record goes back to both to confirm again ("Edit and resend").
 */
export function editDraft(record: RecordSheet, content: RecordContent, actorId: string, now: Date): RecordSheet {
  if (actorId !== record.supervisorId) throw new DomainError('forbidden', 'only the supervisor writes the record');
  assertEditable(record);
  const settling = record.state === 'disputed' && record.dispute;
  return {
    ...record,
    ...content,
    caseDecisions: withDeadlines(content.caseDecisions, record.caseDecisions),
    state: record.state === 'resolved' || record.state === 'disputed' ? 'draft' : record.state,
    ...(settling && record.dispute ? { dispute: { ...record.dispute, resolvedAt: now, resolvedById: actorId, outcome: 'edited' as const } } : {}),
    ...(settling ? { confirmations: [] } : {}),
    updatedAt: now,
  };
}

export function requiredConfirmers(record: Pick<RecordSheet, 'supervisorId' | 'superviseeIds'>): string[] {
  return [record.supervisorId, ...record.superviseeIds];
}

export function submitForConfirmation(record: RecordSheet, actorId: string, now: Date): RecordSheet {
  if (actorId !== record.supervisorId) throw new DomainError('forbidden', 'only the supervisor submits the record');
  if (record.state !== 'draft' && record.state !== 'resolved') {
    if (record.state === 'signed') throw new DomainError('record-locked', 'a signed record cannot be changed', 'recordId');
    throw new DomainError('invalid-transition', `a ${record.state} record cannot be submitted`, 'recordId');
  }
  if (record.topics.length === 0 && record.notes.trim() === '' && record.actions.length === 0) {
    throw new DomainError('invalid', 'add at least a topic, a note or an action before sending the record', 'topics');
  }
  return { ...record, state: 'awaiting-confirmation', confirmations: [], submittedAt: now, updatedAt: now };
}

export interface ConfirmOutcome {
  record: RecordSheet;
  signed: boolean;
  alreadyConfirmed: boolean;
}

/** stour §5/§8: both parties agree and sign that the record is accurate. */
export function confirm(record: RecordSheet, personId: string, now: Date): ConfirmOutcome {
  if (!requiredConfirmers(record).includes(personId)) {
    throw new DomainError('forbidden', 'only the parties to the session confirm its record');
  }
  if (record.confirmations.some((c) => c.personId === personId)) {
    return { record, signed: record.state === 'signed', alreadyConfirmed: true };
  }
  if (record.state !== 'awaiting-confirmation') {
    if (record.state === 'signed') return { record, signed: true, alreadyConfirmed: true };
    throw new DomainError('invalid-transition', `a ${record.state} record cannot be confirmed`, 'recordId');
  }
  const confirmations = [...record.confirmations, { personId, at: now }];
  const signed = requiredConfirmers(record).every((id) => confirmations.some((c) => c.personId === id));
  return {
    record: { ...record, confirmations, state: signed ? 'signed' : record.state, signedAt: signed ? now : undefined, updatedAt: now },
    signed,
    alreadyConfirmed: false,
  };
}

/** white-laith contract, template "complaints": an unresolved disagreement goes to a three-way meeting. */
export function dispute(record: RecordSheet, personId: string, reason: string, routedToId: string | undefined, now: Date): RecordSheet {
  if (!requiredConfirmers(record).includes(personId)) {
    throw new DomainError('forbidden', 'only the parties to the session can ask for a change');
  }
  if (record.state === 'signed') throw new DomainError('record-locked', 'a signed record cannot be changed', 'recordId');
  if (record.state !== 'awaiting-confirmation') {
    throw new DomainError('invalid-transition', `a ${record.state} record cannot be disputed`, 'recordId');
  }
  if (reason.trim() === '') throw new DomainError('invalid', 'say what should change', 'reason');
  return { ...record, state: 'disputed', dispute: { byId: personId, reason, at: now, routedToId }, updatedAt: now };
}

/** white-laith contract: a change the two cannot settle goes to the person the contract names. */
export function referDispute(record: RecordSheet, personId: string, now: Date): RecordSheet {
  if (!requiredConfirmers(record).includes(personId)) throw new DomainError('forbidden', 'only the parties refer a change they cannot settle');
  if (record.state !== 'disputed' || !record.dispute) throw new DomainError('invalid-transition', 'only a record with a change asked for is referred', 'recordId');
  if (record.dispute.referredAt) return record;
  if (!record.dispute.routedToId) throw new DomainError('invalid', 'nobody is named to hear it: ask your DSL to set a line manager or safeguarding governor', 'recordId');
  return { ...record, dispute: { ...record.dispute, referredAt: now, referredById: personId }, updatedAt: now };
}

function assertHearing(record: RecordSheet, byId: string): NonNullable<RecordSheet['dispute']> {
  if (record.state !== 'disputed' || !record.dispute) throw new DomainError('invalid-transition', 'only a disputed record can be resolved', 'recordId');
  if (!record.dispute.referredAt) throw new DomainError('invalid-transition', 'the change has not been referred', 'recordId');
  // template "complaints": the third party hears it; neither party settles their own dispute this way
  if (requiredConfirmers(record).includes(byId)) throw new DomainError('forbidden', 'a party to the record does not hear its dispute');
  return record.dispute;
}

/** template "complaints": the three-way meeting, on a date both parties are told of in advance. */
export function arrangeDisputeMeeting(record: RecordSheet, byId: string, at: Date, now: Date): RecordSheet {
  const d = assertHearing(record, byId);
  if (at.getTime() <= now.getTime()) throw new DomainError('invalid', 'the meeting must be in the future', 'at');
  return { ...record, dispute: { ...d, meeting: { at, arrangedById: byId, arrangedAt: now } }, updatedAt: now };
}

/**
 * The outcome of the hearing: the record kept as it is (signed now, with the resolution noted) or amended
 * (back to the supervisor, then both confirm the amended record).
 */
export function resolveDispute(record: RecordSheet, byId: string, resolution: string, now: Date, outcome: 'keep' | 'amend' = 'amend'): RecordSheet {
  const d = assertHearing(record, byId);
  const resolved = { ...d, resolvedAt: now, resolvedById: byId, resolution, outcome: outcome === 'keep' ? ('kept' as const) : ('amended' as const) };
  if (outcome === 'keep') return { ...record, state: 'signed', signedAt: now, dispute: resolved, updatedAt: now };
  return { ...record, state: 'resolved', confirmations: [], dispute: resolved, updatedAt: now };
}

/** A correction to a signed record is a new version; the signed one is kept unchanged (who may start one: permissions). */
export function correctSignedRecord(record: RecordSheet, actorId: string, now: Date, reason?: string): RecordSheet {
  if (record.state !== 'signed') throw new DomainError('invalid-transition', 'only a signed record needs a new version', 'recordId');
  return {
    ...record,
    version: record.version + 1,
    state: 'draft',
    confirmations: [],
    dispute: undefined,
    submittedAt: undefined,
    signedAt: undefined,
    supersedesVersion: record.version,
    correction: reason ? { byId: actorId, reason, at: now } : undefined,
    createdAt: now,
    updatedAt: now,
  };
}

/** Once signed, the actions agreed become live (white-laith: reviewed at each session). */
export function agreedActionsFrom(record: RecordSheet, now: Date): AgreedAction[] {
  return record.actions.map((a) => ({
    id: `${record.id}.${a.id}`,
    organisationId: record.organisationId,
    contractId: record.contractId,
    recordId: record.id,
    text: a.text,
    ownerId: a.ownerId,
    dueDate: a.dueDate,
    status: 'open',
    agreedAt: record.signedAt ?? now,
    supervisorId: record.supervisorId,
    sessionDate: record.date,
  }));
}
