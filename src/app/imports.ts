/**
 * Importing a school's staff (School Data Sync v2.1 or the staff template) and its supervision contracts (the
 * contracts template). Every import is a dry run first: `previewImport` reads the files, checks every row and
 * says what would be created, updated, left unchanged and deactivated, with every bad row as
 * `{ file, row, column, message }`. Nothing is written for a refused import. A clean preview is kept with a
 * token; `confirmImport` reads the same files again against the database as it is then and writes the whole
 * import in one transaction (importing the same files again changes nothing). People the files no longer list
 * leave only when the confirmation says so: their records are kept, their contracts end and their open actions
 * go to their supervisor.
 */
import { randomBytes } from 'node:crypto';
import { type ContractPlan, contractsFromTable, CONTRACT_COLUMNS, CONTRACT_REQUIRED, planContracts } from '../domain/imports/contracts.js';
import { type CsvTable, decodeCsv, type ImportFile, type ImportProblem, parseCsv } from '../domain/imports/csv.js';
import { planStaff, SDS_FILES, SDS_REQUIRED, type StaffPlan, type StaffRow, STAFF_COLUMNS, STAFF_REQUIRED, staffRowsFromSds, staffRowsFromTemplate } from '../domain/imports/staff.js';
import { isAdministrator } from '../domain/permissions.js';
import type { Organisation, Person, SupervisionContract } from '../domain/types.js';
import type { ImportCounts, ImportWriter, StoredImport } from '../store/imports.js';
import { calendarOf } from './context.js';
import { contractTermsWritten } from './contract-admin.js';
import { handoversOfLeaver } from './handover.js';
import { audit, refreshCompliance } from './effects.js';
import type { AppDeps } from './ports.js';

export type ImportKind = 'sds' | 'staff' | 'contracts';
export const IMPORT_KINDS: readonly ImportKind[] = ['sds', 'staff', 'contracts'];

/** How long a preview can be confirmed. */
export const PREVIEW_HOURS = 24;
/** Each list in a preview shows at most this many people or contracts (the counts are always whole). */
export const LIST_LIMIT = 200;

export interface ChangeLine {
  id: string;
  name: string;
  email?: string;
  fields?: string[];
}

export interface ImportPreview extends ImportCounts {
  kind: ImportKind;
  /** Present when the import can be confirmed (no errors). */
  token?: string;
  errors: ImportProblem[];
  warnings: ImportProblem[];
  /** Rows left out on purpose (students, guardians). */
  ignored: number;
  lists: { created: ChangeLine[]; updated: ChangeLine[]; deactivated: ChangeLine[] };
}

export interface ImportResult extends ImportCounts {
  kind: ImportKind;
  token: string;
  state: StoredImport['state'];
  progress?: { done: number; total: number };
  /** Whether the people no longer listed were deactivated (only when asked to). */
  deactivatedApplied: boolean;
  errors: ImportProblem[];
}

/** Who may import and manage people and contracts: an admin, the DSL or the headteacher still here. */
export function canAdminister(actor: Pick<Person, 'id' | 'organisationId' | 'roles' | 'active'>, org: Pick<Organisation, 'id' | 'dslIds' | 'headteacherId'>): boolean {
  return actor.active !== false && isAdministrator(actor, org);
}

export class ImportRefused extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'ImportRefused';
  }
}

interface Analysis {
  counts: ImportCounts;
  errors: ImportProblem[];
  warnings: ImportProblem[];
  ignored: number;
  staff?: StaffPlan;
  contracts?: ContractPlan;
}

const fileProblem = (file: string, message: string): ImportProblem => ({ file, row: 0, column: '', message });

