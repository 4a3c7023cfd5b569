/**
 * Booking a contract's next session from its cadence, decided in memory: the start-up pass reads a whole
 * organisation's contracts, sessions and timetable once and books every contract that has no future session
 * (P7: 10,000 at once); `ensureNextSession` books one contract the same way.
 */
import { proposeSessionTimes } from './cadence.js';
import type { SchoolCalendar } from './calendar.js';
import { hasYearDates, schoolYearOf } from './school-year.js';
import { overlaps } from './session.js';
import type { Session, SupervisionContract } from './types.js';

/** stour §5: supervision is held during the working day; the last start offered is this local time. */
export const LATEST_START = '17:30';
export const SLOT_STEP_MS = 15 * 60_000;
/** How many school days after the cadence's day a booking may go to find a time free of clashes. */
const CLASH_SEARCH_SCHOOL_DAYS = 5;

/**
 * The key of a booking from the cadence: the contract and how many sessions it had when the booking was
 * decided. The store keeps it unique, so two bookers that read the same sessions cannot both book, even when
 * they chose different times; a later booking sees one more session and so has a new key.
 */
export function bookingKeyFor(contractId: string, sessionCount: number): string {
  return `${contractId}#${sessionCount}`;
}

/** The contract's cadence session still to come (a session booked on request is on top of it, stour App. C). */
export function nextCadenceSession(sessions: Session[], now: Date): Session | undefined {
  return sessions
    .filter((s) => s.status === 'scheduled' && !s.onRequest && s.startsAt.getTime() > now.getTime())
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())[0];
}

export function lastHeldSession(sessions: Session[]): Session | undefined {
  return sessions.filter((s) => s.status === 'held').sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime())[0];
}

type Slot = { startsAt: Date; durationMinutes: number };

/**
 * The booked sessions a new one must not overlap: each supervisor's (a person is in one session at a time) and
 * each room's (two sessions never share a room at once). Filled from the store's booked sessions and added to
 * as a pass books, so a pass never books two of its own sessions into each other.
 */
export class Timetable {
  private readonly byPerson = new Map<string, Slot[]>();
  private readonly byRoom = new Map<string, Slot[]>();

  add(slot: Slot, supervisorIds: readonly string[], room?: string): void {
    const copy = { startsAt: slot.startsAt, durationMinutes: slot.durationMinutes };
    for (const id of new Set(supervisorIds)) this.push(this.byPerson, id, copy);
    if (room) this.push(this.byRoom, room, copy);
  }

  clashes(slot: Slot, supervisorIds: readonly string[], room?: string): boolean {
    for (const id of supervisorIds) if (this.byPerson.get(id)?.some((s) => overlaps(s, slot))) return true;
    return room ? (this.byRoom.get(room)?.some((s) => overlaps(s, slot)) ?? false) : false;
  }

  private push(map: Map<string, Slot[]>, key: string, slot: Slot): void {
    const list = map.get(key);
    if (list) list.push(slot);
    else map.set(key, [slot]);
  }
}

export type BookingPlan =
  | { kind: 'book'; startsAt: Date }
  /** The time falls in a school year with no term dates: nothing is booked, the administrators are asked. */
  | { kind: 'no-term-dates'; year: number }
  | { kind: 'nothing' };

/**
 * When the contract's next session goes: the time asked for (a confirmed record's next session), else the
 * cadence's; moved to the first free time on that school day or the next few when it clashes with a
 * supervisor's other session or the room's (the cadence's time is kept when none is free).
 */
export function planNextSession(
  contract: Pick<SupervisionContract, 'cadence' | 'startDate' | 'preferredTime' | 'durationMinutes' | 'supervisorIds'>,
  input: { now: Date; lastHeldAt?: Date; preferred?: Date; room?: string; timetable?: Timetable },
  cal: SchoolCalendar,
  termDates: Parameters<typeof hasYearDates>[0],
): BookingPlan {
  const [proposed] = input.preferred ? [input.preferred] : proposeSessionTimes(contract, input.now, input.lastHeldAt, cal, 1);
  if (!proposed) return { kind: 'nothing' };
  const year = schoolYearOf(cal.localDate(proposed));
  if (!hasYearDates(termDates, year)) return { kind: 'no-term-dates', year };
  const startsAt = input.timetable ? (firstFreeTime(contract, proposed, input.room, input.timetable, cal) ?? proposed) : proposed;
  const movedYear = schoolYearOf(cal.localDate(startsAt));
  return hasYearDates(termDates, movedYear) ? { kind: 'book', startsAt } : { kind: 'book', startsAt: proposed };
}

function firstFreeTime(
  contract: Pick<SupervisionContract, 'preferredTime' | 'durationMinutes' | 'supervisorIds'>,
  from: Date,
  room: string | undefined,
  timetable: Timetable,
  cal: SchoolCalendar,
): Date | null {
  let day = cal.localDate(from);
  for (let n = 0; n <= CLASH_SEARCH_SCHOOL_DAYS; n++) {
    const start = n === 0 ? from : cal.atLocalTime(day, contract.preferredTime);
    const close = cal.atLocalTime(day, LATEST_START).getTime();
    // the preferred time first; then the rest of the school day from its start
    const tries = [start.getTime()];
    for (let t = start.getTime() + SLOT_STEP_MS; t <= close; t += SLOT_STEP_MS) tries.push(t);
    for (let t = cal.atLocalTime(day, '08:00').getTime(); t < start.getTime(); t += SLOT_STEP_MS) if (n > 0) tries.push(t);
    for (const t of tries) {
      const slot = { startsAt: new Date(t), durationMinutes: contract.durationMinutes };
      if (!timetable.clashes(slot, contract.supervisorIds, room)) return slot.startsAt;
    }
    day = cal.nextSchoolDay(day);
  }
  return null;
}
