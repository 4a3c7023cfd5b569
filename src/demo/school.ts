/**
 * The demo school: Meadowbank Primary, on the Leeds calendar, with a DSL and a deputy, a headteacher, a
 * safeguarding governor, two supervisors and eight supervisees, on contracts taken from the policies
 * (white-laith 4-weekly 1:1s, loughton's half-termly safeguarding-team group and termly DSL supervision with
 * the head). Its history is made by the real use cases run at past times, so every record, action and audit
 * entry is one the bot could have written itself; it leaves some people overdue, one record awaiting
 * confirmation, one late action and one contract due for review.
 *
 * Platform identities are fixed (README lists them) so a real Slack or Teams app can be pointed at the demo.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdjustableClock } from '../app/clock.js';
import type { AppDeps } from '../app/ports.js';
import { completeAction } from '../app/follow-up.js';
import { confirmRecord, draftRecord, recordIdFor } from '../app/records.js';
import { ensureNextSession, saveContract } from '../app/sessions.js';
import { agreementTermsOf, partiesOf } from '../domain/agreement.js';
import { SchoolCalendar, addDays, termDatesFromJson } from '../domain/calendar.js';
import type { Organisation, Person, Role, SupervisionContract, TermDates } from '../domain/types.js';

const dataDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data');
const readJson = (file: string) => JSON.parse(readFileSync(path.join(dataDir, file), 'utf8'));

export const DEMO_ORG_ID = 'meadowbank';

/** Leeds 2025/26 as published, and 2026/27 on the same pattern, with England and Wales bank holidays. */
export function demoTermDates(): TermDates {
  const bank = readJson('england-and-wales-bank-holidays.json').dates as Array<{ date: string }>;
  const years = [readJson('leeds-term-dates-2025-26.json'), readJson('demo-term-dates-2026-27.json')].map((y) =>
    termDatesFromJson(y, bank),
  );
  return {
    halfTerms: years.flatMap((y) => y.halfTerms),
    holidays: years.flatMap((y) => y.holidays),
    insetDays: years.flatMap((y) => y.insetDays),
    bankHolidays: [...new Set(years.flatMap((y) => y.bankHolidays))],
  };
}

export function demoOrganisation(): Organisation {
  return {
    id: DEMO_ORG_ID,
    name: 'Meadowbank Primary School',
    kind: 'school',
    timezone: 'Europe/London',
    termDates: demoTermDates(),
    supportContacts: [
      { name: 'Education Support', phone: '08000 562 561', description: 'the charity for the wellbeing and mental health of education staff' },
      { name: 'Samaritans', phone: '116 123', description: 'you do not have to feel suicidal to call them' },
    ],
    dslIds: ['priya'],
    deputyDslIds: ['tom'],
    headteacherId: 'helen',
    safeguardingGovernorId: 'margaret',
    overdueGraceDays: 0,
    reminderTime: '08:30',
  };
}

interface DemoPerson {
  id: string;
  name: string;
  roles: Role[];
  lineManagerId?: string;
  title: string;
}

