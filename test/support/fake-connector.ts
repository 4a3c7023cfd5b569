/**
 * A local stand-in for the Bot Framework connector (Teams' side of a conversation) on loopback: records what
 * the bot sends, answers with activity ids, and can refuse a conversation (403 BotNotInConversationRoster)
 * or throttle it (429). With `limits` it enforces Teams' rate limits and answers 429 with `Retry-After` past
 * them (`TEAMS_LIMITS`: what Microsoft documents for bots).
 */
import type { Server } from 'node:http';
import express from 'express';
import { createHold, retryAfterSeconds, SlidingWindows, type Window } from './rate-windows.js';

export interface TeamsLimits {
  perConversation: Window[];
  perTenant: Window[];
}

/** Per bot per conversation 7 in 1 s, 8 in 2 s, 60 in 30 s, 1,800 an hour; per bot per tenant 50 a second. */
export const TEAMS_LIMITS: TeamsLimits = {
  perConversation: [
    { limit: 7, windowMs: 1_000 },
    { limit: 8, windowMs: 2_000 },
    { limit: 60, windowMs: 30_000 },
    { limit: 1_800, windowMs: 3_600_000 },
  ],
  perTenant: [{ limit: 50, windowMs: 1_000 }],
};

export interface ConnectorCall {
  kind: 'send' | 'reply' | 'update';
  conversationId: string;
  activityId?: string;
  body: Record<string, unknown>;
  at: number;
}

export interface FakeConnector {
  url: string;
  calls: ConnectorCall[];
  refuse(conversationId: string): void;
  /** Takes the conversation back (the person let the bot in again). */
  accept(conversationId: string): void;
  throttleNext(conversationId: string, times: number): void;
  throttled: number;
  /** When each `throttleNext` 429 was served. */
  throttledAt: number[];
  /** 429s served by the rate limits (`limits`), with the limit that was hit. */
  limited: Array<{ conversationId: string; limit: 'conversation' | 'tenant'; at: number }>;
  /** Each team's roster, as `GET /v3/conversations/<team id>/pagedmembers` pages it. */
  rosters: Map<string, RosterMember[]>;
  /** People of the tenant by member id, as `GET /v3/conversations/<id>/members/<member id>` answers (team rosters are searched too). */
  directory: RosterMember[];
  /** The next roster or member read(s) answer 429 with Retry-After 1. */
  throttleReads(times: number): void;
  /** When each roster, member and create call came, for pacing checks. */
  readsAt: number[];
  /** One-to-one conversations the bot created (`POST /v3/conversations`). */
  created: Array<{ id: string; body: Record<string, unknown> }>;
  /** Parks incoming requests until `release()` (see `createHold`); `dropped` counts those whose sender went away. */
  hold(): void;
  release(): number;
  readonly dropped: number;
  close(): Promise<void>;
}

export interface RosterMember {
  id: string;
  aadObjectId?: string;
  email?: string;
  userPrincipalName?: string;
  name?: string;
}

