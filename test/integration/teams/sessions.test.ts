/**
 * Moving a session from Teams, through Bot Framework activities: the Move button's form, a cancellation
 * without a new time refused with the policy's reason (template "intervals"), a clash refused with the next
 * free time offered, and a move that both parties hear about.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNextSession } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';
import { eventually } from '../../support/eventually.js';

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
  return { status: res.status, text: JSON.stringify(await res.json()) };
}
const said = (conv: string, text: string) => teams.calls.some((c) => c.conversationId === conv && JSON.stringify(c.body).includes(text));


beforeAll(async () => {
  w = await createWorld('teams_sessions');
  teams = await startFakeConnector();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  // Amy sees Sam on Tue 11 Nov 2025 at 15:45, Ben at the first time after that Sam is free (16:45)
  amySession = (await ensureNextSession(w.deps, w.org, w.contracts.amy))!.id;
  await ensureNextSession(w.deps, w.org, w.contracts.ben);
  w.clock.set(london('2025-11-10T12:00'));
  for (const p of ['sup', 'amy']) expect((await send(activity(p, { type: 'installationUpdate', action: 'add' }))).status).toBeLessThan(300);
});
afterAll(async () => {
  await bot?.stop();
  await teams?.close();
  await w?.close();
});

describe('moving a session in Teams', () => {
  it('`next` has Move and Cancel and rebook; Move gives a card with date and time inputs', async () => {
    await send(activity('amy', { type: 'message', text: 'next' }));
    await eventually(() => said('conv-amy', 'session.move-form'), 'the Move button on the next-session card');
    const form = await invoke('amy', 'session.move-form', { sessionId: amySession, cancel: false });
    expect(form.status).toBe(200);
    expect(form.text).toContain('Input.Date');
    expect(form.text).toContain('Input.Time');
    expect(form.text).toContain('"verb":"session.move"');
  });

  it('cancel without a new time is refused with the policy’s reason, and nothing changes', async () => {
    const refused = await invoke('amy', 'session.cancel', { sessionId: amySession, date: '', time: '' });
    expect(refused.text).toContain('date: a supervision session is never changed or cancelled without a new time set at once');
    expect((await w.deps.sessions.get(amySession))?.status).toBe('scheduled');
  });

  it('a time that clashes with Sam’s session with Ben is refused, with the next free time offered', async () => {
    const clash = await invoke('amy', 'session.move', { sessionId: amySession, date: '2025-11-11', time: '16:00', reason: 'Parents evening' });
    expect(clash.text).toContain('clashes with another supervision session');
    // Ben's session is 16:45–17:45, booked after Amy's: no time is free later that day
    expect(clash.text).toContain('another supervision session the supervisor has at Tue 11 Nov 2025, 16:45. The next free time is Wed 12 Nov 2025, 15:45');
    expect((await w.deps.sessions.get(amySession))?.status).toBe('scheduled');
  });

  it('a move to a school day: the new session replaces the old, and Sam is told', async () => {
    const moved = await invoke('amy', 'session.move', { sessionId: amySession, date: '2025-11-12', time: '10:00', reason: 'Parents evening' });
    expect(moved.text).toContain('Wed 12 Nov 2025, 10:00');
    expect(await w.deps.sessions.get(amySession)).toMatchObject({ status: 'cancelled', replacedBy: 'c-amy.2025-11-12' });
    expect(await w.deps.sessions.get('c-amy.2025-11-12')).toMatchObject({ status: 'scheduled', startsAt: london('2025-11-12T10:00') });
    await eventually(() => said('conv-sup', 'Amy Teacher moved the supervision session of Tue 11 Nov 2025, 15:45 to Wed 12 Nov 2025, 10:00'), 'Sam is told');
  });
});
