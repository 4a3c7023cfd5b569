/**
 * Who a platform user is, remembered by the channel. A platform id (a Teams AAD object id) maps to the same
 * person for as long as they work at the school, so the channel answers from memory and refreshes the entry
 * in the background once it is older than `refreshAfterMs`. That keeps a database round trip out of every
 * interaction and lets people the channel has seen be answered while the database is unreachable. Only the
 * mapping is trusted: every use case loads the person again and checks their roles against the database.
 */
import type { Person } from '../domain/types.js';

export interface KnownPeople {
  /** The person for a platform id: from memory when known, else looked up (and remembered when found). */
  find(platformId: string): Promise<Person | null>;
  /** Whether `value` differs from what was last stored for `key` by this process; remembers it when it does. */
  changed(key: string, value: string): boolean;
  /** Forgets a stored value (its write failed), so the next interaction stores it again. */
  forget(key: string): void;
}

export interface KnownPeopleOptions {
  refreshAfterMs?: number;
  maxEntries?: number;
  onRefreshError?: (error: Error) => void;
}

export function knownPeople(lookup: (platformId: string) => Promise<Person | null>, options: KnownPeopleOptions = {}): KnownPeople {
  const refreshAfterMs = options.refreshAfterMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 50_000;
  const people = new Map<string, { person: Person; at: number }>();
  const refreshing = new Set<string>();
  const stored = new Map<string, string>();

  const remember = (platformId: string, person: Person) => {
    people.delete(platformId);
    if (people.size >= maxEntries) people.delete(people.keys().next().value as string);
    people.set(platformId, { person, at: Date.now() });
  };

  function refresh(platformId: string): void {
    if (refreshing.has(platformId)) return;
    refreshing.add(platformId);
    lookup(platformId)
      .then((person) => {
        if (person) remember(platformId, person);
        // unlinked since: forget them, so the next interaction is refused
        else people.delete(platformId);
      })
      .catch((error: Error) => options.onRefreshError?.(error))
      .finally(() => refreshing.delete(platformId));
  }

  return {
    async find(platformId) {
      const known = people.get(platformId);
      if (known) {
        if (Date.now() - known.at > refreshAfterMs) refresh(platformId);
        return known.person;
      }
      const person = await lookup(platformId);
      if (person) remember(platformId, person);
      return person;
    },
    changed(key, value) {
      if (stored.get(key) === value) return false;
      stored.delete(key);
      if (stored.size >= maxEntries) stored.delete(stored.keys().next().value as string);
      stored.set(key, value);
      return true;
    },
    forget(key) {
      stored.delete(key);
    },
  };
}
