/**
 * The administration API (issue 13) at `/tab/api/admin/`, behind the dashboard's sign-in (Teams SSO, or the
 * session a Slack sign-in link starts). Every route calls a permission-checked use case; an admin reaches the
 * organisation, people, identities, term dates and contracts, never supervision content.
 *
 *   GET  /tab/api/admin/setup                     the setup checklist (SetupChecklist)
 *   GET  /tab/api/admin/organisation              the organisation's settings (OrganisationView)
 *   PATCH /tab/api/admin/organisation             JSON { name?, timezone?, bankHolidayDivision?, dslIds?, deputyDslIds?,
 *                                                 headteacherId?, safeguardingGovernorId?, supportContacts?: [{ name, phone?,
 *                                                 description? }] } → OrganisationView
 *   GET  /tab/api/admin/terms/:year               a school year's dates (TermDatesView; 2026 = 2026/27)
 *   PUT  /tab/api/admin/terms/:year[?dryRun=true] JSON { halfTerms: [{name,start,end}×6], insetDays: [date] } → ImportReport
 *   POST /tab/api/admin/terms/ics[?dryRun=true]   the council's .ics file as the body (text/calendar) → ImportReport
 *   GET  /tab/api/admin/contracts[?q=&status=all|active|waiting|ended]  the contracts (ContractsView)
 *   POST /tab/api/admin/contracts                 JSON ContractInput → 201 ContractView
 *   PUT  /tab/api/admin/contracts/:id             JSON ContractInput → ContractView (an active contract's new terms)
 *   POST /tab/api/admin/contracts/:id/end         → ContractView (ended; its sessions, records and actions kept)
 *   GET  /tab/api/admin/people[?q=&filter=all|unlinked|partly|unreachable|no-contract|leavers]  (PeopleView)
 *   PUT  /tab/api/admin/people/:id/training       JSON { date: YYYY-MM-DD, renewalMonths?: 6–60 } → { date, renewalMonths, lapsesOn }
 *
 * Staff and contracts are imported through the imports API (`/api/admin/imports`, imports-api.ts): a preview kept
 * with a token, then confirmed, with its progress while it is written.
 *
 * 400 names the field (or file, row, column) and writes nothing; 403 is a refusal; an ImportReport with errors
 * is answered 422 and nothing is written.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { UseCaseResult } from '../../app/errors.js';
import type { ImportReport } from '../../app/admin/report.js';
import { CONTRACT_ID, contractsQuery, createOrEditContract, endContractTerms, listContracts } from '../../app/admin/contracts.js';
import { getOrganisation, updateOrganisation } from '../../app/admin/organisation.js';
import { listPeople, peopleQuery, setSupervisionTraining } from '../../app/admin/people.js';
import { setupChecklist } from '../../app/admin/setup.js';
import { getTermDates, SCHOOL_YEAR, setTermDates } from '../../app/admin/terms.js';
import { importTermsIcs } from '../../app/admin/terms-ics.js';
import type { Person } from '../../domain/types.js';
import type { Runtime } from '../../runtime.js';

const dryRunQuery = z
  .object({ dryRun: z.enum(['true', 'false'], { message: 'must be true or false' }).optional() })
  .strict();

/** The most an uploaded file may be (a large trust's SDS users.csv is a few MB). */
export const MAX_UPLOAD = '20mb';

/**
 * A JSON object whose fields the use case checks. A parsed body may hold an own `__proto__` key, which copying the
 * object would silently drop (so a form with a field it does not have would pass): it is refused by name.
 */
const FORM_BODY = z
  .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'must be a JSON object' })
  .superRefine((v, ctx) => {
    for (const key of ['__proto__', 'constructor', 'prototype'])
      if (Object.hasOwn(v, key)) ctx.addIssue({ code: 'custom', path: [key], message: 'is not a field of this form' });
  });

function badRequest(res: Response, field: string, message: string): void {
  res.status(400).json({ error: `${field}: ${message}`, field });
}

function parse<S extends z.ZodType>(res: Response, where: 'query' | 'params' | 'body', schema: S, value: unknown): z.infer<S> | undefined {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const keys = issue?.code === 'unrecognized_keys' ? issue.keys : issue?.path;
  const field = [where, ...(keys && keys.length > 0 ? [keys.join('.')] : [])].join('.');
  badRequest(res, field, issue?.code === 'unrecognized_keys' ? 'is not a parameter here' : (issue?.message ?? 'is not valid'));
  return undefined;
}

function answer<T>(res: Response, result: UseCaseResult<T>, send: (data: T) => void): void {
  if (result.ok) send(result.data as T);
  else if (result.error.type === 'error') badRequest(res, result.error.field ?? 'input', result.error.message.replace(/^[^:]+: /, ''));
  else res.status(403).json({ error: result.error.text });
}

/** A report with errors wrote nothing: 422 with the report; else 200. */
export function sendReport(res: Response, report: ImportReport): void {
  res.status(report.errors.length > 0 ? 422 : 200).json(report);
}

