/**
 * The record form as a Slack modal: the session's agenda, last session's actions with an outcome each, and
 * rows of actions and case decisions added with "Add another" (`views.update`, keeping what was typed).
 *
 * Slack gives a submission three seconds and keeps the typing only while the modal answers with
 * `response_action: "errors"`; the use case runs later, on the queue. So the modal carries the rules of the
 * whole form as data in `private_metadata` (the session's day, who may own an action or follow a decision up,
 * the weekdays that are not school days in the year after the session, and last session's actions), and the
 * acknowledging half checks a submission with the same pure function the use case runs
 * (`recordFormProblems`) — no database read before the ack. The use case checks it all again before writing.
 */
import type { types } from '@slack/bolt';
import { z } from 'zod';
import { decisionKey, schoolDayFrom } from '../../app/record-form-context.js';
import type { RecordFormView, RecordSheetView } from '../../app/views.js';
import { AGENDA_CATEGORY_LABELS, RECORD_TOPIC_LABELS } from '../../domain/agenda.js';
import { isCalendarDate } from '../../domain/calendar.js';
import { childRefProblem, RECORD_LIMITS, type RecordFormRules, recordFormProblems } from '../../domain/record-form.js';
import { ATTENDANCE_STATES, type AttendanceState, RECORD_TOPICS, REFERRAL_KINDS } from '../../domain/types.js';
import { ATTENDANCE_TEXT as ATTENDANCE_LABELS } from '../../app/present.js';
import { defuse } from '../safe-text.js';
import { ACTIONS, clip, esc, LIMITS, VIEWS } from './blocks.js';

type KnownBlock = types.KnownBlock;
type View = types.View;
export type ModalErrors = Record<string, string>;

const plain = (text: string, max = 150) => ({ type: 'plain_text' as const, text: clip(text, max) });
const option = (value: string, label: string) => ({ text: plain(label, 75), value });
const input = (block: string, label: string, element: Record<string, unknown>, optional = true, hint?: string): KnownBlock =>
  ({ type: 'input', block_id: block, optional, label: plain(label, 2000), element: { ...element, action_id: 'v' }, ...(hint ? { hint: plain(hint, 2000) } : {}) }) as KnownBlock;

/** A case decision row's block: the first has the form's names before rows were added, then `_1`, `_2`… */
export const decisionBlock = (name: 'child_ref' | 'decision' | 'rationale' | 'follow_up', i: number) => `${name}${decisionKey(i) ? `_${decisionKey(i)}` : ''}`;
const OUTCOMES = [option('done', 'Done'), option('carried-forward', 'Carried forward'), option('dropped', 'Dropped (say why)')] as const;
const REFLECT = 'To reflect on it: Sense – Feel – Think – Do; Tell me / Explain to me / Describe to me';

/** The rules the modal carries (see the file's comment); `a` holds last session's actions as `[id, label]`. */
const modalMeta = z.object({
  s: z.string().regex(/^[A-Za-z0-9._:-]{1,250}$/),
  d: z.string().refine(isCalendarDate).optional(),
  p: z.array(z.string().max(200)).max(50).optional(),
  f: z.array(z.string().max(200)).max(50).optional(),
  x: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}(\/\d{4}-\d{2}-\d{2})?$/)).max(400).optional(),
  a: z.array(z.tuple([z.string().max(300), z.string().max(200)])).max(RECORD_LIMITS.previousActions).default([]),
  /** A group's members, in the order of the modal's attendance blocks (`attend_0`, …). */
  m: z.array(z.string().regex(/^[A-Za-z0-9._:@-]{1,250}$/)).max(RECORD_LIMITS.members).default([]),
});
export type ModalMeta = z.infer<typeof modalMeta>;

