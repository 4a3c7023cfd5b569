/**
 * The record form in the playground (its API, the same conversation and card as Teams): the session's agenda
 * (parked first) and last session's open actions with an outcome each; "Add another" rows that keep what was
 * typed; many rows checked row by row; the outcomes applied when the record is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeOverdue } from '../../../src/app/overdue.js';
import type { OverdueSummaryView } from '../../../src/app/views.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FormToWrite, formWithAgendaAndActions } from '../../support/loops.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let bot: Bot;
let form: FormToWrite;

type Entry = { id: string; kind?: string; card?: unknown; message?: string };
async function call(path: string, person: string, body?: unknown) {
  const res = await fetch(`${bot.url}/playground/api/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-playground-person': person, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Every node of a card, depth first. */
function nodes(card: unknown): Array<Record<string, any>> {
  const out: Array<Record<string, any>> = [];
  const visit = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (n && typeof n === 'object') {
      out.push(n as Record<string, any>);
      Object.values(n).forEach(visit);
    }
  };
  visit(card);
  return out;
}
const inputs = (card: unknown) => new Map(nodes(card).filter((n) => typeof n.type === 'string' && n.type.startsWith('Input.')).map((n) => [n.id as string, n]));
const words = (card: unknown) => nodes(card).filter((n) => n.type === 'TextRun' || n.type === 'TextBlock').map((n) => n.text as string).join('\n');
const submitData = (card: unknown) => nodes(card).find((n) => n.type === 'Action.Execute' && n.verb === 'record.submit')?.data as Record<string, string>;

let entryId = '';
let previousIds = '';
const base = () => ({ sessionId: form.sessionId, previousIds, topics: 'performance', notes: 'Went through the Year 2 lunchtime concern' });

beforeAll(async () => {
  w = await createWorld('playground_record_rows');
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  form = await formWithAgendaAndActions(w);
});
afterAll(async () => {
  await bot?.stop();
  await w?.close();
});

describe('the record form shows the agenda and last session’s actions', () => {
  it('`record amy` gives Sam the form: parked items first and marked, the reflective prompt on a case, each open action with an outcome', async () => {
    const res = await call('messages', 'sup', { text: 'record amy' });
    expect(res.status).toBe(200);
    const entry = res.body.entry as Entry;
    entryId = entry.id;
    const text = words(entry.card);
    expect(submitData(entry.card).sessionId).toBe(form.sessionId);
    expect(text).toContain('Workload since the new timetable');
    expect(text).toContain('Raised informally on Wed 12 Nov 2025');
    expect(text.indexOf('Workload since the new timetable')).toBeLessThan(text.indexOf('A Year 2 child who is often hungry at lunch'));
    expect(text).toContain('Sense – Feel – Think – Do');
    expect(text).toContain('Call the parent about attendance this week');
    expect(text).toContain('Book the safeguarding refresher training');
    const fields = inputs(entry.card);
    expect(fields.get('outcome0')?.value).toBe('carried-forward');
    expect(fields.get('outcome1')?.choices.map((c: { value: string }) => c.value)).toEqual(['done', 'carried-forward', 'dropped']);
    expect(fields.has('action0') && fields.has('childRef')).toBe(true);
    expect(fields.has('action1')).toBe(false);
    expect(text).toContain('Up to 10 actions and 10 case decisions');
    previousIds = submitData(entry.card).previousIds as string;
    expect(previousIds.split(',')).toEqual([form.lateActionId, form.laterActionId]);
  });
});

describe('“Add another” keeps what was typed', () => {
  it('an action row is added to the card, everything typed still in it, also when the chat is read again', async () => {
    const typed = { ...base(), action0: 'Ring the school nurse about lunches', owner0: 'sup', due0: '2025-11-21', childRef: 'JS', decision: 'Start a food diary', rationale: 'Hunger noticed three times', followUpById: 'amy', outcome0: 'done', outcome1: 'dropped', note1: 'Training already booked by the office' };
    const res = await call('actions', 'sup', { entryId, verb: 'record.add-row', data: { ...typed, row: 'action' } });
    expect(res.status).toBe(200);
    for (const card of [res.body.entry.card, ((await call('inbox', 'sup')).body.entries as Entry[]).find((e) => e.id === res.body.entry.id)?.card]) {
      const fields = inputs(card);
      expect(fields.get('action0')?.value).toBe('Ring the school nurse about lunches');
      expect(fields.get('due0')?.value).toBe('2025-11-21');
      expect(fields.get('owner0')?.value).toBe('sup');
      expect(fields.has('action1')).toBe(true);
      expect(fields.get('action1')?.value ?? '').toBe('');
      expect(fields.get('childRef')?.value).toBe('JS');
      expect(fields.get('outcome0')?.value).toBe('done');
      expect(fields.get('outcome1')?.value).toBe('dropped');
      expect(fields.get('note1')?.value).toBe('Training already booked by the office');
      expect(fields.get('notes')?.value).toBe('Went through the Year 2 lunchtime concern');
    }
    // and a case decision row
    const more = await call('actions', 'sup', { entryId: res.body.entry.id, verb: 'record.add-row', data: { ...typed, action1: '', row: 'decision' } });
    const fields = inputs(more.body.entry.card);
    expect(fields.has('childRef1') && fields.has('decision1') && fields.has('followUpById1')).toBe(true);
    expect(fields.has('action1')).toBe(true);
    expect(await w.deps.records.latest(`rec.${form.sessionId}`)).toBeNull();
  });

  it('past ten rows the limit is said, on the form, and the button is gone', async () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [[`action${i}`, `Step ${i + 1} of the plan`], [`owner${i}`, 'amy'], [`due${i}`, '2025-11-28']]).flat());
    const res = await call('actions', 'sup', { entryId, verb: 'record.add-row', data: { ...base(), ...ten, row: 'action' } });
    expect(res.status).toBe(200);
    expect(words(res.body.entry.card)).toContain('Actions agreed: at most 10 on one record');
    expect(inputs(res.body.entry.card).has('action10')).toBe(false);
    expect(nodes(res.body.entry.card).some((n) => n.verb === 'record.add-row' && n.data?.row === 'action')).toBe(false);
  });

  it('a stranger cannot open Sam’s form with a row added', async () => {
    const res = await call('actions', 'stranger', { verb: 'record.add-row', data: { ...base(), row: 'action' } });
    expect(res.status).toBe(403);
  });
});

