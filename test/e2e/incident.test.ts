/**
 * After a major incident, in a real browser on the demo school: the DSL adds a support contact on the Organisation
 * page, then declares an incident on the dashboard's Incidents
 * page (a private name, a message for staff, two named people) → Chloe gets the offer in the playground, without
 * the incident's name, with the support contacts, and answers Yes → the DSL sees the uptake. Screenshots:
 * test-output/screenshots/incident-*.png.
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
const INCIDENT = 'Serious injury in the playground at lunchtime';

async function open(path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
  const page = await context.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(`${bot.url}${path}`);
  return page;
}

beforeAll(async () => {
  clock.set(new SchoolCalendar(demoOrganisation()).atLocalTime('2026-11-23', '10:00'));
  const config = loadConfig({ MONGODB_URI: testMongoUrl('incident_e2e'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (runtime) => void (await loadDemoSchool(runtime.deps)) });
  browser = await launchBrowser();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await bot?.stop();
});

describe('after a major incident, in a browser', () => {
  it('the DSL declares it on the dashboard → Chloe answers Yes in the playground → the DSL sees the uptake', async () => {
    // the support contacts the offer carries: one added on the Organisation page
    const admin = await open('/tab?as=priya#admin/organisation');
    const support = admin.locator('#support');
    await support.getByRole('heading', { name: 'Support contacts' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => support.locator('fieldset').count(), { timeout: 30_000 }).toBe(2);
    await support.getByRole('button', { name: 'Add a contact' }).click();
    const added = support.locator('fieldset').nth(2);
    await added.getByLabel('Name').fill('Leeds staff wellbeing');
    await added.getByLabel('Telephone').fill('0113 222 4403');
    await support.getByRole('button', { name: 'Save support contacts' }).click();
    await admin.locator('#support-saved').waitFor({ timeout: 30_000 });
    await support.scrollIntoViewIfNeeded();
    await screenshot(admin, 'incident-0-support-contacts');
    await expectAccessible(admin, 'incident-0-support-contacts');

    const dsl = await open('/tab?as=priya#incidents');
    await dsl.getByRole('heading', { name: 'After a major incident' }).waitFor({ timeout: 30_000 });
    await dsl.locator('#no-incidents').waitFor();
    await dsl.getByLabel('Name of the incident').fill(INCIDENT);
    await dsl.getByLabel('Message for staff (optional)').fill('Thank you for everything you did today.');
    await dsl.getByLabel('Who was involved').selectOption('people');
    await dsl.getByRole('checkbox', { name: 'Chloe Evans' }).check();
    await dsl.getByRole('checkbox', { name: 'Amy Clarke' }).check();
    await screenshot(dsl, 'incident-1-dsl-declares');
    await expectAccessible(dsl, 'incident-1-dsl-declares');
    await dsl.getByRole('button', { name: 'Offer extra supervision' }).click();
    await dsl.locator('#declared').filter({ hasText: 'Offered to 2 people' }).waitFor({ timeout: 30_000 });
    await dsl.locator('#uptake-table').filter({ hasText: INCIDENT }).waitFor({ timeout: 30_000 });
    await screenshot(dsl, 'incident-2-declared');
    await bot.runtime.queues.flushOutbox();

    const chloe = await open('/playground/');
    await chloe.locator('#person option[value="chloe"]').waitFor({ state: 'attached' });
    await chloe.selectOption('#person', 'chloe');
    const offer = chloe.locator('.entry[data-kind="incident-offer"]').last();
    await offer.waitFor({ timeout: 30_000 });
    const said = (await offer.textContent()) ?? '';
    expect(said).toContain('Would you like extra supervision?');
    expect(said).toContain('Thank you for everything you did today.');
    expect(said).toContain('Samaritans — 116 123');
    expect(said).toContain('Leeds staff wellbeing — 0113 222 4403');
    expect(said).not.toContain(INCIDENT);
    await offer.scrollIntoViewIfNeeded();
    await screenshot(chloe, 'incident-3-supervisee-offer');
    await offer.getByRole('button', { name: 'Yes', exact: true }).click();
    await chloe.locator('.entry').filter({ hasText: 'will book a session with you by' }).last().waitFor({ timeout: 30_000 });
    await screenshot(chloe, 'incident-4-supervisee-said-yes');

    await dsl.reload();
    const row = dsl.locator('#uptake-table tr').filter({ hasText: INCIDENT });
    await row.waitFor({ timeout: 30_000 });
    await expect
      .poll(async () => [await row.locator('[data-count="offered"]').textContent(), await row.locator('[data-count="accepted"]').textContent(), await row.locator('[data-count="waiting"]').textContent()].join(','), { timeout: 30_000 })
      .toBe('2,1,1');
    await screenshot(dsl, 'incident-5-dsl-sees-uptake');
    await expectAccessible(dsl, 'incident-5-dsl-sees-uptake');
  });
});
