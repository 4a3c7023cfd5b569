/**
 * `GET /tab/signin/<personId>/<secret>`: a sign-in link the bot sent in Slack (`dashboard`). Valid once, for
 * ten minutes, for the person it was sent to: it sets the dashboard session cookie and opens the dashboard.
 * The page links on to the dashboard from this origin (a same-site step), so the SameSite=Strict cookie is sent
 * with it even though the link was opened from Slack.
 */
import type { Request, Response } from 'express';
import { LINK_REFUSALS, redeemSignInLink } from '../../app/admin/links.js';
import type { Runtime } from '../../runtime.js';
import { escapeHtml, sendPage } from './pages.js';
import { setSessionCookie } from './session-cookie.js';

export async function signIn(runtime: Runtime, req: Request, res: Response): Promise<void> {
  const result = await redeemSignInLink(runtime.deps, String(req.params.personId), String(req.params.secret));
  if (!result.ok) {
    runtime.logger.info({ reason: result.reason }, 'dashboard sign-in link refused');
    return sendPage(res, 403, 'This sign-in link cannot be used', `<p>${escapeHtml(LINK_REFUSALS[result.reason])}</p>`);
  }
  setSessionCookie(res, result.session);
  runtime.logger.info({ personId: result.personId }, 'dashboard session started from a sign-in link');
  sendPage(res, 200, 'You are signed in', '<p><a href="/tab/">Open the dashboard</a></p>', '<meta http-equiv="refresh" content="0;url=/tab/">');
}
