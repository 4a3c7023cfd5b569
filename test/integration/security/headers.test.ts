/**
 * Security headers on every route family, through the real server: the playground page, the Teams tab and its
 * API, the setup page, calendar feeds, Slack's and Teams' endpoints and `/healthz`. Each HTML page has its own
 * Content-Security-Policy; everything else the strict default. Only the tab may be framed, and only by Teams and
 * Office. HSTS when the public address is https, or when a trusted proxy says the request came over https.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { DEFAULT_CSP, HSTS } from '../../../src/web/security-headers.js';
import { recordFreeText } from '../../support/free-text.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';

let https: Bot;
let http: Bot;
const urls: string[] = [];

async function start(name: string, publicBaseUrl: string): Promise<Bot> {
  const url = testMongoUrl(name);
  urls.push(url);
  return startBot(loadConfig({ MONGODB_URI: url, REDIS_URL: testRedisUrl(), PORT: '0', LOG_LEVEL: 'silent', QUEUE_PREFIX: testQueuePrefix(), PLAYGROUND: 'on', PUBLIC_BASE_URL: publicBaseUrl }), createLogger('silent'));
}

beforeAll(async () => {
  https = await start('headers_https', 'https://supervision.example.org');
  http = await start('headers_http', '');
}, 120_000);

afterAll(async () => {
  await https?.stop();
  await http?.stop();
  for (const url of urls) {
    const conn = await mongoose.createConnection(url).asPromise();
    await recordFreeText(conn);
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  }
});

const directives = (csp: string | null) => new Map((csp ?? '').split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k as string, v]));

const FAMILIES: Array<{ family: string; method?: string; path: string; html: boolean; framedByTeams?: boolean }> = [
  { family: 'playground page', path: '/playground/', html: true },
  { family: 'playground API', path: '/playground/api/people', html: false },
  { family: 'Teams tab page', path: '/tab', html: true, framedByTeams: true },
  { family: 'dashboard page', path: '/tab/me', html: true, framedByTeams: true },
  { family: 'dashboard API', path: '/tab/api/me', html: false, framedByTeams: true },
  { family: 'setup page (admin)', path: '/setup/not-a-real-secret-0000000000000000', html: true },
  { family: 'calendar feed', path: '/calendar/not-a-secret.ics', html: false },
  { family: 'Teams messaging endpoint', method: 'POST', path: '/api/messages', html: false },
  { family: 'Slack events endpoint', method: 'POST', path: '/slack/events', html: false },
  { family: 'health check', path: '/healthz', html: false },
  { family: 'unknown route', path: '/no/such/page', html: false },
];

describe('security headers', () => {
  it.each(FAMILIES)('$family: nosniff, no referrer, HSTS behind https, a CSP, framing only where Teams needs it', async ({ path, method, html, framedByTeams }) => {
    const res = await fetch(`${https.url}${path}`, { method: method ?? 'GET', redirect: 'manual', ...(method === 'POST' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}) });
    expect(res.status, path).toBeLessThan(500);
    const h = res.headers;
    expect(h.get('x-content-type-options')).toBe('nosniff');
    expect(h.get('referrer-policy')).toBe('no-referrer');
    expect(h.get('strict-transport-security')).toBe(HSTS);
    expect(h.get('x-powered-by')).toBeNull();
    const csp = directives(h.get('content-security-policy'));
    if (framedByTeams) {
      expect(csp.get('frame-ancestors')).toEqual(expect.arrayContaining(["'self'", 'https://teams.microsoft.com']));
      expect(csp.get('frame-ancestors')).not.toContain('*');
      expect(h.get('x-frame-options')).toBeNull();
    } else {
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(h.get('x-frame-options')).toBe('DENY');
    }
    if (html && res.status === 200) {
      expect(h.get('content-type')).toMatch(/^text\/html/);
      // a page's scripts are its own files; nothing inline runs
      expect(csp.get('script-src') ?? csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('object-src') ?? csp.get('default-src')).toEqual(expect.arrayContaining([expect.stringMatching(/'none'|'self'/)]));
      expect(csp.get('base-uri')).toEqual(["'none'"]);
    }
    if (!html) expect(h.get('content-security-policy')).toBe(framedByTeams ? h.get('content-security-policy') : DEFAULT_CSP);
  });

  it('the dashboard page carries a fresh nonce for its styles on every response', async () => {
    const a = directives((await fetch(`${https.url}/tab`)).headers.get('content-security-policy')).get('style-src') ?? [];
    const b = directives((await fetch(`${https.url}/tab`)).headers.get('content-security-policy')).get('style-src') ?? [];
    const nonce = (l: string[]) => l.find((v) => v.startsWith("'nonce-"));
    expect(nonce(a)).toBeDefined();
    expect(nonce(a)).not.toBe(nonce(b));
  });

  it('no HSTS over plain http, unless a trusted proxy (loopback) says the request came over https', async () => {
    expect((await fetch(`${http.url}/healthz`)).headers.get('strict-transport-security')).toBeNull();
    expect((await fetch(`${http.url}/tab`)).headers.get('strict-transport-security')).toBeNull();
    const proxied = await fetch(`${http.url}/healthz`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.headers.get('strict-transport-security')).toBe(HSTS);
    // the other headers are there over http too
    expect((await fetch(`${http.url}/playground/`)).headers.get('x-content-type-options')).toBe('nosniff');
  });
});
