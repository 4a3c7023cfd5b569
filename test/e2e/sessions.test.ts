/**
 * A session that did not happen, in a real browser (Debian's Chromium), in the playground on the demo school:
 * the playground clock passes Chloe's Monday session with no record → James (her supervisor) gets the
 * "did it happen?" card → he says it did not happen, why, and picks the new date and time in the same card
 * (template "intervals": never without a new time) → both James and Chloe see the new time in `next`.
 * Every step saves a screenshot under test-output/screenshots/sessions-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../src/app/clock.js';
import { type Bot, startBot } from '../../src/bot.js';
import { loadConfig } from '../../src/config.js';
import { demoOrganisation, loadDemoSchool } from '../../src/demo/school.js';
import { SchoolCalendar } from '../../src/domain/calendar.js';
import { createLogger } from '../../src/logger.js';
import { expectAccessible, launchBrowser, screenshot } from '../support/browser.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../support/services.js';

let bot: Bot;
let browser: Browser;
const clock = new AdjustableClock();
const QUESTION = 'Did the session of Mon 30 Nov 2026, 15:45 happen?';

async function openAs(person: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'Europe/London',
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(`${bot.url}/playground/`);
  await page.locator('#person option[value="priya"]').waitFor({ state: 'attached' });
  await page.selectOption('#person', person);
  await page.locator('#clock-now').filter({ hasText: '2026' }).waitFor();
  return page;
}

async function say(page: Page, text: string): Promise<void> {
  const before = await page.locator('.entry.from-bot').count();
  await page.getByLabel('Message to Supervision Bot').fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect
    .poll(() => page.locator('.entry.from-bot').count(), { timeout: 30_000 })
    .toBeGreaterThan(before);
}

const last = (page: Page, kind: string) => page.locator(`.entry[data-kind="${kind}"]`).last();

beforeAll(async () => {
  clock.set(new SchoolCalendar(demoOrganisation()).atLocalTime('2026-11-23', '07:30'));
  const config = loadConfig({
    MONGODB_URI: testMongoUrl('sessions_e2e'),
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    PORT: '0',
    PLAYGROUND: 'on',
    LOG_LEVEL: 'silent',
  });
  bot = await startBot(config, createLogger('silent'), {
    clock,
    prepare: async (runtime) => void (await loadDemoSchool(runtime.deps)),
  });
  browser = await launchBrowser();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await bot?.stop();
});

describe('a session that did not happen, in a browser', () => {
  it('the clock passes it unrecorded → "did it happen?" → it did not, rebooked in the same card → both see the new time', async () => {
    const james = await openAs('james');
    // to Monday morning, then reminder by reminder until the afternoon's question reaches James
    await james.getByLabel('Advance by').fill('7');
    await james.getByRole('button', { name: 'Advance', exact: true }).click();
    await james.locator('#clock-now').filter({ hasText: 'Mon 30 Nov 2026' }).waitFor({ timeout: 30_000 });
    const question = james
      .locator('.entry')
      .filter({ hasText: QUESTION })
      .filter({ hasText: 'Supervision with Chloe Evans' })
      .last();
    for (let i = 0; i < 40 && (await question.count()) === 0; i++) {
      const before = (await james.locator('#clock-now').textContent()) ?? '';
      await james.getByRole('button', { name: 'Advance to the next reminder' }).click();
      await expect
        .poll(
          async () =>
            (await james.locator('#clock-now').textContent()) !== before ||
            (await james.locator('#clock-status').textContent())?.includes('No reminders'),
          { timeout: 30_000 },
        )
        .toBe(true);
      await james
        .locator('#clock-status')
        .filter({ hasText: /It is now|No reminders/ })
        .waitFor({ timeout: 30_000 });
    }
    await question.waitFor({ timeout: 30_000 });
    await question.scrollIntoViewIfNeeded();
    await screenshot(james, 'sessions-1-supervisor-asked-did-it-happen');
    await question.screenshot({ path: 'test-output/screenshots/sessions-1b-the-card.png' });
    await expectAccessible(james, 'sessions-1-supervisor-asked-did-it-happen');

    // the supervisee's next says the session passed without a record, not "no session booked"
    const chloe = await openAs('chloe');
    await say(chloe, 'next');
    const before = last(chloe, 'next-session');
    expect(await before.textContent()).toContain('has passed without a record');
    expect(await before.textContent()).not.toContain('You have no supervision session booked');
    await screenshot(chloe, 'sessions-2-supervisee-next-before');
    await before.screenshot({ path: 'test-output/screenshots/sessions-2b-the-card.png' });

    // why (who could not attend) and the new time, in the same card
    await question.getByLabel(/^Why/).selectOption({ label: 'The supervisee could not attend' });
    await question.getByLabel('New date (a school day)').fill('2026-12-02');
    await question.getByLabel(/^New time/).fill('15:45');
    await screenshot(james, 'sessions-3-supervisor-fills-reason-and-new-time');
    await question.screenshot({ path: 'test-output/screenshots/sessions-3b-the-card-filled.png' });
    await question.getByRole('button', { name: 'It did not happen — book the new time' }).click();
    const done = james
      .locator('.entry')
      .filter({ hasText: 'The new session is on Wed 2 Dec 2026, 15:45' })
      .last();
    await done.waitFor({ timeout: 30_000 });
    await done.scrollIntoViewIfNeeded();
    await screenshot(james, 'sessions-4-supervisor-rebooked');
    await done.screenshot({ path: 'test-output/screenshots/sessions-4b-the-answer.png' });

    const session = await bot.runtime.deps.sessions.get('c-chloe.2026-11-30');
    expect(session).toMatchObject({ status: 'missed', notHeldReason: 'supervisee-absent' });

    await say(james, 'next');
    const jamesNext = (await james.locator('.entry.from-bot').last().textContent()) ?? '';
    expect(jamesNext).toContain('Wed 2 Dec 2026, 15:45');
    await james.locator('.entry.from-bot').last().scrollIntoViewIfNeeded();
    await screenshot(james, 'sessions-5-supervisor-next');
    await james
      .locator('.entry.from-bot')
      .last()
      .screenshot({ path: 'test-output/screenshots/sessions-5b-the-card.png' });

    await chloe.locator('.entry').filter({ hasText: 'did not happen' }).first().waitFor({ timeout: 30_000 });
    await say(chloe, 'next');
    const after = last(chloe, 'next-session');
    await after.scrollIntoViewIfNeeded();
    expect(await after.textContent()).toContain('Wed 2 Dec 2026, 15:45');
    expect(await after.textContent()).toContain('Did not happen: Mon 30 Nov 2026, 15:45');
    expect(await after.textContent()).toContain('No agenda items yet');
    await screenshot(chloe, 'sessions-6-supervisee-sees-the-new-time');
    await after.screenshot({ path: 'test-output/screenshots/sessions-6b-the-card.png' });
    await chloe
      .locator('.entry')
      .filter({ hasText: 'did not happen' })
      .first()
      .screenshot({ path: 'test-output/screenshots/sessions-6c-supervisee-told.png' });
    await expectAccessible(chloe, 'sessions-6-supervisee-sees-the-new-time');
  });
});
