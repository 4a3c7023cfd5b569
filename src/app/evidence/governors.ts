/**
 * The governors' report (template senior manager (d): the provision and impact of safeguarding supervision are
 * reviewed within the school's governance): one term's figures, month by month, as counts only — no names of
 * supervisees, no record content. A count of 1 or 2 could point at a person in a small school, so every count
 * below `SMALL_COUNT` (3) is shown as "fewer than 3"; where a hidden count could be worked out from the term's
 * total and the other months, the next smallest count is hidden with it, and a rate is shown only when neither
 * its parts nor their difference is such a small number.
 *
 * Who: the safeguarding governor, the DSL, deputies and the headteacher (`canSeeGovernanceFigures`), and an
 * auditor or inspector, to whom the school's records are open for audit or inspection (template
 * "confidentiality" d) and who may already read signed records. Viewing the figures writes nothing; every
 * generated report (PDF) is an audit entry and signs the chain's head, as every export does.
 */
import { z } from 'zod';
import type { SchoolCalendar } from '../../domain/calendar.js';
import { canSeeGovernanceFigures } from '../../domain/permissions.js';
import { type HalfTermFigures, supervisionFigures } from '../../domain/stats.js';
import type { HalfTerm, LocalDate, Organisation, Person } from '../../domain/types.js';
import { loadActor } from '../context.js';
import { roleText } from '../dashboard.js';
import { audit } from '../effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase, ValidationError } from '../errors.js';
import type { AppDeps } from '../ports.js';
import { formatDate, formatDateTime } from '../present.js';
import { anchorAuditHead } from './verify.js';

/** Counts below this are not shown. */
export const SMALL_COUNT = 3;
export const GOVERNORS_REFUSAL = 'The governors’ figures are for the safeguarding governor, the DSL, deputies, the headteacher and an auditor.';
export const SUPPRESSION_TEXT = `Counts only: no names and nothing anyone wrote. So that nobody can be identified in a small school, a count of 1 or 2 is shown as “fewer than ${SMALL_COUNT}”, and where such a count could be worked out from a total, the next smallest count is hidden with it; a rate is shown only when the numbers behind it are large enough.`;

/** `autumn-2025`: a term by its name and the calendar year it starts in. */
export const TERM_ID = z.string().regex(/^(autumn|spring|summer)-\d{4}$/, 'must be a term such as autumn-2025, spring-2026 or summer-2026');

export const METRICS = ['due', 'held', 'didNotHappen', 'overdue', 'signed', 'actionsDue', 'actionsClosedOnTime'] as const;
export type Metric = (typeof METRICS)[number];
export const METRIC_LABELS: Record<Metric, string> = {
  due: 'Sessions due',
  held: 'Sessions held',
  didNotHappen: 'Did not happen',
  overdue: 'Overdue, not held',
  signed: 'Records signed',
  actionsDue: 'Actions due',
  actionsClosedOnTime: 'Actions closed on time',
};
/** The bars of the chart, in this order. */
export const CHART_METRICS: Metric[] = ['due', 'held', 'didNotHappen', 'signed', 'overdue'];

/** A count as shown: `value` is null when it is hidden. */
export interface Cell {
  value: number | null;
  text: string;
}

export interface GovernorsReport {
  type: 'governors-report';
  organisation: { id: string; name: string };
  generatedAt: string;
  generatedAtText: string;
  generatedBy: { name: string; roleText: string };
  term: { id: string; name: string; start: LocalDate; end: LocalDate; rangeText: string; current: boolean };
  /** Every term that has started, newest first, for choosing another. */
  terms: Array<{ id: string; name: string }>;
  threshold: number;
  suppressionText: string;
  /** The term month by month (a month after today is not shown yet). */
  months: Array<{ label: string; rangeText: string; cells: Record<Metric, Cell> }>;
  total: Record<Metric, Cell>;
  /** Ratios over the term, in words ("83%") or why not. */
  rates: Array<{ label: string; value: number | null; text: string }>;
  /** People being supervised under a contract now. */
  superviseesNow: Cell;
}

interface Term {
  id: string;
  name: string;
  start: LocalDate;
  end: LocalDate;
  /** The day before the next term starts: a holiday counts with the term before it, as in the dashboard. */
  until: LocalDate;
}

