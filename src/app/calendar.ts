/** Each person's private calendar feed (`/calendar/<secret>.ics`): their sessions, in any calendar app. */
import { randomBytes } from 'node:crypto';
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus, type ICalCalendar } from 'ical-generator';
import { z } from 'zod';
import { type CalendarMeeting, type FeedEvent, feedEvents, latestInChain, MEETING_MINUTES, meetingEvent } from '../domain/calendar-feed.js';
import type { Person, RecordSheet } from '../domain/types.js';
import { loadActor } from './context.js';
import { audit } from './effects.js';
import { parseInput, type UseCaseResult, useCase } from './errors.js';
import type { AppDeps } from './ports.js';
import { formatDate } from './present.js';
import type { CalendarLinkView, InviteLink } from './views.js';

/** A feed's secret: 64 hex digits (256 random bits). */
export const FEED_SECRET = /^[a-f0-9]{64}$/;
export const feedPath = (secret: string) => `/calendar/${secret}.ics`;

/** What an invite is for, and its id (a session's, or a meeting's `<recordId>.v<version>`). */
export type InviteKind = 'session' | 'meeting';
export const INVITE_ID = /^[A-Za-z0-9._:@-]{1,250}$/;
export const invitePath = (secret: string, kind: InviteKind, id: string) => `/calendar/${secret}/${kind}/${encodeURIComponent(id)}.ics`;

/** The person's feed secret, issued now when they have none (an invite lives under it). */
async function secretFor(deps: AppDeps, person: Pick<Person, 'id' | 'organisationId'>): Promise<string> {
  const existing = await deps.calendarFeeds.current(person.id);
  if (existing) return existing;
  const secret = await deps.calendarFeeds.issue(person.id, person.organisationId, randomBytes(32).toString('hex'), deps.clock.now());
  await audit(deps, { organisationId: person.organisationId, actorId: person.id, action: 'calendar.issued', subject: { kind: 'person', id: person.id }, detail: { for: 'invite' }, key: `calendar-issued:${person.id}:${secret.slice(0, 8)}` });
  return secret;
}

/**
 * A person's "Add to calendar" link for a session or a meeting: under their private feed's secret, so it is
 * theirs alone and `calendar revoke` stops it working with the feed.
 */
export async function inviteFor(deps: AppDeps, person: Pick<Person, 'id' | 'organisationId'>, kind: InviteKind, id: string): Promise<InviteLink> {
  return { path: invitePath(await secretFor(deps, person), kind, id) };
}

/** Each person's invite, by person id (for the messages a change sends to several people). */
export async function invitesFor(deps: AppDeps, organisationId: string, personIds: string[], kind: InviteKind, id: string): Promise<Map<string, InviteLink>> {
  const out = new Map<string, InviteLink>();
  for (const personId of personIds) out.set(personId, await inviteFor(deps, { id: personId, organisationId }, kind, id));
  return out;
}

/**
 * A three-way meeting about a referred change goes into the calendars of both parties and of the person
 * hearing it (issue: "the meeting in their calendars"). Re-arranged, it keeps its UID with a higher SEQUENCE.
 */
export async function putMeetingInCalendars(deps: AppDeps, record: RecordSheet, location: string): Promise<CalendarMeeting | null> {
  const meeting = record.dispute?.meeting;
  if (!meeting) return null;
  const id = `${record.id}.v${record.version}`;
  const personIds = [...new Set([record.supervisorId, ...record.superviseeIds, meeting.arrangedById])];
  await deps.calendarFeeds.putMeeting({ id, organisationId: record.organisationId, recordId: record.id, recordDate: record.date, personIds, organizerId: meeting.arrangedById, at: meeting.at, durationMinutes: MEETING_MINUTES, location });
  return deps.calendarFeeds.meeting(id);
}

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
  const meetings = await deps.calendarFeeds.meetingsFor(person.id);
  const met = await deps.people.getMany([...new Set(meetings.flatMap((m) => m.personIds))]);
  const nameOf = (id: string) => [...people, ...met].find((p) => p.id === id)?.name ?? 'a colleague';
  const org = await deps.organisations.get(person.organisationId);
  const events = [
    ...feedEvents({ personId: person.id, contracts, sessions, nameOf, now }),
    ...(org ? meetings.filter((m) => m.organisationId === org.id).map((m) => meetingEvent(m, person.id, nameOf, formatDate(org, m.recordDate))) : []),
  ].sort((a, b) => a.start.getTime() - b.start.getTime());
  const calendar = newCalendar();
  for (const e of events) addEvent(calendar, e, now);
  return calendar.toString();
}

