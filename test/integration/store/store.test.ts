import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignedRecordImmutableError, VersionConflictError } from '../../../src/app/ports.js';
import { confirm, newDraft, submitForConfirmation } from '../../../src/domain/record.js';
import type { RecordSheet } from '../../../src/domain/types.js';
import { auditLog } from '../../../src/store/audit.js';
import { connectStore, type StoreHandle } from '../../../src/store/connection.js';
import { recordRepository } from '../../../src/store/repositories.js';
import { withReadMemo } from '../../../src/store/read-memo.js';
import { demoTermDates } from '../../../src/demo/school.js';
import { person } from '../../support/school.js';
import { recordFreeText } from '../../support/free-text.js';
import { testMongoUrl } from '../../support/services.js';

let store: StoreHandle;
let url: string;
beforeAll(async () => {
  url = testMongoUrl('store');
  store = await connectStore(url);
});
afterAll(async () => {
  await recordFreeText(store.connection);
  await store.connection.dropDatabase();
  await store.close();
});

const t0 = new Date('2025-11-18T16:45:00Z');
function draft(id = 'r1'): RecordSheet {
  return newDraft(
    {
      id,
      organisationId: 'org-wl',
      contractId: 'c-amy',
      sessionId: `s-${id}`,
      date: '2025-11-18',
      supervisorId: 'sup',
      superviseeIds: ['amy'],
      topics: ['performance'],
      notes: 'n',
      concerns: [],
      caseDecisions: [],
      actions: [],
      previousActionsReviewed: [],
    },
    t0,
  );
}

describe('records', () => {
  it('round-trips a record without leaking storage fields', async () => {
    const r = draft('rt');
    await store.stores.records.insertVersion(r);
    expect(await store.stores.records.latest('rt')).toEqual(r);
  });

  it('a second insert of the same version is a conflict', async () => {
    await store.stores.records.insertVersion(draft('dup'));
    await expect(store.stores.records.insertVersion(draft('dup'))).rejects.toBeInstanceOf(VersionConflictError);
  });

  it('replace checks the optimistic version', async () => {
    const r = draft('opt');
    await store.stores.records.insertVersion(r);
    const edited = { ...r, notes: 'changed', updatedAt: new Date(t0.getTime() + 1000) };
    await store.stores.records.replace(edited, r.updatedAt);
    await expect(store.stores.records.replace({ ...edited, notes: 'again' }, r.updatedAt)).rejects.toBeInstanceOf(VersionConflictError);
  });

  it('a signed record cannot be altered through the repository or the model', async () => {
    let r = submitForConfirmation(draft('signed'), 'sup', t0);
    await store.stores.records.insertVersion(r);
    r = confirm(confirm(r, 'amy', t0).record, 'sup', t0).record;
    await store.stores.records.replace(r, draft('signed').updatedAt);
    expect((await store.stores.records.latest('signed'))?.state).toBe('signed');

    await expect(store.stores.records.replace({ ...r, notes: 'tampered' }, r.updatedAt)).rejects.toBeInstanceOf(SignedRecordImmutableError);
    await store.models.records.updateOne({ recordId: 'signed' }, { $set: { notes: 'tampered' } });
    await store.models.records.findOneAndUpdate({ recordId: 'signed' }, { $set: { notes: 'tampered' } });
    await store.models.records.deleteOne({ recordId: 'signed' });
    const doc = await store.models.records.findOne({ recordId: 'signed' });
    expect(doc).not.toBeNull();
    doc!.set('notes', 'tampered');
    await expect(doc!.save()).rejects.toBeInstanceOf(SignedRecordImmutableError);
    expect((await store.stores.records.latest('signed'))?.notes).toBe('n');
  });
});