const addDays = (day: LocalDate, n: number): LocalDate => new Date(Date.parse(`${day}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The school's terms from its half terms (Autumn 1 and 2 make the autumn term), oldest first. */
export function termsOf(halfTerms: HalfTerm[]): Term[] {
  const ordered = [...halfTerms].sort((a, b) => a.start.localeCompare(b.start));
  const terms: Term[] = [];
  for (const h of ordered) {
    const last = terms[terms.length - 1];
    if (h.half === 2 && last && last.name.startsWith(h.term) && h.start > last.start) {
      last.end = h.end > last.end ? h.end : last.end;
      continue;
    }
    const year = h.start.slice(0, 4);
    terms.push({ id: `${h.term.toLowerCase()}-${year}`, name: `${h.term} term ${year}`, start: h.start, end: h.end, until: h.end });
  }
  for (let i = 0; i < terms.length; i++) {
    const next = terms[i + 1];
    (terms[i] as Term).until = next ? addDays(next.start, -1) : (terms[i] as Term).end;
  }
  return terms;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The term cut at month boundaries; the holiday after it (to the day before the next term) counts in its last
 * month, so a few days of September are not a month of the summer term.
 */
function monthsOf(term: Term): Array<{ label: string; start: LocalDate; end: LocalDate }> {
  const out: Array<{ label: string; start: LocalDate; end: LocalDate }> = [];
  let start = term.start;
  while (start <= term.end) {
    const [y, m] = start.split('-').map(Number) as [number, number];
    const nextMonth = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
    const end = addDays(nextMonth, -1) < term.end ? addDays(nextMonth, -1) : term.until;
    out.push({ label: `${MONTHS[m - 1]} ${y}`, start, end });
    start = nextMonth;
  }
  return out;
}

function counts(f: HalfTermFigures): Record<Metric, number> {
  return {
    due: f.due,
    held: f.held,
    didNotHappen: f.didNotHappen,
    // a session not held is one the supervisor said did not happen, or one that fell overdue unheld
    overdue: f.notHeld - f.didNotHappen,
    signed: f.signed,
    actionsDue: f.actionsDue,
    actionsClosedOnTime: f.actionsClosedOnTime,
  };
}

const small = (n: number) => n > 0 && n < SMALL_COUNT;
const shown = (n: number): Cell => ({ value: n, text: String(n) });
const hidden: Cell = { value: null, text: `fewer than ${SMALL_COUNT}` };
const hiddenWith: Cell = { value: null, text: 'not shown' };

/**
 * Hides the small counts of one measure across the months and the total: primary (1 or 2), then secondary (a
 * lone hidden month whose value the total would give away takes the next smallest non-zero month with it).
 */
export function suppress(months: number[], total: number): { months: Cell[]; total: Cell } {
  const cells = months.map((n) => (small(n) ? hidden : shown(n)));
  const totalCell = small(total) ? hidden : shown(total);
  const lone = months.filter(small).length === 1 && totalCell.value !== null;
  if (lone) {
    let pick = -1;
    months.forEach((n, i) => {
      if (cells[i]?.value !== null && n > 0 && (pick < 0 || n < (months[pick] as number))) pick = i;
    });
    // with no other month to hide, the total would give the count away: hide the total instead
    if (pick >= 0) cells[pick] = hiddenWith;
    else return { months: cells, total: hiddenWith };
  }
  return { months: cells, total: totalCell };
}

function rateCell(label: string, part: number, whole: number): GovernorsReport['rates'][number] {
  if (whole === 0) return { label, value: null, text: 'nothing to measure yet' };
  if (small(part) || small(whole) || small(whole - part)) return { label, value: null, text: 'not shown: the numbers are small' };
  const value = part / whole;
  return { label, value, text: `${Math.round(value * 100)}% (${part} of ${whole})` };
}

/** The report's figures for `termId` (the current or latest started term when not given). */
export async function buildGovernorsReport(deps: AppDeps, org: Organisation, cal: SchoolCalendar, viewer: Person, termId: string | undefined, now: Date): Promise<GovernorsReport> {
  const today = cal.localDate(now);
  const started = termsOf(org.termDates.halfTerms).filter((t) => t.start <= today);
  if (started.length === 0) throw new ValidationError('term', 'no term of the school’s dates has started yet');
  const term = termId ? started.find((t) => t.id === termId) : started[started.length - 1];
  if (!term) {
    throw new ValidationError('term', `${termId} is not a term of the school’s dates that has started; choose one of ${[...started].reverse().slice(0, 6).map((t) => t.id).join(', ')}`);
  }
  const [contracts, sessions, records, actions] = await Promise.all([
    deps.contracts.byOrganisation(org.id),
    deps.sessions.byOrganisation(org.id),
    deps.records.byOrganisation(org.id),
    deps.actions.byOrganisation(org.id),
  ]);
  const months = monthsOf(term).filter((m) => m.start <= today);
  // one row before the term and one after it catch what falls outside, so the months hold only their own
  const rows: HalfTerm[] = [
    { name: 'before', start: '0001-01-01', end: addDays(term.start, -1), term: 'Autumn', half: 1 },
    ...months.map((m) => ({ name: m.label, start: m.start, end: m.end, term: 'Autumn' as const, half: 1 as const })),
    { name: 'after', start: addDays(term.until, 1), end: '9999-12-31', term: 'Autumn', half: 1 },
  ];
  const figures = supervisionFigures({ org, cal, halfTerms: rows, today, now, contracts, sessions, records, actions, count: rows.length });
  const zero: HalfTermFigures = { name: '', start: '', end: '', current: false, due: 0, held: 0, heldOnTime: 0, notHeld: 0, didNotHappen: 0, signed: 0, actionsDue: 0, actionsClosedOnTime: 0 };
  const byMonth = months.map((m) => counts(figures.halfTerms.find((h) => h.name === m.label) ?? zero));
  const sum = Object.fromEntries(METRICS.map((k) => [k, byMonth.reduce((n, c) => n + c[k], 0)])) as Record<Metric, number>;
  const monthCells = months.map(() => ({}) as Record<Metric, Cell>);
  const total = {} as Record<Metric, Cell>;
  for (const k of METRICS) {
    const s = suppress(
      byMonth.map((c) => c[k]),
      sum[k],
    );
    s.months.forEach((cell, i) => {
      (monthCells[i] as Record<Metric, Cell>)[k] = cell;
    });
    total[k] = s.total;
  }
  const heldRows = byMonth.reduce((n, c) => n + c.held, 0);
  const heldOnTime = months.reduce((n, m) => n + (figures.halfTerms.find((h) => h.name === m.label)?.heldOnTime ?? 0), 0);
  const notHeld = sum.didNotHappen + sum.overdue;
  const supervisees = new Set(contracts.filter((c) => c.active).flatMap((c) => c.superviseeIds)).size;
  return {
    type: 'governors-report',
    organisation: { id: org.id, name: org.name },
    generatedAt: now.toISOString(),
    generatedAtText: formatDateTime(org, now),
    generatedBy: { name: viewer.name, roleText: roleText(viewer) },
    term: { id: term.id, name: term.name, start: term.start, end: term.end, rangeText: `${formatDate(org, term.start)} – ${formatDate(org, term.end)}`, current: term.start <= today && today <= term.until },
    terms: [...started].reverse().map((t) => ({ id: t.id, name: t.name })),
    threshold: SMALL_COUNT,
    suppressionText: SUPPRESSION_TEXT,
    months: months.map((m, i) => ({ label: m.label, rangeText: `${formatDate(org, m.start)} – ${formatDate(org, m.end)}`, cells: monthCells[i] as Record<Metric, Cell> })),
    total,
    rates: [
      rateCell('Sessions held of those due', heldRows, sum.due),
      rateCell('Held on time', heldOnTime, heldRows + notHeld),
      rateCell('Held sessions with a signed record', sum.signed, heldRows),
      rateCell('Actions closed by their due day', sum.actionsClosedOnTime, sum.actionsDue),
    ],
    superviseesNow: small(supervisees) ? hidden : shown(supervisees),
  };
}

const input = z.object({ term: TERM_ID.optional() }).strict();


/** The figures view (the dashboard's governors' page): a read, nothing written. */
export const governorsFigures = useCase(async (deps: AppDeps, actorId: string, raw: unknown): Promise<UseCaseResult<GovernorsReport>> => {
  const parsed = parseInput(input, raw ?? {});
  const ctx = await loadActor(deps, actorId);
  if (!canSeeGovernanceFigures(ctx.actor, ctx.org)) throw new Refusal(GOVERNORS_REFUSAL);
  return { ok: true, data: await buildGovernorsReport(deps, ctx.org, ctx.cal, ctx.actor, parsed.term, deps.clock.now()) };
});

/** The report as generated for download: the same figures, with its audit entry and a signed checkpoint. */
export const governorsReport = useCase(async (deps: AppDeps, actorId: string, raw: unknown): Promise<UseCaseResult<GovernorsReport>> => {
  const parsed = parseInput(input, raw ?? {});
  const ctx = await loadActor(deps, actorId);
  if (!canSeeGovernanceFigures(ctx.actor, ctx.org)) throw new Refusal(GOVERNORS_REFUSAL);
  const now = deps.clock.now();
  const report = await buildGovernorsReport(deps, ctx.org, ctx.cal, ctx.actor, parsed.term, now);
  await audit(deps, { organisationId: ctx.org.id, actorId, action: 'export.governors-report', subject: { kind: 'organisation', id: ctx.org.id }, detail: { term: report.term.id, format: 'pdf' }, at: now });
  await anchorAuditHead(deps, ctx.org.id, 'export');
  return { ok: true, data: report };
});
