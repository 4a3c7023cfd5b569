/**
 * Each person's private calendar feed, through the playground API (the conversation Teams uses) and the
 * bot's real `/calendar/<secret>.ics` endpoint: `calendar` gives the address, the feed is RFC 5545 with a
 * stable UID whose SEQUENCE goes up when the session moves, and `calendar revoke` stops the address working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import { rescheduleSession } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { SchoolCalendar } from '../../../src/domain/calendar.js';
import { demoOrganisation, loadDemoSchool } from '../../../src/demo/school.js';
import { createLogger } from '../../../src/logger.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';

let bot: Bot;
const clock = new AdjustableClock();
const cal = new SchoolCalendar(demoOrganisation());
const CHLOE_NEXT = 'c-chloe.2026-11-30';

async function say(person: string, text: string) {
  const res = await fetch(`${bot.url}/playground/api/messages`, { method: 'POST', headers: { 'x-playground-person': person, 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
  return (await res.json()) as { entry: { kind: string; card: unknown } };
}
const linkIn = (card: unknown) => /https?:\/\/[^"\s]+\/calendar\/[a-f0-9]{64}\.ics/.exec(JSON.stringify(card))?.[0];
/** VEVENTs as property maps (unfolded lines). */
function events(ics: string): Array<Record<string, string>> {
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n');
  const out: Array<Record<string, string>> = [];
  let current: Record<string, string> | null = null;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT' && current) {
      out.push(current);
      current = null;
    } else if (current) {
      const at = line.indexOf(':');
      current[line.slice(0, at).split(';')[0] as string] = line.slice(at + 1);
    }
  }
  return out;
}

beforeAll(async () => {
  clock.set(cal.atLocalTime('2026-11-23', '07:30'));
  const config = loadConfig({ MONGODB_URI: testMongoUrl('playground_calendar'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (runtime) => void (await loadDemoSchool(runtime.deps)) });
}, 120_000);
afterAll(async () => {
  await bot?.stop();
});

describe('the calendar feed', () => {
  let link = '';

  it('`calendar` gives the person their private address, the same one each time', async () => {
    const { entry } = await say('chloe', 'calendar');
    expect(entry.kind).toBe('calendar-link');
    link = linkIn(entry.card) ?? '';
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/calendar\/[a-f0-9]{64}\.ics$/);
    expect(linkIn((await say('chloe', 'calendar')).entry.card)).toBe(link);
    expect(linkIn((await say('james', 'calendar')).entry.card)).not.toBe(link);
  });

  it('is RFC 5545 with the person’s sessions, a stable UID and SEQUENCE 0', async () => {
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/calendar');
    const ics = await res.text();
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(ics).toContain('VERSION:2.0');
    const next = events(ics).find((e) => e.UID === `${CHLOE_NEXT}@supervision-bot`);
    expect(next).toMatchObject({ SEQUENCE: '0', DTSTART: '20261130T154500Z', SUMMARY: 'Supervision with James Whitfield', STATUS: 'CONFIRMED' });
    // only Chloe's own contract
    expect(events(ics).every((e) => e.UID?.startsWith('c-chloe.'))).toBe(true);
  });

  it('the .ics feed’s events move with the session: same UID, SEQUENCE 1, the new time', async () => {
    const moved = await rescheduleSession(bot.runtime.deps, 'james', { sessionId: CHLOE_NEXT, newStartsAt: cal.atLocalTime('2026-12-01', '10:00').toISOString(), reason: 'Room needed for a TAF meeting' });
    expect(moved.ok).toBe(true);
    const all = events(await (await fetch(link)).text());
    const event = all.filter((e) => e.UID === `${CHLOE_NEXT}@supervision-bot`);
    expect(event).toHaveLength(1);
    expect(event[0]).toMatchObject({ SEQUENCE: '1', DTSTART: '20261201T100000Z', STATUS: 'CONFIRMED' });
  });

  it('`calendar revoke` stops the address working, and `calendar` then gives a new one', async () => {
    const { entry } = await say('chloe', 'calendar revoke');
    expect(entry.kind).toBe('calendar-link');
    expect(JSON.stringify(entry.card)).toContain('no longer works');
    expect((await fetch(link)).status).toBe(404);
    const fresh = linkIn((await say('chloe', 'calendar')).entry.card);
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(link);
    expect((await fetch(fresh as string)).status).toBe(200);
  });

  it('an unknown or malformed address is 404 and says nothing more; a bad calendar command names the mistake', async () => {
    for (const path of [`/calendar/${'0'.repeat(64)}.ics`, '/calendar/nope.ics', `/calendar/${'a'.repeat(64)}`, '/calendar/..%2F..%2Fpackage.json']) {
      const res = await fetch(`${bot.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).toBe('Not found');
    }
    const { entry } = await say('chloe', 'calendar please');
    expect(entry.kind).toBe('error');
  });
});
