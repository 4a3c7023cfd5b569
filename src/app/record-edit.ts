/**
 * The record finished in the dashboard (`/tab#record/<id>`), where the text may be shown when the school keeps
 * supervision content out of chat: the Edit form's body as the tab API takes it, and the `draftRecord` input it
 * becomes. The form carries what a supervisor changes there — notes, concerns (with the risk-of-harm flag),
 * actions, case decisions and the next session — and the rest of the stored version (topics, last session's
 * actions reviewed, a group's attendance, a referral to the line manager) is carried over unchanged, so saving
 * from the dashboard loses nothing the chat form wrote. The limits are the chat form's (`RECORD_LIMITS`), checked
 * by `draftRecord` itself.
 */
import { z } from 'zod';
import { RECORD_LIMITS } from '../domain/record-form.js';
import { RECORD_TOPICS, type RecordSheet } from '../domain/types.js';
import type { SchoolCalendar } from '../domain/calendar.js';

const L = RECORD_LIMITS;
const words = (what: string) => z.string({ message: `must be text: ${what}` });
const id = z.string({ message: 'must be a person’s id' }).max(200, 'must be a person’s id');

/** The Edit form's body: each field as the form sends it; anything else is refused by name. */
export const recordEditBody = z
  .object({
    /** The version the form was filled in from: a newer one in between is refused, not overwritten. */
    version: z.number({ message: 'must be the version number the form shows' }).int('must be the version number the form shows').min(1, 'must be the version number the form shows').max(9999, 'must be the version number the form shows'),
    topics: z.array(z.enum(RECORD_TOPICS, { message: 'pick from the topics listed' })).max(RECORD_TOPICS.length, 'pick from the topics listed').optional(),
    notes: words('the discussion'),
    concerns: z
      .array(z.object({ text: words('the concern'), riskOfHarm: z.boolean({ message: 'must be true or false' }) }).strict())
      .max(L.concerns, `at most ${L.concerns} concerns`),
    actions: z
      .array(z.object({ text: words('the action'), ownerId: id, dueDate: words('the due date, YYYY-MM-DD') }).strict())
      .max(L.actions, `at most ${L.actions} actions`),
    caseDecisions: z
      .array(z.object({ childRef: words('the child’s initials or reference'), decision: words('the decision'), rationale: words('the rationale'), followUpById: id }).strict())
      .max(L.caseDecisions, `at most ${L.caseDecisions} case decisions`),
    nextSession: z
      .object({
        date: z.string({ message: 'must be a date, YYYY-MM-DD' }).regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD'),
        time: z.string({ message: 'must be a time, HH:MM' }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time, HH:MM'),
      })
      .strict()
      .nullable(),
    /** Send it to both to confirm once saved (the chat form's "Send to confirm"); otherwise it stays a draft. */
    submit: z.boolean({ message: 'must be true or false' }),
  })
  .strict();
export type RecordEditBody = z.infer<typeof recordEditBody>;

/**
 * `draftRecord`'s input for a record's session: the form's fields, and what it does not show carried over from
 * the stored version. Blank rows are left out, as the chat form leaves them.
 */
export function draftInputFromEdit(record: RecordSheet, body: RecordEditBody, cal: Pick<SchoolCalendar, 'atLocalTime'>): Record<string, unknown> {
  return {
    sessionId: record.sessionId,
    topics: body.topics ?? record.topics,
    notes: body.notes,
    concerns: body.concerns.filter((c) => c.text.trim() !== '').map((c) => ({ text: c.text, riskOfHarm: c.riskOfHarm })),
    actions: body.actions.filter((a) => a.text.trim() || a.ownerId || a.dueDate),
    caseDecisions: body.caseDecisions.filter((d) => d.childRef.trim() || d.decision.trim() || d.rationale.trim()),
    previousActionsReviewed: record.previousActionsReviewed,
    attendance: (record.attendance ?? []).map((a) => ({ personId: a.personId, state: a.state })),
    ...(record.referral ? { referral: { kind: record.referral.kind, note: record.referral.note } } : {}),
    ...(body.nextSession ? { nextSessionAt: cal.atLocalTime(body.nextSession.date, body.nextSession.time).toISOString() } : {}),
    submit: body.submit,
  };
}

/**
 * `draftRecord`'s refusal fields as the Edit form's body names them: `nextSessionAt` is the form's
 * `nextSession.date`; the rows keep their index in the form only when no blank row came before them, so a
 * field past a blank row is named by its list.
 */
export function editFieldOf(field: string, body: RecordEditBody): string {
  if (field === 'nextSessionAt') return 'nextSession.date';
  const [list, index, ...rest] = field.split('.');
  const rows = list === 'concerns' ? body.concerns.map((c) => c.text.trim() !== '') : list === 'actions' ? body.actions.map((a) => Boolean(a.text.trim() || a.ownerId || a.dueDate)) : list === 'caseDecisions' ? body.caseDecisions.map((d) => Boolean(d.childRef.trim() || d.decision.trim() || d.rationale.trim())) : undefined;
  if (!rows || index === undefined || !/^\d+$/.test(index)) return field;
  // the n-th kept row is the form's row at that position among the kept ones
  let seen = -1;
  const at = rows.findIndex((kept) => kept && ++seen === Number(index));
  return at < 0 ? list! : [list, String(at), ...rest].join('.');
}
