/** `npm run admin -- import terms <file.ics>`: the council's term dates (see src/app/admin/terms-ics.ts). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { decodeUtf8, emptyReport } from '../../../src/app/admin/report.js';
import { importTermsText } from '../../../src/app/admin/terms-ics.js';
import { CommandError, defineCommand } from '../registry.js';

export function readFileArg(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CommandError('file', `${path.basename(file)}: ${code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'is a folder, not a file' : 'cannot be read'}`);
  }
}

export const commands = [
  defineCommand({
    words: ['import', 'terms'],
    usage: '<file.ics>',
    summary: "the council's term dates (.ics): half terms and INSET days",
    args: z.tuple([z.string({ message: 'name the .ics file' }).min(1, 'name the .ics file')], { message: 'name one .ics file' }),
    async run(ctx, [file]) {
      const bytes = readFileArg(file);
      const name = path.basename(file);
      const text = decodeUtf8(name, bytes);
      if (typeof text !== 'string') return { ...emptyReport(ctx.flags.dryRun), errors: [text] };
      const deps = await ctx.deps();
      return importTermsText(deps, await ctx.organisation(), ctx.actorId, name, text, ctx.flags.dryRun);
    },
  }),
];
