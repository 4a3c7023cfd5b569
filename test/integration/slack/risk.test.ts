/**
 * Risk of harm after the fact, from Slack: a "Risk of harm" button beside each agenda item and record concern
 * not yet flagged; a click from a party or the DSL reaches the DSL and deputies at once; anyone else is refused
 * and nothing is raised; with nobody in the bot to hear it the person is told to phone their DSL, and the
 * escalation is kept and goes to whoever is named next. And the DSL opens a signed record with
 * `/supervision correct <name>` and starts its correction through the record's "Correct the record" modal.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitAgendaItem } from '../../../src/app/agenda.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { writtenWithoutFlags } from '../../support/loops.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';
import { eventually } from '../../support/eventually.js';

const SECRET = 'slack-signing-secret-for-risk';
let w: World;
let slack: FakeSlack;
let bot: Bot;
let written: Awaited<ReturnType<typeof writtenWithoutFlags>>;
let n = 0;

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
const responseTo = (id: string) => eventually(() => slack.responses.find((r) => r.path === id), `the answer to ${id}`);
const dmTo = (channel: string, has: string) => [...slack.of('chat.postMessage'), ...slack.of('chat.update')].filter((c) => c.body.channel === channel && text(c.body.blocks).includes(has));


beforeAll(async () => {
  w = await createWorld('slack_risk');
  slack = await startFakeSlack();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl, PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  written = await writtenWithoutFlags(w);
  await bot.runtime.queues.flushOutbox();
});
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

describe('risk of harm after the fact, from Slack', () => {
  it('each agenda item not yet flagged has a Risk of harm button, with a confirmation', async () => {
    const next = await responseTo(await command('UAMY', 'next'));
    expect(text(next.body.blocks)).toContain(`"action_id":"agenda_item_flag_risk","value":"${written.agendaItemId}"`);
    expect(text(next.body.blocks)).toContain('Risk of harm to a child?');
  });

  it('a stranger, the headteacher (not a party) and a bad value are refused, and nothing is raised', async () => {
    expect(text((await responseTo(await click('USTRANGER', 'agenda_item_flag_risk', written.agendaItemId))).body)).toContain('Sorry');
    expect(text((await responseTo(await click('UHEAD', 'agenda_item_flag_risk', written.agendaItemId))).body)).toContain('Sorry');
    expect(text((await responseTo(await click('UHEAD', 'record_concern_flag_risk', `${written.recordId}#${written.concernId}`))).body)).toContain('Sorry');
    expect(String((await responseTo(await click('UAMY', 'agenda_item_flag_risk', '<!channel>'))).body.text)).toMatch(/^value:/);
    expect(String((await responseTo(await click('UAMY', 'record_concern_flag_risk', `${written.recordId}#x`))).body.text)).toMatch(/^value:/);
    expect(await w.deps.escalations.unacknowledged('org-wl')).toEqual([]);
  });

  it('the supervisee flags her agenda item: told who has it; the DSL gets it at once, with the text', async () => {
    const answer = await responseTo(await click('UAMY', 'agenda_item_flag_risk', written.agendaItemId));
    expect(text(answer.body.blocks)).toContain('went to Dee Lead and Deputy Dan');
    await bot.runtime.queues.flushOutbox();
    const [card] = await eventually(() => dmTo('DUDSL', 'Risk of harm to a child').length > 0 && dmTo('DUDSL', 'Risk of harm to a child'), 'the DSL’s card');
    expect(text(card?.body.blocks)).toContain('keeps coming in with bruises');
    expect(text(card?.body.blocks)).toContain('escalation_acknowledge');
    const escalation = await w.deps.escalations.get(`esc.agenda-item.${written.agendaItemId}`);
    expect(escalation?.notifiedIds.sort()).toEqual(['deputy', 'dsl']);
    // shown as flagged from now on: no button beside it
    const next = await responseTo(await command('UAMY', 'next'));
    expect(text(next.body.blocks)).not.toContain('agenda_item_flag_risk');
  });

  it('the signed record shows a button beside its concern; the DSL flags it and it is raised once', async () => {
    const button = `"action_id":"record_concern_flag_risk","value":"${written.recordId}#${written.concernId}"`;
    await eventually(() => dmTo('DUBEN', 'scared to go home').some((c) => text(c.body.blocks).includes(button)), 'the signed record, with the button beside its concern');
    const answer = await responseTo(await click('UDSL', 'record_concern_flag_risk', `${written.recordId}#${written.concernId}`));
    expect(text(answer.body.blocks)).toContain('What you flagged went to');
    const again = await responseTo(await click('UBEN', 'record_concern_flag_risk', `${written.recordId}#${written.concernId}`));
    expect(text(again.body.blocks)).toContain('What you flagged went to');
    const open = await w.deps.escalations.unacknowledged('org-wl');
    expect(open.filter((e) => e.source.kind === 'record-concern').map((e) => [e.id, e.subjectPersonId])).toEqual([[`esc.record-concern.${written.recordId}.${written.concernId}`, 'ben']]);
    // the signed record itself is unchanged
    expect((await w.deps.records.latest(written.recordId))?.concerns[0]?.riskOfHarm).toBe(false);
  });

  it('with no DSL, deputy or headteacher in the bot: "phone your DSL now", kept, and sent to whoever is named next', async () => {
    await w.deps.organisations.upsert({ ...w.org, dslIds: [], deputyDslIds: [], headteacherId: undefined });
    const added = await submitAgendaItem(w.deps, 'amy', { key: 'slack-risk.unheard', text: 'A parent arrived at pick-up smelling strongly of alcohol' });
    expect(added.ok).toBe(true);
    const answer = await responseTo(await click('UAMY', 'agenda_item_flag_risk', 'slack-risk.unheard.0'));
    expect(text(answer.body.blocks)).toContain('Phone your DSL now');
    expect(text(answer.body.blocks)).toContain('kept and goes to whoever is named next');
    const kept = await w.deps.escalations.get('esc.agenda-item.slack-risk.unheard.0');
    expect(kept?.notifiedIds).toEqual([]);

    // a DSL is named again; the next flag takes the waiting one with it
    await w.deps.organisations.upsert({ ...w.org, deputyDslIds: [], headteacherId: undefined });
    expect((await submitAgendaItem(w.deps, 'amy', { key: 'slack-risk.after', text: 'A second item flagged once a DSL is named' })).ok).toBe(true);
    expect(text((await responseTo(await click('UAMY', 'agenda_item_flag_risk', 'slack-risk.after.0'))).body.blocks)).toContain('went to Dee Lead');
    expect((await w.deps.escalations.get('esc.agenda-item.slack-risk.unheard.0'))?.notifiedIds).toEqual(['dsl']);
    await bot.runtime.queues.flushOutbox();
    await eventually(() => dmTo('DUDSL', 'smelling strongly of alcohol').length > 0, 'the waiting escalation reaching the DSL');
    await w.deps.organisations.upsert(w.org);
  });
});

describe('the DSL starts a correction from Slack', () => {
  it('`/supervision correct ben` answers with his signed record and "Correct the record"; its modal starts it; others are refused', async () => {
    const shown = await responseTo(await command('UDSL', 'correct ben'));
    expect(text(shown.body.blocks)).toContain(`"action_id":"record_correct","value":"${written.recordId}@1"`);
    expect(text((await responseTo(await command('UAMY', 'correct ben'))).body)).toContain('for its supervisor, the DSL or a deputy');
    expect(text((await responseTo(await command('UAMY', 'correct ben'))).body)).not.toContain(written.recordId);
    expect(String((await responseTo(await command('UDSL', 'correct'))).body.text)).toMatch(/^text: say whose record/);

    const opened = slack.of('views.open').length;
    await click('UDSL', 'record_correct', `${written.recordId}@1`);
    const view = await eventually(() => slack.of('views.open').slice(opened).find((c) => (c.body.view as { callback_id?: string }).callback_id === 'record_correct_modal'), 'the correction modal');
    const meta = (view.body.view as { private_metadata: string }).private_metadata;
    const submission = { type: 'view_submission', team: { id: 'T1' }, api_app_id: 'A1', token: 't', trigger_id: `trig${++n}`, user: { id: 'UDSL' }, view: { id: `V${n}`, hash: `h${n}`, type: 'modal', callback_id: 'record_correct_modal', private_metadata: meta, state: { values: { reason: { v: { type: 'plain_text_input', value: 'The family worker is named wrongly in the plan' } } } } } };
    expect((await post('/slack/interactions', form({ payload: JSON.stringify(submission) }))).status).toBe(200);
    await eventually(async () => (await w.deps.records.latest(written.recordId))?.version === 2, 'the correction started');
    expect((await w.deps.records.latest(written.recordId))?.correction?.byId).toBe('dsl');
    expect((await w.deps.records.version(written.recordId, 1))?.state).toBe('signed');
  });
});
