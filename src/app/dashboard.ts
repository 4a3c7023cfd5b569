/**
 * The DSL dashboard's reads: the organisation's supervision figures per half term (template senior
 * manager (d): provision and impact reviewed in governance) and one person's supervision history.
 * Read-only and permission-checked here, exactly as in chat: the figures for the safeguarding leads
 * (`canSeeOverdue`), a history for the person, their leads or an auditor, and in it only the records the
 * viewer may see (`canViewRecord`).
 */
import { z } from 'zod';
import { canBrowseHistories, canSeeOverdue, canSeePersonHistory, canViewRecord } from '../domain/permissions.js';
import { type Balance, balanceOf, FUNCTION_LABELS, FUNCTIONS, lastYearFrom, neglectedFunctions, twoTermsBefore } from '../domain/balance.js';
import { type HalfTermFigures, supervisionFigures } from '../domain/stats.js';
import type { AttendanceState, Cadence, Person, RecordSheet, Role, Session, SessionStatus, SupervisionContract } from '../domain/types.js';
import { loadActor } from './context.js';
import { type HandoverHistoryRow, handoverHistory } from './handover.js';
import { parseInput, Refusal, type UseCaseResult, useCase } from './errors.js';
import { OVERDUE_REFUSAL } from './overdue.js';
import type { AppDeps, ComplianceSummary } from './ports.js';
import { formatDate, formatDateTime } from './present.js';

export const PERSON_ID = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a person id');

export interface HalfTermRow extends HalfTermFigures {
  /** "2025/26": half-term names repeat every year. */
  schoolYear: string;
  rangeText: string;
}

export interface DashboardView {
  type: 'dashboard';
  organisationName: string;
  generatedAtText: string;
  halfTerms: HalfTermRow[];
  totals: { due: number; held: number; heldOnTime: number; notHeld: number; signed: number; actionsDue: number; actionsClosedOnTime: number };
  /** People with a session due and not held now — the same people as `/overdue`'s overdue supervision. */
  overduePeople: number;
  /** template line manager (j): the people `/overdue` lists as not engaging, until a session is held. */
  notEngaging: Array<{ personId: string; personName: string; detail: string }>;
  rates: { heldOfDue: number | null; onTime: number | null; signed: number | null; actionsOnTime: number | null };
  /** Everyone in a supervision contract, for the drill-down. */
  staff: Array<{ id: string; name: string; roleText: string }>;
  /** The balance of supervision over the last year (Leeds briefing). */
  balance: BalanceView;
  /** People whose sessions have not touched personal support or professional development for two terms. */
  unbalanced: Array<{ personId: string; personName: string; missing: string[] }>;
  /** Since when `unbalanced` looks ("Mon 1 Sept 2025"). */
  unbalancedSinceText: string;
}

export interface BalanceView {
  fromText: string;
  toText: string;
  /** Signed sessions in the period. */
  sessions: number;
  /** Each function, with how many of those sessions touched it. */
  functions: Array<{ key: (typeof FUNCTIONS)[number]; label: string; sessions: number }>;
}

function balanceView(org: Pick<import('../domain/types.js').Organisation, 'timezone'>, b: Balance, from: string, to: string): BalanceView {
  return { fromText: formatDate(org, from), toText: formatDate(org, to), sessions: b.sessions, functions: FUNCTIONS.map((key) => ({ key, label: FUNCTION_LABELS[key], sessions: b[key] })) };
}

/** Supervisees in supervision for the whole window whose signed sessions in it missed support or development. */
function unbalancedPeople(contracts: SupervisionContract[], records: RecordSheet[], people: Person[], from: string, to: string): DashboardView['unbalanced'] {
  const since = new Map<string, string>();
  for (const c of contracts) {
    if (!c.active) continue;
    for (const id of c.superviseeIds) if (!since.has(id) || (since.get(id) as string) > c.startDate) since.set(id, c.startDate);
  }
  const out: DashboardView['unbalanced'] = [];
  for (const [personId, start] of since) {
    if (start > from) continue;
    const missing = neglectedFunctions(records.filter((r) => r.superviseeIds.includes(personId)), from, to);
    if (missing.length > 0) out.push({ personId, personName: people.find((p) => p.id === personId)?.name ?? 'a colleague', missing: missing.map((f) => FUNCTION_LABELS[f]) });
  }
  return out.sort((a, b) => a.personName.localeCompare(b.personName));
}

