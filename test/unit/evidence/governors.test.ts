import { describe, expect, it } from 'vitest';
import { suppress, termsOf } from '../../../src/app/evidence/governors.js';
import type { HalfTerm } from '../../../src/domain/types.js';

const texts = (r: ReturnType<typeof suppress>) => [...r.months.map((c) => c.text), r.total.text];

describe("the governors' report's small-count rule", () => {
  it('shows 0 and counts of 3 or more; hides 1 and 2', () => {
    expect(texts(suppress([0, 3, 12], 15))).toEqual(['0', '3', '12', '15']);
    expect(texts(suppress([1, 2, 0], 3))).toEqual(['fewer than 3', 'fewer than 3', '0', '3']);
  });

  it('a lone hidden month that the total would give away takes the next smallest month with it', () => {
    expect(texts(suppress([11, 12, 2, 0], 25))).toEqual(['not shown', '12', 'fewer than 3', '0', '25']);
    expect(texts(suppress([5, 1, 9], 15))).toEqual(['not shown', 'fewer than 3', '9', '15']);
  });

  it('with no other month to hide, the total is hidden; a small total is hidden as small', () => {
    expect(texts(suppress([0, 2, 0], 2))).toEqual(['0', 'fewer than 3', '0', 'fewer than 3']);
    expect(texts(suppress([4], 4))).toEqual(['4', '4']);
  });
});

describe('terms from half terms', () => {
  const h = (name: string, start: string, end: string): HalfTerm => ({ name, start, end, term: name.split(' ')[0] as HalfTerm['term'], half: name.endsWith('2') ? 2 : 1 });
  it('joins the two halves and runs each term until the next starts', () => {
    const terms = termsOf([h('Spring 1', '2026-01-05', '2026-02-13'), h('Autumn 1', '2025-09-03', '2025-10-24'), h('Autumn 2', '2025-11-03', '2025-12-19'), h('Spring 2', '2026-02-23', '2026-03-27')]);
    expect(terms).toEqual([
      { id: 'autumn-2025', name: 'Autumn term 2025', start: '2025-09-03', end: '2025-12-19', until: '2026-01-04' },
      { id: 'spring-2026', name: 'Spring term 2026', start: '2026-01-05', end: '2026-03-27', until: '2026-03-27' },
    ]);
  });
});
