/**
 * Encryption at rest: free text typed through the playground's endpoints (agenda items, parked items, notes,
 * concerns, case decisions, actions, a change asked for and its resolution, a session asked for) is found in
 * no collection of the database as it was typed — the raw driver's dump — while the app reads it back and the
 * audit trail verifies. Rotation: a new data key, old text readable, new writes under the new key, verify still
 * clean; a new master key through `npm run admin -- keys rotate --master-key-file`, after which the old one is
 * refused in words; production refuses to start without a master key.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mongo } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditTrail } from '../../../src/app/evidence/verify.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { connectStore } from '../../../src/store/connection.js';
import { ENCRYPTED_FIELDS, envelopeKeyId, localMasterKey, masterKeyFromEnvironment, masterKeyFromFile, newMasterKeyText } from '../../../src/store/encryption.js';
import { reencryptOrganisation, rotateDataKeys } from '../../../src/store/key-rotation.js';
import { freeTextIn } from '../../support/free-text.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let bot: Bot;
const typed: string[] = [];
const words = (what: string) => {
  const t = `${what} ${randomUUID().slice(0, 13)}`;
  typed.push(t);
  return t;
};

async function call(route: string, person: string, body?: unknown) {
  const res = await fetch(`${bot.url}/playground/api/${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-playground-person': person, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const act = async (person: string, verb: string, data: Record<string, unknown>) => {
  const res = await call('actions', person, { verb, data });
  expect(res.status, `${verb}: ${JSON.stringify(res.body.error ?? '')}`).toBe(200);
  return res;
};
const say = async (person: string, text: string) => {
  const res = await call('messages', person, { text });
  expect(res.status, text).toBe(200);
};

/** Every document of every collection of the database, as the raw driver returns it, as extended JSON. */
async function dump(db: mongo.Db): Promise<string> {
  const parts: string[] = [];
  for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
    for await (const doc of db.collection(c.name).find({})) parts.push(mongo.BSON.EJSON.stringify(doc));
  }
  return parts.join('\n');
}

/** The data key of every envelope stored under the encrypted fields. */
async function keyIdsStored(db: mongo.Db): Promise<Set<string>> {
  const ids = new Set<string>();
  const walk = (v: unknown) => {
    const id = envelopeKeyId(v);
    if (id) ids.add(id);
    else if (v && typeof v === 'object' && !(v instanceof Date)) for (const x of Object.values(v)) walk(x);
  };
  for (const name of Object.keys(ENCRYPTED_FIELDS)) for await (const doc of db.collection(name).find({})) walk(doc);
  return ids;
}

const recordId = 'rec.c-ben.2026-01-05';
const sessionId = 'c-ben.2026-01-05';
let notes = '';

beforeAll(async () => {
  w = await createWorld('encryption');
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  // free text through the endpoints, as people type it
  w.clock.set(london('2026-01-02T09:00'));
  await say('amy', `park ${words('A parent said something worrying')}`);
  await say('amy', `add ${words('Workload in the spring term')}`);
  await act('amy', 'session.request', { reason: words('I would like to talk about a pupil soon') });
  await w.deps.sessions.insert({ id: sessionId, organisationId: w.org.id, contractId: 'c-ben', startsAt: london('2026-01-05T09:00'), durationMinutes: 60, status: 'scheduled' });
  w.clock.set(london('2026-01-05T11:00'));
  notes = words('Talked through the attendance plan');
  await act('sup', 'record.submit', {
    sessionId,
    topics: 'organisational',
    notes,
    concerns: words('A pupil in year four seems withdrawn'),
    childRef: 'JB',
    followUpById: 'sup',
    decision: words('Refer to early help this week'),
    rationale: words('Attendance has fallen three weeks running'),
    action0: words('Share the plan with the family worker'),
    owner0: 'ben',
    due0: '2026-01-30',
  });
  await act('ben', 'record.dispute', { recordId, version: 1, reason: words('The plan was agreed for February') });
  await act('ben', 'record.refer', { recordId });
  await act('head', 'dispute.resolve', { recordId, outcome: 'keep', resolution: words('We agreed the record is accurate') });
  await bot.runtime.queues.flushOutbox();
}, 180_000);
afterAll(async () => {
  await bot?.stop();
  await w?.close();
});

describe('free text at rest', () => {
  it('is in no collection as typed, while the app reads it back and the trail verifies', async () => {
    const db = w.store.connection.db!;
    const stored = await dump(db);
    // the dump is real: the records are there, their text as envelopes
    expect(stored).toContain(recordId);
    const raw = await db.collection('records').findOne({ recordId, current: true });
    expect(String(raw?.notes)).toMatch(/^enc1:/);
    for (const t of typed) expect(stored, t).not.toContain(t.slice(0, 20));
    // every piece was stored, and reads back as typed
    const text = await freeTextIn(db);
    for (const t of typed) expect([...text].some((v) => v.includes(t)), t).toBe(true);
    expect((await w.deps.records.latest(recordId))?.notes).toBe(notes);
    expect((await verifyAuditTrail(w.deps, w.org.id)).ok).toBe(true);
  });
});

