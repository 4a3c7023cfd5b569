import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNextSession } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';
import { eventually } from '../../support/eventually.js';

// The deployment in two processes: a web process that only verifies, acknowledges and enqueues, and a worker
// process that runs the queues. Here both run in the test process, on the same Redis and database.
const SECRET = 'slack-roles-secret';
let w: World;
let slack: FakeSlack;
let web: Bot;
let worker: Bot;
let sessionId = '';
let n = 0;

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
async function post(path: string, body: string) {
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return fetch(`${web.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature }, body });
}
const command = (user: string, name: string, text: string) => {
  const id = `roles${++n}`;
  return { id, body: form({ token: 't', team_id: 'T1', api_app_id: 'A1', channel_id: `D${user}`, user_id: user, command: name, text, trigger_id: `trig-roles${n}`, response_url: `${slack.url}/response/${id}` }) };
};
const click = (user: string, actionId: string, value: string) =>
  form({
    payload: JSON.stringify({ type: 'block_actions', team: { id: 'T1' }, api_app_id: 'A1', token: 't', trigger_id: `trig-roles${++n}`, user: { id: user }, response_url: `${slack.url}/response/roles${n}`, actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: `${Date.now()}.${n}` }] }),
  });


beforeAll(async () => {
  w = await createWorld('slack-roles');
  slack = await startFakeSlack();
  const env = {
    MONGODB_URI: w.mongoUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-roles',
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    PLAYGROUND: 'off',
    LOG_LEVEL: 'silent',
  };
  web = await startBot(loadConfig({ ...env, ROLE: 'web' }), createLogger('silent'), { clock: w.clock });
  worker = await startBot(loadConfig({ ...env, ROLE: 'worker' }), createLogger('silent'), { clock: w.clock });
  sessionId = (await ensureNextSession(w.deps, w.org, w.contracts.amy))!.id;
});
afterAll(async () => {
  await web?.stop();
  await worker?.stop();
  await slack?.close();
  await w?.close();
});

describe('ROLE', () => {
  it('is validated: anything but all, web or worker stops the process naming it', () => {
    expect(loadConfig({}).ROLE).toBe('all');
    expect(() => loadConfig({ ROLE: 'both' })).toThrow(ConfigError);
    expect(() => loadConfig({ ROLE: 'both' })).toThrow(/ROLE/);
  });

  it('a web process runs no workers; a worker process serves only /healthz', async () => {
    expect(web.runtime.workers).toBe(false);
    expect(worker.runtime.workers).toBe(true);
    expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${worker.url}/slack/commands`, { method: 'POST' })).status).toBe(404);
  });
});

describe('Slack across a web and a worker process', () => {
  it('the web process acknowledges; the worker answers the command', async () => {
    const c = command('UDSL', '/overdue', '');
    expect((await post('/slack/commands', c.body)).status).toBe(200);
    const reply = await eventually(() => slack.responses.find((r) => r.path === c.id), 'the overdue reply');
    expect(reply.body.response_type).toBe('ephemeral');
    expect(JSON.stringify(reply.body.blocks)).toContain('Overdue');
  });

  it('a record sheet opens at once for the trigger and the worker fills it in', async () => {
    expect((await post('/slack/interactions', click('USUP', 'record_open_modal', sessionId))).status).toBe(200);
    const opened = await eventually(() => slack.of('views.open').find((c) => JSON.stringify(c.body.view).includes('Opening the record sheet')), 'the modal opened');
    const updated = await eventually(() => slack.of('views.update').find((c) => (c.body.view as { callback_id?: string }).callback_id === 'record_modal'), 'the record modal');
    expect(updated.at).toBeGreaterThanOrEqual(opened.at);
    // the modal carries its session and the rules it is checked by at the acknowledgement
    expect((JSON.parse((updated.body.view as { private_metadata: string }).private_metadata) as { s: string }).s).toBe(sessionId);
    expect(String(updated.body.view_id)).toMatch(/^V/);
  });

  it('/supervision record with nothing to record says so in the modal and in the reply', async () => {
    const c = command('UAMY', '/supervision', 'record');
    await post('/slack/commands', c.body);
    const reply = await eventually(() => slack.responses.find((r) => r.path === c.id), 'the reply');
    expect(JSON.stringify(reply.body)).toContain('no session waiting for a record');
    await eventually(() => slack.of('views.update').find((u) => JSON.stringify(u.body.view).includes('no session waiting for a record')), 'the modal says so');
  });
});
