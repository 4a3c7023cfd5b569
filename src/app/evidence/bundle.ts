/**
 * An inspection bundle for a school, or for a date range: each person's supervision file as PDF and JSON, a
 * CSV index of the files (with their SHA-256), the audit trail for the range, the whole trail's verification
 * report, the signed checkpoints and the public key that checks them — one zip (yazl). Only the DSL, a deputy
 * or an auditor may build one; the export is itself an audit entry, and the chain's head is signed with it
 * before the report is made, so the bundle carries a checkpoint covering its own export.
 */
import { createHash } from 'node:crypto';
import { ZipFile } from 'yazl';
import { z } from 'zod';
import { canExportRecords } from '../../domain/permissions.js';
import type { Person } from '../../domain/types.js';
import { loadActor } from '../context.js';
import { audit } from '../effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase } from '../errors.js';
import type { AppDeps, AuditEntry } from '../ports.js';
import { personFilePdf } from './pdf.js';
import { buildPersonFile, EXPORT_REFUSAL } from './person-file.js';
import { anchorAuditHead, verifyAuditTrail } from './verify.js';

const DAY = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD');
export const bundleInput = z
  .object({ from: DAY.optional(), to: DAY.optional() })
  .strict()
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: 'must not be before from', path: ['to'] });
export type BundleInput = z.infer<typeof bundleInput>;

export interface BundleProgress {
  done: number;
  total: number;
  step: string;
}

function csvCell(value: string | number): string {
  const s = String(value);
  // a cell a spreadsheet would run as a formula is written as text
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Checks who asks; the refusal a person reads, or the context to build with. */
export async function authoriseBundle(deps: AppDeps, actorId: string, input: unknown) {
  const range = parseInput(bundleInput, input ?? {});
  const ctx = await loadActor(deps, actorId);
  if (!canExportRecords(ctx.actor, ctx.org)) throw new Refusal(EXPORT_REFUSAL);
  return { ctx, range };
}

/** Builds the zip; `progress` is told after each person and each audit step. */
export async function buildInspectionBundle(deps: AppDeps, actorId: string, input: unknown, progress: (p: BundleProgress) => void | Promise<void> = () => undefined): Promise<{ zip: Buffer; fileName: string; index: string }> {
  const { ctx, range } = await authoriseBundle(deps, actorId, input);
  const { org, actor } = ctx;
  const now = deps.clock.now();
  const [contracts, people] = await Promise.all([deps.contracts.byOrganisation(org.id), deps.people.byOrganisation(org.id)]);
  const inSupervision = new Set(contracts.flatMap((c) => [...c.supervisorIds, ...c.superviseeIds]));
  const subjects = people.filter((p) => inSupervision.has(p.id)).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const total = subjects.length + 3;
  let done = 0;
  await progress({ done, total, step: 'starting' });
  await audit(deps, { organisationId: org.id, actorId, action: 'export.bundle', subject: { kind: 'organisation', id: org.id }, detail: { from: range.from ?? null, to: range.to ?? null, people: subjects.length }, at: now });
  const anchored = await anchorAuditHead(deps, org.id, 'export');

  const zip = new ZipFile();
  const chunks: Buffer[] = [];
  const zipped = new Promise<Buffer>((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
  const rows: string[][] = [];
  const add = (name: string, body: Buffer | string) => {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    zip.addBuffer(bytes, name, { mtime: now });
    return sha256(bytes);
  };
  const inRange = (day: string) => (!range.from || day >= range.from) && (!range.to || day <= range.to);
  for (const subject of subjects) {
    const file = await buildPersonFile(deps, org, actor as Person, subject, now);
    const ranged = { ...file, records: file.records.filter((r) => inRange(r.date)), sessions: file.sessions.filter((s) => inRange(s.startsAt.slice(0, 10))), checkpoint: anchored.signed ? anchored.checkpoint : undefined };
    const base = `people/${subject.id}`;
    const pdfHash = add(`${base}.pdf`, await personFilePdf(ranged));
    const jsonHash = add(`${base}.json`, JSON.stringify(ranged, null, 2));
    for (const [name, hash] of [[`${base}.pdf`, pdfHash], [`${base}.json`, jsonHash]] as const) {
      rows.push([name, subject.id, subject.name, ranged.person.roleText, String(ranged.records.length), String(ranged.sessions.length), hash]);
    }
    done++;
    await progress({ done, total, step: `file of ${subject.id}` });
  }

  const from = range.from ? new Date(`${range.from}T00:00:00Z`).getTime() - 86_400_000 : Number.NEGATIVE_INFINITY;
  const to = range.to ? new Date(`${range.to}T00:00:00Z`).getTime() + 2 * 86_400_000 : Number.POSITIVE_INFINITY;
  const trail: AuditEntry[] = [];
  for await (const e of deps.audit.scan(org.id)) if (e.at.getTime() >= from && e.at.getTime() < to) trail.push(e);
  add('audit/trail.jsonl', trail.map((e) => JSON.stringify(e)).join('\n') + (trail.length > 0 ? '\n' : ''));
  done++;
  await progress({ done, total, step: 'audit trail' });
  const report = await verifyAuditTrail(deps, org.id);
  add('audit/verification.json', JSON.stringify(report, null, 2));
  done++;
  await progress({ done, total, step: 'verification' });
  add('audit/checkpoints.json', JSON.stringify(await deps.checkpoints.list(org.id), null, 2));
  if (deps.auditKey) add('audit/public-key.pem', deps.auditKey.publicKeyPem);
  const index = [['file', 'person_id', 'person', 'role', 'record_versions', 'sessions', 'sha256'], ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n');
  add('index.csv', `\uFEFF${index}\r\n`);
  add(
    'README.txt',
    [
      `Inspection bundle: ${org.name}`,
      `Generated ${now.toISOString()} by ${actor.name}${range.from || range.to ? `, records and sessions from ${range.from ?? 'the start'} to ${range.to ?? 'today'}` : ''}.`,
      'CONFIDENTIAL: safeguarding supervision records.',
      '',
      'people/<id>.pdf and .json: each person\'s supervision file. index.csv lists them with their SHA-256.',
      'audit/trail.jsonl: the audit entries for the range (each carries the hash of the one before).',
      `audit/verification.json: the whole trail checked at the export: ${report.text}`,
      'audit/checkpoints.json and audit/public-key.pem: the signed heads of the chain and the Ed25519 key that checks them.',
      '',
    ].join('\r\n'),
  );
  zip.end();
  done++;
  await progress({ done, total, step: 'done' });
  return { zip: await zipped, fileName: `inspection-bundle-${org.id}-${now.toISOString().slice(0, 10)}.zip`, index };
}

/** For the dashboard: whether this person may start a bundle (the queue builds it). */
export const checkBundleRequest = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<BundleInput>> => {
  const { range } = await authoriseBundle(deps, actorId, input);
  return { ok: true, data: range };
});
