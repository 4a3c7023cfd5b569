/**
 * A change asked for, in the playground: back to the supervisor to edit and resend or refer; the person the
 * contract names hears it (meeting, outcome); a signed record corrected with a reason. Through the API, the
 * same conversation as Teams; record cards are re-read for each viewer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeOverdue } from '../../../src/app/overdue.js';
import type { OverdueSummaryView } from '../../../src/app/views.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { sentRecordForBen } from '../../support/loops.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let bot: Bot;

type Entry = { id: string; kind?: string; card?: unknown; message?: string };
async function call(path: string, person: string, body?: unknown) {
  const res = await fetch(`${bot.url}/playground/api/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-playground-person': person, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const act = (person: string, verb: string, data: Record<string, unknown>, entryId?: string) => call('actions', person, { ...(entryId ? { entryId } : {}), verb, data });
async function arrived(person: string, has: string): Promise<Entry> {
  for (let i = 0; i < 300; i++) {
    if (i % 10 === 1) await bot.runtime.queues.flushOutbox();
    const found = ((await call('inbox', person)).body.entries as Entry[]).find((e) => JSON.stringify(e.card ?? e.message).includes(has));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never arrived: ${has}`);
}
const latest = async (recordId: string) => (await w.deps.records.latest(recordId))!;
const overdueRecords = async () => (((await computeOverdue(w.deps, 'dsl', { filter: 'records' })) as { view: OverdueSummaryView }).view.records).map((r) => r.refId);
const form = (sessionId: string, notes: string) => ({ sessionId, topics: 'organisational', notes });

beforeAll(async () => {
  w = await createWorld('playground_disputes');
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
});
afterAll(async () => {
  await bot?.stop();
  await w?.close();
});

let signedId = '';
let signedSession = '';

describe('request a change → edit and resend, in the playground', () => {
  it('the change goes back to Sam, whose card is the form with Refer to Helen Head; he resends and both confirm', async () => {
    ({ recordId: signedId, sessionId: signedSession } = await sentRecordForBen(w, '2026-01-05'));
    const card = await arrived('ben', 'record.dispute');
    expect((await act('ben', 'record.dispute', { recordId: signedId, version: 1, reason: 'The plan was agreed for February, not January' }, card.id)).status).toBe(200);
    const sams = await arrived('sup', 'Refer to Helen Head');
    expect(JSON.stringify(sams.card)).toContain('The plan was agreed for February, not January');
    expect(JSON.stringify((await call('inbox', 'head')).body.entries)).not.toContain('The plan was agreed');
    const resent = await act('sup', 'record.submit', form(signedSession, 'Caseload and the attendance plan for February'), sams.id);
    expect(resent.status).toBe(200);
    expect(await latest(signedId)).toMatchObject({ state: 'awaiting-confirmation', dispute: { outcome: 'edited' } });
    await act('ben', 'record.confirm', { recordId: signedId, version: 1 });
    await act('sup', 'record.confirm', { recordId: signedId, version: 1 });
    expect((await latest(signedId)).state).toBe('signed');
  });
});

describe('referred, in the playground', () => {
  let recordId = '';

  it('referred by Ben, Helen hears it: a 403 before, then the card with the hearing’s buttons', async () => {
    ({ recordId } = await sentRecordForBen(w, '2026-01-12'));
    await act('ben', 'record.dispute', { recordId, version: 1, reason: 'The action owner should be Sam' });
    expect((await act('head', 'dispute.resolve', { recordId, outcome: 'keep', resolution: 'Kept' })).status).toBe(403);
    expect((await call(`records/${recordId}`, 'head')).status).toBe(403);
    expect((await act('ben', 'record.refer', { recordId })).status).toBe(200);
    const heard = await arrived('head', 'dispute.resolve');
    expect(JSON.stringify(heard.card)).toContain('The action owner should be Sam');
    expect((await call(`records/${recordId}`, 'head')).status).toBe(200);
  });

  it('the meeting is arranged (a bad date is a 400 naming it); both parties are told', async () => {
    const bad = await act('head', 'dispute.meeting', { recordId, meetingDate: 'next week', meetingTime: '15:30' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('data.meetingDate');
    expect((await act('head', 'dispute.meeting', { recordId, meetingDate: '2026-01-20', meetingTime: '15:30' })).status).toBe(200);
    for (const who of ['ben', 'sup']) await arrived(who, 'is arranged for Tue 20 Jan 2026, 15:30 with Helen Head');
  });

  it('kept as it is: signed with the resolution noted, off /overdue only now', async () => {
    w.clock.set(london('2026-01-21T09:00'));
    expect(await overdueRecords()).toContain(recordId);
    expect((await act('sup', 'dispute.resolve', { recordId, outcome: 'keep', resolution: 'Keeping my own record' })).status).toBe(403);
    const noOutcome = await act('head', 'dispute.resolve', { recordId, resolution: 'We agreed' });
    expect(noOutcome.body.error.field).toBe('data.outcome');
    const kept = await act('head', 'dispute.resolve', { recordId, outcome: 'keep', resolution: 'We agreed the record is accurate as written' });
    expect(kept.status).toBe(200);
    expect(kept.body.entry.message).toContain('kept as it is');
    expect(await latest(recordId)).toMatchObject({ state: 'signed', dispute: { outcome: 'kept' } });
    expect(await overdueRecords()).not.toContain(recordId);
    await arrived('ben', 'after the change asked for was heard: kept as it was');
  });
});

describe('correcting a signed record, in the playground', () => {
  it('Sam starts it with a reason; both see why; he corrects, both confirm; v1 kept', async () => {
    const card = await arrived('sup', 'Correct the record');
    expect((await act('ben', 'record.correct', { recordId: signedId, reason: 'I want it changed' })).status).toBe(403);
    const empty = await act('sup', 'record.correct', { recordId: signedId, reason: '' }, card.id);
    expect(empty.body.error.field).toBe('data.reason');
    expect((await act('sup', 'record.correct', { recordId: signedId, reason: 'The family worker’s name is wrong in the plan' }, card.id)).status).toBe(200);
    await arrived('ben', 'Correcting version 1');
    await act('sup', 'record.submit', form(signedSession, 'Caseload and the attendance plan for February, with the family worker named'));
    await act('ben', 'record.confirm', { recordId: signedId, version: 2 });
    await act('sup', 'record.confirm', { recordId: signedId, version: 2 });
    expect((await w.deps.records.versions(signedId)).map((r) => [r.version, r.state])).toEqual([
      [1, 'signed'],
      [2, 'signed'],
    ]);
  });
});
