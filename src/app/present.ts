/** Builds the platform-neutral views; every time is shown in the organisation's timezone. */
import { DateTime } from 'luxon';
import { AGENDA_CATEGORIES } from '../domain/types.js';
import { AGENDA_CATEGORY_LABELS, agendaTemplateLines, RECORD_TOPIC_LABELS } from '../domain/agenda.js';
import { isActionLate } from '../domain/overdue.js';
import { requiredConfirmers } from '../domain/record.js';
import { canCorrectRecord, canHearDispute } from '../domain/permissions.js';
import { type AttendanceState, RECORD_TOPICS, type ReferralKind } from '../domain/types.js';

/** How a member's attendance at a group session is written. */
export const ATTENDANCE_TEXT: Record<AttendanceState, string> = { present: 'Present', apologies: 'Apologies', absent: 'Absent' };

/** What a referral to the line manager is about, in words. */
export const REFERRAL_TEXT: Record<ReferralKind, string> = { conduct: 'a conduct matter', development: 'a development matter' };
import type {
  AgendaItem,
  AgreedAction,
  Escalation,
  Organisation,
  Person,
  RecordSheet,
  Session,
  SupervisionContract,
} from '../domain/types.js';
import { boundedMemo } from '../domain/bounded-memo.js';
import type { AgendaItemView, AgendaPromptView, EscalationRaisedView, EscalationView, OpenActionView, PersonRef, RecordSheetView, SupportContactView } from './views.js';

// long lists (/overdue of a trust) repeat the same few dates: format each once
const remember = boundedMemo<string, string>(50_000);

export function formatDateTime(org: Pick<Organisation, 'timezone'>, instant: Date): string {
  return remember(`t|${org.timezone}|${instant.getTime()}`, () =>
    DateTime.fromJSDate(instant, { zone: org.timezone }).setLocale('en-GB').toFormat('ccc d LLL yyyy, HH:mm'),
  );
}

export function formatDate(org: Pick<Organisation, 'timezone'>, instantOrDay: Date | string): string {
  const key = typeof instantOrDay === 'string' ? instantOrDay : instantOrDay.getTime();
  return remember(`d|${org.timezone}|${key}`, () => {
    const dt = typeof instantOrDay === 'string' ? DateTime.fromISO(instantOrDay, { zone: org.timezone }) : DateTime.fromJSDate(instantOrDay, { zone: org.timezone });
    return dt.setLocale('en-GB').toFormat('ccc d LLL yyyy');
  });
}

export function ref(people: Person[], id: string): PersonRef {
  return { id, name: people.find((p) => p.id === id)?.name ?? 'a colleague' };
}

export function agendaItemView(item: AgendaItem, people: Person[], org?: Pick<Organisation, 'timezone'>): AgendaItemView {
  return {
    ...(item.raisedInformallyOn && org ? { informalText: `Raised informally on ${formatDate(org, item.raisedInformallyOn)}` } : {}),
    id: item.id,
    text: item.text,
    authorName: ref(people, item.authorId).name,
    category: item.category,
    categoryLabel: AGENDA_CATEGORY_LABELS[item.category],
    riskOfHarm: item.riskOfHarm || item.escalationId !== undefined,
    canFlag: !item.riskOfHarm && item.escalationId === undefined,
  };
}

export function openActionView(org: Organisation, action: AgreedAction, people: Person[], today: string): OpenActionView {
  return {
    id: action.id,
    text: action.text,
    ownerName: ref(people, action.ownerId).name,
    dueDate: action.dueDate,
    dueText: formatDate(org, action.dueDate),
    late: isActionLate(action, today),
  };
}

/** white-laith, stour §2: items raised informally (`park`) are revisited first; the rest in the order given. */
export function splitAgenda(org: Pick<Organisation, 'timezone'>, items: AgendaItem[], people: Person[]): { items: AgendaItemView[]; parkedItems: AgendaItemView[] } {
  const informal = (i: AgendaItem) => i.raisedInformallyOn !== undefined;
  return {
    parkedItems: items.filter(informal).map((i) => agendaItemView(i, people, org)),
    items: items.filter((i) => !informal(i)).map((i) => agendaItemView(i, people, org)),
  };
}

