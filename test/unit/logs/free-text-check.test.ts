/**
 * The whole suite's log check (test/support/free-text.ts) must really catch a leak: a planted value is
 * found as typed and as escaped inside a JSON log line, short or trivial values are not looked for, and a
 * logger created `silent` still writes every line to the run's capture file.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { findLeaks, freeTextOf, significant } from '../../support/free-text.js';

describe('findLeaks', () => {
  const concern = 'A child in Year 4 has unexplained bruises';
  const notes = 'Discussed the "caseload"\nand a referral to early help';

  it('finds a planted value anywhere in the log, as typed or JSON-escaped', () => {
    const log = [
      JSON.stringify({ level: 30, msg: 'job done', jobId: 'j1' }),
      JSON.stringify({ level: 40, err: `could not parse: ${concern}!` }),
      JSON.stringify({ level: 40, err: JSON.stringify({ notes }) }),
    ].join('\n');
    expect(findLeaks(log, [concern, notes, 'Never logged anywhere at all']).sort()).toEqual([concern, notes].sort());
  });

  it('finds nothing in a clean log, and ignores values too short or trivial to be someone’s words', () => {
    const log = JSON.stringify({ level: 30, msg: 'agenda added', items: 2, sessionId: 'c-amy.2025-11-10', pad: '              ' });
    expect(findLeaks(log, ['Caseload in Year 4', 'Training on neglect'])).toEqual([]);
    expect(significant('performance')).toBe(false);
    expect(significant('             ')).toBe(false);
    expect(significant('aaaaaaaaaaaaaaaaaaaa')).toBe(false);
    expect(findLeaks(`x${'a'.repeat(40)}`, ['a'.repeat(20)])).toEqual([]);
  });

  it('collects the free text of stored documents, each line on its own as well', () => {
    const record = { _id: 'r@1#1', notes, concerns: [{ id: 'c1', text: concern }], caseDecisions: [{ childRef: 'JB', decision: 'Refer to early help', rationale: 'Attendance below 85%' }], dispute: { reason: 'The action owner is wrong' }, state: 'draft' };
    const values = freeTextOf(record);
    expect(values).toEqual(new Set([notes, 'Discussed the "caseload"', 'and a referral to early help', concern, 'Refer to early help', 'Attendance below 85%', 'The action owner is wrong']));
  });
});

describe('log capture', () => {
  it('a silent logger still writes every line, at trace, to this run’s capture file', () => {
    const dir = process.env.LOG_CAPTURE_DIR;
    expect(dir, 'the global setup sets LOG_CAPTURE_DIR for every test worker').toBeTruthy();
    const planted = `planted free text ${randomUUID()}`;
    const logger = createLogger('silent');
    logger.trace({ err: planted }, 'a careless line');
    const mine = readdirSync(dir as string).filter((f) => f.startsWith(`${process.pid}-`) && f.endsWith('.log'));
    const text = mine.map((f) => readFileSync(path.join(dir as string, f), 'utf8')).join('');
    // the check would flag it (the planted line is in a test's own logger, not in what the suite stores)
    expect(findLeaks(text, [planted])).toEqual([planted]);
  });
});

describe('test databases', () => {
  it('every test that drops a database first keeps its free text for the check', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    const dropping = files.filter((f) => /dropDatabase\(/.test(readFileSync(path.join(root, f), 'utf8')));
    const forgetful = dropping.filter((f) => !/recordFreeText\(/.test(readFileSync(path.join(root, f), 'utf8')));
    // the harness's probe database holds no free text
    expect(forgetful.filter((f) => !f.endsWith('harness.test.ts'))).toEqual([]);
    expect(dropping.length).toBeGreaterThan(2);
  });
});
