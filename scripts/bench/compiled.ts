/**
 * The bot as production runs it: compiled to `dist/` by `npm run build` and started with `node dist/main.js`
 * (`BENCH_TSX=1`: `src/main.ts` under tsx instead, to compare). Built once per benchmark run.
 * `BENCH_NODE_ARGS`: more node flags for the compiled bot (e.g. `--cpu-prof --cpu-prof-dir=<dir>`).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let built = false;

/** The node arguments that start the bot's entry point. */
export function botEntry(): { args: string[]; label: string } {
  if (process.env.BENCH_TSX === '1') return { args: ['--import', 'tsx', path.join(root, 'src/main.ts')], label: 'src/main.ts under tsx' };
  if (!built) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    built = true;
  }
  // the same flags as the image's command (scripts/docker/Dockerfile); `BENCH_NODE_ARGS` adds more (e.g. `--cpu-prof`)
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return { args: ['--expose-gc', ...extra, path.join(root, 'dist/main.js')], label: ['node --expose-gc', ...extra, 'dist/main.js'].join(' ') };
}
