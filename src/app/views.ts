/**
 * View models: what a person is shown, independent of the platform. Teams renders them as Adaptive Cards
 * (templates in `adaptive-cards/`), Slack as Block Kit, the playground with the Adaptive Cards renderer.
 * Times are pre-formatted in the organisation's timezone (`…Text` fields) so every channel shows the same.
 */
import type { AgendaCategory, AttendanceState, RecordState, ReferralKind, RecordTopic, ReminderKind } from '../domain/types.js';

export interface PersonRef {
  id: string;
  name: string;
}

export interface AgendaItemView {
  id: string;
  text: string;
  authorName: string;
  category: AgendaCategory;
  categoryLabel: string;
  /** Flagged as risk of harm, when written or since. */
  riskOfHarm: boolean;
  /** Not flagged yet: a party (or the DSL/a deputy) may flag it as risk of harm now. */
  canFlag: boolean;
  /** For an item parked with `park` (white-laith, stour §2): "Raised informally on Tue 2 Dec 2025". */
  informalText?: string;
}

export interface OpenActionView {
  id: string;
  text: string;
  ownerName: string;
  dueDate: string;
  dueText: string;
  late: boolean;
  /** The viewer may mark it done (its owner, the supervisor, a safeguarding lead). */
  canComplete?: boolean;
  /** The viewer may set it aside as not needed, with a reason (the supervisor, a safeguarding lead). */
  canSetAside?: boolean;
}

export interface AgendaPromptView {
  type: 'agenda-prompt';
  sessionId: string;
  contractId: string;
  recipientRole: 'supervisee' | 'supervisor';
  startsAtText: string;
  durationMinutes: number;
  location: string;
  withNames: string[];
  /** The open actions agreed at earlier sessions (white-laith contract; stour §6 "review previous actions"). */
  openActions: OpenActionView[];
  /** Items from both parties for this session. */
  items: AgendaItemView[];
  /** Items raised informally since the last session (`park`), shown first to the supervisor. */
  parkedItems: AgendaItemView[];
  /** The contract's standing checklist (stour §6 general, or App. A for a DSL), as a reminder. */
  templateName: string;
  templateLines: string[];
  categories: Array<{ value: AgendaCategory; label: string }>;
  /** The school's support contacts (loughton "Support"). */
  supportContacts?: SupportContactView[];
}

/** A support contact as shown: its name, number and what it is for, all as text. */
export interface SupportContactView {
  name: string;
  phone?: string;
  url?: string;
  description?: string;
}

export interface AgendaView {
  type: 'agenda';
  sessionId?: string;
  startsAtText?: string;
  /** Whose session it is, when it is not the reader's own (a supervisor adding to a supervisee's). */
  forNames?: string[];
  items: AgendaItemView[];
  parkedItems: AgendaItemView[];
  parkedCount: number;
  added: number;
  /** The items just added were parked (`park`): raised informally, for the next session. */
  parked: boolean;
  escalated: boolean;
  /** Flagged, but the school has no DSL, deputy or headteacher in the bot: phone the DSL now. */
  unheard?: boolean;
  /** What a limit did, said to the person (too many items, an item too long). */
  limits: string[];
  /** After a risk of harm is flagged: the school's support contacts. */
  supportContacts?: SupportContactView[];
}

/** A line in chat that did not answer an agenda prompt: "Add this to your agenda for …?" */
export interface AgendaSuggestionView {
  type: 'agenda-suggestion';
  text: string;
  question: string;
  /** The sessions it could go to (several when the person has several contracts). */
  options: Array<{ sessionId: string; sessionText: string }>;
  categories: Array<{ value: AgendaCategory; label: string }>;
}

/**
 * "Add an agenda item" with the session chosen from a list: a supervisor's supervisees and the person's own
 * supervision, each by name and the date of its next session (stour §5, §6: both parties input to the agenda).
 */
export interface AgendaFormView {
  type: 'agenda-form';
  /** What was typed so far (kept when the form comes back with a refusal). */
  text: string;
  /** The contracts the item may go to: only the person's own (as supervisor or supervisee). */
  options: Array<{ contractId: string; sessionText: string }>;
  /** Chosen already: the only option, or the one picked before a refusal ('' when nothing is). */
  selected: string;
  categories: Array<{ value: AgendaCategory; label: string }>;
  /** A refusal to show above the form. */
  notice?: string;
}

export interface RecordActionView {
  id: string;
  text: string;
  ownerId: string;
  ownerName: string;
  dueDate: string;
  /** The due date as every card writes dates ("Wed 16 Dec 2026"). */
  dueText: string;
}

