/**
 * A local stand-in for Microsoft Entra ID's token signing keys, and tokens shaped like the Teams SSO tokens a
 * tab gets from `authentication.getAuthToken()` (v2: `login.microsoftonline.com/<tid>/v2.0`, `oid`, `tid`).
 *
 *   const entra = await startEntraKeys();   // config: TAB_SSO_JWKS_URL = entra.jwksUrl
 *   const token = await entra.sign({ aud: 'api://host/<app id>', oid: '…' });
 *   await entra.close();
 */
import type { Server } from 'node:http';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface SsoClaims {
  aud: string;
  oid: string;
  tid: string;
  iss?: string;
  exp?: number;
}

export interface EntraKeys {
  jwksUrl: string;
  /** Signs with the published key, or with a key nobody published. */
  sign(claims: SsoClaims, options?: { unknownKey?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export async function startEntraKeys(): Promise<EntraKeys> {
  const trusted = await generateKeyPair('RS256');
  const stranger = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(trusted.publicKey)), kid: 'entra-key', use: 'sig', alg: 'RS256' };
  const app = express();
  app.get('/keys', (_req, res) => void res.json({ keys: [jwk] }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    jwksUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/keys`,
    async sign(claims, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ oid: claims.oid, tid: claims.tid, scp: 'access_as_user' })
        .setProtectedHeader({ alg: 'RS256', kid: options.unknownKey ? 'other-key' : 'entra-key', typ: 'JWT' })
        .setIssuer(claims.iss ?? `https://login.microsoftonline.com/${claims.tid}/v2.0`)
        .setAudience(claims.aud)
        .setIssuedAt(now - 60)
        .setNotBefore(now - 60)
        .setExpirationTime(claims.exp ?? now + 3600)
        .sign(options.unknownKey ? stranger.privateKey : trusted.privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
