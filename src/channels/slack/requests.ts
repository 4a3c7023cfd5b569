/**
 * What the Slack channel answers when a signed request is not what Slack sends: Bolt assumes the shape of a
 * request's body (an event is an object, `actions` a list, ids are strings) and fails with a 500 otherwise,
 * and waits three seconds before a bare 404 for a request it cannot place. `admitSlackRequest` runs before Bolt: a
 * request whose signature is valid but whose body is not a Slack request of a known kind gets 400 naming the
 * field at once. A request without a valid signature gets a bare 401, so nothing is told to a sender who cannot
 * sign. Nothing is read or written for either. The signature is checked here only, not again by Bolt (whose
 * receiver is built with `signatureVerification: false`): every request's HMAC was computed twice (P1).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import querystring from 'node:querystring';
import {
  type App,
  HTTPModuleFunctions,
  HTTPResponseAck,
  isValidSlackRequest,
  type Logger,
  type ReceiverProcessEventErrorHandlerArgs,
  type ReceiverUnhandledRequestHandlerArgs,
} from '@slack/bolt';
import { z } from 'zod';
import type { FrontDoor } from '../../server.js';

/** The same body limit as Bolt's (4 MB). */
const BODY_LIMIT = HTTPModuleFunctions.defaultBodyLimit;

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
  return { field: 'type', value: shown(b.type) };
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

/** A parsed value named in an answer: a string as it is, anything else as JSON (an object's own `toString` is never called). */
function shown(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
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

/** A refusal: its status and, for a signed sender, the JSON that names what is wrong. */
type Refusal = { status: number; json?: unknown };

const badRequest = (field: string, message: string): Refusal => ({
  status: 400,
  json: { error: { code: 'BadRequest', field, message } },
});

/**
 * A Slack request's raw body and headers checked before Bolt sees it (see above): the body as Bolt parses it, or
 * the refusal to answer with.
 */
export function admitSlackRequest(
  signingSecret: string,
  raw: Buffer,
  headers: IncomingHttpHeaders,
): { body: Record<string, unknown> } | { refusal: Refusal } {
  const text = raw.toString();
  const signed = isValidSlackRequest({
    signingSecret,
    body: text,
    headers: {
      'x-slack-signature': String(headers['x-slack-signature'] ?? ''),
      'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
    },
  });
  if (!signed) return { refusal: { status: 401 } };
  let body: unknown;
  try {
    body = parseSlackBody(text, headers['content-type']);
  } catch {
    return { refusal: badRequest('body', 'body: is not a Slack request (neither a form nor JSON)') };
  }
  const problem = bodyProblem(body);
  if (problem) return { refusal: badRequest(problem.field, problem.message) };
  if (!knownKind(body as Record<string, unknown>)) {
    const type = shown((body as { type?: unknown }).type).slice(0, 40);
    return { refusal: badRequest('type', `type: "${type}" is not a Slack request this bot handles`) };
  }
  return { body: body as Record<string, unknown> };
}

/** The paths Slack posts to. */
export const SLACK_PATHS = ['/slack/events', '/slack/commands', '/slack/interactions'];

/** A request's path as express routes it: without its query, any case, one trailing slash or none. */
function routedPath(url: string | undefined): string {
  const path = (url ?? '').split('?')[0]?.toLowerCase() ?? '';
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

const send = (res: ServerResponse, status: number, json?: unknown) => {
  if (json === undefined) {
    res.writeHead(status);
    return void res.end();
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(json));
};

export interface SlackFrontDoorOptions {
  signingSecret: string;
  /** Bolt's app: a request that passes is handed to its `processEvent`, as Bolt's receiver does. */
  app: App;
  /** The default security headers on each answer (see `security-headers.ts`). */
  headers: (req: IncomingMessage, res: ServerResponse) => void;
  /** Where the error handlers' warnings go (Bolt's receiver's logger). */
  logger: Logger;
}

/**
 * Slack's requests, answered without express (`FrontDoor`): Slack posts hundreds a second to a busy bot, and
 * each takes only the signature check, the checks above and Bolt. The body is read (at most Bolt's 4 MB; 413
 * past it), checked (`admitSlackRequest`), and given to Bolt's `processEvent` with Bolt's own acknowledgement
 * (`HTTPResponseAck`), as its receiver would; Slack's SSL check and URL verification are answered here. Every
 * path express would route to Bolt's endpoints (any case, a trailing slash) comes here, whatever the method, so
 * nothing reaches Bolt unsigned.
 */
export function slackFrontDoor(options: SlackFrontDoorOptions): FrontDoor {
  const { signingSecret, app, logger } = options;
  const paths = new Set(SLACK_PATHS);
  const handle = (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const admitted = admitSlackRequest(signingSecret, raw, req.headers);
    if ('refusal' in admitted) return send(res, admitted.refusal.status, admitted.refusal.json);
    const { body } = admitted;
    if (req.method !== 'POST') return send(res, 404, { error: 'no such route' });
    if (body.ssl_check) return HTTPModuleFunctions.buildSSLCheckResponse(res);
    if (body.type === 'url_verification') return HTTPModuleFunctions.buildUrlVerificationResponse(res, body);
    // the error handlers read the parsed body from the request, as they do from Bolt's receiver
    (req as { body?: unknown }).body = body;
    const ack = new HTTPResponseAck({
      logger,
      processBeforeResponse: false,
      unhandledRequestHandler,
      httpRequest: req,
      httpRequestBody: body,
      httpResponse: res,
    });
    const event = {
      body,
      ack: ack.bind(),
      retryNum: HTTPModuleFunctions.extractRetryNumFromHTTPRequest(req),
      retryReason: HTTPModuleFunctions.extractRetryReasonFromHTTPRequest(req),
      customProperties: {},
    };
    app
      .processEvent(event)
      .catch(async (error: unknown) => {
        const handled = await processEventErrorHandler({
          error: error as Error,
          logger,
          request: req,
          response: res,
          storedResponse: ack.storedResponse,
        });
        if (handled) ack.ack();
      })
      .catch((error: Error) => failed(res, error));
  };
  /** What express did for a handler that threw: 500, and a warning without the request's words. */
  const failed = (res: ServerResponse, error: Error) => {
    logger.warn(`slack request failed: ${error.name}`);
    if (!res.headersSent) send(res, 500);
  };
  return (req, res) => {
    if (!paths.has(routedPath(req.url))) return false;
    options.headers(req, res);
    const declared = Number(req.headers['content-length']);
    if (declared > BODY_LIMIT) {
      send(res, 413, tooLarge);
      req.resume();
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) return void chunks.push(chunk);
      if (!res.headersSent) send(res, 413, tooLarge);
      chunks.length = 0;
    });
    req.on('end', () => {
      if (size > BODY_LIMIT) return;
      try {
        handle(req, res, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
      } catch (error) {
        failed(res, error as Error);
      }
    });
    return true;
  };
}

const tooLarge = {
  error: { code: 'PayloadTooLarge', field: 'body', message: 'body: is larger than Slack’s 4 MB' },
};
