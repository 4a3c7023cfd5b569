/**
 * The dashboard's evidence routes on the demo school, through the real HTTP endpoint (the local try-out's
 * chosen person): the auditor's "Verify", exports and who is refused them.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import { generateAuditKey } from '../../../src/app/evidence/keys.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { DEMO_ORG_ID, loadDemoSchool } from '../../../src/demo/school.js';
import { createLogger } from '../../../src/logger.js';
import { recordFreeText } from '../../support/free-text.js';
import { london } from '../../support/school.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';

const clock = new AdjustableClock();
let bot: Bot;
let mongoUrl = '';
const key = generateAuditKey();

beforeAll(async () => {
  clock.set(london('2026-11-23T09:00'));
  mongoUrl = testMongoUrl('evidence-api');
  bot = await startBot(
    loadConfig({ MONGODB_URI: mongoUrl, REDIS_URL: testRedisUrl(), PORT: '0', LOG_LEVEL: 'silent', QUEUE_PREFIX: testQueuePrefix(), PLAYGROUND: 'on', AUDIT_SIGNING_KEY: key.privateKeyPem }),
    createLogger('silent'),
    { clock, prepare: async (rt) => void (await loadDemoSchool(rt.deps)) },
  );
});

afterAll(async () => {
  await bot?.stop();
  const conn = await mongoose.createConnection(mongoUrl).asPromise();
  await recordFreeText(conn);
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
});

export async function call(path: string, person: string, init: RequestInit = {}) {
  const res = await fetch(`${bot.url}/tab/api${path}`, { ...init, headers: { 'x-playground-person': person, ...(init.headers ?? {}) } });
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer());
  return { status: res.status, body, headers: res.headers };
}

describe('Verify', () => {
  it('the auditor checks the demo school trail: verified N entries up to the head', async () => {
    const res = await call('/audit/verify', 'olivia');
    expect(res.status).toBe(200);
    const head = await bot.runtime.deps.audit.head(DEMO_ORG_ID);
    expect(res.body).toMatchObject({ ok: true, entries: head?.seq, headHash: head?.hash, checkpoints: { checked: true, keyId: key.key.keyId } });
    expect(res.body.text).toMatch(new RegExp(`^Verified ${head?.seq} entries up to ${head?.hash}`));
  });

  it('the DSL and a deputy may too; the head, the governor and a supervisee are refused (403)', async () => {
    for (const who of ['priya', 'tom']) expect((await call('/audit/verify', who)).status, who).toBe(200);
    for (const who of ['helen', 'margaret', 'amy']) expect((await call('/audit/verify', who)).status, who).toBe(403);
  });

  it('a parameter it does not take is named (400)', async () => {
    const res = await call('/audit/verify?org=x', 'olivia');
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('query.org');
  });
});
