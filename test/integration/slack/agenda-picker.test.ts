/**
 * "Add an agenda item" with a picker, from Slack through signed requests: `/supervision add` (and `add` alone in
 * the DM, through its button) opens a modal whose static select lists only the person's own contracts — their
 * supervisees', their own as supervisee — by name and date (never `users_select`, which offers anyone); the item
 * chosen for a supervisee lands on that supervisee's next session with its category, visible to both; a forged
 * choice is refused in words and writes nothing; nothing chosen comes back on the field; a person with several
 * contracts who types `add <item>` chooses the session from buttons.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextSession } from '../../../src/app/reads.js';
import { ensureNextSession, saveContract } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { contract, london, person } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const SECRET = 'slack-signing-secret-for-tests';
let w: World;
let slack: FakeSlack;
let bot: Bot;
let n = 0;
const sessions: Record<string, string> = {};

function sign(body: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig };
}
async function post(path: string, body: string, type = 'application/x-www-form-urlencoded') {
  return fetch(`${bot.url}${path}`, { method: 'POST', headers: { 'content-type': type, ...sign(body) }, body });
}
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const command = (user: string, text: string) => {
  const id = `r${++n}`;
  return { id, body: form({ token: 't', team_id: 'T1', api_app_id: 'A1', channel_id: `D${user}`, user_id: user, command: '/supervision', text, trigger_id: `trig${n}`, response_url: `${slack.url}/response/${id}` }) };
};
const interaction = (payload: Record<string, unknown>) => form({ payload: JSON.stringify({ team: { id: 'T1' }, api_app_id: 'A1', token: 't', trigger_id: `trig${++n}`, ...payload }) });
const click = (user: string, actionId: string, value: string) =>
  interaction({
    type: 'block_actions',
    user: { id: user },
    response_url: `${slack.url}/response/c${++n}`,
    container: { type: 'message', channel_id: `D${user}`, message_ts: '1.1' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: `${Date.now()}.${n}` }],
  });
const event = (id: string, e: Record<string, unknown>) => JSON.stringify({ token: 't', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: id, event_time: 1, event: e });
const submit = (user: string, metadata: string, values: { for?: string; text?: string; category?: string }) =>
  post(
    '/slack/interactions',
    interaction({
      type: 'view_submission',
      user: { id: user },
      view: {
        id: `VAGENDA${++n}`,
        hash: 'h',
        type: 'modal',
        callback_id: 'agenda_item_modal',
        private_metadata: metadata,
        state: {
          values: {
            ...(values.for !== undefined ? { for: { v: { type: 'static_select', selected_option: values.for ? { value: values.for } : null } } } : {}),
            text: { v: { type: 'plain_text_input', value: values.text ?? null } },
            category: { v: { type: 'static_select', selected_option: { value: values.category ?? 'other' } } },
          },
        },
      },
    }),
  );
const textOf = (value: unknown) => JSON.stringify(value);
const PICK = JSON.stringify({ risk: false, pick: true });
type Modal = { callback_id?: string; private_metadata?: string; blocks?: Array<{ block_id?: string; element?: { type?: string; options?: Array<{ value: string; text: { text: string } }> } }> };
/** The picker modal the work filled in (`views.update`) after `from` calls. */
const pickerAfter = (from: number) =>
  eventually(() => slack.calls.slice(from).filter((c) => c.method === 'views.update').map((c) => c.body.view as Modal).find((v) => v.callback_id === 'agenda_item_modal' && v.private_metadata === PICK), 'the picker modal');

beforeAll(async () => {
  w = await createWorld('slack_agenda_picker');
  // Sam supervises Amy and Ben and is himself supervised by Helen; Sue supervises Oscar (not Sam's)
  await w.deps.people.upsert(person('oscar', ['supervisee'], { name: 'Oscar Other' }));
  for (const c of [contract({ id: 'c-sam', supervisorIds: ['head'], superviseeIds: ['sup'] }), contract({ id: 'c-oscar', supervisorIds: ['sup2'], superviseeIds: ['oscar'] })]) {
    await w.deps.contracts.upsert(c);
    await saveContract(w.deps, w.org, c);
  }
  for (const id of ['c-amy', 'c-ben', 'c-sam', 'c-oscar']) sessions[id] = (await ensureNextSession(w.deps, w.org, (await w.deps.contracts.get(id))!))!.id;
  w.clock.set(london('2025-11-10T12:00'));
  slack = await startFakeSlack();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl, PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
}, 120_000);
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

