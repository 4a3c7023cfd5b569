/**
 * The safeguarding governor's figures in a real browser (Debian's Chromium), on the demo school: the current
 * term's chart and table with no one's name, another term chosen, the governors' report downloaded as a PDF,
 * and the governor refused a person's history. Screenshots in test-output/screenshots/governors-*.png.
 */
import { readFileSync } from 'node:fs';
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
  const config = loadConfig({ MONGODB_URI: testMongoUrl('governors-e2e'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (rt) => void (await loadDemoSchool(rt.deps)) });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await bot?.stop();
});

async function open(path: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'en-GB', acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${bot.url}${path}`);
  return page;
}

describe("the governors' figures in Chromium", () => {
  it('the safeguarding governor starts at the figures: chart, table, no names; picks another term; downloads the report', async () => {
    const page = await open('/tab?as=margaret');
    await page.locator('#governors-table').waitFor();
    await expect(page.locator('h1').textContent()).resolves.toBe('Governors’ figures');
    await expect(page.locator('#governors-chart svg.chart').getAttribute('role')).resolves.toBe('img');
    const header = await page.locator('#governors-table thead').textContent();
    expect(header).toContain('Sep 2026');
    expect(header).toContain('Nov 2026');
    const main = (await page.locator('main').textContent()) ?? '';
    const people = await bot.runtime.deps.people.byOrganisation(DEMO_ORG_ID);
    // nobody's name but the governor's own (the try-out's banner says who is looking)
    expect(people.map((p) => p.name).filter((n) => n !== 'Margaret Okafor' && main.includes(n))).toEqual([]);
    await expectAccessible(page, 'governors figures');
    await screenshot(page, 'governors-1-autumn-term');

    await page.locator('#term-select').selectOption('summer-2026');
    await page.locator('#governors-table thead', { hasText: 'Jul 2026' }).waitFor();
    await screenshot(page, 'governors-2-summer-term');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#governors-report').click()]);
    expect(download.suggestedFilename()).toBe('governors-report-summer-2026-2026-11-23.pdf');
    const file = await download.path();
    expect(readFileSync(file as string).subarray(0, 5).toString()).toBe('%PDF-');
    // kept beside the screenshots, to look at (e.g. `pdftoppm -png -r 80 -f 1 -l 1`)
    await download.saveAs(path.join(SCREENSHOT_DIR, 'governors-report.pdf'));
    const head = await bot.runtime.deps.audit.head(DEMO_ORG_ID);
    expect(head).toMatchObject({ action: 'export.governors-report', actorId: 'margaret', detail: { term: 'summer-2026' } });
  }, 120_000);

  it('the governor is refused a person’s history', async () => {
    const page = await open('/tab?as=margaret#person/amy');
    await page.getByText('You can’t open this').waitFor();
    await screenshot(page, 'governors-3-person-refused');
  }, 60_000);
});
