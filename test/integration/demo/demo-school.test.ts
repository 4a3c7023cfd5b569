import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import { computeOverdue } from '../../../src/app/overdue.js';
import type { AppDeps } from '../../../src/app/ports.js';
import type { OverdueSummaryView } from '../../../src/app/views.js';
import { SchoolCalendar } from '../../../src/domain/calendar.js';
import { DEMO_ORG_ID, demoOrganisation, loadDemoSchool } from '../../../src/demo/school.js';
import { connectStore, type StoreHandle } from '../../../src/store/connection.js';
import { recordFreeText } from '../../support/free-text.js';
import { testMongoUrl } from '../../support/services.js';

let store: StoreHandle;
let deps: AppDeps;
const clock = new AdjustableClock();

beforeAll(async () => {
  store = await connectStore(testMongoUrl('demo'));
  // a Monday in the autumn term of the demo's second year
  clock.set(new SchoolCalendar(demoOrganisation()).atLocalTime('2026-11-23', '09:00'));
  deps = { ...store.stores, clock, newId: () => randomUUID() };
});
afterAll(async () => {
  await recordFreeText(store.connection);
  await store.connection.dropDatabase().catch(() => undefined);
  await store.close();
});

describe('the demo school', () => {
  it('loads once, with the people and contracts the README lists', async () => {
    expect(await loadDemoSchool(deps)).toEqual({ loaded: true, people: 15, contracts: 10 });
    expect(await loadDemoSchool(deps)).toEqual({ loaded: false, people: 0, contracts: 0 });
    const people = await deps.people.byOrganisation(DEMO_ORG_ID);
    expect(people.filter((p) => p.roles.includes('supervisee') && !p.roles.includes('supervisor') && !p.roles.includes('dsl') && !p.roles.includes('deputy-dsl'))).toHaveLength(8);
    expect(people.find((p) => p.id === 'priya')?.identities.slackUserId).toBe('U0DEMO01');
    expect(await deps.audit.verify(DEMO_ORG_ID)).toMatchObject({ ok: true });
  });

  it('leaves the stories the DSL should see in /overdue', async () => {
    const result = await computeOverdue(deps, 'priya', {});
    const view = (result as { view: OverdueSummaryView }).view;
    expect(view.sessions.map((r) => r.personName).sort()).toEqual(['Ben Hughes', 'Farah Khan']);
    expect(view.records.map((r) => r.personName)).toEqual(['Daniel Price']);
    expect(view.actions.map((r) => r.personName)).toEqual(['Amy Clarke']);
    expect(view.reviews.map((r) => r.personName)).toEqual(['Hannah Moss']);
    expect(view.escalations).toEqual([]);
  });

  it('its history is signed records, and nothing old is waiting to be sent', async () => {
    const signed = await store.models.records.countDocuments({ state: 'signed', current: true });
    expect(signed).toBeGreaterThan(10);
    // what is still to send is about sessions to come (a session booked for tomorrow is reminded now)
    const pending = await deps.reminders.pending(new Date(0));
    expect(pending.length).toBeGreaterThan(0);
    for (const r of pending.filter((p) => ['notice', 'booked', 'agenda-prompt', 'day-before'].includes(p.kind))) {
      const session = await deps.sessions.get(r.subjectId);
      expect(session?.status).toBe('scheduled');
      expect(session!.startsAt.getTime()).toBeGreaterThan(clock.now().getTime());
    }
    for (const r of pending.filter((p) => !['notice', 'booked', 'agenda-prompt', 'day-before'].includes(p.kind))) {
      expect(r.dueAt.getTime()).toBeGreaterThan(clock.now().getTime());
    }
    expect((await deps.outbox.pending(1000)).filter((m) => m.createdAt.getTime() < clock.now().getTime())).toEqual([]);
  });
});
