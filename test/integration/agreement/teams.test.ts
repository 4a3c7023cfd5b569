/**
 * The supervision agreement and the annual review in Teams (Bot Framework activities, the Bot Connector
 * stand-in): the cards arrive in each person's chat (an agreement asked again replaces its card), Agree, "Ask a
 * question", "Keep as it is" and "Save the changes" are `adaptiveCard/action` invokes whose answer is the card
 * that replaces the one pressed. The journeys: test/support/agreement-journeys.ts.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { agreementJourneys } from '../../support/agreement-journeys.js';
import { eventually } from '../../support/eventually.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { type TeamsRequests, teamsRequests } from '../../support/teams-requests.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let teams: FakeConnector;
let bot: Bot;
let req: TeamsRequests;
/** The cards each person's invokes were answered with. */
const answered = new Map<string, string[]>();

const chat = (personId: string) => teams.calls.filter((c) => c.conversationId === `conv-${personId}`).map((c) => JSON.stringify(c.body));
async function invoke(personId: string, verb: string, data: Record<string, unknown>): Promise<string> {
  const card = await req.invoke(personId, verb, data);
  answered.set(personId, [...(answered.get(personId) ?? []), card]);
  return card;
}

beforeAll(async () => {
  w = await createWorld('agreement_teams');
  w.clock.set(london('2025-11-17T09:00'));
  teams = await startFakeConnector();
  bot = await startBot(loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' }), createLogger('silent'), { clock: w.clock });
  req = teamsRequests(bot.url, teams.url);
  for (const p of ['dsl', 'head', 'sup', 'amy', 'ben']) expect((await req.install(p)).status).toBeLessThan(300);
}, 180_000);
afterAll(async () => {
  await bot?.stop();
  await teams?.close();
  await w?.close();
});

agreementJourneys({
  world: () => w,
  bot: () => bot,
  marks: { agree: 'agreement.agree', review: 'contract.review' },
  received: (personId) => [...chat(personId), ...(answered.get(personId) ?? [])].join('\n'),
  async agree(personId, contractId) {
    const terms = (await w.deps.contracts.get(contractId))?.agreement?.terms ?? '';
    await eventually(() => chat(personId).some((m) => m.includes('agreement.agree') && m.includes(`"terms":"${terms}"`) && m.includes(contractId)), `${personId}’s card for ${terms}`);
    return invoke(personId, 'agreement.agree', { contractId, terms });
  },
  async ask(personId, contractId, question) {
    await eventually(() => chat(personId).some((m) => m.includes('agreement.ask') && m.includes(contractId)), `${personId}’s card`);
    expect(await invoke(personId, 'agreement.ask', { contractId, question })).toContain('Sent to');
  },
  expectInert(received) {
    expect(received).toMatch(/"type":"TextRun","text":"[^"]*Could we meet on Thursdays/);
    expect(received).not.toMatch(/https:\/\/evil|<at>|\]\(http/);
  },
  keep: (personId, contractId) => invoke(personId, 'contract.review', { contractId, keep: true }),
  change: (personId, contractId, terms) =>
    // Action.Execute sends the card's inputs with the action's data, as typed (the number as text)
    invoke(personId, 'contract.review', { contractId, keep: false, cadence: terms.cadence, durationMinutes: String(terms.minutes), location: terms.location, level: '1', supervisorId: personId }),
  async type(personId, text) {
    const before = chat(personId).length;
    expect((await req.message(personId, text)).status).toBeLessThan(300);
    return eventually(() => chat(personId).slice(before).join('\n'), `the answer to ${text}`);
  },
});
