import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNextSession } from '../../../src/app/sessions.js';
import { recordIdFor } from '../../../src/app/records.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';
import { eventually } from '../../support/eventually.js';

const SECRET = 'slack-signing-secret-for-tests';
let w: World;
let slack: FakeSlack;
let bot: Bot;
let sessionId = '';
let n = 0;

function sign(body: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig };
}

async function post(path: string, body: string, type = 'application/json', headers: Record<string, string> = sign(body)) {
  return fetch(`${bot.url}${path}`, { method: 'POST', headers: { 'content-type': type, ...headers }, body });
}
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const command = (user: string, name: string, text: string) => {
  const id = `r${++n}`;
  return { id, body: form({ token: 't', team_id: 'T1', api_app_id: 'A1', channel_id: `D${user}`, user_id: user, command: name, text, trigger_id: `trig${n}`, response_url: `${slack.url}/response/${id}` }) };
};
const interaction = (payload: Record<string, unknown>) => form({ payload: JSON.stringify({ team: { id: 'T1' }, api_app_id: 'A1', token: 't', trigger_id: `trig${++n}`, ...payload }) });
const click = (user: string, actionId: string, value: string) => {
  const id = `r${++n}`;
  return {
    id,
    body: interaction({
      type: 'block_actions',
      user: { id: user },
      response_url: `${slack.url}/response/${id}`,
      container: { type: 'message', channel_id: `D${user}`, message_ts: '1.1' },
      actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: `${Date.now()}.${n}` }],
    }),
  };
};
const event = (id: string, e: Record<string, unknown>) => JSON.stringify({ token: 't', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: id, event_time: 1, event: e });


const textOf = (value: unknown) => JSON.stringify(value);

beforeAll(async () => {
  w = await createWorld('slack');
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
  const next = await ensureNextSession(w.deps, w.org, w.contracts.amy);
  sessionId = next!.id;
});
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

