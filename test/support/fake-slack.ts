/**
 * A local stand-in for Slack's Web API (and `response_url`s) on loopback: records every call the bot makes
 * and answers as Slack does. `failNext(method, status, headers)` makes the next call of a method fail, e.g.
 * a 429 with Retry-After.
 */
import type { Server } from 'node:http';
import express from 'express';

export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
  at: number;
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
  of(method: string): SlackCall[];
  close(): Promise<void>;
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

export async function startFakeSlack(): Promise<FakeSlack> {
  const app = express();
  app.use(express.urlencoded({ extended: true, limit: '5mb' }));
  app.use(express.json({ limit: '5mb' }));
  const calls: SlackCall[] = [];
  const responses: FakeSlack['responses'] = [];
  const failures = new Map<string, Array<{ status: number; headers: Record<string, string>; when?: (body: Record<string, unknown>) => boolean }>>();
  const failed: FakeSlack['failed'] = [];
  let ts = 1_700_000_000;
  app.post('/api/:method', (req, res) => {
    const method = req.params.method as string;
    const body = parseBody(req.body);
    const pending = failures.get(method) ?? [];
    const index = pending.findIndex((f) => !f.when || f.when(body));
    if (index >= 0) {
      const [failure] = pending.splice(index, 1);
      failed.push({ method, status: failure!.status, body });
      res.status(failure!.status).set(failure!.headers).json({ ok: false, error: failure!.status === 429 ? 'ratelimited' : 'fatal_error' });
      return;
    }
    calls.push({ method, body, at: Date.now() });
    switch (method) {
      case 'conversations.open':
        res.json({ ok: true, channel: { id: `D${String(body.users)}` } });
        return;
      case 'chat.postMessage':
        ts += 1;
        res.json({ ok: true, channel: body.channel, ts: `${ts}.000100`, message: { text: body.text } });
        return;
      case 'chat.update':
        res.json({ ok: true, channel: body.channel, ts: body.ts });
        return;
      case 'auth.test':
        res.json({ ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' });
        return;
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
    of: (method) => calls.filter((c) => c.method === method),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
