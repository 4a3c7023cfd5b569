/**
 * Group supervision through the playground API (the conversation and cards Teams uses): attendance on the
 * record form, every member's confirmation, two absences in a row reported and listed, a referral to the line
 * manager that carries none of the session (test/support/group-journeys.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonHistoryView } from '../../../src/web/tab/api-types.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { FIRST, GROUP_ID, groupJourneys, SECOND } from '../../support/group-journeys.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let bot: Bot;

async function call(path: string, person: string, body?: unknown) {
  const res = await fetch(`${bot.url}/playground/api/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-playground-person': person, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON is read loosely here, as in api.test.ts
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
function nodes(card: unknown): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const visit = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (n && typeof n === 'object') {
      out.push(n as Record<string, unknown>);
      Object.values(n).forEach(visit);
    }
  };
  visit(card);
  return out;
}
const submitData = (card: unknown) => nodes(card).find((n) => n.type === 'Action.Execute' && n.verb === 'record.submit')?.data as Record<string, string>;
const forms = new Map<string, Record<string, string>>();

beforeAll(async () => {
  w = await createWorld('playground_groups');
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
});
afterAll(async () => {
  await bot?.stop();
  await w?.close();
});

groupJourneys({
  world: () => w,
  async openForm(sessionId) {
    const res = await call('actions', 'sup', { verb: 'session.record', data: { sessionId } });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    const data = submitData(res.body.entry.card);
    forms.set(sessionId, data);
    const inputs = nodes(res.body.entry.card).filter((n) => typeof n.id === 'string' && /^attend\d+$/.test(n.id));
    const ids = (data.attendanceIds ?? '').split(',');
    // each input is labelled with the member's name, in the order of the ids the form carries
    const names = inputs.map((n) => n.label);
    if (names.length !== ids.length || names.some((x) => typeof x !== 'string' || x === '')) throw new Error('attendance inputs do not match the members');
    return ids;
  },
  async send(sessionId, attendance) {
    const data = forms.get(sessionId) ?? submitData((await call('actions', 'sup', { verb: 'session.record', data: { sessionId } })).body.entry.card);
    const ids = (data.attendanceIds ?? '').split(',');
    const attend = Object.fromEntries(ids.map((id, i) => [`attend${i}`, attendance[id] ?? 'present']));
    const res = await call('actions', 'sup', { verb: 'record.submit', data: { ...data, topics: 'performance', notes: 'The group talked through the new referral route', ...attend } });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  },
  async confirm(personId, recordId, version) {
    const res = await call('actions', personId, { verb: 'record.confirm', data: { recordId, version } });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  },
  async received(personId) {
    await bot.runtime.queues.flushOutbox();
    return JSON.stringify((await call('inbox', personId)).body);
  },
  async openFormAs(personId, sessionId) {
    const res = await call('actions', personId, { verb: 'session.record', data: { sessionId } });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    return JSON.stringify(res.body.entry.card);
  },
  async sendAs(personId, sessionId, fields) {
    const data = submitData((await call('actions', personId, { verb: 'session.record', data: { sessionId } })).body.entry.card);
    const res = await call('actions', personId, { verb: 'record.submit', data: { ...data, topics: 'performance', ...fields } });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  },
  async overdue(personId) {
    const res = await call('messages', personId, { text: '/overdue not-engaging' });
    return JSON.stringify(res.body);
  },
});

describe('the dashboard', () => {
  it('a group contract’s session history shows each member’s attendance, as its record says', async () => {
    const res = await fetch(`${bot.url}/tab/api/people/amy`, { headers: { 'x-playground-person': 'dsl' } });
    expect(res.status).toBe(200);
    const sessions = ((await res.json()) as PersonHistoryView).sessions;
    const attendance = (id: string) => sessions.find((s) => s.id === id)?.attendance?.map((a) => `${a.name}: ${a.stateText}`);
    expect(attendance(FIRST)).toEqual(['Amy Teacher: Absent', 'Ben Pastoral: Apologies']);
    expect(attendance(SECOND)).toEqual(['Amy Teacher: Absent', 'Ben Pastoral: Present']);
    // a one-to-one session has none
    expect(sessions.filter((s) => !s.id.startsWith(GROUP_ID)).every((s) => s.attendance === undefined)).toBe(true);
  });
});
