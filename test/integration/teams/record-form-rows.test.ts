/**
 * The record form in Teams, through Bot Framework activities: the agenda and last session's actions on the
 * card; "Add another" answered by the invoke with the card as typed plus a row (Action.Execute refresh); a
 * refusal answered with the form as typed and the refusal above it; the outcomes applied when it is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { type FormToWrite, formWithAgendaAndActions } from '../../support/loops.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';
import { eventually } from '../../support/eventually.js';

let w: World;
let teams: FakeConnector;
let bot: Bot;
let form: FormToWrite;
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
  return { status: res.status, card: ((await res.json()) as { value: unknown }).value };
}

function nodes(card: unknown): Array<Record<string, any>> {
  const out: Array<Record<string, any>> = [];
  const visit = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(visit);
    else if (x && typeof x === 'object') {
      out.push(x as Record<string, any>);
      Object.values(x).forEach(visit);
    }
  };
  visit(card);
  return out;
}
const inputs = (card: unknown) => new Map(nodes(card).filter((x) => typeof x.type === 'string' && x.type.startsWith('Input.')).map((x) => [x.id as string, x]));
const words = (card: unknown) => nodes(card).filter((x) => x.type === 'TextRun' || x.type === 'TextBlock').map((x) => x.text as string).join('\n');

let previousIds = '';
const typed = () => ({
  sessionId: form.sessionId,
  previousIds,
  topics: 'performance',
  notes: 'Went through the Year 2 lunchtime concern',
  action0: 'Ring the school nurse',
  owner0: 'sup',
  due0: '2025-11-21',
  childRef: 'JS',
  decision: 'Start a food diary',
  rationale: 'Hunger noticed three times',
  followUpById: 'amy',
  outcome0: 'done',
  outcome1: 'dropped',
  note1: '',
});

beforeAll(async () => {
  w = await createWorld('teams_record_rows');
  teams = await startFakeConnector();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  form = await formWithAgendaAndActions(w);
  for (const p of ['sup', 'amy', 'stranger']) expect((await send(activity(p, { type: 'installationUpdate', action: 'add' }))).status).toBeLessThan(300);
});
afterAll(async () => {
  await bot?.stop();
  await teams?.close();
  await w?.close();
});

describe('the record form, in Teams', () => {
  it('`record amy` shows the agenda (parked first, marked) and each of last session’s open actions with an outcome', async () => {
    expect((await send(activity('sup', { type: 'message', text: 'record amy' }))).status).toBe(200);
    const call = await eventually(() => teams.calls.find((c) => c.conversationId === 'conv-sup' && JSON.stringify(c.body).includes('record.submit')), 'the record form');
    const card = (call.body as { attachments: Array<{ content: unknown }> }).attachments[0]?.content;
    const text = words(card);
    expect(text).toContain('Raised informally on Wed 12 Nov 2025');
    expect(text.indexOf('Workload since the new timetable')).toBeLessThan(text.indexOf('A Year 2 child who is often hungry at lunch'));
    expect(text).toContain('Call the parent about attendance this week');
    expect(inputs(card).get('outcome1')?.value).toBe('carried-forward');
    previousIds = nodes(card).find((x) => x.verb === 'record.submit')?.data.previousIds;
    expect(previousIds.split(',')).toEqual([form.lateActionId, form.laterActionId]);
  });

  it('“Add another” answers with the card as typed and one more action row', async () => {
    const res = await invoke('sup', 'record.add-row', { ...typed(), row: 'action' });
    expect(res.status).toBe(200);
    const fields = inputs(res.card);
    expect(fields.get('action0')?.value).toBe('Ring the school nurse');
    expect(fields.get('owner0')?.value).toBe('sup');
    expect(fields.get('due0')?.value).toBe('2025-11-21');
    expect(fields.get('childRef')?.value).toBe('JS');
    expect(fields.get('outcome0')?.value).toBe('done');
    expect(fields.get('outcome1')?.value).toBe('dropped');
    expect(fields.has('action1')).toBe(true);
    expect(fields.get('action1')?.label).toBe('Action 2 (up to 1,000 characters)');
    const decision = await invoke('sup', 'record.add-row', { ...typed(), action1: '', owner1: '', due1: '', row: 'decision' });
    expect(inputs(decision.card).has('childRef1')).toBe(true);
    expect(inputs(decision.card).has('action1')).toBe(true);
    const stranger = await invoke('stranger', 'record.add-row', { ...typed(), row: 'action' });
    expect(JSON.stringify(stranger.card)).toContain('Sorry');
    expect(inputs(stranger.card).size).toBe(0);
    expect(await w.deps.records.latest(`rec.${form.sessionId}`)).toBeNull();
  });

  it('a refusal comes back as the form as typed, naming the action in words; nothing is written', async () => {
    const res = await invoke('sup', 'record.submit', { ...typed(), action1: 'Keep the food diary', owner1: 'amy', due1: '2025-12-05' });
    expect(res.status).toBe(200);
    expect(words(res.card)).toContain('Not saved: Action from 5 Nov ‘Book the safeguarding refresher training’: a note is needed to drop it');
    const fields = inputs(res.card);
    expect(fields.get('action1')?.value).toBe('Keep the food diary');
    expect(fields.get('outcome1')?.value).toBe('dropped');
    expect(fields.get('notes')?.value).toBe('Went through the Year 2 lunchtime concern');
    expect(await w.deps.records.latest(`rec.${form.sessionId}`)).toBeNull();
    expect((await w.deps.actions.get(form.lateActionId))?.status).toBe('open');
  });

  it('sent: done closes last session’s action as its owner’s Done does, dropped sets the other aside with the note', async () => {
    const res = await invoke('sup', 'record.submit', { ...typed(), action1: 'Keep the food diary', owner1: 'amy', due1: '2025-12-05', note1: 'The office booked it for everyone' });
    expect(res.status).toBe(200);
    const record = await eventually(async () => {
      const r = await w.deps.records.latest(`rec.${form.sessionId}`);
      return r?.state === 'awaiting-confirmation' ? r : undefined;
    }, 'the record sent to confirm');
    expect(record.actions).toHaveLength(2);
    expect(await w.deps.actions.get(form.lateActionId)).toMatchObject({ status: 'done', closedById: 'sup' });
    expect(await w.deps.actions.get(form.laterActionId)).toMatchObject({ status: 'not-needed', notNeeded: { reason: 'The office booked it for everyone' } });
    // Amy's card says what became of each, with the note
    await eventually(() => teams.calls.find((c) => c.conversationId === 'conv-amy' && JSON.stringify(c.body).includes('Book the safeguarding refresher training — dropped: The office booked it for everyone')), 'Amy’s card with the note');
    const audit = await w.deps.audit.entries('org-wl');
    expect(audit.filter((e) => e.action === 'action.completed' && e.subject.id === form.lateActionId)).toHaveLength(1);
    expect(audit.filter((e) => e.action === 'action.not-needed' && e.subject.id === form.laterActionId)).toHaveLength(1);
  });
});
