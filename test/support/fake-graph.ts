/**
 * A local stand-in for Microsoft Graph's calendar events and Entra ID's client-credentials token endpoint, at
 * the HTTP boundary:
 *
 *   const graph = await startFakeGraph();   // config: GRAPH_BASE_URL = graph.baseUrl, GRAPH_TOKEN_URL = graph.tokenUrl
 *   graph.events                            // what is in each user's calendar
 *   graph.fail(503) / graph.fail(429, { 'retry-after': '1' }) / graph.expireTokens() / graph.hangUpAfterNextCreate()
 *
 * As Graph does: only a token it issued and has not expired is accepted (401 otherwise); a create with a
 * `transactionId` the user's calendar has seen returns the event created before, not a second one.
 *
 * Teams app installations: `graph.users` is the tenant's directory (object id and user principal name);
 * `POST /users/{id or UPN}/teamwork/installedApps` installs the catalog app named by `teamsApp@odata.bind` for a
 * user it knows (404 otherwise), answering 409 Conflict when that app is installed for them already;
 * `graph.installed` lists what was installed.
 */
import type { Server } from 'node:http';
import express from 'express';

export interface FakeEvent {
  id: string;
  userId: string;
  transactionId?: string;
  subject: string;
  start: { dateTime: string; timeZone: string };
  end: { dateTime: string; timeZone: string };
  location?: { displayName?: string };
  attendees: Array<{ emailAddress: { address: string; name: string }; type: string }>;
  isCancelled: boolean;
  cancelComment?: string;
  changes: number;
}

export interface GraphCall {
  method: string;
  path: string;
  status: number;
  authorization?: string;
}

export interface FakeGraphUser {
  id: string;
  userPrincipalName: string;
}

export interface FakeInstall {
  userId: string;
  appId: string;
  at: number;
}

export interface FakeGraph {
  baseUrl: string;
  /** The tenant's users, for app installations. */
  users: FakeGraphUser[];
  /** Teams apps installed for users, in order. */
  installed: FakeInstall[];
  tokenUrl: string;
  events: FakeEvent[];
  calls: GraphCall[];
  tokensIssued: number;
  /** The next Graph call(s) answer this status (with these headers), one per call. */
  fail(status: number, headers?: Record<string, string>, times?: number): void;
  /** Every token issued so far stops working (the next call gets 401). */
  expireTokens(): void;
  /** The next create is done, then the connection is dropped before the answer (a crash before the id is stored). */
  hangUpAfterNextCreate(): void;
  close(): Promise<void>;
}

export async function startFakeGraph(): Promise<FakeGraph> {
  const valid = new Set<string>();
  const faults: Array<{ status: number; headers: Record<string, string> }> = [];
  let hangUp = false;
  let n = 0;
  const state: Pick<FakeGraph, 'events' | 'calls' | 'tokensIssued'> = { events: [], calls: [], tokensIssued: 0 };
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json());

  app.post('/token', (req, res) => {
    const body = req.body as Record<string, string>;
    if (body.grant_type !== 'client_credentials' || !body.client_id || !body.client_secret || body.scope !== 'https://graph.microsoft.com/.default') {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    const token = `token-${++state.tokensIssued}`;
    valid.add(token);
    res.json({ token_type: 'Bearer', expires_in: 3599, access_token: token });
  });

  app.use('/v1.0', (req, res, next) => {
    const authorization = req.get('authorization');
    const call: GraphCall = { method: req.method, path: req.path, status: 0, authorization };
    state.calls.push(call);
    const answer = (status: number) => {
      call.status = status;
      return res.status(status);
    };
    if (!authorization?.startsWith('Bearer ') || !valid.has(authorization.slice(7))) {
      answer(401).json({ error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.' } });
      return;
    }
    const fault = faults.shift();
    if (fault) {
      res.set(fault.headers);
      answer(fault.status).json({ error: { code: fault.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message: 'try again' } });
      return;
    }
    res.locals.answer = answer;
    next();
  });

  const users: FakeGraphUser[] = [];
  const installed: FakeInstall[] = [];
  app.post('/v1.0/users/:user/teamwork/installedApps', (req, res) => {
    const answer = res.locals.answer as (status: number) => express.Response;
    const key = String(req.params.user).toLowerCase();
    const user = users.find((u) => u.id.toLowerCase() === key || u.userPrincipalName.toLowerCase() === key);
    if (!user) {
      answer(404).json({ error: { code: 'Request_ResourceNotFound', message: 'The user does not exist.' } });
      return;
    }
    const bind = String((req.body as Record<string, unknown>)['teamsApp@odata.bind'] ?? '');
    const appId = /^https:\/\/graph\.microsoft\.com\/v1\.0\/appCatalogs\/teamsApps\/([^/]+)$/.exec(bind)?.[1];
    if (!appId) {
      answer(400).json({ error: { code: 'BadRequest', message: 'teamsApp@odata.bind is required' } });
      return;
    }
    if (installed.some((i) => i.userId === user.id && i.appId === appId)) {
      answer(409).json({ error: { code: 'Conflict', message: 'App is already installed.' } });
      return;
    }
    installed.push({ userId: user.id, appId, at: Date.now() });
    answer(201).end();
  });

  const find = (userId: string, id: string) => state.events.find((e) => e.userId === userId && e.id === id);

  app.post('/v1.0/users/:user/events', (req, res) => {
    const answer = res.locals.answer as (status: number) => express.Response;
    const userId = String(req.params.user);
    const body = req.body as Partial<FakeEvent>;
    const before = body.transactionId ? state.events.find((e) => e.userId === userId && e.transactionId === body.transactionId) : undefined;
    const event = before ?? {
      id: `AAMk-${++n}`,
      userId,
      transactionId: body.transactionId,
      subject: String(body.subject ?? ''),
      start: body.start as FakeEvent['start'],
      end: body.end as FakeEvent['end'],
      location: body.location,
      attendees: body.attendees ?? [],
      isCancelled: false,
      changes: 0,
    };
    if (!before) state.events.push(event);
    if (hangUp) {
      hangUp = false;
      res.socket?.destroy();
      return;
    }
    answer(201).json(event);
  });

  app.patch('/v1.0/users/:user/events/:id', (req, res) => {
    const answer = res.locals.answer as (status: number) => express.Response;
    const event = find(String(req.params.user), String(req.params.id));
    if (!event) {
      answer(404).json({ error: { code: 'ErrorItemNotFound' } });
      return;
    }
    Object.assign(event, req.body, { changes: event.changes + 1 });
    answer(200).json(event);
  });

  app.post('/v1.0/users/:user/events/:id/cancel', (req, res) => {
    const answer = res.locals.answer as (status: number) => express.Response;
    const event = find(String(req.params.user), String(req.params.id));
    if (!event) {
      answer(404).json({ error: { code: 'ErrorItemNotFound' } });
      return;
    }
    event.isCancelled = true;
    event.cancelComment = String((req.body as { comment?: string }).comment ?? '');
    answer(202).end();
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    baseUrl: `${base}/v1.0`,
    tokenUrl: `${base}/token`,
    users,
    installed,
    get events() {
      return state.events;
    },
    get calls() {
      return state.calls;
    },
    get tokensIssued() {
      return state.tokensIssued;
    },
    fail(status, headers = {}, times = 1) {
      for (let i = 0; i < times; i++) faults.push({ status, headers });
    },
    expireTokens() {
      valid.clear();
    },
    hangUpAfterNextCreate() {
      hangUp = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
