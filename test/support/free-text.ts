/**
 * The whole suite's log check. Every logger in a test run also writes to a capture file under
 * `test-output/logs/` (`LOG_CAPTURE_DIR`, see `src/logger.ts`); every test database's free text (agenda items,
 * record notes, concerns, case decisions and rationales, actions, dispute reasons and resolutions, why a session moved, escalation
 * text) is collected before the database is dropped (`recordFreeText`) and, for databases still there, by the
 * global teardown; the teardown fails the run when any of it appears in a capture file (`findLeaks`).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection, mongo } from 'mongoose';
import { cipherFor, ENCRYPTED_FIELDS } from '../../src/store/encryption.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const LOG_DIR = path.join(root, 'test-output', 'logs');
/** This run's capture directory (one per run, so runs side by side in one tree keep apart). */
export const runDir = (pid: number) => path.join(LOG_DIR, `run-${pid}`);
export const VALUES_FILE = 'free-text-values.jsonl';

/** Shorter values are ordinary words and ids ("Training", "performance"), not someone's text. */
export const MIN_LENGTH = 13;

/** Where people's words are stored, and under which keys (see `src/domain/types.ts`). */
export const FREE_TEXT_COLLECTIONS = ['agendaItems', 'records', 'actions', 'caseDecisions', 'escalations', 'sessions', 'sessionRequests', 'retention', 'handovers', 'contracts'] as const;
const FREE_TEXT_KEYS = new Set(['text', 'notes', 'decision', 'rationale', 'reason', 'resolution', 'note', 'statusReason', 'incidentName', 'messageToStaff', 'themes']);

/** A value worth looking for: long enough, and not a run of one or two characters. */
export function significant(value: string): boolean {
  const v = value.trim();
  return v.length >= MIN_LENGTH && new Set(v).size >= 4;
}

/** Every free-text string in a stored document (and each of its lines). */
export function freeTextOf(doc: unknown, out: Set<string> = new Set(), key?: string): Set<string> {
  if (typeof doc === 'string') {
    if (key && FREE_TEXT_KEYS.has(key)) {
      for (const v of [doc, ...doc.split('\n')]) if (significant(v)) out.add(v.trim());
    }
  } else if (Array.isArray(doc)) {
    for (const item of doc) freeTextOf(item, out, key);
  } else if (doc && typeof doc === 'object' && !(doc instanceof Date)) {
    for (const [k, v] of Object.entries(doc)) freeTextOf(v, out, k);
  }
  return out;
}

/** The free text stored in a database, as typed: the stored envelopes decrypted with the run's master key. */
export async function freeTextIn(db: mongo.Db): Promise<Set<string>> {
  const out = new Set<string>();
  const cipher = cipherFor(db);
  for (const name of FREE_TEXT_COLLECTIONS) {
    for await (const doc of db.collection(name).find({})) {
      await cipher.decryptDoc(doc, ENCRYPTED_FIELDS[name] ?? []);
      freeTextOf(doc, out);
    }
  }
  // a question about the supervision agreement is kept only as the message to the supervisor
  for await (const doc of db.collection('outbox').find({})) {
    await cipher.decryptDoc(doc, ENCRYPTED_FIELDS.outbox ?? []);
    const view = doc.view as { type?: string; question?: unknown } | undefined;
    if (view?.type === 'agreement-question') freeTextOf(view.question, out, 'text');
  }
  return out;
}

/** Called before a test database is dropped: keeps its free text for the teardown's check. */
export async function recordFreeText(connection: Connection): Promise<void> {
  const dir = process.env.LOG_CAPTURE_DIR;
  if (!dir || !connection.db) return;
  try {
    const values = [...(await freeTextIn(connection.db))];
    if (values.length === 0) return;
    mkdirSync(dir, { recursive: true });
    appendFileSync(path.join(dir, VALUES_FILE), `${JSON.stringify({ db: connection.name, values })}\n`);
  } catch (error) {
    process.stderr.write(`free text of ${connection.name} not collected: ${(error as Error).message}\n`);
  }
}

/**
 * The values (as typed, or as they would look escaped inside a JSON log line) that occur in the log text.
 * Each form is looked up by its first MIN_LENGTH characters in one pass over the log.
 */
export function findLeaks(logText: string, values: Iterable<string>): string[] {
  const byAnchor = new Map<string, Array<{ value: string; form: string }>>();
  for (const value of values) {
    if (!significant(value)) continue;
    const once = JSON.stringify(value).slice(1, -1);
    const twice = JSON.stringify(once).slice(1, -1);
    for (const form of new Set([value, once, twice])) {
      const anchor = form.slice(0, MIN_LENGTH);
      const list = byAnchor.get(anchor) ?? [];
      list.push({ value, form });
      byAnchor.set(anchor, list);
    }
  }
  const leaks = new Set<string>();
  if (byAnchor.size === 0) return [];
  const firsts = new Set([...byAnchor.keys()].map((a) => a.charCodeAt(0)));
  for (let i = 0; i + MIN_LENGTH <= logText.length; i++) {
    if (!firsts.has(logText.charCodeAt(i))) continue;
    const candidates = byAnchor.get(logText.substr(i, MIN_LENGTH));
    if (!candidates) continue;
    for (const c of candidates) if (logText.startsWith(c.form, i)) leaks.add(c.value);
  }
  return [...leaks];
}
