/**
 * Checking the audit trail (white-laith contract: records are evidence; a serious case review asks what the
 * school can show). Pure: entries and checkpoints in, the first break out.
 *
 * - the chain: entry n has sequence number n, carries the hash of entry n-1, and its own hash is the SHA-256
 *   of its canonical form (`auditHash`);
 * - the checkpoints: at a signed checkpoint the entry's hash must be the one signed, so a chain recomputed by
 *   someone with database access but without the signing key breaks there;
 * - the records: each sent or signed record version must hash to the digest its audit entry carries.
 */
import { createHash } from 'node:crypto';
import type { AuditEntry } from '../ports.js';

export const GENESIS = '0'.repeat(64);

/**
 * Each object's keys in the order the chain has always hashed them (`localeCompare`), quoted, remembered per
 * key set: entries repeat a handful of shapes, and sorting with the collator for every object was most of the
 * cost of a check (P9).
 */
const keyOrders = new Map<string, Array<[string, string]>>();
function sortedKeys(value: Record<string, unknown>): Array<[string, string]> {
  const keys = Object.keys(value);
  const signature = `${keys.length}\u0000${keys.join('\u0000')}`;
  const cached = keyOrders.get(signature);
  // a key holding the separator could share a signature with another key set: the cached order must name these keys
  if (cached?.every(([k]) => Object.hasOwn(value, k))) return cached;
  const order = [...keys].sort((a, b) => a.localeCompare(b)).map((k): [string, string] => [k, `${JSON.stringify(k)}:`]);
  if (!cached && keyOrders.size < 10_000) keyOrders.set(signature, order);
  return order;
}

/** JSON with keys sorted and undefined left out; dates as ISO strings. */
export function canonical(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  // as JSON.stringify writes them: a finite number as is, anything else as null
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return `"${value.toISOString()}"`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    let out = '';
    for (const [k, quoted] of sortedKeys(object)) {
      const v = object[k];
      if (v === undefined) continue;
      out += out === '' ? quoted + canonical(v) : `,${quoted}${canonical(v)}`;
    }
    return `{${out}}`;
  }
  return JSON.stringify(value);
}

type Unhashed = Omit<AuditEntry, 'hash'>;
const ENTRY_FIELDS: Array<keyof Unhashed> = ['organisationId', 'seq', 'at', 'actorId', 'action', 'subject', 'detail', 'prevHash', 'key'];
/** The entry's fields in `canonical`'s order, worked out once. */
const ENTRY_ORDER = [...ENTRY_FIELDS].sort((a, b) => a.localeCompare(b)).map((k) => [k, `${JSON.stringify(k)}:`] as const);

/** The form of an entry that is hashed: every field but the hash itself (as `canonical` of those fields). */
export function auditCanonical(entry: Unhashed): string {
  let out = '';
  for (const [k, quoted] of ENTRY_ORDER) {
    const v = entry[k];
    if (v === undefined) continue;
    out += out === '' ? quoted + canonical(v) : `,${quoted}${canonical(v)}`;
  }
  return `{${out}}`;
}

export function auditHash(entry: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(auditCanonical(entry)).digest('hex');
}

export type BreakKind = 'missing' | 'link' | 'altered' | 'checkpoint' | 'checkpoint-signature' | 'checkpoint-beyond-end' | 'record';

export interface ChainBreak {
  /** The entry where the trail stops being trustworthy. */
  seq: number;
  kind: BreakKind;
  expected: string;
  found: string;
  /** In words, naming the entry and what was expected and found. */
  text: string;
}

export interface SignedHead {
  seq: number;
  hash: string;
}

/** Checks entries one at a time, in sequence order; stops at the first break. */
export class ChainVerifier {
  private prev = GENESIS;
  private nextSeq = 1;
  count = 0;
  head = GENESIS;
  broken: ChainBreak | undefined;

