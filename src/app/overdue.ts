/**
 * `/overdue`: the DSL's summary of who is behind (loughton §2–5, template line manager (e), (j)).
 * Each list is one indexed query on one collection (no joins), so a 10,000-staff trust answers in well
 * under a second; people's names are fetched once for all lists.
 */
import { z } from 'zod';
import { canSeeOverdue } from '../domain/permissions.js';
import { daysBetween, isRecordConfirmationOverdue, recordConfirmationOverdueFrom, schoolDaysOverdue } from '../domain/overdue.js';
import { requiredConfirmers } from '../domain/record.js';
import { partiesOf, unsignedParties } from '../domain/agreement.js';
import { calendarOf, loadActor } from './context.js';
import { parseInput, Refusal, type UseCaseResult, useCase } from './errors.js';
import type { AppDeps, OverdueSource, Stores } from './ports.js';
import { pendingHandoverRows } from './handover.js';
import { formatDate, formatDateTime } from './present.js';
import { trainingRowsOf } from './training.js';
import type { OverdueRow, OverdueSummaryView } from './views.js';

const overdueInput = z.object({ filter: z.enum(['all', 'sessions', 'records', 'actions', 'reviews', 'not-engaging', 'signatures']).default('all') });

const FILTER_LIST = { sessions: 'sessions', records: 'records', actions: 'actions', reviews: 'reviews', 'not-engaging': 'notEngaging', signatures: 'signatures' } as const;

/** The lists' names, as the summary and its counts write them. */
export const COUNT_LABELS: Record<OverdueSummaryView['shown'][number], string> = {
  escalations: 'Escalations not acknowledged',
  sessions: 'Overdue supervision',
  records: 'Records awaiting confirmation',
  actions: 'Late actions',
  reviews: 'Contracts due for review',
  caseDecisions: 'Case decisions not filed',
  unreachable: 'Not reachable',
  notEngaging: 'Not engaging',
  handovers: 'Handover not written',
  training: 'Supervision training lapsed or lapsing',
  signatures: 'Waiting for signatures',
};

export const OVERDUE_REFUSAL = 'Sorry — the overdue summary is only for your safeguarding leads.';

/** `/overdue` straight from the repositories: one query per list, no joins. */
export function storeOverdueSource(deps: Stores): OverdueSource {
  return {
    async lists(org, now, want) {
      const today = calendarOf(org).localDate(now);
      const [compliance, awaiting, late, reviews, decisions, escalations, unreachable] = await Promise.all([
        want.sessions ? deps.compliance.overdueAt(org.id, now) : [],
        want.records ? deps.records.awaitingConfirmation(org.id) : [],
        want.actions ? deps.actions.lateBefore(org.id, today) : [],
        want.reviews ? deps.contracts.reviewDueBefore(org.id, today) : [],
        want.others ? deps.caseDecisions.notCopiedDueBefore(org.id, now) : [],
        want.others ? deps.escalations.unacknowledged(org.id) : [],
        want.others ? deps.people.unreachable(org.id) : [],
      ]);
      const notEngaging = want.notEngaging ? await deps.compliance.notEngagingAt(org.id, now) : [];
      return {
        compliance,
        awaiting,
        late,
        reviews,
        decisions,
        escalations,
        unreachable: unreachable.map((u) => ({ personId: u.person.id, platform: u.platform, since: u.since })),
        notEngaging,
      };
    },
    async names(_organisationId, ids) {
      return new Map((await deps.people.getMany(ids)).map((p) => [p.id, p.name]));
    },
  };
}

