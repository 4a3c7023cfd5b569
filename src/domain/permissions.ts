/**
 * Who may do what. Records are confidential to their parties (template "confidentiality"); the school
 * owns them and its DSL oversees supervision (loughton §2–5); auditors and inspectors read signed records
 * (white-laith contract, template "confidentiality" d). Nobody sees another organisation's data.
 */
import type {
  AgreedAction,
  CaseDecision,
  Escalation,
  Organisation,
  Person,
  RecordSheet,
  Role,
  SupervisionContract,
} from './types.js';

type Actor = Pick<Person, 'id' | 'organisationId' | 'roles'>;

function has(actor: Actor, ...roles: Role[]): boolean {
  return actor.roles.some((r) => roles.includes(r));
}

function sameOrg(actor: Actor, subject: { organisationId: string }): boolean {
  return actor.organisationId === subject.organisationId;
}

export function isSafeguardingLead(actor: Actor, org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds' | 'headteacherId'>): boolean {
  if (actor.organisationId !== org.id) return false;
  return (
    org.dslIds.includes(actor.id) ||
    org.deputyDslIds.includes(actor.id) ||
    org.headteacherId === actor.id ||
    has(actor, 'dsl', 'deputy-dsl', 'headteacher')
  );
}

export function isPartyToContract(actor: Actor, contract: Pick<SupervisionContract, 'organisationId' | 'supervisorIds' | 'superviseeIds'>): boolean {
  return sameOrg(actor, contract) && (contract.supervisorIds.includes(actor.id) || contract.superviseeIds.includes(actor.id));
}

/** stour §5, §8: it is the supervisor's responsibility to take notes. */
export function canDraftRecord(actor: Actor, contract: Pick<SupervisionContract, 'organisationId' | 'supervisorIds'>): boolean {
  return sameOrg(actor, contract) && contract.supervisorIds.includes(actor.id);
}

/** stour §5: both parties agree and sign that the record is accurate. */
export function canConfirmRecord(actor: Actor, record: Pick<RecordSheet, 'organisationId' | 'supervisorId' | 'superviseeIds'>): boolean {
  return sameOrg(actor, record) && (record.supervisorId === actor.id || record.superviseeIds.includes(actor.id));
}

export const canDisputeRecord = canConfirmRecord;

export function canViewRecord(
  actor: Actor,
  record: Pick<RecordSheet, 'organisationId' | 'supervisorId' | 'superviseeIds' | 'state' | 'dispute'>,
  org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds' | 'headteacherId'>,
): boolean {
  if (!sameOrg(actor, record) || org.id !== record.organisationId) return false;
  if (canConfirmRecord(actor, record)) return true;
  if (org.dslIds.includes(actor.id) || org.deputyDslIds.includes(actor.id) || has(actor, 'dsl', 'deputy-dsl')) return true;
  // template "complaints": the person hearing a dispute sees the record it is about, once it is referred to them.
  if (record.dispute?.referredAt && record.dispute.routedToId === actor.id) return true;
  return has(actor, 'auditor') && record.state === 'signed';
}

/** The DSL or a deputy (by the organisation's lists or by role): who oversees records and may see them. */
function isDslOrDeputy(actor: Actor, org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds'>): boolean {
  if (actor.organisationId !== org.id) return false;
  return org.dslIds.includes(actor.id) || org.deputyDslIds.includes(actor.id) || has(actor, 'dsl', 'deputy-dsl');
}

/**
 * white-laith contract, template "complaints": a change referred is heard by the person the contract names;
 * the DSL or a deputy may act for them, unless they are a party to the record themselves.
 */
export function canHearDispute(
  actor: Actor,
  record: Pick<RecordSheet, 'organisationId' | 'supervisorId' | 'superviseeIds' | 'dispute'>,
  org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds'>,
): boolean {
  if (!sameOrg(actor, record) || org.id !== record.organisationId || !record.dispute?.referredAt) return false;
  if (canConfirmRecord(actor, record)) return false;
  return record.dispute.routedToId === actor.id || isDslOrDeputy(actor, org);
}

/** stour §5, §8: a signed record is corrected by a new version — started by the supervisor or the DSL/a deputy. */
export function canCorrectRecord(
  actor: Actor,
  record: Pick<RecordSheet, 'organisationId' | 'supervisorId'>,
  org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds'>,
): boolean {
  if (!sameOrg(actor, record) || org.id !== record.organisationId) return false;
  return record.supervisorId === actor.id || isDslOrDeputy(actor, org);
}

