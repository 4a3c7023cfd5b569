/**
 * A local stand-in for the Bot Framework connector (Teams' side of a conversation) on loopback: records what
 * the bot sends, answers with activity ids, and can refuse a conversation (403 BotNotInConversationRoster)
 * or throttle it (429).
 */
import type { Server } from 'node:http';
import express from 'express';

export interface ConnectorCall {
  kind: 'send' | 'reply' | 'update';
  conversationId: string;
  activityId?: string;
  body: Record<string, unknown>;
}

export interface FakeConnector {
  url: string;
  calls: ConnectorCall[];
  refuse(conversationId: string): void;
  throttleNext(conversationId: string, times: number): void;
  throttled: number;
  close(): Promise<void>;
}

export async function startFakeConnector(): Promise<FakeConnector> {
  const app = express();
  app.use(express.json({ limit: '5mb' }));
  const calls: ConnectorCall[] = [];
  const refused = new Set<string>();
  const throttle = new Map<string, number>();
  let next = 0;
  const state = { throttled: 0 };
  const gate = (conversationId: string, res: express.Response): boolean => {
    if (refused.has(conversationId)) {
      res.status(403).json({ error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } });
      return false;
    }
    const t = throttle.get(conversationId) ?? 0;
    if (t > 0) {
      throttle.set(conversationId, t - 1);
      state.throttled++;
      res.status(429).set('retry-after', '1').json({ error: { code: 'Throttled', message: 'slow down' } });
      return false;
    }
    return true;
  };
  app.post('/v3/conversations/:id/activities', (req, res) => {
    if (!gate(req.params.id, res)) return;
    const id = `act-${++next}`;
    calls.push({ kind: 'send', conversationId: req.params.id, activityId: id, body: req.body });
    res.json({ id });
  });
  app.post('/v3/conversations/:id/activities/:replyTo', (req, res) => {
    if (!gate(req.params.id, res)) return;
    const id = `act-${++next}`;
    calls.push({ kind: 'reply', conversationId: req.params.id, activityId: id, body: req.body });
    res.json({ id });
  });
  app.put('/v3/conversations/:id/activities/:activityId', (req, res) => {
    if (!gate(req.params.id, res)) return;
    calls.push({ kind: 'update', conversationId: req.params.id, activityId: req.params.activityId, body: req.body });
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
    throttleNext: (id, times) => void throttle.set(id, times),
    get throttled() {
      return state.throttled;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
