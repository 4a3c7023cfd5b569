/**
 * Adaptive Cards (1.5) for every view: the templates in `adaptive-cards/`, expanded with
 * `adaptivecards-templating`. Record sheets carry a `refresh` for both parties, so Teams shows each of them the
 * view for their role (universal actions); the same cards render in the local playground.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ACData from 'adaptivecards-templating';
import { openInDashboardOf } from '../../app/content-out-of-chat.js';
import type { NotificationView } from '../../app/views.js';
import { formOf } from '../../app/record-form-context.js';
import { defuse } from '../safe-text.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../adaptive-cards');
/**
 * Each template read and its expressions parsed once: a Template expands to new objects on every call, and
 * parsing a card's expressions cost about 2.5 ms a card (P7, thousands of prompts at once).
 */
const templates = new Map<string, ACData.Template>();

function template(name: string): ACData.Template {
  let t = templates.get(name);
  if (!t) {
    t = new ACData.Template(JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')));
    templates.set(name, t);
  }
  return t;
}

export const TEMPLATE_FOR: Record<NotificationView['type'], string> = {
  'record-sheet': 'record-sheet',
  'agenda-prompt': 'agenda-prompt',
  agenda: 'agenda',
  'agenda-suggestion': 'agenda-suggestion',
  'agenda-form': 'agenda-form',
  'overdue-summary': 'overdue-summary',
  escalation: 'escalation',
  'escalation-raised': 'escalation-raised',
  reminder: 'reminder',
  'next-session': 'next-session',
  'move-form': 'move-form',
  'session-check': 'session-check',
  'kept-form': 'kept-form',
  'session-request': 'session-request',
  'incident-offer': 'incident-offer',
  agreement: 'agreement',
  'agreement-question': 'agreement-question',
  'contract-review': 'contract-review',
  actions: 'actions',
  help: 'help',
  'dispute-notice': 'dispute-notice',
  'handover-form': 'handover-form',
  handover: 'handover',
  'calendar-link': 'calendar-link',
  'dashboard-link': 'dashboard-link',
  text: 'message',
  refusal: 'message',
  error: 'message',
};

export type AdaptiveCard = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

/** A view as an Adaptive Card; `refreshUserIds` (Teams user ids of the parties) for record sheets. */
export function renderCard(view: NotificationView, refreshUserIds: string[] = []): AdaptiveCard {
  const data =
    view.type === 'error'
      ? { text: view.message, tone: 'warning' }
      : view.type === 'refusal'
        ? { text: view.text, tone: 'default' }
        : view.type === 'text'
          ? { text: view.text, tone: 'default', ...(view.invite?.url ? { invite: view.invite } : {}) }
          : view.type === 'reminder' && view.invite && !view.invite.url
            ? { ...view, invite: undefined }
            : view.type === 'record-sheet'
              ? { ...view, attendance: view.attendance ?? [], ...(view.canEdit ? { form: formOf(view) } : {}) }
              : view.type === 'agenda' || view.type === 'agenda-prompt' || view.type === 'escalation-raised'
                ? { ...view, supportContacts: view.supportContacts ?? [] }
                : view.type === 'overdue-summary'
                  ? { ...view, handovers: view.handovers ?? [], training: view.training ?? [] }
                  : view;
  const card = inert(template(TEMPLATE_FOR[view.type]).expand({ $root: mark(data) })) as AdaptiveCard;
  // a school that keeps content out of chat: the words are in the dashboard, one button away
  const open = openInDashboardOf(view);
  if (open) card.actions = [...((card.actions as unknown[] | undefined) ?? []), { type: 'Action.OpenUrl', title: 'Open in the dashboard', url: open }];
  if (view.type === 'record-sheet' && refreshUserIds.length > 0) {
    card.refresh = { action: { type: 'Action.Execute', title: 'Refresh', verb: 'record.refresh', data: { recordId: view.recordId, version: view.version } }, userIds: refreshUserIds };
  }
  return card;
}

// ---- text a person typed stays text ------------------------------------------------------------------------
//
// A TextBlock's text is markdown (links, bold, lists), and Teams clients differ on backslash escapes; a
// TextRun's is never markdown. So every value a person could have typed is marked on its way into the
// template, and after expansion a TextBlock or FactSet holding marked text becomes RichTextBlocks of TextRuns:
// the template's own words keep their styling (`**…**` becomes a bold run), a person's words are plain runs.
// Anywhere else (an input's value, a choice, an action's data) the marks are simply removed.

const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKS = /[\uE000\uE001]/g;

/** The view fields that hold what people typed or are called: free text, names, places. */
const PERSON_TEXT = new Set([
  'text', 'notes', 'notice', 'reason', 'childRef', 'decision', 'rationale', 'resolution', 'note', 'location', 'lines', 'title', 'message',
  'name', 'personName', 'detail', 'authorName', 'ownerName', 'followUpByName', 'byName', 'routedToName', 'raisedByName',
  'subjectName', 'acknowledgedByName', 'supervisorName', 'superviseeNames', 'withNames', 'dslNames', 'organisationName',
  // agenda questions and the sessions to choose from name people ("… with Sam Supervisor"); whose agenda it is
  'question', 'sessionText', 'forNames', 'requesterName', 'toName', 'statusText',
  // support contacts (loughton "Support"): the admin types them
  'phone', 'description',
  // a handover's free text
  'themes', 'themesTyped', 'noteTyped', 'ownerName', 'childRef',
  // the supervision agreement: its parties, who has agreed, who asks
  'supervisorNames', 'waitingNames', 'askerName',
]);

function mark(value: unknown, key?: string): unknown {
  if (typeof value === 'string') return key && PERSON_TEXT.has(key) && value !== '' ? `${OPEN}${value.replace(MARKS, '')}${CLOSE}` : value;
  if (Array.isArray(value)) return value.map((v) => mark(v, key));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mark(v, k)]));
  return value;
}

