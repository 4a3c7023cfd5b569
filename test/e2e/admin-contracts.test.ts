/**
 * The contracts and people screens in Chromium, as the demo school's DSL: a group contract of seven supervised
 * from outside refused at its field (stour §4), one fewer created, then edited and ended (its history kept), the
 * list searched and filtered; the people page filtered by no contract and leavers. Every page is checked with
 * axe; screenshots at desktop width and at 375 px under test-output/screenshots/admin-contracts-*.png.
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
const GROUP = ['Amy Clarke', 'Ben Hughes', 'Chloe Evans', 'Daniel Price', 'Emma Wood', 'Farah Khan', 'George Lee'];

beforeAll(async () => {
  clock.set(london('2026-11-23T09:00'));
  const config = loadConfig({ MONGODB_URI: testMongoUrl('contracts-e2e'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (rt) => void (await loadDemoSchool(rt.deps)) });
  // someone who has left: kept, shown only among the leavers
  const deps = bot.runtime.deps;
  await deps.people.upsert({ id: 'zara', organisationId: (await deps.people.get('priya'))!.organisationId, name: 'Zara Quinn', email: 'z.quinn@riverside.example', identities: {}, roles: ['supervisee'], active: false, leftAt: london('2026-10-16T16:00') });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await bot?.stop();
});

async function open(path: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${bot.url}${path}`);
  return page;
}

const noSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('contracts and people in Chromium', () => {
  let contractId = '';

  it('lists the demo school’s contracts', async () => {
    const page = await open('/tab?as=priya#admin/contracts');
    await page.locator('#contract-list li.contract').first().waitFor();
    expect(await page.locator('h1').textContent()).toBe('Contracts');
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Set-up');
    expect(await page.locator('#contract-list li.contract').count()).toBeGreaterThan(3);
    await screenshot(page, 'admin-contracts-01-list');
    await expectAccessible(page, 'admin-contracts-01-list');
    await page.context().close();
  });

  it('a group of seven supervised from outside is refused at its field; six are created', async () => {
    const page = await open('/tab?as=priya#admin/contracts');
    await page.locator('#contract-list').waitFor();
    const before = await page.locator('#contract-list li.contract').count();
    await page.getByRole('button', { name: 'New contract' }).click();
    const form = page.locator('#contract-form');
    await form.waitFor();
    await form.getByLabel('Kind').selectOption('group');
    await form.getByLabel('Supervisor', { exact: true }).selectOption({ label: 'Aisha Begum' });
    for (const [i, name] of GROUP.entries()) {
      if (i > 0) await form.getByRole('button', { name: 'Add a supervisee' }).click();
      await form.getByLabel(`Supervisee ${i + 1}`, { exact: true }).selectOption({ label: name });
    }
    await form.getByLabel('Level').selectOption('3');
    expect(await form.getByLabel('Supervised from outside the school').isChecked()).toBe(true);
    await form.getByLabel('How often').selectOption('half-termly');
    await form.getByLabel('Length in minutes').fill('90');
    await form.getByLabel('Location').fill('Online, the agency’s meeting link');
    await form.getByLabel('Format').selectOption('video');
    await form.getByLabel('Who hears a dispute').selectOption('safeguarding-governor');
    await form.getByLabel('Start date').fill('2026-11-30');
    await form.getByRole('button', { name: 'Create contract' }).click();
    const refusal = page.locator('#contract-refusal');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('Supervisees: names 7 people: a group supervised from outside has at most 6 (stour §4)');
    // the message is at the field too, and nothing was written
    expect(await form.locator('[aria-invalid="true"]').count()).toBeGreaterThan(0);
    await screenshot(page, 'admin-contracts-02-group-of-seven-refused');
    await expectAccessible(page, 'admin-contracts-02-group-of-seven-refused');
    expect(await page.locator('#contract-list li.contract').count()).toBe(before);

    await form.getByRole('button', { name: 'Remove supervisee 7' }).click();
    await form.getByRole('button', { name: 'Create contract' }).click();
    await page.locator('#contract-done').waitFor();
    expect(await page.locator('#contract-done').textContent()).toContain('Created: Aisha Begum with Amy Clarke, Ben Hughes, Chloe Evans, Daniel Price, Emma Wood, Farah Khan.');
    await expect.poll(() => page.locator('#contract-list li.contract').count()).toBe(before + 1);
    const created = page.locator('#contract-list li.contract', { hasText: 'Farah Khan' }).filter({ hasText: 'Group of 6' });
    expect(await created.count()).toBe(1);
    contractId = (await created.getAttribute('data-contract')) ?? '';
    expect(await created.getAttribute('data-status')).toBe('waiting');
    expect(await created.textContent()).toContain('Half-termly, 90 minutes, video');
    expect(await created.textContent()).toContain('review Tue 30 Nov 2027');
    await screenshot(page, 'admin-contracts-03-created');
    await expectAccessible(page, 'admin-contracts-03-created');
    await page.context().close();
  });

  it('edits the contract: a new supervisor, length and place', async () => {
    const page = await open('/tab?as=priya#admin/contracts');
    const row = page.locator(`#contract-list li[data-contract="${contractId}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: 'Edit' }).click();
    const form = page.locator('#contract-form');
    await form.waitFor();
    expect(await form.getByLabel('Length in minutes').inputValue()).toBe('90');
    await form.getByLabel('Supervisor', { exact: true }).selectOption({ label: 'James Whitfield' });
    await form.getByLabel('Length in minutes').fill('75');
    await form.getByLabel('Location').fill('Room 12');
    await form.getByLabel('Format').selectOption('face-to-face');
    await screenshot(page, 'admin-contracts-04-edit-form');
    await expectAccessible(page, 'admin-contracts-04-edit-form');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('#contract-done').waitFor();
    expect(await page.locator('#contract-done').textContent()).toContain('Saved: James Whitfield with');
    await expect.poll(() => row.textContent()).toContain('75 minutes, face-to-face');
    expect(await row.textContent()).toContain('Room 12');
    expect(await row.locator('h3').textContent()).toContain('James Whitfield');
    await page.context().close();
  });

  it('the form at 375 px: one column, nothing off the side', async () => {
    const page = await open('/tab?as=priya#admin/contracts', { width: 375, height: 812 });
    const row = page.locator(`#contract-list li[data-contract="${contractId}"]`);
    await row.waitFor();
    await screenshot(page, 'admin-contracts-05-list-375px');
    expect(await noSideways(page)).toBeLessThanOrEqual(0);
    await row.getByRole('button', { name: 'Edit' }).click();
    await page.locator('#contract-form').waitFor();
    await screenshot(page, 'admin-contracts-06-form-375px');
    await expectAccessible(page, 'admin-contracts-06-form-375px');
    expect(await noSideways(page)).toBeLessThanOrEqual(0);
    await page.context().close();
  });

  it('ends the contract after asking; it stays in the list as ended, its history kept', async () => {
    const page = await open('/tab?as=priya#admin/contracts');
    const row = page.locator(`#contract-list li[data-contract="${contractId}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: 'End…' }).click();
    expect(await row.textContent()).toContain('Its sessions, records and actions are kept');
    await screenshot(page, 'admin-contracts-07-end-asked');
    await expectAccessible(page, 'admin-contracts-07-end-asked');
    await row.getByRole('button', { name: 'Yes, end the contract' }).click();
    await page.locator('#contract-done').waitFor();
    await expect.poll(() => row.getAttribute('data-status')).toBe('ended');
    expect(await row.textContent()).toContain('ended Mon 23 Nov 2026');
    expect(await row.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect((await bot.runtime.deps.contracts.get(contractId))?.active).toBe(false);
    // the filters and the search
    await page.getByRole('button', { name: /^Ended/ }).click();
    await expect.poll(() => page.locator('#contract-list li.contract').count()).toBe(1);
    await page.getByRole('button', { name: /^All/ }).click();
    await page.getByLabel('Search by name or location').fill('Hughes');
    // the list is redrawn as the search is typed: wait for the searched list, not for an empty one in between
    await expect
      .poll(async () => {
        const names = await page.locator('#contract-list li.contract h3').allTextContents();
        return names.length >= 2 && names.every((t) => t.includes('Ben Hughes'));
      })
      .toBe(true);
    await screenshot(page, 'admin-contracts-08-ended-and-searched');
    await expectAccessible(page, 'admin-contracts-08-ended-and-searched');
    await page.context().close();
  });

  it('people: roles, chat and contracts; filtered by no contract and leavers', async () => {
    const page = await open('/tab?as=priya#admin/people');
    const rows = page.locator('#people-table tbody tr');
    await rows.first().waitFor();
    expect(await page.locator('#people-table tr[data-person="zara"]').count()).toBe(0);
    const ben = page.locator('#people-table tr[data-person="ben"]');
    expect(await ben.textContent()).toContain('Supervised by James Whitfield');
    await screenshot(page, 'admin-contracts-09-people');
    await expectAccessible(page, 'admin-contracts-09-people');
    await page.getByRole('button', { name: /^Leavers/ }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-person')).toBe('zara');
    expect(await rows.first().textContent()).toContain('Left Fri 16 Oct 2026');
    await page.getByRole('button', { name: /^No contract/ }).click();
    await expect.poll(async () => (await rows.first().getAttribute('data-person')) !== 'zara').toBe(true);
    const none = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-person')));
    expect(none).toContain('helen');
    expect(none).not.toContain('ben');
    expect(none).not.toContain('margaret');
    await page.getByLabel('Search by name or email').fill('carter');
    await expect.poll(() => rows.count()).toBe(1);
    await screenshot(page, 'admin-contracts-10-people-no-contract');
    await expectAccessible(page, 'admin-contracts-10-people-no-contract');
    await page.setViewportSize({ width: 375, height: 812 });
    await page.getByLabel('Search by name or email').fill('');
    await page.getByRole('button', { name: /^All/ }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(5);
    await screenshot(page, 'admin-contracts-11-people-375px');
    await expectAccessible(page, 'admin-contracts-11-people-375px');
    expect(await noSideways(page)).toBeLessThanOrEqual(0);
    await page.context().close();
  });
});