/** Everyone at the demo school. Slack ids are `U0DEMO…`; Teams AAD object ids are fixed GUIDs. */
export const DEMO_PEOPLE: DemoPerson[] = [
  { id: 'priya', name: 'Priya Shah', roles: ['dsl', 'supervisor', 'supervisee'], lineManagerId: 'helen', title: 'Designated Safeguarding Lead' },
  { id: 'tom', name: 'Tom Walsh', roles: ['deputy-dsl', 'supervisee'], lineManagerId: 'priya', title: 'Deputy DSL, Year 6 teacher' },
  { id: 'helen', name: 'Helen Carter', roles: ['headteacher', 'supervisor'], title: 'Headteacher' },
  { id: 'margaret', name: 'Margaret Okafor', roles: ['governor'], title: 'Safeguarding governor' },
  { id: 'james', name: 'James Whitfield', roles: ['supervisor', 'supervisee'], lineManagerId: 'helen', title: 'SENCo' },
  { id: 'aisha', name: 'Aisha Begum', roles: ['supervisor', 'supervisee'], lineManagerId: 'helen', title: 'Family support lead' },
  { id: 'amy', name: 'Amy Clarke', roles: ['supervisee'], lineManagerId: 'james', title: 'Reception teacher' },
  { id: 'ben', name: 'Ben Hughes', roles: ['supervisee'], lineManagerId: 'james', title: 'Learning mentor' },
  { id: 'chloe', name: 'Chloe Evans', roles: ['supervisee'], lineManagerId: 'james', title: 'Year 2 teacher' },
  { id: 'daniel', name: 'Daniel Price', roles: ['supervisee'], lineManagerId: 'james', title: 'Teaching assistant' },
  { id: 'emma', name: 'Emma Wood', roles: ['supervisee'], lineManagerId: 'aisha', title: 'Pastoral assistant' },
  { id: 'farah', name: 'Farah Khan', roles: ['supervisee'], lineManagerId: 'aisha', title: 'Attendance officer' },
  { id: 'george', name: 'George Lee', roles: ['supervisee'], lineManagerId: 'aisha', title: 'Year 4 teacher' },
  { id: 'hannah', name: 'Hannah Moss', roles: ['supervisee'], lineManagerId: 'aisha', title: 'Nursery nurse' },
  { id: 'olivia', name: 'Olivia Grant', roles: ['auditor'], title: 'Local authority safeguarding auditor' },
];

export function demoPeople(): Person[] {
  return DEMO_PEOPLE.map((p, i) => ({
    id: p.id,
    organisationId: DEMO_ORG_ID,
    name: p.name,
    email: `${p.id}@meadowbank.example`,
    identities: {
      slackUserId: `U0DEMO${String(i + 1).padStart(2, '0')}`,
      slackTeamId: 'T0DEMO',
      teamsAadObjectId: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
      teamsTenantId: '00000000-0000-4000-8000-00000000d3e0',
    },
    roles: p.roles,
    lineManagerId: p.lineManagerId,
  }));
}

function oneToOne(id: string, supervisorId: string, superviseeId: string, startDate: string, reviewDueDate: string, slot: Slot): SupervisionContract {
  return {
    id,
    organisationId: DEMO_ORG_ID,
    kind: 'one-to-one',
    level: 1,
    external: false,
    supervisorIds: [supervisorId],
    superviseeIds: [superviseeId],
    cadence: { kind: 'every-n-weeks', weeks: 4 },
    onRequest: true,
    durationMinutes: 60,
    location: slot.room,
    format: 'face-to-face',
    noticeDays: 7,
    agendaTemplate: 'general',
    preferredTime: slot.time,
    startDate,
    reviewDueDate,
    signatures: [],
    disputeRoute: 'line-manager',
    active: true,
  };
}

/** The demo's contracts were agreed by both parties the day they started (at 08:00 UTC). */
function agreed(contract: SupervisionContract): SupervisionContract {
  const terms = agreementTermsOf(contract);
  const signedAt = new Date(`${contract.startDate}T08:00:00Z`);
  return { ...contract, agreement: { terms, requestedAt: signedAt }, signatures: partiesOf(contract).map((personId) => ({ personId, signedAt, terms })) };
}

/** Per contract: how its history goes (see the module comment). */
type Story = 'kept-up' | 'lapsed-after-one' | 'never-started' | 'awaiting-confirmation' | 'late-action';

interface DemoContract {
  contract: SupervisionContract;
  story: Story;
}

/** Where and when a contract's sessions are held (its location and preferred local time). */
interface Slot {
  room: string;
  time: string;
}

/**
 * The timetable. Every 4-weekly 1:1 counts from the same start date, so a supervisor's 1:1s fall on the same
 * days, and a half-termly or termly session can fall on one of them too (the last school day before a holiday).
 * So each contract has a time of its own: no person and no room is ever in two sessions at once, whatever day
 * the demo is loaded on. James sees his supervisees in the SENCo office, except Daniel, whom he sees in the
 * family room at lunchtime, between Aisha's 1:1s there; the safeguarding team and the DSL meet in the head's
 * office. Durations: 1:1s 60 minutes, the group 90.
 */
