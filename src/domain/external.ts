/**
 * Supervision from outside the school (stour §4): level 2 is a supervisor from another school in the trust,
 * level 3 an external supervisor. Such a supervisor may have no identity in the school's chat; then the
 * supervisee keeps the session's outcome in chat (did it happen, the actions agreed) and the external
 * supervisor keeps the minutes. Pure.
 */
import type { Person, SupervisionContract } from './types.js';

/** stour §4: an external group has at most six supervisees. */
export const EXTERNAL_GROUP_MAX = 6;

/** stour §4 levels 2 and 3: supervised by someone from another school in the trust, or from an outside agency. */
export function suppliedFromOutside(contract: Pick<SupervisionContract, 'external' | 'level'>): boolean {
  return contract.external || contract.level > 1;
}

/**
 * stour §4: a group supervised from outside has at most six members. The one rule for the dashboard's contract
 * form and the contracts import: the problem in words, or undefined.
 */
export function externalGroupProblem(contract: Pick<SupervisionContract, 'kind' | 'external' | 'level' | 'superviseeIds'>): string | undefined {
  if (contract.kind !== 'group' || !suppliedFromOutside(contract) || contract.superviseeIds.length <= EXTERNAL_GROUP_MAX) return undefined;
  return `names ${contract.superviseeIds.length} people: a group supervised from outside has at most ${EXTERNAL_GROUP_MAX} (stour §4)`;
}

/** Someone the bot can reach in the school's chat: a Slack or Teams identity. */
export function inSchoolChat(person: Pick<Person, 'identities'>): boolean {
  return Boolean(person.identities?.slackUserId || person.identities?.teamsAadObjectId);
}

/**
 * A contract kept by its supervisee: supervised from outside, by supervisors none of whom is in the school's chat.
 * Everything a supervisor would be asked in chat after a session goes to the supervisee instead.
 */
export function keptBySupervisee(contract: Pick<SupervisionContract, 'external' | 'level' | 'supervisorIds'>, supervisors: ReadonlyArray<Pick<Person, 'id' | 'identities'>>): boolean {
  if (!suppliedFromOutside(contract) || contract.supervisorIds.length === 0) return false;
  return contract.supervisorIds.every((id) => {
    const p = supervisors.find((s) => s.id === id);
    return p !== undefined && !inSchoolChat(p);
  });
}
