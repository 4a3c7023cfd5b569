/**
 * Property-based fuzzing of the bot's inbound endpoints (fast-check): hostile values, a database fingerprint
 * and a batch runner that sends generated requests a few dozen at a time.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { Connection } from 'mongoose';

/** Strings a person, a client or an attacker might send: unicode, control characters, huge, lookalikes of code. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      '\u0000',
      '\u0007',
      '\n',
      '\r',
      '\t',
      '\u001b',
      '\u202e',
      '\ufeff',
      '\u2028',
      '\ud800',
      '\udfff',
      ' ',
      '"',
      '\\',
      '<',
      '>',
      '&',
      '%',
      '$',
    ),
    maxLength: 30,
  }),
  fc.constantFrom(
    '',
    ' ',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '../../etc/passwd',
    '<at>Bot</at>',
    '<script>alert(1)</script>',
    '{"$gt":""}',
    '$where',
    '%00',
    'null',
    'undefined',
    'NaN',
    '-1',
    '1e309',
    '2025-02-30',
    '2025-13-45',
    '9999-99-99',
    '0000-00-00',
    '25:99',
    '💥🧒🏽‍🦱'.repeat(20),
    'ｐａｒｋ',
    'Ｏverdue',
  ),
  fc.integer({ min: 2_000, max: 25_000 }).map((n) => 'x'.repeat(n)),
);

/** A value deeply nested in arrays and objects (as parsed JSON would give). */
export const deepValue: fc.Arbitrary<unknown> = fc.integer({ min: 50, max: 3_000 }).map((depth) => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
});

/** Anything but a string: numbers, booleans, null, arrays, objects, deep nesting. */
export const notAString: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  deepValue,
);

/** Any value a field could be given. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(nastyString, notAString);

/** Keys an attacker adds to an object to pollute prototypes or confuse a parser. */
export const pollutionKeys = ['__proto__', 'constructor', 'prototype'] as const;

/** JSON text for an object with prototype-pollution keys (JSON.parse makes them own properties). */
export function withPollution(json: string): string {
  const inner = json.trim();
  if (!inner.startsWith('{') || inner === '{}') return inner;
  return `{"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}},${inner.slice(1)}`;
}

/** Random bytes, random JSON and random form bodies, whatever the endpoint expects. */
export const randomBody: fc.Arbitrary<{ body: string | Uint8Array; type: string }> = fc.oneof(
  fc
    .tuple(
      fc.uint8Array({ maxLength: 300 }),
      fc.constantFrom(
        'application/json',
        'application/x-www-form-urlencoded',
        'application/octet-stream',
        'text/plain',
      ),
    )
    .map(([body, type]) => ({ body, type })),
  fc.jsonValue({ maxDepth: 4 }).map((v) => ({ body: JSON.stringify(v) ?? 'null', type: 'application/json' })),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => ({ body: s, type: 'application/json' })),
  fc
    .dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 6 })
    .map((d) => ({ body: new URLSearchParams(d).toString(), type: 'application/x-www-form-urlencoded' })),
  fc
    .constantFrom(
      '{',
      '[',
      '{"a":',
      '}',
      'null',
      'true',
      '0',
      '""',
      '[]',
      '{}',
      '{"__proto__":{"x":1}}',
      '[[[[[[[[[[',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
    )
    .map((s) => ({ body: s, type: 'application/json' })),
);

/**
 * A hash of every document of every collection (sorted by `_id`), per collection. `exclude` leaves out
 * documents that legitimately change on any request: a whole collection (a string), or the documents of a
 * collection whose `_id` matches (`[collection, pattern]`).
 */
export type Exclusion = string | readonly [string, RegExp];