export const categoryOptions = () => AGENDA_CATEGORIES.map((value) => ({ value, label: AGENDA_CATEGORY_LABELS[value] }));

export function agendaPromptView(input: {
  org: Organisation;
  contract: SupervisionContract;
  session: Session;
  recipientId: string;
  people: Person[];
  items: AgendaItem[];
  openActions: AgreedAction[];
  today: string;
}): AgendaPromptView {
  const { org, contract, session, recipientId, people } = input;
  const others = [...contract.supervisorIds, ...contract.superviseeIds].filter((id) => id !== recipientId);
  return {
    type: 'agenda-prompt',
    sessionId: session.id,
    contractId: contract.id,
    recipientRole: contract.supervisorIds.includes(recipientId) ? 'supervisor' : 'supervisee',
    startsAtText: formatDateTime(org, session.startsAt),
    durationMinutes: session.durationMinutes,
    location: contract.location,
    withNames: others.map((id) => ref(people, id).name),
    openActions: input.openActions.map((a) => openActionView(org, a, people, input.today)),
    ...splitAgenda(org, input.items, people),
    templateName: contract.agendaTemplate === 'dsl' ? 'DSL supervision checklist' : 'Standing checklist',
    templateLines: agendaTemplateLines(contract.agendaTemplate),
    categories: categoryOptions(),
    supportContacts: supportContactsOf(org),
  };
}

/** The school's support contacts as shown (loughton "Support"). */
export function supportContactsOf(org: Pick<Organisation, 'supportContacts'>): SupportContactView[] {
  return (org.supportContacts ?? []).map((c) => ({
    name: c.name,
    ...(c.phone ? { phone: c.phone } : {}),
    ...(c.url ? { url: c.url } : {}),
    ...(c.description ? { description: c.description } : {}),
  }));
}

const OUTCOME_TEXT: Record<RecordSheet['previousActionsReviewed'][number]['outcome'], string> = {
  done: 'done',
  'carried-forward': 'carried forward',
  dropped: 'dropped',
};

const STATE_LABELS: Record<RecordSheet['state'], string> = {
  draft: 'Draft',
  'awaiting-confirmation': 'Waiting for confirmation',
  signed: 'Signed',
  disputed: 'Change requested',
  resolved: 'Dispute resolved — being amended',
};