export const DEMO_TIMETABLE: Record<string, Slot> = {
  'c-amy': { room: 'SENCo office', time: '09:00' },
  'c-ben': { room: 'SENCo office', time: '11:00' },
  'c-daniel': { room: 'Family room', time: '12:15' },
  'c-chloe': { room: 'SENCo office', time: '15:45' },
  'c-emma': { room: 'Family room', time: '09:00' },
  'c-hannah': { room: 'Family room', time: '10:00' },
  'c-farah': { room: 'Family room', time: '11:00' },
  'c-george': { room: 'Family room', time: '15:45' },
  'c-safeguarding-team': { room: 'Head’s office', time: '13:30' },
  'c-priya': { room: 'Head’s office', time: '09:00' },
};

function slotOf(contractId: string): Slot {
  const slot = DEMO_TIMETABLE[contractId];
  if (!slot) throw new Error(`the demo timetable has no slot for ${contractId}`);
  return slot;
}

export function demoContracts(today: string): DemoContract[] {
  const start = addDays(today, -7 * 15);
  const review = addDays(today, 250);
  const c = (sup: string, sub: string, story: Story, reviewDue = review) => ({
    contract: oneToOne(`c-${sub}`, sup, sub, start, reviewDue, slotOf(`c-${sub}`)),
    story,
  });
  return [
    c('james', 'amy', 'late-action'),
    c('james', 'ben', 'lapsed-after-one'),
    c('james', 'chloe', 'kept-up'),
    c('james', 'daniel', 'awaiting-confirmation'),
    c('aisha', 'emma', 'kept-up'),
    c('aisha', 'farah', 'never-started'),
    c('aisha', 'george', 'kept-up'),
    // the annual contract review fell due a fortnight ago (white-laith: contracts reviewed yearly)
    c('aisha', 'hannah', 'kept-up', addDays(today, -14)),
    {
      // loughton §5: the safeguarding team meets as a group each half term
      contract: {
        ...oneToOne('c-safeguarding-team', 'priya', 'tom', start, review, slotOf('c-safeguarding-team')),
        kind: 'group',
        superviseeIds: ['tom', 'james', 'aisha'],
        cadence: { kind: 'half-termly' },
        durationMinutes: 90,
        disputeRoute: 'safeguarding-governor',
      },
      story: 'kept-up',
    },
    {
      // loughton §5: the DSL is supervised termly by the headteacher, on the DSL agenda
      contract: {
        ...oneToOne('c-priya', 'helen', 'priya', addDays(today, -7 * 30), review, slotOf('c-priya')),
        cadence: { kind: 'termly' },
        agendaTemplate: 'dsl',
        disputeRoute: 'safeguarding-governor',
      },
      story: 'kept-up',
    },
  ];
}

const NOTES = [
  'Reviewed caseload and the week’s safeguarding logs; workload discussed and manageable.',
  'Talked through a difficult conversation with a parent and how it was recorded on CPOMS.',
  'Reflected on the impact of recent disclosures; support options and EAP details shared.',
  'Discussed CPD: Level 3 refresher booked; observed practice feedback was positive.',
];

