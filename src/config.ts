/**
 * The environment, validated once at start-up. A bad value stops the process with a message naming the
 * variable; nothing starts half-configured.
 */
import { z } from 'zod';
import { loadAuditKey } from './app/evidence/keys.js';
import { masterKeyFromEnvironment } from './store/encryption.js';

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const onOff = z
  .enum(['on', 'off', 'true', 'false', '1', '0'])
  .transform((v) => v === 'on' || v === 'true' || v === '1');

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const url = (protocols: string[], hint: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .refine((v) => v === undefined || protocols.some((p) => v.startsWith(p)), { message: `must be a ${hint} URL` });

export const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0, 'must be a port number (0 picks a free one)').max(65535).default(3978),
    HOST: z.string().default('127.0.0.1'),
    MONGODB_URI: url(['mongodb://', 'mongodb+srv://'], 'mongodb://'),
    REDIS_URL: url(['redis://', 'rediss://'], 'redis://'),
    DEFAULT_TIMEZONE: z.string().default('Europe/London').refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/London' }),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    PUBLIC_BASE_URL: url(['http://', 'https://'], 'http(s)://'),
    PLAYGROUND: onOff.default(true),
    QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only').default('supervision'),
    /** What this process runs: `web` acknowledges and enqueues, `worker` runs the queues, `all` both (one process). */
    ROLE: z.enum(['all', 'web', 'worker'], { message: 'must be all, web or worker' }).default('all'),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(20),
    SLACK_SIGNING_SECRET: optionalText,
    SLACK_BOT_TOKEN: optionalText.refine((v) => v === undefined || v.startsWith('xoxb-'), { message: 'must be a bot token (xoxb-…)' }),
    SLACK_APP_TOKEN: optionalText.refine((v) => v === undefined || v.startsWith('xapp-'), { message: 'must be an app-level token (xapp-…)' }),
    SLACK_API_URL: url(['http://', 'https://'], 'http(s)://'),
    /** Slack's OAuth install flow for many workspaces (Basic Information → App Credentials): all three, or none; instead of SLACK_BOT_TOKEN. */
    SLACK_CLIENT_ID: optionalText.refine((v) => v === undefined || /^\d+\.\d+$/.test(v), { message: 'must be the app’s client id (digits, a dot, digits)' }),
    SLACK_CLIENT_SECRET: optionalText,
    /** Signs the install flow's state (any long random text, e.g. openssl rand -hex 32). */
    SLACK_STATE_SECRET: optionalText.refine((v) => v === undefined || v.length >= 32, { message: 'must be at least 32 characters of random text (openssl rand -hex 32)' }),
    MicrosoftAppId: optionalText,
    MicrosoftAppPassword: optionalText,
    MicrosoftAppType: z.enum(['SingleTenant', 'MultiTenant', 'UserAssignedMSI']).default('MultiTenant'),
    MicrosoftAppTenantId: optionalText,
    MicrosoftAppCertificateThumbprint: optionalText,
    MicrosoftAppCertificatePrivateKey: optionalText,
    /** Where the Bot Framework publishes its token signing keys (botbuilder's own setting; leave unset in production). */
    BotOpenIdMetadata: url(['https://', 'http://'], 'http(s)://'),
    /** Where Entra ID publishes the keys that sign the tab's Teams SSO tokens (leave unset in production). */
    TAB_SSO_JWKS_URL: url(['https://', 'http://'], 'http(s)://'),
    /** The Ed25519 key that signs the audit chain's head (PEM, PKCS#8), kept outside the database: a file or the environment. */
    AUDIT_SIGNING_KEY: optionalText,
    AUDIT_SIGNING_KEY_FILE: optionalText,
    /** Only the public key (PEM, SPKI): this process checks checkpoints and signs none. */
    AUDIT_PUBLIC_KEY_FILE: optionalText,
    /** Minutes between signed checkpoints of each organisation's audit chain (also signed at every export). */
    AUDIT_ANCHOR_MINUTES: z.coerce.number({ message: 'must be a number of minutes' }).int('must be a whole number of minutes').min(1, 'must be 1 to 1440').max(1440, 'must be 1 to 1440').default(60),
    /** `production` requires DATA_MASTER_KEY_FILE or DATA_MASTER_KEY; elsewhere a development key is generated into the data directory. */
    NODE_ENV: optionalText,
    /** The master key (32 bytes, base64 or hex) that wraps each organisation's data key for the text stored in MongoDB: a file, or the value. */
    DATA_MASTER_KEY_FILE: optionalText,
    DATA_MASTER_KEY: optionalText,
    /** Outlook events through Microsoft Graph (application permission Calendars.ReadWrite): all three, or none. */
    GRAPH_TENANT_ID: optionalText.refine((v) => v === undefined || /^[A-Za-z0-9.-]{1,100}$/.test(v), { message: 'must be the Entra tenant id (a GUID) or its domain' }),
    GRAPH_CLIENT_ID: optionalText.refine((v) => v === undefined || /^[0-9a-fA-F-]{36}$/.test(v), { message: 'must be the app registration’s client id (a GUID)' }),
    GRAPH_CLIENT_SECRET: optionalText,
    /** Microsoft Graph's address (tests point it at a local stand-in). */
    GRAPH_BASE_URL: url(['https://', 'http://'], 'http(s)://').transform((v) => (v ?? 'https://graph.microsoft.com/v1.0').replace(/\/+$/, '')),
    /** The Teams app's id in the organisation's app catalog: with GRAPH_*, the app is installed through Graph for people in no team with it. */
    TEAMS_APP_CATALOG_ID: optionalText.refine((v) => v === undefined || /^[0-9a-fA-F-]{36}$/.test(v), { message: 'must be the app’s id in the Teams app catalog (a GUID)' }),
    /** Entra's token endpoint; defaults to login.microsoftonline.com for GRAPH_TENANT_ID (tests point it at a local stand-in). */
    GRAPH_TOKEN_URL: url(['https://', 'http://'], 'http(s)://'),
  })
  .superRefine((c, ctx) => {
    if (c.SLACK_BOT_TOKEN && !c.SLACK_SIGNING_SECRET && !c.SLACK_APP_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'is required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN for Socket Mode)' });
    }
    const oauth = [c.SLACK_CLIENT_ID, c.SLACK_CLIENT_SECRET, c.SLACK_STATE_SECRET];
    if (oauth.some(Boolean) && !oauth.every(Boolean)) {
      for (const [name, value] of [['SLACK_CLIENT_ID', c.SLACK_CLIENT_ID], ['SLACK_CLIENT_SECRET', c.SLACK_CLIENT_SECRET], ['SLACK_STATE_SECRET', c.SLACK_STATE_SECRET]] as const) {
        if (!value) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when any of SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET is set (the install flow needs all three)' });
      }
    }
    const installed = oauth.every(Boolean);
    if (installed && c.SLACK_BOT_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'must not be set with SLACK_CLIENT_ID: one workspace uses SLACK_BOT_TOKEN, many use the install flow, not both' });
    }
    if (installed && c.SLACK_APP_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_APP_TOKEN'], message: 'must not be set with SLACK_CLIENT_ID: the install flow needs the HTTP endpoints (/slack/install, /slack/oauth_redirect)' });
    }
    if (installed && !c.SLACK_SIGNING_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'is required with SLACK_CLIENT_ID' });
    }
    if ((c.SLACK_SIGNING_SECRET || c.SLACK_APP_TOKEN) && !c.SLACK_BOT_TOKEN && !installed) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'is required when Slack is configured (or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET for the install flow)' });
    }
    if (c.MicrosoftAppId && c.MicrosoftAppType !== 'UserAssignedMSI' && !c.MicrosoftAppPassword && !c.MicrosoftAppCertificatePrivateKey) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppPassword'], message: 'is required with MicrosoftAppId (or a certificate, or MicrosoftAppType=UserAssignedMSI)' });
    }
    for (const name of ['AUDIT_SIGNING_KEY', 'AUDIT_SIGNING_KEY_FILE', 'AUDIT_PUBLIC_KEY_FILE'] as const) {
      if (!c[name]) continue;
      try {
        loadAuditKey({ [name]: c[name] });
      } catch (error) {
        const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'names a file that does not exist' : `is not a usable Ed25519 key (${(error as Error).message})`;
        ctx.addIssue({ code: 'custom', path: [name], message: why });
      }
    }
    if (c.DATA_MASTER_KEY || c.DATA_MASTER_KEY_FILE || c.NODE_ENV === 'production') {
      try {
        masterKeyFromEnvironment({ DATA_MASTER_KEY: c.DATA_MASTER_KEY, DATA_MASTER_KEY_FILE: c.DATA_MASTER_KEY_FILE, NODE_ENV: c.NODE_ENV });
      } catch (error) {
        const message = (error as Error).message;
        const name = message.startsWith('DATA_MASTER_KEY ') ? 'DATA_MASTER_KEY' : 'DATA_MASTER_KEY_FILE';
        ctx.addIssue({ code: 'custom', path: [name], message: message.replace(/^DATA_MASTER_KEY(_FILE)? /, '') });
      }
    }
    const graph = [c.GRAPH_TENANT_ID, c.GRAPH_CLIENT_ID, c.GRAPH_CLIENT_SECRET];
    if (graph.some(Boolean) && !graph.every(Boolean)) {
      for (const [name, value] of [['GRAPH_TENANT_ID', c.GRAPH_TENANT_ID], ['GRAPH_CLIENT_ID', c.GRAPH_CLIENT_ID], ['GRAPH_CLIENT_SECRET', c.GRAPH_CLIENT_SECRET]] as const) {
        if (!value) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when any GRAPH_ variable is set (Outlook events need the tenant, client id and secret)' });
      }
    }
    if (c.MicrosoftAppType === 'SingleTenant' && c.MicrosoftAppId && !c.MicrosoftAppTenantId) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppTenantId'], message: 'is required for a SingleTenant app' });
    }
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`));
}

/** Many workspaces, each installed through Slack's OAuth flow (`SLACK_CLIENT_ID` …), rather than one bot token. */
export const slackInstallEnabled = (c: Config) => Boolean(c.SLACK_CLIENT_ID && c.SLACK_CLIENT_SECRET && c.SLACK_STATE_SECRET && c.SLACK_SIGNING_SECRET);
export const slackEnabled = (c: Config) => Boolean(c.SLACK_BOT_TOKEN) || slackInstallEnabled(c);
export const graphEnabled = (c: Config) => Boolean(c.GRAPH_TENANT_ID && c.GRAPH_CLIENT_ID && c.GRAPH_CLIENT_SECRET);
export const teamsInstallEnabled = (c: Config) => graphEnabled(c) && Boolean(c.TEAMS_APP_CATALOG_ID);
export const teamsEnabled = (c: Config) => Boolean(c.MicrosoftAppId) || c.PLAYGROUND;