describe('many rows, each checked in words; nothing saved while any is wrong', () => {
  const written = async () => ({ record: await w.deps.records.latest(`rec.${form.sessionId}`), a1: (await w.deps.actions.get(form.lateActionId))?.status, a2: (await w.deps.actions.get(form.laterActionId))?.status });
  const rows = { action0: 'Ring the school nurse', owner0: 'sup', due0: '2025-11-21', action1: 'Keep the food diary for two weeks', owner1: 'amy', due1: '2025-12-05', childRef: 'JS', decision: 'Start a food diary', rationale: 'Hunger noticed three times', followUpById: 'amy', childRef1: 'KL', decision1: 'Tell the family worker', rationale1: 'Sibling of JS', followUpById1: 'sup' };
  const cases: Array<[string, Record<string, string>, string, string]> = [
    ['an action dropped without a note', { outcome0: 'done', outcome1: 'dropped' }, 'previousActionsReviewed.1.note', 'Action from 5 Nov ‘Book the safeguarding refresher training’: a note is needed to drop it'],
    ['action 2 due a year and more after', { due1: '2027-01-04' }, 'actions.1.dueDate', 'Action 2: the due date must be between the session and a year after it'],
    ['case decision 2 naming the child', { childRef1: 'Kim Lee' }, 'caseDecisions.1.childRef', 'Case decision 2: this looks like a name — give the child’s initials (e.g. JS) or a school or CPOMS reference (e.g. CPOMS-4471), never a name'],
    ['case decision 2 without its rationale', { rationale1: '' }, 'caseDecisions.1.rationale', 'Case decision 2, the rationale: record the rationale'],
  ];
  for (const [what, change, field, message] of cases) {
    it(what, async () => {
      const before = await written();
      const res = await call('actions', 'sup', { entryId, verb: 'record.submit', data: { ...base(), ...rows, outcome0: 'carried-forward', outcome1: 'carried-forward', ...change } });
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({ field, message });
      expect(await written()).toEqual(before);
    });
  }

  it('sent: the rows are on the record, done closes last session’s action, carried forward keeps the other open', async () => {
    const res = await call('actions', 'sup', { entryId, verb: 'record.submit', data: { ...base(), ...rows, outcome0: 'done', outcome1: 'carried-forward' } });
    expect(res.status).toBe(200);
    const record = await w.deps.records.latest(`rec.${form.sessionId}`);
    expect(record?.state).toBe('awaiting-confirmation');
    expect(record?.actions.map((a) => a.text)).toEqual(['Ring the school nurse', 'Keep the food diary for two weeks']);
    expect(record?.caseDecisions.map((d) => d.childRef)).toEqual(['JS', 'KL']);
    expect(record?.previousActionsReviewed).toEqual([
      { actionId: form.lateActionId, outcome: 'done' },
      { actionId: form.laterActionId, outcome: 'carried-forward' },
    ]);
    const done = await w.deps.actions.get(form.lateActionId);
    expect(done).toMatchObject({ status: 'done', closedById: 'sup' });
    expect((await w.deps.actions.get(form.laterActionId))?.status).toBe('open');
    const overdue = ((await computeOverdue(w.deps, 'dsl', {})) as { view: OverdueSummaryView }).view;
    expect(overdue.actions.map((r) => r.refId)).not.toContain(form.lateActionId);
    // Amy's card shows what became of each
    const amy = await call(`records/rec.${form.sessionId}`, 'amy');
    expect(words(amy.body.card)).toContain('Call the parent about attendance this week — done');
    expect(words(amy.body.card)).toContain('Book the safeguarding refresher training — carried forward');
  });
});
