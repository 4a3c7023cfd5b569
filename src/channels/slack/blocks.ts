/**
 * Block Kit for every view the bot shows (the same view models Teams renders as Adaptive Cards), within
 * Slack's limits: ≤ 50 blocks per message, ≤ 100 in App Home, ≤ 3,000 characters per text, ≤ 150 per
 * header and button label. Long lists are paginated by `paginate`.
 */
import { openInDashboardOf } from '../../app/content-out-of-chat.js';
import type { types } from '@slack/bolt';
import { defuse } from '../safe-text.js';

type KnownBlock = types.KnownBlock;
import type {
  ActionsView,
  AgendaItemView,
  AgendaPromptView,
  AgendaSuggestionView,
  AgendaFormView,
  AgendaView,
  CalendarLinkView,
  DashboardLinkView,
  DisputeNoticeView,
  EscalationRaisedView,
  EscalationView,
  HandoverFormView,
  HandoverView,
  HelpView,
  IncidentOfferView,
  MoveFormView,
  NextSessionView,
  NotificationView,
  OpenActionView,
  OverdueRow,
  OverdueSummaryView,
  RecordSheetView,
  ReminderView,
  SessionCheckView,
  KeptFormView,
  SessionRequestView,
  SupportContactView,
  AgreementView,
  AgreementQuestionView,
  ContractReviewView,
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
  addSuggested: 'agenda_add_suggested',
  /** "Add an agenda item…": the modal whose picker lists the person's supervisees and their own supervision. */
  addFor: 'agenda_add_for',
  move: 'session_move',
  cancel: 'session_cancel',
  /** "Add another" action or case decision on the record modal. */
  addRecordRow: 'record_add_row',
  notHeld: 'session_not_held',
  /** stour §4: "It happened", for a session kept by the supervisee: the modal of the actions agreed. */
  keptOpen: 'session_kept_open',
  requestSession: 'session_request',
  /** After a major incident: Yes / Not now on the offer of extra supervision (the value is the offer's id). */
  incidentYes: 'incident_offer_yes',
  incidentNotNow: 'incident_offer_not_now',
  bookRequest: 'session_book_request',
  /** "Write the handover": the modal with each open action, the themes and the note. */
  openHandover: 'handover_open',
  /** The supervision agreement: Agree (value `<terms>.<contractId>`), and Ask a question (a modal). */
  agree: 'agreement_agree',
  askAboutAgreement: 'agreement_ask',
  /** The annual review: Keep as it is (value: the contract), and Change… (a modal of the terms). */
  reviewKeep: 'contract_review_keep',
  reviewChange: 'contract_review_change',
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
  move: 'session_move_modal',
  notHeld: 'session_not_held_modal',
  kept: 'session_kept_modal',
  bookRequest: 'session_book_request_modal',
  handover: 'handover_modal',
  agreementQuestion: 'agreement_question_modal',
  review: 'contract_review_modal',
} as const;

/** Move / Cancel and rebook: each opens the modal with the date and time pickers. */
const moveButtons = (sessionId: string): KnownBlock => ({
  type: 'actions',
  elements: [button('Move', ACTIONS.move, sessionId), button('Cancel and rebook', ACTIONS.cancel, sessionId)],
});

export function clip(text: string, max = LIMITS.text): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Slack mrkdwn for text a person typed: shown as typed, never live. `&`, `<` and `>` are escaped, so no
 * `<url|label>`, `<!channel>` or `<@U…>` forms; mrkdwn has no escape for its formatting marks, so `*`, `_`, `~`
 * and `` ` `` become their look-alikes (∗ ˍ ∼ ˋ) and a person's asterisks stay asterisks rather than bold;
 * addresses and @here are defused (`defuse`), and every text object is `verbatim` so Slack does not turn
 * addresses or channel names into links.
 */
export function esc(text: string): string {
  return defuse(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[*_~`]/g, (c) => LOOK_ALIKE[c] ?? c);
}
const LOOK_ALIKE: Record<string, string> = { '*': '\u2217', _: '\u02CD', '~': '\u223C', '`': '\u02CB' };


/**
 * Splits text longer than a section holds into pieces, never inside an `&…;` escape: long text is shown
 * whole across sections, not cut.
 */
