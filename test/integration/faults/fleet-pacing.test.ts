/**
 * Fault: three worker processes deliver one morning's notifications to the rate-limited Slack and Teams
 * stand-ins (as P5), and one of them is killed (kill -9) mid-run. The pacing lives in Redis, so the three
 * together keep every platform limit — per Teams tenant and conversation, per Slack workspace, method and DM —
 * where three per-process limiters would each take the whole allowance; the survivors finish the dead worker's
 * jobs; every message arrives exactly once and every outbox row is marked delivered.
 *
 * The kill lands while the stand-ins briefly hold their requests and every send they have answered is marked
 * delivered, so that it falls between two sends and not between a platform's answer and the delivered mark
 * (neither platform takes an idempotency key: a kill there resends that one message, as any at-least-once
 * delivery would; on a loaded machine that gap was measured at several hundred milliseconds).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../../src/app/ports.js';
import type { Person } from '../../../src/domain/types.js';
import { DM_THREAD } from '../../../src/channels/slack/notifier.js';
import { CONVERSATION_THREAD } from '../../../src/channels/teams/notifier.js';
import { createLogger } from '../../../src/logger.js';
import { type Queues, startQueues } from '../../../src/queue/queues.js';
import { type FakeConnector, startFakeConnector, TEAMS_LIMITS } from '../../support/fake-connector.js';
import { type FakeSlack, SLACK_LIMITS, startFakeSlack } from '../../support/fake-slack.js';
import type { Window } from '../../support/rate-windows.js';
import { person } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const WORKERS = 3;
const TENANT = 'tenant-fleet';
/** Teams: 60 people with 4 messages each, one with 12 (its conversation's own limits bind). */
const TEAMS_PEOPLE = 60;
/** Slack: 20 people with 2 messages each (half never messaged before: their DM is opened first), one with 5. */
const SLACK_PEOPLE = 20;

let w: World;
let slack: FakeSlack;
let connector: FakeConnector;
let producer: Queues | undefined;
const expected = new Map<string, { platform: 'slack' | 'teams'; address: string; text: string }>();

beforeAll(async () => {
  w = await createWorld('fleetpacing', { arrange: false });
  slack = await startFakeSlack({ limits: SLACK_LIMITS });
  connector = await startFakeConnector({ limits: TEAMS_LIMITS });
  const messages: OutboxMessage[] = [];
  const add = (p: Person, n: number, platform: 'slack' | 'teams', address: string) => {
    for (let k = 0; k < n; k++) {
      const id = `fleet-${p.id}-${k}`;
      // the bot's own words (no one typed them): a message per reminder
      messages.push({ id, organisationId: 'org-wl', recipientId: p.id, createdAt: w.clock.now(), view: { type: 'text', text: `Reminder ${k + 1} for ${p.id}.` } });
      expected.set(id, { platform, address, text: `Reminder ${k + 1} for ${p.id}.` });
    }
  };
  for (let i = 0; i <= TEAMS_PEOPLE; i++) {
    const p = person(`tm${i}`, ['supervisee'], { identities: { teamsAadObjectId: `aad-tm${i}`, teamsTenantId: TENANT } });
    await w.deps.people.upsert(p);
    const reference = { channelId: 'msteams', serviceUrl: connector.url, bot: { id: '28:bot' }, user: { id: `29:tm${i}` }, conversation: { id: `conv-tm${i}`, tenantId: TENANT, conversationType: 'personal' } };
    await w.deps.deliveries.put(CONVERSATION_THREAD, p.id, 'teams', { reference: JSON.stringify(reference) });
    add(p, i === TEAMS_PEOPLE ? 12 : 4, 'teams', `conv-tm${i}`);
  }
  for (let i = 0; i <= SLACK_PEOPLE; i++) {
    const userId = `UFLEET${i}`;
    const p = person(`sl${i}`, ['supervisee'], { identities: { slackUserId: userId } });
    await w.deps.people.upsert(p);
    if (i % 2 === 0) await w.deps.deliveries.put(DM_THREAD, p.id, 'slack', { channel: `D${userId}`, userId });
    add(p, i === SLACK_PEOPLE ? 5 : 2, 'slack', `D${userId}`);
  }
  await w.deps.outbox.enqueue(messages);
}, 300_000);

interface WorkerProcess {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<void>;
}
const workers: WorkerProcess[] = [];

function spawnWorker(prefix: string): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], {
    env: {
      ...process.env, MONGO_URL: w.mongoUrl, REDIS_URL: testRedisUrl(), PREFIX: prefix, CONCURRENCY: '20', CLOCK_AT: w.clock.now().toISOString(),
      SLACK_API_URL: slack.apiUrl, TEAMS: '1',
      // a message may wait its turn for many seconds; a lock renewal late on a busy machine would hand the job to
      // a second worker while the first still holds it
      LOCK_MS: '10000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code, signal) => reject(new Error(`worker exited before ready (${code ?? signal})`)));
  });
  ready.catch(() => undefined);
  return { child, ready, exited };
}