/** Reads the files of an import (already decoded) and plans it against the organisation as it is now. */
async function analyse(deps: AppDeps, org: Organisation, kind: ImportKind, files: Array<{ name: string; text: string }>): Promise<Analysis> {
  const errors: ImportProblem[] = [];
  const warnings: ImportProblem[] = [];
  const table = (name: string, required: readonly string[], known: readonly string[] | 'any'): CsvTable | undefined => {
    const file = files.find((f) => f.name === name);
    if (!file) {
      errors.push(fileProblem(name, `${name} is missing: ${kind === 'sds' ? 'School Data Sync v2.1 needs orgs.csv, users.csv and roles.csv' : 'give one file'}`));
      return undefined;
    }
    const parsed = parseCsv(name, file.text, required, known);
    errors.push(...parsed.errors);
    return parsed.table;
  };
  const empty: Analysis = { counts: { created: 0, updated: 0, unchanged: 0, deactivated: 0 }, errors, warnings, ignored: 0 };
  if (kind === 'sds') {
    for (const f of files) if (!(SDS_FILES as readonly string[]).includes(f.name)) warnings.push(fileProblem(f.name, `${f.name} is not used: staff come from orgs.csv, users.csv and roles.csv`));
    const orgs = table('orgs.csv', SDS_REQUIRED['orgs.csv'], 'any');
    const users = table('users.csv', SDS_REQUIRED['users.csv'], 'any');
    const roles = table('roles.csv', SDS_REQUIRED['roles.csv'], 'any');
    if (!orgs || !users || !roles || errors.length > 0) return empty;
    const rows = staffRowsFromSds(orgs, users, roles);
    errors.push(...rows.errors);
    return staffAnalysis(deps, org, rows.rows, errors, warnings, rows.ignored);
  }
  if (files.length !== 1) {
    errors.push(fileProblem(files[1]?.name ?? '', `a ${kind} import is one file; ${files.length} were given`));
    return empty;
  }
  const name = files[0]?.name ?? '';
  if (kind === 'staff') {
    const t = table(name, STAFF_REQUIRED.filter((c) => c !== 'roles'), [...STAFF_COLUMNS, 'role']);
    // the roles column may be headed "roles" or "role"
    if (t && !t.header.includes('roles') && !t.header.includes('role')) errors.push({ file: name, row: 1, column: 'roles', message: 'the header has no "roles" column (headers are case-sensitive)' });
    if (!t || errors.length > 0) return empty;
    const rows = staffRowsFromTemplate(t);
    errors.push(...rows.errors);
    return staffAnalysis(deps, org, rows.rows, errors, warnings, 0);
  }
  const t = table(name, CONTRACT_REQUIRED, CONTRACT_COLUMNS);
  if (!t || errors.length > 0) return empty;
  const people = await deps.people.byOrganisation(org.id);
  const drafts = contractsFromTable(org.id, t, people);
  errors.push(...drafts.errors);
  if (errors.length > 0) return empty;
  const existing = await deps.contracts.byOrganisation(org.id);
  const plan = planContracts(org.id, existing, drafts.drafts);
  return {
    counts: { created: plan.created.length, updated: plan.updated.length, unchanged: plan.unchanged.length, deactivated: 0 },
    errors,
    warnings,
    ignored: 0,
    contracts: plan,
  };
}

async function staffAnalysis(deps: AppDeps, org: Organisation, rows: StaffRow[], errors: ImportProblem[], warnings: ImportProblem[], ignored: number): Promise<Analysis> {
  const existing = await deps.people.byOrganisation(org.id);
  const plan = planStaff(org.id, existing, rows);
  errors.push(...plan.errors);
  if (errors.length > 0) return { counts: { created: 0, updated: 0, unchanged: 0, deactivated: 0 }, errors, warnings, ignored };
  return {
    counts: { created: plan.created.length, updated: plan.updated.length, unchanged: plan.unchanged.length, deactivated: plan.deactivated.length },
    errors,
    warnings,
    ignored,
    staff: plan,
  };
}

function lists(a: Analysis): ImportPreview['lists'] {
  const person = (p: Person, fields?: string[]): ChangeLine => ({ id: p.id, name: p.name, email: p.email, ...(fields ? { fields } : {}) });
  const contract = (c: SupervisionContract, fields?: string[]): ChangeLine => ({ id: c.id, name: c.id, ...(fields ? { fields } : {}) });
  if (a.staff) {
    return {
      created: a.staff.created.slice(0, LIST_LIMIT).map((c) => person(c.person)),
      updated: a.staff.updated.slice(0, LIST_LIMIT).map((c) => person(c.person, c.fields)),
      deactivated: a.staff.deactivated.slice(0, LIST_LIMIT).map((c) => person(c.person)),
    };
  }
  if (a.contracts) {
    return {
      created: a.contracts.created.slice(0, LIST_LIMIT).map((c) => contract(c)),
      updated: a.contracts.updated.slice(0, LIST_LIMIT).map((c) => contract(c.contract, c.fields)),
      deactivated: [],
    };
  }
  return { created: [], updated: [], deactivated: [] };
}

