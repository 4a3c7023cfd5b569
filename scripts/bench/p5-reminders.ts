/**
 * P5: 10,000 reminders due in the same minute, delivered by the bot in its own process (as deployed) to local
 * stand-ins for Slack's Web API and the Bot Framework connector that enforce the platforms' rate limits and
 * answer 429 with Retry-After past them. Target: each platform delivered at ≥ 90 % of the rate its binding
 * limit allows (deliveries/s from its first delivery to its last), no 429 storm (< 1 % of requests answered
 * 429), none lost (every reminder delivered exactly once, every outbox row marked delivered).
 *
 * The school: `P5_REMINDERS` people (default 2,000; the full run is 10,000) in one-to-one contracts, each
 * contract's session tomorrow with its day-before reminder (to both parties) due at the same instant — one
 * reminder message per person. Half the people are on Slack, half on Teams (one Slack and one Teams person in
 * every pair of contracts). Each person gets one message, so the binding limits are Slack's per-workspace
 * chat.postMessage limit (`P5_SLACK_PER_MINUTE`, default 300) and Teams' per-tenant limit (`P5_TEAMS_PER_SECOND`,
 * default 50). The bot starts on an empty store; the school is then written in bulk and its reminders put on
 * the bot's reminders queue as delayed jobs, as the bot schedules them when sessions are booked (start-up
 * rebuilding is P6's subject). The Slack people have had a message from the bot before (the week's notice), so
 * their DM channel ids are stored; `P5_SLACK_DM_KNOWN=0` starts without them, when conversations.open (Tier 3,
 * 50 a minute) binds instead. `P5_PROFILE=<dir>` writes a CPU profile of the bot.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { loadConfig } from '../../src/config.js';
import { demoTermDates } from '../../src/demo/school.js';
import type { Organisation } from '../../src/domain/types.js';
import { jobIdFor, redisConnection } from '../../src/queue/redis.js';
import { connectStore } from '../../src/store/connection.js';
import { startFakeConnector, TEAMS_LIMITS } from '../../test/support/fake-connector.js';
import { SLACK_LIMITS, startFakeSlack } from '../../test/support/fake-slack.js';
import { freePort, startMongo, startRedis, waitForPort } from '../services.js';
import { type BenchResult, round } from './result.js';

const REMINDERS = Number(process.env.P5_REMINDERS ?? 2_000);
const SLACK_PER_MINUTE = Number(process.env.P5_SLACK_PER_MINUTE ?? 300);
const TEAMS_PER_SECOND = Number(process.env.P5_TEAMS_PER_SECOND ?? 50);
/** Seconds between the end of seeding and the instant every reminder falls due. */
const LEAD_SECONDS = Number(process.env.P5_LEAD_SECONDS ?? 15);
/** Give up when nothing new has been delivered for this long. */
const STALL_SECONDS = Number(process.env.P5_STALL_SECONDS ?? 180);
const DM_KNOWN = process.env.P5_SLACK_DM_KNOWN !== '0';
const PREFIX = 'p5';
const TENANT = '00000000-0000-4000-8000-0000000b5000';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const onSlack = (i: number) => i % 4 === 0 || i % 4 === 3;

