/**
 * `npm run admin -- import sds <folder> | import staff <file> | import contracts <file>` on a real database:
 * one JSON object with --json, a dry run that writes nothing, exit 0 only when nothing was refused.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStore, type StoreHandle } from '../../../src/store/connection.js';
import { school } from '../../support/school.js';
import { recordFreeText } from '../../support/free-text.js';
import { testMongoUrl } from '../../support/services.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let store: StoreHandle;
let mongoUrl = '';

function admin(...args: string[]): Promise<{ code: number; out: Record<string, any> }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args, '--json'], { cwd: root, env: { ...process.env, MONGODB_URI: mongoUrl }, timeout: 120_000 }, (error, stdout) => {
      const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
      resolve({ code, out: JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') });
    });
  });
}

beforeAll(async () => {
  mongoUrl = testMongoUrl('imports_cli');
  store = await connectStore(mongoUrl);
  await store.stores.organisations.upsert(school({ id: 'org-cli', dslIds: [], deputyDslIds: [], headteacherId: undefined }));
});
afterAll(async () => {
  if (store) await recordFreeText(store.connection);
  await store?.connection.dropDatabase().catch(() => undefined);
  await store?.close();
});

describe('npm run admin -- import', () => {
  it('sds --dry-run previews and writes nothing; without it, imports; again, nothing changes', async () => {
    const dry = await admin('import', 'sds', 'examples/import/sds', '--dry-run');
    expect(dry).toMatchObject({ code: 0, out: { command: 'import sds', dryRun: true, created: 6, updated: 0, deactivated: 0, errors: [] } });
    expect(await store.models.people.countDocuments()).toBe(0);
    const real = await admin('import', 'sds', 'examples/import/sds');
    expect(real).toMatchObject({ code: 0, out: { command: 'import sds', created: 6, errors: [] } });
    expect(await store.models.people.countDocuments()).toBe(6);
    expect((await admin('import', 'sds', 'examples/import/sds')).out).toMatchObject({ created: 0, updated: 0, unchanged: 6 });
  });

  it('staff and contracts from the templates', async () => {
    expect((await admin('import', 'staff', 'examples/import/staff.csv')).out).toMatchObject({ created: 1, updated: 6, errors: [] });
    const contracts = await admin('import', 'contracts', 'examples/import/contracts.csv');
    expect(contracts).toMatchObject({ code: 0, out: { created: 4, errors: [] } });
    expect(await store.models.contracts.countDocuments({ active: true })).toBe(4);
  });

  it('a refused file exits 1 with every problem as {file,row,column,message}, and writes nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'staff-'));
    const file = path.join(dir, 'staff.csv');
    writeFileSync(file, 'name,email,roles\nAnn,ann@x.example,wizard\n=cmd,b@x.example,supervisee\n');
    const before = await store.models.people.countDocuments();
    const r = await admin('import', 'staff', file);
    expect(r.code).toBe(1);
    expect(r.out.errors).toEqual([
      { file: 'staff.csv', row: 2, column: 'roles', message: expect.stringMatching(/^unknown role "wizard"/) },
      { file: 'staff.csv', row: 3, column: 'name', message: expect.stringMatching(/formula/) },
    ]);
    expect(await store.models.people.countDocuments()).toBe(before);
    expect((await admin('import', 'sds', 'no/such/folder')).out.errors[0]).toMatchObject({ column: 'folder' });
  });
});
