/**
 * The supervision agreement (white-laith B, template "supervision agreement", stour App. C/§8): every party —
 * supervisors and supervisees — agrees to the contract's terms before its sessions are booked. What they agreed
 * to is kept as a digest of those terms, so a change of supervisor, cadence, length, location, format, level or
 * dispute route, or a renewal (a new review date), asks everyone again.
 */
import { createHash } from 'node:crypto';
import type { Cadence, SupervisionContract } from './types.js';

/** The terms a party agrees to: a change of any of them asks everyone again. */
export const AGREEMENT_TERMS = ['kind', 'supervisorIds', 'superviseeIds', 'cadence', 'durationMinutes', 'location', 'format', 'level', 'external', 'disputeRoute', 'reviewDueDate'] as const;

type Terms = Pick<SupervisionContract, (typeof AGREEMENT_TERMS)[number]>;

/** A short digest of the contract's agreed terms (party lists sorted, so their order does not matter). */
export function agreementTermsOf(contract: Terms): string {
  const terms = {
    ...Object.fromEntries(AGREEMENT_TERMS.map((k) => [k, contract[k]])),
    supervisorIds: [...contract.supervisorIds].sort(),
    superviseeIds: [...contract.superviseeIds].sort(),
  };
  return createHash('sha256').update(JSON.stringify(terms)).digest('hex').slice(0, 16);
}

export const partiesOf = (contract: Pick<SupervisionContract, 'supervisorIds' | 'superviseeIds'>): string[] => [...new Set([...contract.supervisorIds, ...contract.superviseeIds])];

/** Who has agreed to the contract's current terms (everyone, for a contract agreed before agreements were kept). */
export function signedParties(contract: Pick<SupervisionContract, 'agreement' | 'signatures' | 'supervisorIds' | 'superviseeIds'>): string[] {
  if (!contract.agreement) return partiesOf(contract);
  const terms = contract.agreement.terms;
  const signed = new Set(contract.signatures.filter((s) => s.terms === terms).map((s) => s.personId));
  return partiesOf(contract).filter((id) => signed.has(id));
}

/** The parties who have not agreed to the current terms yet (none for a contract agreed before they were kept). */
export function unsignedParties(contract: Pick<SupervisionContract, 'agreement' | 'signatures' | 'supervisorIds' | 'superviseeIds'>): string[] {
  const signed = new Set(signedParties(contract));
  return partiesOf(contract).filter((id) => !signed.has(id));
}

/** Waiting for signatures: active, and some party has not agreed to its current terms. */
export function isWaitingForSignatures(contract: Pick<SupervisionContract, 'active' | 'agreement' | 'signatures' | 'supervisorIds' | 'superviseeIds'>): boolean {
  return contract.active && unsignedParties(contract).length > 0;
}

/** Sessions are booked once all have agreed, or once the DSL has started the contract early for these terms. */
export function isBookingHeld(contract: Pick<SupervisionContract, 'active' | 'agreement' | 'signatures' | 'supervisorIds' | 'superviseeIds'>): boolean {
  if (!isWaitingForSignatures(contract)) return false;
  return contract.agreement?.startedEarly?.terms !== contract.agreement?.terms;
}

/** Whether terms written now need everyone to agree again (a new contract always does). */
export function needsAgreement(contract: Terms & Pick<SupervisionContract, 'agreement'>): boolean {
  return contract.agreement?.terms !== agreementTermsOf(contract);
}

/** How often, in words ("every week", "every 3 weeks", "every half term"). */
export function cadenceInWords(cadence: Cadence): string {
  switch (cadence.kind) {
    case 'weekly':
      return 'every week';
    case 'every-n-weeks':
      return cadence.weeks === 2 ? 'every fortnight' : `every ${cadence.weeks} weeks`;
    case 'monthly':
      return 'every month';
    case 'half-termly':
      return 'every half term';
    case 'termly':
      return 'every term';
    case 'yearly':
      return 'once a year';
  }
}

/** stour §4: the three levels of support and supervision. */
export function levelInWords(level: 1 | 2 | 3, kind: SupervisionContract['kind']): string {
  const group = kind === 'group';
  if (level === 1) return group ? 'Level 1 — internal, a group in this school' : 'Level 1 — internal, within this school';
  if (level === 2) return group ? 'Level 2 — a group from schools across the trust' : 'Level 2 — from a DSL in another school of the trust';
  return group ? 'Level 3 — an external group' : 'Level 3 — external, from an outside agency';
}
