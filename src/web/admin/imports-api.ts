/**
 * The admin API (`/api/admin/…`): imports, contracts and chat identities, for the dashboard's admin screens and
 * scripts. The caller is named as for the dashboard (Teams SSO, or the demo person locally) and must be an admin,
 * the DSL or the headteacher; nothing here returns supervision content. Every body is checked with zod: a bad
 * one is 400 naming the field; a file's problems come back as `{ file, row, column, message }`.
 *
 *   POST /api/admin/imports                  { kind: "sds"|"staff"|"contracts", files: [{ name, content (base64) }] }
 *        → 200 preview { kind, created, updated, unchanged, deactivated, ignored, errors[], warnings[], lists, token? }
 *   GET  /api/admin/imports/<token>          → its state and progress { state, progress: { done, total }, … }
 *   POST /api/admin/imports/<token>/confirm  { deactivateMissing?: boolean } → the result (state "done")
 *   GET  /api/admin/contracts, POST /api/admin/contracts, PUT /api/admin/contracts/<id>, POST /api/admin/contracts/<id>/end
 *   GET  /api/admin/identities               → unlinked, unreachable, and people who wrote to the bot unmatched
 *   POST /api/admin/identities/teams/install → the Teams app installed through Graph for who Teams cannot reach (202)
 *   POST /api/admin/identities/link          { personId, platform: "slack"|"teams", userId }
 *   POST /api/admin/identities/slack/sync    → Slack users matched by email
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { endContract, saveContractTerms } from '../../app/contract-admin.js';
import { isUserError, toFailure } from '../../app/errors.js';
import { identityOverview, linkIdentity, requestTeamsInstalls, syncSlackByEmail } from '../../app/identities.js';
import { canAdminister, confirmImport, IMPORT_KINDS, ImportRefused, importStatus, previewImport, TOKEN } from '../../app/imports.js';
import type { Person } from '../../domain/types.js';
import type { Runtime } from '../../runtime.js';
import { slackInstallEnabled } from '../../config.js';
import type { Mount } from '../../server.js';
import { slackDirectory } from '../../channels/slack/directory.js';
import { importWriter, type ImportWriter } from '../../store/imports.js';
import { unmatchedSenders } from '../../store/unmatched.js';
import { type WebIdentityOptions, webIdentity } from '../identity.js';

/** A School Data Sync export of a large trust, base64, with room to spare. */
export const BODY_LIMIT = '40mb';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const importBody = z
  .object({
    kind: z.enum(IMPORT_KINDS as [string, ...string[]], { message: 'must be sds, staff or contracts' }),
    files: z
      .array(
        z
          .object({
            name: z.string({ message: 'must be a file name' }).regex(/^[A-Za-z0-9][A-Za-z0-9._ ()-]{0,99}$/, 'must be a file name (letters, digits, spaces, dots, dashes; at most 100)'),
            content: z.string({ message: 'must be the file, base64' }).regex(BASE64, 'must be the file, base64'),
          })
          .strict(),
        { message: 'must be a list of files' },
      )
      .min(1, 'names no file')
      .max(10, 'has more than 10 files'),
  })
  .strict();
const confirmBody = z.object({ deactivateMissing: z.boolean({ message: 'must be true or false' }).optional() }).strict();
const linkBody = z
  .object({
    personId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a person id'),
    platform: z.enum(['slack', 'teams'], { message: 'must be slack or teams' }),
    userId: z.string().min(1).max(100),
  })
  .strict();
const CONTRACT_ID = z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, 'must be a contract id');

function refuse(res: Response, status: number, field: string, message: string): void {
  res.status(status).json({ error: field ? `${field}: ${message}` : message, ...(field ? { field } : {}) });
}

function parseBody<S extends z.ZodType>(res: Response, schema: S, value: unknown): z.infer<S> | undefined {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const keys = issue?.code === 'unrecognized_keys' ? issue.keys : issue?.path;
  const field = ['body', ...(keys && keys.length > 0 ? [keys.join('.')] : [])].join('.');
  refuse(res, 400, field, issue?.code === 'unrecognized_keys' ? 'is not a field here' : (issue?.message ?? 'is not valid'));
  return undefined;
}

export interface AdminOptions {
  identity?: WebIdentityOptions;
}

