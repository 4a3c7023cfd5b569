/**
 * The playground: a web chat on the bot's own address where a visitor chooses who they are and talks to the
 * bot through the same conversation (and so the same use cases) as Teams, with the cards drawn by the
 * Adaptive Cards renderer, and a clock they can move forward to watch reminders fire. Local try-out only:
 * the channel mounts it when PLAYGROUND is on and the bot listens on a loopback address.
 *
 * Every request names its person (`x-playground-person` or the `playground_person` cookie; 401 when nobody
 * here has that id) and its body is validated before anything is written (400 naming the field). A record
 * goes through `viewRecord`, so asking for someone else's record is refused (403).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { AdjustableClock } from '../../app/clock.js';
import { formatDateTime } from '../../app/present.js';
import { viewRecord } from '../../app/records.js';
import type { NotificationView } from '../../app/views.js';
import { type Conversation, VERBS, type Verb } from '../../channels/conversation.js';
import { threadKeyOf } from '../../channels/playground/notifier.js';
import { renderCard } from '../../channels/teams/cards.js';
import { contentGuard } from '../../channels/content-guard.js';
import { DEMO_PEOPLE } from '../../demo/school.js';
import type { Person, Role } from '../../domain/types.js';
import type { Runtime } from '../../runtime.js';
import { saveClockOffset } from '../../store/playground-clock.js';
import { type InboxEntry, inboxId, type PlaygroundInbox } from '../../store/playground-inbox.js';
import { webIdentity } from '../identity.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const STATIC = path.join(here, 'static');
const require = createRequire(import.meta.url);
const ADAPTIVE_CARDS = path.join(path.dirname(require.resolve('adaptivecards/package.json')), 'dist', 'adaptivecards.min.js');
const ASSETS: Record<string, { file: string; type: string }> = {
  'app.js': { file: path.join(STATIC, 'app.js'), type: 'text/javascript; charset=utf-8' },
  'style.css': { file: path.join(STATIC, 'style.css'), type: 'text/css; charset=utf-8' },
  'adaptivecards.js': { file: ADAPTIVE_CARDS, type: 'text/javascript; charset=utf-8' },
};

const ROLE_LABELS: Record<Role, string> = {
  dsl: 'DSL',
  'deputy-dsl': 'Deputy DSL',
  headteacher: 'Headteacher',
  governor: 'Safeguarding governor',
  supervisor: 'Supervisor',
  supervisee: 'Supervisee',
  auditor: 'Auditor',
  admin: 'Administrator',
} as Record<Role, string>;

const KIND_LABELS: Record<string, string> = {
  notice: 'a week’s notice',
  booked: 'a booking',
  'agenda-prompt': 'agenda prompts',
  'day-before': 'the day-before reminder',
  'record-unsigned': 'a record waiting to be confirmed',
  'action-late': 'a late action',
  'case-decision-copy': 'a case decision due on the child’s file',
  'case-decision-overdue': 'a case decision a day past its deadline',
  'did-it-happen': '“did it happen?”',
  'did-it-happen-again': '“did it happen?” asked again',
  'not-answered': 'an unanswered session reaching the line manager',
  'request-unanswered': 'a session asked for and not booked',
};

// ---- inputs -----------------------------------------------------------------------------------------------

const entryRef = z.string().regex(/^[A-Za-z0-9._:@|-]{1,400}$/, 'not a message of this chat');
const messageBody = z
  .object({
    text: z.string({ message: 'type a message' }).trim().min(1, 'type a message').max(10_000, 'at most 10,000 characters'),
    /** A reply to a message of the chat (its entry id): a reply to an agenda prompt answers it. */
    replyTo: entryRef.optional(),
  })
  .strict();
const actionBody = z
  .object({
    entryId: entryRef.optional(),
    verb: z.string({ message: 'is required' }).min(1, 'is required').max(100).refine((v) => Object.hasOwn(VERBS, v), 'not an action this bot knows'),
    data: z.record(z.string(), z.unknown(), { message: 'must be an object' }).default({}),
  })
  .strict();