const ROLE_LABELS: Record<Role, string> = {
  dsl: 'Designated Safeguarding Lead',
  'deputy-dsl': 'Deputy DSL',
  headteacher: 'Headteacher',
  governor: 'Safeguarding governor',
  auditor: 'Auditor',
  supervisor: 'Supervisor',
  supervisee: 'Supervisee',
  admin: 'Administrator',
};

export function roleText(person: Pick<Person, 'roles'>): string {
  const order: Role[] = ['dsl', 'deputy-dsl', 'headteacher', 'governor', 'auditor', 'supervisor', 'supervisee', 'admin'];
  const first = order.find((r) => person.roles.includes(r));
  return first ? ROLE_LABELS[first] : 'Staff';
}

export function cadenceText(cadence: Cadence): string {
  switch (cadence.kind) {
    case 'weekly':
      return 'Weekly';
    case 'every-n-weeks':
      return `Every ${cadence.weeks} weeks`;
    case 'monthly':
      return 'Monthly';
    case 'half-termly':
      return 'Every half term';
    case 'termly':
      return 'Every term';
    case 'yearly':
      return 'Yearly';
  }
}

function schoolYear(start: string): string {
  const year = Number(start.slice(0, 4));
  const from = Number(start.slice(5, 7)) >= 8 ? year : year - 1;
  return `${from}/${String((from + 1) % 100).padStart(2, '0')}`;
}

/** The same rows as `/overdue`'s "Not engaging": who, and why, in words (ids and dates only behind them). */
function notEngagingRows(summaries: ComplianceSummary[], people: Person[]): DashboardView['notEngaging'] {
  const name = (id: string) => people.find((p) => p.id === id)?.name ?? 'a colleague';
  return summaries.flatMap((c) =>
    (c.notEngaging?.personIds ?? []).map((personId) => ({
      personId,
      personName: name(personId),
      detail:
        c.notEngaging?.reason === 'missed-in-a-row'
          ? `the last ${c.notEngaging.sessionIds.length} sessions with ${c.supervisorIds.map(name).join(', ')} did not happen`
          : c.notEngaging?.reason === 'absent-in-a-row'
            ? `absent from the last ${c.notEngaging.sessionIds.length} group sessions with ${c.supervisorIds.map(name).join(', ')}`
            : `has not said whether the session with ${c.superviseeIds.map(name).join(', ')} happened`,
    })),
  );
}

