/**
 * P8: a large trust's School Data Sync v2.1 export — 5,000 staff (and 3,000 students, left out) across twenty
 * schools — previewed (the dry run) and then confirmed (written in one transaction), through the same use cases
 * as the admin API. Target: both together ≤ 20 s and the process's resident memory ≤ 300 MB at its peak, sampled
 * every 50 ms; the progress the API reports is printed along the way.
 */
import { randomUUID } from 'node:crypto';
import { AdjustableClock } from '../../src/app/clock.js';
import { confirmImportFor, previewImportFor } from '../../src/app/imports.js';
import type { AppDeps } from '../../src/app/ports.js';
import type { Organisation } from '../../src/domain/types.js';
import { connectStore } from '../../src/store/connection.js';
import { importWriter } from '../../src/store/imports.js';
import { leedsTermDates } from '../../test/support/school.js';
import { chosenEngine, startMongo } from '../services.js';
import { type BenchResult, round } from './result.js';

const STAFF = Number(process.env.P8_STAFF ?? 5_000);
const STUDENTS = 3_000;
const SCHOOLS = 20;

function sdsExport(): Array<{ name: string; bytes: Uint8Array }> {
  const orgs = ['sourcedId,name,type,parentSourcedId', 'T0,Aire Valley Learning Trust,academicTrust,'];
  for (let s = 1; s <= SCHOOLS; s++) orgs.push(`S${s},Aire Valley School ${s},school,T0`);
  const users = ['sourcedId,username,familyName,givenName,password,activeDirectoryMatchId,email,phone,sms'];
  const roles = ['userSourcedId,orgSourcedId,role,sessionSourcedIds,grade,isPrimary,roleStartDate,roleEndDate'];
  const kinds = ['teacher', 'teacher', 'teacher', 'teacherAssistant', 'staff', 'officeStaff', 'administrator'];
  for (let i = 0; i < STAFF; i++) {
    const aad = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    users.push(`t${i},staff${i}@avlt.example,"Surname${i}, Jr",Given${i},,${aad},staff${i}@avlt.example,+44 113 496 ${String(i % 10_000).padStart(4, '0')},`);
    roles.push(`t${i},S${(i % SCHOOLS) + 1},${i % 250 === 0 ? 'principal' : kinds[i % kinds.length]},,,true,2025-09-01,`);
  }
  for (let i = 0; i < STUDENTS; i++) {
    users.push(`s${i},pupil${i}@pupils.avlt.example,Pupil${i},Student${i},,,,,`);
    roles.push(`s${i},S${(i % SCHOOLS) + 1},student,,${(i % 6) + 1},true,2025-09-01,`);
  }
  const file = (name: string, lines: string[]) => ({ name, bytes: new Uint8Array(Buffer.from(`\ufeff${lines.join('\r\n')}\r\n`)) });
  return [file('orgs.csv', orgs), file('users.csv', users), file('roles.csv', roles)];
}

export async function run(): Promise<BenchResult[]> {
  const mongo = await startMongo();
  const store = await connectStore(mongo.url);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    const clock = new AdjustableClock();
    clock.set(new Date('2026-01-05T09:00:00Z'));
    const deps: AppDeps = { ...store.stores, clock, newId: randomUUID };
    const org: Organisation = {
      id: 'trust', name: 'Aire Valley Learning Trust', kind: 'trust', timezone: 'Europe/London', termDates: leedsTermDates,
      supportContacts: [], dslIds: [], deputyDslIds: [], overdueGraceDays: 0, reminderTime: '08:30',
    };
    await store.stores.organisations.upsert(org);
    const base = await importWriter(store.connection, store.models);
    // the preview's one write (the files kept for the confirmation), timed on its own
    let saveMs = 0;
    const writer = {
      ...base,
      async save(preview: Parameters<typeof base.save>[0]) {
        const t = performance.now();
        await base.save(preview);
        saveMs += performance.now() - t;
      },
    };
    const files = sdsExport();
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const preview = await previewImportFor(deps, writer, org, 'bench', 'sds', files);
    const previewMs = performance.now() - t0;
    if (!preview.token || preview.created !== STAFF) throw new Error(`the preview did not plan ${STAFF} staff: ${JSON.stringify(preview.errors.slice(0, 3))}`);
    const progress = setInterval(() => {
      void writer.get(preview.token as string).then((s) => {
        if (s?.progress) process.stderr.write(`#   P8 progress: ${s.progress.done} of ${s.progress.total}\n`);
      });
    }, 1_000);
    const t1 = performance.now();
    const result = await confirmImportFor(deps, writer, org, 'bench', preview.token, { deactivateMissing: false });
    const confirmMs = performance.now() - t1;
    clearInterval(progress);
    const stored = await store.models.people.countDocuments({ organisationId: 'trust' });
    if (result.created !== STAFF || stored !== STAFF) throw new Error(`the import wrote ${stored} people, not ${STAFF}`);
    const totalS = (previewMs + confirmMs) / 1000;
    const peakMb = peak / 1_048_576;
    const engine = chosenEngine();
    return [
      {
        id: 'P8',
        value: round(totalS, 1),
        unit: 's',
        target: '<= 20',
        pass: totalS <= 20,
        measured: `School Data Sync export of ${STAFF} staff and ${STUDENTS} students (20 schools) on ${engine}: dry run ${round(previewMs / 1000, 1)} s (${round(saveMs / 1000, 1)} s of it keeping the files for the confirmation), confirmed import (one transaction, progress reported) ${round(confirmMs / 1000, 1)} s`,
        previewSeconds: round(previewMs / 1000, 2),
        previewSaveSeconds: round(saveMs / 1000, 2),
        confirmSeconds: round(confirmMs / 1000, 2),
      },
      {
        id: 'P8-rss',
        value: Math.round(peakMb),
        unit: 'MB',
        target: '<= 300',
        pass: peakMb <= 300,
        measured: `peak resident memory of the process during the dry run and the import (${Math.round(rssBefore / 1_048_576)} MB before it)`,
      },
    ];
  } finally {
    clearInterval(sampler);
    await store.close();
    await mongo.stop();
  }
}
