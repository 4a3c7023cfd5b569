/**
 * "Add an agenda item" with a picker, through the playground API on the demo school (the card Teams gets):
 * James's picker lists his four supervisees and his own group supervision, by name and date, and none of Aisha's;
 * the item he gives Chloe is on Chloe's next session with its category, and she sees it; a forged choice of
 * Aisha's supervisee is refused in words and writes nothing; Priya — supervisor of the safeguarding group and
 * supervisee of the headteacher — chooses which of her sessions a typed `add …` goes to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import { nextSession } from '../../../src/app/reads.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { SchoolCalendar } from '../../../src/domain/calendar.js';
import { demoOrganisation, loadDemoSchool } from '../../../src/demo/school.js';
import { createLogger } from '../../../src/logger.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';

let bot: Bot;
const clock = new AdjustableClock();
const cal = new SchoolCalendar(demoOrganisation());

async function call(path: string, person: string, body?: unknown) {
  const headers: Record<string, string> = { 'x-playground-person': person };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${bot.url}/playground/api/${path}`, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON is read loosely here, as in api.test.ts
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const say = (person: string, text: string) => call('messages', person, { text });
const act = (person: string, entryId: string, verb: string, data: Record<string, unknown>) => call('actions', person, { entryId, verb, data });
const next = async (contractId: string) => (await bot.runtime.deps.sessions.nextScheduled(contractId, clock.now()))!;
const count = () => bot.runtime.store.connection.db!.collection('agendaItems').countDocuments();

beforeAll(async () => {
  clock.set(cal.atLocalTime('2026-11-23', '07:30'));
  const config = loadConfig({ MONGODB_URI: testMongoUrl('playground_agenda_picker'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (runtime) => void (await loadDemoSchool(runtime.deps)) });
}, 120_000);
afterAll(async () => {
  await bot?.stop();
});

describe('the agenda picker in the playground', () => {
  let form = '';

  it('James types `add`: the card’s choice set lists his supervisees and his own group supervision, by name and date, and none of Aisha’s', async () => {
    const { status, body } = await say('james', 'add');
    expect(status).toBe(200);
    expect(body.entry.kind).toBe('agenda-form');
    form = body.entry.id;
    const card = JSON.stringify(body.entry.card);
    expect(card).toContain('"type":"Input.ChoiceSet","id":"contractId"');
    for (const c of ['c-amy', 'c-ben', 'c-chloe', 'c-daniel', 'c-safeguarding-team']) expect(card).toContain(`"value":"${c}"`);
    const chloeAt = cal.localDate((await next('c-chloe')).startsAt);
    expect(chloeAt > '2026-11-23').toBe(true);
    expect(card).toMatch(/Chloe [A-Z][a-z]+ — [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} 2026, \d{2}:\d{2}/);
    expect(card).toMatch(/Your supervision \(group\) with Priya [A-Z][a-z]+ — /);
    expect(card).not.toMatch(/c-emma|c-farah|c-george|c-hannah|c-priya"/);
    expect(card).toContain('"verb":"agenda.add-for"');
  });

  it('Chloe chosen: the item is on her next session with its category, and she sees it on hers', async () => {
    const session = await next('c-chloe');
    const { status, body } = await act('james', form, 'agenda.add-for', { contractId: 'c-chloe', text: 'Feedback from the phonics observation', category: 'performance' });
    expect(status).toBe(200);
    expect(body.entry.kind).toBe('agenda');
    expect(JSON.stringify(body.entry.card)).toContain('Agenda of Chloe');
    const items = await bot.runtime.deps.agenda.forSession(session.id);
    expect(items.map((i) => [i.text, i.category, i.authorId, i.contractId])).toEqual([['Feedback from the phonics observation', 'performance', 'james', 'c-chloe']]);
    expect(JSON.stringify(await nextSession(bot.runtime.deps, 'chloe', {}))).toContain('Feedback from the phonics observation');
    const shown = await say('chloe', 'next');
    expect(JSON.stringify(shown.body.entry.card)).toContain('Feedback from the phonics observation');
  });

  it('a forged choice of Aisha’s supervisee is refused in words, and nothing is written', async () => {
    const again = await say('james', 'add');
    const before = await count();
    const forged = await act('james', again.body.entry.id, 'agenda.add-for', { contractId: 'c-emma', text: 'Forged item', category: 'other' });
    expect(forged.status).toBe(403);
    expect(JSON.stringify(forged.body)).toContain('You can add items only to your own supervision or to your supervisees’ sessions');
    expect(JSON.stringify(forged.body)).not.toMatch(/Emma/);
    const none = await act('james', again.body.entry.id, 'agenda.add-for', { text: 'No choice', category: 'other' });
    expect(none.status).toBe(400);
    expect(JSON.stringify(none.body)).toContain('contractId: choose whose session this is for');
    expect(await count()).toBe(before);
  });

  it('Priya, with two contracts, types `add …`: she chooses her session from buttons, and the headteacher sees the item', async () => {
    const picker = await say('priya', 'add');
    const card = JSON.stringify(picker.body.entry.card);
    expect(card).toContain('"value":"c-safeguarding-team"');
    expect(card).toContain('"value":"c-priya"');
    expect(card).toMatch(/Your supervision with Helen [A-Z][a-z]+ — /);
    const before = await count();
    const { body } = await say('priya', 'add Half-term safeguarding audit');
    expect(body.entry.kind).toBe('agenda-suggestion');
    const own = await next('c-priya');
    const group = await next('c-safeguarding-team');
    const asked = JSON.stringify(body.entry.card);
    expect(asked).toContain('Which session is this for?');
    expect(asked).toContain(own.id);
    expect(asked).toContain(group.id);
    expect(await count()).toBe(before);
    const chosen = await act('priya', body.entry.id, 'agenda.add', { sessionId: own.id, text: 'Half-term safeguarding audit', category: 'organisational' });
    expect(chosen.status).toBe(200);
    expect((await bot.runtime.deps.agenda.forSession(own.id)).map((i) => [i.text, i.category])).toEqual([['Half-term safeguarding audit', 'organisational']]);
    expect(await bot.runtime.deps.agenda.forSession(group.id)).toEqual([]);
    expect(JSON.stringify(await nextSession(bot.runtime.deps, 'helen', {}))).toContain('Half-term safeguarding audit');
  });
});
