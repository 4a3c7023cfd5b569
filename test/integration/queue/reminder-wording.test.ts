import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReminderView } from '../../../src/app/views.js';
import { reminderMessages } from '../../../src/queue/reminder-views.js';
import { london } from '../../support/school.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
beforeAll(async () => {
  w = await createWorld('wording', { arrange: false });
  // Monday 17 November 2025, 15:45
  await w.deps.sessions.insert({ id: 'c-amy.2025-11-17', organisationId: 'org-wl', contractId: 'c-amy', startsAt: london('2025-11-17T15:45'), durationMinutes: 60, status: 'scheduled' });
});
afterAll(async () => w.close());

const dayBefore = { id: 'day-before:c-amy.2025-11-17', organisationId: 'org-wl', kind: 'day-before' as const, subjectId: 'c-amy.2025-11-17', recipientIds: ['amy'] };

async function titleAt(instant: string): Promise<ReminderView> {
  w.clock.set(london(instant));
  const [message] = await reminderMessages(w.deps, { ...dayBefore, dueAt: w.clock.now() });
  return message?.view as ReminderView;
}

describe('the reminder before a session', () => {
  it('says "tomorrow" on the day before', async () => {
    const view = await titleAt('2025-11-16T08:30');
    expect(view.title).toBe('Supervision tomorrow');
    expect(view.lines[0]).toContain('tomorrow, Mon 17 Nov 2025, 15:45');
  });

  it('names the day when it goes out on the Friday before a Monday session', async () => {
    const view = await titleAt('2025-11-14T08:30');
    expect(view.title).toBe('Supervision on Monday');
    expect(view.lines[0]).toContain('on Monday, Mon 17 Nov 2025, 15:45');
  });
});

describe('the notice fits the number of people (stour App. C)', () => {
  const notice = (sessionId: string, recipientIds: string[], kind: 'notice' | 'booked' = 'notice') => ({ id: `notice:${sessionId}`, organisationId: 'org-wl', kind, subjectId: sessionId, recipientIds, dueAt: w.clock.now() });

  it('says "you both" to the two parties of a one-to-one', async () => {
    w.clock.set(london('2025-11-10T08:30'));
    const messages = await reminderMessages(w.deps, notice('c-amy.2025-11-17', ['amy', 'sup']));
    expect(messages).toHaveLength(2);
    for (const m of messages) expect((m.view as ReminderView).lines.join(' ')).toContain('you both have time to prepare');
    expect((messages[0]?.view as ReminderView | undefined)?.title).toBe('Supervision on Monday 17 Nov');
  });

  it('says "you all" to a group of four and their supervisor, never "you both"', async () => {
    await w.deps.contracts.upsert({ ...(await w.deps.contracts.get('c-amy'))!, id: 'c-group', kind: 'group', superviseeIds: ['amy', 'ben', 'dsl', 'deputy'] });
    await w.deps.sessions.insert({ id: 'c-group.2025-11-18', organisationId: 'org-wl', contractId: 'c-group', startsAt: london('2025-11-18T15:45'), durationMinutes: 60, status: 'scheduled' });
    w.clock.set(london('2025-11-11T08:30'));
    const everyone = ['sup', 'amy', 'ben', 'dsl', 'deputy'];
    const messages = await reminderMessages(w.deps, notice('c-group.2025-11-18', everyone));
    expect(messages.map((m) => m.recipientId).sort()).toEqual([...everyone].sort());
    for (const m of messages) {
      const text = (m.view as ReminderView).lines.join(' ');
      expect(text).toContain('you all have time to prepare');
      expect(text).not.toContain('you both');
    }
  });

  it('a session booked less than a week ahead is announced as booked', async () => {
    w.clock.set(london('2025-11-14T10:00'));
    const [message] = await reminderMessages(w.deps, notice('c-amy.2025-11-17', ['amy'], 'booked'));
    const view = message?.view as ReminderView;
    expect(view.kind).toBe('booked');
    expect(view.title).toBe('Supervision booked for Mon 17 Nov 2025');
    expect(view.lines.join(' ')).toContain('less than a week away');
  });
});

describe('the reminder before a session lists the agenda', () => {
  it('items raised informally come first, marked with the day they were raised (white-laith, stour §2)', async () => {
    const base = { organisationId: 'org-wl', contractId: 'c-amy', authorId: 'amy', category: 'other' as const, riskOfHarm: false };
    await w.deps.agenda.add({ ...base, id: 'wording.item', sessionId: 'c-amy.2025-11-17', text: 'Phonics group', parked: false, createdAt: london('2025-11-12T10:00') });
    await w.deps.agenda.add({ ...base, id: 'wording.parked', text: 'A parent at pick-up', parked: true, raisedInformallyOn: '2025-11-13', createdAt: london('2025-11-13T10:00') });
    const view = await titleAt('2025-11-16T08:30');
    expect(view.lines.slice(1)).toEqual(['Agenda:', '• A parent at pick-up (raised informally on Thu 13 Nov 2025)', '• Phonics group']);
  });
});
