/**
 * The supervision domain's data. Plain values only: no Slack, Teams, Redis or MongoDB here.
 *
 * Dates: `LocalDate` is a calendar day `YYYY-MM-DD` in the organisation's timezone; instants are `Date`.
 * Ids are strings chosen by the caller (natural ids where there is one).
 */

/** `YYYY-MM-DD`, a school day or calendar day in the organisation's timezone. */
export type LocalDate = string;

export interface DateRange {
  name: string;
  start: LocalDate;
  end: LocalDate;
}

/** A half term: terms are Autumn, Spring, Summer, each of two half terms ("Autumn 1", "Autumn 2"). */
export interface HalfTerm extends DateRange {
  term: 'Autumn' | 'Spring' | 'Summer';
  half: 1 | 2;
}

export interface TermDates {
  halfTerms: HalfTerm[];
  holidays: DateRange[];
  insetDays: LocalDate[];
  bankHolidays: LocalDate[];
}

export interface SupportContact {
  name: string;
  phone?: string;
  url?: string;
  description?: string;
}

export interface Organisation {
  id: string;
  name: string;
  kind: 'school' | 'trust';
  /** IANA zone; every local time (reminders, due dates) is computed in it. Default Europe/London. */
  timezone: string;
  termDates: TermDates;
  supportContacts: SupportContact[];
  dslIds: string[];
  deputyDslIds: string[];
  headteacherId?: string;
  safeguardingGovernorId?: string;
  /** School days allowed past the cadence before a session counts as overdue. */
  overdueGraceDays: number;
  /** Local time reminders are sent at, `HH:mm`. */
  reminderTime: string;
  /** Whose bank holidays the school keeps (the UK government's divisions); England and Wales when unset. */
  bankHolidayDivision?: BankHolidayDivision;
  /**
   * Cards and messages in Slack and Teams carry no supervision content (only who, when, what kind, and a button to
   * open it in the dashboard), so none of it sits in the platforms' message stores (`src/app/content-out-of-chat.ts`).
   */
  keepContentOutOfChat?: boolean;
  /**
   * The Slack workspace (team id) this organisation's people use, where the app is installed through the OAuth
   * flow: its installation's token sends to them, and a Slack user is matched among this organisation's people.
   */
  slackTeamId?: string;
}

export const BANK_HOLIDAY_DIVISIONS = ['england-and-wales', 'scotland', 'northern-ireland'] as const;
export type BankHolidayDivision = (typeof BANK_HOLIDAY_DIVISIONS)[number];

