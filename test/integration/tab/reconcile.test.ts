/**
 * What the DSL sees, on the demo school: a filtered /overdue shows that list alone, every row says what it is
 * and whose, and the dashboard's figures agree with the overdue list (loughton §2–5; template senior manager (d)).
 * Through the tab API (the dashboard) and the playground API (the chat card), as the DSL.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import type { DashboardView } from '../../../src/app/dashboard.js';
import type { OverdueSummaryView } from '../../../src/app/views.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { loadDemoSchool } from '../../../src/demo/school.js';
import { createLogger } from '../../../src/logger.js';
import { recordFreeText } from '../../support/free-text.js';
import { london } from '../../support/school.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';

const clock = new AdjustableClock();
let bot: Bot;
let mongoUrl = '';

async function tab<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${bot.url}/tab/api${path}`, { headers: { 'x-playground-person': 'priya' } });
  return { status: res.status, body: (await res.json()) as T };
}
async function say(text: string) {
  const res = await fetch(`${bot.url}/playground/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-playground-person': 'priya' },
    body: JSON.stringify({ text }),
  });
  return (await res.json()) as { entry: { kind: string; card: unknown } };
}
/** Every piece of text on a card, in order. */
function words(card: unknown): string {
  const out: string[] = [];
  const visit = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (n && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      if ((o.type === 'TextBlock' || o.type === 'TextRun') && typeof o.text === 'string') out.push(o.text);
      if (typeof o.title === 'string' && typeof o.value === 'string') out.push(`${o.title}: ${o.value}`);
      Object.values(o).forEach(visit);
    }
  };
  visit(card);
  return out.join('\n');
}

beforeAll(async () => {
  clock.set(london('2026-11-23T09:00'));
  mongoUrl = testMongoUrl('tab-reconcile');
  bot = await startBot(
    loadConfig({
      MONGODB_URI: mongoUrl,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: testQueuePrefix(),
      PORT: '0',
      PLAYGROUND: 'on',
      LOG_LEVEL: 'silent',
    }),
    createLogger('silent'),
    {
      clock,
      prepare: async (rt) => void (await loadDemoSchool(rt.deps)),
    },
  );
});
afterAll(async () => {
  await bot?.stop();
  const conn = await mongoose.createConnection(mongoUrl).asPromise();
  await recordFreeText(conn);
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
});

describe('/overdue with a filter', () => {
  it('shows that list alone, not nought for every other', async () => {
    const { entry } = await say('/overdue actions');
    expect(entry.kind).toBe('overdue-summary');
    const text = words(entry.card);
    expect(text).toContain('Late actions only');
    expect(text).toContain('Late actions: 1');
    for (const other of [
      'Overdue supervision',
      'Records awaiting confirmation',
      'Contracts due for review',
      'Case decisions not filed',
      'Escalations not acknowledged',
      'Not reachable',
    ])
      expect(text).not.toContain(other);
    const all = words((await say('/overdue')).entry.card);
    expect(all).toContain('Overdue supervision: 2');
    expect(all).toContain('Late actions: 1');
  });

  it('the tab API answers the same list alone', async () => {
    const { status, body } = await tab<OverdueSummaryView>('/overdue?filter=records');
    expect(status).toBe(200);
    expect(body.shown).toEqual(['records']);
    expect(body.countFacts).toEqual([
      { label: 'Records awaiting confirmation', number: String(body.records.length) },
    ]);
  });
});

describe('every row says what it is and whose', () => {
  it('a late action names its owner, the supervisor and the session it came from', async () => {
    const { body } = await tab<OverdueSummaryView>('/overdue');
    const [late] = body.actions;
    expect(late).toMatchObject({ personName: 'Amy Clarke' });
    expect(late?.detail).toMatch(
      /^Amy Clarke’s action from the session of \w{3} \d{1,2} \w{3} 2026 with James Whitfield — due \w{3} \d{1,2} \w{3} 2026$/,
    );
    const amy = (await bot.runtime.deps.actions.openForContract('c-amy'))[0];
    expect(late?.detail).toContain(
      `session of ${new Date(`${amy?.sessionDate}T12:00:00Z`).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).replace(/,/g, '')}`,
    );
  });

  it('an overdue session names the supervisor; an unconfirmed record the session, both parties and who is waited for', async () => {
    const { body } = await tab<OverdueSummaryView>('/overdue');
    for (const row of body.sessions)
      expect(row.detail).toMatch(
        /^supervision with (James Whitfield|Aisha Begum|Priya Shah|Helen Carter) — /,
      );
    const [record] = body.records;
    expect(record?.detail).toMatch(
      /^record of the session of .+ 2026, James Whitfield with Daniel Price — waiting for Daniel Price to confirm$/,
    );
  });
});

