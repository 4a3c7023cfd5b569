/**
 * Closing the loops in the playground, through its API and the same conversation as Teams: Done / Not needed
 * on the actions card and the late-action reminder, "Copied to the child's file" on the chase.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeOverdue } from '../../../src/app/overdue.js';
import type { OverdueSummaryView } from '../../../src/app/views.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type SignedWithLoops, signedRecordWithLoops } from '../../support/loops.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let bot: Bot;
let loops: SignedWithLoops;

type Entry = { id: string; kind?: string; card?: unknown; message?: string };
async function call(path: string, person: string, body?: unknown) {
  const res = await fetch(`${bot.url}/playground/api/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-playground-person': person, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const inbox = async (person: string) => (await call('inbox', person)).body.entries as Entry[];
/** Waits for an outbox delivery to reach a chat (the notifications queue delivers it). */
async function arrived(person: string, has: string, count = 1): Promise<Entry[]> {
  for (let i = 0; i < 300; i++) {
    const found = (await inbox(person)).filter((e) => JSON.stringify(e.card ?? e.message).includes(has));
    if (found.length >= count) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never arrived: ${has}`);
}
const overdue = async () => ((await computeOverdue(w.deps, 'dsl', {})) as { view: OverdueSummaryView }).view;

beforeAll(async () => {
  w = await createWorld('playground_loops');
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  loops = await signedRecordWithLoops(w);
  w.clock.set(london('2025-11-10T09:00'));
  await bot.runtime.queues.fireDueReminders();
  await bot.runtime.queues.flushOutbox();
});
afterAll(async () => {
  await bot?.stop();
  await w?.close();
});

describe('actions, in the playground', () => {
  it('the late-action reminder in Amy’s chat carries Done; Done replaces it with her list and the action leaves /overdue', async () => {
    const [reminder] = await arrived('amy', 'An agreed action is past its date');
    expect(JSON.stringify(reminder?.card)).toContain('"verb":"action.done"');
    const bad = await call('actions', 'amy', { entryId: reminder?.id, verb: 'action.done', data: { actionId: 'a b' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('data.actionId');
    const stranger = await call('actions', 'stranger', { verb: 'action.done', data: { actionId: loops.lateActionId } });
    expect(stranger.status).toBe(403);
    expect((await w.deps.actions.get(loops.lateActionId))?.status).toBe('open');
    const done = await call('actions', 'amy', { entryId: reminder?.id, verb: 'action.done', data: { actionId: loops.lateActionId } });
    expect(done.status).toBe(200);
    expect(done.body.entry.kind).toBe('actions');
    expect(JSON.stringify(done.body.entry.card)).toContain('Action marked as done.');
    expect(JSON.stringify(done.body.entry.card)).not.toContain('Call the parent about attendance this week');
    // the reminder's card became the answer
    expect((await inbox('amy')).some((e) => e.id === reminder?.id && JSON.stringify(e.card).includes('An agreed action is past its date'))).toBe(false);
    expect((await w.deps.actions.get(loops.lateActionId))?.status).toBe('done');
    expect((await overdue()).actions).toEqual([]);
  });

  it('`actions` for the supervisor offers Not needed, which needs a reason', async () => {
    const typed = await call('messages', 'sup', { text: 'actions' });
    expect(JSON.stringify(typed.body.entry.card)).toContain('"verb":"action.not-needed"');
    const noReason = await call('actions', 'sup', { entryId: typed.body.entry.id, verb: 'action.not-needed', data: { actionId: loops.laterActionId, reason: '' } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.field).toBe('data.reason');
    const owner = await call('actions', 'amy', { verb: 'action.not-needed', data: { actionId: loops.laterActionId, reason: 'I would rather not do it' } });
    expect(owner.status).toBe(403);
    const ok = await call('actions', 'sup', { entryId: typed.body.entry.id, verb: 'action.not-needed', data: { actionId: loops.laterActionId, reason: 'The training was cancelled by the local authority' } });
    expect(ok.status).toBe(200);
    expect(JSON.stringify(ok.body.entry.card)).toContain('Action set aside as not needed.');
    expect((await w.deps.actions.get(loops.laterActionId))?.status).toBe('not-needed');
  });
});

describe('case decisions, in the playground', () => {
  it('the chase carries "Copied to the child’s file" with an optional reference; the DSL is told a day late', async () => {
    const [chase] = await arrived('amy', 'A case decision must reach the child');
    expect(JSON.stringify(chase?.card)).toContain('"verb":"decision.copied"');
    expect(JSON.stringify(chase?.card)).toContain('"id":"childFileRef"');
    const toDsl = await arrived('dsl', 'A case decision is not on the child', 2);
    expect(toDsl).toHaveLength(2);
    const bad = await call('actions', 'amy', { entryId: chase?.id, verb: 'decision.copied', data: { recordId: loops.recordId, decisionId: 'd1', childFileRef: 'x'.repeat(41) } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('data.childFileRef');
    const copied = await call('actions', 'amy', { entryId: chase?.id, verb: 'decision.copied', data: { recordId: loops.recordId, decisionId: 'd1', childFileRef: 'CPOMS 48213' } });
    expect(copied.status).toBe(200);
    expect(copied.body.entry.message).toContain('(CPOMS 48213)');
    const fromDsl = await call('actions', 'dsl', { entryId: toDsl.find((e) => JSON.stringify(e.card).includes('"decisionId":"d2"'))?.id, verb: 'decision.copied', data: { recordId: loops.recordId, decisionId: 'd2' } });
    expect(fromDsl.status).toBe(200);
    expect((await overdue()).caseDecisions).toEqual([]);
  });
});
