/**
 * Who is calling the web API (the playground and the DSL dashboard tab). The same person, with the same
 * permissions, as in chat: the use cases decide what they may see.
 *
 * - Inside Teams the tab sends a Microsoft Entra SSO token (`Authorization: Bearer …`, from teams-js
 *   `authentication.getAuthToken()`); its signature, issuer, audience and expiry are checked and its `oid`
 *   names the person (`identities.teamsAadObjectId`), its `tid` their tenant.
 * - Elsewhere (Slack schools) a dashboard session cookie (`sb_session`, HttpOnly, Secure, SameSite=Strict),
 *   started by a single-use sign-in link the bot sends in a direct message (`dashboard`).
 * - In local try-out (PLAYGROUND on and a loopback address, never in production) the caller names a demo
 *   person with the `x-playground-person` header or the `playground_person` cookie.
 */
import type { Request } from 'express';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { z } from 'zod';
import { SESSION_COOKIE, sessionPerson } from '../app/admin/links.js';
import { PERSON_ID } from '../app/dashboard.js';
import type { AppDeps } from '../app/ports.js';
import type { Config } from '../config.js';
import type { Person } from '../domain/types.js';

export const PLAYGROUND_HEADER = 'x-playground-person';
export const PLAYGROUND_COOKIE = 'playground_person';

/** Entra ID publishes the keys that sign its v1 and v2 tokens here. */
export const ENTRA_JWKS_URL = 'https://login.microsoftonline.com/common/discovery/v2.0/keys';

export type IdentityResult =
  | { ok: true; person: Person; via: 'teams-sso' | 'session' | 'playground' }
  | { ok: false; status: 401; message: string };

export interface WebIdentity {
  /** Whether the local try-out identity is accepted by this process. */
  readonly playground: boolean;
  identify(req: Request): Promise<IdentityResult>;
}


const ssoClaims = z.object({
  oid: z.string().uuid('must be an Entra object id'),
  tid: z.string().uuid('must be an Entra tenant id'),
});

export function cookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export interface WebIdentityOptions {
  /** Where the SSO token's signing keys are (Entra's by default; a local one in tests). */
  jwksUrl?: string;
  /** Accepted `aud` values; by default the tab's `webApplicationInfo.resource` and the app id. */
  audiences?: string[];
}

const unauthorised = (message: string): IdentityResult => ({ ok: false, status: 401, message });

export function webIdentity(config: Config, deps: AppDeps, options: WebIdentityOptions = {}): WebIdentity {
  const loopback = ['127.0.0.1', '::1', 'localhost'].includes(config.HOST);
  const playground = config.PLAYGROUND && loopback;
  const appId = config.MicrosoftAppId;
  const host = config.PUBLIC_BASE_URL ? new URL(config.PUBLIC_BASE_URL).host : undefined;
  const audiences = options.audiences ?? [appId && host ? `api://${host}/${appId}` : '', appId ?? ''].filter(Boolean);
  const jwksUrl = options.jwksUrl ?? config.TAB_SSO_JWKS_URL ?? ENTRA_JWKS_URL;
  let keys: JWTVerifyGetKey | undefined;

  async function fromToken(token: string): Promise<IdentityResult> {
    if (audiences.length === 0) return unauthorised('Teams sign-in is not configured here (MicrosoftAppId and PUBLIC_BASE_URL)');
    keys ??= createRemoteJWKSet(new URL(jwksUrl));
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keys, { audience: audiences, clockTolerance: 60 }));
    } catch {
      return unauthorised('the sign-in token is not valid; reopen the tab');
    }
    const claims = ssoClaims.safeParse(payload);
    if (!claims.success) return unauthorised(`token ${claims.error.issues[0]?.path.join('.')}: ${claims.error.issues[0]?.message}`);
    const { oid, tid } = claims.data;
    // Entra issues v2 tokens as login.microsoftonline.com/<tid>/v2.0 and v1 tokens as sts.windows.net/<tid>/
    const issuers = [`https://login.microsoftonline.com/${tid}/v2.0`, `https://sts.windows.net/${tid}/`];
    if (!issuers.includes(String(payload.iss))) return unauthorised('the sign-in token was not issued by your organisation');
    if (config.MicrosoftAppType === 'SingleTenant' && config.MicrosoftAppTenantId && tid !== config.MicrosoftAppTenantId) {
      return unauthorised('the sign-in token is for another tenant');
    }
    const person = await deps.people.byTeamsUser(oid);
    if (!person) return unauthorised('your Teams account is not linked to a supervision record here; ask your DSL');
    if (person.identities.teamsTenantId && person.identities.teamsTenantId !== tid) return unauthorised('the sign-in token is for another tenant');
    return { ok: true, person, via: 'teams-sso' };
  }

  return {
    playground,
    async identify(req) {
      const authorization = req.headers.authorization;
      if (authorization?.startsWith('Bearer ')) return fromToken(authorization.slice(7).trim());
      const session = cookie(req, SESSION_COOKIE);
      if (session !== undefined) {
        const personId = await sessionPerson(deps, session);
        const person = personId ? await deps.people.get(personId) : null;
        if (person) return { ok: true, person, via: 'session' };
        if (!playground) return unauthorised('your sign-in has expired; type dashboard to the bot for a new link');
      }
      if (!playground) return unauthorised('sign in through Microsoft Teams, or type dashboard to the bot in Slack for a sign-in link');
      const named = req.get(PLAYGROUND_HEADER) ?? cookie(req, PLAYGROUND_COOKIE);
      if (named === undefined) return unauthorised('choose who you are');
      const id = PERSON_ID.safeParse(named);
      if (!id.success) return unauthorised(`${PLAYGROUND_HEADER}: ${id.error.issues[0]?.message}`);
      const person = await deps.people.get(id.data);
      if (!person) return unauthorised(`${PLAYGROUND_HEADER}: nobody here has that id`);
      return { ok: true, person, via: 'playground' };
    },
  };
}
