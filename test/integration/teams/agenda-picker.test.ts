/**
 * "Add an agenda item" with a picker, from Teams through Bot Framework activities: `add` alone gives a card whose
 * Input.ChoiceSet lists only the person's own contracts (their supervisees', their own as supervisee), each by
 * name and the date of its next session; the item chosen for a supervisee lands on that supervisee's next
 * session with its category, visible to both; a forged choice of someone else's contract is refused in words
 * and writes nothing; a person with several contracts who types `add <item>` chooses the session from buttons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextSession } from '../../../src/app/reads.js';
import { ensureNextSession, saveContract } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { contract, london, person } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let teams: FakeConnector;
let bot: Bot;
let n = 0;
const sessions: Record<string, string> = {};

const who = (p: string) => ({ from: { id: `29:${p}`, aadObjectId: `aad-${p}` }, conversation: { id: `conv-${p}`, tenantId: 'tenant-1', conversationType: 'personal' } });
const activity = (p: string, extra: Record<string, unknown>) => ({ id: `m${++n}`, timestamp: new Date().toISOString(), channelId: 'msteams', serviceUrl: teams.url, recipient: { id: '28:bot' }, ...who(p), ...extra });
async function send(body: unknown) {
  return fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
async function invoke(p: string, verb: string, data: Record<string, unknown>) {
  const res = await send(activity(p, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } } }));
  return { status: res.status, text: JSON.stringify(await res.json()) };
}
/** The card the bot last sent to a person's chat that holds `marker`. */
async function lastCard(conv: string, marker: string, after: number): Promise<string> {
  return eventually(() => teams.calls.slice(after).filter((c) => c.conversationId === conv).map((c) => JSON.stringify(c.body)).filter((b) => b.includes(marker)).at(-1), `a card with ${marker} in ${conv}`);
}
const itemsOf = (sessionId: string) => w.deps.agenda.forSession(sessionId);

beforeAll(async () => {
  w = await createWorld('teams_agenda_picker');
  // Sam supervises Amy and Ben and is himself supervised by Helen; Sue supervises Oscar (not Sam's)
  await w.deps.people.upsert(person('oscar', ['supervisee'], { name: 'Oscar Other', identities: { teamsAadObjectId: 'aad-oscar' } }));
  for (const c of [contract({ id: 'c-sam', supervisorIds: ['head'], superviseeIds: ['sup'] }), contract({ id: 'c-oscar', supervisorIds: ['sup2'], superviseeIds: ['oscar'] })]) {
    await w.deps.contracts.upsert(c);
    await saveContract(w.deps, w.org, c);
  }
  for (const id of ['c-amy', 'c-ben', 'c-sam', 'c-oscar']) {
    const c = await w.deps.contracts.get(id);
    sessions[id] = (await ensureNextSession(w.deps, w.org, c!))!.id;
  }
  w.clock.set(london('2025-11-10T12:00'));
  teams = await startFakeConnector();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  for (const p of ['sup', 'amy', 'ben']) expect((await send(activity(p, { type: 'installationUpdate', action: 'add' }))).status).toBeLessThan(300);
}, 120_000);
afterAll(async () => {
  await bot?.stop();
  await teams?.close();
  await w?.close();
});

