/**
 * The playground in a real browser (Debian's Chromium): a supervisee's agenda, a risk of harm reaching the
 * DSL, the record sheet completed and confirmed by both parties, and `/overdue` before and after. Every step
 * saves a screenshot under test-output/screenshots/.
 */
import type { Browser, Locator, Page } from 'playwright-core';
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

/** A browser window for one person, as a visitor would open it. */
async function openAs(person: string, width = 1280): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
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
  await page.locator('.entry.from-person').filter({ hasText: text.split('\n')[0] as string }).last().waitFor();
  await expect.poll(() => page.locator('.entry.from-bot').count(), { timeout: 30_000 }).toBeGreaterThan(before);
}

/** The names under "Overdue supervision" in an /overdue card. */
async function overdueSupervision(card: Locator): Promise<string> {
  const text = (await card.textContent()) ?? '';
  const start = text.lastIndexOf('Overdue supervision');
  const end = text.indexOf('Records awaiting confirmation', start);
  return text.slice(start, end < 0 ? undefined : end);
}

/** Buttons on a signed record card other than the ones a signed record keeps (flag a concern, correct it). */
const lockedButtons = async (card: Locator) =>
  (await card.getByRole('button').allTextContents()).map((t) => t.trim()).filter((t) => t !== '⚠ Risk of harm' && t !== 'Correct the record');

const last = (page: Page, kind: string) => page.locator(`.entry[data-kind="${kind}"]`).last();

