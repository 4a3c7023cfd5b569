/** Who hears an escalation or a dispute. */
import type { Organisation, Person, SupervisionContract } from './types.js';

/**
 * template supervisee (d), supervisor (f): potential or actual risk of harm goes to the DSL at once.
 * When the DSL is the person concerned, it goes to the headteacher instead (loughton §5).
 */
export function escalationRecipients(
  org: Pick<Organisation, 'dslIds' | 'deputyDslIds' | 'headteacherId'>,
  subjectPersonId: string,
): string[] {
  const recipients = new Set([...org.dslIds, ...org.deputyDslIds].filter((id) => id !== subjectPersonId));
  const aboutTheDsl = org.dslIds.includes(subjectPersonId);
  if ((aboutTheDsl || recipients.size === 0) && org.headteacherId && org.headteacherId !== subjectPersonId) {
    recipients.add(org.headteacherId);
  }
  return [...recipients];
}

/**
 * white-laith contract: an unresolved dispute is heard with the safeguarding governor; template
 * "complaints": with the supervisor's line manager. The contract says which.
 */
export function disputeRecipient(
  contract: Pick<SupervisionContract, 'disputeRoute' | 'supervisorIds' | 'superviseeIds'>,
  org: Pick<Organisation, 'safeguardingGovernorId' | 'headteacherId'>,
  people: Array<Pick<Person, 'id' | 'lineManagerId'>>,
): string | undefined {
  const parties = new Set([...contract.supervisorIds, ...contract.superviseeIds]);
  if (contract.disputeRoute === 'line-manager') {
    const supervisor = people.find((p) => p.id === contract.supervisorIds[0]);
    const manager = supervisor?.lineManagerId;
    if (manager && !parties.has(manager)) return manager;
  }
  if (org.safeguardingGovernorId && !parties.has(org.safeguardingGovernorId)) return org.safeguardingGovernorId;
  if (org.headteacherId && !parties.has(org.headteacherId)) return org.headteacherId;
  return undefined;
}
