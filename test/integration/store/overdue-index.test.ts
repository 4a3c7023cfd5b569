import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitAgendaItem } from '../../../src/app/agenda.js';
import { acknowledgeEscalation, completeAction, markCaseDecisionCopied } from '../../../src/app/follow-up.js';
import { computeOverdue } from '../../../src/app/overdue.js';
import type { AppDeps } from '../../../src/app/ports.js';
import { confirmRecord, draftRecord } from '../../../src/app/records.js';
import { ensureNextSession, saveContract } from '../../../src/app/sessions.js';
import type { OverdueSummaryView, RecordSheetView } from '../../../src/app/views.js';
import { type OverdueIndex, overdueIndex } from '../../../src/store/overdue-index.js';
import { contract, london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let redis: Redis;
let index: OverdueIndex;
let indexed: AppDeps;
let direct: AppDeps;
const prefix = testQueuePrefix();

async function both(): Promise<OverdueSummaryView> {
  const a = (await computeOverdue(indexed, 'dsl', {})) as { ok: true; view: OverdueSummaryView };
  const b = (await computeOverdue(direct, 'dsl', {})) as { ok: true; view: OverdueSummaryView };
  expect(a.ok && b.ok).toBe(true);
  // the index answers exactly what the repositories answer
  expect(a.view).toEqual(b.view);
  return a.view;
}

beforeAll(async () => {
  w = await createWorld('overdue-index', { arrange: false });
  redis = new Redis(testRedisUrl());
  index = overdueIndex(w.store.stores, redis, prefix);
  indexed = { ...index.stores, overdueSource: index.source, clock: w.clock, newId: () => randomUUID() };
  direct = { ...w.store.stores, clock: w.clock, newId: () => randomUUID() };
  // a third contract whose annual review has passed
  await saveContract(indexed, w.org, contract({ id: 'c-dsl', supervisorIds: ['head'], superviseeIds: ['dsl'], cadence: { kind: 'termly' }, reviewDueDate: '2025-10-01' }));
  for (const c of Object.values(w.contracts)) await saveContract(indexed, w.org, c);
});
afterAll(async () => {
  await redis.quit();
  await w.close();
});

describe('the /overdue index', () => {
  let recordId = '';

  it('starts as the repositories do: reviews due, nobody supervised yet', async () => {
    w.clock.set(london('2025-11-10T09:00'));
    const view = await both();
    expect(view.reviews.map((r) => r.personName)).toEqual(['Dee Lead']);
  });

  it('follows escalations, records, actions, case decisions and reachability as they change', async () => {
    const next = await ensureNextSession(indexed, w.org, w.contracts.amy);
    await submitAgendaItem(indexed, 'amy', { key: 'k1', text: 'A child said something worrying', riskOfHarm: true });
    expect((await both()).escalations).toHaveLength(1);

    w.clock.set(new Date(next!.startsAt.getTime() + 2 * 3600_000));
    const drafted = await draftRecord(indexed, 'sup', {
      sessionId: next!.id,
      topics: ['performance'],
      notes: 'n',
      caseDecisions: [{ childRef: 'JB', decision: 'Refer', rationale: 'Attendance', followUpById: 'amy' }],
      actions: [{ text: 'Call home', ownerId: 'amy', dueDate: '2025-11-14' }],
      submit: true,
    });
    recordId = (drafted as { view: RecordSheetView }).view.recordId;
    await both();

    w.clock.set(london('2025-11-24T09:00')); // more than five school days later: the record is overdue
    const waiting = await both();
    expect(waiting.records.map((r) => r.refId)).toEqual([recordId]);

    await confirmRecord(indexed, 'amy', { recordId });
    await confirmRecord(indexed, 'sup', { recordId });
    const signed = await both();
    expect(signed.records).toEqual([]);
    expect(signed.actions.map((a) => a.personName)).toEqual(['Amy Teacher']);
    expect(signed.caseDecisions).toHaveLength(1);

    const action = (await indexed.actions.openForPerson('amy'))[0]!;
    await completeAction(indexed, 'amy', { actionId: action.id });
    const decision = (await indexed.records.latest(recordId))!.caseDecisions[0]!;
    await markCaseDecisionCopied(indexed, 'amy', { recordId, decisionId: decision.id });
    const escalation = (await indexed.escalations.unacknowledged('org-wl'))[0]!;
    await acknowledgeEscalation(indexed, 'dsl', { escalationId: escalation.id });
    await indexed.people.setReachability('ben', 'teams', false, w.clock.now());
    const after = await both();
    expect(after.actions).toEqual([]);
    expect(after.caseDecisions).toEqual([]);
    expect(after.escalations).toEqual([]);
    expect(after.unreachable.map((u) => u.personName)).toEqual(['Ben Pastoral']);

    await indexed.people.setReachability('ben', 'teams', true, w.clock.now());
    expect((await both()).unreachable).toEqual([]);
  });

  it('months later, sessions fall overdue by the cadence', async () => {
    w.clock.set(london('2026-02-02T09:00'));
    const view = await both();
    expect(view.sessions.map((s) => s.personName).sort()).toEqual(['Amy Teacher', 'Ben Pastoral', 'Dee Lead']);
  });

  it('is rebuilt from MongoDB when Redis has lost it', async () => {
    const keys = await redis.keys(`${prefix}:overdue:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    const view = await both();
    expect(view.sessions).toHaveLength(3);
    expect(await redis.exists(`${prefix}:overdue:{org-wl}:built`)).toBe(1);
  });
});
