/**
 * The dashboard's browser bundle: src/web/dashboard/ (React + Fluent UI, TypeScript) bundled by esbuild into
 * build/dashboard/ (index.html, app.js, app.css), which the tab router serves. `ensureDashboard()` rebuilds only
 * when the bundle is missing or stale: `build/dashboard.json` keeps a hash of every file esbuild read (and of the
 * lock file), so `npm start`, `npm run build` and the test run's global setup call it freely.
 *
 *   npx tsx scripts/dashboard.ts          builds when stale and prints what it did
 *   npx tsx scripts/dashboard.ts --force  always builds
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = path.join(ROOT, 'src', 'web', 'dashboard');
export const DASHBOARD_OUT = path.join(ROOT, 'build', 'dashboard');
/** Kept next to the folder, not in it: the folder is served as it is. */
const INFO_FILE = path.join(ROOT, 'build', 'dashboard.json');

interface BuildInfo {
  inputs: Record<string, string>;
  ms: number;
  bytes: { js: number; css: number };
}

const hashOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function stale(): boolean {
  const file = INFO_FILE;
  if (!existsSync(file) || !existsSync(path.join(DASHBOARD_OUT, 'app.js'))) return true;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as BuildInfo;
    return Object.entries(info.inputs).some(([rel, hash]) => {
      const abs = path.join(ROOT, rel);
      return !existsSync(abs) || hashOf(abs) !== hash;
    });
  } catch {
    return true;
  }
}

/** Bundles the app (minified, one JS and one CSS file) into a fresh folder and swaps it in whole. */
export async function buildDashboard(): Promise<BuildInfo> {
  const started = performance.now();
  const temp = `${DASHBOARD_OUT}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { app: path.join(SOURCE, 'main.tsx') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome111', 'edge111', 'safari16.4', 'firefox115'],
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    outdir: temp,
    metafile: true,
    logLevel: 'error',
  });
  copyFileSync(path.join(SOURCE, 'index.html'), path.join(temp, 'index.html'));
  const inputs: Record<string, string> = {};
  for (const rel of [...Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/')), 'src/web/dashboard/index.html', 'package-lock.json']) {
    inputs[rel] = hashOf(path.join(ROOT, rel));
  }
  const size = (name: string) => (existsSync(path.join(temp, name)) ? statSync(path.join(temp, name)).size : 0);
  const info: BuildInfo = { inputs, ms: Math.round(performance.now() - started), bytes: { js: size('app.js'), css: size('app.css') } };
  rmSync(DASHBOARD_OUT, { recursive: true, force: true });
  mkdirSync(path.dirname(DASHBOARD_OUT), { recursive: true });
  renameSync(temp, DASHBOARD_OUT);
  writeFileSync(INFO_FILE, `${JSON.stringify(info, null, 1)}\n`);
  return info;
}

/** Builds the bundle when it is missing or any file it was built from has changed; returns what it did. */
export async function ensureDashboard(): Promise<BuildInfo | undefined> {
  if (!stale()) return undefined;
  return buildDashboard();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const info = process.argv.includes('--force') ? await buildDashboard() : await ensureDashboard();
  process.stdout.write(
    info
      ? `dashboard built in ${info.ms} ms: app.js ${(info.bytes.js / 1024).toFixed(0)} KiB, app.css ${(info.bytes.css / 1024).toFixed(0)} KiB (build/dashboard)\n`
      : 'dashboard bundle is up to date (build/dashboard)\n',
  );
}