/** The metadata for a modal: the rules, within Slack's 3,000 characters (labels given up first, then the rules). */
export function modalMetadata(sessionId: string, rules: (RecordFormRules & { closed: string[] }) | null, members: readonly string[] = []): string {
  // the members name the attendance blocks, so every candidate keeps them
  const m = members.length > 0 ? { m: members } : {};
  if (!rules) return JSON.stringify({ s: sessionId, ...m });
  const full = { s: sessionId, d: rules.sessionDay, p: rules.parties, f: rules.followUpIds.filter((id) => !rules.parties.includes(id)), x: rules.closed, a: rules.previous.map((p) => [p.id, p.label]), ...m };
  for (const candidate of [full, { ...full, a: rules.previous.map((p, i) => [p.id, `Last session’s action ${i + 1}`]) }, { s: sessionId, a: rules.previous.map((p, i) => [p.id, `Last session’s action ${i + 1}`]), ...m }, { s: sessionId, ...m }]) {
    const text = JSON.stringify(candidate);
    if (text.length <= 3000) return text;
  }
  return JSON.stringify({ s: sessionId });
}

export function parseModalMeta(metadata: string): ModalMeta | null {
  // a modal opened before it carried its rules holds the session id alone: checked field by field, then by the use case
  if (/^[A-Za-z0-9._:-]{1,250}$/.test(metadata)) return { s: metadata, a: [], m: [] };
  try {
    const parsed = modalMeta.safeParse(JSON.parse(metadata));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function rulesOf(meta: ModalMeta): RecordFormRules | null {
  if (!meta.d || !meta.p || !meta.x) return null;
  return { sessionDay: meta.d, parties: meta.p, followUpIds: [...meta.p, ...(meta.f ?? [])], isSchoolDay: schoolDayFrom(meta.x), previous: meta.a.map(([id, label]) => ({ id, label })) };
}

// ---- the modal --------------------------------------------------------------------------------------------

function agendaBlocks(form: RecordFormView): KnownBlock[] {
  if (form.agenda.length === 0) return [];
  const lines = form.agenda.map(
    (i) => `• ${esc(i.text)} _(${esc(i.categoryLabel)}, ${esc(i.authorName)})_${i.informalText ? ` — _${esc(i.informalText)}_` : ''}${i.category === 'case-discussion' ? `\n      _${REFLECT}_` : ''}`,
  );
  const blocks: KnownBlock[] = [{ type: 'header', text: plain('Agenda') }];
  let current = '';
  for (const line of lines) {
    if (current && current.length + line.length + 1 > LIMITS.text) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current, verbatim: true } });
      current = '';
    }
    current = current ? `${current}\n${line}` : clip(line);
  }
  if (current) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current, verbatim: true } });
  return blocks;
}

function previousBlocks(form: RecordFormView): KnownBlock[] {
  if (form.previous.length === 0) return [];
  return [
    { type: 'header', text: plain('Last session’s actions') },
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'Pick what became of each. Done closes it; dropped needs a note; carried forward keeps it open.' }] },
    ...form.previous.flatMap((p) => [
      input(`prev_${p.n}`, defuse(`${p.text}`), { type: 'radio_buttons', options: [...OUTCOMES], initial_option: OUTCOMES.find((o) => o.value === p.outcome) }, false, defuse(`${p.ownerName}, due ${p.dueText}`)),
      input(`prev_note_${p.n}`, `${p.n + 1}. Note (needed to drop it; up to ${RECORD_LIMITS.previousNote} characters)`, { type: 'plain_text_input', max_length: RECORD_LIMITS.previousNote, ...(p.note ? { initial_value: p.note } : {}) }),
    ]),
  ];
}

const ATTENDANCE_OPTIONS = ATTENDANCE_STATES.map((s) => option(s, ATTENDANCE_LABELS[s]));

/** A group session: each member's attendance, present unless another is picked (issue 14 "Groups"). */
function attendanceBlocks(form: RecordFormView): KnownBlock[] {
  if (form.attendance.length === 0) return [];
  return [
    { type: 'header', text: plain('Attendance') },
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'Everyone is present unless you pick apologies or absent. A member absent from two sessions in a row is reported to their line manager and the DSL as not engaging.' }] },
    ...form.attendance.map((a) =>
      input(`attend_${a.n}`, defuse(a.name), { type: 'static_select', options: ATTENDANCE_OPTIONS, initial_option: ATTENDANCE_OPTIONS.find((o) => o.value === a.state) }, false),
    ),
  ];
}

const REFERRAL_OPTIONS = [option('conduct', 'Conduct'), option('development', 'Development')];

