/**
 * `npm run admin -- audit verify [--org <id>] [--json]`: checks each organisation's audit trail (every link,
 * the signed checkpoints, each sent record version); exit code 1 at the first break, which is named.
 * `audit anchor` signs each chain's head now; `audit keygen <file>` writes a new Ed25519 signing key.
 * The key comes from AUDIT_SIGNING_KEY_FILE or AUDIT_SIGNING_KEY (or AUDIT_PUBLIC_KEY_FILE to check only).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { generateAuditKey } from '../../../src/app/evidence/keys.js';
import { anchorAuditHead, verifyAuditTrail } from '../../../src/app/evidence/verify.js';
import type { ImportProblem } from '../../../src/app/admin/report.js';
import { type AdminContext, CommandError, defineCommand } from '../registry.js';

async function organisations(ctx: AdminContext) {
  if (ctx.flags.org) return [await ctx.organisation()];
  return (await ctx.deps()).organisations.list();
}

const none = { created: 0, updated: 0, unchanged: 0, deactivated: 0 };

export const commands = [
  defineCommand({
    words: ['audit', 'verify'],
    usage: '',
    summary: 'check the audit trail: every link, the signed checkpoints, each record version against its entry',
    args: z.tuple([], { message: 'takes no arguments' }),
    async run(ctx) {
      const deps = await ctx.deps();
      const reports = [];
      const errors: ImportProblem[] = [];
      for (const org of await organisations(ctx)) {
        const report = await verifyAuditTrail(deps, org.id);
        reports.push(report);
        ctx.say(`${org.name} (${org.id}): ${report.text}`);
        if (!report.ok) errors.push({ file: `audit trail of ${org.id}`, row: report.break?.seq ?? 0, column: report.break?.kind ?? 'chain', message: report.text });
      }
      return { ...none, errors, warnings: [], reports };
    },
  }),
  defineCommand({
    words: ['audit', 'anchor'],
    usage: '',
    summary: "sign each audit chain's head now with the audit signing key",
    args: z.tuple([], { message: 'takes no arguments' }),
    async run(ctx) {
      const deps = await ctx.deps();
      if (!deps.auditKey?.canSign) throw new CommandError('AUDIT_SIGNING_KEY_FILE', 'is required to sign: the Ed25519 key kept outside the database');
      const errors: ImportProblem[] = [];
      const checkpoints = [];
      for (const org of await organisations(ctx)) {
        const result = await anchorAuditHead(deps, org.id, 'manual');
        if (result.signed) {
          checkpoints.push(result.checkpoint);
          ctx.say(`${org.id}: signed entry ${result.checkpoint.seq} (${result.checkpoint.hash}) with key ${result.checkpoint.keyId}`);
        } else errors.push({ file: `audit trail of ${org.id}`, row: result.break?.seq ?? 0, column: result.break?.kind ?? 'chain', message: result.reason });
      }
      return { ...none, created: checkpoints.length, errors, warnings: [], checkpoints };
    },
  }),
  defineCommand({
    words: ['audit', 'keygen'],
    usage: '<file.pem>',
    summary: 'write a new Ed25519 audit signing key (back it up: see README)',
    args: z.tuple([z.string().regex(/^[^\0]{1,500}\.pem$/, 'must be a file name ending .pem')]),
    async run(ctx, [file]) {
      if (existsSync(file)) throw new CommandError('argument 1', `${file} exists already: a key is never overwritten`);
      const { key, privateKeyPem } = generateAuditKey();
      writeFileSync(file, privateKeyPem, { mode: 0o600 });
      ctx.say(`wrote ${file} (key ${key.keyId}); set AUDIT_SIGNING_KEY_FILE=${file}`);
      return { ...none, created: 1, errors: [], warnings: [], keyId: key.keyId, publicKeyPem: key.publicKeyPem };
    },
  }),
];
