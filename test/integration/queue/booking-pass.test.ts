import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDeps } from '../../../src/app/ports.js';
import { bookNextSessions } from '../../../src/app/booking-pass.js';
import { refreshCompliance } from '../../../src/app/effects.js';
import { planNextSession, Timetable } from '../../../src/domain/booking.js';
import { overlaps } from '../../../src/domain/session.js';
import type { Session, SupervisionContract } from '../../../src/domain/types.js';
import { createLogger } from '../../../src/logger.js';
import { type Queues, startQueues } from '../../../src/queue/queues.js';
import { connectStore, type StoreHandle } from '../../../src/store/connection.js';
import { calendar, contract, london, person } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

// The start-up booking pass over every contract whose session passed unrecorded (P7), in bulk: run by two
// workers at once it still books one future session per contract, audits each booking once, double-books no
// supervisor or room, and a pass run again finds nothing to do.
const logger = createLogger('silent');
const CONTRACTS = 30;
let w: World;
let other: StoreHandle;
let otherDeps: AppDeps;
const started: Queues[] = [];
/**
 * The deps of two workers whose session inserts wait until both have read and decided: the passes overlap
 * whatever the timing (the database is the real one; only the moment of the write is held).
 */
function racing(deps: AppDeps[]): AppDeps[] {
  let arrived = 0;
  let release: () => void = () => undefined;
  const together = new Promise<void>((r) => {
    release = r;
  });
  return deps.map((d) => ({
    ...d,
    sessions: {
      ...d.sessions,
      async insertMany(sessions: Session[]) {
        if (++arrived === deps.length) release();
        await together;
        return d.sessions.insertMany(sessions);
      },
    },
  }));
}
const start = async (deps: AppDeps) => {
  const q = await startQueues({ redisUrl: testRedisUrl(), prefix: testQueuePrefix(), deps, notifiers: [], logger, workers: false, sweepSeconds: 3600 });
  started.push(q);
  return q;
};
const extra: SupervisionContract[] = [];
const passedAt = london('2025-11-10T15:45');

beforeAll(async () => {
  w = await createWorld('booking-pass');
  // three contracts to a supervisor, all at 15:45 in the supervisor's one room: the pass must spread them out
  for (let k = 0; k < CONTRACTS; k++) {
    const supervisor = `bp-sup-${k % 10}`;
    if (k < 10) await w.deps.people.upsert(person(supervisor, ['supervisor']));
    await w.deps.people.upsert(person(`bp-ee-${k}`, ['supervisee']));
    const c = contract({ id: `c-bp-${String(k).padStart(2, '0')}`, supervisorIds: [supervisor], superviseeIds: [`bp-ee-${k}`], location: `Room ${k % 10}` });
    extra.push(c);
    await w.deps.contracts.upsert(c);
    // the session ran today with no record; half the summaries name it, half were never written
    await w.deps.sessions.insert({ id: `${c.id}.2025-11-10`, organisationId: w.org.id, contractId: c.id, startsAt: new Date(passedAt.getTime() + (k % 3) * 3_600_000), durationMinutes: 60, status: 'scheduled', bookedAt: london('2025-10-13T12:00') });
    if (k % 2 === 0) await refreshCompliance(w.deps, w.org, c);
  }
  other = await connectStore(w.mongoUrl);
  otherDeps = { ...other.stores, clock: w.clock, newId: () => randomUUID() };
});
afterAll(async () => {
  for (const q of started) await q.close();
  await other?.close();
  await w?.close();
});

const everyContract = () => [w.contracts.amy, w.contracts.ben, ...extra];
const future = async (contractId: string): Promise<Session[]> =>
  (await w.deps.sessions.byContract(contractId)).filter((s) => s.status === 'scheduled' && !s.onRequest && s.startsAt.getTime() > w.clock.now().getTime());
const snapshot = async () => ({
  sessions: await w.store.models.sessions.find({}).sort({ _id: 1 }).lean(),
  audit: await w.store.models.audit.countDocuments({}),
  reminders: await w.store.models.reminders.find({}).sort({ _id: 1 }).lean(),
  compliance: await w.store.models.compliance.find({}).sort({ _id: 1 }).lean(),
});