export function pieces(text: string, max = LIMITS.text): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = max;
    const amp = rest.lastIndexOf('&', cut - 1);
    if (amp > cut - 6 && rest.indexOf(';', amp) >= cut) cut = amp;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  out.push(rest);
  return out;
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text), verbatim: true } });
const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text: clip(text, LIMITS.header), emoji: true } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(text), verbatim: true }] });
const divider: KnownBlock = { type: 'divider' };
const button = (text: string, actionId: string, value: string, style?: 'primary' | 'danger') => ({
  type: 'button' as const,
  text: { type: 'plain_text' as const, text: clip(text, LIMITS.buttonText) },
  action_id: actionId,
  value: clip(value, 2000),
  ...(style ? { style } : {}),
});

/** Lines joined into sections of at most 3,000 characters each; a longer line goes on across sections. */
function lineSections(lines: string[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let current = '';
  for (const line of lines.flatMap((l) => pieces(l))) {
    if (current && current.length + line.length + 1 > LIMITS.text) {
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

/** The school's support contacts (loughton "Support"), each as text: name, number, what it is for. */
export const supportLine = (c: SupportContactView) =>
  `• ${esc(c.name)}${c.phone ? ` — ${esc(c.phone)}` : ''}${c.url ? ` — ${esc(c.url)}` : ''}${c.description ? ` _(${esc(c.description)})_` : ''}`;
const supportBlocks = (contacts: SupportContactView[] | undefined, title = '*Support*'): KnownBlock[] =>
  contacts && contacts.length > 0 ? lineSections([title, ...contacts.map(supportLine)]) : [];

const itemLine = (i: AgendaItemView) =>
  `• ${i.riskOfHarm ? ':rotating_light: ' : ''}${esc(i.text)} _(${esc(i.categoryLabel)}, ${esc(i.authorName)})_${i.informalText ? ` — _${esc(i.informalText)}_` : ''}`;
const actionLine = (a: OpenActionView) => `• ${esc(a.text)} — ${esc(a.ownerName)}, due ${a.dueText}${a.late ? ' *(late)*' : ''}`;

/** A suggestion button's value: the session and the words to put in the modal (Slack allows 2,000 characters). */
export function suggestionValue(sessionId: string, text: string): string {
  const value = (t: string) => JSON.stringify({ s: sessionId, t });
  let t = text;
  while (value(t).length > 2000) t = t.slice(0, Math.max(0, t.length - Math.max(1, value(t).length - 2000)));
  return value(t);
}

function agendaPrompt(v: AgendaPromptView): SlackMessage {
  const blocks: KnownBlock[] = [
    header('Supervision agenda'),
    section(`Your supervision with *${esc(v.withNames.join(', '))}* is on *${v.startsAtText}* (${v.durationMinutes} min, ${esc(v.location)}).`),
  ];
  if (v.parkedItems.length > 0) blocks.push(section('*Raised informally since last time*'), ...itemLines(v.parkedItems));
  blocks.push(section('*Items from both of you*'), ...(v.items.length > 0 ? itemLines(v.items) : lineSections(['_Nothing yet._'])));
  blocks.push(section('*Actions from last time*'), ...lineSections(v.openActions.length > 0 ? v.openActions.map(actionLine) : ['_No open actions._']));
  if (v.templateLines.length > 0) blocks.push(context(`*${esc(v.templateName)}* (a reminder): ${v.templateLines.map(esc).join(' · ')}`));
  blocks.push(
    section(v.recipientRole === 'supervisee' ? 'Reply here with what you would like to discuss — one item per line.' : 'Reply here with anything you want to add — one item per line.'),
    { type: 'actions', elements: [button('Add an item with a category', ACTIONS.addItem, v.sessionId), button('Flag a risk of harm to a child', ACTIONS.flagRisk, v.sessionId, 'danger')] },
    context('A risk of harm to a child goes to the DSL at once — it never waits for the session.'),
    ...supportBlocks(v.supportContacts),
  );
  return { text: `Supervision on ${v.startsAtText}: add your agenda items`, blocks };
}

function agenda(v: AgendaView): SlackMessage {
  const title = v.parked
    ? `Parked ${v.added} item${v.added === 1 ? '' : 's'} for the next session, marked as raised informally.`
    : v.added > 0
      ? `Added ${v.added} item${v.added === 1 ? '' : 's'}${v.startsAtText ? ` to the supervision on *${v.startsAtText}*` : ''}.`
      : 'Your agenda:';
  const blocks: KnownBlock[] = [section(title)];
  if (v.forNames) blocks.push(context(`Agenda of ${esc(v.forNames.join(', '))}`));
  for (const said of v.limits) blocks.push(section(`:warning: ${esc(said)}`));
  if (v.escalated && !v.unheard) blocks.push(section(':rotating_light: The item you flagged has gone to your DSL now.'));
  if (v.unheard) blocks.push(section(':rotating_light: *Phone your DSL now.* Nobody in your school is set up in Supervision Bot as DSL, deputy or headteacher, so the item you flagged could not reach anyone here. It is kept and goes to whoever is named next.'));
  if (v.parkedItems.length > 0) blocks.push(section('*Raised informally*'), ...itemLines(v.parkedItems));
  if (v.items.length > 0) blocks.push(section('*On the agenda*'), ...itemLines(v.items));
  else if (v.parkedItems.length === 0) blocks.push(...lineSections(['_Nothing on the agenda yet._']));
  blocks.push({ type: 'actions', elements: [button('Add an item to a session…', ACTIONS.addFor, 'form')] });
  if (v.escalated) blocks.push(...supportBlocks(v.supportContacts, '*Support for you*'));
  return { text: v.parked ? 'Parked for the next session' : v.added > 0 ? `Added ${v.added} agenda item(s)` : 'Your agenda', blocks };
}

/** `add` alone in the DM: the sessions it could go to, and the button that opens the form with the picker. */
function agendaForm(v: AgendaFormView): SlackMessage {
  const blocks: KnownBlock[] = [section('*Add an agenda item* — choose whose session it is for:')];
  if (v.notice) blocks.push(section(`:warning: ${esc(v.notice)}`));
  blocks.push(...lineSections(v.options.slice(0, 40).map((o) => `• ${esc(o.sessionText)}`)));
  blocks.push({ type: 'actions', elements: [button('Add an agenda item…', ACTIONS.addFor, 'form', 'primary')] });
  return { text: 'Add an agenda item: choose whose session it is for', blocks };
}

function agendaSuggestion(v: AgendaSuggestionView): SlackMessage {
  const blocks: KnownBlock[] = [section(esc(v.question)), section(`>${esc(v.text).replace(/\n/g, '\n>')}`)];
  const buttons = v.options.slice(0, 25).map((o) => button(v.options.length === 1 ? 'Add to the agenda' : `Add to ${o.sessionText}`, ACTIONS.addSuggested, suggestionValue(o.sessionId, v.text), 'primary'));
  for (let i = 0; i < buttons.length; i += 5) blocks.push({ type: 'actions', elements: buttons.slice(i, i + 5) });
  blocks.push(context('Nothing is added unless you choose to. You can pick a category before it is added.'));
  return { text: v.question, blocks };
}

export function recordMessage(v: RecordSheetView): SlackMessage {
  const blocks: KnownBlock[] = [
    header(`Supervision record — ${v.dateText}`),
    section(`*${esc(v.supervisor.name)}* with *${esc(v.supervisees.map((s) => s.name).join(', '))}* · version ${v.version} · *${esc(v.stateLabel)}*`),
  ];
  if (v.supersededByVersion) blocks.push(section(`:warning: *Superseded:* version ${v.supersededByVersion} corrects this record.`));
  if (v.riskUnheard) blocks.push(section(':rotating_light: *Phone your DSL now:* the risk of harm in this record could not reach anyone, because nobody in your school is set up in Supervision Bot as DSL, deputy or headteacher. It is kept and goes to whoever is named next.'))
  if (v.correction) blocks.push(...lineSections([`*Correcting version ${v.correction.supersedesVersion}* — started by ${esc(v.correction.byName)} on ${v.correction.atText}:`, ...esc(v.correction.reason).split('\n').map((l) => `>${l}`)]));
  if (v.topicLabels.length > 0) blocks.push(section(`*Topics:* ${v.topicLabels.map(esc).join(', ')}`));
  if (v.notes) blocks.push(...lineSections(['*Discussion*', ...esc(v.notes).split('\n')]));
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
  if (v.attendance && v.attendance.length > 0) blocks.push(...lineSections(['*Attendance*', ...v.attendance.map((a) => `• ${esc(a.name)} — ${a.stateText}`)]));
  if (v.actions.length > 0) blocks.push(...lineSections(['*Actions agreed*', ...v.actions.map((a) => `• ${esc(a.text)} — ${esc(a.ownerName)}, by ${a.dueText}`)]));
  if (v.previousActions.length > 0) blocks.push(...lineSections(['*Previous actions reviewed*', ...v.previousActions.map((a) => `• ${esc(a.text)}: ${esc(a.outcomeText)}${a.note ? ` — ${esc(a.note)}` : ''}`)]));
  if (v.lineManagerReferral) {
    const r = v.lineManagerReferral;
    blocks.push(...lineSections([`*Referred to line manager:* ${esc(r.kindText)}`, esc(r.note), `_${esc(r.statusText)}_`]));
  }
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
  const total = v.shown.reduce((n, key) => n + (c[key] ?? 0), 0);
  const lines = [
    ...overdueRows('Risk-of-harm escalations not acknowledged', v.escalations),
    ...overdueRows('Overdue supervision', v.sessions, (r) => ` · last: ${esc((r as OverdueRow & { lastSessionText: string }).lastSessionText)}`),
    ...overdueRows('Not engaging', v.notEngaging ?? []),
    ...overdueRows('Waiting for signatures', v.signatures ?? []),
    ...overdueRows('Records awaiting confirmation', v.records),
    ...overdueRows('Late actions', v.actions),
    ...overdueRows('Contracts due for review', v.reviews),
    ...overdueRows('Case decisions not on the child’s file', v.caseDecisions),
    ...overdueRows('Handover not written', v.handovers ?? []),
    ...overdueRows('Supervision training lapsed or lapsing', v.training ?? []),
    ...(v.unreachable.length > 0 ? [`*Not reachable* (${v.unreachable.length})`, ...v.unreachable.map((u) => `• *${esc(u.personName)}* — not reachable in ${u.platform} since ${u.sinceText}`)] : []),
  ];
  return {
    text: `Overdue summary for ${v.organisationName}: ${total} item${total === 1 ? '' : 's'}`,
    blocks: [
      header(`Overdue — ${v.organisationName}`),
      // only the lists this summary looked at: a filtered one does not show the others as nought
      context([v.generatedAtText, ...(v.filterText ? [esc(v.filterText)] : []), ...v.countFacts.map((f) => `${esc(f.label)} ${f.number}`)].join(' · ')),
      ...(lines.length > 0 ? lineSections(lines) : [section(v.filterText ? ':white_check_mark: Nothing on this list.' : ':white_check_mark: Nothing is overdue.')]),
    ],
  };
}

function escalation(v: EscalationView): SlackMessage {
  const blocks: KnownBlock[] = [
    header(':rotating_light: Risk of harm to a child'),
    section(`Raised by *${esc(v.raisedByName)}* about supervision of *${esc(v.subjectName)}* at ${v.raisedAtText} (${v.source === 'agenda-item' ? 'agenda item' : 'record concern'}):`),
    ...lineSections(esc(v.text).split('\n').map((l) => `>${l}`)),
  ];
  if (v.acknowledged) blocks.push(context(`Acknowledged by ${esc(v.acknowledgedByName ?? 'a DSL')}.`));
  else blocks.push({ type: 'actions', elements: [button('Acknowledge — I am dealing with it', ACTIONS.acknowledge, v.escalationId, 'primary')] });
  return { text: `Risk of harm raised by ${v.raisedByName}`, blocks };
}

const escalationRaised = (v: EscalationRaisedView): SlackMessage =>
  v.dslNames.length > 0
    ? {
        text: 'Your concern has gone to the DSL',
        blocks: [section(`:rotating_light: Thank you. What you flagged went to ${esc(v.dslNames.join(' and '))} at ${v.raisedAtText}. If a child is in immediate danger, call 999.`), ...supportBlocks(v.supportContacts, '*Support for you*')],
      }
    : {
        text: 'Phone your DSL now',
        blocks: [
          section(':rotating_light: *Phone your DSL now.* Nobody in your school is set up in Supervision Bot as DSL, deputy or headteacher, so this could not reach anyone here.'),
          section(`What you flagged at ${v.raisedAtText} is kept and goes to whoever is named next. If a child is in immediate danger, call 999.`),
          ...supportBlocks(v.supportContacts, '*Support for you*'),
        ],
      };

function incidentOffer(v: IncidentOfferView): SlackMessage {
  return {
    text: v.title,
    blocks: [
      section(`*${v.title}*${v.again ? ' (asking once more)' : ''}`),
      ...lineSections(v.lines.map(esc)),
      { type: 'actions', elements: [button('Yes', ACTIONS.incidentYes, v.offerId, 'primary'), button('Not now', ACTIONS.incidentNotNow, v.offerId)] },
      ...supportBlocks(v.supportContacts),
    ],
  };
}

function reminder(v: ReminderView): SlackMessage {
  const blocks: KnownBlock[] = [section(`*${esc(v.title)}*`), ...lineSections(v.lines.map(esc))];
  const buttons = [];
  if (v.action) {
    buttons.push(button('Done', ACTIONS.actionDone, v.action.id, 'primary'));
    if (v.action.canSetAside) buttons.push(button('Not needed', ACTIONS.actionNotNeeded, v.action.id));
  }
  if (v.caseDecision) buttons.push(button('Copied to the child’s file', ACTIONS.decisionCopied, `${v.caseDecision.recordId}:${v.caseDecision.decisionId}`, 'primary'));
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  if (v.sessionId) blocks.push(moveButtons(v.sessionId));
  if (v.invite?.url) blocks.push(inviteLink(v.invite.url));
  return { text: v.title, blocks };
}

/** "Add to calendar": the recipient's own invite (the bot's address, never text a person typed). */
const inviteLink = (url: string): KnownBlock => context(`:calendar: <${url.replace(/[<>|]/g, '')}|Add to calendar> — this session’s invite for Outlook, Google or Apple Calendar`);

const moveForm = (v: MoveFormView): SlackMessage => ({
  text: v.title,
  blocks: [
    section(`*${esc(v.title)}* — with ${esc(v.withNames.join(', '))}.`),
    context(v.cancel ? 'A session is only cancelled with a new time booked in the same step.' : `Both of you are told and the reminders move with it. A day after ${v.dueByText} needs a reason.`),
    { type: 'actions', elements: [button(v.cancel ? 'Pick the new time' : 'Pick a new date and time', v.cancel ? ACTIONS.cancel : ACTIONS.move, v.sessionId, 'primary')] },
  ],
});

/** "Did it happen?": Record it opens the record form; It did not happen opens the reason and the new time. */
const sessionCheckButtons = (sessionId: string): KnownBlock => ({
  type: 'actions',
  elements: [button('Record it', ACTIONS.openRecord, sessionId, 'primary'), button('It did not happen', ACTIONS.notHeld, sessionId)],
});

/** stour §4: asked of the supervisee, for a supervisor from outside who is not in the school's chat. */
const keptCheckButtons = (sessionId: string): KnownBlock => ({
  type: 'actions',
  elements: [button('It happened', ACTIONS.keptOpen, sessionId, 'primary'), button('It did not happen', ACTIONS.notHeld, sessionId)],
});

const sessionCheck = (v: SessionCheckView): SlackMessage => ({
  text: v.title,
  blocks: [section(`*${esc(v.title)}*`), ...lineSections(v.lines.map(esc)), v.kept ? keptCheckButtons(v.sessionId) : sessionCheckButtons(v.sessionId)],
});

/** The actions agreed at a session kept by the external supervisor: the button opens the modal. */
const keptForm = (v: KeptFormView): SlackMessage => ({
  text: v.title,
  blocks: [
    section(`*${esc(v.title)}*`),
    ...(v.notice ? [section(`:warning: ${esc(v.notice)}`)] : []),
    ...lineSections(v.lines.map(esc)),
    { type: 'actions', elements: [button('Record the actions agreed', ACTIONS.keptOpen, v.sessionId, 'primary')] },
  ],
});

const sessionRequest = (v: SessionRequestView): SlackMessage => ({
  text: v.title,
  blocks: [
    section(`*${esc(v.title)}*`),
    ...(v.reason ? lineSections(esc(v.reason).split('\n').map((l) => `>${l}`)) : []),
    context(`Please book it by ${v.bookByText} (a session on request) — after that your DSL is told. It is extra: the next scheduled session stays.`),
    { type: 'actions', elements: [button('Book the session', ACTIONS.bookRequest, v.requestId, 'primary')] },
  ],
});

/** The handover to write: what it holds, and the button to the modal where it is written. */
const handoverForm = (v: HandoverFormView): SlackMessage => ({
  text: v.title,
  blocks: [
    section(`*${esc(v.title)}*`),
    ...(v.notice ? [section(`:warning: ${esc(v.notice)}`)] : []),
    ...lineSections(v.lines.map(esc)),
    ...(v.actions.length > 0 ? lineSections(['*Open actions*', ...v.actions.map((a) => `• ${esc(a.text)} — ${esc(a.ownerName)}, due ${a.dueText}`)]) : []),
    ...(v.decisions.length > 0 ? lineSections(['*Case decisions not yet on the child’s file*', ...v.decisions.map((d) => `• ${esc(d.childRef)} — due ${d.copyDueText}`)]) : []),
    { type: 'actions', elements: [button('Write the handover', ACTIONS.openHandover, v.handoverId, 'primary')] },
  ],
});

/** A written handover, for the incoming supervisor (and the writer, and the safeguarding leads). */
const handover = (v: HandoverView): SlackMessage => ({
  text: v.title,
  blocks: [
    section(`*${esc(v.title)}*`),
    ...lineSections(v.lines.map(esc)),
    ...(v.kept.length > 0 ? lineSections(['*Actions kept (now with the new supervisor)*', ...v.kept.map((a) => `• ${esc(a.text)} — ${esc(a.ownerName)}, due ${a.dueText}`)]) : []),
    ...(v.closed.length > 0 ? lineSections(['*Actions closed*', ...v.closed.map((a) => `• ${esc(a.text)} — ${esc(a.note)}`)]) : []),
    ...lineSections(['*Themes to carry over*', ...(v.themes ? esc(v.themes).split('\n') : ['None given.'])]),
    ...lineSections(['*Note*', ...(v.note ? esc(v.note).split('\n') : ['None given.'])]),
    ...(v.decisions.length > 0 ? lineSections(['*Case decisions not yet on the child’s file*', ...v.decisions.map((d) => `• ${esc(d.childRef)} — ${esc(d.followUpByName)} follows it up, due ${d.copyDueText}`)]) : []),
    ...(v.disputes.length > 0 ? lineSections(['*Changes asked for and not yet settled*', ...v.disputes.map((d) => `• the record of ${d.dateText}`)]) : []),
  ],
});

/** The Agree button's value: the terms agreed to and the contract. */
export const agreeValue = (v: Pick<AgreementView, 'terms' | 'contractId'>) => `${v.terms}.${v.contractId}`;

const agreement = (v: AgreementView): SlackMessage => ({
  text: v.title,
  blocks: [
    header(v.title),
    section(
      [
        `*Supervisor:* ${esc(v.supervisorNames.join(', '))}`,
        `*Supervisee:* ${esc(v.superviseeNames.join(', '))}`,
        `*Frequency:* ${esc(v.frequencyText)}`,
        `*Length:* ${esc(v.lengthText)}`,
        `*Where:* ${esc(v.location)}`,
        `*Format:* ${esc(v.formatText)}`,
        `*Level:* ${esc(v.levelText)}`,
        `*A dispute is heard by:* ${esc(v.disputeText)}`,
        `*Review date:* ${esc(v.reviewText)}`,
      ].join('\n'),
    ),
    section(`*Records.* ${esc(v.recordsText)}`),
    section(`*Confidentiality.* What is said in supervision stays confidential, except where:\n${v.confidentialityLines.map((l) => `• ${esc(l)}`).join('\n')}`),
    ...(v.signed.length > 0 ? [context(`Agreed: ${v.signed.map((x) => `${esc(x.name)} (${esc(x.signedText)})`).join(', ')}`)] : []),
    ...(v.waitingNames.length > 0 ? [context(`Still to agree: ${esc(v.waitingNames.join(', '))} — sessions are booked once everyone has agreed.`)] : []),
    ...(v.agreedText ? [section(`*${esc(v.agreedText)}*`)] : []),
    { type: 'actions', elements: [...(v.canAgree ? [button('Agree', ACTIONS.agree, agreeValue(v), 'primary')] : []), button('Ask a question', ACTIONS.askAboutAgreement, v.contractId)] },
  ],
});

const agreementQuestion = (v: AgreementQuestionView): SlackMessage => ({
  text: v.title,
  blocks: [section(`*${esc(v.title)}*`), section(`From *${esc(v.askerName)}*:`), ...lineSections(esc(v.question).split('\n').map((l) => `>${l}`)), context('Reply to them directly; they agree in their chat when they are ready.')],
});

const contractReview = (v: ContractReviewView): SlackMessage => ({
  text: v.title,
  blocks: [
    section(`*${esc(v.title)}*`),
    section(
      `Its review is due on ${esc(v.reviewDueText)}: ${esc(v.cadence)}, ${v.durationMinutes} minutes, ${esc(v.location)}, level ${esc(v.level)}. Keep it as it is, or change it; either way the next review is set a year on and everyone in it agrees to the agreement again.`,
    ),
    { type: 'actions', elements: [button('Keep as it is', ACTIONS.reviewKeep, v.contractId, 'primary'), button('Change…', ACTIONS.reviewChange, v.contractId)] },
  ],
});

/** The parts of `next` about sessions after their time: waiting for an answer, and those that did not happen. */
function afterTheirTime(v: NextSessionView): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (v.pending) {
    blocks.push(
      section(
        `The session of *${v.pending.startsAtText}* with *${esc(v.pending.withNames.join(', '))}* has passed without a record: ${v.pending.canAnswer ? 'say whether it happened.' : 'your supervisor is asked whether it happened and books the new time.'}`,
      ),
    );
    if (v.pending.canAnswer) blocks.push(sessionCheckButtons(v.pending.id));
  }
  if (v.notHeld && v.notHeld.length > 0) blocks.push(context(v.notHeld.map((n) => `Did not happen: ${n.startsAtText} (${n.reasonText})`).join(' · ')));
  return blocks;
}

const requestButton = (): KnownBlock => ({ type: 'actions', elements: [button('Ask for a session', ACTIONS.requestSession, 'ask')] });

function next(v: NextSessionView): SlackMessage {
  if (!v.session) {
    const blocks = [...afterTheirTime(v), ...(v.pending ? [] : [section('You have no supervision session booked.')]), ...(v.canRequest ? [requestButton()] : [])];
    return { text: v.pending ? `Did the session of ${v.pending.startsAtText} happen?` : 'No session booked', blocks };
  }
  const blocks = [
    ...afterTheirTime(v),
    section(`Your next supervision is on *${v.session.startsAtText}* with *${esc(v.session.withNames.join(', '))}* (${esc(v.session.location)})${v.session.onRequest ? ' — an extra session, on request' : ''}.`),
    section('*Agenda*'),
    ...(v.items.length > 0 ? itemLines(v.items) : lineSections(['_Nothing yet — reply with items, one per line._'])),
  ];
  if (v.openActions.length > 0) blocks.push(...lineSections(['*Open actions*', ...v.openActions.map(actionLine)]));
  blocks.push(moveButtons(v.session.id));
  if (v.canRequest) blocks.push(requestButton());
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
    '• `add <text>` — an agenda item for your next session (a supervisor: `add Chloe: <text>`); `add` alone — choose the session from a list',
    '• `/supervision next` — your next session and its agenda',
    '• `/supervision actions` — your open actions, with *Done* when each is done',
    '• `/supervision move` — move your next session to a new date and time (`cancel` to cancel it and book a new time at once)',
    '• `/supervision calendar` — your sessions in your calendar app (`calendar revoke` to stop the address working)',
    '• `/supervision park <text>` — keep an item for your next session, marked as raised informally',
    '• `/supervision request [reason]` — ask your supervisor for a session between the scheduled ones',
    '• `dashboard` (in this chat) — a link that signs you in to the dashboard, once, within 10 minutes',
  ];
  if (v.isDsl) lines.push('• `/overdue [sessions|records|actions|reviews|not-engaging|signatures]` — who is behind, across your school', '• `/supervision correct <name>` — open that person’s latest signed record to correct it, with a reason', '• `/supervision incident` — after a major incident, offer extra supervision to the staff involved (`incident status` for the uptake)');
  if (v.canStart) lines.push('• `/supervision start <name>: <reason>` — start a contract before everyone has agreed to it (its first session is booked at once)');
  if (v.supportContacts.length > 0) lines.push('', '*Support*', ...v.supportContacts.map(supportLine));
  return { text: 'Supervision Bot help', blocks: [...lineSections(lines), ...(v.canRequest ? [requestButton()] : [])] };
}

const dispute = (v: DisputeNoticeView): SlackMessage => ({
  text: `A change was requested to the record of ${v.dateText}`,
  blocks: [
    section(`*A change was requested* to the supervision record of ${v.dateText} (${esc(v.supervisorName)} with ${esc(v.superviseeNames.join(', '))}) by *${esc(v.raisedByName)}*:`),
    ...lineSections(esc(v.reason).split('\n').map((l) => `>${l}`)),
  ],
});

const calendarLink = (v: CalendarLinkView): SlackMessage =>
  v.revoked || !v.url
    ? { text: 'Your calendar address no longer works', blocks: [section('Your calendar address no longer works. Type `calendar` for a new one.')] }
    : {
        text: 'Your supervision calendar',
        blocks: [
          section('*Your supervision calendar* — add this address to your calendar app (Outlook: Add calendar → Subscribe from web). Your sessions appear there and move when a session moves.'),
          section(`\`${esc(v.url)}\``),
          context('Anyone with this address can see your session times. Type `calendar revoke` to stop it working.'),
        ],
      };

/** `dashboard`: the bot's own address, so a Slack link (`<url|label>`) rather than escaped text. */
const dashboardLink = (v: DashboardLinkView): SlackMessage =>
  !v.url
    ? { text: 'The dashboard', blocks: [section('The dashboard is not available here just now.')] }
    : {
        text: 'Your link to the supervision dashboard',
        blocks: [
          section(`*Your link to the supervision dashboard:* <${v.url.replace(/[<>|]/g, '')}|Open the dashboard>`),
          context(v.signIn ? `It signs you in, works once and expires in ${v.validMinutes ?? 10} minutes. Do not share it: type \`dashboard\` for a new one.` : 'Open it in Microsoft Teams.'),
        ],
      };

/** "Open in the dashboard": the page itself, which asks a Slack user to sign in with `dashboard`. */
function openInDashboard(url: string): KnownBlock[] {
  return [
    section(`*<${url.replace(/[<>|]/g, '')}|Open in the dashboard>*`),
    context('Your school keeps supervision content out of chat. To sign in to the dashboard, type `dashboard` here.'),
  ];
}

/** Any view as a message. */
export function render(view: NotificationView): SlackMessage {
  const rendered = renderBlocks(view);
  // a school that keeps content out of chat: the words are in the dashboard, one link away
  const open = openInDashboardOf(view);
  const message = open ? { ...rendered, blocks: [...rendered.blocks, ...openInDashboard(open)] } : rendered;
    // the notification text beside the blocks is parsed as mrkdwn too, mentions included
  return { ...message, text: esc(message.text) };
}

function renderBlocks(view: NotificationView): SlackMessage {
  switch (view.type) {
    case 'agenda-prompt':
      return agendaPrompt(view);
    case 'agenda':
      return agenda(view);
    case 'agenda-suggestion':
      return agendaSuggestion(view);
    case 'agenda-form':
      return agendaForm(view);
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
    case 'move-form':
      return moveForm(view);
    case 'session-check':
      return sessionCheck(view);
    case 'kept-form':
      return keptForm(view);
    case 'session-request':
      return sessionRequest(view);
    case 'incident-offer':
      return incidentOffer(view);
    case 'agreement':
      return agreement(view);
    case 'agreement-question':
      return agreementQuestion(view);
    case 'contract-review':
      return contractReview(view);
    case 'actions':
      return actions(view);
    case 'help':
      return help(view);
    case 'dispute-notice':
      return dispute(view);
    case 'handover-form':
      return handoverForm(view);
    case 'handover':
      return handover(view);
    case 'calendar-link':
      return calendarLink(view);
    case 'dashboard-link':
      return dashboardLink(view);
    case 'text':
      return { text: clip(view.text, LIMITS.fallbackText), blocks: [...lineSections(esc(view.text).split('\n')), ...(view.invite?.url ? [inviteLink(view.invite.url)] : [])] };
    case 'refusal':
      return { text: clip(view.text, LIMITS.fallbackText), blocks: lineSections(esc(view.text).split('\n')) };
    case 'error':
      return { text: clip(view.message, LIMITS.fallbackText), blocks: lineSections(`:warning: ${esc(view.message)}`.split('\n')) };
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
