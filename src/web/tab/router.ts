/**
 * The DSL dashboard: the Teams static tab at `/tab` and its API at `/tab/api/`.
 *
 * The API only translates: it names the caller (`webIdentity`: a Teams SSO token, or the chosen demo person
 * in local try-out), validates every path and query with zod, and calls the same permission-checked use
 * cases as chat. Unknown caller → 401, bad input → 400 naming the field, not theirs to see → 403. Every
 * route here is a read; the routes that write are in their own modules (record-routes.ts: the record page's
 * Confirm, Ask for a change and Edit, as the chat's commands on the queue).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { dashboardSummary, PERSON_ID, personHistory, roleText, staffDirectory } from '../../app/dashboard.js';
import { computeOverdue } from '../../app/overdue.js';
import { mySupervision } from '../../app/mine.js';
import { viewRecord } from '../../app/records.js';
import { RECORD_LIMITS } from '../../domain/record-form.js';
import type { Person } from '../../domain/types.js';
import { canBrowseHistories, canExportRecords, canManageRetention, canSeeGovernanceFigures, canSeeOverdue, isAdministrator } from '../../domain/permissions.js';
import { canDeclareIncident } from '../../domain/incident.js';
import type { Runtime } from '../../runtime.js';
import type { Mount } from '../../server.js';
import { adminRouter } from '../admin/router.js';
import { cookie, type WebIdentityOptions, webIdentity } from '../identity.js';
import { type MeResponse, queries } from './api-types.js';
import { answer, badRequest, parse } from './api-helpers.js';
import { endSession, SESSION_COOKIE } from '../../app/admin/links.js';
import { clearSessionCookie } from '../admin/session-cookie.js';
import { signIn } from '../admin/sign-in.js';
import { figuresCsv, overdueCsv } from './csv.js';
import { evidenceApi } from './evidence-routes.js';
import { incidentApi } from './incident-routes.js';
import { retentionApi } from './retention-routes.js';
import { agreementApi } from './agreement-routes.js';
import { recordApi } from './record-routes.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/**
 * The browser app (src/web/dashboard/, React + Fluent UI) as bundled by scripts/dashboard.ts into build/dashboard/
 * at the repository's root — the same three levels up from src/web/tab and from dist/web/tab.
 */
export const DASHBOARD_DIR = path.resolve(here, '..', '..', '..', 'build', 'dashboard');
/** teams-js as its UMD bundle (global `microsoftTeams`), which the Teams test stand-in replaces. */
const TEAMS_JS = createRequire(import.meta.url).resolve('@microsoft/teams-js/dist/umd/MicrosoftTeams.min.js');

/** Teams (web, desktop, mobile), Outlook and the Microsoft 365 app host tabs in frames from these origins. */
const FRAME_ANCESTORS = [
  "'self'",
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://teams.cloud.microsoft',
  'https://*.cloud.microsoft',
  'https://*.office.com',
  'https://*.microsoft365.com',
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://*.skype.com',
].join(' ');

/** Fluent UI writes its styles into <style> elements it creates: they carry the page's per-response nonce. */
const csp = (nonce: string) => [
  "default-src 'self'",
  "script-src 'self'",
  `style-src 'self' 'nonce-${nonce}'`,
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  `frame-ancestors ${FRAME_ANCESTORS}`,
].join('; ');

const RECORD_ID = z.string().regex(/^[A-Za-z0-9._:@-]{1,200}$/, 'must be a record id');

type Caller = Person;

export interface TabOptions {
  identity?: WebIdentityOptions;
}