/** loughton §2–5, template line manager (e): the DSL, deputies and head oversee everyone's supervision. */
export function canSeeOverdue(actor: Actor, org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds' | 'headteacherId'>): boolean {
  return isSafeguardingLead(actor, org);
}

/**
 * template supervisee (d): risk of harm reaches the DSL at once. An agenda item or a record concern already
 * written may be flagged by the parties to the supervision, or by the DSL or a deputy (not the headteacher or
 * anyone else, who may not see the text).
 */
export function canFlagRiskOfHarm(
  actor: Actor,
  contract: Pick<SupervisionContract, 'organisationId' | 'supervisorIds' | 'superviseeIds'>,
  org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds'>,
): boolean {
  if (!sameOrg(actor, contract) || actor.organisationId !== org.id) return false;
  return isPartyToContract(actor, contract) || org.dslIds.includes(actor.id) || org.deputyDslIds.includes(actor.id);
}

/** stour §5, §6: both parties input to the agenda. */
export function canSubmitAgendaItem(actor: Actor, contract: Pick<SupervisionContract, 'organisationId' | 'supervisorIds' | 'superviseeIds'>): boolean {
  return isPartyToContract(actor, contract);
}

export function canScheduleSession(
  actor: Actor,
  contract: Pick<SupervisionContract, 'organisationId' | 'supervisorIds' | 'superviseeIds'>,
  org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds' | 'headteacherId'>,
): boolean {
  return (sameOrg(actor, contract) && contract.supervisorIds.includes(actor.id)) || isSafeguardingLead(actor, org);
}

/**
 * stour §4: a session supervised from outside by someone not in the school's chat (`keptBySupervisee`) is answered
 * by its supervisee: that it happened with the actions agreed, or that it did not with the new time.
 */
export function canKeepExternalSession(actor: Actor, contract: Pick<SupervisionContract, 'organisationId' | 'superviseeIds'>, kept: boolean): boolean {
  return kept && sameOrg(actor, contract) && contract.superviseeIds.includes(actor.id);
}

/** stour App. C: sessions may be requested by the staff member too. */
export function canRequestSession(actor: Actor, contract: Pick<SupervisionContract, 'organisationId' | 'supervisorIds' | 'superviseeIds' | 'onRequest'>): boolean {
  return isPartyToContract(actor, contract);
}

/** white-laith: actions are followed up by their owner and the supervisor; the safeguarding leads oversee them. */
export function canCompleteAction(
  actor: Actor,
  action: Pick<AgreedAction, 'organisationId' | 'ownerId'>,
  contract: Pick<SupervisionContract, 'supervisorIds'>,
  org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds' | 'headteacherId'>,
): boolean {
  if (!sameOrg(actor, action)) return false;
  return action.ownerId === actor.id || contract.supervisorIds.includes(actor.id) || isSafeguardingLead(actor, org);
}

/** An action is only set aside as not needed by the supervisor or a safeguarding lead, never by its owner alone. */
export function canSetActionAside(
  actor: Actor,
  action: Pick<AgreedAction, 'organisationId'>,
  contract: Pick<SupervisionContract, 'supervisorIds'>,
  org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds' | 'headteacherId'>,
): boolean {
  if (!sameOrg(actor, action)) return false;
  return contract.supervisorIds.includes(actor.id) || isSafeguardingLead(actor, org);
}

export function canMarkCaseDecisionCopied(
  actor: Actor,
  decision: Pick<CaseDecision, 'followUpById'> & { organisationId: string },
  contract: Pick<SupervisionContract, 'supervisorIds'>,
  org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds' | 'headteacherId'>,
): boolean {
  if (!sameOrg(actor, decision)) return false;
  return decision.followUpById === actor.id || contract.supervisorIds.includes(actor.id) || isSafeguardingLead(actor, org);
}

export function canAcknowledgeEscalation(
  actor: Actor,
  escalation: Pick<Escalation, 'organisationId' | 'notifiedIds'>,
  org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds' | 'headteacherId'>,
): boolean {
  return sameOrg(actor, escalation) && (escalation.notifiedIds.includes(actor.id) || isSafeguardingLead(actor, org));
}

