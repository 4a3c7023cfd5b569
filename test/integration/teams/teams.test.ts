import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeOverdue } from '../../../src/app/overdue.js';
import { recordIdFor } from '../../../src/app/records.js';
import { ensureNextSession } from '../../../src/app/sessions.js';
import type { OverdueSummaryView } from '../../../src/app/views.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';
import { eventually } from '../../support/eventually.js';

let w: World;
let teams: FakeConnector;
let bot: Bot;
let sessionId = '';
let n = 0;

const who = (person: string) => ({ from: { id: `29:${person}`, aadObjectId: `aad-${person}` }, conversation: { id: `conv-${person}`, tenantId: 'tenant-1', conversationType: 'personal' } });
const activity = (person: string, extra: Record<string, unknown>) => ({
  id: `a${++n}`,
  timestamp: new Date().toISOString(),
  channelId: 'msteams',
  serviceUrl: teams.url,
  recipient: { id: '28:bot' },
  ...who(person),
  ...extra,
});
async function send(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}
async function invoke(person: string, verb: string, data: Record<string, unknown>, id?: string) {
  const a = activity(person, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } } });
  if (id) a.id = id;
  const res = await send(a);
  return { status: res.status, body: (await res.json()) as { statusCode: number; type: string; value: unknown } };
}
const said = (conv: string, text: string) => teams.calls.some((c) => c.conversationId === conv && JSON.stringify(c.body).includes(text));


beforeAll(async () => {
  w = await createWorld('teams');
  teams = await startFakeConnector();
  // no app id, on loopback: the local, unauthenticated mode
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  sessionId = (await ensureNextSession(w.deps, w.org, w.contracts.amy))!.id;
  w.clock.set(london('2025-11-10T12:00'));
  // the app is installed for these people
  for (const p of ['dsl', 'sup', 'amy', 'head']) expect((await send(activity(p, { type: 'installationUpdate', action: 'add' }))).status).toBeLessThan(300);
});
afterAll(async () => {
  await bot?.stop();
  await teams?.close();
  await w?.close();
});

describe('Teams conversations', () => {
  it('a plain line that answers no agenda prompt is asked about, and small talk is never an item', async () => {
    // the session (Tue 11 Nov, 15:45) was booked the day before, so its agenda prompt went at once; a day later
    // its window has closed
    w.clock.set(london('2025-11-11T10:00'));
    try {
      expect((await send(activity('amy', { type: 'message', text: 'Caseload in Year 4' }))).status).toBe(200);
      expect(said('conv-amy', 'Add this to your agenda for Tue 11 Nov 2025')).toBe(true);
      expect((await send(activity('amy', { type: 'message', text: 'thanks!' }))).status).toBe(200);
      expect(said('conv-amy', 'type add and the item')).toBe(true);
      expect(await w.deps.agenda.forSession(sessionId)).toEqual([]);
    } finally {
      w.clock.set(london('2025-11-10T12:00'));
    }
  });

  it('`add` with lines becomes agenda items, each "Other" until a category is chosen, and the bot answers with the agenda', async () => {
    expect((await send(activity('amy', { type: 'message', text: 'add Caseload in Year 4\nTraining on neglect' }))).status).toBe(200);
    const items = await w.deps.agenda.forSession(sessionId);
    expect(items.map((i) => [i.text, i.category])).toEqual([
      ['Caseload in Year 4', 'other'],
      ['Training on neglect', 'other'],
    ]);
    expect(said('conv-amy', 'Added 2 items')).toBe(true);
  });

  it('what a person typed comes back on the card as text, never as a link or markdown', async () => {
    const typed = 'See [phish](https://evil.example/login) **now** <b>x</b>';
    expect((await send(activity('amy', { type: 'message', text: typed }))).status).toBe(200);
    const reply = teams.calls.filter((c) => c.conversationId === 'conv-amy' && JSON.stringify(c.body).includes('[phish]')).at(-1);
    const card = JSON.stringify(reply?.body);
    expect(card).toContain('"type":"TextRun","text":"• See [phish](https:\u2060//evil.example/login) **now** <b>x</b>');
    expect(card).not.toMatch(/"type":"TextBlock","text":"[^"]*(\]\(|\*\*now)/);
  });

  it('a reply to the agenda prompt’s card answers it, after its window too', async () => {
    await w.deps.deliveries.put(`agenda:${sessionId}`, 'amy', 'teams', { activityId: 'prompt-activity-1' });
    w.clock.set(london('2025-11-11T10:00'));
    try {
      expect((await send(activity('amy', { type: 'message', text: 'Cover for Friday', replyToId: 'prompt-activity-1' }))).status).toBe(200);
      expect((await w.deps.agenda.forSession(sessionId)).map((i) => i.text)).toContain('Cover for Friday');
    } finally {
      w.clock.set(london('2025-11-10T12:00'));
    }
  });

  it('a plain line within the agenda prompt’s window answers it, and goes to that session', async () => {
    await eventually(async () => (await w.deps.reminders.get(`agenda-prompt:${sessionId}`))?.sent, 'the agenda prompt sent');
    expect((await send(activity('amy', { type: 'message', text: 'Transition plan for Year 6' }))).status).toBe(200);
    expect((await w.deps.agenda.forSession(sessionId)).map((i) => i.text)).toContain('Transition plan for Year 6');
  });

  it('the "Add this to your agenda?" card adds the item to the session it names, with the category chosen', async () => {
    const { body } = await invoke('amy', 'agenda.add', { text: 'Caseload worries', category: 'impact-on-me', sessionId });
    expect(JSON.stringify(body.value)).toContain('Added 1 item');
    expect((await w.deps.agenda.forSession(sessionId)).find((i) => i.text === 'Caseload worries')?.category).toBe('impact-on-me');
  });

  it('an item flagged as risk of harm reaches the DSL at once and the supervisee is told', async () => {
    const { body } = await invoke('amy', 'agenda.add', { text: 'A child in my class has unexplained bruises', category: 'case-discussion', riskOfHarm: 'true' });
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(body.value)).toContain('gone to your DSL');
    await eventually(() => said('conv-dsl', 'Risk of harm to a child'), 'the escalation card in the DSL’s chat');
  });

  it('clients below Adaptive Cards 1.5 submit through the Action.Submit fallback, with the same effect', async () => {
    await send(activity('amy', { type: 'message', value: { verb: 'agenda.add', text: 'Fallback item', category: 'organisational', riskOfHarm: 'false' } }));
    expect((await w.deps.agenda.forSession(sessionId)).map((i) => i.text)).toContain('Fallback item');
  });

  it('a bad card submission names the field and writes nothing', async () => {
    const before = await w.store.models.agendaItems.countDocuments();
    const { body } = await invoke('amy', 'agenda.add', { text: '   ' });
    expect(JSON.stringify(body.value)).toContain('text: type the item');
    const unknown = await invoke('amy', 'record.delete', {});
    expect(JSON.stringify(unknown.body.value)).toContain('verb:');
    expect(await w.store.models.agendaItems.countDocuments()).toBe(before);
  });

  it('overdue: the DSL gets the summary card, a supervisee a polite refusal', async () => {
    await send(activity('dsl', { type: 'message', text: 'overdue' }));
    expect(said('conv-dsl', 'Overdue — White Laith Primary')).toBe(true);
    await send(activity('amy', { type: 'message', text: 'overdue' }));
    expect(said('conv-amy', 'only for your safeguarding leads')).toBe(true);
    const toAmy = teams.calls.filter((c) => c.conversationId === 'conv-amy').map((c) => JSON.stringify(c.body)).join();
    expect(toAmy).not.toContain('Ben Pastoral');
  });
});