/** "Refer to line manager: conduct or development", when the supervisor is not the line manager (template "supervision agreement"). */
function referralBlocks(form: RecordFormView): KnownBlock[] {
  if (!form.referral.offered) return [];
  const r = form.referral;
  return [
    { type: 'header', text: plain(`Refer to line manager (${r.toName})`) },
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'Conduct or development. Only this choice and your note go to them, once the record is signed — none of the session. Your supervisee is told it was sent.' }] },
    input('refer_kind', 'Refer', { type: 'static_select', placeholder: plain('No referral'), options: REFERRAL_OPTIONS, ...(r.kind ? { initial_option: REFERRAL_OPTIONS.find((o) => o.value === r.kind) } : {}) }),
    input('refer_note', `Note for the line manager (up to ${RECORD_LIMITS.referralNote} characters)`, { type: 'plain_text_input', multiline: true, max_length: RECORD_LIMITS.referralNote, ...(r.note ? { initial_value: r.note } : {}) }),
  ];
}

const ownerSelect = (owners: ReturnType<typeof option>[], id: string) => ({ type: 'static_select', options: owners, ...(owners.find((o) => o.value === id) ? { initial_option: owners.find((o) => o.value === id) } : {}) });

function decisionRow(owners: ReturnType<typeof option>[], d: RecordFormView['decisionRows'][number]): KnownBlock[] {
  const n = d.n + 1;
  const value = (v: string) => (v ? { initial_value: v } : {});
  return [
    input(decisionBlock('child_ref', d.n), `Case decision ${n}: child (initials or reference only)`, { type: 'plain_text_input', max_length: RECORD_LIMITS.childRef, ...value(d.childRef) }, true, 'Never a child’s name.'),
    input(decisionBlock('decision', d.n), `Case decision ${n}: decision (up to 1,000 characters)`, { type: 'plain_text_input', max_length: RECORD_LIMITS.decision, ...value(d.decision) }),
    input(decisionBlock('rationale', d.n), `Case decision ${n}: rationale (up to 1,000 characters)`, { type: 'plain_text_input', max_length: RECORD_LIMITS.rationale, ...value(d.rationale) }),
    input(decisionBlock('follow_up', d.n), `Case decision ${n}: who follows up`, ownerSelect(owners, d.followUpById), true, 'The decision must reach the child’s safeguarding file within 24 hours.'),
  ];
}

function actionRow(owners: ReturnType<typeof option>[], a: RecordFormView['actionRows'][number]): KnownBlock[] {
  const n = a.n + 1;
  return [
    input(`action_${a.n}`, `Action ${n} (up to 1,000 characters)`, { type: 'plain_text_input', max_length: RECORD_LIMITS.action, ...(a.text ? { initial_value: a.text } : {}) }),
    input(`owner_${a.n}`, `Action ${n}: by whom`, ownerSelect(owners, a.ownerId)),
    input(`due_${a.n}`, `Action ${n}: by when (within a year of the session)`, { type: 'datepicker', ...(a.dueDate && isCalendarDate(a.dueDate) ? { initial_date: a.dueDate } : {}) }),
  ];
}

const addButton = (row: 'action' | 'decision') =>
  ({ type: 'actions', block_id: `add_${row}`, elements: [{ type: 'button', text: plain(row === 'action' ? 'Add another action' : 'Add another case decision'), action_id: ACTIONS.addRecordRow, value: row }] }) as KnownBlock;

/** Blocks a row adds, to keep the modal within Slack's 100. */
const ROW_BLOCKS = { action: 3, decision: 4 } as const;

