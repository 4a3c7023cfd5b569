/**
 * Slack: a Bolt app on the bot's HTTP server (`POST /slack/events` for events, slash commands and
 * interactions; Bolt verifies the v0 signature and refuses requests older than five minutes with 401).
 * Every handler acknowledges first; state changes then go through the `commands` queue with a job id taken
 * from the interaction, and results are posted with `response_url`, `chat.postMessage` or `views.*`.
 *
 * This file only translates: Slack payload ⇄ command or read ⇄ Block Kit. Supervision rules live in the
 * use cases.
 */
import {
  type AllMiddlewareArgs,
  App,
  type App as BoltApp,
  type BlockAction,
  ExpressReceiver,
  LogLevel,
  type SlackActionMiddlewareArgs,
  type SlackCommandMiddlewareArgs,
  type SlackEventMiddlewareArgs,
  type types,
  webApi,
} from '@slack/bolt';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { help as helpRead, myActions, nextSession, personBySlack } from '../../app/reads.js';
import { computeOverdue } from '../../app/overdue.js';
import { type Command, type CommandType, commandIdFrom } from '../../app/commands.js';
import type { UseCaseResult } from '../../app/errors.js';
import { viewRecord, recordIdFor } from '../../app/records.js';
import type { NotificationView, RecordSheetView } from '../../app/views.js';
import type { Person } from '../../domain/types.js';
import { AGENDA_CATEGORIES, RECORD_TOPICS } from '../../domain/types.js';
import { AGENDA_CATEGORY_LABELS, RECORD_TOPIC_LABELS } from '../../domain/agenda.js';
import { redisConnection } from '../../queue/redis.js';
import type { Runtime } from '../../runtime.js';
import type { Mount } from '../../server.js';
import { ACTIONS, LIMITS, VIEWS, clip, paginate, render, type SlackMessage } from './blocks.js';
import { SlackNotifier } from './notifier.js';

type KnownBlock = types.KnownBlock;
type View = types.View;

const NOT_SET_UP = 'Sorry — your Slack account is not linked to a supervision record here. Please ask your DSL.';
const WAIT_MS = 10_000;
const POST_ACK_CONCURRENCY = 16;

export interface SlackChannel {
  mount: Mount;
  notifier: SlackNotifier;
  app: BoltApp;
  close(): Promise<void>;
}

export interface SlackOptions {
  signingSecret: string;
  botToken: string;
  /** The Web API base, for a local Slack in tests (`https://slack.com/api/` otherwise). */
  apiUrl?: string;
  appToken?: string;
}

// ---- inputs -----------------------------------------------------------------------------------------------

const overdueFilter = z.enum(['all', 'sessions', 'records', 'actions', 'reviews'], { message: 'use one of: sessions, records, actions, reviews' });

const supervisionText = z.discriminatedUnion('verb', [
  z.object({ verb: z.literal('help') }),
  z.object({ verb: z.literal('next') }),
  z.object({ verb: z.literal('actions') }),
  z.object({ verb: z.literal('record') }),
  z.object({ verb: z.literal('park'), text: z.string().trim().min(1, 'say what to park, e.g. /supervision park workload in December').max(2000) }),
]);

function parseSupervision(text: string) {
  const trimmed = text.trim();
  const [verb = 'help', ...rest] = trimmed.split(/\s+/);
  const lower = verb.toLowerCase();
  if (!['help', 'next', 'actions', 'park', 'record'].includes(lower)) {
    return { ok: false as const, field: 'command', message: `command: "${clip(verb, 40)}" is not a /supervision command — try help, next, actions, park or record` };
  }
  const parsed = supervisionText.safeParse({ verb: lower, text: trimmed.slice(verb.length).trim() || undefined, rest });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false as const, field: issue?.path.join('.') || 'text', message: `${issue?.path.join('.') || 'text'}: ${issue?.message ?? 'is not valid'}` };
  }
  return { ok: true as const, value: parsed.data };
}

const recordValue = z.string().regex(/^[A-Za-z0-9._-]{1,200}@\d{1,4}$/, 'not a record reference');
const idValue = z.string().regex(/^[A-Za-z0-9._:-]{1,250}$/, 'not a reference');

const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'pick a date');

