/**
 * Agenda that belongs to the right session, through the playground API on the demo school (the same
 * conversation Teams uses): small talk is never an item, a plain line is asked about unless it answers an
 * agenda prompt, a supervisor adds to a named supervisee's session, `park` is marked and comes first, and
 * limits are said (a reply past them is refused in words, never cut).
 */
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
const CHLOE_NEXT = 'c-chloe.2026-11-30';

async function call(path: string, person: string, body?: unknown) {
  const headers: Record<string, string> = { 'x-playground-person': person };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${bot.url}/playground/api/${path}`, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON is read loosely here, as in api.test.ts
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const say = (person: string, text: string, replyTo?: string) => call('messages', person, { text, ...(replyTo ? { replyTo } : {}) });
const items = () => bot.runtime.deps.agenda.forSession(CHLOE_NEXT);
const parked = () => bot.runtime.deps.agenda.parked('c-chloe');


beforeAll(async () => {
  // a Monday morning before the agenda prompts go out (08:30)
  clock.set(cal.atLocalTime('2026-11-23', '07:30'));
  const config = loadConfig({ MONGODB_URI: testMongoUrl('playground_agenda'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (runtime) => void (await loadDemoSchool(runtime.deps)) });
}, 120_000);
afterAll(async () => {
  await bot?.stop();
});

describe('agenda items from chat', () => {
  it('small talk is not added: "thanks!", "hi" and "ok 👍" get a pointer to `add`, never an item', async () => {
    for (const text of ['thanks!', 'hi', 'ok 👍', 'Thank you so much']) {
      const { status, body } = await say('chloe', text);
      expect(status).toBe(200);
      expect(body.entry.kind).toBe('text');
      expect(JSON.stringify(body.entry)).toContain('type add and the item');
    }
    expect(await items()).toEqual([]);
  });

  it('a line that answers no agenda prompt is asked about — "Add this to your agenda for …?" — and added only with the button, with the category chosen', async () => {
    const { body } = await say('chloe', 'Phonics group is not working');
    expect(body.entry.kind).toBe('agenda-suggestion');
    const card = JSON.stringify(body.entry.card);
    expect(card).toContain('Add this to your agenda for Mon 30 Nov 2026');
    expect(card).toContain(CHLOE_NEXT);
    expect(await items()).toEqual([]);
    const added = await call('actions', 'chloe', { entryId: body.entry.id, verb: 'agenda.add', data: { sessionId: CHLOE_NEXT, text: 'Phonics group is not working', category: 'professional-development' } });
    expect(added.status).toBe(200);
    expect(added.body.entry.kind).toBe('agenda');
    expect((await items()).map((i) => [i.text, i.category, i.authorId])).toEqual([['Phonics group is not working', 'professional-development', 'chloe']]);
  });

  it('the supervisor’s item goes on the supervisee’s session: `add chloe: …` from James', async () => {
    const { body } = await say('james', 'add Chloe: Feedback from the reading observation');
    expect(body.entry.kind).toBe('agenda');
    expect(JSON.stringify(body.entry.card)).toContain('Agenda of Chloe');
    const mine = (await items()).find((i) => i.authorId === 'james');
    expect(mine).toMatchObject({ text: 'Feedback from the reading observation', sessionId: CHLOE_NEXT, contractId: 'c-chloe', category: 'other' });
  });

  it('a supervisor with several contracts who does not say whose session chooses it; nothing is added until then', async () => {
    const before = await bot.runtime.store.connection.db!.collection('agendaItems').countDocuments();
    const { body } = await say('james', 'add Safer recruitment refresher');
    expect(body.entry.kind).toBe('agenda-suggestion');
    const card = JSON.stringify(body.entry.card);
    expect(card).toContain('Which session is this for?');
    for (const name of ['Amy', 'Ben', 'Chloe', 'Daniel']) expect(card).toContain(name);
    expect(await bot.runtime.store.connection.db!.collection('agendaItems').countDocuments()).toBe(before);
  });

  it('park marked and surfaced: the item is filed for the next session as raised informally, and the supervisor sees it first', async () => {
    const { body } = await say('chloe', 'park A parent said something worrying at pick-up');
    expect(body.entry.kind).toBe('agenda');
    expect(JSON.stringify(body.entry.card)).toContain('Raised informally on Mon 23 Nov 2026');
    expect((await parked()).map((i) => [i.text, i.raisedInformallyOn])).toEqual([['A parent said something worrying at pick-up', '2026-11-23']]);
    // the agenda prompts go out at 08:30
    const moved = await call('clock', 'chloe', { advance: 'next-reminder' });
    expect(moved.body.fired).toBeGreaterThan(0);
    const prompt = await eventually(async () => (await call('inbox', 'james')).body.entries.find((e: { id: string }) => e.id === `james|agenda:${CHLOE_NEXT}`), 'the agenda prompt in James’s chat');
    const card = JSON.stringify(prompt.card);
    expect(card).toContain('Raised informally on Mon 23 Nov 2026');
    const order = ['Raised informally since last time', 'A parent said something worrying', 'Items from both of you', 'Phonics group is not working', 'Actions from last time'].map((t) => card.indexOf(t));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('after the prompt, a plain line in its window answers it (and "thanks" still does not); a reply in its thread does too', async () => {
    const { body } = await say('chloe', 'Reading interventions for Year 2');
    expect(body.entry.kind).toBe('agenda');
    expect((await say('chloe', 'thanks')).body.entry.kind).toBe('text');
    await say('chloe', 'Behaviour plan for one child', `chloe|agenda:${CHLOE_NEXT}`);
    const texts = (await items()).map((i) => i.text);
    expect(texts).toContain('Reading interventions for Year 2');
    expect(texts).toContain('Behaviour plan for one child');
    expect(texts).not.toContain('thanks');
  });

  it('limits are said: past 20 items or 500 characters the reply is refused with the limit, and nothing typed is cut or lost', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => `Topic number ${i + 1}`);
    const before = (await items()).length;
    const tooMany = await say('chloe', `add ${lines.join('\n')}`);
    expect(JSON.stringify(tooMany.body)).toContain('send at most 20 items at a time (this has 25)');
    const long = lines.slice(0, 5);
    long[2] = `A long item ${'x'.repeat(600)}`;
    const tooLong = await say('chloe', `add ${long.join('\n')}`);
    expect(JSON.stringify(tooLong.body)).toContain('Agenda item 3: an item can be at most 500 characters (this one has 612)');
    expect((await items()).length).toBe(before);
    // within the limits, every line is added whole
    const { body } = await say('chloe', `add ${lines.slice(0, 20).join('\n')}`);
    expect(JSON.stringify(body.entry.card)).toContain('Added 20 items');
    expect((await items()).length - before).toBe(20);
  });
});
