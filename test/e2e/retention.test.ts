/**
 * The Retention page in a real browser (Debian's Chromium): six years after Ben's contract ended the DSL sees
 * his record due, approves its destruction (a confirmation first), and answers Amy's subject access request —
 * the supervisor's notes redacted, the case decisions kept — and downloads the PDF, whose text is checked with
 * pdftotext. Every step saves a screenshot under test-output/screenshots/retention-*.png and the page is checked
 * with axe.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WITHHELD } from '../../src/app/evidence/subject-access.js';
import { confirmRecord } from '../../src/app/records.js';
import { type Bot, startBot } from '../../src/bot.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { expectAccessible, launchBrowser, screenshot } from '../support/browser.js';
import { sentRecordForBen, signedRecordWithLoops } from '../support/loops.js';
import { london } from '../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../support/services.js';
import { createWorld, type World } from '../support/world.js';

let w: World;
let bot: Bot;
let browser: Browser;
let benRecord = '';
const BEN_NOTES = 'Ben went through the transition plan for the Year 6 leavers';

async function open(path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London', acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(`${bot.url}${path}`);
  return page;
}

beforeAll(async () => {
  w = await createWorld('retention_e2e');
  await signedRecordWithLoops(w);
  benRecord = (await sentRecordForBen(w, '2025-11-03', BEN_NOTES)).recordId;
  for (const who of ['ben', 'sup']) await confirmRecord(w.deps, who, { recordId: benRecord });
  await w.deps.contracts.upsert({ ...w.contracts.ben, active: false, endedOn: '2025-12-19' });
  w.clock.set(london('2031-12-22T09:00'));
  bot = await startBot(
    loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), PORT: '0', LOG_LEVEL: 'silent', QUEUE_PREFIX: testQueuePrefix(), PLAYGROUND: 'on' }),
    createLogger('silent'),
    { clock: w.clock },
  );
  browser = await launchBrowser();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await bot?.stop();
  await w?.close();
});

describe('the Retention page', () => {
  it('the DSL sees the schedule and Ben’s record due, and approves its destruction', async () => {
    const page = await open('/tab?as=dsl#retention');
    await page.getByRole('heading', { name: 'Retention and subject access' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByRole('link', { name: 'Retention' }).getAttribute('aria-current')).toBe('page');
    const row = page.locator(`tr[data-record="${benRecord}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Sam Supervisor with Ben Pastoral');
    await screenshot(page, 'retention-due');
    await expectAccessible(page, 'the Retention page');
    await row.getByRole('checkbox').check();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Approve destruction of 1 record' }).click();
    await page.getByText('1 record destroyed; each version left a tombstone in the audit trail.').waitFor({ timeout: 30_000 });
    await expect.poll(() => row.count()).toBe(0);
    await screenshot(page, 'retention-destroyed');
    expect((await w.deps.records.latest(benRecord))?.notes).toBe('');
  });

  it('a subject access response: each flagged passage decided, then the PDF released with the redaction', async () => {
    const page = await open('/tab?as=dsl#retention');
    await page.locator('#sar-person').waitFor({ timeout: 60_000 });
    await page.selectOption('#sar-person', 'amy');
    await page.getByRole('button', { name: 'Start the response' }).click();
    await page.getByText('Amy Teacher: 3 passages to review').waitFor({ timeout: 30_000 });
    const passages = page.locator('li[data-passage]');
    expect(await passages.count()).toBe(3);
    await passages.nth(0).getByLabel('Redact').check();
    await passages.nth(1).getByLabel('Keep').check();
    await passages.nth(2).getByLabel('Keep').check();
    await screenshot(page, 'retention-subject-access-review');
    await expectAccessible(page, 'the subject access review');
    await page.getByRole('button', { name: 'Save the review' }).click();
    await page.getByText('The review is saved: the response can be released.').waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Release as PDF' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^subject-access-amy-2031-12-22\.pdf$/);
    const text = execFileSync('pdftotext', ['-', '-'], { input: readFileSync(await download.path()) }).toString('utf8').replace(/\s+/g, ' ');
    expect(text).toContain(WITHHELD);
    expect(text).not.toContain('Talked through the attendance concerns in Year 4');
    expect(text).toContain('Refer the family to early help');
    await screenshot(page, 'retention-subject-access-released');
  });

  it('the headteacher has no Retention tab and is refused the page', async () => {
    const page = await open('/tab?as=head#retention');
    await page.getByText('Only the DSL or a deputy DSL can manage the retention of supervision records.').waitFor({ timeout: 60_000 });
    expect(await page.getByRole('link', { name: 'Retention' }).count()).toBe(0);
    await screenshot(page, 'retention-refused-head');
  });
});
