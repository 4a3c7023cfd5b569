/**
 * `npm run bench [-- P1 P3 …] [-- --repeat N]`: runs every benchmark in scripts/bench/p*.ts (or the ids given)
 * and prints one JSON line per result with id, value, unit, target. Each benchmark starts its own Redis and
 * MongoDB-wire server so runs do not disturb each other. Exit code 0 even when a target is missed: the
 * figures are reported, not asserted.
 *
 * With `--repeat N` each benchmark runs N times in a row; each run's lines are printed as they come (with
 * `run`), then one summary line per result id (`"summary": true`) whose `value` is the **worst** run against
 * its target (the highest for a `<=` target, the lowest for `>=`), `pass` whether that worst run meets it, and
 * the spread of the runs (`runs`, `min`, `max`, `spread` = max − min, `spreadPct` of the median).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { BenchResult } from './bench/result.js';
import { summarise } from './bench/repeat.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = z
  .object({ repeat: z.coerce.number().int().min(1, '--repeat must be a whole number of runs, 1 or more').max(20, '--repeat: at most 20 runs'), ids: z.array(z.string().regex(/^P\d+$/i, 'a benchmark id such as P3')) })
  .safeParse(parseArgs(process.argv.slice(2)));
if (!args.success) {
  process.stderr.write(`bench: ${args.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
  process.exit(2);
}
const { repeat } = args.data;
const wanted = new Set(args.data.ids.map((a) => a.toUpperCase()));
const files = readdirSync(path.join(here, 'bench'))
  .filter((f) => /^p\d+-.*\.ts$/.test(f))
  .filter((f) => wanted.size === 0 || wanted.has((f.split('-')[0] ?? '').toUpperCase()))
  .sort((a, b) => Number(a.slice(1).split('-')[0]) - Number(b.slice(1).split('-')[0]));

function parseArgs(argv: string[]): { repeat: string; ids: string[] } {
  let repeat = '1';
  const ids: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--repeat') repeat = argv[++i] ?? '';
    else if (a.startsWith('--repeat=')) repeat = a.slice('--repeat='.length);
    else ids.push(a);
  }
  return { repeat, ids };
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

process.env.SERVICES_QUIET = '1';
let failed = false;
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(here, 'bench', file)).href)) as {
    run(): Promise<BenchResult[]>;
  };
  const runs: BenchResult[][] = [];
  for (let n = 1; n <= repeat; n++) {
    try {
      const before = loadAverage();
      const results = await mod.run();
      const after = loadAverage();
      runs.push(results);
      for (const r of results) {
        process.stdout.write(`${JSON.stringify(repeat > 1 ? { ...r, run: n, loadAverageBefore: before, loadAverageAfter: after } : r)}\n`);
        process.stderr.write(`# ${r.id}${repeat > 1 ? ` run ${n}/${repeat}` : ''}: ${r.value} ${r.unit} (target ${r.target}) ${r.pass ? 'met' : 'MISSED'} — ${r.measured} [load ${before} → ${after}]\n`);
      }
    } catch (error) {
      failed = true;
      process.stderr.write(`# ${file}${repeat > 1 ? ` run ${n}/${repeat}` : ''} failed: ${(error as Error).stack ?? error}\n`);
    }
  }
  if (repeat > 1) {
    for (const s of summarise(runs)) {
      process.stdout.write(`${JSON.stringify(s)}\n`);
      process.stderr.write(`# ${s.id} worst of ${s.runs.length}: ${s.value} ${s.unit} (target ${s.target}) ${s.pass ? 'met' : 'MISSED'}; runs ${s.runs.join(', ')}; spread ${s.spread} (${s.spreadPct} % of the median)\n`);
    }
  }
}
process.exit(failed ? 1 : 0);
