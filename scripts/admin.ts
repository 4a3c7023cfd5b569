/**
 * `npm run admin -- <command> [--dry-run] [--json] [--org <id>]`: administration for IT leads and scripts.
 * Connects to MONGODB_URI. Every command answers with created, updated, unchanged, deactivated and errors
 * (each `{file,row,column,message}`); `--json` prints exactly one JSON object; the exit code is 0 only when
 * nothing was refused. Commands live in scripts/admin/commands/ (see registry.ts).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { systemClock } from '../src/app/clock.js';
import { loadAuditKey } from '../src/app/evidence/keys.js';
import type { AppDeps } from '../src/app/ports.js';
import type { ImportProblem } from '../src/app/admin/report.js';
import { type StoreHandle, connectStore } from '../src/store/connection.js';
import { MasterKeyError } from '../src/store/encryption.js';
import { type AdminCommand, type AdminContext, type AdminFlags, type AdminResult, CommandError, findCommand, loadCommands } from './admin/registry.js';

const env = z.object({
  MONGODB_URI: z.string({ message: 'is required: the database to administer (mongodb://…)' }).regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URL'),
});

const flagNames = new Set(['--dry-run', '--json', '--org', '--deactivate-missing', '--master-key-file', '--help', '-h']);

function parseArgv(argv: string[]): { words: string[]; flags: AdminFlags; help: boolean } | { error: ImportProblem } {
  const words: string[] = [];
  const flags: AdminFlags = { dryRun: false, json: false };
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') continue;
    if (!a.startsWith('-')) {
      words.push(a);
      continue;
    }
    if (!flagNames.has(a)) return { error: { file: '', row: 0, column: a.slice(0, 40), message: `is not an option; use --dry-run, --json, --org <id>, --deactivate-missing or --master-key-file <file>` } };
    if (a === '--dry-run') flags.dryRun = true;
    else if (a === '--master-key-file') {
      const file = z.string().regex(/^[^\0-]{1}[^\0]{0,499}$/, 'must name the new master key’s file').safeParse(argv[++i]);
      if (!file.success) return { error: { file: '', row: 0, column: '--master-key-file', message: file.error.issues[0]?.message ?? 'must name a file' } };
      flags.masterKeyFile = file.data;
    }
    else if (a === '--deactivate-missing') flags.deactivateMissing = true;
    else if (a === '--json') flags.json = true;
    else if (a === '--help' || a === '-h') help = true;
    else {
      const org = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be an organisation id').safeParse(argv[++i]);
      if (!org.success) return { error: { file: '', row: 0, column: '--org', message: org.error.issues[0]?.message ?? 'must be an organisation id' } };
      flags.org = org.data;
    }
  }
  return { words, flags, help };
}

function usage(commands: AdminCommand[]): string {
  const lines = [...commands].sort((a, b) => a.words.join(' ').localeCompare(b.words.join(' '))).map((c) => `  ${[...c.words, c.usage].filter(Boolean).join(' ').padEnd(40)} ${c.summary}`);
  return `usage: npm run admin -- <command> [--dry-run] [--json] [--org <id>] [--deactivate-missing] [--master-key-file <file>]\n\ncommands:\n${lines.join('\n')}\n`;
}

function print(flags: AdminFlags, command: string, result: AdminResult): void {
  const out = { command, dryRun: flags.dryRun, ...result, warnings: result.warnings ?? [] };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const where = (p: ImportProblem) => [p.file, p.row ? `line ${p.row}` : '', p.column].filter(Boolean).join(', ');
  for (const w of out.warnings) process.stdout.write(`warning: ${where(w)}: ${w.message}\n`);
  for (const e of out.errors) process.stdout.write(`refused: ${where(e)}: ${e.message}\n`);
  const verb = flags.dryRun ? 'would be' : '';
  process.stdout.write(
    `${command}${flags.dryRun ? ' (dry run: nothing written)' : ''}: ${out.created} ${verb} created, ${out.updated} ${verb} updated, ${out.unchanged} unchanged, ${out.deactivated} ${verb} deactivated, ${out.errors.length} refused\n`.replace(/ {2,}/g, ' '),
  );
}

async function main(): Promise<number> {
  const commands = await loadCommands();
  const parsed = parseArgv(process.argv.slice(2));
  const fail = (flags: Pick<AdminFlags, 'json'>, command: string, problem: ImportProblem) => {
    if (flags.json) process.stdout.write(`${JSON.stringify({ command, dryRun: false, created: 0, updated: 0, unchanged: 0, deactivated: 0, errors: [problem], warnings: [] })}\n`);
    else process.stderr.write(`${[problem.file, problem.column].filter(Boolean).join(' ')}${problem.file || problem.column ? ': ' : ''}${problem.message}\n`);
    return 1;
  };
  if ('error' in parsed) return fail({ json: process.argv.includes('--json') }, '', parsed.error);
  const { words, flags } = parsed;
  if (parsed.help || words.length === 0) {
    process.stdout.write(usage(commands));
    return parsed.help ? 0 : 1;
  }
  const found = findCommand(commands, words);
  if (!found) return fail(flags, words.join(' '), { file: '', row: 0, column: 'command', message: `"${words.join(' ').slice(0, 60)}" is not a command; ${usage(commands)}` });
  const name = found.command.words.join(' ');
  const args = found.command.args.safeParse(found.rest);
  if (!args.success) {
    const issue = args.error.issues[0];
    const at = issue?.path[0];
    return fail(flags, name, { file: '', row: 0, column: typeof at === 'number' ? `argument ${at + 1}` : 'arguments', message: `${issue?.message ?? 'is not valid'} (usage: npm run admin -- ${name} ${found.command.usage})` });
  }

  let store: StoreHandle | undefined;
  let deps: AppDeps | undefined;
  const ctx: AdminContext = {
    flags,
    actorId: 'admin-cli',
    async store() {
      if (!store) {
        const e = env.safeParse(process.env);
        if (!e.success) throw new CommandError('MONGODB_URI', e.error.issues[0]?.message ?? 'is required');
        try {
          store = await connectStore(e.data.MONGODB_URI);
        } catch (error) {
          // a missing or wrong master key, in words naming the variable
          if (error instanceof MasterKeyError) throw new CommandError('DATA_MASTER_KEY_FILE', error.message);
          throw error;
        }
      }
      return store;
    },
    async deps() {
      if (!deps) {
        let auditKey: AppDeps['auditKey'];
        try {
          auditKey = loadAuditKey(process.env);
        } catch (error) {
          throw new CommandError('AUDIT_SIGNING_KEY_FILE', `is not a usable Ed25519 key: ${(error as Error).message}`);
        }
        deps = { ...(await ctx.store()).stores, clock: systemClock, newId: () => randomUUID(), auditKey };
      }
      return deps;
    },
    async organisation() {
      const orgs = await (await ctx.deps()).organisations.list();
      if (flags.org) {
        const org = orgs.find((o) => o.id === flags.org);
        if (!org) throw new CommandError('--org', `no organisation here has the id "${flags.org}"`);
        return org;
      }
      if (orgs.length === 0) throw new CommandError('organisation', 'there is no organisation yet: run npm run admin -- init first');
      if (orgs.length > 1) throw new CommandError('--org', `this database holds ${orgs.length} organisations: name one with --org (${orgs.map((o) => o.id).join(', ')})`);
      return orgs[0] as (typeof orgs)[number];
    },
    say(line) {
      if (!flags.json) process.stdout.write(`${line}\n`);
    },
  };
  try {
    const result = await found.command.run(ctx, args.data);
    print(flags, name, result);
    return result.errors.length === 0 ? 0 : 1;
  } catch (error) {
    if (error instanceof CommandError) return fail(flags, name, { file: '', row: 0, column: error.column, message: error.message });
    throw error;
  } finally {
    await store?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`admin: failed: ${(error as Error).message}\n`);
    process.exit(2);
  },
);
