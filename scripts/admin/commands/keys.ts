/**
 * `npm run admin -- keys rotate [--org <id>] [--master-key-file <new>]`: a new data key for each organisation
 * (or the one named) and its stored text re-encrypted under it; with `--master-key-file`, every data key is first
 * wrapped again under that master key (then set DATA_MASTER_KEY_FILE to it and restart). Old text stays readable
 * throughout. `keys generate <file>` writes a new master key. The current master key comes from
 * DATA_MASTER_KEY_FILE or DATA_MASTER_KEY (outside production, the data directory's development key).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { localMasterKey, type MasterKey, masterKeyFromFile, newMasterKeyText, parseMasterKey } from '../../../src/store/encryption.js';
import { rotateDataKeys } from '../../../src/store/key-rotation.js';
import { type AdminContext, CommandError, defineCommand } from '../registry.js';

const none = { created: 0, updated: 0, unchanged: 0, deactivated: 0 };

async function organisationIds(ctx: AdminContext): Promise<string[]> {
  if (ctx.flags.org) return [(await ctx.organisation()).id];
  return (await (await ctx.deps()).organisations.list()).map((o) => o.id);
}

function newMasterKey(file: string): MasterKey {
  if (!existsSync(file)) throw new CommandError('--master-key-file', `${file} does not exist (write one with: npm run admin -- keys generate ${file})`);
  try {
    return masterKeyFromFile(file);
  } catch (error) {
    throw new CommandError('--master-key-file', (error as Error).message);
  }
}

export const commands = [
  defineCommand({
    words: ['keys', 'rotate'],
    usage: '[--org <id>] [--master-key-file <new key file>]',
    summary: 'a new data key per organisation, its stored text re-encrypted; optionally every data key wrapped under a new master key',
    args: z.tuple([], { message: 'takes no arguments (the new master key is --master-key-file <file>)' }),
    async run(ctx) {
      const next = ctx.flags.masterKeyFile ? newMasterKey(ctx.flags.masterKeyFile) : undefined;
      const store = await ctx.store();
      const deps = await ctx.deps();
      const ids = await organisationIds(ctx);
      // KEY_ROTATION_SETTLE_SECONDS: how long to wait before the second pass (default: until every running process has looked again)
      const settle = Number(process.env.KEY_ROTATION_SETTLE_SECONDS);
      const settleMs = Number.isFinite(settle) && settle >= 0 && process.env.KEY_ROTATION_SETTLE_SECONDS?.trim() ? settle * 1000 : undefined;
      const result = await rotateDataKeys(store, deps, { organisationIds: ids, newMasterKey: next, actorId: ctx.actorId, settleMs, say: (line) => ctx.say(line) });
      if (next) ctx.say(`now set DATA_MASTER_KEY_FILE=${ctx.flags.masterKeyFile} for every process and restart them; keep the old key until they run with the new one`);
      return { ...none, created: result.organisations.length, updated: result.organisations.reduce((n, o) => n + o.reencrypted, 0), errors: [], warnings: [], ...result };
    },
  }),
  defineCommand({
    words: ['keys', 'generate'],
    usage: '<file>',
    summary: 'write a new master key (32 random bytes, base64) to a file that does not exist yet',
    args: z.tuple([z.string().regex(/^[^\0-][^\0]{0,499}$/, 'must be a file name')]),
    async run(ctx, [file]) {
      if (existsSync(file)) throw new CommandError('argument 1', `${file} exists already: a key is never overwritten`);
      const text = newMasterKeyText();
      writeFileSync(file, text, { mode: 0o600 });
      const key = localMasterKey(parseMasterKey(text));
      ctx.say(`wrote ${file} (master key ${key.id}); back it up apart from the database backups (see README)`);
      return { ...none, created: 1, errors: [], warnings: [], masterKeyId: key.id };
    },
  }),
];
