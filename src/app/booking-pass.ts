/**
 * The booking pass over many contracts at once (start-up, P7): every contract without its future session gets
 * one, as `ensureNextSession` would give it, but read, decided and written in bulk — the contracts' sessions in
 * one read per 1,000 contracts, the times decided in memory against the timetable (no supervisor or room
 * double-booked, no booking into a year without term dates), the sessions inserted with `insertMany`, their audit
 * entries appended as one run of the chain, the compliance summaries in one bulk write. The insert is still the
 * race check: each session carries its booking key (`bookingKeyFor`), unique in the store, so two passes at once
 * book each contract once; a contract whose insert lost goes the one-by-one way, which finds the winner's session.
 */
import { setImmediate as ioTurn } from 'node:timers/promises';
import { isBookingHeld } from '../domain/agreement.js';
import { bookingKeyFor, lastHeldSession, nextCadenceSession, planNextSession, type Timetable } from '../domain/booking.js';
import { followUpsForSession } from '../domain/engagement.js';
import { remindersForSession } from '../domain/reminders.js';
import type { Organisation, Reminder, Session, SupervisionContract } from '../domain/types.js';
import { calendarOf } from './context.js';
import { complianceSummaryOf } from './effects.js';
import type { AppDeps } from './ports.js';
import { askForTermDates, ensureNextSession, roomOf, sessionIdFor } from './sessions.js';

const SLICE = 1_000;

/**
 * For a long loop decided in memory: every `every` items, the event loop answers what has come in meanwhile (a
 * platform's reply to a send, Redis's to a pacing script). Start-up decides thousands of sessions and reminders,
 * over a second at a time, while the lanes send; without a turn their sends waited behind it (P7).
 */
export function ioTurns(every = 50): () => Promise<void> | undefined {
  let n = 0;
  return () => (++n % every === 0 ? ioTurn() : undefined);
}

export interface BookingPassResult {
  /** Sessions this pass booked. */
  booked: number;
  /** The reminders every contract's next session should have (for the caller's one bulk sync). */
  reminders: Reminder[];
}

/**
 * Books the next session of each of the organisation's `contracts` that has none, and brings their compliance
 * summaries up to date. `timetable` holds the booked sessions of the organisation (each supervisor's and room's);
 * what this pass books is added to it.
 */
export async function bookNextSessions(deps: AppDeps, org: Organisation, contracts: SupervisionContract[], timetable: Timetable): Promise<BookingPassResult> {
  const cal = calendarOf(org);
  const now = deps.clock.now();
  const result: BookingPassResult = { booked: 0, reminders: [] };
  const remind = (session: Session, contract: SupervisionContract) =>
    result.reminders.push(...remindersForSession(session, contract, org, cal), ...followUpsForSession(session, contract, org, cal));
  const years = new Set<number>();
  const inFlight: Array<Promise<void>> = [];
  async function writeSlice(slice: SupervisionContract[], sessionsOf: Map<string, Session[]>, planned: Array<{ contract: SupervisionContract; session: Session }>): Promise<void> {
    const inserted = await deps.sessions.insertMany(planned.map((p) => p.session));
    const won = planned.filter((p) => inserted.has(p.session.id));
    for (const { contract, session } of won) sessionsOf.get(contract.id)?.push(session);
    result.booked += won.length;
    const lost = new Set(planned.filter((p) => !inserted.has(p.session.id)).map((p) => p.contract.id));
    const summaries = [];
    const turn = ioTurns();
    for (const contract of slice) {
      if (lost.has(contract.id)) continue;
      await turn();
      const own = sessionsOf.get(contract.id) ?? [];
      summaries.push(complianceSummaryOf(org, contract, own, now));
      const next = nextCadenceSession(own, now);
      if (next) remind(next, contract);
    }
    await Promise.all([
      // each booking audited, in the order booked, as one run of the organisation's chain
      deps.audit.appendMany(
        org.id,
        won.map(({ contract, session }) => ({ at: now, actorId: 'system', action: 'session.scheduled', subject: { kind: 'session', id: session.id }, detail: { contractId: contract.id } })),
      ),
      deps.outlookSync?.changedMany(won.map((p) => p.session.id)),
      deps.compliance.upsertMany(summaries),
    ]);
    // another booker was first for these: the one-by-one path reads what it booked (rare: two passes at once)
    for (const contract of slice) if (lost.has(contract.id)) await ensureNextSession(deps, org, contract);
  }
  // the same order every time, so two passes over the same data decide the same times
  // a contract waiting for signatures is booked when the last party agrees (or the DSL starts it early)
  const ordered = contracts.filter((c) => c.active && !isBookingHeld(c)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let i = 0; i < ordered.length; i += SLICE) {
    const slice = ordered.slice(i, i + SLICE);
    const sessionsOf = new Map<string, Session[]>(slice.map((c) => [c.id, []]));
    for (const s of await deps.sessions.byContracts(slice.map((c) => c.id))) sessionsOf.get(s.contractId)?.push(s);

    const planned: Array<{ contract: SupervisionContract; session: Session }> = [];
    const turn = ioTurns();
    for (const contract of slice) {
      await turn();
      const own = sessionsOf.get(contract.id) ?? [];
      if (nextCadenceSession(own, now)) continue;
      const { room } = roomOf(contract);
      const plan = planNextSession(contract, { now, lastHeldAt: lastHeldSession(own)?.startsAt, room, timetable }, cal, org.termDates);
      if (plan.kind === 'no-term-dates') years.add(plan.year);
      if (plan.kind !== 'book') continue;
      const session: Session = {
        id: sessionIdFor(org, contract.id, plan.startsAt),
        organisationId: org.id,
        contractId: contract.id,
        startsAt: plan.startsAt,
        durationMinutes: contract.durationMinutes,
        status: 'scheduled',
        bookedAt: now,
        bookingKey: bookingKeyFor(contract.id, own.length),
        ...(room ? { room } : {}),
      };
      timetable.add(session, contract.supervisorIds, room);
      planned.push({ contract, session });
    }

    // this slice's writes go on while the next slice is read and decided (its times already count in the timetable)
    const writes = writeSlice(slice, sessionsOf, planned);
    // a failure is thrown where it is awaited, below; until then it must not count as unhandled
    writes.catch(() => undefined);
    inFlight.push(writes);
    if (inFlight.length >= 2) await inFlight.shift();
  }
  for (const writes of inFlight) await writes;
  for (const year of years) await askForTermDates(deps, org, year);
  return result;
}
