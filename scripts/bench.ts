/**
 * `npm run bench [-- P1 P3 …]`: runs every benchmark in scripts/bench/p*.ts (or the ids given) and prints
 * one JSON line per result with id, value, unit, target. Each benchmark starts its own Redis and
 * MongoDB-wire server so runs do not disturb each other. Exit code 0 even when a target is missed: the
 * figures are reported, not asserted.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchResult } from './bench/result.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = new Set(process.argv.slice(2).map((a) => a.toUpperCase()));
const files = readdirSync(path.join(here, 'bench'))
  .filter((f) => /^p\d+-.*\.ts$/.test(f))
  .filter((f) => wanted.size === 0 || wanted.has((f.split('-')[0] ?? '').toUpperCase()))
  .sort((a, b) => Number(a.slice(1).split('-')[0]) - Number(b.slice(1).split('-')[0]));

process.env.SERVICES_QUIET = '1';
let failed = false;
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(here, 'bench', file)).href)) as {
    run(): Promise<BenchResult[]>;
  };
  try {
    const results = await mod.run();
    for (const r of results) {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.stderr.write(`# ${r.id}: ${r.value} ${r.unit} (target ${r.target}) ${r.pass ? 'met' : 'MISSED'} — ${r.measured}\n`);
    }
  } catch (error) {
    failed = true;
    process.stderr.write(`# ${file} failed: ${(error as Error).stack ?? error}\n`);
  }
}
process.exit(failed ? 1 : 0);
