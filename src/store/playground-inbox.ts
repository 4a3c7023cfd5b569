/**
 * The playground's chat: what each person said to the bot and what the bot sent them, in MongoDB so a restart
 * keeps the conversation. Each entry's `_id` is natural (the person and the message's thread, or its outbox id),
 * so a message on the same thread replaces the one before, as an updated card does in Teams.
 * FerretDB reads the whole collection for the per-person filter; a demo school's inbox is small.
 */
import { type Connection, type Model, Schema } from 'mongoose';
import type { NotificationView } from '../app/views.js';
import { upsertRace } from './documents.js';
import { encryptFields } from './encryption.js';

export interface InboxEntry {
  id: string;
  personId: string;
  from: 'person' | 'bot';
  /** What the person typed (shown back to them only). */
  text?: string;
  view?: NotificationView;
  /** When it happened on the bot's clock (the playground's clock can be ahead of real time). */
  at: Date;
  /** Real-time insertion order, so the transcript reads in the order things happened. */
  order: number;
  /** Changes whenever the entry is replaced, so the page redraws only what changed. */
  rev: number;
}

export interface PlaygroundInbox {
  put(entry: Omit<InboxEntry, 'order' | 'rev'>): Promise<void>;
  get(id: string): Promise<InboxEntry | null>;
  forPerson(personId: string): Promise<InboxEntry[]>;
}

export const inboxId = (personId: string, key: string) => `${personId}|${key}`;

let last = 0;
/** Strictly increasing within the process, so two writes in the same millisecond still order. */
const tick = () => {
  last = Math.max(last + 1, Date.now() * 1000);
  return last;
};

export function playgroundInbox(connection: Connection): PlaygroundInbox {
  const schema = new Schema({ _id: { type: String, required: true }, personId: String, order: Number }, { strict: false, versionKey: false, _id: false, minimize: false });
  encryptFields(schema, 'playgroundInbox', connection);
  // one model per connection; a second channel on the same connection (tests) reuses it
  const model = (connection.models.PlaygroundMessage ?? connection.model('PlaygroundMessage', schema, 'playgroundInbox')) as unknown as Model<{ _id: string }>;
  return {
    async put(entry) {
      const { id, at, ...rest } = entry;
      const now = tick();
      await upsertRace(() => model.updateOne({ _id: id }, { $set: { ...rest, at, rev: now }, $setOnInsert: { order: now } }, { upsert: true }));
    },
    async get(id) {
      const doc = await model.findById(id).lean<Record<string, unknown>>();
      return doc ? toEntry(doc) : null;
    },
    async forPerson(personId) {
      const docs = await model.find({ personId }).lean<Array<Record<string, unknown>>>();
      return docs.map(toEntry).sort((a, b) => a.order - b.order);
    },
  };
}

function toEntry(doc: Record<string, unknown>): InboxEntry {
  const { _id, ...rest } = doc;
  return { id: String(_id), ...(rest as Omit<InboxEntry, 'id'>) };
}
