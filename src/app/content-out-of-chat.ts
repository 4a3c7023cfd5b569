/**
 * "Keep supervision content out of chat" (issue 15, an organisation setting): with it on, nothing a person wrote
 * — agenda items, notes, concerns, actions, case decisions, dispute reasons and resolutions, request reasons,
 * why a session moved — leaves in a card or message, so none of it sits in Slack's or Microsoft's message
 * stores. What is left is who, when and what kind, each text replaced by a pointer to the dashboard, and the
 * view carries `openInDashboard`: every channel's renderer adds the "Open in the dashboard" button for it.
 *
 * This is the one switch: every view bound for a person goes through `keepContentOut` on its way out (the
 * notifiers, the conversation's answers, the playground's chat), never a condition in each message. Buttons
 * carry ids only and keep working; a form keeps its inputs, empty, so nothing typed before is echoed back.
 */
import type { NotificationView } from './views.js';

/** What stands where a person's words would be. */
export const IN_DASHBOARD = '(in the dashboard)';

/** The dashboard page a view is about, as a path under `/tab` (the channel makes it an address). */
export type DashboardPage = { path: string };

export type ChatView = NotificationView & { openInDashboard?: string };

/** The address of the "Open in the dashboard" button a view asks for, when the setting took its text. */
export function openInDashboardOf(view: NotificationView): string | undefined {
  const url = (view as ChatView).openInDashboard;
  return typeof url === 'string' && url !== '' ? url : undefined;
}

