/**
 * The dashboard's evidence routes under `/tab/api/`: the audit trail's check, exports of a person's supervision
 * file (PDF, JSON), inspection bundles (a queued job, polled for progress, then downloaded) and the governors'
 * figures. The caller is already named (the tab API's identity step); every input is checked with zod and every
 * decision is the use case's, as in chat. An export writes its own audit entry; nothing else here writes.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { PERSON_ID } from '../../app/dashboard.js';
import { checkBundleRequest } from '../../app/evidence/bundle.js';
import { governorsFigures, governorsReport, TERM_ID } from '../../app/evidence/governors.js';
import { governorsReportPdf } from '../../app/evidence/governors-pdf.js';
import { personFilePdf } from '../../app/evidence/pdf.js';
import { exportPersonFile } from '../../app/evidence/person-file.js';
import { verifyAudit } from '../../app/evidence/verify.js';
import type { Person } from '../../domain/types.js';
import type { Runtime } from '../../runtime.js';
import { answer, badRequest, parse } from './api-helpers.js';

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

  // the governors' figures (counts only) and the report as a PDF; generating the report is an audit entry
  const termQuery = z.object({ term: TERM_ID.optional() }).strict();
  api.get(
    '/governors',
    wrap(async (req, res) => {
      const q = parse(res, 'query', termQuery, req.query);
      if (!q) return;
      const result = await governorsFigures(deps, caller(res).id, q);
      if (!result.ok && result.error.type === 'error') return badRequest(res, `query.${result.error.field ?? 'term'}`, result.error.message.replace(/^[^:]+: /, ''));
      answer(res, result, (d) => res.json(d));
    }),
  );
  api.get(
    '/governors/report.pdf',
    wrap(async (req, res) => {
      const q = parse(res, 'query', termQuery, req.query);
      if (!q) return;
      const result = await governorsReport(deps, caller(res).id, q);
      if (!result.ok && result.error.type === 'error') return badRequest(res, `query.${result.error.field ?? 'term'}`, result.error.message.replace(/^[^:]+: /, ''));
      if (!result.ok) return answer(res, result, () => undefined);
      const report = result.data as NonNullable<typeof result.data>;
      download(res, `governors-report-${report.term.id}-${stamp()}.pdf`, 'application/pdf', await governorsReportPdf(report));
    }),
  );

  const JOB_ID = z.object({ id: z.string().uuid('must be an export id') });
  api.post(
    '/exports',
    express.json({ limit: '2kb', type: () => true }),
    wrap(async (req, res) => {
      if (!parse(res, 'query', none, req.query)) return;
      const body = req.body === undefined || (typeof req.body === 'object' && req.body !== null && Object.keys(req.body).length === 0) ? {} : req.body;
      const checked = await checkBundleRequest(deps, caller(res).id, body);
      if (!checked.ok) {
        // the body's fields are named as the body has them
        if (checked.error.type === 'error') {
          res.status(400).json({ error: `body.${checked.error.message}`, field: (checked.error.field ? `body.${checked.error.field}` : 'body') });
          return;
        }
        return answer(res, checked, () => undefined);
      }
      if (!runtime.exports) {
        res.status(503).json({ error: 'exports are not available in this process' });
        return;
      }
      const id = await runtime.exports.start(caller(res).id, checked.data ?? {});
      res.status(202).json({ id, statusUrl: `/tab/api/exports/${id}`, downloadUrl: `/tab/api/exports/${id}/download` });
    }),
  );
  api.get(
    '/exports/:id',
    wrap(async (req, res) => {
      const p = parse(res, 'params', JOB_ID, req.params);
      if (!p || !parse(res, 'query', none, req.query)) return;
      const status = await runtime.exports?.status(p.id, caller(res).id);
      if (!status) res.status(404).json({ error: 'no export of yours has that id' });
      else res.json(status);
    }),
  );
  api.get(
    '/exports/:id/download',
    wrap(async (req, res) => {
      const p = parse(res, 'params', JOB_ID, req.params);
      if (!p || !parse(res, 'query', none, req.query)) return;
      const file = await runtime.exports?.download(p.id, caller(res).id);
      if (!file) {
        res.status(404).json({ error: 'no finished export of yours has that id' });
        return;
      }
      res.set({ 'Content-Type': 'application/zip', 'Content-Disposition': `attachment; filename="${file.fileName}"` });
      file.stream.on('error', () => res.destroy());
      file.stream.pipe(res);
    }),
  );

  // a body that is not JSON is named as the body, not taken for an outage
  api.use((error: Error & { type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (error.type === 'entity.parse.failed' || error.type === 'entity.too.large') {
      res.status(400).json({ error: error.type === 'entity.too.large' ? 'body: is too large' : 'body: must be JSON, e.g. {"from":"2025-09-01","to":"2026-07-31"}', field: 'body' });
      return;
    }
    next(error);
  });

  return api;
}
