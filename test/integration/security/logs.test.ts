/**
 * Logs never carry free text: a whole supervision flow runs through the real queues with a `trace` logger
 * writing to a captured stream, with unique markers in every free-text field (agenda items, parked items,
 * notes, concerns, case decisions and rationales, actions, dispute reasons and resolutions), through failures
 * (a channel that errors, a person a platform refuses, malformed and invalid commands). None of the markers
 * may appear in the captured log; the log itself must show the ids it was given.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../../src/app/commands.js';
import type { UseCaseResult } from '../../../src/app/errors.js';
import { computeOverdue } from '../../../src/app/overdue.js';
import { type ChannelNotifier, RecipientUnreachableError } from '../../../src/app/ports.js';
import { nextSession } from '../../../src/app/reads.js';
import type { RecordSheetView } from '../../../src/app/views.js';
import { createLogger } from '../../../src/logger.js';
import { type Queues, startQueues } from '../../../src/queue/queues.js';
import { until } from '../../support/confirmations.js';
import { recordingNotifier } from '../../support/recording-notifier.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const markers: string[] = [];
const marker = (what: string) => {
  const m = `MK${what}${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  markers.push(m);
  return m;
};

let captured = '';
const sink = new Writable({
  write(chunk, _encoding, done) {
    captured += chunk.toString();
    done();
  },
});
const logger = createLogger('trace', sink);

let w: World;
let queues: Queues;
const recorder = recordingNotifier('playground');
let failures = 0;
// a channel that is down for its first attempts, and refuses Ben (app not installed)
const flaky: ChannelNotifier = {
  platform: 'slack',
  canReach: (p) => Boolean(p.identities.slackUserId),
  async deliver(person, message) {
    if (person.id === 'ben') throw new RecipientUnreachableError('slack', 'not_in_channel');
    if (failures++ < 3) throw new Error(`slack api unavailable (outbox ${message.id})`);
  },
};

beforeAll(async () => {
  w = await createWorld('logs');
  queues = await startQueues({ redisUrl: testRedisUrl(), prefix: testQueuePrefix(), deps: w.deps, notifiers: [recorder, flaky], logger, concurrency: 4, sweepSeconds: 3600 });
}, 120_000);
afterAll(async () => {
  await queues?.close();
  await w?.close();
});

let n = 0;
async function run(type: Command['type'], actorId: string, input: Record<string, unknown>): Promise<UseCaseResult> {
  const result = await queues.dispatchAndWait({ commandId: `logs.${type}.${++n}`, type, actorId, input }, 30_000);
  if (result === 'pending') throw new Error(`${type} did not finish`);
  return result;
}

describe('captured logs of a whole flow', () => {
  it('hold none of the free text typed into the bot', async () => {
    logger.info({ stage: 'start' }, 'flow starting');
    // before the session: agenda items (one flagged as risk of harm), an item parked by the supervisor
    expect(await run('submitAgendaItem', 'amy', { text: `${marker('agenda')}\n${marker('agenda2')}` })).toMatchObject({ ok: true });
    expect(await run('submitAgendaItem', 'amy', { text: marker('harm'), riskOfHarm: true })).toMatchObject({ ok: true });
    expect(await run('parkItemForNextSession', 'sup', { contractId: 'c-amy', text: marker('parked') })).toMatchObject({ ok: true });
    const next = await nextSession(w.deps, 'amy', {});
    expect(JSON.stringify(next)).toContain('MKagenda');

    // the record, with every free-text field marked; a risk-of-harm concern escalates at once
    w.clock.set(london('2025-11-11T17:00'));
    const sessionId = (await w.deps.sessions.nextScheduled('c-amy', london('2025-11-11T00:00')))?.id as string;
    const drafted = await run('draftRecord', 'sup', {
      sessionId,
      topics: ['performance'],
      notes: marker('notes'),
      concerns: [{ text: marker('concern'), riskOfHarm: true }, { text: marker('concern2') }],
      caseDecisions: [{ childRef: 'JB', decision: marker('decision'), rationale: marker('rationale'), followUpById: 'amy' }],
      actions: [{ text: marker('action'), ownerId: 'amy', dueDate: '2025-11-14' }],
      submit: true,
    });
    expect(drafted).toMatchObject({ ok: true });
    const recordId = (drafted as { view: RecordSheetView }).view.recordId;

    // a dispute, heard and resolved, a corrected draft sent again, and both confirm
    expect(await run('disputeRecord', 'amy', { recordId, reason: marker('reason') })).toMatchObject({ ok: true });
    expect(await run('referDispute', 'sup', { recordId })).toMatchObject({ ok: true });
    expect(await run('arrangeDisputeMeeting', 'governor', { recordId, at: new Date(w.clock.now().getTime() + 86_400_000).toISOString() })).toMatchObject({ ok: true });
    expect(await run('resolveDispute', 'governor', { recordId, resolution: marker('resolution') })).toMatchObject({ ok: true });
    expect(
      await run('draftRecord', 'sup', {
        sessionId,
        topics: ['performance'],
        notes: marker('notes2'),
        actions: [{ text: marker('action2'), ownerId: 'amy', dueDate: '2025-11-14' }],
        submit: true,
      }),
    ).toMatchObject({ ok: true });
    expect(await run('confirmRecord', 'amy', { recordId })).toMatchObject({ ok: true });
    expect(await run('confirmRecord', 'sup', { recordId })).toMatchObject({ ok: true, data: { signed: true } });

    // mistakes and refusals: an invalid field, a stranger, and a malformed job straight onto the queue
    expect(await run('draftRecord', 'sup', { sessionId, notes: marker('badnotes'), actions: [{ text: marker('badaction'), ownerId: 'amy', dueDate: 'soon' }] })).toMatchObject({ ok: false });
    expect(await run('submitAgendaItem', 'stranger', { text: marker('stranger') })).toMatchObject({ ok: false });
    await queues.commands.add('confirmRecord', { commandId: 'logs.malformed', type: 'confirmRecord', actorId: '', input: { recordId, text: marker('malformed') } }, { jobId: 'j-logs.malformed', attempts: 1 });
    await until('the malformed job to fail', async () => (await queues.commands.getJob('j-logs.malformed'))?.failedReason !== undefined);

    // the DSL's summary, reminders firing later (with the agenda in the day-before message), every message out
    w.clock.set(london('2025-12-05T09:00'));
    expect(await computeOverdue(w.deps, 'dsl', {})).toMatchObject({ ok: true });
    await queues.fireDueReminders();
    await queues.flushOutbox();
    await until('every outbox row to be delivered', async () => (await w.store.models.outbox.countDocuments({ status: { $ne: 'delivered' } })) === 0);
    expect(JSON.stringify(recorder.delivered)).toContain('MKharm');
    expect(JSON.stringify(recorder.delivered)).toContain('MKnotes2');

    // a careless caller handing the logger a whole view is redacted too (second line of defence)
    logger.info({ view: { text: marker('view') }, input: { notes: marker('input') }, text: marker('text') }, 'careless');
    logger.info({ outboxId: 'x', reason: marker('reasonfield'), err: { text: marker('errtext') } }, 'careless nested');

    await new Promise((r) => setImmediate(r));
    expect(captured).toContain('flow starting');
    expect(captured).toMatch(/job failed/);
    expect(captured).toMatch(/recipient not reachable/);
    expect(captured).toContain('logs.malformed');
    expect(markers.length).toBeGreaterThanOrEqual(20);
    const leaked = markers.filter((m) => captured.includes(m));
    expect(leaked).toEqual([]);
    // nor anything that looks like a marker, even cut short
    expect(captured).not.toMatch(/MK[a-z]+[0-9a-f]{6}/);
  }, 180_000);
});
