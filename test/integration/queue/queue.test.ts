import { type ChildProcess, spawn } from 'node:child_process';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../../src/app/commands.js';
import { draftRecord } from '../../../src/app/records.js';
import type { RecordSheetView } from '../../../src/app/views.js';
import { createLogger } from '../../../src/logger.js';
import { type Queues, startQueues, streamEnd } from '../../../src/queue/queues.js';
import { jobIdFor, redisConnection } from '../../../src/queue/redis.js';
import { eventually } from '../../support/eventually.js';
import { recordingNotifier } from '../../support/recording-notifier.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let mongoUrl: string;
const logger = createLogger('silent');

async function sentRecord(sessionDay: string, superviseeContract: 'amy' | 'ben' = 'amy'): Promise<string> {
  const contractId = w.contracts[superviseeContract].id;
  const sessionId = `${contractId}.${sessionDay}`;
  await w.deps.sessions.insert({ id: sessionId, organisationId: 'org-wl', contractId, startsAt: london(`${sessionDay}T08:00`), durationMinutes: 60, status: 'scheduled' });
  const result = await draftRecord(w.deps, 'sup', { sessionId, topics: ['performance'], notes: 'n', submit: true });
  return (result as { view: RecordSheetView }).view.recordId;
}

const confirmCommand = (commandId: string, recordId: string, actorId = 'amy'): Command => ({ commandId, type: 'confirmRecord', actorId, input: { recordId } });

beforeAll(async () => {
  w = await createWorld('queue');
  mongoUrl = w.mongoUrl;
  w.clock.set(london('2025-11-20T12:00'));
});
afterAll(async () => w.close());

describe('commands queue', () => {
  let queues: Queues;
  beforeAll(async () => {
    queues = await startQueues({ redisUrl: testRedisUrl(), prefix: testQueuePrefix(), deps: w.deps, notifiers: [], logger, sweepSeconds: 3600 });
  });
  afterAll(async () => queues.close());

  it('a confirmation dispatched twice with the same interaction id is one job and writes once', async () => {
    const recordId = await sentRecord('2025-11-17');
    const cmd = confirmCommand('slack.1700000000_123.UAMY', recordId);
    const [a, b] = await Promise.all([queues.dispatchAndWait(cmd, 10_000), queues.dispatchAndWait(cmd, 10_000)]);
    expect(a).toMatchObject({ ok: true });
    expect(b).toMatchObject({ ok: true });
    const record = await w.deps.records.latest(recordId);
    expect(record?.confirmations.map((c) => c.personId)).toEqual(['amy']);
    const audit = (await w.deps.audit.entries('org-wl')).filter((e) => e.subject.id === recordId && e.action === 'record.confirmed');
    expect(audit).toHaveLength(1);
  });

  it('a hundred clicks of the same Confirm (different interaction ids) confirm once, with one audit entry', async () => {
    const recordId = await sentRecord('2025-11-18');
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => queues.dispatchAndWait(confirmCommand(`teams.click${i}.amy`, recordId), 30_000)),
    );
    expect(results.every((r) => r !== 'pending' && r.ok)).toBe(true);
    expect((await w.deps.records.latest(recordId))?.confirmations).toHaveLength(1);
    const audit = (await w.deps.audit.entries('org-wl')).filter((e) => e.subject.id === recordId && e.action === 'record.confirmed');
    expect(audit).toHaveLength(1);
    expect(await w.deps.audit.verify('org-wl')).toMatchObject({ ok: true });
  });

  it('a person told "on its way" gets the result exactly once: answered in time, or later in their chat, never both and never neither', async () => {
    // deadlines from nothing to a few milliseconds: some answers are given in time, the rest are late
    const recordIds = await Promise.all(['2025-11-03', '2025-11-04', '2025-11-05', '2025-11-06', '2025-11-07', '2025-11-10', '2025-11-11', '2025-11-12'].map((day) => sentRecord(day)));
    const commands = recordIds.map((recordId, i) => confirmCommand(`teams.late${i}.amy`, recordId));
    const answers = await Promise.all(commands.map((cmd, i) => queues.dispatchAndWait(cmd, i * 3, { answerLate: true })));
    // every command finishes (the ones answered late are still running)
    for (const recordId of recordIds) await eventually(async () => (await w.deps.records.latest(recordId))?.confirmations.length === 1, `${recordId} confirmed`);
    for (const [i, cmd] of commands.entries()) {
      if (answers[i] === 'pending') {
        const late = await eventually(() => w.deps.outbox.get(`late.${cmd.commandId}`), `the late answer to ${cmd.commandId}`);
        expect(late).toMatchObject({ recipientId: 'amy', view: { type: 'record-sheet', recordId: recordIds[i] } });
      } else {
        expect(answers[i]).toMatchObject({ ok: true });
        expect(await w.deps.outbox.get(`late.${cmd.commandId}`), cmd.commandId).toBeNull();
      }
    }
    expect(answers.filter((a) => a === 'pending').length).toBeGreaterThan(0);
    // a command nobody waits on late (the dashboard's) is never answered in chat
    const quietRecord = await sentRecord('2025-11-21');
    const quiet = confirmCommand('tab.quiet.amy', quietRecord);
    expect(await queues.dispatchAndWait(quiet, 0)).toBe('pending');
    await eventually(async () => (await w.deps.records.latest(quietRecord))?.confirmations.length === 1, 'the quiet command done');
    expect(await w.deps.outbox.get(`late.${quiet.commandId}`)).toBeNull();
  });

  it('a malformed or forbidden command writes nothing', async () => {
    const recordId = await sentRecord('2025-11-19');
    const result = await queues.dispatchAndWait(confirmCommand('x.stranger', recordId, 'stranger'), 10_000);
    expect(result).toMatchObject({ ok: false, error: { type: 'refusal' } });
    expect((await w.deps.records.latest(recordId))?.confirmations).toEqual([]);
  });
});

