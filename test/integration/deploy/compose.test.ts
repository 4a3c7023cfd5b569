import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '../../../src/config.js';

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as {
  services: Record<string, { command?: string[]; environment?: Record<string, string>; depends_on?: Record<string, unknown>; image?: string; ports?: string[] }>;
};

describe('docker-compose.yml', () => {
  it('is valid for docker-compose (checked offline)', () => {
    // Debian's docker-compose validates without a Docker engine; .ci/run installs it
    execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { env: { ...process.env, PATH: process.env.PATH } });
  });

  it('runs MongoDB 7 and Redis 7 with AOF everysec and noeviction, before the bot', () => {
    expect(compose.services.mongo?.image).toBe('mongo:7');
    expect(compose.services.redis?.image).toBe('redis:7');
    const redis = (compose.services.redis?.command ?? []).join(' ');
    expect(redis).toContain('--appendonly yes');
    expect(redis).toContain('--appendfsync everysec');
    expect(redis).toContain('--maxmemory-policy noeviction');
    expect(Object.keys(compose.services.bot?.depends_on ?? {}).sort()).toEqual(['mongo', 'redis']);
  });

  it('gives the bot only variables its configuration knows, and the configuration accepts them', () => {
    const env = compose.services.bot?.environment ?? {};
    const known = new Set(Object.keys(configSchema.shape));
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    const parsed = configSchema.safeParse({ ...env, PLAYGROUND: 'off', MicrosoftAppType: 'SingleTenant', DEFAULT_TIMEZONE: 'Europe/London', PUBLIC_BASE_URL: '', SLACK_SIGNING_SECRET: '', SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '', MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppTenantId: '', AUDIT_SIGNING_KEY: '' });
    expect(parsed.success).toBe(true);
  });

  it('runs the bot as a web process and a worker process from the same image', () => {
    expect(compose.services.bot?.environment?.ROLE).toBe('web');
    expect(compose.services.worker?.environment?.ROLE).toBe('worker');
    expect(compose.services.worker?.ports).toBeUndefined();
    expect(Object.keys(compose.services.worker?.depends_on ?? {}).sort()).toEqual(['mongo', 'redis']);
    const { ROLE: _web, ...web } = compose.services.bot?.environment ?? {};
    const { ROLE: _worker, ...worker } = compose.services.worker?.environment ?? {};
    expect(worker).toEqual(web);
  });
});