describe('compare-and-set writes', () => {
  it('twenty concurrent completions of one action apply once', async () => {
    await store.stores.actions.upsertMany([
      { id: 'a1', organisationId: 'org-wl', contractId: 'c', recordId: 'r', text: 't', ownerId: 'amy', dueDate: '2025-11-20', status: 'open', agreedAt: t0 },
    ]);
    const results = await Promise.all(Array.from({ length: 20 }, () => store.stores.actions.complete('a1', t0)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('twenty racing writers of the same record revision: one wins, the rest get a conflict', async () => {
    const r = draft('race');
    await store.stores.records.insertVersion(r);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.stores.records.replace({ ...r, notes: `w${i}`, updatedAt: new Date(t0.getTime() + i + 1) }, r.updatedAt),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(VersionConflictError);
    expect((await store.stores.records.versions('race')).length).toBe(1);
  });

  it('a session leaves the scheduled state once, whoever races', async () => {
    await store.stores.sessions.insert({ id: 'sx', organisationId: 'org-wl', contractId: 'c', startsAt: t0, durationMinutes: 60, status: 'scheduled' });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.stores.sessions.transition('sx', 'scheduled', i % 2 ? 'held' : 'cancelled', {})),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('an idempotent upsert twice leaves one document, unchanged by the second', async () => {
    const item = { id: 'i1', organisationId: 'org-wl', contractId: 'c', authorId: 'amy', text: 'x', category: 'aob' as const, riskOfHarm: false, parked: true, createdAt: t0 };
    expect(await store.stores.agenda.add(item)).toBe(true);
    expect(await store.stores.agenda.add({ ...item, text: 'y' })).toBe(false);
    expect((await store.stores.agenda.parked('c')).map((i) => i.text)).toEqual(['x']);
  });

  it('a reminder is marked sent once, and a later upsert does not reset it', async () => {
    const r = { id: 'notice:s1', organisationId: 'org-wl', kind: 'notice' as const, subjectId: 's1', recipientIds: ['amy'], dueAt: t0 };
    await store.stores.reminders.upsertMany([r]);
    const marks = await Promise.all(Array.from({ length: 10 }, () => store.stores.reminders.markSent(r.id, t0)));
    expect(marks.filter(Boolean)).toHaveLength(1);
    await store.stores.reminders.upsertMany([r]);
    expect(await store.stores.reminders.markSent(r.id, t0)).toBe(false);
  });

  it('escalations and case decisions: unacknowledged and not-copied queries, then CAS', async () => {
    await store.stores.escalations.insert({ id: 'e1', organisationId: 'org-q', raisedById: 'amy', subjectPersonId: 'amy', source: { kind: 'agenda-item', id: 'i' }, raisedAt: t0, notifiedIds: ['dsl'] });
    expect((await store.stores.escalations.unacknowledged('org-q')).map((e) => e.id)).toEqual(['e1']);
    expect(await store.stores.escalations.acknowledge('e1', 'dsl', t0)).toBe(true);
    expect(await store.stores.escalations.acknowledge('e1', 'dsl', t0)).toBe(false);
    expect(await store.stores.escalations.unacknowledged('org-q')).toEqual([]);

    const due = new Date(t0.getTime() + 86_400_000);
    await store.stores.caseDecisions.upsertMany([
      { id: 'd1', organisationId: 'org-q', recordId: 'r', contractId: 'c', childRef: 'JB', decision: 'x', rationale: 'y', followUpById: 'amy', decidedAt: t0, copyDueAt: due },
    ]);
    expect(await store.stores.caseDecisions.notCopiedDueBefore('org-q', t0)).toEqual([]);
    const late = await store.stores.caseDecisions.notCopiedDueBefore('org-q', new Date(due.getTime() + 1));
    expect(late.map((d) => d.id)).toEqual(['d1']);
    expect(await store.stores.caseDecisions.markCopied('r', 'd1', 'amy', due)).toBe(true);
    expect(await store.stores.caseDecisions.notCopiedDueBefore('org-q', new Date(due.getTime() + 1))).toEqual([]);
  });
});

describe('people', () => {
  it('are found by Slack and Teams identity, and unreachable people are listed', async () => {
    await store.stores.people.upsert(person('amy', ['supervisee'], { organisationId: 'org-p', identities: { slackUserId: 'U1', teamsAadObjectId: 'AAA-1' } }));
    expect((await store.stores.people.bySlackUser('U1'))?.id).toBe('amy');
    expect((await store.stores.people.byTeamsUser('aaa-1'))?.id).toBe('amy');
    expect(await store.stores.people.bySlackUser('U2')).toBeNull();
    await store.stores.people.setReachability('amy', 'teams', false, t0);
    expect((await store.stores.people.unreachable('org-p')).map((u) => [u.person.id, u.platform])).toEqual([['amy', 'teams']]);
    await store.stores.people.setReachability('amy', 'teams', true, t0);
    expect(await store.stores.people.unreachable('org-p')).toEqual([]);
  });

  it('are read with the platforms where a delivery found them unreachable, which an upsert of what was read never writes', async () => {
    await store.stores.people.upsert(person('ria', ['supervisee'], { organisationId: 'org-p', identities: { slackUserId: 'U9', teamsAadObjectId: 'AAA-9' } }));
    expect((await store.stores.people.get('ria'))?.unreachableOn).toBeUndefined();
    await store.stores.people.setReachability('ria', 'teams', false, t0);
    const read = (await store.stores.people.get('ria'))!;
    expect(read.unreachableOn).toEqual(['teams']);
    expect((await store.stores.people.getMany(['ria', 'amy'])).find((p) => p.id === 'ria')?.unreachableOn).toEqual(['teams']);
    expect((await store.stores.people.bySlackUser('U9'))?.unreachableOn).toEqual(['teams']);
    // written back as read (a rename), then found reachable: the stored reachability is the only one there is
    await store.stores.people.upsert({ ...read, name: 'Ria Renamed' });
    expect(Object.keys(await store.models.people.findById('ria').lean<object>() ?? {})).not.toContain('unreachableOn');
    await store.stores.people.setReachability('ria', 'teams', true, t0);
    const after = await store.stores.people.get('ria');
    expect([after?.name, after?.unreachableOn]).toEqual(['Ria Renamed', undefined]);
  });
});

describe('an agenda as a session shows it', () => {
  it('is the contract’s parked items first, then the session’s, each in the order added and each once, in one read', async () => {
    const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
    const item = (id: string, minutes: number, fields: { parked: boolean; sessionId?: string; contractId?: string }) => ({
      id, organisationId: 'org-wl', contractId: 'c-ag', authorId: 'amy', text: id, category: 'other' as const, riskOfHarm: false, createdAt: at(minutes), ...fields,
    });
    for (const i of [
      item('session-late', 30, { parked: false, sessionId: 's-ag' }),
      item('parked-late', 20, { parked: true }),
      item('session-early', 5, { parked: false, sessionId: 's-ag' }),
      item('parked-early', 10, { parked: true }),
      item('other-session', 1, { parked: false, sessionId: 's-other' }),
      item('other-contract-parked', 2, { parked: true, contractId: 'c-other' }),
    ]) await store.stores.agenda.add(i);
    expect((await store.stores.agenda.forContractSession('c-ag', 's-ag')).map((i) => i.id)).toEqual(['parked-early', 'parked-late', 'session-early', 'session-late']);
    expect((await store.stores.agenda.forContractSession('c-ag', 's-none')).map((i) => i.id)).toEqual(['parked-early', 'parked-late']);
  });
});

describe('an organisation read moments ago', () => {
  it('is shared by the process for the time asked, and forgotten at once by a write through the stores', async () => {
    const org = { id: 'org-recent', name: 'Recent School', kind: 'school' as const, timezone: 'Europe/London', termDates: demoTermDates(), supportContacts: [], dslIds: [], deputyDslIds: [], headteacherId: 'h', overdueGraceDays: 0, reminderTime: '08:30' };
    await store.stores.organisations.upsert(org);
    expect((await store.stores.organisations.recent?.('org-recent', 60_000))?.keepContentOutOfChat).toBeUndefined();
    // another process turns the setting on: a read within the time asked is this process's last
    await store.models.organisations.updateOne({ _id: 'org-recent' }, { $set: { keepContentOutOfChat: true } });
    expect((await store.stores.organisations.recent?.('org-recent', 60_000))?.keepContentOutOfChat).toBeUndefined();
    expect((await store.stores.organisations.recent?.('org-recent', 0))?.keepContentOutOfChat).toBe(true);
    // this process's own write is never answered from before it
    const read = (await store.stores.organisations.recent?.('org-recent', 60_000))!;
    read.name = 'changed by the caller';
    await store.stores.organisations.upsert({ ...org, keepContentOutOfChat: false });
    const after = await store.stores.organisations.recent?.('org-recent', 60_000);
    expect([after?.name, after?.keepContentOutOfChat]).toEqual(['Recent School', false]);
    // within a unit of work: a recent read answers the unit's later reads, and a unit that has read goes on with it
    await store.models.organisations.updateOne({ _id: 'org-recent' }, { $set: { name: 'Renamed elsewhere' } });
    await withReadMemo(async () => {
      expect((await store.stores.organisations.recent?.('org-recent', 60_000))?.name).toBe('Recent School');
      expect((await store.stores.organisations.get('org-recent'))?.name).toBe('Recent School');
    });
    await withReadMemo(async () => {
      expect((await store.stores.organisations.get('org-recent'))?.name).toBe('Renamed elsewhere');
      await store.models.organisations.updateOne({ _id: 'org-recent' }, { $set: { name: 'Renamed again' } });
      expect((await store.stores.organisations.recent?.('org-recent', 0))?.name).toBe('Renamed elsewhere');
    });
  });
});

describe('audit chain', () => {
  it('fifty concurrent appends form one unbroken chain that verifies', async () => {
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.stores.audit.append({ organisationId: 'org-a', at: t0, actorId: 'sup', action: 'record.confirmed', subject: { kind: 'record', id: `r${i}`, version: 1 }, detail: { i } }),
      ),
    );
    const entries = await store.stores.audit.entries('org-a');
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await store.stores.audit.verify('org-a')).toEqual({ ok: true, count: 50 });
  });

  it('runs appended in bulk by two processes at once, with single appends among them, form one unbroken chain', async () => {
    const other = await connectStore(url);
    try {
      const run = (from: number, n: number) =>
        Array.from({ length: n }, (_, i) => ({ at: t0, actorId: 'system', action: 'session.scheduled', subject: { kind: 'session', id: `s${from + i}` }, detail: { i: from + i } }));
      const singles = Array.from({ length: 10 }, (_, i) =>
        other.stores.audit.append({ organisationId: 'org-bulk', at: t0, actorId: 'sup', action: 'x', subject: { kind: 'record', id: `r${i}` }, detail: { i } }),
      );
      const [a, b] = await Promise.all([store.stores.audit.appendMany('org-bulk', run(0, 1500)), other.stores.audit.appendMany('org-bulk', run(1500, 1500)), ...singles]);
      expect([a, b].map((written) => (written as unknown[]).length)).toEqual([1500, 1500]);
      const entries = await store.stores.audit.entries('org-bulk');
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 3010 }, (_, i) => i + 1));
      expect(new Set(entries.map((e) => e.subject.id)).size).toBe(3010);
      // each run keeps its order in the chain
      const order = (from: number) => entries.filter((e) => e.action === 'session.scheduled' && Number(e.detail.i) >= from && Number(e.detail.i) < from + 1500).map((e) => e.detail.i);
      expect(order(0)).toEqual(Array.from({ length: 1500 }, (_, i) => i));
      expect(order(1500)).toEqual(Array.from({ length: 1500 }, (_, i) => 1500 + i));
      expect(await store.stores.audit.verify('org-bulk')).toEqual({ ok: true, count: 3010 });
    } finally {
      await other.close();
    }
  });

  it('an edited entry or a gap is detected', async () => {
    for (let i = 0; i < 5; i++) {
      await store.stores.audit.append({ organisationId: 'org-b', at: t0, actorId: 'sup', action: 'x', subject: { kind: 'record', id: 'r' }, detail: { i } });
    }
    await store.models.audit.updateOne({ organisationId: 'org-b', seq: 3 }, { $set: { actorId: 'someone-else' } });
    expect(await store.stores.audit.verify('org-b')).toMatchObject({ ok: false, atSeq: 3 });
    await store.models.audit.updateOne({ organisationId: 'org-b', seq: 3 }, { $set: { actorId: 'sup' } });
    expect(await store.stores.audit.verify('org-b')).toMatchObject({ ok: true });
    await store.models.audit.deleteOne({ organisationId: 'org-b', seq: 2 });
    expect(await store.stores.audit.verify('org-b')).toMatchObject({ ok: false, atSeq: 2 });
  });
});

