/**
 * Slack: a Bolt app on the bot's HTTP server (`POST /slack/events` for events, slash commands and
 * interactions; `slackFrontDoor`, before Bolt and outside express, verifies the v0 signature and refuses requests
 * older than five minutes with 401).
 * Every handler acknowledges first and puts the rest on the `slack-work` queue; there, state changes go through
 * the `commands` queue with a job id taken from the interaction, and results are posted with `response_url`,
 * `chat.postMessage` or `views.*`.
 *
 * This file only translates: Slack payload ⇄ command or read ⇄ Block Kit. Supervision rules live in the
 * use cases.
 */
import {
  type AllMiddlewareArgs,
  App,
  type App as BoltApp,
  type BlockAction,
  type SlackActionMiddlewareArgs,
  type SlackCommandMiddlewareArgs,
  type SlackViewMiddlewareArgs,
  ExpressReceiver,
  LogLevel,
  type types,
  webApi,
} from '@slack/bolt';
import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { help as helpRead, moveForm, myActions, nextSession, personBySlack } from '../../app/reads.js';
import { computeOverdue } from '../../app/overdue.js';
import { type Command, type CommandType, commandIdFrom } from '../../app/commands.js';
import type { UseCaseResult } from '../../app/errors.js';
import { viewRecord, recordIdFor } from '../../app/records.js';
import { recordToCorrect, recordToWrite } from '../../app/record-form.js';
import type { AgendaFormView, NotificationView, RecordSheetView } from '../../app/views.js';
import { calendarOf } from '../../app/context.js';
import { isCalendarDate } from '../../domain/calendar.js';
import type { Organisation, Person } from '../../domain/types.js';
import { AGENDA_CATEGORIES, NOT_HELD_REASONS, RECORD_TOPICS } from '../../domain/types.js';
import { NOT_HELD_CHOICES } from '../../app/session-outcomes.js';
import { AGENDA_CATEGORY_LABELS, DEFAULT_AGENDA_CATEGORY, RECORD_TOPIC_LABELS } from '../../domain/agenda.js';
import { agendaForm, sessionOfThread } from '../../app/agenda.js';
import { issueSignInLink } from '../../app/admin/links.js';
import { typedStart } from '../../app/agreement.js';
import { calendarCommand, moveWord, notSetUp, OVERDUE_FILTER, publicBase, requestCommand, typedAgenda, typedIncident, withLink } from '../conversation.js';
import { NEW_TIME_REQUIRED } from '../../domain/session.js';
import { redisConnection } from '../../queue/redis.js';
import type { Runtime } from '../../runtime.js';
import { unmatchedSenders } from '../../store/unmatched.js';
import { withReadMemo } from '../../store/read-memo.js';
import type { Mount } from '../../server.js';
import { frontDoorSecurityHeaders } from '../../web/security-headers.js';
import { ACTIONS, LIMITS, VIEWS, clip, paginate, render as renderView, type SlackMessage } from './blocks.js';
import { dashboardUrl, guardView } from '../content-guard.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { modalMetadata, recordInputFromModal, recordModal, withAnotherRow } from './record-modal.js';
import { handoverFrom, handoverModal } from './handover-modal.js';
import { openHandover } from '../../app/handover.js';
import { closedWeekdays, formOf, formRules, reviewableActions } from '../../app/record-form-context.js';
import { SLACK_PATHS, slackFrontDoor } from './requests.js';
import { type SlackLane, SlackNotifier } from './notifier.js';
import { receiverLogger, SLACK_SCOPES, slackInstallStore } from './installations.js';

type KnownBlock = types.KnownBlock;
type View = types.View;

const NOT_SET_UP = 'Sorry — your Slack account is not linked to a supervision record here. Please ask your DSL.';
/** Installed through the OAuth flow by a workspace no organisation claims yet (its admin links it in the dashboard). */
export const NOT_LINKED = 'Sorry — this Slack workspace is not linked to a school yet. Please ask your school’s admin to link it in the dashboard (Organisation page).';
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
  /** One workspace: its bot token. */
  botToken?: string;
  /** Many workspaces, each installed through Slack's OAuth flow (`/slack/install`), instead of `botToken`. */
  install?: { clientId: string; clientSecret: string; stateSecret: string };
  /** The Web API base, for a local Slack in tests (`https://slack.com/api/` otherwise). */
  apiUrl?: string;
  appToken?: string;
}

// ---- inputs -----------------------------------------------------------------------------------------------

const overdueFilter = OVERDUE_FILTER;

const supervisionText = z.discriminatedUnion('verb', [
  z.object({ verb: z.literal('help') }),
  z.object({ verb: z.literal('next') }),
  z.object({ verb: z.literal('actions') }),
  z.object({ verb: z.literal('record') }),
  z.object({ verb: z.literal('correct'), text: z.string({ error: 'say whose record, e.g. /supervision correct amy' }).trim().min(1, 'say whose record, e.g. /supervision correct amy').max(100, 'at most 100 characters') }),
  z.object({ verb: z.literal('move') }),
  z.object({ verb: z.literal('cancel') }),
  z.object({ verb: z.literal('park'), text: z.string().trim().min(1, 'say what to park, e.g. /supervision park workload in December').max(2000) }),
  z.object({ verb: z.literal('calendar'), text: z.enum(['revoke'], { message: 'type calendar for your calendar address, or calendar revoke to stop it working' }).optional() }),
  // `add` alone opens the form with the picker; `add <item>` adds it
  z.object({ verb: z.literal('add'), text: z.string().trim().min(1, 'say what to add, e.g. /supervision add workload in December').max(2000).optional() }),
  z.object({ verb: z.literal('request'), text: z.string().trim().max(500, 'at most 500 characters — say the rest at the session').optional() }),
  // after a major incident (the DSL or headteacher): how to, `status`, or `<who>: <name> [| message]`
  z.object({ verb: z.literal('incident'), text: z.string().max(1200, 'at most 1,200 characters').optional() }),
  // the DSL or a deputy starts a contract before everyone has agreed: how to, or `<name>: <reason>`
  z.object({ verb: z.literal('start'), text: z.string().max(1300, 'at most 1,300 characters').optional() }),
]);

function parseSupervision(text: string) {
  const trimmed = text.trim();
  const [verb = 'help', ...rest] = trimmed.split(/\s+/);
  const lower = verb.toLowerCase();
  if (!['help', 'next', 'actions', 'move', 'cancel', 'add', 'park', 'record', 'correct', 'calendar', 'request', 'incident', 'start'].includes(lower)) {
    return { ok: false as const, field: 'command', message: `command: "${clip(verb, 40)}" is not a /supervision command — try help, next, actions, move, cancel, add, park, record, correct, calendar, request, incident or start` };
  }
  const after = trimmed.slice(verb.length).trim();
  const parsed = supervisionText.safeParse({ verb: lower, text: (lower === 'calendar' ? after.toLowerCase() : after) || undefined, rest });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false as const, field: issue?.path.join('.') || 'text', message: `${issue?.path.join('.') || 'text'}: ${issue?.message ?? 'is not valid'}` };
  }
  return { ok: true as const, value: parsed.data };
}

const recordValue = z.string().regex(/^[A-Za-z0-9._-]{1,200}@\d{1,4}$/, 'not a record reference');
const idValue = z.string().regex(/^[A-Za-z0-9._:-]{1,250}$/, 'not a reference');
/** A record concern: `<recordId>#<concernId>`. */
const concernValue = z.string().regex(/^[A-Za-z0-9._-]{1,200}#c\d{1,3}$/, 'not a concern of a record');

/** A calendar date that exists (Slack's date picker sends no other, but a payload is only signed, not checked). */
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'pick a date').refine(isCalendarDate, 'pick a date');

type ModalErrors = Record<string, string>;

// ---- views ------------------------------------------------------------------------------------------------

const plain = (text: string) => ({ type: 'plain_text' as const, text: clip(text, 150) });
const option = (value: string, label: string) => ({ text: plain(label), value });
const input = (block: string, label: string, element: Record<string, unknown>, optional = true, hint?: string): KnownBlock =>
  ({ type: 'input', block_id: block, optional, label: plain(label), element: { ...element, action_id: 'v' }, ...(hint ? { hint: plain(hint) } : {}) }) as KnownBlock;

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

const agendaItemModal = (sessionId: string, risk: boolean, initialText?: string): View =>
  ({
    type: 'modal',
    callback_id: VIEWS.agendaItem,
    private_metadata: JSON.stringify({ sessionId, risk }),
    title: plain(risk ? 'Risk of harm' : 'Agenda item'),
    submit: plain(risk ? 'Send to the DSL now' : 'Add'),
    close: plain('Cancel'),
    blocks: [
      ...(risk ? [{ type: 'section', text: { type: 'mrkdwn', text: 'This goes to your DSL *now*, not at the session. If a child is in immediate danger, call 999.' } } as KnownBlock] : []),
      input('text', risk ? 'What is the concern?' : 'What would you like to discuss?', { type: 'plain_text_input', multiline: true, max_length: 2000, ...(initialText ? { initial_value: initialText.slice(0, 2000) } : {}) }, false),
      // a category is chosen, never guessed: "Other" until the person picks one (a risk of harm is about a case)
      input('category', 'Category', { type: 'static_select', options: AGENDA_CATEGORIES.map((c) => option(c, AGENDA_CATEGORY_LABELS[c])), initial_option: risk ? option('case-discussion', AGENDA_CATEGORY_LABELS['case-discussion']) : option(DEFAULT_AGENDA_CATEGORY, AGENDA_CATEGORY_LABELS[DEFAULT_AGENDA_CATEGORY]) }, false),
      ...(risk ? [] : [{ type: 'context', elements: [{ type: 'mrkdwn', text: 'For a case: Sense — what happened? Feel — what was it like? Think — what does it mean? Do — what next? (Tell me, explain to me, describe to me.)' }] } as KnownBlock]),
    ],
  }) as View;

/** The value the "Add an agenda item…" button carries. */
const ADD_FOR_VALUE = 'form';

/** Slack's option text holds at most 75 characters. */
const optionText = (label: string) => (label.length > 75 ? `${label.slice(0, 74)}…` : label);

/**
 * "Add an agenda item" with the session chosen from a static list of the person's own contracts (their
 * supervisees', their own as supervisee) — not `users_select`, which would offer anyone in the workspace.
 */