const newCalendar = () => ical({ name: 'Supervision', prodId: { company: 'Supervision Bot', product: 'Supervision', language: 'EN' }, ttl: 60 * 60 });

function addEvent(calendar: ICalCalendar, e: FeedEvent, now: Date) {
  return calendar.createEvent({
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

/**
 * `GET /calendar/<secret>/<kind>/<id>.ics`: one session's or meeting's invite for the feed's owner (RFC 5546
 * iTIP over RFC 5545): METHOD:REQUEST with the organiser and the people in it, or METHOD:CANCEL for a session
 * that did not take place. An invite for a session that has moved since shows where it is now (same UID,
 * higher SEQUENCE), so opening an old one updates the event. Null for an unknown or revoked secret, or
 * something that is not the owner's.
 */
export async function calendarInvite(deps: AppDeps, secret: string, kind: InviteKind, id: string): Promise<string | null> {
  if (!FEED_SECRET.test(secret) || !INVITE_ID.test(id)) return null;
  const owner = await deps.calendarFeeds.personOf(secret);
  if (!owner) return null;
  const person = await deps.people.get(owner.personId);
  if (!person || person.organisationId !== owner.organisationId) return null;
  const org = await deps.organisations.get(person.organisationId);
  if (!org) return null;
  const now = deps.clock.now();
  let event: FeedEvent | undefined;
  let organizerId: string | undefined;
  let peopleIds: string[] = [];
  if (kind === 'session') {
    const session = await deps.sessions.get(id);
    if (!session || session.organisationId !== org.id) return null;
    const contract = await deps.contracts.get(session.contractId);
    if (!contract || ![...contract.supervisorIds, ...contract.superviseeIds].includes(person.id)) return null;
    const sessions = await deps.sessions.byContract(contract.id);
    const latest = latestInChain(sessions, session.id);
    peopleIds = [...contract.supervisorIds, ...contract.superviseeIds];
    organizerId = contract.supervisorIds[0];
    const people = await deps.people.getMany(peopleIds);
    const nameOf = (pid: string) => people.find((p) => p.id === pid)?.name ?? 'a colleague';
    event = feedEvents({ personId: person.id, contracts: [contract], sessions, nameOf, now }).find((e) => e.sessionId === latest?.id);
  } else {
    const meeting = await deps.calendarFeeds.meeting(id);
    if (!meeting || meeting.organisationId !== org.id || !meeting.personIds.includes(person.id)) return null;
    peopleIds = meeting.personIds;
    organizerId = meeting.organizerId;
    const people = await deps.people.getMany(peopleIds);
    const nameOf = (pid: string) => people.find((p) => p.id === pid)?.name ?? 'a colleague';
    event = meetingEvent(meeting, person.id, nameOf, formatDate(org, meeting.recordDate));
  }
  if (!event) return null;
  const people = await deps.people.getMany(peopleIds);
  const calendar = newCalendar();
  calendar.method(event.status === 'cancelled' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST);
  const created = addEvent(calendar, event, now);
  const organizer = people.find((p) => p.id === organizerId);
  if (organizer?.email) created.organizer({ name: organizer.name, email: organizer.email });
  for (const p of people) {
    if (!p.email || p.id === organizer?.id) continue;
    created.createAttendee({ name: p.name, email: p.email, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.NEEDSACTION });
  }
  return calendar.toString();
}
