import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitAgendaItem } from '../../../src/app/agenda.js';
import { acknowledgeEscalation } from '../../../src/app/follow-up.js';
import { computeOverdue } from '../../../src/app/overdue.js';
import { confirmRecord, disputeRecord, draftRecord, referDispute, submitRecordForConfirmation, viewRecord } from '../../../src/app/records.js';
import type { AppDeps, AuditLog } from '../../../src/app/ports.js';
import { ensureNextSession, rescheduleSession } from '../../../src/app/sessions.js';
import type { OverdueSummaryView, RecordSheetView } from '../../../src/app/views.js';
import { london } from '../../support/school.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
beforeAll(async () => {
  w = await createWorld('flow');
  // Amy's last session was Tuesday 14 October; Ben has never been supervised.
  await w.deps.sessions.insert({ id: 'c-amy.2025-10-14', organisationId: 'org-wl', contractId: 'c-amy', startsAt: london('2025-10-14T15:45'), durationMinutes: 60, status: 'held' });
});
afterAll(async () => w.close());

async function outboxFor(recipientId: string) {
  return (await w.store.models.outbox.find({ recipientId }).sort({ createdAt: 1, _id: 1 }).lean<Array<{ _id: string; view: { type: string } }>>());
}

describe('a supervision from agenda to signed record', () => {
  let sessionId = '';
  let recordId = '';

  it('schedules the next session from the contract with its reminders', async () => {
    const next = await ensureNextSession(w.deps, w.org, w.contracts.amy);
    expect(next?.startsAt).toEqual(london('2025-11-11T15:45'));
    sessionId = next!.id;
    const reminders = await w.deps.reminders.pending(new Date(0));
    expect(reminders.map((r) => r.id).sort()).toContain(`agenda-prompt:${sessionId}`);
  });

  it('an agenda reply becomes items, and a risk-of-harm item reaches the DSL and deputy at once', async () => {
    const result = await submitAgendaItem(w.deps, 'amy', { key: 'k1', text: 'Attendance of JB\nWorkload' });
    expect(result.ok).toBe(true);
    expect((await w.deps.agenda.forSession(sessionId)).map((i) => i.text)).toEqual(['Attendance of JB', 'Workload']);
    const flagged = await submitAgendaItem(w.deps, 'amy', { key: 'k2', text: 'Bruising seen on a child', riskOfHarm: true });
    expect(flagged.ok && flagged.view?.type === 'agenda' && flagged.view.escalated).toBe(true);
    expect((await outboxFor('dsl')).map((m) => m.view.type)).toContain('escalation');
    expect((await outboxFor('deputy')).map((m) => m.view.type)).toContain('escalation');
    expect(await w.deps.escalations.unacknowledged('org-wl')).toHaveLength(1);
  });

  it('when the DSL acknowledges, every lead it went to sees who has it in hand; a second click changes nothing', async () => {
    const [escalation] = await w.deps.escalations.unacknowledged('org-wl');
    const first = await acknowledgeEscalation(w.deps, 'dsl', { escalationId: escalation!.id });
    expect(first).toMatchObject({ ok: true, view: { type: 'escalation', acknowledged: true, acknowledgedByName: 'Dee Lead', text: 'Bruising seen on a child' } });
    expect(await acknowledgeEscalation(w.deps, 'deputy', { escalationId: escalation!.id })).toMatchObject({ ok: true, view: { acknowledgedByName: 'Dee Lead' } });
    const deputyCards = (await outboxFor('deputy')).filter((m) => m.view.type === 'escalation') as unknown as Array<{ view: { acknowledged: boolean }; threadKey: string }>;
    expect(deputyCards.at(-1)).toMatchObject({ view: { acknowledged: true }, threadKey: `escalation:${escalation!.id}` });
    expect((await w.deps.audit.entries('org-wl')).filter((e) => e.action === 'escalation.acknowledged')).toHaveLength(1);
    // /overdue below expects one unacknowledged escalation: raise it again from a fresh item
    await submitAgendaItem(w.deps, 'amy', { key: 'k3', text: 'Another worry about a child', riskOfHarm: true });
  });

  it('a retried agenda reply adds nothing twice', async () => {
    await submitAgendaItem(w.deps, 'amy', { key: 'k1', text: 'Attendance of JB\nWorkload' });
    expect(await w.deps.agenda.forSession(sessionId)).toHaveLength(4);
  });

  it('the supervisor drafts and sends the record; both parties get a card', async () => {
    w.clock.set(london('2025-11-11T17:00'));
    const result = await draftRecord(w.deps, 'sup', {
      sessionId,
      topics: ['performance', 'impact-on-individual'],
      notes: 'Discussed caseload',
      concerns: [{ text: 'Attendance pattern', riskOfHarm: false }],
      caseDecisions: [{ childRef: 'JB', decision: 'Refer to early help', rationale: 'Attendance below 85%', followUpById: 'amy' }],
      actions: [{ text: 'Call JB’s parent', ownerId: 'amy', dueDate: '2025-11-14' }],
      submit: true,
    });
    expect(result.ok).toBe(true);
    const view = (result as { view: RecordSheetView }).view;
    recordId = view.recordId;
    expect(view.state).toBe('awaiting-confirmation');
    expect((await w.deps.sessions.get(sessionId))?.status).toBe('held');
    expect((await outboxFor('amy')).filter((m) => m.view.type === 'record-sheet')).toHaveLength(1);
  });

  it('a stranger cannot confirm or read the record, and nothing is written', async () => {
    const before = await w.deps.records.latest(recordId);
    expect(await confirmRecord(w.deps, 'stranger', { recordId })).toMatchObject({ ok: false, error: { type: 'refusal' } });
    expect(await confirmRecord(w.deps, 'ben', { recordId })).toMatchObject({ ok: false, error: { type: 'refusal' } });
    expect(await viewRecord(w.deps, 'sup2', { recordId })).toMatchObject({ ok: false });
    expect(await w.deps.records.latest(recordId)).toEqual(before);
  });

  it('both confirm; the record is signed, actions go live, and both get the locked view', async () => {
    const first = await confirmRecord(w.deps, 'amy', { recordId });
    expect(first).toMatchObject({ ok: true, data: { signed: false } });
    const again = await confirmRecord(w.deps, 'amy', { recordId });
    expect(again).toMatchObject({ ok: true, data: { alreadyConfirmed: true } });
    const second = await confirmRecord(w.deps, 'sup', { recordId });
    expect(second).toMatchObject({ ok: true, data: { signed: true } });
    expect((second as { view: RecordSheetView }).view.signedText).toMatch(/^Signed by both on Tue 11 Nov 2025/);
    expect(await w.deps.actions.openForPerson('amy')).toHaveLength(1);
    const cards = (await outboxFor('amy')).filter((m) => m.view.type === 'record-sheet') as unknown as Array<{ view: RecordSheetView; threadKey: string }>;
    expect(cards.at(-1)?.view.state).toBe('signed');
    expect(new Set(cards.map((c) => c.threadKey))).toEqual(new Set([`record:${recordId}`]));
    const audit = await w.deps.audit.entries('org-wl');
    expect(audit.filter((e) => e.action === 'record.signed')).toHaveLength(1);
    expect(audit.filter((e) => e.action === 'record.confirmed')).toHaveLength(1);
    expect(await w.deps.audit.verify('org-wl')).toMatchObject({ ok: true });
  });

  it('a signed record cannot be disputed or redrafted', async () => {
    expect(await disputeRecord(w.deps, 'amy', { recordId, reason: 'late change' })).toMatchObject({ ok: false });
    expect(await draftRecord(w.deps, 'sup', { sessionId, notes: 'x' })).toMatchObject({ ok: false });
    expect((await w.deps.records.latest(recordId))?.notes).toBe('Discussed caseload');
  });

  it('cancel without a new time is refused, naming the field, and nothing changes', async () => {
    const next = await w.deps.sessions.nextScheduled('c-amy', w.clock.now());
    const result = await rescheduleSession(w.deps, 'sup', { sessionId: next!.id, reason: 'training day' });
    expect(result).toMatchObject({ ok: false, error: { type: 'error', field: 'newStartsAt' } });
    expect((await w.deps.sessions.get(next!.id))?.status).toBe('scheduled');
  });

  it('/overdue for the DSL: Ben (never supervised), the unacknowledged escalation; a supervisee is refused', async () => {
    w.clock.set(london('2025-12-05T09:00')); // Amy's next is due by Tue 9 Dec
    const result = await computeOverdue(w.deps, 'dsl', {});
    const view = (result as { view: OverdueSummaryView }).view;
    expect(view.sessions.map((s) => s.personName)).toContain('Ben Pastoral');
    expect(view.sessions.map((s) => s.personName)).not.toContain('Amy Teacher');
    expect(view.escalations).toHaveLength(1);
    expect(view.actions.map((a) => a.personName)).toEqual(['Amy Teacher']);
    expect(view.caseDecisions.map((d) => d.personName)).toEqual(['Amy Teacher']);
    const refused = await computeOverdue(w.deps, 'amy', {});
    expect(refused).toMatchObject({ ok: false, error: { type: 'refusal' } });
    expect(JSON.stringify(refused)).not.toMatch(/Ben|Amy|overdue sessions/);
  });
});

