/**
 * Reads remembered for the length of one unit of work (a queued command, a reminder, a delivery).
 *
 * One confirmation reads the same three or four people, the organisation and the contract several times over
 * (the actor, the permission check, each card's names); each read is a round trip to the database. Inside
 * `withReadMemo`, `get` of an organisation, a person, a contract or a session goes to the database once and is
 * answered from memory after that — a copy each time, so no caller sees another's changes. Any write through the
 * same repository forgets what that repository remembered, so a unit of work always reads its own writes.
 * Outside a unit of work (HTTP reads, start-up passes) nothing is remembered.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Stores } from '../app/ports.js';
import type { Organisation, RecordSheet } from '../domain/types.js';

type Memo = Map<string, Promise<unknown>>;
const UNIT = Symbol('unit of work');
const scope = new AsyncLocalStorage<Memo & { [UNIT]?: string }>();

/** Runs `work` with its own memo of reads; nested calls share the outer one. `unit` names the kind of work. */
export function withReadMemo<T>(work: () => Promise<T>, unit?: string): Promise<T> {
  if (scope.getStore()) return work();
  const memo: Memo & { [UNIT]?: string } = new Map();
  memo[UNIT] = unit;
  return scope.run(memo, work);
}

/** The kind of unit of work running here (a queue's name), if any: benchmarks attribute round trips by it. */
export const currentUnit = (): string | undefined => scope.getStore()?.[UNIT];

const copy = <T>(value: T): T => (value === null || value === undefined ? value : structuredClone(value));

/** Remembers a read under `key`; a failed read is not remembered, so the next caller tries again. */
function keep<T>(memo: Memo, key: string, read: Promise<T>): Promise<T> {
  memo.set(key, read);
  read.catch(() => {
    if (memo.get(key) === read) memo.delete(key);
  });
  return read;
}

function remembered<T>(memo: Memo, key: string, read: () => Promise<T>): Promise<T> {
  const hit = (memo.get(key) as Promise<T> | undefined) ?? keep(memo, key, read());
  return hit.then(copy);
}

function forget(memo: Memo, prefix: string): void {
  for (const key of memo.keys()) if (key.startsWith(prefix)) memo.delete(key);
}

type AnyRepo = Record<string, unknown>;

/**
 * Wraps one repository: `get(id)` (and people's `getMany`) are remembered under `name:`; the methods named in
 * `reads` pass through untouched; any other method is taken as a write and forgets everything under `name:`.
 */
function memoised<R extends object>(repo: R, name: string, reads: readonly string[]): R {
  const target = repo as unknown as AnyRepo;
  const wrapped: AnyRepo = {};
  for (const [method, fn] of Object.entries(target)) {
    if (typeof fn !== 'function') {
      wrapped[method] = fn;
      continue;
    }
    const call = fn as (...args: unknown[]) => Promise<unknown>;
    if (method === 'get') {
      wrapped.get = (id: string) => {
        const memo = scope.getStore();
        return memo ? remembered(memo, `${name}:${id}`, () => call.call(target, id)) : call.call(target, id);
      };
    } else if (reads.includes(method)) {
      wrapped[method] = call;
    } else {
      wrapped[method] = async (...args: unknown[]) => {
        const memo = scope.getStore();
        if (memo) forget(memo, `${name}:`);
        try {
          return await call.apply(target, args);
        } finally {
          // a read that started while the write was under way may hold the old document
          if (memo) forget(memo, `${name}:`);
        }
      };
    }
  }
  return wrapped as unknown as R;
}

/**
 * A record's newest revision (`latest`, `version`) is remembered like a `get`; and what this unit of work wrote
 * (`insertVersion`, `replace` that succeeded) is remembered as the newest, so the cards sent after a write do
 * not read it back. A write that fails (a version conflict) forgets, so the writer's retry reads the database.
 */
function rememberedRecords(records: Stores['records']): Stores['records'] {
  const wrote = (memo: Memo, record: RecordSheet) => {
    forget(memo, `record:${record.id}`);
    const stored = Promise.resolve(copy(record));
    memo.set(`record:${record.id}`, stored);
    memo.set(`record:${record.id}@${record.version}`, stored);
  };
  const write =
    <A extends [RecordSheet, ...unknown[]]>(call: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      const memo = scope.getStore();
      if (!memo) return call(...args);
      forget(memo, `record:${args[0].id}`);
      try {
        await call(...args);
      } catch (error) {
        forget(memo, `record:${args[0].id}`);
        throw error;
      }
      wrote(memo, args[0]);
    };
  return {
    ...records,
    latest(recordId) {
      const memo = scope.getStore();
      return memo ? remembered(memo, `record:${recordId}`, () => records.latest(recordId)) : records.latest(recordId);
    },
    version(recordId, version) {
      const memo = scope.getStore();
      return memo ? remembered(memo, `record:${recordId}@${version}`, () => records.version(recordId, version)) : records.version(recordId, version);
    },
    insertVersion: write((record: RecordSheet) => records.insertVersion(record)),
    replace: write((record: RecordSheet, expectedUpdatedAt: Date) => records.replace(record, expectedUpdatedAt)),
  };
}

