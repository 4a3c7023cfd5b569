/**
 * The audit page in a real browser (Debian's Chromium), on the demo school: the auditor checks the audit trail
 * ("Verified N entries up to <hash>", the hash the store holds), builds an inspection bundle for a date range
 * with the worker's progress shown, and downloads it; the zip is opened, its index read and one PDF page turned
 * into a PNG (`pdftoppm`) beside the screenshots. Then an entry is edited in the database and the check names
 * that entry; the headteacher, who may not audit, is refused the page. Screenshots: test-output/screenshots/audit-*.png.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../src/app/clock.js';
import { type Bot, startBot } from '../../src/bot.js';
import { loadConfig } from '../../src/config.js';
import { DEMO_ORG_ID, loadDemoSchool } from '../../src/demo/school.js';
import { createLogger } from '../../src/logger.js';
import { expectAccessible, launchBrowser, SCREENSHOT_DIR, screenshot } from '../support/browser.js';
import { london } from '../support/school.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../support/services.js';

let bot: Bot;
let browser: Browser;
const clock = new AdjustableClock();

beforeAll(async () => {
  clock.set(london('2026-11-23T09:00'));
  const config = loadConfig({ MONGODB_URI: testMongoUrl('audit-e2e'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (rt) => void (await loadDemoSchool(rt.deps)) });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await bot?.stop();
});

async function open(at: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${bot.url}${at}`);
  return page;
}

describe('the audit page in Chromium', () => {
  it('the auditor verifies the trail, builds a bundle for a range with its progress shown, and downloads it', async () => {
    const page = await open('/tab?as=olivia#audit');
    await page.locator('h1', { hasText: 'Audit trail and inspection bundle' }).waitFor();
    await expect(page.locator('nav a[aria-current="page"]').textContent()).resolves.toBe('Audit');
    await expectAccessible(page, 'audit page');
    await screenshot(page, 'audit-1-page');

    await page.locator('#verify-button').click();
    await page.locator('#verify-result[data-ok="true"]').waitFor();
    const said = (await page.locator('#verify-result .verify-text').textContent()) ?? '';
    // the count and the hash are the stored entry's: entry N of the trail carries that hash
    const verified = /Verified (\d+) entries up to ([0-9a-f]{64})/.exec(said);
    expect(verified, said).not.toBeNull();
    const seq = Number(verified?.[1]);
    expect(seq).toBeGreaterThan(0);
    const stored = await bot.runtime.store.models.audit.collection.findOne({ organisationId: DEMO_ORG_ID, seq });
    expect(stored?.hash).toBe(verified?.[2]);
    await expectAccessible(page, 'audit page, verified');
    await screenshot(page, 'audit-2-verified');

    await page.locator('#bundle-from').fill('2026-09-01');
    await page.locator('#bundle-to').fill('2026-11-23');
    await page.locator('#bundle-start').click();
    // the bar is shown from the start, and ends full once the worker has built the zip
    await page.locator('#bundle-progress').waitFor();
    await page.locator('#bundle-download').waitFor({ timeout: 90_000 });
    const bar = page.locator('#bundle-progress');
    await expect(bar.getAttribute('aria-valuenow')).resolves.toBe('1');
    await expect(bar.getAttribute('aria-valuetext')).resolves.toMatch(/^Ready: (\d+) of \1 steps$/);
    await expectAccessible(page, 'audit page, bundle ready');
    await screenshot(page, 'audit-3-bundle-ready');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#bundle-download').click()]);
    expect(download.suggestedFilename()).toBe(`inspection-bundle-${DEMO_ORG_ID}-2026-11-23.zip`);
    const zip = path.join(SCREENSHOT_DIR, 'audit-bundle.zip');
    await download.saveAs(zip);
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-bundle-'));
    try {
      execFileSync('unzip', ['-q', zip, '-d', dir]);
      const index = readFileSync(path.join(dir, 'index.csv'), 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
      expect(index[0]).toBe('file,person_id,person,role,record_versions,sessions,sha256');
      const pdfs = index.slice(1).map((row) => row.split(',')[0] as string).filter((f) => f.endsWith('.pdf'));
      expect(pdfs.length).toBeGreaterThan(1);
      expect(pdfs.every((f) => existsSync(path.join(dir, f)))).toBe(true);
      const verification = JSON.parse(readFileSync(path.join(dir, 'audit/verification.json'), 'utf8')) as { ok: boolean; text: string };
      expect(verification.ok).toBe(true);
      // one page of the DSL's file as a picture, beside the screenshots, to look at
      const first = path.join(dir, pdfs.find((f) => f.includes('priya')) ?? (pdfs[0] as string));
      execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', first, path.join(SCREENSHOT_DIR, 'audit-4-bundle-pdf-page')]);
      expect(readFileSync(path.join(SCREENSHOT_DIR, 'audit-4-bundle-pdf-page.png')).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // making the bundle is itself an entry of the trail
    await expect(bot.runtime.store.models.audit.collection.countDocuments({ organisationId: DEMO_ORG_ID, action: 'export.bundle', actorId: 'olivia' })).resolves.toBe(1);
  }, 180_000);

  it('an entry edited in the database: the check names the entry where the trail breaks', async () => {
    const models = bot.runtime.store.models;
    await models.audit.collection.updateOne({ organisationId: DEMO_ORG_ID, seq: 2 }, { $set: { actorId: 'someone-else' } });
    const page = await open('/tab?as=olivia#audit');
    await page.locator('#verify-button').click();
    await page.locator('#verify-result[data-ok="false"]').waitFor();
    await expect(page.locator('#verify-result').textContent()).resolves.toContain('The audit trail breaks at entry 2');
    await expect(page.locator('#verify-break').textContent()).resolves.toContain('altered');
    await expectAccessible(page, 'audit page, broken trail');
    await screenshot(page, 'audit-5-broken');
  }, 60_000);

  it('the headteacher, who does not audit, is refused the page', async () => {
    const page = await open('/tab?as=helen#audit');
    await page.getByText('Only the DSL, a deputy DSL or an auditor can check the audit trail').waitFor();
    await expect(page.locator('#verify-button').count()).resolves.toBe(0);
    await screenshot(page, 'audit-6-refused');
  }, 60_000);
});