export interface CaseDecisionView {
  id: string;
  childRef: string;
  decision: string;
  rationale: string;
  followUpById: string;
  followUpByName: string;
  copyDueText: string;
  copied: boolean;
}

export interface RecordSheetView {
  type: 'record-sheet';
  recordId: string;
  version: number;
  state: RecordState;
  stateLabel: string;
  viewerId: string;
  viewerRole: 'supervisor' | 'supervisee' | 'reader';
  canEdit: boolean;
  canConfirm: boolean;
  canDispute: boolean;
  sessionId: string;
  dateText: string;
  supervisor: PersonRef;
  supervisees: PersonRef[];
  topics: RecordTopic[];
  /** The ticked topics in words, as the print view lists them. */
  topicLabels: string[];
  topicOptions: Array<{ value: RecordTopic; label: string }>;
  notes: string;
  /** riskOfHarm: flagged when written or since; canFlag: the viewer may flag it now (a party, the DSL or a deputy). */
  concerns: Array<{ id: string; text: string; riskOfHarm: boolean; canFlag: boolean }>;
  caseDecisions: CaseDecisionView[];
  actions: RecordActionView[];
  previousActions: Array<{ id: string; text: string; outcome: string; outcomeText: string; note?: string }>;
  nextSessionText?: string;
  nextSessionDate?: string;
  /** Its time of day, HH:MM in the school's zone (the dashboard's Edit form). */
  nextSessionTime?: string;
  confirmations: Array<{ name: string; atText: string }>;
  awaiting: PersonRef[];
  signedText?: string;
  dispute?: {
    byName: string;
    reason: string;
    atText: string;
    routedToName?: string;
    referredText?: string;
    meetingText?: string;
    resolvedText?: string;
    /** What the person hearing it recorded; shown to the parties and the hearer only, like the reason. */
    resolution?: string;
  };
  /** The button to open the record form: "Complete the record", "Edit the record" or "Edit and resend". */
  editLabel: string;
  /** A change asked for and not settled: either party may refer it to the person the contract names. */
  canRefer: boolean;
  referToName?: string;
  /** The viewer hears the referred change: "Arrange a meeting" and "Record the outcome". */
  canHear: boolean;
  /** The viewer may start a correction of this signed record (the supervisor, the DSL or a deputy). */
  canCorrect: boolean;
  correction?: { byName: string; reason: string; atText: string; supersedesVersion: number };
  /** A risk of harm in this record reached nobody: the school has no DSL, deputy or headteacher in the bot. */
  riskUnheard?: boolean;
  /** This signed version was corrected by a later one, which is the record now. */
  supersededByVersion?: number;
  /** People who may own an action (the parties), for the owner picker. */
  ownerOptions: PersonRef[];
  /** Why the form as typed was not saved ("Action 2: …"), shown above it. */
  notice?: string;
  /** A matter referred to the supervisee's line manager: sent to them (only this) once the record is signed. */
  lineManagerReferral?: { kindText: string; note: string; toName: string; statusText: string };
  /** A group session's attendance: each member, present, with apologies or absent. */
  attendance?: Array<{ personId: string; name: string; state: AttendanceState; stateText: string }>;
  /** The form's own parts, for the supervisor while the record can be edited. */
  form?: RecordFormView;
  /** The form as the supervisor typed it (a row added, or a refusal): shown as it is, not re-read from the store. */
  asTyped?: boolean;
}

/** The record form beyond the record: the agenda, last session's actions to review, the rows typed so far. */
export interface RecordFormView {
  /** The session's agenda items, parked ones ("raised informally on …") first. */
  agenda: AgendaItemView[];
  /** Last session's open actions, each with the outcome picked (carried forward until another is picked). */
  previous: Array<{ n: number; id: string; label: string; text: string; ownerName: string; dueText: string; outcome: 'done' | 'carried-forward' | 'dropped'; note: string }>;
  /** Their ids, comma-separated, carried with the form so each outcome goes to the action it was picked for. */
  previousIds: string;
  /** `key` is the row's input-name suffix (`action0`, `childRef1`…). */
  actionRows: Array<{ n: number; key: string; text: string; ownerId: string; dueDate: string }>;
  decisionRows: Array<{ n: number; key: string; childRef: string; decision: string; rationale: string; followUpById: string }>;
  /** A group session: each member with the state picked (present until another is picked), inputs `attend0`, …. */
  attendance: Array<{ n: number; personId: string; name: string; state: AttendanceState }>;
  /** Their ids, comma-separated, carried with the form so each state goes to the member it was picked for. */
  attendanceIds: string;
  /** "Refer to line manager: conduct or development", offered when the supervisor is not the line manager. */
  referral: { offered: boolean; toName: string; kind: '' | ReferralKind; note: string };
  canAddAction: boolean;
  canAddDecision: boolean;
  /** The limits, as the form states them. */
  limitsText: string;
}

