import { describe, expect, it } from 'vitest';
import { balanceOf, lastYearFrom, neglectedFunctions, signedRecords, TOPIC_FUNCTION, twoTermsBefore } from '../../../src/domain/balance.js';
import { RECORD_TOPICS, type RecordSheet, type RecordTopic } from '../../../src/domain/types.js';
import { school } from '../../support/school.js';

const rec = (id: string, date: string, topics: RecordTopic[], state: RecordSheet['state'] = 'signed', version = 1) => ({ id, version, state, date, topics, superviseeIds: ['amy'] });

describe('the balance of supervision (Leeds briefing)', () => {
  it('every record topic counts towards exactly one of the three functions', () => {
    for (const t of RECORD_TOPICS) expect(['support', 'quality', 'development']).toContain(TOPIC_FUNCTION[t]);
    expect(TOPIC_FUNCTION['impact-on-individual']).toBe('support');
    expect(TOPIC_FUNCTION['professional-development']).toBe('development');
  });

  it('counts each signed session once per function it touched, within the period', () => {
    const records = [
      rec('r1', '2025-10-01', ['performance', 'organisational']),
      rec('r2', '2025-11-01', ['impact-on-individual', 'performance']),
      rec('r3', '2025-12-01', ['professional-development'], 'awaiting-confirmation'),
      rec('r4', '2024-06-01', ['professional-development']),
    ];
    expect(balanceOf(records, '2025-01-01', '2025-12-31')).toEqual({ sessions: 2, support: 1, quality: 2, development: 0 });
  });

  it('reads the newest signed version: a correction being drafted does not count yet', () => {
    const records = [rec('r1', '2025-10-01', ['performance'], 'signed', 1), rec('r1', '2025-10-01', ['professional-development'], 'draft', 2), rec('r2', '2025-10-08', ['performance'], 'signed', 1), rec('r2', '2025-10-08', ['impact-on-individual'], 'signed', 2)];
    expect(signedRecords(records).map((r) => [r.id, r.version])).toEqual([['r1', 1], ['r2', 2]]);
    expect(balanceOf(records, '2025-01-01', '2025-12-31')).toEqual({ sessions: 2, support: 1, quality: 1, development: 0 });
  });

  it('names what two terms of sessions left out: support, development, or nothing when there were no sessions', () => {
    expect(neglectedFunctions([rec('r1', '2025-10-01', ['performance'])], '2025-04-01', '2025-11-30')).toEqual(['support', 'development']);
    expect(neglectedFunctions([rec('r1', '2025-10-01', ['impact-on-individual']), rec('r2', '2025-11-01', ['professional-development'])], '2025-04-01', '2025-11-30')).toEqual([]);
    expect(neglectedFunctions([], '2025-04-01', '2025-11-30')).toEqual([]);
  });

  it('the last year and two terms back', () => {
    expect(lastYearFrom('2026-11-23')).toBe('2025-11-24');
    expect(lastYearFrom('2028-02-29')).toBe('2027-03-01');
    const { halfTerms } = school().termDates;
    // in the Spring term of 2026: the Autumn term before it began on 3 or so September 2025
    const autumn = halfTerms.find((h) => h.term === 'Autumn' && h.half === 1)?.start as string;
    const spring = halfTerms.find((h) => h.term === 'Spring' && h.half === 1)?.start as string;
    expect(twoTermsBefore(halfTerms, spring)).toBe(autumn);
    expect(twoTermsBefore(halfTerms, '2026-02-10')).toBe(autumn);
  });
});
