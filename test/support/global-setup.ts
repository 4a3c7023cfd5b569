/**
 * Builds the dashboard's bundle when stale, and starts one real Redis and one real MongoDB-wire server for the whole test run; each test file isolates
 * itself with its own database name and queue prefix (see `test/support/services.ts`).
 *
 * Every logger of the run (test workers and the processes they start) also writes to `test-output/logs/`;
 * the teardown fails the run when free text any test stored appears in those logs (see `free-text.ts`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import type { TestProject } from 'vitest/node';
import { ensureDashboard } from '../../scripts/dashboard.js';
import { alive, type RunningService, startMongo, startRedis } from '../../scripts/services.js';
import { findLeaks, freeTextIn, LOG_DIR, MIN_LENGTH, runDir, VALUES_FILE } from './free-text.js';

let redis: RunningService | undefined;
let mongo: RunningService | undefined;

const dir = runDir(process.pid);

export async function setup(project: TestProject): Promise<void> {
  // earlier runs' captures go; a run still going in this tree keeps its own
  mkdirSync(LOG_DIR, { recursive: true });
  for (const old of readdirSync(LOG_DIR).filter((f) => /^run-\d+$/.test(f))) {
    const pid = Number(old.slice(4));
    if (pid === process.pid || !alive(pid)) rmSync(path.join(LOG_DIR, old), { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  // test workers are forked after this, and inherit it, as do the processes they start
  process.env.LOG_CAPTURE_DIR = dir;
  // the dashboard's browser bundle, when missing or older than its sources (a clean clone builds it here)
  const built = ensureDashboard().then((info) => info && process.stderr.write(`[setup] dashboard bundle built in ${info.ms} ms\n`));
  [redis, mongo] = await Promise.all([startRedis(), startMongo(), built]);
  project.provide('redisUrl', redis.url);
  project.provide('mongoUrl', mongo.url);
}

export async function teardown(): Promise<void> {
  try {
    if (mongo) await checkLogsForFreeText(mongo.url);
  } finally {
    await Promise.all([redis?.stop(), mongo?.stop()]);
  }
}

/** The test databases' free text: what tests recorded before dropping theirs, and every one still there. */
async function storedFreeText(mongoUrl: string): Promise<{ values: Set<string>; databases: number }> {
  const values = new Set<string>();
  let databases = 0;
  const recorded = path.join(dir, VALUES_FILE);
  if (existsSync(recorded)) {
    for (const line of readFileSync(recorded, 'utf8').split('\n')) {
      if (!line) continue;
      databases++;
      for (const v of (JSON.parse(line) as { values: string[] }).values) values.add(v);
    }
  }
  const conn = await mongoose.createConnection(mongoUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  try {
    const { databases: all } = await conn.db!.admin().listDatabases();
    // only the databases tests create (`testMongoUrl`: label_8hex), never anything else on a given server
    for (const { name } of all.filter((d) => /_[0-9a-f]{8}$/.test(d.name))) {
      databases++;
      for (const v of await freeTextIn(conn.useDb(name, { useCache: false }).db!)) values.add(v);
    }
  } finally {
    await conn.close();
  }
  return { values, databases };
}

async function checkLogsForFreeText(mongoUrl: string): Promise<void> {
  const { values, databases } = await storedFreeText(mongoUrl);
  const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
  let lines = 0;
  let bytes = 0;
  const truncated: string[] = [];
  const found = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    bytes += text.length;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
    if (text.includes('"capture":"truncated"')) truncated.push(file);
    for (const leak of findLeaks(text, values)) found.set(leak, [...(found.get(leak) ?? []), file]);
  }
  const summary = {
    logFiles: files.length,
    logLines: lines,
    logBytes: bytes,
    truncatedFiles: truncated,
    databases,
    freeTextValuesChecked: values.size,
    minLength: MIN_LENGTH,
    found: found.size,
    // the leaks are named by where they were found and their length only: the summary is a log too
    leaks: [...found].map(([value, where]) => ({ length: value.length, files: where })),
  };
  const json = `${JSON.stringify({ run: path.basename(dir), ...summary }, null, 2)}\n`;
  writeFileSync(path.join(dir, 'free-text-check.json'), json);
  writeFileSync(path.join(LOG_DIR, 'free-text-check.json'), json);
  if (found.size > 0) {
    process.exitCode = 1;
    throw new Error(`free text stored by the tests appears in the captured logs: ${found.size} value(s), see test-output/logs/free-text-check.json`);
  }
  if (values.size === 0 && files.length > 0) process.stderr.write('free-text check: no stored free text was collected\n');
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    mongoUrl: string;
  }
}
