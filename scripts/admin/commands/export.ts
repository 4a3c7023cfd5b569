/**
 * `npm run admin -- export person <as> <person> <file.pdf|file.json>` and
 * `npm run admin -- export bundle <as> <file.zip> [from] [to]` and
 * `npm run admin -- export governors <as> <file.pdf> [term]`: the dashboard's exports from the command line,
 * made as the person named by <as> (the DSL, a deputy or an auditor; for the governors' report also the
 * safeguarding governor or the headteacher: the same permission checks, and the same audit entry, as in the
 * dashboard). The bundle's progress is printed as it is built.
 */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { buildInspectionBundle } from '../../../src/app/evidence/bundle.js';
import { governorsReport, TERM_ID } from '../../../src/app/evidence/governors.js';
import { governorsReportPdf } from '../../../src/app/evidence/governors-pdf.js';
import { personFilePdf } from '../../../src/app/evidence/pdf.js';
import { exportPersonFile } from '../../../src/app/evidence/person-file.js';
import { Refusal, ValidationError } from '../../../src/app/errors.js';
import { PERSON_ID } from '../../../src/app/dashboard.js';
import { CommandError, defineCommand } from '../registry.js';

const DAY = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD');
const none = { updated: 0, unchanged: 0, deactivated: 0, warnings: [] };

export const commands = [
  defineCommand({
    words: ['export', 'person'],
    usage: '<as-person-id> <person-id> <file.pdf|file.json>',
    summary: "a person's supervision file as PDF or JSON, made as the DSL, a deputy or an auditor",
    args: z.tuple([PERSON_ID, PERSON_ID, z.string().regex(/^[^\0]{1,500}\.(pdf|json)$/, 'must be a file name ending .pdf or .json')]),
    async run(ctx, [as, personId, file]) {
      const format = file.endsWith('.pdf') ? 'pdf' : 'json';
      const result = await exportPersonFile(await ctx.deps(), as, { personId, format });
      if (!result.ok) throw new CommandError('argument 1', result.error.type === 'refusal' ? result.error.text : result.error.message);
      const data = result.data as NonNullable<typeof result.data>;
      writeFileSync(file, format === 'pdf' ? await personFilePdf(data) : JSON.stringify(data, null, 2), { mode: 0o600 });
      ctx.say(`wrote ${file}: ${data.records.length} record versions, ${data.sessions.length} sessions`);
      return { ...none, created: 1, errors: [], file };
    },
  }),
  defineCommand({
    words: ['export', 'bundle'],
    usage: '<as-person-id> <file.zip> [from YYYY-MM-DD] [to YYYY-MM-DD]',
    summary: 'an inspection bundle: every file, a CSV index, the audit trail and its verification, in a zip',
    args: z.tuple([PERSON_ID, z.string().regex(/^[^\0]{1,500}\.zip$/, 'must be a file name ending .zip')]).rest(DAY),
    async run(ctx, [as, file, from, to]) {
      let built: Awaited<ReturnType<typeof buildInspectionBundle>>;
      try {
        built = await buildInspectionBundle(await ctx.deps(), as, { ...(from ? { from } : {}), ...(to ? { to } : {}) }, (p) => {
          if (!ctx.flags.json) process.stderr.write(`\r[${'#'.repeat(Math.round((p.done / p.total) * 30)).padEnd(30)}] ${p.done}/${p.total} ${p.step.padEnd(30)}`);
        });
      } catch (error) {
        if (error instanceof Refusal) throw new CommandError('argument 1', error.message);
        if (error instanceof ValidationError) throw new CommandError(error.field === 'to' ? 'argument 4' : 'argument 3', error.message);
        throw error;
      }
      if (!ctx.flags.json) process.stderr.write('\n');
      writeFileSync(file, built.zip, { mode: 0o600 });
      ctx.say(`wrote ${file} (${built.zip.length} bytes)`);
      return { ...none, created: 1, errors: [], file, fileName: built.fileName };
    },
  }),
  defineCommand({
    words: ['export', 'governors'],
    usage: '<as-person-id> <file.pdf> [term, e.g. autumn-2025]',
    summary: "the governors' report for a term (the current one when not given): figures and chart, counts only",
    args: z.tuple([PERSON_ID, z.string().regex(/^[^\0]{1,500}\.pdf$/, 'must be a file name ending .pdf')]).rest(TERM_ID),
    async run(ctx, [as, file, term]) {
      const result = await governorsReport(await ctx.deps(), as, term ? { term } : {});
      if (!result.ok) throw new CommandError(result.error.type === 'refusal' ? 'argument 1' : 'argument 3', result.error.type === 'refusal' ? result.error.text : result.error.message);
      const report = result.data as NonNullable<typeof result.data>;
      writeFileSync(file, await governorsReportPdf(report), { mode: 0o600 });
      ctx.say(`wrote ${file}: ${report.term.name}, ${report.months.length} months`);
      return { ...none, created: 1, errors: [], file, term: report.term.id };
    },
  }),
];