export const ROLES = [
  'supervisee',
  'supervisor',
  'dsl',
  'deputy-dsl',
  'headteacher',
  'governor',
  'auditor',
  /** Business manager or IT lead: organisation, people, identities, term dates, contracts; never supervision content. */
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export interface PlatformIdentities {
  slackUserId?: string;
  slackTeamId?: string;
  teamsAadObjectId?: string;
  teamsTenantId?: string;
}

export interface Person {
  id: string;
  organisationId: string;
  name: string;
  email: string;
  identities: PlatformIdentities;
  roles: Role[];
  lineManagerId?: string;
  /** false once they have left (a staff re-import without them, confirmed); their records are kept. */
  active?: boolean;
  leftAt?: Date;
  /** template line manager (f): when they were last trained to supervise, and how often it is renewed (months, default 24). */
  supervisionTrainingDate?: LocalDate;
  supervisionTrainingRenewalMonths?: number;
}

export type Cadence =
  | { kind: 'weekly' }
  | { kind: 'every-n-weeks'; weeks: number }
  | { kind: 'monthly' }
  | { kind: 'half-termly' }
  | { kind: 'termly' }
  | { kind: 'yearly' };

export type AgendaTemplate = 'general' | 'dsl';

export interface ContractSignature {
  personId: string;
  signedAt: Date;
  /** The terms agreed (`agreementTerms` of the contract when signed; `src/domain/agreement.ts`). */
  terms?: string;
}

/**
 * The supervision agreement asked of every party (white-laith B, stour App. C/§8): `terms` is a digest of the terms
 * they agree to; a change of those terms, or a renewal, asks again. A contract without it was agreed before the
 * bot kept agreements, and counts as agreed.
 */
export interface ContractAgreement {
  terms: string;
  requestedAt: Date;
  /** The DSL started the contract before everyone had agreed (its reason is theirs to keep; never logged). */
  startedEarly?: { byId: string; at: Date; reason: string; terms: string };
}

/** The annual review (white-laith B, stour App. C): the card sent to the supervisor a month before it is due. */
export interface ContractReview {
  /** The review date the card was sent for (one card per review date). */
  askedFor: LocalDate;
  askedAt: Date;
}

export interface SupervisionContract {
  id: string;
  organisationId: string;
  kind: 'one-to-one' | 'group';
  /** stour §4: 1 internal, 2 another school in the trust, 3 an outside agency. */
  level: 1 | 2 | 3;
  external: boolean;
  supervisorIds: string[];
  superviseeIds: string[];
  cadence: Cadence;
  /** stour App. C: sessions may also be requested between the scheduled ones. */
  onRequest: boolean;
  durationMinutes: number;
  location: string;
  format: 'face-to-face' | 'video' | 'phone';
  noticeDays: number;
  agendaTemplate: AgendaTemplate;
  /** Preferred local start time for generated sessions, `HH:mm`. */
  preferredTime: string;
  startDate: LocalDate;
  reviewDueDate: LocalDate;
  signatures: ContractSignature[];
  agreement?: ContractAgreement;
  /** Set while some party has not agreed to the current terms (indexed, for `/overdue` and the dashboard). */
  awaitingSignatures?: boolean;
  review?: ContractReview;
  /** Who hears a dispute the two parties cannot resolve (white-laith contract; template "complaints"). */
  disputeRoute: 'line-manager' | 'safeguarding-governor';
  active: boolean;
  /** The day it ended (by the admin, or because a party left); its sessions and records are kept. */
  endedOn?: LocalDate;
}

/**
 * white-laith supervisor responsibilities: when a contract's supervisor changes, the outgoing supervisor (or the
 * DSL, when they have left) writes a handover for the incoming one: each open action kept or closed with a note,
 * the themes to carry over and a note. Its own document, audited; its free text is seen by the parties to the
 * handover and the safeguarding leads only.
 */
export interface Handover {
  id: string;
  organisationId: string;
  contractId: string;
  fromId: string;
  toId: string;
  superviseeIds: string[];
  createdAt: Date;
  state: 'pending' | 'written';
  writtenById?: string;
  writtenAt?: Date;
  /** What was done with each action open when it was written (every one: unlisted ones are kept). */
  actions?: Array<{ actionId: string; text: string; outcome: 'kept' | 'closed'; note?: string }>;
  themes?: string;
  note?: string;
}

export type SessionStatus = 'scheduled' | 'held' | 'cancelled' | 'missed';

export interface Session {
  id: string;
  organisationId: string;
  contractId: string;
  startsAt: Date;
  durationMinutes: number;
  status: SessionStatus;
  /** For a moved or cancelled session, the one that replaces it. */
  replacedBy?: string;
  replaces?: string;
  statusChangedAt?: Date;
  statusReason?: string;
  /** When it was booked: a session booked less than a week ahead is announced at once (stour App. C). */
  bookedAt?: Date;
  /** stour App. C: booked because the supervisee asked, on top of the cadence's one future session. */
  onRequest?: boolean;
  requestId?: string;
  /** The room it takes (a face-to-face contract's location, lower case): two sessions never share one at once. */
  room?: string;
  /** A session that did not happen: why (template line manager (e), (j): missed sessions are acted on). */
  notHeldReason?: NotHeldReason;
  /** Its Outlook event (Microsoft Graph), once created or moved there; `outlookCancelledAt` once cancelled there. */
  outlookEventId?: string;
  outlookCancelledAt?: Date;
  /** A session booked from the cadence: `bookingKeyFor` (unique in the store, so a booking race books one). */
  bookingKey?: string;
  /** A group session's attendance, as its record says (copied when the record is written; ids and states only). */
  attendance?: Attendance[];
}

/** A group member at a session: there, sent apologies, or absent without them. */
export const ATTENDANCE_STATES = ['present', 'apologies', 'absent'] as const;
export type AttendanceState = (typeof ATTENDANCE_STATES)[number];

export interface Attendance {
  personId: string;
  state: AttendanceState;
}

/** template "supervision agreement": what the DSL (or a supervisor who is not the line manager) passes on. */
export const REFERRAL_KINDS = ['conduct', 'development'] as const;
export type ReferralKind = (typeof REFERRAL_KINDS)[number];

/**
 * "Refer to line manager: conduct or development": a short note, sent to the supervisee's line manager when the
 * record is signed, carrying none of the session's content (template "supervision agreement").
 */
export interface LineManagerReferral {
  kind: ReferralKind;
  note: string;
  lineManagerId: string;
}

/** Why a session did not happen, as the supervisor says when asked "did it happen?". */
export const NOT_HELD_REASONS = ['supervisee-absent', 'supervisor-absent', 'school-closure', 'other'] as const;
export type NotHeldReason = (typeof NOT_HELD_REASONS)[number];

/** stour App. C: a supervisee asks for a session between the scheduled ones; the supervisor books it. */
export interface SessionRequest {
  id: string;
  organisationId: string;
  contractId: string;
  requestedById: string;
  /** Free text, shown to the supervisor only; never logged. */
  reason?: string;
  requestedAt: Date;
  /** The last school day the supervisor should book it by (five school days). */
  bookBy: LocalDate;
  status: 'open' | 'booked';
  sessionId?: string;
  bookedAt?: Date;
  bookedById?: string;
}

export const AGENDA_CATEGORIES = [
  'case-discussion',
  'impact-on-me',
  'professional-development',
  'organisational',
  'performance',
  'aob',
  'other',
] as const;
export type AgendaCategory = (typeof AGENDA_CATEGORIES)[number];

export interface AgendaItem {
  id: string;
  organisationId: string;
  contractId: string;
  /** The session the item is for; undefined while parked for "the next session". */
  sessionId?: string;
  authorId: string;
  text: string;
  category: AgendaCategory;
  riskOfHarm: boolean;
  parked: boolean;
  /** white-laith, stour §2: raised informally between sessions (`park`), on this local day. */
  raisedInformallyOn?: LocalDate;
  createdAt: Date;
  escalationId?: string;
}

export const RECORD_TOPICS = [
  'performance',
  'impact-on-individual',
  'professional-development',
  'organisational',
] as const;
export type RecordTopic = (typeof RECORD_TOPICS)[number];

export interface Concern {
  id: string;
  text: string;
  riskOfHarm: boolean;
  escalationId?: string;
}

/** template "recording": decisions go on the child's file within 24 hours, with rationale and who follows up. */
export interface CaseDecision {
  id: string;
  /** Initials or a school reference only, never a child's name. */
  childRef: string;
  decision: string;
  rationale: string;
  followUpById: string;
  decidedAt: Date;
  copyDueAt: Date;
  copiedToChildFileAt?: Date;
  copiedById?: string;
  /** The school system's reference for the entry on the child's file (CPOMS, MyConcern…), when given. */
  childFileRef?: string;
}

export interface AgreedActionDraft {
  id: string;
  text: string;
  ownerId: string;
  dueDate: LocalDate;
}

export interface PreviousActionReview {
  actionId: string;
  outcome: 'done' | 'carried-forward' | 'dropped';
  note?: string;
}

export type RecordState = 'draft' | 'awaiting-confirmation' | 'signed' | 'disputed' | 'resolved';

export interface Confirmation {
  personId: string;
  at: Date;
}

/**
 * A change asked for (white-laith contract, template "complaints"): the supervisor edits and resends, or the
 * two refer it to the person the contract names (`routedToId`), who may arrange a three-way meeting and
 * records the outcome: the record kept as it was (signed, with the resolution noted) or amended.
 */
export interface Dispute {
  byId: string;
  reason: string;
  at: Date;
  /** Who hears it if it is referred (the line manager or the safeguarding governor, as the contract says). */
  routedToId?: string;
  referredAt?: Date;
  referredById?: string;
  meeting?: { at: Date; arrangedById: string; arrangedAt: Date };
  resolvedAt?: Date;
  resolvedById?: string;
  resolution?: string;
  /** edited: the supervisor changed it and sent it again; kept / amended: the hearer's outcome. */
  outcome?: 'edited' | 'kept' | 'amended';
}

/** Why a signed record is being corrected, and who started it (the supervisor or a DSL). */
export interface Correction {
  byId: string;
  reason: string;
  at: Date;
}

export interface RecordSheet {
  /** Stable across versions: one record per session. */
  id: string;
  version: number;
  organisationId: string;
  contractId: string;
  sessionId: string;
  date: LocalDate;
  supervisorId: string;
  superviseeIds: string[];
  topics: RecordTopic[];
  notes: string;
  concerns: Concern[];
  caseDecisions: CaseDecision[];
  actions: AgreedActionDraft[];
  previousActionsReviewed: PreviousActionReview[];
  nextSessionAt?: Date;
  /** A group session: each member present, with apologies or absent. */
  attendance?: Attendance[];
  /** A conduct or development matter referred to the supervisee's line manager (sent once signed). */
  referral?: LineManagerReferral;
  state: RecordState;
  confirmations: Confirmation[];
  dispute?: Dispute;
  submittedAt?: Date;
  signedAt?: Date;
  /** A correction to a signed record is a new version; the signed one stays as it was. */
  supersedesVersion?: number;
  /**
   * stour §4: a session supervised from outside by someone not in the school's chat. The external supervisor keeps
   * the minutes; this record holds only what the supervisee recorded (the actions agreed, the themes), signed by them.
   */
  keptBy?: 'external';
  /** Who recorded a record kept by the external supervisor (the supervisee who signed it). */
  recordedById?: string;
  correction?: Correction;
  createdAt: Date;
  updatedAt: Date;
  /**
   * Set when the DSL approved its destruction under the retention schedule: its free text is gone and the
   * audit trail holds a tombstone naming the digest of what was destroyed (the one change a signed version takes).
   */
  destroyed?: DestructionMark;
}

export interface DestructionMark {
  at: Date;
  byId: string;
  rule: 'supervision' | 'risk-or-decision';
  /** The sequence number of the version's tombstone entry in the audit trail. */
  tombstoneSeq: number;
}

export interface AgreedAction {
  id: string;
  organisationId: string;
  contractId: string;
  recordId: string;
  text: string;
  ownerId: string;
  dueDate: LocalDate;
  /** Open until its owner (or the supervisor, or a safeguarding lead) marks it done, or the supervisor says it is not needed. */
  status: 'open' | 'done' | 'not-needed';
  agreedAt: Date;
  completedAt?: Date;
  /** Whose session it came from, for the DSL's list (loughton §2–5): the supervisor and the session's day. */
  supervisorId?: string;
  sessionDate?: LocalDate;
  /** Who closed it, and for "not needed" why (white-laith: actions are reviewed, not silently dropped). */
  closedById?: string;
  notNeeded?: { reason: string };
}

export interface Escalation {
  id: string;
  organisationId: string;
  raisedById: string;
  subjectPersonId: string;
  source: { kind: 'agenda-item' | 'record-concern'; id: string; recordId?: string };
  raisedAt: Date;
  notifiedIds: string[];
  acknowledgedAt?: Date;
  acknowledgedById?: string;
}

export type ReminderKind =
  | 'notice'
  | 'booked'
  | 'agenda-prompt'
  | 'day-before'
  | 'record-unsigned'
  | 'action-late'
  | 'case-decision-copy'
  | 'case-decision-overdue'
  | 'did-it-happen'
  | 'did-it-happen-again'
  | 'not-answered'
  | 'request-unanswered'
  /** After a major incident, "not now" is asked again once, ten school days on (loughton §5). */
  | 'incident-offer-again';

export interface Reminder {
  /** Natural id: kind + subject (+ occurrence), so a rebuild never doubles one. */
  id: string;
  organisationId: string;
  kind: ReminderKind;
  subjectId: string;
  recipientIds: string[];
  dueAt: Date;
}

export type OverdueKind =
  | 'session'
  | 'record-unconfirmed'
  | 'action-late'
  | 'contract-review'
  | 'case-decision-not-copied'
  | 'escalation-unacknowledged';
