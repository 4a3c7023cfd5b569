/**
 * The DSL dashboard in a real browser (Debian's Chromium): the demo school, one overdue person supervised and
 * their record signed by both through the command queue, then the DSL's view of it, a drill-down, the print
 * view, a phone-width view, and a supervisee refused. Each step leaves a screenshot in test-output/screenshots/.
 */
import type { Browser, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../src/app/clock.js';
import type { Command } from '../../src/app/commands.js';
import { recordIdFor } from '../../src/app/records.js';
import { type Bot, startBot } from '../../src/bot.js';
import { loadConfig } from '../../src/config.js';
import { loadDemoSchool } from '../../src/demo/school.js';
import { createLogger } from '../../src/logger.js';
import { expectAccessible, launchBrowser, screenshot } from '../support/browser.js';
import { london } from '../support/school.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../support/services.js';

let bot: Bot;
let browser: Browser;
let recordId = '';
const clock = new AdjustableClock();
let n = 0;

async function run(type: Command['type'], actorId: string, input: Record<string, unknown>) {
  const outcome = await bot.runtime.queues.dispatchAndWait({ commandId: `e2e-tab-${++n}`, type, actorId, input }, 30_000);
  if (outcome === 'pending' || !outcome.ok) throw new Error(`${type} by ${actorId} did not succeed: ${JSON.stringify(outcome)}`);
  return outcome;
}

beforeAll(async () => {
  // a Monday in the demo school's autumn term, so the story does not depend on the day the suite runs
  clock.set(london('2026-11-23T09:00'));
  const config = loadConfig({ MONGODB_URI: testMongoUrl('tab-e2e'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (rt) => void (await loadDemoSchool(rt.deps)) });
  browser = await launchBrowser();

  // Ben's supervision had lapsed: James holds his next session, writes the record, and both confirm it
  const deps = bot.runtime.deps;
  const session = await deps.sessions.nextScheduled('c-ben', clock.now());
  if (!session) throw new Error('the demo school should have booked Ben a session');
  clock.set(new Date(session.startsAt.getTime() + 75 * 60_000));
  await run('draftRecord', 'james', {
    sessionId: session.id,
    topics: ['impact-on-individual', 'performance'],
    notes: 'Caught up after the gap in supervision; caseload reviewed and workload agreed.',
    concerns: [{ text: 'Two Year 5 children’s attendance has dropped since half term.', riskOfHarm: false }],
    caseDecisions: [{ childRef: 'Y5-KM', decision: 'Early help assessment', rationale: 'Attendance under 90% and a parent asking for support', followUpById: 'ben' }],
    actions: [{ text: 'Book a meeting with the attendance officer', ownerId: 'ben', dueDate: '2026-12-01' }],
    submit: true,
  });
  recordId = recordIdFor(session.id);
  await run('confirmRecord', 'james', { recordId });
  await run('confirmRecord', 'ben', { recordId });
  expect((await deps.records.latest(recordId))?.state).toBe('signed');
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

describe('the DSL dashboard in Chromium', () => {
  it('the DSL sees the overdue list without the person just supervised, the chart and the rates', async () => {
    const page = await open('/tab?as=priya');
    await page.locator('#overdue').waitFor();
    const sessions = page.locator('#overdue table[data-section="sessions"]');
    await expect(sessions.locator('tr[data-person="farah"]').count()).resolves.toBe(1);
    await expect(sessions.locator('tr[data-person="ben"]').count()).resolves.toBe(0);
    // the chart: an accessible SVG with a bar per half term for due and for held
    const chart = page.locator('#chart-card svg.chart');
    await expect(chart.getAttribute('role')).resolves.toBe('img');
    await expect(chart.locator('title').first().textContent()).resolves.toContain('Sessions held and due');
    const held = await chart.locator('rect.bar-held').count();
    expect(held).toBeGreaterThan(0);
    expect(await chart.locator('rect.bar-due').count()).toBe(held);
    const heights = await chart.locator('rect.bar-held').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
    expect(heights.some((h) => h > 10)).toBe(true);
    for (const id of ['#kpi-ontime', '#kpi-signed', '#kpi-actions']) expect(await page.locator(`${id} .value`).textContent()).toMatch(/^\d{1,3}%$/);
    expect(await page.locator('#kpi-overdue .value').textContent()).toMatch(/^\d+$/);
    expect(await page.locator('.brand-org').textContent()).toBe('Meadowbank Primary School');
    await screenshot(page, 'tab-01-dsl-overview');
    await expectAccessible(page, 'tab-01-dsl-overview');
    // printed for a governors' report: the figures (with their table) and the list, without the page's controls
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#chart-card table').isVisible()).toBe(true);
    expect(await page.locator('.toolbar').isVisible()).toBe(false);
    await screenshot(page, 'tab-01-dsl-overview-printed');
    await page.context().close();
  });

  it('the CSV export downloads the overdue list', async () => {
    const page = await open('/tab?as=priya');
    await page.locator('#export-overdue').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-overdue')]);
    expect(download.suggestedFilename()).toMatch(/^overdue-\d{4}-\d{2}-\d{2}\.csv$/);
    const chunks: Buffer[] = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toContain('"Farah Khan"');
    expect(text).not.toMatch(/"Supervision overdue","Ben Hughes"/);
    await page.context().close();
  });

  it('drills down to a person’s history and the records the DSL may open', async () => {
    const page = await open('/tab?as=priya');
    await page.locator('#staff a[href="#person/ben"]').click();
    await page.locator('#records').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Ben Hughes');
    expect(await page.locator(`#records tr[data-record="${recordId}"]`).count()).toBe(1);
    await screenshot(page, 'tab-02-person-history');
    await expectAccessible(page, 'tab-02-person-history');
    await page.locator(`#records tr[data-record="${recordId}"] a`, { hasText: 'View' }).click();
    await page.locator('#record-sheet').waitFor();
    expect(await page.locator('#record-sheet').textContent()).toContain('Signed by both on');
    await page.context().close();
  });

  it('prints the record as a clean A4 page for inspection', async () => {
    const page = await open(`/tab/records/${recordId}/print?as=priya`);
    await page.locator('#record-sheet').waitFor();
    const sheet = await page.locator('#record-sheet').textContent();
    for (const text of ['Supervision record', 'Ben Hughes', 'James Whitfield', 'Y5-KM', 'Book a meeting with the attendance officer', 'Signed by both on', 'Tue 1 Dec 2026']) expect(sheet).toContain(text);
    await screenshot(page, 'tab-03-record-print-view');
    await expectAccessible(page, 'tab-03-record-print-view');
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, 'tab-04-record-as-printed');
    expect(await page.locator('.topbar').isVisible()).toBe(false);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    await page.context().close();
  });

  it('works on a phone-width screen (375 px)', async () => {
    const page = await open('/tab?as=priya', { width: 375, height: 812 });
    await page.locator('#overdue').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'tab-05-dsl-overview-375px');
    await expectAccessible(page, 'tab-05-dsl-overview-375px');
    await page.context().close();
  });

  it('a supervisee opening the tab is refused, politely', async () => {
    const page = await open('/tab?as=amy');
    await page.locator('.notice').waitFor();
    expect(await page.locator('.notice h1').textContent()).toBe('This overview is for your safeguarding leads');
    expect(await page.locator('#overdue').count()).toBe(0);
    expect(await page.content()).not.toContain('Farah Khan');
    await screenshot(page, 'tab-06-supervisee-refused');
    await expectAccessible(page, 'tab-06-supervisee-refused');
    await page.context().close();
  });

  it('a supervisee opening someone else’s record is told they cannot, and sees none of it', async () => {
    const page = await open(`/tab/records/${recordId}/print?as=amy`);
    await page.locator('.notice').waitFor();
    expect(await page.locator('.notice h1').textContent()).toBe('You can’t open this');
    expect(await page.content()).not.toContain('Y5-KM');
    await screenshot(page, 'tab-07-record-refused');
    await expectAccessible(page, 'tab-07-record-refused');
    await page.context().close();
  });

  it('an auditor finds a person and opens their signed records only', async () => {
    const page = await open('/tab?as=olivia');
    await page.locator('#staff').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Supervision records');
    expect(await page.locator('#overdue').count()).toBe(0);
    await screenshot(page, 'tab-08-auditor-records');
    await expectAccessible(page, 'tab-08-auditor-records');
    await page.locator('#staff a[href="#person/daniel"]').click();
    await page.locator('#records').waitFor();
    const states = await page.locator('#records tr[data-record] .chip').allTextContents();
    expect(states.length).toBeGreaterThan(0);
    expect(new Set(states)).toEqual(new Set(['Signed by both']));
    await screenshot(page, 'tab-09-auditor-history');
    await expectAccessible(page, 'tab-09-auditor-history');
    await page.context().close();
  });

  it('follows the Teams dark theme', async () => {
    const page = await open('/tab?as=priya');
    await page.locator('#overdue').waitFor();
    // the theme Teams reports through app.getContext() is applied as data-theme on the page
    await page.evaluate(() => {
      document.documentElement.dataset.theme = 'dark';
    });
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(31, 31, 31)');
    await screenshot(page, 'tab-10-dsl-overview-dark');
    await expectAccessible(page, 'tab-10-dsl-overview-dark');
    await page.context().close();
  });

  it('without a chosen person, the local try-out asks who you are', async () => {
    const page = await open('/tab');
    await page.locator('.picker').waitFor();
    await screenshot(page, 'tab-11-local-person-picker');
    await expectAccessible(page, 'tab-11-local-person-picker');
    await page.locator('button[data-person="priya"]').click();
    await page.locator('#overdue').waitFor();
    await page.context().close();
  });

  it('My supervision: a supervisee’s next session and agenda, their late action and their history', async () => {
    const page = await open('/tab/me?as=amy');
    await page.locator('#next-session').waitFor();
    expect(await page.locator('h1').textContent()).toBe('My supervision');
    expect(await page.locator('#next-session').textContent()).toContain('James Whitfield');
    expect(await page.locator('#actions li').filter({ hasText: 'Late' }).count()).toBeGreaterThan(0);
    expect(await page.locator('#history tr[data-record]').count()).toBeGreaterThan(0);
    expect(await page.locator('#supervisees').count()).toBe(0);
    expect(await page.locator('nav a[aria-current="page"]').count()).toBe(0);
    await screenshot(page, 'tab-12-my-supervision');
    await expectAccessible(page, 'tab-12-my-supervision');
    // a record in the history opens as the sheet
    await page.locator('#history tr[data-record] a').first().click();
    await page.locator('#record-sheet').waitFor();
    expect(await page.locator('#record-sheet').textContent()).toContain('Amy Clarke');
    await page.context().close();
  });

  it('My supervision: the supervisor opens a supervisee’s page and sees the record waiting for them', async () => {
    const page = await open('/tab/me?as=james');
    await page.locator('#supervisees').waitFor();
    expect((await page.locator('#supervisees a[data-supervisee]').evaluateAll((as) => as.map((a) => a.getAttribute('data-supervisee')))).sort()).toEqual(['amy', 'ben', 'chloe', 'daniel']);
    await screenshot(page, 'tab-13-my-supervision-supervisor');
    await expectAccessible(page, 'tab-13-my-supervision-supervisor');
    await page.locator('#supervisees a[data-supervisee="daniel"]').click();
    await page.locator('h1', { hasText: 'Daniel Price' }).waitFor();
    expect(await page.locator('#waiting li[data-record]').count()).toBe(1);
    expect(await page.locator('#waiting').textContent()).toContain('Waiting for their confirmation');
    await screenshot(page, 'tab-14-supervisee-page');
    await expectAccessible(page, 'tab-14-supervisee-page');
    await page.context().close();
  });

  it('My supervision: someone who is not their supervisor cannot open a person’s page', async () => {
    const page = await open('/tab/me?as=aisha#supervisee/daniel');
    await page.locator('.notice').waitFor();
    expect(await page.locator('.notice h1').textContent()).toBe('You can’t open this');
    expect(await page.content()).not.toContain('Daniel Price');
    await page.context().close();
  });

  it('My supervision: from the refusal of the overview, at phone width and in the dark theme', async () => {
    const page = await open('/tab?as=amy', { width: 375, height: 812 });
    await page.locator('.notice').waitFor();
    await page.getByRole('link', { name: 'Open My supervision' }).click();
    await page.locator('#next-session').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'tab-15-my-supervision-375px');
    await expectAccessible(page, 'tab-15-my-supervision-375px');
    await page.evaluate(() => {
      document.documentElement.dataset.theme = 'dark';
    });
    // Fluent's theme follows the page's: its provider's text colour is the dark theme's
    await expect.poll(() => page.evaluate(() => getComputedStyle(document.querySelector('.fluent-root') as Element).color)).toBe('rgb(255, 255, 255)');
    await screenshot(page, 'tab-16-my-supervision-375px-dark');
    await expectAccessible(page, 'tab-16-my-supervision-375px-dark');
    await page.context().close();
  });

  it('Set-up: the DSL sees the checklist, and a supervisee is not offered it', async () => {
    const page = await open('/tab?as=priya#admin');
    await page.locator('#checklist').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Set-up');
    expect(await page.locator('#checklist li[data-item="dsl"]').getAttribute('class')).toBe('done');
    expect(await page.locator('#checklist li[data-item="term-dates"]').getAttribute('class')).toBe('done');
    expect(await page.locator('#ready').textContent()).toContain('Supervision is running');
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Set-up');
    await screenshot(page, 'tab-17-setup-checklist');
    await expectAccessible(page, 'tab-17-setup-checklist');
    await page.setViewportSize({ width: 375, height: 812 });
    await screenshot(page, 'tab-18-setup-checklist-375px');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await page.context().close();
    const amy = await open('/tab/me?as=amy');
    await amy.locator('#next-session').waitFor();
    expect(await amy.locator('nav a', { hasText: 'Set-up' }).count()).toBe(0);
    await amy.goto(`${bot.url}/tab#admin`);
    await amy.locator('.notice').waitFor();
    expect(await amy.content()).not.toContain('Checklist');
    await amy.context().close();
  });

  it('Set-up: the term dates of the school year as a calendar, light and dark', async () => {
    const page = await open('/tab?as=priya#admin/terms/2026');
    await page.locator('#calendar table.month').first().waitFor();
    expect(await page.locator('h1').textContent()).toBe('Term dates 2026/27');
    expect(await page.locator('#calendar table.month').count()).toBe(12);
    expect(await page.locator('#calendar table.month').first().locator('caption').textContent()).toBe('September 2026');
    expect(await page.locator('td.day.term').count()).toBeGreaterThan(150);
    expect(await page.locator('td.day.bank[data-day="2026-12-25"]').count()).toBe(1);
    await screenshot(page, 'tab-19-term-dates-calendar');
    await expectAccessible(page, 'tab-19-term-dates-calendar');
    await page.evaluate(() => {
      document.documentElement.dataset.theme = 'dark';
    });
    await screenshot(page, 'tab-20-term-dates-calendar-dark');
    await expectAccessible(page, 'tab-20-term-dates-calendar-dark');
    await page.context().close();
  });

  it('Set-up: the import wizard previews a bad file with its problems, then a good one, confirms it and shows the result', async () => {
    const page = await open('/tab?as=priya#admin/import');
    await page.locator('#wizard').waitFor();
    await page.getByLabel('What the file holds').selectOption('terms-ics');
    const file = page.locator('#wizard input[type="file"]');
    // not a calendar at all: refused, with the file named, and nothing can be confirmed
    await file.setInputFiles({ name: 'terms.ics', mimeType: 'text/calendar', buffer: Buffer.from('this is not a calendar\r\n') });
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.locator('#wizard #errors tbody tr').first().waitFor();
    expect(await page.locator('#wizard #errors tbody tr').first().textContent()).toContain('terms.ics');
    expect(await page.getByRole('button', { name: 'Confirm import' }).isDisabled()).toBe(true);
    await screenshot(page, 'tab-21-import-preview-with-errors');
    await expectAccessible(page, 'tab-21-import-preview-with-errors');
    // the shipped example: a clean preview, then confirmed
    await file.setInputFiles({ name: 'term-dates-2026-27.ics', mimeType: 'text/calendar', buffer: readFileSync('examples/term-dates-2026-27.ics') });
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.locator('#wizard .report[data-errors="0"]').waitFor();
    await screenshot(page, 'tab-22-import-preview-clean');
    await expectAccessible(page, 'tab-22-import-preview-clean');
    await page.getByRole('button', { name: 'Confirm import' }).click();
    await page.locator('#wizard #result').waitFor();
    expect(await page.locator('#wizard .wizard').getAttribute('data-step')).toBe('done');
    await screenshot(page, 'tab-23-import-result');
    await expectAccessible(page, 'tab-23-import-result');
    // the same file again changes nothing
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.locator('#wizard .report[data-errors="0"]').waitFor();
    const counts = await page.locator('#wizard .report .counts dd').allTextContents();
    expect(counts[0]).toBe('0');
    expect(counts[1]).toBe('0');
    await page.context().close();
  });

  it('Set-up: staff from the staff template — a bad row named by row and column, then the shipped example confirmed with its progress and result', async () => {
    const page = await open('/tab?as=priya#admin/import');
    await page.locator('#wizard').waitFor();
    await page.getByLabel('What the file holds').selectOption('staff');
    const file = page.locator('#wizard input[type="file"]');
    const bad = 'name,email,roles,line_manager_email,slack_user_id,teams_aad_object_id\r\nRowan Vale,r.vale@riverside.example,wizard,,,\r\n';
    await file.setInputFiles({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByRole('button', { name: 'Preview' }).click();
    const problem = page.locator('#wizard #errors tbody tr').first();
    await problem.waitFor();
    const cells = await problem.locator('td').allTextContents();
    expect(cells[0]).toBe('staff.csv');
    expect(cells[1]).toBe('2');
    expect(cells[2]).toBe('roles');
    expect(await page.getByRole('button', { name: 'Confirm import' }).isDisabled()).toBe(true);
    await screenshot(page, 'tab-24-staff-import-preview-with-errors');
    await expectAccessible(page, 'tab-24-staff-import-preview-with-errors');
    await file.setInputFiles({ name: 'staff.csv', mimeType: 'text/csv', buffer: readFileSync('examples/import/staff.csv') });
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.locator('#wizard .report[data-errors="0"]').waitFor();
    const toCreate = Number(await page.locator('#wizard .report .counts dd').first().textContent());
    expect(toCreate).toBeGreaterThan(0);
    await screenshot(page, 'tab-25-staff-import-preview');
    await expectAccessible(page, 'tab-25-staff-import-preview');
    await page.getByRole('button', { name: 'Confirm import' }).click();
    await page.locator('#wizard #result').waitFor();
    expect(Number(await page.locator('#wizard #result .counts dd').first().textContent())).toBe(toCreate);
    await screenshot(page, 'tab-26-staff-import-result');
    await expectAccessible(page, 'tab-26-staff-import-result');
    await page.context().close();
  });

  it('Set-up: people not reachable in chat, searched and filtered (after the staff import above)', async () => {
    const page = await open('/tab?as=priya#admin/people');
    await page.locator('#people').waitFor();
    await page.getByLabel('Search by name or email').fill('kowalska');
    const rows = page.locator('#people-table tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-kind')).toBe('unlinked');
    expect(await rows.first().textContent()).toContain('Marta Kowalska');
    await page.getByRole('button', { name: 'One platform only' }).click();
    await expect.poll(() => rows.count()).toBe(0);
    await page.getByRole('button', { name: 'Not linked' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    await screenshot(page, 'tab-27-people-not-linked');
    await expectAccessible(page, 'tab-27-people-not-linked');
    await page.context().close();
  });
});
