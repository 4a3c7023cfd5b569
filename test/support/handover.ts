/**
 * The handover journeys' common ground (test/integration/handover/): open work on a contract (actions owned by
 * the supervisee and by the supervisor, a case decision not yet on the child's file), the supervisor changed
 * through the dashboard's API, and the check that nothing open was lost.
 */
import { expect } from 'vitest';
import type { AgreedAction } from '../../src/domain/types.js';
import { london } from './school.js';
import type { World } from './world.js';

export const TERMS = {
  kind: 'one-to-one',
  superviseeIds: ['amy'],
  cadence: 'every 4 weeks',
  durationMinutes: 60,
  location: 'Meeting room 2',
  level: 1,
  disputeRoute: 'safeguarding-governor',
  startDate: '2025-09-01',
};

/** Three open actions and an uncopied case decision on a contract supervised by `supervisorId`. */
export async function seedOpenWork(w: World, contractId: string, supervisorId: string, superviseeId: string): Promise<{ keep: string; mine: string; close: string; decision: string }> {
  const recordId = `rec-${contractId}`;
  const action = (id: string, ownerId: string, text: string): AgreedAction => ({
    id: `${recordId}.${id}`,
    organisationId: w.org.id,
    contractId,
    recordId,
    text,
    ownerId,
    dueDate: '2025-12-05',
    status: 'open',
    agreedAt: london('2025-11-03T16:00'),
    supervisorId,
    sessionDate: '2025-11-03',
  });
  await w.deps.actions.upsertMany([
    action('a1', superviseeId, 'Read the updated attendance protocol'),
    action('a2', supervisorId, 'Ask the head about cover for the training day'),
    action('a3', superviseeId, 'Book the phonics observation with Year 1'),
  ]);
  const decidedAt = london('2025-11-03T16:00');
  await w.deps.caseDecisions.upsertMany([
    { id: 'd1', organisationId: w.org.id, recordId, contractId, childRef: 'JB', decision: 'Refer to early help after the meeting', rationale: 'Attendance fell and the family asked for support', followUpById: supervisorId, decidedAt, copyDueAt: new Date(decidedAt.getTime() + 86_400_000) },
  ]);
  return { keep: `${recordId}.a1`, mine: `${recordId}.a2`, close: `${recordId}.a3`, decision: 'd1' };
}

/** The dashboard's contracts API: the contract's supervisor changed (by the DSL, as the screen sends it). */
export async function changeSupervisor(botUrl: string, contractId: string, supervisorId: string, superviseeIds: string[], as = 'dsl'): Promise<Response> {
  return fetch(`${botUrl}/tab/api/admin/contracts/${contractId}`, {
    method: 'PUT',
    headers: { 'x-playground-person': as, 'content-type': 'application/json' },
    body: JSON.stringify({ ...TERMS, superviseeIds, supervisorId }),
  });
}

/** Nothing open is lost: each action open before is open with the new supervisor, or closed with a note. */
export async function expectNothingLost(w: World, contractId: string, openBefore: readonly string[], to: string, from: string): Promise<void> {
  for (const id of openBefore) {
    const a = await w.deps.actions.get(id);
    expect(a, id).toBeTruthy();
    if (a?.status === 'open') {
      expect(a.supervisorId, id).toBe(to);
      expect(a.ownerId, id).not.toBe(from);
    } else {
      expect(a?.status, id).toBe('not-needed');
      expect(a?.notNeeded?.reason?.length ?? 0, id).toBeGreaterThan(0);
    }
  }
  for (const d of await w.deps.caseDecisions.notCopiedForContract(contractId)) expect(d.followUpById).not.toBe(from);
}
