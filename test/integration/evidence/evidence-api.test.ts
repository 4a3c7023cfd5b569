/**
 * The dashboard's evidence routes on the demo school, through the real HTTP endpoint (the local try-out's
 * chosen person): the auditor's "Verify", exports and who is refused them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonFile } from '../../../src/app/evidence/person-file.js';
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
  const priya = await bot.runtime.deps.people.get('priya');
  // an administrator (business manager): administers the school, never reads supervision content
  await bot.runtime.deps.people.upsert({ ...(priya as NonNullable<typeof priya>), id: 'bursar', name: 'Bea Bursar', email: 'bursar@example.org', identities: {}, roles: ['admin'] });
});

async function pdfText(bytes: Buffer): Promise<{ pages: number; text: string }> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const { totalPages, text } = await extractText(pdf, { mergePages: true });
  return { pages: totalPages, text: text.replace(/\s+/g, ' ') };
}
const squash = (t: string) => t.replace(/\s+/g, ' ').trim();

afterAll(async () => {
  await bot?.stop();
  const conn = await mongoose.createConnection(mongoUrl).asPromise();
  await recordFreeText(conn);
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
});

async function call(path: string, person: string, init: RequestInit = {}) {
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

describe("a person's supervision file", () => {
  it('the DSL gets a real A4 PDF holding every version of the record, its confirmations, the school and the furniture', async () => {
    const records = await bot.runtime.deps.records.forPerson('amy');
    const signed = records.find((r) => r.state === 'signed' && r.superviseeIds.includes('amy'));
    expect(signed?.notes.length).toBeGreaterThan(10);
    const before = (await bot.runtime.deps.audit.head(DEMO_ORG_ID))?.seq ?? 0;
    const res = await call('/people/amy/file.pdf', 'priya');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="supervision-file-amy-2026-11-23\.pdf"$/);
    const bytes = res.body as Buffer;
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const { pages, text } = await pdfText(bytes);
    expect(text).toContain(squash(signed!.notes));
    expect(text).toContain('Meadowbank Primary School');
    expect(text).toContain('Supervision file: Amy Clarke');
    expect(text).toContain(`Page 1 of ${pages}`);
    expect(text).toContain('Confidential');
    // the test clock runs on from 09:00
    expect(text).toMatch(/Generated by Priya Shah \(Designated Safeguarding Lead\) on Mon 23 Nov 2026, 09:\d\d/);
    expect(text).toMatch(/Confirmations: .*\(/);
    // A4 in points
    const doc = await getDocumentProxy(new Uint8Array(bytes));
    const page = await doc.getPage(1);
    expect(page.view.map(Math.round)).toEqual([0, 0, 595, 842]);
    // the export is an audit entry, and the head was signed with it
    const entries = (await bot.runtime.deps.audit.entries(DEMO_ORG_ID)).filter((e) => e.seq > before);
    expect(entries).toEqual([expect.objectContaining({ action: 'export.person-file', actorId: 'priya', subject: { kind: 'person', id: 'amy' }, detail: { format: 'pdf', versions: expect.any(Number) } })]);
    expect((await bot.runtime.deps.checkpoints.latest(DEMO_ORG_ID))?.seq).toBe(entries[0]?.seq);
  });

  it('as JSON: the same file, with the checkpoint that signs the trail at the export', async () => {
    const res = await call('/people/amy/file.json', 'tom');
    expect(res.status).toBe(200);
    const file = res.body as PersonFile;
    expect(file).toMatchObject({ type: 'person-file', person: { id: 'amy', name: 'Amy Clarke' }, organisation: { name: 'Meadowbank Primary School' }, generatedBy: { id: 'tom' }, checkpoint: { reason: 'export', keyId: key.key.keyId } });
    expect(file.records.length).toBeGreaterThan(0);
    expect(file.sessions.length).toBeGreaterThan(0);
    expect(file.contracts.length).toBeGreaterThan(0);
  });

  it('the auditor sees signed versions only; the rest are counted, not shown', async () => {
    const res = await call('/people/daniel/file.json', 'olivia');
    expect(res.status).toBe(200);
    const file = res.body as PersonFile;
    expect(file.records.every((r) => r.stateText === 'Signed by both')).toBe(true);
    expect(file.withheldVersions).toBeGreaterThan(0);
  });

  it('the headteacher, an administrator, the governor and the supervisee themselves are refused (403); a bad id is named (400)', async () => {
    for (const who of ['helen', 'bursar', 'margaret', 'amy']) {
      for (const format of ['pdf', 'json']) {
        const res = await call(`/people/amy/file.${format}`, who);
        expect(res.status, `${who} ${format}`).toBe(403);
      }
    }
    const bad = await call('/people/..%2Fx/file.pdf', 'priya');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('params.personId');
  });
});

describe('an inspection bundle', () => {
  it('the auditor asks, watches the progress and downloads a zip whose index matches its files', async () => {
    const started = await call('/exports', 'olivia', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: '2025-09-01' }) });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    const seen: number[] = [];
    let status = (await call(`/exports/${id}`, 'olivia')).body;
    for (let i = 0; i < 600 && status.state !== 'ready' && status.state !== 'failed'; i++) {
      seen.push(status.progress.done);
      await new Promise((r) => setTimeout(r, 100));
      status = (await call(`/exports/${id}`, 'olivia')).body;
    }
    expect(status).toMatchObject({ state: 'ready', fileName: expect.stringMatching(/^inspection-bundle-.+\.zip$/) });
    expect(status.progress.done).toBe(status.progress.total);
    // someone else cannot see or take it
    expect((await call(`/exports/${id}`, 'priya')).status).toBe(404);
    expect((await call(`/exports/${id}/download`, 'priya')).status).toBe(404);
    const res = await call(`/exports/${id}/download`, 'olivia');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const dir = mkdtempSync(path.join(tmpdir(), 'bundle-'));
    const zipFile = path.join(dir, 'bundle.zip');
    writeFileSync(zipFile, res.body as Buffer);
    execFileSync('unzip', ['-q', zipFile, '-d', path.join(dir, 'out')]);
    const out = path.join(dir, 'out');
    const index = readFileSync(path.join(out, 'index.csv'), 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','));
    expect(index[0]).toEqual(['file', 'person_id', 'person', 'role', 'record_versions', 'sessions', 'sha256']);
    const listed = index.slice(1);
    expect(listed.length).toBeGreaterThan(4);
    for (const [file, , , , , , hash] of listed) {
      expect(createHash('sha256').update(readFileSync(path.join(out, file as string))).digest('hex'), file).toBe(hash);
    }
    const inZip = execFileSync('unzip', ['-Z1', zipFile], { encoding: 'utf8' }).trim().split('\n').filter((f) => f.startsWith('people/')).sort();
    expect(inZip).toEqual(listed.map((r) => r[0]).sort());
    const report = JSON.parse(readFileSync(path.join(out, 'audit/verification.json'), 'utf8'));
    expect(report).toMatchObject({ ok: true, checkpoints: { checked: true, keyId: key.key.keyId } });
    const checkpoints = JSON.parse(readFileSync(path.join(out, 'audit/checkpoints.json'), 'utf8')) as Array<{ seq: number; reason: string }>;
    expect(checkpoints.at(-1)).toMatchObject({ reason: 'export', seq: report.entries });
    expect(readFileSync(path.join(out, 'audit/public-key.pem'), 'utf8')).toBe(key.key.publicKeyPem);
    const trail = readFileSync(path.join(out, 'audit/trail.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(trail.at(-1)).toMatchObject({ action: 'export.bundle', actorId: 'olivia' });
    // the auditor's bundle holds signed records only
    const amy = JSON.parse(readFileSync(path.join(out, 'people/amy.json'), 'utf8')) as PersonFile;
    expect(amy.records.every((r) => r.stateText === 'Signed by both')).toBe(true);
  });

  it('an administrator, the headteacher and a supervisee are refused (403); a bad range is named (400)', async () => {
    for (const who of ['bursar', 'helen', 'amy']) {
      const res = await call('/exports', who, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status, who).toBe(403);
    }
    const bad = await call('/exports', 'priya', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: '2026-01-01', to: '2025-01-01' }) });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('body.to');
    const notJson = await call('/exports', 'priya', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.field).toBe('body');
  });
});
