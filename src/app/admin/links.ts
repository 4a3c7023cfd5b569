/**
 * Single-use links (issue 13). Each secret is 32 random bytes (base64url); only its SHA-256 is stored, so the
 * database never holds a usable link.
 *   - The setup link (first run, 24 hours): creates the organisation and its first admin, once.
 *   - A sign-in link (10 minutes), bound to one person: starts a dashboard session for them, once. Its address
 *     carries the person's id as well as the secret, and both must match what was issued.
 *   - A dashboard session (8 hours): the HttpOnly cookie the sign-in link sets.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { DashboardLinkView } from '../views.js';
import { loadActor } from '../context.js';
import { parseInput, type UseCaseResult, useCase } from '../errors.js';
import type { AccessToken, AccessTokenKind, AppDeps } from '../ports.js';
import { PERSON_ID } from '../dashboard.js';

export const SETUP_LINK_HOURS = 24;
export const SIGN_IN_MINUTES = 10;
export const SESSION_HOURS = 8;
export const SESSION_COOKIE = 'sb_session';

/** What a secret in an address looks like (43 base64url characters); anything else is refused unread. */
export const SECRET = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'is not a link this bot gave out');

export const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');
const newSecret = () => randomBytes(32).toString('base64url');

async function issue(deps: AppDeps, kind: AccessTokenKind, ms: number, owner: Pick<AccessToken, 'personId' | 'organisationId'> = {}): Promise<string> {
  const secret = newSecret();
  const now = deps.clock.now();
  await deps.accessTokens.insert({ hash: hashOf(secret), kind, createdAt: now, expiresAt: new Date(now.getTime() + ms), ...owner });
  return secret;
}

/** A first-run setup link's path (`/setup/<secret>`), valid 24 hours. */
export async function createSetupLink(deps: AppDeps): Promise<{ path: string; expiresAt: Date }> {
  const secret = await issue(deps, 'setup', SETUP_LINK_HOURS * 3_600_000);
  return { path: `/setup/${secret}`, expiresAt: new Date(deps.clock.now().getTime() + SETUP_LINK_HOURS * 3_600_000) };
}

export type LinkRefusal = 'unknown' | 'used' | 'expired' | 'other-person';

export const LINK_REFUSALS: Record<LinkRefusal, string> = {
  unknown: 'This link is not one this bot gave out. Ask for a new one.',
  used: 'This link has been used already: each link works once. Ask for a new one.',
  expired: 'This link has expired. Ask for a new one.',
  'other-person': 'This link was given to someone else. Ask for your own: type dashboard to the bot.',
};

/** Checks a setup link without using it (the page that opens it). */
export async function setupLinkState(deps: AppDeps, secret: string): Promise<'ok' | LinkRefusal> {
  if (!SECRET.safeParse(secret).success) return 'unknown';
  const token = await deps.accessTokens.live(hashOf(secret), 'setup', deps.clock.now());
  if (token) return 'ok';
  return 'unknown';
}

/** Uses a setup link up: true once, for exactly one caller. */
export async function redeemSetupLink(deps: AppDeps, secret: string): Promise<{ ok: true } | { ok: false; reason: LinkRefusal }> {
  if (!SECRET.safeParse(secret).success) return { ok: false, reason: 'unknown' };
  const redeemed = await deps.accessTokens.redeem(hashOf(secret), 'setup', deps.clock.now());
  return redeemed.ok ? { ok: true } : { ok: false, reason: redeemed.reason };
}

/** `/tab/signin/<personId>/<secret>`. */
export const signInPath = (personId: string, secret: string) => `/tab/signin/${encodeURIComponent(personId)}/${secret}`;

/** `dashboard` in Slack: a sign-in link for the person who asked, valid 10 minutes, once. */
export const issueSignInLink = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<{ path: string }>> => {
  parseInput(z.object({}).strict(), input ?? {});
  const { actor, org } = await loadActor(deps, actorId);
  const secret = await issue(deps, 'sign-in', SIGN_IN_MINUTES * 60_000, { personId: actor.id, organisationId: org.id });
  const path = signInPath(actor.id, secret);
  const view: DashboardLinkView = { type: 'dashboard-link', path, signIn: true, validMinutes: SIGN_IN_MINUTES };
  return { ok: true, view, data: { path } };
});

/**
 * Uses a sign-in link: the session's secret for the person it was issued to, or why not. The person in the
 * address must be the one it was issued to, and must still be known.
 */
export async function redeemSignInLink(deps: AppDeps, personId: string, secret: string): Promise<{ ok: true; session: string; personId: string } | { ok: false; reason: LinkRefusal }> {
  if (!PERSON_ID.safeParse(personId).success || !SECRET.safeParse(secret).success) return { ok: false, reason: 'unknown' };
  const hash = hashOf(secret);
  const now = deps.clock.now();
  // the person is checked before the link is used, so someone else's id in the address does not spend it
  const live = await deps.accessTokens.live(hash, 'sign-in', now);
  if (live && live.personId !== personId) return { ok: false, reason: 'other-person' };
  const redeemed = await deps.accessTokens.redeem(hash, 'sign-in', now);
  if (!redeemed.ok) return { ok: false, reason: redeemed.reason };
  if (redeemed.token.personId !== personId) return { ok: false, reason: 'other-person' };
  const person = await deps.people.get(personId);
  if (!person || person.organisationId !== redeemed.token.organisationId) return { ok: false, reason: 'unknown' };
  const session = await issue(deps, 'session', SESSION_HOURS * 3_600_000, { personId, organisationId: person.organisationId });
  return { ok: true, session, personId };
}

/** A session for a person (the setup page signs its new admin in with one). */
export const startSession = (deps: AppDeps, personId: string, organisationId: string) => issue(deps, 'session', SESSION_HOURS * 3_600_000, { personId, organisationId });

/** The person a dashboard session cookie names, or null (unknown, expired, signed out). */
export async function sessionPerson(deps: AppDeps, secret: string): Promise<string | null> {
  if (!SECRET.safeParse(secret).success) return null;
  const token = await deps.accessTokens.live(hashOf(secret), 'session', deps.clock.now());
  return token?.personId ?? null;
}

export async function endSession(deps: AppDeps, secret: string): Promise<void> {
  if (SECRET.safeParse(secret).success) await deps.accessTokens.revoke(hashOf(secret));
}

