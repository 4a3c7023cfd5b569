/**
 * What the use cases need from the outside world. The store (`src/store/`) and queue (`src/queue/`)
 * implement these; the app layer owns them so that it never imports mongoose, BullMQ or a platform SDK.
 *
 * No multi-document transactions are assumed (a standalone MongoDB has none): every write is an idempotent
 * upsert keyed by a natural id, or a compare-and-set that reports whether it applied.
 */
import type {
  AgendaItem,
  AgreedAction,
  CaseDecision,
  Attendance,
  Escalation,
  Handover,
  LocalDate,
  Organisation,
  Person,
  RecordSheet,
  Reminder,
  Session,
  SessionRequest,
  SessionStatus,
  ContractSignature,
  SupervisionContract,
} from '../domain/types.js';
import type { CalendarMeeting } from '../domain/calendar-feed.js';
import type { Incident, IncidentOffer } from '../domain/incident.js';
import type { NotificationView } from './views.js';

export interface Clock {
  now(): Date;
}

export interface OrganisationRepository {
  get(id: string): Promise<Organisation | null>;
  upsert(organisation: Organisation): Promise<void>;
  list(): Promise<Organisation[]>;
  /** The organisation whose Slack workspace this is (`slackTeamId`). */
  bySlackTeam(teamId: string): Promise<Organisation | null>;
  /**
   * The organisation as read by this process within the last `withinMs` (or read now), forgotten at once by a
   * write through these stores. For what is asked before every message sent (the content setting).
   */
  recent?(id: string, withinMs: number): Promise<Organisation | null>;
}

export type Platform = 'slack' | 'teams' | 'playground';

/**
 * A person as the store reads them, with the platforms on which a delivery last found them unreachable (kept by
 * `setReachability`, never written by `upsert`): a delivery that succeeds need not read the person again to
 * know there is nothing to clear.
 */
export interface PersonAsRead extends Person {
  unreachableOn?: Platform[];
}

export interface PersonRepository {
  get(id: string): Promise<PersonAsRead | null>;
  getMany(ids: string[]): Promise<PersonAsRead[]>;
  byOrganisation(organisationId: string): Promise<PersonAsRead[]>;
  /** The organisation's people with a supervision training date: the only ones whose training can lapse. */
  trained(organisationId: string): Promise<PersonAsRead[]>;
  /** A Slack user: with `organisationId`, only among that organisation's people (their workspace's). */
  bySlackUser(slackUserId: string, organisationId?: string): Promise<PersonAsRead | null>;
  byTeamsUser(aadObjectId: string): Promise<PersonAsRead | null>;
  upsert(person: Person): Promise<void>;
  /** Teams: 403 BotNotInConversationRoster marks a person unreachable until they install the app. */
  /** Answers whether anything changed (every delivery reports the person reachable; most change nothing). */
  setReachability(personId: string, platform: Platform, reachable: boolean, at: Date): Promise<boolean>;
  unreachable(organisationId: string): Promise<Array<{ person: Person; platform: Platform; since: Date }>>;
}

export interface ContractRepository {
  get(id: string): Promise<SupervisionContract | null>;
  upsert(contract: SupervisionContract): Promise<void>;
  byOrganisation(organisationId: string): Promise<SupervisionContract[]>;
  /** Active contracts where the person is a supervisor or a supervisee. */
  forPerson(personId: string): Promise<SupervisionContract[]>;
  reviewDueBefore(organisationId: string, date: LocalDate): Promise<SupervisionContract[]>;
  allActive(): Promise<SupervisionContract[]>;
  /**
   * Active contracts of every organisation a page at a time, in `_id` order after `afterId` (start-up: a local
   * authority's 50,000 are never held at once).
   */
  activePage(afterId: string | undefined, limit: number): Promise<SupervisionContract[]>;
  /** Adds a party's signature to the current terms (`terms`); null when the terms differ or they signed already. */
  sign(contractId: string, terms: string, signature: ContractSignature): Promise<SupervisionContract | null>;
  /** Clears `awaitingSignatures` for these terms: true for exactly one of any number of racing callers. */
  settleAgreement(contractId: string, terms: string): Promise<boolean>;
  /** Active contracts some party has not agreed to yet. */
  waitingForSignatures(organisationId: string): Promise<SupervisionContract[]>;
}

