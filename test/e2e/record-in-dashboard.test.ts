/**
 * The record finished in the dashboard, in Chromium (issue 15, "content stays in the school"): with the school's
 * "keep supervision content out of chat" on, the supervisor's card in the playground shows none of the draft's
 * words and cannot be edited there; its "Open in the dashboard" opens the record page, where the supervisor edits
 * the discussion and sends it; the supervisee opens the record and confirms it, and the page shows her
 * confirmation. Screenshots: test-output/screenshots/record-in-dashboard-*.png.
 */
import { type AddressInfo, createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftRecord } from '../../src/app/records.js';
import type { RecordSheetView } from '../../src/app/views.js';
import { type Bot, startBot } from '../../src/bot.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { expectAccessible, launchBrowser, screenshot } from '../support/browser.js';
import { london } from '../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../support/services.js';
import { createWorld, type World } from '../support/world.js';

const NOTES = 'Went through the marking load before the mock exams';
const EDITED = 'Went through the marking load before the mock exams, and agreed a shared rota with the Year 6 team';

let w: World;
let bot: Bot;
let browser: Browser;
let recordId = '';

beforeAll(async () => {
  w = await createWorld('record_in_dashboard_e2e');
  await w.deps.organisations.upsert({ ...w.org, keepContentOutOfChat: true });
  // a port of its own, not 0: the card's "Open in the dashboard" is the bot's address (PUBLIC_BASE_URL, else where it listens)
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: String(await freePort()), PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  // last week's session, its record begun with words and not yet sent
  const sessionId = 'c-amy.2025-11-03';
  await w.deps.sessions.insert({ id: sessionId, organisationId: 'org-wl', contractId: 'c-amy', startsAt: london('2025-11-03T15:45'), durationMinutes: 60, status: 'scheduled' });
  const drafted = await draftRecord(w.deps, 'sup', {
    sessionId,
    topics: ['performance'],
    notes: NOTES,
    concerns: [{ text: 'A Year 6 pupil who has stopped eating lunch', riskOfHarm: false }],
    actions: [{ text: 'Check the lunch register with the office', ownerId: 'amy', dueDate: '2025-11-14' }],
  });
  expect(drafted, JSON.stringify(drafted)).toMatchObject({ ok: true });
  recordId = (drafted as { view: RecordSheetView }).view.recordId;
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await bot?.stop();
  await w?.close();
});

/** A loopback port nobody listens on just now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const failOnPageError = (page: Page) =>
  page.on('pageerror', (e) => {
    throw e;
  });

describe('a record finished in the dashboard, content kept out of chat', () => {
  it('the supervisor edits the draft from the card’s “Open in the dashboard”; the supervisee confirms it there', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
    const page = await context.newPage();
    failOnPageError(page);
    await page.goto(`${bot.url}/playground/`);
    await page.locator('#person option[value="sup"]').waitFor({ state: 'attached' });
    await page.selectOption('#person', 'sup');
    await page.getByLabel('Message to Supervision Bot').fill('record amy');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const card = page.locator('.entry', { hasText: 'Supervision record — Mon 3 Nov 2025' }).last();
    const open = card.locator('button', { hasText: 'Open in the dashboard' });
    await open.waitFor({ timeout: 30_000 });
    // the card holds none of the draft's words and no form to type them into
    expect(await card.textContent()).not.toContain('marking load');
    expect(await card.getByRole('textbox').count()).toBe(0);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'record-in-dashboard-1-card-without-content');

    // the dashboard in local try-out names its person with the cookie the person picker sets
    await context.addCookies([{ name: 'playground_person', value: 'sup', url: bot.url }]);
    const [tab] = await Promise.all([context.waitForEvent('page'), open.click()]);
    failOnPageError(tab);
    await tab.locator('#record-sheet').waitFor({ timeout: 30_000 });
    expect(decodeURIComponent(new URL(tab.url()).hash)).toBe(`#record/${recordId}`);
    expect(await tab.locator('#record-sheet').textContent()).toContain(NOTES);
    await tab.getByRole('button', { name: 'Edit', exact: true }).click();
    const notes = tab.getByLabel('Discussion (up to 5,000 characters)');
    await notes.waitFor();
    expect(await notes.inputValue()).toBe(NOTES);
    expect(await tab.getByLabel('Concern 1 (up to 2,000 characters)').inputValue()).toBe('A Year 6 pupil who has stopped eating lunch');
    expect(await tab.getByLabel('Action 1 (up to 1,000 characters)').inputValue()).toBe('Check the lunch register with the office');
    await notes.fill(EDITED);
    await screenshot(tab, 'record-in-dashboard-2-edit-form');
    await expectAccessible(tab, 'the record page’s Edit form');
    await tab.getByRole('button', { name: 'Save and send to confirm' }).click();
    await expect.poll(async () => (await tab.locator('#record-sheet .notes').textContent()) ?? '', { timeout: 30_000 }).toBe(EDITED);
    await tab.locator('#record-sheet', { hasText: 'Waiting for confirmation' }).waitFor({ timeout: 30_000 });
    await screenshot(tab, 'record-in-dashboard-3-saved-and-sent');
    const sent = await w.deps.records.latest(recordId);
    expect(sent).toMatchObject({ state: 'awaiting-confirmation', notes: EDITED });
    expect(sent?.actions.map((a) => a.text)).toEqual(['Check the lunch register with the office']);
    await context.close();

    // the supervisee opens the record and confirms it
    const hers = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
    const amy = await hers.newPage();
    failOnPageError(amy);
    await amy.goto(`${bot.url}/tab?as=amy#record/${encodeURIComponent(recordId)}`);
    await amy.locator('#record-sheet').waitFor({ timeout: 30_000 });
    expect(await amy.locator('#record-sheet').textContent()).toContain(EDITED);
    expect(await amy.getByRole('button', { name: 'Edit', exact: true }).count()).toBe(0);
    const confirm = amy.getByRole('button', { name: 'Confirm', exact: true });
    await confirm.waitFor();
    await screenshot(amy, 'record-in-dashboard-4-supervisee-to-confirm');
    await expectAccessible(amy, 'the record page with Confirm and Ask for a change');
    await confirm.click();
    const signature = amy.locator('#record-sheet .signature', { hasText: 'Amy Teacher' });
    await expect.poll(async () => (await signature.textContent()) ?? '', { timeout: 30_000 }).toMatch(/Amy Teacher\s*Confirmed \S/);
    await amy.getByRole('heading', { name: 'Your confirmation is given' }).waitFor({ timeout: 30_000 });
    expect(await amy.getByRole('button', { name: 'Confirm', exact: true }).count()).toBe(0);
    await screenshot(amy, 'record-in-dashboard-5-confirmed-by-supervisee');
    const record = await w.deps.records.latest(recordId);
    expect(record?.confirmations.map((c) => c.personId)).toEqual(['amy']);
    await hers.close();
  }, 180_000);
});