describe('disputes', () => {
  it('a change asked for goes back to the supervisor (both told); referred, it goes to the line manager as Ben’s contract says', async () => {
    w.clock.set(london('2025-12-15T10:00'));
    await w.deps.sessions.insert({ id: 'c-ben.2025-12-15', organisationId: 'org-wl', contractId: 'c-ben', startsAt: london('2025-12-15T09:30'), durationMinutes: 60, status: 'scheduled' });
    const drafted = await draftRecord(w.deps, 'sup', { sessionId: 'c-ben.2025-12-15', topics: ['organisational'], notes: 'n', submit: true });
    const recordId = (drafted as { view: RecordSheetView }).view.recordId;
    const result = await disputeRecord(w.deps, 'ben', { recordId, reason: 'The action owner is wrong' });
    expect(result).toMatchObject({ ok: true, view: { state: 'disputed', canRefer: true, referToName: 'Helen Head' } });
    for (const who of ['ben', 'sup']) expect((await outboxFor(who)).map((m) => m.view.type)).toContain('dispute-notice');
    expect((await outboxFor('head')).map((m) => m.view.type)).not.toContain('dispute-notice');
    const supCard = (await outboxFor('sup')).filter((m) => m.view.type === 'record-sheet').at(-1)?.view as RecordSheetView;
    expect(supCard).toMatchObject({ canEdit: true, editLabel: 'Edit and resend', canRefer: true, referToName: 'Helen Head' });
    expect(await referDispute(w.deps, 'sup', { recordId })).toMatchObject({ ok: true, view: { dispute: { routedToName: 'Helen Head' } } });
    const heard = (await outboxFor('head')).filter((m) => m.view.type === 'record-sheet').at(-1)?.view as RecordSheetView;
    expect(heard).toMatchObject({ canHear: true, viewerRole: 'reader', dispute: { reason: 'The action owner is wrong' } });
    expect((await outboxFor('governor')).map((m) => m.view.type)).not.toContain('record-sheet');
  });

  it('a bad submission names the field and writes nothing', async () => {
    const before = await w.store.models.records.countDocuments();
    const bad = await draftRecord(w.deps, 'sup', { sessionId: 'c-ben.2025-12-15', actions: [{ text: 'x', ownerId: 'ben', dueDate: '15/12/2025' }] });
    expect(bad).toMatchObject({ ok: false, error: { field: 'actions.0.dueDate' } });
    expect(await w.store.models.records.countDocuments()).toBe(before);
  });
});

