/**
 * Adaptive Cards (1.5) for every view: the templates in `adaptive-cards/`, expanded with
 * `adaptivecards-templating`. Record sheets carry a `refresh` for both parties, so Teams shows each of them the
 * view for their role (universal actions); the same cards render in the local playground.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ACData from 'adaptivecards-templating';
import type { NotificationView } from '../../app/views.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../adaptive-cards');
const templates = new Map<string, unknown>();

function template(name: string): unknown {
  let t = templates.get(name);
  if (!t) {
    t = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8'));
    templates.set(name, t);
  }
  return t;
}

export const TEMPLATE_FOR: Record<NotificationView['type'], string> = {
  'record-sheet': 'record-sheet',
  'agenda-prompt': 'agenda-prompt',
  agenda: 'agenda',
  'agenda-suggestion': 'agenda-suggestion',
  'overdue-summary': 'overdue-summary',
  escalation: 'escalation',
  'escalation-raised': 'escalation-raised',
  reminder: 'reminder',
  'next-session': 'next-session',
  'move-form': 'move-form',
  actions: 'actions',
  help: 'help',
  'dispute-notice': 'dispute-notice',
  'calendar-link': 'calendar-link',
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
          ? { text: view.text, tone: 'default' }
          : view;
  const card = new ACData.Template(template(TEMPLATE_FOR[view.type])).expand({ $root: data }) as AdaptiveCard;
  if (view.type === 'record-sheet' && refreshUserIds.length > 0) {
    card.refresh = { action: { type: 'Action.Execute', title: 'Refresh', verb: 'record.refresh', data: { recordId: view.recordId, version: view.version } }, userIds: refreshUserIds };
  }
  return card;
}
