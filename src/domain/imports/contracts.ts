/**
 * Supervision contracts from the contracts template (one row a contract), and the rules every contract keeps
 * however it is made (the CSV, the API): one-to-one has one supervisee; a group run from outside has at most six
 * (stour §4); sessions last 30–120 minutes (template "intervals"); level 1–3 (stour §4); a dispute is heard by
 * the line manager or the safeguarding governor (white-laith contract); the review is a year on by default.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Cadence, Person, SupervisionContract } from '../types.js';
import { type CsvTable, controlProblem, formulaProblem, type ImportProblem } from './csv.js';
import { externalGroupProblem } from '../external.js';

export const CONTRACT_COLUMNS = [
  'reference',
  'kind',
  'supervisor_email',
  'supervisee_emails',
  'external',
  'cadence',
  'minutes',
  'location',
  'format',
  'level',
  'dispute_heard_by',
  'agenda_template',
  'start_date',
  'review_date',
  'preferred_time',
] as const;
export const CONTRACT_REQUIRED = ['kind', 'supervisor_email', 'supervisee_emails', 'cadence', 'minutes', 'location', 'level', 'dispute_heard_by', 'start_date'] as const;

export { EXTERNAL_GROUP_MAX } from '../external.js';

/** `weekly`, `every 3 weeks`, `fortnightly`, `monthly`, `half-termly`, `termly`, `yearly` (every form the core supports). */
export function parseCadence(text: string): Cadence | undefined {
  const t = text.trim().toLowerCase().replace(/[\s_]+/g, ' ');
  if (t === 'weekly' || t === 'every week') return { kind: 'weekly' };
  if (t === 'fortnightly') return { kind: 'every-n-weeks', weeks: 2 };
  const n = /^every (\d{1,2}) weeks$/.exec(t);
  if (n) {
    const weeks = Number(n[1]);
    return weeks === 1 ? { kind: 'weekly' } : weeks >= 2 && weeks <= 26 ? { kind: 'every-n-weeks', weeks } : undefined;
  }
  if (t === 'monthly' || t === 'every month') return { kind: 'monthly' };
  if (t === 'half-termly' || t === 'half termly' || t === 'every half term') return { kind: 'half-termly' };
  if (t === 'termly' || t === 'every term') return { kind: 'termly' };
  if (t === 'yearly' || t === 'annually' || t === 'every year') return { kind: 'yearly' };
  return undefined;
}

export function cadenceWords(cadence: Cadence): string {
  return cadence.kind === 'every-n-weeks' ? `every ${cadence.weeks} weeks` : cadence.kind;
}

/** `2026-01-05` or the UK's `05/01/2026`. */
export function parseDay(text: string): string | undefined {
  const t = text.trim();
  let d = DateTime.fromFormat(t, 'yyyy-MM-dd', { zone: 'utc' });
  if (!d.isValid) d = DateTime.fromFormat(t, 'd/M/yyyy', { zone: 'utc' });
  if (!d.isValid || d.year < 2000 || d.year > 2100) return undefined;
  return d.toISODate() ?? undefined;
}

export const aYearOn = (day: string) => DateTime.fromISO(day, { zone: 'utc' }).plus({ years: 1 }).toISODate() as string;

/** What a contract is, before it is given to people: as typed in a row or sent to the API. */
export interface ContractDraft {
  id: string;
  kind: 'one-to-one' | 'group';
  supervisorIds: string[];
  superviseeIds: string[];
  external: boolean;
  cadence: Cadence;
  durationMinutes: number;
  location: string;
  format: 'face-to-face' | 'video' | 'phone';
  level: 1 | 2 | 3;
  disputeRoute: 'line-manager' | 'safeguarding-governor';
  agendaTemplate: 'general' | 'dsl';
  startDate: string;
  reviewDueDate: string;
  preferredTime: string;
}

/** The rules of a contract, each problem as `[field, message]`. */
export function contractProblems(d: Pick<ContractDraft, 'kind' | 'supervisorIds' | 'superviseeIds' | 'external' | 'durationMinutes' | 'level' | 'startDate' | 'reviewDueDate'>): Array<[keyof ContractDraft, string]> {
  const out: Array<[keyof ContractDraft, string]> = [];
  if (d.superviseeIds.length === 0) out.push(['superviseeIds', 'names nobody: a contract needs a supervisee']);
  if (d.kind === 'one-to-one' && d.superviseeIds.length > 1) out.push(['superviseeIds', `names ${d.superviseeIds.length} people: a one-to-one contract has one supervisee (use kind "group")`]);
  const outside = externalGroupProblem(d);
  if (outside) out.push(['superviseeIds', outside]);
  if (new Set(d.superviseeIds).size !== d.superviseeIds.length) out.push(['superviseeIds', 'names the same person twice']);
  if (d.supervisorIds.some((s) => d.superviseeIds.includes(s))) out.push(['superviseeIds', 'includes the supervisor: someone cannot be their own supervisor']);
  if (!Number.isInteger(d.durationMinutes) || d.durationMinutes < 30 || d.durationMinutes > 120) out.push(['durationMinutes', 'must be a whole number of minutes from 30 to 120']);
  if (![1, 2, 3].includes(d.level)) out.push(['level', 'must be 1 (internal), 2 (another school in the trust) or 3 (an outside agency)']);
  if (d.reviewDueDate <= d.startDate) out.push(['reviewDueDate', 'must be after the start date']);
  return out;
}

