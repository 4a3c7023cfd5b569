/**
 * `npm run admin -- <command>`: the command registry. Every file in `scripts/admin/commands/` exports
 * `commands: AdminCommand[]`; `scripts/admin.ts` loads them all, so a new command is a new file there (no list
 * to edit). Each command validates its own arguments with zod and answers an ImportReport-shaped result.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { z } from 'zod';
import type { AppDeps } from '../../src/app/ports.js';
import type { ImportReport } from '../../src/app/admin/report.js';
import type { Organisation } from '../../src/domain/types.js';
import type { StoreHandle } from '../../src/store/connection.js';

export interface AdminFlags {
  dryRun: boolean;
  json: boolean;
  /** The organisation to act on, when the database holds more than one. */
  org?: string;
  /** Staff imports: deactivate the people the files no longer list. */
  deactivateMissing?: boolean;
  /** `keys rotate`: the new master key's file, under which every data key is wrapped again. */
  masterKeyFile?: string;
}

export interface AdminContext {
  flags: AdminFlags;
  /** Connects to MONGODB_URI on first use. */
  store(): Promise<StoreHandle>;
  deps(): Promise<AppDeps>;
  /** The organisation (`--org`, or the only one); refuses with a message when that is not clear. */
  organisation(): Promise<Organisation>;
  /** Who the audit trail names for a change from the command line. */
  actorId: string;
  /** Writes a line for a person (never with --json). */
  say(line: string): void;
}

/** What a command answers: the report's counts and problems, and anything else it wants to show. */
export type AdminResult = Omit<ImportReport, 'dryRun'> & { dryRun?: boolean; [extra: string]: unknown };

export interface AdminCommand<A extends z.ZodType = z.ZodType> {
  /** The words that name it: ['status'], ['import', 'terms']. */
  words: string[];
  /** What to type after the words, for the usage text ("<file.ics>"). */
  usage: string;
  summary: string;
  /** The arguments after the words (an array of strings), validated; a failure names the argument. */
  args: A;
  run(ctx: AdminContext, args: z.infer<A>): Promise<AdminResult>;
}

export class CommandError extends Error {
  constructor(
    readonly column: string,
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

export function defineCommand<A extends z.ZodType>(command: AdminCommand<A>): AdminCommand {
  return command as unknown as AdminCommand;
}

const here = path.dirname(fileURLToPath(import.meta.url));

export async function loadCommands(dir = path.join(here, 'commands')): Promise<AdminCommand[]> {
  const files = readdirSync(dir).filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts')).sort();
  const all: AdminCommand[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { commands?: AdminCommand[] };
    all.push(...(mod.commands ?? []));
  }
  return all;
}

/** The command the words name (the longest match), and the words left over as its arguments. */
export function findCommand(commands: AdminCommand[], words: string[]): { command: AdminCommand; rest: string[] } | undefined {
  let best: { command: AdminCommand; rest: string[] } | undefined;
  for (const command of commands) {
    const n = command.words.length;
    if (words.length >= n && command.words.every((w, i) => words[i] === w) && (!best || n > best.command.words.length)) {
      best = { command, rest: words.slice(n) };
    }
  }
  return best;
}
