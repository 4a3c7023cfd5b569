/**
 * Supervision from outside the school (stour §4) in Teams (Bot Framework activities, the Bot Connector stand-in):
 * Erin's level-3 supervisor, Eve, is in no chat. After the session's time Erin's card asks "Did it happen?"; nobody
 * else may answer it; "It happened" opens the short form; a wrong owner comes back as the form with the refusal
 * above it, nothing written; sent with two actions, the record is kept by the external supervisor and the session
 * held; at the next session "It did not happen" rebooks it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import type { Session } from '../../../src/domain/types.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { afterSession, dashboardTotals, expectKeptRecord, moveClockTo, nextExternalSession, seedExternalContract, TWO_ACTIONS } from '../../support/external.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { calendar } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { type TeamsRequests, teamsRequests } from '../../support/teams-requests.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let teams: FakeConnector;
let bot: Bot;
let req: TeamsRequests;
let session: Session;

const said = (conv: string, text: string) => teams.calls.some((c) => c.conversationId === conv && JSON.stringify(c.body).includes(text));

beforeAll(async () => {
  w = await createWorld('external_teams');
  await seedExternalContract(w);
  teams = await startFakeConnector();
  bot = await startBot(loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' }), createLogger('silent'), { clock: w.clock });
  req = teamsRequests(bot.url, teams.url);
  for (const p of ['erin', 'amy', 'admin']) expect((await req.install(p)).status).toBeLessThan(300);
  session = await nextExternalSession(w);
}, 180_000);
afterAll(async () => {
  await bot?.stop();
  await teams?.close();
  await w?.close();
});

describe('a session with an external supervisor in no chat, in Teams', () => {
  it('Erin’s card asks whether it happened, with It happened and It did not happen', async () => {
    await moveClockTo(w, bot, afterSession(session));
    await eventually(() => said('conv-erin', 'Your session with Eve External was due at') && said('conv-erin', 'session.kept-form'), 'Erin is asked');
  });

  it('nobody else may answer it; a wrong owner comes back as the form as typed, nothing written', async () => {
    const day = calendar().localDate(session.startsAt);
    for (const who of ['amy', 'admin']) {
      expect(await req.invoke(who, 'session.kept', { sessionId: session.id, ...TWO_ACTIONS(day) })).toContain('not something you can do here');
      expect(await req.invoke(who, 'session.kept-form', { sessionId: session.id })).toContain('not something you can do here');
    }
    const form = await req.invoke('erin', 'session.kept-form', { sessionId: session.id });
    expect(form).toContain('Eve External keeps the minutes');
    const refused = await req.invoke('erin', 'session.kept', { sessionId: session.id, ...TWO_ACTIONS(day), owner1: 'amy' });
    expect(refused).toContain('Action 2, by whom: you or Eve External');
    expect(refused).toContain('Send the case summary template');
    expect(await w.deps.records.bySession(session.id)).toBeNull();
  });

  it('"It happened" with two actions: kept by the external supervisor, actions open, held in the figures', async () => {
    const before = await dashboardTotals(bot.url);
    const card = await req.invoke('erin', 'session.kept', { sessionId: session.id, ...TWO_ACTIONS(calendar().localDate(session.startsAt)) });
    expect(card).toContain('Kept by the external supervisor Eve External; actions recorded by Erin Early');
    await expectKeptRecord(w, session.id);
    const after = await dashboardTotals(bot.url);
    expect([after.held - before.held, after.signed - before.signed]).toEqual([1, 1]);
  });

  it('the next session did not happen: Erin picks the new time and it is rebooked', async () => {
    const next = await nextExternalSession(w);
    await moveClockTo(w, bot, afterSession(next));
    await eventually(() => said('conv-erin', next.id), 'Erin is asked again');
    const cal = calendar();
    const day = cal.nextSchoolDay(cal.localDate(w.clock.now()));
    const card = await req.invoke('erin', 'session.not-held', { sessionId: next.id, reason: 'supervisor-absent', date: day, time: '10:00' });
    expect(card).toContain('did not happen');
    const missed = await w.deps.sessions.get(next.id);
    expect(missed?.status).toBe('missed');
    expect((await w.deps.sessions.get(missed?.replacedBy ?? ''))?.status).toBe('scheduled');
  });
});
