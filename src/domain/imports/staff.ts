/**
 * Staff from a school's files: Microsoft School Data Sync v2.1 (`orgs.csv`, `users.csv`, `roles.csv`) or the
 * one-file staff template. Each becomes the same list of staff rows, which `planStaff` compares with the people
 * already there: created, updated, unchanged, and (on a re-import) the people no longer in the files, who leave
 * only when the admin confirms it. Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import { ROLES, type Person, type Role } from '../types.js';
import { parseDay } from './contracts.js';
import { type CsvTable, controlProblem, formulaProblem, type ImportProblem } from './csv.js';

export interface StaffRow {
  file: string;
  row: number;
  name: string;
  /** Lower case. */
  email: string;
  /** Undefined: the file says nothing of roles (School Data Sync gives no safeguarding roles). */
  roles?: Role[];
  /** From School Data Sync: roles it implies (a principal is the headteacher), added to the person's own. */
  impliedRoles?: Role[];
  lineManagerEmail?: string;
  slackUserId?: string;
  teamsAadObjectId?: string;
  /** template line manager (f): when they were last trained to supervise (the staff template's optional column). */
  supervisionTrainingDate?: string;
  /** Which column each value came from, for the problems found later. */
  columns: { name: string; email: string; roles?: string; lineManager?: string; slack?: string; teams?: string };
}

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
const SLACK_USER = /^[UW][A-Z0-9]{2,20}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkCell(file: string, row: number, column: string, value: string, problems: ImportProblem[], max = 200): boolean {
  const message = formulaProblem(value) ?? controlProblem(value) ?? (value.length > max ? `is longer than ${max} characters` : undefined);
  if (message) problems.push({ file, row, column, message });
  return message === undefined;
}

// ---- the staff template -------------------------------------------------------------------------------------

export const STAFF_COLUMNS = ['name', 'email', 'roles', 'line_manager_email', 'slack_user_id', 'teams_aad_object_id', 'supervision_training_date'] as const;
export const STAFF_REQUIRED = ['name', 'email', 'roles'] as const;

const ROLE_WORDS: Record<string, Role> = {
  'deputy': 'deputy-dsl',
  'deputy-dsl': 'deputy-dsl',
  'deputy-designated-safeguarding-lead': 'deputy-dsl',
  'designated-safeguarding-lead': 'dsl',
  'head': 'headteacher',
  'head-teacher': 'headteacher',
  'headteacher': 'headteacher',
  'safeguarding-governor': 'governor',
};

/** `supervisor; dsl` → roles; the words as the template documents them (and a few ways people write them). */
export function parseRoles(text: string): { roles: Role[]; unknown: string[] } {
  const roles = new Set<Role>();
  const unknown: string[] = [];
  for (const part of text.split(/[;|,/]/)) {
    const word = part.trim().toLowerCase().replace(/[\s_]+/g, '-');
    if (word === '') continue;
    const role = ROLE_WORDS[word] ?? ((ROLES as readonly string[]).includes(word) ? (word as Role) : undefined);
    if (role) roles.add(role);
    else unknown.push(part.trim());
  }
  return { roles: [...roles].sort(), unknown };
}

