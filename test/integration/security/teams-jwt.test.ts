import type { Server } from 'node:http';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const APP_ID = '11111111-2222-4333-8444-555555555555';
const ISSUER = 'https://api.botframework.com';
const SERVICE_URL = 'https://smba.trafficmanager.net/uk/';
let w: World;
let bot: Bot;
let openid: Server;
let sign: (claims: { aud?: string; iss?: string; exp?: number; serviceurl?: string }, useStranger?: boolean) => Promise<string>;
let n = 0;

beforeAll(async () => {
  w = await createWorld('teams-jwt');
  w.clock.set(london('2025-11-10T12:00'));
  // a local stand-in for the Bot Framework's OpenID metadata and signing keys
  const trusted = await generateKeyPair('RS256');
  const stranger = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(trusted.publicKey)), kid: 'trusted-key', use: 'sig', alg: 'RS256', endorsements: ['msteams'] };
  const app = express();
  let base = '';
  app.get('/openid', (_req, res) => void res.json({ issuer: ISSUER, jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
  app.get('/keys', (_req, res) => void res.json({ keys: [jwk] }));
  openid = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(openid.address() as { port: number }).port}`;
  sign = async (claims, useStranger = false) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ serviceurl: claims.serviceurl ?? SERVICE_URL })
      .setProtectedHeader({ alg: 'RS256', kid: useStranger ? 'stranger-key' : 'trusted-key', typ: 'JWT' })
      .setIssuer(claims.iss ?? ISSUER)
      .setAudience(claims.aud ?? APP_ID)
      .setIssuedAt(now - 60)
      .setNotBefore(now - 60)
      .setExpirationTime(claims.exp ?? now + 600)
      .sign(useStranger ? stranger.privateKey : trusted.privateKey);
  };
  const config = loadConfig({
    MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent',
    MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-used-here', MicrosoftAppType: 'MultiTenant', BotOpenIdMetadata: `${base}/openid`,
  });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
});
afterAll(async () => {
  await bot?.stop();
  await new Promise<void>((r) => openid?.close(() => r()));
  await w?.close();
});

const invoke = (text: string) => ({
  type: 'invoke', name: 'adaptiveCard/action', id: `jwt-${++n}`, timestamp: new Date().toISOString(), channelId: 'msteams', serviceUrl: SERVICE_URL,
  from: { id: '29:amy', aadObjectId: 'aad-amy' }, conversation: { id: 'conv-amy', tenantId: 't1', conversationType: 'personal' }, recipient: { id: `28:${APP_ID}` },
  value: { action: { type: 'Action.Execute', verb: 'agenda.add', data: { text, category: 'organisational', riskOfHarm: 'false' } } },
});
async function post(token: string | null, text: string) {
  return fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(invoke(text)) });
}
const items = () => w.store.models.agendaItems.countDocuments();

describe('Teams in production mode: Bot Framework tokens', () => {
  it('a token signed by a trusted key, for this app, from the Bot Framework, is accepted', async () => {
    const before = await items();
    const res = await post(await sign({}), 'Workload in December');
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('Added 1 item');
    expect(await items()).toBe(before + 1);
  });

  it.each([
    ['no token', async () => null],
    ['a token for another app (audience)', async () => sign({ aud: '99999999-2222-4333-8444-555555555555' })],
    ['a token from another issuer', async () => sign({ iss: 'https://login.example.org' })],
    ['an expired token', async () => sign({ exp: Math.floor(Date.now() / 1000) - 3600 })],
    ['a token signed by an unknown key', async () => sign({}, true)],
    ['a token for another service URL', async () => sign({ serviceurl: 'https://evil.example.org/' })],
    ['a malformed token', async () => 'not.a.token'],
  ])('%s gets 401 and writes nothing', async (_name, token) => {
    const before = await items();
    const res = await post(await token(), 'Should never be stored');
    expect(res.status).toBe(401);
    expect(await items()).toBe(before);
  });
});
