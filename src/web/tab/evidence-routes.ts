/**
 * The dashboard's evidence routes under `/tab/api/`: the audit trail's check, exports of a person's supervision
 * file (PDF, JSON), inspection bundles (a queued job, polled for progress, then downloaded) and the governors'
 * figures. The caller is already named (the tab API's identity step); every input is checked with zod and every
 * decision is the use case's, as in chat. An export writes its own audit entry; nothing else here writes.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { verifyAudit } from '../../app/evidence/verify.js';
import type { Person } from '../../domain/types.js';
import type { Runtime } from '../../runtime.js';
import { answer, parse } from './api-helpers.js';

const none = z.object({}).strict();

export function evidenceApi(runtime: Runtime): Router {
  const { deps } = runtime;
  const api = express.Router({ caseSensitive: true });
  const caller = (res: Response) => res.locals.caller as Person;
  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => void fn(req, res).catch(next);

  api.get(
    '/audit/verify',
    wrap(async (req, res) => {
      if (!parse(res, 'query', none, req.query)) return;
      answer(res, await verifyAudit(deps, caller(res).id, {}), (d) => res.json(d));
    }),
  );

  return api;
}