async function adminOf(deps: AppDeps, actorId: string): Promise<{ actor: Person; org: Organisation }> {
  const actor = await deps.people.get(actorId);
  const org = actor ? await deps.organisations.get(actor.organisationId) : null;
  if (!actor || !org || !canAdminister(actor, org)) throw new ImportRefused(403, 'Sorry — imports are for the school’s admins, its DSL and its headteacher.');
  return { actor, org };
}

/** The dry run. A clean one is kept (with its token) for `confirmImport`; a refused one writes nothing. */
export async function previewImport(deps: AppDeps, writer: ImportWriter, actorId: string, kind: ImportKind, files: ImportFile[]): Promise<ImportPreview> {
  const { org } = await adminOf(deps, actorId);
  return previewImportFor(deps, writer, org, actorId, kind, files);
}

/** The dry run for an organisation, by whoever the caller has checked may import (the command line). */
export async function previewImportFor(deps: AppDeps, writer: ImportWriter, org: Organisation, actorId: string, kind: ImportKind, files: ImportFile[]): Promise<ImportPreview> {
  const decoded = files.map(decodeCsv);
  const errors = decoded.flatMap((d) => d.errors);
  const warnings = decoded.flatMap((d) => d.warnings);
  const names = new Set<string>();
  for (const f of files) {
    if (names.has(f.name)) errors.push(fileProblem(f.name, `${f.name} is given twice`));
    names.add(f.name);
  }
  const base = { kind, created: 0, updated: 0, unchanged: 0, deactivated: 0, ignored: 0, lists: { created: [], updated: [], deactivated: [] } };
  if (errors.length > 0) return { ...base, errors, warnings };
  const texts = decoded.map((d) => ({ name: d.name, text: d.text ?? '' }));
  const a = await analyse(deps, org, kind, texts);
  const preview: ImportPreview = { ...base, ...a.counts, errors: a.errors, warnings: [...warnings, ...a.warnings], ignored: a.ignored, lists: lists(a) };
  if (a.errors.length > 0) return preview;
  const now = deps.clock.now();
  const token = randomBytes(24).toString('base64url');
  await writer.save({
    id: token,
    organisationId: org.id,
    actorId,
    kind,
    files: texts,
    state: 'previewed',
    createdAt: now,
    // real time, not the organisation's clock (the playground's moves): the database's TTL index removes it then
    expiresAt: new Date(Date.now() + PREVIEW_HOURS * 3_600_000),
    preview: a.counts,
  });
  return { ...preview, token };
}

export const TOKEN = /^[A-Za-z0-9_-]{32}$/;

async function storedFor(deps: AppDeps, writer: ImportWriter, actorId: string, token: string): Promise<{ stored: StoredImport; org: Organisation }> {
  const { org } = await adminOf(deps, actorId);
  const stored = TOKEN.test(token) ? await writer.get(token) : null;
  if (!stored || stored.organisationId !== org.id || stored.expiresAt.getTime() < Date.now()) {
    throw new ImportRefused(404, 'There is no import with that token here (a preview can be confirmed for 24 hours); preview the files again.');
  }
  return { stored, org };
}

const resultOf = (stored: StoredImport, errors: ImportProblem[] = []): ImportResult => ({
  kind: stored.kind,
  token: stored.id,
  state: stored.state,
  ...(stored.progress ? { progress: stored.progress } : {}),
  ...(stored.result ?? { ...stored.preview, deactivated: 0, deactivatedApplied: false }),
  deactivatedApplied: stored.result?.deactivatedApplied ?? false,
  errors,
});

export async function importStatus(deps: AppDeps, writer: ImportWriter, actorId: string, token: string): Promise<ImportResult> {
  return resultOf((await storedFor(deps, writer, actorId, token)).stored);
}

export interface ConfirmOptions {
  /** Deactivate the people the files no longer list (the preview's "deactivated"). */
  deactivateMissing: boolean;
  /** Told after the write (e.g. to rebuild the overdue index). */
  afterWrite?: (organisationId: string) => Promise<void>;
}

/** Writes a previewed import, whole or not at all. A second confirmation of the same token changes nothing. */
export async function confirmImport(deps: AppDeps, writer: ImportWriter, actorId: string, token: string, options: ConfirmOptions): Promise<ImportResult> {
  const { stored, org } = await storedFor(deps, writer, actorId, token);
  return confirmStored(deps, writer, org, actorId, stored, options);
}