  /** `anchors`: the hash signed at each checkpointed sequence number (signatures already checked). */
  constructor(private readonly anchors: ReadonlyMap<number, string> = new Map()) {}

  push(e: AuditEntry): ChainBreak | undefined {
    if (this.broken) return this.broken;
    const seq = this.nextSeq;
    if (e.seq !== seq) {
      return this.fail({ seq, kind: 'missing', expected: `entry ${seq}`, found: `entry ${e.seq}`, text: `entry ${seq} is missing: the next entry found is ${e.seq}` });
    }
    if (e.prevHash !== this.prev) {
      return this.fail({ seq, kind: 'link', expected: this.prev, found: e.prevHash, text: `entry ${seq} does not follow entry ${seq - 1}: it names the previous hash ${e.prevHash}, but entry ${seq - 1} hashes to ${this.prev}` });
    }
    const hash = e.hash;
    const computed = auditHash(e);
    if (computed !== hash) {
      return this.fail({ seq, kind: 'altered', expected: hash, found: computed, text: `entry ${seq} (${e.action}) was altered: it is stored with the hash ${hash}, but its content hashes to ${computed}` });
    }
    const signed = this.anchors.get(seq);
    if (signed !== undefined && signed !== hash) {
      return this.fail({ seq, kind: 'checkpoint', expected: signed, found: hash, text: `entry ${seq} (${e.action}) is not the entry that was signed at the checkpoint: the checkpoint signed ${signed}, the trail now has ${hash}` });
    }
    this.prev = hash;
    this.head = hash;
    this.nextSeq++;
    this.count++;
    return undefined;
  }

  /** Checks from entry `seq` on (its link to the entry before is taken as given): the stretch after a checkpoint. */
  resumeAt(seq: number, prevHash: string): void {
    this.nextSeq = seq;
    this.prev = prevHash;
    this.count = seq - 1;
  }

  /** After the last entry: a checkpoint beyond the end means entries were removed from the end. */
  finish(): ChainBreak | undefined {
    if (this.broken) return this.broken;
    const beyond = [...this.anchors.keys()].filter((s) => s > this.count).sort((a, b) => a - b)[0];
    if (beyond !== undefined) {
      return this.fail({ seq: beyond, kind: 'checkpoint-beyond-end', expected: this.anchors.get(beyond) as string, found: 'no entry', text: `entry ${beyond} was signed at a checkpoint but the trail ends at entry ${this.count}: entries were removed` });
    }
    return undefined;
  }

  private fail(b: ChainBreak): ChainBreak {
    this.broken = b;
    return b;
  }
}

/**
 * What a record version says, hashed: the content both parties confirm (stour §5, §8) and whose record it is —
 * not its workflow state, confirmations or dispute, which change after it is sent and have their own entries.
 * A concern's later risk-of-harm flag is left out too: flagging after the fact adds an escalation, not text.
 */
export function recordDigest(r: import('../../domain/types.js').RecordSheet): string {
  const content = {
    id: r.id,
    version: r.version,
    organisationId: r.organisationId,
    contractId: r.contractId,
    sessionId: r.sessionId,
    date: r.date,
    supervisorId: r.supervisorId,
    superviseeIds: r.superviseeIds,
    topics: r.topics,
    notes: r.notes,
    concerns: r.concerns.map((c) => ({ id: c.id, text: c.text })),
    caseDecisions: r.caseDecisions.map((d) => ({ id: d.id, childRef: d.childRef, decision: d.decision, rationale: d.rationale, followUpById: d.followUpById })),
    actions: r.actions.map((a) => ({ id: a.id, text: a.text, ownerId: a.ownerId, dueDate: a.dueDate })),
    previousActionsReviewed: r.previousActionsReviewed.map((p) => ({ actionId: p.actionId, outcome: p.outcome, note: p.note })),
    supersedesVersion: r.supersedesVersion,
  };
  return createHash('sha256').update(canonical(content)).digest('hex');
}
