/**
 * Mongoose models, one per collection. Natural ids are the `_id`; the fields that queries filter on are
 * declared (and indexed), the rest of each domain object is stored as given (`strict: false`).
 * Everything here is for MongoDB 7, and runs its tests on DocumentDB.
 */
import { type Connection, type Model, Schema } from 'mongoose';
import { SignedRecordImmutableError } from '../app/ports.js';
import { encryptFields } from './encryption.js';

// minimize off: an empty object (e.g. an audit entry's `detail: {}`) must read back as it was written.
const options = { strict: false, versionKey: false, _id: false, minimize: false } as const;

function schema(fields: Record<string, unknown>): Schema {
  return new Schema({ _id: { type: String, required: true }, ...fields }, options);
}

/** A signed record version may never change, whichever path tries (stour §5: signed as accurate). */
function guardSignedRecords(records: Schema): void {
  records.pre('save', async function () {
    if (this.isNew) return;
    const stored = await (this.constructor as Model<unknown>).findById(this._id).select({ state: 1 }).lean<{ state?: string }>();
    if (stored?.state === 'signed') throw new SignedRecordImmutableError();
  });
  const lockFilter = async function (this: { getFilter(): Record<string, unknown>; setQuery(q: Record<string, unknown>): void; model: Model<unknown> }) {
    const filter = this.getFilter();
    // the server applies the update only to a revision not signed: one round trip, atomic
    this.setQuery({ $and: [filter, { state: { $ne: 'signed' } }] });
  };
  for (const op of ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace'] as const) {
    records.pre(op, lockFilter);
  }
  for (const op of ['deleteOne', 'deleteMany', 'findOneAndDelete'] as const) {
    records.pre(op, lockFilter);
  }
  // Model.bulkWrite runs no query middleware: lock each operation's filter the same way.
  records.pre('bulkWrite', (ops: unknown) => {
    for (const op of ops as Array<Record<string, { filter?: Record<string, unknown> } | undefined>>) {
      for (const kind of ['updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany']) {
        const spec = op[kind];
        if (spec) spec.filter = { $and: [spec.filter ?? {}, { state: { $ne: 'signed' } }] };
      }
    }
  });
}

