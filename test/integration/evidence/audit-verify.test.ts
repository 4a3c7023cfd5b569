/**
 * The audit trail's check: clean, an entry edited, a record edited, history rewritten without the signing key
 * (caught at the checkpoint), a forged checkpoint, entries cut from the end.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHash } from '../../../src/app/evidence/chain.js';
import { generateAuditKey } from '../../../src/app/evidence/keys.js';
import { anchorAuditHead, verifyAudit, verifyAuditTrail } from '../../../src/app/evidence/verify.js';
import type { AuditEntry } from '../../../src/app/ports.js';
import { confirmRecord, draftRecord } from '../../../src/app/records.js';
import { ensureNextSession } from '../../../src/app/sessions.js';
import { london } from '../../support/school.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
const signing = generateAuditKey();
let recordId = '';
type Doc = Record<string, unknown> & { _id: string };
let original: Doc[] = [];

async function restore(): Promise<void> {
  await w.store.models.audit.collection.deleteMany({});
  await w.store.models.audit.collection.insertMany(original as never[]);
}

beforeAll(async () => {
  w = await createWorld('audit-verify');
  w.deps.auditKey = signing.key;
  const session = await ensureNextSession(w.deps, w.org, w.contracts.amy);
  w.clock.set(london('2025-11-11T17:00'));
  const drafted = await draftRecord(w.deps, 'sup', {
    sessionId: session!.id,
    topics: ['performance'],
    notes: 'Talked through the caseload and the new referral route',
    concerns: [],
    caseDecisions: [],
    actions: [{ text: 'Read the updated referral guidance', ownerId: 'amy', dueDate: '2025-11-20' }],
    submit: true,
  });
  recordId = (drafted as { view: { recordId: string } }).view.recordId;
  await confirmRecord(w.deps, 'amy', { recordId });
  await confirmRecord(w.deps, 'sup', { recordId });
});
afterAll(async () => w.close());

describe('audit verify', () => {
  it('verifies a clean trail and every sent record version against its entry', async () => {
    const report = await verifyAuditTrail(w.deps, 'org-wl');
    const head = await w.deps.audit.head('org-wl');
    expect(report.ok).toBe(true);
    expect(report.entries).toBe(head?.seq);
    expect(report.headHash).toBe(head?.hash);
    expect(report.text).toMatch(new RegExp(`^Verified ${head?.seq} entries up to ${head?.hash}; no signed checkpoints yet; 1 record version match`));
    expect(report.records).toEqual({ checked: 1, withoutDigest: 0, destroyed: 0 });
  });

  it('signs the head with the key outside the database; an unchanged head is not signed twice', async () => {
    const first = await anchorAuditHead(w.deps, 'org-wl', 'interval');
    expect(first.signed).toBe(true);
    const again = await anchorAuditHead(w.deps, 'org-wl', 'interval');
    expect(again).toEqual(first);
    expect(await w.deps.checkpoints.list('org-wl')).toHaveLength(1);
    // more history, a second checkpoint
    for (let i = 0; i < 5; i++) await w.deps.audit.append({ organisationId: 'org-wl', at: w.clock.now(), actorId: 'dsl', action: 'test.entry', subject: { kind: 'person', id: 'amy' }, detail: { i } });
    const second = await anchorAuditHead(w.deps, 'org-wl', 'export');
    expect(second).toMatchObject({ signed: true, checkpoint: { reason: 'export', keyId: w.deps.auditKey?.keyId } });
    const report = await verifyAuditTrail(w.deps, 'org-wl');
    expect(report).toMatchObject({ ok: true, checkpoints: { count: 2, checked: true, lastSeq: report.entries } });
    original = await w.store.models.audit.collection.find({ organisationId: 'org-wl' }).toArray() as unknown as Doc[];
  });

  it('an entry edited in the database is reported at that entry, with the hashes', async () => {
    await w.store.models.audit.collection.updateOne({ organisationId: 'org-wl', seq: 3 }, { $set: { actorId: 'someone-else' } });
    const report = await verifyAuditTrail(w.deps, 'org-wl');
    expect(report.ok).toBe(false);
    expect(report.break).toMatchObject({ seq: 3, kind: 'altered' });
    expect(report.text).toMatch(/^The audit trail does not verify at entry 3: entry 3 \(.+\) was altered: it is stored with the hash [0-9a-f]{64}, but its content hashes to [0-9a-f]{64}/);
    expect(await w.deps.audit.verify('org-wl')).toMatchObject({ ok: false, atSeq: 3 });
    await restore();
    expect((await verifyAuditTrail(w.deps, 'org-wl')).ok).toBe(true);
  });

  it('history rewritten without the key (the chain recomputed) fails at the first checkpoint after the edit', async () => {
    const entries = (await w.deps.audit.entries('org-wl')) as AuditEntry[];
    const checkpoints = await w.deps.checkpoints.list('org-wl');
    const target = 2;
    let prev = '';
    for (const e of entries) {
      if (e.seq < target) {
        prev = e.hash;
        continue;
      }
      const changed: Omit<AuditEntry, 'hash'> = { ...e, prevHash: prev, ...(e.seq === target ? { actorId: 'someone-else' } : {}) };
      delete (changed as Partial<AuditEntry>).hash;
      const hash = auditHash(changed);
      await w.store.models.audit.collection.updateOne({ organisationId: 'org-wl', seq: e.seq }, { $set: { actorId: changed.actorId, prevHash: prev, hash } });
      prev = hash;
    }
    // the links and hashes are consistent again: only the signed checkpoint shows the rewrite
    expect(await w.deps.audit.verify('org-wl')).toMatchObject({ ok: true });
    const report = await verifyAuditTrail(w.deps, 'org-wl');
    const at = checkpoints[0]!.seq;
    expect(report.ok).toBe(false);
    expect(report.break).toMatchObject({ seq: at, kind: 'checkpoint', expected: checkpoints[0]!.hash });
    expect(report.text).toContain(`is not the entry that was signed at the checkpoint: the checkpoint signed ${checkpoints[0]!.hash}`);
    // and nothing signs the rewritten head
    expect(await anchorAuditHead(w.deps, 'org-wl', 'interval')).toMatchObject({ signed: false, break: { kind: 'checkpoint', seq: checkpoints.at(-1)!.seq } });
    await restore();
  });

  it('a checkpoint rewritten to match (without the key) has a signature that does not verify', async () => {
    const [first] = await w.deps.checkpoints.list('org-wl');
    await w.store.models.auditCheckpoints.collection.updateOne({ organisationId: 'org-wl', seq: first!.seq }, { $set: { hash: 'a'.repeat(64) } });
    const report = await verifyAuditTrail(w.deps, 'org-wl');
    expect(report.break).toMatchObject({ seq: first!.seq, kind: 'checkpoint-signature' });
    expect(report.text).toContain('does not carry a valid signature');
    await w.store.models.auditCheckpoints.collection.updateOne({ organisationId: 'org-wl', seq: first!.seq }, { $set: { hash: first!.hash } });
    // another deployment's key cannot stand in for this one
    const theirs = generateAuditKey().key;
    const report2 = await verifyAuditTrail({ ...w.deps, auditKey: theirs }, 'org-wl');
    expect(report2.break).toMatchObject({ kind: 'checkpoint-signature', expected: theirs.keyId });
  });

  it('entries cut from the end are found by the checkpoint beyond the end', async () => {
    const head = await w.deps.audit.head('org-wl');
    await w.store.models.audit.collection.deleteMany({ organisationId: 'org-wl', seq: { $gt: head!.seq - 2 } });
    const report = await verifyAuditTrail(w.deps, 'org-wl');
    expect(report.break).toMatchObject({ kind: 'checkpoint-beyond-end' });
    await restore();
  });

  it('a record edited in the database no longer matches its audit entry', async () => {
    const stored = await w.store.models.records.collection.findOne({ recordId, current: true });
    await w.store.models.records.collection.updateOne({ _id: stored!._id }, { $set: { notes: 'A different account of the session' } });
    const report = await verifyAuditTrail(w.deps, 'org-wl');
    expect(report.break).toMatchObject({ kind: 'record' });
    expect(report.text).toMatch(new RegExp(`record ${recordId} version 1 does not match its audit entry \\d+ \\(record\\.signed\\)`));
    await w.store.models.records.collection.updateOne({ _id: stored!._id }, { $set: { notes: stored!.notes } });
    expect((await verifyAuditTrail(w.deps, 'org-wl')).ok).toBe(true);
  });

  it('only the DSL, a deputy or an auditor may run the check', async () => {
    for (const who of ['dsl', 'deputy', 'auditor']) expect(await verifyAudit(w.deps, who, {})).toMatchObject({ ok: true, data: { ok: true } });
    for (const who of ['amy', 'sup', 'head', 'governor', 'stranger']) expect(await verifyAudit(w.deps, who, {})).toMatchObject({ ok: false, error: { type: 'refusal' } });
  });
});

describe('npm run admin -- audit verify', () => {
  const run = async (args: string[], keyFile: string) => {
    try {
      const { stdout } = await promisify(execFile)('npx', ['tsx', 'scripts/admin.ts', ...args], { env: { ...process.env, MONGODB_URI: w.mongoUrl, AUDIT_SIGNING_KEY_FILE: keyFile } });
      return { code: 0, out: JSON.parse(stdout) };
    } catch (error) {
      const e = error as { code: number; stdout: string };
      return { code: e.code, out: JSON.parse(e.stdout) };
    }
  };

  it('answers in JSON: verified up to the head, or refused at the entry that broke (exit code 1)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-key-'));
    const keyFile = path.join(dir, 'audit.pem');
    writeFileSync(keyFile, signing.privateKeyPem, { mode: 0o600 });
    const head = await w.deps.audit.head('org-wl');
    const clean = await run(['audit', 'verify', '--org', 'org-wl', '--json'], keyFile);
    expect(clean.code).toBe(0);
    expect(clean.out).toMatchObject({ command: 'audit verify', errors: [], reports: [{ ok: true, entries: head?.seq, headHash: head?.hash }] });
    await w.store.models.audit.collection.updateOne({ organisationId: 'org-wl', seq: 4 }, { $set: { action: 'record.deleted' } });
    const broken = await run(['audit', 'verify', '--json'], keyFile);
    expect(broken.code).toBe(1);
    expect(broken.out.errors).toEqual([expect.objectContaining({ row: 4, column: 'altered', message: expect.stringContaining('entry 4 (record.deleted) was altered') })]);
    await restore();
  });

  it('exports a file and a bundle as a DSL or auditor named on the command line; a supervisee is refused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-export-'));
    const keyFile = path.join(dir, 'audit.pem');
    writeFileSync(keyFile, signing.privateKeyPem, { mode: 0o600 });
    const pdf = path.join(dir, 'amy.pdf');
    const made = await run(['export', 'person', 'dsl', 'amy', pdf, '--json'], keyFile);
    expect(made).toMatchObject({ code: 0, out: { command: 'export person', created: 1 } });
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    const zip = path.join(dir, 'bundle.zip');
    expect(await run(['export', 'bundle', 'auditor', zip, '2025-09-01', '--json'], keyFile)).toMatchObject({ code: 0, out: { created: 1 } });
    expect(readFileSync(zip).subarray(0, 2).toString()).toBe('PK');
    const refused = await run(['export', 'person', 'amy', 'amy', path.join(dir, 'no.json'), '--json'], keyFile);
    expect(refused.code).toBe(1);
    expect(refused.out.errors[0].message).toContain('Only the DSL, a deputy DSL or an auditor');
    expect(existsSync(path.join(dir, 'no.json'))).toBe(false);
    const entries = await w.deps.audit.entries('org-wl');
    expect(entries.filter((e) => e.action.startsWith('export.')).map((e) => [e.action, e.actorId])).toEqual([['export.person-file', 'dsl'], ['export.bundle', 'auditor']]);
  });
});