describe('the newest revision and the newest audit entry, read down their indexes', () => {
  it('a record changed twice reads back at its newest revision, by version too', async () => {
    const records = store.stores.records;
    let r = draft('newest');
    await records.insertVersion(r);
    for (const notes of ['second', 'third']) {
      const stored = (await records.latest('newest')) as RecordSheet;
      r = { ...stored, notes, updatedAt: new Date(stored.updatedAt.getTime() + 1000) };
      await records.replace(r, stored.updatedAt);
    }
    expect((await records.latest('newest'))?.notes).toBe('third');
    expect((await records.version('newest', 1))?.notes).toBe('third');
    expect(await records.version('newest', 2)).toBeNull();
    expect(await records.latest('never-written')).toBeNull();
  });

  it('appends from two processes interleave into one whole chain, and a keyed entry is written once', async () => {
    const here = store.stores.audit;
    const there = auditLog(store.models); // another process's log over the same database
    const entry = { organisationId: 'org-two', at: t0, actorId: 'sup', action: 'x', subject: { kind: 'record', id: 'r' }, detail: {} };
    await Promise.all([here.append(entry), there.append(entry), here.append(entry), there.append(entry)]);
    const keyed = await Promise.all([here.append({ ...entry, key: 'once' }), there.append({ ...entry, key: 'once' })]);
    expect(keyed[0]).toEqual(keyed[1]);
    expect((await here.append(entry)).seq).toBe(6);
    expect(await here.verify('org-two')).toEqual({ ok: true, count: 6 });
    // each log chains from the entry it wrote last without reading; the other's entry since makes it read the head
    expect((await there.append(entry)).seq).toBe(7);
    expect((await here.append(entry)).seq).toBe(8);
    expect((await here.append(entry)).seq).toBe(9);
    expect((await there.appendMany('org-two', [entry, entry])).map((e) => e.seq)).toEqual([10, 11]);
    expect((await here.append(entry)).seq).toBe(12);
    expect(await there.verify('org-two')).toEqual({ ok: true, count: 12 });
  });

  it('a revision another process wrote since this one read is a conflict, though this one remembers what it read', async () => {
    const here = store.stores.records;
    const there = recordRepository(store.models); // another process over the same database
    const r = draft('two-writers');
    await here.insertVersion(r);
    const mine = (await here.latest('two-writers')) as RecordSheet;
    const theirs = (await there.latest('two-writers')) as RecordSheet;
    await there.replace({ ...theirs, notes: 'theirs', updatedAt: new Date(t0.getTime() + 1000) }, theirs.updatedAt);
    await expect(here.replace({ ...mine, notes: 'mine', updatedAt: new Date(t0.getTime() + 2000) }, mine.updatedAt)).rejects.toBeInstanceOf(VersionConflictError);
    // read again, the change goes in on top of theirs; and a record signed elsewhere is not changed from here
    const now = (await here.latest('two-writers')) as RecordSheet;
    await here.replace({ ...now, notes: 'mine', updatedAt: new Date(t0.getTime() + 3000) }, now.updatedAt);
    const before = (await there.latest('two-writers')) as RecordSheet;
    await there.replace({ ...before, state: 'signed', updatedAt: new Date(t0.getTime() + 4000) }, before.updatedAt);
    await expect(here.replace({ ...now, notes: 'late', updatedAt: new Date(t0.getTime() + 5000) }, new Date(t0.getTime() + 3000))).rejects.toBeInstanceOf(VersionConflictError);
    expect(await here.latest('two-writers')).toMatchObject({ notes: 'mine', state: 'signed' });
  });
});

