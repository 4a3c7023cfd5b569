/**
 * A blank start, in a real browser (Debian's Chromium), as README's "Try it from a blank start" walks it: the bot
 * started on an empty database without the demo school (what `SCHOOL=blank npm start` does) → the setup link from
 * its log → the organisation and its first admin → the School Data Sync example, first a copy with mistakes (the
 * preview names each file, row and column) and then as shipped → the DSL named → term dates from the example
 * `.ics` → the contracts example → both parties agree to the supervision agreement in the playground → the
 * playground's clock moved to the first agenda prompt, which reaches a
 * supervisee who came from the import. Every page is checked with axe; screenshots go to
 * test-output/screenshots/blank-start-*.png.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../src/app/clock.js';
import { type Bot, startBot } from '../../src/bot.js';
import { loadConfig } from '../../src/config.js';
import { SchoolCalendar } from '../../src/domain/calendar.js';
import { demoOrganisation } from '../../src/demo/school.js';
import { createLogger } from '../../src/logger.js';
import { expectAccessible, launchBrowser, screenshot } from '../support/browser.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../support/services.js';

const EXAMPLES = path.resolve('examples');
const SDS_FILES = ['orgs.csv', 'users.csv', 'roles.csv'];
let bot: Bot;
let browser: Browser;
let admin: BrowserContext;
let page: Page;
let broken: string;
const clock = new AdjustableClock();
const logLines: string[] = [];

async function shot(name: string, what: string, target: Page = page): Promise<void> {
  await screenshot(target, `blank-start-${name}`);
  await expectAccessible(target, what);
}

/** Picks files in the import wizard's file input, previews them and waits for the answer. */
async function preview(files: string[]): Promise<void> {
  await page.locator('.wizard input[type="file"]').setInputFiles(files);
  await page.getByRole('button', { name: 'Preview', exact: true }).click();
  await page.locator('.wizard .report').waitFor({ timeout: 60_000 });
}

async function confirm(): Promise<void> {
  await page.getByRole('button', { name: 'Confirm import' }).click();
  await page.locator('.wizard #result').waitFor({ timeout: 60_000 });
}

/** A link of the set-up pages' own navigation (Checklist, Organisation, Term dates, Import, People). */
async function setUpLink(name: string): Promise<void> {
  await page.locator('nav[aria-label="Set-up"]').getByRole('link', { name, exact: true }).click();
}

async function chooseImport(label: RegExp): Promise<void> {
  await setUpLink('Import');
  const select = page.getByLabel('What the file holds');
  await select.waitFor();
  const option = page.locator('#wizard option').filter({ hasText: label });
  await select.selectOption((await option.getAttribute('value')) as string);
  await page.locator('.wizard .steps').waitFor();
}