export function contractIdFor(organisationId: string, reference: string | undefined, supervisorEmail: string, superviseeEmails: string[]): string {
  const key = reference ? `ref\u0000${reference}` : `parties\u0000${supervisorEmail}\u0000${[...superviseeEmails].sort().join('\u0000')}`;
  return `c-${createHash('sha256').update(`${organisationId}\u0000${key}`).digest('hex').slice(0, 16)}`;
}

const YES = ['yes', 'y', 'true', '1'];
const NO = ['no', 'n', 'false', '0', ''];

export function contractsFromTable(organisationId: string, table: CsvTable, people: readonly Person[]): { drafts: Array<ContractDraft & { row: number }>; errors: ImportProblem[] } {
  const errors: ImportProblem[] = [];
  const drafts: Array<ContractDraft & { row: number }> = [];
  const byEmail = new Map(people.filter((p) => p.active !== false && p.email).map((p) => [p.email.toLowerCase(), p]));
  const seen = new Map<string, number>();
  const file = table.name;
  const column: Record<string, string> = {
    superviseeIds: 'supervisee_emails',
    durationMinutes: 'minutes',
    level: 'level',
    reviewDueDate: 'review_date',
    kind: 'kind',
    supervisorIds: 'supervisor_email',
  };
  for (const { row, cells } of table.rows) {
    const get = (c: string) => cells[c] ?? '';
    const before = errors.length;
    const bad = (col: string, message: string) => errors.push({ file, row, column: col, message });
    for (const c of CONTRACT_COLUMNS) {
      const v = get(c);
      if (v === '') continue;
      const m = formulaProblem(v) ?? controlProblem(v) ?? (v.length > 500 ? 'is longer than 500 characters' : undefined);
      if (m) bad(c, m);
    }
    if (errors.length > before) continue;
    const kindText = get('kind').toLowerCase().replace(/[\s_]+/g, '-');
    const kind = kindText === 'one-to-one' || kindText === '1:1' || kindText === '1-to-1' ? 'one-to-one' : kindText === 'group' ? 'group' : undefined;
    if (!kind) bad('kind', `"${get('kind')}" is not a kind of contract: one-to-one or group`);
    const supervisorEmail = get('supervisor_email').toLowerCase();
    const supervisor = byEmail.get(supervisorEmail);
    if (supervisorEmail === '') bad('supervisor_email', 'is empty: a contract needs a supervisor');
    else if (!supervisor) bad('supervisor_email', `unknown supervisor ${supervisorEmail}: import the staff first`);
    const superviseeEmails = get('supervisee_emails').toLowerCase().split(/[;|,]/).map((s) => s.trim()).filter(Boolean);
    const supervisees: Person[] = [];
    for (const e of superviseeEmails) {
      const p = byEmail.get(e);
      if (p) supervisees.push(p);
      else bad('supervisee_emails', `unknown supervisee ${e}: import the staff first`);
    }
    const externalText = get('external').toLowerCase();
    const externalGiven = YES.includes(externalText) ? true : NO.includes(externalText) ? (externalText === '' ? undefined : false) : null;
    if (externalGiven === null) bad('external', `"${get('external')}" must be yes or no`);
    const cadence = parseCadence(get('cadence'));
    if (!cadence) bad('cadence', `"${get('cadence')}" is not a cadence: weekly, every N weeks (2–26), fortnightly, monthly, half-termly, termly or yearly`);
    const minutes = /^\d{1,4}$/.test(get('minutes')) ? Number(get('minutes')) : Number.NaN;
    if (Number.isNaN(minutes)) bad('minutes', `"${get('minutes')}" is not a number of minutes (30 to 120)`);
    const location = get('location');
    if (location === '') bad('location', 'is empty: say where sessions are held (a room, "video call"…)');
    const formatText = get('format').toLowerCase().replace(/[\s_]+/g, '-');
    const format = formatText === '' || formatText === 'face-to-face' || formatText === 'in-person' ? 'face-to-face' : formatText === 'video' ? 'video' : formatText === 'phone' ? 'phone' : undefined;
    if (!format) bad('format', `"${get('format')}" is not a format: face-to-face, video or phone`);
    const level = /^[123]$/.test(get('level')) ? (Number(get('level')) as 1 | 2 | 3) : undefined;
    if (!level) bad('level', `"${get('level')}" must be 1 (internal), 2 (another school in the trust) or 3 (an outside agency)`);
    const disputeText = get('dispute_heard_by').toLowerCase().replace(/[\s_]+/g, '-');
    const disputeRoute = disputeText === 'line-manager' ? 'line-manager' : disputeText === 'safeguarding-governor' || disputeText === 'governor' ? 'safeguarding-governor' : undefined;
    if (!disputeRoute) bad('dispute_heard_by', `"${get('dispute_heard_by')}" must be "line manager" or "safeguarding governor"`);
    const templateText = get('agenda_template').toLowerCase();
    const agendaTemplate = templateText === '' || templateText === 'general' ? 'general' : templateText === 'dsl' ? 'dsl' : undefined;
    if (!agendaTemplate) bad('agenda_template', `"${get('agenda_template')}" must be general or dsl`);
    const startDate = parseDay(get('start_date'));
    if (!startDate) bad('start_date', `"${get('start_date')}" is not a date (2026-01-05 or 05/01/2026)`);
    const reviewText = get('review_date');
    const reviewDueDate = reviewText === '' ? (startDate ? aYearOn(startDate) : undefined) : parseDay(reviewText);
    if (!reviewDueDate && reviewText !== '') bad('review_date', `"${reviewText}" is not a date (2026-01-05 or 05/01/2026)`);
    const timeText = get('preferred_time');
    const preferredTime = timeText === '' ? '15:45' : /^([01]\d|2[0-3]):[0-5]\d$/.test(timeText) ? timeText : undefined;
    if (!preferredTime) bad('preferred_time', `"${timeText}" is not a time of day (HH:mm, e.g. 15:45)`);
    if (errors.length > before || !kind || !supervisor || !cadence || !format || !level || !disputeRoute || !agendaTemplate || !startDate || !reviewDueDate || !preferredTime) continue;
    const reference = get('reference');
    const id = contractIdFor(organisationId, reference || undefined, supervisorEmail, superviseeEmails);
    const draft: ContractDraft & { row: number } = {
      row,
      id,
      kind,
      supervisorIds: [supervisor.id],
      superviseeIds: supervisees.map((p) => p.id),
      external: externalGiven ?? level === 3,
      cadence,
      durationMinutes: minutes,
      location,
      format,
      level,
      disputeRoute,
      agendaTemplate,
      startDate,
      reviewDueDate,
      preferredTime,
    };
    for (const [field, message] of contractProblems(draft)) bad(column[field] ?? field, message);
    if (errors.length > before) continue;
    const first = seen.get(id);
    if (first !== undefined) {
      bad(reference ? 'reference' : 'supervisee_emails', `the same contract as row ${first}${reference ? ` (reference "${reference}")` : ' (same supervisor and supervisees)'}`);
      continue;
    }
    seen.set(id, row);
    drafts.push(draft);
  }
  return { drafts, errors };
}

