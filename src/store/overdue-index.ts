/**
 * The `/overdue` index: for each organisation, everything that can fall overdue, in a Redis sorted set scored
 * by the instant it does (the session-overdue instant of each contract, the 5-school-day mark of each record
 * awaiting confirmation, the day after each open action's due date, the day after each contract's review
 * date, each case decision's 24-hour copy deadline; unacknowledged escalations and unreachable people score
 * 0). `/overdue` is then one range read plus one hash read, whatever the size of the trust (P3).
 *
 * MongoDB stays the truth. The index is kept current by wrapping the repositories: after each write that
 * changes what `/overdue` shows, the affected entry is rewritten. It holds ids, dates and names only, never
 * free text. When Redis has lost it (flush, new server) it is rebuilt from MongoDB on first use; a periodic
 * rebuild repairs anything a crash between the two writes left behind. A write that lands while a rebuild
 * runs bumps a counter the rebuild checks, and the rebuild runs again.
 */
import type { Redis } from 'ioredis';
import type {
  CaseDecisionRecord,
  ComplianceSummary,
  OverdueLists,
  OverdueSource,
  Platform,
  Stores,
} from '../app/ports.js';
import { SchoolCalendar, addDays } from '../domain/calendar.js';
import { isUnsignedAfterSending, recordConfirmationOverdueFrom } from '../domain/overdue.js';
import type { AgreedAction, Escalation, Organisation, RecordSheet, SupervisionContract } from '../domain/types.js';

type Kind = 's' | 'r' | 'a' | 'v' | 'd' | 'e' | 'u';
type Entry = { member: string; score: number; value: unknown };

const ALWAYS = 0;
const DATE_FIELDS = new Set(['sessionOverdueFrom', 'lastHeldAt', 'nextScheduledAt', 'updatedAt', 'submittedAt', 'at', 'copyDueAt', 'raisedAt', 'since']);
/** An entry as stored, its dates made dates again (a walk after `JSON.parse`: a reviver costs far more per value). */
function parse(json: string): Record<string, unknown> {
  return revive(JSON.parse(json)) as Record<string, unknown>;
}

function revive(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i]);
  } else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const key in o) {
      const v = o[key];
      if (typeof v === 'string') {
        if (DATE_FIELDS.has(key)) o[key] = new Date(v);
      } else if (v !== null && typeof v === 'object') o[key] = revive(v);
    }
  }
  return value;
}

export interface OverdueIndex {
  /** The repositories, wrapped so that every relevant write keeps the index current. */
  stores: Stores;
  source: OverdueSource;
  rebuild(organisationId: string): Promise<number>;
  rebuildAll(): Promise<number>;
}

