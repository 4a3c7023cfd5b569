/**
 * Support and a major incident from Teams (loughton "Support", §5): the support contacts in `help`, on the agenda
 * prompt and after a risk of harm is flagged; the DSL types `incident team Sam Supervisor: …`, Amy and Ben get the
 * offer card (never the incident's name); Amy's Yes asks Sam to book a session within five school days; Ben's
 * Not now is asked again once, ten school days on (the clock moved); the DSL's `incident status` has the counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitAgendaItem } from '../../../src/app/agenda.js';
import { rescheduleSession } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { calendar } from '../../support/school.js';
import { createWorld, type World } from '../../support/world.js';
import { eventually } from '../../support/eventually.js';

let w: World;
let teams: FakeConnector;
let bot: Bot;
let n = 0;
const cal = calendar();
const INCIDENT = 'Minibus collision on the way back from the Harewood trip';

const activity = (person: string, extra: Record<string, unknown>) => ({
  id: `a${++n}`,
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
  return { status: res.status, card: JSON.stringify(((await res.json()) as { value: unknown }).value) };
}
const cardsTo = (conv: string) => teams.calls.filter((c) => c.conversationId === conv).map((c) => JSON.stringify(c.body));
async function say(person: string, text: string, has: string) {
  const before = cardsTo(`conv-${person}`).length;
  expect((await send(activity(person, { type: 'message', text }))).status).toBe(200);
  return eventually(() => cardsTo(`conv-${person}`).slice(before).find((c) => c.includes(has)), `the answer to ${text}`);
}
const offerOf = (person: string) => {
  const card = [...cardsTo(`conv-${person}`)].reverse().find((c) => c.includes('Would you like extra supervision?'));
  return /"offerId\\?":\\?"([^"\\]+)/.exec(card ?? '')?.[1] as string;
};
async function fireUntil(at: Date) {
  w.clock.set(at);
  await bot.runtime.queues.fireDueReminders();
  await bot.runtime.queues.flushOutbox();
}

beforeAll(async () => {
  w = await createWorld('teams_incident');
  teams = await startFakeConnector();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  for (const p of ['dsl', 'sup', 'amy', 'ben', 'head']) expect((await send(activity(p, { type: 'installationUpdate', action: 'add' }))).status).toBeLessThan(300);
  await bot.runtime.queues.flushOutbox();
});
afterAll(async () => {
  await bot?.stop();
  await teams?.close();
  await w?.close();
});

describe('support contacts, from Teams', () => {
  it('are in help', async () => {
    expect(await say('amy', 'help', 'Supervision Bot')).toContain('Education Support Partnership — 08000 562 561');
  });

  it('are on the agenda prompt', async () => {
    // Amy's next session moved to three school days ahead: its agenda prompt goes out at once
    const [next] = (await w.deps.sessions.byContract('c-amy')).filter((s) => s.status === 'scheduled' && s.startsAt > w.clock.now());
    const day = cal.addSchoolDays(cal.localDate(w.clock.now()), 3);
    expect((await rescheduleSession(w.deps, 'sup', { sessionId: next?.id, newStartsAt: cal.atLocalTime(day, '15:45').toISOString(), reason: 'Moved to after the trip' })).ok).toBe(true);
    const before = cardsTo('conv-amy').filter((c) => c.includes('Supervision agenda')).length;
    await fireUntil(new Date(w.clock.now().getTime() + 60_000));
    const card = await eventually(() => cardsTo('conv-amy').filter((c) => c.includes('Supervision agenda'))[before], 'Amy’s agenda prompt');
    expect(card).toContain('Education Support Partnership — 08000 562 561');
  });

  it('are given to the person who flags a risk of harm', async () => {
    const added = await submitAgendaItem(w.deps, 'ben', { key: 'teams-incident.item', text: 'A pupil said something on the bus that worries me' });
    expect(added.ok).toBe(true);
    const itemId = (added.ok && added.view?.type === 'agenda' ? [...added.view.items, ...added.view.parkedItems] : []).find((i) => i.text.includes('on the bus'))?.id;
    const flagged = await invoke('ben', 'agenda.flag', { agendaItemId: itemId as string });
    expect(flagged.card).toContain('went to Dee Lead and Deputy Dan');
    expect(flagged.card).toContain('Support for you');
    expect(flagged.card).toContain('Education Support Partnership');
  });
});

describe('after a major incident, from Teams', () => {
  it('a supervisee cannot declare one; the DSL declares it for Sam’s team', async () => {
    expect(await say('amy', `incident everyone: ${INCIDENT}`, 'Only the DSL')).toBeTruthy();
    const said = await say('dsl', `incident team Sam Supervisor: ${INCIDENT}`, 'Extra supervision offered');
    expect(said).toContain('offered to 2 people: Amy Teacher, Ben Pastoral');
    await bot.runtime.queues.flushOutbox();
    for (const p of ['amy', 'ben']) {
      const card = await eventually(() => cardsTo(`conv-${p}`).find((c) => c.includes('Would you like extra supervision?')), `${p}'s offer`);
      expect(card).toContain('incident.answer');
      expect(card).toContain('Education Support Partnership');
      expect(card).not.toContain(INCIDENT);
    }
  });

  it('only the person offered answers; Yes asks Sam to book a session within five school days', async () => {
    expect((await invoke('ben', 'incident.answer', { offerId: offerOf('amy'), answer: 'yes' })).card).toContain('not something you can do');
    expect((await invoke('amy', 'incident.answer', { offerId: offerOf('amy'), answer: 'perhaps' })).card).toContain('answer: answer yes or not now');
    const yes = await invoke('amy', 'incident.answer', { offerId: offerOf('amy'), answer: 'yes' });
    expect(yes.card).toContain('Sam Supervisor will book a session with you by');
    const [request] = await w.deps.sessionRequests.openForContract('c-amy');
    expect(request?.bookBy).toBe(cal.addSchoolDays(cal.localDate(w.clock.now()), 5));
    await bot.runtime.queues.flushOutbox();
    await eventually(() => cardsTo('conv-sup').find((c) => c.includes('Amy Teacher asks for a supervision session')), 'Sam is asked to book it');
  });

  it('Not now is asked again once, ten school days on', async () => {
    const notNow = await invoke('ben', 'incident.answer', { offerId: offerOf('ben'), answer: 'not-now' });
    expect(notNow.card).toContain('You will be asked once more on');
    const again = cal.atLocalTime(cal.addSchoolDays(cal.localDate(w.clock.now()), 10), '08:30');
    const before = cardsTo('conv-ben').filter((c) => c.includes('Asking once more')).length;
    await fireUntil(new Date(again.getTime() - 60_000));
    expect(cardsTo('conv-ben').filter((c) => c.includes('Asking once more'))).toHaveLength(before);
    await fireUntil(new Date(again.getTime() + 60_000));
    await eventually(() => cardsTo('conv-ben').filter((c) => c.includes('Asking once more')).length === before + 1, 'Ben is asked again');
  });

  it('the DSL’s incident status has the counts and the name', async () => {
    const status = await say('dsl', 'incident status', 'Uptake');
    expect(status).toContain(INCIDENT);
    expect(status).toContain('offered 2, accepted 1, not now 0, not answered 1, held 0');
  });
});
