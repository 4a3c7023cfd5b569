/**
 * Agenda that belongs to the right session, from Teams (issue 12): a supervisor's `add amy: …` goes on Amy's
 * next session, not on a contract of the supervisor's own; `park` files the item for the next session marked
 * "raised informally", and the supervisor's record form for that session shows it first, so marked.
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
let amySession = '';
let n = 0;

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
const said = (conv: string, text: string) => teams.calls.some((c) => c.conversationId === conv && JSON.stringify(c.body).includes(text));

beforeAll(async () => {
  w = await createWorld('teams_agenda_owner');
  teams = await startFakeConnector();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  // Amy sees Sam on Tue 11 Nov 2025 at 15:45, Ben at the first time after that Sam is free
  amySession = (await ensureNextSession(w.deps, w.org, w.contracts.amy))?.id ?? '';
  w.clock.set(london('2025-11-10T12:00'));
  for (const p of ['sup', 'amy']) expect((await send(activity(p, { type: 'installationUpdate', action: 'add' }))).status).toBeLessThan(300);
});
afterAll(async () => {
  await bot?.stop();
  await teams?.close();
  await w?.close();
});

describe('agenda that belongs to the right session, in Teams', () => {
  it('`add amy: …` from Sam goes on Amy’s next session, as his item, "Other" until a category is chosen', async () => {
    expect((await send(activity('sup', { type: 'message', text: 'add amy: Workload in Year 4' }))).status).toBe(200);
    const items = await eventually(async () => {
      const found = await w.deps.agenda.forSession(amySession);
      return found.length > 0 ? found : undefined;
    }, 'the item on Amy’s session');
    expect(items.map((i) => [i.text, i.authorId, i.category])).toEqual([['Workload in Year 4', 'sup', 'other']]);
    expect(await w.deps.agenda.forSession((await ensureNextSession(w.deps, w.org, w.contracts.ben))?.id ?? '')).toEqual([]);
  });

  it('`park` files the item for the next session marked as raised informally; Sam’s record form shows it first, marked', async () => {
    expect((await send(activity('amy', { type: 'message', text: 'park A parent said something worrying at pick-up' }))).status).toBe(200);
    const parked = await eventually(async () => {
      const found = await w.deps.agenda.parked('c-amy');
      return found.length > 0 ? found : undefined;
    }, 'the parked item');
    expect(parked.map((i) => [i.text, i.raisedInformallyOn])).toEqual([['A parent said something worrying at pick-up', '2025-11-10']]);
    await eventually(() => said('conv-amy', 'Raised informally on Mon 10 Nov 2025'), 'Amy sees it marked');
    // after the session, Sam's record form lists the agenda with the parked item first, marked
    w.clock.set(london('2025-11-11T17:00'));
    const res = await send(activity('sup', { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'session.record', data: { sessionId: amySession } } } }));
    const card = JSON.stringify(await res.json());
    expect(card).toContain('record.submit');
    expect(card).toContain('Raised informally on Mon 10 Nov 2025');
    expect(card.indexOf('A parent said something worrying')).toBeGreaterThan(-1);
    expect(card.indexOf('A parent said something worrying')).toBeLessThan(card.indexOf('Workload in Year 4'));
  });
});