describe('a command retried after a crash between the record write and its audit entry', () => {
  /** deps whose audit log fails once for the given action, as a process dying after the record write would */
  function crashingOnce(action: string): AppDeps {
    let crashed = false;
    const audit: AuditLog = {
      ...w.deps.audit,
      append: (entry) => {
        if (!crashed && entry.action === action) {
          crashed = true;
          return Promise.reject(new Error('process died'));
        }
        return w.deps.audit.append(entry);
      },
    };
    return { ...w.deps, audit };
  }
  const count = async (action: string, recordId: string) => (await w.deps.audit.entries('org-wl')).filter((e) => e.action === action && e.subject.id === recordId).length;

  it('writes the submission and the dispute entries it missed, once each', async () => {
    w.clock.set(london('2026-01-12T17:00'));
    await w.deps.sessions.insert({ id: 'c-ben.2026-01-12', organisationId: 'org-wl', contractId: 'c-ben', startsAt: london('2026-01-12T15:45'), durationMinutes: 60, status: 'scheduled' });
    const drafted = await draftRecord(w.deps, 'sup', { sessionId: 'c-ben.2026-01-12', topics: ['organisational'], notes: 'n' });
    const recordId = (drafted as { view: RecordSheetView }).view.recordId;

    const submitDeps = crashingOnce('record.submitted');
    await expect(submitRecordForConfirmation(submitDeps, 'sup', { recordId })).rejects.toThrow('process died');
    expect((await w.deps.records.latest(recordId))?.state).toBe('awaiting-confirmation');
    expect(await submitRecordForConfirmation(submitDeps, 'sup', { recordId })).toMatchObject({ ok: true });
    expect(await submitRecordForConfirmation(w.deps, 'sup', { recordId })).toMatchObject({ ok: true });
    expect(await count('record.submitted', recordId)).toBe(1);

    const disputeDeps = crashingOnce('record.disputed');
    await expect(disputeRecord(disputeDeps, 'ben', { recordId, reason: 'Wrong date' })).rejects.toThrow('process died');
    expect(await disputeRecord(disputeDeps, 'ben', { recordId, reason: 'Wrong date' })).toMatchObject({ ok: true });
    expect(await disputeRecord(w.deps, 'ben', { recordId, reason: 'Wrong date' })).toMatchObject({ ok: true });
    expect(await count('record.disputed', recordId)).toBe(1);
    expect(await w.deps.audit.verify('org-wl')).toMatchObject({ ok: true });
  });
});
