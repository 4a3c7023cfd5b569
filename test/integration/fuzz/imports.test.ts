/**
 * Fuzzing the imports (`POST /api/admin/imports`) with fast-check: 10,000 generated imports of CSV files (more
 * than 10,000 files and their rows) — staff template rows, School Data Sync exports and contracts rows whose cells
 * are valid or hostile (formulas, control characters, huge, unicode, other encodings, broken quoting), and bytes
 * that were never CSV — then 1,000 bodies that are not an import at all.
 * - never a 5xx;
 * - every refusal of a file names its file, row and column, with a reason; a malformed body is 400 naming the field;
 * - a refused import writes nothing: the database fingerprint (every collection but the previews) is the same
 *   after each batch, and only a clean preview is kept, with its token.
 */
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { fingerprint, fuzzBatches, inParallel, nastyString, prototypePolluted, randomBody, statusTally, watchProcess } from '../../support/fuzz.js';
import { london, school } from '../../support/school.js';
import { recordFreeText } from '../../support/free-text.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';

/** Generated files (`FUZZ_PER_KIND` to try fewer while working on the imports). */
const TOTAL = Number(process.env.FUZZ_PER_KIND) || 10_000;
const BATCH = Number(process.env.FUZZ_BATCH) || 200;
const IN_FLIGHT = 16;
/** A failure's seed, to run it again. */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const ORG = 'org-fuzz';

let bot: Bot;
let sent = 0;
const watch = watchProcess();
const tally = statusTally('imports');
const clock = new AdjustableClock();

interface Case {
  body: string | Uint8Array;
  type: string;
  /** The file names the request sends (a refusal must name one of them, or a file the kind needs). */
  files: string[];
  /** How many generated files and data rows it carries (none for a body that is not an import). */
  generated?: { files: number; rows: number };
}
const generated = { files: 0, rows: 0 };

const enc = (text: string, how: 'utf8' | 'bom' | 'win1252' | 'utf16') =>
  how === 'utf8' ? Buffer.from(text) : how === 'bom' ? Buffer.from(`\ufeff${text}`) : how === 'win1252' ? iconv.encode(text, 'win1252') : Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')]);
