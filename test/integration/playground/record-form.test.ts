/**
 * The record form through the playground API (the same conversation Teams uses): refusals in words that name
 * the field, with nothing written; typed text drawn as text; the case decision's deadline from its first
 * recording.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import { draftRecord } from '../../../src/app/records.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { SchoolCalendar } from '../../../src/domain/calendar.js';
import { demoOrganisation, loadDemoSchool } from '../../../src/demo/school.js';
import { createLogger } from '../../../src/logger.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';

let bot: Bot;
const clock = new AdjustableClock();
const cal = new SchoolCalendar(demoOrganisation());
// a session James held with Amy on Wednesday 18 November 2026, not yet written up
const sessionId = 'c-amy.2026-11-18';
const HOSTILE = '[phish](https://evil.example/login) <!channel> @here [x](y) **loud** <b>html</b>';

async function call(path: string, person: string, body?: unknown) {
  const headers: Record<string, string> = { 'x-playground-person': person };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${bot.url}/playground/api/${path}`, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const submit = (data: Record<string, unknown>) => call('actions', 'james', { verb: 'record.submit', data: { sessionId, ...data } });

async function written() {
  const db = bot.runtime.store.connection.db!;
  const counts = await Promise.all(['records', 'caseDecisions', 'audit', 'reminders', 'escalations'].map((c) => db.collection(c).countDocuments()));
  return { counts, session: (await bot.runtime.deps.sessions.get(sessionId))?.status };
}

/** Every TextBlock's text in a card (markdown), and every TextRun's (plain). */
function texts(card: unknown): { markdown: string[]; plain: string[] } {
  const out = { markdown: [] as string[], plain: [] as string[] };
  const visit = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (n && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      if (o.type === 'TextBlock' && typeof o.text === 'string') out.markdown.push(o.text);
      if (o.type === 'TextRun' && typeof o.text === 'string') out.plain.push(o.text);
      Object.values(o).forEach(visit);
    }
  };
  visit(card);
  return out;
}

beforeAll(async () => {
  clock.set(cal.atLocalTime('2026-11-23', '07:30'));
  const config = loadConfig({ MONGODB_URI: testMongoUrl('playground_record_form'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (runtime) => void (await loadDemoSchool(runtime.deps)) });
  await bot.runtime.deps.sessions.insert({ id: sessionId, organisationId: demoOrganisation().id, contractId: 'c-amy', startsAt: cal.atLocalTime('2026-11-18', '15:45'), durationMinutes: 60, status: 'scheduled' });
});
afterAll(async () => {
  await bot?.stop();
});

describe('the record form refuses in words and saves nothing', () => {
  const decision = { decision: 'Refer to early help', rationale: 'Attendance below 85%', followUpById: 'amy' };
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ['a child’s full name', { childRef: 'Jane Smith', ...decision }, 'caseDecisions.0.childRef', 'Case decision 1: this looks like a name — give the child’s initials (e.g. JS) or a school or CPOMS reference (e.g. CPOMS-4471), never a name'],
    ['an action due in year 1', { action0: 'Call home', owner0: 'amy', due0: '0001-01-01' }, 'actions.0.dueDate', 'Action 1: the due date must be between the session and a year after it'],
    ['an action due before the session', { action0: 'Call home', owner0: 'amy', due0: '2026-11-17' }, 'actions.0.dueDate', 'Action 1: the due date must be between the session and a year after it'],
    ['a next session in 9999', { notes: 'n', nextDate: '9999-12-31' }, 'nextSessionAt', 'Next session: the date must be between this session and a year after it'],
    ['a next session on a Saturday', { notes: 'n', nextDate: '2026-11-28' }, 'nextSessionAt', 'Next session: pick a school day — that date is a weekend, a holiday or a bank holiday'],
    ['a next session in the Christmas holiday', { notes: 'n', nextDate: '2026-12-28' }, 'nextSessionAt', 'Next session: pick a school day — that date is a weekend, a holiday or a bank holiday'],
    ['a decision without its rationale', { childRef: 'JS', decision: 'Refer', followUpById: 'amy' }, 'caseDecisions.0.rationale', 'Case decision 1, the rationale: record the rationale'],
  ];
  for (const [what, data, field, message] of cases) {
    it(what, async () => {
      const before = await written();
      const res = await submit({ notes: 'Talked it through', ...data });
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({ field, message });
      expect(await written()).toEqual(before);
    });
  }

  it('a long discussion is refused stating the limit, not cut', async () => {
    const before = await written();
    const res = await submit({ notes: 'x'.repeat(5001) });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/5,000 characters/);
    expect(await written()).toEqual(before);
  });
});

describe('a record that passes', () => {
  it('keeps the case decision’s 24 hours from when it was first recorded', async () => {
    const first = cal.atLocalTime('2026-11-23', '08:00');
    clock.set(first);
    const draft = await draftRecord(bot.runtime.deps, 'james', { sessionId, topics: ['performance'], caseDecisions: [{ childRef: 'JS', decision: 'Refer to early help', rationale: 'Attendance', followUpById: 'amy' }] });
    expect(draft.ok).toBe(true);
    clock.set(cal.atLocalTime('2026-11-23', '13:00'));
    const res = await submit({
      topics: 'performance,professional-development',
      notes: HOSTILE,
      childRef: 'JS',
      decision: 'Refer to early help',
      rationale: 'Attendance',
      followUpById: 'amy',
      action0: HOSTILE,
      owner0: 'amy',
      due0: '2026-11-27',
      nextDate: '2026-12-16',
      nextTime: '15:45',
    });
    expect(res.status).toBe(200);
    const chased = (await bot.runtime.deps.caseDecisions.notCopiedDueBefore(demoOrganisation().id, new Date('2100-01-01'))).find((d) => d.recordId === `rec.${sessionId}`);
    // 24 hours from 08:00 (the playground's clock runs on by a few milliseconds between calls), not from 13:00
    const due = (at?: Date) => Math.round(((at?.getTime() ?? 0) - first.getTime()) / 60_000);
    expect(due(chased?.copyDueAt)).toBe(24 * 60);
    expect(due((await bot.runtime.deps.records.latest(`rec.${sessionId}`))?.caseDecisions[0]?.copyDueAt)).toBe(24 * 60);
  });

  it('Amy’s card shows the topics, dates in one style, and what was typed as text, never a link', async () => {
    const res = await call(`records/rec.${sessionId}`, 'amy');
    expect(res.status).toBe(200);
    const { markdown, plain } = texts(res.body.card);
    const all = [...markdown, ...plain].join('\n');
    expect(all).toContain('Performance, Professional development, including training');
    expect(all).toContain('Fri 27 Nov 2026');
    expect(all).toContain('Wed 16 Dec 2026, 15:45');
    expect(all).not.toContain('2026-11-27');
    // the typed text is on the card, word for word, only in plain runs
    expect(plain.join('\n')).toContain('[phish](https:\u2060//evil.example/login) <!channel> @\u2060here [x](y) **loud** <b>html</b>');
    for (const t of markdown) expect(t).not.toMatch(/\]\(|evil\.example|<!channel>|\*\*loud|<b>/);
  });
});
