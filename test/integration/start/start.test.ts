import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chosenEngine, freePort } from '../../../scripts/services.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** `npm start`'s script, as a user runs it: embedded Redis and MongoDB-wire engine, data under DATA_DIR. */
async function start(port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', SERVICES_QUIET: '0' };
  delete env.MONGODB_URI;
  delete env.REDIS_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  for (let i = 0; i < 1200 && !out.includes('Supervision Bot is running'); i++) {
    if (child.exitCode !== null) throw new Error(`start exited: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!out.includes('Supervision Bot is running')) throw new Error(`start did not come up: ${out}`);
  return { child, output: () => out };
}

/** The playground's clock, read or moved (as Priya, the demo school's DSL). */
async function clock(port: number, move?: Record<string, unknown>): Promise<{ now: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/playground/api/clock`, {
    method: move ? 'POST' : 'GET',
    headers: { 'x-playground-person': 'priya', ...(move ? { 'content-type': 'application/json' } : {}) },
    body: move ? JSON.stringify(move) : undefined,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { now: string };
}

async function stop(child: ChildProcess): Promise<number | null> {
  child.kill('SIGINT');
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('npm start', () => {
  it('brings up Redis, the local database engine and the bot with the demo school; Ctrl-C stops everything; a second start keeps the data', async () => {
    const port = await freePort();
    const first = await start(port);
    expect(first.output()).toContain('loading the demo school');
    expect(first.output()).toContain(`http://127.0.0.1:${port}`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // the playground's address as it is served, and its clock moved on ten days
    expect(first.output()).toContain(`playground: http://127.0.0.1:${port}/playground/ `);
    const page = await fetch(`http://127.0.0.1:${port}/playground/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const moved = await clock(port, { advance: 'days', days: 10 });
    expect(new Date(moved.now).getTime()).toBeGreaterThan(Date.now() + 9 * 86_400_000);
    expect(await stop(first.child)).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    // the engines' data, and the key that signs the audit chain's head (scripts/start.ts)
    expect(readdirSync(dataDir).sort()).toEqual(['audit-signing-key.pem', 'data-master.key', chosenEngine() === 'documentdb' ? 'documentdb' : 'mongo', 'redis']);

    const second = await start(port);
    expect(second.output()).not.toContain('loading the demo school');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // the playground's clock carries on from where it was: what was dated on it is not "in the future"
    expect(new Date((await clock(port)).now).getTime()).toBeGreaterThanOrEqual(new Date(moved.now).getTime());
    expect(await stop(second.child)).toBe(0);
  }, 240_000);
});
