/**
 * What every administration change reports, from the HTTP API, the dashboard's import wizard and
 * `npm run admin`: how many things it created, updated, left unchanged and deactivated, and every refusal
 * naming the file, row and column (row and column are 0 when the problem is the whole file or a form field).
 * A change with any error writes nothing.
 */
import { z } from 'zod';
import type { ImportProblem } from '../../domain/imports/csv.js';

/** The one shape of a refusal or a warning, from every import and form (`src/domain/imports/csv.ts`). */
export type { ImportProblem };
export const importProblemSchema = z.object({
  file: z.string(),
  /** 1-based line or row of the file; 0 for the file as a whole. */
  row: z.number().int().min(0),
  /** The column's header (CSV), property (ICS) or field (a form); '' when none applies. */
  column: z.string(),
  message: z.string(),
}) satisfies z.ZodType<ImportProblem>;

export const importReportSchema = z.object({
  dryRun: z.boolean(),
  created: z.number().int().min(0),
  updated: z.number().int().min(0),
  unchanged: z.number().int().min(0),
  deactivated: z.number().int().min(0),
  errors: z.array(importProblemSchema),
  /** Notes that refused nothing (a date converted, an event ignored). */
  warnings: z.array(importProblemSchema).default([]),
});
export type ImportReport = z.infer<typeof importReportSchema>;

export function emptyReport(dryRun: boolean): ImportReport {
  return { dryRun, created: 0, updated: 0, unchanged: 0, deactivated: 0, errors: [], warnings: [] };
}

/** Whether nothing was refused (the CLI's exit code 0). */
export const accepted = (report: Pick<ImportReport, 'errors'>) => report.errors.length === 0;

/** A file uploaded to a change that answers a report (the council's .ics): its name, its bytes, and whether only to preview. */
export const uploadSchema = z
  .object({
    file: z.string().min(1, 'name the file').max(200, 'at most 200 characters'),
    bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'must be the file' }),
    dryRun: z.boolean().default(false),
  })
  .strict();
export type Upload = z.input<typeof uploadSchema>;

/** The file as UTF-8 text (a byte-order mark dropped), or the problem naming the first line that is not UTF-8. */
export function decodeUtf8(file: string, bytes: Uint8Array): string | ImportProblem {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const lossy = new TextDecoder('utf-8').decode(bytes);
    const row = lossy.split(/\r\n|\n|\r/).findIndex((l) => l.includes('\uFFFD')) + 1;
    return { file, row, column: '', message: 'is not UTF-8 text (it may be a Windows-1252 export): save it as UTF-8 and try again' };
  }
}
