/**
 * The supervision agreement and the annual review through a channel's real endpoints (issue 14, white-laith B,
 * stour App. C): a contract made through the dashboard's API reaches every party as the agreement card; a
 * question goes to the supervisor as text; each Agree is a signature with name and time in the audit trail and
 * the last one books the first session, once; a group contract is a group agreement every member signs; a month
 * before its review date the supervisor gets the review card — kept as it is or changed — and either way everyone
 * agrees again and the next review is a year on. Each channel's test file says how its people press the cards'
 * buttons and read what reached them. And the DSL starts a contract before everyone has agreed by typing
 * `start <name>: <reason>` (a choice when several of that person's contracts wait; refused in words for others).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bot.js';
import type { ContractView } from '../../src/web/tab/api-types.js';
import { eventually } from './eventually.js';
import { TERMS } from './handover.js';
import { london } from './school.js';
import type { World } from './world.js';

export interface AgreementChannel {
  world(): World;
  bot(): Bot;
  /** Everything that has reached a person so far (messages, cards, answers to their clicks), as text. */
  received(personId: string): string;
  /** What marks the agreement card's Agree and the review card's Keep in what was received. */
  readonly marks: { agree: string; review: string };
  /** The person presses Agree on the newest agreement card of the contract that reached them: the answer, as text. */
  agree(personId: string, contractId: string): Promise<string>;
  /** The person asks the supervisor a question from the agreement card. */
  ask(personId: string, contractId: string, question: string): Promise<void>;
  /** The question as the supervisor received it is text: no link or mention in it is live. */
  expectInert(received: string, question: string): void;
  /** The supervisor presses "Keep as it is" on the review card: the answer, as text. */
  keep(personId: string, contractId: string): Promise<string>;
  /** The supervisor changes the contract at its review (the Slack modal, the Teams card's inputs): the answer. */
  change(personId: string, contractId: string, terms: { cadence: string; minutes: number; location: string }): Promise<string>;
  /** The person types a command (`help`, `start …`; Slack's `/supervision …`): the answer, as text. */
  type(personId: string, text: string): Promise<string>;
}