/** Confirms a preview of this organisation, by whoever the caller has checked may import (the command line). */
export async function confirmImportFor(deps: AppDeps, writer: ImportWriter, org: Organisation, actorId: string, token: string, options: ConfirmOptions): Promise<ImportResult> {
  const stored = await writer.get(token);
  if (!stored || stored.organisationId !== org.id) throw new ImportRefused(404, 'There is no import with that token here.');
  return confirmStored(deps, writer, org, actorId, stored, options);
}

async function confirmStored(deps: AppDeps, writer: ImportWriter, org: Organisation, actorId: string, stored: StoredImport, options: ConfirmOptions): Promise<ImportResult> {
  if (stored.state !== 'previewed') {
    if (stored.state === 'running') throw new ImportRefused(409, 'This import is being written now; its progress is at the same address.');
    return resultOf(stored);
  }
  const a = await analyse(deps, org, stored.kind, stored.files);
  if (a.errors.length > 0) {
    // the school's data changed since the preview: nothing is written, the new problems are shown
    return { ...resultOf(stored, a.errors), state: 'previewed' };
  }
  const now = deps.clock.now();
  const deactivate = options.deactivateMissing && (a.staff?.deactivated.length ?? 0) > 0;
  const people = a.staff ? [...a.staff.created, ...a.staff.updated].map((c) => c.person) : [];
  const leaving = deactivate && a.staff ? a.staff.deactivated.map((c) => c.person) : [];
  const contracts = a.contracts ? [...a.contracts.created, ...a.contracts.updated.map((u) => u.contract)] : [];
  const total = people.length + leaving.length + contracts.length;
  if (!(await writer.start(stored.id, now, total))) throw new ImportRefused(409, 'This import is being written now; its progress is at the same address.');
  let lastReported = 0;
  const progress = async (done: number) => {
    if (done - lastReported >= 250 || done === total) {
      lastReported = done;
      await writer.progress(stored.id, done, total);
    }
  };
  const result: ImportCounts & { deactivatedApplied: boolean } = { ...a.counts, deactivated: leaving.length, deactivatedApplied: deactivate };
  try {
    if (a.staff) {
      const leavingIds = new Set(leaving.map((p) => p.id));
      const stays = (id: string | undefined) => (id && !leavingIds.has(id) ? id : undefined);
      const written = await writer.writeStaff(
        org.id,
        people,
        new Set(a.staff.created.map((c) => c.person.id)),
        leaving.map((person) => ({
          person,
          actionsTo: (action) => stays(action.supervisorId) ?? stays(person.lineManagerId) ?? org.dslIds.find((d) => !leavingIds.has(d)),
        })),
        calendarOf(org).localDate(now),
        now,
        progress,
      );
      // what follows the ended contracts: their compliance (no longer overdue) and no more reminders
      for (const sessionId of written.cancelledSessions) await deps.reminders.removeForSubject(sessionId);
      for (const id of written.endedContracts) {
        const c = await deps.contracts.get(id);
        if (c) await refreshCompliance(deps, org, c);
      }
      // a handover a leaver had still to write goes to the DSL
      for (const person of leaving) await handoversOfLeaver(deps, org, person.id);
    }
    if (a.contracts) {
      // the supervisors before the write, for the handover of a contract whose supervisor changes
      const before = new Map<string, string[]>();
      for (const u of a.contracts.updated) {
        if (!u.fields.includes('supervisorIds')) continue;
        const was = await deps.contracts.get(u.contract.id);
        if (was) before.set(was.id, was.supervisorIds);
      }
      await writer.writeContracts(contracts, progress);
      // each new or changed contract gets its next session and that session's reminders, as from the dashboard
      for (const c of a.contracts.created) await contractTermsWritten(deps, org, c);
      for (const u of a.contracts.updated) {
        const supervisorIds = before.get(u.contract.id);
        await contractTermsWritten(deps, org, u.contract, u.fields, supervisorIds ? { supervisorIds } : undefined, actorId);
      }
    }
  } catch (error) {
    await writer.finish(stored.id, 'previewed', deps.clock.now());
    throw error;
  }
  await writer.finish(stored.id, 'done', deps.clock.now(), result);
  await audit(deps, {
    organisationId: org.id,
    actorId,
    action: `import.${stored.kind}`,
    subject: { kind: 'import', id: stored.id },
    detail: { created: result.created, updated: result.updated, unchanged: result.unchanged, deactivated: result.deactivated },
  });
  await options.afterWrite?.(org.id);
  return { ...resultOf({ ...stored, state: 'done', result, progress: { done: total, total } }) };
}
