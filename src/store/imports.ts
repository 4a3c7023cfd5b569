/**
 * Where imports are kept and how a confirmed one is written: previews (`imports`, each with its token, the
 * files' text and what it would do, gone after a day by a TTL index), and the writes of a confirmed import in
 * one MongoDB transaction, so any reader sees all of it or none of it.
 */
import { type Connection, type Model, Schema } from 'mongoose';
import type { Person, SupervisionContract } from '../domain/types.js';
import { stripUndefined, toDoc } from './documents.js';
import type { Models } from './models.js';
import { personFields } from './repositories.js';

type Doc = Record<string, unknown>;

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  deactivated: number;
}

export interface StoredImport {
  id: string;
  organisationId: string;
  actorId: string;
  kind: 'sds' | 'staff' | 'contracts';
  /** The files as read (UTF-8), so the confirmation re-reads exactly what was previewed. */
  files: Array<{ name: string; text: string }>;
  state: 'previewed' | 'running' | 'done' | 'failed';
  createdAt: Date;
  expiresAt: Date;
  preview: ImportCounts;
  progress?: { done: number; total: number };
  result?: ImportCounts & { deactivatedApplied: boolean };
  startedAt?: Date;
  finishedAt?: Date;
}

export interface Leaver {
  person: Person;
  /** Who takes over each of their open actions. */
  actionsTo: (action: { id: string; supervisorId?: string }) => string | undefined;
}

export interface ImportWriter {
  save(preview: StoredImport): Promise<void>;
  get(id: string): Promise<StoredImport | null>;
  /** previewed → running, once: a second confirmation of the same preview finds it running. */
  start(id: string, at: Date, total: number): Promise<boolean>;
  progress(id: string, done: number, total: number): Promise<void>;
  finish(id: string, state: 'done' | 'failed' | 'previewed', at: Date, result?: StoredImport['result']): Promise<void>;
  /** Writes people (created and updated) and leavers in one transaction; returns the contracts it ended. */
  /** `createdIds`: the people new to the database (inserted rather than updated). */
  writeStaff(organisationId: string, people: Person[], createdIds: ReadonlySet<string>, leavers: Leaver[], today: string, at: Date, progress: (done: number) => Promise<void>): Promise<{ endedContracts: string[]; cancelledSessions: string[] }>;
  writeContracts(contracts: SupervisionContract[], progress: (done: number) => Promise<void>): Promise<void>;
}

const CHUNK = 500;

function importModel(conn: Connection): Model<Doc> {
  const existing = conn.models.ImportPreview as Model<Doc> | undefined;
  if (existing) return existing;
  const schema = new Schema({ _id: { type: String, required: true }, expiresAt: Date }, { strict: false, versionKey: false, _id: false, minimize: false });
  return conn.model<Doc>('ImportPreview', schema, 'imports');
}

