/**
 * Block Kit for every view the bot shows (the same view models Teams renders as Adaptive Cards), within
 * Slack's limits: ≤ 50 blocks per message, ≤ 100 in App Home, ≤ 3,000 characters per text, ≤ 150 per
 * header and button label. Long lists are paginated by `paginate`.
 */
import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;
import type {
  ActionsView,
  AgendaItemView,
  AgendaPromptView,
  AgendaView,
  DisputeNoticeView,
  EscalationRaisedView,
  EscalationView,
  HelpView,
  NextSessionView,
  NotificationView,
  OpenActionView,
  OverdueRow,
  OverdueSummaryView,
  RecordSheetView,
  ReminderView,
} from '../../app/views.js';

export const LIMITS = { messageBlocks: 50, homeBlocks: 100, modalBlocks: 100, text: 3000, header: 150, buttonText: 75, fallbackText: 4000 };

export interface SlackMessage {
  /** Notification and screen-reader text. */
  text: string;
  blocks: KnownBlock[];
}

export const ACTIONS = {
  confirm: 'record_confirm',
  requestChange: 'record_request_change',
  openRecord: 'record_open_modal',
  acknowledge: 'escalation_acknowledge',
  flagRisk: 'agenda_flag_risk',
  addItem: 'agenda_add_item',
  refer: 'record_refer',
  correct: 'record_correct',
  arrangeMeeting: 'dispute_arrange_meeting',
  recordOutcome: 'dispute_record_outcome',
  actionDone: 'action_done',
  actionNotNeeded: 'action_not_needed',
  decisionCopied: 'decision_copied',
  flagItem: 'agenda_item_flag_risk',
  flagConcern: 'record_concern_flag_risk',
} as const;

export const VIEWS = {
  record: 'record_modal',
  dispute: 'dispute_modal',
  agendaItem: 'agenda_item_modal',
  correct: 'record_correct_modal',
  disputeMeeting: 'dispute_meeting_modal',
  disputeOutcome: 'dispute_outcome_modal',
  actionNotNeeded: 'action_not_needed_modal',
  decisionCopied: 'decision_copied_modal',
} as const;

export function clip(text: string, max = LIMITS.text): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack mrkdwn: escape the three control characters so user text cannot become a link or mention. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text) } });
const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text: clip(text, LIMITS.header), emoji: true } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(text) }] });
const divider: KnownBlock = { type: 'divider' };
const button = (text: string, actionId: string, value: string, style?: 'primary' | 'danger') => ({
  type: 'button' as const,
  text: { type: 'plain_text' as const, text: clip(text, LIMITS.buttonText) },
  action_id: actionId,
  value: clip(value, 2000),
  ...(style ? { style } : {}),
});

