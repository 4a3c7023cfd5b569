/**
 * Group supervision in Teams, through Bot Framework activities: attendance on the record card, every member's
 * confirmation, two absences in a row reported and listed, a referral to the line manager that carries none of
 * the session (test/support/group-journeys.ts).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { groupJourneys } from '../../support/group-journeys.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let teams: FakeConnector;
let bot: Bot;
let n = 0;

const activity = (person: string, extra: Record<string, unknown>) => ({
  id: `g${++n}`,
  timestamp: new Date().toISOString(),
  channelId: 'msteams',
  serviceUrl: teams.url,
  recipient: { id: '28:bot' },
  from: { id: `29:${person}`, aadObjectId: `aad-${person}` },
  conversation: { id: `conv-${person}`, tenantId: 'tenant-1', conversationType: 'personal' },
  ...extra,
});
async function send(body: unknown) {
  return fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
async function invoke(person: string, verb: string, data: Record<string, unknown>) {
  const res = await send(activity(person, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } } }));
  expect(res.status).toBe(200);
  return ((await res.json()) as { value: unknown }).value;
}
function nodes(card: unknown): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const visit = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(visit);
    else if (x && typeof x === 'object') {
      out.push(x as Record<string, unknown>);
      Object.values(x).forEach(visit);
    }
  };
  visit(card);
  return out;
}
const submitData = (card: unknown) => nodes(card).find((x) => x.type === 'Action.Execute' && x.verb === 'record.submit')?.data as Record<string, string>;
const forms = new Map<string, Record<string, string>>();

beforeAll(async () => {
  w = await createWorld('teams_groups');
  teams = await startFakeConnector();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  for (const p of ['sup', 'amy', 'ben', 'dsl']) expect((await send(activity(p, { type: 'installationUpdate', action: 'add' }))).status).toBeLessThan(300);
});
afterAll(async () => {
  await bot?.stop();
  await teams?.close();
  await w?.close();
});

groupJourneys({
  world: () => w,
  async openForm(sessionId) {
    const card = await invoke('sup', 'session.record', { sessionId });
    const data = submitData(card);
    forms.set(sessionId, data);
    const inputs = nodes(card).filter((x) => typeof x.id === 'string' && /^attend\d+$/.test(x.id) && x.type === 'Input.ChoiceSet');
    const ids = (data.attendanceIds ?? '').split(',');
    if (inputs.length !== ids.length) throw new Error('attendance inputs do not match the members');
    return ids;
  },
  async send(sessionId, attendance) {
    const data = forms.get(sessionId) ?? submitData(await invoke('sup', 'session.record', { sessionId }));
    const ids = (data.attendanceIds ?? '').split(',');
    const attend = Object.fromEntries(ids.map((id, i) => [`attend${i}`, attendance[id] ?? 'present']));
    await invoke('sup', 'record.submit', { ...data, topics: 'performance', notes: 'The group talked through the new referral route', ...attend });
  },
  async confirm(personId, recordId, version) {
    await invoke(personId, 'record.confirm', { recordId, version });
  },
  async received(personId) {
    await bot.runtime.queues.flushOutbox();
    return JSON.stringify(teams.calls.filter((c) => c.conversationId === `conv-${personId}`).map((c) => c.body));
  },
  async openFormAs(personId, sessionId) {
    return JSON.stringify(await invoke(personId, 'session.record', { sessionId }));
  },
  async sendAs(personId, sessionId, fields) {
    const data = submitData(await invoke(personId, 'session.record', { sessionId }));
    await invoke(personId, 'record.submit', { ...data, topics: 'performance', ...fields });
  },
  async overdue(personId) {
    const before = teams.calls.length;
    await send(activity(personId, { type: 'message', text: 'overdue not-engaging' }));
    for (let i = 0; i < 100 && !teams.calls.slice(before).some((c) => c.conversationId === `conv-${personId}` && JSON.stringify(c.body).includes('Not engaging')); i++) await new Promise((r) => setTimeout(r, 100));
    return JSON.stringify(teams.calls.slice(before).filter((c) => c.conversationId === `conv-${personId}`).map((c) => c.body));
  },
});