beforeAll(async () => {
  // Monday morning, in the autumn term of the example calendar's year
  clock.set(new SchoolCalendar(demoOrganisation()).atLocalTime('2026-11-23', '07:30'));
  broken = mkdtempSync(path.join(os.tmpdir(), 'sds-broken-'));
  for (const f of SDS_FILES) copyFileSync(path.join(EXAMPLES, 'import', 'sds', f), path.join(broken, f));
  // a spreadsheet formula where a surname should be, and David's email given to Joseph as well
  const users = readFileSync(path.join(broken, 'users.csv'), 'utf8')
    .replace('u3,m.kowalska@riverside.example,Kowalska,', 'u3,m.kowalska@riverside.example,=HYPERLINK("http://x.example"),')
    .replace('u6,j.adeyemi@riverside.example,Adeyemi,Joseph,,,j.adeyemi@riverside.example', 'u6,j.adeyemi@riverside.example,Adeyemi,Joseph,,,d.hughes@riverside.example');
  writeFileSync(path.join(broken, 'users.csv'), users);
  mkdirSync(path.resolve('test-output'), { recursive: true });
  // as `SCHOOL=blank npm start`: the playground on, an empty database, nothing loaded into it
  const config = loadConfig({ MONGODB_URI: testMongoUrl('blank_start_e2e'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'info' });
  bot = await startBot(config, createLogger('info', { write: (line: string) => void logLines.push(line) }), { clock });
  browser = await launchBrowser();
  admin = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
  page = await admin.newPage();
  // a loaded machine: waits are for the page to get there, never a measure of speed
  page.setDefaultTimeout(120_000);
  page.on('pageerror', (e) => {
    throw e;
  });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await bot?.stop();
  if (broken) rmSync(broken, { recursive: true, force: true });
});

describe('a blank start, in a browser', () => {
  it('setup link → organisation → SDS preview with errors → fixed → confirmed → DSL → term dates → contracts → the first agenda prompt', async () => {
    // 1. the setup link, as the log prints it
    const line = logLines.map((l) => JSON.parse(l) as { msg: string; setupUrl?: string }).find((l) => l.setupUrl);
    expect(line?.msg).toContain('first run: open the setup link');
    const setupUrl = line?.setupUrl as string;
    expect(setupUrl).toBe(bot.setupUrl);
    await page.goto(setupUrl);
    await shot('01-setup-form', 'the setup form');
    await page.getByLabel('Organisation name').fill('Riverside Primary School');
    await page.getByLabel('Your name').fill('Bea Business');
    await page.getByLabel('Your email').fill('bea@riverside.example');
    await page.getByRole('button', { name: 'Create the organisation' }).click();
    await page.getByText('is set up, and you are signed in').waitFor();
    await shot('02-organisation-created', 'the page after setup');

    // 2. the dashboard's checklist: nothing but the organisation yet
    await page.getByRole('link', { name: 'Open the set-up checklist' }).click();
    await page.locator('#checklist').waitFor();
    expect(await page.locator('#ready').textContent()).toContain('Supervision is not set up yet');
    await shot('03-checklist-empty', 'the empty checklist');

    // 3. the School Data Sync export with mistakes: every one named by file, row and column, nothing written
    await page.locator('[data-item="staff"] a').click();
    await page.locator('#wizard').waitFor();
    await preview(SDS_FILES.map((f) => path.join(broken, f)));
    const errors = page.locator('#errors tbody tr');
    await errors.first().waitFor();
    const rows = await errors.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())));
    await shot('04-sds-preview-errors', 'the SDS preview with errors');
    expect(rows).toContainEqual(['users.csv', '4', 'familyName', expect.stringContaining('formula')]);
    expect(rows.some(([file, row, column]) => file === 'users.csv' && row === '7' && column === 'email')).toBe(true);
    expect(await page.getByRole('button', { name: 'Confirm import' }).isDisabled()).toBe(true);

    // 4. the files as shipped: a clean preview, confirmed, written
    await preview(SDS_FILES.map((f) => path.join(EXAMPLES, 'import', 'sds', f)));
    expect(await page.locator('.wizard .report').getAttribute('data-errors')).toBe('0');
    // the administrator who set the school up is not staff: a staff file never lists her, and she stays
    expect(await page.locator('.wizard .counts').textContent()).toContain('To deactivate0');
    await shot('05-sds-preview-clean', 'the clean SDS preview');
    await confirm();
    expect(await page.locator('#result').textContent()).toContain('Created6');
    await shot('06-sds-imported', 'the SDS import result');

    // 5. the DSL named from the people just imported
    await setUpLink('Organisation');
    await page.locator('#organisation form').waitFor();
    await shot('07-organisation-form', 'the organisation page');
    const dsl = page.getByLabel('Designated Safeguarding Lead (DSL)');
    await dsl.selectOption({ label: 'David Hughes — d.hughes@riverside.example' });
    await page.getByLabel('Headteacher').selectOption({ label: 'Ruth Osei — r.osei@riverside.example' });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('#saved, #refused').first().waitFor();
    await shot('08-organisation-saved', 'the organisation page once saved');
    expect(await page.locator('#refused').count()).toBe(0);

    // 6. term dates from the council's .ics
    await setUpLink('Term dates');
    await page.locator('#ics').waitFor();
    await page.locator('#ics input[type="file"]').setInputFiles(path.join(EXAMPLES, 'term-dates-2026-27.ics'));
    await page.locator('#ics').getByRole('button', { name: 'Preview', exact: true }).click();
    await page.locator('#ics .report').waitFor({ timeout: 60_000 });
    expect(await page.locator('#ics .report').getAttribute('data-errors')).toBe('0');
    await shot('09-terms-preview', 'the term dates preview');
    await page.locator('#ics').getByRole('button', { name: 'Confirm import' }).click();
    await page.locator('#ics #result').waitFor({ timeout: 60_000 });
    await page.locator('.half-terms').filter({ hasText: 'Autumn 1' }).waitFor();
    // the form beside it shows the dates now stored
    await expect.poll(() => page.locator('#terms-form input[type="date"]').first().inputValue()).toBe('2026-09-02');
    await shot('10-terms-imported', 'the term dates calendar');

    // 7. the contracts
    await chooseImport(/contracts/i);
    await preview([path.join(EXAMPLES, 'import', 'contracts.csv')]);
    expect(await page.locator('.wizard .report').getAttribute('data-errors')).toBe('0');
    await shot('11-contracts-preview', 'the contracts preview');
    await confirm();
    expect(await page.locator('#result').textContent()).toContain('Created4');
    await shot('12-contracts-imported', 'the contracts import result');

    // 8. the checklist: running
    await setUpLink('Checklist');
    await page.locator('#checklist').waitFor();
    await page.locator('#ready').filter({ hasText: 'Supervision is running' }).waitFor();
    await shot('13-checklist-ready', 'the checklist once set up');

    // 9. the playground, as Sunil (a supervisee from the import): the clock moves to his first agenda prompt
    const sunilContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
    const sunil = await sunilContext.newPage();
    sunil.setDefaultTimeout(120_000);
    sunil.on('pageerror', (e) => {
      throw e;
    });
    await sunil.goto(`${bot.url}/playground/`);
    const option = sunil.locator('#person option').filter({ hasText: 'Sunil Patel' });
    await option.waitFor({ state: 'attached' });
    await sunil.selectOption('#person', (await option.getAttribute('value')) as string);
    await sunil.locator('#clock-now').filter({ hasText: '2026' }).waitFor();
    await shot('14-playground-sunil', 'the playground as Sunil', sunil);
    // both agree to the supervision agreement (white-laith B): Sunil, then Marta; the last Agree books the first session
    const agree = async (name: string, step: string) => {
      const who = sunil.locator('#person option').filter({ hasText: name });
      await who.waitFor({ state: 'attached' });
      await sunil.selectOption('#person', (await who.getAttribute('value')) as string);
      const card = sunil.locator('.entry[data-kind="agreement"]').filter({ hasText: 'Sunil Patel' }).last();
      await card.getByRole('button', { name: 'Agree' }).click();
      await sunil.locator('.entry').filter({ hasText: /You agreed on/ }).filter({ hasText: 'Sunil Patel' }).last().waitFor();
      await shot(step, `the supervision agreement agreed by ${name}`, sunil);
    };
    await agree('Sunil Patel', '14a-agreement-sunil');
    await agree('Marta Kowalska', '14b-agreement-marta');
    await sunil.selectOption('#person', (await option.getAttribute('value')) as string);
    const prompt = sunil.locator('.entry[data-kind="agenda-prompt"]').last();
    for (let i = 0; i < 20 && (await prompt.count()) === 0; i++) {
      await sunil.getByRole('button', { name: 'Advance to the next reminder' }).click();
      await sunil.locator('#clock-status').filter({ hasText: /reminders? fired|No reminders were due/ }).waitFor({ timeout: 60_000 });
      await sunil.waitForTimeout(500);
    }
    await prompt.waitFor({ timeout: 30_000 });
    expect(await prompt.textContent()).toContain('Your supervision with Marta Kowalska');
    await shot('15-first-agenda-prompt', 'the first agenda prompt', sunil);
    await sunilContext.close();
  }, 900_000);
});
