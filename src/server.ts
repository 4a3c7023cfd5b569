/** The HTTP server: health, then every channel that is switched on mounts its routes. */
import type { Server } from 'node:http';
import express, { type Express } from 'express';
import type { Runtime } from './runtime.js';
import { securityHeaders } from './web/security-headers.js';

export type Mount = (app: Express, runtime: Runtime) => void | Promise<void>;

export async function createServer(runtime: Runtime, mounts: Mount[]): Promise<Express> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // security headers on every response; pages that serve HTML set their own Content-Security-Policy
  app.use(securityHeaders(runtime.config));
  app.get('/healthz', async (_req, res) => {
    const db = await runtime.store.connection.db?.admin().ping().then(() => true).catch(() => false);
    res.status(db ? 200 : 503).json({ ok: Boolean(db) });
  });
  for (const mount of mounts) await mount(app, runtime);
  // a route nobody serves: answered here, so the security headers above stay (express's own 404 replaces them)
  app.use((_req, res) => void res.status(404).json({ error: 'no such route' }));
  return app;
}

export function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server));
    server.once('error', reject);
  });
}