describe('the agenda picker in Slack', () => {
  it('`/supervision add` opens a modal whose static select lists Sam’s supervisees and his own supervision, by name and date, and nobody else', async () => {
    const from = slack.calls.length;
    const c = command('USUP', 'add');
    expect((await post('/slack/commands', c.body)).status).toBe(200);
    await eventually(() => slack.calls.slice(from).some((x) => x.method === 'views.open'), 'a modal opened with the trigger');
    const modal = await pickerAfter(from);
    const picker = modal.blocks?.find((b) => b.block_id === 'for')?.element;
    expect(picker?.type).toBe('static_select');
    expect(picker?.options?.map((o) => o.value).sort()).toEqual(['c-amy', 'c-ben', 'c-sam']);
    const labels = picker?.options?.map((o) => o.text.text) ?? [];
    expect(labels.some((l) => /^Amy Teacher — [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$/.test(l))).toBe(true);
    expect(labels.some((l) => l.startsWith('Your supervision with Helen Head — '))).toBe(true);
    for (const l of labels) expect(l.length).toBeLessThanOrEqual(75);
    expect(textOf(modal)).not.toMatch(/users_select|Oscar|c-oscar/);
  });

  it('Ben chosen: the item is on Ben’s next session with its category, and both see it', async () => {
    expect((await submit('USUP', PICK, { for: 'c-ben', text: 'Caseload after the new referrals', category: 'impact-on-me' })).status).toBe(200);
    await eventually(async () => (await w.deps.agenda.forSession(sessions['c-ben']!)).length === 1, 'the item on Ben’s session');
    expect((await w.deps.agenda.forSession(sessions['c-ben']!)).map((i) => [i.text, i.category, i.authorId])).toEqual([['Caseload after the new referrals', 'impact-on-me', 'sup']]);
    expect(await w.deps.agenda.forSession(sessions['c-amy']!)).toEqual([]);
    expect(JSON.stringify(await nextSession(w.deps, 'ben', {}))).toContain('Caseload after the new referrals');
    await eventually(() => slack.of('chat.postMessage').some((m) => textOf(m.body.blocks).includes('Caseload after the new referrals') && textOf(m.body.blocks).includes('Agenda of Ben Pastoral')), 'Sam’s answer');
  });

  it('nothing chosen comes back on the field; a forged choice is refused in words; neither writes anything', async () => {
    const before = await w.store.connection.db!.collection('agendaItems').countDocuments();
    const none = await submit('USUP', PICK, { for: '', text: 'Unplaced item' });
    expect(await none.json()).toEqual({ response_action: 'errors', errors: { for: 'choose whose session this is for' } });
    expect((await submit('USUP', PICK, { for: 'c-oscar', text: 'Forged item' })).status).toBe(200);
    await eventually(() => slack.of('chat.postMessage').some((m) => textOf(m).includes('You can add items only to your own supervision or to your supervisees’ sessions')), 'the refusal');
    expect(slack.of('chat.postMessage').some((m) => textOf(m).includes('Forged item'))).toBe(false);
    expect(await w.store.connection.db!.collection('agendaItems').countDocuments()).toBe(before);
  });

  it('`add` alone in the DM answers with the sessions and a button that opens the same picker', async () => {
    expect((await post('/slack/events', event('EvPick1', { type: 'message', channel: 'DUSUP', channel_type: 'im', user: 'USUP', text: 'add', ts: '2.1' }), 'application/json')).status).toBe(200);
    const message = await eventually(() => slack.of('chat.postMessage').find((m) => m.body.channel === 'DUSUP' && textOf(m.body.blocks).includes('agenda_add_for')), 'the answer with the button');
    expect(textOf(message.body.blocks)).toContain('Ben Pastoral');
    const from = slack.calls.length;
    expect((await post('/slack/interactions', click('USUP', 'agenda_add_for', 'form'))).status).toBe(200);
    const modal = await pickerAfter(from);
    expect(modal.blocks?.find((b) => b.block_id === 'for')?.element?.options?.map((o) => o.value).sort()).toEqual(['c-amy', 'c-ben', 'c-sam']);
  });

  it('Sam types `add …` without a name: the sessions come as buttons, and the one he picks gets the item', async () => {
    expect((await post('/slack/events', event('EvPick2', { type: 'message', channel: 'DUSUP', channel_type: 'im', user: 'USUP', text: 'add My own workload this term', ts: '2.2' }), 'application/json')).status).toBe(200);
    const asked = await eventually(() => slack.of('chat.postMessage').find((m) => m.body.channel === 'DUSUP' && textOf(m.body.blocks).includes('Which session is this for?')), 'the question');
    for (const s of ['c-amy', 'c-ben', 'c-sam']) expect(textOf(asked.body.blocks)).toContain(sessions[s]);
    expect(await w.deps.agenda.forSession(sessions['c-sam']!)).toEqual([]);
    expect((await submit('USUP', JSON.stringify({ sessionId: sessions['c-sam'], risk: false }), { text: 'My own workload this term', category: 'organisational' })).status).toBe(200);
    await eventually(async () => (await w.deps.agenda.forSession(sessions['c-sam']!)).length === 1, 'the item on Sam’s own session');
    expect(JSON.stringify(await nextSession(w.deps, 'head', {}))).toContain('My own workload this term');
  });
});
