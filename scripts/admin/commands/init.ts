/**
 * `npm run admin -- init`: on an empty database, a single-use setup link (24 hours) for the browser; or
 * `init "<organisation>" "<admin name>" <admin email>` creates the organisation and its first admin at once.
 */
import { z } from 'zod';
import { ValidationError } from '../../../src/app/errors.js';
import { createOrganisation, isEmpty, parseFirstRun } from '../../../src/app/admin/first-run.js';
import { createSetupLink } from '../../../src/app/admin/links.js';
import { emptyReport } from '../../../src/app/admin/report.js';
import { CommandError, defineCommand } from '../registry.js';

const base = () => {
  const url = z.string().regex(/^https?:\/\//).safeParse(process.env.PUBLIC_BASE_URL?.trim());
  if (url.success) return url.data.replace(/\/+$/, '');
  const port = z.coerce.number().int().min(1).max(65535).safeParse(process.env.PORT);
  return `http://127.0.0.1:${port.success ? port.data : 3978}`;
};

export const commands = [
  defineCommand({
    words: ['init'],
    usage: '["<organisation name>" "<admin name>" <admin email>]',
    summary: 'first run: a setup link, or the organisation and its first admin at once',
    args: z.union([z.tuple([]), z.tuple([z.string(), z.string(), z.string()])], { message: 'give nothing (for a setup link), or the organisation’s name, the admin’s name and email' }),
    async run(ctx, args) {
      const report = emptyReport(ctx.flags.dryRun);
      let data: ReturnType<typeof parseFirstRun> | undefined;
      if (args.length === 3) {
        try {
          data = parseFirstRun({ organisationName: args[0], adminName: args[1], adminEmail: args[2] });
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          return { ...report, errors: [{ file: '', row: 0, column: error.field, message: error.message }] };
        }
      }
      const deps = await ctx.deps();
      if (!(await isEmpty(deps))) throw new CommandError('organisation', 'Supervision Bot is set up here already (the database holds an organisation); see npm run admin -- status');
      if (!data) {
        if (ctx.flags.dryRun) return { ...report, created: 1 };
        const link = await createSetupLink(deps);
        const setupUrl = `${base()}${link.path}`;
        ctx.say(`Open this link within 24 hours to create the organisation and its first admin (it works once):\n  ${setupUrl}`);
        return { ...report, created: 1, setupUrl, expiresAt: link.expiresAt.toISOString() };
      }
      if (ctx.flags.dryRun) return { ...report, created: 2 };
      const { organisation, admin } = await createOrganisation(deps, data, ctx.actorId);
      ctx.say(`Created ${organisation.name} (${organisation.id}) and its admin ${admin.name} (${admin.id}).`);
      return { ...report, created: 2, organisationId: organisation.id, adminId: admin.id };
    },
  }),
];