describe('the dashboard agrees with the overdue list', () => {
  it('people overdue, sessions due and not held, and the on-time rate reconcile', async () => {
    const [{ body: dash }, { body: overdue }] = await Promise.all([
      tab<DashboardView>('/dashboard?halfTerms=18'),
      tab<OverdueSummaryView>('/overdue'),
    ]);
    // the same people, counted the same way
    expect(dash.overduePeople).toBe(overdue.counts.sessions);
    expect(overdue.counts.sessions).toBeGreaterThan(0);
    // each overdue contract has at least one session due and not held, and those count as not on time
    const overdueContracts = new Set(overdue.sessions.map((r) => r.refId));
    expect(dash.totals.notHeld).toBeGreaterThanOrEqual(overdueContracts.size);
    expect(dash.rates.onTime).toBeCloseTo(
      dash.totals.heldOnTime / (dash.totals.held + dash.totals.notHeld),
      10,
    );
    expect(dash.rates.onTime).toBeLessThan(1);
    // the half terms add up to the totals
    const sum = (k: 'due' | 'held' | 'heldOnTime' | 'notHeld') =>
      dash.halfTerms.reduce((n, h) => n + h[k], 0);
    expect({
      due: sum('due'),
      held: sum('held'),
      heldOnTime: sum('heldOnTime'),
      notHeld: sum('notHeld'),
    }).toEqual({
      due: dash.totals.due,
      held: dash.totals.held,
      heldOnTime: dash.totals.heldOnTime,
      notHeld: dash.totals.notHeld,
    });
  });

  it('holding the overdue sessions takes them off the list and out of "due and not held"', async () => {
    const { body: before } = await tab<OverdueSummaryView>('/overdue?filter=sessions');
    const ben = before.sessions.find((r) => r.personName === 'Ben Hughes');
    expect(ben).toBeTruthy();
    const { body: dashBefore } = await tab<DashboardView>('/dashboard?halfTerms=18');
    // James records a session with Ben held this morning
    const session = {
      id: 'c-ben.2026-11-23',
      organisationId: 'meadowbank',
      contractId: 'c-ben',
      startsAt: london('2026-11-23T08:00'),
      durationMinutes: 60,
      status: 'scheduled' as const,
    };
    const org = (await bot.runtime.deps.contracts.get('c-ben'))?.organisationId as string;
    await bot.runtime.deps.sessions.insert({ ...session, organisationId: org });
    const res = await fetch(`${bot.url}/playground/api/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-playground-person': 'james' },
      body: JSON.stringify({
        verb: 'record.submit',
        data: { sessionId: session.id, topics: 'performance', notes: 'Back on track' },
      }),
    });
    expect(res.status).toBe(200);
    const { body: after } = await tab<OverdueSummaryView>('/overdue?filter=sessions');
    expect(after.sessions.map((r) => r.personName)).not.toContain('Ben Hughes');
    const { body: dashAfter } = await tab<DashboardView>('/dashboard?halfTerms=18');
    expect(dashAfter.overduePeople).toBe(after.counts.sessions);
    expect(dashAfter.overduePeople).toBe(dashBefore.overduePeople - 1);
    expect(dashAfter.totals.notHeld).toBeLessThan(dashBefore.totals.notHeld);
  });
});

describe('a session that did not happen counts as due and not held', () => {
  it('the dashboard and /overdue still reconcile, and "not engaging" is the same on both', async () => {
    // James's session with Chloe on Mon 30 Nov passes without a record; that evening he says it did not happen
    clock.set(london('2026-11-30T17:30'));
    const { body: before } = await tab<DashboardView>('/dashboard?halfTerms=18');
    const res = await fetch(`${bot.url}/playground/api/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-playground-person': 'james' },
      body: JSON.stringify({
        verb: 'session.not-held',
        data: {
          sessionId: 'c-chloe.2026-11-30',
          reason: 'supervisee-absent',
          date: '2026-12-02',
          time: '15:45',
        },
      }),
    });
    expect(res.status).toBe(200);
    const [{ body: after }, { body: overdue }] = await Promise.all([
      tab<DashboardView>('/dashboard?halfTerms=18'),
      tab<OverdueSummaryView>('/overdue'),
    ]);
    expect(after.totals.notHeld).toBe(before.totals.notHeld + 1);
    expect(after.totals.due).toBe(before.totals.due);
    expect(after.rates.onTime).toBeCloseTo(
      after.totals.heldOnTime / (after.totals.held + after.totals.notHeld),
      10,
    );
    expect(after.rates.onTime ?? 1).toBeLessThan(before.rates.onTime ?? 1);
    expect(after.overduePeople).toBe(overdue.counts.sessions);
    const sum = (k: 'notHeld') => after.halfTerms.reduce((n, h) => n + h[k], 0);
    expect(sum('notHeld')).toBe(after.totals.notHeld);
    // the dashboard's not-engaging list is /overdue's
    expect(after.notEngaging.map((r) => r.personName).sort()).toEqual(
      overdue.notEngaging.map((r) => r.personName).sort(),
    );
    expect(overdue.counts.notEngaging).toBe(overdue.notEngaging.length);
    // the history shows it as did not happen, never "Booked"
    const history = (await tab<{ sessions: Array<{ id: string; statusLabel: string }> }>('/people/chloe'))
      .body;
    expect(history.sessions.find((x) => x.id === 'c-chloe.2026-11-30')?.statusLabel).toBe('Did not happen');
    clock.set(london('2026-11-23T09:00'));
  });
});

