/**
 * The record finished in the dashboard, under `/tab/api/records/:recordId/`: when the school keeps supervision
 * content out of chat, the cards carry no words and the record page is where a party confirms, asks for a
 * change, and the supervisor edits the draft.
 *
 * - `POST confirm` `{ version }` — `confirmRecord`: a party who has not confirmed the version shown;
 * - `POST dispute` `{ reason }` — `disputeRecord` ("Ask for a change"): a party, with the reason;
 * - `POST draft` (the Edit form, `recordEditBody`) — `draftRecord`: the supervisor, a record not yet signed.
 *
 * Each is the chat's own command, put on the `commands` queue as a card's button is and answered when the worker
 * has run it (202 when it is still on its way). The use cases decide who may: everyone else gets 403 and nothing
 * is written. A body is checked with zod first; a refusal names the field (`body.reason`, `body.actions.1.ownerId`).
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { type Command, type CommandType, commandIdFrom } from '../../app/commands.js';
import { calendarOf } from '../../app/context.js';
import type { UseCaseResult } from '../../app/errors.js';
import { draftInputFromEdit, editFieldOf, recordEditBody } from '../../app/record-edit.js';
import type { Person } from '../../domain/types.js';
import type { Runtime } from '../../runtime.js';
import { badRequest, parse, bodyErrors } from './api-helpers.js';

const none = z.object({}).strict();
const RECORD = z.object({ recordId: z.string().regex(/^[A-Za-z0-9._:@-]{1,200}$/, 'must be a record id') });
const VERSION = z.number({ message: 'must be the version number the page shows' }).int('must be the version number the page shows').min(1, 'must be the version number the page shows').max(9999, 'must be the version number the page shows');
const CONFIRM = z.object({ version: VERSION }).strict();
const DISPUTE = z.object({ reason: z.string({ message: 'must be text: say what should change' }).trim().min(1, 'say what should change').max(2000, 'can be at most 2,000 characters') }).strict();
/** How long the page waits for the worker before answering 202 (the record then shows the change on reload). */
const ANSWER_WITHIN_MS = 10_000;
const REFUSED = 'Sorry — that is not something you can do here.';

/** The first issue of a body's check, named as the request has it (`body.actions.0.text`). */
function bodyIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const path = [...(issue?.path ?? []), ...(issue?.code === 'unrecognized_keys' ? [issue.keys[0]] : [])].map(String);
  return { field: ['body', ...path].join('.'), message: issue?.code === 'unrecognized_keys' ? 'is not a field here' : (issue?.message ?? 'is not valid') };
}

export function recordApi(runtime: Runtime): Router {
  const { deps, queues, logger } = runtime;
  const api = express.Router({ caseSensitive: true });
  const json = express.json({ limit: '256kb', type: () => true });
  const caller = (res: Response) => res.locals.caller as Person;
  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => void fn(req, res).catch(next);

  /** The chat's command, on the queue; an attempt that failed is retried there, and the page told it is on its way. */
  const run = (type: CommandType, actor: Person, input: Record<string, unknown>): Promise<UseCaseResult | 'pending'> => {
    const command: Command = { commandId: commandIdFrom('tab', type, randomUUID()), type, actorId: actor.id, input };
    return queues.dispatchAndWait(command, ANSWER_WITHIN_MS).catch((error: Error) => {
      logger.warn({ err: error.message, type }, 'command attempt failed; the queue retries it');
      return 'pending' as const;
    });
  };

  /** The answer: 200 with the record's state, 202 on its way, 403 refused, 400 naming the field. */
  const reply = (res: Response, result: UseCaseResult | 'pending', field: (f: string) => string) => {
    if (result === 'pending') return void res.status(202).json({ pending: true });
    if (!result.ok) {
      if (result.error.type === 'error') {
        const raw = result.error.field && result.error.field !== 'input' ? result.error.field : '';
        const named = raw ? field(raw) : '';
        // the words a person reads ("Action 2, by whom: …"); a bare path prefix is the field, already named
        const message = raw && result.error.message.startsWith(`${raw}: `) ? result.error.message.slice(raw.length + 2) : result.error.message;
        return badRequest(res, `body${named ? `.${named}` : ''}`, message);
      }
      return void res.status(403).json({ error: result.error.text });
    }
    const view = result.view?.type === 'record-sheet' ? result.view : undefined;
    res.json({ recordId: view?.recordId, version: view?.version, state: view?.state, stateLabel: view?.stateLabel });
  };

  const withBody = <S extends z.ZodType>(schema: S, req: Request, res: Response): z.infer<S> | undefined => {
    const body = schema.safeParse(req.body ?? {});
    if (body.success) return body.data;
    const { field, message } = bodyIssue(body.error);
    badRequest(res, field, message);
    return undefined;
  };

  api.post(
    '/records/:recordId/confirm',
    json,
    wrap(async (req, res) => {
      const p = parse(res, 'params', RECORD, req.params);
      if (!p || !parse(res, 'query', none, req.query)) return;
      const body = withBody(CONFIRM, req, res);
      if (!body) return;
      reply(res, await run('confirmRecord', caller(res), { recordId: p.recordId, version: body.version }), (f) => f);
    }),
  );

  api.post(
    '/records/:recordId/dispute',
    json,
    wrap(async (req, res) => {
      const p = parse(res, 'params', RECORD, req.params);
      if (!p || !parse(res, 'query', none, req.query)) return;
      const body = withBody(DISPUTE, req, res);
      if (!body) return;
      reply(res, await run('disputeRecord', caller(res), { recordId: p.recordId, reason: body.reason }), (f) => f);
    }),
  );

  api.post(
    '/records/:recordId/draft',
    json,
    wrap(async (req, res) => {
      const p = parse(res, 'params', RECORD, req.params);
      if (!p || !parse(res, 'query', none, req.query)) return;
      const body = withBody(recordEditBody, req, res);
      if (!body) return;
      const me = caller(res);
      // the session and what the form does not carry come from the stored version; whether this person may
      // write it is `draftRecord`'s to decide, and a record that is not there is refused like one not theirs
      const record = await deps.records.latest(p.recordId);
      const org = await deps.organisations.get(me.organisationId);
      if (!record || !org || record.organisationId !== me.organisationId) return void res.status(403).json({ error: REFUSED });
      if (record.version !== body.version && record.supervisorId === me.id) {
        return badRequest(res, 'body.version', `version ${record.version} is the record now — open it again`);
      }
      reply(res, await run('draftRecord', me, draftInputFromEdit(record, body, calendarOf(org))), (f) => editFieldOf(f, body));
    }),
  );

  api.use(bodyErrors);
  return api;
}
