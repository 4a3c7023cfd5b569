/**
 * P9: verifying 1,000,000 audit entries — every link, every entry's hash recomputed from its canonical form,
 * with a signed checkpoint every 10,000 entries — generated in memory in batches of 50,000 (the generation is
 * not timed: only `ChainVerifier.push`). Target ≥ 50,000 entries/s, reported against the raw SHA-256 rate of
 * the same machine in the same run (`createHash('sha256')` over the same canonical strings, already built).
 * The database read (`audit.scan`) is left out: it is the server's speed, not the check's.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { auditCanonical, auditHash, ChainVerifier, GENESIS } from '../../src/app/evidence/chain.js';
import type { AuditEntry } from '../../src/app/ports.js';
import { type BenchResult, round } from './result.js';

const TOTAL = Number(process.env.P9_ENTRIES ?? 1_000_000);
const BATCH = 50_000;
const CHECKPOINT_EVERY = 10_000;
const ACTIONS = ['record.submitted', 'record.confirmed', 'record.signed', 'session.scheduled', 'session.held', 'action.completed'];

function batchOf(from: number, prev: string, t0: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let seq = from; seq < from + BATCH && seq <= TOTAL; seq++) {
    const action = ACTIONS[seq % ACTIONS.length] as string;
    const unhashed: Omit<AuditEntry, 'hash'> = {
      organisationId: 'org-bench',
      seq,
      at: new Date(t0 + seq * 1000),
      actorId: `person-${seq % 997}`,
      action,
      subject: action.startsWith('record') ? { kind: 'record', id: `rec.c-${seq % 5003}.2026-01-${String((seq % 28) + 1).padStart(2, '0')}`, version: 1 } : { kind: 'session', id: `c-${seq % 5003}.2026-01-12` },
      detail: action.startsWith('record') ? { confirmations: seq % 3, digest: createHash('sha256').update(String(seq)).digest('hex') } : { contractId: `c-${seq % 5003}` },
      prevHash: prev,
      key: action === 'record.confirmed' ? `confirm:${seq}` : undefined,
    };
    const hash = auditHash(unhashed);
    out.push({ ...unhashed, hash });
    prev = hash;
  }
  return out;
}

export async function run(): Promise<BenchResult[]> {
  const t0 = Date.parse('2026-01-05T08:00:00Z');
  const anchors = new Map<number, string>();
  const verifier = new ChainVerifier(anchors);
  let verifyMs = 0;
  let rawMs = 0;
  let bytes = 0;
  let prev = GENESIS;
  for (let from = 1; from <= TOTAL; from += BATCH) {
    const batch = batchOf(from, prev, t0);
    prev = (batch[batch.length - 1] as AuditEntry).hash;
    for (const e of batch) if (e.seq % CHECKPOINT_EVERY === 0) anchors.set(e.seq, e.hash);
    // the raw rate: SHA-256 over the same canonical strings, built beforehand
    const strings = batch.map((e) => {
      const { hash: _h, ...rest } = e;
      return auditCanonical(rest);
    });
    for (const s of strings) bytes += Buffer.byteLength(s);
    let start = process.hrtime.bigint();
    for (const s of strings) createHash('sha256').update(s).digest('hex');
    rawMs += Number(process.hrtime.bigint() - start) / 1e6;
    start = process.hrtime.bigint();
    for (const e of batch) if (verifier.push(e)) throw new Error(`the generated chain broke at ${e.seq}`);
    verifyMs += Number(process.hrtime.bigint() - start) / 1e6;
  }
  if (verifier.finish() || verifier.count !== TOTAL) throw new Error('the generated chain did not verify whole');
  const rate = TOTAL / (verifyMs / 1000);
  const raw = TOTAL / (rawMs / 1000);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  return [
    {
      id: 'P9',
      value: Math.round(rate),
      unit: 'entries/s',
      target: '>= 50000',
      pass: rate >= 50_000,
      measured: `verified ${TOTAL.toLocaleString('en-GB')} in-memory entries in ${round(verifyMs / 1000)} s (links, hashes from canonical JSON, ${anchors.size} checkpoints); raw SHA-256 over the same ${Math.round(bytes / TOTAL)}-byte strings: ${Math.round(raw)}/s, so the check runs at ${round((rate / raw) * 100, 1)} % of raw hashing; load average ${load}`,
      rawSha256PerSecond: Math.round(raw),
      shareOfRaw: round(rate / raw, 3),
      loadAverage: load,
    },
  ];
}
