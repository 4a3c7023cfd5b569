/**
 * The dashboard's evidence routes under `/tab/api/`: the audit trail's check, exports of a person's supervision
 * file (PDF, JSON), inspection bundles (a queued job, polled for progress, then downloaded) and the governors'
 * figures. The caller is already named (the tab API's identity step); every input is checked with zod and every
 * decision is the use case's, as in chat. An export writes its own audit entry; nothing else here writes.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { PERSON_ID } from '../../app/dashboard.js';
import { personFilePdf } from '../../app/evidence/pdf.js';
import { exportPersonFile } from '../../app/evidence/person-file.js';
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

  const download = (res: Response, name: string, type: string, body: Buffer | string) => {
    res.set({ 'Content-Type': type, 'Content-Disposition': `attachment; filename="${name}"` });
    res.send(body);
  };
  const stamp = () => deps.clock.now().toISOString().slice(0, 10);

  for (const format of ['pdf', 'json'] as const) {
    api.get(
      `/people/:personId/file.${format}`,
      wrap(async (req, res) => {
        const p = parse(res, 'params', z.object({ personId: PERSON_ID }), req.params);
        if (!p || !parse(res, 'query', none, req.query)) return;
        const result = await exportPersonFile(deps, caller(res).id, { personId: p.personId, format });
        if (!result.ok) return answer(res, result, () => undefined);
        const file = result.data as NonNullable<typeof result.data>;
        const name = `supervision-file-${file.person.id}-${stamp()}.${format}`;
        if (format === 'json') download(res, name, 'application/json; charset=utf-8', JSON.stringify(file, null, 2));
        else download(res, name, 'application/pdf', await personFilePdf(file));
      }),
    );
  }

  return api;
}
