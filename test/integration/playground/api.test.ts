import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { SchoolCalendar } from '../../../src/domain/calendar.js';
import { demoOrganisation, loadDemoSchool } from '../../../src/demo/school.js';
import { createLogger } from '../../../src/logger.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { eventually } from '../../support/eventually.js';

let bot: Bot;
const clock = new AdjustableClock();
const cal = new SchoolCalendar(demoOrganisation());

async function call(path: string, person: string | undefined, body?: unknown, raw?: string) {
  const headers: Record<string, string> = {};
  if (person) headers['x-playground-person'] = person;
  if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${bot.url}/playground/api/${path}`, { method: body !== undefined || raw !== undefined ? 'POST' : 'GET', headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}


/** Everything a bad request could have written. */
async function written() {
  const db = bot.runtime.store.connection.db!;
  const counts = await Promise.all(['agendaItems', 'playgroundInbox', 'escalations', 'records', 'audit'].map((c) => db.collection(c).countDocuments()));
  return { counts, clockOffset: clock.offset };
}

beforeAll(async () => {
  // a Monday morning before the reminders go out (08:30)
  clock.set(cal.atLocalTime('2026-11-23', '07:30'));
  const config = loadConfig({ MONGODB_URI: testMongoUrl('playground_api'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (runtime) => void (await loadDemoSchool(runtime.deps)) });
});
afterAll(async () => {
  await bot?.stop();
});

describe('the playground API', () => {
  it('serves the page, its script and the Adaptive Cards renderer', async () => {
    const page = await fetch(`${bot.url}/playground/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('assets/adaptivecards.js');
    const renderer = await fetch(`${bot.url}/playground/assets/adaptivecards.js`);
    expect(renderer.status).toBe(200);
    expect(await renderer.text()).toContain('AdaptiveCard');
    expect((await fetch(`${bot.url}/playground/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it('lists the demo people to choose from', async () => {
    const { status, body } = await call('people', undefined);
    expect(status).toBe(200);
    expect(body.people).toHaveLength(15);
    expect(body.people.find((p: { id: string }) => p.id === 'priya')).toMatchObject({ name: 'Priya Shah', title: 'Designated Safeguarding Lead' });
  });

  it('401 for nobody, for an id nobody has, and for a malformed id', async () => {
    expect((await call('inbox', undefined)).status).toBe(401);
    expect((await call('inbox', 'nobody')).status).toBe(401);
    const bad = await call('messages', 'amy amy', { text: 'hello' });
    expect(bad.status).toBe(401);
    expect((await call('clock', 'zed', { advance: 'days', days: 1 })).status).toBe(401);
  });

  it('400 naming the field for a bad request, and nothing is written', async () => {
    const before = await written();
    const cases: Array<[string, unknown, string]> = [
      ['messages', { text: 5 }, 'text'],
      ['messages', { text: '   ' }, 'text'],
      ['messages', { text: 'hi', extra: true }, 'body'],
      ['actions', { verb: 'agenda.add', data: { text: '  ' } }, 'data.text'],
      ['actions', { verb: 'agenda.add', data: { text: 'x', category: 'gossip' } }, 'data.category'],
      ['actions', { verb: 'record.delete', data: {} }, 'verb'],
      ['actions', { verb: 'constructor' }, 'verb'],
      ['actions', { verb: 'record.confirm', data: { recordId: 'rec x', version: 1 } }, 'data.recordId'],
      ['actions', { verb: 'agenda.add', data: [] }, 'data'],
      ['clock', { advance: 'days', days: 0 }, 'days'],
      ['clock', { advance: 'days', days: 1.5 }, 'days'],
      ['clock', { advance: 'weeks' }, 'advance'],
    ];
    for (const [path, body, field] of cases) {
      const res = await call(path, 'amy', body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.error.field, `${path} ${JSON.stringify(body)}`).toBe(field);
      expect(res.body.error.message).toContain(`${field}:`);
    }
    const notJson = await call('messages', 'amy', undefined, '{"text":');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.field).toBe('body');
    expect(await written()).toEqual(before);
  });

  it('403 for someone else’s record; its parties and the DSL may read it', async () => {
    const record = 'rec.c-ben.2026-09-07';
    const other = await call(`records/${record}`, 'amy');
    expect(other.status).toBe(403);
    expect(JSON.stringify(other.body)).not.toContain('Ben Hughes');
    expect((await call(`records/${record}`, 'aisha')).status).toBe(403);
    const own = await call(`records/${record}`, 'ben');
    expect(own.status).toBe(200);
    expect(own.body.card.type).toBe('AdaptiveCard');
    expect((await call(`records/${record}`, 'priya')).status).toBe(200);
    expect((await call('actions', 'amy', { entryId: 'ben|record:rec.c-ben.2026-09-07', verb: 'record.refresh', data: { recordId: record } })).status).toBe(403);
  });

  it('`add` with lines becomes agenda items for the next session, and the chat shows both sides', async () => {
    const { status, body } = await call('messages', 'chloe', { text: 'add Workload in Year 2\nPhonics training' });
    expect(status).toBe(200);
    expect(body.entry.kind).toBe('agenda');
    const items = await bot.runtime.deps.agenda.forSession('c-chloe.2026-11-30');
    expect(items.map((i) => i.text)).toEqual(['Workload in Year 2', 'Phonics training']);
    const inbox = await call('inbox', 'chloe');
    expect(inbox.body.entries.map((e: { from: string }) => e.from)).toEqual(['person', 'bot']);
    expect(inbox.body.entries[0].text).toBe('add Workload in Year 2\nPhonics training');
    expect(JSON.stringify(inbox.body.entries[1].card)).toContain('Phonics training');
    // nobody else sees it
    expect(JSON.stringify((await call('inbox', 'amy')).body)).not.toContain('Phonics');
  });

  it('/overdue as well as overdue; a supervisee is refused politely', async () => {
    const dsl = await call('messages', 'priya', { text: '/overdue' });
    expect(dsl.body.entry.kind).toBe('overdue-summary');
    expect(JSON.stringify(dsl.body.entry.card)).toContain('Ben Hughes');
    const amy = await call('messages', 'amy', { text: 'overdue' });
    expect(amy.body.entry.kind).toBe('refusal');
  });

  it('advancing the clock to the next reminder fires the agenda prompts', async () => {
    const before = await call('clock', 'chloe');
    expect(before.body.next.atText).toBe('Mon 23 Nov 2026, 08:30');
    const moved = await call('clock', 'chloe', { advance: 'next-reminder' });
    expect(moved.status).toBe(200);
    expect(moved.body.nowText).toBe('Mon 23 Nov 2026, 08:30');
    expect(moved.body.fired).toBeGreaterThan(0);
    const prompt = await eventually(async () => (await call('inbox', 'chloe')).body.entries.find((e: { kind?: string }) => e.kind === 'agenda-prompt'), 'the agenda prompt in Chloe’s chat');
    expect(JSON.stringify(prompt.card)).toContain('Workload in Year 2');
    const days = await call('clock', 'chloe', { advance: 'days', days: 2 });
    expect(days.body.nowText).toBe('Wed 25 Nov 2026, 08:30');
  });

  it('a card action from the agenda prompt adds the item and replaces the card', async () => {
    const inbox = (await call('inbox', 'chloe')).body.entries;
    const prompt = inbox.find((e: { kind?: string }) => e.kind === 'agenda-prompt');
    const res = await call('actions', 'chloe', { entryId: prompt.id, verb: 'agenda.add', data: { text: 'Attendance worries', category: 'case-discussion', riskOfHarm: 'false' } });
    expect(res.status).toBe(200);
    expect(res.body.entry.id).toBe(prompt.id);
    expect(res.body.entry.kind).toBe('agenda');
    expect((await bot.runtime.deps.agenda.forSession('c-chloe.2026-11-30')).map((i) => i.text)).toContain('Attendance worries');
  });

  it('a party requests a change to a record waiting for confirmation; the card shows it to both parties', async () => {
    const recordId = 'rec.c-daniel.2026-11-02';
    const res = await call('actions', 'daniel', { verb: 'record.dispute', data: { recordId, version: 1, reason: 'The action date should be next Friday' } });
    expect(res.status).toBe(200);
    expect(res.body.entry.id).toBe(`daniel|record:${recordId}`);
    expect(JSON.stringify(res.body.entry.card)).toContain('Change requested by Daniel Price');
    const james = await eventually(async () => (await call('inbox', 'james')).body.entries.find((e: { id: string }) => e.id === `james|record:${recordId}`), 'the record card in James’s chat');
    expect(JSON.stringify(james.card)).toContain('The action date should be next Friday');
  });

  it('nobody shows as unreachable: in local try-out everyone is reached through the playground', async () => {
    const { body } = await call('messages', 'priya', { text: 'overdue' });
    expect(JSON.stringify(body.entry.card)).not.toContain('not reachable in');
  });
});
