/**
 * Sessions as Outlook events through Microsoft Graph, against a local stand-in of Graph and Entra's token
 * endpoint (test/support/fake-graph.ts). Sessions are moved through the playground API, as a person would;
 * the queue puts the supervisor's Outlook event in step: created with the supervisee as attendee, moved
 * (PATCH, the same event), cancelled; 401 (a new token), 429 (Retry-After) and 5xx retried; a create whose
 * answer was lost is not booked twice (Graph's transactionId).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../../src/app/effects.js';
import { syncOutlookEvent } from '../../../src/app/outlook.js';
import { GraphCalendar } from '../../../src/channels/graph.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeGraph, startFakeGraph } from '../../support/fake-graph.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let bot: Bot;
let graph: FakeGraph;

async function move(person: string, sessionId: string, date: string, time: string, reason: string) {
  const res = await fetch(`${bot.url}/playground/api/actions`, {
    method: 'POST',
    headers: { 'x-playground-person': person, 'content-type': 'application/json' },
    body: JSON.stringify({ verb: 'session.move', data: { sessionId, date, time, reason } }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}
const eventOf = (transactionId: string) => graph.events.filter((e) => e.transactionId === transactionId);

beforeAll(async () => {
  w = await createWorld('graph_outlook');
  graph = await startFakeGraph();
  const config = loadConfig({
    MONGODB_URI: w.mongoUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    PORT: '0',
    PLAYGROUND: 'on',
    LOG_LEVEL: 'silent',
    GRAPH_TENANT_ID: 'contoso.onmicrosoft.com',
    GRAPH_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
    GRAPH_CLIENT_SECRET: 'graph-client-secret-for-tests',
    GRAPH_BASE_URL: graph.baseUrl,
    GRAPH_TOKEN_URL: graph.tokenUrl,
  });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  // Amy sees Sam on Tue 11 Nov 2025 at 15:45, Ben at the first time after that Sam is free (16:45), booked before Outlook was connected
  w.clock.set(london('2025-11-10T12:00'));
});
afterAll(async () => {
  await bot?.stop();
  await graph?.close();
  await w?.close();
});

describe('Outlook events through Microsoft Graph', () => {
  const AMY = 'supervision-c-amy.2025-11-11';

  it('a session booked is created in the supervisor’s calendar, the supervisee an attendee, its id stored on the session', async () => {
    await move('amy', 'c-amy.2025-11-11', '2025-11-12', '10:00', 'Parents evening');
    const [event] = await eventually(() => eventOf(AMY).length === 1 && eventOf(AMY), 'the Outlook event');
    expect(event).toMatchObject({ userId: 'aad-sup', isCancelled: false, subject: 'Supervision: Sam Supervisor with Amy Teacher', location: { displayName: 'Meeting room 2' } });
    expect(event?.start).toEqual({ dateTime: '2025-11-12T10:00:00.000', timeZone: 'UTC' });
    expect(event?.end).toEqual({ dateTime: '2025-11-12T11:00:00.000', timeZone: 'UTC' });
    expect(event?.attendees).toEqual([{ emailAddress: { address: 'amy@school.example', name: 'Amy Teacher' }, type: 'required' }]);
    await eventually(async () => (await w.deps.sessions.get('c-amy.2025-11-12'))?.outlookEventId === event?.id, 'the event id on the session');
    // the client-credentials token, used as a bearer token
    expect(graph.tokensIssued).toBe(1);
    expect(graph.calls.every((c) => c.authorization === 'Bearer token-1')).toBe(true);
    // never the reason typed for the move
    expect(JSON.stringify(graph.events)).not.toContain('Parents evening');
  });

  it('moved: the same event is moved (PATCH), no second one', async () => {
    await move('sup', 'c-amy.2025-11-12', '2025-11-13', '11:00', 'Staff training day');
    await eventually(() => eventOf(AMY)[0]?.start.dateTime === '2025-11-13T11:00:00.000', 'the event moved');
    expect(eventOf(AMY)).toHaveLength(1);
    expect(graph.events).toHaveLength(1);
    expect(graph.calls.filter((c) => c.method === 'PATCH')).toHaveLength(1);
    await eventually(async () => (await w.deps.sessions.get('c-amy.2025-11-13'))?.outlookEventId === eventOf(AMY)[0]?.id, 'the event id on the new session');
  });

  it('401 (a new token), 429 (after Retry-After) and 5xx are retried until the move is through', async () => {
    const before = graph.calls.length;
    graph.expireTokens();
    graph.fail(429, { 'retry-after': '1' });
    graph.fail(503);
    graph.fail(500);
    await move('sup', 'c-amy.2025-11-13', '2025-11-14', '10:00', 'Staff training day');
    await eventually(() => eventOf(AMY)[0]?.start.dateTime === '2025-11-14T10:00:00.000', 'the event moved after the faults');
    const statuses = graph.calls.slice(before).map((c) => c.status);
    expect(statuses).toEqual([401, 429, 503, 500, 200]);
    expect(graph.tokensIssued).toBe(2);
    expect(graph.events).toHaveLength(1);
  });

  it('a create whose answer never came back (the process stopped before storing the id) is not booked twice', async () => {
    const BEN = 'supervision-c-ben.2025-11-11';
    graph.hangUpAfterNextCreate();
    await move('ben', 'c-ben.2025-11-11', '2025-11-17', '10:00', 'Attending a course');
    await eventually(async () => (await w.deps.sessions.get('c-ben.2025-11-17'))?.outlookEventId, 'the event id stored after the retry');
    expect(graph.calls.filter((c) => c.method === 'POST' && c.path === '/users/aad-sup/events').length).toBe(3);
    expect(eventOf(BEN)).toHaveLength(1);
    expect((await w.deps.sessions.get('c-ben.2025-11-17'))?.outlookEventId).toBe(eventOf(BEN)[0]?.id);
  });

  it('a session that ends without a new time is cancelled in Outlook, once', async () => {
    const deps = bot.runtime.deps;
    expect(await deps.sessions.transition('c-amy.2025-11-14', 'scheduled', 'missed', { statusChangedAt: w.clock.now() })).toBe(true);
    await audit(deps, { organisationId: 'org-wl', actorId: 'sup', action: 'session.missed', subject: { kind: 'session', id: 'c-amy.2025-11-14' }, detail: {} });
    await eventually(() => eventOf(AMY)[0]?.isCancelled, 'the event cancelled');
    await eventually(async () => (await w.deps.sessions.get('c-amy.2025-11-14'))?.outlookCancelledAt, 'noted on the session');
    // the same job again (a retry, a duplicate) finds nothing left to do
    const calendar = new GraphCalendar({ tenantId: 't', clientId: 'c', clientSecret: 's', baseUrl: graph.baseUrl, tokenUrl: graph.tokenUrl, logger: createLogger('silent') });
    for (const id of ['c-amy.2025-11-11', 'c-amy.2025-11-14']) expect(await syncOutlookEvent(deps, calendar, id, createLogger('silent'))).toBe('unchanged');
    expect(graph.calls.filter((c) => c.path.endsWith('/cancel'))).toHaveLength(1);
    expect(graph.events).toHaveLength(2);
  });
});
