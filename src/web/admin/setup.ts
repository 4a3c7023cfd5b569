/**
 * The first-run setup page (issue 13) at `/setup/<secret>`: GET shows the form while the link is unused and
 * unexpired; POST (a form, or JSON from a script) checks the fields first, then uses the link up (once, for
 * exactly one caller), creates the organisation and its first admin and signs the admin in to the dashboard
 * (an HttpOnly, Secure, SameSite=Strict session cookie). A used, expired or forged link is refused; so is any
 * link once an organisation exists.
 */
import express, { type Request, type Response, type Router } from 'express';
import { ValidationError } from '../../app/errors.js';
import { createOrganisation, FIRST_RUN_LABELS, isEmpty, parseFirstRun } from '../../app/admin/first-run.js';
import { LINK_REFUSALS, redeemSetupLink, SECRET, setupLinkState, startSession } from '../../app/admin/links.js';
import type { Runtime } from '../../runtime.js';
import type { Mount } from '../../server.js';
import { escapeHtml, sendPage, setupForm } from './pages.js';
import { setSessionCookie } from './session-cookie.js';

const ALREADY = 'Supervision Bot is set up here already. Sign in to the dashboard instead.';

export function setupRouter(runtime: Runtime): Router {
  const { deps, logger } = runtime;
  const router = express.Router({ caseSensitive: true });
  const form = express.urlencoded({ extended: false, limit: '20kb', parameterLimit: 20 });
  const json = express.json({ limit: '20kb' });
  const wantsJson = (req: Request) => Boolean(req.is('application/json'));

  const refuse = (req: Request, res: Response, status: number, message: string, field?: string) => {
    if (wantsJson(req)) return void res.status(status).json(field ? { error: `${field}: ${message}`, field } : { error: message });
    sendPage(res, status, 'This setup link cannot be used', `<p>${escapeHtml(message)}</p>`);
  };

  router.get('/:secret', async (req, res, next) => {
    try {
      const secret = String(req.params.secret);
      if (!(await isEmpty(deps))) return refuse(req, res, 409, ALREADY);
      const state = SECRET.safeParse(secret).success ? await setupLinkState(deps, secret) : 'unknown';
      if (state !== 'ok') return refuse(req, res, 403, 'This setup link is not valid: it may have been used or have expired. Restart the bot (or run npm run admin -- init) for a new one.');
      sendPage(res, 200, 'Set up Supervision Bot', setupForm({ action: `/setup/${secret}`, values: { timezone: 'Europe/London' }, errors: {}, labels: FIRST_RUN_LABELS }));
    } catch (error) {
      next(error);
    }
  });

  router.post('/:secret', form, json, async (req, res, next) => {
    try {
      const secret = String(req.params.secret);
      const body = (req.body ?? {}) as Record<string, unknown>;
      let data: ReturnType<typeof parseFirstRun>;
      try {
        data = parseFirstRun(Object.fromEntries(Object.entries(body).filter(([, v]) => !(typeof v === 'string' && v === '' && !wantsJson(req)))));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        if (wantsJson(req)) return void res.status(400).json({ error: `${error.field}: ${error.message.replace(/^[^:]+: /, '')}`, field: error.field, words: error.message });
        const values = Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
        return sendPage(res, 400, 'Set up Supervision Bot', setupForm({ action: `/setup/${secret}`, values, errors: { [error.field]: error.message.replace(/^[^:]+: /, '') }, labels: FIRST_RUN_LABELS }));
      }
      if (!(await isEmpty(deps))) return refuse(req, res, 409, ALREADY);
      const redeemed = await redeemSetupLink(deps, secret);
      if (!redeemed.ok) return refuse(req, res, 403, `${LINK_REFUSALS[redeemed.reason]} Restart the bot (or run npm run admin -- init) for a new one.`);
      const { organisation, admin } = await createOrganisation(deps, data, 'setup-link');
      logger.info({ organisationId: organisation.id, adminId: admin.id }, 'organisation created from the setup link');
      setSessionCookie(res, await startSession(deps, admin.id, organisation.id));
      if (wantsJson(req)) return void res.status(201).json({ organisationId: organisation.id, adminId: admin.id, dashboard: '/tab/' });
      sendPage(
        res,
        201,
        'Your organisation is set up',
        `<p>${escapeHtml(organisation.name)} is set up, and you are signed in as its administrator.</p><p>Next, in the dashboard's set-up: import your staff, name your DSL from them, enter this year's term dates and import the supervision contracts. The checklist shows what is still to do.</p><p><a href="/tab/#admin">Open the set-up checklist</a></p>`,
      );
    } catch (error) {
      next(error);
    }
  });

  router.use((error: Error & { status?: number }, req: Request, res: Response, _next: express.NextFunction) => {
    if (error.status !== undefined && error.status >= 400 && error.status < 500) return refuse(req, res, 400, 'cannot be read as the setup form; try again', 'body');
    logger.error({ err: error.message }, 'setup page failed');
    if (!res.headersSent) refuse(req, res, 503, 'Setup could not finish just now; try again in a moment.');
  });
  return router;
}

export function setupMount(): Mount {
  return (app, runtime) => {
    app.use('/setup', setupRouter(runtime));
  };
}