const clockBody = z.discriminatedUnion(
  'advance',
  [
    z.object({ advance: z.literal('next-reminder') }).strict(),
    z.object({ advance: z.literal('days'), days: z.number({ message: 'must be a whole number of days' }).int('must be a whole number of days').min(1, 'at least 1').max(120, 'at most 120') }).strict(),
  ],
  { message: 'must be "next-reminder" or "days"' },
);
const recordParam = z.string().regex(/^[A-Za-z0-9._:@-]{1,250}$/, 'not a record reference');

function badRequest(res: Response, error: z.ZodError, prefix = ''): void {
  const issue = error.issues[0];
  const field = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.') || prefix || 'body';
  res.status(400).json({ error: { field, message: `${field}: ${issue?.message ?? 'is not valid'}` } });
}

// ---- the API ----------------------------------------------------------------------------------------------

export interface PlaygroundApiOptions {
  inbox: PlaygroundInbox;
  conversation: Conversation;
}

export function playgroundRouter(runtime: Runtime, options: PlaygroundApiOptions): Router {
  const { deps, queues, logger, config } = runtime;
  const { inbox, conversation } = options;
  const identity = webIdentity(config, deps);
  const zone = { timezone: config.DEFAULT_TIMEZONE };
  const router = express.Router();
  const guard = contentGuard(runtime, 'playground');
  // parsed inside the router so that a body that is not JSON reaches its error handler (400 naming the body)
  router.use(express.json({ limit: '256kb' }));

  const who = async (req: Request, res: Response): Promise<Person | null> => {
    const result = await identity.identify(req);
    if (result.ok) return result.person;
    res.status(401).json({ error: { field: 'person', message: result.message } });
    return null;
  };

  /** What the page draws: the card as the Adaptive Cards renderer takes it; record sheets as this viewer sees them now. */
  const present = async (person: Person, entry: InboxEntry, req: Request) => {
    // links the bot gives out (a calendar invite) as this browser reaches the bot
    let view = entry.view && (entry.view.type === 'text' || entry.view.type === 'reminder') && entry.view.invite
      ? { ...entry.view, invite: { ...entry.view.invite, url: `${req.protocol}://${req.get('host')}${entry.view.invite.path}` } }
      : entry.view;
    // a form as the supervisor typed it (a row added) stays as typed until the record changes
    if (view?.type === 'record-sheet' && !view.asTyped) {
      const fresh = await viewRecord(deps, person.id, { recordId: view.recordId });
      if (fresh.ok && fresh.view) view = fresh.view;
    }
    // the bot's words as the person's organisation allows them into chat (content-out-of-chat.ts)
    if (view && entry.from === 'bot') view = await guard(person.organisationId, view);
    return {
      id: entry.id,
      from: entry.from,
      text: entry.text,
      kind: view?.type,
      // a message with an invite is a card, for its "Add to calendar" button
      card: view && ((view.type !== 'text' && view.type !== 'refusal' && view.type !== 'error') || (view.type === 'text' && view.invite)) ? renderCard(view) : undefined,
      message: view?.type === 'text' || view?.type === 'refusal' ? view.text : view?.type === 'error' ? view.message : undefined,
      at: entry.at,
      atText: formatDateTime(zone, new Date(entry.at)),
      rev: entry.rev,
    };
  };

  const reply = async (person: Person, view: NotificationView, fallbackKey: string): Promise<string> => {
    const id = inboxId(person.id, threadKeyOf(view) ?? fallbackKey);
    await inbox.put({ id, personId: person.id, from: 'bot', view, at: deps.clock.now() });
    return id;
  };

  const clockState = async () => {
    const now = deps.clock.now();
    const [next] = await deps.reminders.pending(now);
    return {
      now: now.toISOString(),
      nowText: formatDateTime(zone, now),
      timezone: config.DEFAULT_TIMEZONE,
      next: next ? { at: next.dueAt.toISOString(), atText: formatDateTime(zone, next.dueAt), kind: next.kind, label: KIND_LABELS[next.kind] ?? next.kind } : null,
    };
  };

  router.get('/people', async (_req, res) => {
    const orgs = await deps.organisations.list();
    const people = (await Promise.all(orgs.map((o) => deps.people.byOrganisation(o.id)))).flat();
    const titles = new Map(DEMO_PEOPLE.map((p) => [p.id, p.title]));
    res.json({
      // the school's name for the page's header: the demo school's, or the one set up from a blank start
      schools: orgs.map((o) => o.name),
      people: people.map((p) => ({ id: p.id, name: p.name, roles: p.roles.map((r) => ROLE_LABELS[r] ?? r), title: titles.get(p.id) ?? p.roles.map((r) => ROLE_LABELS[r] ?? r).join(', ') })),
    });
  });

  router.get('/me', async (req, res) => {
    const person = await who(req, res);
    if (!person) return;
    res.json({ person: { id: person.id, name: person.name, roles: person.roles } });
  });

  router.get('/inbox', async (req, res) => {
    const person = await who(req, res);
    if (!person) return;
    const entries = await inbox.forPerson(person.id);
    res.json({ entries: await Promise.all(entries.map((e) => present(person, e, req))) });
  });

  router.post('/messages', async (req, res) => {
    const person = await who(req, res);
    if (!person) return;
    const body = messageBody.safeParse(req.body ?? {});
    if (!body.success) return badRequest(res, body.error);
    const interactionId = randomUUID();
    await inbox.put({ id: inboxId(person.id, `said:${interactionId}`), personId: person.id, from: 'person', text: body.data.text, at: deps.clock.now() });
    const thread = body.data.replyTo?.startsWith(`${person.id}|agenda:`) ? body.data.replyTo.slice(`${person.id}|agenda:`.length) : undefined;
    const said = await conversation.onText(person, body.data.text, interactionId, thread ? { threadSessionId: thread } : {});
    // the calendar's and the dashboard's addresses as this browser reaches the bot
    const view = (said.type === 'calendar-link' && said.path) || said.type === 'dashboard-link' ? { ...said, url: `${req.protocol}://${req.get('host')}${said.path}` } : said;
    const id = await reply(person, view, `reply:${interactionId}`);
    const entry = await inbox.get(id);
    res.json({ entry: entry ? await present(person, entry, req) : null });
  });

  router.post('/actions', async (req, res) => {
    const person = await who(req, res);
    if (!person) return;
    const body = actionBody.safeParse(req.body ?? {});
    if (!body.success) return badRequest(res, body.error);
    const { entryId, verb, data } = body.data;
    if (entryId && !entryId.startsWith(`${person.id}|`)) {
      res.status(403).json({ error: { field: 'entryId', message: 'entryId: that message is in someone else’s chat' } });
      return;
    }
    // the card's data is checked here too, so a bad submission is a 400 naming the field and writes nothing
    const checked = VERBS[verb as Verb].safeParse(data);
    if (!checked.success) return badRequest(res, checked.error, 'data');
    const interactionId = randomUUID();
    const view = await conversation.onVerb(person, verb, data, interactionId);
    if (view.type === 'error') {
      // a field of the card's data is named as the body names it (`data.date`), as the schema check above does
      const schema = VERBS[verb as Verb] as unknown as { shape?: Record<string, unknown> };
      const inData = !!view.field && !!schema.shape && Object.hasOwn(schema.shape, view.field);
      const field = inData ? `data.${view.field}` : (view.field ?? 'data');
      const message = inData && view.message.startsWith(`${view.field}:`) ? `data.${view.message}` : view.message;
      res.status(400).json({ error: { field, message } });
      return;
    }
    if (view.type === 'refusal') {
      res.status(403).json({ error: { field: 'verb', message: view.text } });
      return;
    }
    // as in Teams, the card that was acted on becomes the answer (a record card stays on its record's thread)
    const key = threadKeyOf(view) ?? (entryId ? entryId.slice(person.id.length + 1) : `reply:${interactionId}`);
    const id = await reply(person, view, key);
    const entry = await inbox.get(id);
    res.json({ entry: entry ? await present(person, entry, req) : null, replaced: entryId && entryId !== id ? entryId : undefined });
  });

  router.get('/records/:recordId', async (req, res) => {
    const person = await who(req, res);
    if (!person) return;
    const recordId = recordParam.safeParse(req.params.recordId);
    if (!recordId.success) return badRequest(res, recordId.error, 'recordId');
    const result = await viewRecord(deps, person.id, { recordId: recordId.data });
    if (!result.ok) {
      if (result.error.type === 'refusal') res.status(403).json({ error: { field: 'recordId', message: result.error.text } });
      else res.status(400).json({ error: { field: result.error.field ?? 'recordId', message: result.error.message } });
      return;
    }
    res.json({ card: result.view ? renderCard(await guard(person.organisationId, result.view)) : null });
  });

  router.get('/clock', async (req, res) => {
    if (!(await who(req, res))) return;
    res.json(await clockState());
  });

  router.post('/clock', async (req, res) => {
    const person = await who(req, res);
    if (!person) return;
    const body = clockBody.safeParse(req.body ?? {});
    if (!body.success) return badRequest(res, body.error);
    const clock = deps.clock as AdjustableClock;
    const now = deps.clock.now();
    let fired = 0;
    if (body.data.advance === 'days') {
      // Time passes reminder by reminder: each fires at its own moment (a "tomorrow" on the day before, not
      // days late), and what it says is what was true then.
      const target = new Date(now.getTime() + body.data.days * 86_400_000);
      for (let i = 0; i < 1000; i++) {
        const [next] = await deps.reminders.pending(new Date(0), new Date(target.getTime() + 1));
        if (!next) break;
        if (next.dueAt.getTime() > deps.clock.now().getTime()) clock.set(next.dueAt);
        const count = await queues.fireDueReminders();
        fired += count;
        if (count === 0) break;
      }
      if (target.getTime() > deps.clock.now().getTime()) clock.set(target);
    } else {
      // reminders already due go first; otherwise the clock moves to the earliest one still to come
      const [due] = await deps.reminders.pending(new Date(0), new Date(now.getTime() + 1));
      const [next] = due ? [] : await deps.reminders.pending(now);
      if (next) clock.set(next.dueAt);
    }
    fired += await queues.fireDueReminders();
    await queues.flushOutbox();
    // kept, so a restart of the bot carries on at this time (src/bot.ts restores it)
    await saveClockOffset(runtime.store.connection, clock.offset);
    logger.info({ personId: person.id, advance: body.data.advance, fired }, 'playground clock moved');
    res.json({ ...(await clockState()), fired });
  });

  router.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (error.type === 'entity.parse.failed' || error.status === 400) {
      res.status(400).json({ error: { field: 'body', message: 'body: must be JSON' } });
      return;
    }
    if (error.type === 'entity.too.large') {
      res.status(413).json({ error: { field: 'body', message: 'body: too large' } });
      return;
    }
    logger.warn({ err: error.message }, 'playground request failed');
    res.status(500).json({ error: { field: 'server', message: 'Something went wrong on our side. Please try again.' } });
  });
  return router;
}

/** The playground page loads only its own files (scripts, styles) and talks only to its own API; nobody frames it. */
export const PLAYGROUND_CSP = ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"].join('; ');

/** The page and its assets. */
export function playgroundPages(): Router {
  const router = express.Router();
  const page = () => readFileSync(path.join(STATIC, 'index.html'), 'utf8');
  router.get('/', (req, res) => {
    if (!req.originalUrl.endsWith('/') && !req.originalUrl.includes('?')) return res.redirect(301, `${req.originalUrl}/`);
    res.type('html').set({ 'cache-control': 'no-store', 'Content-Security-Policy': PLAYGROUND_CSP }).send(page());
  });
  router.get('/assets/:name', (req, res) => {
    const asset = Object.hasOwn(ASSETS, req.params.name) ? ASSETS[req.params.name] : undefined;
    if (!asset) return res.status(404).json({ error: { field: 'name', message: 'name: no such file' } });
    res.type(asset.type).set('cache-control', 'no-cache').send(readFileSync(asset.file));
  });
  return router;
}
