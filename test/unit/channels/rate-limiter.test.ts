import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../../src/channels/rate-limiter.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2025-11-10T09:00:00Z'));
});
afterEach(() => vi.useRealTimers());

/** Takes `n` slots at once and returns when each was granted, in ms from the start. */
async function grants(limiter: RateLimiter, key: string, n: number): Promise<number[]> {
  const start = Date.now();
  const at: number[] = [];
  const all = Array.from({ length: n }, () => limiter.take(key).then(() => at.push(Date.now() - start)));
  await vi.runAllTimersAsync();
  await Promise.all(all);
  return at.sort((a, b) => a - b);
}

const maxInAnyWindow = (times: number[], windowMs: number) => Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));

describe('RateLimiter', () => {
  it('never grants more than each window allows, with the margin', async () => {
    const limiter = new RateLimiter([
      { limit: 7, windowMs: 1_000 },
      { limit: 8, windowMs: 2_000 },
    ]);
    const times = await grants(limiter, 'conversation', 20);
    expect(maxInAnyWindow(times, 1_060)).toBeLessThanOrEqual(7);
    expect(maxInAnyWindow(times, 2_060)).toBeLessThanOrEqual(8);
    expect(times.slice(0, 7)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('keeps to the long-run rate of a minute window', async () => {
    const limiter = new RateLimiter([
      { limit: 300, windowMs: 60_000 },
      { limit: 6, windowMs: 1_000 },
    ]);
    const times = await grants(limiter, 'workspace', 900);
    expect(maxInAnyWindow(times, 60_600)).toBeLessThanOrEqual(300);
    expect(maxInAnyWindow(times, 1_060)).toBeLessThanOrEqual(6);
    // the 900th slot comes after two full minutes' allowance
    expect(times.at(-1)).toBeGreaterThanOrEqual(2 * 60_600);
  });

  it('keys are independent', async () => {
    const limiter = new RateLimiter([{ limit: 1, windowMs: 1_000 }]);
    const [a, b] = await Promise.all([grants(limiter, 'a', 1), grants(limiter, 'b', 1)]);
    expect([a, b]).toEqual([[0], [0]]);
  });
});