/** Lines joined into sections of at most 3,000 characters each. */
function lineSections(lines: string[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let current = '';
  for (const line of lines.map((l) => clip(l, LIMITS.text))) {
    if (current.length + line.length + 1 > LIMITS.text) {
      blocks.push(section(current));
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) blocks.push(section(current));
  return blocks;
}

/** A "Risk of harm" button beside something already written; Slack asks before it goes to the DSL. */
const flagButton = (actionId: string, value: string) => ({
  ...button('Risk of harm', actionId, value, 'danger'),
  confirm: {
    title: { type: 'plain_text' as const, text: 'Risk of harm to a child?' },
    text: { type: 'plain_text' as const, text: 'This goes to the DSL and deputies now. If a child is in immediate danger, call 999.' },
    confirm: { type: 'plain_text' as const, text: 'Send to the DSL' },
    deny: { type: 'plain_text' as const, text: 'Cancel' },
    style: 'danger' as const,
  },
});

/** Lines, each with a "Risk of harm" button beside it when it may be flagged; the rest joined as usual. */
function flaggableLines(items: Array<{ line: string; flag?: { actionId: string; value: string } }>): KnownBlock[] {
  if (!items.some((i) => i.flag)) return lineSections(items.map((i) => i.line));
  return items.map((i) => (i.flag ? { ...section(i.line), accessory: flagButton(i.flag.actionId, i.flag.value) } as KnownBlock : section(i.line)));
}
const itemLines = (items: AgendaItemView[]) => flaggableLines(items.map((i) => ({ line: itemLine(i), ...(i.canFlag ? { flag: { actionId: ACTIONS.flagItem, value: i.id } } : {}) })));

const itemLine = (i: AgendaItemView) => `• ${i.riskOfHarm ? ':rotating_light: ' : ''}${esc(i.text)} _(${esc(i.categoryLabel)}, ${esc(i.authorName)})_`;
const actionLine = (a: OpenActionView) => `• ${esc(a.text)} — ${esc(a.ownerName)}, due ${a.dueText}${a.late ? ' *(late)*' : ''}`;

function agendaPrompt(v: AgendaPromptView): SlackMessage {
  const blocks: KnownBlock[] = [
    header('Supervision agenda'),
    section(`Your supervision with *${esc(v.withNames.join(', '))}* is on *${v.startsAtText}* (${v.durationMinutes} min, ${esc(v.location)}).`),
  ];
  if (v.openActions.length > 0) blocks.push(section('*Actions from last time*'), ...lineSections(v.openActions.map(actionLine)));
  if (v.items.length > 0) blocks.push(section('*On the agenda so far*'), ...itemLines(v.items));
  if (v.templateLines.length > 0) blocks.push(context(v.templateLines.map((l) => `• ${esc(l)}`).join('\n')));
  blocks.push(
    section(v.recipientRole === 'supervisee' ? 'Reply here with what you would like to discuss — one item per line.' : 'Reply here with anything you want to add — one item per line.'),
    { type: 'actions', elements: [button('Add an item with a category', ACTIONS.addItem, v.sessionId), button('Flag a risk of harm to a child', ACTIONS.flagRisk, v.sessionId, 'danger')] },
    context('A risk of harm to a child goes to the DSL at once — it never waits for the session.'),
  );
  return { text: `Supervision on ${v.startsAtText}: add your agenda items`, blocks };
}

function agenda(v: AgendaView): SlackMessage {
  const blocks: KnownBlock[] = [section(v.added > 0 ? `Added ${v.added} item${v.added === 1 ? '' : 's'}${v.startsAtText ? ` to your supervision on *${v.startsAtText}*` : ''}.` : 'Your agenda:')];
  if (v.escalated && !v.unheard) blocks.push(section(':rotating_light: The item you flagged has gone to your DSL now.'));
  if (v.unheard) blocks.push(section(':rotating_light: *Phone your DSL now.* Nobody in your school is set up in Supervision Bot as DSL, deputy or headteacher, so the item you flagged could not reach anyone here. It is kept and goes to whoever is named next.'));
  blocks.push(...(v.items.length > 0 ? itemLines(v.items) : lineSections(['_Nothing on the agenda yet._'])));
  if (v.parkedCount > 0) blocks.push(context(`${v.parkedCount} item${v.parkedCount === 1 ? '' : 's'} parked for the next session.`));
  return { text: v.added > 0 ? `Added ${v.added} agenda item(s)` : 'Your agenda', blocks };
}

export function recordMessage(v: RecordSheetView): SlackMessage {
  const blocks: KnownBlock[] = [
    header(`Supervision record — ${v.dateText}`),
    section(`*${esc(v.supervisor.name)}* with *${esc(v.supervisees.map((s) => s.name).join(', '))}* · version ${v.version} · *${esc(v.stateLabel)}*`),
  ];
  if (v.supersededByVersion) blocks.push(section(`:warning: *Superseded:* version ${v.supersededByVersion} corrects this record.`));
  if (v.riskUnheard) blocks.push(section(':rotating_light: *Phone your DSL now:* the risk of harm in this record could not reach anyone, because nobody in your school is set up in Supervision Bot as DSL, deputy or headteacher. It is kept and goes to whoever is named next.'))
  if (v.correction) blocks.push(section(`*Correcting version ${v.correction.supersedesVersion}* — started by ${esc(v.correction.byName)} on ${v.correction.atText}:\n>${esc(v.correction.reason).replace(/\n/g, '\n>')}`));
  if (v.topics.length > 0) blocks.push(section(`*Topics:* ${v.topics.map((t) => esc(v.topicOptions.find((o) => o.value === t)?.label ?? t)).join(', ')}`));
  if (v.notes) blocks.push(section(`*Discussion*\n${esc(v.notes)}`));
  if (v.concerns.length > 0) {
    blocks.push(section('*Concerns*'), ...flaggableLines(v.concerns.map((c) => ({ line: `• ${c.riskOfHarm ? ':rotating_light: ' : ''}${esc(c.text)}`, ...(c.canFlag ? { flag: { actionId: ACTIONS.flagConcern, value: `${v.recordId}#${c.id}` } } : {}) }))));
  }
  if (v.caseDecisions.length > 0) {
    blocks.push(
      ...lineSections([
        '*Case decisions*',
        ...v.caseDecisions.map((d) => `• *${esc(d.childRef)}*: ${esc(d.decision)} — ${esc(d.rationale)} (follow-up: ${esc(d.followUpByName)}; to the child’s file by ${d.copyDueText}${d.copied ? ', done' : ''})`),
      ]),
    );
  }
  if (v.actions.length > 0) blocks.push(...lineSections(['*Actions agreed*', ...v.actions.map((a) => `• ${esc(a.text)} — ${esc(a.ownerName)}, by ${a.dueDate}`)]));
  if (v.previousActions.length > 0) blocks.push(...lineSections(['*Previous actions reviewed*', ...v.previousActions.map((a) => `• ${esc(a.text)}: ${esc(a.outcome)}`)]));
  if (v.nextSessionText) blocks.push(section(`*Next session:* ${v.nextSessionText}`));
  if (v.dispute) {
    const d = v.dispute;
    blocks.push(
      ...lineSections([
        `*Change requested* by ${esc(d.byName)} on ${d.atText}: ${esc(d.reason)}`,
        ...[d.referredText, d.meetingText].filter((t): t is string => Boolean(t)).map((t) => `_${esc(t)}_`),
        ...(d.resolvedText ? [`*${esc(d.resolvedText)}*${d.resolution ? `: ${esc(d.resolution)}` : ''}`] : []),
      ]),
    );
  }
  const hearing = [];
  if (v.canRefer && v.referToName) hearing.push(button(`Refer to ${v.referToName}`, ACTIONS.refer, `${v.recordId}@${v.version}`));
  if (v.canHear) hearing.push(button('Arrange a meeting', ACTIONS.arrangeMeeting, v.recordId), button('Record the outcome', ACTIONS.recordOutcome, v.recordId, 'primary'));
  if (v.signedText) {
    blocks.push(divider, section(`:lock: *${esc(v.signedText)}*`));
    if (v.canCorrect) blocks.push({ type: 'actions', elements: [button('Correct the record', ACTIONS.correct, `${v.recordId}@${v.version}`)] });
  } else {
    if (v.confirmations.length > 0) blocks.push(context(`Confirmed: ${v.confirmations.map((c) => `${esc(c.name)} (${c.atText})`).join(', ')}`));
    if (v.awaiting.length > 0) blocks.push(context(`Waiting for: ${v.awaiting.map((p) => esc(p.name)).join(', ')}`));
    const buttons = [];
    if (v.canEdit) buttons.push(button(v.editLabel, ACTIONS.openRecord, v.sessionId, 'primary'));
    if (v.canConfirm) buttons.push(button('Confirm', ACTIONS.confirm, `${v.recordId}@${v.version}`, 'primary'));
    if (v.canDispute) buttons.push(button('Request a change', ACTIONS.requestChange, `${v.recordId}@${v.version}`));
    buttons.push(...hearing);
    if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  }
  return { text: `Supervision record of ${v.dateText}: ${v.stateLabel}`, blocks };
}

function overdueRows(title: string, rows: OverdueRow[], extra?: (r: OverdueRow) => string): string[] {
  if (rows.length === 0) return [];
  return [`*${title}* (${rows.length})`, ...rows.map((r) => `• *${esc(r.personName)}* — ${esc(r.detail)}${r.daysOverdue > 0 ? ` · ${r.daysOverdue} day${r.daysOverdue === 1 ? '' : 's'} overdue` : ''}${extra ? extra(r) : ''}`)];
}

export function overdueMessage(v: OverdueSummaryView): SlackMessage {
  const c = v.counts;
  const total = c.sessions + c.records + c.actions + c.reviews + c.caseDecisions + c.escalations + c.unreachable;
  const lines = [
    ...overdueRows('Risk-of-harm escalations not acknowledged', v.escalations),
    ...overdueRows('Overdue supervision', v.sessions, (r) => ` · last: ${esc((r as OverdueRow & { lastSessionText: string }).lastSessionText)}`),
    ...overdueRows('Records awaiting confirmation', v.records),
    ...overdueRows('Late actions', v.actions),
    ...overdueRows('Contracts due for review', v.reviews),
    ...overdueRows('Case decisions not on the child’s file', v.caseDecisions),
    ...(v.unreachable.length > 0 ? [`*Not reachable* (${v.unreachable.length})`, ...v.unreachable.map((u) => `• *${esc(u.personName)}* — not reachable in ${u.platform} since ${u.sinceText}`)] : []),
  ];
  return {
    text: `Overdue summary for ${v.organisationName}: ${total} item${total === 1 ? '' : 's'}`,
    blocks: [
      header(`Overdue — ${v.organisationName}`),
      context(`${v.generatedAtText}${v.filter !== 'all' ? ` · ${v.filter} only` : ''} · sessions ${c.sessions} · records ${c.records} · actions ${c.actions} · reviews ${c.reviews} · case decisions ${c.caseDecisions} · escalations ${c.escalations} · not reachable ${c.unreachable}`),
      ...(lines.length > 0 ? lineSections(lines) : [section(':white_check_mark: Nothing is overdue.')]),
    ],
  };
}

function escalation(v: EscalationView): SlackMessage {
  const blocks: KnownBlock[] = [
    header(':rotating_light: Risk of harm to a child'),
    section(`Raised by *${esc(v.raisedByName)}* about supervision of *${esc(v.subjectName)}* at ${v.raisedAtText} (${v.source === 'agenda-item' ? 'agenda item' : 'record concern'}):\n>${esc(v.text).replace(/\n/g, '\n>')}`),
  ];
  if (v.acknowledged) blocks.push(context(`Acknowledged by ${esc(v.acknowledgedByName ?? 'a DSL')}.`));
  else blocks.push({ type: 'actions', elements: [button('Acknowledge — I am dealing with it', ACTIONS.acknowledge, v.escalationId, 'primary')] });
  return { text: `Risk of harm raised by ${v.raisedByName}`, blocks };
}

const escalationRaised = (v: EscalationRaisedView): SlackMessage =>
  v.dslNames.length > 0
    ? { text: 'Your concern has gone to the DSL', blocks: [section(`:rotating_light: Thank you. What you flagged went to ${esc(v.dslNames.join(' and '))} at ${v.raisedAtText}. If a child is in immediate danger, call 999.`)] }
    : {
        text: 'Phone your DSL now',
        blocks: [
          section(':rotating_light: *Phone your DSL now.* Nobody in your school is set up in Supervision Bot as DSL, deputy or headteacher, so this could not reach anyone here.'),
          section(`What you flagged at ${v.raisedAtText} is kept and goes to whoever is named next. If a child is in immediate danger, call 999.`),
        ],
      };

function reminder(v: ReminderView): SlackMessage {
  const blocks: KnownBlock[] = [section(`*${esc(v.title)}*`), ...lineSections(v.lines.map(esc))];
  const buttons = [];
  if (v.action) {
    buttons.push(button('Done', ACTIONS.actionDone, v.action.id, 'primary'));
    if (v.action.canSetAside) buttons.push(button('Not needed', ACTIONS.actionNotNeeded, v.action.id));
  }
  if (v.caseDecision) buttons.push(button('Copied to the child’s file', ACTIONS.decisionCopied, `${v.caseDecision.recordId}:${v.caseDecision.decisionId}`, 'primary'));
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  return { text: v.title, blocks };
}

function next(v: NextSessionView): SlackMessage {
  if (!v.session) return { text: 'No session booked', blocks: [section('You have no supervision session booked.')] };
  const blocks = [
    section(`Your next supervision is on *${v.session.startsAtText}* with *${esc(v.session.withNames.join(', '))}* (${esc(v.session.location)}).`),
    section('*Agenda*'),
    ...(v.items.length > 0 ? itemLines(v.items) : lineSections(['_Nothing yet — reply with items, one per line._'])),
  ];
  if (v.openActions.length > 0) blocks.push(...lineSections(['*Open actions*', ...v.openActions.map(actionLine)]));
  return { text: `Next supervision: ${v.session.startsAtText}`, blocks };
}

function actions(v: ActionsView): SlackMessage {
  const blocks: KnownBlock[] = [];
  if (v.notice) blocks.push(section(`:white_check_mark: ${esc(v.notice)}`));
  if (v.actions.length === 0) blocks.push(section('You have no open actions.'));
  else blocks.push(section('*Open actions*'));
  for (const a of v.actions) {
    blocks.push(section(actionLine(a)));
    const buttons = [];
    if (a.canComplete) buttons.push(button('Done', ACTIONS.actionDone, a.id, 'primary'));
    if (a.canSetAside) buttons.push(button('Not needed', ACTIONS.actionNotNeeded, a.id));
    if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  }
  return { text: v.notice ?? `${v.actions.length} open action(s)`, blocks };
}

function help(v: HelpView): SlackMessage {
  const lines = [
    '*Supervision Bot*',
    '• Reply to an agenda prompt with your items, one per line.',
    '• `/supervision next` — your next session and its agenda',
    '• `/supervision actions` — your open actions, with *Done* when each is done',
    '• `/supervision park <text>` — keep an item for your next session',
  ];
  if (v.isDsl) lines.push('• `/overdue [sessions|records|actions|reviews]` — who is behind, across your school', '• `/supervision correct <name>` — open that person’s latest signed record to correct it, with a reason');
  if (v.supportContacts.length > 0) lines.push('', '*Support*', ...v.supportContacts.map((s) => `• ${esc(s.name)}${s.phone ? ` — ${s.phone}` : ''}${s.url ? ` — ${s.url}` : ''}`));
  return { text: 'Supervision Bot help', blocks: lineSections(lines) };
}

const dispute = (v: DisputeNoticeView): SlackMessage => ({
  text: `A change was requested to the record of ${v.dateText}`,
  blocks: [
    section(`*A change was requested* to the supervision record of ${v.dateText} (${esc(v.supervisorName)} with ${esc(v.superviseeNames.join(', '))}) by *${esc(v.raisedByName)}*:`),
    section(`>${esc(v.reason).replace(/\n/g, '\n>')}`),
  ],
});

/** Any view as a message. */
export function render(view: NotificationView): SlackMessage {
  switch (view.type) {
    case 'agenda-prompt':
      return agendaPrompt(view);
    case 'agenda':
      return agenda(view);
    case 'record-sheet':
      return recordMessage(view);
    case 'overdue-summary':
      return overdueMessage(view);
    case 'escalation':
      return escalation(view);
    case 'escalation-raised':
      return escalationRaised(view);
    case 'reminder':
      return reminder(view);
    case 'next-session':
      return next(view);
    case 'actions':
      return actions(view);
    case 'help':
      return help(view);
    case 'dispute-notice':
      return dispute(view);
    case 'text':
      return { text: clip(view.text, LIMITS.fallbackText), blocks: [section(esc(view.text))] };
    case 'refusal':
      return { text: clip(view.text, LIMITS.fallbackText), blocks: [section(esc(view.text))] };
    case 'error':
      return { text: clip(view.message, LIMITS.fallbackText), blocks: [section(`:warning: ${esc(view.message)}`)] };
  }
}

/** Splits a long message into pages of at most `max` blocks, each with its own fallback text. */
export function paginate(message: SlackMessage, max = LIMITS.messageBlocks): SlackMessage[] {
  if (message.blocks.length <= max) return [message];
  const pages: SlackMessage[] = [];
  const per = max - 1;
  const count = Math.ceil(message.blocks.length / per);
  for (let i = 0; i < count; i++) {
    pages.push({ text: `${message.text} (${i + 1}/${count})`, blocks: [...message.blocks.slice(i * per, (i + 1) * per), context(`Page ${i + 1} of ${count}`)] });
  }
  return pages;
}

/** Every Block Kit limit the bot relies on; returns the problems (empty when the payload is within them). */
export function blockKitProblems(blocks: KnownBlock[], maxBlocks: number = LIMITS.messageBlocks): string[] {
  const problems: string[] = [];
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks (max ${maxBlocks})`);
  const visit = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) visit(v, `${path}[${i}]`);
    }
    else if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') {
        const max = path.endsWith('.text') && path.includes('header') ? LIMITS.header : LIMITS.text;
        if (o.text.length > max) problems.push(`${path}: ${o.text.length} characters (max ${max})`);
        if (o.text.length === 0) problems.push(`${path}: empty text`);
      }
      for (const [k, v] of Object.entries(o)) visit(v, `${path}.${k}`);
    }
  };
  for (const [i, b] of blocks.entries()) visit(b, `blocks[${i}]${(b as { type: string }).type === 'header' ? '.header' : ''}`);
  return problems;
}
