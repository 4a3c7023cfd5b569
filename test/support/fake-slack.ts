/**
 * A local stand-in for Slack's Web API (and `response_url`s) on loopback: records every call the bot makes
 * and answers as Slack does. `failNext(method, status, headers)` makes the next call of a method fail, e.g.
 * a 429 with Retry-After. With `limits` it enforces rate limits as Slack does and answers 429 `ratelimited`
 * with `Retry-After` past them (`SLACK_LIMITS`: what Slack documents, see BENCHMARKS.md P5).
 */
import type { Server } from 'node:http';
import express from 'express';
import { createHold, retryAfterSeconds, SlidingWindows, type Window } from './rate-windows.js';

export interface SlackLimits {
  /** chat.postMessage per channel. */
  perChannel: Window[];
  /** chat.postMessage per workspace (all channels). */
  workspace: Window[];
  /** Other limited methods per workspace, e.g. Tier 3 `conversations.open` and `chat.update`. */
  methods: Record<string, Window[]>;
}

/**
 * Slack's published limits: chat.postMessage "1 message per second to a specific channel" with short bursts,
 * and "several hundred messages per minute" per workspace (taken as 300 a minute, at most 10 in a second);
 * conversations.open and chat.update are Tier 3 (50+ a minute).
 */
export const SLACK_LIMITS: SlackLimits = {
  perChannel: [
    { limit: 3, windowMs: 1_000 },
    { limit: 60, windowMs: 60_000 },
  ],
  workspace: [
    { limit: 300, windowMs: 60_000 },
    { limit: 10, windowMs: 1_000 },
  ],
  methods: {
    'conversations.open': [{ limit: 50, windowMs: 60_000 }],
    'chat.update': [{ limit: 50, windowMs: 60_000 }],
  },
};

export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
  at: number;
  /** The token the call was made with (its `Authorization: Bearer` header, or a `token` field). */
  token?: string;
}

/** A workspace that installs the app through the OAuth flow: `oauth.v2.access` with `code` gives it `token`. */
export interface SlackWorkspaceStub {
  code: string;
  teamId: string;
  teamName: string;
  token: string;
}

export interface FakeSlack {
  url: string;
  apiUrl: string;
  calls: SlackCall[];
  responses: Array<{ path: string; body: Record<string, unknown> }>;
  /** The next call of `method` (whose body matches `when`, if given) fails with this status. */
  failNext(method: string, status: number, headers?: Record<string, string>, when?: (body: Record<string, unknown>) => boolean): void;
  /** Failures served so far. */
  failed: Array<{ method: string; status: number; body: Record<string, unknown> }>;
  /** 429s served by the rate limits (`limits`), with the limit that was hit. */
  throttled: Array<{ method: string; limit: string; at: number }>;
  of(method: string): SlackCall[];
  /** The workspace's members, as `users.list` (paged by `limit`/`cursor`) and `users.lookupByEmail` give them. */
  members: SlackMemberStub[];
  /** Workspaces that install the app (`oauth.v2.access` by code; `auth.test` answers each token's team). */
  workspaces: SlackWorkspaceStub[];
  /** Parks incoming calls until `release()` (see `createHold`); `dropped` counts those whose sender went away. */
  hold(): void;
  release(): number;
  readonly dropped: number;
  close(): Promise<void>;
}

export interface SlackMemberStub {
  id: string;
  team_id?: string;
  deleted?: boolean;
  is_bot?: boolean;
  profile: { email?: string; real_name?: string };
}

function parseBody(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (typeof v === 'string' && (k === 'blocks' || k === 'view' || k === 'attachments')) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // left as text
      }
    }
    out[k] = v;
  }
  return out;
}

