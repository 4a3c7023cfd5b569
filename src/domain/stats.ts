/**
 * The figures governance asks of supervision (template senior manager (d): provision and impact are
 * reviewed): sessions held against sessions due per half term, how many were held on time, how many
 * records both parties signed, and how many agreed actions were closed by their due day.
 *
 * Pure: the caller passes every contract, session, record and action of the organisation once, so the
 * figures for a whole school come from a handful of reads rather than a query per person.
 */
import type { SchoolCalendar } from './calendar.js';
import { sessionDueBy, sessionOverdueFrom } from './cadence.js';
import type { AgreedAction, HalfTerm, LocalDate, Organisation, RecordSheet, Session, SupervisionContract } from './types.js';

export interface HalfTermFigures {
  name: string;
  start: LocalDate;
  end: LocalDate;
  /** The half term that contains today: its figures are still growing. */
  current: boolean;
  /** Sessions the contracts' cadences ask for with a due day in this half term. */
  due: number;
  held: number;
  heldOnTime: number;
  /**
   * Sessions due in this half term that fell overdue without being held and still have not been, and sessions
   * that did not happen (the supervisor said so): each counts as a session not held on time, so the on-time
   * rate agrees with the overdue list (loughton §2–5). A session that did not happen since the last one held
   * stands for one overdue due day, not one more.
   */
  notHeld: number;
  /** Of `notHeld`, the sessions the supervisor said did not happen; the rest fell overdue unheld. */
  didNotHappen: number;
  /** Held sessions whose record has a version both parties signed. */
  signed: number;
  /** Actions whose due day is in this half term and not after today. */
  actionsDue: number;
  actionsClosedOnTime: number;
}

export interface SupervisionFigures {
  halfTerms: HalfTermFigures[];
  totals: Omit<HalfTermFigures, 'name' | 'start' | 'end' | 'current'>;
  /** Ratios 0…1, or null when there is nothing to measure yet. */
  rates: { heldOfDue: number | null; onTime: number | null; signed: number | null; actionsOnTime: number | null };
  /** Contracts with a session due and not held now: the contracts of `/overdue`'s overdue supervision. */
  overdueContractIds: string[];
}

export const rate = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/**
 * The due days a contract's cadence sets from its start up to `until`, as if each session were held on its
 * due day — what the contract asks for, independent of when sessions were actually held.
 */
export function dueDays(contract: Pick<SupervisionContract, 'cadence' | 'startDate'>, cal: SchoolCalendar, until: LocalDate): LocalDate[] {
  const days: LocalDate[] = [];
  let last: LocalDate | undefined;
  // a yearly cadence over a long history is a handful of steps; the bound only stops a calendar gap looping
  for (let i = 0; i < 1000; i++) {
    const due = sessionDueBy(contract, last, cal);
    if (due > until || (last !== undefined && due <= last)) break;
    days.push(due);
    last = due;
  }
  return days;
}

/** Whether each held session (oldest first) was held before supervision under the contract fell overdue. */
export function heldOnTime(
  contract: Pick<SupervisionContract, 'cadence' | 'startDate'>,
  held: Array<Pick<Session, 'startsAt'>>,
  cal: SchoolCalendar,
  graceDays: number,
): boolean[] {
  let previous: Date | undefined;
  return held.map((s) => {
    const onTime = s.startsAt.getTime() < sessionOverdueFrom(contract, previous, cal, graceDays).getTime();
    previous = s.startsAt;
    return onTime;
  });
}

/**
 * The due days of sessions that were not held: from the last held session (or the contract's start), each due
 * day whose overdue moment has passed, as if each missing session had been held on its due day. The first one
 * is the moment `/overdue` lists the contract from (`sessionOverdueFrom`), so a contract has a session not held
 * exactly when it is on the overdue list (template line manager (e), (j)).
 */
export function sessionsNotHeld(
  contract: Pick<SupervisionContract, 'cadence' | 'startDate'>,
  lastHeldAt: Date | undefined,
  cal: SchoolCalendar,
  graceDays: number,
  now: Date,
): LocalDate[] {
  const missed: LocalDate[] = [];
  let last = lastHeldAt ? cal.localDate(lastHeldAt) : undefined;
  for (let i = 0; i < 1000; i++) {
    const due = sessionDueBy(contract, last, cal);
    if (last !== undefined && due <= last) break;
    const overdueFrom = cal.startOfDay(cal.nextSchoolDay(cal.addSchoolDays(due, Math.max(0, graceDays))));
    if (overdueFrom.getTime() > now.getTime()) break;
    missed.push(due);
    last = due;
  }
  return missed;
}

export interface FiguresInput {
  org: Pick<Organisation, 'overdueGraceDays'>;
  cal: SchoolCalendar;
  halfTerms: HalfTerm[];
  today: LocalDate;
  /** The instant the figures are for (sessions not held are counted up to it); the start of `today` when not given. */
  now?: Date;
  contracts: SupervisionContract[];
  sessions: Session[];
  records: RecordSheet[];
  actions: AgreedAction[];
  /** How many half terms to show, ending with the current one. */
  count: number;
}