export function agreementJourneys(channel: AgreementChannel): void {
  let w: World;
  let bot: Bot;
  beforeAll(() => {
    w = channel.world();
    bot = channel.bot();
  });
  const create = async (body: Record<string, unknown>): Promise<ContractView> => {
    const res = await fetch(`${bot.url}/tab/api/admin/contracts`, { method: 'POST', headers: { 'x-playground-person': 'dsl', 'content-type': 'application/json' }, body: JSON.stringify({ ...TERMS, ...body }) });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as ContractView;
  };
  const sessions = async (contractId: string) => (await w.deps.sessions.byContract(contractId)).filter((s) => s.status === 'scheduled');
  const audited = (action: string, contractId: string) => w.store.connection.collection('audit').countDocuments({ action, 'subject.id': contractId });
  const cardReached = (personId: string, text: string) => eventually(() => channel.received(personId).includes(text) && channel.received(personId).includes(channel.marks.agree), `${personId}’s card with ${text}`);

  describe('the supervision agreement', () => {
    let contract: ContractView;
    const QUESTION = 'Could we meet on Thursdays? See https://evil.example/rooms or ask <@UDSL> @here';

    it('a contract made in the dashboard reaches both parties as the agreement card, and nothing is booked', async () => {
      contract = await create({ supervisorId: 'head', superviseeIds: ['ben'], reference: 'agree-chat', location: 'Head’s office' });
      expect(contract.agreement).toMatchObject({ waiting: true, signed: [] });
      for (const person of ['head', 'ben']) {
        await cardReached(person, 'Supervision agreement');
        const card = channel.received(person);
        for (const t of ['Every 4 weeks', 'Head’s office', 'at risk of significant harm', 'safeguarding governor', 'Ask a question']) expect(card).toContain(t);
      }
      expect(await sessions(contract.id)).toEqual([]);
      expect(await audited('contract.agreement-requested', contract.id)).toBe(1);
    });

    it('“Ask a question” reaches the supervisor as text, never a live link or mention', async () => {
      await channel.ask('ben', contract.id, QUESTION);
      const got = await eventually(() => channel.received('head').includes('A question about the supervision agreement') && channel.received('head'), 'the question');
      channel.expectInert(got, QUESTION);
      expect(await sessions(contract.id)).toEqual([]);
    });

    it('each Agree is signed with name and time and audited; the last books the first session, once', async () => {
      expect(await channel.agree('ben', contract.id)).toContain('You agreed on');
      expect(await sessions(contract.id)).toEqual([]);
      const last = await channel.agree('head', contract.id);
      expect(last).toContain('You agreed on');
      const after = await w.deps.contracts.get(contract.id);
      expect(after?.signatures.map((s) => s.personId).sort()).toEqual(['ben', 'head']);
      expect(after?.awaitingSignatures).toBeFalsy();
      expect(await audited('contract.agreed', contract.id)).toBe(2);
      expect(await audited('contract.agreement-complete', contract.id)).toBe(1);
      expect(await sessions(contract.id)).toHaveLength(1);
      for (const person of ['head', 'ben']) await eventually(() => channel.received(person).includes('Everyone has agreed to the supervision agreement'), `${person} told`);
      // a second press is the same signature and books nothing more
      await channel.agree('head', contract.id);
      expect(await audited('contract.agreed', contract.id)).toBe(2);
      expect(await sessions(contract.id)).toHaveLength(1);
      const listed = (await (await fetch(`${bot.url}/tab/api/admin/contracts`, { headers: { 'x-playground-person': 'dsl' } })).json()) as { contracts: ContractView[] };
      expect(listed.contracts.find((c) => c.id === contract.id)?.agreement.signed.map((s) => s.name).sort()).toEqual(['Ben Pastoral', 'Helen Head']);
    });
  });

  describe('the group agreement', () => {
    it('every member signs; the session is booked only when the last has agreed', async () => {
      const group = await create({ kind: 'group', supervisorId: 'sup', superviseeIds: ['amy', 'ben'], reference: 'agree-group', location: 'Library' });
      for (const person of ['sup', 'amy', 'ben']) await cardReached(person, 'Group agreement');
      await channel.agree('amy', group.id);
      await channel.agree('sup', group.id);
      expect(await sessions(group.id)).toEqual([]);
      expect((await w.deps.contracts.get(group.id))?.awaitingSignatures).toBe(true);
      await channel.agree('ben', group.id);
      expect(await sessions(group.id)).toHaveLength(1);
      expect(await audited('contract.agreed', group.id)).toBe(3);
      for (const person of ['sup', 'amy', 'ben']) await eventually(() => channel.received(person).includes('Everyone has agreed to the group agreement'), `${person} told`);
    });
  });

  describe('the annual review', () => {
    let contract: ContractView;
    const TITLE = 'Annual review: your supervision contract with Amy Teacher';

    it('the review card reaches the supervisor a month before the review date, not before', async () => {
      contract = await create({ supervisorId: 'head', superviseeIds: ['amy'], reference: 'agree-review', reviewDueDate: '2026-01-20' });
      for (const person of ['head', 'amy']) await cardReached(person, 'Tue 20 Jan 2026');
      await channel.agree('amy', contract.id);
      await channel.agree('head', contract.id);
      await bot.runtime.queues.fireDueReminders();
      await bot.runtime.queues.flushOutbox();
      expect(channel.received('head')).not.toContain(TITLE);
      expect((await w.deps.contracts.get(contract.id))?.review).toBeUndefined();
      w.clock.set(london('2025-12-22T09:00'));
      await bot.runtime.queues.fireDueReminders();
      await eventually(() => channel.received('head').includes(TITLE) && channel.received('head').includes(channel.marks.review), 'the review card');
      expect(channel.received('amy')).not.toContain(TITLE);
      // the card offers those who supervise (by role or by a contract), not the whole staff
      const card = (await w.deps.outbox.get(`review.${contract.id}.2026-01-20.head`))?.view as { supervisorOptions?: Array<{ value: string }> } | undefined;
      const offered = card?.supervisorOptions?.map((o) => o.value) ?? [];
      expect(offered).toEqual(expect.arrayContaining(['head', 'sup']));
      expect(offered).not.toContain('amy');
      expect(offered).not.toContain('ben');
    });

    it('“Keep as it is”: the next review a year on, and everyone agrees again', async () => {
      const first = (await w.deps.contracts.get(contract.id))?.agreement?.terms;
      expect(await channel.keep('head', contract.id)).toContain('the next review is Tue 22 Dec 2026');
      const kept = await w.deps.contracts.get(contract.id);
      expect(kept).toMatchObject({ reviewDueDate: '2026-12-22', awaitingSignatures: true, location: TERMS.location, durationMinutes: TERMS.durationMinutes });
      expect(kept?.agreement?.terms).not.toBe(first);
      expect(await audited('contract.reviewed', contract.id)).toBe(1);
      for (const person of ['head', 'amy']) await cardReached(person, 'Tue 22 Dec 2026');
      await channel.agree('amy', contract.id);
      await channel.agree('head', contract.id);
      expect((await w.deps.contracts.get(contract.id))?.awaitingSignatures).toBeFalsy();
      expect((await w.deps.contracts.get(contract.id))?.signatures.filter((s) => s.terms === kept?.agreement?.terms)).toHaveLength(2);
    });

    it('changed at the review: the new cadence, length and place go to everyone to agree again', async () => {
      const answer = await channel.change('head', contract.id, { cadence: 'every 2 weeks', minutes: 45, location: 'Quiet room' });
      expect(answer).toContain('the next review is Tue 22 Dec 2026');
      const changed = await w.deps.contracts.get(contract.id);
      expect(changed).toMatchObject({ cadence: { kind: 'every-n-weeks', weeks: 2 }, durationMinutes: 45, location: 'Quiet room', awaitingSignatures: true, supervisorIds: ['head'] });
      expect(await audited('contract.reviewed', contract.id)).toBe(2);
      for (const person of ['head', 'amy']) await cardReached(person, 'Quiet room');
      expect(channel.received('amy')).toContain('Every fortnight');
      await channel.agree('amy', contract.id);
      await channel.agree('head', contract.id);
      expect((await w.deps.contracts.get(contract.id))?.awaitingSignatures).toBeFalsy();
    });
  });

  describe('the DSL starts a contract early from chat', () => {
    let one: ContractView;
    let two: ContractView;
    const REASON = 'She takes up her new role this week';

    it('refused in words for anyone but the DSL or a deputy; a missing reason is named, an unknown name answered', async () => {
      one = await create({ supervisorId: 'sup', superviseeIds: ['amy'], reference: 'start-one' });
      two = await create({ supervisorId: 'head', superviseeIds: ['amy'], reference: 'start-two', location: 'Head’s office' });
      expect(await channel.type('amy', `start Amy Teacher: ${REASON}`)).toContain('Only the DSL or a deputy starts a contract');
      expect(await channel.type('sup', `start Amy Teacher: ${REASON}`)).toContain('Only the DSL or a deputy starts a contract');
      expect(await channel.type('dsl', 'start Amy Teacher')).toContain('reason: say why after a colon');
      expect(await channel.type('dsl', 'start Amy Teacher:   ')).toContain('reason: say why the contract starts');
      expect(await channel.type('dsl', `start Nobody Known: ${REASON}`)).toContain('No contract of');
      expect(await sessions(one.id)).toEqual([]);
      expect(await sessions(two.id)).toEqual([]);
      expect(await audited('contract.started-early', one.id)).toBe(0);
    });

    it('two of Amy’s contracts wait: a choice; the one chosen starts with its reason, audited, and books its first session', async () => {
      const choice = await channel.type('dsl', `start Amy Teacher: ${REASON}`);
      for (const t of ['2 contracts of', one.id, two.id, 'Sam Supervisor', 'Helen Head']) expect(choice).toContain(t);
      expect(await sessions(one.id)).toEqual([]);
      expect(await channel.type('dsl', `start ${one.id}: ${REASON}`)).toContain('Started before everyone has agreed');
      expect(await sessions(one.id)).toHaveLength(1);
      expect(await sessions(two.id)).toEqual([]);
      expect(await audited('contract.started-early', one.id)).toBe(1);
      expect((await w.deps.contracts.get(one.id))?.agreement?.startedEarly).toMatchObject({ byId: 'dsl', reason: REASON });
      // now only the other waits: the name alone finds it
      expect(await channel.type('dsl', `start Amy: ${REASON}`)).toContain('Started before everyone has agreed');
      expect(await sessions(two.id)).toHaveLength(1);
    });

    it('help lists it for the DSL, not for a supervisee', async () => {
      expect(await channel.type('dsl', 'help')).toContain('start a contract before everyone has agreed');
      expect(await channel.type('amy', 'help')).not.toContain('start a contract before everyone has agreed');
    });
  });
}
