/**
 * The governors' report and the safeguarding governor's figures on the demo school, through the real HTTP
 * endpoint (the local try-out's chosen person): counts only, small counts hidden, the PDF holds the figures
 * and none of the names or the free text of the school, each report is an audit entry, and the governor is
 * still refused every other view.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardView } from '../../../src/app/dashboard.js';
import { type GovernorsReport, METRICS } from '../../../src/app/evidence/governors.js';
import { AdjustableClock } from '../../../src/app/clock.js';
import { generateAuditKey } from '../../../src/app/evidence/keys.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { DEMO_ORG_ID, loadDemoSchool } from '../../../src/demo/school.js';
import { createLogger } from '../../../src/logger.js';
import { freeTextIn, recordFreeText } from '../../support/free-text.js';
import { london } from '../../support/school.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';

const clock = new AdjustableClock();
let bot: Bot;
let mongoUrl = '';
const key = generateAuditKey();
/** Every person's name but the viewer's, and every free text the school stored. */
let names: string[] = [];
let freeText: string[] = [];

beforeAll(async () => {
  clock.set(london('2026-11-23T09:00'));
  mongoUrl = testMongoUrl('governors');
  bot = await startBot(
    loadConfig({ MONGODB_URI: mongoUrl, REDIS_URL: testRedisUrl(), PORT: '0', LOG_LEVEL: 'silent', QUEUE_PREFIX: testQueuePrefix(), PLAYGROUND: 'on', AUDIT_SIGNING_KEY: key.privateKeyPem }),
    createLogger('silent'),
    { clock, prepare: async (rt) => void (await loadDemoSchool(rt.deps)) },
  );
  const priya = await bot.runtime.deps.people.get('priya');
  await bot.runtime.deps.people.upsert({ ...(priya as NonNullable<typeof priya>), id: 'bursar', name: 'Bea Bursar', email: 'bursar@example.org', identities: {}, roles: ['admin'] });
  const people = await bot.runtime.deps.people.byOrganisation(DEMO_ORG_ID);
  names = people.flatMap((p) => [p.name, ...p.name.split(' ')]).filter((n) => n.length > 2);
  freeText = [...(await freeTextIn(bot.runtime.store.connection.db as never))];
  expect(freeText.length).toBeGreaterThan(5);
}, 120_000);

afterAll(async () => {
  await bot?.stop();
  const conn = await mongoose.createConnection(mongoUrl).asPromise();
  await recordFreeText(conn);
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
});

