/**
 * A small school on real services for integration tests: a fresh database on the test MongoDB-wire server, a
 * controllable clock, and the people and contracts the policies describe.
 *
 *   const world = await createWorld();      // store + deps + people + two 4-weekly contracts
 *   world.clock.set(london('2025-11-10T09:00'));
 *   await world.close();
 */
import { randomUUID } from 'node:crypto';
import { AdjustableClock } from '../../src/app/clock.js';
import type { AppDeps } from '../../src/app/ports.js';
import { saveContract } from '../../src/app/sessions.js';
import type { Organisation, Person, SupervisionContract } from '../../src/domain/types.js';
import { connectStore, type StoreHandle } from '../../src/store/connection.js';
import { recordFreeText } from './free-text.js';
import { contract, london, person, school } from './school.js';
import { testMongoUrl } from './services.js';

export interface World {
  store: StoreHandle;
  /** The connection string of this world's database, credentials included. */
  mongoUrl: string;
  deps: AppDeps;
  clock: AdjustableClock;
  org: Organisation;
  people: Record<'dsl' | 'deputy' | 'head' | 'governor' | 'sup' | 'sup2' | 'amy' | 'ben' | 'auditor' | 'stranger', Person>;
  contracts: { amy: SupervisionContract; ben: SupervisionContract };
  close(): Promise<void>;
}

export async function createWorld(label = 'world', options: { mongoUrl?: string; arrange?: boolean } = {}): Promise<World> {
  const mongoUrl = options.mongoUrl ?? testMongoUrl(label);
  const store = await connectStore(mongoUrl);
  const clock = new AdjustableClock();
  clock.set(london('2025-11-10T09:00'));
  const deps: AppDeps = { ...store.stores, clock, newId: () => randomUUID() };
  const org = school();
  const people = {
    dsl: person('dsl', ['dsl', 'supervisor'], { name: 'Dee Lead', identities: { slackUserId: 'UDSL', teamsAadObjectId: 'aad-dsl' } }),
    deputy: person('deputy', ['deputy-dsl'], { name: 'Deputy Dan' }),
    head: person('head', ['headteacher', 'supervisor'], { name: 'Helen Head', identities: { slackUserId: 'UHEAD', teamsAadObjectId: 'aad-head' } }),
    governor: person('governor', ['governor'], { name: 'Gill Governor' }),
    sup: person('sup', ['supervisor'], { name: 'Sam Supervisor', lineManagerId: 'head', identities: { slackUserId: 'USUP', teamsAadObjectId: 'aad-sup' } }),
    sup2: person('sup2', ['supervisor'], { name: 'Sue Other' }),
    amy: person('amy', ['supervisee'], { name: 'Amy Teacher', lineManagerId: 'sup', identities: { slackUserId: 'UAMY', teamsAadObjectId: 'aad-amy' } }),
    ben: person('ben', ['supervisee'], { name: 'Ben Pastoral', lineManagerId: 'sup', identities: { slackUserId: 'UBEN', teamsAadObjectId: 'aad-ben' } }),
    auditor: person('auditor', ['auditor'], { name: 'Ada Auditor' }),
    stranger: person('stranger', [], { name: 'Stan Ger', identities: { slackUserId: 'USTRANGER', teamsAadObjectId: 'aad-stranger' } }),
  };
  await store.stores.organisations.upsert(org);
  for (const p of Object.values(people)) await store.stores.people.upsert(p);
  const contracts = {
    amy: contract({ id: 'c-amy', superviseeIds: ['amy'], disputeRoute: 'safeguarding-governor' }),
    ben: contract({ id: 'c-ben', superviseeIds: ['ben'], disputeRoute: 'line-manager' }),
  };
  for (const c of Object.values(contracts)) await store.stores.contracts.upsert(c);
  if (options.arrange !== false) for (const c of Object.values(contracts)) await saveContract(deps, org, c);
  return {
    mongoUrl,
    store,
    deps,
    clock,
    org,
    people,
    contracts,
    async close() {
      // the whole suite's log check looks for this database's free text in the logs (free-text.ts)
      await recordFreeText(store.connection);
      await store.connection.dropDatabase().catch(() => undefined);
      await store.close();
    },
  };
}
