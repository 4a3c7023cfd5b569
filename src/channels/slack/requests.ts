/**
 * What the Slack channel answers when a signed request is not what Slack sends: Bolt assumes the shape of a
 * request's body (an event is an object, `actions` a list, ids are strings) and fails with a 500 otherwise,
 * and waits three seconds before a bare 404 for a request it cannot place. `precheck` runs before Bolt: a
 * request whose signature is valid but whose body is not a Slack request of a known kind gets 400 naming the
 * field at once. A request without a valid signature gets a bare 401, so nothing is told to a sender who cannot
 * sign. Nothing is read or written for either. The signature is checked here only, not again by Bolt (whose
 * receiver is built with `signatureVerification: false`): every request's HMAC was computed twice (P1).
 */
import querystring from 'node:querystring';
import {
  isValidSlackRequest,
  type ReceiverProcessEventErrorHandlerArgs,
  type ReceiverUnhandledRequestHandlerArgs,
} from '@slack/bolt';
import express, { type RequestHandler } from 'express';
import { z } from 'zod';

/** The same body limit as Bolt's. */
const BODY_LIMIT = '4mb';

const text = z.string().max(100_000);
const object = z.record(z.string(), z.unknown());
const user = z.object({ id: z.string().max(300) }, { message: 'must be an object with the person’s id' });

/** What Bolt reads of every request to find the workspace, before any listener. */
const workspace = {
  authorizations: z.array(object, { message: 'must be a list of objects' }).optional(),
  team: object.nullable().optional(),
  enterprise: object.nullable().optional(),
};

const eventBody = z.object({
  ...workspace,
  event: z.object(
    {
      type: z.string().max(200),
      user: z.string().max(300).optional(),
      text: text.optional(),
      channel: z.union([z.string().max(300), object]).optional(),
      channel_type: z.string().max(100).optional(),
      subtype: z.string().max(200).optional(),
      tab: z.string().max(100).optional(),
      item: object.optional(),
    },
    { message: 'must be an object' },
  ),
});
const commandBody = z.object({
  ...workspace,
  command: z.string().max(200),
  text: text.optional(),
  user_id: z.string().max(300),
  trigger_id: z.string().max(300).optional(),
  response_url: z.string().max(2000).optional(),
});
const actionsBody = z.object({
  ...workspace,
  user,
  actions: z.array(z.object({ action_id: z.string().max(300) }, { message: 'must be an object' }), {
    message: 'must be a list of actions',
  }),
  response_url: z.string().max(2000).optional(),
  trigger_id: z.string().max(300).optional(),
});
const viewBody = z.object({
  ...workspace,
  user,
  view: z.object(
    {
      id: z.string().max(300).optional(),
      hash: z.string().max(300).optional(),
      callback_id: z.string().max(300),
      private_metadata: z.string().max(3000).optional(),
      state: z.object(
        { values: z.record(z.string(), z.unknown(), { message: 'must be the form’s values' }) },
        { message: 'must hold the form’s values' },
      ),
    },
    { message: 'must be an object' },
  ),
});

/** The first thing wrong with the shape of a parsed, signed Slack request body, or null. */
export function bodyProblem(body: unknown): { field: string; message: string } | null {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return { field: 'body', message: 'body: must be a Slack request' };
  const b = body as Record<string, unknown>;
  const schema =
    'event' in b
      ? eventBody
      : 'command' in b
        ? commandBody
        : 'actions' in b
          ? actionsBody
          : b.type === 'view_submission' || b.type === 'view_closed'
            ? viewBody
            : null;
  if (!schema) return null;
  const parsed = schema.safeParse(body);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || 'body';
  return { field, message: `${field}: ${issue?.message ?? 'is not valid'}` };
}

