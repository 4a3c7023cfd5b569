/** The worst of several runs of a benchmark against its target, and how far the runs were apart. */
import { type BenchResult, round } from './result.js';

export interface RepeatSummary extends BenchResult {
  summary: true;
  /** Each run's value, in run order. */
  runs: number[];
  min: number;
  max: number;
  /** max − min. */
  spread: number;
  /** The spread as a percentage of the median run. */
  spreadPct: number;
  /** Runs that met the target. */
  met: number;
}

/** Which way a target points: `<= 50` is met by lower values, `>= 90` by higher ones. */
export function direction(target: string): 'lower' | 'higher' {
  return /^\s*(<=|<|≤)/.test(target) ? 'lower' : 'higher';
}

/** One summary per result id over the runs (a run that failed to produce an id is left out of it). */
export function summarise(runs: BenchResult[][]): RepeatSummary[] {
  const byId = new Map<string, BenchResult[]>();
  for (const results of runs) for (const r of results) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  return [...byId.entries()].map(([id, results]) => {
    const values = results.map((r) => r.value);
    const first = results[0] as BenchResult;
    const lower = direction(first.target) === 'lower';
    // a run with no figure (NaN) is the worst there is
    const worst = results.reduce((w, r) => (Number.isNaN(r.value) || (!Number.isNaN(w.value) && (lower ? r.value > w.value : r.value < w.value)) ? r : w));
    const sorted = [...values].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    const min = sorted[0] ?? Number.NaN;
    const max = sorted.at(-1) ?? Number.NaN;
    const median = sorted.length === 0 ? Number.NaN : sorted.length % 2 ? (sorted[(sorted.length - 1) / 2] as number) : ((sorted[sorted.length / 2 - 1] as number) + (sorted[sorted.length / 2] as number)) / 2;
    return {
      id,
      value: worst.value,
      unit: first.unit,
      target: first.target,
      pass: results.every((r) => r.pass),
      measured: `worst of ${results.length} runs: ${worst.measured}`,
      summary: true as const,
      runs: values,
      min,
      max,
      spread: round(max - min, 2),
      spreadPct: median ? round(((max - min) / Math.abs(median)) * 100, 1) : Number.NaN,
      met: results.filter((r) => r.pass).length,
    };
  });
}
