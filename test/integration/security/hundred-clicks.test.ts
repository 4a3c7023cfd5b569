import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftRecord } from '../../../src/app/records.js';
import type { RecordSheetView } from '../../../src/app/views.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const SECRET = 'hundred-clicks-secret';
let w: World;
let bot: Bot;
let slack: FakeSlack;
let teams: FakeConnector;

beforeAll(async () => {
  w = await createWorld('clicks');
  slack = await startFakeSlack();
  teams = await startFakeConnector();
  // one process with both channels, as deployed
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent', SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-clicks', SLACK_API_URL: slack.apiUrl });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  w.clock.set(london('2025-11-20T12:00'));
});
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await teams?.close();
  await w?.close();
});

async function recordFor(contract: 'amy' | 'ben', day: string): Promise<string> {
  const sessionId = `${w.contracts[contract].id}.${day}`;
  await w.deps.sessions.insert({ id: sessionId, organisationId: 'org-wl', contractId: w.contracts[contract].id, startsAt: london(`${day}T08:00`), durationMinutes: 60, status: 'scheduled' });
  const result = await draftRecord(w.deps, 'sup', { sessionId, topics: ['performance'], notes: 'n', submit: true });
  return (result as { view: RecordSheetView }).view.recordId;
}

function slackClick(i: number, recordId: string): Promise<Response> {
  const body = new URLSearchParams({
    payload: JSON.stringify({ type: 'block_actions', team: { id: 'T1' }, api_app_id: 'A1', token: 't', trigger_id: `t${i}`, user: { id: 'UAMY' }, response_url: `${slack.url}/response/c${i}`, actions: [{ type: 'button', action_id: 'record_confirm', block_id: 'b', value: `${recordId}@1`, action_ts: `1700000000.${i}` }] }),
  }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return fetch(`${bot.url}/slack/interactions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature }, body });
}

function teamsClick(i: number, recordId: string): Promise<Response> {
  return fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'invoke', name: 'adaptiveCard/action', id: `click-${i}`, timestamp: new Date().toISOString(), channelId: 'msteams', serviceUrl: teams.url,
      from: { id: '29:ben', aadObjectId: 'aad-ben' }, conversation: { id: 'conv-ben', tenantId: 't1' }, recipient: { id: '28:bot' },
      value: { action: { type: 'Action.Execute', verb: 'record.confirm', data: { recordId, version: 1 } } },
    }),
  });
}

async function settled(recordId: string, personId: string) {
  for (let i = 0; i < 300; i++) {
    const r = await w.deps.records.latest(recordId);
    if (r?.confirmations.some((c) => c.personId === personId)) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  // let any duplicate still in flight land before counting
  await bot.runtime.queues.commands.getJobCounts('active', 'waiting').then(async function wait(c): Promise<void> {
    if ((c.active ?? 0) + (c.waiting ?? 0) === 0) return;
    await new Promise((res) => setTimeout(res, 100));
    return wait(await bot.runtime.queues.commands.getJobCounts('active', 'waiting'));
  });
}

describe('a hundred concurrent clicks of the same Confirm', () => {
  it('in Slack: one confirmation, one audit entry', async () => {
    const recordId = await recordFor('amy', '2025-11-18');
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => slackClick(i, recordId)));
    expect(responses.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    await settled(recordId, 'amy');
    expect((await w.deps.records.latest(recordId))?.confirmations.filter((c) => c.personId === 'amy')).toHaveLength(1);
    const audit = (await w.deps.audit.entries('org-wl')).filter((e) => e.subject.id === recordId && e.actorId === 'amy');
    expect(audit.map((e) => e.action)).toEqual(['record.confirmed']);
    expect(await w.deps.audit.verify('org-wl')).toMatchObject({ ok: true });
  });

  it('in Teams: one confirmation, one audit entry', async () => {
    const recordId = await recordFor('ben', '2025-11-19');
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => teamsClick(i, recordId)));
    expect(responses.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    await settled(recordId, 'ben');
    expect((await w.deps.records.latest(recordId))?.confirmations.filter((c) => c.personId === 'ben')).toHaveLength(1);
    const audit = (await w.deps.audit.entries('org-wl')).filter((e) => e.subject.id === recordId && e.actorId === 'ben');
    expect(audit.map((e) => e.action)).toEqual(['record.confirmed']);
    expect(await w.deps.audit.verify('org-wl')).toMatchObject({ ok: true });
  });
});
