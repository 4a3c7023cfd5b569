/**
 * One and only one future session per contract, from Teams, through Bot Framework activities: a session passes
 * with no record and the bot restarts (its start-up pass books the next session) before Sam answers "did it
 * happen?"; "It did not happen" with the new time leaves one future session, and so does Record it, whose next
 * session follows from the session held; a stale Move on the passed session is refused; a signed record's next
 * session is the one future session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNextSession } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let teams: FakeConnector;
let bot: Bot;
let n = 0;
/** Ben's session of Tue 11 Nov, moved to 11:00 that day. */
let benSession = '';

const activity = (person: string, extra: Record<string, unknown>) => ({
  id: `m${++n}`,
  timestamp: new Date().toISOString(),
  channelId: 'msteams',
  serviceUrl: teams.url,
  recipient: { id: '28:bot' },
  from: { id: `29:${person}`, aadObjectId: `aad-${person}` },
  conversation: { id: `conv-${person}`, tenantId: 'tenant-1', conversationType: 'personal' },
  ...extra,
});
const send = (body: unknown) => fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
async function invoke(person: string, verb: string, data: Record<string, unknown>) {
  const res = await send(activity(person, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } } }));
  return { status: res.status, text: JSON.stringify(await res.json()) };
}
const said = (conv: string, text: string) => teams.calls.some((c) => c.conversationId === conv && JSON.stringify(c.body).includes(text));
async function passTo(at: Date) {
  w.clock.set(at);
  await bot.runtime.queues.fireDueReminders();
  await bot.runtime.queues.flushOutbox();
}
async function future(contractId: string) {
  const now = w.clock.now();
  return (await w.deps.sessions.byContract(contractId)).filter((s) => s.status === 'scheduled' && !s.onRequest && s.startsAt > now);
}

beforeAll(async () => {
  w = await createWorld('teams_one_future');
  teams = await startFakeConnector();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  // Amy sees Sam on Tue 11 Nov 2025 at 15:45; Ben's session that day is at 11:00
  await ensureNextSession(w.deps, w.org, w.contracts.amy);
  w.clock.set(london('2025-11-10T12:00'));
  for (const p of ['sup', 'amy', 'ben']) expect((await send(activity(p, { type: 'installationUpdate', action: 'add' }))).status).toBeLessThan(300);
  expect((await invoke('sup', 'session.move', { sessionId: 'c-ben.2025-11-11', date: '2025-11-11', time: '11:00', reason: 'Sam teaches at 15:45' })).text).toContain('Tue 11 Nov 2025, 11:00');
  benSession = (await future('c-ben'))[0]?.id ?? '';
  expect(benSession).toMatch(/^c-ben\.2025-11-11/);
});
afterAll(async () => {
  await bot?.stop();
  await teams?.close();
  await w?.close();
});

describe('one future session per contract, in Teams', () => {
  it('the sessions pass with no record; Sam is asked; the start-up pass books one next session each, and only one', async () => {
    await passTo(london('2025-11-11T17:15'));
    await eventually(() => said('conv-sup', 'Did the session of Tue 11 Nov 2025, 15:45 happen?'), 'Sam is asked');
    await bot.runtime.queues.rebuildReminders();
    await bot.runtime.queues.rebuildReminders();
    expect(await future('c-amy')).toHaveLength(1);
    expect(await future('c-ben')).toHaveLength(1);
  });

  it('a Move on the passed session (an old card) is refused; nothing changes', async () => {
    const refused = await invoke('amy', 'session.move', { sessionId: 'c-amy.2025-11-11', date: '2025-11-20', time: '10:00' });
    expect(refused.text).toContain('say whether it happened');
    expect((await w.deps.sessions.get('c-amy.2025-11-11'))?.status).toBe('scheduled');
    expect(await future('c-amy')).toHaveLength(1);
  });

  it('It did not happen, with the new time: the session booked meanwhile is replaced; one future session', async () => {
    const done = await invoke('sup', 'session.not-held', { sessionId: 'c-amy.2025-11-11', reason: 'school-closure', date: '2025-11-13', time: '15:45' });
    expect(done.text).toContain('The new session is on Thu 13 Nov 2025, 15:45');
    expect((await future('c-amy')).map((s) => s.startsAt.toISOString())).toEqual([london('2025-11-13T15:45').toISOString()]);
    await bot.runtime.queues.rebuildReminders();
    expect((await future('c-amy')).map((s) => s.startsAt.toISOString())).toEqual([london('2025-11-13T15:45').toISOString()]);
  });

  it('Record it: the next session follows from the session held (four weeks on), not the one booked meanwhile', async () => {
    const form = await invoke('sup', 'session.record', { sessionId: benSession });
    expect(form.text).toContain('record.submit');
    const submitted = await invoke('sup', 'record.submit', { sessionId: benSession, topics: 'performance', notes: 'Talked the term through' });
    expect(submitted.status).toBe(200);
    expect((await w.deps.sessions.get(benSession))?.status).toBe('held');
    expect((await future('c-ben')).map((s) => s.startsAt.toISOString())).toEqual([london('2025-12-09T15:45').toISOString()]);
    await bot.runtime.queues.flushOutbox();
    await eventually(() => said('conv-ben', 'Your next supervision session is now Tue 9 Dec 2025, 15:45'), 'Ben is told');
  });

  it('a record naming the next session: once both confirm, that is the one future session, and Amy’s next shows it', async () => {
    await passTo(london('2025-11-13T17:00'));
    const submitted = await invoke('sup', 'record.submit', { sessionId: 'c-amy.2025-11-13', topics: 'performance', notes: 'Caught up after the closure', nextDate: '2025-12-10', nextTime: '14:00' });
    expect(submitted.status).toBe(200);
    for (const who of ['sup', 'amy']) expect((await invoke(who, 'record.confirm', { recordId: 'rec.c-amy.2025-11-13', version: 1 })).status, who).toBe(200);
    expect((await w.deps.records.latest('rec.c-amy.2025-11-13'))?.state).toBe('signed');
    expect((await future('c-amy')).map((s) => s.startsAt.toISOString())).toEqual([london('2025-12-10T14:00').toISOString()]);
    // her `next` shows it
    const before = teams.calls.length;
    expect((await send(activity('amy', { type: 'message', text: 'next' }))).status).toBe(200);
    await eventually(() => teams.calls.slice(before).some((c) => c.conversationId === 'conv-amy' && JSON.stringify(c.body).includes('Wed 10 Dec 2025, 14:00')), 'Amy’s next');
  });
});