describe('the balance of supervision (Leeds briefing)', () => {
  it('the dashboard shows over the last year how many signed sessions touched each function', async () => {
    const { body } = await tab<DashboardView>('/dashboard');
    expect(body.balance.functions.map((f) => f.label)).toEqual([
      'Personal support and reflection',
      'Quality assurance',
      'Professional development',
    ]);
    const signed = (
      await bot.runtime.deps.records.byOrganisation(
        (
          await bot.runtime.deps.contracts.get('c-amy')
        )?.organisationId as string,
      )
    ).filter((r) => r.state === 'signed' && r.date >= '2025-11-24');
    expect(body.balance.sessions).toBe(new Set(signed.map((r) => r.id)).size);
    // the demo alternates support-and-performance with development-and-organisational sessions
    const [support, quality, development] = body.balance.functions.map((f) => f.sessions);
    expect(quality).toBe(body.balance.sessions);
    expect((support ?? 0) + (development ?? 0)).toBe(body.balance.sessions);
    expect(body.balance.fromText).toBe('Mon 24 Nov 2025');
  });

  it('lists someone in supervision for two terms whose sessions never touched professional development, and their history says so', async () => {
    const deps = bot.runtime.deps;
    const before = (await tab<DashboardView>('/dashboard')).body;
    expect(before.unbalanced).toEqual([]);
    // Ben has been in supervision since January; his one signed session was personal support and performance
    const ben = await deps.contracts.get('c-ben');
    await deps.contracts.upsert({ ...(ben as NonNullable<typeof ben>), startDate: '2026-01-05' });
    const { body } = await tab<DashboardView>('/dashboard');
    expect(body.unbalanced).toEqual([
      { personId: 'ben', personName: 'Ben Hughes', missing: ['Professional development'] },
    ]);
    expect(body.unbalancedSinceText).toMatch(/2026$/);
    const history = (await tab<{ balance: DashboardView['balance']; missing: string[] }>('/people/ben')).body;
    expect(history.missing).toEqual(['Professional development']);
    expect(history.balance.functions.find((f) => f.key === 'development')?.sessions).toBe(0);
    expect(history.balance.functions.find((f) => f.key === 'support')?.sessions).toBe(1);
  });
});
