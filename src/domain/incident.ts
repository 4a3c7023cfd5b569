/**
 * After a major incident (loughton §5): "In the event of a major incident, additional supervision will be offered
 * to all staff involved who request it." The DSL or headteacher names the incident privately and chooses who was
 * involved; each person is offered extra supervision once, and asked again once after ten school days if they said
 * "not now". The DSL sees uptake (offered, accepted, not now, held), never anyone's reasons.
 */
import type { Organisation, Person, Role } from './types.js';

/** "Not now" is asked again once, after this many school days. */
export const OFFER_AGAIN_SCHOOL_DAYS = 10;
export const INCIDENT_LIMITS = { name: 200, message: 500, people: 500 } as const;

/** Who was involved: named people, a line manager's team, everyone on the staff. */
export type IncidentScope = { kind: 'people'; personIds: string[] } | { kind: 'team'; lineManagerId: string } | { kind: 'everyone' };

export interface Incident {
  id: string;
  organisationId: string;
  /** What the DSL calls it: seen by the DSL and headteacher only, never logged, never on an offer. */
  incidentName: string;
  /** What the DSL chose to say to staff on the offer, if anything. */
  messageToStaff?: string;
  declaredById: string;
  declaredAt: Date;
  scope: IncidentScope['kind'];
  personIds: string[];
}

export type IncidentOfferStatus = 'offered' | 'accepted' | 'not-now';

export interface IncidentOffer {
  /** `<incidentId>.<personId>`. */
  id: string;
  incidentId: string;
  organisationId: string;
  personId: string;
  status: IncidentOfferStatus;
  offeredAt: Date;
  /** Asked again after "not now" (once). */
  askedAgainAt?: Date;
  answeredAt?: Date;
  /** "Yes": the session asked for (a session request on their contract), or the DSL told when there is none. */
  requestId?: string;
}

/** Staff who may be involved: everyone active who is supervised or supervises, or leads safeguarding. */
const STAFF_ROLES: readonly Role[] = ['supervisee', 'supervisor', 'dsl', 'deputy-dsl', 'headteacher'];
export function isStaff(p: Pick<Person, 'roles' | 'active'>): boolean {
  return p.active !== false && p.roles.some((r) => STAFF_ROLES.includes(r));
}

/** The DSL (or a deputy) and the headteacher declare an incident and see its uptake (loughton §5). */
export function canDeclareIncident(actor: Pick<Person, 'id' | 'organisationId' | 'roles'>, org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds' | 'headteacherId'>): boolean {
  if (actor.organisationId !== org.id) return false;
  return org.dslIds.includes(actor.id) || org.deputyDslIds.includes(actor.id) || org.headteacherId === actor.id || actor.roles.some((r) => r === 'dsl' || r === 'deputy-dsl' || r === 'headteacher');
}

/** The people an incident's scope names, among the organisation's people (the declarer left out of a group). */
export function peopleInvolved(scope: IncidentScope, people: readonly Person[], declarerId: string): Person[] {
  const staff = people.filter(isStaff);
  if (scope.kind === 'everyone') return staff.filter((p) => p.id !== declarerId);
  if (scope.kind === 'team') return staff.filter((p) => p.lineManagerId === scope.lineManagerId && p.id !== declarerId);
  return staff.filter((p) => scope.personIds.includes(p.id));
}

/** Uptake, counts only: offered, accepted, not now, and sessions held after a yes. */
export interface IncidentUptake {
  offered: number;
  accepted: number;
  notNow: number;
  waiting: number;
  held: number;
}

export type IncidentCommand =
  | { kind: 'how' }
  | { kind: 'status' }
  | { kind: 'declare'; who: { kind: 'everyone' } | { kind: 'team'; name: string } | { kind: 'people'; names: string[] }; incidentName: string; messageToStaff?: string }
  | { kind: 'error'; field: string; message: string };

/**
 * `incident` alone (how to), `incident status`, or `incident <who>: <name> [| <message to staff>]` where who is
 * `everyone`, `team <line manager>` or names separated by commas.
 */
export function parseIncidentCommand(typed: string): IncidentCommand | undefined {
  const match = /^\/?incident\b([\s\S]*)$/i.exec(typed.trim());
  if (!match) return undefined;
  const rest = (match[1] ?? '').trim();
  if (rest === '') return { kind: 'how' };
  if (/^status$/i.test(rest)) return { kind: 'status' };
  const colon = rest.indexOf(':');
  if (colon < 0) return { kind: 'error', field: 'text', message: 'text: say who was involved and name the incident, e.g. incident everyone: fire in the science block' };
  const whoText = rest.slice(0, colon).trim();
  const [namePart = '', ...messageParts] = rest.slice(colon + 1).split('|');
  const incidentName = namePart.trim();
  const messageToStaff = messageParts.join('|').trim();
  if (!whoText) return { kind: 'error', field: 'people', message: 'people: say who was involved — everyone, team <line manager>, or names separated by commas' };
  if (!incidentName) return { kind: 'error', field: 'incidentName', message: 'incidentName: name the incident after the colon (only you and the headteacher see it)' };
  if (incidentName.length > INCIDENT_LIMITS.name) return { kind: 'error', field: 'incidentName', message: `incidentName: can be at most ${INCIDENT_LIMITS.name} characters` };
  if (messageToStaff.length > INCIDENT_LIMITS.message) return { kind: 'error', field: 'messageToStaff', message: `messageToStaff: can be at most ${INCIDENT_LIMITS.message} characters` };
  const lower = whoText.toLowerCase();
  const who =
    lower === 'everyone' || lower === 'all staff' || lower === 'all'
      ? ({ kind: 'everyone' } as const)
      : lower.startsWith('team ')
        ? ({ kind: 'team', name: whoText.slice(5).trim() } as const)
        : ({ kind: 'people', names: whoText.split(',').map((n) => n.trim()).filter(Boolean) } as const);
  if (who.kind === 'team' && !who.name) return { kind: 'error', field: 'team', message: 'team: say whose team, e.g. incident team Sam Supervisor: …' };
  return { kind: 'declare', who, incidentName, ...(messageToStaff ? { messageToStaff } : {}) };
}