type Node = Record<string, unknown>;
type Run = { text: string; bold: boolean; typed: boolean };
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const marked = (v: unknown) => typeof v === 'string' && v.includes(OPEN);

/** The template's `**bold**` outside the marks, the typed text inside them. */
function runsOf(text: string, bold = false): Run[] {
  const runs: Run[] = [];
  let plain = '';
  const flush = () => {
    if (plain) runs.push({ text: plain, bold, typed: false });
    plain = '';
  };
  for (let i = 0; i < text.length; ) {
    if (text[i] === OPEN) {
      flush();
      const end = text.indexOf(CLOSE, i + 1);
      const typed = text.slice(i + 1, end < 0 ? undefined : end);
      if (typed) runs.push({ text: typed, bold, typed: true });
      i = end < 0 ? text.length : end + 1;
    } else if (text.startsWith('**', i)) {
      flush();
      bold = !bold;
      i += 2;
    } else {
      plain += text[i];
      i += 1;
    }
  }
  flush();
  return runs;
}

/** Runs split at line breaks: each line becomes its own RichTextBlock. */
function lines(runs: Run[]): Run[][] {
  const out: Run[][] = [[]];
  for (const run of runs) {
    const parts = run.text.split('\n');
    for (const [i, part] of parts.entries()) {
      if (i > 0) out.push([]);
      if (part) out[out.length - 1]?.push({ ...run, text: part });
    }
  }
  return out.filter((l) => l.length > 0);
}

const RUN_STYLE = ['color', 'isSubtle', 'size', 'weight', 'fontType'] as const;
const BLOCK_LAYOUT = ['horizontalAlignment', 'separator', 'id', 'isVisible', 'height'] as const;

function richText(lineRuns: Run[][], from: Node, extraFirst: Run[] = []): Node[] {
  const style = Object.fromEntries(RUN_STYLE.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]));
  const layout = Object.fromEntries(BLOCK_LAYOUT.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]));
  return lineRuns.map((runs, i) => ({
    type: 'RichTextBlock',
    ...layout,
    ...(i === 0 ? (from.spacing !== undefined ? { spacing: from.spacing } : {}) : { spacing: 'None' }),
    inlines: merged([...(i === 0 ? extraFirst : []), ...runs]).map((r) => ({ type: 'TextRun', ...style, text: r.text, ...(r.bold ? { weight: 'Bolder' } : {}) })),
  }));
}

/** Typed text defused, then neighbouring runs of the same weight joined: a TextRun is plain whatever it holds. */
function merged(runs: Run[]): Run[] {
  const out: Run[] = [];
  for (const run of runs.map((r) => (r.typed ? { ...r, text: defuse(r.text) } : r))) {
    const last = out[out.length - 1];
    if (last && last.bold === run.bold) last.text += run.text;
    else out.push({ ...run });
  }
  return out;
}

function convert(node: Node): Node[] {
  if (node.type === 'TextBlock') {
    const blocks = richText(lines(runsOf(String(node.text))), node);
    return blocks.length > 0 ? blocks : [];
  }
  // FactSet: "Title: value" per fact, the title bold
  const facts = Array.isArray(node.facts) ? (node.facts as Node[]) : [];
  return facts.flatMap((f, i) => {
    const title = String(f.title ?? '').replace(MARKS, '');
    const blocks = richText(lines(runsOf(String(f.value ?? ''))), { ...node, spacing: i === 0 ? node.spacing : 'None' }, [{ text: `${title}: `, bold: true, typed: false }]);
    return blocks.length > 0 ? blocks : richText([[{ text: `${title}:`, bold: true, typed: false }]], { ...node, spacing: i === 0 ? node.spacing : 'None' });
  });
}

function needsRuns(node: unknown): node is Node {
  if (!isNode(node)) return false;
  if (node.type === 'TextBlock') return marked(node.text);
  if (node.type === 'FactSet') return Array.isArray(node.facts) && (node.facts as Node[]).some((f) => marked(f.title) || marked(f.value));
  return false;
}

/** The expanded card with every marked TextBlock and FactSet turned into runs and every other mark removed. */
export function inert(node: unknown): unknown {
  if (typeof node === 'string') return node.replace(MARKS, '');
  if (Array.isArray(node)) return node.flatMap((n) => (needsRuns(n) ? convert(n) : [inert(n)]));
  if (isNode(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inert(v)]));
  return node;
}