export function recordSheetView(input: {
  org: Organisation;
  record: RecordSheet;
  viewer: Person;
  people: Person[];
  previousActions: AgreedAction[];
  supersededByVersion?: number;
  /** Concerns flagged as risk of harm since the record was written (their escalations exist). */
  flaggedConcernIds?: string[];
}): RecordSheetView {
  const { org, record, viewer, people } = input;
  const isSupervisor = viewer.id === record.supervisorId;
  const isSupervisee = record.superviseeIds.includes(viewer.id);
  const confirmed = new Set(record.confirmations.map((c) => c.personId));
  // kept by the external supervisor: signed by the supervisee who recorded it, and nobody else's to confirm
  const kept = record.keptBy === 'external';
  const awaiting = kept ? [] : requiredConfirmers(record).filter((id) => !confirmed.has(id));
  const d = record.dispute;
  const openChange = record.state === 'disputed' && d !== undefined && !d.referredAt;
  const editable = record.state === 'draft' || record.state === 'resolved' || openChange;
  const superseded = input.supersededByVersion !== undefined;
  // destroyed under the retention schedule: said where the notes were, and nothing more can be done with it
  const gone = record.destroyed;
  return {
    type: 'record-sheet',
    recordId: record.id,
    version: record.version,
    state: record.state,
    stateLabel: gone ? `${STATE_LABELS[record.state]} — content destroyed` : kept ? `${STATE_LABELS[record.state]} — kept by the external supervisor` : STATE_LABELS[record.state],
    viewerId: viewer.id,
    viewerRole: isSupervisor ? 'supervisor' : isSupervisee ? 'supervisee' : 'reader',
    canEdit: isSupervisor && editable && !gone,
    canConfirm: (isSupervisor || isSupervisee) && record.state === 'awaiting-confirmation' && !confirmed.has(viewer.id) && !gone,
    canDispute: (isSupervisor || isSupervisee) && record.state === 'awaiting-confirmation' && !gone,
    sessionId: record.sessionId,
    dateText: formatDate(org, record.date),
    supervisor: ref(people, record.supervisorId),
    supervisees: record.superviseeIds.map((id) => ref(people, id)),
    topics: record.topics,
    topicLabels: RECORD_TOPICS.filter((t) => record.topics.includes(t)).map((t) => RECORD_TOPIC_LABELS[t]),
    topicOptions: RECORD_TOPICS.map((value) => ({ value, label: RECORD_TOPIC_LABELS[value] })),
    notes: gone ? `Content destroyed on ${formatDateTime(org, gone.at)} by ${ref(people, gone.byId).name} under the retention schedule (audit entry ${gone.tombstoneSeq}).` : record.notes,
    concerns: record.concerns.map((c) => {
      const flagged = c.riskOfHarm || (input.flaggedConcernIds ?? []).includes(c.id);
      const mayFlag = isSupervisor || isSupervisee || org.dslIds.includes(viewer.id) || org.deputyDslIds.includes(viewer.id);
      return { id: c.id, text: c.text, riskOfHarm: flagged, canFlag: !flagged && mayFlag && record.state !== 'draft' && !superseded && !gone };
    }),
    caseDecisions: record.caseDecisions.map((d) => ({
      id: d.id,
      childRef: d.childRef,
      decision: d.decision,
      rationale: d.rationale,
      followUpById: d.followUpById,
      followUpByName: ref(people, d.followUpById).name,
      copyDueText: formatDateTime(org, d.copyDueAt),
      copied: d.copiedToChildFileAt !== undefined,
    })),
    actions: record.actions.map((a) => ({ id: a.id, text: a.text, ownerId: a.ownerId, ownerName: ref(people, a.ownerId).name, dueDate: a.dueDate, dueText: formatDate(org, a.dueDate) })),
    previousActions: record.previousActionsReviewed.map((r) => ({
      id: r.actionId,
      text: input.previousActions.find((a) => a.id === r.actionId)?.text ?? 'an earlier action',
      outcome: r.outcome,
      outcomeText: OUTCOME_TEXT[r.outcome],
      ...(r.note ? { note: r.note } : {}),
    })),
    ...(record.referral
      ? {
          lineManagerReferral: {
            kindText: REFERRAL_TEXT[record.referral.kind],
            note: record.referral.note,
            toName: ref(people, record.referral.lineManagerId).name,
            statusText: record.state === 'signed' ? `Sent to ${ref(people, record.referral.lineManagerId).name}, their line manager, when the record was signed — this note only, none of the session` : `Goes to ${ref(people, record.referral.lineManagerId).name}, their line manager, once the record is signed — this note only, none of the session`,
          },
        }
      : {}),
    ...(record.attendance && record.attendance.length > 0
      ? { attendance: record.attendance.map((a) => ({ personId: a.personId, name: ref(people, a.personId).name, state: a.state, stateText: ATTENDANCE_TEXT[a.state] })) }
      : {}),
    nextSessionText: record.nextSessionAt ? formatDateTime(org, record.nextSessionAt) : undefined,
    nextSessionDate: record.nextSessionAt ? DateTime.fromJSDate(record.nextSessionAt, { zone: org.timezone }).toISODate() ?? undefined : undefined,
    nextSessionTime: record.nextSessionAt ? DateTime.fromJSDate(record.nextSessionAt, { zone: org.timezone }).toFormat('HH:mm') : undefined,
    confirmations: record.confirmations.map((c) => ({ name: ref(people, c.personId).name, atText: formatDateTime(org, c.at) })),
    awaiting: awaiting.map((id) => ref(people, id)),
    signedText:
      record.state === 'signed' && record.signedAt
        ? kept
          ? `Kept by the external supervisor ${ref(people, record.supervisorId).name}; actions recorded by ${ref(people, record.recordedById ?? record.superviseeIds[0] ?? '').name}, who signed it on ${formatDateTime(org, record.signedAt)}`
          : d?.outcome === 'kept' && d.resolvedAt
          ? `Signed on ${formatDateTime(org, record.signedAt)} after the change asked for was heard: kept as it was`
          : `Signed by both on ${formatDateTime(org, record.signedAt)}`
        : undefined,
    dispute: d
      ? {
          byName: ref(people, d.byId).name,
          reason: d.reason,
          atText: formatDateTime(org, d.at),
          routedToName: d.referredAt && d.routedToId ? ref(people, d.routedToId).name : undefined,
          referredText: d.referredAt && d.routedToId ? `Referred to ${ref(people, d.routedToId).name} by ${ref(people, d.referredById ?? d.byId).name} on ${formatDateTime(org, d.referredAt)}` : undefined,
          meetingText: d.meeting ? `Three-way meeting on ${formatDateTime(org, d.meeting.at)}` : undefined,
          resolvedText: d.resolvedAt
            ? d.outcome === 'edited'
              ? `Edited and sent again by ${ref(people, d.resolvedById ?? record.supervisorId).name} on ${formatDateTime(org, d.resolvedAt)}`
              : `${d.outcome === 'kept' ? 'Kept as it was' : 'To be amended'}, decided by ${ref(people, d.resolvedById ?? '').name} on ${formatDateTime(org, d.resolvedAt)}`
            : undefined,
          resolution: d.resolution,
        }
      : undefined,
    editLabel: record.state === 'draft' && !record.submittedAt && !record.correction ? 'Complete the record' : openChange ? 'Edit and resend' : 'Edit the record',
    canRefer: (isSupervisor || isSupervisee) && openChange && d?.routedToId !== undefined,
    referToName: openChange && d?.routedToId ? ref(people, d.routedToId).name : undefined,
    canHear: record.state === 'disputed' && canHearDispute(viewer, record, org),
    canCorrect: record.state === 'signed' && !superseded && !kept && canCorrectRecord(viewer, record, org),
    correction: record.correction && record.supersedesVersion
      ? { byName: ref(people, record.correction.byId).name, reason: record.correction.reason, atText: formatDateTime(org, record.correction.at), supersedesVersion: record.supersedesVersion }
      : undefined,
    ...(superseded ? { supersededByVersion: input.supersededByVersion } : {}),
    ownerOptions: requiredConfirmers(record).map((id) => ref(people, id)),
  };
}

/** The escalation card a lead sees; `text` is the flagged text, which goes only to the leads it is escalated to. */
export function escalationRaisedView(org: Pick<Organisation, 'timezone' | 'supportContacts'>, escalation: Escalation, dslNames: string[]): EscalationRaisedView {
  return { type: 'escalation-raised', dslNames, raisedAtText: formatDateTime(org, escalation.raisedAt), supportContacts: supportContactsOf(org) };
}

export function escalationView(org: Pick<Organisation, 'timezone'>, escalation: Escalation, people: Person[], text: string): EscalationView {
  return {
    type: 'escalation',
    escalationId: escalation.id,
    raisedByName: ref(people, escalation.raisedById).name,
    subjectName: ref(people, escalation.subjectPersonId).name,
    raisedAtText: formatDateTime(org, escalation.raisedAt),
    source: escalation.source.kind,
    text,
    acknowledged: escalation.acknowledgedAt !== undefined,
    ...(escalation.acknowledgedById ? { acknowledgedByName: ref(people, escalation.acknowledgedById).name } : {}),
  };
}