describe("a process's first wait for a command", () => {
  it('sees a completion written before its event reader made its first read', async () => {
    // the reader starts from the stream's end as read before the command is added: a completion that lands in
    // the round trip before the reader's first XREAD (where `$` would have skipped it) is still delivered
    const redis = redisConnection(testRedisUrl());
    const prefix = testQueuePrefix();
    const key = `${prefix}:commands:events`;
    try {
      const from = await streamEnd(redis, key);
      expect(from).toBe('0-0');
      await redis.xadd(key, '*', 'event', 'completed', 'jobId', 'before', 'returnvalue', '{"ok":true}');
      const from2 = await streamEnd(redis, key);
      await redis.xadd(key, '*', 'event', 'completed', 'jobId', 'in-between', 'returnvalue', '{"ok":true}');
      const events = new QueueEvents('commands', { connection: redisConnection(testRedisUrl()), prefix, lastEventId: from2 });
      try {
        const seen = await new Promise<string>((resolve) => {
          events.on('completed', ({ jobId }) => resolve(jobId));
          setTimeout(() => resolve('nothing within 10 s'), 10_000).unref();
        });
        expect(seen).toBe('in-between');
      } finally {
        await events.close();
      }
    } finally {
      await redis.del(key);
      await redis.quit();
    }
  });

  it('in a process that runs no workers gets the answer of a worker elsewhere, not "pending" after its timeout', async () => {
    const prefix = `${testQueuePrefix()}-web`;
    const worker = await startQueues({ redisUrl: testRedisUrl(), prefix, deps: w.deps, notifiers: [], logger, sweepSeconds: 3600 });
    try {
      for (let i = 0; i < 5; i++) {
        // a fresh process each time: its first dispatchAndWait starts its event reader
        const web = await startQueues({ redisUrl: testRedisUrl(), prefix, deps: w.deps, notifiers: [], logger, sweepSeconds: 3600, workers: false });
        try {
          const recordId = await sentRecord(`2025-10-${String(6 + i).padStart(2, '0')}`);
          await expect(web.dispatchAndWait(confirmCommand(`first-wait.${i}`, recordId), 20_000)).resolves.toMatchObject({ ok: true });
        } finally {
          await web.close();
        }
      }
    } finally {
      await worker.close();
    }
  });
});