describe('the start-up booking pass', () => {
  it('run by two workers at once books exactly one future session per contract, each audited once, no clash', async () => {
    w.clock.set(london('2025-11-10T19:00'));
    for (const c of extra) expect(await future(c.id)).toEqual([]);
    const auditBefore = await w.deps.audit.entries(w.org.id);

    const [depsA, depsB] = racing([w.deps, otherDeps]) as [AppDeps, AppDeps];
    const [a, b] = [await start(depsA), await start(depsB)];
    await Promise.all([a.rebuildReminders(), b.rebuildReminders()]);

    const booked: Array<Session & { supervisorIds: string[] }> = [];
    for (const c of everyContract()) {
      const next = await future(c.id);
      expect(next, c.id).toHaveLength(1);
      const [session] = next as [Session];
      booked.push({ ...session, supervisorIds: c.supervisorIds });
      // the summary /overdue reads names it, and its reminders are stored
      expect((await w.deps.compliance.get(c.id))?.nextScheduledAt).toEqual(session.startsAt);
      expect(await w.store.models.reminders.countDocuments({ subjectId: session.id })).toBeGreaterThan(0);
    }
    // what the pass booked puts no supervisor and no room in two sessions at once
    const byPass = new Set(extra.map((c) => c.id));
    for (const [i, s] of booked.entries()) {
      for (const t of booked.slice(i + 1)) {
        if (!byPass.has(s.contractId) && !byPass.has(t.contractId)) continue;
        const shared = s.supervisorIds.some((id) => t.supervisorIds.includes(id)) || (s.room !== undefined && s.room === t.room);
        if (shared) expect(overlaps(s, t), `${s.id} and ${t.id}`).toBe(false);
      }
    }
    // every new booking audited once, by one of the two; the chain is whole
    const newEntries = (await w.deps.audit.entries(w.org.id)).slice(auditBefore.length);
    const scheduled = newEntries.filter((e) => e.action === 'session.scheduled').map((e) => e.subject.id);
    expect(scheduled.sort()).toEqual(extra.map((c) => booked.find((s) => s.contractId === c.id)?.id).sort());
    expect(await w.deps.audit.verify(w.org.id)).toEqual({ ok: true, count: auditBefore.length + newEntries.length });
  });

  it('finds nothing to do the second time', async () => {
    const before = await snapshot();
    const again = await start(w.deps);
    await again.rebuildReminders();
    expect(await snapshot()).toEqual(before);
  });

  it('books once when two bookers read the same sessions and chose different times (the booking key decides)', async () => {
    const fresh = await createWorld('booking-pass-key', { arrange: false });
    const second = await connectStore(fresh.mongoUrl);
    try {
      fresh.clock.set(london('2025-11-10T19:00'));
      const contracts = [fresh.contracts.amy, fresh.contracts.ben];
      // the second booker sees the supervisor busy all day on the cadence's day, so it books the next school day
      const cadence = planNextSession(fresh.contracts.amy, { now: fresh.clock.now() }, calendar(fresh.org), fresh.org.termDates);
      if (cadence.kind !== 'book') throw new Error('the cadence gives a time');
      const day = calendar(fresh.org).localDate(cadence.startsAt);
      const busy = new Timetable();
      busy.add({ startsAt: london(`${day}T00:00`), durationMinutes: 24 * 60 }, ['sup']);
      expect(planNextSession(fresh.contracts.amy, { now: fresh.clock.now(), timetable: busy }, calendar(fresh.org), fresh.org.termDates)).toMatchObject({ kind: 'book', startsAt: london(`${calendar(fresh.org).nextSchoolDay(day)}T15:45`) });
      const [one, two] = racing([fresh.deps, { ...second.stores, clock: fresh.clock, newId: () => randomUUID() }]) as [AppDeps, AppDeps];
      const results = await Promise.all([bookNextSessions(one, fresh.org, contracts, new Timetable()), bookNextSessions(two, fresh.org, contracts, busy)]);
      expect(results.map((r) => r.booked).sort()).toEqual([0, 2]);
      for (const c of contracts) {
        const stored = await fresh.deps.sessions.byContract(c.id);
        expect(stored, c.id).toHaveLength(1);
        expect(stored[0]?.bookingKey).toBe(`${c.id}#0`);
      }
      const audited = (await fresh.deps.audit.entries(fresh.org.id)).filter((e) => e.action === 'session.scheduled');
      expect(audited).toHaveLength(2);
    } finally {
      await second.close();
      await fresh.close();
    }
  });

  it('books nothing into a school year without term dates, and asks for them once', async () => {
    const summer = await createWorld('booking-pass-year', { arrange: false });
    try {
      // 2026/27 has no term dates in this school's calendar; the next school day after the summer is in it
      summer.clock.set(london('2026-08-03T10:00'));
      const queues = await start(summer.deps);
      await queues.rebuildReminders();
      await queues.rebuildReminders();
      for (const c of [summer.contracts.amy, summer.contracts.ben]) {
        expect(await summer.deps.sessions.byContract(c.id)).toEqual([]);
      }
      const asked = await summer.store.models.outbox.find({ threadKey: 'term-dates:2026' }).lean();
      expect(asked.map((r) => r.recipientId)).toEqual(['dsl']);
    } finally {
      await summer.close();
    }
  });
});
