/**
 * Fault: the MongoDB-wire server is stopped for 30 seconds in the middle of a batch of confirmations, then
 * started again on the same port and data directory (on DocumentDB: the gateway and PostgreSQL both; and, in a
 * second batch, PostgreSQL alone behind a gateway that keeps running). Jobs fail, retry with back-off and complete once it is
 * back; meanwhile commands are still accepted (acknowledging an interaction needs Redis only), and a bot with
 * Slack and Teams on keeps answering both within their limits (Slack: 3 s; Teams: 5 s before it retries).
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type Queues, startQueues } from '../../../src/queue/queues.js';
import { type RunningService, startMongo } from '../../../scripts/services.js';
import { awaitingRecords, confirmCommands, expectSignedOnce, type PendingRecord, sleep, until } from '../../support/confirmations.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const OUTAGE_MS = 30_000;
const SECRET = 'slack-signing-secret-for-the-outage';
/** Slack shows the person an error when a request is not acknowledged within 3 s; Teams retries after 5 s. */
const SLACK_LIMIT_MS = 3_000;
const TEAMS_LIMIT_MS = 5_000;

let w: World;
let mongo: RunningService;
let dir: string;
let records: PendingRecord[];
let bot: Bot;
let slack: FakeSlack;
let teams: FakeConnector;

