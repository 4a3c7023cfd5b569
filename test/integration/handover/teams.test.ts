/**
 * Handover when a contract's supervisor changes, in Teams (Bot Framework activities, the Bot Connector stand-in):
 * the dashboard's contracts API changes Amy's supervisor from Sam to Sue; Sam's handover card arrives; a close
 * without a note comes back as the form as typed with the refusal above it; sent, the kept actions are Sue's,
 * the closed one has its note, Sue's card holds the handover and Amy is told who her supervisor is now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { changeSupervisor, expectNothingLost, seedOpenWork } from '../../support/handover.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { type TeamsRequests, teamsRequests } from '../../support/teams-requests.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let teams: FakeConnector;
let bot: Bot;
let work: Awaited<ReturnType<typeof seedOpenWork>>;
let req: TeamsRequests;

const invoke = (who: string, verb: string, data: Record<string, unknown>) => req.invoke(who, verb, data);
const said = (conv: string, text: string) => teams.calls.some((c) => c.conversationId === conv && JSON.stringify(c.body).includes(text));

beforeAll(async () => {
  w = await createWorld('handover_teams');
  await w.deps.people.upsert({ ...w.people.sup2, identities: { teamsAadObjectId: 'aad-sup2' } });
  work = await seedOpenWork(w, 'c-amy', 'sup', 'amy');
  w.clock.set(london('2025-11-17T09:00'));
  teams = await startFakeConnector();
  bot = await startBot(loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' }), createLogger('silent'), { clock: w.clock });
  req = teamsRequests(bot.url, teams.url);
  for (const p of ['sup', 'sup2', 'amy']) expect((await req.install(p)).status).toBeLessThan(300);
}, 180_000);
afterAll(async () => {
  await bot?.stop();
  await teams?.close();
  await w?.close();
});

describe('handover in Teams', () => {
  let handoverId = '';
  const ids = () => [work.keep, work.mine, work.close].join(',');

  it('the supervisor changed in the dashboard: Sam’s handover card arrives with the open actions', async () => {
    expect((await changeSupervisor(bot.url, 'c-amy', 'sup2', ['amy'])).status).toBe(200);
    handoverId = (await w.deps.handovers.pendingForContract('c-amy'))[0]?.id ?? '';
    expect(handoverId).not.toBe('');
    await eventually(() => said('conv-sup', 'handover.submit') && said('conv-sup', 'Book the phonics observation with Year 1'), 'Sam’s handover card');
  });

  it('a close without a note: the form comes back as typed, the refusal above it, and nothing is written', async () => {
    const card = await invoke('sup', 'handover.submit', { handoverId, actionIds: ids(), outcome0: 'keep', outcome1: 'keep', outcome2: 'close', themes: 'Workload in the spring term' });
    expect(card).toContain('a note is needed to close it');
    expect(card).toContain('Workload in the spring term');
    expect(card).toContain('handover.submit');
    expect((await w.deps.handovers.get(handoverId))?.state).toBe('pending');
    expect((await w.deps.actions.get(work.close))?.status).toBe('open');
  });

  it('sent: actions moved or closed with a note, Sue receives it, Amy is told', async () => {
    const card = await invoke('sup', 'handover.submit', { handoverId, actionIds: ids(), outcome0: 'keep', outcome1: 'keep', outcome2: 'close', note2: 'Done at the Year 1 review instead', themes: 'Workload in the spring term', note: 'Amy leads the attendance project from January' });
    expect(card).toContain('Handover sent to Sue Other');
    await expectNothingLost(w, 'c-amy', [work.keep, work.mine, work.close], 'sup2', 'sup');
    expect((await w.deps.actions.get(work.mine))?.ownerId).toBe('sup2');
    await eventually(() => said('conv-sup2', 'Amy leads the attendance project from January') && said('conv-sup2', 'Done at the Year 1 review instead'), 'Sue’s handover');
    await eventually(() => said('conv-amy', 'Your supervisor is now Sue Other'), 'Amy told');
  });
});
