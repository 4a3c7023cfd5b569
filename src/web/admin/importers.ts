/**
 * The file imports the administration API accepts at `POST /tab/api/admin/imports/:kind` (one line each):
 * each takes the file's name and bytes and a dry-run flag, checks permissions itself and answers an ImportReport.
 */
import type { UseCaseResult } from '../../app/errors.js';
import type { AppDeps } from '../../app/ports.js';
import type { ImportFile, ImportReport } from '../../app/admin/report.js';
import { importTermsIcs } from '../../app/admin/terms-ics.js';

export type Importer = (deps: AppDeps, actorId: string, input: ImportFile) => Promise<UseCaseResult<ImportReport>>;

export const IMPORTERS: Record<string, Importer> = {
  'terms-ics': importTermsIcs,
};