export function staffRowsFromTemplate(table: CsvTable): { rows: StaffRow[]; errors: ImportProblem[] } {
  const errors: ImportProblem[] = [];
  const rows: StaffRow[] = [];
  const roleColumn = table.header.includes('roles') ? 'roles' : 'role';
  for (const { row, cells } of table.rows) {
    const file = table.name;
    const before = errors.length;
    const get = (c: string) => cells[c] ?? '';
    for (const c of [...STAFF_COLUMNS, 'role']) if (get(c) !== '') checkCell(file, row, c, get(c), errors);
    if (errors.length > before) continue;
    const name = get('name');
    const email = get('email').toLowerCase();
    if (name === '') errors.push({ file, row, column: 'name', message: 'is empty: every person needs a name' });
    if (email === '') errors.push({ file, row, column: 'email', message: 'is empty: every person needs an email address' });
    else if (!EMAIL.test(email)) errors.push({ file, row, column: 'email', message: `"${get('email')}" is not an email address` });
    const { roles, unknown } = parseRoles(get(roleColumn));
    if (unknown.length > 0) errors.push({ file, row, column: roleColumn, message: `unknown role "${unknown[0]}" (roles are ${ROLES.join(', ')})` });
    else if (roles.length === 0) errors.push({ file, row, column: roleColumn, message: `is empty: give at least one role (${ROLES.join(', ')})` });
    const manager = get('line_manager_email').toLowerCase();
    if (manager !== '' && !EMAIL.test(manager)) errors.push({ file, row, column: 'line_manager_email', message: `"${get('line_manager_email')}" is not an email address` });
    const slack = get('slack_user_id');
    if (slack !== '' && !SLACK_USER.test(slack)) errors.push({ file, row, column: 'slack_user_id', message: `"${slack}" is not a Slack user id (it starts with U or W, e.g. U024BE7LH)` });
    const teams = get('teams_aad_object_id').toLowerCase();
    if (teams !== '' && !GUID.test(teams)) errors.push({ file, row, column: 'teams_aad_object_id', message: `"${get('teams_aad_object_id')}" is not an Entra object id (a GUID such as 00000000-0000-0000-0000-000000000000)` });
    const trainedText = get('supervision_training_date');
    const trained = trainedText === '' ? undefined : parseDay(trainedText);
    if (trainedText !== '' && !trained) errors.push({ file, row, column: 'supervision_training_date', message: `"${trainedText}" is not a date (YYYY-MM-DD or DD/MM/YYYY)` });
    if (errors.length > before) continue;
    rows.push({
      file,
      row,
      name,
      email,
      roles,
      ...(manager ? { lineManagerEmail: manager } : {}),
      ...(slack ? { slackUserId: slack } : {}),
      ...(teams ? { teamsAadObjectId: teams } : {}),
      ...(trained ? { supervisionTrainingDate: trained } : {}),
      columns: { name: 'name', email: 'email', roles: roleColumn, lineManager: 'line_manager_email', slack: 'slack_user_id', teams: 'teams_aad_object_id' },
    });
  }
  return { rows, errors };
}

// ---- School Data Sync v2.1 ----------------------------------------------------------------------------------

export const SDS_FILES = ['orgs.csv', 'users.csv', 'roles.csv'] as const;
export const SDS_REQUIRED: Record<(typeof SDS_FILES)[number], readonly string[]> = {
  'orgs.csv': ['sourcedId', 'name', 'type'],
  'users.csv': ['sourcedId', 'username'],
  'roles.csv': ['userSourcedId', 'orgSourcedId', 'role'],
};

/** SDS's default role values whose role group is Staff (Microsoft's "Default List of Values"). */
export const SDS_STAFF_ROLES = [
  'principal', 'chair', 'professor', 'researcher', 'adjunct', 'affiliate', 'occupationalTherapist', 'physicalTherapist',
  'speechTherapist', 'visionTherapist', 'paraprofessional', 'specialServices', 'advisor', 'proctor', 'nurse', 'officeStaff',
  'lecturer', 'itAdmin', 'administrator', 'teacher', 'faculty', 'staff', 'teacherAssistant', 'assistant', 'instructor',
  'substitute', 'coach', 'alumni',
] as const;
/** Roles that are not staff: their people are left out. */
export const SDS_OTHER_ROLES = ['student', 'other', 'guardian', 'parent', 'relative'] as const;

export const SDS_ORG_TYPES = [
  'school', 'ministryOfEducation', 'localAuthority', 'department', 'university', 'region', 'district', 'college', 'division',
  'local', 'campus', 'province', 'state', 'adultEducation', 'researchCenter', 'national', 'municipality', 'program',
  'departmentOfEducation', 'academicTrust',
] as const;

