/** Loading what a use case needs, once, with the refusals that reveal nothing. */
import { SchoolCalendar } from '../domain/calendar.js';
import type { Organisation, Person, SupervisionContract } from '../domain/types.js';
import { Refusal } from './errors.js';
import type { AppDeps } from './ports.js';

const calendars = new WeakMap<Organisation, SchoolCalendar>();

export function calendarOf(org: Organisation): SchoolCalendar {
  let cal = calendars.get(org);
  if (!cal) {
    cal = new SchoolCalendar(org);
    calendars.set(org, cal);
  }
  return cal;
}

export interface ActorContext {
  actor: Person;
  org: Organisation;
  cal: SchoolCalendar;
}

export async function loadActor(deps: AppDeps, actorId: string): Promise<ActorContext> {
  const actor = await deps.people.get(actorId);
  if (!actor) throw new Refusal('Sorry — I do not know you yet. Ask your DSL to add you to Supervision Bot.');
  const org = await deps.organisations.get(actor.organisationId);
  if (!org) throw new Refusal('Sorry — I do not know you yet. Ask your DSL to add you to Supervision Bot.');
  return { actor, org, cal: calendarOf(org) };
}

export async function loadContract(deps: AppDeps, ctx: ActorContext, contractId: string): Promise<SupervisionContract> {
  const contract = await deps.contracts.get(contractId);
  if (!contract || contract.organisationId !== ctx.org.id) throw new Refusal();
  return contract;
}

/** The contract a person means when they do not say: the one with the soonest next session. */
export async function defaultContract(deps: AppDeps, ctx: ActorContext, preferSupervisee = true): Promise<SupervisionContract> {
  const contracts = await deps.contracts.forPerson(ctx.actor.id);
  if (contracts.length === 0) throw new Refusal('You have no supervision contract yet — your DSL can set one up.');
  const now = deps.clock.now();
  const scored = await Promise.all(
    contracts.map(async (c) => ({
      c,
      next: (await deps.sessions.nextScheduled(c.id, now))?.startsAt.getTime() ?? Number.POSITIVE_INFINITY,
      asSupervisee: c.superviseeIds.includes(ctx.actor.id),
    })),
  );
  scored.sort((a, b) => (preferSupervisee ? Number(b.asSupervisee) - Number(a.asSupervisee) : 0) || a.next - b.next);
  return (scored[0] as { c: SupervisionContract }).c;
}

export function namesOf(people: Person[], ids: string[]): string[] {
  return ids.map((id) => people.find((p) => p.id === id)?.name ?? 'a colleague');
}
