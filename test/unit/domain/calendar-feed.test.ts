import { describe, expect, it } from 'vitest';
import { feedEvents } from '../../../src/domain/calendar-feed.js';
import type { Session } from '../../../src/domain/types.js';
import { contract, london } from '../../support/school.js';

const s = (id: string, at: string, extra: Partial<Session> = {}): Session => ({ id, organisationId: 'org-wl', contractId: 'c-amy', startsAt: london(at), durationMinutes: 60, status: 'scheduled', ...extra });
const names: Record<string, string> = { amy: 'Amy Teacher', sup: 'Sam Supervisor', ben: 'Ben Pastoral' };
const now = london('2025-11-10T09:00');

describe('calendar feed events (RFC 5545 UID and SEQUENCE)', () => {
  it('a session moved twice is one event: the first session’s UID, SEQUENCE 2, the latest time', () => {
    const sessions = [
      s('c-amy.2025-11-18', '2025-11-18T15:45', { status: 'cancelled', replacedBy: 'c-amy.2025-11-19' }),
      s('c-amy.2025-11-19', '2025-11-19T15:45', { status: 'cancelled', replacedBy: 'c-amy.2025-11-20', replaces: 'c-amy.2025-11-18' }),
      s('c-amy.2025-11-20', '2025-11-20T10:00', { replaces: 'c-amy.2025-11-19' }),
    ];
    const events = feedEvents({ personId: 'amy', contracts: [contract()], sessions, nameOf: (id) => names[id] ?? '?', now });
    expect(events).toEqual([
      {
        uid: 'c-amy.2025-11-18@supervision-bot',
        sequence: 2,
        sessionId: 'c-amy.2025-11-20',
        start: london('2025-11-20T10:00'),
        end: london('2025-11-20T11:00'),
        summary: 'Supervision with Sam Supervisor',
        location: 'Meeting room 2',
        status: 'confirmed',
      },
    ]);
  });

  it('a session that did not happen is cancelled; one held stays; the reader is not named to themselves', () => {
    const sessions = [s('c-amy.2025-10-13', '2025-10-13T15:45', { status: 'held' }), s('c-amy.2025-11-03', '2025-11-03T15:45', { status: 'missed' })];
    const events = feedEvents({ personId: 'sup', contracts: [contract()], sessions, nameOf: (id) => names[id] ?? '?', now });
    expect(events.map((e) => [e.uid, e.sequence, e.status, e.summary])).toEqual([
      ['c-amy.2025-10-13@supervision-bot', 0, 'confirmed', 'Supervision with Amy Teacher'],
      ['c-amy.2025-11-03@supervision-bot', 0, 'cancelled', 'Supervision with Amy Teacher'],
    ]);
  });

  it('a group session names everyone else and says it is a group', () => {
    const group = contract({ kind: 'group', superviseeIds: ['amy', 'ben'] });
    const [event] = feedEvents({ personId: 'amy', contracts: [group], sessions: [s('c-amy.2025-11-20', '2025-11-20T15:45')], nameOf: (id) => names[id] ?? '?', now });
    expect(event?.summary).toBe('Group supervision with Sam Supervisor, Ben Pastoral');
  });
});
