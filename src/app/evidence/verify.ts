/**
 * `audit verify` and the auditor's "Verify": the whole chain, its signed checkpoints, and every sent or signed
 * record version against the digest its audit entry carries. The first break is reported precisely (which
 * entry, what was expected, what was found); otherwise "Verified N entries up to <hash>".
 */
import { z } from 'zod';
import { canExportRecords } from '../../domain/permissions.js';
import { loadActor } from '../context.js';
import { parseInput, Refusal, type UseCaseResult, useCase } from '../errors.js';
import type { AppDeps, AuditCheckpoint, AuditEntry } from '../ports.js';
import { type ChainBreak, ChainVerifier, GENESIS, recordDigest } from './chain.js';
import { checkpointMessage } from './keys.js';

export interface VerificationReport {
  type: 'audit-verification';
  organisationId: string;
  ok: boolean;
  /** Entries checked (all of them when ok). */
  entries: number;
  headSeq: number;
  headHash: string;
  checkpoints: {
    count: number;
    /** Whether their signatures were checked against this deployment's key. */
    checked: boolean;
    keyId?: string;
    lastSeq?: number;
    lastAt?: string;
  };
  records: { checked: number; /** Versions sent before record digests were written into the trail. */ withoutDigest: number; /** Versions destroyed under the retention schedule, each with its tombstone. */ destroyed: number };
  break?: ChainBreak;
  text: string;
  checkedAt: string;
}

const SENT_STATES = new Set(['awaiting-confirmation', 'signed', 'disputed', 'resolved']);

/** Checks a checkpoint's signature; the break it is when it does not verify. */
function signatureBreak(deps: AppDeps, c: AuditCheckpoint): ChainBreak | undefined {
  const key = deps.auditKey;
  if (!key) return undefined;
  if (c.keyId !== key.keyId) {
    return { seq: c.seq, kind: 'checkpoint-signature', expected: key.keyId, found: c.keyId, text: `the checkpoint at entry ${c.seq} names the key ${c.keyId}, not this deployment's audit key ${key.keyId}` };
  }
  if (!key.verify(checkpointMessage(c), c.signature)) {
    return { seq: c.seq, kind: 'checkpoint-signature', expected: `a signature by key ${key.keyId}`, found: 'a signature that does not verify', text: `the checkpoint at entry ${c.seq} (hash ${c.hash}) does not carry a valid signature by the audit key ${key.keyId}: it was written without the key` };
  }
  return undefined;
}

export async function verifyAuditTrail(deps: AppDeps, organisationId: string): Promise<VerificationReport> {
  const checkpoints = await deps.checkpoints.list(organisationId);
  const anchors = new Map<number, string>();
  let first: ChainBreak | undefined;
  if (deps.auditKey) {
    for (const c of checkpoints) {
      const b = signatureBreak(deps, c);
      if (b) {
        first ??= b;
        break;
      }
      anchors.set(c.seq, c.hash);
    }
  }
  const chain = new ChainVerifier(anchors);
  // the newest digest the trail holds for each record version
  const digests = new Map<string, { seq: number; action: string; digest: string }>();
  // the tombstone of each destroyed record version: the digest of what was destroyed
  const tombstones = new Map<string, { seq: number; digest: string }>();
  let headSeq = 0;
  for await (const e of deps.audit.scan(organisationId)) {
    headSeq = e.seq;
    if (chain.push(e)) break;
    const digest = e.detail.digest;
    if (e.subject.kind === 'record' && typeof digest === 'string') digests.set(`${e.subject.id}@${e.subject.version}`, { seq: e.seq, action: e.action, digest });
    const destroyedDigest = e.detail.destroyedDigest;
    if (e.action === 'record.destroyed' && e.subject.kind === 'record' && typeof destroyedDigest === 'string') tombstones.set(`${e.subject.id}@${e.subject.version}`, { seq: e.seq, digest: destroyedDigest });
  }
  const chainBreak = chain.finish();
  if (chainBreak && (!first || chainBreak.seq < first.seq)) first = chainBreak;

  let checked = 0;
  let withoutDigest = 0;
  let destroyed = 0;
  const records = await deps.records.byOrganisation(organisationId);
  const breakAt = (b: ChainBreak) => {
    if (!first || b.seq < first.seq) first = b;
  };
  for (const r of records.sort((a, b) => a.id.localeCompare(b.id) || a.version - b.version)) {
    if (r.destroyed) {
      // destruction under an approved rule is accepted only with its tombstone, naming the digest the trail held
      const key = `${r.id}@${r.version}`;
      const tomb = tombstones.get(key);
      const held = digests.get(key);
      if (!tomb) {
        breakAt({ seq: r.destroyed.tombstoneSeq ?? headSeq, kind: 'record', expected: 'a record.destroyed entry', found: 'none', text: `record ${r.id} version ${r.version} is marked destroyed, but the audit trail holds no tombstone for it` });
      } else if (tomb.seq !== r.destroyed.tombstoneSeq) {
        breakAt({ seq: tomb.seq, kind: 'record', expected: `entry ${tomb.seq}`, found: `entry ${r.destroyed.tombstoneSeq}`, text: `record ${r.id} version ${r.version} names entry ${r.destroyed.tombstoneSeq} as its tombstone, but the tombstone is entry ${tomb.seq}` });
      } else if (held && held.digest !== tomb.digest) {
        breakAt({ seq: tomb.seq, kind: 'record', expected: held.digest, found: tomb.digest, text: `the tombstone of record ${r.id} version ${r.version} (entry ${tomb.seq}) names the digest ${tomb.digest}, but the version's entry ${held.seq} (${held.action}) holds ${held.digest}` });
      } else destroyed++;
      continue;
    }
    if (!SENT_STATES.has(r.state)) continue;
    const entry = digests.get(`${r.id}@${r.version}`);
    if (!entry) {
      withoutDigest++;
      continue;
    }
    checked++;
    const found = recordDigest(r);
    if (found !== entry.digest) {
      breakAt({ seq: entry.seq, kind: 'record', expected: entry.digest, found, text: `record ${r.id} version ${r.version} does not match its audit entry ${entry.seq} (${entry.action}): the entry holds the digest ${entry.digest}, the stored record hashes to ${found}` });
    }
  }
  const last = checkpoints[checkpoints.length - 1];
  const ok = first === undefined;
  const head = chain.head;
  return {
    type: 'audit-verification',
    organisationId,
    ok,
    entries: chain.count,
    headSeq: ok ? chain.count : headSeq,
    headHash: head,
    checkpoints: { count: checkpoints.length, checked: deps.auditKey !== undefined, keyId: deps.auditKey?.keyId, lastSeq: last?.seq, lastAt: last?.at.toISOString() },
    records: { checked, withoutDigest, destroyed },
    break: first,
    text: ok
      ? `Verified ${chain.count} entries up to ${head === GENESIS ? 'the start (no entries yet)' : head}${checkpoints.length > 0 ? `; ${checkpoints.length} signed checkpoint${checkpoints.length === 1 ? '' : 's'}${deps.auditKey ? ` checked with key ${deps.auditKey.keyId}` : ' (not checked: no audit key configured)'}` : '; no signed checkpoints yet'}; ${checked} record version${checked === 1 ? '' : 's'} match their entries${destroyed > 0 ? `; ${destroyed} destroyed under the retention schedule, each with its tombstone` : ''}.`
      : `The audit trail does not verify at entry ${first?.seq}: ${first?.text}.`,
    checkedAt: deps.clock.now().toISOString(),
  };
}