beforeAll(async () => {
  // Monday morning, before the day's reminders go out at 08:30
  clock.set(new SchoolCalendar(demoOrganisation()).atLocalTime('2026-11-23', '07:30'));
  const config = loadConfig({ MONGODB_URI: testMongoUrl('playground_e2e'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (runtime) => void (await loadDemoSchool(runtime.deps)) });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await bot?.stop();
});

describe('the playground in a browser', () => {
  it('1. a supervisee gets the agenda prompt when the clock moves on, adds two items, one a risk of harm; the DSL sees the escalation', async () => {
    const chloe = await openAs('chloe');
    await expect.poll(() => chloe.locator('.empty').textContent(), { timeout: 30_000 }).toContain('No messages yet');
    await screenshot(chloe, 'playground-01-supervisee-opens');

    await chloe.getByRole('button', { name: 'Advance to the next reminder' }).click();
    await chloe.locator('#clock-status').filter({ hasText: 'reminders fired' }).waitFor();
    const prompt = last(chloe, 'agenda-prompt');
    await prompt.waitFor();
    expect(await chloe.locator('#clock-now').textContent()).toBe('Mon 23 Nov 2026, 08:30');
    expect(await prompt.textContent()).toContain('Your supervision with James Whitfield');
    await screenshot(chloe, 'playground-02-agenda-prompt');

    await say(chloe, 'Workload in Year 2');
    await last(chloe, 'agenda').filter({ hasText: 'Workload in Year 2' }).waitFor();
    // the second item through the prompt card, flagged as a risk of harm
    await prompt.getByLabel('Agenda item').fill('A child in Year 2 has said she is scared to go home');
    await prompt.getByRole('checkbox', { name: /risk of harm/ }).check();
    await prompt.getByRole('button', { name: 'Add to the agenda' }).click();
    await chloe.locator('.entry[data-kind="agenda"]').filter({ hasText: 'scared to go home' }).waitFor();
    expect(await chloe.locator('.entry').filter({ hasText: 'gone to your DSL' }).count()).toBeGreaterThan(0);
    await screenshot(chloe, 'playground-03-agenda-items-risk-flagged');

    const priya = await openAs('priya');
    const escalation = last(priya, 'escalation');
    await escalation.waitFor();
    expect(await escalation.textContent()).toContain('Risk of harm to a child');
    expect(await escalation.textContent()).toContain('scared to go home');
    expect(await escalation.textContent()).toContain('Chloe Evans');
    await screenshot(priya, 'playground-04-dsl-sees-escalation');
    await escalation.getByRole('button', { name: /Acknowledge/ }).click();
    // as in Teams, the card acted on becomes the bot's answer
    await priya.locator('.entry').filter({ hasText: 'Acknowledged by Priya Shah.' }).waitFor();
    await screenshot(priya, 'playground-05-dsl-acknowledges');
  });

  it('2. the supervisor completes the record card; the supervisee confirms; the supervisor confirms; both see the locked card', async () => {
    const chloe = pages.get('chloe') as Page;
    const priya = pages.get('priya') as Page;
    // a week on: Chloe's session (Mon 30 Nov) has taken place and has no record yet, so she is overdue
    await priya.getByLabel('Advance by').fill('8');
    await priya.getByRole('button', { name: 'Advance', exact: true }).click();
    await priya.locator('#clock-now').filter({ hasText: 'Tue 1 Dec 2026' }).waitFor();
    await say(priya, '/overdue');
    const before = last(priya, 'overdue-summary');
    expect(await overdueSupervision(before)).toContain('Chloe Evans');
    await screenshot(priya, 'playground-06-overdue-before-the-record');

    const james = await openAs('james');
    await say(james, 'record chloe');
    const sheet = last(james, 'record-sheet');
    await sheet.getByRole('button', { name: 'Send to confirm' }).waitFor();
    await sheet.getByRole('checkbox', { name: 'Performance' }).check();
    await sheet.getByRole('checkbox', { name: 'Impact of work on the individual' }).check();
    await sheet.getByLabel('Discussion').fill('Talked through the Year 2 workload and the disclosure raised last week; support options agreed.');
    await sheet.getByLabel('Concerns (one per line, each up to 2,000 characters)').fill('Attendance of a Year 2 child has dropped');
    await sheet.getByLabel('Child (initials or a school or CPOMS reference, up to 20 characters — never a name)').fill('Y2-KM');
    await sheet.getByLabel('Decision (up to 1,000 characters)', { exact: true }).fill('Refer to early help');
    await sheet.getByLabel('Rationale').fill('Attendance below 85% and a disclosure');
    await sheet.getByLabel('Who follows up (to the child\'s file within 24 hours)').selectOption('chloe');
    await sheet.getByLabel('Action 1 (up to 1,000 characters)', { exact: true }).fill('Call the parent about attendance');
    await sheet.getByLabel('Action 1: by whom').selectOption('chloe');
    await sheet.getByLabel('Action 1: by when (within a year of the session)').fill('2026-12-08');
    await screenshot(james, 'playground-07-supervisor-completes-record');
    await sheet.getByRole('button', { name: 'Send to confirm' }).click();
    await sheet.filter({ hasText: 'Waiting for confirmation' }).waitFor();
    await screenshot(james, 'playground-08-record-sent-to-confirm');

    const chloeSheet = last(chloe, 'record-sheet');
    await chloeSheet.getByRole('button', { name: 'Confirm' }).waitFor();
    expect(await chloeSheet.getByRole('button', { name: 'Request a change' }).count()).toBe(1);
    await chloeSheet.getByRole('button', { name: 'Confirm' }).click();
    await chloeSheet.filter({ hasText: 'Confirmed: Chloe Evans' }).waitFor();
    expect(await chloeSheet.getByRole('button', { name: 'Confirm' }).count()).toBe(0);
    await screenshot(chloe, 'playground-09-supervisee-confirms');

    // James's card changed without a reload: it now asks him to confirm
    const jamesSheet = last(james, 'record-sheet');
    await jamesSheet.filter({ hasText: 'Confirmed: Chloe Evans' }).getByRole('button', { name: 'Confirm' }).waitFor();
    await jamesSheet.getByRole('button', { name: 'Confirm' }).click();
    await jamesSheet.filter({ hasText: 'Signed by both on' }).waitFor();
    // locked: nothing left to confirm or change; a concern not yet flagged keeps its risk-of-harm button
    expect(await lockedButtons(jamesSheet)).toEqual([]);
    await screenshot(james, 'playground-10-supervisor-confirms-locked');

    await chloeSheet.filter({ hasText: 'Signed by both on' }).waitFor();
    expect(await lockedButtons(chloeSheet)).toEqual([]);
    expect(await chloe.locator('.entry[data-kind="record-sheet"]').count()).toBe(1);
    await screenshot(chloe, 'playground-11-supervisee-sees-locked');
  });

  it('3. the DSL runs /overdue: the person just supervised has left the overdue list', async () => {
    const priya = pages.get('priya') as Page;
    const count = await priya.locator('.entry[data-kind="overdue-summary"]').count();
    await say(priya, '/overdue');
    await expect.poll(() => priya.locator('.entry[data-kind="overdue-summary"]').count(), { timeout: 30_000 }).toBe(count + 1);
    const after = last(priya, 'overdue-summary');
    expect(await overdueSupervision(after)).not.toContain('Chloe Evans');
    expect(await overdueSupervision(after)).toContain('Ben Hughes');
    // nothing else about her is outstanding either: the escalation was acknowledged, the record is signed
    expect(await after.textContent()).not.toContain('Chloe Evans');
    await after.scrollIntoViewIfNeeded();
    await screenshot(priya, 'playground-12-overdue-after-the-record');
  });

  it('a supervisee requests a change to a record through the card', async () => {
    const daniel = await openAs('daniel');
    // Daniel's record of 2 Nov has waited for his confirmation since before the demo began
    await say(daniel, 'record');
    const sheet = last(daniel, 'record-sheet');
    await sheet.getByRole('button', { name: 'Request a change' }).click();
    await sheet.getByLabel('What should change, and why?').fill('The action should be mine, not the SENCo’s');
    await sheet.getByRole('button', { name: 'Send' }).click();
    await sheet.filter({ hasText: 'Change requested by Daniel Price' }).waitFor();
    await screenshot(daniel, 'playground-14-supervisee-requests-a-change');
    const james = pages.get('james') as Page;
    await james.locator('.entry[data-kind="record-sheet"]').filter({ hasText: 'Change requested by Daniel Price' }).waitFor();
  });

  it('works at phone width', async () => {
    const phone = await openAs('chloe', 375);
    await last(phone, 'record-sheet').waitFor();
    // keyboard only: the skip link leads to the message box, and Enter sends
    await phone.keyboard.press('Tab');
    expect(await phone.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the message box');
    await phone.keyboard.press('Enter');
    expect(await phone.evaluate(() => document.activeElement?.id)).toBe('composer-text');
    const replies = await phone.locator('.entry.from-bot').count();
    await phone.keyboard.type('next');
    await phone.keyboard.press('Enter');
    await expect.poll(() => phone.locator('.entry.from-bot').count(), { timeout: 30_000 }).toBeGreaterThan(replies);
    await last(phone, 'next-session').waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone, 'playground-13-phone-width');
  });

  it('a supervisor’s chat with a record card fits a 375 px phone: nothing wider than the screen, no edge cut off', async () => {
    const phone = await openAs('james', 375);
    const card = last(phone, 'record-sheet');
    await card.waitFor();
    await card.scrollIntoViewIfNeeded();
    // every element of every card lies within the screen, left edge included
    const outside = await phone.evaluate(() =>
      [...document.querySelectorAll('.entry *')]
        .map((el) => ({ el, box: el.getBoundingClientRect() }))
        .filter(({ box }) => box.width > 0 && (box.left < -0.5 || box.right > window.innerWidth + 0.5))
        .map(({ el, box }) => `${el.tagName}.${el.className} ${Math.round(box.left)}–${Math.round(box.right)}`),
    );
    expect(outside, outside.slice(0, 40).join('\n')).toEqual([]);
    const fit = await phone.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    expect(fit.scroll).toBeLessThanOrEqual(fit.inner);
    await screenshot(phone, 'playground-15-supervisor-record-card-phone');
  });
});
