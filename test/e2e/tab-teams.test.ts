/**
 * The dashboard as Teams shows it: framed by a host page, signed in with a Teams SSO token, in the Teams
 * theme, against a bot in production mode (no try-out identity). The Teams client SDK is stood in for by a
 * page script that answers `app.initialize`, `app.getContext` and `authentication.getAuthToken` as Teams
 * would; the token is a real RS256 JWT that the bot verifies against a local stand-in for Entra ID's keys.
 */
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../src/app/clock.js';
import { pageOf } from '../../src/app/content-out-of-chat.js';
import type { NotificationView } from '../../src/app/views.js';
import { type Bot, startBot } from '../../src/bot.js';
import { dashboardUrl } from '../../src/channels/content-guard.js';
import { loadConfig } from '../../src/config.js';
import { loadDemoSchool } from '../../src/demo/school.js';
import { createLogger } from '../../src/logger.js';
import { expectAccessible, launchBrowser, screenshot } from '../support/browser.js';
import { type EntraKeys, startEntraKeys } from '../support/entra.js';
import { london } from '../support/school.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../support/services.js';

const APP_ID = '11111111-2222-4333-8444-555555555555';
const AUDIENCE = `api://supervision.example.org/${APP_ID}`;
const TENANT = '00000000-0000-4000-8000-00000000d3e0';
const aad = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

let bot: Bot;
let browser: Browser;
let entra: EntraKeys;
const clock = new AdjustableClock();

beforeAll(async () => {
  clock.set(london('2026-11-23T09:00'));
  entra = await startEntraKeys();
  const config = loadConfig({
    MONGODB_URI: testMongoUrl('tab-teams'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent',
    MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-used-here', PUBLIC_BASE_URL: 'https://supervision.example.org', TAB_SSO_JWKS_URL: entra.jwksUrl,
  });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (rt) => void (await loadDemoSchool(rt.deps)) });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await bot?.stop();
  await entra?.close();
});

/** Opens the tab inside a Teams page, with Teams answering as `token` would sign in, in `theme`. */
async function openInTeams(
  token: string,
  theme: 'default' | 'dark' | 'contrast',
  viewport = { width: 1280, height: 900 },
  path = '/tab',
  subPageId?: string,
): Promise<{ page: Page; tab: Frame }> {
  const context = await browser.newContext({ viewport, locale: 'en-GB' });
  await context.addInitScript(
    ({ token, theme, subPageId }) => {
      const teams = {
        app: {
          initialize: () => Promise.resolve(),
          getContext: () => Promise.resolve({ app: { theme, locale: 'en-GB' }, page: { id: 'dsl-dashboard', ...(subPageId ? { subPageId } : {}) } }),
          registerOnThemeChangeHandler: () => undefined,
          notifySuccess: () => undefined,
        },
        authentication: { getAuthToken: () => Promise.resolve(token) },
      };
      // the SDK bundle the page loads assigns window.microsoftTeams; the stand-in stays in its place
      Object.defineProperty(window, 'microsoftTeams', { get: () => teams, set: () => undefined });
    },
    { token, theme, subPageId },
  );
  const page = await context.newPage();
  const logs: string[] = [];
  page.on('console', (m) => logs.push(m.text()));
  // Chromium will not let a public https page frame a loopback address, so the stand-in Teams page is
  // served on the bot's own origin (the tab's frame-ancestors allow 'self' as well as Teams' origins)
  const host = `${bot.url}/teams-host`;
  await page.route(host, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html><head><title>Microsoft Teams</title><style>body{margin:0;background:#ebebeb}iframe{display:block;width:100%;height:100vh;border:0}</style></head><body><iframe title="Supervision" src="${bot.url}${path}"></iframe></body></html>`,
    }),
  );
  await page.goto(host);
  const frame = page.frames().find((f) => f.url().startsWith(`${bot.url}/tab`));
  if (!frame) throw new Error(`the tab is not framed: ${page.frames().map((f) => f.url()).join(', ')} ${logs.join(' | ')}`);
  return { page, tab: frame };
}