const encoding = fc.constantFrom<'utf8' | 'bom' | 'win1252' | 'utf16'>('utf8', 'utf8', 'utf8', 'bom', 'win1252', 'utf16');
/** A cell: mostly what the column wants, else anything at all (quoted when it needs to be, or not). */
const cell = (good: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 3, arbitrary: good }, { weight: 2, arbitrary: nastyString }, { weight: 1, arbitrary: fc.constantFrom('=1+1', '+44 1', '-2', '@SUM(A1)', '\t=x', '"', 'a"b', '""', ',', '\r\n', 'x\ny') });
const quote = (v: string) => (/[",\r\n]/.test(v) || v.length % 3 === 0 ? `"${v.replace(/"/g, '""')}"` : v);
const csv = (header: string[], rows: string[][], eol: string) => [header.join(','), ...rows.map((r) => r.map(quote).join(','))].join(eol) + eol;
const eol = fc.constantFrom('\r\n', '\n', '\r\n');
const email = fc.integer({ min: 1, max: 40 }).map((n) => `p${n}@fuzz.example`);

const STAFF = ['name', 'email', 'roles', 'line_manager_email', 'slack_user_id', 'teams_aad_object_id'];
const staffFile = fc
  .tuple(
    fc.array(fc.tuple(cell(fc.constantFrom('Ann Able', 'Zoë Brontë', 'Li Wei')), cell(email), cell(fc.constantFrom('supervisee', 'supervisor; dsl', 'deputy dsl', 'wizard', '')), cell(fc.oneof(email, fc.constant(''))), cell(fc.constantFrom('', 'U0123ABC', 'W99')), cell(fc.constantFrom('', '6f1c3a52-5b7e-4d0a-9c1e-2b8f4a7d9e01', 'nope'))), { minLength: 0, maxLength: 6 }),
    fc.oneof({ weight: 5, arbitrary: fc.constant(STAFF) }, { weight: 1, arbitrary: fc.shuffledSubarray([...STAFF, 'Email', 'role', 'extra', ''], { minLength: 1 }) }),
    eol,
    encoding,
  )
  .map(([rows, header, e, how]) => ({ kind: 'staff', rows: rows.length, files: [{ name: 'staff.csv', bytes: enc(csv(header, rows, e), how) }] }));

const sdsFiles = fc
  .tuple(
    fc.array(fc.tuple(cell(fc.constantFrom('S1', 'T1', '')), cell(fc.constantFrom('Riverside', '')), cell(fc.constantFrom('school', 'district', 'planet'))), { minLength: 0, maxLength: 3 }),
    fc.array(fc.tuple(cell(fc.constantFrom('u1', 'u2', 'u3', 's1')), cell(email), cell(fc.constantFrom('Osei', '')), cell(fc.constantFrom('Ruth', '')), cell(fc.oneof(email, fc.constant('')))), { minLength: 0, maxLength: 5 }),
    fc.array(fc.tuple(cell(fc.constantFrom('u1', 'u2', 'u3', 's1', 'u9')), cell(fc.constantFrom('S1', 'T1', 'S9')), cell(fc.constantFrom('teacher', 'principal', 'student', 'staff', 'wizard'))), { minLength: 0, maxLength: 6 }),
    fc.subarray(['orgs.csv', 'users.csv', 'roles.csv', 'classes.csv'], { minLength: 1 }),
    eol,
    encoding,
  )
  .map(([orgs, users, roles, names, e, how]) => {
    const texts: Record<string, string> = {
      'orgs.csv': csv(['sourcedId', 'name', 'type'], orgs, e),
      'users.csv': csv(['sourcedId', 'username', 'familyName', 'givenName', 'email'], users, e),
      'roles.csv': csv(['userSourcedId', 'orgSourcedId', 'role'], roles, e),
      'classes.csv': csv(['sourcedId', 'title'], [['c1', 'Maths']], e),
    };
    const counts: Record<string, number> = { 'orgs.csv': orgs.length, 'users.csv': users.length, 'roles.csv': roles.length, 'classes.csv': 1 };
    return { kind: 'sds', rows: names.reduce((n, name) => n + (counts[name] ?? 0), 0), files: names.map((name) => ({ name, bytes: enc(texts[name] ?? '', how) })) };
  });

const CONTRACT = ['reference', 'kind', 'supervisor_email', 'supervisee_emails', 'external', 'cadence', 'minutes', 'location', 'level', 'dispute_heard_by', 'start_date', 'review_date'];
const contractFile = fc
  .tuple(
    fc.array(
      fc.tuple(
        cell(fc.constantFrom('', 'R1', 'R2')),
        cell(fc.constantFrom('one-to-one', 'group', 'trio')),
        cell(fc.constantFrom('lead@fuzz.example', 'p1@fuzz.example', 'nobody@fuzz.example')),
        cell(fc.constantFrom('p1@fuzz.example', 'p2@fuzz.example;p3@fuzz.example', 'lead@fuzz.example', 'p1@fuzz.example;p2@fuzz.example;p3@fuzz.example;p4@fuzz.example;p5@fuzz.example;p6@fuzz.example;p7@fuzz.example')),
        cell(fc.constantFrom('yes', 'no', '', 'maybe')),
        cell(fc.constantFrom('weekly', 'every 3 weeks', 'every 99 weeks', 'monthly', 'half-termly', 'termly', 'yearly', 'sometimes')),
        cell(fc.constantFrom('30', '60', '120', '20', '121', 'sixty')),
        cell(fc.constantFrom('Room 2', '')),
        cell(fc.constantFrom('1', '2', '3', '0', '4')),
        cell(fc.constantFrom('line manager', 'safeguarding governor', 'the pope')),
        cell(fc.constantFrom('2025-09-08', '08/09/2025', '2025-02-30', 'soon')),
        cell(fc.constantFrom('', '2026-09-08', '2024-01-01')),
      ),
      { minLength: 0, maxLength: 5 },
    ),
    eol,
    encoding,
  )
  .map(([rows, e, how]) => ({ kind: 'contracts', rows: rows.length, files: [{ name: 'contracts.csv', bytes: enc(csv(CONTRACT, rows, e), how) }] }));

/** A file of bytes that were never CSV. */
const junkFile = fc
  .tuple(fc.constantFrom('staff', 'contracts', 'sds'), fc.uint8Array({ maxLength: 400 }), fc.constantFrom('staff.csv', 'contracts.csv', 'users.csv'))
  .map(([kind, bytes, name]) => ({ kind, rows: 0, files: [{ name, bytes: Buffer.from(bytes) }] }));

const asRequest = (imp: { kind: string; rows: number; files: Array<{ name: string; bytes: Buffer }> }): Case => ({
  body: JSON.stringify({ kind: imp.kind, files: imp.files.map((f) => ({ name: f.name, content: f.bytes.toString('base64') })) }),
  type: 'application/json',
  files: [...imp.files.map((f) => f.name), 'orgs.csv', 'users.csv', 'roles.csv'],
  generated: { files: imp.files.length, rows: imp.rows },
});
const csvCases: fc.Arbitrary<Case> = fc.oneof({ weight: 4, arbitrary: staffFile }, { weight: 2, arbitrary: sdsFiles }, { weight: 2, arbitrary: contractFile }, { weight: 1, arbitrary: junkFile }).map(asRequest);
const anyBody: fc.Arbitrary<Case> = fc.oneof(
  randomBody.map((b) => ({ ...b, files: [] })),
  fc.record({ kind: fc.oneof(fc.constantFrom('sds', 'staff', 'contracts'), nastyString), files: fc.array(fc.record({ name: nastyString, content: nastyString }), { maxLength: 3 }) }).map((b) => ({ body: JSON.stringify(b), type: 'application/json', files: [...b.files.map((f) => f.name), 'orgs.csv', 'users.csv', 'roles.csv'] })),
);

async function send(c: Case): Promise<{ status: number; body: Record<string, any> }> {
  sent++;
  generated.files += c.generated?.files ?? 0;
  generated.rows += c.generated?.rows ?? 0;
  let res: Response | undefined;
  for (let attempt = 1; !res; attempt++) {
    try {
      res = await fetch(`${bot.url}/api/admin/imports`, { method: 'POST', headers: { 'content-type': c.type, 'x-playground-person': 'admin1' }, body: typeof c.body === 'string' ? c.body : new Blob([new Uint8Array(c.body)]) });
    } catch (error) {
      // a kept-alive connection the server closed as it was reused is sent again once; anything else fails
      const cause = (error as { cause?: { message?: string; code?: string } }).cause;
      if (attempt === 1 && ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'].includes(cause?.code ?? '')) continue;
      throw new Error(`the request failed (${cause?.code ?? ''} ${cause?.message ?? (error as Error).message}): ${String(c.body).slice(0, 300)}`);
    }
  }
  tally.count('POST /api/admin/imports', res.status);
  const text = await res.text();
  let body: Record<string, any> = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = { unparsed: text.slice(0, 200) };
  }
  return { status: res.status, body };
}

function check(c: Case, answer: { status: number; body: Record<string, any> }): boolean {
  const what = `${String(c.body).slice(0, 300)} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
  expect(answer.status, what).toBeLessThan(500);
  if (answer.status === 200) {
    expect(Array.isArray(answer.body.errors), what).toBe(true);
    for (const e of answer.body.errors as Array<Record<string, unknown>>) {
      expect(typeof e.file === 'string' && c.files.includes(e.file as string), `names the file: ${what}`).toBe(true);
      expect(Number.isInteger(e.row) && (e.row as number) >= 0, `names the row: ${what}`).toBe(true);
      expect(typeof e.column, `names the column: ${what}`).toBe('string');
      expect(typeof e.message === 'string' && (e.message as string).length > 3, `gives a reason: ${what}`).toBe(true);
    }
    if (answer.body.errors.length > 0) expect(answer.body.token, `a refused import has no token: ${what}`).toBeUndefined();
    else expect(answer.body.token, what).toMatch(/^[A-Za-z0-9_-]{32}$/);
    return Boolean(answer.body.token);
  }
  expect([400, 413], what).toContain(answer.status);
  expect(typeof answer.body.field === 'string' && answer.body.field.startsWith('body'), `names the field: ${what}`).toBe(true);
  return false;
}

beforeAll(async () => {
  clock.set(london('2025-11-03T09:00'));
  const config = loadConfig({ MONGODB_URI: testMongoUrl('fuzz_imports'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), {
    clock,
    prepare: async (runtime) => {
      await runtime.deps.organisations.upsert(school({ id: ORG, dslIds: ['admin1'], deputyDslIds: [], headteacherId: undefined }));
      await runtime.deps.people.upsert({ id: 'admin1', organisationId: ORG, name: 'Ada Admin', email: 'lead@fuzz.example', identities: {}, roles: ['admin', 'supervisor'] });
      for (let n = 1; n <= 5; n++) await runtime.deps.people.upsert({ id: `p${n}`, organisationId: ORG, name: `Person ${n}`, email: `p${n}@fuzz.example`, identities: {}, roles: ['supervisee'] });
    },
  });
}, 120_000);
afterAll(async () => {
  watch.stop();
  tally.write({ sent, generatedFiles: generated.files, generatedRows: generated.rows });
  if (bot) await recordFreeText(bot.runtime.store.connection);
  await bot?.runtime.store.connection.dropDatabase().catch(() => undefined);
  await bot?.stop();
});

describe('the imports', () => {
  it.each([
    ['generated CSV files: every refusal names its file, row and column', () => csvCases, 1],
    ['anything at all gets a proper answer, never a 5xx', () => anyBody, 0.1],
  ] as const)(
    '%s, and a refused import writes nothing',
    async (_name, arb, share) => {
      const total = Math.ceil(TOTAL * share);
      const count = await fuzzBatches(arb(), total, BATCH, async (cases) => {
        const before = await fingerprint(bot.runtime.store.connection, ['imports']);
        const previews = await bot.runtime.store.connection.db!.collection('imports').countDocuments();
        const answers = await inParallel(cases, IN_FLIGHT, send);
        let clean = 0;
        for (const [i, c] of cases.entries()) if (check(c, answers[i]!)) clean++;
        const after = await fingerprint(bot.runtime.store.connection, ['imports']);
        const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
        expect(changed, 'collections changed by previews').toEqual([]);
        expect(await bot.runtime.store.connection.db!.collection('imports').countDocuments(), 'only clean previews are kept').toBe(previews + clean);
      }, SEED);
      expect(count).toBeGreaterThanOrEqual(total);
      expect(prototypePolluted()).toBe(false);
    },
    1_200_000,
  );

  it('after the fuzzing the bot is healthy, nothing crashed, and the imports had their 10,000 files and more rows', async () => {
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    expect(watch.problems).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(TOTAL);
    expect(generated.files).toBeGreaterThanOrEqual(TOTAL);
    expect(generated.rows).toBeGreaterThanOrEqual(TOTAL);
    // the full size unless FUZZ_PER_KIND asked for fewer
    if (!process.env.FUZZ_PER_KIND) expect(TOTAL).toBe(10_000);
  });
});
