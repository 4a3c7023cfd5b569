/** One benchmark figure: printed as a JSON line by `npm run bench`. */
export interface BenchResult {
  id: string;
  value: number;
  unit: string;
  /** The goal in words, e.g. "<= 50" or ">= 1000". */
  target: string;
  /** Whether the value meets the target. */
  pass: boolean;
  /** What was measured against what, in one sentence. */
  measured: string;
  [extra: string]: unknown;
}

export function percentile(sortedAscending: number[], p: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  const rank = Math.min(sortedAscending.length - 1, Math.ceil((p / 100) * sortedAscending.length) - 1);
  return sortedAscending[Math.max(0, rank)] as number;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
