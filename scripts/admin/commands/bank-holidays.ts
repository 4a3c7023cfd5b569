/** `npm run admin -- import bank-holidays <file>`: refresh from the UK government's bank-holidays.json. */
import path from 'node:path';
import { z } from 'zod';
import { importBankHolidays } from '../../../src/app/admin/bank-holidays.js';
import { decodeUtf8, emptyReport } from '../../../src/app/admin/report.js';
import { defineCommand } from '../registry.js';
import { readFileArg } from './terms.js';

export const commands = [
  defineCommand({
    words: ['import', 'bank-holidays'],
    usage: '<bank-holidays.json>',
    summary: 'refresh bank holidays from www.gov.uk/bank-holidays.json (all three divisions)',
    args: z.tuple([z.string({ message: 'name the bank-holidays.json file' }).min(1, 'name the bank-holidays.json file')], { message: 'name one bank-holidays.json file' }),
    async run(ctx, [file]) {
      const bytes = readFileArg(file);
      const name = path.basename(file);
      const text = decodeUtf8(name, bytes);
      if (typeof text !== 'string') return { ...emptyReport(ctx.flags.dryRun), errors: [text] };
      return importBankHolidays(await ctx.deps(), name, text, ctx.flags.dryRun, ctx.actorId);
    },
  }),
];