export function recordModal(sessionId: string, record: RecordSheetView | null, owners: Array<{ id: string; name: string }>, title: string, form: RecordFormView, metadata = JSON.stringify({ s: sessionId })): View {
  const ownerOptions = owners.map((o) => option(o.id, o.name));
  const text = (value?: string) => (value ? { initial_value: value } : {});
  const head: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*${esc(title)}*\nWhen you submit, both of you are asked to confirm the record. A confirmed record cannot be changed.`), verbatim: true } },
    ...agendaBlocks(form),
    ...previousBlocks(form),
    ...attendanceBlocks(form),
    { type: 'header', text: plain('The record') },
    input('topics', 'Topics discussed', {
      type: 'checkboxes',
      options: RECORD_TOPICS.map((t) => option(t, RECORD_TOPIC_LABELS[t])),
      ...(record && record.topics.length > 0 ? { initial_options: record.topics.map((t) => option(t, RECORD_TOPIC_LABELS[t])) } : {}),
    }),
    input('notes', 'Discussion (up to 3,000 characters)', { type: 'plain_text_input', multiline: true, max_length: 3000, ...text(record?.notes) }),
    input('concerns', 'Concerns (one per line, each up to 2,000 characters)', { type: 'plain_text_input', multiline: true, ...text(record?.concerns.filter((c) => !c.riskOfHarm).map((c) => c.text).join('\n')) }),
    input('risk', 'Risk of harm to a child (one per line — goes to the DSL at once)', { type: 'plain_text_input', multiline: true, ...text(record?.concerns.filter((c) => c.riskOfHarm).map((c) => c.text).join('\n')) }),
    { type: 'header', text: plain('Case decisions') },
    { type: 'context', elements: [{ type: 'mrkdwn', text: form.limitsText }] },
  ];
  const decisions = form.decisionRows.flatMap((d) => decisionRow(ownerOptions, d));
  const actions = form.actionRows.flatMap((a) => actionRow(ownerOptions, a));
  const tail: KnownBlock[] = [
    input('next_date', 'Next session (a school day within a year)', { type: 'datepicker', ...(record?.nextSessionDate ? { initial_date: record.nextSessionDate } : {}) }),
    input('next_time', 'Next session: time', { type: 'timepicker' }),
    ...referralBlocks(form),
  ];
  const fixed = head.length + decisions.length + 1 + actions.length + tail.length;
  // a button is offered while its row still fits the form (the row limit) and the modal (Slack's 100 blocks)
  const canAddDecision = form.canAddDecision && fixed + 2 + ROW_BLOCKS.decision <= LIMITS.modalBlocks;
  const canAddAction = form.canAddAction && fixed + 2 + ROW_BLOCKS.action <= LIMITS.modalBlocks;
  return {
    type: 'modal',
    callback_id: VIEWS.record,
    private_metadata: metadata,
    title: plain('Supervision record', 24),
    submit: plain('Send to confirm', 24),
    close: plain('Cancel', 24),
    blocks: [
      ...head,
      ...decisions,
      ...(canAddDecision ? [addButton('decision')] : []),
      { type: 'header', text: plain('Actions agreed') },
      ...actions,
      ...(canAddAction ? [addButton('action')] : []),
      ...tail,
    ],
  } as View;
}

// ---- what the person typed -----------------------------------------------------------------------------------

const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'pick a date').refine(isCalendarDate, 'pick a date');
const idValue = z.string().regex(/^[A-Za-z0-9._:-]{1,250}$/, 'not a reference');
const textValue = (max: number, what = `at most ${max.toLocaleString('en-GB')} characters`) => z.object({ v: z.object({ value: z.string().max(max, what).nullish() }) });
const selectValue = z.object({ v: z.object({ selected_option: z.object({ value: idValue }).nullish() }) });
const dateValue = z.object({ v: z.object({ selected_date: localDate.nullish() }) });

/** Each block the modal may hold, and what Slack sends for it; a block the modal did not hold is not accepted. */
function blockSchema(block: string): z.ZodType | undefined {
  if (block === 'topics') return z.object({ v: z.object({ selected_options: z.array(z.object({ value: z.enum(RECORD_TOPICS) })).max(RECORD_TOPICS.length).nullish() }) });
  if (block === 'notes') return textValue(5000, 'at most 5,000 characters');
  if (block === 'concerns' || block === 'risk') return textValue(10_000);
  if (block === 'next_date') return dateValue;
  if (block === 'next_time') return z.object({ v: z.object({ selected_time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'pick a time').nullish() }) });
  let m = /^(action|owner|due)_(\d)$/.exec(block);
  if (m && Number(m[2]) < RECORD_LIMITS.actions) return m[1] === 'action' ? textValue(RECORD_LIMITS.action) : m[1] === 'owner' ? selectValue : dateValue;
  m = /^(child_ref|decision|rationale|follow_up)(?:_([1-9]))?$/.exec(block);
  if (m) {
    if (m[1] === 'child_ref') return z.object({ v: z.object({ value: z.string().max(RECORD_LIMITS.childRef, 'initials or a reference, at most 20 characters').regex(/^[A-Za-z0-9 ./#-]*$/, 'initials or a reference only').nullish() }) });
    return m[1] === 'follow_up' ? selectValue : textValue(1000);
  }
  if (block === 'refer_kind') return z.object({ v: z.object({ selected_option: z.object({ value: z.enum(REFERRAL_KINDS, { message: 'pick conduct or development' }) }).nullish() }) });
  if (block === 'refer_note') return textValue(RECORD_LIMITS.referralNote);
  m = /^attend_(\d{1,2})$/.exec(block);
  if (m && Number(m[1]) < RECORD_LIMITS.members) return z.object({ v: z.object({ selected_option: z.object({ value: z.enum(ATTENDANCE_STATES) }).nullish() }) });
  m = /^prev(_note)?_(\d{1,2})$/.exec(block);
  if (m && Number(m[2]) < RECORD_LIMITS.previousActions) {
    return m[1] ? textValue(RECORD_LIMITS.previousNote) : z.object({ v: z.object({ selected_option: z.object({ value: z.enum(['done', 'carried-forward', 'dropped']) }).nullish() }) });
  }
  return undefined;
}

/** Where each entry of the use case's input came from, to put a refusal on the right block. */
interface RowsOf {
  actions: number[];
  caseDecisions: number[];
  previous: number[];
}

export interface ModalForm {
  input?: Record<string, unknown>;
  errors?: ModalErrors;
}

/**
 * The modal's state → draftRecord input, or the errors to show on its blocks: first each field alone, then
 * (when the modal carries them) the rules of the whole form, as the use case will apply them.
 */
export function recordInputFromModal(values: unknown, metadata: string, atLocal: (day: string, time: string) => Date): ModalForm {
  const meta = parseModalMeta(metadata);
  if (!meta) return { errors: { notes: 'This form is out of date — open it again.' } };
  if (!values || typeof values !== 'object' || Array.isArray(values)) return { errors: { notes: 'This form is out of date — open it again.' } };
  const errors: ModalErrors = {};
  const v: Record<string, Record<string, unknown>> = {};
  for (const [block, value] of Object.entries(values as Record<string, unknown>)) {
    const schema = blockSchema(block);
    if (!schema) {
      errors.notes ??= 'This form is out of date — open it again.';
      continue;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) errors[block] ??= parsed.error.issues[0]?.message ?? 'is not valid';
    else v[block] = (parsed.data as { v: Record<string, unknown> }).v;
  }
  // Slack sends every input block of the modal: one missing is a form this bot did not build
  for (const block of ['topics', 'notes', 'concerns', 'risk', 'next_date', 'next_time']) {
    if (!Object.hasOwn(values, block)) errors[block] ??= 'This form is out of date — open it again.';
  }
  if (Object.keys(errors).length > 0) return { errors };
  const text = (block: string) => ((v[block]?.value as string | null | undefined) ?? '').trim();
  const picked = (block: string) => (v[block]?.selected_option as { value: string } | null | undefined)?.value;
  const lines = (block: string) => text(block).split('\n').map((l) => l.trim()).filter(Boolean);
  const rows: RowsOf = { actions: [], caseDecisions: [], previous: [] };

  const caseDecisions = [];
  for (let i = 0; i < RECORD_LIMITS.caseDecisions; i++) {
    const [c, d, r, f] = (['child_ref', 'decision', 'rationale', 'follow_up'] as const).map((b) => decisionBlock(b, i));
    const childRef = text(c as string);
    const decision = text(d as string);
    const rationale = text(r as string);
    const followUp = picked(f as string);
    if (!childRef && !decision && !rationale) continue;
    const childProblem = childRef ? childRefProblem(childRef) : 'give the child’s initials or reference';
    if (childProblem) errors[c as string] = childProblem;
    if (!decision) errors[d as string] = 'record the decision';
    if (!rationale) errors[r as string] = 'record the rationale';
    if (!followUp) errors[f as string] = 'say who follows up';
    caseDecisions.push({ childRef, decision, rationale, followUpById: followUp ?? '' });
    rows.caseDecisions.push(i);
  }
  const actions = [];
  for (let i = 0; i < RECORD_LIMITS.actions; i++) {
    const what = text(`action_${i}`);
    const owner = picked(`owner_${i}`);
    const due = v[`due_${i}`]?.selected_date as string | null | undefined;
    if (!what && !owner && !due) continue;
    if (!what) errors[`action_${i}`] = 'describe the action';
    if (!owner) errors[`owner_${i}`] = 'say who owns the action';
    if (!due) errors[`due_${i}`] = 'pick a due date';
    actions.push({ text: what, ownerId: owner ?? '', dueDate: due ?? '' });
    rows.actions.push(i);
  }
  const previousActionsReviewed = [];
  for (const [i, [actionId]] of meta.a.entries()) {
    const outcome = picked(`prev_${i}`) as 'done' | 'carried-forward' | 'dropped' | undefined;
    if (!outcome) continue;
    const note = text(`prev_note_${i}`);
    previousActionsReviewed.push({ actionId, outcome, ...(note ? { note } : {}) });
    rows.previous.push(i);
  }
  const attendance = meta.m.map((personId, i) => ({ personId, state: (picked(`attend_${i}`) as AttendanceState | undefined) ?? 'present' }));
  const referKind = picked('refer_kind');
  const referNote = text('refer_note');
  if (referKind && !referNote) errors.refer_note = 'write a short note for the line manager';
  if (referNote && !referKind) errors.refer_kind = 'pick conduct or development, or clear the note';
  const nextDate = v.next_date?.selected_date as string | null | undefined;
  const nextTime = v.next_time?.selected_time as string | null | undefined;
  if (nextTime && !nextDate) errors.next_date = 'pick the date of the next session';
  if (Object.keys(errors).length > 0) return { errors };
  const rules = rulesOf(meta);
  if (rules) {
    for (const problem of recordFormProblems({ caseDecisions, actions, previousActionsReviewed, ...(nextDate ? { nextSessionDay: nextDate } : {}) }, rules)) {
      const block = blockOf(problem.field, rows);
      // the block's label names the row; the message says what to change
      errors[block] ??= clip(problem.message, 2000);
    }
    if (Object.keys(errors).length > 0) return { errors };
  }
  return {
    input: {
      sessionId: meta.s,
      topics: ((v.topics?.selected_options as Array<{ value: string }> | null | undefined) ?? []).map((o) => o.value),
      notes: text('notes'),
      concerns: [...lines('concerns').map((t) => ({ text: t, riskOfHarm: false })), ...lines('risk').map((t) => ({ text: t, riskOfHarm: true }))],
      caseDecisions,
      actions,
      previousActionsReviewed,
      ...(attendance.length > 0 ? { attendance } : {}),
      ...(referKind ? { referral: { kind: referKind, note: referNote } } : {}),
      ...(nextDate ? { nextSessionAt: atLocal(nextDate, nextTime ?? '15:45').toISOString() } : {}),
      submit: true,
    },
  };
}

/** A use-case field path (`actions.1.dueDate`) → the modal's block holding it. */
export function blockOf(field: string, rows: RowsOf): string {
  const [head, index, leaf] = field.split('.');
  const i = Number(index);
  if (head === 'nextSessionAt') return 'next_date';
  if (head === 'referral') return leaf === 'note' || index === 'note' ? 'refer_note' : 'refer_kind';
  if (head === 'actions') {
    const row = rows.actions[Number.isInteger(i) ? i : 0] ?? 0;
    return leaf === 'ownerId' ? `owner_${row}` : leaf === 'dueDate' ? `due_${row}` : `action_${row}`;
  }
  if (head === 'caseDecisions') {
    const row = rows.caseDecisions[Number.isInteger(i) ? i : 0] ?? 0;
    const name = leaf === 'followUpById' ? 'follow_up' : leaf === 'decision' ? 'decision' : leaf === 'rationale' ? 'rationale' : 'child_ref';
    return decisionBlock(name, row);
  }
  if (head === 'previousActionsReviewed') {
    const row = rows.previous[Number.isInteger(i) ? i : 0] ?? 0;
    return leaf === 'note' ? `prev_note_${row}` : `prev_${row}`;
  }
  return 'notes';
}

// ---- "Add another" ------------------------------------------------------------------------------------------

type StateValues = Record<string, Record<string, Record<string, unknown>>>;

/** An input block with what the person typed in it as its initial value (Slack keeps it too, by block id). */
function withTyped(block: Record<string, unknown>, state: StateValues): Record<string, unknown> {
  const id = block.block_id;
  const element = block.element as Record<string, unknown> | undefined;
  const typed = typeof id === 'string' ? state[id]?.v : undefined;
  if (block.type !== 'input' || !element || !typed) return block;
  const next: Record<string, unknown> = { ...element };
  for (const key of ['initial_value', 'initial_option', 'initial_options', 'initial_date', 'initial_time']) delete next[key];
  if (typeof typed.value === 'string' && typed.value) next.initial_value = typed.value;
  if (typed.selected_option && typeof typed.selected_option === 'object') next.initial_option = typed.selected_option;
  if (Array.isArray(typed.selected_options) && typed.selected_options.length > 0) next.initial_options = typed.selected_options;
  if (typeof typed.selected_date === 'string') next.initial_date = typed.selected_date;
  if (typeof typed.selected_time === 'string') next.initial_time = typed.selected_time;
  return { ...block, element: next };
}

/**
 * The open modal with one more action or case decision row, everything typed kept: built from the modal Slack
 * sends with the click (its blocks and state), so it needs no database and is sent back with `views.update`.
 * Null when the row cannot be added (the modal is not the record form, or it is full).
 */
export function withAnotherRow(view: { blocks?: unknown; state?: { values?: unknown }; private_metadata?: string; callback_id?: string }, row: 'action' | 'decision'): View | null {
  if (view.callback_id !== VIEWS.record || !Array.isArray(view.blocks)) return null;
  const state = (view.state?.values ?? {}) as StateValues;
  const blocks = (view.blocks as Array<Record<string, unknown>>).map((b) => withTyped(b, state));
  const at = blocks.findIndex((b) => b.block_id === `add_${row}`);
  if (at < 0) return null;
  const ids = new Set(blocks.map((b) => b.block_id));
  const count = row === 'action' ? Array.from({ length: RECORD_LIMITS.actions }, (_, i) => i).filter((i) => ids.has(`action_${i}`)).length : Array.from({ length: RECORD_LIMITS.caseDecisions }, (_, i) => i).filter((i) => ids.has(decisionBlock('child_ref', i))).length;
  const limit = row === 'action' ? RECORD_LIMITS.actions : RECORD_LIMITS.caseDecisions;
  if (count >= limit) return null;
  const ownersFrom = blocks.find((b) => b.block_id === (row === 'action' ? 'owner_0' : decisionBlock('follow_up', 0)))?.element as { options?: ReturnType<typeof option>[] } | undefined;
  const owners = ownersFrom?.options ?? [];
  const added = row === 'action'
    ? actionRow(owners, { n: count, key: String(count), text: '', ownerId: '', dueDate: '' })
    : decisionRow(owners, { n: count, key: decisionKey(count), childRef: '', decision: '', rationale: '', followUpById: '' });
  const full = count + 1 >= limit || blocks.length + added.length + ROW_BLOCKS[row] > LIMITS.modalBlocks;
  const next = [...blocks.slice(0, at), ...(added as unknown as Array<Record<string, unknown>>), ...(full ? [] : [blocks[at] as Record<string, unknown>]), ...blocks.slice(at + 1)];
  const { id: _id, hash: _hash, state: _state, ...rest } = view as Record<string, unknown>;
  const keep = ['type', 'callback_id', 'private_metadata', 'title', 'submit', 'close', 'clear_on_close', 'notify_on_close', 'external_id'];
  const base = Object.fromEntries(Object.entries(rest).filter(([k]) => keep.includes(k)));
  return { ...base, type: 'modal', blocks: next } as unknown as View;
}
