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
import { expectAccessible, launchBrowser, screenshot } from '../support/browser.js';
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
    await expectAccessible(before, 'loops-b2-dashboard-late-list-before');

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
    await expectAccessible(before, 'loops-b4-dashboard-late-list-after');
  });

  it('(c) the DSL corrects the signed record from chat; the old version is shown superseded in the history and its print view', async () => {
    const priya = await openAs('priya');
    await say(priya, 'correct daniel');
    const sheet = last(priya, 'record-sheet');
    await sheet.getByRole('button', { name: 'Correct the record' }).click();
    await sheet.getByLabel('What needs correcting, and why?').fill('The action was agreed for Thursday, not Wednesday');
    await screenshot(priya, 'loops-c1-dsl-starts-a-correction');
    await sheet.getByRole('button', { name: 'Start the correction' }).click();
    await priya.locator('.entry').filter({ hasText: 'Correcting version 1' }).last().waitFor();

    const james = pages.get('james') as Page;
    const form = james.locator('.entry[data-kind="record-sheet"]').filter({ hasText: 'Correcting version 1' }).last();
    await form.getByLabel('By when').waitFor();
    await form.getByLabel('By when').fill('2026-11-26');
    await form.getByRole('button', { name: /Send to confirm|Resend to confirm/ }).click();
    const daniel = pages.get('daniel') as Page;
    const danielSheet = daniel.locator('.entry[data-kind="record-sheet"]').filter({ hasText: 'version 2' }).last();
    await danielSheet.getByRole('button', { name: 'Confirm' }).click();
    await danielSheet.filter({ hasText: 'Confirmed: Daniel Price' }).waitFor();
    const jamesSheet = james.locator('.entry[data-kind="record-sheet"]').filter({ hasText: 'version 2' }).last();
    await jamesSheet.filter({ hasText: 'Confirmed: Daniel Price' }).getByRole('button', { name: 'Confirm' }).click();
    await jamesSheet.filter({ hasText: 'Signed by both on' }).waitFor();

    const tab = await dashboard();
    await tab.goto(`${bot.url}/tab?as=priya#person/daniel`);
    const old = tab.locator('tr.superseded[data-version="1"]');
    await old.waitFor();
    expect(await old.textContent()).toContain('Superseded by version 2');
    await screenshot(tab, 'loops-c2-history-shows-superseded');
    await expectAccessible(tab, 'loops-c2-history-shows-superseded');
    const recordId = (await old.getAttribute('data-record')) as string;
    await tab.goto(`${bot.url}/tab/records/${encodeURIComponent(recordId)}/print?version=1`);
    await tab.locator('.superseded-note').waitFor();
    expect(await tab.locator('.sheet-head .chip').textContent()).toBe('Superseded by version 2');
    await screenshot(tab, 'loops-c3-print-view-superseded');
    await expectAccessible(tab, 'loops-c3-print-view-superseded');
    await tab.goto(`${bot.url}/tab/records/${encodeURIComponent(recordId)}/print`);
    await tab.locator('.correction-note').waitFor();
    expect(await tab.locator('.correction-note').textContent()).toContain('The action was agreed for Thursday, not Wednesday');
    await screenshot(tab, 'loops-c4-print-view-correction');
    await expectAccessible(tab, 'loops-c4-print-view-correction');
  });

  it('(d) an agenda item already written is flagged as risk of harm with the button beside it', async () => {
    const chloe = await openAs('chloe');
    // an agenda item is a reply to the agenda prompt or starts with add
    await say(chloe, 'add A child said they do not want to go home this weekend');
    const agenda = last(chloe, 'agenda').filter({ hasText: 'do not want to go home' });
    await agenda.waitFor();
    await screenshot(chloe, 'loops-d1-agenda-item-with-flag-button');
    await agenda.getByRole('button', { name: '⚠ Risk of harm' }).first().click();
    await chloe.locator('.entry').filter({ hasText: 'What you flagged went to' }).last().waitFor();
    await screenshot(chloe, 'loops-d2-flagged-told-who-has-it');
    const priya = pages.get('priya') as Page;
    await priya.locator('.entry[data-kind="escalation"]').filter({ hasText: 'do not want to go home' }).waitFor();
    await screenshot(priya, 'loops-d3-dsl-gets-the-escalation');
  });
});

