import { describe, expect, it } from 'vitest';
import {
  AGENDA_CATEGORY_LABELS,
  answersPrompt,
  DEFAULT_AGENDA_CATEGORY,
  isSmallTalk,
  limitsSaid,
  MAX_AGENDA_ITEM_LENGTH,
  parseAgendaCommand,
  parseAgendaLines,
} from '../../../src/domain/agenda.js';

describe('what a line in chat is (stour §5, §6)', () => {
  it('pleasantries are small talk, never items', () => {
    for (const t of ['thanks!', 'Thanks', 'thank you so much', 'hi', 'Hello!', 'ok 👍', 'Cheers x', '👍', 'good morning', 'see you then', 'ok thanks']) {
      expect(isSmallTalk(t), t).toBe(true);
    }
  });

  it('anything with content is not small talk', () => {
    for (const t of ['thanks for the support with the Year 4 referral — can we talk it through?', 'hi, workload in December', 'Attendance of JB', 'okay so the phonics group', 'no cover for the Friday session']) {
      expect(isSmallTalk(t), t).toBe(false);
    }
  });

  it('`add` and `park` take the rest, with an optional name before a colon', () => {
    expect(parseAgendaCommand('add workload in December')).toEqual({ verb: 'add', text: 'workload in December' });
    expect(parseAgendaCommand('add chloe: reading observation')).toEqual({ verb: 'add', name: 'chloe', text: 'reading observation' });
    expect(parseAgendaCommand('Add Chloe Evans: a\nb')).toEqual({ verb: 'add', name: 'Chloe Evans', text: 'a\nb' });
    expect(parseAgendaCommand('/park a worry')).toEqual({ verb: 'park', text: 'a worry' });
    expect(parseAgendaCommand('park')).toEqual({ verb: 'park', text: '' });
    expect(parseAgendaCommand('address the workload')).toBeUndefined();
    expect(parseAgendaCommand('parking at school')).toBeUndefined();
  });

  it('a line answers the agenda prompt within 24 hours of it and before the session', () => {
    const sent = new Date('2026-11-23T08:30:00Z');
    const session = new Date('2026-11-30T15:45:00Z');
    expect(answersPrompt(sent, session, new Date('2026-11-23T09:00:00Z'))).toBe(true);
    expect(answersPrompt(sent, session, new Date('2026-11-24T08:29:00Z'))).toBe(true);
    expect(answersPrompt(sent, session, new Date('2026-11-24T08:31:00Z'))).toBe(false);
    expect(answersPrompt(sent, session, new Date('2026-11-23T08:00:00Z'))).toBe(false);
    expect(answersPrompt(sent, new Date('2026-11-23T12:00:00Z'), new Date('2026-11-23T13:00:00Z'))).toBe(false);
  });
});

describe('limits are said, not applied silently', () => {
  it('200 lines: the first 20 are kept and the person is told the other 180 were not', () => {
    const parsed = parseAgendaLines(Array.from({ length: 200 }, (_, i) => `item ${i}`).join('\n'));
    expect(parsed.items).toHaveLength(20);
    expect(parsed.notAdded).toBe(180);
    expect(limitsSaid(parsed)).toEqual(['Only the first 20 items were added; the other 180 lines were not — send them in another message.']);
  });

  it('an item past 500 characters is cut and named', () => {
    const parsed = parseAgendaLines(`short\n${'y'.repeat(700)}`);
    expect(parsed.items[1]).toHaveLength(MAX_AGENDA_ITEM_LENGTH);
    expect(parsed.shortened).toEqual([2]);
    expect(limitsSaid(parsed)[0]).toContain('Item 2 was longer than 500 characters');
  });

  it('nothing is said when no limit applied', () => {
    expect(limitsSaid(parseAgendaLines('one\ntwo'))).toEqual([]);
  });

  it('an item nobody categorised is "Other", never a guess', () => {
    expect(DEFAULT_AGENDA_CATEGORY).toBe('other');
    expect(AGENDA_CATEGORY_LABELS[DEFAULT_AGENDA_CATEGORY]).toBe('Other');
  });
});