describe('rotation', () => {
  it('a new data key: old text readable, everything re-encrypted under it, new writes too, verify clean', async () => {
    const db = w.store.connection.db!;
    expect(await keyIdsStored(db)).toEqual(new Set([`${w.org.id}#1`]));
    const result = await rotateDataKeys(w.store, w.deps, { organisationIds: [w.org.id], actorId: 'admin-cli', batchSize: 3, settleMs: 0 });
    // the bot's own process takes up the new key when it looks again (every 30 s; here at once), and the
    // rotation's second pass re-encrypts what it wrote meanwhile under the old one
    bot.runtime.store.cipher.forgetCurrent();
    await bot.runtime.queues.flushOutbox();
    await reencryptOrganisation(w.store, w.org.id, 3);
    expect(result.organisations).toEqual([{ organisationId: w.org.id, keyId: `${w.org.id}#2`, reencrypted: expect.any(Number) }]);
    expect(result.organisations[0]?.reencrypted).toBeGreaterThan(5);
    expect(await keyIdsStored(db)).toEqual(new Set([`${w.org.id}#2`]));
    expect((await w.deps.records.latest(recordId))?.notes).toBe(notes);
    await say('amy', `park ${words('Another thing to raise next time')}`);
    expect(await keyIdsStored(db)).toEqual(new Set([`${w.org.id}#2`]));
    const report = await verifyAuditTrail(w.deps, w.org.id);
    expect(report.ok, report.text).toBe(true);
    const entries = await w.deps.audit.entries(w.org.id);
    expect(entries.find((e) => e.action === 'keys.rotated')?.detail).toMatchObject({ keyId: `${w.org.id}#2` });
    expect(await dump(db)).not.toContain(typed[typed.length - 1]);
  });

  it('a new master key from the command line; the old one is then refused in words; the new one reads everything', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'master-key-'));
    const file = path.join(dir, 'new.key');
    writeFileSync(file, newMasterKeyText(), { mode: 0o600 });
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', 'keys', 'rotate', '--master-key-file', file, '--json'], { env: { ...process.env, MONGODB_URI: w.mongoUrl, KEY_ROTATION_SETTLE_SECONDS: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(out.code, out.stderr).toBe(0);
    const answer = JSON.parse(out.stdout) as { organisations: Array<{ keyId: string }>; masterKeyId: string; rewrapped: number };
    const next = masterKeyFromFile(file);
    expect(answer).toMatchObject({ masterKeyId: next.id, rewrapped: 2, organisations: [{ keyId: `${w.org.id}#3` }] });
    const old = masterKeyFromEnvironment();
    await expect(connectStore(w.mongoUrl, { masterKey: old })).rejects.toThrow(/DATA_MASTER_KEY_FILE or DATA_MASTER_KEY, key [0-9a-f]{16}\) is not the one that wrapped this database's data keys/);
    await expect(connectStore(w.mongoUrl, { masterKey: localMasterKey(randomBytes(32)) })).rejects.toThrow(/is not the one that wrapped/);
    const reopened = await connectStore(w.mongoUrl, { masterKey: next });
    try {
      expect((await reopened.stores.records.latest(recordId))?.notes).toBe(notes);
      const report = await verifyAuditTrail({ ...w.deps, ...reopened.stores }, w.org.id);
      expect(report.ok, report.text).toBe(true);
      // back under the run's master key, so the suite's log check can read this database's text
      await reopened.cipher.rewrap(old);
    } finally {
      await reopened.close();
    }
  }, 120_000);

  it('production refuses to start without a master key, naming the variable; a malformed key is named too', () => {
    const base = { MONGODB_URI: 'mongodb://127.0.0.1:1/x', REDIS_URL: 'redis://127.0.0.1:1' };
    expect(() => loadConfig({ ...base, NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, NODE_ENV: 'production' })).toThrow(/DATA_MASTER_KEY_FILE: \(or DATA_MASTER_KEY\) is required in production/);
    expect(() => loadConfig({ ...base, DATA_MASTER_KEY: 'not-a-key' })).toThrow(/DATA_MASTER_KEY: must be 32 random bytes/);
    expect(() => loadConfig({ ...base, DATA_MASTER_KEY_FILE: '/nonexistent/master.key' })).toThrow(/DATA_MASTER_KEY_FILE: names a file that does not exist/);
    expect(loadConfig({ ...base, NODE_ENV: 'production', DATA_MASTER_KEY: randomBytes(32).toString('base64') }).DATA_MASTER_KEY).toBeDefined();
  });
});
