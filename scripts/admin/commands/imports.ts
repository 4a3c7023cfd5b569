/**
 * `npm run admin -- import sds <folder> | import staff <file> | import contracts <file>`: the same imports as the
 * admin API (src/app/imports.ts). With `--dry-run` only the preview; otherwise the preview and, when nothing is
 * refused, the import written whole. `--deactivate-missing` lets staff the files no longer list leave.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { confirmImportFor, type ImportKind, previewImportFor } from '../../../src/app/imports.js';
import { SDS_FILES } from '../../../src/domain/imports/staff.js';
import { importWriter } from '../../../src/store/imports.js';
import { type AdminContext, type AdminResult, CommandError, defineCommand } from '../registry.js';
import { readFileArg } from './terms.js';

async function run(ctx: AdminContext, kind: ImportKind, files: Array<{ name: string; bytes: Uint8Array }>): Promise<AdminResult> {
  const store = await ctx.store();
  const deps = await ctx.deps();
  const org = await ctx.organisation();
  const writer = await importWriter(store.connection, store.models);
  const preview = await previewImportFor(deps, writer, org, ctx.actorId, kind, files);
  const report = { created: preview.created, updated: preview.updated, unchanged: preview.unchanged, deactivated: preview.deactivated, errors: preview.errors, warnings: preview.warnings, ignored: preview.ignored };
  if (ctx.flags.dryRun || !preview.token) return { ...report, dryRun: true };
  if (preview.deactivated > 0 && !ctx.flags.deactivateMissing) ctx.say(`${preview.deactivated} ${preview.deactivated === 1 ? 'person is' : 'people are'} no longer in the files and stay active (add --deactivate-missing to let them leave)`);
  let last = -1;
  const timer = setInterval(() => {
    void writer.get(preview.token as string).then((s) => {
      if (s?.progress && s.progress.done !== last) {
        last = s.progress.done;
        ctx.say(`writing… ${s.progress.done} of ${s.progress.total}`);
      }
    });
  }, 1_000);
  try {
    const result = await confirmImportFor(deps, writer, org, ctx.actorId, preview.token, { deactivateMissing: ctx.flags.deactivateMissing ?? false });
    return { created: result.created, updated: result.updated, unchanged: result.unchanged, deactivated: result.deactivated, errors: result.errors, warnings: preview.warnings, ignored: preview.ignored };
  } finally {
    clearInterval(timer);
  }
}

const oneFile = (what: string) => z.tuple([z.string({ message: `name the ${what}` }).min(1, `name the ${what}`)], { message: `name one ${what}` });

export const commands = [
  defineCommand({
    words: ['import', 'sds'],
    usage: '<folder>',
    summary: 'staff from a School Data Sync v2.1 export (orgs.csv, users.csv, roles.csv)',
    args: oneFile('folder of the School Data Sync export'),
    async run(ctx, [folder]) {
      let names: string[];
      try {
        if (!statSync(folder).isDirectory()) throw new CommandError('folder', `${path.basename(folder)}: is a file; name the folder that holds orgs.csv, users.csv and roles.csv`);
        names = readdirSync(folder);
      } catch (error) {
        if (error instanceof CommandError) throw error;
        throw new CommandError('folder', `${path.basename(folder)}: there is no such folder`);
      }
      const files = SDS_FILES.filter((n) => names.includes(n)).map((n) => ({ name: n, bytes: new Uint8Array(readFileArg(path.join(folder, n))) }));
      return run(ctx, 'sds', files);
    },
  }),
  defineCommand({
    words: ['import', 'staff'],
    usage: '<file.csv>',
    summary: 'staff from the staff template (name, email, roles, line_manager_email, slack_user_id, teams_aad_object_id)',
    args: oneFile('staff CSV file'),
    async run(ctx, [file]) {
      return run(ctx, 'staff', [{ name: path.basename(file), bytes: new Uint8Array(readFileArg(file)) }]);
    },
  }),
  defineCommand({
    words: ['import', 'contracts'],
    usage: '<file.csv>',
    summary: 'supervision contracts from the contracts template',
    args: oneFile('contracts CSV file'),
    async run(ctx, [file]) {
      return run(ctx, 'contracts', [{ name: path.basename(file), bytes: new Uint8Array(readFileArg(file)) }]);
    },
  }),
];