export function staffRowsFromSds(orgs: CsvTable, users: CsvTable, roles: CsvTable): { rows: StaffRow[]; errors: ImportProblem[]; ignored: number } {
  const errors: ImportProblem[] = [];
  const orgIds = new Set<string>();
  for (const { row, cells } of orgs.rows) {
    const id = cells.sourcedId ?? '';
    if (id === '') errors.push({ file: orgs.name, row, column: 'sourcedId', message: 'is empty' });
    else if (checkCell(orgs.name, row, 'sourcedId', id, errors)) {
      if (orgIds.has(id)) errors.push({ file: orgs.name, row, column: 'sourcedId', message: `organisation "${id}" is listed twice` });
      orgIds.add(id);
    }
    const type = cells.type ?? '';
    if (!(SDS_ORG_TYPES as readonly string[]).includes(type)) errors.push({ file: orgs.name, row, column: 'type', message: `"${type}" is not an organisation type of School Data Sync (e.g. school, district, academicTrust)` });
    if ((cells.name ?? '') !== '') checkCell(orgs.name, row, 'name', cells.name ?? '', errors);
  }
  // the roles of each user: staff if any of their roles is a staff role
  const staffRoles = new Map<string, Set<string>>();
  const anyRole = new Set<string>();
  for (const { row, cells } of roles.rows) {
    const user = cells.userSourcedId ?? '';
    const org = cells.orgSourcedId ?? '';
    const role = cells.role ?? '';
    if (user === '') {
      errors.push({ file: roles.name, row, column: 'userSourcedId', message: 'is empty' });
      continue;
    }
    if (!checkCell(roles.name, row, 'userSourcedId', user, errors)) continue;
    if (!orgIds.has(org)) errors.push({ file: roles.name, row, column: 'orgSourcedId', message: `"${org}" is not an organisation in orgs.csv` });
    if ((SDS_STAFF_ROLES as readonly string[]).includes(role)) {
      const set = staffRoles.get(user) ?? new Set<string>();
      set.add(role);
      staffRoles.set(user, set);
    } else if (!(SDS_OTHER_ROLES as readonly string[]).includes(role)) {
      errors.push({ file: roles.name, row, column: 'role', message: `unknown role "${role}" (School Data Sync's roles are e.g. teacher, staff, administrator, principal, student)` });
    }
    anyRole.add(user);
  }
  const rows: StaffRow[] = [];
  const seenUsers = new Set<string>();
  let ignored = 0;
  for (const { row, cells } of users.rows) {
    const file = users.name;
    const id = cells.sourcedId ?? '';
    if (id === '') {
      errors.push({ file, row, column: 'sourcedId', message: 'is empty' });
      continue;
    }
    if (seenUsers.has(id)) {
      errors.push({ file, row, column: 'sourcedId', message: `user "${id}" is listed twice` });
      continue;
    }
    seenUsers.add(id);
    const roleSet = staffRoles.get(id);
    if (!roleSet) {
      // students, guardians and users with no role are not staff: left out
      ignored++;
      continue;
    }
    const before = errors.length;
    for (const c of ['sourcedId', 'username', 'givenName', 'familyName', 'email', 'activeDirectoryMatchId']) {
      const v = cells[c] ?? '';
      if (v !== '') checkCell(file, row, c, v, errors);
    }
    if (errors.length > before) continue;
    const emailColumn = (cells.email ?? '') !== '' ? 'email' : 'username';
    const email = (cells[emailColumn] ?? '').toLowerCase();
    if (!EMAIL.test(email)) {
      errors.push({ file, row, column: emailColumn, message: email === '' ? 'is empty: a member of staff needs an email address' : `"${cells[emailColumn]}" is not an email address` });
      continue;
    }
    const name = [cells.givenName ?? '', cells.familyName ?? ''].filter(Boolean).join(' ');
    if (name === '') {
      errors.push({ file, row, column: 'givenName', message: 'givenName and familyName are both empty: every person needs a name' });
      continue;
    }
    const match = (cells.activeDirectoryMatchId ?? '').toLowerCase();
    rows.push({
      file,
      row,
      name,
      email,
      impliedRoles: roleSet.has('principal') ? ['headteacher'] : [],
      ...(GUID.test(match) ? { teamsAadObjectId: match } : {}),
      columns: { name: 'givenName', email: emailColumn, teams: 'activeDirectoryMatchId' },
    });
  }
  for (const user of anyRole) {
    if (!seenUsers.has(user)) {
      const at = roles.rows.find((r) => r.cells.userSourcedId === user);
      errors.push({ file: roles.name, row: at?.row ?? 0, column: 'userSourcedId', message: `"${user}" is not a user in users.csv` });
    }
  }
  return { rows, errors, ignored };
}

