/**
 * A person's sessions as calendar events (RFC 5545). A moved session is the same event: its UID is the first
 * session of its chain of moves and its SEQUENCE the number of moves, so a calendar updates the event in place
 * (template "intervals": a session is moved to a new time, never dropped). A session that did not take place
 * without a new time is shown as cancelled. Only times, places and names: never agenda or record text.
 */
import type { Session, SupervisionContract } from './types.js';

export interface FeedEvent {
  uid: string;
  sequence: number;
  sessionId: string;
  start: Date;
  end: Date;
  summary: string;
  location: string;
  status: 'confirmed' | 'cancelled';
}

/** How far back a feed goes: a school year is enough to see what was held. */
export const FEED_HISTORY_DAYS = 400;

export function feedEvents(input: {
  personId: string;
  contracts: Array<Pick<SupervisionContract, 'id' | 'supervisorIds' | 'superviseeIds' | 'location' | 'kind'>>;
  sessions: Session[];
  nameOf(personId: string): string;
  now: Date;
}): FeedEvent[] {
  const byId = new Map(input.sessions.map((s) => [s.id, s]));
  const since = input.now.getTime() - FEED_HISTORY_DAYS * 86_400_000;
  const events: FeedEvent[] = [];
  for (const session of input.sessions) {
    // a moved session lives on in its replacement, which carries the same UID
    if (session.status === 'cancelled' && session.replacedBy && byId.has(session.replacedBy)) continue;
    if (session.startsAt.getTime() < since) continue;
    const contract = input.contracts.find((c) => c.id === session.contractId);
    if (!contract) continue;
    let root = session;
    let moves = 0;
    while (root.replaces && moves < 1000) {
      const previous = byId.get(root.replaces);
      if (!previous) break;
      root = previous;
      moves++;
    }
    const others = [...contract.supervisorIds, ...contract.superviseeIds].filter((id) => id !== input.personId).map(input.nameOf);
    events.push({
      uid: `${root.id}@supervision-bot`,
      sequence: moves,
      sessionId: session.id,
      start: session.startsAt,
      end: new Date(session.startsAt.getTime() + session.durationMinutes * 60_000),
      summary: `${contract.kind === 'group' ? 'Group supervision' : 'Supervision'} with ${others.join(', ')}`,
      location: contract.location,
      status: session.status === 'cancelled' || session.status === 'missed' ? 'cancelled' : 'confirmed',
    });
  }
  return events.sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** The session a chain of moves ends in: a moved session's invite shows where the session is now. */
export function latestInChain(sessions: Session[], sessionId: string): Session | undefined {
  const byId = new Map(sessions.map((s) => [s.id, s]));
  let current = byId.get(sessionId);
  for (let hops = 0; current?.replacedBy && byId.has(current.replacedBy) && hops < 1000; hops++) current = byId.get(current.replacedBy);
  return current;
}

/**
 * A three-way meeting about a referred change to a record (white-laith contract; template "complaints"):
 * in the calendars of both parties and of the person hearing it. Its UID stays when it is re-arranged, and its
 * SEQUENCE counts the times it was.
 */
export interface CalendarMeeting {
  /** `<recordId>.v<version>`: one meeting per disputed version. */
  id: string;
  organisationId: string;
  recordId: string;
  /** The record's date ("the supervision record of …"). */
  recordDate: string;
  /** Whose calendars it is in: the supervisor, the supervisees and the person hearing it. */
  personIds: string[];
  organizerId: string;
  at: Date;
  durationMinutes: number;
  location: string;
  sequence: number;
}

/** stour §5 sets no length for a three-way meeting: an hour is what it is booked for. */
export const MEETING_MINUTES = 60;

export function meetingEvent(meeting: CalendarMeeting, personId: string, nameOf: (id: string) => string, recordDateText: string): FeedEvent {
  const others = meeting.personIds.filter((id) => id !== personId).map(nameOf);
  return {
    uid: `meeting.${meeting.id}@supervision-bot`,
    sequence: meeting.sequence,
    sessionId: meeting.id,
    start: meeting.at,
    end: new Date(meeting.at.getTime() + meeting.durationMinutes * 60_000),
    summary: `Three-way meeting about the supervision record of ${recordDateText} with ${others.join(', ')}`,
    location: meeting.location,
    status: 'confirmed',
  };
}