export interface SessionRepository {
  get(id: string): Promise<Session | null>;
  /** Inserts the session when its id is new; an existing id is left as it is. */
  insert(session: Session): Promise<boolean>;
  /** Compare-and-set on status: applies only when the stored status is `from`. */
  transition(
    id: string,
    from: SessionStatus,
    to: SessionStatus,
    patch: Partial<Pick<Session, 'replacedBy' | 'statusReason' | 'statusChangedAt' | 'notHeldReason'>>,
  ): Promise<boolean>;
  byContract(contractId: string): Promise<Session[]>;
  /** Every session of these contracts, in one read. */
  byContracts(contractIds: string[]): Promise<Session[]>;
  /** These sessions by id, in one read (those that do not exist are left out). */
  getMany(ids: string[]): Promise<Session[]>;
  /**
   * Inserts many at once; a session whose id or booking key is taken (another booker's) is left out. Answers
   * the ids inserted.
   */
  insertMany(sessions: Session[]): Promise<Set<string>>;
  nextScheduled(contractId: string, after: Date): Promise<Session | null>;
  lastHeld(contractId: string): Promise<Session | null>;
  scheduledBetween(from: Date, to: Date): Promise<Session[]>;
  /** Booked sessions in a room (a face-to-face contract's location, as `roomOf` keys it) starting in [from, to). */
  scheduledInRoom(organisationId: string, room: string, from: Date, to: Date): Promise<Session[]>;
  /** Every session of the organisation, in one read (the dashboard's figures). */
  byOrganisation(organisationId: string): Promise<Session[]>;
  /** A group session's attendance, as its record says (written with each save of the record). */
  setAttendance(id: string, attendance: Attendance[]): Promise<void>;
  /** Notes the session's Outlook event (created, or moved to this session), or that it was cancelled there. */
  setOutlook(id: string, patch: Pick<Session, 'outlookEventId'> & Partial<Pick<Session, 'outlookCancelledAt'>>): Promise<void>;
}

/** stour App. C: sessions asked for by the supervisee. */
export interface SessionRequestRepository {
  /** Inserts the request when its id is new. */
  insert(request: SessionRequest): Promise<boolean>;
  get(id: string): Promise<SessionRequest | null>;
  openForContract(contractId: string): Promise<SessionRequest[]>;
  /** Compare-and-set open → booked. */
  markBooked(id: string, sessionId: string, byId: string, at: Date): Promise<boolean>;
}

/** After a major incident (loughton §5): the incident, seen by the DSL and headteacher, and its offers. */
export interface IncidentRepository {
  /** Inserts the incident and its offers; a retried declaration (same id) writes nothing new. */
  insert(incident: Incident, offers: IncidentOffer[]): Promise<boolean>;
  get(id: string): Promise<Incident | null>;
  forOrganisation(organisationId: string): Promise<Incident[]>;
  offer(id: string): Promise<IncidentOffer | null>;
  offersFor(incidentIds: string[]): Promise<IncidentOffer[]>;
  /** Compare-and-set: the offer moves from `from` only (one of any racing answers wins). */
  answer(id: string, from: IncidentOffer['status'], to: IncidentOffer['status'], at: Date, extra?: { requestId?: string }): Promise<boolean>;
  /** "Not now" → offered again, once: only an offer not asked again yet. */
  askAgain(id: string, at: Date): Promise<boolean>;
}

