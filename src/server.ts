/** The HTTP server: health, then every channel that is switched on mounts its routes. */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import express, { type Express } from 'express';
import type { Runtime } from './runtime.js';
import { securityHeaders } from './web/security-headers.js';

/**
 * Answers the requests it takes (true) before express sees them, or leaves a request to express (false). For a
 * busy endpoint whose answer needs none of express: express's dispatch of a request leaves objects behind that
 * the garbage collector copies and promotes, and its pauses are the slowest answers (P1).
 */
export type FrontDoor = (req: IncomingMessage, res: ServerResponse) => boolean;

/** A channel's or page's routes on the app; it may also give a front door. */
// biome-ignore lint/suspicious/noConfusingVoidType: most mounts return nothing; Slack's returns its front door
export type Mount = (app: Express, runtime: Runtime) => void | FrontDoor | Promise<void | FrontDoor>;

/** The express app with every mount's routes, and the request handler that tries the front doors first. */
export interface WebServer {
  app: Express;
  handle: (req: IncomingMessage, res: ServerResponse) => void;
}

export async function createServer(runtime: Runtime, mounts: Mount[]): Promise<WebServer> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // security headers on every response; pages that serve HTML set their own Content-Security-Policy
  app.use(securityHeaders(runtime.config));
  app.get('/healthz', async (_req, res) => {
    const db = await runtime.store.connection.db
      ?.admin()
      .ping()
      .then(() => true)
      .catch(() => false);
    res.status(db ? 200 : 503).json({ ok: Boolean(db) });
  });
  const doors: FrontDoor[] = [];
  for (const mount of mounts) {
    const door = await mount(app, runtime);
    if (door) doors.push(door);
  }
  // a route nobody serves: answered here, so the security headers above stay (express's own 404 replaces them)
  app.use((_req, res) => void res.status(404).json({ error: 'no such route' }));
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    for (const door of doors) if (door(req, res)) return;
    app(req, res);
  };
  return { app, handle };
}

export function listen(web: WebServer, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createHttpServer(web.handle);
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
