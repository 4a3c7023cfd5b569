/**
 * What a person says to the bot, whatever the platform: a card action (an Adaptive Card verb and its data) or
 * a line of text, turned into a command on the queue or a read, and answered with a platform-neutral view.
 * Teams and the playground both call this, so both go through the same use cases.
 */
import { z } from 'zod';
import { type Command, type CommandType, commandIdFrom } from '../app/commands.js';
import { agendaForm, agendaLine } from '../app/agenda.js';
import { Refusal, toFailure, type UseCaseResult } from '../app/errors.js';
import { DEFAULT_AGENDA_CATEGORY, parseAgendaCommand } from '../domain/agenda.js';
import { computeOverdue } from '../app/overdue.js';
import type { Platform } from '../app/ports.js';
import { help as helpRead, moveForm, myActions, nextSession, sessionCheck } from '../app/reads.js';
import { recordToCorrect, recordToWrite } from '../app/record-form.js';
import { keptForm as keptFormRead } from '../app/external.js';
import { viewRecord } from '../app/records.js';
import { HANDOVER_ACTIONS_MAX, HANDOVER_CLOSE_NOTE_MAX, HANDOVER_TEXT_MAX, openHandover } from '../app/handover.js';
import type { HandoverFormView, NotificationView, RecordFormView, RecordSheetView } from '../app/views.js';
import { decisionKey } from '../app/record-form-context.js';
import { RECORD_LIMITS } from '../domain/record-form.js';
import { isCalendarDate } from '../domain/calendar.js';
import { NEW_TIME_REQUIRED } from '../domain/session.js';
import { calendarOf } from '../app/context.js';
import { typedStart } from '../app/agreement.js';
import { INCIDENT_HOW, incidentUptake, typedIncidentInput, uptakeText } from '../app/incidents.js';
import { canDeclareIncident, parseIncidentCommand } from '../domain/incident.js';
import { notSetUpText, readiness } from '../domain/readiness.js';
import { AGENDA_CATEGORIES, ATTENDANCE_STATES, type AttendanceState, NOT_HELD_REASONS, RECORD_TOPICS, REFERRAL_KINDS, type ReferralKind, type Person } from '../domain/types.js';
import type { Runtime } from '../runtime.js';
import { contentGuard } from './content-guard.js';
import { organisationWithin } from './timely-organisation.js';

/**
 * Teams gives a card action five seconds before it retries it, so a person is answered within three: with the
 * result when the command is done by then, else with "on its way" while the queue finishes it (and the card
 * is updated in place when it does). A read that cannot finish by then (the database is unreachable) is
 * answered politely rather than left to time out.
 */
export const ANSWER_WITHIN_MS = 3_000;
const STILL_WORKING: NotificationView = { type: 'text', text: 'Supervision records are not available for a moment — please try again shortly.' };

async function withinDeadline(read: Promise<UseCaseResult>, onLate: () => void, ms: number): Promise<UseCaseResult | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    const outcome = await Promise.race([read, late]);
    if (outcome === 'late') {
      onLate();
      read.catch(() => undefined);
    }
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}

/** Nothing is cut: longer text is refused, and the refusal states the limit. */
const text = (max: number) => z.string().trim().max(max, `can be at most ${max.toLocaleString('en-GB')} characters`);
const ref = z.string().regex(/^[A-Za-z0-9._:@-]{1,250}$/, 'not a valid reference');
const version = z.coerce.number().int().min(1).max(9999);
/** A calendar date that exists (not 2026-02-30) and a 24-hour time, or nothing picked. */
const pickedDate = z.string().regex(/^(\d{4}-\d{2}-\d{2})?$/, 'pick a date').refine((v) => v === '' || isCalendarDate(v), 'pick a date');
const pickedTime = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d)?$/, 'pick a time');

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(false);
/** The move form: a new date and time (template "intervals": always, even to cancel), and a reason when late. */
const moveData = z.object({
  sessionId: ref,
  date: pickedDate.default(''),
  time: pickedTime.default(''),
  reason: text(500).optional(),
});

/** The move form's answer → rescheduleSession input, or the field to name (no new time: the policy's reason). */
export function moveInput(
  d: z.infer<typeof moveData>,
  cancel: boolean,
  atLocal: (day: string, time: string) => Date,
): { input: Record<string, unknown> } | { error: NotificationView } {
  if (!d.date) return { error: { type: 'error', field: 'date', message: `date: ${NEW_TIME_REQUIRED}` } };
  if (!d.time) return { error: { type: 'error', field: 'time', message: 'time: pick the new time' } };
  return { input: { sessionId: d.sessionId, newStartsAt: atLocal(d.date, d.time).toISOString(), cancel, ...(d.reason ? { reason: d.reason } : {}) } };
}

