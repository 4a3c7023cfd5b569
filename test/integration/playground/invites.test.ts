/**
 * "Add to calendar" invites, through the playground API (the conversation Teams uses) and the bot's real
 * `/calendar/…` endpoints: a moved session's message carries each person's own invite (RFC 5545 with
 * METHOD:REQUEST, the session's stable UID and a SEQUENCE that rises on every move); an old invite shows where
 * the session is now; the feed moves with it; `calendar revoke` revokes the invites too. A three-way meeting
 * about a referred change is in both parties' and the hearer's feeds and carries an invite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNextSession } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { icsEvents, icsProperty, invitePathIn } from '../../support/ics.js';
import { sentRecordForBen } from '../../support/loops.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let bot: Bot;

type Entry = { id: string; kind?: string; card?: unknown; message?: string };
async function call(path: string, person: string, body?: unknown) {
  const res = await fetch(`${bot.url}/playground/api/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-playground-person': person, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON is read loosely here, as in api.test.ts
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const act = (person: string, verb: string, data: Record<string, unknown>) => call('actions', person, { verb, data });
async function arrived(person: string, has: string): Promise<Entry> {
  for (let i = 0; i < 300; i++) {
    if (i % 10 === 1) await bot.runtime.queues.flushOutbox();
    const found = ((await call('inbox', person)).body.entries as Entry[]).find((e) => JSON.stringify(e.card ?? e.message ?? '').includes(has));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never arrived: ${has}`);
}
const get = async (path: string) => {
  const res = await fetch(`${bot.url}${path}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
};
const feedOf = async (person: string) => {
  const link = /\/calendar\/[a-f0-9]{64}\.ics/.exec(JSON.stringify((await call('messages', person, { text: 'calendar' })).body.entry.card))?.[0];
  expect(link).toBeDefined();
  return icsEvents((await get(link as string)).text);
};

beforeAll(async () => {
  w = await createWorld('playground_invites');
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  // Amy sees Sam on Tue 11 Nov 2025 at 15:45
  await ensureNextSession(w.deps, w.org, w.contracts.amy);
  w.clock.set(london('2025-11-10T12:00'));
});
afterAll(async () => {
  await bot?.stop();
  await w?.close();
});

const FIRST = 'c-amy.2025-11-11';
const UID = `${FIRST}@supervision-bot`;

describe('a moved session’s invite', () => {
  let amyInvite = '';

  it('the person moving it and the other party each get their own "Add to calendar" invite', async () => {
    const moved = await act('amy', 'session.move', { sessionId: FIRST, date: '2025-11-12', time: '10:00', reason: 'Parents evening' });
    expect(moved.status).toBe(200);
    const card = JSON.stringify(moved.body.entry.card);
    expect(card).toContain('Action.OpenUrl');
    expect(card).toContain('Add to calendar');
    amyInvite = invitePathIn(moved.body.entry.card) ?? '';
    expect(amyInvite).toMatch(/^\/calendar\/[a-f0-9]{64}\/session\/c-amy\.2025-11-12\.ics$/);
    const told = await arrived('sup', 'to Wed 12 Nov 2025, 10:00');
    const supInvite = invitePathIn(told.card);
    expect(supInvite).toMatch(/^\/calendar\/[a-f0-9]{64}\/session\/c-amy\.2025-11-12\.ics$/);
    expect(supInvite?.split('/')[2]).not.toBe(amyInvite.split('/')[2]);
  });

  it('the invite is RFC 5545 METHOD:REQUEST with the session’s UID, SEQUENCE 1, the organiser and attendee', async () => {
    const res = await get(amyInvite);
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/calendar');
    expect(res.type).toContain('method=REQUEST');
    expect(res.text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(icsProperty(res.text, 'METHOD')).toBe('REQUEST');
    const [event, ...more] = icsEvents(res.text);
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({ UID, SEQUENCE: '1', DTSTART: '20251112T100000Z', STATUS: 'CONFIRMED', SUMMARY: 'Supervision with Sam Supervisor' });
    expect(event?.ORGANIZER?.toLowerCase()).toContain('mailto:sup@school.example');
    expect(event?.ATTENDEE?.toLowerCase()).toContain('mailto:amy@school.example');
    // never the reason typed for the move
    expect(res.text).not.toContain('Parents evening');
  });

  it('moved again: the old invite now shows the new time with SEQUENCE 2, and so does the feed (one event, same UID)', async () => {
    const again = await act('sup', 'session.move', { sessionId: 'c-amy.2025-11-12', date: '2025-11-13', time: '11:00', reason: 'Room needed for a review' });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(invitePathIn(again.body.entry.card)).toMatch(/\/session\/c-amy\.2025-11-13\.ics$/);
    const [event] = icsEvents((await get(amyInvite)).text);
    expect(event).toMatchObject({ UID, SEQUENCE: '2', DTSTART: '20251113T110000Z' });
    const feed = (await feedOf('amy')).filter((e) => e.UID === UID);
    expect(feed).toHaveLength(1);
    expect(feed[0]).toMatchObject({ SEQUENCE: '2', DTSTART: '20251113T110000Z', STATUS: 'CONFIRMED' });
  });

  it('an invite is only its owner’s: someone else’s session under your secret, a bad id or kind are a plain 404', async () => {
    const benFeed = /\/calendar\/([a-f0-9]{64})\.ics/.exec(JSON.stringify((await call('messages', 'ben', { text: 'calendar' })).body.entry.card))?.[1];
    for (const path of [`/calendar/${benFeed}/session/c-amy.2025-11-13.ics`, `/calendar/${benFeed}/session/nope.ics`, `${amyInvite.replace('/session/', '/other/')}`, `${amyInvite.replace('.ics', '')}`, `/calendar/${'0'.repeat(64)}/session/c-amy.2025-11-13.ics`]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.text).toBe('Not found');
    }
  });

  it('`calendar revoke` revokes the invites with the feed', async () => {
    expect((await call('messages', 'amy', { text: 'calendar revoke' })).status).toBe(200);
    expect((await get(amyInvite)).status).toBe(404);
  });
});

describe('the three-way meeting about a referred change', () => {
  let recordId = '';
  let meetingUid = '';

  it('arranged by the person hearing it: both parties and the hearer get an invite, and it is in their three feeds', async () => {
    ({ recordId } = await sentRecordForBen(w, '2026-01-12'));
    expect((await act('ben', 'record.dispute', { recordId, version: 1, reason: 'The action owner should be Sam' })).status).toBe(200);
    expect((await act('ben', 'record.refer', { recordId })).status).toBe(200);
    expect((await act('head', 'dispute.meeting', { recordId, meetingDate: '2026-01-20', meetingTime: '15:30' })).status).toBe(200);
    meetingUid = `meeting.${recordId}.v1@supervision-bot`;
    for (const who of ['ben', 'sup', 'head']) {
      const entry = await arrived(who, 'arranged for Tue 20 Jan 2026, 15:30');
      const path = invitePathIn(entry.card);
      expect(path, who).toMatch(/^\/calendar\/[a-f0-9]{64}\/meeting\/.+\.ics$/);
      const invite = await get(path as string);
      expect(icsProperty(invite.text, 'METHOD')).toBe('REQUEST');
      expect(icsEvents(invite.text)[0]).toMatchObject({ UID: meetingUid, SEQUENCE: '0', DTSTART: '20260120T153000Z', DTEND: '20260120T163000Z' });
      expect(icsEvents(invite.text)[0]?.ORGANIZER?.toLowerCase()).toContain('mailto:head@school.example');
      const feed = (await feedOf(who)).filter((e) => e.UID === meetingUid);
      expect(feed, who).toHaveLength(1);
      expect(feed[0]?.SUMMARY).toContain('Three-way meeting about the supervision record of Mon 12 Jan 2026');
    }
    // nobody else's feed has it, and the reason asked for is in no calendar
    expect((await feedOf('amy')).some((e) => e.UID === meetingUid)).toBe(false);
  });

  it('re-arranged: the same UID with SEQUENCE 1 at the new time, in every feed', async () => {
    expect((await act('head', 'dispute.meeting', { recordId, meetingDate: '2026-01-21', meetingTime: '09:00' })).status).toBe(200);
    for (const who of ['ben', 'sup', 'head']) {
      const feed = (await feedOf(who)).filter((e) => e.UID === meetingUid);
      expect(feed, who).toHaveLength(1);
      expect(feed[0]).toMatchObject({ SEQUENCE: '1', DTSTART: '20260121T090000Z' });
    }
  });
});
