/**
 * Closing the loops from Teams: `actions` lists my actions with Done (and Not needed for the supervisor), the
 * late-action reminder carries the same buttons, and the case-decision chase carries "Copied to the child's
 * file"; each answered by the invoke's card, through the commands queue, and gone from /overdue once closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeOverdue } from '../../../src/app/overdue.js';
import type { OverdueSummaryView } from '../../../src/app/views.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { type SignedWithLoops, signedRecordWithLoops } from '../../support/loops.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';
import { eventually } from '../../support/eventually.js';

let w: World;
let teams: FakeConnector;
let bot: Bot;
let loops: SignedWithLoops;
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
  return { status: res.status, card: JSON.stringify(((await res.json()) as { value: unknown }).value) };
}
const cardsTo = (conv: string) => teams.calls.filter((c) => c.conversationId === conv).map((c) => JSON.stringify(c.body));
const overdue = async () => ((await computeOverdue(w.deps, 'dsl', {})) as { view: OverdueSummaryView }).view;


beforeAll(async () => {
  w = await createWorld('teams_loops');
  teams = await startFakeConnector();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  loops = await signedRecordWithLoops(w);
  for (const p of ['dsl', 'sup', 'amy', 'stranger']) expect((await send(activity(p, { type: 'installationUpdate', action: 'add' }))).status).toBeLessThan(300);
  // the Monday after: the action is late, the decisions past their 24 hours (and a day more)
  w.clock.set(london('2025-11-10T09:00'));
  await bot.runtime.queues.fireDueReminders();
  await bot.runtime.queues.flushOutbox();
});
afterAll(async () => {
  await bot?.stop();
  await teams?.close();
  await w?.close();
});

describe('actions, from Teams', () => {
  it('the late-action reminder carries Done; `actions` lists mine with Done', async () => {
    const reminder = await eventually(() => cardsTo('conv-amy').find((c) => c.includes('An agreed action is past its date')), 'the late-action reminder');
    expect(reminder).toContain('"verb":"action.done"');
    expect(reminder).toContain(loops.lateActionId);
    // Amy owns it but does not supervise: no "Not needed" for her
    expect(reminder).not.toContain('action.not-needed');
    expect((await send(activity('amy', { type: 'message', text: 'actions' }))).status).toBe(200);
    const list = await eventually(() => cardsTo('conv-amy').find((c) => c.includes('Open actions')), 'the list');
    expect(list).toContain('Call the parent about attendance this week');
    expect(list).toContain('"verb":"action.done"');
    expect((await overdue()).actions.map((r) => r.refId)).toContain(loops.lateActionId);
  });

  it('a stranger cannot mark it done; a bad id names the field; nothing changes', async () => {
    const refused = await invoke('stranger', 'action.done', { actionId: loops.lateActionId });
    expect(refused.card).toContain('Sorry');
    const bad = await invoke('amy', 'action.done', { actionId: '../etc' });
    expect(bad.card).toContain('actionId: not a valid reference');
    expect((await w.deps.actions.get(loops.lateActionId))?.status).toBe('open');
  });

  it('Done from the reminder: the card becomes the list without it, and it leaves /overdue', async () => {
    const { status, card } = await invoke('amy', 'action.done', { actionId: loops.lateActionId });
    expect(status).toBe(200);
    expect(card).toContain('Action marked as done.');
    expect(card).not.toContain('Call the parent about attendance this week');
    expect(card).toContain('Book the safeguarding refresher training');
    expect((await w.deps.actions.get(loops.lateActionId))?.status).toBe('done');
    expect((await overdue()).actions.map((r) => r.refId)).not.toContain(loops.lateActionId);
    const again = await invoke('amy', 'action.done', { actionId: loops.lateActionId });
    expect(again.card).toContain('Action marked as done.');
    expect((await w.deps.audit.entries('org-wl')).filter((e) => e.action === 'action.completed' && e.subject.id === loops.lateActionId)).toHaveLength(1);
  });

  it('Not needed: only the supervisor, and only with a reason', async () => {
    const ownerTries = await invoke('amy', 'action.not-needed', { actionId: loops.laterActionId, reason: 'I would rather not do it' });
    expect(ownerTries.card).toContain('Sorry');
    const noReason = await invoke('sup', 'action.not-needed', { actionId: loops.laterActionId, reason: '  ' });
    expect(noReason.card).toContain('reason: say why the action is not needed');
    expect((await w.deps.actions.get(loops.laterActionId))?.status).toBe('open');
    const list = await eventually(async () => {
      await send(activity('sup', { type: 'message', text: 'actions' }));
      return cardsTo('conv-sup').find((c) => c.includes('Open actions') && c.includes('action.not-needed'));
    }, 'the supervisor’s list with Not needed');
    expect(list).toContain('"id":"reason"');
    const { card } = await invoke('sup', 'action.not-needed', { actionId: loops.laterActionId, reason: 'The training was cancelled by the local authority' });
    expect(card).toContain('Action set aside as not needed.');
    const stored = await w.deps.actions.get(loops.laterActionId);
    expect(stored).toMatchObject({ status: 'not-needed', closedById: 'sup', notNeeded: { reason: 'The training was cancelled by the local authority' } });
  });
});

describe('case decisions, from Teams', () => {
  it('the chase reaches who follows up with "Copied to the child’s file"; a day past the deadline the DSL is told', async () => {
    const chase = await eventually(() => cardsTo('conv-amy').find((c) => c.includes('A case decision must reach the child')), 'the chase to Amy');
    expect(chase).toContain('"verb":"decision.copied"');
    expect(chase).toContain('"decisionId":"d1"');
    const toDsl = await eventually(() => cardsTo('conv-dsl').filter((c) => c.includes('A case decision is not on the child')), 'the DSL told');
    expect(toDsl.length).toBe(2);
    expect(toDsl.join()).toContain('"verb":"decision.copied"');
    // the DSL is told whose it is, never what was decided
    expect(toDsl.join()).not.toContain('early help');
    expect((await overdue()).caseDecisions.length).toBe(2);
  });

  it('a bad reference names the field; someone else cannot mark it', async () => {
    const bad = await invoke('amy', 'decision.copied', { recordId: loops.recordId, decisionId: 'd1', childFileRef: '<a href=x>' });
    expect(bad.card).toContain('childFileRef:');
    const stranger = await invoke('stranger', 'decision.copied', { recordId: loops.recordId, decisionId: 'd1' });
    expect(stranger.card).toContain('Sorry');
    expect((await w.deps.caseDecisions.get(loops.recordId, 'd1'))?.copiedToChildFileAt).toBeUndefined();
  });

  it('Copied, with the school system’s reference: it leaves /overdue', async () => {
    const { card } = await invoke('amy', 'decision.copied', { recordId: loops.recordId, decisionId: 'd1', childFileRef: 'CPOMS 48213' });
    expect(card).toContain('on the child’s file (CPOMS 48213)');
    expect(await w.deps.caseDecisions.get(loops.recordId, 'd1')).toMatchObject({ copiedById: 'amy', childFileRef: 'CPOMS 48213' });
    expect((await overdue()).caseDecisions.map((r) => r.refId)).not.toContain(`${loops.recordId}:d1`);
    // the DSL can mark the other one from their card
    const dsl = await invoke('dsl', 'decision.copied', { recordId: loops.recordId, decisionId: 'd2' });
    expect(dsl.card).toContain('on the child’s file');
    expect((await overdue()).caseDecisions).toEqual([]);
  });
});
