/**
 * The supervision agreement in the dashboard, under `/tab/api/`: `POST contracts/:contractId/start` (body
 * `{ reason }`) — the DSL starts a contract before every party has agreed (white-laith B); audited, its reason
 * kept and never logged. Every input is checked with zod; a refusal names the field as the request has it.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { startContractEarly } from '../../app/agreement.js';
import type { Person } from '../../domain/types.js';
import type { Runtime } from '../../runtime.js';
import { answer, badRequest, parse, bodyErrors } from './api-helpers.js';

const none = z.object({}).strict();
const CONTRACT = z.object({ contractId: z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, 'must be a contract id') });
const START = z.object({ reason: z.string({ message: 'must be text: say why the contract starts now' }) }).strict();

export function agreementApi(runtime: Runtime): Router {
  const { deps } = runtime;
  const api = express.Router({ caseSensitive: true });
  const json = express.json({ limit: '8kb', type: () => true });
  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => void fn(req, res).catch(next);

  api.post(
    '/contracts/:contractId/start',
    json,
    wrap(async (req, res) => {
      const p = parse(res, 'params', CONTRACT, req.params);
      if (!p || !parse(res, 'query', none, req.query)) return;
      const body = START.safeParse(req.body ?? {});
      if (!body.success) {
        const issue = body.error.issues[0];
        const key = issue?.code === 'unrecognized_keys' ? issue.keys[0] : issue?.path[0];
        return badRequest(res, key === undefined ? 'body' : `body.${String(key)}`, issue?.code === 'unrecognized_keys' ? 'is not a field here' : (issue?.message ?? 'is not valid'));
      }
      const result = await startContractEarly(deps, (res.locals.caller as Person).id, { contractId: p.contractId, reason: body.data.reason });
      if (!result.ok && result.error.type === 'error') return badRequest(res, `body.${result.error.field ?? 'reason'}`, result.error.message.replace(/^[^:]+: /, ''));
      answer(res, result, (d) => res.json({ ...(d as object), text: result.ok && result.view?.type === 'text' ? result.view.text : '' }));
    }),
  );

  api.use(bodyErrors);
  return api;
}