export interface AgendaRepository {
  /** Idempotent by id. */
  add(item: AgendaItem): Promise<boolean>;
  get(id: string): Promise<AgendaItem | null>;
  forSession(sessionId: string): Promise<AgendaItem[]>;
  parked(contractId: string): Promise<AgendaItem[]>;
  /**
   * What a session's agenda shows, in one read: the contract's parked items first (raised informally, revisited
   * first: white-laith, stour §2), then the session's own, each in the order they were added and each once.
   */
  forContractSession(contractId: string, sessionId: string): Promise<AgendaItem[]>;
  /** Moves every parked item of the contract onto the session. */
  attachParked(contractId: string, sessionId: string): Promise<number>;
  setEscalation(itemId: string, escalationId: string): Promise<void>;
}

export class VersionConflictError extends Error {
  constructor(message = 'the record was changed by someone else; reload it and try again') {
    super(message);
    this.name = 'VersionConflictError';
  }
}

export class SignedRecordImmutableError extends Error {
  constructor(message = 'a signed record cannot be changed; a correction is a new version') {
    super(message);
    this.name = 'SignedRecordImmutableError';
  }
}

export interface RecordRepository {
  /** The latest version of a record. */
  latest(recordId: string): Promise<RecordSheet | null>;
  version(recordId: string, version: number): Promise<RecordSheet | null>;
  versions(recordId: string): Promise<RecordSheet[]>;
  bySession(sessionId: string): Promise<RecordSheet | null>;
  /** Inserts a new version; fails with VersionConflictError when that version exists already. */
  insertVersion(record: RecordSheet): Promise<void>;
  /**
   * Replaces a version when its stored `updatedAt` equals `expectedUpdatedAt` (optimistic check).
   * Throws SignedRecordImmutableError when the stored version is signed, VersionConflictError on a mismatch.
   */
  replace(record: RecordSheet, expectedUpdatedAt: Date): Promise<void>;
  /** Sent and not signed: waiting for confirmation, or with a change asked for that is not yet settled. */
  awaitingConfirmation(organisationId: string): Promise<RecordSheet[]>;
  forPerson(personId: string): Promise<RecordSheet[]>;
  /** Every version of every record of the organisation, in one read (the dashboard's figures). */
  byOrganisation(organisationId: string): Promise<RecordSheet[]>;
}

export interface ActionRepository {
  /** Idempotent by id. */
  upsertMany(actions: AgreedAction[]): Promise<void>;
  get(id: string): Promise<AgreedAction | null>;
  /** Compare-and-set open → done (or → not needed, with its reason). */
  complete(id: string, at: Date, closure?: ActionClosure): Promise<boolean>;
  openForPerson(personId: string): Promise<AgreedAction[]>;
  openForContract(contractId: string): Promise<AgreedAction[]>;
  /** A handover: an open action's owner and supervisor change (one conditional update); false when no longer open. */
  handOver(id: string, patch: { ownerId: string; supervisorId: string; handedOverFrom: string }): Promise<boolean>;
  lateBefore(organisationId: string, today: LocalDate): Promise<AgreedAction[]>;
  /** Every action of the organisation, open or done, in one read (the dashboard's figures). */
  byOrganisation(organisationId: string): Promise<AgreedAction[]>;
}

export interface ActionClosure {
  byId: string;
  /** Set aside as not needed, with why; without it the action is done. */
  notNeededReason?: string;
}

export interface CaseDecisionRecord extends CaseDecision {
  organisationId: string;
  recordId: string;
  contractId: string;
}

export interface CaseDecisionRepository {
  upsertMany(decisions: CaseDecisionRecord[]): Promise<void>;
  get(recordId: string, decisionId: string): Promise<CaseDecisionRecord | null>;
  /** Compare-and-set: not copied → copied. */
  markCopied(recordId: string, decisionId: string, byId: string, at: Date, childFileRef?: string): Promise<boolean>;
  notCopiedDueBefore(organisationId: string, at: Date): Promise<CaseDecisionRecord[]>;
  /** A contract's decisions not yet on the child's file. */
  notCopiedForContract(contractId: string): Promise<CaseDecisionRecord[]>;
  /** A handover: who follows the decision up changes while it is not yet copied. */
  reassignFollowUp(recordId: string, decisionId: string, fromId: string, toId: string): Promise<boolean>;
}