export interface OverdueRow {
  personId: string;
  personName: string;
  detail: string;
  daysOverdue: number;
  refId: string;
}

export interface OverdueSummaryView {
  type: 'overdue-summary';
  organisationName: string;
  generatedAtText: string;
  filter: 'all' | 'sessions' | 'records' | 'actions' | 'reviews' | 'not-engaging' | 'signatures';
  /** For a filtered summary, which list it is ("Late actions only — …"). */
  filterText?: string;
  /** The lists this summary looked at, in the order shown; a filtered one has one. */
  shown: Array<'escalations' | 'sessions' | 'records' | 'actions' | 'reviews' | 'caseDecisions' | 'unreachable' | 'notEngaging' | 'handovers' | 'training' | 'signatures'>;
  /** The counts of the lists shown, in words. */
  countFacts: Array<{ label: string; number: string }>;
  sessions: Array<OverdueRow & { lastSessionText: string }>;
  records: OverdueRow[];
  actions: OverdueRow[];
  reviews: OverdueRow[];
  caseDecisions: OverdueRow[];
  escalations: OverdueRow[];
  /** template line manager (j): sessions not happening, or no answer whether they did, until one is held. */
  notEngaging: OverdueRow[];
  /** A contract's supervisor changed and the handover is not written yet (white-laith supervisor responsibilities). */
  handovers?: OverdueRow[];
  /** template line manager (f): supervisors whose supervision training has lapsed or lapses within a half term. */
  training?: OverdueRow[];
  /** Contracts waiting for signatures: who has not agreed to the supervision agreement, since when (`refId` the contract). */
  signatures: OverdueRow[];
  unreachable: Array<{ personId: string; personName: string; platform: string; sinceText: string }>;
  counts: {
    handovers?: number;
    training?: number;
    signatures: number;
    sessions: number;
    records: number;
    actions: number;
    reviews: number;
    caseDecisions: number;
    escalations: number;
    unreachable: number;
    notEngaging: number;
  };
}

export interface EscalationView {
  type: 'escalation';
  escalationId: string;
  raisedByName: string;
  subjectName: string;
  raisedAtText: string;
  source: 'agenda-item' | 'record-concern';
  /** The flagged text goes only to the DSL(s) it is escalated to; it is never logged. */
  text: string;
  acknowledged: boolean;
  acknowledgedByName?: string;
}

export interface EscalationRaisedView {
  type: 'escalation-raised';
  /** Who it went to; empty when the school has nobody in the bot to hear it (then: phone the DSL now). */
  dslNames: string[];
  raisedAtText: string;
  /** The school's support contacts, for the person who flagged it. */
  supportContacts?: SupportContactView[];
}

export interface ReminderView {
  type: 'reminder';
  kind: ReminderKind;
  title: string;
  lines: string[];
  sessionId?: string;
  /** A session's notice carries its "Add to calendar" invite. */
  invite?: InviteLink;
  recordId?: string;
  /** A late action's reminder carries its buttons: Done, and Not needed when the recipient may set it aside. */
  action?: { id: string; canSetAside: boolean };
  /** A case decision's chase carries "Copied to the child's file". */
  caseDecision?: { recordId: string; decisionId: string };
  /** The lines without anyone's words, for a school that keeps supervision content out of chat (`content-out-of-chat.ts`). */
  withoutContent?: string[];
}

export interface NextSessionView {
  type: 'next-session';
  session?: { id: string; startsAtText: string; withNames: string[]; location: string; /** Booked because the supervisee asked (stour App. C). */ onRequest?: boolean };
  /** A session whose time passed with no record yet: the supervisor is asked whether it happened. */
  pending?: { id: string; startsAtText: string; withNames: string[]; /** The viewer is asked (a supervisor). */ canAnswer: boolean };
  /** Sessions since the last one held that did not happen, newest first. */
  notHeld?: Array<{ startsAtText: string; reasonText: string }>;
  /** The viewer may ask for a session between the scheduled ones (stour App. C). */
  canRequest?: boolean;
  items: AgendaItemView[];
  openActions: OpenActionView[];
}

