/**
 * The supervision agreement in Chromium, on the demo school (white-laith B): the DSL creates a contract in the
 * dashboard (it waits for signatures), both parties press Agree on the agreement card in the playground (the
 * Teams card), the last Agree books the first session, and the dashboard shows it signed by both, with when.
 * Every page is checked with axe; screenshots under test-output/screenshots/agreement-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../src/app/clock.js';
import { type Bot, startBot } from '../../src/bot.js';
import { loadConfig } from '../../src/config.js';
import { loadDemoSchool } from '../../src/demo/school.js';
import { createLogger } from '../../src/logger.js';
import { expectAccessible, launchBrowser, screenshot } from '../support/browser.js';
import { london } from '../support/school.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../support/services.js';

let bot: Bot;
let browser: Browser;
const clock = new AdjustableClock();

beforeAll(async () => {
  clock.set(london('2026-11-23T09:00'));
  const config = loadConfig({ MONGODB_URI: testMongoUrl('agreement-e2e'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (rt) => void (await loadDemoSchool(rt.deps)) });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await bot?.stop();
});

async function open(path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  await page.goto(`${bot.url}${path}`);
  return page;
}

describe('the supervision agreement in Chromium', () => {
  let contractId = '';

  it('the DSL creates a contract in the dashboard: it waits for both to agree', async () => {
    const page = await open('/tab?as=priya#admin/contracts');
    await page.locator('#contract-list li.contract').first().waitFor();
    await page.getByRole('button', { name: 'New contract' }).click();
    const form = page.locator('#contract-form');
    await form.waitFor();
    await form.getByLabel('Supervisor', { exact: true }).selectOption({ label: 'James Whitfield' });
    await form.getByLabel('Supervisee', { exact: true }).selectOption({ label: 'Farah Khan' });
    await form.getByLabel('How often').selectOption('monthly');
    await form.getByLabel('Length in minutes').fill('45');
    await form.getByLabel('Location').fill('Room 7');
    await form.getByLabel('Start date').fill('2026-11-23');
    await form.getByRole('button', { name: 'Create contract' }).click();
    await page.locator('#contract-done').waitFor();
    const row = page.locator('#contract-list li.contract', { hasText: 'Room 7' });
    await expect.poll(() => row.count()).toBe(1);
    contractId = (await row.getAttribute('data-contract')) ?? '';
    expect(contractId).not.toBe('');
    expect(await row.locator('dd.agreement').getAttribute('data-waiting')).toBe('yes');
    expect(await row.locator('dd.agreement').textContent()).toContain('waiting for James Whitfield, Farah Khan');
    expect(await bot.runtime.deps.sessions.byContract(contractId)).toEqual([]);
    await screenshot(page, 'agreement-01-created-waiting');
    await expectAccessible(page, 'agreement-01-created-waiting');
    await page.context().close();
  });

  it('both agree in the playground; the last Agree books the first session', async () => {
    const page = await open('/playground/');
    for (const [name, step] of [
      ['Farah Khan', '02-farah-card'],
      ['James Whitfield', '03-james-card'],
    ] as const) {
      const who = page.locator('#person option').filter({ hasText: name });
      await who.waitFor({ state: 'attached' });
      await page.selectOption('#person', (await who.getAttribute('value')) as string);
      const card = page.locator('.entry[data-kind="agreement"]').filter({ hasText: 'Room 7' }).last();
      await card.waitFor();
      expect(await card.textContent()).toContain('Supervision agreement');
      await screenshot(page, `agreement-${step}`);
      await expectAccessible(page, `agreement-${step}`);
      await card.getByRole('button', { name: 'Agree' }).click();
      await page.locator('.entry').filter({ hasText: 'You agreed on' }).filter({ hasText: 'Room 7' }).last().waitFor();
    }
    await expect.poll(async () => (await bot.runtime.deps.sessions.byContract(contractId)).filter((s) => s.status === 'scheduled').length, { timeout: 60_000 }).toBe(1);
    await page.locator('.entry').filter({ hasText: 'Everyone has agreed' }).last().waitFor();
    await screenshot(page, 'agreement-04-both-agreed');
    await page.context().close();
  });

  it('the dashboard shows it signed by both, with when, and its next session', async () => {
    const page = await open('/tab?as=priya#admin/contracts');
    const row = page.locator(`#contract-list li[data-contract="${contractId}"]`);
    await row.waitFor();
    await expect.poll(() => row.locator('dd.agreement').getAttribute('data-waiting')).toBe('no');
    const text = (await row.locator('dd.agreement').textContent()) ?? '';
    expect(text).toContain('Farah Khan (Mon 23 Nov 2026');
    expect(text).toContain('James Whitfield (Mon 23 Nov 2026');
    expect(await row.textContent()).toContain('; next ');
    await screenshot(page, 'agreement-05-dashboard-signed');
    await expectAccessible(page, 'agreement-05-dashboard-signed');
    await page.context().close();
  });
});