export type AnchorResult = { signed: true; checkpoint: AuditCheckpoint } | { signed: false; reason: string; break?: ChainBreak };

/**
 * Signs the organisation's chain head, after checking the stretch since the last checkpoint (so a history
 * rewritten since is never signed). At the interval an unchanged head is not signed again.
 */
export async function anchorAuditHead(deps: AppDeps, organisationId: string, reason: AuditCheckpoint['reason']): Promise<AnchorResult> {
  const key = deps.auditKey;
  if (!key?.canSign) return { signed: false, reason: 'no audit signing key is configured (AUDIT_SIGNING_KEY_FILE or AUDIT_SIGNING_KEY)' };
  const last = await deps.checkpoints.latest(organisationId);
  const head = await deps.audit.head(organisationId);
  if (!head) return { signed: false, reason: 'the audit trail has no entries yet' };
  if (last && last.seq === head.seq && last.hash === head.hash) return { signed: true, checkpoint: last };
  const lastBreak = last ? signatureBreak(deps, last) : undefined;
  if (lastBreak) return { signed: false, reason: lastBreak.text, break: lastBreak };
  const chain = new ChainVerifier(last ? new Map([[last.seq, last.hash]]) : new Map());
  let top: AuditEntry | undefined;
  let started = false;
  for await (const e of deps.audit.scan(organisationId, last?.seq ?? 1)) {
    if (!started && last) chain.resumeAt(last.seq, e.prevHash);
    started = true;
    const b = chain.push(e);
    if (b) return { signed: false, reason: b.text, break: b };
    top = e;
  }
  const end = chain.finish();
  if (end) return { signed: false, reason: end.text, break: end };
  if (!top) return { signed: false, reason: 'the audit trail has no entries yet' };
  const unsigned = { organisationId, seq: top.seq, hash: top.hash, at: deps.clock.now() };
  const checkpoint: AuditCheckpoint = { ...unsigned, reason, keyId: key.keyId, signature: key.sign(checkpointMessage(unsigned)) };
  await deps.checkpoints.add(checkpoint);
  return { signed: true, checkpoint };
}

/** The auditor's "Verify" (and the DSL's or a deputy's): for their own organisation only. */
export const verifyAudit = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<VerificationReport>> => {
  parseInput(z.object({}).strict(), input ?? {});
  const ctx = await loadActor(deps, actorId);
  if (!canExportRecords(ctx.actor, ctx.org)) throw new Refusal('Only the DSL, a deputy DSL or an auditor can check the audit trail.');
  return { ok: true, data: await verifyAuditTrail(deps, ctx.org.id) };
});
