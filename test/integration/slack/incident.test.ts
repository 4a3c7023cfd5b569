/**
 * Support and a major incident from Slack (loughton "Support", §5): the support contacts in `help`, on the agenda
 * prompt and after a risk of harm is flagged; the DSL's `/supervision incident team Sam Supervisor: …` offers Amy
 * and Ben extra supervision (never the incident's name); Amy's Yes asks Sam to book a session within five school
 * days; Ben's Not now is asked again once, ten school days on; `/supervision incident status` has the counts.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitAgendaItem } from '../../../src/app/agenda.js';
import { rescheduleSession } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { calendar } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const SECRET = 'slack-signing-secret-for-incident';
const INCIDENT = 'Intruder alarm and lockdown during Year 3 PE';
let w: World;
let slack: FakeSlack;
let bot: Bot;
let n = 0;
const cal = calendar();

function sign(body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}` };
}
async function post(path: string, body: string) {
  return fetch(`${bot.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) }, body });
}
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
async function click(user: string, actionId: string, value: string) {
  const id = `r${++n}`;
  const payload = {
    type: 'block_actions',
    team: { id: 'T1' },
    api_app_id: 'A1',
    token: 't',
    trigger_id: `trig${n}`,
    user: { id: user },
    response_url: `${slack.url}/response/${id}`,
    container: { type: 'message', channel_id: `D${user}`, message_ts: '1.1' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: `${Date.now()}.${n}` }],
  };
  expect((await post('/slack/interactions', form({ payload: JSON.stringify(payload) }))).status).toBe(200);
  return id;
}
async function command(user: string, text: string) {
  const id = `cmd${++n}`;
  await post('/slack/commands', form({ token: 't', team_id: 'T1', api_app_id: 'A1', channel_id: `D${user}`, user_id: user, command: '/supervision', text, trigger_id: `trig${n}`, response_url: `${slack.url}/response/${id}` }));
  return id;
}
const text = (v: unknown) => JSON.stringify(v);
const answerTo = async (id: string) => text((await eventually(() => slack.responses.find((r) => r.path === id), `the answer to ${id}`)).body);
const dms = (channel: string, has: string) => [...slack.of('chat.postMessage'), ...slack.of('chat.update')].filter((c) => c.body.channel === channel && text(c.body.blocks).includes(has));
const offerOf = (user: string) => {
  const [offer] = dms(`D${user}`, 'Would you like extra supervision?').slice(-1);
  return /"action_id":"incident_offer_yes","value":"([^"]+)"/.exec(text(offer?.body.blocks))?.[1] as string;
};
async function fireAt(at: Date) {
  w.clock.set(at);
  await bot.runtime.queues.fireDueReminders();
  await bot.runtime.queues.flushOutbox();
}

beforeAll(async () => {
  w = await createWorld('slack_incident');
  slack = await startFakeSlack();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl, PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  await bot.runtime.queues.flushOutbox();
});
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

describe('support contacts, from Slack', () => {
  it('are in help', async () => {
    expect(await answerTo(await command('UAMY', 'help'))).toContain('Education Support Partnership — 08000 562 561');
  });

  it('are on the agenda prompt', async () => {
    // Amy's next session moved to three school days ahead: its agenda prompt goes out at once
    const [next] = (await w.deps.sessions.byContract('c-amy')).filter((s) => s.status === 'scheduled' && s.startsAt > w.clock.now());
    const day = cal.addSchoolDays(cal.localDate(w.clock.now()), 3);
    expect((await rescheduleSession(w.deps, 'sup', { sessionId: next?.id, newStartsAt: cal.atLocalTime(day, '15:45').toISOString(), reason: 'Moved to after the trip' })).ok).toBe(true);
    const before = dms('DUAMY', 'Supervision agenda').length;
    await fireAt(new Date(w.clock.now().getTime() + 60_000));
    const message = await eventually(() => dms('DUAMY', 'Supervision agenda')[before], 'Amy’s agenda prompt');
    expect(text(message.body.blocks)).toContain('Education Support Partnership — 08000 562 561');
  });

  it('are given to the person who flags a risk of harm', async () => {
    const added = await submitAgendaItem(w.deps, 'ben', { key: 'slack-incident.item', text: 'A pupil said something in the lunch queue that worries me' });
    const itemId = (added.ok && added.view?.type === 'agenda' ? [...added.view.items, ...added.view.parkedItems] : []).find((i) => i.text.includes('lunch queue'))?.id as string;
    const answer = await answerTo(await click('UBEN', 'agenda_item_flag_risk', itemId));
    expect(answer).toContain('went to Dee Lead and Deputy Dan');
    expect(answer).toContain('Support for you');
    expect(answer).toContain('Education Support Partnership — 08000 562 561');
  });
});

describe('after a major incident, from Slack', () => {
  it('a supervisee cannot declare one; the DSL declares it for Sam’s team', async () => {
    expect(await answerTo(await command('UAMY', `incident everyone: ${INCIDENT}`))).toContain('Only the DSL');
    expect(await answerTo(await command('UDSL', 'incident everyone'))).toContain('text: say who was involved');
    const said = await answerTo(await command('UDSL', `incident team Sam Supervisor: ${INCIDENT}`));
    expect(said).toContain('offered to 2 people: Amy Teacher, Ben Pastoral');
    await bot.runtime.queues.flushOutbox();
    for (const user of ['UAMY', 'UBEN']) {
      const [offer] = await eventually(() => dms(`D${user}`, 'Would you like extra supervision?').length > 0 && dms(`D${user}`, 'Would you like extra supervision?'), `${user}'s offer`);
      expect(text(offer?.body.blocks)).toContain('incident_offer_not_now');
      expect(text(offer?.body.blocks)).toContain('Education Support Partnership');
      expect(text(offer)).not.toContain(INCIDENT);
    }
  });

  it('only the person offered answers; Yes asks Sam to book a session within five school days', async () => {
    expect(await answerTo(await click('UBEN', 'incident_offer_yes', offerOf('UAMY')))).toContain('Sorry');
    expect(await answerTo(await click('UAMY', 'incident_offer_yes', '<!channel>'))).toContain('value:');
    const yes = await answerTo(await click('UAMY', 'incident_offer_yes', offerOf('UAMY')));
    expect(yes).toContain('Sam Supervisor will book a session with you by');
    const [request] = await w.deps.sessionRequests.openForContract('c-amy');
    expect(request?.bookBy).toBe(cal.addSchoolDays(cal.localDate(w.clock.now()), 5));
    await bot.runtime.queues.flushOutbox();
    await eventually(() => dms('DUSUP', 'Amy Teacher asks for a supervision session').length > 0, 'Sam is asked to book it');
  });

  it('Not now is asked again once, ten school days on', async () => {
    expect(await answerTo(await click('UBEN', 'incident_offer_not_now', offerOf('UBEN')))).toContain('You will be asked once more on');
    const again = cal.atLocalTime(cal.addSchoolDays(cal.localDate(w.clock.now()), 10), '08:30');
    await fireAt(new Date(again.getTime() - 60_000));
    expect(dms('DUBEN', 'asking once more')).toHaveLength(0);
    await fireAt(new Date(again.getTime() + 60_000));
    await eventually(() => dms('DUBEN', 'asking once more').length === 1, 'Ben is asked again');
  });

  it('the DSL’s /supervision incident status has the counts and the name', async () => {
    const status = await answerTo(await command('UDSL', 'incident status'));
    expect(status).toContain(INCIDENT);
    expect(status).toContain('offered 2, accepted 1, not now 0, not answered 1, held 0');
  });
});
