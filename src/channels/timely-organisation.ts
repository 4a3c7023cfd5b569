/**
 * The organisation as an answer may wait for it. The set-up check and the content guard both ask before a
 * person is answered, and Teams allows five seconds in all: each read waits a bounded time, and once a read has
 * been found slow (the database down or overloaded) later asks do not wait on it again — they answer at once
 * with "slow" until a read completes. So an outage costs an answer one wait, not one per question asked.
 */
import type { Organisation } from '../domain/types.js';
import type { Runtime } from '../runtime.js';

type Deps = Pick<Runtime['deps'], 'organisations'>;
interface Pending {
  read: Promise<Organisation | null>;
  slow: boolean;
}

const pendingByDeps = new WeakMap<Deps, Map<string, Pending>>();
/** A read this recent (by any part of the process) is as good as a new one: see `OrganisationRepository.recent`. */
const RECENT_MS = 250;

export async function organisationWithin(deps: Deps, organisationId: string, waitMs: number): Promise<Organisation | null | 'slow'> {
  let pending = pendingByDeps.get(deps);
  if (!pending) pendingByDeps.set(deps, (pending = new Map()));
  let entry = pending.get(organisationId);
  if (entry?.slow) return 'slow';
  if (!entry) {
    const read = deps.organisations.recent?.(organisationId, RECENT_MS) ?? deps.organisations.get(organisationId);
    const made: Pending = { read, slow: false };
    entry = made;
    pending.set(organisationId, made);
    const done = () => {
      if (pending.get(organisationId) === made) pending.delete(organisationId);
    };
    read.then(done, done);
  }
  const current = entry;
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), waitMs);
  });
  try {
    const outcome = await Promise.race([current.read, slow]);
    if (outcome === 'slow') current.slow = true;
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}