function slackCommand(text: string, n: number) {
  const body = new URLSearchParams({ token: 't', team_id: 'T1', api_app_id: 'A1', channel_id: 'DUAMY', user_id: 'UAMY', command: '/supervision', text, trigger_id: `trig${n}`, response_url: `${slack.url}/response/outage${n}` }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return fetch(`${bot.url}/slack/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature },
    body,
    signal: AbortSignal.timeout(SLACK_LIMIT_MS),
  });
}

function teamsActivity(n: number, extra: Record<string, unknown>) {
  const activity = { id: `outage${n}`, timestamp: new Date().toISOString(), channelId: 'msteams', serviceUrl: teams.url, recipient: { id: '28:bot' }, from: { id: '29:amy', aadObjectId: 'aad-amy' }, conversation: { id: 'conv-amy', tenantId: 'tenant-1', conversationType: 'personal' }, ...extra };
  return fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity), signal: AbortSignal.timeout(TEAMS_LIMIT_MS) });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'db-outage-'));
  mongo = await startMongo({ dir, database: 'outage' });
  w = await createWorld('dboutage', { mongoUrl: mongo.url });
  records = await awaitingRecords(w, 20);
  [slack, teams] = await Promise.all([startFakeSlack(), startFakeConnector()]);
  const config = loadConfig({ MONGODB_URI: mongo.url, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl, PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  // Amy has used the bot in Teams before the outage
  expect((await teamsActivity(0, { type: 'message', text: 'help' })).status).toBe(200);
}, 300_000);

afterAll(async () => {
  await bot?.stop();
  await Promise.all([slack?.close(), teams?.close()]);
  await w?.close();
  await mongo?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the DB server stopped for 30 seconds during a batch', () => {
  let queues: Queues;
  afterAll(async () => queues?.close());

  it(
    'Slack and Teams are still answered and commands accepted; jobs retry with back-off and complete once, when it returns',
    async () => {
      if (process.env.MONGODB_URI) return; // an external server is not ours to stop
      queues = await startQueues({ redisUrl: testRedisUrl(), prefix: testQueuePrefix(), deps: w.deps, notifiers: [], logger: createLogger('silent'), concurrency: 4, sweepSeconds: 3600 });
      const commands = confirmCommands('db', records);
      const [early, late] = [commands.slice(0, 16), commands.slice(16)];
      for (const cmd of early) await queues.dispatch(cmd);
      await until('a part of the batch to complete', async () => ((await queues.commands.getJobCounts('completed')).completed ?? 0) >= 4, 600, 50);

      await mongo.stop();
      // the interaction is acknowledged: the command lands on the queue while the DB is down
      for (const cmd of late) await queues.dispatch(cmd);
      expect(await queues.commands.getJob(`j-${late[0]?.commandId}`)).toBeTruthy();
      await until(
        'jobs to fail and wait for a retry',
        async () => (await queues.commands.getDelayed()).some((j) => j.attemptsMade >= 1),
        300,
        100,
      );
      const outageStarted = Date.now();
      // Slack: a command is acknowledged (its work waits on the queue)
      for (let n = 1; n <= 3; n++) expect((await slackCommand(n === 3 ? 'park Follow up the attendance plan' : 'actions', n)).status).toBe(200);
      // Teams: a card action and a typed reply are answered in time, with a card
      const invoke = await teamsActivity(1, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'record.confirm', data: { recordId: 'rec.not-in-this-batch', version: 1 } } } });
      expect(invoke.status).toBe(200);
      expect(((await invoke.json()) as { type: string }).type).toBe('application/vnd.microsoft.card.adaptive');
      expect((await teamsActivity(2, { type: 'message', text: 'next' })).status).toBe(200);
      await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStarted)));
      const waiting = await queues.commands.getJobCounts('completed', 'delayed', 'failed');
      expect(waiting.completed ?? 0).toBeLessThan(commands.length);
      expect(waiting.failed ?? 0).toBe(0);
      const retried = (await queues.commands.getDelayed()).filter((j) => j.attemptsMade >= 1);
      expect(retried.length).toBeGreaterThan(0);
      // exponential back-off: a job that has failed more often waits longer before its next try (a job caught
      // between its promotion and its next failure may show no delay of its own yet; every other one must)
      const timed = retried.filter((j) => j.delay > 0);
      expect(timed.length).toBeGreaterThan(0);
      for (const job of timed) expect(job.delay).toBeGreaterThanOrEqual(500 * 2 ** (job.attemptsMade - 1));

      mongo = await startMongo({ port: mongo.port, dir, database: 'outage' });
      await until('the batch to complete', async () => ((await queues.commands.getJobCounts('completed')).completed ?? 0) >= commands.length, 900, 200);
      expect(await queues.commands.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed')).toMatchObject({ completed: commands.length, failed: 0, active: 0, waiting: 0, delayed: 0 });
      await expectSignedOnce(w, records);
    },
    300_000,
  );
});

describe('DocumentDB: PostgreSQL alone stopped for 30 seconds behind a running gateway', () => {
  it(
    'jobs fail and retry while it is down, and every confirmation is written once when it is back',
    async () => {
      if (process.env.MONGODB_URI || !mongo.database) return; // only a DocumentDB we started has a database of its own to stop
      const more = await awaitingRecords(w, 10, 40);
      const queues = await startQueues({ redisUrl: testRedisUrl(), prefix: testQueuePrefix(), deps: w.deps, notifiers: [], logger: createLogger('silent'), concurrency: 4, sweepSeconds: 3600 });
      try {
        const commands = confirmCommands('pg', more);
        const [early, late] = [commands.slice(0, 8), commands.slice(8)];
        for (const cmd of early) await queues.dispatch(cmd);
        await until('a part of the batch to complete', async () => ((await queues.commands.getJobCounts('completed')).completed ?? 0) >= 2, 600, 50);
        await mongo.database.stop();
        for (const cmd of late) await queues.dispatch(cmd);
        await until('jobs to fail and wait for a retry', async () => (await queues.commands.getDelayed()).some((j) => j.attemptsMade >= 1), 300, 100);
        await sleep(OUTAGE_MS);
        expect((await queues.commands.getJobCounts('failed')).failed ?? 0).toBe(0);
        await mongo.database.start();
        await until('the batch to complete', async () => ((await queues.commands.getJobCounts('completed')).completed ?? 0) >= commands.length, 900, 200);
        expect(await queues.commands.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed')).toMatchObject({ completed: commands.length, failed: 0, active: 0, waiting: 0, delayed: 0 });
        await expectSignedOnce(w, more);
      } finally {
        await queues.close();
      }
    },
    300_000,
  );
});
