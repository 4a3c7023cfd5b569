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
