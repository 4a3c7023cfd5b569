/** Connects to MongoDB (or FerretDB) and builds every repository the app layer needs. */
import mongoose, { type Connection } from 'mongoose';
import type { Stores } from '../app/ports.js';
import { auditLog } from './audit.js';
import { defineModels, type Models } from './models.js';
import {
  actionRepository,
  agendaRepository,
  caseDecisionRepository,
  complianceRepository,
  contractRepository,
  calendarFeedRepository,
  deliveryRepository,
  escalationRepository,
  organisationRepository,
  outboxStore,
  personRepository,
  recordRepository,
  reminderStore,
  sessionRepository,
} from './repositories.js';

export interface StoreHandle {
  connection: Connection;
  models: Models;
  stores: Stores;
  close(): Promise<void>;
}

export function storesFor(models: Models): Stores {
  return {
    organisations: organisationRepository(models),
    people: personRepository(models),
    contracts: contractRepository(models),
    sessions: sessionRepository(models),
    agenda: agendaRepository(models),
    records: recordRepository(models),
    actions: actionRepository(models),
    caseDecisions: caseDecisionRepository(models),
    escalations: escalationRepository(models),
    compliance: complianceRepository(models),
    audit: auditLog(models),
    outbox: outboxStore(models),
    reminders: reminderStore(models),
    deliveries: deliveryRepository(models),
    calendarFeeds: calendarFeedRepository(models),
  };
}

export async function connectStore(uri: string, options: { serverSelectionTimeoutMS?: number } = {}): Promise<StoreHandle> {
  const connection = await mongoose
    .createConnection(uri, { serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000, autoIndex: false })
    .asPromise();
  const models = defineModels(connection);
  // Unique keys must exist before the first write; create them once, in order.
  for (const model of Object.values(models)) await model.createIndexes();
  return {
    connection,
    models,
    stores: storesFor(models),
    close: () => connection.close(),
  };
}