export interface EscalationRepository {
  insert(escalation: Escalation): Promise<boolean>;
  get(id: string): Promise<Escalation | null>;
  /** Compare-and-set: unacknowledged → acknowledged. */
  acknowledge(id: string, byId: string, at: Date): Promise<boolean>;
  unacknowledged(organisationId: string): Promise<Escalation[]>;
  /** Adds people it has gone to (a DSL, deputy or headteacher named after it was raised); idempotent. */
  addNotified(id: string, recipientIds: string[]): Promise<void>;
}

/** Per contract, kept current on every write so `/overdue` never has to join (P3). */
export interface ComplianceSummary {
  contractId: string;
  organisationId: string;
  supervisorIds: string[];
  superviseeIds: string[];
  lastHeldAt?: Date;
  lastSessionId?: string;
  nextScheduledAt?: Date;
  /** The instant after which the contract's supervision is overdue (domain rule, term-aware). */
  sessionOverdueFrom: Date;
  reviewDueDate: LocalDate;
  sessionsHeld: number;
  sessionsHeldOnTime: number;
  /** template line manager (j): from when its people are not engaging (sessions missed, or no answer); absent when they are. */
  notEngagingFrom?: Date;
  notEngaging?: { reason: 'missed-in-a-row' | 'absent-in-a-row' | 'unanswered'; personIds: string[]; sessionIds: string[] };
  updatedAt: Date;
}

export interface ComplianceRepository {
  upsert(summary: ComplianceSummary): Promise<void>;
  /** `upsert` of many in one bulk write. */
  upsertMany(summaries: ComplianceSummary[]): Promise<void>;
  get(contractId: string): Promise<ComplianceSummary | null>;
  overdueAt(organisationId: string, now: Date): Promise<ComplianceSummary[]>;
  /** Contracts whose people are not engaging at `now` (one indexed query). */
  notEngagingAt(organisationId: string, now: Date): Promise<ComplianceSummary[]>;
  byOrganisation(organisationId: string): Promise<ComplianceSummary[]>;
  /** The summaries of these contracts, in one read. */
  forContracts(contractIds: string[]): Promise<ComplianceSummary[]>;
}

export interface AuditEntry {
  organisationId: string;
  seq: number;
  at: Date;
  actorId: string;
  action: string;
  subject: { kind: string; id: string; version?: number };
  /** Ids and states only, never free text. */
  detail: Record<string, string | number | boolean | null>;
  prevHash: string;
  hash: string;
  /** A natural key for entries a retried command may write again (e.g. one party's confirmation). */
  key?: string;
}

export interface AuditLog {
  /** With a `key`, appending twice (a retry after a crash, a racing duplicate) writes one entry. */
  append(entry: Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>): Promise<AuditEntry>;
  /** Appends entries of one organisation, in order, in bulk inserts (entries without a `key`). */
  appendMany(organisationId: string, entries: Array<Omit<AuditEntry, 'seq' | 'prevHash' | 'hash' | 'organisationId' | 'key'>>): Promise<AuditEntry[]>;
  entries(organisationId: string): Promise<AuditEntry[]>;
  /** Every entry from `fromSeq` on, in sequence order, read in batches. */
  scan(organisationId: string, fromSeq?: number, batchSize?: number): AsyncIterable<AuditEntry>;
  /** The newest entry, or null for an organisation with none. */
  head(organisationId: string): Promise<AuditEntry | null>;
  /** Re-computes the hash chain; reports the first gap or altered entry. */
  verify(organisationId: string): Promise<{ ok: true; count: number } | { ok: false; atSeq: number; reason: string }>;
}

/**
 * The audit chain's head at a moment, signed with the deployment's Ed25519 key (kept outside the database), so
 * a rewrite of history by someone who can write to the database but has not the key is detected.
 */
export interface AuditCheckpoint {
  organisationId: string;
  seq: number;
  hash: string;
  at: Date;
  /** Why it was signed: on the interval job, at an export, or by an administrator. */
  reason: 'interval' | 'export' | 'manual';
  /** The signing key's fingerprint (first 16 hex digits of the SHA-256 of its public key). */
  keyId: string;
  /** Base64 Ed25519 signature of `checkpointMessage(...)`. */
  signature: string;
}