export async function startFakeConnector(options: { limits?: TeamsLimits } = {}): Promise<FakeConnector> {
  const app = express();
  const parking = createHold();
  app.use((req, res, next) => parking.middleware(req, res, next));
  app.use(express.json({ limit: '5mb' }));
  const calls: ConnectorCall[] = [];
  const refused = new Set<string>();
  const throttle = new Map<string, number>();
  let next = 0;
  const state = { throttled: 0 };
  const throttledAt: number[] = [];
  const limited: FakeConnector['limited'] = [];
  const perConversation = new SlidingWindows(options.limits?.perConversation ?? []);
  const perTenant = new SlidingWindows(options.limits?.perTenant ?? []);
  const gate = (conversationId: string, res: express.Response, body?: { conversation?: { tenantId?: string } }): boolean => {
    if (refused.has(conversationId)) {
      res.status(403).json({ error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } });
      return false;
    }
    if (options.limits) {
      const now = (res.locals.at as number | undefined) ?? Date.now();
      const tenant = body?.conversation?.tenantId ?? 'tenant';
      const waitConversation = perConversation.wait(conversationId, now);
      const waitTenant = perTenant.wait(tenant, now);
      if (waitConversation > 0 || waitTenant > 0) {
        limited.push({ conversationId, limit: waitTenant > waitConversation ? 'tenant' : 'conversation', at: now });
        res.status(429).set('retry-after', retryAfterSeconds(Math.max(waitConversation, waitTenant))).json({ error: { code: 'Throttled', message: 'Too many requests' } });
        return false;
      }
      perConversation.record(conversationId, now);
      perTenant.record(tenant, now);
    }
    const t = throttle.get(conversationId) ?? 0;
    if (t > 0) {
      throttle.set(conversationId, t - 1);
      state.throttled++;
      throttledAt.push(Date.now());
      res.status(429).set('retry-after', '1').json({ error: { code: 'Throttled', message: 'slow down' } });
      return false;
    }
    return true;
  };
  const rosters = new Map<string, RosterMember[]>();
  const created: FakeConnector['created'] = [];
  const directory: RosterMember[] = [];
  const readsAt: number[] = [];
  let readThrottles = 0;
  const readGate = (res: express.Response): boolean => {
    readsAt.push(Date.now());
    if (readThrottles <= 0) return true;
    readThrottles--;
    state.throttled++;
    res.status(429).set('retry-after', '1').json({ error: { code: 'Throttled', message: 'slow down' } });
    return false;
  };
  app.get('/v3/conversations/:id/members/:member', (req, res) => {
    if (!readGate(res)) return;
    const member = [...directory, ...[...rosters.values()].flat()].find((m) => m.id === req.params.member);
    if (!member) return void res.status(404).json({ error: { code: 'MemberNotFound', message: 'no such member' } });
    res.json(member);
  });
  app.get('/v3/conversations/:id/pagedmembers', (req, res) => {
    if (!readGate(res)) return;
    const roster = rosters.get(req.params.id);
    if (!roster) return void res.status(404).json({ error: { code: 'ConversationNotFound', message: 'no such team' } });
    const size = Math.min(Math.max(Number(req.query.pageSize) || 200, 1), 500);
    const start = Number(String(req.query.continuationToken ?? '0').replace(/^t/, '')) || 0;
    const page = roster.slice(start, start + size);
    res.json({ members: page, ...(start + size < roster.length ? { continuationToken: `t${start + size}` } : {}) });
  });
  app.post('/v3/conversations', (req, res) => {
    if (!readGate(res)) return;
    const id = `a:1on1-${created.length + 1}`;
    created.push({ id, body: req.body });
    res.status(201).json({ id });
  });
  app.post('/v3/conversations/:id/activities', (req, res) => {
    if (!gate(req.params.id, res, req.body)) return;
    const id = `act-${++next}`;
    calls.push({ kind: 'send', conversationId: req.params.id, activityId: id, body: req.body, at: (res.locals.at as number | undefined) ?? Date.now() });
    res.json({ id });
  });
  app.post('/v3/conversations/:id/activities/:replyTo', (req, res) => {
    if (!gate(req.params.id, res, req.body)) return;
    const id = `act-${++next}`;
    calls.push({ kind: 'reply', conversationId: req.params.id, activityId: id, body: req.body, at: (res.locals.at as number | undefined) ?? Date.now() });
    res.json({ id });
  });
  app.put('/v3/conversations/:id/activities/:activityId', (req, res) => {
    if (!gate(req.params.id, res, req.body)) return;
    calls.push({ kind: 'update', conversationId: req.params.id, activityId: req.params.activityId, body: req.body, at: (res.locals.at as number | undefined) ?? Date.now() });
    res.json({ id: req.params.activityId });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    refuse: (id) => void refused.add(id),
    accept: (id) => void refused.delete(id),
    throttleNext: (id, times) => void throttle.set(id, times),
    throttledAt,
    get throttled() {
      return state.throttled;
    },
    limited,
    rosters,
    directory,
    throttleReads(times) {
      readThrottles = times;
    },
    readsAt,
    created,
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