describe('a worker killed mid-job', () => {
  it('has its job completed by another worker, written once', async () => {
    const prefix = testQueuePrefix();
    const recordId = await sentRecord('2025-11-13', 'ben');
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], {
      env: { ...process.env, MONGO_URL: mongoUrl, REDIS_URL: testRedisUrl(), PREFIX: prefix, WRITE_DELAY_MS: '3000', CLOCK_AT: w.clock.now().toISOString() },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
    });
    const producer = await startQueues({ redisUrl: testRedisUrl(), prefix, deps: w.deps, notifiers: [], logger, workers: false, sweepSeconds: 3600 });
    await producer.dispatch(confirmCommand('kill.test.ben', recordId, 'ben'));
    const job = async () => producer.commands.getJob('j-kill.test.ben');
    for (let i = 0; i < 100 && (await (await job())?.getState()) !== 'active'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await (await job())?.getState()).toBe('active');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect((await w.deps.records.latest(recordId))?.confirmations).toEqual([]);

    const rescuer = await startQueues({ redisUrl: testRedisUrl(), prefix, deps: w.deps, notifiers: [], logger, lockDurationMs: 2000, stalledIntervalMs: 500, sweepSeconds: 3600 });
    for (let i = 0; i < 200 && (await (await job())?.getState()) !== 'completed'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await (await job())?.getState()).toBe('completed');
    expect((await w.deps.records.latest(recordId))?.confirmations.map((c) => c.personId)).toEqual(['ben']);
    await rescuer.close();
    await producer.close();
  });
});

describe('reminders', () => {
  it('are rebuilt from MongoDB after Redis is flushed: none missing, none doubled', async () => {
    const prefix = testQueuePrefix();
    const queues = await startQueues({ redisUrl: testRedisUrl(), prefix, deps: w.deps, notifiers: [], logger, workers: false, sweepSeconds: 3600 });
    const pending = await w.deps.reminders.pending(w.clock.now());
    expect(pending.length).toBeGreaterThan(0);
    const redis = new Redis(testRedisUrl());
    const delayedKey = `${prefix}:reminders:delayed`;
    await queues.rebuildReminders();
    const before = await redis.zcard(delayedKey);
    await queues.rebuildReminders();
    expect(await redis.zcard(delayedKey)).toBe(before);
    // Everything in Redis for this prefix goes, as after a FLUSHALL.
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    expect(await redis.zcard(delayedKey)).toBe(0);
    await queues.rebuildReminders();
    expect(await redis.zcard(delayedKey)).toBe(before);

    // Fire everything due over the next fortnight twice over: each reminder is sent once.
    const outboxBefore = await w.store.models.outbox.countDocuments();
    w.clock.set(london('2025-12-05T12:00'));
    const due = (await w.deps.reminders.pending(new Date(0), w.clock.now())).length;
    expect(due).toBeGreaterThan(0);
    // those already due when their timers were set are waiting for a worker (this process runs none), and the
    // sweep leaves them to it; those whose timers still run on real time it fires
    const timers = new Queue('reminders', { connection: redis, prefix });
    const waiting = await timers.getWaitingCount();
    expect(await queues.fireDueReminders()).toBe(due - waiting);
    await timers.drain();
    expect(await queues.fireDueReminders()).toBe(waiting);
    expect(await queues.fireDueReminders()).toBe(0);
    await queues.rebuildReminders();
    expect(await queues.fireDueReminders()).toBe(0);
    expect(await w.store.models.outbox.countDocuments()).toBeGreaterThan(outboxBefore);
    await timers.close();
    await redis.quit();
    await queues.close();
  });
});