const agendaPickerModal = (v: AgendaFormView): View => {
  const choices = v.options.slice(0, 100).map((o) => ({ text: plain(optionText(o.sessionText)), value: o.contractId }));
  const selected = choices.find((c) => c.value === v.selected);
  return {
    type: 'modal',
    callback_id: VIEWS.agendaItem,
    private_metadata: JSON.stringify({ risk: false, pick: true }),
    title: plain('Agenda item'),
    submit: plain('Add'),
    close: plain('Cancel'),
    blocks: [
      ...(v.notice ? [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${clip(v.notice)}`, verbatim: true } } as KnownBlock] : []),
      input('for', 'Whose session is it for?', { type: 'static_select', placeholder: plain('Choose a session'), options: choices, ...(selected ? { initial_option: selected } : {}) }, false),
      input('text', 'What would you like to discuss?', { type: 'plain_text_input', multiline: true, max_length: 2000, ...(v.text ? { initial_value: v.text.slice(0, 2000) } : {}) }, false, 'One item per line.'),
      input('category', 'Category', { type: 'static_select', options: AGENDA_CATEGORIES.map((c) => option(c, AGENDA_CATEGORY_LABELS[c])), initial_option: option(DEFAULT_AGENDA_CATEGORY, AGENDA_CATEGORY_LABELS[DEFAULT_AGENDA_CATEGORY]) }, false),
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'For a case: Sense — what happened? Feel — what was it like? Think — what does it mean? Do — what next? (Tell me, explain to me, describe to me.)' }] } as KnownBlock,
    ],
  } as View;
};

const correctModal = (recordRef: string): View =>
  ({
    type: 'modal',
    callback_id: VIEWS.correct,
    private_metadata: recordRef,
    title: plain('Correct the record'),
    submit: plain('Start the correction'),
    close: plain('Cancel'),
    blocks: [
      input('reason', 'What needs correcting, and why?', { type: 'plain_text_input', multiline: true, max_length: 2000 }, false, 'A new version goes to the supervisor to correct, then to both of you to confirm. The signed version is kept.'),
    ],
  }) as View;

const meetingModal = (recordId: string): View =>
  ({
    type: 'modal',
    callback_id: VIEWS.disputeMeeting,
    private_metadata: recordId,
    title: plain('Arrange a meeting'),
    submit: plain('Arrange and tell both'),
    close: plain('Cancel'),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: 'A three-way meeting about the change asked for. Both parties are told the date and time now, in advance.' } },
      input('meeting_date', 'Date', { type: 'datepicker' }, false),
      input('meeting_time', 'Time', { type: 'timepicker' }, false),
    ],
  }) as View;

const outcomeModal = (recordId: string): View =>
  ({
    type: 'modal',
    callback_id: VIEWS.disputeOutcome,
    private_metadata: recordId,
    title: plain('Record the outcome'),
    submit: plain('Record it'),
    close: plain('Cancel'),
    blocks: [
      input('outcome', 'Outcome', {
        type: 'radio_buttons',
        options: [option('keep', 'Keep the record as it is (it is signed, with the resolution noted)'), option('amend', 'Amend it (the supervisor changes it; both confirm)')],
      }, false),
      input('resolution', 'What was agreed', { type: 'plain_text_input', multiline: true, max_length: 2000 }, false, 'Both parties see it on the record.'),
    ],
  }) as View;

const actionNotNeededModal = (actionId: string): View =>
  ({
    type: 'modal',
    callback_id: VIEWS.actionNotNeeded,
    private_metadata: actionId,
    title: plain('Action not needed'),
    submit: plain('Set it aside'),
    close: plain('Cancel'),
    blocks: [input('reason', 'Why is this action not needed?', { type: 'plain_text_input', multiline: true, max_length: 1000 }, false, 'Kept with the action; both of you can see it at the next session.')],
  }) as View;

const decisionCopiedModal = (decisionRef: string): View =>
  ({
    type: 'modal',
    callback_id: VIEWS.decisionCopied,
    private_metadata: decisionRef,
    title: plain('On the child’s file'),
    submit: plain('It is on the file'),
    close: plain('Cancel'),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: 'Confirm that the decision, its rationale and who follows up are on the child’s safeguarding file.' } },
      input('reference', 'Reference in the school’s system (optional)', { type: 'plain_text_input', max_length: 40, placeholder: plain('e.g. CPOMS 48213') }),
    ],
  }) as View;

/** Move / Cancel and rebook: the new date and time are picked in the same step (template "intervals"). */
export const moveModal = (sessionId: string, cancel: boolean): View =>
  ({
    type: 'modal',
    callback_id: VIEWS.move,
    private_metadata: JSON.stringify({ sessionId, cancel }),
    title: plain(cancel ? 'Cancel and rebook' : 'Move a session'),
    submit: plain(cancel ? 'Cancel and rebook' : 'Move'),
    close: plain('Close'),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: cancel ? 'A session is only cancelled with a new time booked in the same step. Both of you are told.' : 'Pick a school day and time. Both of you are told, and the reminders move with it.' } } as KnownBlock,
      input('date', 'New date', { type: 'datepicker' }, false),
      input('time', 'New time', { type: 'timepicker' }, false),
      input('reason', 'Reason', { type: 'plain_text_input', max_length: 500 }, true, 'Needed when the new day is later than the contract allows.'),
    ],
  }) as View;

/** "It did not happen": why, and the new time in the same step (template "intervals"). */
export const notHeldModal = (sessionId: string): View =>
  ({
    type: 'modal',
    callback_id: VIEWS.notHeld,
    private_metadata: JSON.stringify({ sessionId }),
    title: plain('It did not happen'),
    submit: plain('Book the new time'),
    close: plain('Close'),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: 'Say why, and pick the new time: a session is never dropped without one. Everyone in it is told.' } } as KnownBlock,
      input('reason', 'Why', { type: 'static_select', options: NOT_HELD_CHOICES.map((c) => option(c.value, c.label)) }, false),
      input('date', 'New date', { type: 'datepicker' }, false),
      input('time', 'New time', { type: 'timepicker' }, false),
      input('note', 'Anything to add', { type: 'plain_text_input', max_length: 500 }, true),
    ],
  }) as View;

const notHeldMeta = z.object({ sessionId: idValue });
const notHeldState = z.object({
  reason: z.object({ v: z.object({ selected_option: z.object({ value: z.enum(NOT_HELD_REASONS, { message: 'say why it did not happen' }) }).nullish() }) }).optional(),
  date: z.object({ v: z.object({ selected_date: localDate.nullish() }) }).optional(),
  time: z.object({ v: z.object({ selected_time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'pick a time').nullish() }) }).optional(),
  note: z.object({ v: z.object({ value: z.string().max(500, 'at most 500 characters').nullish() }) }).optional(),
});

/** The "did not happen" modal → its answer, or the errors to show on its fields. */
export function notHeldFrom(values: unknown, metadata: string): { errors?: ModalErrors; answer?: { sessionId: string; reason: (typeof NOT_HELD_REASONS)[number]; date: string; time: string; note?: string } } {
  const meta = notHeldMeta.safeParse(safeJson(metadata));
  if (!meta.success) return { errors: { reason: 'This form is out of date — open it again.' } };
  const parsed = notHeldState.safeParse(values ?? {});
  if (!parsed.success) {
    const errors: ModalErrors = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? 'reason')] ??= issue.message;
    return { errors };
  }
  const reason = parsed.data.reason?.v.selected_option?.value;
  const date = parsed.data.date?.v.selected_date;
  const time = parsed.data.time?.v.selected_time;
  if (!reason) return { errors: { reason: 'say why it did not happen: who could not attend, a school closure, or another reason' } };
  if (!date) return { errors: { date: NEW_TIME_REQUIRED } };
  if (!time) return { errors: { time: 'pick the new time' } };
  const note = parsed.data.note?.v.value?.trim();
  return { answer: { sessionId: meta.data.sessionId, reason, date, time, ...(note ? { note } : {}) } };
}

/** stour §4: "It happened", for a session kept by the supervisee — the actions agreed and, optionally, the themes. */
const KEPT_ROWS = 4;
export const keptModal = (sessionId: string): View =>
  ({
    type: 'modal',
    callback_id: VIEWS.kept,
    private_metadata: JSON.stringify({ sessionId }),
    title: plain('It happened'),
    submit: plain('Send'),
    close: plain('Close'),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: 'Your supervisor keeps the minutes. Record the actions you agreed — each with who does it and by when — and, if you like, the themes. Sending it records the session as held, signed by you.' } } as KnownBlock,
      ...Array.from({ length: KEPT_ROWS }, (_, n) => [
        input(`action_${n}`, `Action ${n + 1}: what`, { type: 'plain_text_input', max_length: 1000 }, true),
        input(`owner_${n}`, 'By whom', { type: 'static_select', options: [option('self', 'Me'), option('supervisor', 'My supervisor')] }, true),
        input(`due_${n}`, 'Due by', { type: 'datepicker' }, true),
      ]).flat(),
      input('topics', 'Themes', { type: 'checkboxes', options: RECORD_TOPICS.map((t) => option(t, RECORD_TOPIC_LABELS[t])) }, true),
    ],
  }) as View;

const keptState = z.record(
  z.string().max(40),
  z.object({
    v: z.object({
      value: z.string().max(1000, 'at most 1,000 characters').nullish(),
      selected_option: z.object({ value: z.enum(['self', 'supervisor'], { message: 'choose you or your supervisor' }) }).nullish(),
      selected_date: localDate.nullish(),
      selected_options: z.array(z.object({ value: z.enum(RECORD_TOPICS, { message: 'pick from the themes listed' }) })).max(RECORD_TOPICS.length).nullish(),
    }),
  }),
);
export interface KeptAnswer {
  sessionId: string;
  topics: string[];
  rows: Array<{ text: string; owner: 'self' | 'supervisor'; dueDate: string }>;
}

/** The "It happened" modal → its answer, or the errors to show on its fields (a row half filled names what is missing). */
export function keptFrom(values: unknown, metadata: string): { errors?: ModalErrors; answer?: KeptAnswer } {
  const meta = notHeldMeta.safeParse(safeJson(metadata));
  if (!meta.success) return { errors: { action_0: 'This form is out of date — open it again.' } };
  const parsed = keptState.safeParse(values ?? {});
  if (!parsed.success) {
    const errors: ModalErrors = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? 'action_0')] ??= issue.message;
    return { errors };
  }
  const v = (block: string) => parsed.data[block]?.v;
  const errors: ModalErrors = {};
  const rows: KeptAnswer['rows'] = [];
  for (let n = 0; n < KEPT_ROWS; n++) {
    const text = v(`action_${n}`)?.value?.trim() ?? '';
    const owner = v(`owner_${n}`)?.selected_option?.value;
    const dueDate = v(`due_${n}`)?.selected_date ?? '';
    if (!text && !owner && !dueDate) continue;
    if (!text) errors[`action_${n}`] = 'describe the action';
    else if (!owner) errors[`owner_${n}`] = 'say who does it: you or your supervisor';
    else if (!dueDate) errors[`due_${n}`] = 'pick the day it is due';
    else rows.push({ text, owner, dueDate });
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { answer: { sessionId: meta.data.sessionId, topics: (v('topics')?.selected_options ?? []).map((o) => o.value), rows } };
}

/** A session asked for (stour App. C): the supervisor picks its date and time. */
export const bookRequestModal = (requestId: string): View =>
  ({
    type: 'modal',
    callback_id: VIEWS.bookRequest,
    private_metadata: JSON.stringify({ requestId }),
    title: plain('Book the session'),
    submit: plain('Book'),
    close: plain('Close'),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: 'An extra session, on request: the next scheduled one stays as it is. Pick a school day and time.' } } as KnownBlock,
      input('date', 'Date', { type: 'datepicker' }, false),
      input('time', 'Time', { type: 'timepicker' }, false),
    ],
  }) as View;

/** Ask a question about the supervision agreement: it goes to the supervisor. */
export const agreementQuestionModal = (contractId: string): View =>
  ({
    type: 'modal',
    callback_id: VIEWS.agreementQuestion,
    private_metadata: JSON.stringify({ contractId }),
    title: plain('Ask a question'),
    submit: plain('Send'),
    close: plain('Close'),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: 'Your question goes to your supervisor. The agreement stays in your chat for when you are ready.' } } as KnownBlock,
      input('question', 'Your question', { type: 'plain_text_input', multiline: true, max_length: 2000 }, false),
    ],
  }) as View;

const questionMeta = z.object({ contractId: idValue });
const questionState = z.object({ question: z.object({ v: z.object({ value: z.string().max(2000, 'at most 2,000 characters').nullish() }) }).optional() });

export function agreementQuestionFrom(values: unknown, metadata: string): { errors?: ModalErrors; question?: { contractId: string; question: string } } {
  const meta = questionMeta.safeParse(safeJson(metadata));
  if (!meta.success) return { errors: { question: 'This form is out of date — open it again.' } };
  const parsed = questionState.safeParse(values ?? {});
  if (!parsed.success) return { errors: { question: parsed.error.issues[0]?.message ?? 'type your question' } };
  const question = parsed.data.question?.v.value?.trim();
  if (!question) return { errors: { question: 'type your question' } };
  return { question: { contractId: meta.data.contractId, question } };
}

/** The annual review's changes: each term left blank stays as it is; the supervisor is picked from Slack's people. */
export const reviewModal = (contractId: string): View =>
  ({
    type: 'modal',
    callback_id: VIEWS.review,
    private_metadata: JSON.stringify({ contractId }),
    title: plain('Review the contract'),
    submit: plain('Save'),
    close: plain('Close'),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: 'Change what should change; a term left blank stays as it is. The next review is set a year on and everyone agrees again.' } } as KnownBlock,
      input('cadence', 'How often (weekly, every 3 weeks, monthly, half-termly, termly)', { type: 'plain_text_input', max_length: 40 }),
      input('minutes', 'Length in minutes (30 to 120)', { type: 'number_input', is_decimal_allowed: false, min_value: '30', max_value: '120' }),
      input('location', 'Where', { type: 'plain_text_input', max_length: 200 }),
      input('level', 'Level (stour §4)', { type: 'static_select', options: [1, 2, 3].map((n) => ({ text: plain(`Level ${n}`), value: String(n) })) }),
      input('supervisor', 'Supervisor', { type: 'users_select' }),
    ],
  }) as View;

const reviewState = z.object({
  cadence: z.object({ v: z.object({ value: z.string().max(40, 'at most 40 characters').nullish() }) }).optional(),
  minutes: z.object({ v: z.object({ value: z.string().regex(/^\d{1,3}$/, 'a number of minutes from 30 to 120').nullish() }) }).optional(),
  location: z.object({ v: z.object({ value: z.string().max(200, 'at most 200 characters').nullish() }) }).optional(),
  level: z.object({ v: z.object({ selected_option: z.object({ value: z.enum(['1', '2', '3'], { message: 'choose level 1, 2 or 3' }) }).nullish() }) }).optional(),
  supervisor: z.object({ v: z.object({ selected_user: z.string().regex(/^[A-Z0-9]{1,30}$/, 'not a person').nullish() }) }).optional(),
});

export function reviewFrom(values: unknown, metadata: string): { errors?: ModalErrors; review?: { contractId: string; cadence?: string; durationMinutes?: number; location?: string; level?: string; supervisorUser?: string } } {
  const meta = questionMeta.safeParse(safeJson(metadata));
  if (!meta.success) return { errors: { cadence: 'This form is out of date — open it again.' } };
  const parsed = reviewState.safeParse(values ?? {});
  if (!parsed.success) {
    const errors: ModalErrors = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? 'cadence')] ??= issue.message;
    return { errors };
  }
  const d = parsed.data;
  const text = (v?: string | null) => (v?.trim() ? v.trim() : undefined);
  const minutes = text(d.minutes?.v.value);
  return {
    review: {
      contractId: meta.data.contractId,
      ...(text(d.cadence?.v.value) ? { cadence: text(d.cadence?.v.value) } : {}),
      ...(minutes ? { durationMinutes: Number(minutes) } : {}),
      ...(text(d.location?.v.value) ? { location: text(d.location?.v.value) } : {}),
      ...(d.level?.v.selected_option ? { level: d.level.v.selected_option.value } : {}),
      ...(d.supervisor?.v.selected_user ? { supervisorUser: d.supervisor.v.selected_user } : {}),
    },
  };
}

/** The Agree button's value: the terms (16 hex digits) and the contract. */
const agreeButtonValue = z.string().regex(/^[0-9a-f]{16}\.[A-Za-z0-9._:-]{1,250}$/, 'not an agreement');

const bookMeta = z.object({ requestId: idValue });

export function bookRequestFrom(values: unknown, metadata: string): { errors?: ModalErrors; booking?: { requestId: string; date: string; time: string } } {
  const meta = bookMeta.safeParse(safeJson(metadata));
  if (!meta.success) return { errors: { date: 'This form is out of date — open it again.' } };
  const parsed = moveModalState.safeParse(values ?? {});
  if (!parsed.success) {
    const errors: ModalErrors = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? 'date')] ??= issue.message;
    return { errors };
  }
  const date = parsed.data.date?.v.selected_date;
  const time = parsed.data.time?.v.selected_time;
  if (!date) return { errors: { date: 'pick the date' } };
  if (!time) return { errors: { time: 'pick the time' } };
  return { booking: { requestId: meta.data.requestId, date, time } };
}

const moveMeta = z.object({ sessionId: idValue, cancel: z.boolean() });
const moveModalState = z.object({
  date: z.object({ v: z.object({ selected_date: localDate.nullish() }) }).optional(),
  time: z.object({ v: z.object({ selected_time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'pick a time').nullish() }) }).optional(),
  reason: z.object({ v: z.object({ value: z.string().max(500, 'at most 500 characters').nullish() }) }).optional(),
});

/** The move modal → rescheduleSession input (the local time resolved by the caller), or the errors to show. */
export function moveFrom(values: unknown, metadata: string): { errors?: ModalErrors; move?: { sessionId: string; cancel: boolean; date: string; time: string; reason?: string } } {
  const meta = moveMeta.safeParse(safeJson(metadata));
  if (!meta.success) return { errors: { date: 'This form is out of date — open it again.' } };
  const parsed = moveModalState.safeParse(values ?? {});
  if (!parsed.success) {
    const errors: ModalErrors = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? 'date')] ??= issue.message;
    return { errors };
  }
  const date = parsed.data.date?.v.selected_date;
  const time = parsed.data.time?.v.selected_time;
  // template "intervals": never cancelled or changed without the new time, in the same step
  if (!date) return { errors: { date: NEW_TIME_REQUIRED } };
  if (!time) return { errors: { time: 'pick the new time' } };
  const reason = parsed.data.reason?.v.value?.trim();
  return { move: { sessionId: meta.data.sessionId, cancel: meta.data.cancel, date, time, ...(reason ? { reason } : {}) } };
}

// ---- the work after the acknowledgement ---------------------------------------------------------------------

/**
 * What a handler needs after its acknowledgement, taken from the signed payload: ids, the modal opened for
 * the trigger, where to reply — and, for agenda items and forms, the person's own words (held in Redis while
 * queued, like a command's input; never logged).
 */
export type SlackWork =
  | { kind: 'command'; name: '/overdue' | '/supervision'; userId: string; text: string; triggerId: string; responseUrl: string; viewId?: string }
  | { kind: 'action'; name: string; userId: string; value: string; ts: string; responseUrl?: string; viewId?: string }
  | { kind: 'view'; name: string; userId: string; viewId: string; hash: string; metadata: string; values: Record<string, unknown> }
  | { kind: 'message'; eventId: string; userId: string; channel: string; text: string; threadTs?: string }
  | { kind: 'home'; userId: string }
  | { kind: 'uninstalled'; event: 'app_uninstalled' | 'tokens_revoked'; bot: boolean; user: boolean };

/** The workspace a request came from (installed workspaces only): every piece of work runs with its token. */
export type SlackWorkspace = { teamId?: string; enterpriseId?: string; isEnterpriseInstall?: boolean };
type QueuedWork = SlackWork & { workspace?: SlackWorkspace };

/** The queue the acknowledging process puts Slack work on; a worker process (or the single process) runs it. */
export const SLACK_WORK_QUEUE = 'slack-work';

const workJobOptions = {
  attempts: 3,
  backoff: { type: 'exponential' as const, delay: 1000 },
  // gone once done: a form's or a message's words stay in Redis no longer than their work takes
  removeOnComplete: true,
  removeOnFail: { age: 24 * 3600 },
};

const noticeModal = (text: string): View =>
  ({ type: 'modal', title: plain('Supervision record'), close: plain('Close'), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(text) } }] }) as View;

const disputeReason = z.string().trim().min(1, 'say what should change').max(2000);
const agendaText = z.string().trim().min(1, 'type the item').max(2000);
/** Which session the agenda modal is for: the button's session, or the one chosen in its picker (`pick`). */
const agendaMeta = z.union([z.object({ sessionId: idValue, risk: z.boolean() }), z.object({ pick: z.literal(true), risk: z.literal(false) })]);
const suggestedValue = z.object({ s: idValue, t: z.string().max(2000) });
type ViewValues = Record<string, Record<string, { value?: string | null; selected_option?: { value?: string } | null }>>;

/** The agenda item modal's fields, or the errors to show on them (no database needed). */
function agendaItemFrom(
  values: ViewValues,
  metadata: string,
): { errors?: Record<string, string>; item?: { text: string; category: (typeof AGENDA_CATEGORIES)[number]; risk: boolean } & ({ sessionId: string } | { contractId: string }) } {
  const meta = agendaMeta.safeParse(safeJson(metadata));
  let target: { sessionId: string } | { contractId: string } | undefined;
  if (meta.success && 'pick' in meta.data) {
    const chosen = idValue.safeParse(values.for?.v?.selected_option?.value);
    if (!chosen.success) return { errors: { for: 'choose whose session this is for' } };
    target = { contractId: chosen.data };
  }
  const text = agendaText.safeParse(values.text?.v?.value ?? '');
  if (!text.success) return { errors: { text: text.error.issues[0]?.message ?? 'type the item' } };
  const category = z.enum(AGENDA_CATEGORIES).safeParse(values.category?.v?.selected_option?.value);
  if (!category.success) return { errors: { category: 'pick a category' } };
  if (!meta.success) return { errors: { text: NOT_SET_UP } };
  if ('sessionId' in meta.data) target = { sessionId: meta.data.sessionId };
  if (!target) return { errors: { text: NOT_SET_UP } };
  return { item: { text: text.data, category: category.data, risk: meta.data.risk, ...target } };
}

/** `<recordId>:<decisionId>`, as the chase's button carries it. */
const decisionRefValue = z.string().regex(/^[A-Za-z0-9._-]{1,200}:[A-Za-z0-9_-]{1,50}$/, 'not a case decision');
const notNeededReason = z.string().trim().min(1, 'say why the action is not needed').max(1000, 'at most 1,000 characters');
const childFileRef = z.string().trim().max(40, 'at most 40 characters').regex(/^[A-Za-z0-9 ./#:_-]*$/, 'letters, digits and . / # : _ - only');

const correctionReason = z.string().trim().min(1, 'say what needs correcting').max(2000, 'at most 2,000 characters');
const resolutionText = z.string().trim().min(1, 'record what was agreed').max(2000, 'at most 2,000 characters');
type PickerValues = Record<string, Record<string, { selected_date?: string | null; selected_time?: string | null; selected_option?: { value?: string } | null }>>;

/** The correction modal's reason and record, or the errors to show. */
function correctionFrom(values: ViewValues, metadata: string): { errors?: Record<string, string>; correction?: { recordId: string; reason: string } } {
  const reason = correctionReason.safeParse(values.reason?.v?.value ?? '');
  if (!reason.success) return { errors: { reason: reason.error.issues[0]?.message ?? 'say what needs correcting' } };
  const ref = recordValue.safeParse(metadata);
  if (!ref.success) return { errors: { reason: 'This form is out of date — open it again.' } };
  return { correction: { recordId: ref.data.split('@')[0] as string, reason: reason.data } };
}

/** The meeting modal's date and time and record, or the errors to show. */
function meetingFrom(values: PickerValues, metadata: string): { errors?: Record<string, string>; meeting?: { recordId: string; day: string; time: string } } {
  const day = localDate.safeParse(values.meeting_date?.v?.selected_date);
  if (!day.success) return { errors: { meeting_date: 'pick the date of the meeting' } };
  const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/).safeParse(values.meeting_time?.v?.selected_time);
  if (!time.success) return { errors: { meeting_time: 'pick the time of the meeting' } };
  const id = idValue.safeParse(metadata);
  if (!id.success) return { errors: { meeting_date: 'This form is out of date — open it again.' } };
  return { meeting: { recordId: id.data, day: day.data, time: time.data } };
}

/** The outcome modal's choice, resolution and record, or the errors to show. */
function outcomeFrom(values: PickerValues & ViewValues, metadata: string): { errors?: Record<string, string>; outcome?: { recordId: string; outcome: 'keep' | 'amend'; resolution: string } } {
  const outcome = z.enum(['keep', 'amend']).safeParse(values.outcome?.v?.selected_option?.value);
  if (!outcome.success) return { errors: { outcome: 'choose: keep the record, or amend it' } };
  const resolution = resolutionText.safeParse((values as ViewValues).resolution?.v?.value ?? '');
  if (!resolution.success) return { errors: { resolution: resolution.error.issues[0]?.message ?? 'record what was agreed' } };
  const id = idValue.safeParse(metadata);
  if (!id.success) return { errors: { resolution: 'This form is out of date — open it again.' } };
  return { outcome: { recordId: id.data, outcome: outcome.data, resolution: resolution.data } };
}

/** The "not needed" modal's reason and action, or the errors to show. */
function notNeededFrom(values: ViewValues, metadata: string): { errors?: Record<string, string>; closing?: { actionId: string; notNeededReason: string } } {
  const reason = notNeededReason.safeParse(values.reason?.v?.value ?? '');
  if (!reason.success) return { errors: { reason: reason.error.issues[0]?.message ?? 'say why the action is not needed' } };
  const id = idValue.safeParse(metadata);
  if (!id.success) return { errors: { reason: 'This form is out of date — open it again.' } };
  return { closing: { actionId: id.data, notNeededReason: reason.data } };
}

/** The "copied to the child's file" modal's reference and decision, or the errors to show. */
function copiedFrom(values: ViewValues, metadata: string): { errors?: Record<string, string>; copied?: { recordId: string; decisionId: string; childFileRef?: string } } {
  const ref = childFileRef.safeParse(values.reference?.v?.value ?? '');
  if (!ref.success) return { errors: { reference: ref.error.issues[0]?.message ?? 'not a reference' } };
  const key = decisionRefValue.safeParse(metadata);
  if (!key.success) return { errors: { reference: 'This form is out of date — open it again.' } };
  const at = key.data.lastIndexOf(':');
  return { copied: { recordId: key.data.slice(0, at), decisionId: key.data.slice(at + 1), ...(ref.data ? { childFileRef: ref.data } : {}) } };
}

/** The dispute modal's reason and record, or the errors to show. */
function disputeFrom(values: ViewValues, metadata: string): { errors?: Record<string, string>; dispute?: { recordId: string; reason: string } } {
  const reason = disputeReason.safeParse(values.reason?.v?.value ?? '');
  if (!reason.success) return { errors: { reason: reason.error.issues[0]?.message ?? 'say what should change' } };
  const ref = recordValue.safeParse(metadata);
  if (!ref.success) return { errors: { reason: NOT_SET_UP } };
  return { dispute: { recordId: ref.data.split('@')[0] as string, reason: reason.data } };
}

// ---- the app ----------------------------------------------------------------------------------------------

/**
 * The channel in two halves. The acknowledging half (mounted on the web server) verifies the signature, acks,
 * and puts what the request needs on the `slack-work` queue — it reads nothing from the database, so an ack
 * costs the same however busy the store is. The working half (a worker process, or the single process) runs
 * that queue: lookups, commands through the `commands` queue, and replies by `response_url` or the Web API.
 * Modals are opened by the acknowledging half, because a trigger id expires three seconds after the click:
 * a modal built from the button alone opens at once, and one that needs the database opens as "Opening…" and
 * is filled in by the worker with `views.update`, which has no such deadline.
 */
type CommandHandler = (args: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;
type ActionHandler = (args: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => Promise<void>;
type ViewHandler = (args: SlackViewMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;

export function createSlackChannel(runtime: Runtime, options: SlackOptions): SlackChannel {
  const { deps, queues, logger } = runtime;
  const apiUrl = options.apiUrl;
  const install = options.install;
  const installations = install ? slackInstallStore(runtime) : undefined;
  // HTTP in production; Socket Mode (no public URL needed) when an app-level token is given
  // with installed workspaces, the receiver's warnings (the install pages', the front door's) go to the bot's log
  const receiverLog = install && installations ? receiverLogger(logger) : undefined;
  const receiver = options.appToken
    ? null
    : new ExpressReceiver({
        signingSecret: options.signingSecret,
        endpoints: { events: '/slack/events', commands: '/slack/commands', interactions: '/slack/interactions' },
        processBeforeResponse: false,
        // Slack's requests reach Bolt through the front door (`slackFrontDoor`, below), which checks their signature
        // once; express answers 404 under the receiver's own endpoints, which would check it again if ever reached
        logLevel: LogLevel.ERROR,
        ...(receiverLog ? { logger: receiverLog } : {}),
        // many workspaces: Slack's OAuth flow at /slack/install → /slack/oauth_redirect, each installation kept in
        // MongoDB, and every request answered with its own workspace's token (Bolt's `authorize` from the store)
        ...(install && installations
          ? {
              clientId: install.clientId,
              clientSecret: install.clientSecret,
              stateSecret: install.stateSecret,
              scopes: SLACK_SCOPES,
              installationStore: installations.store,
              installerOptions: {
                directInstall: true,
                installPath: '/slack/install',
                redirectUriPath: '/slack/oauth_redirect',
                ...(apiUrl ? { clientOptions: { slackApiUrl: apiUrl } } : {}),
                callbackOptions: installations.callbacks,
              },
            }
          : {}),
      });
  // Bolt, given a token without start-up verification, calls auth.test before every request; the bot's identity
  // is fetched once instead (and again only after a failure), so an ack never waits on Slack's Web API.
  const botToken = options.botToken ?? '';
  const identityClient = new webApi.WebClient(botToken, { ...(apiUrl ? { slackApiUrl: apiUrl } : {}), logLevel: webApi.LogLevel.ERROR });
  let identity: Promise<{ botId?: string; botUserId?: string; teamId?: string }> | null = null;
  const authorize = async () => {
    identity ??= identityClient.auth.test().then(
      (r) => ({ botId: r.bot_id, botUserId: r.user_id, teamId: r.team_id }),
      (error) => {
        identity = null;
        throw error;
      },
    );
    return { botToken, ...(await identity) };
  };
  const app = new App({
    // installed workspaces: Bolt's authorize reads the installation of the request's workspace
    ...(install ? {} : { authorize }),
    ...(receiver ? { receiver } : { socketMode: true, appToken: options.appToken, signingSecret: options.signingSecret }),
    // no conversation-state middleware: the bot keeps its state in MongoDB
    convoStore: false,
    logLevel: LogLevel.ERROR,
    clientOptions: { ...(apiUrl ? { slackApiUrl: apiUrl } : {}), retryConfig: { retries: 2 } },
  });
  const notifier = new SlackNotifier(deps, runtime.pacing, install ? { installed: true } : { token: botToken }, apiUrl);
  // the workspace of the request being handled, for the work it queues (installed workspaces only)
  const requestWorkspace = new AsyncLocalStorage<SlackWorkspace>();
  if (install) {
    app.use(async ({ context, next }) => {
      const workspace: SlackWorkspace = {
        ...(context.teamId ? { teamId: context.teamId } : {}),
        ...(context.enterpriseId ? { enterpriseId: context.enterpriseId } : {}),
        ...(context.isEnterpriseInstall ? { isEnterpriseInstall: true } : {}),
      };
      await requestWorkspace.run(workspace, next);
    });
  }
  const redisUrl = runtime.config.REDIS_URL as string;
  const prefix = runtime.config.QUEUE_PREFIX;
  const redis: Redis = redisConnection(redisUrl, { maxRetriesPerRequest: 3 });
  const unmatched = unmatchedSenders(runtime);
  redis.on('error', (e) => logger.warn({ err: e.message }, 'redis connection error (slack)'));
  const workQueue = new Queue(SLACK_WORK_QUEUE, { connection: redis, prefix });

  // ---- the acknowledging half: verify (Bolt), ack, enqueue ----

  const enqueue = async (work: SlackWork) => {
    const workspace = requestWorkspace.getStore();
    const queued: QueuedWork = workspace ? { ...work, workspace } : work;
    await workQueue.add(work.kind, queued, workJobOptions).catch((e: Error) => logger.warn({ err: e.message, kind: work.kind }, 'slack work not queued'));
  };
  const openModal = async (client: BoltApp['client'], triggerId: string, view: View): Promise<string | undefined> =>
    client.views.open({ trigger_id: triggerId, view }).then(
      (r) => r.view?.id,
      (e: Error) => {
        logger.warn({ err: e.message }, 'slack modal not opened');
        return undefined;
      },
    );
  const actionValue = (body: unknown) => {
    const action = (body as { actions?: Array<{ value?: string; action_ts?: string }> }).actions?.[0];
    return { value: action?.value ?? '', ts: action?.action_ts ?? '' };
  };
  const bodyUser = (body: unknown) => (body as { user?: { id?: string } }).user?.id;
  const triggerOf = (body: unknown) => (body as { trigger_id: string }).trigger_id;
  const actionWork = (name: string, body: unknown, viewId?: string): SlackWork => ({
    kind: 'action',
    name,
    userId: bodyUser(body) ?? '',
    ...actionValue(body),
    responseUrl: (body as { response_url?: string }).response_url,
    ...(viewId ? { viewId } : {}),
  });

  // One Bolt listener per kind of request, each dispatching by name: Bolt runs every registered listener's
  // filters on every request, and the bot has several dozen buttons and forms (P1: a quarter of an ack's CPU).
  const commandHandlers = new Map<string, CommandHandler>();
  const actionHandlers = new Map<string, ActionHandler>();
  const viewHandlers = new Map<string, ViewHandler>();
  const onCommand = (name: string, handler: CommandHandler) => void commandHandlers.set(name, handler);
  const onAction = (actionId: string, handler: ActionHandler) => void actionHandlers.set(actionId, handler);
  const onView = (callbackId: string, handler: ViewHandler) => void viewHandlers.set(callbackId, handler);

  // /overdue [filter]
  onCommand('/overdue', async ({ ack, command }) => {
    await ack();
    await enqueue({ kind: 'command', name: '/overdue', userId: command.user_id, text: command.text ?? '', triggerId: command.trigger_id, responseUrl: command.response_url });
  });

  // /supervision help|next|actions|park <text>|record
  onCommand('/supervision', async ({ ack, command, client }) => {
    await ack();
    const words = (command.text ?? '').trim().toLowerCase();
    const record = words.split(/\s+/)[0] === 'record';
    // `add` alone: the agenda form with its picker, filled in once the person's sessions are read
    const picker = words === 'add';
    const viewId = record || picker ? await openModal(client, command.trigger_id, noticeModal(record ? 'Opening the record sheet…' : 'Opening the agenda form…')) : undefined;
    await enqueue({ kind: 'command', name: '/supervision', userId: command.user_id, text: command.text ?? '', triggerId: command.trigger_id, responseUrl: command.response_url, ...(viewId ? { viewId } : {}) });
  });

  for (const name of [ACTIONS.confirm, ACTIONS.acknowledge, ACTIONS.actionDone, ACTIONS.refer, ACTIONS.flagItem, ACTIONS.flagConcern, ACTIONS.requestSession, ACTIONS.incidentYes, ACTIONS.incidentNotNow, ACTIONS.agree, ACTIONS.reviewKeep]) {
    onAction(name, async ({ ack, body }) => {
      await ack();
      await enqueue(actionWork(name, body));
    });
  }

  onAction(ACTIONS.requestChange, async ({ ack, body, client }) => {
    await ack();
    const ref = recordValue.safeParse(actionValue(body).value);
    if (ref.success) await openModal(client, triggerOf(body), disputeModal(ref.data));
    else await enqueue(actionWork(ACTIONS.requestChange, body));
  });

  // buttons that open a form built from their value alone: opened at once, while the trigger is valid
  for (const [actionId, valid, modal] of [
    [ACTIONS.correct, recordValue, correctModal],
    [ACTIONS.arrangeMeeting, idValue, meetingModal],
    [ACTIONS.recordOutcome, idValue, outcomeModal],
  ] as const) {
    onAction(actionId, async ({ ack, body, client }) => {
      await ack();
      const value = valid.safeParse(actionValue(body).value);
      if (value.success) await openModal(client, triggerOf(body), modal(value.data));
      else await enqueue(actionWork(actionId, body));
    });
  }

  onAction(ACTIONS.actionNotNeeded, async ({ ack, body, client }) => {
    await ack();
    const id = idValue.safeParse(actionValue(body).value);
    if (id.success) await openModal(client, triggerOf(body), actionNotNeededModal(id.data));
    else await enqueue(actionWork(ACTIONS.actionNotNeeded, body));
  });

  onAction(ACTIONS.decisionCopied, async ({ ack, body, client }) => {
    await ack();
    const ref = decisionRefValue.safeParse(actionValue(body).value);
    if (ref.success) await openModal(client, triggerOf(body), decisionCopiedModal(ref.data));
    else await enqueue(actionWork(ACTIONS.decisionCopied, body));
  });

  onAction(ACTIONS.openRecord, async ({ ack, body, client }) => {
    await ack();
    const valid = idValue.safeParse(actionValue(body).value).success;
    const viewId = valid ? await openModal(client, triggerOf(body), noticeModal('Opening the record sheet…')) : undefined;
    await enqueue(actionWork(ACTIONS.openRecord, body, viewId));
  });

  for (const [actionId, risk] of [
    [ACTIONS.addItem, false],
    [ACTIONS.flagRisk, true],
  ] as const) {
    onAction(actionId, async ({ ack, body, client }) => {
      await ack();
      const sessionId = idValue.safeParse(actionValue(body).value);
      if (sessionId.success) await openModal(client, triggerOf(body), agendaItemModal(sessionId.data, risk));
      else await enqueue(actionWork(actionId, body));
    });
  }

  // Move / Cancel and rebook: the modal with the date and time pickers opens at once, from the button alone
  for (const [actionId, cancel] of [
    [ACTIONS.move, false],
    [ACTIONS.cancel, true],
  ] as const) {
    onAction(actionId, async ({ ack, body, client }) => {
      await ack();
      const sessionId = idValue.safeParse(actionValue(body).value);
      if (sessionId.success) await openModal(client, triggerOf(body), moveModal(sessionId.data, cancel));
      else await enqueue(actionWork(actionId, body));
    });
  }

  // "It did not happen" and "Book the session": their modals open at once, from the button alone
  for (const [actionId, modal] of [
    [ACTIONS.notHeld, notHeldModal],
    [ACTIONS.keptOpen, keptModal],
    [ACTIONS.bookRequest, bookRequestModal],
    [ACTIONS.askAboutAgreement, agreementQuestionModal],
    [ACTIONS.reviewChange, reviewModal],
  ] as const) {
    onAction(actionId, async ({ ack, body, client }) => {
      await ack();
      const id = idValue.safeParse(actionValue(body).value);
      if (id.success) await openModal(client, triggerOf(body), modal(id.data));
      else await enqueue(actionWork(actionId, body));
    });
  }

  // "Write the handover": a modal at once (the trigger expires), filled with the open actions by the work
  onAction(ACTIONS.openHandover, async ({ ack, body, client }) => {
    await ack();
    const valid = idValue.safeParse(actionValue(body).value).success;
    const viewId = valid ? await openModal(client, triggerOf(body), noticeModal('Opening the handover…')) : undefined;
    await enqueue(actionWork(ACTIONS.openHandover, body, viewId));
  });

  onView(VIEWS.handover, async ({ ack, body, view }) => {
    const { errors } = handoverFrom(view.state.values, view.private_metadata);
    if (errors) return void (await ack({ response_action: 'errors', errors }));
    await ack();
    await enqueue({ kind: 'view', name: VIEWS.handover, userId: body.user.id, viewId: view.id, hash: view.hash, metadata: view.private_metadata, values: view.state.values });
  });

  // "Add an agenda item…": a modal at once (the trigger expires), filled with the person's sessions by the work
  onAction(ACTIONS.addFor, async ({ ack, body, client }) => {
    await ack();
    const ours = actionValue(body).value === ADD_FOR_VALUE;
    const viewId = ours ? await openModal(client, triggerOf(body), noticeModal('Opening the agenda form…')) : undefined;
    await enqueue(actionWork(ACTIONS.addFor, body, viewId));
  });

  // "Add this to your agenda for …?": the modal opens with the words and a category to choose
  onAction(ACTIONS.addSuggested, async ({ ack, body, client }) => {
    await ack();
    const value = suggestedValue.safeParse(safeJson(actionValue(body).value));
    if (value.success) await openModal(client, triggerOf(body), agendaItemModal(value.data.s, false, value.data.t));
    else await enqueue(actionWork(ACTIONS.addSuggested, body));
  });

  // "Add another" in the record modal: the modal again with one more row, everything typed kept (no database)
  onAction(ACTIONS.addRecordRow, async ({ ack, body, client }) => {
    await ack();
    const row = z.enum(['action', 'decision']).safeParse(actionValue(body).value);
    const view = (body as { view?: { id?: string; hash?: string } & Parameters<typeof withAnotherRow>[0] }).view;
    const next = row.success && view?.id ? withAnotherRow(view, row.data) : null;
    if (!next || !view?.id) return void (await enqueue(actionWork(ACTIONS.addRecordRow, body)));
    await client.views.update({ view_id: view.id, ...(view.hash ? { hash: view.hash } : {}), view: next }).catch((e: Error) => logger.warn({ err: e.message }, 'slack modal not updated'));
  });


  // a form's mistakes come back on its fields with the ack; who sent it is checked by the worker
  // the record form: every rule of the use case is checked here, with the rules the modal carries (see
  // record-modal.ts), so a refusal comes back on its field while the typing is still there
  onView(VIEWS.record, async ({ ack, body, view }) => {
    const { errors } = recordInputFromModal(view.state.values, view.private_metadata, (day, time) => new Date(`${day}T${time}:00Z`));
    if (errors) return void (await ack({ response_action: 'errors', errors }));
    await ack();
    await enqueue({ kind: 'view', name: VIEWS.record, userId: body.user.id, viewId: view.id, hash: view.hash, metadata: view.private_metadata, values: view.state.values });
  });

  onView(VIEWS.dispute, async ({ ack, body, view }) => {
    const { errors } = disputeFrom(view.state.values as ViewValues, view.private_metadata);
    if (errors) return void (await ack({ response_action: 'errors', errors }));
    await ack();
    await enqueue({ kind: 'view', name: VIEWS.dispute, userId: body.user.id, viewId: view.id, hash: view.hash, metadata: view.private_metadata, values: view.state.values });
  });

  for (const [callbackId, check] of [
    [VIEWS.correct, (values: unknown, meta: string) => correctionFrom(values as ViewValues, meta).errors],
    [VIEWS.disputeMeeting, (values: unknown, meta: string) => meetingFrom(values as PickerValues, meta).errors],
    [VIEWS.disputeOutcome, (values: unknown, meta: string) => outcomeFrom(values as PickerValues & ViewValues, meta).errors],
  ] as const) {
    onView(callbackId, async ({ ack, body, view }) => {
      const errors = check(view.state.values, view.private_metadata);
      if (errors) return void (await ack({ response_action: 'errors', errors }));
      await ack();
      await enqueue({ kind: 'view', name: callbackId, userId: body.user.id, viewId: view.id, hash: view.hash, metadata: view.private_metadata, values: view.state.values });
    });
  }

  onView(VIEWS.actionNotNeeded, async ({ ack, body, view }) => {
    const { errors } = notNeededFrom(view.state.values as ViewValues, view.private_metadata);
    if (errors) return void (await ack({ response_action: 'errors', errors }));
    await ack();
    await enqueue({ kind: 'view', name: VIEWS.actionNotNeeded, userId: body.user.id, viewId: view.id, hash: view.hash, metadata: view.private_metadata, values: view.state.values });
  });

  onView(VIEWS.decisionCopied, async ({ ack, body, view }) => {
    const { errors } = copiedFrom(view.state.values as ViewValues, view.private_metadata);
    if (errors) return void (await ack({ response_action: 'errors', errors }));
    await ack();
    await enqueue({ kind: 'view', name: VIEWS.decisionCopied, userId: body.user.id, viewId: view.id, hash: view.hash, metadata: view.private_metadata, values: view.state.values });
  });

  onView(VIEWS.agendaItem, async ({ ack, body, view }) => {
    const { errors } = agendaItemFrom(view.state.values as ViewValues, view.private_metadata);
    if (errors) return void (await ack({ response_action: 'errors', errors }));
    await ack();
    await enqueue({ kind: 'view', name: VIEWS.agendaItem, userId: body.user.id, viewId: view.id, hash: view.hash, metadata: view.private_metadata, values: view.state.values });
  });

  for (const [callbackId, check] of [
    [VIEWS.notHeld, (values: unknown, meta: string) => notHeldFrom(values, meta).errors],
    [VIEWS.kept, (values: unknown, meta: string) => keptFrom(values, meta).errors],
    [VIEWS.bookRequest, (values: unknown, meta: string) => bookRequestFrom(values, meta).errors],
    [VIEWS.agreementQuestion, (values: unknown, meta: string) => agreementQuestionFrom(values, meta).errors],
    [VIEWS.review, (values: unknown, meta: string) => reviewFrom(values, meta).errors],
  ] as const) {
    onView(callbackId, async ({ ack, body, view }) => {
      const errors = check(view.state.values, view.private_metadata);
      if (errors) return void (await ack({ response_action: 'errors', errors }));
      await ack();
      await enqueue({ kind: 'view', name: callbackId, userId: body.user.id, viewId: view.id, hash: view.hash, metadata: view.private_metadata, values: view.state.values });
    });
  }

  onView(VIEWS.move, async ({ ack, body, view }) => {
    const { errors } = moveFrom(view.state.values, view.private_metadata);
    if (errors) return void (await ack({ response_action: 'errors', errors }));
    await ack();
    await enqueue({ kind: 'view', name: VIEWS.move, userId: body.user.id, viewId: view.id, hash: view.hash, metadata: view.private_metadata, values: view.state.values });
  });

  // what this bot never sends: a command, button or form of another app is answered, naming it
  app.command(/.*/s, async (args) => {
    const handler = commandHandlers.get(args.command.command);
    if (handler) return handler(args);
    await args.ack({ response_type: 'ephemeral', text: `command: "${clip(args.command.command, 40)}" is not a command of this bot — try /supervision help` });
  });
  app.action<BlockAction>({ type: 'block_actions' }, async (args) => {
    const actionId = (args.body as { actions?: Array<{ action_id?: string }> }).actions?.[0]?.action_id;
    const handler = actionId === undefined ? undefined : actionHandlers.get(actionId);
    if (handler) return handler(args);
    await args.ack();
    await enqueue(actionWork(String(actionId), args.body));
  });
  app.view(/.*/s, async (args) => {
    const handler = viewHandlers.get(args.view.callback_id);
    if (handler) return handler(args);
    await args.ack();
  });

  /**
   * Slack redelivers an event it thinks we missed (`x-slack-retry-num`): each event id is queued once. Checked
   * here rather than in the work, so a retried job still does the work its first attempt could not finish.
   */
  const firstTime = async (eventId: string) => (await redis.set(`${prefix}:slack:event:${eventId}`, '1', 'EX', 86_400, 'NX')) === 'OK';

  // every event through one listener, dispatched by its type, as commands, buttons and forms are above
  const eventHandlers = new Map<string, (event: Record<string, unknown>, body: unknown) => Promise<void>>();
  // a reply in the bot's DM: agenda items, one per line (or a command word)
  eventHandlers.set('message', async (message, body) => {
    const m = message as { channel_type?: string; user?: string; text?: string; subtype?: string; bot_id?: string; channel: string; ts: string; thread_ts?: string };
    if (m.channel_type !== 'im' || m.subtype || m.bot_id || !m.user) return;
    const eventId = (body as { event_id?: string }).event_id ?? `${m.channel}.${m.ts}`;
    if (!(await firstTime(eventId))) return;
    const threadTs = typeof m.thread_ts === 'string' && m.thread_ts !== m.ts ? m.thread_ts.slice(0, 40) : undefined;
    await enqueue({ kind: 'message', eventId, userId: m.user, channel: m.channel, text: m.text ?? '', ...(threadTs ? { threadTs } : {}) });
  });
  eventHandlers.set('app_home_opened', async (event) => {
    const e = event as { tab?: string; user: string };
    if (e.tab && e.tab !== 'home') return;
    await enqueue({ kind: 'home', userId: e.user });
  });
  // the app uninstalled from a workspace, or its tokens revoked: the installation goes (in the work, not the ack)
  if (install) {
    eventHandlers.set('app_uninstalled', async () => {
      await enqueue({ kind: 'uninstalled', event: 'app_uninstalled', bot: true, user: true });
    });
    eventHandlers.set('tokens_revoked', async (event) => {
      const tokens = (event as { tokens?: { bot?: unknown[]; oauth?: unknown[] } }).tokens;
      await enqueue({ kind: 'uninstalled', event: 'tokens_revoked', bot: (tokens?.bot?.length ?? 0) > 0, user: (tokens?.oauth?.length ?? 0) > 0 });
    });
  }
  app.event(/.*/s, async ({ event, body }) => {
    await eventHandlers.get(event.type)?.(event as unknown as Record<string, unknown>, body);
  });

  app.error(async (error) => {
    logger.warn({ err: error.message, code: (error as { code?: string }).code }, 'slack handler failed');
  });

  // ---- the working half: lookups, commands and replies ----

  /**
   * The Web API client of the workspace the work is for: the notifier's (one per workspace, with the same
   * handling of Slack's 429s), with that workspace's installation token where workspaces are installed.
   */
  const slack = (): webApi.WebClient => workFor.getStore()?.lane?.client ?? notifier.client;

  const run = async (type: CommandType, actor: Person, interactionId: string, input: Record<string, unknown>): Promise<UseCaseResult | 'pending'> => {
    const command: Command = { commandId: commandIdFrom('slack', interactionId), type, actorId: actor.id, input };
    // an attempt that failed (a conflict, an outage) is retried by the queue; the person is told it is on its way
    return queues.dispatchAndWait(command, WAIT_MS, { answerLate: true }).catch((error: Error) => {
      logger.warn({ err: error.message, type }, 'command attempt failed; the queue retries it');
      return 'pending' as const;
    });
  };

  const asMessage = (result: UseCaseResult | 'pending'): SlackMessage => {
    if (result === 'pending') return render({ type: 'text', text: 'Got it — I will post the result here in a moment.' });
    if (!result.ok) return render(result.error);
    return render(withLink(result.view ?? { type: 'text', text: 'Done.' }, publicBase(runtime.config)));
  };

  /**
   * Each piece of Slack work runs with the organisation of the person it is for, found by `who`, so every view it
   * renders leaves as that organisation allows it into chat (content-out-of-chat.ts).
   */
  const workFor = new AsyncLocalStorage<{ org?: Organisation | null; workspace?: SlackWorkspace; lane?: SlackLane; teamOrg?: Organisation | null }>();
  const toDashboard = dashboardUrl(runtime.config, 'slack');
  const shown = <V extends NotificationView>(view: V): NotificationView => guardView(workFor.getStore()?.org, view, toDashboard);
  const render = (view: NotificationView): SlackMessage => renderView(shown(view));
  /** Not set up: where workspaces are installed, one no organisation claims says so instead. */
  const notSetUpText = () => (install && !workFor.getStore()?.teamOrg ? NOT_LINKED : NOT_SET_UP);
  /** Who a Slack user is: where workspaces are installed, only among the people of the workspace's organisation. */
  const who = async (userId: string | undefined) => {
    const work = workFor.getStore();
    const person = !userId ? null : install ? (work?.teamOrg ? await deps.people.bySlackUser(userId, work.teamOrg.id) : null) : await personBySlack(deps, userId);
    if (person && work) work.org = await deps.organisations.get(person.organisationId);
    return person;
  };

  /** A closed action is answered with the person's list as it now stands, headed by what was done. */
  const actionsAfter = async (person: Person, result: UseCaseResult | 'pending'): Promise<SlackMessage> => {
    if (result === 'pending' || !result.ok || result.view?.type !== 'text') return asMessage(result);
    const list = await myActions(deps, person.id, {});
    if (!list.ok || list.view?.type !== 'actions') return asMessage(result);
    return render({ ...list.view, notice: result.view.text });
  };

  type Respond = (message: Record<string, unknown>) => Promise<void>;
  /** Posts to the interaction's `response_url` (valid for 30 minutes, five replies). */
  const respondTo = (responseUrl: string): Respond => async (message) => {
    const res = await fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`response_url answered ${res.status}`);
  };

  const reply = async (respond: Respond | undefined, userId: string, message: SlackMessage) => {
    if (respond) await respond({ response_type: 'ephemeral', replace_original: false, ...message });
    else {
      await slack().chat.postMessage({ channel: await notifier.dm(userId, undefined, workFor.getStore()?.lane), ...message });
    }
  };

  const fillModal = async (viewId: string | undefined, view: View) => {
    if (!viewId) return;
    // the person may have closed it meanwhile: nothing to retry
    await slack().views.update({ view_id: viewId, view }).catch((e: Error) => logger.warn({ err: e.message }, 'slack modal not updated'));
  };

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
    const existing = session ? await recordToWrite(deps, person.id, { sessionId }) : null;
    const written = existing?.ok && existing.view?.type === 'record-sheet' && existing.view.canEdit ? existing.view : null;
    // a school that keeps content out of chat: the form comes without anyone's words, and a record that already
    // holds some is not opened here at all (its words would be the form's starting values)
    const guarded = written ? shown(written) : null;
    if (written && (guarded?.type !== 'record-sheet' || !guarded.canEdit)) return noticeModal('This record already holds text, which your school keeps out of chat. Open it in the dashboard (type dashboard for a sign-in link).');
    const record = guarded?.type === 'record-sheet' ? guarded : null;
    const org = await deps.organisations.get(person.organisationId);
    const { formatDate } = await import('../../app/present.js');
    const title = session && org ? `Session of ${formatDate(org, session.startsAt)} with ${owners.filter((o) => contract?.superviseeIds.includes(o.id)).map((o) => o.name).join(', ')}` : 'Supervision record';
    const form = record ? formOf(record) : formOf({ actions: [], caseDecisions: [] } as unknown as RecordSheetView);
    let metadata = JSON.stringify({ s: sessionId });
    if (session && contract && org) {
      // the rules the modal carries, with last session's actions in the order the form lists them
      const cal = calendarOf(org);
      const sessionDay = cal.localDate(session.startsAt);
      const previous = await reviewableActions(deps, contract.id, recordIdFor(sessionId), form.previous.map((p) => ({ actionId: p.id, outcome: p.outcome })));
      const listed = form.previous.map((p) => previous.find((a) => a.id === p.id)).filter((a): a is NonNullable<typeof a> => a !== undefined);
      metadata = modalMetadata(sessionId, { ...formRules(org, cal, contract, sessionDay, listed), closed: closedWeekdays(cal, sessionDay) }, form.attendance.map((a) => a.personId));
    }
    return recordModal(sessionId, record, owners.map((o) => ({ id: o.id, name: o.name })), title, form, metadata);
  }

  async function overdueCommand(c: Extract<SlackWork, { kind: 'command' }>): Promise<void> {
    const respond = respondTo(c.responseUrl);
    const person = await who(c.userId);
    if (!person) return respond({ response_type: 'ephemeral', text: notSetUpText() });
    const filter = overdueFilter.safeParse((c.text || 'all').trim().toLowerCase() || 'all');
    if (!filter.success) return respond({ response_type: 'ephemeral', text: `filter: ${filter.error.issues[0]?.message}` });
    const result = await computeOverdue(deps, person.id, { filter: filter.data });
    for (const page of paginate(asMessage(result))) await respond({ response_type: 'ephemeral', ...page });
  }

  async function supervisionCommand(c: Extract<SlackWork, { kind: 'command' }>): Promise<void> {
    const respond = respondTo(c.responseUrl);
    const person = await who(c.userId);
    if (!person) {
      await fillModal(c.viewId, noticeModal(notSetUpText()));
      return respond({ response_type: 'ephemeral', text: notSetUpText() });
    }
    const parsed = parseSupervision(c.text);
    if (!parsed.ok) return respond({ response_type: 'ephemeral', text: parsed.message });
    const unready = await notSetUp(deps, person);
    if (unready) {
      const words = unready.type === 'text' ? unready.text : '';
      await fillModal(c.viewId, noticeModal(words));
      return respond({ response_type: 'ephemeral', ...render(unready) });
    }
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
      case 'correct':
        return say(await recordToCorrect(deps, person.id, { person: parsed.value.text }));
      case 'move':
      case 'cancel':
        return say(await moveForm(deps, person.id, { cancel: parsed.value.verb === 'cancel' }));
      case 'request':
        return say(await run('requestSession', person, `cmd.${c.triggerId}`, parsed.value.text ? { reason: parsed.value.text } : {}));
      case 'incident': {
        const incident = await typedIncident(deps, person, `incident ${parsed.value.text ?? ''}`);
        if (!incident) return;
        return say('view' in incident ? { ok: true, view: incident.view } : await run('declareIncident', person, `cmd.${c.triggerId}`, incident.input));
      }
      case 'start': {
        const start = await typedStart(deps, person, `start ${parsed.value.text ?? ''}`);
        if (!start) return;
        return say('view' in start ? { ok: true, view: start.view } : await run('startContractEarly', person, `cmd.${c.triggerId}`, start.input));
      }
      case 'calendar':
        return say(await run(parsed.value.text === 'revoke' ? 'revokeCalendarFeed' : 'issueCalendarFeed', person, `cmd.${c.triggerId}`, {}));
      case 'add':
      case 'park': {
        if (parsed.value.verb === 'add' && !parsed.value.text) {
          const form = await agendaForm(deps, person.id, {});
          if (form.ok && form.view?.type === 'agenda-form' && c.viewId) return fillModal(c.viewId, agendaPickerModal(form.view));
          await fillModal(c.viewId, noticeModal(form.ok && form.view?.type === 'text' ? form.view.text : 'The agenda form could not open — please try again.'));
          return say(form);
        }
        const agenda = await typedAgenda(deps, person.id, `${parsed.value.verb} ${parsed.value.text}`);
        if ('view' in agenda) return say({ ok: true, view: agenda.view });
        return say(await run(agenda.command, person, `cmd.${c.triggerId}`, agenda.input));
      }
      case 'record': {
        const session = await latestSessionToRecord(person);
        if (!session) {
          await fillModal(c.viewId, noticeModal('You have no session waiting for a record.'));
          return say({ ok: true, view: { type: 'text', text: 'You have no session waiting for a record.' } });
        }
        if (c.viewId) await fillModal(c.viewId, await modalFor(person, session));
        else await say({ ok: true, view: { type: 'text', text: 'The record sheet could not open — please try again.' } });
        return;
      }
    }
  }

  async function actionWorkDone(a: Extract<SlackWork, { kind: 'action' }>): Promise<void> {
    const respond = a.responseUrl ? respondTo(a.responseUrl) : undefined;
    const person = await who(a.userId);
    switch (a.name) {
      case ACTIONS.confirm: {
        if (!person) return reply(respond, a.userId, render({ type: 'refusal', text: notSetUpText() }));
        const ref = recordValue.safeParse(a.value);
        if (!ref.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${ref.error.issues[0]?.message}` }));
        const [recordId, version] = ref.data.split('@') as [string, string];
        const result = await run('confirmRecord', person, `act.${a.userId}.${a.ts}`, { recordId, version: Number(version) });
        // the updated record reaches both parties through the outbox; only a problem is answered here
        if (result === 'pending' || !result.ok) await reply(respond, a.userId, asMessage(result));
        return;
      }
      case ACTIONS.acknowledge: {
        if (!person) return reply(respond, a.userId, render({ type: 'refusal', text: notSetUpText() }));
        const id = idValue.safeParse(a.value);
        if (!id.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${id.error.issues[0]?.message}` }));
        const result = await run('acknowledgeEscalation', person, `act.${a.userId}.${a.ts}`, { escalationId: id.data });
        return reply(respond, a.userId, asMessage(result));
      }
      case ACTIONS.flagItem: {
        if (!person) return reply(respond, a.userId, render({ type: 'refusal', text: notSetUpText() }));
        const id = idValue.safeParse(a.value);
        if (!id.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${id.error.issues[0]?.message}` }));
        return reply(respond, a.userId, asMessage(await run('escalateRiskOfHarm', person, `act.${a.userId}.${a.ts}`, { agendaItemId: id.data })));
      }
      case ACTIONS.flagConcern: {
        if (!person) return reply(respond, a.userId, render({ type: 'refusal', text: notSetUpText() }));
        const ref = concernValue.safeParse(a.value);
        if (!ref.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${ref.error.issues[0]?.message}` }));
        const [recordId, concernId] = ref.data.split('#') as [string, string];
        return reply(respond, a.userId, asMessage(await run('escalateRiskOfHarm', person, `act.${a.userId}.${a.ts}`, { recordId, concernId })));
      }
      case ACTIONS.requestChange: {
        // only a button whose value is not a record reaches here; a valid one opened the modal at once
        const ref = recordValue.safeParse(a.value);
        if (!ref.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${ref.error.issues[0]?.message}` }));
        return;
      }
      case ACTIONS.refer: {
        if (!person) return reply(respond, a.userId, render({ type: 'refusal', text: notSetUpText() }));
        const ref = recordValue.safeParse(a.value);
        if (!ref.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${ref.error.issues[0]?.message}` }));
        const result = await run('referDispute', person, `act.${a.userId}.${a.ts}`, { recordId: ref.data.split('@')[0] });
        // the updated record reaches the parties and the person hearing it through the outbox; only a problem is answered here
        if (result === 'pending' || !result.ok) await reply(respond, a.userId, asMessage(result));
        return;
      }
      case ACTIONS.correct: {
        // only a button whose value is not a record reaches here; a valid one opened the modal at once
        const ref = recordValue.safeParse(a.value);
        if (!ref.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${ref.error.issues[0]?.message}` }));
        return;
      }
      case ACTIONS.arrangeMeeting:
      case ACTIONS.recordOutcome: {
        const id = idValue.safeParse(a.value);
        if (!id.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${id.error.issues[0]?.message}` }));
        return;
      }
      case ACTIONS.actionDone: {
        if (!person) return reply(respond, a.userId, render({ type: 'refusal', text: notSetUpText() }));
        const id = idValue.safeParse(a.value);
        if (!id.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${id.error.issues[0]?.message}` }));
        for (const page of paginate(await actionsAfter(person, await run('completeAction', person, `act.${a.userId}.${a.ts}`, { actionId: id.data })))) await reply(respond, a.userId, page);
        return;
      }
      case ACTIONS.actionNotNeeded: {
        // only a button whose value is not an action reaches here; a valid one opened the modal at once
        const id = idValue.safeParse(a.value);
        if (!id.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${id.error.issues[0]?.message}` }));
        return;
      }
      case ACTIONS.decisionCopied: {
        const ref = decisionRefValue.safeParse(a.value);
        if (!ref.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${ref.error.issues[0]?.message}` }));
        return;
      }
      case ACTIONS.openRecord: {
        const sessionId = idValue.safeParse(a.value);
        if (!person) {
          await fillModal(a.viewId, noticeModal(notSetUpText()));
          return reply(respond, a.userId, render({ type: 'refusal', text: notSetUpText() }));
        }
        if (!sessionId.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${sessionId.error.issues[0]?.message}` }));
        return fillModal(a.viewId, await modalFor(person, sessionId.data));
      }
      case ACTIONS.openHandover: {
        const handoverId = idValue.safeParse(a.value);
        if (!person) {
          await fillModal(a.viewId, noticeModal(notSetUpText()));
          return reply(respond, a.userId, render({ type: 'refusal', text: notSetUpText() }));
        }
        if (!handoverId.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${handoverId.error.issues[0]?.message}` }));
        const opened = await openHandover(deps, person.id, { handoverId: handoverId.data });
        if (opened.ok && opened.view?.type === 'handover-form') return fillModal(a.viewId, handoverModal(opened.view));
        // written already (shown in the chat instead), or not theirs
        await fillModal(a.viewId, noticeModal(opened.ok ? 'This handover has been written — it is in your messages.' : opened.error.type === 'refusal' ? opened.error.text : opened.error.message));
        for (const page of paginate(asMessage(opened))) await reply(respond, a.userId, page);
        return;
      }
      case ACTIONS.addRecordRow:
        // only a click that could not add a row reaches here (not the record form, or a row past the limit)
        return reply(respond, a.userId, render({ type: 'error', field: 'value', message: 'value: no more rows can be added to this form — up to 10 actions and 10 case decisions' }));
      case ACTIONS.addFor: {
        // only the bot's own button opened a modal; anything else is named and opens nothing
        if (a.value !== ADD_FOR_VALUE) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: 'value: not the agenda form’s button' }));
        if (!person) {
          await fillModal(a.viewId, noticeModal(notSetUpText()));
          return reply(respond, a.userId, render({ type: 'refusal', text: notSetUpText() }));
        }
        const unready = await notSetUp(deps, person);
        if (unready) return fillModal(a.viewId, noticeModal(unready.type === 'text' ? unready.text : notSetUpText()));
        const form = await agendaForm(deps, person.id, {});
        if (form.ok && form.view?.type === 'agenda-form') return fillModal(a.viewId, agendaPickerModal(form.view));
        await fillModal(a.viewId, noticeModal(form.ok && form.view?.type === 'text' ? form.view.text : 'The agenda form could not open — please try again.'));
        return reply(respond, a.userId, asMessage(form));
      }
      case ACTIONS.addSuggested: {
        // only a button whose value is not a suggestion reaches here; a valid one opened the modal at once
        return reply(respond, a.userId, render({ type: 'error', field: 'value', message: 'value: not a suggested agenda item' }));
      }
      case ACTIONS.requestSession: {
        if (a.value !== 'ask') return reply(respond, a.userId, render({ type: 'error', field: 'value', message: 'value: not the Ask for a session button' }));
        if (!person) return reply(respond, a.userId, render({ type: 'refusal', text: notSetUpText() }));
        return reply(respond, a.userId, asMessage(await run('requestSession', person, `act.${a.userId}.${a.ts}`, {})));
      }
      case ACTIONS.incidentYes:
      case ACTIONS.incidentNotNow: {
        if (!person) return reply(respond, a.userId, render({ type: 'refusal', text: notSetUpText() }));
        const id = idValue.safeParse(a.value);
        if (!id.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${id.error.issues[0]?.message}` }));
        return reply(respond, a.userId, asMessage(await run('answerIncidentOffer', person, `act.${a.userId}.${a.ts}`, { offerId: id.data, answer: a.name === ACTIONS.incidentYes ? 'yes' : 'not-now' })));
      }
      case ACTIONS.agree: {
        const value = agreeButtonValue.safeParse(a.value);
        if (!value.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${value.error.issues[0]?.message}` }));
        if (!person) return reply(respond, a.userId, render({ type: 'refusal', text: notSetUpText() }));
        const terms = value.data.slice(0, 16);
        return reply(respond, a.userId, asMessage(await run('agreeToContract', person, `act.${a.userId}.${a.ts}`, { contractId: value.data.slice(17), terms })));
      }
      case ACTIONS.reviewKeep: {
        const id = idValue.safeParse(a.value);
        if (!id.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${id.error.issues[0]?.message}` }));
        if (!person) return reply(respond, a.userId, render({ type: 'refusal', text: notSetUpText() }));
        return reply(respond, a.userId, asMessage(await run('reviewContract', person, `act.${a.userId}.${a.ts}`, { contractId: id.data, keep: true })));
      }
      case ACTIONS.move:
      case ACTIONS.cancel:
      case ACTIONS.notHeld:
      case ACTIONS.keptOpen:
      case ACTIONS.reviewChange:
      case ACTIONS.askAboutAgreement:
      case ACTIONS.bookRequest:
      case ACTIONS.addItem:
      case ACTIONS.flagRisk: {
        // only a button whose value is not a session reaches here; a valid one opened the modal at once
        const sessionId = idValue.safeParse(a.value);
        if (!sessionId.success) return reply(respond, a.userId, render({ type: 'error', field: 'value', message: `value: ${sessionId.error.issues[0]?.message}` }));
        return;
      }
      default:
        return reply(respond, a.userId, render({ type: 'error', field: 'action_id', message: `action_id: "${clip(a.name, 40)}" is not a button of this bot` }));
    }
  }

  async function viewWorkDone(v: Extract<SlackWork, { kind: 'view' }>): Promise<void> {
    const person = await who(v.userId);
    if (!person) return reply(undefined, v.userId, render({ type: 'refusal', text: notSetUpText() }));
    const interaction = `view.${v.viewId}.${v.hash}`;
    switch (v.name) {
      case VIEWS.record: {
        const org = await deps.organisations.get(person.organisationId);
        const cal = org ? calendarOf(org) : null;
        const { input } = recordInputFromModal(v.values, v.metadata, (day, time) => (cal ? cal.atLocalTime(day, time) : new Date(`${day}T${time}:00Z`)));
        if (!input) return;
        const result = await run('draftRecord', person, interaction, input);
        if (result === 'pending' || !result.ok) await reply(undefined, v.userId, asMessage(result));
        return;
      }
      case VIEWS.dispute: {
        const { dispute } = disputeFrom(v.values as ViewValues, v.metadata);
        if (!dispute) return;
        const result = await run('disputeRecord', person, interaction, dispute);
        if (result === 'pending' || !result.ok) await reply(undefined, v.userId, asMessage(result));
        return;
      }
      case VIEWS.correct: {
        const { correction } = correctionFrom(v.values as ViewValues, v.metadata);
        if (!correction) return;
        const result = await run('correctSignedRecord', person, interaction, correction);
        // the new version reaches both parties through the outbox; only a problem is answered here
        if (result === 'pending' || !result.ok) await reply(undefined, v.userId, asMessage(result));
        return;
      }
      case VIEWS.disputeMeeting: {
        const { meeting } = meetingFrom(v.values as PickerValues, v.metadata);
        if (!meeting) return;
        const org = await deps.organisations.get(person.organisationId);
        const at = org ? calendarOf(org).atLocalTime(meeting.day, meeting.time) : new Date(`${meeting.day}T${meeting.time}:00Z`);
        const result = await run('arrangeDisputeMeeting', person, interaction, { recordId: meeting.recordId, at: at.toISOString() });
        if (result === 'pending' || !result.ok) await reply(undefined, v.userId, asMessage(result));
        return;
      }
      case VIEWS.disputeOutcome: {
        const { outcome } = outcomeFrom(v.values as PickerValues & ViewValues, v.metadata);
        if (!outcome) return;
        return reply(undefined, v.userId, asMessage(await run('resolveDispute', person, interaction, outcome)));
      }
      case VIEWS.actionNotNeeded: {
        const { closing } = notNeededFrom(v.values as ViewValues, v.metadata);
        if (!closing) return;
        for (const page of paginate(await actionsAfter(person, await run('completeAction', person, interaction, closing)))) await reply(undefined, v.userId, page);
        return;
      }
      case VIEWS.decisionCopied: {
        const { copied } = copiedFrom(v.values as ViewValues, v.metadata);
        if (!copied) return;
        return reply(undefined, v.userId, asMessage(await run('markCaseDecisionCopied', person, interaction, copied)));
      }
      case VIEWS.move: {
        const { move } = moveFrom(v.values, v.metadata);
        if (!move) return;
        const org = await deps.organisations.get(person.organisationId);
        const cal = org ? calendarOf(org) : null;
        const newStartsAt = cal ? cal.atLocalTime(move.date, move.time) : new Date(`${move.date}T${move.time}:00Z`);
        const result = await run('rescheduleSession', person, interaction, { sessionId: move.sessionId, newStartsAt: newStartsAt.toISOString(), cancel: move.cancel, ...(move.reason ? { reason: move.reason } : {}) });
        return reply(undefined, v.userId, asMessage(result));
      }
      case VIEWS.notHeld: {
        const { answer } = notHeldFrom(v.values, v.metadata);
        if (!answer) return;
        const org = await deps.organisations.get(person.organisationId);
        const at = org ? calendarOf(org).atLocalTime(answer.date, answer.time) : new Date(`${answer.date}T${answer.time}:00Z`);
        const result = await run('recordSessionNotHeld', person, interaction, { sessionId: answer.sessionId, reason: answer.reason, newStartsAt: at.toISOString(), ...(answer.note ? { note: answer.note } : {}) });
        return reply(undefined, v.userId, asMessage(result));
      }
      case VIEWS.kept: {
        const { answer } = keptFrom(v.values, v.metadata);
        if (!answer) return;
        // "My supervisor" is the session's supervisor; the use case checks every owner again
        const session = await deps.sessions.get(answer.sessionId);
        const contract = session ? await deps.contracts.get(session.contractId) : null;
        const supervisorId = contract?.supervisorIds[0] ?? 'supervisor';
        const actions = answer.rows.map((r) => ({ text: r.text, ownerId: r.owner === 'self' ? person.id : supervisorId, dueDate: r.dueDate }));
        return reply(undefined, v.userId, asMessage(await run('recordKeptSession', person, interaction, { sessionId: answer.sessionId, topics: answer.topics, actions })));
      }
      case VIEWS.bookRequest: {
        const { booking } = bookRequestFrom(v.values, v.metadata);
        if (!booking) return;
        const org = await deps.organisations.get(person.organisationId);
        const at = org ? calendarOf(org).atLocalTime(booking.date, booking.time) : new Date(`${booking.date}T${booking.time}:00Z`);
        return reply(undefined, v.userId, asMessage(await run('bookRequestedSession', person, interaction, { requestId: booking.requestId, startsAt: at.toISOString() })));
      }
      case VIEWS.handover: {
        const { handover } = handoverFrom(v.values, v.metadata);
        if (!handover) return;
        for (const page of paginate(asMessage(await run('submitHandover', person, interaction, { ...handover })))) await reply(undefined, v.userId, page);
        return;
      }
      case VIEWS.review: {
        const { review } = reviewFrom(v.values, v.metadata);
        if (!review) return;
        const { supervisorUser, ...terms } = review;
        const supervisor = supervisorUser ? await who(supervisorUser) : undefined;
        if (supervisorUser && !supervisor) return reply(undefined, v.userId, render({ type: 'error', field: 'supervisor', message: 'supervisor: that person is not set up in Supervision Bot' }));
        return reply(undefined, v.userId, asMessage(await run('reviewContract', person, interaction, { ...terms, keep: false, ...(supervisor ? { supervisorId: supervisor.id } : {}) })));
      }
      case VIEWS.agreementQuestion: {
        const { question } = agreementQuestionFrom(v.values, v.metadata);
        if (!question) return;
        return reply(undefined, v.userId, asMessage(await run('askAboutAgreement', person, interaction, question)));
      }
      case VIEWS.agendaItem: {
        const { item } = agendaItemFrom(v.values as ViewValues, v.metadata);
        if (!item) return;
        const where = 'contractId' in item ? { contractId: item.contractId } : { sessionId: item.sessionId };
        const result = await run('submitAgendaItem', person, interaction, { text: item.text, category: item.category, riskOfHarm: item.risk, ...where });
        return reply(undefined, v.userId, asMessage(result));
      }
    }
  }

  /**
   * Someone who wrote in the bot's DM and is linked to nobody: listed for the admin to link in one step, with the
   * name and email Slack's profile gives (looked up once, when they are not listed yet).
   */
  async function noteUnmatched(userId: string): Promise<void> {
    // installed workspaces: listed for the admin of the workspace's school only, and not at all before one claims it
    const work = workFor.getStore();
    if (install && !work?.teamOrg) return;
    const teamId = install ? work?.workspace?.teamId : undefined;
    let profile: { name?: string; email?: string } = {};
    if (!(await unmatched.has('slack', userId))) {
      const info = await slack().users.info({ user: userId }).catch((error: Error) => {
        logger.info({ err: error.message }, 'slack users.info failed; the sender is listed by id');
        return null;
      });
      const user = info?.user as { real_name?: string; name?: string; profile?: { email?: string; real_name?: string; display_name?: string } } | undefined;
      const name = user?.profile?.real_name || user?.real_name || user?.profile?.display_name || user?.name;
      profile = { ...(name ? { name: name.slice(0, 100) } : {}), ...(user?.profile?.email ? { email: user.profile.email.slice(0, 254).toLowerCase() } : {}) };
    } else {
      const before = (await unmatched.list()).find((s) => s.platform === 'slack' && s.userId === userId);
      profile = { ...(before?.name ? { name: before.name } : {}), ...(before?.email ? { email: before.email } : {}) };
    }
    await unmatched.record({ platform: 'slack', userId, ...profile, ...(teamId ? { teamId } : {}), at: deps.clock.now().toISOString() });
  }

  async function messageWorkDone(m: Extract<SlackWork, { kind: 'message' }>): Promise<void> {
    const person = await who(m.userId);
    const post = async (msg: SlackMessage) => {
      for (const page of paginate(msg)) await slack().chat.postMessage({ channel: m.channel, ...page });
    };
    if (!person) {
      await noteUnmatched(m.userId).catch((error: Error) => logger.warn({ err: error.message }, 'unmatched sender not kept'));
      return post(render({ type: 'refusal', text: notSetUpText() }));
    }
    const text = m.text.trim();
    if (!text) return;
    const word = text.toLowerCase();
    // a sign-in link to the dashboard, for this person only (Slack has no SSO into the tab)
    if (word === 'dashboard' || word === '/dashboard') return post(asMessage(await issueSignInLink(deps, person.id, {})));
    const unready = await notSetUp(deps, person);
    if (unready) return post(render(unready));
    if (word === 'help') return post(asMessage(await helpRead(deps, person.id, {})));
    if (word === 'next') return post(asMessage(await nextSession(deps, person.id, {})));
    if (word === 'actions') return post(asMessage(await myActions(deps, person.id, {})));
    const moving = moveWord(word);
    if (moving) return post(asMessage(await moveForm(deps, person.id, { cancel: moving === 'cancel' })));
    const calendar = calendarCommand(word);
    if (calendar) return post('error' in calendar ? render(calendar.error) : asMessage(await run(calendar.command, person, `evt.${m.eventId}`, {})));
    const incident = await typedIncident(deps, person, text);
    if (incident) return post('view' in incident ? render(incident.view) : asMessage(await run('declareIncident', person, `evt.${m.eventId}`, incident.input)));
    const start = await typedStart(deps, person, text);
    if (start) return post('view' in start ? render(start.view) : asMessage(await run('startContractEarly', person, `evt.${m.eventId}`, start.input)));
    const request = requestCommand(text);
    if (request) return post('error' in request ? render(request.error) : asMessage(await run('requestSession', person, `evt.${m.eventId}`, request.input)));
    // nothing is cut: a reply longer than an agenda holds is answered with the limit
    if (text.length > 10_000) return post(render({ type: 'error', field: 'text', message: 'Your reply is longer than 10,000 characters — send it in shorter messages, one item per line.' }));
    // a reply in the agenda prompt's thread answers that session's prompt
    const threadSessionId = m.threadTs ? await sessionOfThread(deps, person.id, 'slack', m.threadTs) : undefined;
    const agenda = await typedAgenda(deps, person.id, text, threadSessionId);
    if ('view' in agenda) return post(render(agenda.view));
    return post(asMessage(await run(agenda.command, person, `evt.${m.eventId}`, agenda.input)));
  }

  // App Home: my next session and agenda, records waiting for me, my actions; for DSLs the overdue counts
  async function homeWorkDone(h: Extract<SlackWork, { kind: 'home' }>): Promise<void> {
    const person = await who(h.userId);
    const blocks: KnownBlock[] = [{ type: 'header', text: plain('Supervision') }];
    if (!person) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: notSetUpText() } });
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
    await slack().views.publish({ user_id: h.userId, view: { type: 'home', blocks: limited } });
  }

  async function perform(work: QueuedWork): Promise<void> {
    if (!install) return workFor.run({}, () => performWork(work));
    // an installed workspace: its organisation (the one claiming its team id) and its installation's token
    const workspace = work.workspace ?? {};
    if (work.kind === 'uninstalled') return uninstalled(work, workspace);
    const teamOrg = workspace.teamId ? await deps.organisations.bySlackTeam(workspace.teamId) : null;
    const lane = await notifier.laneFor(workspace);
    // no installation (uninstalled meanwhile): nothing can be sent to that workspace
    if (!lane) return;
    return workFor.run({ workspace, lane, teamOrg }, () => performWork(work));
  }

  /** `app_uninstalled` / `tokens_revoked`: the installation removed (its user token only, when only that went), audited by ids. */
  async function uninstalled(work: Extract<SlackWork, { kind: 'uninstalled' }>, workspace: SlackWorkspace): Promise<void> {
    if (!workspace.teamId && !workspace.enterpriseId) return;
    if (!work.bot) {
      if (work.user) await deps.slackInstallations.removeUserToken(workspace);
      return;
    }
    const removed = await deps.slackInstallations.remove(workspace);
    const org = workspace.teamId ? await deps.organisations.bySlackTeam(workspace.teamId) : null;
    logger.info({ teamId: workspace.teamId, enterpriseId: workspace.enterpriseId, event: work.event, removed: Boolean(removed) }, 'slack installation removed');
    if (org) {
      await deps.audit.append({
        organisationId: org.id,
        actorId: 'slack',
        action: 'slack.uninstalled',
        subject: { kind: 'organisation', id: org.id },
        detail: { event: work.event, ...(workspace.teamId ? { teamId: workspace.teamId } : {}), ...(workspace.enterpriseId ? { enterpriseId: workspace.enterpriseId } : {}) },
        at: deps.clock.now(),
      });
    }
  }

  async function performWork(work: SlackWork): Promise<void> {
    switch (work.kind) {
      case 'command':
        return work.name === '/overdue' ? overdueCommand(work) : supervisionCommand(work);
      case 'action':
        return actionWorkDone(work);
      case 'view':
        return viewWorkDone(work);
      case 'message':
        return messageWorkDone(work);
      case 'home':
        return homeWorkDone(work);
      case 'uninstalled':
        return;
    }
  }

  // where workers run (a worker process, or the single process), this one runs the Slack work too
  const workerConnection = runtime.workers ? redisConnection(redisUrl) : null;
  workerConnection?.on('error', (e) => logger.warn({ err: e.message }, 'redis connection error (slack work)'));
  const worker = workerConnection
    ? new Worker(SLACK_WORK_QUEUE, async (job: Job) => withReadMemo(() => perform(job.data as QueuedWork), 'slack-work'), {
        prefix,
        connection: workerConnection,
        concurrency: Math.min(POST_ACK_CONCURRENCY, runtime.config.WORKER_CONCURRENCY),
      })
    : null;
  worker?.on('failed', (job, err) => logger.warn({ kind: job?.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'slack work failed'));
  worker?.on('error', (err) => logger.warn({ queue: SLACK_WORK_QUEUE, err: err.message }, 'worker error'));

  return {
    app,
    notifier,
    mount: async (express) => {
      if (!receiver) return void (await app.start());
      // Slack's requests are answered by the front door; express keeps Bolt's install pages only
      express.use(SLACK_PATHS, (_req, res) => void res.status(404).json({ error: 'no such route' }));
      express.use(receiver.router);
      return slackFrontDoor({
        signingSecret: options.signingSecret,
        app,
        logger: receiverLog ?? app.logger,
        headers: frontDoorSecurityHeaders(runtime.config, express.get('trust proxy fn')),
      });
    },
    async close() {
      if (!receiver) await app.stop().catch(() => undefined);
      await worker?.close().catch(() => undefined);
      await workerConnection?.quit().catch(() => workerConnection.disconnect());
      await workQueue.close().catch(() => undefined);
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