describe('pending reminders for the timers at start-up', () => {
  it('come soonest first, in pages, each once, a page boundary never splitting reminders due at the same instant', async () => {
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 5, 9, minutes));
    // 23 at nine instants (one shared by seven, more than a page of four), one of them sent
    const minutes = [0, 1, 1, 2, 3, 3, 3, 3, 3, 3, 3, 4, 5, 5, 6, 7, 7, 7, 8, 8, 8, 8, 8];
    const reminders = minutes.map((m, i) => ({ id: `timer-${String(i).padStart(2, '0')}`, organisationId: 'org-timers', kind: 'notice' as const, subjectId: `s${i}`, recipientIds: ['amy'], dueAt: at(m) }));
    await store.stores.reminders.syncMany(reminders);
    await store.stores.reminders.markSent('timer-00', at(30));
    const pages: string[][] = [];
    for await (const page of store.stores.reminders.pendingTimers(4)) pages.push(page.filter((r) => r.id.startsWith('timer-')).map((r) => r.id));
    const seen = pages.flat();
    expect(seen).toHaveLength(22);
    expect(new Set(seen).size).toBe(22);
    expect(seen).not.toContain('timer-00');
    const due = new Map(reminders.map((r) => [r.id, r.dueAt.getTime()]));
    expect(seen.map((id) => due.get(id))).toEqual([...seen.map((id) => due.get(id))].sort((a, b) => (a ?? 0) - (b ?? 0)));
    // no instant is split between pages
    const instantsOf = pages.map((p) => new Set(p.map((id) => due.get(id))));
    for (let i = 1; i < instantsOf.length; i++) for (const t of instantsOf[i] ?? []) expect(instantsOf[i - 1]?.has(t)).toBe(false);
  });
});

