/**
 * After a major incident (loughton §5), for the DSL, a deputy and the headteacher under `/tab/api/`:
 *
 * - `GET incidents`: each incident's uptake as counts (offered, accepted, not now, not answered, held), with the
 *   staff and the line managers' teams to choose from;
 * - `POST incidents`: JSON { incidentName, messageToStaff?, scope: people|team|everyone, personIds?, lineManagerId? }
 *   → 201 { incidentId, offered }; each person involved is offered extra supervision in chat.
 *
 * Everyone else is refused (403), an admin included: the incident's name is for the safeguarding leads only.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { declareIncident, incidentUptake } from '../../app/incidents.js';
import type { Person } from '../../domain/types.js';
import type { Runtime } from '../../runtime.js';
import { answer, badRequest, parse } from './api-helpers.js';

const none = z.object({}).strict();

export function incidentApi(runtime: Runtime): Router {
  const { deps } = runtime;
  const api = express.Router({ caseSensitive: true });
  const caller = (res: Response) => res.locals.caller as Person;
  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => void fn(req, res).catch(next);
  const json = express.json({ limit: '64kb', type: () => true });

  api.get(
    '/incidents',
    wrap(async (req, res) => {
      if (!parse(res, 'query', none, req.query)) return;
      answer(res, await incidentUptake(deps, caller(res).id, {}), (d) => res.json(d));
    }),
  );
  api.post(
    '/incidents',
    json,
    wrap(async (req, res) => {
      if (!parse(res, 'query', none, req.query)) return;
      const result = await declareIncident(deps, caller(res).id, req.body === undefined ? {} : req.body);
      if (!result.ok && result.error.type === 'error') {
        const named = result.error.field && result.error.field !== 'input' ? result.error.field : '';
        return badRequest(res, (named ? `body.${named}` : 'body'), result.error.message.replace(/^[^:]+: /, ''));
      }
      answer(res, result, () => res.status(201).json(result.ok ? result.data : {}));
    }),
  );
  return api;
}
