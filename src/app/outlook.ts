/**
 * Each session as an Outlook event in its supervisor's calendar, with the supervisees as attendees
 * (Microsoft Graph, application permission), kept in step from the queue: created when the session is booked,
 * moved with it (a move is the same event), cancelled when it ends without a new time. Idempotent: the job
 * reads where the session's chain of moves stands now and does only what is missing, so a retried or repeated
 * job never books twice — the create carries a transaction id Graph dedupes on, in case the process stopped
 * between Graph creating the event and the event id being stored on the session.
 */
import type { Logger } from 'pino';
import { latestInChain } from '../domain/calendar-feed.js';
import type { Session } from '../domain/types.js';
import type { AppDeps, OutlookCalendar, OutlookEvent } from './ports.js';

export type OutlookOutcome = 'created' | 'moved' | 'cancelled' | 'unchanged' | 'skipped';

/** The transaction id of a chain's event: its first session's id, the same on every retry. */
export const outlookTransactionId = (rootSessionId: string) => `supervision-${rootSessionId}`.slice(0, 250);

export async function syncOutlookEvent(deps: AppDeps, calendar: OutlookCalendar, sessionId: string, logger: Logger): Promise<OutlookOutcome> {
  const session = await deps.sessions.get(sessionId);
  if (!session) return 'skipped';
  const contract = await deps.contracts.get(session.contractId);
  if (!contract) return 'skipped';
  const sessions = await deps.sessions.byContract(contract.id);
  const byId = new Map(sessions.map((s) => [s.id, s]));
  let root: Session = byId.get(session.id) ?? session;
  for (let hops = 0; root.replaces && byId.has(root.replaces) && hops < 1000; hops++) root = byId.get(root.replaces) as Session;
  const latest = latestInChain(sessions, root.id) ?? session;
  const chain: Session[] = [];
  for (let s: Session | undefined = root, hops = 0; s && hops < 1000; s = s.replacedBy ? byId.get(s.replacedBy) : undefined, hops++) chain.push(s);
  const eventId = [...chain].reverse().find((s) => s.outlookEventId)?.outlookEventId;

  const people = await deps.people.getMany([...contract.supervisorIds, ...contract.superviseeIds]);
  const organizer = contract.supervisorIds.map((id) => people.find((p) => p.id === id)).find((p) => p?.identities.teamsAadObjectId);
  if (!organizer?.identities.teamsAadObjectId) {
    logger.info({ sessionId: latest.id, supervisorIds: contract.supervisorIds }, 'outlook: no supervisor with an Entra object id, skipped');
    return 'skipped';
  }
  const organizerId = organizer.identities.teamsAadObjectId;
  const goesAhead = latest.status === 'scheduled' || latest.status === 'held';

  if (!goesAhead) {
    if (!eventId || latest.outlookCancelledAt) return 'unchanged';
    await calendar.cancel(organizerId, eventId, 'This supervision session will not take place at this time.');
    await deps.sessions.setOutlook(latest.id, { outlookEventId: eventId, outlookCancelledAt: deps.clock.now() });
    logger.info({ sessionId: latest.id }, 'outlook: event cancelled');
    return 'cancelled';
  }
  if (latest.outlookEventId) return 'unchanged';

  const attendees = people.filter((p) => p.id !== organizer.id && [...contract.supervisorIds, ...contract.superviseeIds].includes(p.id));
  const missing = attendees.filter((p) => !p.identities.teamsAadObjectId || !p.email);
  if (missing.length > 0) logger.info({ sessionId: latest.id, personIds: missing.map((p) => p.id) }, 'outlook: attendees without an Entra object id left out');
  const names = attendees.map((p) => p.name);
  const event: OutlookEvent = {
    subject: `${contract.kind === 'group' ? 'Group supervision' : 'Supervision'}: ${organizer.name} with ${names.join(', ') || 'the group'}`,
    start: latest.startsAt,
    end: new Date(latest.startsAt.getTime() + latest.durationMinutes * 60_000),
    location: contract.location,
    attendees: attendees.filter((p) => p.identities.teamsAadObjectId && p.email).map((p) => ({ name: p.name, email: p.email })),
  };
  if (eventId) {
    await calendar.update(organizerId, eventId, event);
    await deps.sessions.setOutlook(latest.id, { outlookEventId: eventId });
    logger.info({ sessionId: latest.id }, 'outlook: event moved');
    return 'moved';
  }
  // a session already past is history, not something to put in a calendar now
  if (latest.status !== 'scheduled' || latest.startsAt.getTime() <= deps.clock.now().getTime()) return 'unchanged';
  const created = await calendar.create(organizerId, event, outlookTransactionId(root.id));
  await deps.sessions.setOutlook(latest.id, { outlookEventId: created });
  logger.info({ sessionId: latest.id }, 'outlook: event created');
  return 'created';
}
