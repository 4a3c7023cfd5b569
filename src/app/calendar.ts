/** Each person's private calendar feed (`/calendar/<secret>.ics`): their sessions, in any calendar app. */
import { randomBytes } from 'node:crypto';
import ical, { ICalEventStatus } from 'ical-generator';
import { z } from 'zod';
import { feedEvents } from '../domain/calendar-feed.js';
import { loadActor } from './context.js';
import { audit } from './effects.js';
import { parseInput, type UseCaseResult, useCase } from './errors.js';
import type { AppDeps } from './ports.js';
import type { CalendarLinkView } from './views.js';

/** A feed's secret: 64 hex digits (256 random bits). */
export const FEED_SECRET = /^[a-f0-9]{64}$/;
export const feedPath = (secret: string) => `/calendar/${secret}.ics`;

const noInput = z.object({}).strict();

/** `calendar`: the person's feed address, issued the first time. */
export const issueCalendarFeed = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  parseInput(noInput, input);
  const ctx = await loadActor(deps, actorId);
  const fresh = randomBytes(32).toString('hex');
  const existing = await deps.calendarFeeds.current(actorId);
  const secret = await deps.calendarFeeds.issue(actorId, ctx.org.id, existing ?? fresh, deps.clock.now());
  if (!existing) await audit(deps, { organisationId: ctx.org.id, actorId, action: 'calendar.issued', subject: { kind: 'person', id: actorId }, detail: {} });
  const view: CalendarLinkView = { type: 'calendar-link', path: feedPath(secret), revoked: false };
  return { ok: true, view };
});

/** `calendar revoke`: the address stops working; `calendar` gives a new one. */
export const revokeCalendarFeed = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  parseInput(noInput, input);
  const ctx = await loadActor(deps, actorId);
  if (await deps.calendarFeeds.revoke(actorId)) {
    await audit(deps, { organisationId: ctx.org.id, actorId, action: 'calendar.revoked', subject: { kind: 'person', id: actorId }, detail: {} });
  }
  const view: CalendarLinkView = { type: 'calendar-link', revoked: true };
  return { ok: true, view };
});

/** The iCalendar text of a feed, or null when no feed has that secret (never issued, or revoked). */
export async function calendarFeed(deps: AppDeps, secret: string): Promise<string | null> {
  if (!FEED_SECRET.test(secret)) return null;
  const owner = await deps.calendarFeeds.personOf(secret);
  if (!owner) return null;
  const person = await deps.people.get(owner.personId);
  if (!person || person.organisationId !== owner.organisationId) return null;
  const contracts = await deps.contracts.forPerson(person.id);
  const sessions = (await Promise.all(contracts.map((c) => deps.sessions.byContract(c.id)))).flat();
  const people = await deps.people.getMany([...new Set(contracts.flatMap((c) => [...c.supervisorIds, ...c.superviseeIds]))]);
  const now = deps.clock.now();
  const events = feedEvents({ personId: person.id, contracts, sessions, nameOf: (id) => people.find((p) => p.id === id)?.name ?? 'a colleague', now });
  const calendar = ical({ name: 'Supervision', prodId: { company: 'Supervision Bot', product: 'Supervision', language: 'EN' }, ttl: 60 * 60 });
  for (const e of events) {
    calendar.createEvent({
      id: e.uid,
      sequence: e.sequence,
      start: e.start,
      end: e.end,
      stamp: now,
      summary: e.summary,
      location: e.location,
      status: e.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return calendar.toString();
}
