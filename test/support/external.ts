/**
 * Supervision from outside the school (stour §4), for test/integration/external/: a level-3 contract whose external
 * supervisor, Eve, has no Slack or Teams identity, so its supervisee Erin keeps it in chat. Also the clock moved
 * past a session, reminder by reminder, and the checks each channel's journey ends with.
 */
import { expect } from 'vitest';
import type { Bot } from '../../src/bot.js';
import { saveContract } from '../../src/app/sessions.js';
import type { Session } from '../../src/domain/types.js';
import { contract, person } from './school.js';
import type { World } from './world.js';

export const EXTERNAL_CONTRACT = 'c-erin';

/** Eve External (no chat identity), Erin (in Slack and Teams) and their level-3 contract, its first session booked. */
export async function seedExternalContract(w: World): Promise<void> {
  await w.deps.people.upsert(person('eve', ['supervisor'], { name: 'Eve External', email: 'eve@agency.example' }));
  await w.deps.people.upsert(person('erin', ['supervisee'], { name: 'Erin Early', identities: { slackUserId: 'UERIN', slackTeamId: 'T1', teamsAadObjectId: 'aad-erin', teamsTenantId: 'tenant-1' } }));
  await w.deps.people.upsert(person('admin', ['admin'], { name: 'Bea Business', identities: { slackUserId: 'UADMIN', teamsAadObjectId: 'aad-admin' } }));
  const c = contract({ id: EXTERNAL_CONTRACT, supervisorIds: ['eve'], superviseeIds: ['erin'], level: 3, external: true, location: 'Video call', format: 'video', preferredTime: '10:00' });
  await w.deps.contracts.upsert(c);
  await saveContract(w.deps, w.org, c);
}

/** The contract's next scheduled session. */
export async function nextExternalSession(w: World): Promise<Session> {
  const now = w.clock.now().getTime();
  const next = (await w.deps.sessions.byContract(EXTERNAL_CONTRACT)).filter((s) => s.status === 'scheduled').sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  const session = next.find((s) => s.startsAt.getTime() >= now) ?? next[0];
  if (!session) throw new Error('no session booked for the external contract');
  return session;
}

/** Time passes to a moment, reminder by reminder, as the playground's clock does it; the outbox is delivered. */
export async function moveClockTo(w: World, bot: Bot, at: Date): Promise<void> {
  const { deps, queues } = bot.runtime;
  for (let i = 0; i < 1000; i++) {
    const [next] = await deps.reminders.pending(new Date(0), new Date(at.getTime() + 1));
    if (!next) break;
    if (next.dueAt.getTime() > w.clock.now().getTime()) w.clock.set(next.dueAt);
    if ((await queues.fireDueReminders()) === 0) break;
  }
  w.clock.set(at);
  await queues.fireDueReminders();
  await queues.flushOutbox();
}

/** Past a session's time, to the afternoon's "did it happen?" (it ends at most 2 h in). */
export const afterSession = (s: Session) => new Date(s.startsAt.getTime() + 5 * 3_600_000);

/**
 * "It happened" with two actions: the record is kept by the external supervisor, signed by Erin alone, with no
 * notes or concerns; the session is held; both actions are open; nothing awaits anyone's confirmation.
 */
export async function expectKeptRecord(w: World, sessionId: string): Promise<void> {
  const record = await w.deps.records.bySession(sessionId);
  expect(record).toMatchObject({ keptBy: 'external', recordedById: 'erin', state: 'signed', supervisorId: 'eve', notes: '', concerns: [] });
  expect(record?.confirmations.map((c) => c.personId)).toEqual(['erin']);
  expect((await w.deps.sessions.get(sessionId))?.status).toBe('held');
  const open = await w.deps.actions.openForContract(EXTERNAL_CONTRACT);
  expect(open.map((a) => [a.text, a.ownerId]).sort()).toEqual([
    ['Read the agency’s guidance on lone working', 'erin'],
    ['Send the case summary template', 'eve'],
  ]);
  expect((await w.deps.records.awaitingConfirmation(w.org.id)).map((r) => r.id)).not.toContain(record?.id);
  const entries = await w.deps.audit.entries(w.org.id);
  const signed = entries.filter((e) => e.action === 'record.signed' && e.subject.id === record?.id);
  expect(signed.map((e) => e.actorId)).toEqual(['erin']);
}

/** The dashboard's figures (as the DSL reads them): held and signed. */
export async function dashboardTotals(botUrl: string): Promise<{ held: number; signed: number; notHeld: number }> {
  const res = await fetch(`${botUrl}/tab/api/dashboard`, { headers: { 'x-playground-person': 'dsl' } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { totals: { held: number; signed: number; notHeld: number } };
  return body.totals;
}

export const TWO_ACTIONS = (sessionDay: string) => ({
  action0: 'Read the agency’s guidance on lone working',
  owner0: 'erin',
  due0: addWeeks(sessionDay, 2),
  action1: 'Send the case summary template',
  owner1: 'eve',
  due1: addWeeks(sessionDay, 3),
  topics: 'professional-development,impact-on-individual',
});

function addWeeks(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 7 * n);
  return d.toISOString().slice(0, 10);
}
