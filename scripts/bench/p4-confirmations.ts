/**
 * P4: record confirmations through the `commands` queue into the DB, sustained, against a raw driver
 * `insertMany` of the same documents in the same run. Targets ≥ 1,000/s and ≥ 50 %.
 */
import { randomUUID } from 'node:crypto';
import { AdjustableClock } from '../../src/app/clock.js';
import type { AppDeps } from '../../src/app/ports.js';
import { newDraft, submitForConfirmation } from '../../src/domain/record.js';
import type { RecordSheet } from '../../src/domain/types.js';
import { createLogger } from '../../src/logger.js';
import { startQueues } from '../../src/queue/queues.js';
import { connectStore } from '../../src/store/connection.js';
import { contract, london, person, school } from '../../test/support/school.js';
import { startMongo, startRedis } from '../services.js';
import { type BenchResult, round } from './result.js';

const N = Number(process.env.P4_CONFIRMATIONS ?? 2000);
const CONCURRENCY = Number(process.env.P4_CONCURRENCY ?? 20);

export async function run(): Promise<BenchResult[]> {
  const [mongo, redis] = await Promise.all([startMongo(), startRedis()]);
  const store = await connectStore(mongo.url);
  try {
    const clock = new AdjustableClock();
    clock.set(london('2025-11-20T12:00'));
    const deps: AppDeps = { ...store.stores, clock, newId: randomUUID };
    await store.stores.organisations.upsert(school());
    const people = Array.from({ length: N }, (_, i) => person(`s${i}`, ['supervisee']));
    await store.models.people.insertMany([...people, person('sup', ['supervisor'])].map(({ id, ...p }) => ({ _id: id, ...p })));
    await store.stores.contracts.upsert(contract({ id: 'c', superviseeIds: people.map((p) => p.id) }));
    const records: RecordSheet[] = people.map((p, i) =>
      submitForConfirmation(
        newDraft({ id: `r${i}`, organisationId: 'org-wl', contractId: 'c', sessionId: `s${i}`, date: '2025-11-19', supervisorId: 'sup', superviseeIds: [p.id], topics: ['performance'], notes: 'n', concerns: [], caseDecisions: [], actions: [], previousActionsReviewed: [] }, clock.now()),
        'sup',
        clock.now(),
      ),
    );
    for (const r of records) await store.stores.records.insertVersion(r);

    // Raw driver baseline: the same confirmed documents written with one insertMany.
    const confirmed = records.map((r) => ({ ...r, _id: `${r.id}@raw`, state: 'awaiting-confirmation', confirmations: [{ personId: r.superviseeIds[0], at: clock.now() }] }));
    const rawStart = performance.now();
    await store.connection.collection('rawConfirmations').insertMany(confirmed as never[], { ordered: false });
    const rawRate = N / ((performance.now() - rawStart) / 1000);

    const queues = await startQueues({ redisUrl: redis.url, prefix: 'p4', deps, notifiers: [], logger: createLogger('silent'), concurrency: CONCURRENCY, sweepSeconds: 3600 });
    const start = performance.now();
    await Promise.all(
      records.map((r, i) => queues.dispatch({ commandId: `bench.${i}`, type: 'confirmRecord', actorId: r.superviseeIds[0] as string, input: { recordId: r.id } })),
    );
    for (;;) {
      const counts = await queues.commands.getJobCounts('completed', 'failed');
      if ((counts.completed ?? 0) + (counts.failed ?? 0) >= N) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const queueRate = N / ((performance.now() - start) / 1000);
    await queues.close();
    const written = await store.models.records.countDocuments({ state: 'awaiting-confirmation', 'confirmations.0': { $exists: true } });
    const ratio = queueRate / rawRate;
    const where = process.env.MONGODB_URI ? 'MONGODB_URI' : 'a local MongoDB-wire server';
    return [
      { id: 'P4', value: round(queueRate, 0), unit: 'confirmations/s', target: '>= 1000', pass: queueRate >= 1000, measured: `${N} confirmations through the commands queue (${CONCURRENCY} concurrent jobs) into ${where} (${written} written)`, confirmations: N, written },
      { id: 'P4-ratio', value: round(ratio * 100, 1), unit: '%', target: '>= 50', pass: ratio >= 0.5, measured: `queue rate ${round(queueRate, 0)}/s against raw insertMany ${round(rawRate, 0)}/s of the same documents, same run` },
    ];
  } finally {
    await store.close();
    await Promise.all([mongo.stop(), redis.stop()]);
  }
}
