/**
 * A signed record replaced by a correction stays in the person's history on the dashboard, shown as
 * superseded (being corrected until the new version is signed), and its print view says so — through the
 * tab's API as the DSL, the supervisee and an auditor see it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonHistoryView } from '../../../src/app/dashboard.js';
import { confirmRecord, correctSignedRecord, draftRecord } from '../../../src/app/records.js';
import type { RecordSheetView } from '../../../src/app/views.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { writtenWithoutFlags } from '../../support/loops.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let bot: Bot;
let recordId = '';

async function get<T>(path: string, person: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${bot.url}/tab/api${path}`, { headers: { 'x-playground-person': person } });
  return { status: res.status, body: (await res.json()) as T };
}
const rows = async (person: string) => (await get<PersonHistoryView>('/people/ben', person)).body.records.filter((r) => r.recordId === recordId);

beforeAll(async () => {
  w = await createWorld('tab_superseded');
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  ({ recordId } = await writtenWithoutFlags(w));
});
afterAll(async () => {
  await bot?.stop();
  await w?.close();
});

describe('a corrected record in the history and the print view', () => {
  it('while the correction is drafted, the signed version is listed as being corrected', async () => {
    expect((await correctSignedRecord(w.deps, 'dsl', { recordId, reason: 'The family worker is named wrongly in the plan' })).ok).toBe(true);
    const dsl = await rows('dsl');
    expect(dsl.map((r) => [r.version, r.state, r.supersededText])).toEqual([
      [2, 'draft', undefined],
      [1, 'signed', 'Being corrected in version 2'],
    ]);
    // an auditor sees only signed versions: the one being corrected, marked so
    expect((await rows('auditor')).map((r) => [r.version, r.supersededText])).toEqual([[1, 'Being corrected in version 2']]);
  });

  it('once both sign the correction, the old version is superseded — in the history and its print view', async () => {
    const redrafted = await draftRecord(w.deps, 'sup', { sessionId: recordId.replace(/^rec\./, ''), topics: ['organisational'], notes: 'Caseload and the attendance plan, with the family worker named', submit: true });
    expect(redrafted.ok).toBe(true);
    for (const who of ['ben', 'sup']) expect((await confirmRecord(w.deps, who, { recordId })).ok).toBe(true);
    for (const who of ['dsl', 'ben', 'auditor']) {
      expect((await rows(who)).map((r) => [r.version, r.state, r.supersededByVersion, r.supersededText])).toEqual([
        [2, 'signed', undefined, undefined],
        [1, 'signed', 2, 'Superseded by version 2'],
      ]);
    }
    const old = await get<{ record: RecordSheetView }>(`/records/${recordId}?version=1`, 'auditor');
    expect(old.status).toBe(200);
    expect(old.body.record).toMatchObject({ version: 1, supersededByVersion: 2, notes: 'Caseload and the attendance plan' });
    const current = await get<{ record: RecordSheetView }>(`/records/${recordId}`, 'auditor');
    expect(current.body.record).toMatchObject({ version: 2, correction: { supersedesVersion: 1 } });
    expect(current.body.record.supersededByVersion).toBeUndefined();
    // someone who may not see Ben's history sees none of it
    expect((await get('/people/ben', 'amy')).status).toBe(403);
  });
});