describe('the record sheet with universal actions', () => {
  const recordId = () => recordIdFor(sessionId);

  it('a child’s name, a due date out of range or a holiday next session is refused in words, and nothing is written', async () => {
    w.clock.set(london('2025-11-11T17:00'));
    const before = await Promise.all([w.store.models.records.countDocuments(), w.store.models.audit.countDocuments()]);
    const base = { sessionId, topics: 'performance', notes: 'Talked through the caseload', decision: 'Refer to early help', rationale: 'Attendance below 85%', followUpById: 'amy' };
    const named = await invoke('sup', 'record.submit', { ...base, childRef: 'Jane Smith' });
    expect(JSON.stringify(named.body.value)).toContain('⚠ Not saved: Case decision 1: this looks like a name');
    // Teams replaces the card with the answer: it is the form again, as typed, to correct and send
    const inputs = (JSON.stringify(named.body.value).match(/"type":"Input\.Text","id":"(notes|childRef|decision)"[^}]*"value":"[^"]*"/g) ?? []).join();
    expect(inputs).toContain('"value":"Talked through the caseload"');
    expect(inputs).toContain('"value":"Jane Smith"');
    expect(inputs).toContain('"value":"Refer to early help"');
    const late = await invoke('sup', 'record.submit', { ...base, childRef: 'JS', action0: 'Call the parent', owner0: 'amy', due0: '0001-01-01' });
    expect(JSON.stringify(late.body.value)).toContain('Action 1: the due date must be between the session and a year after it');
    const holiday = await invoke('sup', 'record.submit', { ...base, childRef: 'JS', nextDate: '2025-12-25', nextTime: '15:45' });
    expect(JSON.stringify(holiday.body.value)).toContain('Next session: pick a school day');
    expect(await Promise.all([w.store.models.records.countDocuments(), w.store.models.audit.countDocuments()])).toEqual(before);
  });

  it('the supervisor completes the card; both parties get it', async () => {
    w.clock.set(london('2025-11-11T17:30'));
    const { body } = await invoke('sup', 'record.submit', {
      sessionId, topics: 'performance,impact-on-individual', notes: 'Talked through the caseload', concerns: '', risk: '',
      childRef: 'JB', decision: 'Refer to early help', rationale: 'Attendance below 85%', followUpById: 'amy',
      action0: 'Call the parent', owner0: 'amy', due0: '2025-11-14', nextDate: '', nextTime: '',
    });
    expect(JSON.stringify(body.value)).toContain('Waiting for confirmation');
    await eventually(() => said('conv-amy', 'record.confirm') && said('conv-sup', 'Supervision record'), 'record cards to both');
    const card = teams.calls.find((c) => c.conversationId === 'conv-amy' && JSON.stringify(c.body).includes('record.confirm'));
    expect(JSON.stringify(card?.body)).toContain('"userIds":["aad-sup","aad-amy"]');
  });

  it('a stranger cannot confirm; the same click twice confirms once', async () => {
    await send(activity('stranger', { type: 'installationUpdate', action: 'add' }));
    const refused = await invoke('stranger', 'record.confirm', { recordId: recordId(), version: 1 });
    expect(JSON.stringify(refused.body.value)).toContain('Sorry');
    expect((await w.deps.records.latest(recordId()))?.confirmations).toEqual([]);
    const [a, b] = await Promise.all([invoke('amy', 'record.confirm', { recordId: recordId(), version: 1 }, 'click-1'), invoke('amy', 'record.confirm', { recordId: recordId(), version: 1 }, 'click-1')]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect((await w.deps.records.latest(recordId()))?.confirmations.map((c) => c.personId)).toEqual(['amy']);
  });

  it('when the supervisor confirms, both cards are updated to the locked view', async () => {
    const { body } = await invoke('sup', 'record.confirm', { recordId: recordId(), version: 1 });
    expect(JSON.stringify(body.value)).toContain('Signed by both on');
    await eventually(
      () => ['conv-amy', 'conv-sup'].every((conv) => teams.calls.some((c) => c.kind === 'update' && c.conversationId === conv && JSON.stringify(c.body).includes('Signed by both on'))),
      'both cards updated in place',
    );
    const refreshed = await invoke('amy', 'record.refresh', { recordId: recordId() });
    expect(JSON.stringify(refreshed.body.value)).not.toContain('record.confirm');
    const audit = await w.deps.audit.entries('org-wl');
    expect(audit.filter((e) => e.action === 'record.signed')).toHaveLength(1);
  });
});

describe('reaching people', () => {
  it('someone whose conversation refuses the bot is marked not reachable and shows in /overdue', async () => {
    await send(activity('ben', { type: 'installationUpdate', action: 'add' }));
    teams.refuse('conv-ben');
    await w.deps.outbox.enqueue([{ id: 'probe.ben', organisationId: 'org-wl', recipientId: 'ben', createdAt: w.clock.now(), view: { type: 'text', text: 'Your supervision is next week.' } }]);
    await bot.runtime.queues.flushOutbox();
    await eventually(async () => {
      const view = ((await computeOverdue(w.deps, 'dsl', {})) as { view: OverdueSummaryView }).view;
      return view.unreachable.some((u) => u.personName === 'Ben Pastoral' && u.platform === 'teams');
    }, 'Ben listed as not reachable');
    // the conversation takes the bot's messages again: the next delivery to him clears it
    teams.accept('conv-ben');
    await w.deps.outbox.enqueue([{ id: 'probe2.ben', organisationId: 'org-wl', recipientId: 'ben', createdAt: w.clock.now(), view: { type: 'text', text: 'Your supervision is tomorrow.' } }]);
    await bot.runtime.queues.flushOutbox();
    await eventually(() => said('conv-ben', 'Your supervision is tomorrow.'), 'the message to Ben');
    await eventually(async () => {
      const view = ((await computeOverdue(w.deps, 'dsl', {})) as { view: OverdueSummaryView }).view;
      return !view.unreachable.some((u) => u.personName === 'Ben Pastoral');
    }, 'Ben no longer listed as not reachable');
  });

  it('a throttled send is retried and delivered once', async () => {
    teams.throttleNext('conv-head', 2);
    await w.deps.outbox.enqueue([{ id: 'probe.head', organisationId: 'org-wl', recipientId: 'head', createdAt: w.clock.now(), view: { type: 'text', text: 'Throttled hello' } }]);
    await bot.runtime.queues.flushOutbox();
    await eventually(() => said('conv-head', 'Throttled hello'), 'the message after 429s');
    expect(teams.throttled).toBeGreaterThanOrEqual(2);
    expect(teams.calls.filter((c) => c.conversationId === 'conv-head' && JSON.stringify(c.body).includes('Throttled hello'))).toHaveLength(1);
  });
});

describe('production mode', () => {
  it('with an app id, a request without a Bot Framework token gets 401 and writes nothing', async () => {
    const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent', MicrosoftAppId: '11111111-2222-3333-4444-555555555555', MicrosoftAppPassword: 'secret', MicrosoftAppType: 'MultiTenant' });
    const prod = await startBot(config, createLogger('silent'), { clock: w.clock });
    try {
      const before = await w.store.models.agendaItems.countDocuments();
      const res = await fetch(`${prod.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity('amy', { type: 'message', text: 'sneaky item' })) });
      expect(res.status).toBe(401);
      const forged = await fetch(`${prod.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer not.a.token' }, body: JSON.stringify(activity('amy', { type: 'message', text: 'sneaky item' })) });
      expect(forged.status).toBe(401);
      expect(await w.store.models.agendaItems.countDocuments()).toBe(before);
    } finally {
      await prod.stop();
    }
  });
});