export function adminRouter(runtime: Runtime): Router {
  const { deps } = runtime;
  const router = express.Router({ caseSensitive: true });
  const caller = (res: Response) => res.locals.caller as Person;
  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => void fn(req, res).catch(next);
  const json = express.json({ limit: '200kb', strict: true });
  const file = express.raw({ type: () => true, limit: MAX_UPLOAD });
  const bytes = (req: Request) => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));

  router.get(
    '/setup',
    wrap(async (req, res) => {
      if (!parse(res, 'query', z.object({}).strict(), req.query)) return;
      answer(res, await setupChecklist(deps, caller(res).id, {}), (d) => res.json(d));
    }),
  );

  router.get(
    '/organisation',
    wrap(async (req, res) => {
      if (!parse(res, 'query', z.object({}).strict(), req.query)) return;
      answer(res, await getOrganisation(deps, caller(res).id, {}), (d) => res.json(d));
    }),
  );

  router.patch(
    '/organisation',
    json,
    wrap(async (req, res) => {
      if (!parse(res, 'query', z.object({}).strict(), req.query)) return;
      const body = parse(res, 'body', FORM_BODY, req.body);
      if (!body) return;
      answer(res, await updateOrganisation(deps, caller(res).id, body), (d) => res.json(d));
    }),
  );

  router.get(
    '/terms/:year',
    wrap(async (req, res) => {
      const p = parse(res, 'params', z.object({ year: SCHOOL_YEAR }), req.params);
      if (!p || !parse(res, 'query', z.object({}).strict(), req.query)) return;
      answer(res, await getTermDates(deps, caller(res).id, { year: p.year }), (d) => res.json(d));
    }),
  );

  router.put(
    '/terms/:year',
    json,
    wrap(async (req, res) => {
      const p = parse(res, 'params', z.object({ year: SCHOOL_YEAR }), req.params);
      const q = p && parse(res, 'query', dryRunQuery, req.query);
      if (!p || !q) return;
      const body = parse(res, 'body', FORM_BODY, req.body);
      if (!body) return;
      answer(res, await setTermDates(deps, caller(res).id, { ...body, year: p.year, dryRun: q.dryRun === 'true' }), (d) => sendReport(res, d));
    }),
  );

  router.post(
    '/terms/ics',
    file,
    wrap(async (req, res) => {
      const q = parse(res, 'query', dryRunQuery.extend({ file: z.string().max(200).optional() }), req.query);
      if (!q) return;
      answer(res, await importTermsIcs(deps, caller(res).id, { file: q.file ?? 'upload.ics', bytes: bytes(req), dryRun: q.dryRun === 'true' }), (d) => sendReport(res, d));
    }),
  );

  router.get(
    '/contracts',
    wrap(async (req, res) => {
      const q = parse(res, 'query', contractsQuery, req.query);
      if (!q) return;
      answer(res, await listContracts(deps, caller(res).id, q), (d) => res.json(d));
    }),
  );

  router.post(
    '/contracts',
    json,
    wrap(async (req, res) => {
      if (!parse(res, 'query', z.object({}).strict(), req.query)) return;
      const body = parse(res, 'body', FORM_BODY, req.body);
      if (!body) return;
      answer(res, await createOrEditContract(deps, caller(res).id, { contract: body }), (d) => res.status(201).json(d));
    }),
  );

  router.put(
    '/contracts/:id',
    json,
    wrap(async (req, res) => {
      const p = parse(res, 'params', z.object({ id: CONTRACT_ID }), req.params);
      if (!p || !parse(res, 'query', z.object({}).strict(), req.query)) return;
      const body = parse(res, 'body', FORM_BODY, req.body);
      if (!body) return;
      answer(res, await createOrEditContract(deps, caller(res).id, { contractId: p.id, contract: body }), (d) => res.json(d));
    }),
  );

  router.post(
    '/contracts/:id/end',
    wrap(async (req, res) => {
      const p = parse(res, 'params', z.object({ id: CONTRACT_ID }), req.params);
      if (!p || !parse(res, 'query', z.object({}).strict(), req.query)) return;
      answer(res, await endContractTerms(deps, caller(res).id, { contractId: p.id }), (d) => res.json(d));
    }),
  );

  router.get(
    '/people',
    wrap(async (req, res) => {
      const q = parse(res, 'query', peopleQuery, req.query);
      if (!q) return;
      answer(res, await listPeople(deps, caller(res).id, q), (d) => res.json(d));
    }),
  );

  // a body that is not JSON, or too large: the caller's mistake, named
  router.put(
    '/people/:id/training',
    json,
    wrap(async (req, res) => {
      const p = parse(res, 'params', z.object({ id: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a person id') }), req.params);
      if (!p || !parse(res, 'query', z.object({}).strict(), req.query)) return;
      const body = parse(res, 'body', FORM_BODY, req.body);
      if (!body) return;
      answer(res, await setSupervisionTraining(deps, caller(res).id, { ...body, personId: p.id }), (d) => res.json(d));
    }),
  );

  router.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (error.status === 413) return badRequest(res, 'body', `is too large (at most ${MAX_UPLOAD})`);
    if (error.type === 'entity.parse.failed') return badRequest(res, 'body', 'is not valid JSON');
    if (error.status !== undefined && error.status >= 400 && error.status < 500) return badRequest(res, 'body', 'cannot be read');
    next(error);
  });
  return router;
}
