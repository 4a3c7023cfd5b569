/**
 * The record form in a real browser (Debian's Chromium), in the playground on a phone-sized screen: the
 * supervisor sees the agenda (parked first) and last session's actions, adds a second action with "Add
 * another" (what was typed stays), picks an outcome for each of last session's actions, and sends it.
 * Every step saves a screenshot under test-output/screenshots/record-form-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../src/bot.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { launchBrowser, screenshot } from '../support/browser.js';
import { type FormToWrite, formWithAgendaAndActions } from '../support/loops.js';
import { testQueuePrefix, testRedisUrl } from '../support/services.js';
import { createWorld, type World } from '../support/world.js';

let w: World;
let bot: Bot;
let browser: Browser;
let form: FormToWrite;

beforeAll(async () => {
  w = await createWorld('record_form_e2e');
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  form = await formWithAgendaAndActions(w);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await bot?.stop();
  await w?.close();
});

describe('the record form in a browser', () => {
  it('two actions via “Add another” and an outcome for each of last session’s actions, on a 375 px screen', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, locale: 'en-GB', timezoneId: 'Europe/London' });
    const page: Page = await context.newPage();
    page.on('pageerror', (e) => {
      throw e;
    });
    await page.goto(`${bot.url}/playground/`);
    await page.locator('#person option[value="sup"]').waitFor({ state: 'attached' });
    await page.selectOption('#person', 'sup');
    await page.getByLabel('Message to Supervision Bot').fill('record amy');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const sheet = page.locator('.entry[data-kind="record-sheet"]').last();
    await sheet.getByRole('button', { name: 'Send to confirm' }).waitFor({ timeout: 30_000 });
    const text = (await sheet.textContent()) ?? '';
    expect(text.indexOf('Workload since the new timetable')).toBeLessThan(text.indexOf('A Year 2 child who is often hungry at lunch'));
    expect(text).toContain('Raised informally on Wed 12 Nov 2025');
    expect(text).toContain('Book the safeguarding refresher training');
    await sheet.scrollIntoViewIfNeeded();
    await screenshot(page, 'record-form-1-agenda-and-last-actions');

    // the card's rows are stacked, not side by side: nothing in it is wider than the card (the page's own width is the playground's)
    const overflow = await sheet.evaluate((el) => {
      const card = el.querySelector('.ac-adaptiveCard') ?? el;
      return card.scrollWidth - card.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(1);
    await sheet.screenshot({ path: 'test-output/screenshots/record-form-1b-the-card.png' });

    await sheet.getByLabel('Discussion').fill('Went through the Year 2 lunchtime concern');
    await sheet.getByLabel('Action 1 (up to 1,000 characters)').fill('Ring the school nurse');
    await sheet.getByLabel('Action 1: by whom').selectOption('sup');
    await sheet.getByLabel('Action 1: by when').fill('2025-11-21');
    await screenshot(page, 'record-form-2-first-action-typed');
    await sheet.getByRole('button', { name: 'Add another action' }).click();

    const again = page.locator('.entry[data-kind="record-sheet"]').last();
    await again.getByLabel('Action 2 (up to 1,000 characters)').waitFor({ timeout: 30_000 });
    expect(await again.getByLabel('Action 1 (up to 1,000 characters)').inputValue()).toBe('Ring the school nurse');
    expect(await again.getByLabel('Discussion').inputValue()).toBe('Went through the Year 2 lunchtime concern');
    await again.getByLabel('Action 2 (up to 1,000 characters)').fill('Keep the food diary for two weeks');
    await again.getByLabel('Action 2: by whom').selectOption('amy');
    await again.getByLabel('Action 2: by when').fill('2025-12-05');
    await again.getByLabel('Action 2 (up to 1,000 characters)').scrollIntoViewIfNeeded();
    await screenshot(page, 'record-form-3-second-action-added');
    await again.screenshot({ path: 'test-output/screenshots/record-form-3b-the-card.png' });

    // last session's actions: the first done, the second dropped — first without the note it needs
    await again.getByRole('radio', { name: 'Done' }).first().check();
    await again.getByRole('radio', { name: 'Dropped (say why)' }).nth(1).check();
    await again.getByRole('button', { name: 'Send to confirm' }).click();
    await page.getByText('a note is needed to drop it').first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'record-form-4-drop-needs-a-note');
    await again.screenshot({ path: 'test-output/screenshots/record-form-4b-the-card.png' });
    expect(await w.deps.records.latest(`rec.${form.sessionId}`)).toBeNull();

    await again.getByLabel('Note (needed to drop it; up to 500 characters)').nth(1).fill('The office booked it for everyone');
    await again.getByRole('button', { name: 'Send to confirm' }).click();
    await page.locator('.entry[data-kind="record-sheet"]').last().filter({ hasText: 'Waiting for confirmation' }).waitFor({ timeout: 30_000 });
    await page.locator('.entry[data-kind="record-sheet"]').last().scrollIntoViewIfNeeded();
    await screenshot(page, 'record-form-5-sent');

    const record = await w.deps.records.latest(`rec.${form.sessionId}`);
    expect(record?.actions.map((a) => a.text)).toEqual(['Ring the school nurse', 'Keep the food diary for two weeks']);
    expect((await w.deps.actions.get(form.lateActionId))?.status).toBe('done');
    expect(await w.deps.actions.get(form.laterActionId)).toMatchObject({ status: 'not-needed', notNeeded: { reason: 'The office booked it for everyone' } });
    await context.close();
  });
});
