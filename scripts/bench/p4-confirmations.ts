/**
 * P4: record confirmations through the `commands` queue into the DB, sustained, against one driver `updateOne`
 * per confirmation on the same server at the same concurrency, in the same run (and, as before, a raw
 * `insertMany` of the same documents). The driver's command monitoring counts the database round trips each
 * confirmation costs, by command and collection. Targets ≥ 1,000/s and ≥ 50 %.
 */
import { randomUUID } from 'node:crypto';
import { AdjustableClock } from '../../src/app/clock.js';
import type { AppDeps } from '../../src/app/ports.js';
import { newDraft, submitForConfirmation } from '../../src/domain/record.js';
import type { RecordSheet } from '../../src/domain/types.js';
import { createLogger } from '../../src/logger.js';
import { startQueues } from '../../src/queue/queues.js';
import { connectStore } from '../../src/store/connection.js';
import { currentUnit } from '../../src/store/read-memo.js';
import { contract, london, person, school } from '../../test/support/school.js';
import { chosenEngine, startMongo, startRedis } from '../services.js';
import { type BenchResult, round } from './result.js';

/** What each kind of round trip of a confirmation is for, by command and collection. */
const PURPOSE: Record<string, string> = {
  'find people': 'the actor, the parties for the permission check, the names on both cards',
  'find organisations': "the organisation's settings (time zone, safeguarding leads)",
  'find records': "the record's newest revision, its version, the guard against changing a signed record",
  'insert records': 'the new revision (its insert is the optimistic check)',
  'update records': 'the previous revision marked not current',
  'find audit': "the audit chain's head (its hash goes into the new entry)",
  'insert audit': 'the new audit entry',
  'insert outbox': 'the messages to both parties (the updated record card)',
  'update outbox': 'the messages written (an upsert each) and later marked delivered',
  'find outbox': 'the message read back by its delivery',
  'find deliveries': 'where the previous card of the thread was sent',
  'find compliance': "the contract's compliance summary",
  'update compliance': "the contract's compliance summary refreshed",
};

const N = Number(process.env.P4_CONFIRMATIONS ?? 2000);
const CONCURRENCY = Number(process.env.P4_CONCURRENCY ?? 20);

export async function run(): Promise<BenchResult[]> {
  const [mongo, redis] = await Promise.all([startMongo(), startRedis()]);
  const store = await connectStore(mongo.url, { monitorCommands: true });
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

    // One updateOne per confirmation, as many at once as the queue runs jobs: the store's floor on this server.
    const plain = store.connection.collection('plainConfirmations');
    await plain.insertMany(records.map((r) => ({ _id: r.id, state: 'awaiting-confirmation', confirmations: [] })) as never[], { ordered: false });
    const updateStart = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < N; i = next++) {
          const r = records[i] as RecordSheet;
          await plain.updateOne({ _id: r.id as never, 'confirmations.0': { $exists: false } }, { $push: { confirmations: { personId: r.superviseeIds[0], at: clock.now() } } as never });
        }
      }),
    );
    const updateRate = N / ((performance.now() - updateStart) / 1000);

    // every command the store sends while the queue confirms, by command and collection
    const trips = new Map<string, number>();
    /** The same by the unit of work that sent them: the confirming command, or the delivery of a message it wrote. */
    const byUnit = new Map<string, number>();
    /** The same, with the fields each filter named: which read is by `_id`, which by an index. */
    const shapes = new Map<string, number>();
    let counting = false;
    const client = store.connection.getClient();
    client.on('commandStarted', (event) => {
      if (!counting) return;
      const command = event.command as Record<string, unknown>;
      const target = command[event.commandName];
      const key = `${event.commandName} ${typeof target === 'string' ? target : ''}`.trim();
      trips.set(key, (trips.get(key) ?? 0) + 1);
      const unit = currentUnit() ?? 'outside a unit of work';
      byUnit.set(unit, (byUnit.get(unit) ?? 0) + 1);
      const filter = (command.filter ?? (command.updates as Array<{ q?: unknown }> | undefined)?.[0]?.q ?? (command.deletes as Array<{ q?: unknown }> | undefined)?.[0]?.q) as Record<string, unknown> | undefined;
      const shape = `${key} {${filter ? Object.keys(filter).sort().join(', ') : ''}}`;
      shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
    });

    const queues = await startQueues({ redisUrl: redis.url, prefix: 'p4', deps, notifiers: [], logger: createLogger('silent'), concurrency: CONCURRENCY, sweepSeconds: 3600 });
    counting = true;
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
    counting = false;
    await queues.close();
    const totalTrips = [...trips.values()].reduce((a, b) => a + b, 0);
    const perConfirmation = Object.fromEntries(
      [...trips.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, { perConfirmation: round(v / N, 2), for: PURPOSE[k] ?? 'not classified' }]),
    );
    const perUnit = Object.fromEntries([...byUnit.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v / N, 2)]));
    const byFilter = Object.fromEntries([...shapes.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v / N, 2)]));
    const written = await store.models.records.countDocuments({ state: 'awaiting-confirmation', 'confirmations.0': { $exists: true } });
    const ratio = queueRate / updateRate;
    const where = process.env.MONGODB_URI ? 'MONGODB_URI' : `the local ${chosenEngine()}`;
    return [
      { id: 'P4', value: round(queueRate, 0), unit: 'confirmations/s', target: '>= 1000', pass: queueRate >= 1000, measured: `${N} confirmations through the commands queue (${CONCURRENCY} concurrent jobs) into ${where} (${written} written)`, confirmations: N, written },
      { id: 'P4-ratio', value: round(ratio * 100, 1), unit: '%', target: '>= 50', pass: ratio >= 0.5, measured: `queue rate ${round(queueRate, 0)}/s against one updateOne per confirmation ${round(updateRate, 0)}/s (${CONCURRENCY} at once) on the same server, same run; raw insertMany of the same documents ${round(rawRate, 0)}/s`, updateOneRate: round(updateRate, 0), insertManyRate: round(rawRate, 0) },
      { id: 'P4-trips', value: round(totalTrips / N, 1), unit: 'round trips/confirmation', target: '<= 10', pass: totalTrips / N <= 10, measured: `database commands sent while the queue confirmed, counted by the driver's command monitoring (monitorCommands), per confirmation; by unit of work: ${Object.entries(perUnit).map(([k, v]) => `${v} ${k === 'commands' ? 'in the confirming command' : k === 'notifications' ? 'delivering its two messages' : k}`).join(', ')}; by command and collection with what each is for: ${Object.entries(perConfirmation).map(([k, v]) => `${v.perConfirmation} ${k} (${v.for})`).join('; ')}`, perConfirmation, perUnit, byFilter },
    ];
  } finally {
    await store.close();
    await Promise.all([mongo.stop(), redis.stop()]);
  }
}