const childRef = z.string().trim().max(20, 'initials or a reference, at most 20 characters').regex(/^[A-Za-z0-9 ./#-]*$/, 'initials or a reference only');
const outcome = z.union([z.literal('').transform(() => undefined), z.enum(['done', 'carried-forward', 'dropped'], { message: 'pick done, carried forward or dropped' })]);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * The record card's inputs: topics, notes, concerns; up to 10 action rows (`action0`, `owner0`, `due0`, …)
 * and 10 case decision rows (`childRef`, `decision`, `rationale`, `followUpById`, then `childRef1`, …); one
 * outcome and note per of last session's actions (`outcome0`, `note0`, …, for the ids in `previousIds`).
 */
const recordForm = z.object({
  sessionId: ref,
  topics: z.string().max(500).optional(),
  notes: text(5000).optional(),
  concerns: text(10_000).optional(),
  risk: text(10_000).optional(),
  ...Object.fromEntries(
    range(RECORD_LIMITS.caseDecisions).flatMap((i) => {
      const k = decisionKey(i);
      return [
        [`childRef${k}`, childRef.optional()],
        [`decision${k}`, text(1000).optional()],
        [`rationale${k}`, text(1000).optional()],
        [`followUpById${k}`, z.string().max(200).optional()],
      ];
    }),
  ),
  ...Object.fromEntries(range(RECORD_LIMITS.actions).flatMap((i) => [[`action${i}`, text(1000).optional()], [`owner${i}`, z.string().max(200).optional()], [`due${i}`, pickedDate.optional()]])),
  previousIds: z
    .string()
    .max(8000)
    .regex(/^([A-Za-z0-9._:@-]{1,250}(,[A-Za-z0-9._:@-]{1,250}){0,29})?$/, 'not the form’s list of last session’s actions')
    .optional(),
  ...Object.fromEntries(range(RECORD_LIMITS.previousActions).flatMap((i) => [[`outcome${i}`, outcome.optional()], [`note${i}`, text(RECORD_LIMITS.previousNote).optional()]])),
  /** A group session: the members' ids (as the form lists them) and each one's attendance (`attend0`, …). */
  attendanceIds: z
    .string()
    .max(8000)
    .regex(/^([A-Za-z0-9._:@-]{1,250}(,[A-Za-z0-9._:@-]{1,250}){0,29})?$/, 'not the form’s list of the group’s members')
    .optional(),
  ...Object.fromEntries(range(RECORD_LIMITS.members).map((i) => [`attend${i}`, z.union([z.literal('').transform(() => undefined), z.enum(ATTENDANCE_STATES, { message: 'pick present, apologies or absent' })]).optional()])),
  nextDate: pickedDate.optional(),
  nextTime: pickedTime.optional(),
  /** "Refer to line manager": conduct or development, and the short note that goes to them. */
  referKind: z.union([z.literal('').transform(() => undefined), z.enum(REFERRAL_KINDS, { message: 'pick conduct or development' })]).optional(),
  referNote: text(RECORD_LIMITS.referralNote).optional(),
});
type RecordFormData = Record<string, string | undefined> & { sessionId: string };

/** The rows as typed, blank ones included (a form keeps the rows it showed), and the outcomes picked. */
function typedRows(d: RecordFormData) {
  const has = (k: string) => d[k] !== undefined;
  const lastOf = (n: number, keys: (i: number) => string[]) => range(n).reduce((last, i) => (keys(i).some(has) ? i : last), -1);
  const actionCount = lastOf(RECORD_LIMITS.actions, (i) => [`action${i}`, `owner${i}`, `due${i}`]) + 1;
  const decisionCount = lastOf(RECORD_LIMITS.caseDecisions, (i) => ['childRef', 'decision', 'rationale', 'followUpById'].map((f) => `${f}${decisionKey(i)}`)) + 1;
  const ids = (d.previousIds ?? '').split(',').filter(Boolean);
  return {
    actions: range(actionCount).map((i) => ({ text: d[`action${i}`] ?? '', ownerId: d[`owner${i}`] ?? '', dueDate: d[`due${i}`] ?? '' })),
    caseDecisions: range(decisionCount).map((i) => {
      const k = decisionKey(i);
      return { childRef: d[`childRef${k}`] ?? '', decision: d[`decision${k}`] ?? '', rationale: d[`rationale${k}`] ?? '', followUpById: d[`followUpById${k}`] ?? '' };
    }),
    attendance: (d.attendanceIds ?? '').split(',').filter(Boolean).map((personId, i) => ({ personId, state: (d[`attend${i}`] as AttendanceState | undefined) ?? 'present' })),
    previousActionsReviewed: ids.flatMap((actionId, i) => {
      const picked = d[`outcome${i}`] as 'done' | 'carried-forward' | 'dropped' | undefined;
      const note = d[`note${i}`] ?? '';
      return picked ? [{ actionId, outcome: picked, ...(note ? { note } : {}) }] : [];
    }),
  };
}

/** The handover card: one keep/close choice and note per open action listed (`actionIds`), themes and a note. */
const handoverForm = z.object({
  handoverId: ref,
  actionIds: z
    .string()
    .max(8000)
    .regex(/^([A-Za-z0-9._:@-]{1,250}(,[A-Za-z0-9._:@-]{1,250}){0,29})?$/, 'not the form’s list of open actions')
    .optional(),
  ...Object.fromEntries(
    range(HANDOVER_ACTIONS_MAX).flatMap((i) => [
      [`outcome${i}`, z.union([z.literal('').transform(() => undefined), z.enum(['keep', 'close'], { message: 'choose keep or close' })]).optional()],
      [`note${i}`, text(HANDOVER_CLOSE_NOTE_MAX).optional()],
    ]),
  ),
  themes: text(HANDOVER_TEXT_MAX).optional(),
  note: text(HANDOVER_TEXT_MAX).optional(),
});

type HandoverFormData = Record<string, string | undefined> & { handoverId: string; actionIds?: string; themes?: string; note?: string };

/** "It happened" (stour §4): up to 10 action rows (`action0`, `owner0`, `due0`, …) and the themes. */
const keptForm = z
  .object({
    sessionId: ref,
    topics: z.string().max(500).optional(),
    ...Object.fromEntries(range(RECORD_LIMITS.actions).flatMap((i) => [[`action${i}`, text(RECORD_LIMITS.action).optional()], [`owner${i}`, z.string().max(200).optional()], [`due${i}`, pickedDate.optional()]])),
  })
  .strict();
type KeptFormData = Record<string, string | undefined> & { sessionId: string; topics?: string };

/** The "It happened" card's inputs → recordKeptSession input (the use case validates it again); a blank row is no row. */
export function keptInput(d: KeptFormData): { sessionId: string; topics: string[]; actions: Array<{ text: string; ownerId: string; dueDate: string }> } {
  const rows = range(RECORD_LIMITS.actions).map((i) => ({ text: d[`action${i}`] ?? '', ownerId: d[`owner${i}`] ?? '', dueDate: d[`due${i}`] ?? '' }));
  return {
    sessionId: d.sessionId,
    topics: (d.topics ?? '').split(',').map((t) => t.trim()).filter(Boolean),
    actions: rows.filter((a) => a.text || a.ownerId || a.dueDate),
  };
}

export const VERBS = {
  'record.confirm': z.object({ recordId: ref, version }),
  'record.dispute': z.object({ recordId: ref, version: version.optional(), reason: text(2000).min(1, 'say what should change') }),
  'record.refresh': z.object({ recordId: ref, version: version.optional() }),
  'record.submit': recordForm,
  /** "Add another" on the record form: the form again, as typed, with one more action or case decision row. */
  'record.add-row': recordForm.extend({ row: z.enum(['action', 'decision'], { message: 'say which row to add: action or decision' }) }),
  'record.refer': z.object({ recordId: ref }),
  'record.correct': z.object({ recordId: ref, reason: text(2000).min(1, 'say what needs correcting') }),
  'dispute.meeting': z.object({
    recordId: ref,
    meetingDate: pickedDate.refine((v) => v !== '', 'pick the date of the meeting'),
    meetingTime: pickedTime.refine((v) => v !== '', 'pick the time of the meeting'),
  }),
  'dispute.resolve': z.object({
    recordId: ref,
    outcome: z.enum(['keep', 'amend'], { message: 'choose: keep the record, or amend it' }),
    resolution: text(2000).min(1, 'record what was agreed'),
  }),
  'escalation.acknowledge': z.object({ escalationId: ref }),
  'agenda.flag': z.object({ agendaItemId: ref }),
  'concern.flag': z.object({ recordId: ref, concernId: z.string().regex(/^c\d{1,3}$/, 'not a concern of this record') }),
  'action.done': z.object({ actionId: ref }),
  'action.not-needed': z.object({ actionId: ref, reason: text(1000).min(1, 'say why the action is not needed') }),
  'decision.copied': z.object({
    recordId: ref,
    decisionId: z.string().regex(/^[A-Za-z0-9_-]{1,50}$/, 'not a case decision'),
    childFileRef: z.string().trim().max(40, 'at most 40 characters').regex(/^[A-Za-z0-9 ./#:_-]*$/, 'letters, digits and . / # : _ - only').optional(),
  }),
  'agenda.add': z.object({
    text: text(2000).min(1, 'type the item'),
    /** The session the card is about (an agenda prompt, or "Add this to your agenda for …?"). */
    sessionId: ref.optional(),
    category: z.enum(AGENDA_CATEGORIES, { message: 'pick a category' }).default(DEFAULT_AGENDA_CATEGORY),
    riskOfHarm: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(false),
  }),
  /** "Add an agenda item…": the form whose picker lists the person's supervisees and their own supervision. */
  'agenda.form': z.object({ text: text(2000).optional() }),
  /** That form sent: the contract chosen in the picker (only one the person is party to is accepted). */
  'agenda.add-for': z.object({
    contractId: z.string({ error: 'choose whose session this is for' }).min(1, 'choose whose session this is for').regex(/^[A-Za-z0-9._:@-]{1,250}$/, 'not one of the sessions offered'),
    text: text(2000).min(1, 'type the item'),
    category: z.enum(AGENDA_CATEGORIES, { message: 'pick a category' }).default(DEFAULT_AGENDA_CATEGORY),
    riskOfHarm: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(false),
  }),
  /** The Move / Cancel and rebook button: the form for that session. */
  'session.move-form': z.object({ sessionId: ref, cancel: flag }),
  'session.move': moveData,
  'session.cancel': moveData,
  /** "Did it happen?": Record it opens the record form; It did not happen marks it so and books the new time. */
  'session.check': z.object({ sessionId: ref }),
  'session.record': z.object({ sessionId: ref }),
  'session.not-held': z.object({
    sessionId: ref,
    reason: z.enum(NOT_HELD_REASONS, { message: 'say why it did not happen: who could not attend, a school closure, or another reason' }),
    date: pickedDate.default(''),
    time: pickedTime.default(''),
    note: text(500).optional(),
  }),
  /** stour §4: "It happened", for a session kept by the supervisee: the short form of the actions agreed. */
  'session.kept-form': z.object({ sessionId: ref }),
  /** That form sent: `action<n>`, `owner<n>`, `due<n>` and the themes (`topics`, comma-separated). */
  'session.kept': keptForm,
  /** stour App. C: "Ask for a session", and the supervisor's booking of it. */
  'session.request': z.object({ reason: text(500).optional() }),
  /** After a major incident: the offer of extra supervision answered, by the person it was made to. */
  'incident.answer': z.object({ offerId: ref, answer: z.enum(['yes', 'not-now'], { message: 'answer yes or not now' }) }),
  'session.book-request': z.object({
    requestId: ref,
    date: pickedDate.refine((v) => v !== '', 'pick the date'),
    time: pickedTime.refine((v) => v !== '', 'pick the time'),
  }),
  /** The handover form (a contract's supervisor changed), or the written handover for those who read it. */
  'handover.open': z.object({ handoverId: ref }),
  /** The handover form sent: `outcome<n>` (keep / close) and `note<n>` for the ids in `actionIds`, themes, a note. */
  'handover.submit': handoverForm,
  /** The supervision agreement: Agree signs the terms the card showed; Ask a question goes to the supervisor. */
  'agreement.agree': z.object({ contractId: ref, terms: z.string().regex(/^[0-9a-f]{16}$/, 'not the terms of an agreement') }),
  'agreement.ask': z.object({ contractId: ref, question: text(2000).min(1, 'type your question') }),
  /** The annual review: keep the contract as it is, or the card's inputs as its new terms. */
  'contract.review': z.object({
    contractId: ref,
    keep: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')], { message: 'keep it as it is, or save the changes' }),
    cadence: text(40).optional(),
    durationMinutes: z.union([z.number(), z.string().trim().regex(/^\d{1,3}$/, 'a number of minutes from 30 to 120').transform(Number)], { message: 'a number of minutes from 30 to 120' }).optional(),
    location: text(200).optional(),
    level: z.enum(['1', '2', '3'], { message: 'choose level 1, 2 or 3' }).optional(),
    supervisorId: ref.optional(),
  }),
} as const;
export type Verb = keyof typeof VERBS;

/** The handover form again as it was typed, the refusal above it (Teams replaces the card with the answer). */
export function handoverAsTyped(form: HandoverFormView, d: HandoverFormData, notice: string): HandoverFormView {
  const ids = (d.actionIds ?? '').split(',');
  const rows = d as Record<string, string | undefined>;
  return {
    ...form,
    notice,
    actions: form.actions.map((a) => {
      const i = ids.indexOf(a.id);
      return i < 0 ? a : { ...a, outcome: rows[`outcome${i}`] === 'close' ? 'close' : 'keep', note: rows[`note${i}`] ?? '' };
    }),
    themesTyped: d.themes ?? '',
    noteTyped: d.note ?? '',
  };
}

/** The handover card's inputs → submitHandover input (the use case validates it again). */
export function handoverInput(d: HandoverFormData): Record<string, unknown> {
  const ids = (d.actionIds ?? '').split(',').filter(Boolean);
  const rows = d as Record<string, string | undefined>;
  return {
    handoverId: d.handoverId,
    actions: ids.map((actionId, i) => {
      const note = rows[`note${i}`] ?? '';
      return { actionId, outcome: rows[`outcome${i}`] === 'close' ? 'close' : 'keep', ...(note ? { note } : {}) };
    }),
    themes: d.themes ?? '',
    note: d.note ?? '',
  };
}

export function fieldError(error: z.ZodError, whole = 'input'): NotificationView {
  const issue = error.issues[0];
  const field = issue?.path.join('.') || whole;
  return { type: 'error', field, message: `${field}: ${issue?.message ?? 'is not valid'}` };
}

/** The record card's inputs → draftRecord input (the use case validates it again); a blank row is no row. */
function recordInput(d: RecordFormData, atLocal: (day: string, time: string) => Date): Record<string, unknown> {
  const lines = (s?: string) => (s ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  const topics = (d.topics ?? '').split(',').map((t) => t.trim()).filter((t): t is (typeof RECORD_TOPICS)[number] => (RECORD_TOPICS as readonly string[]).includes(t));
  const rows = typedRows(d);
  return {
    sessionId: d.sessionId,
    topics,
    notes: d.notes ?? '',
    concerns: [...lines(d.concerns).map((t) => ({ text: t, riskOfHarm: false })), ...lines(d.risk).map((t) => ({ text: t, riskOfHarm: true }))],
    caseDecisions: rows.caseDecisions.filter((x) => x.childRef || x.decision || x.rationale),
    actions: rows.actions.filter((a) => a.text || a.ownerId || a.dueDate),
    previousActionsReviewed: rows.previousActionsReviewed,
    attendance: rows.attendance,
    ...(d.referKind || d.referNote ? { referral: { kind: d.referKind, note: d.referNote ?? '' } } : {}),
    ...(d.nextDate ? { nextSessionAt: atLocal(d.nextDate, d.nextTime || '15:45').toISOString() } : {}),
    submit: true,
  };
}

/** A typed line that is about the agenda: the command to run, or what to answer instead. */
export type TypedAgenda = { command: 'submitAgendaItem' | 'parkItemForNextSession'; input: Record<string, unknown> } | { view: NotificationView };

/**
 * `add [name:] …` and `park [name:] …` are items; any other line is one only when it answers an agenda prompt
 * (in its thread, or within its window) — else the person is asked "Add this to your agenda for …?" (stour §5,
 * §6). Shared by every channel, so Slack, Teams and the playground decide alike.
 */
export async function typedAgenda(deps: Runtime['deps'], personId: string, typed: string, threadSessionId?: string): Promise<TypedAgenda> {
  const command = parseAgendaCommand(typed);
  if (command) {
    // `add` alone: the form, with whose session it is for chosen from a list (a supervisor's supervisees, their own)
    if (command.verb === 'add' && !command.text && !command.name) {
      const form = await agendaForm(deps, personId, {});
      return { view: form.ok ? (form.view ?? { type: 'text', text: 'Done.' }) : form.error };
    }
    if (!command.text) {
      const example = command.verb === 'add' ? 'add workload in December' : 'park a worry about workload';
      return { view: { type: 'error', field: 'text', message: `text: say what to ${command.verb}, e.g. ${example}` } };
    }
    return {
      command: command.verb === 'add' ? 'submitAgendaItem' : 'parkItemForNextSession',
      input: { text: command.text, ...(command.name ? { supervisee: command.name } : {}) },
    };
  }
  const line = await agendaLine(deps, personId, { text: typed, ...(threadSessionId ? { threadSessionId } : {}) }).catch((error: unknown) => {
    if (error instanceof Refusal) return { kind: 'reply' as const, text: error.message };
    throw error;
  });
  if (line.kind === 'answer') return { command: 'submitAgendaItem', input: { text: typed, sessionId: line.sessionId } };
  if (line.kind === 'ask') return { view: line.view };
  return { view: { type: 'text', text: line.text } };
}

export interface Conversation {
  /** An Adaptive Card action (`Action.Execute` verb, or the `Action.Submit` fallback's `verb`). */
  onVerb(person: Person, verb: string, data: unknown, interactionId: string): Promise<NotificationView>;
  /** A line typed to the bot: help, next, actions, move, cancel, calendar, overdue [filter], add …, park …, record, correct <name>, start <name>: <reason>, or agenda items. */
  onText(person: Person, text: string, interactionId: string, options?: { threadSessionId?: string }): Promise<NotificationView>;
}

/** The bot's address for links it gives out (the calendar feed): PUBLIC_BASE_URL, else where it listens. */
export function publicBase(config: Runtime['config']): string {
  return (config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/+$/, '');
}

/** A calendar feed's view, a message with an invite, or the dashboard's address, with its full address. */
export function withLink(view: NotificationView, base: string): NotificationView {
  if (view.type === 'calendar-link') return view.path && !view.url ? { ...view, url: `${base}${view.path}` } : view;
  if (view.type === 'dashboard-link' && !view.url) return { ...view, url: `${base}${view.path}` };
  if ((view.type === 'text' || view.type === 'reminder') && view.invite && !view.invite.url) return { ...view, invite: { ...view.invite, url: `${base}${view.invite.path}` } };
  return view;
}

/** The tab's own entity in the Teams app manifest (manifests/teams/manifest.json). */
export const TEAMS_TAB_ENTITY = 'dsl-dashboard';
/** The personal tab, "My supervision" (`/tab/me`), in the same manifest. */
export const TEAMS_MY_TAB_ENTITY = 'my-supervision';

/**
 * A dashboard page (`/tab`, `/tab/me`, `/tab#record/<id>`) as a Teams deep link: the static tab whose page it is,
 * and the page's own part after `#` as the link's sub-entity, which Teams hands the tab as `page.subPageId` when it
 * opens it (the tab then shows that page, not its home).
 */
export function teamsTabLink(appId: string, page = '/tab'): string {
  const [pathPart = '/tab', sub = ''] = page.split('#', 2);
  const entity = /^\/tab\/me\/?$/.test(pathPart) ? TEAMS_MY_TAB_ENTITY : TEAMS_TAB_ENTITY;
  const link = `https://teams.microsoft.com/l/entity/${encodeURIComponent(appId)}/${entity}`;
  return sub ? `${link}?context=${encodeURIComponent(JSON.stringify({ subEntityId: sub }))}` : link;
}

/**
 * `dashboard` in Teams and the playground: the dashboard's address (Teams signs in with SSO, so no link is
 * issued); Slack sends a single-use sign-in link instead (`issueSignInLink`).
 */
export function dashboardAddress(config: Runtime['config'], platform: Platform): NotificationView {
  const url =
    platform === 'teams' && config.MicrosoftAppId
      ? teamsTabLink(config.MicrosoftAppId)
      : `${publicBase(config)}/tab/`;
  return { type: 'dashboard-link', path: '/tab/', url, signIn: false };
}

/**
 * An agenda item typed with the risk flag, or a record sent with a risk of harm in it: it goes on while the school
 * is not set up, so the risk is kept and the person told to phone their DSL (issue 11, "never silently dropped").
 */
function carriesRisk(verb: string, data: unknown): boolean {
  const d = data as { riskOfHarm?: boolean; risk?: string };
  if (verb === 'agenda.add' || verb === 'agenda.add-for') return d.riskOfHarm === true;
  if (verb === 'record.submit') return typeof d.risk === 'string' && d.risk.trim() !== '';
  return false;
}

/** Verbs a person may still use while the school is not set up: a risk of harm always goes to the DSL. */
const ALWAYS_OPEN: ReadonlySet<string> = new Set(['agenda.flag', 'concern.flag', 'escalation.acknowledge']);

/**
 * While the school has no DSL or no term dates for this year, what the person is told instead of a half-working
 * answer (issue 13); undefined when supervision is set up.
 */
export async function notSetUp(deps: Runtime['deps'], person: Person): Promise<NotificationView | undefined> {
  // Asked before every answer, so it must never be what makes a platform wait: while the database is down or slow
  // the answer goes on to the path it was for, which has its own deadline and outage handling.
  try {
    const org = await organisationWithin(deps, person.organisationId, READINESS_WAIT_MS);
    if (!org || org === 'slow') return undefined;
    const state = readiness(org, calendarOf(org).localDate(deps.clock.now()));
    return state.ready ? undefined : { type: 'text', text: notSetUpText(state) };
  } catch {
    return undefined;
  }
}

/** How long the set-up check may hold an answer up before the answer goes on without it. */
const READINESS_WAIT_MS = 1000;

/** `calendar` and `calendar revoke` (another single word after `calendar` is named as the mistake). */
export function calendarCommand(word: string): { command: 'issueCalendarFeed' | 'revokeCalendarFeed' } | { error: NotificationView } | undefined {
  const match = /^calendar\b\s*(.*)$/is.exec(word);
  if (!match) return undefined;
  const rest = (match[1] ?? '').trim().toLowerCase();
  // "calendar clash with parents' evening" is a sentence, not a command
  if (/\s/.test(rest)) return undefined;
  if (rest === '') return { command: 'issueCalendarFeed' };
  if (rest === 'revoke') return { command: 'revokeCalendarFeed' };
  return { error: { type: 'error', field: 'calendar', message: 'calendar: type calendar for your calendar address, or calendar revoke to stop it working' } };
}

/** `/overdue [filter]`: every list, or one of them. */
export const OVERDUE_FILTER = z.enum(['all', 'sessions', 'records', 'actions', 'reviews', 'not-engaging', 'signatures'], { message: 'use one of: sessions, records, actions, reviews, not-engaging, signatures' });

/** `request` or `request <reason>` (stour App. C): a session asked for between the scheduled ones. */
export function requestCommand(typed: string): { input: { reason?: string } } | { error: NotificationView } | undefined {
  const match = /^request\b(?:\s*[:-]?\s*)([\s\S]*)$/i.exec(typed.trim());
  if (!match) return undefined;
  const reason = (match[1] ?? '').trim();
  if (reason.length > 500) return { error: { type: 'error', field: 'reason', message: 'reason: can be at most 500 characters — say the rest at the session' } };
  return { input: reason ? { reason } : {} };
}

/**
 * `incident` (how to), `incident status` (the uptake) or `incident <who>: <name> [| <message to staff>]`: the
 * declaration's input, or what to answer. Shared by every channel.
 */
export async function typedIncident(deps: Runtime['deps'], person: Person, typed: string): Promise<{ input: Record<string, unknown> } | { view: NotificationView } | undefined> {
  const command = parseIncidentCommand(typed);
  if (!command) return undefined;
  if (command.kind === 'error') return { view: { type: 'error', field: command.field, message: command.message } };
  const org = await deps.organisations.get(person.organisationId);
  if (!org || !canDeclareIncident(person, org)) return { view: { type: 'refusal', text: 'Only the DSL or the headteacher declares a major incident and sees its uptake.' } };
  if (command.kind === 'how') return { view: { type: 'text', text: INCIDENT_HOW } };
  if (command.kind === 'status') {
    const uptake = await incidentUptake(deps, person.id, {});
    return { view: uptake.ok ? { type: 'text', text: uptakeText(uptake.data?.incidents ?? []) } : uptake.error };
  }
  const who = await typedIncidentInput(deps, person, command.who);
  if ('error' in who) return { view: who.error };
  return { input: { incidentName: command.incidentName, ...(command.messageToStaff ? { messageToStaff: command.messageToStaff } : {}), ...who } };
}

/** `move` and `cancel` (alone, or `move session` / `cancel session`): a sentence is not the command. */
export function moveWord(word: string): 'move' | 'cancel' | undefined {
  const match = /^(move|cancel)(?:\s+(?:my\s+)?(?:next\s+)?(?:session|supervision))?$/i.exec(word.trim());
  return match ? (match[1]!.toLowerCase() as 'move' | 'cancel') : undefined;
}

export interface ConversationOptions {
  /** How long a person is kept waiting for a result before "on its way" (Teams' limit by default). */
  answerWithinMs?: number;
  /**
   * A refused record form comes back as the form, as typed, with the refusal above it (Teams replaces the card
   * with the answer, so an answer that is only the refusal would lose what the supervisor wrote).
   */
  formAgainOnRefusal?: boolean;
}

export function conversation(runtime: Runtime, platform: Platform, options: ConversationOptions = {}): Conversation {
  const { deps, queues, logger } = runtime;
  const guard = contentGuard(runtime, platform);
  const answerWithinMs = options.answerWithinMs ?? ANSWER_WITHIN_MS;

  const run = (type: CommandType, actor: Person, interactionId: string, input: Record<string, unknown>): Promise<UseCaseResult | 'pending'> => {
    const command: Command = { commandId: commandIdFrom(platform, interactionId), type, actorId: actor.id, input };
    // an attempt that failed (a conflict, an outage) is retried by the queue; the person is told it is on its way
    return queues.dispatchAndWait(command, answerWithinMs, { answerLate: true }).catch((error: Error) => {
      logger.warn({ err: error.message, type }, 'command attempt failed; the queue retries it');
      return 'pending' as const;
    });
  };
  const viewOf = (result: UseCaseResult | 'pending' | 'late'): NotificationView => {
    if (result === 'pending') return { type: 'text', text: 'Got it — I will send the result here in a moment.' };
    if (result === 'late') return STILL_WORKING;
    if (!result.ok) return result.error;
    return withLink(result.view ?? { type: 'text', text: 'Done.' }, publicBase(runtime.config));
  };

  const read = (result: Promise<UseCaseResult>) => withinDeadline(result, () => logger.warn({ platform }, 'a read took longer than a person can wait; answered without it'), answerWithinMs);

  async function onVerb(person: Person, verb: string, data: unknown, interactionId: string): Promise<NotificationView> {
    // own keys only: 'constructor' or 'toString' are not verbs
    if (!Object.hasOwn(VERBS, verb)) return { type: 'error', field: 'verb', message: `verb: "${verb.slice(0, 40)}" is not an action this bot knows` };
    const parsed = VERBS[verb as Verb].safeParse(data ?? {});
    if (!parsed.success) {
      const error = fieldError(parsed.error, 'data');
      // Teams replaces the card with the answer: the picker form comes back as typed, the refusal above it
      if (verb === 'agenda.add-for' && options.formAgainOnRefusal) return (await agendaFormAgain(person, data, error.type === 'error' ? error.message : '')) ?? error;
      return error;
    }
    // a risk of harm, flagged or typed with the flag, always goes on (to the DSL, or "phone your DSL now")
    if (!ALWAYS_OPEN.has(verb) && !carriesRisk(verb, parsed.data)) {
      const unready = await notSetUp(deps, person);
      if (unready) return unready;
    }
    const d = parsed.data as Record<string, unknown>;
    switch (verb as Verb) {
      case 'record.confirm':
        return viewOf(await run('confirmRecord', person, interactionId, { recordId: d.recordId, version: d.version }));
      case 'record.dispute':
        return viewOf(await run('disputeRecord', person, interactionId, { recordId: d.recordId, reason: d.reason }));
      case 'record.refresh':
        return viewOf(await read(viewRecord(deps, person.id, { recordId: d.recordId })));
      case 'record.submit': {
        const org = await deps.organisations.get(person.organisationId);
        const cal = org ? calendarOf(org) : null;
        const data = parsed.data as RecordFormData;
        const input = recordInput(data, (day, time) => (cal ? cal.atLocalTime(day, time) : new Date(`${day}T${time}:00Z`)));
        const result = await run('draftRecord', person, interactionId, input);
        if (options.formAgainOnRefusal && result !== 'pending' && !result.ok && result.error.type === 'error') {
          const again = await typedForm(person, data, { notice: result.error.message });
          if (again?.type === 'record-sheet') return again;
        }
        return viewOf(result);
      }
      case 'record.add-row': {
        // a read: nothing is written until the form is sent
        const data = parsed.data as RecordFormData & { row: 'action' | 'decision' };
        const form = await read(typedForm(person, data, { addRow: data.row }).then((view): UseCaseResult => (view ? { ok: true, view } : { ok: false, error: { type: 'refusal', text: 'This record can no longer be edited — open it again.' } }), toFailure));
        return viewOf(form);
      }
      case 'escalation.acknowledge':
        return viewOf(await run('acknowledgeEscalation', person, interactionId, { escalationId: d.escalationId }));
      case 'agenda.flag':
        return viewOf(await run('escalateRiskOfHarm', person, interactionId, { agendaItemId: d.agendaItemId }));
      case 'concern.flag':
        return viewOf(await run('escalateRiskOfHarm', person, interactionId, { recordId: d.recordId, concernId: d.concernId }));
      case 'agenda.add':
        return viewOf(await run('submitAgendaItem', person, interactionId, { text: d.text, category: d.category, riskOfHarm: d.riskOfHarm, ...(d.sessionId ? { sessionId: d.sessionId } : {}) }));
      case 'agenda.form':
        return viewOf(await read(agendaForm(deps, person.id, d.text ? { text: d.text } : {})));
      case 'agenda.add-for': {
        const result = await run('submitAgendaItem', person, interactionId, { text: d.text, category: d.category, riskOfHarm: d.riskOfHarm, contractId: d.contractId });
        if (options.formAgainOnRefusal && result !== 'pending' && !result.ok) {
          const said = result.error.type === 'error' ? result.error.message : result.error.type === 'refusal' ? result.error.text : undefined;
          if (said) return (await agendaFormAgain(person, data, said)) ?? viewOf(result);
        }
        return viewOf(result);
      }
      case 'session.move-form':
        return viewOf(await read(moveForm(deps, person.id, { sessionId: d.sessionId, cancel: d.cancel })));
      case 'session.move':
      case 'session.cancel': {
        const org = await deps.organisations.get(person.organisationId);
        const cal = org ? calendarOf(org) : null;
        const move = moveInput(parsed.data as z.infer<typeof moveData>, verb === 'session.cancel', (day, time) => (cal ? cal.atLocalTime(day, time) : new Date(`${day}T${time}:00Z`)));
        if ('error' in move) return move.error;
        return viewOf(await run('rescheduleSession', person, interactionId, move.input));
      }
      case 'session.check':
        return viewOf(await read(sessionCheck(deps, person.id, { sessionId: d.sessionId })));
      case 'session.record':
        return viewOf(await read(recordToWrite(deps, person.id, { sessionId: d.sessionId })));
      case 'session.not-held': {
        if (!d.date) return { type: 'error', field: 'date', message: `date: ${NEW_TIME_REQUIRED}` };
        if (!d.time) return { type: 'error', field: 'time', message: 'time: pick the new time' };
        const at = await localInstant(person, d.date as string, d.time as string);
        return viewOf(await run('recordSessionNotHeld', person, interactionId, { sessionId: d.sessionId, reason: d.reason, newStartsAt: at.toISOString(), ...(d.note ? { note: d.note } : {}) }));
      }
      case 'session.kept-form':
        return viewOf(await read(keptFormRead(deps, person.id, { sessionId: d.sessionId })));
      case 'session.kept': {
        const typed = parsed.data as KeptFormData;
        const result = await run('recordKeptSession', person, interactionId, keptInput(typed));
        // Teams replaces the card with the answer: the form comes back as typed, the refusal above it
        if (options.formAgainOnRefusal && result !== 'pending' && !result.ok) {
          const said = result.error.type === 'error' ? result.error.message : result.error.text;
          const again = await withinDeadline(keptFormRead(deps, person.id, { sessionId: typed.sessionId }), () => undefined, answerWithinMs);
          if (again !== 'late' && again.ok && again.view?.type === 'kept-form') {
            const rows = range(RECORD_LIMITS.actions).map((n) => ({ n, text: typed[`action${n}`] ?? '', ownerId: typed[`owner${n}`] ?? '', dueDate: typed[`due${n}`] ?? '' }));
            const last = rows.reduce((l, r) => (r.text || r.ownerId || r.dueDate ? r.n : l), -1);
            return { ...again.view, notice: said, rows: rows.slice(0, Math.max(again.view.rows.length, last + 1)) };
          }
        }
        return viewOf(result);
      }
      case 'session.request':
        return viewOf(await run('requestSession', person, interactionId, d.reason ? { reason: d.reason } : {}));
      case 'session.book-request': {
        const at = await localInstant(person, d.date as string, d.time as string);
        return viewOf(await run('bookRequestedSession', person, interactionId, { requestId: d.requestId, startsAt: at.toISOString() }));
      }
      case 'incident.answer':
        return viewOf(await run('answerIncidentOffer', person, interactionId, { offerId: d.offerId, answer: d.answer }));
      case 'agreement.agree':
        return viewOf(await run('agreeToContract', person, interactionId, { contractId: d.contractId, terms: d.terms }));
      case 'contract.review': {
        const { contractId, keep, ...terms } = d as { contractId: string; keep: boolean } & Record<string, unknown>;
        return viewOf(await run('reviewContract', person, interactionId, keep ? { contractId, keep } : { contractId, keep, ...Object.fromEntries(Object.entries(terms).filter(([, v]) => v !== undefined && v !== '')) }));
      }
      case 'agreement.ask':
        return viewOf(await run('askAboutAgreement', person, interactionId, { contractId: d.contractId, question: d.question }));
      case 'record.refer':
        return viewOf(await run('referDispute', person, interactionId, { recordId: d.recordId }));
      case 'record.correct':
        return viewOf(await run('correctSignedRecord', person, interactionId, { recordId: d.recordId, reason: d.reason }));
      case 'dispute.meeting': {
        const at = await localInstant(person, d.meetingDate as string, d.meetingTime as string);
        return viewOf(await run('arrangeDisputeMeeting', person, interactionId, { recordId: d.recordId, at: at.toISOString() }));
      }
      case 'dispute.resolve':
        return viewOf(await run('resolveDispute', person, interactionId, { recordId: d.recordId, outcome: d.outcome, resolution: d.resolution }));
      case 'action.done':
        return actionsAfter(person, Date.now(), await run('completeAction', person, interactionId, { actionId: d.actionId }));
      case 'action.not-needed':
        return actionsAfter(person, Date.now(), await run('completeAction', person, interactionId, { actionId: d.actionId, notNeededReason: d.reason }));
      case 'handover.open':
        return viewOf(await read(openHandover(deps, person.id, { handoverId: d.handoverId })));
      case 'handover.submit': {
        const typedForm = parsed.data as HandoverFormData;
        const result = await run('submitHandover', person, interactionId, handoverInput(typedForm));
        if (options.formAgainOnRefusal && result !== 'pending' && !result.ok) {
          const said = result.error.type === 'error' ? result.error.message : result.error.text;
          const again = await withinDeadline(openHandover(deps, person.id, { handoverId: typedForm.handoverId }), () => undefined, answerWithinMs);
          if (again !== 'late' && again.ok && again.view?.type === 'handover-form') return handoverAsTyped(again.view, typedForm, said);
        }
        return viewOf(result);
      }
      case 'decision.copied':
        return viewOf(await run('markCaseDecisionCopied', person, interactionId, { recordId: d.recordId, decisionId: d.decisionId, ...(d.childFileRef ? { childFileRef: d.childFileRef } : {}) }));
    }
  }

  /**
   * The session's record form as the supervisor typed it — with the refusal above it, or one more row — null
   * when it cannot be shown. Last session's actions and the agenda are read again; what was typed is kept.
   */
  async function typedForm(person: Person, data: RecordFormData, extra: { notice?: string; addRow?: 'action' | 'decision' }): Promise<RecordSheetView | NotificationView | null> {
    const written = await recordToWrite(deps, person.id, { sessionId: data.sessionId });
    // not theirs to write (a refusal that reveals nothing), or the database failing: said as the use case says it
    if (!written.ok) return written.error;
    const found = written.ok && written.view?.type === 'record-sheet' && written.view.sessionId === data.sessionId ? written.view : null;
    if (!found?.canEdit || !found.form) return null;
    const sheet = { ...found, form: found.form };
    const rows = typedRows(data);
    const input = recordInput(data, (day) => new Date(`${day}T12:00:00Z`)) as { topics: RecordSheetView['topics']; notes: string; concerns: Array<{ text: string; riskOfHarm: boolean }> };
    if (extra.addRow === 'action') {
      if (rows.actions.length >= RECORD_LIMITS.actions) return { ...sheet, ...typed(sheet, data, input, rows), notice: `Actions agreed: at most ${RECORD_LIMITS.actions} on one record`, asTyped: true };
      rows.actions.push({ text: '', ownerId: '', dueDate: '' });
    }
    if (extra.addRow === 'decision') {
      if (rows.caseDecisions.length >= RECORD_LIMITS.caseDecisions) return { ...sheet, ...typed(sheet, data, input, rows), notice: `Case decisions: at most ${RECORD_LIMITS.caseDecisions} on one record`, asTyped: true };
      rows.caseDecisions.push({ childRef: '', decision: '', rationale: '', followUpById: '' });
    }
    return { ...sheet, ...typed(sheet, data, input, rows), ...(extra.notice ? { notice: extra.notice } : {}), asTyped: true };
  }

  function typed(sheet: RecordSheetView & { form: RecordFormView }, data: RecordFormData, input: { topics: RecordSheetView['topics']; notes: string; concerns: Array<{ text: string; riskOfHarm: boolean }> }, rows: ReturnType<typeof typedRows>): Partial<RecordSheetView> {
    const nameOf = (id: string) => sheet.ownerOptions.find((o) => o.id === id)?.name ?? '';
    const actionRows = rows.actions.length > 0 ? rows.actions : [{ text: '', ownerId: '', dueDate: '' }];
    const decisionRows = rows.caseDecisions.length > 0 ? rows.caseDecisions : [{ childRef: '', decision: '', rationale: '', followUpById: '' }];
    return {
      topics: input.topics,
      notes: input.notes,
      concerns: input.concerns.map((c, i) => ({ id: `c${i + 1}`, text: c.text, riskOfHarm: c.riskOfHarm, canFlag: false })),
      caseDecisions: rows.caseDecisions.map((d, i) => ({ id: `d${i + 1}`, ...d, followUpByName: nameOf(d.followUpById), copyDueText: '', copied: false })),
      actions: rows.actions.map((a, i) => ({ id: `a${i + 1}`, ...a, ownerName: nameOf(a.ownerId), dueText: a.dueDate })),
      nextSessionDate: data.nextDate || undefined,
      form: {
        ...sheet.form,
        previous: sheet.form.previous.map((p) => {
          const review = rows.previousActionsReviewed.find((r) => r.actionId === p.id);
          return review ? { ...p, outcome: review.outcome, note: review.note ?? '' } : p;
        }),
        attendance: sheet.form.attendance.map((a) => ({ ...a, state: rows.attendance.find((r) => r.personId === a.personId)?.state ?? a.state })),
        referral: { ...sheet.form.referral, kind: (data.referKind as ReferralKind | undefined) ?? '', note: data.referNote ?? '' },
        actionRows: actionRows.map((a, i) => ({ n: i, key: String(i), ...a })),
        decisionRows: decisionRows.map((d, i) => ({ n: i, key: decisionKey(i), ...d })),
        canAddAction: actionRows.length < RECORD_LIMITS.actions,
        canAddDecision: decisionRows.length < RECORD_LIMITS.caseDecisions,
      },
    };
  }

  /** The picker form again, with what was typed and chosen kept and the refusal above it; null when it cannot be read. */
  async function agendaFormAgain(person: Person, data: unknown, notice: string): Promise<NotificationView | null> {
    const d = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
    const typedText = typeof d.text === 'string' && d.text.length <= 2000 ? d.text : '';
    const form = await withinDeadline(agendaForm(deps, person.id, { text: typedText }), () => undefined, answerWithinMs);
    if (form === 'late' || !form.ok || form.view?.type !== 'agenda-form') return null;
    const chosen = form.view.options.find((o) => o.contractId === d.contractId)?.contractId ?? form.view.selected;
    return { ...form.view, notice, selected: chosen };
  }

  /** A date and time picked on a card, in the person's school's timezone. */
  async function localInstant(person: Person, day: string, time: string): Promise<Date> {
    const org = await deps.organisations.get(person.organisationId);
    return org ? calendarOf(org).atLocalTime(day, time) : new Date(`${day}T${time}:00Z`);
  }

  /**
   * A closed action is answered with the list as it now stands (the card it came from is replaced by it) —
   * read within what is left of the person's wait, else answered with what was done.
   */
  async function actionsAfter(person: Person, startedAt: number, result: UseCaseResult | 'pending'): Promise<NotificationView> {
    if (result === 'pending' || !result.ok || result.view?.type !== 'text') return viewOf(result);
    const left = answerWithinMs - (Date.now() - startedAt);
    if (left < 200) return viewOf(result);
    const list = await withinDeadline(myActions(deps, person.id, {}), () => logger.warn({ platform }, 'the actions list took longer than a person can wait; answered without it'), left);
    if (list === 'late' || !list.ok || list.view?.type !== 'actions') return viewOf(result);
    return { ...list.view, notice: result.view.text };
  }

  async function onText(person: Person, typed: string, interactionId: string, options: { threadSessionId?: string } = {}): Promise<NotificationView> {
    // Teams puts mentions in <at> tags; Slack-style and playground users may type the command with a slash
    const trimmed = typed.replace(/<at>[^<]*<\/at>/g, '').trim();
    const word = trimmed.toLowerCase().replace(/^\/(?=(help|next|actions|overdue|park|add|record|correct|calendar|move|cancel|request|dashboard|incident|start)\b)/, '');
    // the dashboard is where an administrator finishes the set-up, so it answers before the set-up is checked
    if (word === 'dashboard') return dashboardAddress(runtime.config, platform);
    const unready = await notSetUp(deps, person);
    if (unready) return unready;
    if (word === '' || word === 'help') return viewOf(await read(helpRead(deps, person.id, {})));
    if (word === 'next') return viewOf(await read(nextSession(deps, person.id, {})));
    if (word === 'actions') return viewOf(await read(myActions(deps, person.id, {})));
    const moving = moveWord(word);
    if (moving) return viewOf(await read(moveForm(deps, person.id, { cancel: moving === 'cancel' })));
    const calendar = calendarCommand(word);
    if (calendar) return 'error' in calendar ? calendar.error : viewOf(await run(calendar.command, person, interactionId, {}));
    const incident = await typedIncident(deps, person, trimmed);
    if (incident) return 'view' in incident ? incident.view : viewOf(await run('declareIncident', person, interactionId, incident.input));
    const start = await typedStart(deps, person, trimmed);
    if (start) return 'view' in start ? start.view : viewOf(await run('startContractEarly', person, interactionId, start.input));
    const request = requestCommand(trimmed.replace(/^\//, ''));
    if (request) return 'error' in request ? request.error : viewOf(await run('requestSession', person, interactionId, request.input));
    if (word === 'record' || word.startsWith('record ')) return viewOf(await read(recordToWrite(deps, person.id, { supervisee: word.slice(6).trim() })));
    if (word === 'correct' || word.startsWith('correct ')) {
      // the supervisor, the DSL or a deputy opens a signed record to correct it (the card's record.correct)
      return viewOf(await read(recordToCorrect(deps, person.id, { person: word.slice(7).trim() })));
    }
    if (word === 'overdue' || word.startsWith('overdue ')) {
      const filter = OVERDUE_FILTER.safeParse(word.slice(7).trim() || 'all');
      if (!filter.success) return { type: 'error', field: 'filter', message: `filter: ${filter.error.issues[0]?.message}` };
      return viewOf(await read(computeOverdue(deps, person.id, { filter: filter.data })));
    }
    const agenda = await read(typedAgenda(deps, person.id, trimmed, options.threadSessionId).then((outcome): UseCaseResult => ({ ok: true, data: outcome }), toFailure));
    if (agenda === 'late') return STILL_WORKING;
    if (!agenda.ok) return agenda.error;
    const outcome = agenda.data as TypedAgenda;
    if ('view' in outcome) return outcome.view;
    return viewOf(await run(outcome.command, person, interactionId, outcome.input));
  }

  // every answer leaves as the person's organisation allows it into chat (content-out-of-chat.ts)
  return {
    onVerb: async (person, verb, data, interactionId) => guard(person.organisationId, await onVerb(person, verb, data, interactionId)),
    onText: async (person, typed, interactionId, options) => guard(person.organisationId, await onText(person, typed, interactionId, options)),
  };
}
