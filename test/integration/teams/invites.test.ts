/**
 * "Add to calendar" in Teams, through Bot Framework activities: the card answering a move has an
 * Action.OpenUrl to the mover's invite at the bot's public address, Sam's proactive message has his own, and
 * the week's notice carries one; each serves RFC 5545 METHOD:REQUEST with the session's UID. A session that
 * did not take place, with no new time, is METHOD:CANCEL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNextSession } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { icsEvents, icsProperty, invitePathIn } from '../../support/ics.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const PUBLIC = 'https://supervision.example.org';
let w: World;
let teams: FakeConnector;
let bot: Bot;
let amySession = '';
let n = 0;

const who = (person: string) => ({ from: { id: `29:${person}`, aadObjectId: `aad-${person}` }, conversation: { id: `conv-${person}`, tenantId: 'tenant-1', conversationType: 'personal' } });
const activity = (person: string, extra: Record<string, unknown>) => ({
  id: `m${++n}`,
  timestamp: new Date().toISOString(),
  channelId: 'msteams',
  serviceUrl: teams.url,
  recipient: { id: '28:bot' },
  ...who(person),
  ...extra,
});
async function send(body: unknown) {
  return fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
async function invoke(person: string, verb: string, data: Record<string, unknown>) {
  const res = await send(activity(person, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } } }));
  return { status: res.status, body: (await res.json()) as unknown };
}
const sent = (conv: string, text: string) => teams.calls.find((c) => c.conversationId === conv && JSON.stringify(c.body).includes(text));
/** The Action.OpenUrl "Add to calendar" of a card, fetched from the bot. */
async function inviteOf(card: unknown) {
  const text = JSON.stringify(card);
  const path = invitePathIn(card);
  expect(path).toBeDefined();
  expect(text).toContain('"type":"Action.OpenUrl"');
  expect(text).toContain(`"url":"${PUBLIC}${path}"`);
  expect(text).toContain('Add to calendar');
  const res = await fetch(`${bot.url}${path}`);
  expect(res.status).toBe(200);
  return { path: path as string, ics: await res.text() };
}

beforeAll(async () => {
  w = await createWorld('teams_invites');
  teams = await startFakeConnector();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PUBLIC_BASE_URL: PUBLIC, PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  w.clock.set(london('2025-11-10T12:00'));
  for (const p of ['sup', 'amy', 'ben']) expect((await send(activity(p, { type: 'installationUpdate', action: 'add' }))).status).toBeLessThan(300);
  // Amy sees Sam on Tue 11 Nov 2025 at 15:45
  amySession = (await ensureNextSession(w.deps, w.org, w.contracts.amy))?.id ?? '';
});
afterAll(async () => {
  await bot?.stop();
  await teams?.close();
  await w?.close();
});

describe('invites in Teams', () => {
  it('a move: the answering card has Amy’s invite, Sam’s message his own, at SEQUENCE 1', async () => {
    const moved = await invoke('amy', 'session.move', { sessionId: amySession, date: '2025-11-12', time: '10:00', reason: 'Parents evening' });
    expect(JSON.stringify(moved.body)).toContain('Wed 12 Nov 2025, 10:00');
    expect(moved.status).toBe(200);
    const amy = await inviteOf(moved.body);
    const told = await eventually(() => sent('conv-sup', 'to Wed 12 Nov 2025, 10:00'), 'Sam is told');
    const sam = await inviteOf(told.body);
    expect(sam.path).not.toBe(amy.path);
    for (const { ics } of [amy, sam]) expect(icsEvents(ics)[0]).toMatchObject({ UID: `${amySession}@supervision-bot`, SEQUENCE: '1', DTSTART: '20251112T100000Z' });
  });

  it('moved again, three weeks ahead: the week’s notice carries the invite, SEQUENCE 2', async () => {
    const again = await invoke('sup', 'session.move', { sessionId: 'c-amy.2025-11-12', date: '2025-12-03', time: '10:00', reason: 'Training day' });
    expect(JSON.stringify(again.body)).toContain('Wed 3 Dec 2025, 10:00');
    const notice = await w.deps.reminders.get('notice:c-amy.2025-12-03');
    expect(notice?.kind).toBe('notice');
    w.clock.set(notice?.dueAt ?? new Date());
    await bot.runtime.queues.fireDueReminders();
    await bot.runtime.queues.flushOutbox();
    const message = await eventually(() => sent('conv-amy', 'This is your notice'), 'Amy’s notice');
    const { ics } = await inviteOf(message.body);
    expect(icsProperty(ics, 'METHOD')).toBe('REQUEST');
    expect(icsEvents(ics)[0]).toMatchObject({ UID: `${amySession}@supervision-bot`, SEQUENCE: '2', DTSTART: '20251203T100000Z' });
  });

  it('a session that did not take place, with no new time, is METHOD:CANCEL and STATUS:CANCELLED', async () => {
    const ben = await ensureNextSession(w.deps, w.org, w.contracts.ben);
    expect(ben).toBeTruthy();
    await send(activity('ben', { type: 'message', text: 'calendar' }));
    const feed = await eventually(() => teams.calls.find((c) => c.conversationId === 'conv-ben' && /\/calendar\/[a-f0-9]{64}\.ics/.test(JSON.stringify(c.body))), 'Ben’s calendar address');
    const secret = /\/calendar\/([a-f0-9]{64})\.ics/.exec(JSON.stringify(feed.body))?.[1];
    expect(secret, JSON.stringify(feed.body)).toBeDefined();
    expect(await w.deps.sessions.transition(ben?.id ?? '', 'scheduled', 'missed', { statusChangedAt: w.clock.now() })).toBe(true);
    const res = await fetch(`${bot.url}/calendar/${secret}/session/${ben?.id}.ics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('method=CANCEL');
    const ics = await res.text();
    expect(icsProperty(ics, 'METHOD')).toBe('CANCEL');
    expect(icsEvents(ics)[0]).toMatchObject({ UID: `${ben?.id}@supervision-bot`, STATUS: 'CANCELLED' });
  });
});