/** The record modal's state, as Slack sends it. */
const recordModalState = z.object({
  topics: z.object({ v: z.object({ selected_options: z.array(z.object({ value: z.enum(RECORD_TOPICS) })).max(4).nullish() }) }),
  notes: z.object({ v: z.object({ value: z.string().max(5000, 'at most 5,000 characters').nullish() }) }),
  concerns: z.object({ v: z.object({ value: z.string().max(10_000).nullish() }) }),
  risk: z.object({ v: z.object({ value: z.string().max(10_000).nullish() }) }),
  child_ref: z.object({ v: z.object({ value: z.string().max(20, 'initials or a reference, at most 20 characters').regex(/^[A-Za-z0-9 ./#-]*$/, 'initials or a reference only').nullish() }) }),
  decision: z.object({ v: z.object({ value: z.string().max(1000).nullish() }) }),
  rationale: z.object({ v: z.object({ value: z.string().max(1000).nullish() }) }),
  follow_up: z.object({ v: z.object({ selected_option: z.object({ value: idValue }).nullish() }) }),
  ...Object.fromEntries(
    [0, 1, 2].flatMap((i) => [
      [`action_${i}`, z.object({ v: z.object({ value: z.string().max(1000).nullish() }) })],
      [`owner_${i}`, z.object({ v: z.object({ selected_option: z.object({ value: idValue }).nullish() }) })],
      [`due_${i}`, z.object({ v: z.object({ selected_date: localDate.nullish() }) })],
    ]),
  ),
  next_date: z.object({ v: z.object({ selected_date: localDate.nullish() }) }),
  next_time: z.object({ v: z.object({ selected_time: z.string().regex(/^\d{2}:\d{2}$/).nullish() }) }),
});

type ModalErrors = Record<string, string>;

/** Modal state → draftRecord input, or the errors to show on the fields. */
export function recordInputFromModal(values: unknown, sessionId: string, timezoneOffsetFor: (day: string, time: string) => Date): { input?: Record<string, unknown>; errors?: ModalErrors } {
  const parsed = recordModalState.safeParse(values);
  if (!parsed.success) {
    const errors: ModalErrors = {};
    for (const issue of parsed.error.issues) {
      const block = String(issue.path[0] ?? 'notes');
      errors[block] ??= issue.message;
    }
    return { errors };
  }
  const v = parsed.data as Record<string, { v: Record<string, unknown> }>;
  const text = (block: string) => ((v[block]?.v.value as string | null | undefined) ?? '').trim();
  const lines = (block: string) => text(block).split('\n').map((l) => l.trim()).filter(Boolean);
  const errors: ModalErrors = {};
  const childRef = text('child_ref');
  const decision = text('decision');
  const rationale = text('rationale');
  const followUp = (v.follow_up?.v.selected_option as { value: string } | null | undefined)?.value;
  const caseDecisions = [];
  if (childRef || decision || rationale) {
    if (!childRef) errors.child_ref = 'give the child’s initials or reference';
    if (!decision) errors.decision = 'record the decision';
    if (!rationale) errors.rationale = 'record the rationale';
    if (!followUp) errors.follow_up = 'say who follows up';
    caseDecisions.push({ childRef, decision, rationale, followUpById: followUp });
  }
  const actions = [];
  for (const i of [0, 1, 2]) {
    const what = text(`action_${i}`);
    const owner = (v[`owner_${i}`]?.v.selected_option as { value: string } | null | undefined)?.value;
    const due = v[`due_${i}`]?.v.selected_date as string | null | undefined;
    if (!what && !owner && !due) continue;
    if (!what) errors[`action_${i}`] = 'describe the action';
    if (!owner) errors[`owner_${i}`] = 'say who owns the action';
    if (!due) errors[`due_${i}`] = 'pick a due date';
    actions.push({ text: what, ownerId: owner, dueDate: due });
  }
  const nextDate = v.next_date?.v.selected_date as string | null | undefined;
  const nextTime = v.next_time?.v.selected_time as string | null | undefined;
  if (nextTime && !nextDate) errors.next_date = 'pick the date of the next session';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    input: {
      sessionId,
      topics: ((v.topics?.v.selected_options as Array<{ value: string }> | null | undefined) ?? []).map((o) => o.value),
      notes: text('notes'),
      concerns: [...lines('concerns').map((t) => ({ text: t, riskOfHarm: false })), ...lines('risk').map((t) => ({ text: t, riskOfHarm: true }))],
      caseDecisions,
      actions,
      ...(nextDate ? { nextSessionAt: timezoneOffsetFor(nextDate, nextTime ?? '15:45').toISOString() } : {}),
      submit: true,
    },
  };
}

// ---- views ------------------------------------------------------------------------------------------------

const plain = (text: string) => ({ type: 'plain_text' as const, text: clip(text, 150) });
const option = (value: string, label: string) => ({ text: plain(label), value });
const input = (block: string, label: string, element: Record<string, unknown>, optional = true, hint?: string): KnownBlock =>
  ({ type: 'input', block_id: block, optional, label: plain(label), element: { ...element, action_id: 'v' }, ...(hint ? { hint: plain(hint) } : {}) }) as KnownBlock;

export function recordModal(sessionId: string, record: RecordSheetView | null, owners: Array<{ id: string; name: string }>, title: string): View {
  const ownerOptions = owners.map((o) => option(o.id, o.name));
  const pick = (id?: string) => ownerOptions.find((o) => o.value === id);
  const text = (value?: string) => (value ? { initial_value: value } : {});
  const decision = record?.caseDecisions[0];
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*${title}*\nWhen you submit, both of you are asked to confirm the record. A confirmed record cannot be changed.`) } },
    input('topics', 'Topics discussed', {
      type: 'checkboxes',
      options: RECORD_TOPICS.map((t) => option(t, RECORD_TOPIC_LABELS[t])),
      ...(record && record.topics.length > 0 ? { initial_options: record.topics.map((t) => option(t, RECORD_TOPIC_LABELS[t])) } : {}),
    }),
    input('notes', 'Discussion', { type: 'plain_text_input', multiline: true, max_length: 3000, ...text(record?.notes) }),
    input('concerns', 'Concerns (one per line)', { type: 'plain_text_input', multiline: true, ...text(record?.concerns.filter((c) => !c.riskOfHarm).map((c) => c.text).join('\n')) }),
    input('risk', 'Risk of harm to a child (one per line — goes to the DSL at once)', { type: 'plain_text_input', multiline: true, ...text(record?.concerns.filter((c) => c.riskOfHarm).map((c) => c.text).join('\n')) }),
    { type: 'header', text: plain('Case decision') },
    input('child_ref', 'Child (initials or reference only)', { type: 'plain_text_input', max_length: 20, ...text(decision?.childRef) }, true, 'Never a child’s name.'),
    input('decision', 'Decision', { type: 'plain_text_input', ...text(decision?.decision) }),
    input('rationale', 'Rationale', { type: 'plain_text_input', ...text(decision?.rationale) }),
    input('follow_up', 'Who follows up', { type: 'static_select', options: ownerOptions, ...(pick(decision?.followUpById) ? { initial_option: pick(decision?.followUpById) } : {}) }, true, 'The decision must reach the child’s safeguarding file within 24 hours.'),
    { type: 'header', text: plain('Actions agreed') },
  ];
  for (const i of [0, 1, 2]) {
    const a = record?.actions[i];
    blocks.push(
      input(`action_${i}`, `Action ${i + 1}`, { type: 'plain_text_input', ...text(a?.text) }),
      input(`owner_${i}`, `Action ${i + 1}: by whom`, { type: 'static_select', options: ownerOptions, ...(pick(a?.ownerId) ? { initial_option: pick(a?.ownerId) } : {}) }),
      input(`due_${i}`, `Action ${i + 1}: by when`, { type: 'datepicker', ...(a ? { initial_date: a.dueDate } : {}) }),
    );
  }
  blocks.push(
    input('next_date', 'Next session', { type: 'datepicker', ...(record?.nextSessionDate ? { initial_date: record.nextSessionDate } : {}) }),
    input('next_time', 'Next session: time', { type: 'timepicker' }),
  );
  return {
    type: 'modal',
    callback_id: VIEWS.record,
    private_metadata: sessionId,
    title: plain('Supervision record'),
    submit: plain('Send to confirm'),
    close: plain('Cancel'),
    blocks,
  } as View;
}

const disputeModal = (recordRef: string): View =>
  ({
    type: 'modal',
    callback_id: VIEWS.dispute,
    private_metadata: recordRef,
    title: plain('Request a change'),
    submit: plain('Send'),
    close: plain('Cancel'),
    blocks: [
      input('reason', 'What should change, and why?', { type: 'plain_text_input', multiline: true, max_length: 2000 }, false, 'Goes to both of you and, if you cannot agree, to the person your contract names.'),
    ],
  }) as View;

const agendaItemModal = (sessionId: string, risk: boolean): View =>
  ({
    type: 'modal',
    callback_id: VIEWS.agendaItem,
    private_metadata: JSON.stringify({ sessionId, risk }),
    title: plain(risk ? 'Risk of harm' : 'Agenda item'),
    submit: plain(risk ? 'Send to the DSL now' : 'Add'),
    close: plain('Cancel'),
    blocks: [
      ...(risk ? [{ type: 'section', text: { type: 'mrkdwn', text: 'This goes to your DSL *now*, not at the session. If a child is in immediate danger, call 999.' } } as KnownBlock] : []),
      input('text', risk ? 'What is the concern?' : 'What would you like to discuss?', { type: 'plain_text_input', multiline: true, max_length: 2000 }, false),
      input('category', 'Category', { type: 'static_select', options: AGENDA_CATEGORIES.map((c) => option(c, AGENDA_CATEGORY_LABELS[c])), initial_option: option(risk ? 'case-discussion' : 'case-discussion', AGENDA_CATEGORY_LABELS['case-discussion']) }, false),
    ],
  }) as View;

// ---- the app ----------------------------------------------------------------------------------------------

export function createSlackChannel(runtime: Runtime, options: SlackOptions): SlackChannel {
  const { deps, queues, logger } = runtime;
  const apiUrl = options.apiUrl;
  // HTTP in production; Socket Mode (no public URL needed) when an app-level token is given
  const receiver = options.appToken
    ? null
    : new ExpressReceiver({
        signingSecret: options.signingSecret,
        endpoints: { events: '/slack/events', commands: '/slack/commands', interactions: '/slack/interactions' },
        processBeforeResponse: false,
        logLevel: LogLevel.ERROR,
      });
  // Bolt, given a token without start-up verification, calls auth.test before every request; the bot's identity
  // is fetched once instead (and again only after a failure), so an ack never waits on Slack's Web API.
  const identityClient = new webApi.WebClient(options.botToken, { ...(apiUrl ? { slackApiUrl: apiUrl } : {}), logLevel: webApi.LogLevel.ERROR });
  let identity: Promise<{ botId?: string; botUserId?: string; teamId?: string }> | null = null;
  const authorize = async () => {
    identity ??= identityClient.auth.test().then(
      (r) => ({ botId: r.bot_id, botUserId: r.user_id, teamId: r.team_id }),
      (error) => {
        identity = null;
        throw error;
      },
    );
    return { botToken: options.botToken, ...(await identity) };
  };
  const app = new App({
    authorize,
    ...(receiver ? { receiver } : { socketMode: true, appToken: options.appToken, signingSecret: options.signingSecret }),
    // no conversation-state middleware: the bot keeps its state in MongoDB
    convoStore: false,
    logLevel: LogLevel.ERROR,
    clientOptions: { ...(apiUrl ? { slackApiUrl: apiUrl } : {}), retryConfig: { retries: 2 } },
  });
  const notifier = new SlackNotifier(deps, options.botToken, apiUrl);
  const redis: Redis = redisConnection(runtime.config.REDIS_URL as string, { maxRetriesPerRequest: 3 });
  redis.on('error', (e) => logger.warn({ err: e.message }, 'redis connection error (slack)'));

  /** Slack redelivers an event it thinks we missed (`x-slack-retry-num`): each event id is handled once. */
  const firstTime = async (eventId: string) => (await redis.set(`${runtime.config.QUEUE_PREFIX}:slack:event:${eventId}`, '1', 'EX', 86_400, 'NX')) === 'OK';

  const run = async (type: CommandType, actor: Person, interactionId: string, input: Record<string, unknown>): Promise<UseCaseResult | 'pending'> => {
    const command: Command = { commandId: commandIdFrom('slack', interactionId), type, actorId: actor.id, input };
    // an attempt that failed (a conflict, an outage) is retried by the queue; the person is told it is on its way
    return queues.dispatchAndWait(command, WAIT_MS).catch((error: Error) => {
      logger.warn({ err: error.message, type }, 'command attempt failed; the queue retries it');
      return 'pending' as const;
    });
  };

  const asMessage = (result: UseCaseResult | 'pending'): SlackMessage => {
    if (result === 'pending') return render({ type: 'text', text: 'Got it — I will post the result here in a moment.' });
    if (!result.ok) return render(result.error);
    return render(result.view ?? { type: 'text', text: 'Done.' });
  };

  const who = async (userId: string | undefined) => (userId ? personBySlack(deps, userId) : null);

  /**
   * Ack first, always: a command or action is acknowledged before anything else, and its work waits its turn
   * here (a few at a time), so a burst of clicks never delays the acknowledgement of the next one.
   */
  const backlog: Array<() => Promise<void>> = [];
  let running = 0;
  const pump = () => {
    while (running < POST_ACK_CONCURRENCY && backlog.length > 0) {
      const job = backlog.shift() as () => Promise<void>;
      running++;
      job()
        .catch((e) => logger.warn({ err: (e as Error).message }, 'slack work failed'))
        .finally(() => {
          running--;
          pump();
        });
    }
  };
  const later = (job: () => Promise<void>) => {
    backlog.push(job);
    pump();
  };
  type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
  type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
  const ackCommand = (handler: (args: CommandArgs) => Promise<void>) => async (args: CommandArgs) => {
    await args.ack();
    later(() => handler(args));
  };
  const ackAction = (handler: (args: ActionArgs) => Promise<void>) => async (args: ActionArgs) => {
    await args.ack();
    later(() => handler(args));
  };
  /** Opening a modal cannot wait its turn: Slack's trigger id expires three seconds after the click. */
  const ackActionNow = (handler: (args: ActionArgs) => Promise<void>) => async (args: ActionArgs) => {
    await args.ack();
    await handler(args);
  };
  type MessageArgs = SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs;
  type HomeArgs = SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs;
  const inTurn = <A>(handler: (args: A) => Promise<void>) => async (args: A) => {
    later(() => handler(args));
  };

  // /overdue [filter]
  app.command('/overdue', ackCommand(async ({ command, respond }) => {
    const person = await who(command.user_id);
    if (!person) return void (await respond({ response_type: 'ephemeral', text: NOT_SET_UP }));
    const filter = overdueFilter.safeParse((command.text || 'all').trim().toLowerCase() || 'all');
    if (!filter.success) return void (await respond({ response_type: 'ephemeral', text: `filter: ${filter.error.issues[0]?.message}` }));
    const result = await computeOverdue(deps, person.id, { filter: filter.data });
    for (const page of paginate(asMessage(result))) await respond({ response_type: 'ephemeral', ...page });
  }));

  // /supervision help|next|actions|park <text>|record
  app.command('/supervision', ackCommand(async ({ command, respond, client }) => {
    const person = await who(command.user_id);
    if (!person) return void (await respond({ response_type: 'ephemeral', text: NOT_SET_UP }));
    const parsed = parseSupervision(command.text ?? '');
    if (!parsed.ok) return void (await respond({ response_type: 'ephemeral', text: parsed.message }));
    const say = async (result: UseCaseResult | 'pending') => {
      for (const page of paginate(asMessage(result))) await respond({ response_type: 'ephemeral', ...page });
    };
    switch (parsed.value.verb) {
      case 'help':
        return say(await helpRead(deps, person.id, {}));
      case 'next':
        return say(await nextSession(deps, person.id, {}));
      case 'actions':
        return say(await myActions(deps, person.id, {}));
      case 'park':
        return say(await run('parkItemForNextSession', person, `cmd.${command.trigger_id}`, { text: parsed.value.text }));
      case 'record': {
        const session = await latestSessionToRecord(person);
        if (!session) return say({ ok: true, view: { type: 'text', text: 'You have no session waiting for a record.' } });
        await client.views.open({ trigger_id: command.trigger_id, view: await modalFor(person, session) });
        return;
      }
    }
  }));

  async function latestSessionToRecord(person: Person): Promise<string | null> {
    const now = deps.clock.now();
    let best: { id: string; at: number } | null = null;
    for (const contract of await deps.contracts.forPerson(person.id)) {
      if (!contract.supervisorIds.includes(person.id)) continue;
      for (const s of await deps.sessions.byContract(contract.id)) {
        if (s.startsAt.getTime() > now.getTime() || s.status === 'cancelled') continue;
        const record = await deps.records.latest(recordIdFor(s.id));
        if (record && record.state !== 'draft') continue;
        if (!best || s.startsAt.getTime() > best.at) best = { id: s.id, at: s.startsAt.getTime() };
      }
    }
    return best?.id ?? null;
  }

  async function modalFor(person: Person, sessionId: string): Promise<View> {
    const session = await deps.sessions.get(sessionId);
    const contract = session ? await deps.contracts.get(session.contractId) : null;
    const owners = contract ? await deps.people.getMany([...contract.supervisorIds, ...contract.superviseeIds]) : [];
    const existing = await viewRecord(deps, person.id, { recordId: recordIdFor(sessionId) });
    const record = existing.ok && existing.view?.type === 'record-sheet' ? existing.view : null;
    const org = await deps.organisations.get(person.organisationId);
    const { formatDate } = await import('../../app/present.js');
    const title = session && org ? `Session of ${formatDate(org, session.startsAt)} with ${owners.filter((o) => contract?.superviseeIds.includes(o.id)).map((o) => o.name).join(', ')}` : 'Supervision record';
    return recordModal(sessionId, record, owners.map((o) => ({ id: o.id, name: o.name })), title);
  }

  const actionValue = (body: unknown) => {
    const action = (body as { actions?: Array<{ value?: string; action_ts?: string }> }).actions?.[0];
    return { value: action?.value ?? '', ts: action?.action_ts ?? '' };
  };
  const bodyUser = (body: unknown) => (body as { user?: { id?: string } }).user?.id;

  const reply = async (respond: ((m: Record<string, unknown>) => Promise<unknown>) | undefined, client: BoltApp['client'], userId: string, message: SlackMessage) => {
    if (respond) await respond({ response_type: 'ephemeral', replace_original: false, ...message });
    else {
      const dm = await client.conversations.open({ users: userId });
      await client.chat.postMessage({ channel: dm.channel?.id as string, ...message });
    }
  };

  app.action<BlockAction>(ACTIONS.confirm, ackAction(async ({ body, respond, client }) => {
    const userId = bodyUser(body) ?? '';
    const person = await who(userId);
    if (!person) return void (await reply(respond, client, userId, render({ type: 'refusal', text: NOT_SET_UP })));
    const { value, ts } = actionValue(body);
    const ref = recordValue.safeParse(value);
    if (!ref.success) return void (await reply(respond, client, userId, render({ type: 'error', field: 'value', message: `value: ${ref.error.issues[0]?.message}` })));
    const [recordId, version] = ref.data.split('@') as [string, string];
    const result = await run('confirmRecord', person, `act.${userId}.${ts}`, { recordId, version: Number(version) });
    // the updated record reaches both parties through the outbox; only a problem is answered here
    if (result === 'pending' || !result.ok) await reply(respond, client, userId, asMessage(result));
  }));

  app.action<BlockAction>(ACTIONS.requestChange, ackActionNow(async ({ body, client, respond }) => {
    const { value } = actionValue(body);
    const ref = recordValue.safeParse(value);
    if (!ref.success) return void (await reply(respond, client, bodyUser(body) ?? '', render({ type: 'error', field: 'value', message: `value: ${ref.error.issues[0]?.message}` })));
    await client.views.open({ trigger_id: (body as { trigger_id: string }).trigger_id, view: disputeModal(ref.data) });
  }));

  app.action<BlockAction>(ACTIONS.openRecord, ackActionNow(async ({ body, client, respond }) => {
    const userId = bodyUser(body) ?? '';
    const person = await who(userId);
    const { value } = actionValue(body);
    const sessionId = idValue.safeParse(value);
    if (!person || !sessionId.success) return void (await reply(respond, client, userId, render({ type: 'refusal', text: NOT_SET_UP })));
    await client.views.open({ trigger_id: (body as { trigger_id: string }).trigger_id, view: await modalFor(person, sessionId.data) });
  }));

  app.action<BlockAction>(ACTIONS.acknowledge, ackAction(async ({ body, respond, client }) => {
    const userId = bodyUser(body) ?? '';
    const person = await who(userId);
    if (!person) return void (await reply(respond, client, userId, render({ type: 'refusal', text: NOT_SET_UP })));
    const { value, ts } = actionValue(body);
    const id = idValue.safeParse(value);
    if (!id.success) return void (await reply(respond, client, userId, render({ type: 'error', field: 'value', message: `value: ${id.error.issues[0]?.message}` })));
    const result = await run('acknowledgeEscalation', person, `act.${userId}.${ts}`, { escalationId: id.data });
    await reply(respond, client, userId, asMessage(result));
  }));

  for (const [actionId, risk] of [
    [ACTIONS.addItem, false],
    [ACTIONS.flagRisk, true],
  ] as const) {
    app.action<BlockAction>(actionId, ackActionNow(async ({ body, client }) => {
      const { value } = actionValue(body);
      const sessionId = idValue.safeParse(value);
      if (!sessionId.success) return;
      await client.views.open({ trigger_id: (body as { trigger_id: string }).trigger_id, view: agendaItemModal(sessionId.data, risk) });
    }));
  }

  app.view(VIEWS.record, async ({ ack, body, view, client }) => {
    const person = await who(body.user.id);
    if (!person) return void (await ack({ response_action: 'errors', errors: { notes: NOT_SET_UP } }));
    const sessionId = idValue.safeParse(view.private_metadata);
    if (!sessionId.success) return void (await ack({ response_action: 'errors', errors: { notes: 'This form is out of date — open it again.' } }));
    const org = await deps.organisations.get(person.organisationId);
    const { SchoolCalendar } = await import('../../domain/calendar.js');
    const cal = org ? new SchoolCalendar(org) : null;
    const { input, errors } = recordInputFromModal(view.state.values, sessionId.data, (day, time) => (cal ? cal.atLocalTime(day, time) : new Date(`${day}T${time}:00Z`)));
    if (errors) return void (await ack({ response_action: 'errors', errors }));
    await ack();
    const result = await run('draftRecord', person, `view.${view.id}.${view.hash}`, input as Record<string, unknown>);
    if (result === 'pending' || !result.ok) await reply(undefined, client, body.user.id, asMessage(result));
  });

  app.view(VIEWS.dispute, async ({ ack, body, view, client }) => {
    const person = await who(body.user.id);
    const reason = z.string().trim().min(1, 'say what should change').max(2000).safeParse(view.state.values.reason?.v?.value ?? '');
    if (!reason.success) return void (await ack({ response_action: 'errors', errors: { reason: reason.error.issues[0]?.message ?? 'say what should change' } }));
    const ref = recordValue.safeParse(view.private_metadata);
    if (!person || !ref.success) return void (await ack({ response_action: 'errors', errors: { reason: NOT_SET_UP } }));
    await ack();
    const [recordId] = ref.data.split('@') as [string];
    const result = await run('disputeRecord', person, `view.${view.id}.${view.hash}`, { recordId, reason: reason.data });
    if (result === 'pending' || !result.ok) await reply(undefined, client, body.user.id, asMessage(result));
  });

  app.view(VIEWS.agendaItem, async ({ ack, body, view, client }) => {
    const person = await who(body.user.id);
    const text = z.string().trim().min(1, 'type the item').max(2000).safeParse(view.state.values.text?.v?.value ?? '');
    if (!text.success) return void (await ack({ response_action: 'errors', errors: { text: text.error.issues[0]?.message ?? 'type the item' } }));
    const category = z.enum(AGENDA_CATEGORIES).safeParse(view.state.values.category?.v?.selected_option?.value);
    if (!category.success) return void (await ack({ response_action: 'errors', errors: { category: 'pick a category' } }));
    const meta = z.object({ sessionId: idValue, risk: z.boolean() }).safeParse(safeJson(view.private_metadata));
    if (!person || !meta.success) return void (await ack({ response_action: 'errors', errors: { text: NOT_SET_UP } }));
    await ack();
    const result = await run('submitAgendaItem', person, `view.${view.id}.${view.hash}`, { text: text.data, category: category.data, riskOfHarm: meta.data.risk });
    await reply(undefined, client, body.user.id, asMessage(result));
  });

  // a reply in the bot's DM: agenda items, one per line (or a command word)
  app.message(inTurn<MessageArgs>(async ({ message, body, client }) => {
    const m = message as { channel_type?: string; user?: string; text?: string; subtype?: string; bot_id?: string; channel: string };
    if (m.channel_type !== 'im' || m.subtype || m.bot_id || !m.user) return;
    const eventId = (body as { event_id?: string }).event_id ?? `${m.channel}.${(message as { ts: string }).ts}`;
    if (!(await firstTime(eventId))) return;
    const person = await who(m.user);
    const post = async (msg: SlackMessage) => {
      for (const page of paginate(msg)) await client.chat.postMessage({ channel: m.channel, ...page });
    };
    if (!person) return post(render({ type: 'refusal', text: NOT_SET_UP }));
    const text = (m.text ?? '').trim();
    if (!text) return;
    const word = text.toLowerCase();
    if (word === 'help') return post(asMessage(await helpRead(deps, person.id, {})));
    if (word === 'next') return post(asMessage(await nextSession(deps, person.id, {})));
    if (word === 'actions') return post(asMessage(await myActions(deps, person.id, {})));
    if (/^park\b/i.test(text)) return post(asMessage(await run('parkItemForNextSession', person, `evt.${eventId}`, { text: text.slice(4).trim() })));
    return post(asMessage(await run('submitAgendaItem', person, `evt.${eventId}`, { text: clip(text, 10_000) })));
  }));

  // App Home: my next session and agenda, records waiting for me, my actions; for DSLs the overdue counts
  app.event('app_home_opened', inTurn<HomeArgs>(async ({ event, client }) => {
    if (event.tab && event.tab !== 'home') return;
    const person = await who(event.user);
    const blocks: KnownBlock[] = [{ type: 'header', text: plain('Supervision') }];
    if (!person) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: NOT_SET_UP } });
    else {
      const next = await nextSession(deps, person.id, {});
      if (next.ok && next.view) blocks.push(...render(next.view).blocks);
      const waiting = (await deps.records.forPerson(person.id)).filter((r) => r.state === 'awaiting-confirmation' && !r.confirmations.some((c) => c.personId === person.id));
      blocks.push({ type: 'divider' }, { type: 'section', text: { type: 'mrkdwn', text: waiting.length > 0 ? `*Records waiting for your confirmation* (${waiting.length})` : '*No records are waiting for your confirmation.*' } });
      for (const r of waiting.slice(0, 10)) {
        const view = await viewRecord(deps, person.id, { recordId: r.id });
        if (view.ok && view.view) blocks.push(...render(view.view).blocks.slice(0, 12));
      }
      const mine = await myActions(deps, person.id, {});
      if (mine.ok && mine.view) blocks.push({ type: 'divider' }, ...render(mine.view).blocks);
      const overdue = await computeOverdue(deps, person.id, {});
      if (overdue.ok && overdue.view?.type === 'overdue-summary') {
        const c = overdue.view.counts;
        blocks.push({ type: 'divider' }, { type: 'section', text: { type: 'mrkdwn', text: `*Across the school:* ${c.sessions} overdue sessions · ${c.records} records awaiting confirmation · ${c.actions} late actions · ${c.reviews} reviews due · ${c.caseDecisions} case decisions not filed · ${c.escalations} escalations unacknowledged. Type \`/overdue\` for the list.` } });
      }
    }
    const limited = blocks.length > LIMITS.homeBlocks ? [...blocks.slice(0, LIMITS.homeBlocks - 1), { type: 'context', elements: [{ type: 'mrkdwn', text: 'More in `/supervision next` and `/supervision actions`.' }] } as KnownBlock] : blocks;
    await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: limited } });
  }));

  app.error(async (error) => {
    logger.warn({ err: error.message, code: (error as { code?: string }).code }, 'slack handler failed');
  });

  return {
    app,
    notifier,
    mount: async (express) => {
      if (receiver) express.use(receiver.router);
      else await app.start();
    },
    async close() {
      if (!receiver) await app.stop().catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export type { NotificationView };
