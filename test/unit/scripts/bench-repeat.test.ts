import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../../scripts/bench/result.js';
import { direction, summarise } from '../../../scripts/bench/repeat.js';

const result = (id: string, value: number, target: string, pass: boolean): BenchResult => ({ id, value, unit: 'ms', target, pass, measured: `run at ${value}` });

describe('bench --repeat summary', () => {
  it('reads which way a target points', () => {
    expect(direction('<= 50')).toBe('lower');
    expect(direction('>= 90, < 1 % 429s, none lost')).toBe('higher');
  });

  it('keeps the worst run against each target and the spread of the runs', () => {
    const runs = [
      [result('P2', 19.1, '<= 100', true), result('P5', 93.1, '>= 90', true)],
      [result('P2', 202, '<= 100', false), result('P5', 81.4, '>= 90', false)],
      [result('P2', 40, '<= 100', true), result('P5', 91, '>= 90', true)],
    ];
    const [p2, p5] = summarise(runs);
    expect(p2).toMatchObject({ id: 'P2', value: 202, pass: false, runs: [19.1, 202, 40], min: 19.1, max: 202, spread: 182.9, met: 2, summary: true });
    expect(p2?.spreadPct).toBeCloseTo((182.9 / 40) * 100, 0);
    expect(p2?.measured).toContain('run at 202');
    expect(p5).toMatchObject({ id: 'P5', value: 81.4, pass: false, min: 81.4, max: 93.1, met: 2 });
  });

  it('a run without a figure is the worst', () => {
    const [s] = summarise([[result('P1', 12, '<= 50', true)], [result('P1', Number.NaN, '<= 50', false)]]);
    expect(s?.value).toBeNaN();
    expect(s?.pass).toBe(false);
  });
});