describe('the sweep', () => {
  it('routes only the outbox rows no queue is still to work on', async () => {
    const prefix = testQueuePrefix();
    const queues = await startQueues({ redisUrl: testRedisUrl(), prefix, deps: w.deps, notifiers: [recordingNotifier('playground')], logger, workers: false, sweepSeconds: 3600 });
    const connection = redisConnection(testRedisUrl());
    const lane = new Queue('notifications-playground', { connection, prefix });
    const router = new Queue('notifications', { connection, prefix });
    try {
      const row = (id: string) => ({ id: `sweep.${id}`, organisationId: 'org-wl', recipientId: 'amy', createdAt: w.clock.now(), view: { type: 'text' as const, text: 'Sweep test.' } });
      // waiting in its lane (sent on straight from the unit of work); its lane's job finished with the row still
      // pending (a crash before the next platform's lane); in no queue at all (a crash before queueing)
      await w.deps.outbox.enqueue([row('waiting'), row('finished'), row('lost')]);
      await lane.add('text', { outboxId: 'sweep.finished' }, { jobId: `${jobIdFor('sweep.finished')}.playground`, removeOnComplete: false });
      const finisherConnection = redisConnection(testRedisUrl());
      const finisher = new Worker('notifications-playground', async () => 'done', { connection: finisherConnection, prefix });
      await eventually(async () => (await lane.getJobState(`${jobIdFor('sweep.finished')}.playground`)) === 'completed', 'the lane job finished');
      await finisher.close();
      await finisherConnection.quit();
      await lane.add('text', { outboxId: 'sweep.waiting' }, { jobId: `${jobIdFor('sweep.waiting')}.playground` });

      await queues.flushOutbox();
      expect(await router.getJob(jobIdFor('sweep.waiting'))).toBeUndefined();
      expect(await router.getJob(jobIdFor('sweep.finished'))).toBeDefined();
      expect(await router.getJob(jobIdFor('sweep.lost'))).toBeDefined();
    } finally {
      await lane.close();
      await router.close();
      await connection.quit();
      await queues.close();
    }
  });

  it('leaves a due reminder whose job a worker is to run to the worker, and fires one whose job was lost', async () => {
    const prefix = testQueuePrefix();
    const queues = await startQueues({ redisUrl: testRedisUrl(), prefix, deps: w.deps, notifiers: [], logger, workers: false, sweepSeconds: 3600 });
    const connection = redisConnection(testRedisUrl());
    const timers = new Queue('reminders', { connection, prefix });
    try {
      const at = london('2026-01-06T08:30');
      const reminder = (id: string) => ({ id: `sweep.${id}`, organisationId: 'org-wl', kind: 'day-before' as const, subjectId: 'no-such-session', recipientIds: ['amy'], dueAt: at });
      await w.deps.reminders.upsertMany([reminder('queued'), reminder('lost')]);
      await timers.add('day-before', { reminderId: 'sweep.queued' }, { jobId: jobIdFor('sweep.queued') });
      w.clock.set(london('2026-01-06T09:00'));
      await queues.fireDueReminders();
      const sent = async (id: string) => (await w.store.models.reminders.findById(`sweep.${id}`).lean<{ sent?: boolean }>())?.sent;
      expect(await sent('queued')).toBe(false);
      expect(await sent('lost')).toBe(true);
    } finally {
      await timers.close();
      await connection.quit();
      await queues.close();
    }
  });

  it('holds reminders back while the lanes they feed have their buffer waiting, and goes on when they drain', async () => {
    const prefix = testQueuePrefix();
    // no workers: what is handed to the playground's lane waits there until this test runs it
    const queues = await startQueues({ redisUrl: testRedisUrl(), prefix, deps: w.deps, notifiers: [recordingNotifier('playground')], logger, workers: false, sweepSeconds: 3600, laneBuffer: 2 });
    const connection = redisConnection(testRedisUrl());
    const lane = new Queue('notifications-playground', { connection, prefix });
    let drainer: Worker | undefined;
    const drainerConnection = redisConnection(testRedisUrl());
    try {
      const contractId = w.contracts.amy.id;
      const sessionId = `${contractId}.2026-01-09`;
      await w.deps.sessions.insert({ id: sessionId, organisationId: 'org-wl', contractId, startsAt: london('2026-01-09T08:00'), durationMinutes: 60, status: 'scheduled' });
      const reminder = (id: string, at: string) => ({ id, organisationId: 'org-wl', kind: 'day-before' as const, subjectId: sessionId, recipientIds: ['amy'], dueAt: london(at) });
      // the world's other reminders due by then are out of the way (fired by the tests before, or not: as fired)
      await w.store.models.reminders.updateMany({ sent: false, dueAt: { $lte: london('2026-01-08T09:00') } }, { $set: { sent: true } });
      // a first reminder feeds the lane (a message to Amy waiting there), and one more message fills its buffer
      await w.deps.reminders.upsertMany([reminder('gate.0', '2026-01-08T08:00')]);
      w.clock.set(london('2026-01-08T08:30'));
      await queues.fireDueReminders();
      expect(await lane.getWaitingCount()).toBe(1);
      await lane.add('text', { outboxId: 'gate.filler' }, { jobId: 'gate-filler' });
      // four more due: each waits for room in the lane
      const ids = [1, 2, 3, 4].map((n) => `gate.${n}`);
      await w.deps.reminders.upsertMany(ids.map((id, n) => reminder(id, `2026-01-08T08:4${n}`)));
      w.clock.set(london('2026-01-08T09:00'));
      const sent = async () => {
        const docs = await w.store.models.reminders.find({ _id: { $in: ids } }).lean<Array<{ _id: string; sent?: boolean }>>();
        return docs.filter((d) => d.sent).length;
      };
      // past the last look at the lanes, which is kept 100 ms
      await new Promise((r) => setTimeout(r, 150));
      let settled = false;
      const firing = queues.fireDueReminders().finally(() => {
        settled = true;
      });
      // many checks of the lanes later, all four are still held
      await new Promise((r) => setTimeout(r, 800));
      expect(settled).toBe(false);
      expect(await sent()).toBe(0);
      expect(await lane.getWaitingCount()).toBe(2);
      // the lane drains: the held reminders go on
      drainer = new Worker('notifications-playground', async () => 'done', { connection: drainerConnection, prefix });
      await firing;
      expect(await sent()).toBe(ids.length);
    } finally {
      await drainer?.close();
      await drainerConnection.quit();
      await lane.close();
      await connection.quit();
      await queues.close();
    }
  });

  it('fires the reminders it finds due at one instant side by side, one recipient’s one after another', async () => {
    // each reminder's read, as the sweep makes it: how many at once, and in what order they began and ended
    let reading = 0;
    let most = 0;
    const reads: string[] = [];
    const reminders = {
      ...w.deps.reminders,
      async get(id: string) {
        reading++;
        most = Math.max(most, reading);
        reads.push(`${id} began`);
        try {
          return await w.deps.reminders.get(id);
        } finally {
          reading--;
          reads.push(`${id} ended`);
        }
      },
    };
    const queues = await startQueues({ redisUrl: testRedisUrl(), prefix: testQueuePrefix(), deps: { ...w.deps, reminders }, notifiers: [], logger, workers: false, sweepSeconds: 3600 });
    try {
      const at = london('2026-01-07T08:30');
      const reminder = (id: string, to: string) => ({ id: `side.${id}`, organisationId: 'org-wl', kind: 'day-before' as const, subjectId: 'no-such-session', recipientIds: [to], dueAt: at });
      const others = Array.from({ length: 12 }, (_, i) => reminder(`p${i}`, `person-${i}`));
      await w.deps.reminders.upsertMany([...others, reminder('amy-1', 'amy'), reminder('amy-2', 'amy')]);
      w.clock.set(london('2026-01-07T09:00'));
      // no job for any of them (lost, as after a flush): all are the sweep's
      expect(await queues.fireDueReminders()).toBeGreaterThanOrEqual(14);
      for (const r of [...others, reminder('amy-1', 'amy'), reminder('amy-2', 'amy')]) {
        expect((await w.store.models.reminders.findById(r.id).lean<{ sent?: boolean }>())?.sent, r.id).toBe(true);
      }
      expect(most).toBeGreaterThan(1);
      // Amy's two: the second begins only once the first has ended, whichever went first
      const amy = reads.filter((x) => x.startsWith('side.amy-'));
      expect(amy[1]?.endsWith('ended'), amy.join(', ')).toBe(true);
      expect(amy[0]?.split(' ')[0]).toBe(amy[1]?.split(' ')[0]);
    } finally {
      await queues.close();
    }
  });
});