export async function fingerprint(
  connection: Connection,
  exclude: readonly Exclusion[],
): Promise<Record<string, string>> {
  const db = connection.db;
  if (!db) throw new Error('not connected');
  const out: Record<string, string> = {};
  const whole = exclude.filter((e): e is string => typeof e === 'string');
  const names = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((n) => !whole.includes(n))
    .sort();
  for (const name of names) {
    const skip = exclude
      .filter((e): e is readonly [string, RegExp] => typeof e !== 'string' && e[0] === name)
      .map((e) => e[1]);
    const docs = (await db.collection(name).find({}).toArray()).filter(
      (d) => !skip.some((re) => re.test(String(d._id))),
    );
    docs.sort((a, b) => (String(a._id) < String(b._id) ? -1 : String(a._id) > String(b._id) ? 1 : 0));
    out[name] =
      `${docs.length}:${createHash('sha256').update(JSON.stringify(docs)).digest('hex').slice(0, 16)}`;
  }
  return out;
}

/**
 * Runs `total` generated cases as one fast-check property over batches of `batch` cases; `check` gets a whole
 * batch (to compare the database before and after it) and sends it with `inParallel`. A failure is reported
 * with its seed and the failing case's own message. Returns how many cases were generated.
 */
export async function fuzzBatches<T>(
  arb: fc.Arbitrary<T>,
  total: number,
  batch: number,
  check: (cases: T[]) => Promise<void>,
  seed?: number,
): Promise<number> {
  let sent = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(arb, { minLength: batch, maxLength: batch }), async (cases) => {
      sent += cases.length;
      await check(cases);
    }),
    {
      numRuns: Math.ceil(total / batch),
      endOnFailure: true,
      // FUZZ_SEED replays a reported failure
      ...(seed === undefined ? (process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) : { seed }),
      // the failing case's own message says which request and answer; a whole batch would drown it
      reporter(run) {
        if (run.failed)
          throw new Error(
            `fuzzing failed (seed ${run.seed}, path ${run.counterexamplePath}): ${(run.errorInstance as Error)?.message ?? String(run.errorInstance)}`,
          );
      },
    },
  );
  return sent;
}

/** Maps over items with at most `concurrency` promises in flight, keeping the order of the results. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return out;
}

/** Collects unhandled rejections and uncaught exceptions while fuzzing (the process must not crash). */
export function watchProcess(): { problems: string[]; stop(): void } {
  const problems: string[] = [];
  const onRejection = (reason: unknown) =>
    problems.push(`unhandled rejection: ${(reason as Error)?.message ?? String(reason)}`);
  const onException = (error: Error) => problems.push(`uncaught exception: ${error.message}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    problems,
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

/** True when a prototype-pollution payload reached Object.prototype. */
export function prototypePolluted(): boolean {
  const probe = {} as Record<string, unknown>;
  return probe.polluted !== undefined || probe.isAdmin !== undefined;
}

/**
 * Waits until the database stops changing (reminders due at start-up fired, their messages delivered), so
 * that what changes during a batch was caused by the batch. Two equal fingerprints a second apart.
 */
/**
 * Waits until every outbox row has been delivered. Slack and Teams sends are paced to the platforms' limits,
 * so a delivery (and the DM channel it stores) can land seconds after the last one: longer than `settled`'s
 * one-second look would notice.
 */
export async function allDelivered(outbox: { pending(limit: number): Promise<unknown[]> }): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if ((await outbox.pending(1)).length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the outbox was never delivered');
}

export async function settled(
  connection: Connection,
  exclude: readonly Exclusion[],
  nudge: () => Promise<unknown> = async () => undefined,
): Promise<void> {
  let last = '';
  for (let i = 0; i < 120; i++) {
    await nudge();
    const now = JSON.stringify(await fingerprint(connection, exclude));
    if (now === last) return;
    last = now;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('the database never settled');
}

/** How many answers of each status each endpoint gave, written to `test-output/fuzz/<name>.json`. */
export function statusTally(name: string): {
  count(endpoint: string, status: number): void;
  write(extra?: Record<string, unknown>): void;
} {
  const tally: Record<string, Record<string, number>> = {};
  const started = Date.now();
  return {
    count(endpoint, status) {
      const row = tally[endpoint] ?? {};
      row[status] = (row[status] ?? 0) + 1;
      tally[endpoint] = row;
    },
    write(extra = {}) {
      const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-output/fuzz');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, `${name}.json`),
        `${JSON.stringify({ seconds: Math.round((Date.now() - started) / 1000), statuses: tally, ...extra }, null, 2)}\n`,
      );
    },
  };
}