export interface CheckpointRepository {
  /** Idempotent by (organisation, seq). */
  add(checkpoint: AuditCheckpoint): Promise<void>;
  list(organisationId: string): Promise<AuditCheckpoint[]>;
  latest(organisationId: string): Promise<AuditCheckpoint | null>;
}

/** A message a person must receive. Written before any platform call, so a channel can be down safely. */
export interface OutboxMessage {
  /** Natural id (command id + purpose + recipient): written twice, delivered once. */
  id: string;
  organisationId: string;
  recipientId: string;
  /** Messages with the same thread key update the same chat message (e.g. one record card per person). */
  threadKey?: string;
  view: NotificationView;
  createdAt: Date;
}

export interface Outbox {
  /** Stores each message once (by id); answers the ids stored by this call (the others were there already). */
  enqueue(messages: OutboxMessage[]): Promise<string[]>;
}

export interface ReminderStore {
  /** Every reminder that should exist now, computed from MongoDB (used to rebuild the delayed jobs). */
  upsertMany(reminders: Reminder[]): Promise<void>;
  /**
   * `upsertMany` for thousands at once (start-up): the stored ones read by id a thousand at a time, one bulk
   * insert of the new ones, an update of each changed one only.
   */
  syncMany(reminders: Reminder[]): Promise<void>;
  /** Records that a reminder fired; false when it had fired already (so it is sent once). */
  markSent(reminderId: string, at: Date): Promise<boolean>;
  /** Unsent reminders due at or after `after` (and before `before`, when given). */
  pending(after: Date, before?: Date): Promise<Reminder[]>;
  /**
   * Every unsent reminder's id, kind and due time, and nothing else, soonest first: what a timer needs (start-up).
   * In pages of about `pageSize` (default 20,000), each one read: a local authority's 300,000 held at once cost
   * hundreds of MB, and as a stream (a cursor read a thousand at a time) they took three times as long on
   * DocumentDB (P6). `window` bounds the due times: after `after` (exclusive) and up to `until` (inclusive).
   */
  pendingTimers(pageSize?: number, window?: { after?: Date; until?: Date }): AsyncGenerator<Array<Pick<Reminder, 'id' | 'kind' | 'dueAt'>>>;
  get(reminderId: string): Promise<(Reminder & { sent: boolean }) | null>;
  removeForSubject(subjectId: string): Promise<void>;
}

/** A legal hold (a complaint, a police enquiry, a serious case review): nothing it covers is destroyed. */
export interface LegalHold {
  id: string;
  organisationId: string;
  target: { kind: 'person' | 'record'; id: string };
  /** Free text, shown to the DSL and deputies only; never logged. */
  reason: string;
  placedById: string;
  placedAt: Date;
  releasedAt?: Date;
  releasedById?: string;
}

/** A subject access request under review: the passages of other people's text flagged, and what the DSL decided. */
export interface SubjectAccessRequest {
  id: string;
  organisationId: string;
  personId: string;
  requestedById: string;
  requestedAt: Date;
  passages: Array<{ id: string; recordId: string; version: number; label: string; why: string }>;
  decisions?: Record<string, 'keep' | 'redact'>;
  decidedById?: string;
  decidedAt?: Date;
}

