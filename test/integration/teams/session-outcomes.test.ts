/**
 * After a session's time, from Teams, through Bot Framework activities: Sam is asked "did it happen?" on a card
 * with Record it and It did not happen; the answer books the new time in the same step (template "intervals");
 * two in a row reach the line manager and the DSL (template line manager (j)); Amy asks for a session and Sam
 * books it (stour App. C); a room holds one session at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNextSession, saveContract } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { contract, london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let teams: FakeConnector;
let bot: Bot;
let amySession = '';
let benSession = '';
let n = 0;

const who = (person: string) => ({
  from: { id: `29:${person}`, aadObjectId: `aad-${person}` },
  conversation: { id: `conv-${person}`, tenantId: 'tenant-1', conversationType: 'personal' },
});
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
  return fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
async function invoke(person: string, verb: string, data: Record<string, unknown>) {
  const res = await send(
    activity(person, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb, data } },
    }),
  );
  return { status: res.status, text: JSON.stringify(await res.json()) };
}
const said = (conv: string, text: string) =>
  teams.calls.some((c) => c.conversationId === conv && JSON.stringify(c.body).includes(text));
/** Time passes to a moment; what falls due by then fires. */
async function passTo(at: Date) {
  w.clock.set(at);
  await bot.runtime.queues.fireDueReminders();
  await bot.runtime.queues.flushOutbox();
}

beforeAll(async () => {
  w = await createWorld('teams_session_outcomes');
  teams = await startFakeConnector();
  const config = loadConfig({
    MONGODB_URI: w.mongoUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    PORT: '0',
    PLAYGROUND: 'off',
    LOG_LEVEL: 'silent',
  });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  // Amy sees Sam on Tue 11 Nov 2025 at 15:45, Ben at the first time after that Sam is free
  amySession = (await ensureNextSession(w.deps, w.org, w.contracts.amy))?.id ?? '';
  benSession = (await ensureNextSession(w.deps, w.org, w.contracts.ben))?.id ?? '';
  w.clock.set(london('2025-11-10T12:00'));
  for (const p of ['sup', 'amy', 'dsl', 'head'])
    expect((await send(activity(p, { type: 'installationUpdate', action: 'add' }))).status).toBeLessThan(300);
});
afterAll(async () => {
  await bot?.stop();
  await teams?.close();
  await w?.close();
});

describe('did it happen? in Teams', () => {
  it('the afternoon after the session, Sam gets the card with Record it and It did not happen', async () => {
    await passTo(london('2025-11-11T17:15'));
    await eventually(
      () => said('conv-sup', 'Did the session of Tue 11 Nov 2025, 15:45 happen?'),
      'Sam is asked',
    );
    expect(said('conv-sup', '"verb":"session.not-held"')).toBe(true);
    expect(said('conv-sup', '"verb":"session.record"')).toBe(true);
  });

  it('Record it opens the record form for that session', async () => {
    const form = await invoke('sup', 'session.record', { sessionId: amySession });
    expect(form.status).toBe(200);
    expect(form.text).toContain('record.submit');
    expect(form.text).toContain(amySession);
  });

  it('It did not happen without a new time is refused with the policy’s reason', async () => {
    const refused = await invoke('sup', 'session.not-held', {
      sessionId: amySession,
      reason: 'school-closure',
      date: '',
      time: '',
    });
    expect(refused.text).toContain('never changed or cancelled without a new time');
    expect((await w.deps.sessions.get(amySession))?.status).toBe('scheduled');
  });

  it('It did not happen, with the new time: marked so, rebooked, Amy told; her next shows both', async () => {
    const done = await invoke('sup', 'session.not-held', {
      sessionId: amySession,
      reason: 'school-closure',
      date: '2025-11-13',
      time: '15:45',
    });
    expect(done.text).toContain('The new session is on Thu 13 Nov 2025, 15:45');
    expect(await w.deps.sessions.get(amySession)).toMatchObject({
      status: 'missed',
      notHeldReason: 'school-closure',
    });
    await eventually(
      () =>
        said(
          'conv-amy',
          'says the supervision session of Tue 11 Nov 2025, 15:45 did not happen (the school was closed)',
        ),
      'Amy is told',
    );
    await send(activity('amy', { type: 'message', text: 'next' }));
    await eventually(
      () => said('conv-amy', 'Did not happen: Tue 11 Nov 2025, 15:45'),
      'next says it did not happen',
    );
    expect(said('conv-amy', 'Thu 13 Nov 2025, 15:45')).toBe(true);
  });
});

