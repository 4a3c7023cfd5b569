/**
 * P3: `/overdue` for a generated trust of 10,000 staff and 200,000 sessions, end to end through the use
 * case on a real MongoDB-wire server. Target p95 ≤ 300 ms.
 */
import { randomUUID } from 'node:crypto';
import { computeOverdue } from '../../src/app/overdue.js';
import { AdjustableClock } from '../../src/app/clock.js';
import type { AppDeps } from '../../src/app/ports.js';
import { SchoolCalendar } from '../../src/domain/calendar.js';
import { sessionOverdueFrom } from '../../src/domain/cadence.js';
import type { Organisation, Person, SupervisionContract } from '../../src/domain/types.js';
import { connectStore } from '../../src/store/connection.js';
import { Redis } from 'ioredis';
import { overdueIndex } from '../../src/store/overdue-index.js';
import { chosenEngine, startMongo, startRedis } from '../services.js';
import { leedsTermDates } from '../../test/support/school.js';
import { type BenchResult, percentile, round } from './result.js';

const STAFF = 10_000;
const SESSIONS_PER_CONTRACT = 20; // 10,000 contracts × 20 = 200,000 sessions
const RUNS = 40;

export async function run(): Promise<BenchResult[]> {
  const [mongo, redisServer] = await Promise.all([startMongo(), startRedis()]);
  const store = await connectStore(mongo.url);
  const redis = new Redis(redisServer.url);
  try {
    const clock = new AdjustableClock();
    clock.set(new Date('2026-03-16T09:00:00Z'));
    const index = overdueIndex(store.stores, redis, 'p3');
    const deps: AppDeps = { ...index.stores, overdueSource: index.source, clock, newId: randomUUID };
    const org: Organisation = {
      id: 'trust', name: 'Aire Valley Learning Trust', kind: 'trust', timezone: 'Europe/London', termDates: leedsTermDates,
      supportContacts: [], dslIds: ['p0'], deputyDslIds: ['p1'], headteacherId: 'p2', overdueGraceDays: 0, reminderTime: '08:30',
    };
    await store.stores.organisations.upsert(org);
    const cal = new SchoolCalendar(org);
    const people: Person[] = Array.from({ length: STAFF }, (_, i) => ({
      id: `p${i}`, organisationId: 'trust', name: `Staff ${i}`, email: `p${i}@trust.example`, identities: {},
      roles: i === 0 ? ['dsl'] : i === 1 ? ['deputy-dsl'] : i === 2 ? ['headteacher'] : i % 20 === 3 ? ['supervisor'] : ['supervisee'],
    }));
    await store.models.people.insertMany(people.map(({ id, ...p }) => ({ _id: id, ...p })), { ordered: false });
    const contracts: SupervisionContract[] = [];
    const sessions: Record<string, unknown>[] = [];
    const compliance: Record<string, unknown>[] = [];
    const actions: Record<string, unknown>[] = [];
    for (let i = 0; i < STAFF; i++) {
      const supervisor = `p${3 + 20 * Math.floor(i / 20)}`;
      const c: SupervisionContract = {
        id: `c${i}`, organisationId: 'trust', kind: 'one-to-one', level: 1, external: false, supervisorIds: [supervisor], superviseeIds: [`p${i}`],
        cadence: { kind: 'every-n-weeks', weeks: 4 }, onRequest: false, durationMinutes: 60, location: 'Room', format: 'face-to-face', noticeDays: 7,
        agendaTemplate: 'general', preferredTime: '15:45', startDate: '2025-09-01', reviewDueDate: i % 50 === 0 ? '2026-01-10' : '2026-09-01',
        signatures: [], disputeRoute: 'safeguarding-governor', active: true,
      };
      contracts.push(c);
      // Most staff were last supervised recently; about one in eight is overdue.
      const lastHeld = new Date(Date.parse('2026-03-10T15:45:00Z') - (i % 8 === 0 ? 60 : i % 28) * 86_400_000);
      for (let s = 0; s < SESSIONS_PER_CONTRACT; s++) {
        const startsAt = new Date(lastHeld.getTime() - s * 14 * 86_400_000);
        sessions.push({ _id: `c${i}.${s}`, organisationId: 'trust', contractId: c.id, startsAt, durationMinutes: 60, status: 'held' });
      }
      compliance.push({
        _id: c.id, organisationId: 'trust', supervisorIds: c.supervisorIds, superviseeIds: c.superviseeIds, lastHeldAt: lastHeld,
        sessionOverdueFrom: sessionOverdueFrom(c, lastHeld, cal, 0), reviewDueDate: c.reviewDueDate, sessionsHeld: SESSIONS_PER_CONTRACT,
        sessionsHeldOnTime: SESSIONS_PER_CONTRACT - 1, updatedAt: clock.now(),
      });
      if (i % 10 === 0) {
        actions.push({ _id: `a${i}`, organisationId: 'trust', contractId: c.id, recordId: `r${i}`, text: 'Follow up', ownerId: `p${i}`, dueDate: i % 30 === 0 ? '2026-02-01' : '2026-04-01', status: 'open', agreedAt: lastHeld });
      }
    }
    for (let i = 0; i < sessions.length; i += 20_000) await store.models.sessions.insertMany(sessions.slice(i, i + 20_000), { ordered: false });
    await store.models.contracts.insertMany(contracts.map(({ id, ...c }) => ({ _id: id, ...c })), { ordered: false });
    await store.models.compliance.insertMany(compliance, { ordered: false });
    await store.models.actions.insertMany(actions, { ordered: false });

    // the index is built from MongoDB on first use (as after a Redis flush); time that apart
    const built = performance.now();
    const entries = await index.rebuild('trust');
    const rebuildMs = round(performance.now() - built);
    // the same query straight from the store (its indexes), without the Redis index, as many times
    const directTimes: number[] = [];
    for (let r = 0; r < RUNS + 3; r++) {
      const t = performance.now();
      const result = await computeOverdue({ ...store.stores, clock, newId: randomUUID }, 'p0', {});
      if (!result.ok) throw new Error('overdue failed');
      if (r >= 3) directTimes.push(performance.now() - t);
    }
    directTimes.sort((a, b) => a - b);
    const directMs = round(percentile(directTimes, 95));
    const times: number[] = [];
    let rows = 0;
    for (let r = 0; r < RUNS + 3; r++) {
      const t = performance.now();
      const result = await computeOverdue(deps, 'p0', {});
      const ms = performance.now() - t;
      if (!result.ok || !result.view || result.view.type !== 'overdue-summary') throw new Error('overdue failed');
      rows = result.view.counts.sessions + result.view.counts.actions + result.view.counts.reviews;
      if (r >= 3) times.push(ms);
    }
    times.sort((a, b) => a - b);
    const p95 = round(percentile(times, 95));
    const measured = `computeOverdue for ${STAFF} staff, ${sessions.length} sessions (${rows} overdue rows), ${RUNS} runs, through the Redis overdue index on ${process.env.MONGODB_URI ? 'MONGODB_URI' : `the local ${chosenEngine()}`}; index rebuild from MongoDB ${rebuildMs} ms (${entries} entries)`;
    return [
      { id: 'P3', value: p95, unit: 'ms', target: '<= 300', pass: p95 <= 300, measured, p50: round(percentile(times, 50)), p95, staff: STAFF, sessions: sessions.length, rebuildMs },
      { id: 'P3-direct', value: directMs, unit: 'ms', target: '<= 300', pass: directMs <= 300, measured: `the same computeOverdue straight from the store's indexes, no Redis index, ${RUNS} runs (p95), same data, same run`, p50: round(percentile(directTimes, 50)), p95: directMs },
    ];
  } finally {
    await redis.quit();
    await store.close();
    await Promise.all([mongo.stop(), redisServer.stop()]);
  }
}
