/**
 * The demo school's timetable has no clashes: loaded on the day the other demo tests use and on days whose
 * history crosses Christmas, Easter and half terms, no supervisor (nor anyone else in a session) and no room is
 * in two overlapping sessions — by the overlap rule the booking use cases apply (`overlaps`), and every session
 * still to come passes the use cases' own clash check. The demo's stories stay as they were.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import { computeOverdue } from '../../../src/app/overdue.js';
import type { AppDeps } from '../../../src/app/ports.js';
import { refuseClash } from '../../../src/app/sessions.js';
import type { OverdueSummaryView } from '../../../src/app/views.js';
import { SchoolCalendar } from '../../../src/domain/calendar.js';
import { overlaps } from '../../../src/domain/session.js';
import type { Session, SupervisionContract } from '../../../src/domain/types.js';
import { DEMO_ORG_ID, demoOrganisation, loadDemoSchool } from '../../../src/demo/school.js';
import { connectStore, type StoreHandle } from '../../../src/store/connection.js';
import { recordFreeText } from '../../support/free-text.js';
import { testMongoUrl } from '../../support/services.js';

const cal = new SchoolCalendar(demoOrganisation());
const stores: StoreHandle[] = [];

afterAll(async () => {
  for (const store of stores) {
    await recordFreeText(store.connection);
    await store.connection.dropDatabase().catch(() => undefined);
    await store.close();
  }
});

async function demoLoadedOn(day: string): Promise<{ deps: AppDeps; clock: AdjustableClock }> {
  const store = await connectStore(testMongoUrl('demo_tt'));
  stores.push(store);
  const clock = new AdjustableClock();
  clock.set(cal.atLocalTime(day, '09:00'));
  const deps: AppDeps = { ...store.stores, clock, newId: () => randomUUID() };
  expect(await loadDemoSchool(deps)).toMatchObject({ loaded: true });
  return { deps, clock };
}

type Booked = Session & { contract: SupervisionContract };

/** Every pair of sessions (not cancelled: held, did not happen, or booked) that share a key and overlap. */
function clashesBy(sessions: Booked[], keysOf: (s: Booked) => string[]): string[] {
  const found: string[] = [];
  for (const [i, a] of sessions.entries()) {
    for (const b of sessions.slice(i + 1)) {
      const shared = keysOf(a).filter((k) => keysOf(b).includes(k));
      if (shared.length > 0 && overlaps(a, b)) found.push(`${shared.join(', ')}: ${a.id} (${a.status}) and ${b.id} (${b.status})`);
    }
  }
  return found;
}

describe.each([
  ['2026-11-23', 'the day the other demo tests load it'],
  ['2026-02-09', 'history across Christmas'],
  ['2026-06-08', 'history across Easter and the May half term'],
])('the demo school loaded on %s (%s)', (day) => {
  let deps: AppDeps;
  let clock: AdjustableClock;
  let sessions: Booked[];

  it('loads, and its sessions and rooms are as the contracts say', async () => {
    ({ deps, clock } = await demoLoadedOn(day));
    const contracts = await deps.contracts.byOrganisation(DEMO_ORG_ID);
    sessions = (await deps.sessions.byOrganisation(DEMO_ORG_ID))
      .filter((s) => s.status !== 'cancelled')
      .map((s) => ({ ...s, contract: contracts.find((c) => c.id === s.contractId) as SupervisionContract }));
    // history and what is to come: held sessions, and at least one booked ahead for every contract
    expect(sessions.filter((s) => s.status === 'held').length).toBeGreaterThan(10);
    for (const c of contracts) {
      expect(sessions.some((s) => s.contractId === c.id && s.status === 'scheduled' && s.startsAt > clock.now()), c.id).toBe(true);
    }
    for (const s of sessions) expect(s.room, s.id).toBe(s.contract.location.toLowerCase());
  }, 240_000); // loading a whole demo year takes minutes on a busy machine

  it('no supervisor is in two overlapping sessions', () => {
    expect(clashesBy(sessions, (s) => s.contract.supervisorIds)).toEqual([]);
  });

  it('no one at all (supervisor or supervisee) is in two overlapping sessions', () => {
    expect(clashesBy(sessions, (s) => [...s.contract.supervisorIds, ...s.contract.superviseeIds])).toEqual([]);
  });

  it('no room holds two overlapping sessions', () => {
    expect(clashesBy(sessions, (s) => (s.room ? [s.room] : []))).toEqual([]);
  });

  it('every session still to come passes the booking use cases’ clash check', async () => {
    const org = await deps.organisations.get(DEMO_ORG_ID);
    const ahead = sessions.filter((s) => s.status === 'scheduled' && s.startsAt > clock.now());
    expect(ahead.length).toBeGreaterThanOrEqual(10);
    for (const s of ahead) await expect(refuseClash(deps, org!, s.contract, s, s.id), s.id).resolves.toBeUndefined();
  });

  it.runIf(day === '2026-11-23')('still leaves the overdue, unsigned, late and review-due stories', async () => {
    const view = ((await computeOverdue(deps, 'priya', {})) as { view: OverdueSummaryView }).view;
    expect(view.sessions.map((r) => r.personName).sort()).toEqual(['Ben Hughes', 'Farah Khan']);
    expect(view.records.map((r) => r.personName)).toEqual(['Daniel Price']);
    expect(view.actions.map((r) => r.personName)).toEqual(['Amy Clarke']);
    expect(view.reviews.map((r) => r.personName)).toEqual(['Hannah Moss']);
  });
});