const hide = (text: string | undefined): string => (text ? IN_DASHBOARD : '');
/** A refusal that quotes what someone wrote (‘Call home’) keeps its words and loses the quotation. */
const unquote = (text: string | undefined): string | undefined => text?.replace(/[‘“"][^’”"]*[’”"]/g, '‘…’');

/** Where each kind of view is read in full. */
export function pageOf(view: NotificationView): string {
  switch (view.type) {
    case 'record-sheet':
    case 'dispute-notice':
      return `/tab#record/${encodeURIComponent(view.recordId)}`;
    case 'overdue-summary':
    case 'escalation':
      return '/tab';
    default:
      return '/tab/me';
  }
}

/**
 * The view without anyone's words. `url` turns a dashboard page into the address the channel gives out (the
 * Teams tab's deep link, or the dashboard's own address where Slack's `dashboard` sign-in leads).
 */
export function keepContentOut(view: NotificationView, url: (page: string) => string): NotificationView {
  const out = strip(view);
  if (out === view && !carriesContent(view)) return view;
  return { ...out, openInDashboard: url(pageOf(view)) } as ChatView;
}

/** Views that never carry anyone's words pass as they are, with no button added. */
function carriesContent(view: NotificationView): boolean {
  return !['escalation-raised', 'move-form', 'help', 'calendar-link', 'dashboard-link', 'refusal', 'error', 'session-check'].includes(view.type) && view.type !== 'text';
}

function strip(view: NotificationView): NotificationView {
  switch (view.type) {
    case 'agenda-prompt':
      return {
        ...view,
        items: view.items.map((i) => ({ ...i, text: IN_DASHBOARD })),
        parkedItems: view.parkedItems.map((i) => ({ ...i, text: IN_DASHBOARD })),
        openActions: view.openActions.map((a) => ({ ...a, text: IN_DASHBOARD })),
      };
    case 'agenda':
      return { ...view, items: view.items.map((i) => ({ ...i, text: IN_DASHBOARD })), parkedItems: view.parkedItems.map((i) => ({ ...i, text: IN_DASHBOARD })), limits: view.limits.map((l) => unquote(l) ?? '') };
    case 'agenda-suggestion':
      // its button would carry the words back: the person is told how to add it instead
      return { type: 'text', text: 'Not added to an agenda. To put something on your agenda, type add and the item (for example "add workload"), or add it in the dashboard.' };
    case 'agenda-form':
      return { ...view, text: '', ...(view.notice ? { notice: unquote(view.notice) } : {}) };
    case 'record-sheet': {
      // a record that already holds words cannot be edited here without showing them: it is edited from a blank form only
      const written = view.notes !== '' || view.concerns.length > 0 || view.actions.length > 0 || view.caseDecisions.length > 0;
      const editable = view.canEdit && !(written && !view.asTyped);
      const { form, ...rest } = view;
      return {
        ...rest,
        canEdit: editable,
        notes: editable ? '' : hide(view.notes),
        concerns: view.concerns.map((c) => ({ ...c, text: IN_DASHBOARD })),
        caseDecisions: view.caseDecisions.map((d) => ({ ...d, childRef: IN_DASHBOARD, decision: IN_DASHBOARD, rationale: IN_DASHBOARD })),
        actions: view.actions.map((a) => ({ ...a, text: IN_DASHBOARD })),
        previousActions: view.previousActions.map((p) => ({ ...p, text: IN_DASHBOARD, ...(p.note ? { note: IN_DASHBOARD } : {}) })),
        ...(view.dispute ? { dispute: { ...view.dispute, reason: hide(view.dispute.reason), ...(view.dispute.resolution ? { resolution: IN_DASHBOARD } : {}) } } : {}),
        ...(view.correction ? { correction: { ...view.correction, reason: hide(view.correction.reason) } } : {}),
        ...(view.notice ? { notice: unquote(view.notice) } : {}),
        ...(editable && form
          ? {
              form: {
                ...form,
                agenda: form.agenda.map((i) => ({ ...i, text: IN_DASHBOARD })),
                previous: form.previous.map((p) => ({ ...p, text: IN_DASHBOARD, note: '' })),
                actionRows: form.actionRows.map((r) => ({ ...r, text: '' })),
                decisionRows: form.decisionRows.map((r) => ({ ...r, childRef: '', decision: '', rationale: '' })),
              },
              // an edited form starts empty: nothing typed before comes back
              concerns: [],
              caseDecisions: [],
              actions: [],
            }
          : {}),
      };
    }
    case 'overdue-summary': {
      const rows = <T extends { detail: string }>(list: T[], what: string) => list.map((r) => ({ ...r, detail: what }));
      return { ...view, actions: rows(view.actions, 'an agreed action past its date'), caseDecisions: rows(view.caseDecisions, 'a case decision not yet on the child’s file') };
    }
    case 'escalation':
      return { ...view, text: IN_DASHBOARD };
    case 'reminder':
      return view.withoutContent ? { ...view, lines: view.withoutContent, withoutContent: undefined } : view;
    case 'next-session':
      return { ...view, items: view.items.map((i) => ({ ...i, text: IN_DASHBOARD })), openActions: view.openActions.map((a) => ({ ...a, text: IN_DASHBOARD })) };
    case 'session-request':
      return view.reason ? { ...view, reason: IN_DASHBOARD } : view;
    case 'actions':
      return { ...view, actions: view.actions.map((a) => ({ ...a, text: IN_DASHBOARD })), ...(view.notice ? { notice: unquote(view.notice) } : {}) };
    case 'incident-offer':
      // what the DSL chose to say to staff is theirs to keep in the school too
      return { ...view, lines: ['After a recent incident, extra supervision is offered to you. Choose below whether you would like it.'] };
    case 'dispute-notice':
      return { ...view, reason: hide(view.reason) };
    case 'handover-form':
      // the form keeps its inputs, empty; each action is named by whose and when only
      return { ...view, actions: view.actions.map((a) => ({ ...a, text: IN_DASHBOARD, note: '' })), decisions: view.decisions.map((d) => ({ ...d, childRef: IN_DASHBOARD })), themesTyped: '', noteTyped: '', ...(view.notice ? { notice: unquote(view.notice) } : {}) };
    case 'kept-form':
      // the form keeps its inputs, empty: nothing typed comes back through chat
      return { ...view, rows: view.rows.map((r) => ({ ...r, text: '' })), ...(view.notice ? { notice: unquote(view.notice) } : {}) };
    case 'handover':
      return {
        ...view,
        kept: view.kept.map((a) => ({ ...a, text: IN_DASHBOARD })),
        closed: view.closed.map((a) => ({ ...a, text: IN_DASHBOARD, note: hide(a.note) })),
        themes: hide(view.themes),
        note: hide(view.note),
        decisions: view.decisions.map((d) => ({ ...d, childRef: IN_DASHBOARD })),
      };
    case 'text':
      return view.withoutContent !== undefined ? { type: 'text', text: view.withoutContent, ...(view.invite ? { invite: view.invite } : {}) } : view;
    default:
      return view;
  }
}