describe('the agenda picker in Teams', () => {
  it('`add` alone: a card whose choice set lists Sam’s supervisees and his own supervision, by name and date, and nobody else', async () => {
    const at = teams.calls.length;
    await send(activity('sup', { type: 'message', text: 'add' }));
    const card = await lastCard('conv-sup', 'agenda.add-for', at);
    expect(card).toContain('"type":"Input.ChoiceSet","id":"contractId"');
    expect(card).toContain('"value":"c-amy"');
    expect(card).toContain('"value":"c-ben"');
    expect(card).toContain('"value":"c-sam"');
    expect(card).toContain('Amy Teacher — ');
    expect(card).toContain('Your supervision with Helen Head — ');
    expect(card).not.toMatch(/c-oscar|Oscar/);
    // the date of each next session is named
    const amyAt = (await w.deps.sessions.get(sessions['c-amy']!))!.startsAt;
    expect(amyAt.getTime()).toBeGreaterThan(w.clock.now().getTime());
    expect(card).toMatch(/Amy Teacher — [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}/);
  });

  it('the item for Ben goes on Ben’s next session with its category, and both Ben and Sam see it', async () => {
    const answer = await invoke('sup', 'agenda.add-for', { contractId: 'c-ben', text: 'Caseload after the new referrals', category: 'impact-on-me', riskOfHarm: 'false' });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Agenda of ');
    expect(answer.text).toContain('Ben Pastoral');
    const items = await itemsOf(sessions['c-ben']!);
    expect(items.map((i) => [i.text, i.category, i.authorId, i.contractId])).toEqual([['Caseload after the new referrals', 'impact-on-me', 'sup', 'c-ben']]);
    expect(await itemsOf(sessions['c-amy']!)).toEqual([]);
    expect(JSON.stringify(await nextSession(w.deps, 'ben', {}))).toContain('Caseload after the new referrals');
    const forSam = await eventually(async () => {
      const s = JSON.stringify(await w.deps.agenda.forSession(sessions['c-ben']!));
      return s.includes('Caseload') ? s : undefined;
    }, 'the item stored');
    expect(forSam).toContain('impact-on-me');
  });

  it('a forged choice of a contract that is not Sam’s is refused in words, and nothing is written', async () => {
    const before = await w.store.connection.db!.collection('agendaItems').countDocuments();
    const forged = await invoke('sup', 'agenda.add-for', { contractId: 'c-oscar', text: 'Forged item', category: 'other' });
    expect(forged.status).toBe(200);
    expect(forged.text).toContain('You can add items only to your own supervision or to your supervisees’ sessions');
    expect(forged.text).not.toContain('Oscar');
    const unknown = await invoke('sup', 'agenda.add-for', { contractId: 'c-nobody', text: 'Forged item', category: 'other' });
    expect(unknown.text).toContain('You can add items only to your own supervision or to your supervisees’ sessions');
    // nothing chosen: the form comes back with the field named and the words typed kept
    const none = await invoke('sup', 'agenda.add-for', { text: 'Kept words', category: 'other' });
    expect(none.text).toContain('contractId: choose whose session this is for');
    expect(none.text).toContain('Kept words');
    expect(await w.store.connection.db!.collection('agendaItems').countDocuments()).toBe(before);
    expect(await itemsOf(sessions['c-oscar']!)).toEqual([]);
  });

  it('Sam, with three contracts, types `add …` without a name: he gets the sessions as buttons, and his choice of his own supervision is kept', async () => {
    const at = teams.calls.length;
    await send(activity('sup', { type: 'message', text: 'add My own workload this term' }));
    const card = await lastCard('conv-sup', 'Which session is this for?', at);
    for (const s of ['c-amy', 'c-ben', 'c-sam']) expect(card).toContain(sessions[s]);
    expect(card).toContain('with Helen Head');
    expect(await itemsOf(sessions['c-sam']!)).toEqual([]);
    const chosen = await invoke('sup', 'agenda.add', { sessionId: sessions['c-sam'], text: 'My own workload this term', category: 'organisational' });
    expect(chosen.status).toBe(200);
    expect((await itemsOf(sessions['c-sam']!)).map((i) => [i.text, i.category, i.authorId])).toEqual([['My own workload this term', 'organisational', 'sup']]);
    expect(JSON.stringify(await nextSession(w.deps, 'head', {}))).toContain('My own workload this term');
  });

  it('Amy, with one contract, gets the form with her own supervision already chosen', async () => {
    const form = await invoke('amy', 'agenda.form', {});
    expect(form.text).toContain('"id":"contractId"');
    expect(form.text).toContain('"value":"c-amy"');
    expect(form.text).toContain('Your supervision with Sam Supervisor');
    expect(form.text).not.toMatch(/c-ben|Ben Pastoral/);
  });
});