/**
 * `recent`: an organisation as read by any unit of work of this process within the last moments. The content
 * guard asks for the organisation's setting before each message a notifier sends, and a morning's reminders are
 * thousands of messages to the same few organisations (P5: a read for every other Teams send). A write through
 * these stores forgets every such read at once; another process's write is seen within `withinMs` — less than a
 * send can wait for its slot after the guard has read the setting anyway.
 */
function recentOrganisations(organisations: Stores['organisations']): Stores['organisations'] {
  const reads = new Map<string, { read: Promise<Organisation | null>; at: number }>();
  const wrapped: AnyRepo = {};
  for (const [method, fn] of Object.entries(organisations as unknown as AnyRepo)) {
    if (typeof fn !== 'function' || ['get', 'list', 'bySlackTeam', 'recent'].includes(method)) {
      wrapped[method] = fn;
      continue;
    }
    const call = fn as (...args: unknown[]) => Promise<unknown>;
    wrapped[method] = async (...args: unknown[]) => {
      reads.clear();
      try {
        return await call.apply(organisations, args);
      } finally {
        reads.clear();
      }
    };
  }
  wrapped.recent = (id: string, withinMs: number) => {
    // a unit of work that has read it goes on with what it read (and its own writes)
    const memo = scope.getStore();
    const own = memo?.get(`organisation:${id}`) as Promise<Organisation | null> | undefined;
    if (own) return own.then(copy);
    const now = Date.now();
    const kept = reads.get(id);
    if (kept && now - kept.at <= withinMs) {
      // and the unit's later `get`s of it are answered the same
      if (memo) keep(memo, `organisation:${id}`, kept.read);
      return kept.read.then(copy);
    }
    // (within a unit of work, `get` remembers the read for the unit too)
    const read = (organisations.get as (id: string) => Promise<Organisation | null>).call(organisations, id);
    const entry = { read, at: now };
    reads.set(id, entry);
    read.catch(() => {
      if (reads.get(id) === entry) reads.delete(id);
    });
    return read.then(copy);
  };
  return wrapped as unknown as Stores['organisations'];
}

/** The stores with per-unit-of-work memory of `get`; everything else is the stores' own. */
export function withReadMemos(stores: Stores): Stores {
  const people = memoised(stores.people, 'person', ['byOrganisation', 'trained', 'bySlackUser', 'byTeamsUser', 'unreachable']);
  const memoisedGetMany: Stores['people']['getMany'] = async (ids) => {
    const memo = scope.getStore();
    if (!memo) return stores.people.getMany(ids);
    const unique = [...new Set(ids)];
    const missing = unique.filter((id) => !memo.has(`person:${id}`));
    if (missing.length > 0) {
      // one read for everyone not yet remembered; each is remembered on its own (null when there is none)
      const fetched = stores.people.getMany(missing).then((found) => new Map(found.map((p) => [p.id, p])));
      for (const id of missing) keep(memo, `person:${id}`, fetched.then((byId) => byId.get(id) ?? null));
    }
    const found = await Promise.all(unique.map((id) => remembered(memo, `person:${id}`, () => stores.people.get(id))));
    return found.filter((p): p is NonNullable<typeof p> => p !== null);
  };
  return {
    ...stores,
    records: rememberedRecords(stores.records),
    organisations: recentOrganisations(memoised(stores.organisations, 'organisation', ['list', 'bySlackTeam'])),
    people: { ...people, getMany: memoisedGetMany },
    contracts: memoised(stores.contracts, 'contract', ['byOrganisation', 'forPerson', 'reviewDueBefore', 'allActive', 'activePage', 'waitingForSignatures']),
    sessions: memoised(stores.sessions, 'session', [
      'byContract',
      'byContracts',
      'getMany',
      'nextScheduled',
      'lastHeld',
      'scheduledBetween',
      'scheduledInRoom',
      'byOrganisation',
    ]),
  };
}
