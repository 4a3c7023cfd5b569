import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe('configuration', () => {
  it('an empty environment gives the local defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3978, HOST: '127.0.0.1', DEFAULT_TIMEZONE: 'Europe/London', PLAYGROUND: true });
  });
  it('a bad value names the variable', () => {
    expect(problems({ REDIS_URL: 'http://x' })).toEqual(['REDIS_URL: must be a redis:// URL']);
    expect(problems({ PORT: 'eighty' })[0]).toMatch(/^PORT:/);
    expect(problems({ DEFAULT_TIMEZONE: 'Mars/Olympus' })[0]).toMatch(/^DEFAULT_TIMEZONE: must be an IANA/);
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1' })[0]).toMatch(/^SLACK_SIGNING_SECRET:/);
    expect(problems({ MicrosoftAppId: 'abc', MicrosoftAppType: 'SingleTenant', MicrosoftAppPassword: 'p' })[0]).toMatch(/^MicrosoftAppTenantId:/);
  });
  it('every bad variable is named at once', () => {
    expect(problems({ MONGODB_URI: 'postgres://x', LOG_LEVEL: 'loud' }).map((p) => p.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'MONGODB_URI']);
  });
});