afterAll(async () => {
  for (const wk of workers) if (wk.child.exitCode === null && wk.child.signalCode === null) wk.child.kill('SIGKILL');
  await Promise.all(workers.map((wk) => wk.exited));
  await producer?.close();
  await Promise.all([slack?.close(), connector?.close()]);
  await w?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const maxInAnyWindow = (times: number[], windowMs: number) => {
  let max = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while ((times[i] as number) <= (times[j] as number) - windowMs) i++;
    max = Math.max(max, j - i + 1);
  }
  return max;
};
/** The most requests any key sent inside any of its windows, over the limit (0: every limit kept). */
function overLimit(byKey: Map<string, number[]>, windows: Window[]): number {
  let over = 0;
  for (const times of byKey.values()) {
    const sorted = [...times].sort((a, b) => a - b);
    for (const win of windows) over = Math.max(over, maxInAnyWindow(sorted, win.windowMs) - win.limit);
  }
  return over;
}
const group = <T>(items: T[], key: (t: T) => string, at: (t: T) => number) => {
  const map = new Map<string, number[]>();
  for (const it of items) map.set(key(it), [...(map.get(key(it)) ?? []), at(it)]);
  return map;
};

describe('three worker processes sharing the platform pacing, one killed mid-run', () => {
  it(
    'together they keep every limit, none lost, none doubled, and the survivors finish',
    async () => {
      const prefix = testQueuePrefix();
      for (let i = 0; i < WORKERS; i++) workers.push(spawnWorker(prefix));
      await Promise.all(workers.map((wk) => wk.ready));
      producer = await startQueues({ redisUrl: testRedisUrl(), prefix, deps: w.deps, notifiers: [], logger: createLogger('silent'), workers: false, sweepSeconds: 3600 });
      expect(await producer.flushOutbox()).toBe(expected.size);

      const teamsSends = () => connector.calls.filter((c) => c.kind !== 'update');
      const slackPosts = () => slack.of('chat.postMessage');
      const delivered = () => teamsSends().length + slackPosts().length;
      // how many times each message has reached its platform, where it was meant to go
      const arrived = () => {
        const got = new Map<string, number>();
        for (const c of teamsSends()) {
          const text = JSON.stringify(c.body);
          for (const [id, e] of expected) if (e.platform === 'teams' && e.address === c.conversationId && text.includes(e.text)) got.set(id, (got.get(id) ?? 0) + 1);
        }
        for (const c of slackPosts()) {
          for (const [id, e] of expected) if (e.platform === 'slack' && e.address === c.body.channel && String(c.body.text).includes(e.text)) got.set(id, (got.get(id) ?? 0) + 1);
        }
        return got;
      };
      // mid-run: a third of the messages out
      for (let i = 0; i < 600 && delivered() < expected.size / 3; i++) await sleep(100);
      expect(delivered()).toBeLessThan(expected.size);
      slack.hold();
      connector.hold();
      // every message the platforms have answered is marked delivered, each by its own row (a count of rows could
      // be made up by others): the kill cannot fall between the two
      const unmarked = async () => {
        const answered = [...arrived().keys()];
        return answered.length - (await w.store.models.outbox.countDocuments({ _id: { $in: answered }, status: 'delivered' }));
      };
      for (let i = 0; i < 300 && (await unmarked()) > 0; i++) await sleep(100);
      expect(await unmarked()).toBe(0);
      const victim = workers[1] as WorkerProcess;
      victim.child.kill('SIGKILL');
      await victim.exited;
      await sleep(200);
      slack.release();
      connector.release();

      for (let i = 0; i < 1_200; i++) {
        if ((await w.store.models.outbox.countDocuments({ status: 'delivered' })) === expected.size) break;
        await sleep(250);
      }
      expect(await w.store.models.outbox.countDocuments({ status: 'delivered' })).toBe(expected.size);

      // every message exactly once, where it was meant to go
      const got = arrived();
      const lost = [...expected.keys()].filter((id) => !got.has(id));
      const doubled = [...got.entries()].filter(([, n]) => n > 1).map(([id]) => id);
      expect(lost).toEqual([]);
      expect(doubled).toEqual([]);
      expect(teamsSends()).toHaveLength([...expected.values()].filter((e) => e.platform === 'teams').length);
      expect(slackPosts()).toHaveLength([...expected.values()].filter((e) => e.platform === 'slack').length);
      // a DM channel stored is never opened again, whichever worker sends
      const opens = slack.of('conversations.open').map((c) => Number(String(c.body.users).replace('UFLEET', '')));
      expect(opens.filter((i) => i % 2 === 0)).toEqual([]);

      // the three kept every limit together: what the platforms accepted is within each window, and the
      // platforms hardly had to say 429 (three processes pacing alone would send three times the allowance)
      expect(overLimit(group(teamsSends(), () => TENANT, (c) => c.at), TEAMS_LIMITS.perTenant)).toBe(0);
      expect(overLimit(group(connector.calls, (c) => c.conversationId, (c) => c.at), TEAMS_LIMITS.perConversation)).toBe(0);
      expect(overLimit(group(slackPosts(), () => 'T', (c) => c.at), SLACK_LIMITS.workspace)).toBe(0);
      expect(overLimit(group(slackPosts(), (c) => String(c.body.channel), (c) => c.at), SLACK_LIMITS.perChannel)).toBe(0);
      const teamsRequests = connector.calls.length + connector.limited.length;
      const slackRequests = slack.calls.length + slack.throttled.length;
      console.log(`fleet pacing: teams ${connector.limited.length} 429s of ${teamsRequests}, slack ${slack.throttled.length} of ${slackRequests}; dropped at the kill ${slack.dropped + connector.dropped}`);
      expect(connector.limited.length / teamsRequests).toBeLessThan(0.02);
      expect(slack.throttled.length / slackRequests).toBeLessThan(0.02);
    },
    420_000,
  );
});
