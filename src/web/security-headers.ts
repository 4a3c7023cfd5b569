/**
 * Security headers on every HTTP response. Each page that serves HTML sets its own Content-Security-Policy (the
 * dashboard and the Teams tab with a per-response nonce, the setup and sign-in pages with a hash, the playground
 * with its own files only); everything else — the APIs, `/healthz`, calendar feeds, Slack's and Teams' endpoints —
 * keeps this strict default, which lets a response load nothing and be framed by nobody. Only the tab (`/tab`)
 * may be framed, and only by Teams and Office (its own `frame-ancestors`), so it alone goes without
 * `X-Frame-Options`. HSTS is sent when the bot's public address is https, or when the request came over https
 * through a proxy the app trusts (`trust proxy`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Config } from '../config.js';

export const DEFAULT_CSP = [
  "default-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
export const HSTS = 'max-age=31536000; includeSubDomains';

/** The strict default on one response: `framed` for the tab only; `https` sends HSTS. */
export function setSecurityHeaders(res: ServerResponse, options: { framed: boolean; https: boolean }): void {
  res.setHeader('Content-Security-Policy', DEFAULT_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  if (!options.framed) res.setHeader('X-Frame-Options', 'DENY');
  if (options.https) res.setHeader('Strict-Transport-Security', HSTS);
}

/** Whether the bot's public address is https (HSTS on every response). */
const publicHttps = (config: Pick<Config, 'PUBLIC_BASE_URL'>): boolean =>
  config.PUBLIC_BASE_URL?.startsWith('https://') ?? false;

/**
 * Whether a request outside express came over https, as express's `req.secure` says: a TLS socket, or
 * `X-Forwarded-Proto` (its first value) from a proxy the app trusts (`trusted`, express's `trust proxy fn`).
 */
function cameOverHttps(req: IncomingMessage, trusted: (address: string, hop: number) => boolean): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  if (!trusted(req.socket.remoteAddress ?? '', 0)) return false;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim();
  return first === 'https';
}

/**
 * The same headers for a request answered before express (a front door, `src/server.ts`): `trusted` is the app's
 * `trust proxy fn`, so HSTS follows the proxies express trusts.
 */
export function frontDoorSecurityHeaders(
  config: Pick<Config, 'PUBLIC_BASE_URL'>,
  trusted: (address: string, hop: number) => boolean,
): (req: IncomingMessage, res: ServerResponse) => void {
  const https = publicHttps(config);
  return (req, res) =>
    setSecurityHeaders(res, { framed: false, https: https || cameOverHttps(req, trusted) });
}

export function securityHeaders(config: Pick<Config, 'PUBLIC_BASE_URL'>): RequestHandler {
  const https = publicHttps(config);
  return (req, res, next) => {
    setSecurityHeaders(res, {
      framed: req.path === '/tab' || req.path.startsWith('/tab/'),
      https: https || req.secure,
    });
    next();
  };
}