export interface RetentionRepository {
  schedule(organisationId: string): Promise<(import('../domain/retention.js').RetentionSchedule & { setById: string; setAt: Date }) | null>;
  setSchedule(organisationId: string, schedule: import('../domain/retention.js').RetentionSchedule, byId: string, at: Date): Promise<void>;
  /** Holds in force (not released). */
  holds(organisationId: string): Promise<LegalHold[]>;
  placeHold(hold: LegalHold): Promise<void>;
  /** Compare-and-set: in force → released; false when it was not in force. */
  releaseHold(organisationId: string, holdId: string, byId: string, at: Date): Promise<boolean>;
  /** Sessions whose agenda raised a risk of harm, and records an escalation came from. */
  riskLinks(organisationId: string): Promise<{ sessionIds: Set<string>; recordIds: Set<string> }>;
  /** The record ids the DSL was last told were due (the daily job tells them of new ones only). */
  noticed(organisationId: string): Promise<string[]>;
  setNoticed(organisationId: string, recordIds: string[], at: Date): Promise<void>;
  /**
   * Removes the free text of every version and revision of the record, its actions and case decisions, its
   * session's agenda, why the session moved and any request for it, and the messages that carried them; marks
   * each version destroyed with its tombstone's sequence number.
   */
  destroyRecord(recordId: string, sessionId: string, marks: ReadonlyMap<number, import('../domain/types.js').DestructionMark>): Promise<void>;
  putSubjectAccess(request: SubjectAccessRequest): Promise<void>;
  subjectAccess(id: string): Promise<SubjectAccessRequest | null>;
  decideSubjectAccess(id: string, decisions: Record<string, 'keep' | 'redact'>, byId: string, at: Date): Promise<void>;
}

export interface HandoverRepository {
  /** Inserted once: false when it exists already. */
  insert(handover: Handover): Promise<boolean>;
  get(id: string): Promise<Handover | null>;
  pendingForContract(contractId: string): Promise<Handover[]>;
  pending(organisationId: string): Promise<Handover[]>;
  pendingFrom(personId: string): Promise<Handover[]>;
  forPerson(personId: string): Promise<Handover[]>;
  /** pending → written, one conditional update. */
  markWritten(id: string, written: Required<Pick<Handover, 'writtenById' | 'writtenAt' | 'actions' | 'themes' | 'note' | 'toId'>>): Promise<boolean>;
}

export interface Stores {
  organisations: OrganisationRepository;
  people: PersonRepository;
  contracts: ContractRepository;
  sessions: SessionRepository;
  sessionRequests: SessionRequestRepository;
  incidents: IncidentRepository;
  agenda: AgendaRepository;
  records: RecordRepository;
  actions: ActionRepository;
  caseDecisions: CaseDecisionRepository;
  escalations: EscalationRepository;
  handovers: HandoverRepository;
  compliance: ComplianceRepository;
  audit: AuditLog;
  checkpoints: CheckpointRepository;
  retention: RetentionRepository;
  outbox: Outbox & OutboxReader;
  reminders: ReminderStore;
  deliveries: DeliveryRepository;
  calendarFeeds: CalendarFeedRepository;
  accessTokens: AccessTokenRepository;
  bankHolidays: BankHolidayRepository;
  slackInstallations: SlackInstallationRepository;
}

/** Which installation of the Slack app a request or a person belongs to (Bolt's `InstallationQuery`). */
export interface SlackInstallationQuery {
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall?: boolean;
}

/** What may be shown of an installation: ids, the workspace's name, the organisation claiming it — never a token. */
export interface SlackInstallationSummary {
  id: string;
  teamId?: string;
  enterpriseId?: string;
  teamName?: string;
  organisationId?: string;
  installedAt: Date;
}

/** Installations of the Slack app through the OAuth flow (many workspaces), their tokens encrypted at rest. */
export interface SlackInstallationRepository {
  /** Keeps an installation (`@slack/oauth`'s `Installation`), replacing the workspace's earlier one. */
  store(installation: Record<string, unknown>, at: Date): Promise<SlackInstallationSummary>;
  fetch(query: SlackInstallationQuery): Promise<Record<string, unknown> | null>;
  summary(teamId: string): Promise<SlackInstallationSummary | null>;
  list(): Promise<SlackInstallationSummary[]>;
  /** The app uninstalled, or its bot token revoked: the installation is gone. */
  remove(query: SlackInstallationQuery): Promise<SlackInstallationSummary | null>;
  removeUserToken(query: SlackInstallationQuery): Promise<void>;
  /** After an organisation claims (or gives up) the workspace: its tokens written again under that organisation's key. */
  relink(teamId: string): Promise<void>;
}