async function call(p: string, person: string, init: RequestInit = {}) {
  const res = await fetch(`${bot.url}/tab/api${p}`, { ...init, headers: { 'x-playground-person': person, ...(init.headers ?? {}) } });
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer());
  return { status: res.status, body, headers: res.headers };
}
async function pdfText(bytes: Buffer): Promise<{ pages: number; text: string }> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const { totalPages, text } = await extractText(pdf, { mergePages: true });
  return { pages: totalPages, text: text.replace(/\s+/g, ' ') };
}
/** Names of people other than `viewer`, and free text, found in `text`. */
function leaks(text: string, viewer: string): string[] {
  const own = new Set(viewer.split(' ').concat(viewer));
  const named = names.filter((n) => !own.has(n) && new RegExp(`\\b${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(text));
  const typed = freeText.filter((t) => text.includes(t.replace(/\s+/g, ' ').trim()));
  return [...named, ...typed];
}

describe("the governors' figures", () => {
  it('the safeguarding governor sees the current term month by month, counts only, with no name and no content', async () => {
    const res = await call('/governors', 'margaret');
    expect(res.status).toBe(200);
    const report = res.body as GovernorsReport;
    expect(report).toMatchObject({ type: 'governors-report', organisation: { name: 'Meadowbank Primary School' }, term: { id: 'autumn-2026', name: 'Autumn term 2026', current: true }, threshold: 3 });
    expect(report.months.map((m) => m.label)).toEqual(['Sep 2026', 'Oct 2026', 'Nov 2026']);
    // the current term's later months are not shown yet; its last month would run to the day before the next term
    expect(report.term.rangeText).toMatch(/Sept 2026 – .* Dec 2026$/);
    expect(report.terms[0]).toEqual({ id: 'autumn-2026', name: 'Autumn term 2026' });
    for (const m of report.months) for (const k of METRICS) expect(m.cells[k].value === null || m.cells[k].value >= 3 || m.cells[k].value === 0, `${m.label} ${k}`).toBe(true);
    expect(report.total.due.value).toBeGreaterThan(10);
    // the viewer's own name is the only one (as who generated it)
    expect(leaks(JSON.stringify(report), 'Margaret Okafor')).toEqual([]);
    expect(JSON.stringify(report)).not.toMatch(/"(personId|recordId|sessionId|contractId|id)":"(amy|ben|chloe|r\.|c-)/);
  });

  it('agrees with the dashboard where a count is shown: a past term is its two half terms', async () => {
    const gov = (await call('/governors?term=summer-2026', 'priya')).body as GovernorsReport;
    const dash = (await call('/dashboard?halfTerms=6', 'priya')).body as DashboardView;
    const summer = dash.halfTerms.filter((h) => h.schoolYear === '2025/26' && h.name.startsWith('Summer'));
    // the dashboard leaves out half terms before any contract began: the demo school's start in Summer 2
    expect(summer.map((h) => h.name)).toContain('Summer 2');
    const sum = (k: 'due' | 'held' | 'signed' | 'didNotHappen' | 'actionsDue' | 'actionsClosedOnTime') => summer.reduce((n, h) => n + (h[k] as number), 0);
    let compared = 0;
    for (const k of ['due', 'held', 'signed', 'didNotHappen', 'actionsDue', 'actionsClosedOnTime'] as const) {
      const shown = gov.total[k].value;
      if (shown === null) expect(sum(k), k).toBeGreaterThan(0);
      else {
        expect(shown, k).toBe(sum(k));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(2);
  });

  it('an earlier term by its name; a term not started, one not in the dates, a malformed one or another parameter is named (400)', async () => {
    const summer = await call('/governors?term=summer-2026', 'margaret');
    expect(summer.status).toBe(200);
    expect(summer.body).toMatchObject({ term: { id: 'summer-2026', current: false } });
    expect((summer.body as GovernorsReport).months.map((m) => m.label)).toEqual(['Apr 2026', 'May 2026', 'Jun 2026', 'Jul 2026']);
    for (const [q, field] of [
      ['term=spring-2027', 'query.term'],
      ['term=autumn-1999', 'query.term'],
      ['term=autumn', 'query.term'],
      ['term=autumn-2026&org=x', 'query.org'],
    ]) {
      for (const route of ['/governors', '/governors/report.pdf']) {
        const res = await call(`${route}?${q}`, 'margaret');
        expect(res.status, `${route}?${q}`).toBe(400);
        expect(res.body.field, `${route}?${q}`).toBe(field);
        expect(res.body.error).toContain(`${field}:`);
      }
    }
  });

  it('the DSL, a deputy, the headteacher and an auditor see them too; a supervisee, a supervisor and an administrator are refused (403)', async () => {
    for (const who of ['priya', 'tom', 'helen', 'olivia']) expect((await call('/governors', who)).status, who).toBe(200);
    for (const who of ['amy', 'james', 'bursar']) {
      for (const route of ['/governors', '/governors/report.pdf']) {
        const res = await call(route, who);
        expect(res.status, `${who} ${route}`).toBe(403);
        expect(res.body.error).toMatch(/safeguarding governor/);
      }
    }
  });

  it('the governor is still refused every other view and every record', async () => {
    const records = await bot.runtime.deps.records.forPerson('amy');
    const record = records.find((r) => r.state === 'signed') ?? records[0];
    for (const route of ['/dashboard', '/overdue', '/overdue.csv', '/figures.csv', '/people', '/people/amy', `/records/${record?.id}`, '/people/amy/file.pdf', '/people/amy/file.json', '/audit/verify']) {
      const res = await call(route, 'margaret');
      expect(res.status, route).toBe(403);
    }
    expect((await call('/exports', 'margaret', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(403);
    expect((await call('/me', 'margaret')).body).toMatchObject({ canSeeDashboard: false, canBrowseHistories: false, canSeeGovernance: true });
  });
});

describe("the governors' report (PDF)", () => {
  it('is an A4 PDF with the school, the term, the figures, the chart’s legend and the furniture, and no name or content', async () => {
    const before = (await bot.runtime.deps.audit.head(DEMO_ORG_ID))?.seq ?? 0;
    const figures = (await call('/governors', 'margaret')).body as GovernorsReport;
    const res = await call('/governors/report.pdf', 'margaret');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="governors-report-autumn-2026-2026-11-23.pdf"');
    const bytes = res.body as Buffer;
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const { pages, text } = await pdfText(bytes);
    expect(text).toContain('Meadowbank Primary School');
    expect(text).toContain('Governors’ report: Autumn term 2026');
    expect(text).toContain(`Page 1 of ${pages}`);
    expect(text).toMatch(/Generated by Margaret Okafor \(Safeguarding governor\) on Mon 23 Nov 2026, 09:\d\d/);
    expect(text).toContain('fewer than 3');
    expect(text).toContain('Chart: sessions and records month by month');
    // the table's row of sessions due: each month's count and the term's, as the figures view has them
    const due = ['Sessions due', ...figures.months.map((m) => m.cells.due.text), figures.total.due.text].join(' ');
    expect(text).toContain(due);
    for (const r of figures.rates) expect(text).toContain(`${r.label}: ${r.text}`);
    expect(leaks(text, 'Margaret Okafor')).toEqual([]);
    const doc = await getDocumentProxy(new Uint8Array(bytes));
    expect((await doc.getPage(1)).view.map(Math.round)).toEqual([0, 0, 595, 842]);
    // generating it is an audit entry, and signs the head
    const entries = (await bot.runtime.deps.audit.entries(DEMO_ORG_ID)).filter((e) => e.seq > before);
    expect(entries).toEqual([expect.objectContaining({ action: 'export.governors-report', actorId: 'margaret', subject: { kind: 'organisation', id: DEMO_ORG_ID }, detail: { term: 'autumn-2026', format: 'pdf' } })]);
    expect((await bot.runtime.deps.checkpoints.latest(DEMO_ORG_ID))?.seq).toBe(entries[0]?.seq);
    // viewing the figures wrote nothing
    const view = (await bot.runtime.deps.audit.head(DEMO_ORG_ID))?.seq;
    await call('/governors', 'margaret');
    expect((await bot.runtime.deps.audit.head(DEMO_ORG_ID))?.seq).toBe(view);
  });

  it('npm run admin -- export governors writes the same report for a named term, as an audit entry; a supervisee is refused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'governors-'));
    const file = path.join(dir, 'report.pdf');
    const run = (args: string[]) =>
      promisify(execFile)('npx', ['tsx', 'scripts/admin.ts', ...args], { env: { ...process.env, MONGODB_URI: mongoUrl, AUDIT_SIGNING_KEY: key.privateKeyPem } }).then(
        (r) => ({ code: 0, out: JSON.parse(r.stdout) }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: JSON.parse(e.stdout || '{}') }),
      );
    expect(await run(['export', 'governors', 'tom', file, 'spring-2026', '--json'])).toMatchObject({ code: 0, out: { created: 1, term: 'spring-2026' } });
    const { text } = await pdfText(readFileSync(file));
    expect(text).toContain('Governors’ report: Spring term 2026');
    expect(text).toContain('Jan 2026');
    expect(leaks(text, 'Tom Walsh')).toEqual([]);
    const refused = await run(['export', 'governors', 'amy', path.join(dir, 'no.pdf'), '--json']);
    expect(refused.code).toBe(1);
    const last = await bot.runtime.deps.audit.head(DEMO_ORG_ID);
    expect(last).toMatchObject({ action: 'export.governors-report', actorId: 'tom', detail: { term: 'spring-2026' } });
  }, 120_000);
});
