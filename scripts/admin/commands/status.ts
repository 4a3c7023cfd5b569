/** `npm run admin -- status`: the setup checklist (what the dashboard shows), and whether supervision runs. */
import { z } from 'zod';
import { checklistOf } from '../../../src/app/admin/setup.js';
import { defineCommand } from '../registry.js';

export const commands = [
  defineCommand({
    words: ['status'],
    usage: '',
    summary: 'the setup checklist: organisation, DSL, term dates, staff, identities, contracts',
    args: z.tuple([], { message: 'takes no arguments' }),
    async run(ctx) {
      const deps = await ctx.deps();
      const checklist = await checklistOf(deps, await ctx.organisation());
      ctx.say(`${checklist.organisation.name} (${checklist.organisation.id}), school year ${checklist.schoolYear}: ${checklist.ready ? 'supervision is running' : 'supervision is not set up yet'}`);
      for (const item of checklist.items) ctx.say(`  [${item.done ? 'x' : ' '}] ${item.label}: ${item.detail}`);
      return { created: 0, updated: 0, unchanged: 0, deactivated: 0, errors: [], warnings: [], checklist };
    },
  }),
];
