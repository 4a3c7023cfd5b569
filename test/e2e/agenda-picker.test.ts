/**
 * The agenda picker in the playground, in Chromium at a 375 px phone width: James types `add`, the card with the
 * list of his supervisees' sessions fits the screen (no element past either edge), he chooses Ben's session, types
 * the item and a category, and the answer names Ben's agenda. Screenshots under test-output/screenshots/.
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

async function openAs(person: string, width: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
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
  await expect.poll(() => page.locator('.entry.from-bot').count(), { timeout: 30_000 }).toBeGreaterThan(before);
}

/** Every element of every card that lies past the screen's left or right edge. */
const outside = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('.entry *')]
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && (box.left < -0.5 || box.right > window.innerWidth + 0.5))
      .map(({ el, box }) => `${el.tagName}.${el.className} ${Math.round(box.left)}–${Math.round(box.right)}`),
  );

beforeAll(async () => {
  clock.set(new SchoolCalendar(demoOrganisation()).atLocalTime('2026-11-23', '07:30'));
  const config = loadConfig({ MONGODB_URI: testMongoUrl('playground_e2e_picker'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (runtime) => void (await loadDemoSchool(runtime.deps)) });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await bot?.stop();
});

describe('the agenda picker on a phone', () => {
  it('James chooses Ben’s session from the list on a 375 px screen, and the item lands on Ben’s agenda', async () => {
    const phone = await openAs('james', 375);
    await say(phone, 'add');
    const card = phone.locator('.entry[data-kind="agenda-form"]').last();
    await card.waitFor();
    await card.scrollIntoViewIfNeeded();
    const picker = card.getByLabel('Whose session is it for?');
    const offered = await picker.locator('option').allTextContents();
    expect(offered.join('\n')).toMatch(/Ben [A-Z][a-z]+ — /);
    expect(offered.join('\n')).not.toMatch(/Emma|Farah|George|Hannah/);
    const wide = await outside(phone);
    expect(wide, wide.slice(0, 40).join('\n')).toEqual([]);
    const fit = await phone.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    expect(fit.scroll).toBeLessThanOrEqual(fit.inner);
    await screenshot(phone, 'agenda-picker-01-form-phone');

    await picker.selectOption('c-ben');
    await card.getByLabel('Agenda item (one per line)').fill('Transition plans for Year 6');
    await card.getByLabel('Category').selectOption('professional-development');
    await card.getByRole('button', { name: 'Add to the agenda' }).click();
    const answer = phone.locator('.entry[data-kind="agenda"]').filter({ hasText: 'Transition plans for Year 6' }).last();
    await answer.waitFor({ timeout: 30_000 });
    expect(await answer.textContent()).toContain('Agenda of Ben');
    const session = await bot.runtime.deps.sessions.nextScheduled('c-ben', clock.now());
    const items = session ? await bot.runtime.deps.agenda.forSession(session.id) : await bot.runtime.deps.agenda.parked('c-ben');
    expect(items.map((i) => [i.text, i.category, i.authorId])).toContainEqual(['Transition plans for Year 6', 'professional-development', 'james']);
    const after = await outside(phone);
    expect(after, after.slice(0, 40).join('\n')).toEqual([]);
    await screenshot(phone, 'agenda-picker-02-added-phone');
  });
});
