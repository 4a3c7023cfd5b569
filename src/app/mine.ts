/**
 * "My supervision": one person's own page on the dashboard (Teams' personal tab, the Slack sign-in link) —
 * their next session and its agenda, the records waiting for them, their open actions and their history.
 * A supervisor also opens the same page for each person they supervise now, showing only what comes from
 * their own contracts with that person; anyone else is refused, leads included (they have the person history).
 * The response is described by a zod schema so the browser app shares its type.
 */
import { z } from 'zod';
import { canViewRecord } from '../domain/permissions.js';
import type { Person, RecordSheet, SupervisionContract } from '../domain/types.js';
import { PERSON_ID, roleText } from './dashboard.js';
import { loadActor } from './context.js';
import { parseInput, Refusal, type UseCaseResult, useCase } from './errors.js';
import type { AppDeps } from './ports.js';
import { agendaItemView, formatDate, formatDateTime, openActionView } from './present.js';

export const mySupervisionInput = z.object({ personId: PERSON_ID.optional() }).strict();

const recordState = z.enum(['draft', 'awaiting-confirmation', 'signed', 'disputed', 'resolved']);
const agendaItem = z.object({ id: z.string(), text: z.string(), authorName: z.string(), categoryLabel: z.string(), riskOfHarm: z.boolean(), informalText: z.string().optional() });
const action = z.object({ id: z.string(), text: z.string().optional(), ownerName: z.string(), dueText: z.string(), late: z.boolean() });

export const mySupervisionView = z.object({
  type: z.literal('my-supervision'),
  organisationName: z.string(),
  person: z.object({ id: z.string(), name: z.string(), roleText: z.string() }),
  /** The viewer's own page (false: a supervisor looking at a supervisee's). */
  own: z.boolean(),
  nextSession: z
    .object({
      id: z.string(),
      startsAtText: z.string(),
      withNames: z.array(z.string()),
      location: z.string(),
      durationMinutes: z.number(),
      agenda: z.array(agendaItem),
    })
    .nullable(),
  /** Records asking something of the person: to confirm, or (as supervisor) to write, finish or change. */
  waiting: z.array(z.object({ recordId: z.string(), version: z.number(), dateText: z.string(), withNames: z.array(z.string()), state: recordState, what: z.string() })),
  actions: z.array(action),
  history: z.object({
    records: z.array(z.object({ recordId: z.string(), version: z.number(), dateText: z.string(), withNames: z.array(z.string()), state: recordState, stateLabel: z.string() })),
    sessions: z.array(z.object({ id: z.string(), dateText: z.string(), withNames: z.array(z.string()), statusLabel: z.string() })),
  }),
  /** On one's own page: the people one supervises now, each a link to their page. */
  supervisees: z.array(z.object({ id: z.string(), name: z.string(), nextText: z.string(), waiting: z.number(), lateActions: z.number() })),
});
export type MySupervisionView = z.infer<typeof mySupervisionView>;

const STATE_LABELS: Record<RecordSheet['state'], string> = {
  draft: 'Draft',
  'awaiting-confirmation': 'Waiting for confirmation',
  signed: 'Signed by both',
  disputed: 'Change requested',
  resolved: 'Being corrected',
};
const SESSION_LABELS = { scheduled: 'Booked', held: 'Held', cancelled: 'Moved or cancelled', missed: 'Did not happen' } as const;

/** What a record asks of `personId` now, or nothing; said to them (`own`) or to their supervisor. */
function asks(r: RecordSheet, personId: string, own = true): string | undefined {
  const supervisor = r.supervisorId === personId;
  if (r.state === 'draft' && supervisor) return 'To write and send to confirm';
  if (r.state === 'awaiting-confirmation' && !r.confirmations.some((c) => c.personId === personId)) return own ? 'Waiting for your confirmation' : 'Waiting for their confirmation';
  if ((r.state === 'disputed' || r.state === 'resolved') && supervisor) return 'A change was asked for: edit and resend';
  return undefined;
}

