/**
 * Closing the loops in a real browser (Debian's Chromium), in the playground and the DSL dashboard:
 *   (a) a supervisee requests a change, the supervisor edits and resends, and both confirm;
 *   (b) the action's owner marks it done from the late-action reminder, and it leaves the dashboard's late list.
 * Every step saves a screenshot under test-output/screenshots/loops-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../src/app/clock.js';
import { type Bot, startBot } from '../../src/bot.js';
import { loadConfig } from '../../src/config.js';
import { SchoolCalendar } from '../../src/domain/calendar.js';
import { demoOrganisation, loadDemoSchool } from '../../src/demo/school.js';
import { createLogger } from '../../src/logger.js';
import { launchBrowser, screenshot } from '../support/browser.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../support/services.js';

let bot: Bot;
let browser: Browser;
const clock = new AdjustableClock();
const pages = new Map<string, Page>();

async function openAs(person: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
  const page = await context.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(`${bot.url}/playground/`);
  await page.locator('#person option[value="priya"]').waitFor({ state: 'attached' });
  await page.selectOption('#person', person);
  await page.locator('#clock-now').filter({ hasText: '2026' }).waitFor();
  pages.set(person, page);
  return page;
}

async function say(page: Page, text: string): Promise<void> {
  const before = await page.locator('.entry.from-bot').count();
  await page.getByLabel('Message to Supervision Bot').fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect.poll(() => page.locator('.entry.from-bot').count(), { timeout: 30_000 }).toBeGreaterThan(before);
}

async function dashboard(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${bot.url}/tab?as=priya`);
  await page.locator('#overdue').waitFor();
  return page;
}

const last = (page: Page, kind: string) => page.locator(`.entry[data-kind="${kind}"]`).last();

beforeAll(async () => {
  clock.set(new SchoolCalendar(demoOrganisation()).atLocalTime('2026-11-23', '07:30'));
  const config = loadConfig({ MONGODB_URI: testMongoUrl('loops_e2e'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (runtime) => void (await loadDemoSchool(runtime.deps)) });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await bot?.stop();
});

describe('closing the loops in a browser', () => {
  it('(a) a change requested, edited and resent by the supervisor, then confirmed by both', async () => {
    const daniel = await openAs('daniel');
    await say(daniel, 'record');
    const sheet = last(daniel, 'record-sheet');
    await sheet.getByRole('button', { name: 'Request a change' }).click();
    await sheet.getByLabel('What should change, and why?').fill('The action should be mine, and due this Wednesday');
    await sheet.getByRole('button', { name: 'Send' }).click();
    await sheet.filter({ hasText: 'Change requested by Daniel Price' }).waitFor();
    await screenshot(daniel, 'loops-a1-supervisee-requests-a-change');

    const james = await openAs('james');
    const form = james.locator('.entry[data-kind="record-sheet"]').filter({ hasText: 'Change requested by Daniel Price' }).last();
    await form.getByRole('button', { name: 'Resend to confirm' }).waitFor();
    expect(await form.textContent()).toContain('The action should be mine, and due this Wednesday');
    await screenshot(james, 'loops-a2-supervisor-sees-the-change-asked-for');
    await form.getByLabel('By whom').selectOption('daniel');
    await form.getByLabel('By when').fill('2026-11-25');
    await screenshot(james, 'loops-a3-supervisor-edits');
    await form.getByRole('button', { name: 'Resend to confirm' }).click();
    const resent = last(james, 'record-sheet');
    await resent.filter({ hasText: 'Waiting for confirmation' }).waitFor();
    await screenshot(james, 'loops-a4-supervisor-resends');

    const danielSheet = last(daniel, 'record-sheet');
    await danielSheet.getByRole('button', { name: 'Confirm' }).waitFor();
    expect(await danielSheet.textContent()).toMatch(/Update the chronology on CPOMS — Daniel Price, by (Wed 25 Nov 2026|2026-11-25)/);
    await danielSheet.getByRole('button', { name: 'Confirm' }).click();
    await danielSheet.filter({ hasText: 'Confirmed: Daniel Price' }).waitFor();
    await screenshot(daniel, 'loops-a5-supervisee-confirms');

    const jamesSheet = last(james, 'record-sheet');
    await jamesSheet.filter({ hasText: 'Confirmed: Daniel Price' }).getByRole('button', { name: 'Confirm' }).waitFor();
    await jamesSheet.getByRole('button', { name: 'Confirm' }).click();
    await jamesSheet.filter({ hasText: 'Signed by both on' }).waitFor();
    await danielSheet.filter({ hasText: 'Signed by both on' }).waitFor();
    expect(await danielSheet.getByRole('button', { name: 'Confirm' }).count()).toBe(0);
    await screenshot(james, 'loops-a6-supervisor-confirms-signed');
    await screenshot(daniel, 'loops-a7-supervisee-sees-signed');
  });

  it('(b) the late-action reminder’s Done takes the action off the dashboard’s late list', async () => {
    const daniel = pages.get('daniel') as Page;
    // Friday morning: the action due on Wednesday was chased on Thursday at 08:30
    await daniel.getByLabel('Advance by').fill('4');
    await daniel.getByRole('button', { name: 'Advance', exact: true }).click();
    await daniel.locator('#clock-now').filter({ hasText: 'Fri 27 Nov 2026' }).waitFor();
    const reminder = daniel.locator('.entry').filter({ hasText: 'An agreed action is past its date' }).last();
    await reminder.waitFor({ timeout: 30_000 });
    await reminder.scrollIntoViewIfNeeded();
    await screenshot(daniel, 'loops-b1-late-action-reminder');

    const before = await dashboard();
    const lateRows = () => before.locator('#overdue table[data-section="actions"] tr[data-person="daniel"]').count();
    expect(await lateRows()).toBe(1);
    await before.locator('#overdue table[data-section="actions"]').scrollIntoViewIfNeeded();
    await screenshot(before, 'loops-b2-dashboard-late-list-before');

    await reminder.getByRole('button', { name: 'Done' }).click();
    await daniel.locator('.entry').filter({ hasText: 'Action marked as done.' }).waitFor();
    await screenshot(daniel, 'loops-b3-owner-marks-it-done');

    await before.reload();
    await before.locator('#overdue').waitFor();
    expect(await lateRows()).toBe(0);
    // Amy's late action from the demo's history is still there: only the one marked done left
    expect(await before.locator('#overdue table[data-section="actions"] tr[data-person="amy"]').count()).toBe(1);
    await before.locator('#overdue table[data-section="actions"]').scrollIntoViewIfNeeded();
    await screenshot(before, 'loops-b4-dashboard-late-list-after');
  });
});