// ---- the plan -----------------------------------------------------------------------------------------------

export interface StaffChange {
  person: Person;
  /** For an update: which fields change. */
  fields?: string[];
}

export interface StaffPlan {
  created: StaffChange[];
  updated: StaffChange[];
  unchanged: StaffChange[];
  /** Active people the files no longer list: they leave only when the admin confirms it. */
  deactivated: StaffChange[];
  errors: ImportProblem[];
}

/** A new person's id: the same for the same address in the same organisation, so an import is repeatable. */
export function personIdFor(organisationId: string, email: string): string {
  return `p-${createHash('sha256').update(`${organisationId}\u0000${email}`).digest('hex').slice(0, 16)}`;
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) => JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());

export function planStaff(organisationId: string, existing: readonly Person[], rows: readonly StaffRow[]): StaffPlan {
  const errors: ImportProblem[] = [];
  const byEmail = new Map<string, Person>();
  for (const p of existing) if (p.email) byEmail.set(p.email.toLowerCase(), p);
  // identities already taken by someone
  const slackOwner = new Map<string, string>();
  const teamsOwner = new Map<string, string>();
  for (const p of existing) {
    if (p.identities.slackUserId) slackOwner.set(p.identities.slackUserId, p.email.toLowerCase());
    if (p.identities.teamsAadObjectId) teamsOwner.set(p.identities.teamsAadObjectId.toLowerCase(), p.email.toLowerCase());
  }
  const rowByEmail = new Map<string, StaffRow>();
  const good: StaffRow[] = [];
  for (const r of rows) {
    const first = rowByEmail.get(r.email);
    if (first) {
      errors.push({ file: r.file, row: r.row, column: r.columns.email, message: `duplicate email: ${r.email} is also on row ${first.row}${first.file !== r.file ? ` of ${first.file}` : ''}` });
      continue;
    }
    rowByEmail.set(r.email, r);
    good.push(r);
  }
  // identities: each belongs to one person, in the files and among those already here
  const slackInFile = new Map<string, StaffRow>();
  const teamsInFile = new Map<string, StaffRow>();
  for (const r of good) {
    for (const [value, inFile, owners, column, label] of [
      [r.slackUserId, slackInFile, slackOwner, r.columns.slack, 'Slack user id'],
      [r.teamsAadObjectId, teamsInFile, teamsOwner, r.columns.teams, 'Entra object id'],
    ] as const) {
      if (!value || !column) continue;
      const other = inFile.get(value);
      if (other) errors.push({ file: r.file, row: r.row, column, message: `${label} ${value} is also on row ${other.row}` });
      else {
        inFile.set(value, r);
        const owner = owners.get(value);
        if (owner && owner !== r.email && rowByEmail.has(owner)) {
          // the other person keeps it only if the file still gives it to them; a file moving it is fine
          const ownerRow = rowByEmail.get(owner);
          const keeps = ownerRow && (column === r.columns.slack ? ownerRow.slackUserId : ownerRow.teamsAadObjectId) === undefined;
          if (keeps) errors.push({ file: r.file, row: r.row, column, message: `${label} ${value} already belongs to ${owner}` });
        } else if (owner && owner !== r.email) errors.push({ file: r.file, row: r.row, column, message: `${label} ${value} already belongs to ${owner}` });
      }
    }
  }
  // line managers: known, not themselves, no circles
  const managerOf = new Map<string, string>();
  for (const r of good) {
    const m = r.lineManagerEmail;
    if (!m || !r.columns.lineManager) continue;
    if (m === r.email) {
      errors.push({ file: r.file, row: r.row, column: r.columns.lineManager, message: 'is their own email: someone cannot be their own line manager or supervisor' });
      continue;
    }
    const inFile = rowByEmail.has(m);
    const here = byEmail.get(m);
    if (!inFile && (!here || here.active === false)) {
      errors.push({ file: r.file, row: r.row, column: r.columns.lineManager, message: `unknown line manager ${m}: nobody with that email is in the file or already here` });
      continue;
    }
    managerOf.set(r.email, m);
  }
  // existing people not in the file keep their line manager (for circles through them)
  for (const p of existing) {
    const email = p.email?.toLowerCase();
    if (!email || rowByEmail.has(email) || !p.lineManagerId) continue;
    const manager = existing.find((q) => q.id === p.lineManagerId);
    if (manager?.email) managerOf.set(email, manager.email.toLowerCase());
  }
  const reported = new Set<string>();
  for (const r of good) {
    if (!managerOf.has(r.email) || reported.has(r.email)) continue;
    const path = [r.email];
    let at = managerOf.get(r.email);
    while (at && !path.includes(at) && path.length < 10_000) {
      path.push(at);
      at = managerOf.get(at);
    }
    if (at && at === r.email) {
      for (const e of path) reported.add(e);
      errors.push({ file: r.file, row: r.row, column: r.columns.lineManager ?? 'line_manager_email', message: `circular line managers: ${[...path, r.email].join(' → ')}` });
    }
  }
  const plan: StaffPlan = { created: [], updated: [], unchanged: [], deactivated: [], errors };
  if (errors.length > 0) return plan;
  const idOf = (email: string) => byEmail.get(email)?.id ?? personIdFor(organisationId, email);
  for (const r of good) {
    const before = byEmail.get(r.email);
    const roles = r.roles ?? [...new Set([...(before?.roles ?? (r.impliedRoles?.length ? [] : ['supervisee'])), ...(r.impliedRoles ?? [])])].sort() as Role[];
    const identities = { ...(before?.identities ?? {}) };
    if (r.slackUserId) identities.slackUserId = r.slackUserId;
    if (r.teamsAadObjectId) identities.teamsAadObjectId = r.teamsAadObjectId;
    const lineManagerId = r.lineManagerEmail ? idOf(r.lineManagerEmail) : r.columns.lineManager ? undefined : before?.lineManagerId;
    const person: Person = {
      ...(before ?? {}),
      id: before?.id ?? personIdFor(organisationId, r.email),
      organisationId,
      name: r.name,
      email: r.email,
      identities,
      roles,
      ...(lineManagerId ? { lineManagerId } : {}),
      ...(r.supervisionTrainingDate ? { supervisionTrainingDate: r.supervisionTrainingDate } : {}),
    };
    if (!lineManagerId) delete person.lineManagerId;
    delete person.active;
    delete person.leftAt;
    if (!before) {
      plan.created.push({ person });
      continue;
    }
    const fields: string[] = [];
    if (before.name !== person.name) fields.push('name');
    if (before.email !== person.email) fields.push('email');
    if (!sameList(before.roles, person.roles)) fields.push('roles');
    if (before.lineManagerId !== person.lineManagerId) fields.push('line manager');
    if (before.identities.slackUserId !== person.identities.slackUserId) fields.push('Slack user');
    if ((before.identities.teamsAadObjectId ?? '').toLowerCase() !== (person.identities.teamsAadObjectId ?? '').toLowerCase()) fields.push('Teams user');
    if (before.supervisionTrainingDate !== person.supervisionTrainingDate) fields.push('supervision training');
    if (before.active === false) fields.push('back from leaving');
    if (fields.length > 0) plan.updated.push({ person, fields });
    else plan.unchanged.push({ person: before });
  }
  for (const p of existing) {
    if (p.active === false) continue;
    // someone who only administers (a business manager, the first admin) is not staff: a staff file never lists them
    if (p.roles.every((r) => r === 'admin')) continue;
    if (!rowByEmail.has((p.email ?? '').toLowerCase())) plan.deactivated.push({ person: p });
  }
  return plan;
}
