/**
 * The dashboard's retention and subject access routes under `/tab/api/` (the DSL and deputies only; every
 * decision is the use case's, every input checked with zod, refusals name the field as the request has it):
 *
 * - `GET retention`: the schedule, its sources, the records due for destruction, the holds in force;
 * - `PUT retention/schedule`, `POST retention/holds`, `POST retention/holds/:holdId/release`,
 *   `POST retention/destroy` (approving destruction of records on the due list);
 * - `POST subject-access` (start: the flagged passages), `GET subject-access/:id`,
 *   `POST subject-access/:id/decisions` (keep or redact each), `GET subject-access/:id/release.pdf|json`.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { UseCaseResult } from '../../app/errors.js';
import { personFilePdf } from '../../app/evidence/pdf.js';
import { decideSubjectAccess, releaseSubjectAccess, startSubjectAccess, SUBJECT_ACCESS_ID, subjectAccessReview } from '../../app/evidence/subject-access.js';
import { approveDestruction, HOLD_ID, placeLegalHold, releaseLegalHold, retentionOverview, setRetentionSchedule } from '../../app/retention.js';
import type { Person } from '../../domain/types.js';
import type { Runtime } from '../../runtime.js';
import { answer, badRequest, parse, bodyErrors } from './api-helpers.js';

const none = z.object({}).strict();

export function retentionApi(runtime: Runtime): Router {
  const { deps } = runtime;
  const api = express.Router({ caseSensitive: true });
  const caller = (res: Response) => res.locals.caller as Person;
  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => void fn(req, res).catch(next);
  const json = express.json({ limit: '64kb', type: () => true });
  /** A body's refusal names the field as the body has it (`body.recordIds.0`). */
  const answerBody = <T>(res: Response, result: UseCaseResult<T>, send: (data: T) => void) => {
    if (!result.ok && result.error.type === 'error') {
      // a field the body should not have is named by the message; the body is the field
      const named = result.error.field && result.error.field !== 'input' ? result.error.field : '';
      const field = (named ? `body.${named}` : 'body');
      badRequest(res, field, result.error.message.replace(/^[^:]+: /, ''));
      return;
    }
    answer(res, result, send);
  };
  const body = (req: Request) => (req.body === undefined ? {} : req.body);

  api.get(
    '/retention',
    wrap(async (req, res) => {
      if (!parse(res, 'query', none, req.query)) return;
      answer(res, await retentionOverview(deps, caller(res).id, {}), (d) => res.json(d));
    }),
  );
  api.put(
    '/retention/schedule',
    json,
    wrap(async (req, res) => {
      if (!parse(res, 'query', none, req.query)) return;
      answerBody(res, await setRetentionSchedule(deps, caller(res).id, body(req)), (d) => res.json(d));
    }),
  );
  api.post(
    '/retention/holds',
    json,
    wrap(async (req, res) => {
      if (!parse(res, 'query', none, req.query)) return;
      answerBody(res, await placeLegalHold(deps, caller(res).id, body(req)), (d) => res.status(201).json(d));
    }),
  );
  api.post(
    '/retention/holds/:holdId/release',
    wrap(async (req, res) => {
      const p = parse(res, 'params', z.object({ holdId: HOLD_ID }), req.params);
      if (!p || !parse(res, 'query', none, req.query)) return;
      answer(res, await releaseLegalHold(deps, caller(res).id, p), (d) => res.json(d));
    }),
  );
  api.post(
    '/retention/destroy',
    json,
    wrap(async (req, res) => {
      if (!parse(res, 'query', none, req.query)) return;
      const result = await approveDestruction(deps, caller(res).id, body(req));
      // the /overdue index drops the destroyed records' open actions and decisions now, not at its next repair
      if (result.ok) await runtime.overdueIndex.rebuild(caller(res).organisationId);
      answerBody(res, result, (d) => res.json(d));
    }),
  );

  api.post(
    '/subject-access',
    json,
    wrap(async (req, res) => {
      if (!parse(res, 'query', none, req.query)) return;
      answerBody(res, await startSubjectAccess(deps, caller(res).id, body(req)), (d) => res.status(201).json(d));
    }),
  );
  const REQUEST = z.object({ id: SUBJECT_ACCESS_ID });
  api.get(
    '/subject-access/:id',
    wrap(async (req, res) => {
      const p = parse(res, 'params', REQUEST, req.params);
      if (!p || !parse(res, 'query', none, req.query)) return;
      answer(res, await subjectAccessReview(deps, caller(res).id, p), (d) => res.json(d));
    }),
  );
  api.post(
    '/subject-access/:id/decisions',
    json,
    wrap(async (req, res) => {
      const p = parse(res, 'params', REQUEST, req.params);
      if (!p || !parse(res, 'query', none, req.query)) return;
      const b = body(req);
      if (typeof b !== 'object' || b === null || Array.isArray(b)) return badRequest(res, 'body', 'must be an object with decisions');
      const extra = Object.keys(b).find((k) => k !== 'decisions');
      if (extra !== undefined) return badRequest(res, `body.${extra}`, 'is not a field here');
      answerBody(res, await decideSubjectAccess(deps, caller(res).id, { id: p.id, decisions: (b as { decisions?: unknown }).decisions }), (d) => res.json(d));
    }),
  );
  for (const format of ['pdf', 'json'] as const) {
    api.get(
      `/subject-access/:id/release.${format}`,
      wrap(async (req, res) => {
        const p = parse(res, 'params', REQUEST, req.params);
        if (!p || !parse(res, 'query', none, req.query)) return;
        const result = await releaseSubjectAccess(deps, caller(res).id, { id: p.id, format });
        if (!result.ok) return answer(res, result, () => undefined);
        const file = result.data as NonNullable<typeof result.data>;
        const name = `subject-access-${file.person.id}-${deps.clock.now().toISOString().slice(0, 10)}.${format}`;
        res.set({ 'Content-Type': format === 'json' ? 'application/json; charset=utf-8' : 'application/pdf', 'Content-Disposition': `attachment; filename="${name}"` });
        res.send(format === 'json' ? JSON.stringify(file, null, 2) : await personFilePdf(file));
      }),
    );
  }

  api.use(bodyErrors);
  return api;
}
