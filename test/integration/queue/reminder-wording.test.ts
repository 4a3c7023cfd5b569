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