export function overdueIndex(base: Stores, redis: Redis, prefix: string): OverdueIndex {
  const key = (org: string, part: string) => `${prefix}:overdue:{${org}}:${part}`;
  const orgs = new Map<string, Promise<Organisation | null>>();
  const orgOf = (id: string) => {
    let o = orgs.get(id);
    if (!o) {
      o = base.organisations.get(id);
      orgs.set(id, o);
    }
    return o;
  };
  const calOf = async (orgId: string) => {
    const org = await orgOf(orgId);
    return org ? new SchoolCalendar(org) : null;
  };

  async function apply(orgId: string, put: Entry[], remove: string[]): Promise<void> {
    const multi = redis.multi().incr(key(orgId, 'writes'));
    for (const e of put) {
      multi.zadd(key(orgId, 'due'), e.score, e.member).hset(key(orgId, 'items'), e.member, JSON.stringify(e.value));
    }
    if (remove.length > 0) multi.zrem(key(orgId, 'due'), ...remove).hdel(key(orgId, 'items'), ...remove);
    await multi.exec();
  }

  // entries, as each write shapes them
  const sessionEntry = (c: ComplianceSummary): Entry => ({ member: `s:${c.contractId}`, score: c.sessionOverdueFrom.getTime(), value: c });
  const recordEntry = (r: RecordSheet, cal: SchoolCalendar): Entry | null =>
    isUnsignedAfterSending(r) && r.submittedAt
      ? {
          member: `r:${r.id}`,
          score: recordConfirmationOverdueFrom(r.submittedAt, cal).getTime(),
          value: { id: r.id, date: r.date, state: r.state, supervisorId: r.supervisorId, superviseeIds: r.superviseeIds, confirmations: r.confirmations, submittedAt: r.submittedAt },
        }
      : null;
  const dayAfter = (cal: SchoolCalendar, day: string) => cal.startOfDay(addDays(day, 1)).getTime();
  const actionEntry = (a: AgreedAction, cal: SchoolCalendar): Entry | null =>
    a.status === 'open' ? { member: `a:${a.id}`, score: dayAfter(cal, a.dueDate), value: { id: a.id, ownerId: a.ownerId, dueDate: a.dueDate, recordId: a.recordId, supervisorId: a.supervisorId, sessionDate: a.sessionDate } } : null;
  const reviewEntry = (c: SupervisionContract, cal: SchoolCalendar): Entry | null =>
    c.active
      ? { member: `v:${c.id}`, score: dayAfter(cal, c.reviewDueDate), value: { id: c.id, supervisorIds: c.supervisorIds, superviseeIds: c.superviseeIds, reviewDueDate: c.reviewDueDate } }
      : null;
  const decisionEntry = (d: CaseDecisionRecord): Entry | null =>
    d.copiedToChildFileAt
      ? null
      : { member: `d:${d.recordId}:${d.id}`, score: d.copyDueAt.getTime(), value: { id: d.id, recordId: d.recordId, childRef: d.childRef, followUpById: d.followUpById, copyDueAt: d.copyDueAt } };
  const escalationEntry = (e: Escalation): Entry | null =>
    e.acknowledgedAt ? null : { member: `e:${e.id}`, score: ALWAYS, value: { id: e.id, subjectPersonId: e.subjectPersonId, raisedAt: e.raisedAt } };

  const stores: Stores = {
    ...base,
    organisations: {
      ...base.organisations,
      async upsert(org) {
        await base.organisations.upsert(org);
        orgs.delete(org.id);
      },
    },
    people: {
      ...base.people,
      async upsert(person) {
        await base.people.upsert(person);
        await redis.hset(key(person.organisationId, 'names'), person.id, person.name);
      },
      async setReachability(personId, platform, reachable, at) {
        // a delivery that finds the person reachable, as they were, changes nothing here either
        if (!(await base.people.setReachability(personId, platform, reachable, at))) return false;
        const person = await base.people.get(personId);
        if (!person) return true;
        const member = `u:${personId}:${platform}`;
        if (reachable) await apply(person.organisationId, [], [member]);
        else {
          const since = (await base.people.unreachable(person.organisationId)).find((u) => u.person.id === personId && u.platform === platform)?.since ?? at;
          await apply(person.organisationId, [{ member, score: ALWAYS, value: { personId, platform, since } }], []);
        }
        return true;
      },
    },
    contracts: {
      ...base.contracts,
      async upsert(contract) {
        await base.contracts.upsert(contract);
        const cal = await calOf(contract.organisationId);
        if (!cal) return;
        const entry = reviewEntry(contract, cal);
        await apply(contract.organisationId, entry ? [entry] : [], entry ? [] : [`v:${contract.id}`]);
      },
    },
    compliance: {
      ...base.compliance,
      async upsert(summary) {
        await base.compliance.upsert(summary);
        await apply(summary.organisationId, [sessionEntry(summary)], []);
      },
      async upsertMany(summaries) {
        await base.compliance.upsertMany(summaries);
        const byOrg = new Map<string, Entry[]>();
        for (const c of summaries) byOrg.set(c.organisationId, [...(byOrg.get(c.organisationId) ?? []), sessionEntry(c)]);
        for (const [orgId, entries] of byOrg) for (let i = 0; i < entries.length; i += 1000) await apply(orgId, entries.slice(i, i + 1000), []);
      },
    },
    records: {
      ...base.records,
      async insertVersion(record) {
        await base.records.insertVersion(record);
        await recordChanged(record);
      },
      async replace(record, expectedUpdatedAt) {
        await base.records.replace(record, expectedUpdatedAt);
        await recordChanged(record);
      },
    },
    actions: {
      ...base.actions,
      async upsertMany(actions) {
        await base.actions.upsertMany(actions);
        // an action written again keeps its stored status: index what is stored
        for (const a of actions) {
          const stored = await base.actions.get(a.id);
          const cal = stored && (await calOf(stored.organisationId));
          if (!stored || !cal) continue;
          const entry = actionEntry(stored, cal);
          await apply(stored.organisationId, entry ? [entry] : [], entry ? [] : [`a:${a.id}`]);
        }
      },
      async complete(id, at, closure) {
        const done = await base.actions.complete(id, at, closure);
        const stored = await base.actions.get(id);
        if (stored && stored.status !== 'open') await apply(stored.organisationId, [], [`a:${id}`]);
        return done;
      },
    },
    caseDecisions: {
      ...base.caseDecisions,
      async upsertMany(decisions) {
        await base.caseDecisions.upsertMany(decisions);
        for (const d of decisions) {
          const stored = await base.caseDecisions.get(d.recordId, d.id);
          if (!stored) continue;
          const entry = decisionEntry(stored);
          await apply(stored.organisationId, entry ? [entry] : [], entry ? [] : [`d:${d.recordId}:${d.id}`]);
        }
      },
      async markCopied(recordId, decisionId, byId, at, childFileRef) {
        const done = await base.caseDecisions.markCopied(recordId, decisionId, byId, at, childFileRef);
        const stored = await base.caseDecisions.get(recordId, decisionId);
        if (stored?.copiedToChildFileAt) await apply(stored.organisationId, [], [`d:${recordId}:${decisionId}`]);
        return done;
      },
    },
    escalations: {
      ...base.escalations,
      async insert(escalation) {
        const inserted = await base.escalations.insert(escalation);
        const stored = await base.escalations.get(escalation.id);
        const entry = stored && escalationEntry(stored);
        if (entry) await apply(escalation.organisationId, [entry], []);
        return inserted;
      },
      async acknowledge(id, byId, at) {
        const done = await base.escalations.acknowledge(id, byId, at);
        const stored = await base.escalations.get(id);
        if (stored?.acknowledgedAt) await apply(stored.organisationId, [], [`e:${id}`]);
        return done;
      },
    },
  };

  async function recordChanged(record: RecordSheet): Promise<void> {
    const cal = await calOf(record.organisationId);
    if (!cal) return;
    const entry = recordEntry(record, cal);
    await apply(record.organisationId, entry ? [entry] : [], entry ? [] : [`r:${record.id}`]);
  }

  /** Every entry of the organisation, read from MongoDB. */
  async function entriesFromStore(org: Organisation): Promise<{ entries: Entry[]; names: Array<[string, string]> }> {
    const cal = new SchoolCalendar(org);
    const [compliance, awaiting, open, contracts, decisions, escalations, unreachable, people] = await Promise.all([
      base.compliance.byOrganisation(org.id),
      base.records.awaitingConfirmation(org.id),
      base.actions.lateBefore(org.id, '9999-12-31'),
      base.contracts.byOrganisation(org.id),
      base.caseDecisions.notCopiedDueBefore(org.id, new Date(8.64e15)),
      base.escalations.unacknowledged(org.id),
      base.people.unreachable(org.id),
      base.people.byOrganisation(org.id),
    ]);
    const entries = [
      ...compliance.map(sessionEntry),
      ...awaiting.map((r) => recordEntry(r, cal)),
      ...open.map((a) => actionEntry(a, cal)),
      ...contracts.map((c) => reviewEntry(c, cal)),
      ...decisions.map(decisionEntry),
      ...escalations.map(escalationEntry),
      ...unreachable.map((u) => ({ member: `u:${u.person.id}:${u.platform}`, score: ALWAYS, value: { personId: u.person.id, platform: u.platform, since: u.since } })),
    ].filter((e): e is Entry => e !== null);
    return { entries, names: people.map((p) => [p.id, p.name]) };
  }

  async function rebuild(organisationId: string): Promise<number> {
    const org = await base.organisations.get(organisationId);
    if (!org) return 0;
    orgs.delete(organisationId);
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = await redis.get(key(org.id, 'writes'));
      const { entries, names } = await entriesFromStore(org);
      const tmp = (part: string) => key(org.id, `${part}:rebuild`);
      const multi = redis.multi().del(tmp('due'), tmp('items'), tmp('names'));
      for (let i = 0; i < entries.length; i += 500) {
        const chunk = entries.slice(i, i + 500);
        multi.zadd(tmp('due'), ...chunk.flatMap((e) => [e.score, e.member]));
        multi.hset(tmp('items'), Object.fromEntries(chunk.map((e) => [e.member, JSON.stringify(e.value)])));
      }
      for (let i = 0; i < names.length; i += 500) multi.hset(tmp('names'), Object.fromEntries(names.slice(i, i + 500)));
      // RENAME fails on a missing source: make sure each exists
      multi.zadd(tmp('due'), Number.MAX_SAFE_INTEGER, '-').hset(tmp('items'), '-', '{}').hset(tmp('names'), '-', '');
      multi.rename(tmp('due'), key(org.id, 'due')).rename(tmp('items'), key(org.id, 'items')).rename(tmp('names'), key(org.id, 'names'));
      multi.set(key(org.id, 'built'), String(Date.now()));
      await multi.exec();
      if ((await redis.get(key(org.id, 'writes'))) === before) return entries.length;
    }
    return -1;
  }

  const source: OverdueSource = {
    async lists(org, now, want) {
      // not engaging is kept on the compliance summaries, not in the index: read it from the store meanwhile
      const notEngaging = want.notEngaging ? base.compliance.notEngagingAt(org.id, now) : Promise.resolve(undefined);
      // a failed index read must not leave that read's failure unheard
      notEngaging.catch(() => {});
      if (!(await redis.exists(key(org.id, 'built')))) await rebuild(org.id);
      const members = await redis.zrangebyscore(key(org.id, 'due'), '-inf', now.getTime());
      const wanted = members.filter((m) => {
        const kind = m.slice(0, 1) as Kind;
        return kind === 's' ? want.sessions : kind === 'r' ? want.records : kind === 'a' ? want.actions : kind === 'v' ? want.reviews : want.others;
      });
      const values = wanted.length > 0 ? await redis.hmget(key(org.id, 'items'), ...wanted) : [];
      const lists: OverdueLists = { compliance: [], awaiting: [], late: [], reviews: [], decisions: [], escalations: [], unreachable: [], notEngaging: await notEngaging };
      wanted.forEach((member, i) => {
        const json = values[i];
        if (!json) return;
        const v = parse(json) as never;
        switch (member.slice(0, 1) as Kind) {
          case 's':
            lists.compliance.push(v);
            break;
          case 'r':
            lists.awaiting.push(v);
            break;
          case 'a':
            lists.late.push(v);
            break;
          case 'v':
            lists.reviews.push(v);
            break;
          case 'd':
            lists.decisions.push(v);
            break;
          case 'e':
            lists.escalations.push(v);
            break;
          case 'u':
            lists.unreachable.push(v as { personId: string; platform: Platform; since: Date });
            break;
        }
      });
      return lists;
    },
    async names(organisationId, ids) {
      const names = new Map<string, string>();
      if (ids.length === 0) return names;
      const found = await redis.hmget(key(organisationId, 'names'), ...ids);
      const missing: string[] = [];
      for (const [i, id] of ids.entries()) {
        const name = found[i];
        if (name) names.set(id, name);
        else missing.push(id);
      }
      if (missing.length > 0) for (const p of await base.people.getMany(missing)) names.set(p.id, p.name);
      return names;
    },
  };

  return {
    stores,
    source,
    rebuild,
    async rebuildAll() {
      let n = 0;
      for (const org of await base.organisations.list()) n += Math.max(0, await rebuild(org.id));
      return n;
    },
  };
}
