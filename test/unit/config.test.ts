import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, slackEnabled, slackInstallEnabled } from '../../src/config.js';

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
  it('Outlook events need all three GRAPH_ variables, each checked, and default to Microsoft Graph', () => {
    expect(problems({ GRAPH_TENANT_ID: 'contoso.onmicrosoft.com' }).map((p) => p.split(':')[0]).sort()).toEqual(['GRAPH_CLIENT_ID', 'GRAPH_CLIENT_SECRET']);
    expect(problems({ GRAPH_TENANT_ID: 'contoso.onmicrosoft.com', GRAPH_CLIENT_ID: 'not-a-guid', GRAPH_CLIENT_SECRET: 's' })[0]).toMatch(/^GRAPH_CLIENT_ID: must be/);
    expect(problems({ GRAPH_BASE_URL: 'ftp://graph' })[0]).toMatch(/^GRAPH_BASE_URL: must be/);
    const c = loadConfig({ GRAPH_TENANT_ID: 'contoso.onmicrosoft.com', GRAPH_CLIENT_ID: '11111111-2222-4333-8444-555555555555', GRAPH_CLIENT_SECRET: 's' });
    expect(c.GRAPH_BASE_URL).toBe('https://graph.microsoft.com/v1.0');
    expect(loadConfig({}).GRAPH_TENANT_ID).toBeUndefined();
  });
  it('many Slack workspaces need the install flow’s three variables and the signing secret, instead of one bot token', () => {
    const install = { SLACK_SIGNING_SECRET: 's', SLACK_CLIENT_ID: '1234.5678', SLACK_CLIENT_SECRET: 'c', SLACK_STATE_SECRET: 'x'.repeat(32) };
    const c = loadConfig(install);
    expect(slackInstallEnabled(c)).toBe(true);
    expect(slackEnabled(c)).toBe(true);
    expect(problems({ SLACK_SIGNING_SECRET: 's', SLACK_CLIENT_ID: '1234.5678' }).map((p) => p.split(':')[0]).sort()).toEqual(['SLACK_BOT_TOKEN', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET']);
    expect(problems({ ...install, SLACK_CLIENT_ID: 'abc' })[0]).toMatch(/^SLACK_CLIENT_ID: must be the app’s client id/);
    expect(problems({ ...install, SLACK_STATE_SECRET: 'short' })[0]).toMatch(/^SLACK_STATE_SECRET: must be at least 32/);
    expect(problems({ ...install, SLACK_BOT_TOKEN: 'xoxb-1' })[0]).toMatch(/^SLACK_BOT_TOKEN: must not be set with SLACK_CLIENT_ID/);
    expect(problems({ ...install, SLACK_APP_TOKEN: 'xapp-1' })[0]).toMatch(/^SLACK_APP_TOKEN: must not be set/);
    expect(problems({ ...install, SLACK_SIGNING_SECRET: '' })[0]).toMatch(/^SLACK_SIGNING_SECRET: is required with SLACK_CLIENT_ID/);
    // one workspace, as before
    expect(slackInstallEnabled(loadConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' }))).toBe(false);
  });
});
