/** CSV for the dashboard's exports: RFC 4180 quoting, and no cell a spreadsheet would run as a formula. */
import type { DashboardView } from '../../app/dashboard.js';
import type { OverdueSummaryView } from '../../app/views.js';

/**
 * Quotes every cell; a cell starting with = + - @ (or a tab / carriage return, which some spreadsheets
 * skip before a formula) gets a leading apostrophe so it is read as text (OWASP CSV injection).
 */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csv(rows: Array<Array<string | number | null | undefined>>): string {
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

const SECTIONS: Array<[keyof Pick<OverdueSummaryView, 'sessions' | 'records' | 'actions' | 'reviews' | 'caseDecisions' | 'escalations'>, string]> = [
  ['sessions', 'Supervision overdue'],
  ['records', 'Record not confirmed'],
  ['actions', 'Action late'],
  ['reviews', 'Contract review due'],
  ['caseDecisions', 'Case decision not on child’s file'],
  ['escalations', 'Escalation not acknowledged'],
];

/** The `/overdue` summary, one row per item: the same names, details and day counts as in chat. */
export function overdueCsv(view: OverdueSummaryView): string {
  const rows: Array<Array<string | number>> = [['section', 'person', 'detail', 'days overdue', 'reference']];
  for (const [key, label] of SECTIONS) for (const r of view[key]) rows.push([label, r.personName, r.detail, r.daysOverdue, r.refId]);
  for (const u of view.unreachable) rows.push(['Not reachable', u.personName, `${u.platform} since ${u.sinceText}`, '', u.personId]);
  return csv(rows);
}

const percent = (r: number | null) => (r === null ? '' : `${Math.round(r * 100)}%`);

/** Held vs due per half term and the rates, as a governors' report would table them. */
export function figuresCsv(view: DashboardView): string {
  const rows: Array<Array<string | number>> = [
    ['half term', 'school year', 'from', 'to', 'sessions due', 'sessions held', 'held on time', 'due and not held', 'records signed', 'actions due', 'actions closed on time'],
  ];
  for (const h of view.halfTerms) rows.push([h.name, h.schoolYear, h.start, h.end, h.due, h.held, h.heldOnTime, h.notHeld, h.signed, h.actionsDue, h.actionsClosedOnTime]);
  const t = view.totals;
  rows.push(['Total', '', '', '', t.due, t.held, t.heldOnTime, t.notHeld, t.signed, t.actionsDue, t.actionsClosedOnTime]);
  // on time: of the sessions held and those due and not held
  rows.push(['Rate', '', '', '', '', percent(view.rates.heldOfDue), percent(view.rates.onTime), '', percent(view.rates.signed), '', percent(view.rates.actionsOnTime)]);
  return csv(rows);
}
