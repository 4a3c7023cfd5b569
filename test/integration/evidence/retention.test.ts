/**
 * Retention and subject access through the dashboard API (playground identity) on the real database:
 *   - a subject access response: other people's text flagged, each passage kept or redacted, and a redaction
 *     honoured in the released PDF (text extracted with pdftotext) and JSON;
 *   - the schedule (defaults and sources; set by the DSL, checked, audited);
 *   - the daily review lists what is due once the clock is six years past the end of the relationship (not the
 *     records linked to a case decision, kept 25 years) and tells the DSL and deputy; nothing is destroyed by it;
 *   - a legal hold stops destruction; approved destruction removes the text and leaves a tombstone per version,
 *     and `audit verify` still verifies the whole chain;
 *   - a tampered tombstone, and a version marked destroyed without one, are caught by verify.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordDigest } from '../../../src/app/evidence/chain.js';
import { generateAuditKey } from '../../../src/app/evidence/keys.js';
import { WITHHELD } from '../../../src/app/evidence/subject-access.js';
import { confirmRecord, correctSignedRecord } from '../../../src/app/records.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { signedRecordWithLoops, sentRecordForBen } from '../../support/loops.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let bot: Bot;
const key = generateAuditKey();
let amyRecord = '';
let benA = '';
let benB = '';
const BEN_A_NOTES = 'Ben talked through the attendance plan for the Tuesday group';
const BEN_B_NOTES = 'Ben described the home visit and what the family worker said';
const AMY_ITEM = 'Amy would like to plan her phonics training for the spring';
const SUP_ITEM = 'Sam wants to review how the reading interventions are going';

async function call(path: string, as: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${bot.url}/tab/api${path}`, {
    method: init.method ?? 'GET',
    headers: { 'x-playground-person': as, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer());
  return { status: res.status, body, headers: res.headers };
}

const pdfText = (bytes: Buffer) => execFileSync('pdftotext', ['-layout', '-', '-'], { input: bytes }).toString('utf8').replace(/\s+/g, ' ');

async function signBen(day: string, notes: string): Promise<string> {
  const { recordId } = await sentRecordForBen(w, day, notes);
  for (const who of ['ben', 'sup']) {
    const confirmed = await confirmRecord(w.deps, who, { recordId });
    if (!confirmed.ok) throw new Error(`fixture: ${JSON.stringify(confirmed.error)}`);
  }
  return recordId;
}

beforeAll(async () => {
  w = await createWorld('retention');
  amyRecord = (await signedRecordWithLoops(w)).recordId;
  benA = await signBen('2025-11-03', BEN_A_NOTES);
  benB = await signBen('2025-11-06', BEN_B_NOTES);
  // on Amy's next agenda: an item of hers and one of her supervisor's
  for (const [id, authorId, text] of [
    ['item.amy.own', 'amy', AMY_ITEM],
    ['item.amy.sup', 'sup', SUP_ITEM],
  ]) {
    await w.deps.agenda.add({ id: id as string, organisationId: 'org-wl', contractId: 'c-amy', authorId: authorId as string, text: text as string, category: 'professional-development', riskOfHarm: false, parked: true, createdAt: w.clock.now() });
  }
  await w.deps.people.upsert({ ...w.people.sup, id: 'bursar', name: 'Bea Bursar', email: 'bursar@school.example', identities: {}, roles: ['admin'], lineManagerId: undefined });
  w.clock.set(london('2025-12-01T09:00'));
  bot = await startBot(
    loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), PORT: '0', LOG_LEVEL: 'silent', QUEUE_PREFIX: testQueuePrefix(), PLAYGROUND: 'on', AUDIT_SIGNING_KEY: key.privateKeyPem }),
    createLogger('silent'),
    { clock: w.clock },
  );
}, 180_000);

afterAll(async () => {
  await bot?.stop();
  await w?.close();
});

/** The retention and subject access entries since `since` (the bot's own start-up work writes others). */
const actionsOf = async (since: number) =>
  (await w.deps.audit.entries(w.org.id)).filter((e) => e.seq > since && /^(retention|subject-access|record\.destroyed)/.test(e.action)).map((e) => e.action);
const headSeq = async () => (await w.deps.audit.head(w.org.id))?.seq ?? 0;