describe('Slack requests are signed', () => {
  async function counts() {
    return Promise.all([w.store.models.agendaItems.countDocuments(), w.store.models.records.countDocuments(), w.store.models.escalations.countDocuments(), w.store.models.audit.countDocuments({ action: { $ne: 'calendar.issued' } })]);
  }
  // (a week's notice sent by the reminder sweep meanwhile may issue its person's calendar secret: background work,
  // not the request's)

  it('forged, unsigned, stale and altered requests get 401 and change nothing', async () => {
    const before = await counts();
    const body = event('EvForged', { type: 'message', channel: 'DUAMY', channel_type: 'im', user: 'UAMY', text: 'forged item', ts: '1.2' });
    expect((await post('/slack/events', body, 'application/json', { 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': 'v0=deadbeef' })).status).toBe(401);
    expect((await post('/slack/events', body, 'application/json', {})).status).toBe(401);
    expect((await post('/slack/events', body, 'application/json', sign(body, Math.floor(Date.now() / 1000) - 6 * 60))).status).toBe(401);
    const signed = sign(body);
    expect((await post('/slack/events', body.replace('forged item', 'forged itex'), 'application/json', signed)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(await counts()).toEqual(before);
  });

  it('every path express would route to Bolt is checked the same: another case, a trailing slash, a query, another method', async () => {
    const before = await counts();
    const body = event('EvPaths', { type: 'message', channel: 'DUAMY', channel_type: 'im', user: 'UAMY', text: 'add through a side door', ts: '1.21' });
    for (const path of ['/SLACK/Events', '/slack/events/', '/slack/events?via=side', '/Slack/Commands/', '/slack/INTERACTIONS']) expect((await post(path, body, 'application/json', {})).status, path).toBe(401);
    // a signed request by another method, or to a path under the endpoints, is no Slack request
    const get = await fetch(`${bot.url}/slack/events`, { headers: sign('') });
    expect(get.status).toBe(400);
    expect((await get.json()).error).toMatchObject({ field: 'body' });
    const put = await fetch(`${bot.url}/slack/events`, { method: 'PUT', headers: { 'content-type': 'application/json', ...sign(body) }, body });
    expect(put.status).toBe(404);
    expect(await put.json()).toEqual({ error: 'no such route' });
    expect((await fetch(`${bot.url}/slack/events`)).status).toBe(401);
    expect((await post('/slack/events/more', body)).status).toBe(404);
    await new Promise((r) => setTimeout(r, 300));
    expect(await counts()).toEqual(before);
  });

  it('a signed body whose values are objects is named in words, and the bot carries on', async () => {
    const odd = JSON.stringify({ token: 't', type: { toString: 1, valueOf: 1 } });
    const res = await post('/slack/events', odd);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ field: 'type', message: 'type: "{"toString":1,"valueOf":1}" is not a Slack request this bot handles' });
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });

  it('a body over Slack’s 4 MB gets 413 naming the body, and nothing is read or written', async () => {
    const before = await counts();
    const big = event('EvBig', { type: 'message', channel: 'DUAMY', channel_type: 'im', user: 'UAMY', text: `add ${'x'.repeat(4 * 1024 * 1024)}`, ts: '1.22' });
    const res = await post('/slack/events', big);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatchObject({ code: 'PayloadTooLarge', field: 'body' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await counts()).toEqual(before);
  });

  it('Slack’s URL verification and SSL check are answered; every answer carries the security headers', async () => {
    const challenge = JSON.stringify({ token: 't', challenge: 'c-123', type: 'url_verification' });
    const verified = await post('/slack/events', challenge);
    expect(verified.status).toBe(200);
    expect(await verified.json()).toEqual({ challenge: 'c-123' });
    const ssl = form({ ssl_check: '1', token: 't' });
    expect((await post('/slack/commands', ssl, 'application/x-www-form-urlencoded')).status).toBe(200);
    expect(verified.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(verified.headers.get('x-frame-options')).toBe('DENY');
    expect(verified.headers.get('x-content-type-options')).toBe('nosniff');
    expect(verified.headers.get('strict-transport-security')).toBeNull();
    // over https through a proxy on the loopback address, which the server trusts: HSTS as well
    const proxied = await post('/slack/events', challenge, 'application/json', { ...sign(challenge), 'x-forwarded-proto': 'https' });
    expect(proxied.headers.get('strict-transport-security')).toContain('max-age=');
  });
});

describe('agenda in the DM', () => {
  it('`add` with lines becomes agenda items, one per line, and a retried event is processed once', async () => {
    w.clock.set(london('2025-11-10T12:00'));
    const body = event('EvAgenda1', { type: 'message', channel: 'DUAMY', channel_type: 'im', user: 'UAMY', text: 'add Caseload in Year 4\nTraining on neglect', ts: '1.3' });
    expect((await post('/slack/events', body)).status).toBe(200);
    await eventually(async () => (await w.deps.agenda.forSession(sessionId)).length === 2, 'two agenda items');
    const retry = await post('/slack/events', body, 'application/json', { ...sign(body), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    expect(retry.status).toBe(200);
    await eventually(() => slack.of('chat.postMessage').some((c) => c.body.channel === 'DUAMY' && textOf(c.body.blocks).includes('Caseload in Year 4')), 'the agenda reply');
    await new Promise((r) => setTimeout(r, 500));
    expect((await w.deps.agenda.forSession(sessionId)).map((i) => i.text)).toEqual(['Caseload in Year 4', 'Training on neglect']);
    expect(slack.of('chat.postMessage').filter((c) => c.body.channel === 'DUAMY' && textOf(c.body.blocks).includes('Added 2 items'))).toHaveLength(1);
  });

  it('what a person typed comes back as text: no link, mention or formatting from it is live', async () => {
    const typed = 'Parent sent [phish](https://evil.example/login) <!channel> <@UDSL> @here *urgent* _now_ <b>html</b>';
    const body = event('EvHostile1', { type: 'message', channel: 'DUAMY', channel_type: 'im', user: 'UAMY', text: typed, ts: '1.4' });
    expect((await post('/slack/events', body)).status).toBe(200);
    const sent = await eventually(() => slack.of('chat.postMessage').find((c) => c.body.channel === 'DUAMY' && textOf(c.body.blocks).includes('Parent sent')), 'the agenda reply');
    expect((await w.deps.agenda.forSession(sessionId)).map((i) => i.text)).toContain(typed);
    const blocks = textOf(sent.body.blocks);
    expect(blocks).toContain('&lt;!channel&gt; &lt;@UDSL&gt;');
    expect(blocks).not.toMatch(/<!channel>|<@UDSL>|<https?:|https:\/\/evil|@here|\*urgent\*|_now_|<b>/);
    for (const t of JSON.stringify(sent.body.blocks).match(/"type":"mrkdwn","text":"[^"]*Parent sent[^"]*"(,"verbatim":true)?/g) ?? []) expect(t).toContain('"verbatim":true');
    expect(String(sent.body.text)).not.toMatch(/<!channel>|<@UDSL>/);
  });

  it('small talk is never an item, and a line that answers no prompt is asked about with a button that opens the item form', async () => {
    // a day after the agenda prompt, its window has closed
    w.clock.set(london('2025-11-11T10:00'));
    const before = (await w.deps.agenda.forSession(sessionId)).length;
    for (const [id, text] of [['EvThanks', 'thanks!'], ['EvHi', 'hi'], ['EvPlain', 'Worried about my Year 4 caseload']] as const) {
      expect((await post('/slack/events', event(id, { type: 'message', channel: 'DUAMY', channel_type: 'im', user: 'UAMY', text, ts: `2.${id.length}${id}` }))).status).toBe(200);
    }
    const asked = await eventually(() => slack.of('chat.postMessage').find((c) => c.body.channel === 'DUAMY' && textOf(c.body.blocks).includes('Add this to your agenda for')), 'the question');
    const button = JSON.stringify(asked.body.blocks);
    expect(button).toContain('agenda_add_suggested');
    await eventually(() => slack.of('chat.postMessage').some((c) => c.body.channel === 'DUAMY' && textOf(c.body.blocks).includes('type add and the item')), 'the answer to small talk');
    expect((await w.deps.agenda.forSession(sessionId)).length).toBe(before);
    // the button opens the item form with the words and "Other" as the category; submitting adds it to that session
    const value = (asked.body.blocks as Array<{ type: string; elements?: Array<{ action_id?: string; value?: string }> }>).flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'agenda_add_suggested')?.value as string;
    expect(JSON.parse(value)).toEqual({ s: sessionId, t: 'Worried about my Year 4 caseload' });
    await post('/slack/interactions', click('UAMY', 'agenda_add_suggested', value).body, 'application/x-www-form-urlencoded');
    const opened = await eventually(() => slack.of('views.open').find((c) => JSON.stringify(c.body.view).includes('Worried about my Year 4 caseload')), 'the item form');
    const modal = opened.body.view as { private_metadata: string };
    expect(JSON.stringify(modal)).toContain('"initial_option":{"text":{"type":"plain_text","text":"Other"},"value":"other"}');
    await post(
      '/slack/interactions',
      interaction({ type: 'view_submission', user: { id: 'UAMY' }, view: { id: 'VSUG', hash: 'hs1', type: 'modal', callback_id: 'agenda_item_modal', private_metadata: modal.private_metadata, state: { values: { text: { v: { type: 'plain_text_input', value: 'Worried about my Year 4 caseload' } }, category: { v: { type: 'static_select', selected_option: { value: 'impact-on-me' } } } } } } }),
      'application/x-www-form-urlencoded',
    );
    const added = await eventually(async () => (await w.deps.agenda.forSession(sessionId)).find((i) => i.text === 'Worried about my Year 4 caseload'), 'the item on the session');
    expect(added.category).toBe('impact-on-me');
    // a reply in the agenda prompt's thread answers it, whenever it comes
    await w.deps.deliveries.put(`agenda:${sessionId}`, 'amy', 'slack', { channel: 'DUAMY', ts: '1700000000.000100' });
    await post('/slack/events', event('EvThread', { type: 'message', channel: 'DUAMY', channel_type: 'im', user: 'UAMY', text: 'Cover for Friday', ts: '1700000001.000200', thread_ts: '1700000000.000100' }));
    await eventually(async () => (await w.deps.agenda.forSession(sessionId)).some((i) => i.text === 'Cover for Friday'), 'the thread reply on the session');
    w.clock.set(london('2025-11-10T12:00'));
  });
});

describe('/overdue', () => {
  it('gives the DSL the summary, ephemerally', async () => {
    const c = command('UDSL', '/overdue', '');
    const res = await post('/slack/commands', c.body, 'application/x-www-form-urlencoded');
    expect(res.status).toBe(200);
    const reply = await eventually(() => slack.responses.find((r) => r.path === c.id), 'the overdue reply');
    expect(reply.body.response_type).toBe('ephemeral');
    expect(textOf(reply.body.blocks)).toContain('Overdue — White Laith Primary');
  });

  it('politely refuses a supervisee, revealing nothing', async () => {
    const c = command('UAMY', '/overdue', 'sessions');
    await post('/slack/commands', c.body, 'application/x-www-form-urlencoded');
    const reply = await eventually(() => slack.responses.find((r) => r.path === c.id), 'the refusal');
    expect(reply.body.response_type).toBe('ephemeral');
    expect(textOf(reply.body)).toContain('only for your safeguarding leads');
    expect(textOf(reply.body)).not.toMatch(/Ben|Pastoral|overdue supervision/i);
  });

  it('names a bad filter', async () => {
    const c = command('UDSL', '/overdue', 'everything');
    await post('/slack/commands', c.body, 'application/x-www-form-urlencoded');
    const reply = await eventually(() => slack.responses.find((r) => r.path === c.id), 'the error');
    expect(String(reply.body.text)).toMatch(/^filter:/);
  });
});

describe('the record sheet', () => {
  const values = (extra: Record<string, unknown> = {}) => ({
    topics: { v: { type: 'checkboxes', selected_options: [{ value: 'performance' }] } },
    notes: { v: { type: 'plain_text_input', value: 'Talked through the Year 4 caseload' } },
    concerns: { v: { type: 'plain_text_input', value: null } },
    risk: { v: { type: 'plain_text_input', value: null } },
    child_ref: { v: { type: 'plain_text_input', value: 'JB' } },
    decision: { v: { type: 'plain_text_input', value: 'Refer to early help' } },
    rationale: { v: { type: 'plain_text_input', value: 'Attendance below 85%' } },
    follow_up: { v: { type: 'static_select', selected_option: { value: 'amy' } } },
    action_0: { v: { type: 'plain_text_input', value: 'Call the parent' } },
    owner_0: { v: { type: 'static_select', selected_option: { value: 'amy' } } },
    due_0: { v: { type: 'datepicker', selected_date: '2025-11-14' } },
    action_1: { v: { type: 'plain_text_input', value: null } },
    owner_1: { v: { type: 'static_select', selected_option: null } },
    due_1: { v: { type: 'datepicker', selected_date: null } },
    action_2: { v: { type: 'plain_text_input', value: null } },
    owner_2: { v: { type: 'static_select', selected_option: null } },
    due_2: { v: { type: 'datepicker', selected_date: null } },
    next_date: { v: { type: 'datepicker', selected_date: null } },
    next_time: { v: { type: 'timepicker', selected_time: null } },
    ...extra,
  });
  const submit = (user: string, state: Record<string, unknown>, hash: string) =>
    post('/slack/interactions', interaction({ type: 'view_submission', user: { id: user }, view: { id: 'VREC', hash, type: 'modal', callback_id: 'record_modal', private_metadata: sessionId, state: { values: state } } }), 'application/x-www-form-urlencoded');

  it('a bad field comes back on the field, and nothing is written', async () => {
    w.clock.set(london('2025-11-11T17:30'));
    const before = await w.store.models.records.countDocuments();
    const res = await submit('USUP', values({ child_ref: { v: { type: 'plain_text_input', value: 'John Brown!' } } }), 'h0');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors)).toEqual(['child_ref']);
    const res2 = await submit('USUP', values({ owner_0: { v: { type: 'static_select', selected_option: null } } }), 'h0b');
    expect(((await res2.json()) as { errors: Record<string, string> }).errors).toEqual({ owner_0: 'say who owns the action' });
    expect(await w.store.models.records.countDocuments()).toBe(before);
  });

  it('submitting sends the record to both parties; both confirm; both messages lock', async () => {
    const res = await submit('USUP', values(), 'h1');
    expect(res.status).toBe(200);
    const recordId = recordIdFor(sessionId);
    await eventually(async () => (await w.deps.records.latest(recordId))?.state === 'awaiting-confirmation', 'the record awaiting confirmation');
    const cardTo = (channel: string) => slack.of('chat.postMessage').find((c) => c.body.channel === channel && textOf(c.body.blocks).includes('Supervision record'));
    await eventually(() => cardTo('DUAMY') && cardTo('DUSUP'), 'record messages to both parties');

    // a stranger's click changes nothing
    const stranger = click('USTRANGER', 'record_confirm', `${recordId}@1`);
    await post('/slack/interactions', stranger.body, 'application/x-www-form-urlencoded');
    await eventually(() => slack.responses.find((r) => r.path === stranger.id), 'the stranger’s refusal');
    expect((await w.deps.records.latest(recordId))?.confirmations.map((c) => c.personId)).toEqual([]);

    // a double click confirms once
    const first = click('UAMY', 'record_confirm', `${recordId}@1`);
    const second = click('UAMY', 'record_confirm', `${recordId}@1`);
    await Promise.all([post('/slack/interactions', first.body, 'application/x-www-form-urlencoded'), post('/slack/interactions', second.body, 'application/x-www-form-urlencoded')]);
    await eventually(async () => (await w.deps.records.latest(recordId))?.confirmations.length === 1, 'Amy’s confirmation');

    const sup = click('USUP', 'record_confirm', `${recordId}@1`);
    await post('/slack/interactions', sup.body, 'application/x-www-form-urlencoded');
    await eventually(async () => (await w.deps.records.latest(recordId))?.state === 'signed', 'the signed record');
    const locked = (channel: string) => slack.of('chat.update').some((c) => c.body.channel === channel && textOf(c.body.blocks).includes('Signed by both on'));
    await eventually(() => locked('DUAMY') && locked('DUSUP'), 'both messages updated to the locked view');
    const audit = await w.deps.audit.entries('org-wl');
    expect(audit.filter((e) => e.action === 'record.confirmed' && e.actorId === 'amy')).toHaveLength(1);
    expect(audit.filter((e) => e.action === 'record.signed')).toHaveLength(1);
  });
});

describe('Slack rate limits', () => {
  it('a 429 is waited out as Retry-After says and the message is delivered once', async () => {
    slack.failNext('chat.postMessage', 429, { 'retry-after': '1' }, (b) => b.channel === 'DUBEN');
    const body = event('EvRateLimited', { type: 'message', channel: 'DUBEN', channel_type: 'im', user: 'UBEN', text: 'help', ts: '1.9' });
    await post('/slack/events', body);
    const isHelp = (c: { body: Record<string, unknown> }) => c.body.channel === 'DUBEN' && textOf(c.body.blocks).includes('/supervision next');
    await eventually(() => slack.of('chat.postMessage').some(isHelp), 'help after the 429');
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.of('chat.postMessage').filter(isHelp)).toHaveLength(1);
    expect(slack.failed.filter((f) => f.status === 429 && f.body.channel === 'DUBEN')).toHaveLength(1);
  });
});

describe('App Home, risk of harm and disputes', () => {
  it('App Home shows my next session and, for the DSL, the overdue counts', async () => {
    await post('/slack/events', event('EvHome1', { type: 'app_home_opened', user: 'UDSL', channel: 'DUDSL', tab: 'home' }));
    const home = await eventually(() => slack.of('views.publish').find((c) => c.body.user_id === 'UDSL'), 'the DSL’s home');
    const view = home.body.view as { type: string; blocks: unknown[] };
    expect(view.type).toBe('home');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(textOf(view)).toContain('Across the school');
    await post('/slack/events', event('EvHome2', { type: 'app_home_opened', user: 'UBEN', channel: 'DUBEN', tab: 'home' }));
    const ben = await eventually(() => slack.of('views.publish').find((c) => c.body.user_id === 'UBEN'), 'Ben’s home');
    expect(textOf(ben.body.view)).not.toContain('Across the school');
  });

  it('a risk of harm flagged from the agenda prompt reaches the DSL at once', async () => {
    const flagged = click('UAMY', 'agenda_flag_risk', sessionId);
    await post('/slack/interactions', flagged.body, 'application/x-www-form-urlencoded');
    const opened = await eventually(() => slack.of('views.open').find((c) => textOf(c.body.view).includes('Send to the DSL now')), 'the risk modal');
    const modal = opened.body.view as { private_metadata: string };
    const res = await post(
      '/slack/interactions',
      interaction({ type: 'view_submission', user: { id: 'UAMY' }, view: { id: 'VRISK', hash: 'hr1', type: 'modal', callback_id: 'agenda_item_modal', private_metadata: modal.private_metadata, state: { values: { text: { v: { type: 'plain_text_input', value: 'A child in my class has unexplained bruises' } }, category: { v: { type: 'static_select', selected_option: { value: 'case-discussion' } } } } } } }),
      'application/x-www-form-urlencoded',
    );
    expect(res.status).toBe(200);
    await eventually(() => slack.of('chat.postMessage').some((c) => c.body.channel === 'DUDSL' && textOf(c.body.blocks).includes('Risk of harm to a child')), 'the escalation in the DSL’s DM');
    expect((await w.deps.escalations.unacknowledged('org-wl')).length).toBeGreaterThan(0);
  });

  it('a change requested by Ben goes to his line manager, as his contract says', async () => {
    w.clock.set(london('2025-12-15T10:00'));
    await w.deps.sessions.insert({ id: 'c-ben.2025-12-15', organisationId: 'org-wl', contractId: 'c-ben', startsAt: london('2025-12-15T09:00'), durationMinutes: 60, status: 'scheduled' });
    const { draftRecord } = await import('../../../src/app/records.js');
    await draftRecord(w.deps, 'sup', { sessionId: 'c-ben.2025-12-15', topics: ['organisational'], notes: 'n', submit: true });
    const recordId = recordIdFor('c-ben.2025-12-15');
    const change = click('UBEN', 'record_request_change', `${recordId}@1`);
    await post('/slack/interactions', change.body, 'application/x-www-form-urlencoded');
    const opened = await eventually(() => slack.of('views.open').find((c) => (c.body.view as { callback_id?: string }).callback_id === 'dispute_modal'), 'the change modal');
    const empty = await post('/slack/interactions', interaction({ type: 'view_submission', user: { id: 'UBEN' }, view: { id: 'VD', hash: 'hd0', type: 'modal', callback_id: 'dispute_modal', private_metadata: (opened.body.view as { private_metadata: string }).private_metadata, state: { values: { reason: { v: { type: 'plain_text_input', value: '   ' } } } } } }), 'application/x-www-form-urlencoded');
    expect(await empty.json()).toEqual({ response_action: 'errors', errors: { reason: 'say what should change' } });
    await post('/slack/interactions', interaction({ type: 'view_submission', user: { id: 'UBEN' }, view: { id: 'VD', hash: 'hd1', type: 'modal', callback_id: 'dispute_modal', private_metadata: (opened.body.view as { private_metadata: string }).private_metadata, state: { values: { reason: { v: { type: 'plain_text_input', value: 'The action owner is wrong' } } } } } }), 'application/x-www-form-urlencoded');
    await eventually(async () => (await w.deps.records.latest(recordId))?.state === 'disputed', 'the disputed record');
    // back to the supervisor first, who may refer it to the person Ben's contract names
    const referButton = await eventually(() => slack.of('chat.update').concat(slack.of('chat.postMessage')).find((c) => c.body.channel === 'DUSUP' && textOf(c.body.blocks).includes('Refer to Helen Head')), 'the supervisor’s Refer button');
    expect(textOf(referButton.body.blocks)).toContain('Edit and resend');
    const refer = click('USUP', 'record_refer', `${recordId}@1`);
    await post('/slack/interactions', refer.body, 'application/x-www-form-urlencoded');
    await eventually(() => slack.of('chat.postMessage').some((c) => c.body.channel === 'DUHEAD' && textOf(c.body.blocks).includes('Record the outcome')), 'the record, with the hearing’s buttons, to the line manager');
  });
});

describe('the bot’s Slack identity', () => {
  it('is fetched once (auth.test), not before every request', () => {
    expect(slack.of('auth.test').length).toBe(1);
  });
});