/** What a request no listener handles was about, to name it. */
function unhandledField(body: unknown): { field: string; value: string } {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  if (typeof b.command === 'string') return { field: 'command', value: b.command };
  const action = Array.isArray(b.actions) ? (b.actions[0] as Record<string, unknown> | undefined) : undefined;
  if (action) return { field: 'actions.0.action_id', value: String(action.action_id) };
  const view = b.view && typeof b.view === 'object' ? (b.view as Record<string, unknown>) : undefined;
  if (view) return { field: 'view.callback_id', value: String(view.callback_id) };
  return { field: 'type', value: String(b.type) };
}

/** A listener's failure: a body of the wrong shape is the sender's mistake (400 naming the field). */
export async function processEventErrorHandler(args: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> {
  const { response, request, error, logger } = args;
  if (response.headersSent) {
    logger.warn(`slack listener failed after its acknowledgement: ${(error as Error).message}`);
    return false;
  }
  const problem = bodyProblem((request as { body?: unknown }).body);
  if (problem) {
    response.writeHead(400, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { code: 'BadRequest', ...problem } }));
    return true;
  }
  logger.warn(`slack listener failed: ${(error as Error).message}`);
  response.writeHead(500);
  response.end();
  return false;
}

/** A request that no listener acknowledged: 404 naming what was not handled. */
export function unhandledRequestHandler(args: ReceiverUnhandledRequestHandlerArgs): void {
  const { response } = args;
  if (response.headersSent) return;
  const { field, value } = unhandledField((args as { request?: { body?: unknown } }).request?.body);
  response.writeHead(404, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({
      error: {
        code: 'NotFound',
        field,
        message: `${field}: "${value.slice(0, 40)}" is not something this bot handles`,
      },
    }),
  );
}

/** The body as Bolt parses it (a form, whose `payload` is JSON, or JSON). */
function parseSlackBody(text: string, contentType: string | undefined): unknown {
  if (contentType === 'application/x-www-form-urlencoded') {
    const form = querystring.parse(text);
    return typeof form.payload === 'string' ? JSON.parse(form.payload) : form;
  }
  return JSON.parse(text);
}

/**
 * Whether this is a kind of request the bot has listeners for: events, slash commands, button clicks and
 * forms (Bolt takes anything with a `name` for a select menu's options request, which this bot never offers).
 */
function knownKind(body: Record<string, unknown>): boolean {
  if (body.ssl_check || body.type === 'url_verification') return true;
  if (body.event !== undefined || body.command !== undefined) return true;
  if (body.name !== undefined) return false;
  return body.actions !== undefined || body.type === 'view_submission' || body.type === 'view_closed';
}

/**
 * Slack's requests, checked for their signature and shape before Bolt sees them (see above). Mount before Bolt's
 * router, on every path it serves Slack's requests on: Bolt does not check signatures itself.
 */
export function precheck(signingSecret: string): RequestHandler[] {
  return [
    express.raw({ type: () => true, limit: BODY_LIMIT }),
    (req, res, next) => {
      const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      // Bolt reads the body from here, as on platforms that buffer it
      (req as { rawBody?: Buffer }).rawBody = raw;
      const text = raw.toString();
      const signed = isValidSlackRequest({
        signingSecret,
        body: text,
        headers: {
          'x-slack-signature': String(req.headers['x-slack-signature'] ?? ''),
          'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
        },
      });
      if (!signed) return void res.status(401).send();
      let body: unknown;
      try {
        body = parseSlackBody(text, req.headers['content-type']);
      } catch {
        return void res
          .status(400)
          .json({
            error: {
              code: 'BadRequest',
              field: 'body',
              message: 'body: is not a Slack request (neither a form nor JSON)',
            },
          });
      }
      const problem = bodyProblem(body);
      if (problem) return void res.status(400).json({ error: { code: 'BadRequest', ...problem } });
      if (!knownKind(body as Record<string, unknown>)) {
        const type = String((body as { type?: unknown }).type).slice(0, 40);
        return void res
          .status(400)
          .json({
            error: {
              code: 'BadRequest',
              field: 'type',
              message: `type: "${type}" is not a Slack request this bot handles`,
            },
          });
      }
      next();
    },
  ];
}