describe('reads remembered for one unit of work', () => {
  it('a person is read once, each caller gets its own copy, and a write through the repository is read back', async () => {
    await store.stores.people.upsert(person('memo', ['supervisee'], { name: 'Mo' }));
    await withReadMemo(async () => {
      const first = (await store.stores.people.get('memo'))!;
      first.name = 'changed by one caller';
      // another process renames them: this unit of work keeps what it read
      await store.models.people.updateOne({ _id: 'memo' }, { $set: { name: 'Renamed elsewhere' } });
      expect((await store.stores.people.get('memo'))?.name).toBe('Mo');
      expect((await store.stores.people.getMany(['memo', 'memo', 'nobody'])).map((p) => p.name)).toEqual(['Mo']);
      await store.stores.people.upsert({ ...first, name: 'Mo Written' });
      expect((await store.stores.people.get('memo'))?.name).toBe('Mo Written');
    });
    // outside a unit of work every read goes to the database
    await store.models.people.updateOne({ _id: 'memo' }, { $set: { name: 'Renamed again' } });
    expect((await store.stores.people.get('memo'))?.name).toBe('Renamed again');
  });
});

describe('upserts that race', () => {
  it('twenty writers storing the same new delivery reference at once all succeed, and one document remains', async () => {
    const writes = Array.from({ length: 20 }, (_, i) => store.stores.deliveries.put('teams-conversation', 'racer', 'teams', { reference: `r${i}` }));
    await expect(Promise.all(writes)).resolves.toBeDefined();
    expect(await store.models.deliveries.countDocuments({ _id: 'teams|racer|teams-conversation' })).toBe(1);
    expect((await store.stores.deliveries.get('teams-conversation', 'racer', 'teams'))?.reference).toMatch(/^r\d+$/);
  });
});