/** Puts reminders on the timer (BullMQ delayed jobs); the ReminderStore in MongoDB stays the truth. */
export interface ReminderScheduler {
  schedule(reminders: Reminder[]): Promise<void>;
  unschedule(reminderIds: string[]): Promise<void>;
}

/** What `/overdue` lists, in the fields it shows (no free text). */
export interface OverdueLists {
  compliance: ComplianceSummary[];
  awaiting: Array<Pick<RecordSheet, 'id' | 'date' | 'state' | 'supervisorId' | 'superviseeIds' | 'confirmations' | 'submittedAt'>>;
  late: Array<Pick<AgreedAction, 'id' | 'ownerId' | 'dueDate'> & Partial<Pick<AgreedAction, 'recordId' | 'supervisorId' | 'sessionDate'>>>;
  reviews: Array<Pick<SupervisionContract, 'id' | 'supervisorIds' | 'superviseeIds' | 'reviewDueDate'>>;
  decisions: Array<Pick<CaseDecisionRecord, 'id' | 'recordId' | 'childRef' | 'followUpById' | 'copyDueAt'>>;
  escalations: Array<Pick<Escalation, 'id' | 'subjectPersonId' | 'raisedAt'>>;
  unreachable: Array<{ personId: string; platform: Platform; since: Date }>;
  /** template line manager (j): contracts whose people are not engaging. */
  notEngaging?: ComplianceSummary[];
}

export interface OverdueWant {
  sessions: boolean;
  records: boolean;
  actions: boolean;
  reviews: boolean;
  /** Case decisions, escalations, unreachable people. */
  others: boolean;
  notEngaging?: boolean;
}

/**
 * Where `/overdue` reads from: the repositories, or an index kept current on every write (P3: a DSL of a
 * 10,000-staff trust gets the answer in well under a second on any MongoDB-wire server).
 */
export interface OverdueSource {
  /** Everything overdue at `now` (records: awaiting confirmation; the caller applies the 5-school-day rule). */
  lists(org: Organisation, now: Date, want: OverdueWant): Promise<OverdueLists>;
  names(organisationId: string, ids: string[]): Promise<Map<string, string>>;
}

/** An Outlook event as the bot writes it: times, place and people only, never agenda or record text. */
export interface OutlookEvent {
  subject: string;
  start: Date;
  end: Date;
  location: string;
  attendees: Array<{ name: string; email: string }>;
}

/** People's Outlook calendars (Microsoft Graph, application permission): the organiser is an Entra object id. */
export interface OutlookCalendar {
  /** Creates the event; the same `transactionId` again returns the event created before (never a second one). */
  create(organizerId: string, event: OutlookEvent, transactionId: string): Promise<string>;
  update(organizerId: string, eventId: string, event: OutlookEvent): Promise<void>;
  /** Cancels it and tells the attendees; an event already gone is no error. */
  cancel(organizerId: string, eventId: string, comment: string): Promise<void>;
}

/** Hands a changed session to the queue that keeps its Outlook event in step (set when GRAPH_* is configured). */
export interface OutlookSync {
  changed(sessionId: string): Promise<void>;
  /** `changed` for many sessions, in one bulk add. */
  changedMany(sessionIds: string[]): Promise<void>;
}

export interface AppDeps extends Stores {
  clock: Clock;
  newId(): string;
  reminderScheduler?: ReminderScheduler;
  outlookSync?: OutlookSync;
  /** Defaults to reading the repositories directly. */
  overdueSource?: OverdueSource;
  /** The key that signs and checks audit checkpoints; without it nothing is anchored. */
  auditKey?: import('./evidence/keys.js').AuditKey;
}

/** Raised by a channel when the platform says the person cannot be reached (e.g. app not installed). */
export class RecipientUnreachableError extends Error {
  constructor(
    readonly platform: Platform,
    message: string,
  ) {
    super(message);
    this.name = 'RecipientUnreachableError';
  }
}

