/**
 * A change asked for, from Teams: back to the supervisor to edit and resend, or referred to the person the
 * contract names (Ben's: Sam's line manager, Helen Head), who arranges a meeting and records the outcome;
 * and a signed record corrected with a reason. Each through `Action.Execute` invokes answered by a card.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeOverdue } from '../../../src/app/overdue.js';
import { viewRecord } from '../../../src/app/records.js';
import type { OverdueSummaryView, RecordSheetView } from '../../../src/app/views.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { sentRecordForBen } from '../../support/loops.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';
import { eventually } from '../../support/eventually.js';

let w: World;
let teams: FakeConnector;
let bot: Bot;
let n = 0;

const activity = (person: string, extra: Record<string, unknown>) => ({
  id: `a${++n}`,
  timestamp: new Date().toISOString(),
  channelId: 'msteams',
  serviceUrl: teams.url,
  recipient: { id: '28:bot' },
  from: { id: `29:${person}`, aadObjectId: `aad-${person}` },
  conversation: { id: `conv-${person}`, tenantId: 'tenant-1', conversationType: 'personal' },
  ...extra,
});
async function send(body: unknown) {
  return fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
async function invoke(person: string, verb: string, data: Record<string, unknown>) {
  const res = await send(activity(person, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } } }));
  expect(res.status).toBe(200);
  return JSON.stringify(((await res.json()) as { value: unknown }).value);
}
const cardsTo = (conv: string) => teams.calls.filter((c) => c.conversationId === conv).map((c) => JSON.stringify(c.body));
const latest = async (recordId: string) => (await w.deps.records.latest(recordId))!;
const overdueRecords = async () => (((await computeOverdue(w.deps, 'dsl', { filter: 'records' })) as { view: OverdueSummaryView }).view.records).map((r) => r.refId);

const form = (sessionId: string, notes: string) => ({ sessionId, topics: 'organisational', notes, concerns: '', risk: '', childRef: '', decision: '', rationale: '', followUpById: '', action0: '', owner0: '', due0: '', nextDate: '', nextTime: '' });

beforeAll(async () => {
  w = await createWorld('teams_disputes');
  teams = await startFakeConnector();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  for (const p of ['dsl', 'sup', 'ben', 'head', 'stranger']) expect((await send(activity(p, { type: 'installationUpdate', action: 'add' }))).status).toBeLessThan(300);
});
afterAll(async () => {
  await bot?.stop();
  await teams?.close();
  await w?.close();
});

let signedId = '';
let signedSession = '';

describe('request a change → edit and resend', () => {
  it('the change goes back to Sam, whose card offers the form and “Refer to Helen Head”; Helen is not told', async () => {
    const { recordId } = await sentRecordForBen(w, '2026-01-05');
    signedId = recordId;
    signedSession = 'c-ben.2026-01-05';
    const answer = await invoke('ben', 'record.dispute', { recordId, version: 1, reason: 'The plan was agreed for February, not January' });
    expect(answer).toContain('Change requested');
    const supCard = await eventually(() => cardsTo('conv-sup').find((c) => c.includes('record.refer')), 'Sam’s card with Refer');
    expect(supCard).toContain('Refer to Helen Head');
    expect(supCard).toContain('Resend to confirm');
    expect(supCard).toContain('The plan was agreed for February, not January');
    expect(cardsTo('conv-head').join()).not.toContain('The plan was agreed for February');
    expect(await overdueRecords()).toEqual([]); // not yet five school days
  });

  it('Sam edits and resends; both confirm the changed record', async () => {
    const resent = await invoke('sup', 'record.submit', form(signedSession, 'Caseload and the attendance plan for February'));
    expect(resent).toContain('Waiting for confirmation');
    expect(await latest(signedId)).toMatchObject({ state: 'awaiting-confirmation', confirmations: [], notes: 'Caseload and the attendance plan for February', dispute: { outcome: 'edited' } });
    await invoke('ben', 'record.confirm', { recordId: signedId, version: 1 });
    expect(await invoke('sup', 'record.confirm', { recordId: signedId, version: 1 })).toContain('Signed by both on');
  });
});

describe('referred: the three-way resolution', () => {
  let recordId = '';

  it('nobody hears it before it is referred; referred, Helen gets the record, the reason and the buttons', async () => {
    ({ recordId } = await sentRecordForBen(w, '2026-01-12'));
    await invoke('ben', 'record.dispute', { recordId, version: 1, reason: 'The action owner should be Sam' });
    expect(await invoke('head', 'dispute.resolve', { recordId, outcome: 'keep', resolution: 'Kept' })).toContain('Sorry');
    expect(await invoke('stranger', 'record.refer', { recordId })).toContain('Sorry');
    const referred = await invoke('ben', 'record.refer', { recordId });
    expect(referred).toContain('Referred to Helen Head');
    const heard = await eventually(() => cardsTo('conv-head').find((c) => c.includes('dispute.resolve')), 'Helen’s card');
    expect(heard).toContain('dispute.meeting');
    expect(heard).toContain('The action owner should be Sam');
    expect(heard).not.toContain('record.confirm');
  });

  it('a party cannot hear their own dispute; a bad meeting names the field; the meeting is arranged and both are told', async () => {
    expect(await invoke('sup', 'dispute.resolve', { recordId, outcome: 'keep', resolution: 'Mine' })).toContain('Sorry');
    expect(await invoke('head', 'dispute.meeting', { recordId, meetingDate: '2026-02-30', meetingTime: '15:30' })).toContain('meetingDate:');
    expect(await invoke('head', 'dispute.meeting', { recordId, meetingDate: '2026-01-20', meetingTime: '' })).toContain('meetingTime:');
    expect(await invoke('head', 'dispute.meeting', { recordId, meetingDate: '2026-01-20', meetingTime: '15:30' })).toContain('Three-way meeting on Tue 20 Jan 2026, 15:30');
    for (const conv of ['conv-ben', 'conv-sup']) await eventually(() => cardsTo(conv).some((c) => c.includes('is arranged for Tue 20 Jan 2026, 15:30 with Helen Head')), `${conv} told in advance`);
  });

  it('still disputed, it stays on /overdue; kept as it is, it is signed with the resolution noted and leaves it', async () => {
    w.clock.set(london('2026-01-21T09:00'));
    expect(await overdueRecords()).toContain(recordId);
    expect(await invoke('head', 'dispute.resolve', { recordId, outcome: 'keep', resolution: '' })).toContain('resolution:');
    expect(await invoke('head', 'dispute.resolve', { recordId, outcome: 'maybe', resolution: 'x' })).toContain('outcome:');
    expect(await invoke('head', 'dispute.resolve', { recordId, outcome: 'keep', resolution: 'We agreed the record is accurate as written' })).toContain('kept as it is');
    expect(await latest(recordId)).toMatchObject({ state: 'signed', dispute: { outcome: 'kept', resolvedById: 'head' } });
    expect(await overdueRecords()).not.toContain(recordId);
    expect((await w.deps.actions.openForPerson('ben')).map((a) => a.recordId)).toContain(recordId);
    await eventually(() => cardsTo('conv-ben').some((c) => c.includes('after the change asked for was heard: kept as it was')), 'Ben told');
  });

  it('amended: the record goes back to Sam and both confirm the new text', async () => {
    const { recordId: other, sessionId } = await sentRecordForBen(w, '2026-01-26');
    await invoke('sup', 'record.dispute', { recordId: other, version: 1, reason: 'I wrote the wrong date for the plan' });
    await invoke('sup', 'record.refer', { recordId: other });
    expect(await invoke('dsl', 'dispute.resolve', { recordId: other, outcome: 'amend', resolution: 'Correct the date of the plan' })).toContain('to be amended');
    expect(await latest(other)).toMatchObject({ state: 'resolved', dispute: { outcome: 'amended' } });
    await invoke('sup', 'record.submit', form(sessionId, 'Caseload and the attendance plan, dated correctly'));
    await invoke('ben', 'record.confirm', { recordId: other, version: 1 });
    await invoke('sup', 'record.confirm', { recordId: other, version: 1 });
    expect(await latest(other)).toMatchObject({ state: 'signed', notes: 'Caseload and the attendance plan, dated correctly' });
  });
});

describe('correcting a signed record', () => {
  it('the DSL starts it with a reason; Sam corrects; both confirm; the signed version is kept and shown as superseded', async () => {
    expect(await invoke('ben', 'record.correct', { recordId: signedId, reason: 'I want it changed' })).toContain('Sorry');
    expect(await invoke('dsl', 'record.correct', { recordId: signedId, reason: ' ' })).toContain('reason:');
    const started = await invoke('dsl', 'record.correct', { recordId: signedId, reason: 'The family worker’s name is wrong in the plan' });
    expect(started).toContain('Correcting version 1');
    const toSam = await eventually(() => cardsTo('conv-sup').find((c) => c.includes('Correcting version 1') && c.includes('record.submit')), 'the new version to Sam to edit');
    expect(toSam).toContain('The family worker’s name is wrong in the plan');
    await invoke('sup', 'record.submit', form(signedSession, 'Caseload and the attendance plan for February, with the family worker named'));
    await invoke('ben', 'record.confirm', { recordId: signedId, version: 2 });
    expect(await invoke('sup', 'record.confirm', { recordId: signedId, version: 2 })).toContain('Signed by both on');
    expect((await w.deps.records.versions(signedId)).map((r) => [r.version, r.state])).toEqual([
      [1, 'signed'],
      [2, 'signed'],
    ]);
    const old = (await viewRecord(w.deps, 'ben', { recordId: signedId, version: 1 })) as { view: RecordSheetView };
    expect(old.view).toMatchObject({ supersededByVersion: 2, canCorrect: false, notes: 'Caseload and the attendance plan for February' });
  });
});