export const mySupervision = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<MySupervisionView>> => {
  const parsed = parseInput(mySupervisionInput, input);
  const ctx = await loadActor(deps, actorId);
  const { org, actor, cal } = ctx;
  const own = parsed.personId === undefined || parsed.personId === actor.id;
  let subject: Person = actor;
  const actorContracts = (await deps.contracts.forPerson(actor.id)).filter((c) => c.organisationId === org.id && c.active);
  let contracts: SupervisionContract[];
  if (own) {
    contracts = actorContracts;
  } else {
    // a supervisor sees a supervisee through the contracts they hold together now; nobody else, and the same
    // answer for someone unknown as for someone not theirs
    const found = await deps.people.get(parsed.personId as string);
    const shared = actorContracts.filter((c) => c.supervisorIds.includes(actor.id) && found !== null && c.superviseeIds.includes(found.id));
    if (!found || found.organisationId !== org.id || shared.length === 0) throw new Refusal();
    subject = found;
    contracts = shared;
  }
  const now = deps.clock.now();
  const today = cal.localDate(now);
  const contractIds = new Set(contracts.map((c) => c.id));
  const [upcoming, records, openActions, sessions] = await Promise.all([
    Promise.all(contracts.map(async (c) => ({ c, s: await deps.sessions.nextScheduled(c.id, now) }))),
    deps.records.forPerson(subject.id),
    deps.actions.openForPerson(subject.id),
    Promise.all(contracts.map((c) => deps.sessions.byContract(c.id))).then((l) => l.flat()),
  ]);
  // the newest version of each record of theirs that the viewer may open; on a supervisee's page only those of
  // the contracts the viewer holds with them
  const newest = new Map<string, RecordSheet>();
  for (const r of records) {
    if (r.organisationId !== org.id || (!own && !contractIds.has(r.contractId)) || !canViewRecord(actor, r, org)) continue;
    const seen = newest.get(r.id);
    if (!seen || seen.version < r.version) newest.set(r.id, r);
  }
  const next = upcoming.filter((x) => x.s !== null).sort((a, b) => (a.s?.startsAt.getTime() ?? 0) - (b.s?.startsAt.getTime() ?? 0))[0];
  const agenda = next?.s ? await deps.agenda.forContractSession(next.c.id, next.s.id) : [];
  const actions = openActions.filter((a) => a.organisationId === org.id && (own || contractIds.has(a.contractId)));
  const supervised = own ? contracts.filter((c) => c.supervisorIds.includes(actor.id)) : [];
  const superviseeIds = [...new Set(supervised.flatMap((c) => c.superviseeIds))];

  const ids = new Set<string>([subject.id, ...superviseeIds, ...agenda.map((i) => i.authorId), ...actions.map((a) => a.ownerId)]);
  for (const c of contracts) for (const id of [...c.supervisorIds, ...c.superviseeIds]) ids.add(id);
  for (const r of newest.values()) for (const id of [r.supervisorId, ...r.superviseeIds]) ids.add(id);
  const people = await deps.people.getMany([...ids]);
  const name = (id: string) => people.find((p) => p.id === id)?.name ?? 'a colleague';
  const others = (list: string[]) => list.filter((id) => id !== subject.id).map(name);
  const contractOf = new Map(contracts.map((c) => [c.id, c]));
  const ordered = [...newest.values()].sort((a, b) => b.date.localeCompare(a.date) || b.version - a.version);

  const superviseeRows = await Promise.all(
    superviseeIds.map(async (id) => {
      const theirs = supervised.filter((c) => c.superviseeIds.includes(id));
      const nexts = (await Promise.all(theirs.map((c) => deps.sessions.nextScheduled(c.id, now)))).filter((s) => s !== null).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
      const theirContracts = new Set(theirs.map((c) => c.id));
      const [theirRecords, theirActions] = await Promise.all([deps.records.forPerson(id), deps.actions.openForPerson(id)]);
      const latest = new Map<string, RecordSheet>();
      for (const r of theirRecords) if (theirContracts.has(r.contractId) && (latest.get(r.id)?.version ?? 0) < r.version) latest.set(r.id, r);
      return {
        id,
        name: name(id),
        nextText: nexts[0] ? formatDateTime(org, nexts[0].startsAt) : 'none booked',
        waiting: [...latest.values()].filter((r) => asks(r, id) !== undefined).length,
        lateActions: theirActions.filter((a) => theirContracts.has(a.contractId) && a.dueDate < today).length,
      };
    }),
  );

  const view: MySupervisionView = {
    type: 'my-supervision',
    organisationName: org.name,
    person: { id: subject.id, name: subject.name, roleText: roleText(subject) },
    own,
    nextSession: next?.s
      ? {
          id: next.s.id,
          startsAtText: formatDateTime(org, next.s.startsAt),
          withNames: others([...next.c.supervisorIds, ...next.c.superviseeIds]),
          location: next.c.location,
          durationMinutes: next.c.durationMinutes,
          agenda: agenda.map((i) => {
            const v = agendaItemView(i, people, org);
            return { id: v.id, text: v.text, authorName: v.authorName, categoryLabel: v.categoryLabel, riskOfHarm: v.riskOfHarm, informalText: v.informalText };
          }),
        }
      : null,
    waiting: ordered.flatMap((r) => {
      const what = asks(r, subject.id, own);
      return what ? [{ recordId: r.id, version: r.version, dateText: formatDate(org, r.date), withNames: others([r.supervisorId, ...r.superviseeIds]), state: r.state, what }] : [];
    }),
    actions: actions
      .sort((a, b) => a.dueDate.localeCompare(b.dueDate))
      .map((a) => {
        const v = openActionView(org, a, people, today);
        const record = newest.get(a.recordId);
        // an action's words come from its record: shown only when the viewer may open that record
        return { id: v.id, text: record ? v.text : undefined, ownerName: v.ownerName, dueText: v.dueText, late: v.late };
      }),
    history: {
      records: ordered.map((r) => ({ recordId: r.id, version: r.version, dateText: formatDate(org, r.date), withNames: others([r.supervisorId, ...r.superviseeIds]), state: r.state, stateLabel: STATE_LABELS[r.state] })),
      sessions: sessions
        .filter((s) => s.startsAt.getTime() <= now.getTime() && s.status !== 'cancelled')
        .sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime())
        .slice(0, 20)
        .map((s) => {
          const c = contractOf.get(s.contractId);
          const label = s.status === 'scheduled' ? 'Time passed — not recorded' : SESSION_LABELS[s.status];
          return { id: s.id, dateText: formatDateTime(org, s.startsAt), withNames: c ? others([...c.supervisorIds, ...c.superviseeIds]) : [], statusLabel: label };
        }),
    },
    supervisees: superviseeRows.sort((a, b) => a.name.localeCompare(b.name)),
  };
  return { ok: true, data: view };
});

