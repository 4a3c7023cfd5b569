/**
 * The playground's clock across restarts: how far it is ahead of real time, kept in MongoDB
 * (`playgroundState`, `_id: 'clock'`), so `npm start` after a stop carries on where the clock was and the chats
 * dated on it are never "in the future".
 */
import type { Connection } from 'mongoose';

type ClockDoc = { _id: string; offsetMs: number; at: Date };

const collection = (connection: Connection) => connection.db!.collection<ClockDoc>('playgroundState');

/** The offset saved by the last clock move, or 0 when the clock was never moved. */
export async function savedClockOffset(connection: Connection): Promise<number> {
  const doc = await collection(connection).findOne({ _id: 'clock' });
  return typeof doc?.offsetMs === 'number' && Number.isFinite(doc.offsetMs) && doc.offsetMs >= 0 ? doc.offsetMs : 0;
}

export async function saveClockOffset(connection: Connection, offsetMs: number): Promise<void> {
  await collection(connection).updateOne({ _id: 'clock' }, { $set: { offsetMs, at: new Date() } }, { upsert: true });
}