/**
 * After a session's time, with no record: "Record it", or "It did not happen" with why and the new time, in
 * the same card (template "intervals": never without a new time).
 */
export interface SessionCheckView {
  type: 'session-check';
  sessionId: string;
  title: string;
  lines: string[];
  startsAtText: string;
  withNames: string[];
  /** The next school day's second asking. */
  again: boolean;
  /** The new time offered: the next free slot the cadence allows. */
  date: string;
  time: string;
  reasons: Array<{ value: string; label: string }>;
  /**
   * stour §4: asked of the supervisee, for a session with a supervisor from outside who is not in the school's
   * chat: "It happened" opens the short form of the actions agreed (`KeptFormView`) in place of "Record it".
   */
  kept?: boolean;
}

/**
 * "It happened", for a session kept by the external supervisor (stour §4): the actions agreed (text, owner: the
 * supervisee or the supervisor, due date) and, optionally, the themes. No notes: the external supervisor keeps
 * the minutes.
 */
export interface KeptFormView {
  type: 'kept-form';
  sessionId: string;
  title: string;
  lines: string[];
  supervisorName: string;
  /** Who may own an action: the supervisee first, then the external supervisor. */
  ownerOptions: PersonRef[];
  topicOptions: Array<{ value: RecordTopic; label: string }>;
  /** The action rows shown (`action<n>`, `owner<n>`, `due<n>`), each with what was typed. */
  rows: Array<{ n: number; text: string; ownerId: string; dueDate: string }>;
  /** The due date offered: a fortnight of school days on. */
  dueDate: string;
  /** Why the form as typed was not saved, shown above it. */
  notice?: string;
}

/** stour App. C: a supervisee asked for a session; the supervisor books it within five school days. */
export interface SessionRequestView {
  type: 'session-request';
  requestId: string;
  title: string;
  requesterName: string;
  /** What they said it is about; shown to the supervisor only. */
  reason?: string;
  bookByText: string;
  date: string;
  time: string;
}

/** After a major incident (loughton §5): "Would you like extra supervision?", Yes or Not now, with support contacts. */
export interface IncidentOfferView {
  type: 'incident-offer';
  offerId: string;
  title: string;
  /** "After a recent incident…", or what the DSL chose to say to staff; never the incident's name. */
  lines: string[];
  /** Asked again, ten school days after "not now". */
  again: boolean;
  supportContacts: SupportContactView[];
}

/**
 * The supervision agreement (white-laith B, template "supervision agreement", stour App. C/§8) as each party sees
 * it: the terms, who has agreed, and Agree / Ask a question. A group contract's is the group agreement.
 */
export interface AgreementView {
  type: 'agreement';
  contractId: string;
  /** The digest of the terms shown: Agree signs exactly these. */
  terms: string;
  title: string;
  supervisorNames: string[];
  superviseeNames: string[];
  frequencyText: string;
  lengthText: string;
  location: string;
  formatText: string;
  levelText: string;
  recordsText: string;
  confidentialityLines: string[];
  disputeText: string;
  reviewText: string;
  signed: Array<{ name: string; signedText: string }>;
  waitingNames: string[];
  /** The viewer is a party who has not agreed to these terms yet. */
  canAgree: boolean;
  agreedText?: string;
}

/** A party's question about the agreement, to the supervisor (never logged). */
export interface AgreementQuestionView {
  type: 'agreement-question';
  contractId: string;
  title: string;
  askerName: string;
  question: string;
}

/** The annual review (white-laith B): keep the contract as it is, or change its terms; everyone agrees again. */
export interface ContractReviewView {
  type: 'contract-review';
  contractId: string;
  title: string;
  superviseeNames: string[];
  reviewDueText: string;
  /** The current terms, as the form's values. */
  cadence: string;
  durationMinutes: number;
  location: string;
  level: string;
  supervisorId: string;
  supervisorOptions: Array<{ value: string; title: string }>;
}

/** The form to move a session, or to cancel and rebook it (template "intervals": the new time in the same step). */
export interface MoveFormView {
  type: 'move-form';
  sessionId: string;
  cancel: boolean;
  title: string;
  startsAtText: string;
  /** The session's local date and time, the form's starting values. */
  date: string;
  time: string;
  withNames: string[];
  /** The day the contract's cadence says the session is due by: a later day needs a reason. */
  dueByText: string;
  dueBy: string;
}

export interface ActionsView {
  type: 'actions';
  /** Mine, and for a supervisor the open actions of the people they supervise. */
  actions: OpenActionView[];
  /** What the last button did ("Marked as done: …"), when the list answers one. */
  notice?: string;
}