export async function importWriter(conn: Connection, m: Models): Promise<ImportWriter> {
  const imports = importModel(conn);
  // one createIndexes command creates the collection with its TTL index (see connectStore)
  await conn.db!.command({ createIndexes: 'imports', indexes: [{ key: { expiresAt: 1 }, name: 'expiresAt_1', expireAfterSeconds: 0 }] });

  const fromStored = (d: Doc | null): StoredImport | null => {
    if (!d) return null;
    const { _id, ...rest } = d;
    return { id: String(_id), ...rest } as StoredImport;
  };

  return {
    async save(preview) {
      await imports.replaceOne({ _id: preview.id }, toDoc(preview), { upsert: true });
    },
    async get(id) {
      return fromStored(await imports.findById(id).lean<Doc>());
    },
    async start(id, at, total) {
      const r = await imports.updateOne({ _id: id, state: 'previewed' }, { $set: { state: 'running', startedAt: at, progress: { done: 0, total } } });
      return r.modifiedCount === 1;
    },
    async progress(id, done, total) {
      await imports.updateOne({ _id: id }, { $set: { progress: { done, total } } });
    },
    async finish(id, state, at, result) {
      await imports.updateOne({ _id: id }, { $set: stripUndefined({ state, finishedAt: at, result }) });
    },

    async writeStaff(_organisationId, people, created, leavers, today, at, progress) {
      const ended: string[] = [];
      const cancelled: string[] = [];
      await conn.transaction(async (session) => {
        ended.length = 0;
        cancelled.length = 0;
        let done = 0;
        for (let i = 0; i < people.length; i += CHUNK) {
          const chunk = people.slice(i, i + CHUNK);
          // new people are inserted (one command a chunk); people already here are updated field by field, so
          // what the import does not know of them (reachability) stays
          const fresh = chunk.filter((p) => created.has(p.id));
          const known = chunk.filter((p) => !created.has(p.id));
          if (fresh.length > 0) await m.people.insertMany(fresh.map((p) => toDoc({ id: p.id, ...personFields(p) })), { session, ordered: true, lean: true } as never);
          if (known.length > 0) {
            await m.people.bulkWrite(
              known.map((p) => {
                const id = p.id;
                const rest = personFields(p);
                const unset: Record<string, 1> = { active: 1, leftAt: 1 };
                if (!p.lineManagerId) unset.lineManagerId = 1;
                return { updateOne: { filter: { _id: id }, update: { $set: stripUndefined(rest), $unset: unset }, upsert: true } };
              }) as never[],
              { session, ordered: true },
            );
          }
          const links = chunk.flatMap((p) => [
            ...(p.identities.slackUserId ? [[`slack:${p.identities.slackUserId}`, p.id]] : []),
            ...(p.identities.teamsAadObjectId ? [[`teams:${p.identities.teamsAadObjectId.toLowerCase()}`, p.id]] : []),
          ]);
          if (links.length > 0) {
            // an identity belongs to one person: the links are replaced whole (removed, then inserted in one command)
            await m.identities.deleteMany({ _id: { $in: links.map(([key]) => key) } }, { session });
            await m.identities.insertMany(links.map(([key, personId]) => ({ _id: key, personId })), { session, ordered: true, lean: true } as never);
          }
          done += chunk.length;
          await progress(done);
        }
        for (const leaver of leavers) {
          const id = leaver.person.id;
          await m.people.updateOne({ _id: id }, { $set: { active: false, leftAt: at } }, { session });
          const contracts = await m.contracts.find({ active: true, $or: [{ supervisorIds: id }, { superviseeIds: id }] }).session(session).lean<Doc[]>();
          const contractIds = contracts.map((c) => String(c._id));
          if (contractIds.length > 0) {
            await m.contracts.updateMany({ _id: { $in: contractIds } }, { $set: { active: false, endedOn: today } }, { session });
            const sessions = await m.sessions.find({ contractId: { $in: contractIds }, status: 'scheduled' }).session(session).select({ _id: 1 }).lean<Doc[]>();
            if (sessions.length > 0) {
              await m.sessions.updateMany(
                { _id: { $in: sessions.map((s) => s._id) }, status: 'scheduled' },
                { $set: { status: 'cancelled', statusReason: 'contract ended', statusChangedAt: at } },
                { session },
              );
            }
            ended.push(...contractIds);
            cancelled.push(...sessions.map((s) => String(s._id)));
          }
          const actions = await m.actions.find({ ownerId: id, status: 'open' }).session(session).lean<Doc[]>();
          for (const a of actions) {
            const to = leaver.actionsTo({ id: String(a._id), supervisorId: a.supervisorId as string | undefined });
            if (to && to !== id) await m.actions.updateOne({ _id: a._id, status: 'open' }, { $set: { ownerId: to, handedOverFrom: id } }, { session });
          }
          done += 1;
          await progress(done);
        }
      });
      return { endedContracts: [...new Set(ended)], cancelledSessions: cancelled };
    },

    async writeContracts(contracts, progress) {
      await conn.transaction(async (session) => {
        let done = 0;
        for (let i = 0; i < contracts.length; i += CHUNK) {
          const chunk = contracts.slice(i, i + CHUNK);
          await m.contracts.bulkWrite(
            chunk.map((c) => {
              const doc = toDoc(c);
              return { replaceOne: { filter: { _id: c.id }, replacement: doc, upsert: true } };
            }) as never[],
            { session, ordered: true },
          );
          done += chunk.length;
          await progress(done);
        }
      });
    },
  };
}