export function importsApiRouter(runtime: Runtime, options: AdminOptions = {}): Router {
  const { deps, logger, config } = runtime;
  const identity = webIdentity(config, deps, options.identity);
  let writer: Promise<ImportWriter> | undefined;
  const imports = () => {
    writer ??= importWriter(runtime.store.connection, runtime.store.models);
    return writer;
  };
  const unmatched = unmatchedSenders(runtime);
  const router = express.Router({ caseSensitive: true });
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const who = await identity.identify(req);
      if (!who.ok) return void res.status(401).json({ error: who.message });
      const org = await deps.organisations.get(who.person.organisationId);
      if (!org || !canAdminister(who.person, org)) return void refuse(res, 403, '', 'Sorry — the admin screens are for the school’s admins, its DSL and its headteacher.');
      res.locals.caller = who.person;
      next();
    } catch (error) {
      next(error);
    }
  });
  const caller = (res: Response) => res.locals.caller as Person;
  const wrap =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction): void => {
      fn(req, res).catch((error: unknown) => {
        if (error instanceof ImportRefused) return refuse(res, error.status, '', error.message);
        if (isUserError(error)) {
          const failure = toFailure(error);
          if (!failure.ok) {
            const e = failure.error;
            if (e.type === 'error') return refuse(res, 400, (e.field ? `body.${e.field}` : 'body'), e.message.replace(/^[^:]*: /, ''));
            return refuse(res, 403, '', e.text);
          }
        }
        next(error);
      });
    };
  const json = express.json({ limit: BODY_LIMIT });
  const afterWrite = (orgId: string) => runtime.overdueIndex.rebuild(orgId).then(() => undefined);

  router.post(
    '/imports',
    json,
    wrap(async (req, res) => {
      const body = parseBody(res, importBody, req.body);
      if (!body) return;
      const files = body.files.map((f) => ({ name: f.name, bytes: new Uint8Array(Buffer.from(f.content, 'base64')) }));
      const preview = await previewImport(deps, await imports(), caller(res).id, body.kind as never, files);
      logger.info({ kind: body.kind, created: preview.created, updated: preview.updated, unchanged: preview.unchanged, deactivated: preview.deactivated, errors: preview.errors.length }, 'import previewed');
      res.json(preview);
    }),
  );
  router.get(
    '/imports/:token',
    wrap(async (req, res) => {
      const token = String(req.params.token);
      if (!TOKEN.test(token)) return refuse(res, 400, 'params.token', 'must be an import token');
      res.json(await importStatus(deps, await imports(), caller(res).id, token));
    }),
  );
  router.post(
    '/imports/:token/confirm',
    json,
    wrap(async (req, res) => {
      const token = String(req.params.token);
      if (!TOKEN.test(token)) return refuse(res, 400, 'params.token', 'must be an import token');
      const body = parseBody(res, confirmBody, req.body);
      if (!body) return;
      const result = await confirmImport(deps, await imports(), caller(res).id, token, { deactivateMissing: body.deactivateMissing ?? false, afterWrite });
      logger.info({ kind: result.kind, state: result.state, created: result.created, updated: result.updated, deactivated: result.deactivated, errors: result.errors.length }, 'import confirmed');
      res.json(result);
    }),
  );

  router.get(
    '/contracts',
    wrap(async (_req, res) => {
      res.json({ contracts: await deps.contracts.byOrganisation(caller(res).organisationId) });
    }),
  );
  router.post(
    '/contracts',
    json,
    wrap(async (req, res) => {
      res.status(201).json({ contract: await saveContractTerms(deps, caller(res).id, req.body) });
    }),
  );
  router.put(
    '/contracts/:id',
    json,
    wrap(async (req, res) => {
      const id = CONTRACT_ID.safeParse(req.params.id);
      if (!id.success) return refuse(res, 400, 'params.id', id.error.issues[0]?.message ?? 'must be a contract id');
      res.json({ contract: await saveContractTerms(deps, caller(res).id, req.body, id.data) });
    }),
  );
  router.post(
    '/contracts/:id/end',
    wrap(async (req, res) => {
      const id = CONTRACT_ID.safeParse(req.params.id);
      if (!id.success) return refuse(res, 400, 'params.id', id.error.issues[0]?.message ?? 'must be a contract id');
      res.json({ contract: await endContract(deps, caller(res).id, id.data) });
    }),
  );

  router.get(
    '/identities',
    wrap(async (_req, res) => {
      res.json(await identityOverview(deps, caller(res).organisationId, unmatched, runtime.teamsInstalls, Boolean(config.MicrosoftAppId)));
    }),
  );
  router.post(
    '/identities/link',
    json,
    wrap(async (req, res) => {
      const body = parseBody(res, linkBody, req.body);
      if (!body) return;
      res.json(await linkIdentity(deps, caller(res).id, body, unmatched));
    }),
  );
  router.post(
    '/identities/teams/install',
    wrap(async (_req, res) => {
      const installs = runtime.teamsInstalls;
      if (!installs) return refuse(res, 409, '', 'Installing the Teams app needs Microsoft Graph here (GRAPH_TENANT_ID, GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET and TEAMS_APP_CATALOG_ID).');
      const answer = await requestTeamsInstalls(deps, caller(res).id, installs);
      logger.info({ queued: answer.queued }, 'teams app installations queued');
      res.status(202).json(answer);
    }),
  );
  router.post(
    '/identities/slack/sync',
    wrap(async (_req, res) => {
      // one workspace: its bot token; installed workspaces: the caller's organisation's installation
      let token = config.SLACK_BOT_TOKEN;
      if (!token && slackInstallEnabled(config)) {
        const org = await deps.organisations.get(caller(res).organisationId);
        const installation = org?.slackTeamId ? ((await deps.slackInstallations.fetch({ teamId: org.slackTeamId })) as { bot?: { token?: string } } | null) : null;
        token = installation?.bot?.token;
        if (!token) return refuse(res, 409, '', 'No Slack workspace is linked to your school: install the app in your workspace and link it on the Organisation page.');
      }
      if (!token) return refuse(res, 409, '', 'Slack is not connected here (SLACK_BOT_TOKEN).');
      const directory = slackDirectory(token, config.SLACK_API_URL);
      res.json(await syncSlackByEmail(deps, caller(res).id, directory));
    }),
  );

  router.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (error.status && error.status < 500) {
      return refuse(res, error.status === 413 ? 413 : 400, 'body', error.type === 'entity.too.large' ? `is larger than ${BODY_LIMIT.toUpperCase().replace('MB', ' MB')}` : 'must be JSON');
    }
    logger.error({ err: error.message }, 'admin api failed');
    res.status(500).json({ error: 'Something went wrong on our side; nothing was written. Try again.' });
  });
  return router;
}

export function importsApiMount(options: AdminOptions = {}): Mount {
  return (app, runtime) => {
    app.use('/api/admin', importsApiRouter(runtime, options));
  };
}