export interface HelpView {
  type: 'help';
  isDsl: boolean;
  /** A supervisee may ask for a session between the scheduled ones (stour App. C). */
  canRequest?: boolean;
  /** The DSL or a deputy may start a contract before everyone has agreed (`start <name>: <reason>`). */
  canStart?: boolean;
  supportContacts: SupportContactView[];
}

export interface DisputeNoticeView {
  type: 'dispute-notice';
  recordId: string;
  dateText: string;
  supervisorName: string;
  superviseeNames: string[];
  raisedByName: string;
  /** The reason goes to the parties and the person hearing the dispute only. */
  reason: string;
}

/** `calendar`: the person's private feed address (the channel adds the bot's address), or that it was revoked. */
export interface CalendarLinkView {
  type: 'calendar-link';
  /** `/calendar/<secret>.ics`; absent once revoked. */
  path?: string;
  /** The full address, filled in by the channel that shows it. */
  url?: string;
  revoked: boolean;
}

/**
 * "Add to calendar": the recipient's own invite (RFC 5545, METHOD:REQUEST or CANCEL) for a session or a
 * meeting, under their private feed's secret, so `calendar revoke` revokes it too.
 */
export interface InviteLink {
  /** `/calendar/<secret>/session/<id>.ics` or `/calendar/<secret>/meeting/<id>.ics`. */
  path: string;
  /** The full address, filled in by the channel that shows it. */
  url?: string;
}

/**
 * `dashboard`: in Slack a sign-in link for the person who asked (single use, `validMinutes`); in Teams and the
 * playground the dashboard's own address (Teams signs in with SSO). The channel fills in `url`.
 */
export interface DashboardLinkView {
  type: 'dashboard-link';
  /** `/tab/signin/<personId>/<secret>` or `/tab/`. */
  path: string;
  url?: string;
  signIn: boolean;
  validMinutes?: number;
}

/**
 * The handover form (white-laith supervisor responsibilities), for the outgoing supervisor, or the DSL when they
 * have left: each open action kept (it moves to the incoming supervisor) or closed with a note, the themes to
 * carry over and a note for the incoming supervisor. Inputs: `outcome<n>`, `note<n>` for the ids in `actionIds`,
 * `themes`, `note`.
 */
export interface HandoverFormView {
  type: 'handover-form';
  handoverId: string;
  title: string;
  lines: string[];
  actions: Array<{ n: number; id: string; text: string; ownerName: string; dueText: string; outcome: 'keep' | 'close'; note: string }>;
  actionIds: string;
  /** What was typed, when the form comes back refused. */
  themesTyped: string;
  noteTyped: string;
  /** Case decisions not yet on the child's file: they pass to the incoming supervisor as they are. */
  decisions: Array<{ childRef: string; copyDueText: string }>;
  notice?: string;
}

/** A written handover, as the incoming supervisor, the writer and the safeguarding leads read it. */
export interface HandoverView {
  type: 'handover';
  handoverId: string;
  title: string;
  lines: string[];
  kept: Array<{ text: string; ownerName: string; dueText: string }>;
  closed: Array<{ text: string; note: string }>;
  themes: string;
  note: string;
  decisions: Array<{ childRef: string; followUpByName: string; copyDueText: string }>;
  disputes: Array<{ dateText: string }>;
}

export interface TextView {
  type: 'text';
  text: string;
  /** The message without anyone's words, when `text` quotes them (`content-out-of-chat.ts`). */
  withoutContent?: string;
  /** A session booked or moved, or a meeting arranged: its invite. */
  invite?: InviteLink;
}

export interface RefusalView {
  type: 'refusal';
  text: string;
}

export interface ErrorView {
  type: 'error';
  field?: string;
  message: string;
}

export type NotificationView =
  | AgendaPromptView
  | AgendaView
  | AgendaSuggestionView
  | AgendaFormView
  | RecordSheetView
  | OverdueSummaryView
  | EscalationView
  | EscalationRaisedView
  | ReminderView
  | NextSessionView
  | MoveFormView
  | SessionCheckView
  | KeptFormView
  | SessionRequestView
  | IncidentOfferView
  | AgreementView
  | AgreementQuestionView
  | ContractReviewView
  | ActionsView
  | HelpView
  | DisputeNoticeView
  | HandoverFormView
  | HandoverView
  | CalendarLinkView
  | DashboardLinkView
  | TextView
  | RefusalView
  | ErrorView;
