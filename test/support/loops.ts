/**
 * A signed record with open actions and case decisions waiting for the child's file, made by the real use
 * cases at a past time, for the tests of closing those loops from chat (Slack, Teams, the playground).
 */
import { submitAgendaItem } from '../../src/app/agenda.js';
import { confirmRecord, draftRecord, recordIdFor } from '../../src/app/records.js';
import { london } from './school.js';
import type { World } from './world.js';

export interface SignedWithLoops {
  recordId: string;
  /** Amy's action, late from the Monday after the session. */
  lateActionId: string;
  /** Amy's action, due after the test's "now". */
  laterActionId: string;
}

/** Amy's session of `day` (a weekday before 2025-11-10), recorded by Sam and signed by both at 17:00 that day. */
export async function signedRecordWithLoops(w: World, day = '2025-11-05'): Promise<SignedWithLoops> {
  const sessionId = `c-amy.${day}`;
  await w.deps.sessions.insert({ id: sessionId, organisationId: 'org-wl', contractId: 'c-amy', startsAt: london(`${day}T15:45`), durationMinutes: 60, status: 'scheduled' });
  w.clock.set(london(`${day}T17:00`));
  const drafted = await draftRecord(w.deps, 'sup', {
    sessionId,
    topics: ['performance'],
    notes: 'Talked through the attendance concerns in Year 4',
    actions: [
      { text: 'Call the parent about attendance this week', ownerId: 'amy', dueDate: '2025-11-07' },
      { text: 'Book the safeguarding refresher training', ownerId: 'amy', dueDate: '2025-11-28' },
    ],
    caseDecisions: [
      { childRef: 'JB', decision: 'Refer the family to early help', rationale: 'Attendance below 85% this half term', followUpById: 'amy' },
      { childRef: 'KL', decision: 'Start a chronology for the child', rationale: 'Three low-level concerns this month', followUpById: 'sup' },
    ],
    submit: true,
  });
  if (!drafted.ok) throw new Error(`fixture: ${JSON.stringify(drafted.error)}`);
  const recordId = recordIdFor(sessionId);
  for (const who of ['amy', 'sup']) {
    const confirmed = await confirmRecord(w.deps, who, { recordId });
    if (!confirmed.ok) throw new Error(`fixture: ${JSON.stringify(confirmed.error)}`);
  }
  return { recordId, lateActionId: `${recordId}.a1`, laterActionId: `${recordId}.a2` };
}

/** A record of Ben's session of `day` (his contract routes a change to Sam's line manager, Helen Head), sent to confirm. */
export async function sentRecordForBen(w: World, day: string, notes = 'Caseload and the attendance plan'): Promise<{ recordId: string; sessionId: string }> {
  const sessionId = `c-ben.${day}`;
  await w.deps.sessions.insert({ id: sessionId, organisationId: 'org-wl', contractId: 'c-ben', startsAt: london(`${day}T09:00`), durationMinutes: 60, status: 'scheduled' });
  w.clock.set(london(`${day}T11:00`));
  const drafted = await draftRecord(w.deps, 'sup', {
    sessionId,
    topics: ['organisational'],
    notes,
    actions: [{ text: 'Share the attendance plan with the family worker', ownerId: 'ben', dueDate: '2026-01-30' }],
    submit: true,
  });
  if (!drafted.ok) throw new Error(`fixture: ${JSON.stringify(drafted.error)}`);
  return { recordId: recordIdFor(sessionId), sessionId };
}

/**
 * Risk of harm after the fact: one of Amy's agenda items for her next session, and a signed record of Ben's
 * session of `day` with one concern not flagged when it was written.
 */
export async function writtenWithoutFlags(w: World, day = '2025-11-04'): Promise<{ agendaItemId: string; recordId: string; concernId: string }> {
  const sessionId = `c-ben.${day}`;
  await w.deps.sessions.insert({ id: sessionId, organisationId: 'org-wl', contractId: 'c-ben', startsAt: london(`${day}T09:00`), durationMinutes: 60, status: 'scheduled' });
  w.clock.set(london(`${day}T11:00`));
  const drafted = await draftRecord(w.deps, 'sup', {
    sessionId,
    topics: ['organisational'],
    notes: 'Caseload and the attendance plan',
    concerns: [{ text: 'A Year 5 child said they are scared to go home at weekends', riskOfHarm: false }],
    submit: true,
  });
  if (!drafted.ok) throw new Error(`fixture: ${JSON.stringify(drafted.error)}`);
  const recordId = recordIdFor(sessionId);
  for (const who of ['ben', 'sup']) {
    const confirmed = await confirmRecord(w.deps, who, { recordId });
    if (!confirmed.ok) throw new Error(`fixture: ${JSON.stringify(confirmed.error)}`);
  }
  w.clock.set(london('2025-11-10T09:00'));
  const added = await submitAgendaItem(w.deps, 'amy', { key: `fixture.${day}`, text: 'A child in my class keeps coming in with bruises on their arms' });
  if (!added.ok) throw new Error(`fixture: ${JSON.stringify(added.error)}`);
  return { agendaItemId: `fixture.${day}.0`, recordId, concernId: 'c1' };
}

export interface FormToWrite extends SignedWithLoops {
  /** Amy's session of 19 Nov 2025 (15:45), held and not yet written up; the test's clock is 17:00 that day. */
  sessionId: string;
}

/**
 * The record form of the session after `signedRecordWithLoops`: Amy's two actions from 5 Nov still open, an
 * agenda item of hers on the session (a case) and one she raised informally on 12 Nov (parked).
 */
export async function formWithAgendaAndActions(w: World): Promise<FormToWrite> {
  const loops = await signedRecordWithLoops(w);
  const sessionId = 'c-amy.2025-11-19-form';
  await w.deps.sessions.insert({ id: sessionId, organisationId: 'org-wl', contractId: 'c-amy', startsAt: london('2025-11-19T15:45'), durationMinutes: 60, status: 'scheduled' });
  const base = { organisationId: 'org-wl', contractId: 'c-amy', authorId: 'amy', riskOfHarm: false };
  await w.deps.agenda.add({ ...base, id: 'form.item.1', sessionId, text: 'A Year 2 child who is often hungry at lunch', category: 'case-discussion', parked: false, createdAt: london('2025-11-17T08:00') });
  await w.deps.agenda.add({ ...base, id: 'form.item.2', text: 'Workload since the new timetable', category: 'impact-on-me', parked: true, raisedInformallyOn: '2025-11-12', createdAt: london('2025-11-12T16:00') });
  w.clock.set(london('2025-11-19T17:00'));
  return { ...loops, sessionId };
}
