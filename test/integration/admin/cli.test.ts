/**
 * `npm run admin` as an IT lead or a script runs it: the script as a child process against the test database.
 * One JSON object with --json; exit code 0 only when nothing was refused; --dry-run writes nothing. And
 * `SCHOOL=blank npm start` starts without the demo school and prints the setup link.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../scripts/services.js';
import { type StoreHandle, connectStore } from '../../../src/store/connection.js';
import { recordFreeText } from '../../support/free-text.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'admin-cli-'));
const mongoUrl = testMongoUrl('admin_cli');
let store: StoreHandle;

function admin(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; json: () => Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], { env: { ...process.env, MONGODB_URI: mongoUrl, PUBLIC_BASE_URL: 'https://bot.school.example' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) }));
  });
}

beforeAll(async () => {
  store = await connectStore(mongoUrl);
}, 60_000);
afterAll(async () => {
  if (store) await recordFreeText(store.connection);
  await store?.connection.dropDatabase().catch(() => undefined);
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

// each run is a new node process compiling TypeScript: slow on a busy machine
describe('npm run admin', { timeout: 300_000 }, () => {
  it('names a bad command, option or argument, with exit code 1', async () => {
    const unknown = await admin('frobnicate', '--json');
    expect(unknown.code).toBe(1);
    expect(unknown.json()).toMatchObject({ errors: [{ column: 'command', message: expect.stringMatching(/^"frobnicate" is not a command/) }] });
    const option = await admin('status', '--force', '--json');
    expect(option.code).toBe(1);
    expect(option.json()).toMatchObject({ errors: [{ column: '--force', message: 'is not an option; use --dry-run, --json, --org <id>, --deactivate-missing or --master-key-file <file>' }] });
    const missing = await admin('import', 'terms', '--json');
    expect(missing.json()).toMatchObject({ errors: [{ column: 'arguments', message: expect.stringMatching(/^name one \.ics file/) }] });
    const help = await admin('--help');
    expect(help.code).toBe(0);
    for (const line of ['import bank-holidays <bank-holidays.json>', 'import terms <file.ics>', 'init [', 'status ']) expect(help.stdout).toContain(`\n  ${line}`);
  });

  it('status before init says to run init', async () => {
    const status = await admin('status', '--json');
    expect(status.code).toBe(1);
    expect(status.json()).toMatchObject({ errors: [{ column: 'organisation', message: 'there is no organisation yet: run npm run admin -- init first' }] });
  });

  it('init: a setup link on an empty database; --dry-run writes nothing; then the organisation at once', async () => {
    const link = await admin('init', '--json');
    expect(link.code).toBe(0);
    expect(link.json()).toMatchObject({ command: 'init', created: 1, errors: [], setupUrl: expect.stringMatching(/^https:\/\/bot\.school\.example\/setup\/[A-Za-z0-9_-]{43}$/) });
    const bad = await admin('init', 'Aire Valley Primary', 'Bea Business', 'not-an-email', '--json');
    expect(bad.code).toBe(1);
    expect(bad.json()).toMatchObject({ created: 0, errors: [{ column: 'adminEmail', message: 'Your email: must be an email address such as name@school.org.uk' }] });
    const dry = await admin('init', 'Aire Valley Primary', 'Bea Business', 'bea@airevalley.sch.uk', '--dry-run', '--json');
    expect(dry.json()).toMatchObject({ dryRun: true, created: 2, errors: [] });
    expect(await store.stores.organisations.list()).toEqual([]);
    const made = await admin('init', 'Aire Valley Primary', 'Bea Business', 'bea@airevalley.sch.uk');
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/^Created Aire Valley Primary \(aire-valley-primary-\w+\) and its admin Bea Business/);
    const again = await admin('init', '--json');
    expect(again.code).toBe(1);
    expect(again.json()).toMatchObject({ errors: [{ message: expect.stringMatching(/is set up here already/) }] });
  });

  it('import terms: a bad file refused by line, a dry run writes nothing, the file entered once', async () => {
    const bad = path.join(dir, 'bad.ics');
    writeFileSync(bad, 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Autumn 1\r\nDTSTART;VALUE=DATE:20260902\r\nDTEND;VALUE=DATE:20260801\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n');
    const refused = await admin('import', 'terms', bad, '--json');
    expect(refused.code).toBe(1);
    expect(refused.json()).toEqual({ command: 'import terms', dryRun: false, created: 0, updated: 0, unchanged: 0, deactivated: 0, errors: [{ file: 'bad.ics', row: 2, column: 'DTEND', message: 'the event ends (2026-08-01) before it starts (2026-09-02)' }], warnings: [] });
    const latin1 = path.join(dir, 'latin1.ics');
    writeFileSync(latin1, Buffer.from('BEGIN:VCALENDAR\r\nSUMMARY:Caf\xe9\r\nEND:VCALENDAR\r\n', 'latin1'));
    expect((await admin('import', 'terms', latin1, '--json')).json()).toMatchObject({ errors: [{ file: 'latin1.ics', row: 2, message: expect.stringMatching(/is not UTF-8 text/) }] });
    expect((await admin('import', 'terms', path.join(dir, 'missing.ics'), '--json')).json()).toMatchObject({ errors: [{ column: 'file', message: 'missing.ics: there is no such file' }] });
    const dry = await admin('import', 'terms', 'examples/term-dates-2026-27.ics', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(dry.json()).toMatchObject({ dryRun: true, created: 11, errors: [] });
    expect((await store.stores.organisations.list())[0]?.termDates.halfTerms).toEqual([]);
    const done = await admin('import', 'terms', 'examples/term-dates-2026-27.ics');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('import terms: 11 created, 0 updated, 0 unchanged, 0 deactivated, 0 refused');
    expect((await store.stores.organisations.list())[0]?.termDates.halfTerms).toHaveLength(6);
    expect((await admin('import', 'terms', 'examples/term-dates-2026-27.ics', '--json')).json()).toMatchObject({ created: 0, unchanged: 11 });
  });

  it('import bank-holidays: the gov.uk file refreshes the division; a bad one names the field', async () => {
    const file = path.join(dir, 'bank-holidays.json');
    writeFileSync(file, JSON.stringify({ 'england-and-wales': { division: 'england-and-wales', events: [{ title: "New Year's Day", date: '2027-01-01', notes: '', bunting: true }, { title: 'A new holiday', date: '2027-06-14', notes: '', bunting: true }] } }));
    const dry = await admin('import', 'bank-holidays', file, '--dry-run', '--json');
    expect(dry.json()).toMatchObject({ dryRun: true, created: 1, unchanged: 1, errors: [] });
    const done = await admin('import', 'bank-holidays', file, '--json');
    expect(done.code).toBe(0);
    expect(done.json()).toMatchObject({ created: 1, unchanged: 1, organisationsUpdated: 1 });
    expect((await store.stores.organisations.list())[0]?.termDates.bankHolidays).toEqual(['2027-01-01', '2027-06-14']);
    writeFileSync(file, JSON.stringify({ wales: {}, scotland: { division: 'scotland', events: [{ title: 'St Andrew’s Day', date: '2027-11-31' }] } }));
    const bad = await admin('import', 'bank-holidays', file, '--json');
    expect(bad.code).toBe(1);
    expect(bad.json().errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'bank-holidays.json', message: 'wales is not a division (england-and-wales, scotland, northern-ireland)' }),
        expect.objectContaining({ file: 'bank-holidays.json', column: 'scotland.events.0.date', message: 'must be a date (YYYY-MM-DD)' }),
      ]),
    );
  });

  it('status: the checklist as one JSON object', async () => {
    const status = await admin('status', '--json');
    expect(status.code).toBe(0);
    expect(status.json()).toMatchObject({ command: 'status', errors: [], checklist: { organisation: { name: 'Aire Valley Primary' }, ready: false } });
    expect((await admin('status')).stdout).toMatch(/\[ \] Designated Safeguarding Lead named/);
  });
});

describe('SCHOOL=blank npm start', { timeout: 300_000 }, () => {
  let child: ChildProcess | undefined;
  afterAll(() => void child?.kill('SIGINT'));

  it('starts without the demo school and prints the setup link', async () => {
    const port = await freePort();
    const env = { ...process.env, SCHOOL: 'blank', MONGODB_URI: testMongoUrl('admin_blank_start'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: String(port), LOG_LEVEL: 'warn' };
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    for (let i = 0; i < 1200 && !out.includes('Supervision Bot is running'); i++) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(out).toContain('SCHOOL=blank: no demo school');
    expect(out).not.toContain('loading the demo school');
    const link = /set up your school \(once, within 24 hours\): (http:\/\/127\.0\.0\.1:\d+\/setup\/[A-Za-z0-9_-]{43})/.exec(out)?.[1];
    expect(link).toBeDefined();
    expect((await fetch(link as string)).status).toBe(200);
    const store2 = await connectStore(env.MONGODB_URI);
    child.kill('SIGINT');
    await new Promise((r) => child?.once('exit', r));
    await recordFreeText(store2.connection);
    await store2.connection.dropDatabase().catch(() => undefined);
    await store2.close();
  });
});
