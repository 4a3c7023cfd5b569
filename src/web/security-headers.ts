/**
 * Security headers on every HTTP response. Each page that serves HTML sets its own Content-Security-Policy (the
 * dashboard and the Teams tab with a per-response nonce, the setup and sign-in pages with a hash, the playground
 * with its own files only); everything else — the APIs, `/healthz`, calendar feeds, Slack's and Teams' endpoints —
 * keeps this strict default, which lets a response load nothing and be framed by nobody. Only the tab (`/tab`)
 * may be framed, and only by Teams and Office (its own `frame-ancestors`), so it alone goes without
 * `X-Frame-Options`. HSTS is sent when the bot's public address is https, or when the request came over https
 * through a proxy the app trusts (`trust proxy`).
 */
import type { RequestHandler } from 'express';
import type { Config } from '../config.js';

export const DEFAULT_CSP = ["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"].join('; ');
export const HSTS = 'max-age=31536000; includeSubDomains';

export function securityHeaders(config: Pick<Config, 'PUBLIC_BASE_URL'>): RequestHandler {
  const https = config.PUBLIC_BASE_URL?.startsWith('https://') ?? false;
  return (req, res, next) => {
    res.set({ 'Content-Security-Policy': DEFAULT_CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
    if (req.path !== '/tab' && !req.path.startsWith('/tab/')) res.set('X-Frame-Options', 'DENY');
    if (https || req.secure) res.set('Strict-Transport-Security', HSTS);
    next();
  };
}
