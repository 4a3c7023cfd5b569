/**
 * Agenda that belongs to the right session, from Slack (issue 12): Sam's `add amy: …` in his DM with the bot goes
 * on Amy's next session, not Ben's; Amy's `park …` files the item for the next session marked "raised informally",
 * and the record modal Sam opens for that session lists it first, so marked.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNextSession } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const SECRET = 'slack-signing-secret-for-tests';
let w: World;
let slack: FakeSlack;
let bot: Bot;
let amySession = '';
let benSession = '';

function sign(body: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig };
}
const post = (path: string, body: string, type: string) => fetch(`${bot.url}${path}`, { method: 'POST', headers: { 'content-type': type, ...sign(body) }, body });
const event = (id: string, e: Record<string, unknown>) => JSON.stringify({ token: 't', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: id, event_time: 1, event: e });
const dm = (id: string, user: string, text: string, ts: string) => post('/slack/events', event(id, { type: 'message', channel: `D${user}`, channel_type: 'im', user, text, ts }), 'application/json');
const interaction = (payload: Record<string, unknown>) => new URLSearchParams({ payload: JSON.stringify({ team: { id: 'T1' }, api_app_id: 'A1', token: 't', trigger_id: 'trig1', ...payload }) }).toString();

beforeAll(async () => {
  w = await createWorld('slack_agenda_owner');
  slack = await startFakeSlack();
  const config = loadConfig({
    MONGODB_URI: w.mongoUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    PLAYGROUND: 'off',
    LOG_LEVEL: 'silent',
  });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  // Amy sees Sam on Tue 11 Nov 2025 at 15:45, Ben at the first time after that Sam is free
  amySession = (await ensureNextSession(w.deps, w.org, w.contracts.amy))?.id ?? '';
  benSession = (await ensureNextSession(w.deps, w.org, w.contracts.ben))?.id ?? '';
  w.clock.set(london('2025-11-10T12:00'));
});
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

describe('agenda that belongs to the right session, in Slack', () => {
  it('`add amy: …` from Sam goes on Amy’s next session, as his item, "Other" until a category is chosen; Ben’s is untouched', async () => {
    expect((await dm('EvOwner1', 'USUP', 'add amy: Workload in Year 4', '1.1')).status).toBe(200);
    const items = await eventually(async () => {
      const found = await w.deps.agenda.forSession(amySession);
      return found.length > 0 ? found : undefined;
    }, 'the item on Amy’s session');
    expect(items.map((i) => [i.text, i.authorId, i.category])).toEqual([['Workload in Year 4', 'sup', 'other']]);
    expect(await w.deps.agenda.forSession(benSession)).toEqual([]);
  });

  it('`park` files the item marked as raised informally; Sam’s record modal lists it first, marked', async () => {
    expect((await dm('EvOwner2', 'UAMY', 'park A parent said something worrying at pick-up', '1.2')).status).toBe(200);
    const parked = await eventually(async () => {
      const found = await w.deps.agenda.parked('c-amy');
      return found.length > 0 ? found : undefined;
    }, 'the parked item');
    expect(parked.map((i) => [i.text, i.raisedInformallyOn])).toEqual([['A parent said something worrying at pick-up', '2025-11-10']]);
    w.clock.set(london('2025-11-11T17:00'));
    const res = await post(
      '/slack/interactions',
      interaction({ type: 'block_actions', user: { id: 'USUP' }, response_url: `${slack.url}/response/open`, container: { type: 'message', channel_id: 'DUSUP', message_ts: '1.1' }, actions: [{ type: 'button', action_id: 'record_open_modal', block_id: 'b', value: amySession, action_ts: '1.3' }] }),
      'application/x-www-form-urlencoded',
    );
    expect(res.status).toBe(200);
    const update = await eventually(() => slack.of('views.update').find((c) => (c.body.view as { callback_id?: string } | undefined)?.callback_id === 'record_modal'), 'the filled-in modal');
    const text = JSON.stringify((update.body.view as { blocks: unknown }).blocks);
    expect(text).toContain('Raised informally on Mon 10 Nov 2025');
    expect(text.indexOf('A parent said something worrying')).toBeGreaterThan(-1);
    expect(text.indexOf('A parent said something worrying')).toBeLessThan(text.indexOf('Workload in Year 4'));
  });
});