/** The demo's history, written by the use cases at past times. Idempotent: a loaded demo is left as it is. */
export async function loadDemoSchool(deps: AppDeps, now = deps.clock.now()): Promise<{ loaded: boolean; people: number; contracts: number }> {
  if (await deps.organisations.get(DEMO_ORG_ID)) return { loaded: false, people: 0, contracts: 0 };
  const org = demoOrganisation();
  const cal = new SchoolCalendar(org);
  const today = cal.localDate(now);
  const clock = new AdjustableClock();
  const past: AppDeps = { ...deps, clock, reminderScheduler: undefined };
  await deps.organisations.upsert(org);
  const people = demoPeople();
  for (const p of people) await deps.people.upsert(p);
  const contracts = demoContracts(today).map((d) => ({ ...d, contract: agreed(d.contract) }));
  let step = 0;
  for (const { contract, story } of contracts) {
    const startDay = cal.nextSchoolDay(contract.startDate, true);
    clock.set(cal.atLocalTime(startDay, '08:00'));
    await saveContract(past, org, contract);
    const holdBefore = now.getTime() - 7 * 86_400_000;
    let held = 0;
    for (;;) {
      const next = await ensureNextSession(past, org, contract);
      if (!next || next.startsAt.getTime() >= holdBefore) break;
      if (story === 'never-started' || (story === 'lapsed-after-one' && held >= 1)) break;
      clock.set(new Date(next.startsAt.getTime() + (contract.durationMinutes + 30) * 60_000));
      const nextDue = await ensureNextSessionAfter(past, org, contract, next.startsAt);
      const lastOfStory = nextDue >= holdBefore || story === 'lapsed-after-one';
      const supervisorId = contract.supervisorIds[0] as string;
      const superviseeId = contract.superviseeIds[0] as string;
      const sessionDay = cal.localDate(next.startsAt);
      const openActions = await deps.actions.openForContract(contract.id);
      const drafted = await draftRecord(past, supervisorId, {
        sessionId: next.id,
        topics: held % 2 === 0 ? ['impact-on-individual', 'performance'] : ['professional-development', 'organisational'],
        notes: NOTES[step++ % NOTES.length],
        concerns: held === 0 && story === 'kept-up' ? [{ text: 'Attendance of a Year 3 child has dropped; pattern to be watched.', riskOfHarm: false }] : [],
        caseDecisions:
          held === 0 && contract.kind === 'one-to-one'
            ? [{ childRef: 'Y3-JB', decision: 'Refer to the attendance panel', rationale: 'Attendance below 85% for the half term', followUpById: superviseeId }]
            : [],
        actions: [
          {
            text: story === 'late-action' && lastOfStory ? 'Send the early help assessment to the family support lead' : 'Update the chronology on CPOMS',
            ownerId: superviseeId,
            // one action is left late (Amy's); the others are due after today
            dueDate: lastOfStory && story !== 'late-action' ? cal.addSchoolDays(today, 10) : cal.addSchoolDays(sessionDay, 3),
          },
        ],
        previousActionsReviewed: openActions.map((a) => ({ actionId: a.id, outcome: 'done' as const })),
        submit: true,
      });
      if (!drafted.ok) throw new Error(`demo history: could not draft the record for ${next.id}`);
      const recordId = recordIdFor(next.id);
      clock.set(new Date(clock.now().getTime() + 20 * 3600_000));
      const leaveUnsigned = story === 'awaiting-confirmation' && lastOfStory;
      await confirmRecord(past, supervisorId, { recordId });
      if (!leaveUnsigned) for (const id of contract.superviseeIds) await confirmRecord(past, id, { recordId });
      // case decisions reached the child's file the next morning
      for (const d of (await deps.records.latest(recordId))?.caseDecisions ?? []) {
        await deps.caseDecisions.markCopied(recordId, d.id, supervisorId, clock.now());
      }
      for (const a of openActions) await completeAction(past, a.ownerId, { actionId: a.id });
      held++;
    }
  }
  // history's reminders and messages belong to the past: nothing from it is sent again
  for (const r of await deps.reminders.pending(new Date(0), now)) await deps.reminders.markSent(r.id, now);
  for (const row of await deps.outbox.pending(100_000)) await deps.outbox.markDelivered(row.id, row.createdAt);
  clock.set(now);
  for (const { contract } of contracts) await ensureNextSession({ ...deps, clock }, org, contract);
  return { loaded: true, people: people.length, contracts: contracts.length };
}

/** When the session after `from` would fall, without creating it. */
async function ensureNextSessionAfter(deps: AppDeps, org: Organisation, contract: SupervisionContract, from: Date): Promise<number> {
  const { proposeSessionTimes } = await import('../domain/cadence.js');
  const [t] = proposeSessionTimes(contract, from, from, new SchoolCalendar(org), 1);
  return t ? t.getTime() : Number.POSITIVE_INFINITY;
}