/**
 * A person's supervision history (contracts, sessions, the records in it): the person themselves, the
 * safeguarding leads who oversee everyone's supervision (loughton §2–5), and an auditor (white-laith
 * contract). Which records the history lists is still decided record by record by `canViewRecord`.
 */
export function canSeePersonHistory(
  actor: Actor,
  subject: Pick<Person, 'id' | 'organisationId'>,
  org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds' | 'headteacherId'>,
): boolean {
  if (!sameOrg(actor, subject) || org.id !== subject.organisationId) return false;
  return actor.id === subject.id || isSafeguardingLead(actor, org) || has(actor, 'auditor');
}

/** Who may list the staff to open their histories: the safeguarding leads, and an auditor (signed records only). */
export function canBrowseHistories(actor: Actor, org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds' | 'headteacherId'>): boolean {
  return isSafeguardingLead(actor, org) || (actor.organisationId === org.id && has(actor, 'auditor'));
}

/**
 * Administration (issue 13): what the admin screens, the HTTP admin API and the imports may change. An admin
 * (business manager, IT lead) holds every one of them and nothing else: no permission here reads an agenda
 * item, a record or a concern, and the `admin` role appears in no check above (least privilege, template
 * "confidentiality"). The DSL and the headteacher may administer too.
 */
export const ADMIN_PERMISSIONS = [
  /** The organisation's name, timezone, bank holiday division, DSL, deputies, headteacher, governor. */
  'org.manage',
  /** Staff: add, edit, deactivate (imports of SDS and the staff template). */
  'people.manage',
  /** Slack and Teams identities: link, unlink, find by email or roster. */
  'identities.manage',
  /** Term dates, INSET days, bank holidays. */
  'terms.manage',
  /** Supervision contracts: create, edit, end (their terms only, never what was said in supervision). */
  'contracts.manage',
  /** The setup checklist and who is unlinked or unreachable (counts and names, no content). */
  'setup.read',
] as const;
export type AdminPermission = (typeof ADMIN_PERMISSIONS)[number];

/** Whether the person administers their organisation: the admin role, the DSL (by list or role) or the headteacher. */
export function isAdministrator(actor: Actor, org: Pick<Organisation, 'id' | 'dslIds' | 'headteacherId'>): boolean {
  if (actor.organisationId !== org.id) return false;
  return has(actor, 'admin', 'dsl', 'headteacher') || org.dslIds.includes(actor.id) || org.headteacherId === actor.id;
}

/** Every administration permission is held by every administrator; the names say what each route or import needs. */
export function canAdminister(actor: Actor, org: Pick<Organisation, 'id' | 'dslIds' | 'headteacherId'>, _permission: AdminPermission): boolean {
  return isAdministrator(actor, org);
}

/**
 * Exports and the audit trail's check (white-laith contract, template "confidentiality" d): the DSL and deputies
 * who hold the records, and an auditor or inspector — not the headteacher or an administrator, not a party.
 * What an export holds is still decided record by record by `canViewRecord` (an auditor: signed records only).
 */
export function canExportRecords(actor: Actor, org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds'>): boolean {
  return isDslOrDeputy(actor, org) || (actor.organisationId === org.id && has(actor, 'auditor'));
}

/**
 * template senior manager (d): the safeguarding governor reviews provision — figures only, no people, no
 * records. The safeguarding leads see the same figures, and so does an auditor or inspector (template
 * "confidentiality" d: the records are open for audit or inspection; the figures are counts of them).
 */
export function canSeeGovernanceFigures(actor: Actor, org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds' | 'headteacherId' | 'safeguardingGovernorId'>): boolean {
  if (actor.organisationId !== org.id) return false;
  return isSafeguardingLead(actor, org) || org.safeguardingGovernorId === actor.id || has(actor, 'governor', 'auditor');
}

/**
 * Retention and subject access (UK GDPR Art. 5(1)(e), Art. 15; white-laith contract: records are evidence): the
 * schedule, approving destruction, legal holds and subject access responses are the DSL's, and a deputy's who
 * acts for them (loughton §2–5). Not the headteacher, an administrator, the governor or an auditor.
 */
export function canManageRetention(actor: Actor, org: Pick<Organisation, 'id' | 'dslIds' | 'deputyDslIds'>): boolean {
  return isDslOrDeputy(actor, org);
}