export function defineModels(conn: Connection) {
  const organisations = schema({ slackTeamId: String });
  // the workspace an installation of the Slack app belongs to (src/store/slack-installations.ts)
  organisations.index({ slackTeamId: 1 }, { sparse: true });
  const people = schema({ organisationId: { type: String, index: true }, unreachableAny: Boolean });
  people.index({ organisationId: 1, unreachableAny: 1 });
  people.index({ organisationId: 1, supervisionTrainingDate: 1 });
  // a Slack user within their workspace's organisation (many workspaces: two workspaces' user ids never meet)
  people.index({ organisationId: 1, 'identities.slackUserId': 1 });
  const identities = schema({ personId: String });
  const contracts = schema({ organisationId: String, reviewDueDate: String, active: Boolean, supervisorIds: [String], superviseeIds: [String], awaitingSignatures: Boolean });
  contracts.index({ organisationId: 1, awaitingSignatures: 1 });
  contracts.index({ organisationId: 1, active: 1, reviewDueDate: 1 });
  contracts.index({ supervisorIds: 1 });
  contracts.index({ superviseeIds: 1 });
  const sessions = schema({ contractId: String, startsAt: Date, status: String, organisationId: String, room: String, bookingKey: String });
  sessions.index({ contractId: 1, startsAt: 1 });
  sessions.index({ status: 1, startsAt: 1 });
  sessions.index({ organisationId: 1, room: 1, startsAt: 1 });
  // two bookers that read the same sessions of a contract make the same key: one insert wins (P7's pass, twice)
  sessions.index({ bookingKey: 1 }, { unique: true, sparse: true });
  const agendaItems = schema({ contractId: String, sessionId: String, parked: Boolean, createdAt: Date });
  agendaItems.index({ sessionId: 1, createdAt: 1 });
  agendaItems.index({ contractId: 1, parked: 1 });
  const records = schema({ recordId: String, version: Number, revision: Number, current: Boolean, organisationId: String, sessionId: String, state: String, submittedAt: Date, supervisorId: String, superviseeIds: [String] });
  records.index({ recordId: 1, version: -1, revision: -1 });
  records.index({ organisationId: 1, current: 1, state: 1, submittedAt: 1 });
  records.index({ sessionId: 1, version: -1 });
  records.index({ supervisorId: 1 });
  records.index({ superviseeIds: 1 });
  guardSignedRecords(records);
  const actions = schema({ organisationId: String, contractId: String, ownerId: String, status: String, dueDate: String });
  actions.index({ organisationId: 1, status: 1, dueDate: 1 });
  actions.index({ ownerId: 1, status: 1 });
  actions.index({ contractId: 1, status: 1 });
  const caseDecisions = schema({ organisationId: String, copied: Boolean, copyDueAt: Date });
  caseDecisions.index({ organisationId: 1, copied: 1, copyDueAt: 1 });
  const escalations = schema({ organisationId: String, acknowledged: Boolean, raisedAt: Date });
  escalations.index({ organisationId: 1, acknowledged: 1 });
  // a supervisor's handover to the next one (src/app/handover.ts)
  const handovers = schema({ organisationId: String, contractId: String, fromId: String, toId: String, superviseeIds: [String], state: String, createdAt: Date });
  handovers.index({ organisationId: 1, state: 1 });
  handovers.index({ contractId: 1, state: 1 });
  handovers.index({ fromId: 1, state: 1 });
  handovers.index({ toId: 1 });
  handovers.index({ superviseeIds: 1 });
  const compliance = schema({ organisationId: String, sessionOverdueFrom: Date, notEngagingFrom: Date });
  compliance.index({ organisationId: 1, sessionOverdueFrom: 1 });
  compliance.index({ organisationId: 1, notEngagingFrom: 1 });
  const sessionRequests = schema({ contractId: String, status: String });
  sessionRequests.index({ contractId: 1, status: 1 });
  const audit = schema({ organisationId: String, seq: Number });
  audit.index({ organisationId: 1, seq: 1 }, { unique: true });
  // a keyed entry is written once, whatever retries it: its key is unique in the organisation's chain
  audit.index({ organisationId: 1, key: 1 }, { unique: true, partialFilterExpression: { key: { $exists: true } } });
  const auditCheckpoints = schema({ organisationId: String, seq: Number });
  auditCheckpoints.index({ organisationId: 1, seq: 1 });
  const outbox = schema({ status: String, createdAt: Date });
  outbox.index({ status: 1, createdAt: 1 });
  const reminders = schema({ sent: Boolean, dueAt: Date, subjectId: String });
  reminders.index({ sent: 1, dueAt: 1 });
  reminders.index({ subjectId: 1 });
  const deliveries = schema({});
  // `person:<id>` → its feed's secret, `feed:<secret>` → its person: both looked up by `_id` only
  // and `meeting:<id>` → a three-way meeting, found by the people in it
  const calendarFeeds = schema({ personIds: { type: [String], default: undefined } });
  calendarFeeds.index({ personIds: 1 }, { sparse: true });
  const conversations = schema({});
  // single-use links and dashboard sessions, by the SHA-256 of their secret; gone a week after they expire
  const accessTokens = schema({ kind: String, expiresAt: Date, purgeAt: Date });
  accessTokens.index({ purgeAt: 1 }, { expireAfterSeconds: 0 });
  // the bank holidays a bank-holidays.json refreshed, one document per division
  const bankHolidays = schema({});
  // the retention schedule, legal holds and what the DSL was last told was due (see src/store/retention.ts)
  const retention = schema({ organisationId: String, kind: String, placedAt: Date, releasedAt: Date });
  retention.index({ organisationId: 1, kind: 1 });
  // subject access requests under review (ids and decisions; the text is read from the records when shown)
  const subjectAccess = schema({ organisationId: String });
  subjectAccess.index({ organisationId: 1 });
  // after a major incident (loughton §5): the incident, and one offer of extra supervision per person involved
  const incidents = schema({ organisationId: String, declaredAt: Date });
  incidents.index({ organisationId: 1, declaredAt: -1 });
  const incidentOffers = schema({ incidentId: String, personId: String, status: String });
  incidentOffers.index({ incidentId: 1 });
  incidentOffers.index({ personId: 1 });
  // Slack workspaces installed through the OAuth flow; their tokens encrypted (src/store/slack-installations.ts)
  const slackInstallations = schema({ teamId: String, enterpriseId: String, organisationId: String, installedAt: Date });
  // each organisation's data keys, wrapped by the master key (src/store/encryption.ts)
  const dataKeys = schema({ organisationId: String, n: Number });
  dataKeys.index({ organisationId: 1, n: -1 });
  // people's words are encrypted on the way in and out of every collection that holds them
  const model = (name: string, s: Schema, collection: string) => {
    encryptFields(s, collection, conn);
    return conn.model(name, s, collection);
  };

  return {
    organisations: model('Organisation', organisations, 'organisations'),
    people: model('Person', people, 'people'),
    identities: model('Identity', identities, 'identities'),
    contracts: model('Contract', contracts, 'contracts'),
    sessions: model('Session', sessions, 'sessions'),
    sessionRequests: model('SessionRequest', sessionRequests, 'sessionRequests'),
    agendaItems: model('AgendaItem', agendaItems, 'agendaItems'),
    records: model('RecordSheet', records, 'records'),
    actions: model('AgreedAction', actions, 'actions'),
    caseDecisions: model('CaseDecision', caseDecisions, 'caseDecisions'),
    escalations: model('Escalation', escalations, 'escalations'),
    handovers: model('Handover', handovers, 'handovers'),
    compliance: model('Compliance', compliance, 'compliance'),
    audit: model('AuditEntry', audit, 'audit'),
    auditCheckpoints: model('AuditCheckpoint', auditCheckpoints, 'auditCheckpoints'),
    outbox: model('OutboxMessage', outbox, 'outbox'),
    reminders: model('Reminder', reminders, 'reminders'),
    deliveries: model('Delivery', deliveries, 'deliveries'),
    calendarFeeds: model('CalendarFeed', calendarFeeds, 'calendarFeeds'),
    conversations: model('Conversation', conversations, 'conversations'),
    retention: model('Retention', retention, 'retention'),
    subjectAccess: model('SubjectAccess', subjectAccess, 'subjectAccess'),
    accessTokens: model('AccessToken', accessTokens, 'accessTokens'),
    bankHolidays: model('BankHolidays', bankHolidays, 'bankHolidays'),
    dataKeys: model('DataKey', dataKeys, 'dataKeys'),
    incidents: model('Incident', incidents, 'incidents'),
    incidentOffers: model('IncidentOffer', incidentOffers, 'incidentOffers'),
    slackInstallations: model('SlackInstallation', slackInstallations, 'slackInstallations'),
  };
}

export type Models = ReturnType<typeof defineModels>;