export const computeOverdue = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<OverdueSummaryView>> => {
  const parsed = parseInput(overdueInput, input ?? {});
  const ctx = await loadActor(deps, actorId);
  if (!canSeeOverdue(ctx.actor, ctx.org)) throw new Refusal(OVERDUE_REFUSAL);
  const { org, cal } = ctx;
  const now = deps.clock.now();
  const today = cal.localDate(now);
  const want = (f: string) => parsed.filter === 'all' || parsed.filter === f;

  const source = deps.overdueSource ?? storeOverdueSource(deps);
  // the lists do not depend on one another: they are read at the same time
  const [lists, unsigned, handoverRows, trainingRows] = await Promise.all([
    source.lists(org, now, {
      sessions: want('sessions'),
      records: want('records'),
      actions: want('actions'),
      reviews: want('reviews'),
      others: parsed.filter === 'all',
      notEngaging: want('not-engaging'),
    }),
    // white-laith B: contracts whose agreement some party has not signed (one indexed query)
    want('signatures') ? deps.contracts.waitingForSignatures(org.id) : [],
    // read from the store (few rows): handovers waiting to be written, supervisors' training lapsed or lapsing
    parsed.filter === 'all' ? pendingHandoverRows(deps, org, today) : [],
    parsed.filter === 'all' ? trainingRowsOf(deps, org, today) : [],
  ]);
  const { compliance, awaiting, late, reviews, decisions, escalations, unreachable, notEngaging } = lists;
  // template line manager (j): read from the summaries the store keeps (an index source may not carry them)
  const notEngagingList = want('not-engaging') ? (notEngaging ?? (await deps.compliance.notEngagingAt(org.id, now))) : [];
  const overdueRecords = awaiting.filter((r) => isRecordConfirmationOverdue(r, cal, now));
  // an action agreed before actions carried their session: its record says whose session it came from
  const lateActions = await Promise.all(
    late.map(async (a) => {
      if (a.supervisorId && a.sessionDate) return a;
      const record = await deps.records.latest(a.recordId ?? a.id.replace(/\.[^.]+$/, ''));
      return { ...a, supervisorId: a.supervisorId ?? record?.supervisorId, sessionDate: a.sessionDate ?? record?.date };
    }),
  );

  const ids = new Set<string>();
  for (const c of compliance) for (const id of [...c.superviseeIds, ...c.supervisorIds]) ids.add(id);
  for (const r of overdueRecords) for (const id of requiredConfirmers(r)) ids.add(id);
  for (const a of lateActions) for (const id of [a.ownerId, a.supervisorId ?? '']) if (id) ids.add(id);
  for (const c of reviews) for (const id of [...c.superviseeIds, ...c.supervisorIds]) ids.add(id);
  for (const d of decisions) ids.add(d.followUpById);
  for (const e of escalations) ids.add(e.subjectPersonId);
  for (const u of unreachable) ids.add(u.personId);
  for (const c of notEngagingList) for (const id of [...c.superviseeIds, ...c.supervisorIds]) ids.add(id);
  for (const c of unsigned) for (const id of partiesOf(c)) ids.add(id);
  const people = await source.names(org.id, [...ids]);
  const name = (id: string) => people.get(id) ?? 'a colleague';
  const names = (list: string[]) => list.map(name).join(', ');

  const sessions = compliance.flatMap((c) =>
    c.superviseeIds.map((personId) => ({
      personId,
      personName: name(personId),
      // a booked session whose time has passed without being marked held is a missed one, not a future one
      detail: `supervision with ${names(c.supervisorIds)} — ${
        !c.nextScheduledAt
          ? 'no session booked'
          : c.nextScheduledAt.getTime() <= now.getTime()
            ? `session of ${formatDateTime(org, c.nextScheduledAt)} not recorded as held`
            : `next booked ${formatDateTime(org, c.nextScheduledAt)}`
      }`,
      daysOverdue: schoolDaysOverdue(c.sessionOverdueFrom, now, cal),
      refId: c.contractId,
      lastSessionText: c.lastHeldAt ? formatDate(org, c.lastHeldAt) : 'none yet',
    })),
  );
  const records: OverdueRow[] = overdueRecords.map((r) => {
    const waiting = requiredConfirmers(r).filter((id) => !r.confirmations.some((c) => c.personId === id));
    return {
      personId: waiting[0] ?? r.supervisorId,
      personName: waiting.map(name).join(', '),
      // a change asked for and not settled is overdue as well: the row says so, naming the session and its parties the same way
      detail:
        r.state === 'disputed'
          ? `record of the session of ${formatDate(org, r.date)}, ${name(r.supervisorId)} with ${names(r.superviseeIds)} — a change was asked for and is not yet settled`
          : `record of the session of ${formatDate(org, r.date)}, ${name(r.supervisorId)} with ${names(r.superviseeIds)} — waiting for ${waiting.map(name).join(' and ')} to confirm`,
      daysOverdue: schoolDaysOverdue(recordConfirmationOverdueFrom(r.submittedAt as Date, cal), now, cal),
      refId: r.id,
    };
  });
  const actions: OverdueRow[] = lateActions.map((a) => ({
    personId: a.ownerId,
    personName: name(a.ownerId),
    detail: `${name(a.ownerId)}’s action${a.sessionDate ? ` from the session of ${formatDate(org, a.sessionDate)}` : ''}${a.supervisorId ? ` with ${name(a.supervisorId)}` : ''} — due ${formatDate(org, a.dueDate)}`,
    daysOverdue: daysBetween(a.dueDate, today),
    refId: a.id,
  }));
  const reviewRows: OverdueRow[] = reviews.map((c) => ({
    personId: c.superviseeIds[0] ?? c.supervisorIds[0] ?? '',
    personName: [...c.superviseeIds].map(name).join(', '),
    detail: `contract with ${c.supervisorIds.map(name).join(', ')} — review was due ${formatDate(org, c.reviewDueDate)}`,
    daysOverdue: daysBetween(c.reviewDueDate, today),
    refId: c.id,
  }));
  const decisionRows: OverdueRow[] = decisions.map((d) => ({
    personId: d.followUpById,
    personName: name(d.followUpById),
    detail: `case decision (${d.childRef}) for ${name(d.followUpById)} to copy — not yet on the child’s file, due ${formatDateTime(org, d.copyDueAt)}`,
    daysOverdue: daysBetween(cal.localDate(d.copyDueAt), today),
    refId: `${d.recordId}:${d.id}`,
  }));
  const escalationRows: OverdueRow[] = escalations.map((e) => ({
    personId: e.subjectPersonId,
    personName: name(e.subjectPersonId),
    detail: `risk-of-harm escalation raised ${formatDateTime(org, e.raisedAt)} not acknowledged`,
    daysOverdue: daysBetween(cal.localDate(e.raisedAt), today),
    refId: e.id,
  }));
  const notEngagingRows: OverdueRow[] = notEngagingList.flatMap((c) => {
    const n = c.notEngaging;
    if (!n) return [];
    const days = c.notEngagingFrom ? Math.max(0, schoolDaysOverdue(c.notEngagingFrom, now, cal)) : 0;
    return n.personIds.map((personId) => ({
      personId,
      personName: name(personId),
      detail:
        n.reason === 'missed-in-a-row'
          ? `the last ${n.sessionIds.length} supervision sessions with ${names(c.supervisorIds)} did not happen`
          : n.reason === 'absent-in-a-row'
            ? `absent from the last ${n.sessionIds.length} group sessions with ${names(c.supervisorIds)}`
            : `has not said whether the session with ${names(c.superviseeIds)} happened`,
      daysOverdue: days,
      refId: c.contractId,
    }));
  });
  const signatureRows: OverdueRow[] = unsigned.flatMap((c) => {
    const waiting = unsignedParties(c);
    if (waiting.length === 0) return [];
    const since = c.agreement?.requestedAt ?? now;
    return [
      {
        personId: waiting[0] as string,
        personName: names(waiting),
        detail: `${c.kind === 'group' ? 'group agreement' : 'supervision agreement'}, ${names(c.supervisorIds)} with ${names(c.superviseeIds)} — sent ${formatDate(org, since)}, not yet agreed by ${names(waiting)}${c.agreement?.startedEarly?.terms === c.agreement?.terms ? ' (started early by the DSL)' : ''}`,
        daysOverdue: daysBetween(cal.localDate(since), today),
        refId: c.id,
      },
    ];
  });
  const byDays = (a: OverdueRow, b: OverdueRow) => b.daysOverdue - a.daysOverdue || a.personName.localeCompare(b.personName);
  // a filtered summary shows that list alone: the others were not looked at, so they are not shown as nought
  const shown: OverdueSummaryView['shown'] =
    parsed.filter === 'all' ? ['escalations', 'sessions', 'notEngaging', 'signatures', 'records', 'actions', 'reviews', 'caseDecisions', 'handovers', 'training', 'unreachable'] : [FILTER_LIST[parsed.filter]];
  const view: OverdueSummaryView = {
    type: 'overdue-summary',
    organisationName: org.name,
    generatedAtText: formatDateTime(org, now),
    filter: parsed.filter,
    filterText: parsed.filter === 'all' ? undefined : `${COUNT_LABELS[FILTER_LIST[parsed.filter]]} only — type /overdue for everything`,
    shown,
    sessions: sessions.sort(byDays),
    records: records.sort(byDays),
    actions: actions.sort(byDays),
    reviews: reviewRows.sort(byDays),
    caseDecisions: decisionRows.sort(byDays),
    escalations: escalationRows.sort(byDays),
    notEngaging: notEngagingRows.sort(byDays),
    handovers: handoverRows.sort(byDays),
    training: trainingRows.sort(byDays),
    signatures: signatureRows.sort(byDays),
    unreachable: unreachable
      .map((u) => ({ personId: u.personId, personName: name(u.personId), platform: u.platform, sinceText: formatDate(org, u.since) }))
      .sort((a, b) => a.personName.localeCompare(b.personName)),
    counts: {
      sessions: sessions.length,
      records: records.length,
      actions: actions.length,
      reviews: reviewRows.length,
      caseDecisions: decisionRows.length,
      escalations: escalationRows.length,
      unreachable: unreachable.length,
      notEngaging: notEngagingRows.length,
      handovers: handoverRows.length,
      training: trainingRows.length,
      signatures: signatureRows.length,
    },
    countFacts: [],
  };
  view.countFacts = shown.map((key) => ({ label: COUNT_LABELS[key], number: String(view.counts[key] ?? 0) }));
  return { ok: true, view, data: view };
});