export async function startFakeSlack(options: { limits?: SlackLimits } = {}): Promise<FakeSlack> {
  const app = express();
  const parking = createHold();
  app.use((req, res, next) => parking.middleware(req, res, next));
  app.use(express.urlencoded({ extended: true, limit: '5mb' }));
  app.use(express.json({ limit: '5mb' }));
  const calls: SlackCall[] = [];
  const responses: FakeSlack['responses'] = [];
  const failures = new Map<string, Array<{ status: number; headers: Record<string, string>; when?: (body: Record<string, unknown>) => boolean }>>();
  const failed: FakeSlack['failed'] = [];
  const throttled: FakeSlack['throttled'] = [];
  const limits = options.limits;
  const perChannel = new SlidingWindows(limits?.perChannel ?? []);
  const workspace = new SlidingWindows(limits?.workspace ?? []);
  const methodWindows = new Map(Object.entries(limits?.methods ?? {}).map(([m, w]) => [m, new SlidingWindows(w)]));
  // a user id as the channel posts to the bot's DM with that user, as Slack does
  const channelOf = (body: Record<string, unknown>) => {
    const channel = String(body.channel ?? '');
    return /^[UW]/.test(channel) ? `D${channel}` : channel;
  };
  /** Answers 429 when the call is past a limit; otherwise counts it. */
  const limited = (method: string, body: Record<string, unknown>, res: express.Response): boolean => {
    if (!limits) return false;
    const now = (res.locals.at as number | undefined) ?? Date.now();
    const checks: Array<[string, SlidingWindows, string]> = [];
    if (method === 'chat.postMessage') checks.push(['channel', perChannel, channelOf(body)], ['workspace', workspace, 'T']);
    const windows = methodWindows.get(method);
    if (windows) checks.push([method, windows, 'T']);
    let wait = 0;
    let hit = '';
    for (const [name, w, key] of checks) {
      const ms = w.wait(key, now);
      if (ms > wait) [wait, hit] = [ms, name];
    }
    if (wait > 0) {
      throttled.push({ method, limit: hit, at: now });
      res.status(429).set('retry-after', retryAfterSeconds(wait)).json({ ok: false, error: 'ratelimited' });
      return true;
    }
    for (const [, w, key] of checks) w.record(key, now);
    return false;
  };
  let ts = 1_700_000_000;
  const members: SlackMemberStub[] = [];
  const workspaces: SlackWorkspaceStub[] = [];
  app.post('/api/:method', (req, res) => {
    const method = req.params.method as string;
    const body = parseBody(req.body);
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const token = bearer ?? (typeof body.token === 'string' ? body.token : undefined);
    const pending = failures.get(method) ?? [];
    const index = pending.findIndex((f) => !f.when || f.when(body));
    if (index >= 0) {
      const [failure] = pending.splice(index, 1);
      failed.push({ method, status: failure!.status, body });
      res.status(failure!.status).set(failure!.headers).json({ ok: false, error: failure!.status === 429 ? 'ratelimited' : 'fatal_error' });
      return;
    }
    if (limited(method, body, res)) return;
    calls.push({ method, body, at: (res.locals.at as number | undefined) ?? Date.now(), ...(token ? { token } : {}) });
    switch (method) {
      case 'conversations.open':
        res.json({ ok: true, channel: { id: `D${String(body.users)}` } });
        return;
      case 'chat.postMessage':
        ts += 1;
        res.json({ ok: true, channel: channelOf(body), ts: `${ts}.000100`, message: { text: body.text } });
        return;
      case 'chat.update':
        res.json({ ok: true, channel: body.channel, ts: body.ts });
        return;
      case 'views.open':
        // as Slack: the opened view, whose id `views.update` takes
        ts += 1;
        res.json({ ok: true, view: { id: `V${ts}`, hash: `h${ts}` } });
        return;
      case 'users.list': {
        const limit = Math.min(Math.max(Number(body.limit) || 100, 1), 1000);
        const start = Number(body.cursor ? String(body.cursor).replace(/^c/, '') : 0) || 0;
        const page = members.slice(start, start + limit);
        const next = start + limit < members.length ? `c${start + limit}` : '';
        res.json({ ok: true, members: page, response_metadata: { next_cursor: next } });
        return;
      }
      case 'users.lookupByEmail': {
        const user = members.find((m) => m.profile.email?.toLowerCase() === String(body.email ?? '').toLowerCase());
        res.json(user ? { ok: true, user } : { ok: false, error: 'users_not_found' });
        return;
      }
      case 'users.info': {
        const user = members.find((m) => m.id === String(body.user ?? ''));
        res.json(user ? { ok: true, user } : { ok: false, error: 'user_not_found' });
        return;
      }
      case 'auth.test': {
        const workspace = workspaces.find((w) => w.token === token);
        res.json({ ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: workspace?.teamId ?? 'T1' });
        return;
      }
      case 'oauth.v2.access': {
        // as Slack: the app's credentials (HTTP Basic or the form) and a code it gave the browser once
        const basic = /^Basic (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
        const [clientId] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':') : [String(body.client_id ?? '')];
        const index = workspaces.findIndex((w) => w.code === String(body.code ?? ''));
        const workspace = workspaces[index];
        if (!clientId || !workspace || (workspace as { used?: boolean }).used) {
          res.json({ ok: false, error: 'invalid_code' });
          return;
        }
        (workspace as { used?: boolean }).used = true;
        res.json({
          ok: true,
          app_id: 'A1',
          authed_user: { id: 'UINSTALLER' },
          scope: 'commands,chat:write,im:history,im:write,users:read,users:read.email',
          token_type: 'bot',
          access_token: workspace.token,
          bot_user_id: 'UBOT',
          team: { id: workspace.teamId, name: workspace.teamName },
          enterprise: null,
          is_enterprise_install: false,
        });
        return;
      }
      default:
        res.json({ ok: true });
    }
  });
  app.post('/response/:id', (req, res) => {
    responses.push({ path: req.params.id as string, body: req.body as Record<string, unknown> });
    res.json({ ok: true });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    apiUrl: `${url}/api/`,
    calls,
    responses,
    failNext(method, status, headers = {}, when) {
      const list = failures.get(method) ?? [];
      list.push({ status, headers, when });
      failures.set(method, list);
    },
    failed,
    throttled,
    of: (method) => calls.filter((c) => c.method === method),
    members,
    workspaces,
    hold: () => parking.hold(),
    release: () => parking.release(),
    get dropped() {
      return parking.dropped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
