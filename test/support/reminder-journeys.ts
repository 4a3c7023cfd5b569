/**
 * "Reminders that are right" (issue 12, stour App. C) as people receive them, on the Leeds 2025/26 calendar,
 * through a channel's real delivery (Slack's Web API, the Bot Connector, the playground's chat): a session moved
 * to three days ahead is announced as booked at once, with the agenda prompt; a session after the February half
 * term gets its notice in the school days before it, never more than 8 days ahead; a group of four and their
 * supervisor are all told, as "you all". Each channel's test file gives its bot and how to read what arrived.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rescheduleSession, saveContract } from '../../src/app/sessions.js';
import type { Bot } from '../../src/bot.js';
import { eventually } from './eventually.js';
import { contract, london } from './school.js';
import { createWorld, type World } from './world.js';

export interface ReminderChannel {
  /** Starts the bot on the world's database and clock, and makes every person reachable on the channel. */
  start(w: World): Promise<Bot>;
  /** Whether a message holding `text` has reached the person (the world's person id) on the channel. */
  arrived(person: string, text: string): boolean | Promise<boolean>;
  close(): Promise<void>;
}

export const GROUP = ['sup', 'amy', 'ben', 'dsl', 'head'];

export function describeReminderJourneys(label: string, channel: ReminderChannel): void {
  let w: World;
  let bot: Bot;

  /** Time passes to a moment; what falls due by then fires and is delivered. */
  async function passTo(at: Date) {
    w.clock.set(at);
    await bot.runtime.queues.fireDueReminders();
    await bot.runtime.queues.flushOutbox();
  }
  const arrived = (person: string, text: string) =>
    eventually(async () => {
      await bot.runtime.queues.flushOutbox();
      return channel.arrived(person, text);
    }, `${person}: ${text}`);
  const scheduled = async (contractId: string) => {
    const now = w.clock.now();
    return (await w.deps.sessions.byContract(contractId)).filter((s) => s.status === 'scheduled' && s.startsAt > now);
  };

  beforeAll(async () => {
    // Monday 26 January 2026, spring term; the contracts are arranged once the bot runs
    w = await createWorld(label, { arrange: false });
    w.clock.set(london('2026-01-26T10:00'));
    bot = await channel.start(w);
    for (const c of [w.contracts.amy, w.contracts.ben]) await saveContract(w.deps, w.org, c);
    // Ben's session goes to after the February half term
    const [ben] = await scheduled('c-ben');
    const moved = await rescheduleSession(w.deps, 'sup', { sessionId: ben?.id, newStartsAt: london('2026-02-26T15:45').toISOString(), reason: 'Ben is on a course until half term' });
    expect(moved.ok).toBe(true);
  });
  afterAll(async () => {
    await bot?.stop();
    await channel.close();
    await w?.close();
  });

  describe(`reminders that are right, through ${label}`, () => {
    it('a session moved to three days ahead: "booked" and the agenda prompt at once to both, the reminder the day before', { timeout: 300_000 }, async () => {
      const [current] = await scheduled('c-amy');
      w.clock.set(london('2026-01-26T10:05'));
      const moved = await rescheduleSession(w.deps, 'sup', { sessionId: current?.id, newStartsAt: london('2026-01-29T10:00').toISOString(), reason: 'Amy is on a trip on Tuesday' });
      expect(moved.ok).toBe(true);
      await passTo(london('2026-01-26T10:06'));
      for (const person of ['amy', 'sup']) {
        await arrived(person, 'Supervision booked for Thu 29 Jan 2026');
        expect(await channel.arrived(person, 'less than a week away'), person).toBe(true);
      }
      // the agenda prompt went with it, at the booking, not a week ahead of a session three days away
      const sessionId = (await scheduled('c-amy'))[0]?.id;
      const prompt = await w.deps.reminders.get(`agenda-prompt:${sessionId}`);
      // (the test clock runs on from 10:05 as a real one does)
      expect(Math.floor((prompt?.dueAt.getTime() ?? 0) / 60_000)).toBe(london('2026-01-26T10:05').getTime() / 60_000);
      expect((await w.deps.reminders.pending(new Date(0), w.clock.now())).map((r) => r.id)).not.toContain(prompt?.id);
      await passTo(london('2026-01-28T08:31'));
      for (const person of ['amy', 'sup']) await arrived(person, 'Supervision tomorrow');
    });

    // the notice's line (a "booked" message says "booked for", the day before's "tomorrow,")
    const NOTICE = 'on Thu 26 Feb 2026, 15:45 (60 minutes';
    it('a session after the February half term: no notice before the holiday, the notice in the school days before it', { timeout: 300_000 }, async () => {
      // Friday 13 February, the last day before half term (16–20 Feb): 13 days ahead, nothing yet
      await passTo(london('2026-02-13T17:00'));
      expect(await channel.arrived('ben', NOTICE)).toBe(false);
      // Monday 23 February, the first school day of its week: the notice, three days ahead
      await passTo(london('2026-02-23T08:31'));
      for (const person of ['ben', 'sup']) await arrived(person, NOTICE);
      const notice = await w.deps.reminders.get(`notice:${(await scheduled('c-ben'))[0]?.id}`);
      expect(notice?.dueAt).toEqual(london('2026-02-23T08:30'));
    });

    it('a group of four: the notice reaches the supervisor and all four, as "you all", never "you both"', { timeout: 300_000 }, async () => {
      w.clock.set(london('2026-02-24T09:00'));
      const group = contract({ id: 'c-group', kind: 'group', superviseeIds: GROUP.slice(1), startDate: '2026-02-09', preferredTime: '12:30', location: 'Library' });
      await w.deps.contracts.upsert(group);
      await saveContract(w.deps, w.org, group);
      // four weeks from the start: Monday 9 March, announced a week ahead on Monday 2 March
      const [session] = await scheduled('c-group');
      expect(session?.startsAt).toEqual(london('2026-03-09T12:30'));
      await passTo(london('2026-02-27T17:00'));
      expect(await channel.arrived('dsl', 'you all have time to prepare')).toBe(false);
      await passTo(london('2026-03-02T08:31'));
      for (const person of GROUP) await arrived(person, 'you all have time to prepare');
      // the DSL and the head have no one-to-one with Sam: all they were sent is the group's
      for (const person of ['dsl', 'head']) expect(await channel.arrived(person, 'you both'), person).toBe(false);
    });
  });
}