describe('not engaging, in Teams', () => {
  it('Ben’s second session in a row that did not happen reaches his line manager and the DSL', async () => {
    const first = await invoke('sup', 'session.not-held', {
      sessionId: benSession,
      reason: 'supervisee-absent',
      date: '2025-11-12',
      time: '15:45',
    });
    expect(first.text).toContain('Wed 12 Nov 2025, 15:45');
    await passTo(london('2025-11-12T17:15'));
    const second = await invoke('sup', 'session.not-held', {
      sessionId: 'c-ben.2025-11-12',
      reason: 'supervisee-absent',
      date: '2025-11-17',
      time: '15:45',
    });
    expect(second.text).toContain('Mon 17 Nov 2025, 15:45');
    await eventually(
      () => said('conv-dsl', 'Not engaging with supervision: Ben Pastoral'),
      'the DSL is told',
    );
    // Ben's line manager is Sam, a party to the contract; the DSL's card names the sessions (Ben's first is
    // booked at the first time after Amy's that Sam is free)
    const benAt = (await w.deps.sessions.get(benSession))?.startsAt.toISOString().slice(11, 16); // GMT in November
    expect(said('conv-dsl', `Tue 11 Nov 2025, ${benAt}`)).toBe(true);
    await send(activity('dsl', { type: 'message', text: 'overdue not-engaging' }));
    await eventually(
      () => said('conv-dsl', 'the last 2 supervision sessions with Sam Supervisor did not happen'),
      '/overdue lists Ben',
    );
  });
});

describe('on request, in Teams', () => {
  it('Amy’s request reaches Sam as a card; Sam books it; an extra session, Amy told', async () => {
    await send(activity('amy', { type: 'message', text: 'request' }));
    await eventually(
      () => said('conv-sup', 'Amy Teacher asks for a supervision session'),
      'Sam gets the card',
    );
    const [request] = await w.deps.sessionRequests.openForContract('c-amy');
    const refused = await invoke('sup', 'session.book-request', {
      requestId: request?.id,
      date: '2025-11-15',
      time: '10:00',
    });
    expect(refused.text).toContain('weekend');
    const booked = await invoke('sup', 'session.book-request', {
      requestId: request?.id,
      date: '2025-11-14',
      time: '10:00',
    });
    expect(booked.text).toContain('Fri 14 Nov 2025, 10:00');
    expect((await w.deps.sessions.byContract('c-amy')).find((s) => s.onRequest)).toMatchObject({
      status: 'scheduled',
      startsAt: london('2025-11-14T10:00'),
    });
    await eventually(() => said('conv-amy', 'booked the supervision session you asked for'), 'Amy is told');
  });
});

describe('rooms, in Teams', () => {
  it('a session in a room already taken then is refused, with the next free time offered', async () => {
    // the DSL supervises the deputy in the same meeting room
    const room = contract({
      id: 'c-deputy',
      supervisorIds: ['dsl'],
      superviseeIds: ['deputy'],
      preferredTime: '12:00',
    });
    await saveContract(w.deps, w.org, room);
    const mine = (await w.deps.sessions.byContract('c-deputy')).find((s) => s.status === 'scheduled');
    const clash = await invoke('dsl', 'session.move', {
      sessionId: mine?.id,
      date: '2025-11-14',
      time: '10:30',
      reason: 'Only time free',
    });
    expect(clash.text).toContain(
      'clashes with another supervision session in Meeting room 2 at Fri 14 Nov 2025, 10:00',
    );
    expect(clash.text).toContain('The next free time is Fri 14 Nov 2025, 11:00');
    expect((await w.deps.sessions.get(mine?.id ?? ''))?.status).toBe('scheduled');
  });
});