const dashboardInput = z.object({ halfTerms: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 to 18').max(18, 'must be 1 to 18').default(6) });

/** Held vs due per half term, on-time and signed rates, actions closed on time: a few whole-organisation reads. */
export const dashboardSummary = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<DashboardView>> => {
  const parsed = parseInput(dashboardInput, input ?? {});
  const ctx = await loadActor(deps, actorId);
  if (!canSeeOverdue(ctx.actor, ctx.org)) throw new Refusal(OVERDUE_REFUSAL);
  const { org, cal } = ctx;
  const now = deps.clock.now();
  const [contracts, sessions, records, actions, people, notEngaging] = await Promise.all([
    deps.contracts.byOrganisation(org.id),
    deps.sessions.byOrganisation(org.id),
    deps.records.byOrganisation(org.id),
    deps.actions.byOrganisation(org.id),
    deps.people.byOrganisation(org.id),
    deps.compliance.notEngagingAt(org.id, now),
  ]);
  const today = cal.localDate(now);
  const twoTerms = twoTermsBefore(org.termDates.halfTerms, today);
  const figures = supervisionFigures({
    org,
    cal,
    halfTerms: org.termDates.halfTerms,
    today,
    now,
    contracts,
    sessions,
    records,
    actions,
    count: parsed.halfTerms,
  });
  const view: DashboardView = {
    type: 'dashboard',
    organisationName: org.name,
    generatedAtText: formatDateTime(org, now),
    halfTerms: figures.halfTerms.map((h) => ({ ...h, schoolYear: schoolYear(h.start), rangeText: `${formatDate(org, h.start)} – ${formatDate(org, h.end)}` })),
    totals: figures.totals,
    overduePeople: contracts.filter((c) => figures.overdueContractIds.includes(c.id)).reduce((n, c) => n + c.superviseeIds.length, 0),
    notEngaging: notEngagingRows(notEngaging, people),
    rates: figures.rates,
    staff: staffOf(contracts, people),
    balance: balanceView(org, balanceOf(records, lastYearFrom(today), today), lastYearFrom(today), today),
    unbalanced: unbalancedPeople(contracts, records, people, twoTerms, today),
    unbalancedSinceText: formatDate(org, twoTerms),
  };
  return { ok: true, data: view };
});

function staffOf(contracts: SupervisionContract[], people: Person[]): DashboardView['staff'] {
  const inContracts = new Set(contracts.filter((c) => c.active).flatMap((c) => [...c.supervisorIds, ...c.superviseeIds]));
  return people
    .filter((p) => inContracts.has(p.id))
    .map((p) => ({ id: p.id, name: p.name, roleText: roleText(p) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface StaffView {
  type: 'staff';
  organisationName: string;
  staff: DashboardView['staff'];
}

/** Everyone in supervision, to open a history: for the leads, and for an auditor inspecting signed records. */
export const staffDirectory = useCase(async (deps: AppDeps, actorId: string, _input: unknown): Promise<UseCaseResult<StaffView>> => {
  const ctx = await loadActor(deps, actorId);
  if (!canBrowseHistories(ctx.actor, ctx.org)) throw new Refusal(OVERDUE_REFUSAL);
  const [contracts, people] = await Promise.all([deps.contracts.byOrganisation(ctx.org.id), deps.people.byOrganisation(ctx.org.id)]);
  return { ok: true, data: { type: 'staff', organisationName: ctx.org.name, staff: staffOf(contracts, people) } };
});

export interface PersonHistoryView {
  type: 'person-history';
  organisationName: string;
  person: { id: string; name: string; roleText: string };
  contracts: Array<{
    id: string;
    role: 'supervisee' | 'supervisor';
    kind: 'one-to-one' | 'group';
    withNames: string[];
    cadenceText: string;
    durationMinutes: number;
    lastHeldText: string;
    nextText: string;
    overdue: boolean;
    overdueFromText: string;
    reviewDueText: string;
    reviewOverdue: boolean;
  }>;
  sessions: Array<{
    id: string;
    date: string;
    dateText: string;
    status: SessionStatus;
    statusLabel: string;
    withNames: string[];
    /** The session's record, when the viewer may see it. */
    recordId?: string;
    /** A group session's attendance, as its record says (names and states only). */
    attendance?: Array<{ name: string; state: AttendanceState; stateText: string }>;
  }>;
  /** Handovers of the person's contracts (a change of supervisor): who wrote it, when, what was carried over. */
  handovers: HandoverHistoryRow[];
  records: Array<{
    recordId: string;
    version: number;
    date: string;
    dateText: string;
    state: RecordSheet['state'];
    stateLabel: string;
    supervisorName: string;
    superviseeNames: string[];
    signedText?: string;
    /** A later version corrects this signed one: it is kept, shown as superseded (stour §5, §8). */
    supersededByVersion?: number;
    /** "Superseded by version 2", or "Being corrected in version 2" while the correction is not yet signed. */
    supersededText?: string;
  }>;
  actions: Array<{ id: string; dueDate: string; dueText: string; late: boolean; /** Only from a record the viewer may see. */ text?: string }>;
  /** The balance of the person's own supervision over the last year (Leeds briefing), from signed records. */
  balance: BalanceView;
  /** Personal support or professional development, when their sessions have not touched it for two terms. */
  missing: string[];
  missingSinceText: string;
}

const STATUS_LABELS: Record<SessionStatus, string> = { scheduled: 'Booked', held: 'Held', cancelled: 'Moved or cancelled', missed: 'Did not happen' };
/**
 * A booked session whose time has passed is not "Booked": starting its record marks it held, so one still booked
 * after its time has no record — it was due and is not held (template line manager (e): supervision happens).
 */
function statusLabel(s: Pick<Session, 'status' | 'startsAt'>, now: Date): string {
  if (s.status === 'scheduled' && s.startsAt.getTime() <= now.getTime()) return 'Time passed — not recorded';
  return STATUS_LABELS[s.status];
}
const ATTENDANCE_LABELS: Record<AttendanceState, string> = { present: 'Present', apologies: 'Apologies', absent: 'Absent' };
const RECORD_LABELS: Record<RecordSheet['state'], string> = {
  draft: 'Draft',
  'awaiting-confirmation': 'Waiting for confirmation',
  signed: 'Signed by both',
  disputed: 'Change requested',
  resolved: 'Being corrected',
};

const historyInput = z.object({ personId: PERSON_ID });

/** A signed version with a later one: superseded once that is signed, being corrected until then. */
function supersession(record: RecordSheet, newest: RecordSheet | undefined): { supersededByVersion?: number; supersededText?: string } {
  if (record.state !== 'signed' || !newest || newest.version <= record.version) return {};
  const text = newest.state === 'signed' ? `Superseded by version ${newest.version}` : `Being corrected in version ${newest.version}`;
  return { supersededByVersion: newest.version, supersededText: text };
}

/** One person's supervision: their contracts, sessions, the records the viewer may see, open actions. */
export const personHistory = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<PersonHistoryView>> => {
  const parsed = parseInput(historyInput, input);
  const ctx = await loadActor(deps, actorId);
  const { org, cal, actor } = ctx;
  const subject = await deps.people.get(parsed.personId);
  // someone unknown and someone not theirs to see get the same answer: nothing about who exists
  if (!subject || !canSeePersonHistory(actor, subject, org)) throw new Refusal();
  const now = deps.clock.now();
  const today = cal.localDate(now);
  const [contracts, records, actions, handovers] = await Promise.all([
    deps.contracts.forPerson(subject.id),
    deps.records.forPerson(subject.id),
    deps.actions.openForPerson(subject.id),
    deps.handovers.forPerson(subject.id),
  ]);
  const mine = contracts.filter((c) => c.organisationId === org.id);
  const own = records.filter((r) => r.organisationId === org.id && r.superviseeIds.includes(subject.id));
  const twoTerms = twoTermsBefore(org.termDates.halfTerms, today);
  const [sessions, compliance] = await Promise.all([
    Promise.all(mine.map((c) => deps.sessions.byContract(c.id))).then((l) => l.flat()),
    Promise.all(mine.map((c) => deps.compliance.get(c.id))),
  ]);
  // the newest version of each record that this viewer may see (an auditor: the newest signed one)
  const visible = new Map<string, RecordSheet>();
  for (const r of records) {
    if (r.organisationId !== org.id || !canViewRecord(actor, r, org)) continue;
    const seen = visible.get(r.id);
    if (!seen || seen.version < r.version) visible.set(r.id, r);
  }
  // a signed version that a later one corrects stays in the history, marked superseded
  const newest = new Map<string, RecordSheet>();
  for (const r of records) {
    if (r.organisationId !== org.id) continue;
    const n = newest.get(r.id);
    if (!n || n.version < r.version) newest.set(r.id, r);
  }
  const superseded = records.filter((r) => r.organisationId === org.id && r.state === 'signed' && visible.get(r.id)?.version !== r.version && canViewRecord(actor, r, org));
  const ids = new Set<string>([subject.id]);
  for (const c of mine) for (const id of [...c.supervisorIds, ...c.superviseeIds]) ids.add(id);
  for (const r of visible.values()) for (const id of [r.supervisorId, ...r.superviseeIds]) ids.add(id);
  for (const h of handovers) for (const id of [h.fromId, h.toId, h.writtenById ?? h.fromId]) ids.add(id);
  const people = await deps.people.getMany([...ids]);
  const name = (id: string) => people.find((p) => p.id === id)?.name ?? 'a colleague';
  const contractOf = new Map(mine.map((c) => [c.id, c]));
  const recordOfSession = new Map([...visible.values()].map((r) => [r.sessionId, r.id]));

  const view: PersonHistoryView = {
    type: 'person-history',
    organisationName: org.name,
    person: { id: subject.id, name: subject.name, roleText: roleText(subject) },
    contracts: mine.map((c, i) => {
      const summary = compliance[i];
      const overdueFrom = summary?.sessionOverdueFrom;
      return {
        id: c.id,
        role: c.superviseeIds.includes(subject.id) ? 'supervisee' : 'supervisor',
        kind: c.kind,
        withNames: [...c.supervisorIds, ...c.superviseeIds].filter((id) => id !== subject.id).map(name),
        cadenceText: cadenceText(c.cadence),
        durationMinutes: c.durationMinutes,
        lastHeldText: summary?.lastHeldAt ? formatDate(org, summary.lastHeldAt) : 'none yet',
        // the summary was written when the session was booked: a time since passed is not a next session
        nextText: summary?.nextScheduledAt && summary.nextScheduledAt.getTime() > now.getTime() ? formatDateTime(org, summary.nextScheduledAt) : 'none booked',
        overdue: overdueFrom !== undefined && now.getTime() >= overdueFrom.getTime(),
        overdueFromText: overdueFrom && overdueFrom.getUTCFullYear() < 9999 ? formatDate(org, overdueFrom) : '—',
        reviewDueText: formatDate(org, c.reviewDueDate),
        reviewOverdue: c.reviewDueDate < today,
      };
    }),
    sessions: sessions
      .filter((s) => s.status !== 'cancelled' || s.startsAt.getTime() <= now.getTime())
      .sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime())
      .map((s) => {
        const c = contractOf.get(s.contractId);
        return {
          id: s.id,
          date: cal.localDate(s.startsAt),
          dateText: formatDateTime(org, s.startsAt),
          status: s.status,
          statusLabel: statusLabel(s, now),
          withNames: c ? [...c.supervisorIds, ...c.superviseeIds].filter((id) => id !== subject.id).map(name) : [],
          recordId: recordOfSession.get(s.id),
          ...(c?.kind === 'group' && s.attendance?.length ? { attendance: s.attendance.map((a) => ({ name: name(a.personId), state: a.state, stateText: ATTENDANCE_LABELS[a.state] })) } : {}),
        };
      }),
    handovers: handoverHistory(org, handovers, people, actor),
    records: [...visible.values(), ...superseded]
      .sort((a, b) => b.date.localeCompare(a.date) || b.version - a.version)
      .map((r) => ({
        recordId: r.id,
        version: r.version,
        date: r.date,
        dateText: formatDate(org, r.date),
        state: r.state,
        stateLabel: RECORD_LABELS[r.state],
        supervisorName: name(r.supervisorId),
        superviseeNames: r.superviseeIds.map(name),
        signedText: r.signedAt ? formatDateTime(org, r.signedAt) : undefined,
        ...supersession(r, newest.get(r.id)),
      })),
    actions: actions
      .filter((a) => a.organisationId === org.id)
      .map((a) => ({
        id: a.id,
        dueDate: a.dueDate,
        dueText: formatDate(org, a.dueDate),
        late: a.dueDate < today,
        text: visible.has(a.recordId) ? a.text : undefined,
      })),
    // topics only, never a record's text: the balance is read from every signed record of theirs as supervisee
    balance: balanceView(org, balanceOf(own, lastYearFrom(today), today), lastYearFrom(today), today),
    missing: unbalancedPeople(mine, own, [subject], twoTerms, today).filter((u) => u.personId === subject.id).flatMap((u) => u.missing),
    missingSinceText: formatDate(org, twoTerms),
  };
  return { ok: true, data: view };
});