export interface ContractPlan {
  created: SupervisionContract[];
  updated: Array<{ contract: SupervisionContract; fields: string[] }>;
  unchanged: SupervisionContract[];
  errors: ImportProblem[];
}

/** A contract's terms, as an edit or a re-import compares them. */
export const CONTRACT_TERMS: Array<keyof SupervisionContract> = ['kind', 'supervisorIds', 'superviseeIds', 'external', 'cadence', 'durationMinutes', 'location', 'format', 'level', 'disputeRoute', 'agendaTemplate', 'startDate', 'reviewDueDate', 'preferredTime', 'active'];

export function contractFromDraft(organisationId: string, d: ContractDraft, before?: SupervisionContract): SupervisionContract {
  return {
    ...(before ?? { signatures: [], onRequest: false, noticeDays: 7 }),
    id: d.id,
    organisationId,
    kind: d.kind,
    level: d.level,
    external: d.external,
    supervisorIds: d.supervisorIds,
    superviseeIds: d.superviseeIds,
    cadence: d.cadence,
    durationMinutes: d.durationMinutes,
    location: d.location,
    format: d.format,
    agendaTemplate: d.agendaTemplate,
    preferredTime: d.preferredTime,
    startDate: d.startDate,
    reviewDueDate: d.reviewDueDate,
    disputeRoute: d.disputeRoute,
    active: true,
  } as SupervisionContract;
}

export function planContracts(organisationId: string, existing: readonly SupervisionContract[], drafts: readonly ContractDraft[]): ContractPlan {
  const byId = new Map(existing.map((c) => [c.id, c]));
  const plan: ContractPlan = { created: [], updated: [], unchanged: [], errors: [] };
  for (const d of drafts) {
    const before = byId.get(d.id);
    const contract = contractFromDraft(organisationId, d, before);
    if (!before) {
      plan.created.push(contract);
      continue;
    }
    const fields = CONTRACT_TERMS.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(contract[k]));
    if (fields.length > 0) {
      delete contract.endedOn;
      plan.updated.push({ contract, fields });
    } else plan.unchanged.push(before);
  }
  return plan;
}
