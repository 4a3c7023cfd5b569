/**
 * Handover when a contract's supervisor changes, in Slack (signed requests, the Web API stand-in): the dashboard's
 * contracts API changes Amy's supervisor from Sam to Sue; Sam's DM gets the handover with "Write the handover";
 * the modal lists each open action; a close without a note is refused against its block at once; sent, the kept
 * actions are Sue's, the closed one has its note, Sue's DM holds the handover and Amy is told.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { changeSupervisor, expectNothingLost, seedOpenWork } from '../../support/handover.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { SLACK_SECRET, type SlackRequests, slackRequests } from '../../support/slack-requests.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let slack: FakeSlack;
let bot: Bot;
let work: Awaited<ReturnType<typeof seedOpenWork>>;
let req: SlackRequests;

const posted = (channel: string, text: string) => slack.of('chat.postMessage').some((c) => c.body.channel === channel && JSON.stringify(c.body).includes(text));
const submit = (metadata: string, values: Record<string, unknown>) => req.submit('USUP', 'handover_modal', metadata, values);
const text = (value: string | null) => ({ v: { type: 'plain_text_input', value } });
const radio = (value: string) => ({ v: { type: 'radio_buttons', selected_option: { value } } });

beforeAll(async () => {
  w = await createWorld('handover_slack');
  await w.deps.people.upsert({ ...w.people.sup2, identities: { slackUserId: 'USUE' } });
  work = await seedOpenWork(w, 'c-amy', 'sup', 'amy');
  w.clock.set(london('2025-11-17T09:00'));
  slack = await startFakeSlack();
  bot = await startBot(
    loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl, PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' }),
    createLogger('silent'),
    { clock: w.clock },
  );
  req = slackRequests(bot.url, slack.url);
}, 180_000);
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

describe('handover in Slack', () => {
  let metadata = '';

  it('the supervisor changed in the dashboard: Sam’s DM gets the handover; its button opens the modal with each open action', async () => {
    expect((await changeSupervisor(bot.url, 'c-amy', 'sup2', ['amy'])).status).toBe(200);
    const handoverId = (await w.deps.handovers.pendingForContract('c-amy'))[0]?.id ?? '';
    await eventually(() => posted('DUSUP', 'handover_open') && posted('DUSUP', 'Book the phonics observation with Year 1'), 'Sam’s handover message');
    const { res } = await req.click('USUP', 'handover_open', handoverId);
    expect(res.status).toBe(200);
    const update = await eventually(() => slack.of('views.update').find((c) => (c.body.view as { callback_id?: string } | undefined)?.callback_id === 'handover_modal'), 'the handover modal');
    const view = update.body.view as { blocks: unknown; private_metadata: string };
    const blocks = JSON.stringify(view.blocks);
    for (const t of ['Read the updated attendance protocol', 'Ask the head about cover for the training day', 'Book the phonics observation with Year 1', 'outcome2', 'themes']) expect(blocks).toContain(t);
    metadata = view.private_metadata;
    expect([...(JSON.parse(metadata).ids as string[])].sort()).toEqual([work.keep, work.mine, work.close].sort());
  });

  it('a close without a note is refused against its block, and nothing is written', async () => {
    const closeAt = (JSON.parse(metadata).ids as string[]).indexOf(work.close);
    const res = await submit(metadata, { outcome0: radio('keep'), outcome1: radio('keep'), outcome2: radio('keep'), [`outcome${closeAt}`]: radio('close'), [`note${closeAt}`]: text(null), themes: text('Workload in the spring term'), note: text(null) });
    expect(await res.json()).toEqual({ response_action: 'errors', errors: { [`note${closeAt}`]: 'a note is needed to close it' } });
    expect((await w.deps.actions.get(work.close))?.status).toBe('open');
  });

  it('sent: actions moved or closed with a note, Sue gets the handover, Amy is told', async () => {
    const ids = JSON.parse(metadata).ids as string[];
    const closeAt = ids.indexOf(work.close);
    const values: Record<string, unknown> = { themes: text('Workload in the spring term'), note: text('Amy leads the attendance project from January') };
    ids.forEach((_, i) => {
      values[`outcome${i}`] = radio(i === closeAt ? 'close' : 'keep');
      values[`note${i}`] = text(i === closeAt ? 'Done at the Year 1 review instead' : null);
    });
    expect((await submit(metadata, values)).status).toBe(200);
    // the modal is answered at once and the handover written on the queue: wait until it is
    await eventually(async () => (await w.deps.handovers.pendingForContract('c-amy')).length === 0 && (await w.deps.actions.get(work.close))?.status === 'not-needed', 'the handover written');
    await expectNothingLost(w, 'c-amy', [work.keep, work.mine, work.close], 'sup2', 'sup');
    await eventually(() => posted('DUSUE', 'Amy leads the attendance project from January') && posted('DUSUE', 'Done at the Year 1 review instead'), 'Sue’s handover');
    await eventually(() => posted('DUAMY', 'Your supervisor is now Sue Other'), 'Amy told');
    await eventually(() => posted('DUSUP', 'Handover sent to Sue Other'), 'Sam answered');
  });
});
