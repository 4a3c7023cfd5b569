/** Connects to MongoDB (DocumentDB in the tests) and builds every repository the app layer needs. */
import mongoose, { type Connection } from 'mongoose';
import type { Stores } from '../app/ports.js';
import { auditLog } from './audit.js';
import { checkpointRepository } from './checkpoints.js';
import { incidentRepository } from './incidents.js';
import { retentionRepository } from './retention.js';
import { slackInstallationRepository } from './slack-installations.js';
import { withReadMemos } from './read-memo.js';
import { defineModels, type Models } from './models.js';
import { dataKeysOf, FieldCipher, type MasterKey, masterKeyFromEnvironment, setCipher } from './encryption.js';
import {
  accessTokenRepository,
  actionRepository,
  bankHolidayRepository,
  agendaRepository,
  caseDecisionRepository,
  complianceRepository,
  contractRepository,
  calendarFeedRepository,
  deliveryRepository,
  escalationRepository,
  handoverRepository,
  organisationRepository,
  outboxStore,
  personRepository,
  recordRepository,
  reminderStore,
  sessionRepository,
  sessionRequestRepository,
} from './repositories.js';

export interface StoreHandle {
  connection: Connection;
  models: Models;
  /** Encrypts and decrypts the free text of this database (its organisations' data keys under the master key). */
  cipher: FieldCipher;
  stores: Stores;
  close(): Promise<void>;
}

export function storesFor(models: Models): Stores {
  return withReadMemos({
    organisations: organisationRepository(models),
    people: personRepository(models),
    contracts: contractRepository(models),
    sessions: sessionRepository(models),
    sessionRequests: sessionRequestRepository(models),
    agenda: agendaRepository(models),
    records: recordRepository(models),
    actions: actionRepository(models),
    caseDecisions: caseDecisionRepository(models),
    escalations: escalationRepository(models),
    handovers: handoverRepository(models),
    compliance: complianceRepository(models),
    audit: auditLog(models),
    checkpoints: checkpointRepository(models),
    retention: retentionRepository(models),
    outbox: outboxStore(models),
    reminders: reminderStore(models),
    deliveries: deliveryRepository(models),
    calendarFeeds: calendarFeedRepository(models),
    accessTokens: accessTokenRepository(models),
    bankHolidays: bankHolidayRepository(models),
    incidents: incidentRepository(models),
    slackInstallations: slackInstallationRepository(models),
  });
}

type IndexedModel = Models[keyof Models];

/**
 * Creates a model's indexes with one `createIndexes` command, which also creates the collection when it does
 * not exist yet. DocumentDB builds the indexes of a collection that this command creates inline, and queues
 * any other build for a background job that runs every two seconds; index by index (mongoose's own
 * `createIndexes`), a new database's 24 indexes took about 48 s there. MongoDB treats both forms alike.
 */
export async function createIndexes(model: IndexedModel): Promise<void> {
  const indexes = model.schema.indexes().map(([key, options]) => ({ key, name: indexName(key), ...options }));
  if (indexes.length === 0) return;
  await model.db.db!.command({ createIndexes: model.collection.collectionName, indexes });
}

/** The name MongoDB gives an index by default (`field_1_other_-1`), as mongoose would name it. */
function indexName(key: Record<string, unknown>): string {
  return Object.entries(key)
    .map(([field, direction]) => `${field}_${String(direction)}`)
    .join('_');
}

/**
 * `masterKey`: the key that wraps the data keys (the configuration's `DATA_MASTER_KEY_FILE` / `DATA_MASTER_KEY`;
 * without it, the environment's, or outside production the data directory's development key). A master key that
 * did not wrap the data keys stored here is refused before anything is read or written.
 */
export async function connectStore(uri: string, options: { serverSelectionTimeoutMS?: number; monitorCommands?: boolean; masterKey?: MasterKey } = {}): Promise<StoreHandle> {
  const masterKey = options.masterKey ?? masterKeyFromEnvironment();
  const connection = await mongoose
    .createConnection(uri, { serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000, autoIndex: false, autoCreate: false, monitorCommands: options.monitorCommands ?? false })
    .asPromise();
  const cipher = new FieldCipher(masterKey, () => dataKeysOf(connection.db!));
  setCipher(connection, cipher);
  const models = defineModels(connection);
  // Unique keys must exist before the first write; create them once, in order.
  for (const model of Object.values(models)) await createIndexes(model);
  try {
    await cipher.checkMasterKey();
  } catch (error) {
    await connection.close();
    throw error;
  }
  return {
    connection,
    models,
    cipher,
    stores: storesFor(models),
    close: () => connection.close(),
  };
}