export function supervisionFigures(input: FiguresInput): SupervisionFigures {
  const { cal, today } = input;
  const ordered = [...input.halfTerms].sort((a, b) => a.start.localeCompare(b.start));
  const upToNow = ordered.filter((h) => h.start <= today);
  const shown = upToNow.slice(Math.max(0, upToNow.length - input.count));
  const rows: HalfTermFigures[] = shown.map((h) => ({
    name: h.name,
    start: h.start,
    end: h.end,
    current: h.start <= today && today <= h.end,
    due: 0,
    held: 0,
    heldOnTime: 0,
    notHeld: 0,
    didNotHappen: 0,
    signed: 0,
    actionsDue: 0,
    actionsClosedOnTime: 0,
  }));
  // a day in a holiday counts in the half term before it (a session held in the break, an action due then)
  const rowOf = (day: LocalDate): HalfTermFigures | undefined => {
    for (let i = rows.length - 1; i >= 0; i--) if ((rows[i] as HalfTermFigures).start <= day) return rows[i];
    return undefined;
  };
  const last = rows[rows.length - 1];
  const horizon = last ? (last.end > today ? last.end : today) : today;

  const signedSessions = new Set(input.records.filter((r) => r.state === 'signed').map((r) => r.sessionId));
  const heldByContract = new Map<string, Session[]>();
  const missedByContract = new Map<string, Session[]>();
  for (const s of input.sessions) {
    if (s.status === 'missed') {
      const list = missedByContract.get(s.contractId) ?? [];
      list.push(s);
      missedByContract.set(s.contractId, list);
    }
    if (s.status !== 'held') continue;
    const list = heldByContract.get(s.contractId) ?? [];
    list.push(s);
    heldByContract.set(s.contractId, list);
  }

  const now = input.now ?? cal.startOfDay(today);
  const overdueContractIds: string[] = [];
  for (const contract of input.contracts) {
    const held = (heldByContract.get(contract.id) ?? []).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    if (contract.active) {
      for (const day of dueDays(contract, cal, horizon)) {
        const row = rowOf(day);
        if (row) row.due++;
      }
      const lastHeldAt = held[held.length - 1]?.startsAt;
      const missed = sessionsNotHeld(contract, lastHeldAt, cal, input.org.overdueGraceDays, now);
      if (missed.length > 0) overdueContractIds.push(contract.id);
      // a session that did not happen since the last one held stands for one of these due days, not one more
      const saidNotHeld = (missedByContract.get(contract.id) ?? []).filter((s) => !lastHeldAt || s.startsAt.getTime() > lastHeldAt.getTime()).length;
      for (const day of missed.slice(saidNotHeld)) {
        const row = rowOf(day) ?? rows[0];
        if (row) row.notHeld++;
      }
    }
    // template line manager (e): a session that did not happen was due and not held, in the half term of its day
    for (const s of missedByContract.get(contract.id) ?? []) {
      const row = rowOf(cal.localDate(s.startsAt)) ?? rows[0];
      if (row) {
        row.notHeld++;
        row.didNotHappen++;
      }
    }
    const onTime = heldOnTime(contract, held, cal, input.org.overdueGraceDays);
    held.forEach((s, i) => {
      const row = rowOf(cal.localDate(s.startsAt));
      if (!row) return;
      row.held++;
      if (onTime[i]) row.heldOnTime++;
      if (signedSessions.has(s.id)) row.signed++;
    });
  }

  for (const a of input.actions) {
    // an action the supervisor set aside as not needed is neither due nor late
    if (a.dueDate > today || a.status === 'not-needed') continue;
    const row = rowOf(a.dueDate);
    if (!row) continue;
    row.actionsDue++;
    if (a.status === 'done' && a.completedAt && cal.localDate(a.completedAt) <= a.dueDate) row.actionsClosedOnTime++;
  }

  const totals = { due: 0, held: 0, heldOnTime: 0, notHeld: 0, didNotHappen: 0, signed: 0, actionsDue: 0, actionsClosedOnTime: 0 };
  for (const r of rows) {
    totals.due += r.due;
    totals.held += r.held;
    totals.heldOnTime += r.heldOnTime;
    totals.notHeld += r.notHeld;
    totals.didNotHappen += r.didNotHappen;
    totals.signed += r.signed;
    totals.actionsDue += r.actionsDue;
    totals.actionsClosedOnTime += r.actionsClosedOnTime;
  }
  // half terms before any contract began show nothing: leave them out
  const firstUsed = rows.findIndex((r) => r.due + r.held + r.notHeld + r.actionsDue > 0 || r.current);
  return {
    halfTerms: firstUsed < 0 ? rows : rows.slice(firstUsed),
    totals,
    rates: {
      heldOfDue: rate(totals.held, totals.due),
      // a session due and not held is a session not held on time
      onTime: rate(totals.heldOnTime, totals.held + totals.notHeld),
      signed: rate(totals.signed, totals.held),
      actionsOnTime: rate(totals.actionsClosedOnTime, totals.actionsDue),
    },
    overdueContractIds,
  };
}
