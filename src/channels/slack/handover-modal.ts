/**
 * The handover modal (a contract's supervisor changed; src/app/handover.ts): each open action kept or closed
 * with a note, the themes to carry over and a note for the incoming supervisor. The acknowledging half checks
 * the one rule it can without the database (a closed action needs a note); the use case checks everything again.
 */
import type { types } from '@slack/bolt';
import { z } from 'zod';
import { HANDOVER_CLOSE_NOTE_MAX, HANDOVER_TEXT_MAX } from '../../app/handover.js';
import type { HandoverFormView } from '../../app/views.js';
import { clip, esc, VIEWS } from './blocks.js';

type View = types.View;
type KnownBlock = types.KnownBlock;
type ModalErrors = Record<string, string>;

const plain = (text: string) => ({ type: 'plain_text' as const, text: clip(text, 150) });
const input = (block: string, label: string, element: Record<string, unknown>, optional = true, hint?: string): KnownBlock =>
  ({ type: 'input', block_id: block, optional, label: plain(label), element: { ...element, action_id: 'v' }, ...(hint ? { hint: plain(hint) } : {}) }) as KnownBlock;

const KEEP = { text: plain('Keep (it moves to the new supervisor)'), value: 'keep' };
const CLOSE = { text: plain('Close (say why)'), value: 'close' };

/** Three blocks an action (at most 30) and three more: within Slack's 100 blocks a modal. */
export function handoverModal(v: HandoverFormView): View {
  return {
    type: 'modal',
    callback_id: VIEWS.handover,
    private_metadata: JSON.stringify({ h: v.handoverId, ids: v.actions.map((a) => a.id) }),
    title: plain('Handover'),
    submit: plain('Send the handover'),
    close: plain('Cancel'),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: clip(`*${esc(v.title)}*\n${v.lines.map(esc).join('\n')}`), verbatim: true } } as KnownBlock,
      ...v.actions.flatMap((a) => [
        { type: 'section', text: { type: 'mrkdwn', text: clip(`*${esc(a.text)}* — ${esc(a.ownerName)}, due ${a.dueText}`), verbatim: true } } as KnownBlock,
        input(`outcome${a.n}`, 'Keep or close', { type: 'radio_buttons', options: [KEEP, CLOSE], initial_option: a.outcome === 'close' ? CLOSE : KEEP }, false),
        input(`note${a.n}`, 'Note (needed to close it)', { type: 'plain_text_input', max_length: HANDOVER_CLOSE_NOTE_MAX }),
      ]),
      input('themes', 'Themes to carry over', { type: 'plain_text_input', multiline: true, max_length: HANDOVER_TEXT_MAX }),
      input('note', 'A note for the new supervisor', { type: 'plain_text_input', multiline: true, max_length: HANDOVER_TEXT_MAX }),
    ],
  } as View;
}

const ref = z.string().regex(/^[A-Za-z0-9._:@-]{1,250}$/, 'not a reference');
const meta = z.object({ h: ref, ids: z.array(ref).max(30) });
const textValue = (max: number) => z.object({ v: z.object({ value: z.string().max(max, `at most ${max.toLocaleString('en-GB')} characters`).nullish() }) }).optional();
const state = z.record(z.string(), z.unknown());

export interface HandoverSubmission {
  handoverId: string;
  actions: Array<{ actionId: string; outcome: 'keep' | 'close'; note?: string }>;
  themes: string;
  note: string;
}

/** The modal's state → submitHandover input, or the errors to show against its blocks. */
export function handoverFrom(values: unknown, metadata: string): { errors?: ModalErrors; handover?: HandoverSubmission } {
  let json: unknown;
  try {
    json = JSON.parse(metadata);
  } catch {
    json = undefined;
  }
  const m = meta.safeParse(json);
  if (!m.success) return { errors: { themes: 'This form is out of date — open it again.' } };
  const all = state.safeParse(values ?? {});
  if (!all.success) return { errors: { themes: 'This form is out of date — open it again.' } };
  const errors: ModalErrors = {};
  const read = (block: string, max: number) => {
    const parsed = textValue(max).safeParse(all.data[block]);
    if (!parsed.success) {
      errors[block] = parsed.error.issues[0]?.message ?? 'is not valid';
      return '';
    }
    return parsed.data?.v.value?.trim() ?? '';
  };
  const actions = m.data.ids.map((actionId, n) => {
    const picked = (all.data[`outcome${n}`] as { v?: { selected_option?: { value?: unknown } | null } } | undefined)?.v?.selected_option?.value;
    const outcome: 'keep' | 'close' = picked === 'close' ? 'close' : 'keep';
    const note = read(`note${n}`, HANDOVER_CLOSE_NOTE_MAX);
    if (outcome === 'close' && !note && !errors[`note${n}`]) errors[`note${n}`] = 'a note is needed to close it';
    return { actionId, outcome, ...(note ? { note } : {}) };
  });
  const themes = read('themes', HANDOVER_TEXT_MAX);
  const note = read('note', HANDOVER_TEXT_MAX);
  if (Object.keys(errors).length > 0) return { errors };
  return { handover: { handoverId: m.data.h, actions, themes, note } };
}