describe('subject access (UK GDPR Art. 15)', () => {
  let id = '';
  let passages: Array<{ id: string; label: string; why: string; text: string }> = [];

  it("the DSL starts Amy's response: the supervisor's notes and the case decisions about children are flagged, Amy's own actions are not", async () => {
    const before = await headSeq();
    const res = await call('/subject-access', 'dsl', { method: 'POST', body: { personId: 'amy' } });
    expect(res.status).toBe(201);
    id = res.body.id;
    passages = res.body.passages;
    expect(res.body.person).toEqual({ id: 'amy', name: 'Amy Teacher' });
    expect(passages.map((p) => p.id)).toEqual([`${amyRecord}@1/notes`, `${amyRecord}@1/decision/0`, `${amyRecord}@1/decision/1`, 'agenda/item.amy.sup']);
    expect(passages[3]).toMatchObject({ label: 'Agenda item raised by Sam Supervisor', why: 'written by Sam Supervisor', text: SUP_ITEM });
    expect(passages[0]).toMatchObject({ label: 'Notes', why: expect.stringContaining('written by Sam Supervisor'), text: 'Talked through the attendance concerns in Year 4' });
    expect(passages[1]).toMatchObject({ label: 'Case decision for JB', why: 'about a child (JB)', text: expect.stringContaining('Refer the family to early help') });
    expect(await actionsOf(before)).toEqual(['subject-access.started']);
  });

  it('nothing is released before every flagged passage is decided; a missing or unknown passage is named', async () => {
    const early = await call(`/subject-access/${id}/release.pdf`, 'dsl');
    expect(early.status).toBe(403);
    expect(early.body.error).toMatch(/^Review the 4 flagged passages/);
    const missing = await call(`/subject-access/${id}/decisions`, 'dsl', { method: 'POST', body: { decisions: { [`${amyRecord}@1/notes`]: 'redact' } } });
    expect(missing.status).toBe(400);
    expect(missing.body.field).toBe(`body.decisions.${amyRecord}@1/decision/0`);
    const unknown = await call(`/subject-access/${id}/decisions`, 'dsl', { method: 'POST', body: { decisions: { 'x@1/notes': 'keep' } } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('body.decisions.x@1/notes');
    const bad = await call(`/subject-access/${id}/decisions`, 'dsl', { method: 'POST', body: { decisions: { [`${amyRecord}@1/notes`]: 'maybe' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/must be keep or redact/);
  });

  it('the supervisor notes are redacted, the case decisions kept: the released PDF and JSON honour it', async () => {
    const decisions = { [`${amyRecord}@1/notes`]: 'redact', [`${amyRecord}@1/decision/0`]: 'keep', [`${amyRecord}@1/decision/1`]: 'keep', 'agenda/item.amy.sup': 'redact' };
    const before = await headSeq();
    const decided = await call(`/subject-access/${id}/decisions`, 'deputy', { method: 'POST', body: { decisions } });
    expect(decided.status).toBe(200);
    expect(decided.body.decided).toBe(true);
    const pdf = await call(`/subject-access/${id}/release.pdf`, 'dsl');
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = pdfText(pdf.body as Buffer);
    expect(text).toContain('Subject access response: Amy Teacher');
    expect(text).toContain(WITHHELD);
    expect(text).not.toContain('Talked through the attendance concerns');
    expect(text).toContain('Refer the family to early help');
    // Amy's own actions are hers: released as written
    expect(text).toContain('Call the parent about attendance this week');
    // her own agenda item is released; her supervisor's is withheld
    expect(text).toContain(AMY_ITEM);
    expect(text).not.toContain(SUP_ITEM);
    const json = await call(`/subject-access/${id}/release.json`, 'dsl');
    expect(json.status).toBe(200);
    const record = json.body.records.find((r: { recordId: string }) => r.recordId === amyRecord);
    expect(record.notes).toBe(WITHHELD);
    expect(record.caseDecisions[0].decision).toBe('Refer the family to early help');
    expect(json.body.subjectAccess).toMatchObject({ requestId: id, redacted: 2, kept: 2 });
    expect(json.body.agenda.map((a: { text: string }) => a.text)).toEqual([AMY_ITEM, WITHHELD]);
    // an ended contract is still in the file
    expect(json.body.contracts.map((c: { id: string }) => c.id)).toEqual(['c-amy']);
    expect(await actionsOf(before)).toEqual(['subject-access.reviewed', 'subject-access.released', 'subject-access.released']);
    // the record itself is untouched
    expect((await w.deps.records.latest(amyRecord))?.notes).toBe('Talked through the attendance concerns in Year 4');
  });

  it('someone unknown is refused like someone in another school; a bad id is named', async () => {
    expect((await call('/subject-access', 'dsl', { method: 'POST', body: { personId: 'nobody' } })).status).toBe(403);
    const bad = await call('/subject-access', 'dsl', { method: 'POST', body: { personId: 'a b' } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('body.personId');
    expect((await call('/subject-access/not-a-uuid', 'dsl')).body.field).toBe('params.id');
  });
});

describe('the schedule', () => {
  it('defaults to six and 25 years, with their sources', async () => {
    const res = await call('/retention', 'dsl');
    expect(res.status).toBe(200);
    expect(res.body.schedule).toEqual({ supervisionYears: 6, riskOrDecisionYears: 25, isDefault: true });
    expect(res.body.sources.join(' ')).toMatch(/IRMS Information Management Toolkit for Schools.*six years/);
    expect(res.body.sources.join(' ')).toContain('UK GDPR Art. 5(1)(e)');
    expect(res.body.due).toEqual([]);
  });

  it('the DSL sets it (audited); a bad value is named and changes nothing', async () => {
    const bad = await call('/retention/schedule', 'dsl', { method: 'PUT', body: { supervisionYears: 0, riskOrDecisionYears: 25 } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('body.supervisionYears');
    const shorter = await call('/retention/schedule', 'dsl', { method: 'PUT', body: { supervisionYears: 10, riskOrDecisionYears: 8 } });
    expect(shorter.status).toBe(400);
    expect(shorter.body.field).toBe('body.riskOrDecisionYears');
    expect((await call('/retention/schedule', 'dsl', { method: 'PUT', body: { supervisionYears: 6, riskOrDecisionYears: 25, extra: 1 } })).body.field).toBe('body.extra');
    expect((await call('/retention', 'dsl')).body.schedule.isDefault).toBe(true);
    const before = await headSeq();
    const ok = await call('/retention/schedule', 'dsl', { method: 'PUT', body: { supervisionYears: 6, riskOrDecisionYears: 25 } });
    expect(ok.status).toBe(200);
    const entries = (await w.deps.audit.entries(w.org.id)).filter((e) => e.seq > before && e.action.startsWith('retention'));
    expect(entries).toEqual([expect.objectContaining({ action: 'retention.schedule-set', actorId: 'dsl', detail: { supervisionYears: 6, riskOrDecisionYears: 25 } })]);
    expect((await call('/retention', 'dsl')).body.schedule).toMatchObject({ supervisionYears: 6, riskOrDecisionYears: 25, isDefault: false, setById: 'dsl' });
  });
});

describe('retention', () => {
  let holdId = '';

  it('while the contracts go on nothing is due; six years after they ended, the daily review lists Ben’s two records (not Amy’s, linked to case decisions) and tells the DSL and deputy once', async () => {
    for (const c of [w.contracts.amy, w.contracts.ben]) await w.deps.contracts.upsert({ ...c, active: false, endedOn: '2025-12-19' });
    w.clock.set(london('2031-12-18T09:00'));
    expect((await call('/retention', 'dsl')).body.due).toEqual([]);
    w.clock.set(london('2031-12-19T09:00'));
    const res = await call('/retention', 'dsl');
    expect(res.body.due.map((d: { recordId: string }) => d.recordId)).toEqual([benA, benB]);
    expect(res.body.due[0]).toMatchObject({ rule: 'supervision', years: 6, relationshipEndedOn: '2025-12-19', dueOn: '2031-12-19', supervisorName: 'Sam Supervisor', superviseeNames: ['Ben Pastoral'], heldBy: [] });
    const review = bot.runtime.retention;
    expect(review).toBeDefined();
    expect(await review?.runOnce()).toMatchObject({ due: 2, told: 2 });
    const told = await w.store.models.outbox.find({ threadKey: 'retention:due' }).lean<Array<{ recipientId: string; view: { text: string } }>>();
    expect(told.map((m) => m.recipientId).sort()).toEqual(['deputy', 'dsl']);
    expect(told[0]?.view.text).toMatch(/^2 supervision records have reached the end of the retention schedule.*Nothing is destroyed until you approve it/);
    expect(await review?.runOnce()).toMatchObject({ due: 2, told: 0 });
    // the review destroyed nothing
    expect((await w.deps.records.latest(benA))?.notes).toBe(BEN_A_NOTES);
  });

  it('a legal hold on a record stops its destruction; naming it refuses the whole approval, destroying nothing', async () => {
    const before = await headSeq();
    const placed = await call('/retention/holds', 'dsl', { method: 'POST', body: { target: { kind: 'record', id: benB }, reason: 'Complaint from the family under investigation' } });
    expect(placed.status).toBe(201);
    holdId = placed.body.id;
    expect(await actionsOf(before)).toEqual(['retention.hold-placed']);
    const overview = await call('/retention', 'deputy');
    expect(overview.body.due.find((d: { recordId: string }) => d.recordId === benB).heldBy).toEqual([{ holdId, kind: 'record', id: benB }]);
    expect(overview.body.holds).toEqual([expect.objectContaining({ id: holdId, reason: 'Complaint from the family under investigation', placedByName: 'Dee Lead' })]);
    const refused = await call('/retention/destroy', 'dsl', { method: 'POST', body: { recordIds: [benA, benB] } });
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe('body.recordIds.1');
    expect(refused.body.error).toMatch(/legal hold/);
    expect((await w.deps.records.latest(benA))?.notes).toBe(BEN_A_NOTES);
    const notDue = await call('/retention/destroy', 'dsl', { method: 'POST', body: { recordIds: [amyRecord] } });
    expect(notDue.status).toBe(400);
    expect(notDue.body.error).toMatch(/not on the list of records due/);
    const noReason = await call('/retention/holds', 'dsl', { method: 'POST', body: { target: { kind: 'person', id: 'amy' } } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.field).toBe('body.reason');
  });

  it('approved destruction removes the text everywhere and leaves a tombstone per version; audit verify still verifies the whole chain', async () => {
    const signedVersion = await w.deps.records.latest(benA);
    const digest = recordDigest(signedVersion!);
    const signedEntry = (await w.deps.audit.entries(w.org.id)).find((e) => e.action === 'record.signed' && e.subject.id === benA);
    expect(signedEntry?.detail.digest).toBe(digest);
    const res = await call('/retention/destroy', 'dsl', { method: 'POST', body: { recordIds: [benA] } });
    expect(res.status).toBe(200);
    const tombstones = (await w.deps.audit.entries(w.org.id)).filter((e) => e.action === 'record.destroyed');
    expect(tombstones).toEqual([expect.objectContaining({ actorId: 'dsl', subject: { kind: 'record', id: benA, version: 1 }, detail: expect.objectContaining({ destroyedDigest: digest, rule: 'supervision', years: 6, relationshipEndedOn: '2025-12-19', state: 'signed' }) })]);
    expect(res.body.destroyed).toEqual([{ recordId: benA, versions: 1, tombstones: [tombstones[0]?.seq] }]);
    const after = await w.deps.records.latest(benA);
    expect(after).toMatchObject({ notes: '', state: 'signed', destroyed: { byId: 'dsl', rule: 'supervision', tombstoneSeq: tombstones[0]?.seq } });
    expect(after?.actions.every((a) => a.text === '')).toBe(true);
    // no revision, action or message anywhere still holds the text
    const db = w.store.connection.db!;
    for (const name of ['records', 'actions', 'agendaItems', 'outbox', 'playgroundInbox']) {
      const docs = await db.collection(name).find({}).toArray();
      expect(JSON.stringify(docs), name).not.toContain(BEN_A_NOTES);
    }
    // the other record is still whole
    expect((await w.deps.records.latest(benB))?.notes).toBe(BEN_B_NOTES);
    const verified = await call('/audit/verify', 'auditor');
    expect(verified.body).toMatchObject({ ok: true, records: { destroyed: 1 } });
    expect(verified.body.text).toMatch(/^Verified \d+ entries .*1 destroyed under the retention schedule, each with its tombstone/);
    // the supervision file shows it, visibly: what, when, by whom, under which rule
    const file = await call('/people/ben/file.json', 'dsl');
    const shown = file.body.records.find((r: { recordId: string }) => r.recordId === benA);
    expect(shown.destroyedText).toMatch(/^Content destroyed on Fri 19 Dec 2031, \d\d:\d\d by Dee Lead under the retention schedule \(supervision records\); the tombstone is audit entry \d+$/);
    // and so does the record itself, to those who may open it
    const sheet = await call(`/records/${benA}`, 'ben');
    expect(sheet.status).toBe(200);
    expect(JSON.stringify(sheet.body)).toMatch(/Content destroyed on Fri 19 Dec 2031, \d\d:\d\d by Dee Lead under the retention schedule \(audit entry \d+\)/);
    expect(JSON.stringify(sheet.body)).toContain('content destroyed');
    // nobody can correct it (or anything else) now
    const correction = await correctSignedRecord(w.deps, 'dsl', { recordId: benA, reason: 'Restore what was said' });
    expect(correction).toMatchObject({ ok: false, error: { type: 'refusal', text: expect.stringMatching(/destroyed under the school’s retention schedule/) } });
    expect((await w.deps.records.versions(benA)).length).toBe(1);
    // gone from the due list
    expect((await call('/retention', 'dsl')).body.due.map((d: { recordId: string }) => d.recordId)).toEqual([benB]);
    // its open action is no longer followed up (/overdue, My supervision)
    const late = await w.deps.actions.lateBefore(w.org.id, '2031-12-19');
    expect(late.map((a) => a.recordId).filter((r) => r.startsWith('rec.c-ben'))).toEqual([benB]);
  });

  it('once the hold is released, the held record can be destroyed', async () => {
    const before = await headSeq();
    expect((await call(`/retention/holds/${holdId}/release`, 'deputy', { method: 'POST' })).status).toBe(200);
    expect(await actionsOf(before)).toEqual(['retention.hold-released']);
    expect((await call(`/retention/holds/${holdId}/release`, 'deputy', { method: 'POST' })).status).toBe(403);
    expect((await call('/retention/destroy', 'deputy', { method: 'POST', body: { recordIds: [benB] } })).status).toBe(200);
    expect((await w.deps.records.latest(benB))?.notes).toBe('');
    expect((await call('/audit/verify', 'dsl')).body).toMatchObject({ ok: true, records: { destroyed: 2 } });
  });

  it('25 years on, Amy’s record is due; a hold on Amy stops it', async () => {
    w.clock.set(london('2050-12-19T09:00'));
    const due = (await call('/retention', 'dsl')).body.due;
    expect(due).toEqual([expect.objectContaining({ recordId: amyRecord, rule: 'risk-or-decision', years: 25, dueOn: '2050-12-19' })]);
    const placed = await call('/retention/holds', 'dsl', { method: 'POST', body: { target: { kind: 'person', id: 'amy' }, reason: 'Serious case review in progress' } });
    expect(placed.status).toBe(201);
    const refused = await call('/retention/destroy', 'dsl', { method: 'POST', body: { recordIds: [amyRecord] } });
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe('body.recordIds.0');
    expect((await w.deps.records.latest(amyRecord))?.notes).toBe('Talked through the attendance concerns in Year 4');
  });

  it('a tampered tombstone is caught by verify, at its entry', async () => {
    const tomb = (await w.deps.audit.entries(w.org.id)).find((e) => e.action === 'record.destroyed' && e.subject.id === benA)!;
    const audit = w.store.models.audit.collection;
    const id = `${w.org.id}#${String(tomb.seq).padStart(12, '0')}`;
    await audit.updateOne({ _id: id as never }, { $set: { 'detail.destroyedDigest': '0'.repeat(64) } });
    try {
      const res = await call('/audit/verify', 'dsl');
      expect(res.body).toMatchObject({ ok: false, break: { seq: tomb.seq, kind: 'altered' } });
      expect(res.body.text).toContain(`entry ${tomb.seq} (record.destroyed) was altered`);
    } finally {
      await audit.updateOne({ _id: id as never }, { $set: { 'detail.destroyedDigest': tomb.detail.destroyedDigest } });
    }
    expect((await call('/audit/verify', 'dsl')).body.ok).toBe(true);
  });

  it('a version emptied and marked destroyed without a tombstone does not verify', async () => {
    const records = w.store.models.records.collection;
    await records.updateMany({ recordId: amyRecord }, { $set: { notes: '', destroyed: { at: new Date(), byId: 'dsl', rule: 'risk-or-decision', tombstoneSeq: 999_999 } } });
    try {
      const res = await call('/audit/verify', 'dsl');
      expect(res.body.ok).toBe(false);
      expect(res.body.text).toContain(`record ${amyRecord} version 1 is marked destroyed, but the audit trail holds no tombstone for it`);
    } finally {
      await records.updateMany({ recordId: amyRecord }, { $set: { notes: 'Talked through the attendance concerns in Year 4' }, $unset: { destroyed: '' } });
    }
    expect((await call('/audit/verify', 'dsl')).body.ok).toBe(true);
  });
});

describe('who may', () => {
  it('the headteacher, an administrator, the governor, the auditor, a supervisor and a supervisee are refused every retention and subject access route (403)', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/retention'],
      ['PUT', '/retention/schedule', { supervisionYears: 6, riskOrDecisionYears: 25 }],
      ['POST', '/retention/holds', { target: { kind: 'person', id: 'ben' }, reason: 'A complaint about this' }],
      ['POST', '/retention/destroy', { recordIds: [amyRecord] }],
      ['POST', '/subject-access', { personId: 'amy' }],
    ];
    const before = await headSeq();
    for (const who of ['head', 'bursar', 'governor', 'auditor', 'sup', 'amy']) {
      for (const [method, path, body] of routes) expect((await call(path, who, { method, body })).status, `${who} ${method} ${path}`).toBe(403);
    }
    expect(await actionsOf(before)).toEqual([]);
  });
});
