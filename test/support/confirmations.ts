/** A batch of records awaiting confirmation, the commands that confirm them, and the check that each was signed once. */
import { expect } from 'vitest';
import type { Command } from '../../src/app/commands.js';
import { draftRecord } from '../../src/app/records.js';
import type { RecordSheetView } from '../../src/app/views.js';
import { london } from './school.js';
import type { World } from './world.js';

export interface PendingRecord {
  recordId: string;
  supervisee: 'amy' | 'ben';
}

const day = (offset: number) => new Date(Date.UTC(2025, 8, 1) + offset * 86_400_000).toISOString().slice(0, 10);

/** `count` records, sent to confirm, one per past day from `firstDay` days after 1 Sep 2025, alternating Amy and Ben. */
export async function awaitingRecords(w: World, count: number, firstDay = 0): Promise<PendingRecord[]> {
  const out: PendingRecord[] = [];
  for (let i = 0; i < count; i++) {
    const supervisee = i % 2 === 0 ? 'amy' : 'ben';
    const contractId = `c-${supervisee}`;
    const d = day(firstDay + i);
    const sessionId = `${contractId}.${d}`;
    await w.deps.sessions.insert({ id: sessionId, organisationId: 'org-wl', contractId, startsAt: london(`${d}T08:00`), durationMinutes: 60, status: 'scheduled' });
    const result = await draftRecord(w.deps, 'sup', { sessionId, topics: ['performance'], notes: `batch ${i}`, submit: true });
    if (!result.ok) throw new Error(`could not prepare a record: ${JSON.stringify(result.error)}`);
    out.push({ recordId: (result.view as RecordSheetView).recordId, supervisee });
  }
  return out;
}

/** Both parties' Confirm for every record, with interaction ids under `tag`. */
export function confirmCommands(tag: string, records: PendingRecord[]): Command[] {
  return records.flatMap((r, i) => [
    { commandId: `${tag}.${i}.${r.supervisee}`, type: 'confirmRecord' as const, actorId: r.supervisee, input: { recordId: r.recordId } },
    { commandId: `${tag}.${i}.sup`, type: 'confirmRecord' as const, actorId: 'sup', input: { recordId: r.recordId } },
  ]);
}

/** Every record signed, one confirmation per party, one audit entry per confirmation, and the chain verifies. */
export async function expectSignedOnce(w: World, records: PendingRecord[]): Promise<void> {
  const entries = await w.deps.audit.entries('org-wl');
  for (const { recordId, supervisee } of records) {
    const record = await w.deps.records.latest(recordId);
    expect(record?.state, recordId).toBe('signed');
    expect(record?.version).toBe(1);
    expect(record?.confirmations.map((c) => c.personId).sort()).toEqual([supervisee, 'sup'].sort());
    const confirmations = entries.filter((e) => e.subject.id === recordId && (e.action === 'record.confirmed' || e.action === 'record.signed'));
    expect(confirmations.map((e) => e.actorId).sort(), recordId).toEqual([supervisee, 'sup'].sort());
    expect(confirmations.filter((e) => e.action === 'record.signed')).toHaveLength(1);
  }
  expect(await w.deps.audit.verify('org-wl')).toMatchObject({ ok: true });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `done` is true; fails naming `what` after `tries` polls. */
export async function until(what: string, done: () => Promise<boolean>, tries = 600, everyMs = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await done()) return;
    await sleep(everyMs);
  }
  throw new Error(`gave up waiting: ${what}`);
}
