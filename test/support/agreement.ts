/**
 * Every party of a contract agrees to its supervision agreement through the playground's API, as they would with
 * the card's Agree (white-laith B: sessions are booked once all have agreed). For tests whose subject comes after.
 */
import type { AppDeps } from '../../src/app/ports.js';

export async function agreeAll(botUrl: string, deps: Pick<AppDeps, 'contracts'>, contractId: string): Promise<void> {
  const contract = await deps.contracts.get(contractId);
  if (!contract?.agreement) throw new Error(`${contractId} is not waiting for signatures`);
  for (const personId of [...contract.superviseeIds, ...contract.supervisorIds]) {
    const res = await fetch(`${botUrl}/playground/api/actions`, {
      method: 'POST',
      headers: { 'x-playground-person': personId, 'content-type': 'application/json' },
      body: JSON.stringify({ verb: 'agreement.agree', data: { contractId, terms: contract.agreement.terms } }),
    });
    if (res.status !== 200) throw new Error(`${personId} could not agree to ${contractId}: ${res.status} ${await res.text()}`);
  }
}
