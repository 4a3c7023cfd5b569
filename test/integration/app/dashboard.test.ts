/**
 * The dashboard's use cases on the real store: the figures after a session is held and its record signed,
 * and a person's history showing each viewer only the records they may open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardSummary, personHistory, staffDirectory } from '../../../src/app/dashboard.js';
import { confirmRecord, draftRecord, recordIdFor } from '../../../src/app/records.js';
import { ensureNextSession } from '../../../src/app/sessions.js';
import { london } from '../../support/school.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let amyRecord = '';
let benRecord = '';

beforeAll(async () => {
  w = await createWorld('dashboard');
  // Amy and Ben both have a session on Tuesday 11 November; Amy's record is signed, Ben's waits for him
  const amy = await ensureNextSession(w.deps, w.org, w.contracts.amy);
  const ben = await ensureNextSession(w.deps, w.org, w.contracts.ben);
  if (!amy || !ben) throw new Error('both contracts book a session');
  w.clock.set(london('2025-11-11T17:30'));
  const content = { topics: ['performance'], notes: 'Caseload reviewed', actions: [{ text: 'Call the parent', ownerId: 'amy', dueDate: '2025-11-14' }] };
  expect((await draftRecord(w.deps, 'sup', { sessionId: amy.id, ...content, submit: true })).ok).toBe(true);
  expect((await draftRecord(w.deps, 'sup', { sessionId: ben.id, ...content, actions: [], submit: true })).ok).toBe(true);
  amyRecord = recordIdFor(amy.id);
  benRecord = recordIdFor(ben.id);
  await confirmRecord(w.deps, 'sup', { recordId: amyRecord });
  await confirmRecord(w.deps, 'amy', { recordId: amyRecord });
  await confirmRecord(w.deps, 'sup', { recordId: benRecord });
  w.clock.set(london('2025-11-17T09:00'));
});
afterAll(async () => w?.close());

describe('the dashboard figures', () => {
  it('the DSL sees held vs due, the signed rate and actions not yet due', async () => {
    const result = await dashboardSummary(w.deps, 'dsl', {});
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    const view = result.data!;
    expect(view.organisationName).toBe('White Laith Primary');
    const autumn2 = view.halfTerms.find((h) => h.name === 'Autumn 2');
    expect(autumn2).toMatchObject({ current: true, held: 2, signed: 1, schoolYear: '2025/26' });
    expect(autumn2!.due).toBeGreaterThanOrEqual(2);
    expect(view.totals).toMatchObject({ held: 2, signed: 1, actionsDue: 1, actionsClosedOnTime: 0 });
    expect(view.rates.signed).toBe(0.5);
    expect(view.staff.map((p) => p.id).sort()).toEqual(['amy', 'ben', 'sup']);
  });

  it('the deputy and the head see it too; a supervisor, a supervisee, an auditor and a stranger do not', async () => {
    for (const lead of ['deputy', 'head']) expect((await dashboardSummary(w.deps, lead, {})).ok).toBe(true);
    for (const other of ['sup', 'amy', 'auditor', 'governor', 'stranger', 'nobody-at-all']) {
      const result = await dashboardSummary(w.deps, other, {});
      expect(result.ok, other).toBe(false);
      expect(!result.ok && result.error.type, other).toBe('refusal');
    }
  });

  it('a bad number of half terms names the field', async () => {
    const result = await dashboardSummary(w.deps, 'dsl', { halfTerms: 0 });
    expect(!result.ok && result.error).toMatchObject({ type: 'error', field: 'halfTerms' });
  });
});

describe('a person’s history', () => {
  it('the DSL sees Ben’s contract, his held session and the record waiting for him', async () => {
    const result = await personHistory(w.deps, 'dsl', { personId: 'ben' });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    const view = result.data!;
    expect(view.contracts).toMatchObject([{ id: 'c-ben', role: 'supervisee', withNames: ['Sam Supervisor'], cadenceText: 'Every 4 weeks' }]);
    expect(view.sessions.find((s) => s.status === 'held')?.recordId).toBe(benRecord);
    expect(view.records).toMatchObject([{ recordId: benRecord, state: 'awaiting-confirmation', supervisorName: 'Sam Supervisor' }]);
  });

  it('a supervisee sees their own, with their action’s text; not a colleague’s', async () => {
    const own = await personHistory(w.deps, 'amy', { personId: 'amy' });
    expect(own.ok && own.data?.records.map((r) => r.recordId)).toEqual([amyRecord]);
    expect(own.ok && own.data?.actions.map((a) => a.text)).toEqual(['Call the parent']);
    const other = await personHistory(w.deps, 'amy', { personId: 'ben' });
    expect(!other.ok && other.error.type).toBe('refusal');
  });

  it('the supervisor may not open the history of a supervisee (the records are in chat), but sees their own', async () => {
    expect((await personHistory(w.deps, 'sup', { personId: 'amy' })).ok).toBe(false);
    const own = await personHistory(w.deps, 'sup', { personId: 'sup' });
    expect(own.ok && own.data?.records.map((r) => r.recordId).sort()).toEqual([amyRecord, benRecord].sort());
  });

  it('the head sees the history without records they are not party to, and no action text from them', async () => {
    const view = await personHistory(w.deps, 'head', { personId: 'amy' });
    expect(view.ok && view.data?.records).toEqual([]);
    expect(view.ok && view.data?.actions.map((a) => a.text)).toEqual([undefined]);
  });

  it('an auditor sees only signed records', async () => {
    const amy = await personHistory(w.deps, 'auditor', { personId: 'amy' });
    expect(amy.ok && amy.data?.records.map((r) => r.recordId)).toEqual([amyRecord]);
    const ben = await personHistory(w.deps, 'auditor', { personId: 'ben' });
    expect(ben.ok && ben.data?.records).toEqual([]);
  });

  it('an unknown person is refused like someone not yours to see; a bad id names the field', async () => {
    const unknown = await personHistory(w.deps, 'dsl', { personId: 'no-such-person' });
    const notYours = await personHistory(w.deps, 'amy', { personId: 'ben' });
    expect(unknown).toEqual(notYours);
    const bad = await personHistory(w.deps, 'dsl', { personId: 'a b' });
    expect(!bad.ok && bad.error).toMatchObject({ type: 'error', field: 'personId' });
  });
});

describe('the staff list', () => {
  it('is for the leads and an auditor; not a supervisor, a supervisee or the governor', async () => {
    for (const who of ['dsl', 'deputy', 'head', 'auditor']) {
      const result = await staffDirectory(w.deps, who, {});
      expect(result.ok && result.data?.staff.map((p) => p.id).sort(), who).toEqual(['amy', 'ben', 'sup']);
    }
    for (const who of ['sup', 'amy', 'governor', 'stranger']) expect((await staffDirectory(w.deps, who, {})).ok, who).toBe(false);
  });
});

describe('a session whose time passed without a record', () => {
  it('is never shown as Booked, and is not the next session', async () => {
    // Amy's next session (booked when her record was written) passes with nothing recorded
    const next = await w.deps.sessions.nextScheduled('c-amy', w.clock.now());
    if (!next) throw new Error('Amy has a next session');
    const was = w.clock.now();
    w.clock.set(new Date(next.startsAt.getTime() + 3 * 3600_000));
    try {
      const result = await personHistory(w.deps, 'dsl', { personId: 'amy' });
      if (!result.ok) throw new Error(JSON.stringify(result.error));
      const view = result.data!;
      expect(view.sessions.find((s) => s.id === next.id)?.statusLabel).toBe('Time passed — not recorded');
      expect(view.sessions.filter((s) => s.statusLabel === 'Booked')).toEqual([]);
      expect(view.contracts[0]?.nextText).toBe('none booked');
    } finally {
      w.clock.set(was);
    }
  });
});