/** A platform that can put an outbox message in front of a person (Slack DM, Teams chat, playground inbox). */
export interface ChannelNotifier {
  platform: Platform;
  canReach(person: Person): boolean;
  /** Throws RecipientUnreachableError when the platform refuses the person; any other error is retried. */
  deliver(person: Person, message: OutboxMessage): Promise<void>;
}

export interface OutboxRow extends OutboxMessage {
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  deliveredAt?: Date;
  lastError?: string;
  deliveredPlatforms?: Platform[];
}

/** The queue's side of the outbox: what is still to deliver. */
export interface OutboxReader {
  pending(limit: number): Promise<OutboxRow[]>;
  get(id: string): Promise<OutboxRow | null>;
  /** With `platform`: delivered there too, in the same write (the last platform a row had to reach). */
  markDelivered(id: string, at: Date, platform?: Platform): Promise<void>;
  markPlatformDelivered(id: string, platform: Platform): Promise<void>;
  markAttempt(id: string, error: string): Promise<void>;
}

/** Where a channel put a message for a person, so a later message on the same thread updates it. */
/** Each person's private calendar feed: a secret in its address, which they can revoke. */
export interface CalendarFeedRepository {
  /** The person's feed secret: `secret` when they had none, else the one they have (first writer wins). */
  issue(personId: string, organisationId: string, secret: string, at: Date): Promise<string>;
  /** Whose feed a secret is; null for one never issued or revoked. */
  personOf(secret: string): Promise<{ personId: string; organisationId: string } | null>;
  current(personId: string): Promise<string | null>;
  /** The feed stops answering; false when there was none. */
  revoke(personId: string): Promise<boolean>;
  /** Puts a meeting in its people's feeds; a new time raises its sequence, the same time changes nothing. */
  putMeeting(meeting: Omit<CalendarMeeting, 'sequence'>): Promise<void>;
  meeting(id: string): Promise<CalendarMeeting | null>;
  meetingsFor(personId: string): Promise<CalendarMeeting[]>;
}

export interface DeliveryRepository {
  get(threadKey: string, personId: string, platform: Platform): Promise<Record<string, string> | null>;
  /** Several threads' references of one person in one read, in the order asked (null where there is none). */
  getEach(threadKeys: string[], personId: string, platform: Platform): Promise<Array<Record<string, string> | null>>;
  put(threadKey: string, personId: string, platform: Platform, ref: Record<string, string>): Promise<void>;
}

/**
 * Single-use links and dashboard sessions (issue 13): the first-run setup link (24 hours), a person's sign-in
 * link (10 minutes) and the session it starts. Only a SHA-256 of each secret is stored.
 */
export type AccessTokenKind = 'setup' | 'sign-in' | 'session';

export interface AccessToken {
  /** The SHA-256 (hex) of the secret. */
  hash: string;
  kind: AccessTokenKind;
  /** Who a sign-in link or session is for (none for a setup link). */
  personId?: string;
  organisationId?: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt?: Date;
}

export type Redeemed = { ok: true; token: AccessToken } | { ok: false; reason: 'unknown' | 'used' | 'expired' };

export interface AccessTokenRepository {
  insert(token: AccessToken): Promise<void>;
  /** Marks an unused, unexpired token used, once (one conditional update): of racing callers one succeeds. */
  redeem(hash: string, kind: AccessTokenKind, now: Date): Promise<Redeemed>;
  /** A live token (a session): not used up, not expired. */
  live(hash: string, kind: AccessTokenKind, now: Date): Promise<AccessToken | null>;
  /** Ends a session or a link at once. */
  revoke(hash: string): Promise<void>;
}

/** One bank holiday as the UK government publishes it (www.gov.uk/bank-holidays.json). */
export interface BankHolidayEvent {
  date: string;
  title: string;
}

/** Bank holidays refreshed from a bank-holidays.json file; the shipped copy answers for a division never refreshed. */
export interface BankHolidayRepository {
  get(division: string): Promise<{ events: BankHolidayEvent[]; updatedAt: Date } | null>;
  put(division: string, events: BankHolidayEvent[], at: Date): Promise<void>;
}