export function tabRouter(runtime: Runtime, options: TabOptions = {}): Router {
  const identity = webIdentity(runtime.config, runtime.deps, options.identity);
  const { deps, logger } = runtime;
  const router = express.Router({ caseSensitive: true, strict: false });

  router.use((_req, res, next) => {
    res.locals.nonce = randomBytes(16).toString('base64');
    res.set({
      'Content-Security-Policy': csp(res.locals.nonce as string),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    next();
  });

  // a Slack person's single-use sign-in link (`dashboard` in the bot's DM): starts a dashboard session
  router.get(
    '/signin/:personId/:secret',
    (req: Request, res: Response, next: NextFunction) =>
      void signIn(runtime, req, res).catch(next),
  );

  let template: string | undefined;
  const page = (_req: Request, res: Response) => {
    const file = path.join(DASHBOARD_DIR, 'index.html');
    if (template === undefined && existsSync(file)) template = readFileSync(file, 'utf8');
    if (template === undefined) {
      logger.error('the dashboard is not built: npm run build (or npx tsx scripts/dashboard.ts)');
      res.status(503).type('text/plain').send('The dashboard is not built on this server yet.');
      return;
    }
    res.type('html').send(template.replaceAll('__NONCE__', res.locals.nonce as string));
  };
  router.get('/', page);
  router.get('/me', page);
  router.get('/records/:recordId/print', page);
  router.get('/static/teams.js', (_req, res) => res.set('Cache-Control', 'public, max-age=3600').sendFile(TEAMS_JS));
  router.use('/static', express.static(DASHBOARD_DIR, { index: false, maxAge: 0 }), (_req: Request, res: Response) => {
    res.status(404).type('text/plain').send('Not found');
  });

  const api = express.Router({ caseSensitive: true });
  const caller = (res: Response) => res.locals.caller as Caller;
  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => void fn(req, res).catch(next);

  // the picker's list is for the local try-out only and names nobody's records: before sign-in is required
  api.get(
    '/playground/people',
    wrap(async (req, res) => {
      if (!identity.playground) {
        res.status(404).json({ error: 'the person picker exists only in local try-out' });
        return;
      }
      if (!parse(res, 'query', queries.none, req.query)) return;
      const orgs = await deps.organisations.list();
      const people = (await Promise.all(orgs.map((o) => deps.people.byOrganisation(o.id)))).flat();
      res.json({
        people: people
          .map((p) => {
            const org = orgs.find((o) => o.id === p.organisationId);
            return { id: p.id, name: p.name, roleText: roleText(p), organisationName: org?.name ?? '', lead: org ? canSeeOverdue(p, org) : false };
          })
          .sort((a, b) => Number(b.lead) - Number(a.lead) || a.name.localeCompare(b.name)),
      });
    }),
  );

  /** Names the caller for every API route; 401 when nobody is signed in. */
  api.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const who = await identity.identify(req);
      if (!who.ok) {
        res.status(401).json({ error: who.message, playground: identity.playground });
        return;
      }
      res.locals.caller = who.person;
      res.locals.via = who.via;
      next();
    } catch (error) {
      next(error);
    }
  });

  api.post(
    '/signout',
    wrap(async (req, res) => {
      if (!parse(res, 'query', queries.none, req.query)) return;
      const session = cookie(req, SESSION_COOKIE);
      if (session) await endSession(deps, session);
      clearSessionCookie(res);
      res.json({ signedOut: true });
    }),
  );

  api.get(
    '/me',
    wrap(async (req, res) => {
      if (!parse(res, 'query', queries.none, req.query)) return;
      const me = caller(res);
      const org = await deps.organisations.get(me.organisationId);
      const contracts = await deps.contracts.forPerson(me.id);
      const body: MeResponse = {
        person: { id: me.id, name: me.name, roleText: roleText(me) },
        organisationName: org?.name ?? '',
        canSeeDashboard: org ? canSeeOverdue(me, org) : false,
        canBrowseHistories: org ? canBrowseHistories(me, org) : false,
        canSeeGovernance: org ? canSeeGovernanceFigures(me, org) : false,
        supervises: contracts.some((c) => c.active && c.organisationId === me.organisationId && c.supervisorIds.includes(me.id)),
        canAdminister: org ? isAdministrator(me, org) : false,
        canManageRetention: org ? canManageRetention(me, org) : false,
        canAudit: org ? canExportRecords(me, org) : false,
        canDeclareIncident: org ? canDeclareIncident(me, org) : false,
        via: res.locals.via,
        playground: identity.playground,
      };
      res.json(body);
    }),
  );

  // My supervision: one's own page, or (for their supervisor) a supervisee's
  api.get(
    '/mine',
    wrap(async (req, res) => {
      if (!parse(res, 'query', queries.none, req.query)) return;
      answer(res, await mySupervision(deps, caller(res).id, {}), (d) => res.json(d));
    }),
  );
  api.get(
    '/mine/:personId',
    wrap(async (req, res) => {
      const p = parse(res, 'params', z.object({ personId: PERSON_ID }), req.params);
      if (!p || !parse(res, 'query', queries.none, req.query)) return;
      answer(res, await mySupervision(deps, caller(res).id, { personId: p.personId }), (d) => res.json(d));
    }),
  );

  api.get(
    '/dashboard',
    wrap(async (req, res) => {
      const q = parse(res, 'query', queries.dashboard, req.query);
      if (!q) return;
      answer(res, await dashboardSummary(deps, caller(res).id, { halfTerms: q.halfTerms }), (d) => res.json(d));
    }),
  );

  api.get(
    '/overdue',
    wrap(async (req, res) => {
      const q = parse(res, 'query', queries.overdue, req.query);
      if (!q) return;
      answer(res, await computeOverdue(deps, caller(res).id, { filter: q.filter }), (d) => res.json(d));
    }),
  );

  const attachment = (res: Response, name: string, body: string) => {
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}"` });
    // a byte-order mark so spreadsheet software reads the names as UTF-8
    res.send(`\uFEFF${body}`);
  };
  const stamp = () => deps.clock.now().toISOString().slice(0, 10);

  api.get(
    '/overdue.csv',
    wrap(async (req, res) => {
      const q = parse(res, 'query', queries.overdue, req.query);
      if (!q) return;
      answer(res, await computeOverdue(deps, caller(res).id, { filter: q.filter }), (d) => attachment(res, `overdue-${stamp()}.csv`, overdueCsv(d)));
    }),
  );

  api.get(
    '/figures.csv',
    wrap(async (req, res) => {
      const q = parse(res, 'query', queries.dashboard, req.query);
      if (!q) return;
      answer(res, await dashboardSummary(deps, caller(res).id, { halfTerms: q.halfTerms }), (d) => attachment(res, `supervision-figures-${stamp()}.csv`, figuresCsv(d)));
    }),
  );

  api.get(
    '/people',
    wrap(async (req, res) => {
      if (!parse(res, 'query', queries.none, req.query)) return;
      answer(res, await staffDirectory(deps, caller(res).id, {}), (d) => res.json(d));
    }),
  );

  api.get(
    '/people/:personId',
    wrap(async (req, res) => {
      const p = parse(res, 'params', z.object({ personId: PERSON_ID }), req.params);
      if (!p || !parse(res, 'query', queries.none, req.query)) return;
      answer(res, await personHistory(deps, caller(res).id, { personId: p.personId }), (d) => res.json(d));
    }),
  );

  api.get(
    '/records/:recordId',
    wrap(async (req, res) => {
      const p = parse(res, 'params', z.object({ recordId: RECORD_ID }), req.params);
      if (!p) return;
      const q = parse(res, 'query', queries.record, req.query);
      if (!q) return;
      const me = caller(res);
      const result = await viewRecord(deps, me.id, { recordId: p.recordId, version: q.version ? Number(q.version) : undefined });
      const org = await deps.organisations.get(me.organisationId);
      answer(res, result, () => res.json({ organisationName: org?.name ?? '', record: result.ok ? result.view : undefined, limits: RECORD_LIMITS }));
    }),
  );

  // administration (issue 13): organisation, people, identities, term dates, contracts; never supervision content
  api.use('/admin', adminRouter(runtime));

  // evidence: the audit trail's check, exports, the governors' figures
  api.use(evidenceApi(runtime));
  // retention (the schedule, due list, holds, approved destruction) and subject access responses
  api.use(retentionApi(runtime));
  // after a major incident: the offers of extra supervision and their uptake (the safeguarding leads only)
  api.use(incidentApi(runtime));
  api.use(agreementApi(runtime));
  // the record page's Confirm, Ask for a change and Edit: the chat's commands, through the queue
  api.use(recordApi(runtime));

  api.use((_req, res) => void res.status(404).json({ error: 'no such API route' }));
  api.use((error: Error, req: Request, res: Response, _next: NextFunction) => {
    // a path that cannot be decoded (`/records/%ZZ`) is the caller's mistake, not an outage
    const status = (error as { status?: number }).status;
    if (status !== undefined && status >= 400 && status < 500) {
      if (!res.headersSent) badRequest(res, 'params', 'is not a valid path (bad percent-encoding)');
      return;
    }
    // ids and the route only: a record's text never reaches the log
    logger.error({ err: error.message, route: req.route?.path ?? req.path }, 'tab api failed');
    if (!res.headersSent) res.status(503).json({ error: 'the dashboard could not load just now; try again in a moment' });
  });
  router.use('/api', api);
  return router;
}

/** Always mounted: in production the tab's SSO token names the caller; locally the chosen demo person. */
export function tabMount(options: TabOptions = {}): Mount {
  return (app, runtime) => {
    app.use('/tab', tabRouter(runtime, options));
  };
}