describe('the dashboard inside Teams (production mode)', () => {
  it('signs the DSL in with the Teams SSO token and follows the Teams theme', async () => {
    const { page, tab } = await openInTeams(await entra.sign({ aud: AUDIENCE, oid: aad(1), tid: TENANT }), 'dark');
    await tab.locator('#overdue').waitFor();
    expect(await tab.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await tab.locator('.who strong').textContent()).toBe('Priya Shah');
    expect(await tab.locator('.banner').count()).toBe(0);
    expect(await tab.locator('#overdue table[data-section="sessions"] tr[data-person="farah"]').count()).toBe(1);
    expect(await tab.locator('#chart-card rect.bar-held').count()).toBeGreaterThan(0);
    await screenshot(page, 'tab-teams-01-dsl-dark');
    await expectAccessible(tab, 'tab-teams-01-dsl-dark');
    await page.context().close();
  });

  it('the drill-down and the record carry the token too', async () => {
    const { page, tab } = await openInTeams(await entra.sign({ aud: AUDIENCE, oid: aad(2), tid: TENANT }), 'default');
    await tab.locator('#staff a[href="#person/daniel"]').click();
    await tab.locator('#records tr[data-record]').first().waitFor();
    await tab.locator('#records a', { hasText: 'View' }).first().click();
    await tab.locator('#record-sheet').waitFor();
    expect(await tab.locator('#record-sheet').textContent()).toContain('Daniel Price');
    await page.context().close();
  });

  it("a chat message's deep link opens the record it names, not the tab's home", async () => {
    const daniel = (await bot.runtime.deps.records.forPerson('daniel')).find((r) => r.state === 'signed');
    expect(daniel).toBeDefined();
    // the link a Teams message carries when the school keeps content out of chat; Teams hands its sub-entity to the tab
    const link = new URL(dashboardUrl(bot.runtime.config, 'teams')(pageOf({ type: 'record-sheet', recordId: daniel?.id ?? '' } as NotificationView)));
    expect(link.pathname).toBe(`/l/entity/${APP_ID}/dsl-dashboard`);
    const { subEntityId } = JSON.parse(link.searchParams.get('context') ?? '{}') as { subEntityId?: string };
    expect(subEntityId).toBe(`record/${daniel?.id}`);
    const { page, tab } = await openInTeams(await entra.sign({ aud: AUDIENCE, oid: aad(2), tid: TENANT }), 'default', undefined, '/tab', subEntityId);
    await tab.locator('#record-sheet').waitFor();
    expect(await tab.locator('#record-sheet').textContent()).toContain('Daniel Price');
    await screenshot(page, 'tab-teams-deep-link-record');
    await page.context().close();
  });

  it('a supervisee signed in through Teams is refused, politely', async () => {
    const { page, tab } = await openInTeams(await entra.sign({ aud: AUDIENCE, oid: aad(7), tid: TENANT }), 'contrast');
    await tab.locator('.notice').waitFor();
    expect(await tab.locator('.notice h1').textContent()).toBe('This overview is for your safeguarding leads');
    // no try-out person picker inside Teams
    expect(await tab.locator('.notice button').count()).toBe(0);
    await screenshot(page, 'tab-teams-02-supervisee-refused-contrast');
    await expectAccessible(tab, 'tab-teams-02-supervisee-refused-contrast');
    await page.context().close();
  });

  it('a token the bot cannot accept shows a sign-in problem, not the data', async () => {
    const { page, tab } = await openInTeams(await entra.sign({ aud: 'api://elsewhere.example.org/x', oid: aad(1), tid: TENANT }), 'default');
    await tab.locator('.notice').waitFor();
    expect(await tab.locator('.notice h1').textContent()).toBe('We couldn’t sign you in');
    expect(await tab.locator('#overdue').count()).toBe(0);
    await screenshot(page, 'tab-teams-03-sign-in-problem');
    await expectAccessible(tab, 'tab-teams-03-sign-in-problem');
    await page.context().close();
  });

  it('My supervision is the personal tab for everyone: a supervisee in the dark theme, the DSL in high contrast', async () => {
    const amy = await openInTeams(await entra.sign({ aud: AUDIENCE, oid: aad(7), tid: TENANT }), 'dark', { width: 1280, height: 900 }, '/tab/me');
    await amy.tab.locator('#next-session').waitFor();
    expect(await amy.tab.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await amy.tab.locator('h1').textContent()).toBe('My supervision');
    expect(await amy.tab.locator('.who strong').textContent()).toBe('Amy Clarke');
    expect(await amy.tab.locator('.banner').count()).toBe(0);
    await screenshot(amy.page, 'tab-teams-04-my-supervision-dark');
    await expectAccessible(amy.tab, 'tab-teams-04-my-supervision-dark');
    await amy.page.context().close();
    const priya = await openInTeams(await entra.sign({ aud: AUDIENCE, oid: aad(1), tid: TENANT }), 'contrast', { width: 1280, height: 900 }, '/tab/me');
    await priya.tab.locator('#supervisees a[data-supervisee="tom"]').waitFor();
    // the lead moves between her own page and the overview
    expect(await priya.tab.locator('nav a[aria-current="page"]').textContent()).toBe('My supervision');
    await screenshot(priya.page, 'tab-teams-05-my-supervision-contrast');
    await expectAccessible(priya.tab, 'tab-teams-05-my-supervision-contrast');
    await priya.page.context().close();
  });
});