export async function run(): Promise<BenchResult[]> {
  if (REMINDERS % 2 !== 0) throw new Error('P5_REMINDERS must be even (two parties to each contract)');
  const slackLimits = {
    ...SLACK_LIMITS,
    workspace: [
      { limit: SLACK_PER_MINUTE, windowMs: 60_000 },
      { limit: Math.max(1, Math.ceil(SLACK_PER_MINUTE / 30)), windowMs: 1_000 },
    ],
  };
  const teamsLimits = { ...TEAMS_LIMITS, perTenant: [{ limit: TEAMS_PER_SECOND, windowMs: 1_000 }] };
  const [mongo, redis] = await Promise.all([startMongo({ database: 'p5' }), startRedis()]);
  const slack = await startFakeSlack({ limits: slackLimits });
  const connector = await startFakeConnector({ limits: teamsLimits });
  const store = await connectStore(mongo.url);
  let bot: ChildProcess | undefined;
  const logCounts = new Map<string, number>();
  try {
    const org: Organisation = {
      id: 'trust', name: 'Aire Valley Learning Trust', kind: 'trust', timezone: 'Europe/London', termDates: demoTermDates(),
      supportContacts: [], dslIds: ['p0'], deputyDslIds: [], headteacherId: 'p0', overdueGraceDays: 0, reminderTime: '08:30',
    };
    await store.stores.organisations.upsert(org);

    const port = await freePort();
    const env = {
      ...process.env,
      MONGODB_URI: mongo.url, REDIS_URL: redis.url, PORT: String(port), HOST: '127.0.0.1', PLAYGROUND: 'off', LOG_LEVEL: 'info', QUEUE_PREFIX: PREFIX,
      SLACK_SIGNING_SECRET: 'p5-signing-secret', SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_API_URL: slack.apiUrl,
    };
    loadConfig(env);
    const profile = process.env.P5_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.P5_PROFILE}`] : [];
    bot = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    bot.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const entry = JSON.parse(line) as { msg?: string; status?: number; queue?: string; err?: string };
          const key = [entry.msg ?? '?', entry.status, entry.queue, entry.err?.slice(0, 80)].filter((x) => x !== undefined).join(' ');
          logCounts.set(key, (logCounts.get(key) ?? 0) + 1);
        } catch {
          // not a log line
        }
      }
    });
    await waitForPort(port, 120_000);

    // the school, written in bulk (FerretDB takes milliseconds a round trip)
    const seedStarted = performance.now();
    const tomorrow = new Date(Date.now() + 86_400_000);
    const people: Record<string, unknown>[] = [];
    const deliveries: Record<string, unknown>[] = [];
    for (let i = 0; i < REMINDERS; i++) {
      const id = `p${i}`;
      const identities = onSlack(i) ? { slackUserId: `U${String(i).padStart(6, '0')}` } : { teamsAadObjectId: `aad-${i}`, teamsTenantId: TENANT };
      people.push({ _id: id, organisationId: 'trust', name: `Staff ${i}`, email: `${id}@trust.example`, identities, roles: i % 2 === 0 ? ['supervisor'] : ['supervisee'] });
      if (onSlack(i) && DM_KNOWN) {
        const userId = (identities as { slackUserId: string }).slackUserId;
        deliveries.push({ _id: `slack|${id}|slack-dm`, ref: { channel: `D${userId}`, userId } });
      }
      if (!onSlack(i)) {
        const reference = {
          activityId: `seed-${i}`, channelId: 'msteams', serviceUrl: connector.url, locale: 'en-GB',
          user: { id: `29:${id}`, aadObjectId: `aad-${i}` }, bot: { id: '28:bot', name: 'Supervision' },
          conversation: { id: `a:conv-${id}`, tenantId: TENANT, conversationType: 'personal' },
        };
        deliveries.push({ _id: `teams|${id}|teams-conversation`, ref: { reference: JSON.stringify(reference) } });
      }
    }
    const contracts: Record<string, unknown>[] = [];
    const sessions: Record<string, unknown>[] = [];
    const reminders: Array<Record<string, unknown> & { _id: string }> = [];
    for (let k = 0; k < REMINDERS / 2; k++) {
      const [supervisor, supervisee] = [`p${2 * k}`, `p${2 * k + 1}`];
      contracts.push({
        _id: `c${k}`, organisationId: 'trust', kind: 'one-to-one', level: 1, external: false, supervisorIds: [supervisor], superviseeIds: [supervisee],
        cadence: { kind: 'every-n-weeks', weeks: 4 }, onRequest: false, durationMinutes: 60, location: 'Meeting room', format: 'face-to-face', noticeDays: 7,
        agendaTemplate: 'general', preferredTime: '15:45', startDate: '2025-09-01', reviewDueDate: '2027-09-01', signatures: [], disputeRoute: 'safeguarding-governor', active: true,
      });
      const sessionId = `c${k}.bench`;
      sessions.push({ _id: sessionId, organisationId: 'trust', contractId: `c${k}`, startsAt: tomorrow, durationMinutes: 60, status: 'scheduled' });
      reminders.push({ _id: `day-before:${sessionId}`, organisationId: 'trust', kind: 'day-before', subjectId: sessionId, recipientIds: [supervisor, supervisee], sent: false });
    }
    const chunk = 2_000;
    for (let i = 0; i < REMINDERS; i += chunk) {
      await store.models.people.insertMany(people.slice(i, i + chunk), { ordered: false });
      await store.models.contracts.insertMany(contracts.slice(i / 2, (i + chunk) / 2), { ordered: false });
      await store.models.sessions.insertMany(sessions.slice(i / 2, (i + chunk) / 2), { ordered: false });
    }
    for (let i = 0; i < deliveries.length; i += chunk) await store.models.deliveries.insertMany(deliveries.slice(i, i + chunk), { ordered: false });
    const seedMs = round(performance.now() - seedStarted, 0);

    // every reminder falls due at the same instant, a little after its delayed job is queued
    const dueAt = new Date(Date.now() + LEAD_SECONDS * 1000 + 5_000);
    for (let i = 0; i < reminders.length; i += chunk) {
      await store.models.reminders.insertMany(reminders.slice(i, i + chunk).map((r) => ({ ...r, dueAt })), { ordered: false });
    }
    const queue = new Queue('reminders', { connection: redisConnection(redis.url), prefix: PREFIX });
    for (let i = 0; i < reminders.length; i += 500) {
      const now = Date.now();
      await queue.addBulk(
        reminders.slice(i, i + 500).map((r) => ({
          name: 'day-before',
          data: { reminderId: r._id },
          opts: { jobId: jobIdFor(r._id), delay: Math.max(0, dueAt.getTime() - now), attempts: 20, backoff: { type: 'exponential' as const, delay: 1000 }, removeOnComplete: { age: 30 * 24 * 3600 }, removeOnFail: { age: 30 * 24 * 3600 } },
        })),
      );
    }
    await queue.close();
    process.stderr.write(`# P5: ${REMINDERS} people, ${reminders.length} reminder rows seeded in ${seedMs} ms; due in ${round((dueAt.getTime() - Date.now()) / 1000, 1)} s\n`);

    // wait until every expected delivery has arrived, or nothing has moved for STALL_SECONDS
    const slackExpected = people.filter((_, i) => onSlack(i)).length;
    const teamsExpected = REMINDERS - slackExpected;
    const slackPosts = () => slack.of('chat.postMessage');
    // a stored conversation reference carries the activity it came from, so proactive messages arrive as replies
    const teamsSends = () => connector.calls.filter((c) => c.kind !== 'update');
    let lastCount = -1;
    let lastMove = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 1_000));
      const count = slackPosts().length + teamsSends().length;
      if (count !== lastCount) {
        lastCount = count;
        lastMove = Date.now();
      }
      if (Date.now() > dueAt.getTime() && (Date.now() - dueAt.getTime()) % 30_000 < 1_000) {
        process.stderr.write(`# P5: ${round((Date.now() - dueAt.getTime()) / 1000, 0)} s after due: slack ${slackPosts().length}/${slackExpected}, teams ${teamsSends().length}/${teamsExpected}, 429s ${slack.throttled.length}+${connector.limited.length}\n`);
      }
      if (count >= REMINDERS || Date.now() - lastMove > STALL_SECONDS * 1000) break;
    }
    await new Promise((r) => setTimeout(r, 3_000)); // let the outbox catch up with the last sends
    const delivered = await store.models.outbox.countDocuments({ status: 'delivered' });
    const outboxRows = await store.models.outbox.countDocuments({});

    const perPlatform = (name: 'slack' | 'teams', times: number[], recipients: string[], expected: string[], throttled: number, requests: number, allowedPerSecond: number) => {
      const counts = new Map<string, number>();
      for (const r of recipients) counts.set(r, (counts.get(r) ?? 0) + 1);
      const lost = expected.filter((r) => !counts.has(r)).length;
      const duplicated = [...counts.values()].filter((n) => n > 1).reduce((a, n) => a + n - 1, 0);
      times.sort((a, b) => a - b);
      const first = times[0] ?? Number.NaN;
      const last = times.at(-1) ?? Number.NaN;
      const seconds = (last - first) / 1000;
      const rate = times.length > 1 ? (times.length - 1) / seconds : Number.NaN;
      const share = (rate / allowedPerSecond) * 100;
      const throttledShare = requests > 0 ? (throttled / requests) * 100 : 0;
      return { name, delivered: times.length, expected: expected.length, lost, duplicated, rate: round(rate, 2), allowed: allowedPerSecond, share: round(share, 1), throttled, requests, throttledShare: round(throttledShare, 2), seconds: round(seconds, 1), firstAfterDueMs: round(first - dueAt.getTime(), 0), lastAfterDueMs: round(last - dueAt.getTime(), 0) };
    };
    const slackOpens = slack.of('conversations.open').length;
    const s = perPlatform(
      'slack',
      slackPosts().map((c) => c.at),
      slackPosts().map((c) => String(c.body.channel).replace(/^D/, '')),
      people.filter((_, i) => onSlack(i)).map((p) => String((p.identities as { slackUserId: string }).slackUserId)),
      slack.throttled.length,
      slack.calls.filter((c) => c.method !== 'auth.test').length + slack.throttled.length,
      // each Slack person's first message waits on conversations.open (Tier 3) when no DM channel is stored
      DM_KNOWN ? SLACK_PER_MINUTE / 60 : Math.min(SLACK_PER_MINUTE, (SLACK_LIMITS.methods['conversations.open']?.[0]?.limit ?? 50)) / 60,
    );
    const t = perPlatform(
      'teams',
      teamsSends().map((c) => c.at),
      teamsSends().map((c) => c.conversationId.replace(/^a:conv-/, '')),
      people.filter((_, i) => !onSlack(i)).map((p) => String(p._id)),
      connector.limited.length,
      connector.calls.length + connector.limited.length,
      TEAMS_PER_SECOND,
    );
    const lost = s.lost + t.lost + (outboxRows - delivered) + (REMINDERS - outboxRows);
    const duplicated = s.duplicated + t.duplicated;
    const logs = Object.fromEntries([...logCounts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12));
    const describe = (p: typeof s) =>
      `${p.name} ${p.delivered}/${p.expected} at ${p.rate}/s over ${p.seconds} s = ${p.share} % of ${round(p.allowed, 2)}/s, ${p.throttled} 429s of ${p.requests} requests (${p.throttledShare} %), first ${p.firstAfterDueMs} ms and last ${p.lastAfterDueMs} ms after due`;
    const common = { slackDmKnown: DM_KNOWN, reminders: REMINDERS, reminderRows: reminders.length, outboxRows, outboxDelivered: delivered, lost, duplicated, slackConversationsOpen: slackOpens, seedMs, logs };
    const ok = (p: typeof s) => p.share >= 90 && p.throttledShare < 1 && p.lost === 0 && p.duplicated === 0;
    const worst = Math.min(s.share, t.share);
    return [
      {
        id: 'P5', value: round(worst, 1), unit: '% of allowed rate', target: '>= 90, < 1 % 429s, none lost', pass: ok(s) && ok(t) && lost === 0,
        measured: `${REMINDERS} reminders due at one instant through the bot (own process) to rate-limited Slack and Teams stand-ins: ${describe(s)}; ${describe(t)}; ${lost} lost, ${duplicated} duplicated, outbox ${delivered}/${outboxRows} delivered; ${slackOpens} conversations.open`,
        ...common,
      },
      { id: 'P5-slack', value: s.share, unit: '% of allowed rate', target: '>= 90', pass: ok(s), measured: describe(s), ...s },
      { id: 'P5-teams', value: t.share, unit: '% of allowed rate', target: '>= 90', pass: ok(t), measured: describe(t), ...t },
    ];
  } finally {
    if (bot && bot.exitCode === null && bot.signalCode === null) {
      const child = bot;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await store.close();
    await Promise.all([slack.close(), connector.close()]);
    await Promise.all([mongo.stop(), redis.stop()]);
  }
}
