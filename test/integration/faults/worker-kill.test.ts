/**
 * Fault: queue workers die (kill -9) in the middle of a batch of confirmations, twenty times over the run,
 * and replacements start. Every confirmation ends in the DB exactly once, with one audit entry, and the
 * audit hash chain still verifies.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../../src/app/commands.js';
import { draftRecord } from '../../../src/app/records.js';
import type { RecordSheetView } from '../../../src/app/views.js';
import { createLogger } from '../../../src/logger.js';
import { type Queues, startQueues } from '../../../src/queue/queues.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const RECORDS = 60;
const KILLS = 20;
const WORKERS = 3;

let w: World;
let mongoUrl: string;
const recordIds: string[] = [];

function day(i: number): string {
  return new Date(Date.UTC(2025, 8, 1) + i * 86_400_000).toISOString().slice(0, 10);
}

beforeAll(async () => {
  w = await createWorld('workerkill', { arrange: false });
  mongoUrl = w.mongoUrl;
  w.clock.set(london('2025-12-01T12:00'));
  for (let i = 0; i < RECORDS; i++) {
    const contractId = i % 2 === 0 ? 'c-amy' : 'c-ben';
    const sessionId = `${contractId}.${day(i)}`;
    await w.deps.sessions.insert({ id: sessionId, organisationId: 'org-wl', contractId, startsAt: london(`${day(i)}T08:00`), durationMinutes: 60, status: 'scheduled' });
    const result = await draftRecord(w.deps, 'sup', { sessionId, topics: ['performance'], notes: `n${i}`, submit: true });
    if (!result.ok) throw new Error(`setup: ${JSON.stringify(result.error)}`);
    recordIds.push((result.view as RecordSheetView).recordId);
  }
}, 300_000);
afterAll(async () => w?.close());

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<void>;
}

function spawnWorker(prefix: string): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], {
    env: { ...process.env, MONGO_URL: mongoUrl, REDIS_URL: testRedisUrl(), PREFIX: prefix, WRITE_DELAY_MS: '1500', CONCURRENCY: '3', CLOCK_AT: w.clock.now().toISOString() },
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('kill -9 of queue workers in the middle of a batch of confirmations', () => {
  let producer: Queues;
  const workers: Worker[] = [];

  afterAll(async () => {
    for (const wk of workers) if (wk.child.exitCode === null && wk.child.signalCode === null) wk.child.kill('SIGKILL');
    await Promise.all(workers.map((wk) => wk.exited));
    await producer?.close();
  });

  it(
    `${KILLS} kills, replacements started: every record signed once, one audit entry per confirmation, the chain verifies`,
    async () => {
      const prefix = testQueuePrefix();
      producer = await startQueues({ redisUrl: testRedisUrl(), prefix, deps: w.deps, notifiers: [], logger: createLogger('silent'), workers: false, sweepSeconds: 3600 });
      const commands: Command[] = recordIds.flatMap((recordId, i) => {
        const supervisee = i % 2 === 0 ? 'amy' : 'ben';
        return [
          { commandId: `wk.${i}.${supervisee}`, type: 'confirmRecord' as const, actorId: supervisee, input: { recordId } },
          { commandId: `wk.${i}.sup`, type: 'confirmRecord' as const, actorId: 'sup', input: { recordId } },
        ];
      });
      for (let i = 0; i < WORKERS; i++) workers.push(spawnWorker(prefix));
      await Promise.all(workers.map((wk) => wk.ready));
      for (const cmd of commands) await producer.dispatch(cmd);

      const live = () => workers.filter((wk) => wk.child.exitCode === null && wk.child.signalCode === null);
      let kills = 0;
      let activeAtKill = 0;
      while (kills < KILLS) {
        await sleep(600 + Math.random() * 600);
        const counts = await producer.commands.getJobCounts('completed', 'active');
        // every kill lands in the middle of the batch, with jobs in flight
        expect(counts.completed ?? 0).toBeLessThan(commands.length);
        if ((counts.active ?? 0) === 0) continue;
        const candidates = [];
        for (const wk of live()) if (await Promise.race([wk.ready.then(() => true, () => false), sleep(0).then(() => false)])) candidates.push(wk);
        const victim = candidates[Math.floor(Math.random() * candidates.length)];
        if (!victim) continue;
        victim.child.kill('SIGKILL');
        await victim.exited;
        kills++;
        activeAtKill += counts.active ?? 0;
        workers.push(spawnWorker(prefix));
      }
      expect(kills).toBe(KILLS);
      expect(activeAtKill).toBeGreaterThan(0);

      // the survivors (and the replacements) finish the batch: stalled jobs go back to the queue
      for (let i = 0; i < 600; i++) {
        const counts = await producer.commands.getJobCounts('completed', 'failed');
        const failed = await producer.commands.getFailed();
        expect(failed.map((j) => `${j.id}: ${j.failedReason}`)).toEqual([]);
        if ((counts.completed ?? 0) === commands.length) break;
        await sleep(250);
      }
      expect((await producer.commands.getJobCounts('completed')).completed).toBe(commands.length);

      const entries = await w.deps.audit.entries('org-wl');
      for (const [i, recordId] of recordIds.entries()) {
        const supervisee = i % 2 === 0 ? 'amy' : 'ben';
        const record = await w.deps.records.latest(recordId);
        expect(record?.state).toBe('signed');
        expect(record?.version).toBe(1);
        expect(record?.confirmations.map((c) => c.personId).sort()).toEqual([supervisee, 'sup'].sort());
        const confirmations = entries.filter((e) => e.subject.id === recordId && (e.action === 'record.confirmed' || e.action === 'record.signed'));
        expect(confirmations.map((e) => e.actorId).sort()).toEqual([supervisee, 'sup'].sort());
        expect(confirmations.filter((e) => e.action === 'record.signed')).toHaveLength(1);
      }
      expect(await w.deps.audit.verify('org-wl')).toMatchObject({ ok: true });
    },
    420_000,
  );
});
