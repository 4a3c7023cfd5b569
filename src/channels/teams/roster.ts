/**
 * Teams identities outside the Bot Framework request, on the `teams-roster` queue (a worker process runs it;
 * a web process only adds jobs):
 *
 * - `team`: the app was installed in a team. The roster is read page by page (`TeamsInfo.getPagedMembers`),
 *   its members matched to people by Entra object id or email (`matchTeamsRoster`), and each matched person
 *   without a one-to-one conversation gets a `conversation` job.
 * - `conversation`: creates one person's one-to-one conversation (`createConversation`) and keeps its reference,
 *   so reminders reach someone who never wrote to the bot. Done already: nothing happens (a job run twice, or a
 *   person who wrote meanwhile).
 * - `personal`: the app was installed for one person (by themselves, or by Graph `teamwork/installedApps`) and
 *   they are linked to nobody yet: their Teams profile (`TeamsInfo.getMember`: email, user principal name) is
 *   matched the same way and, matched, the installation's own conversation is kept as theirs.
 *
 * Every call to the Bot Connector takes a slot in the tenant's window first (Teams' 50 a second per bot per
 * tenant, shared with the sends by every process, `RateLimiter`); a 429 holds the tenant for its Retry-After
 * and the job is retried with back-off, as is any other failure.
 */
import { type CloudAdapter, type ConversationReference, TeamsInfo, type TurnContext } from 'botbuilder';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { matchTeamsRoster, type TeamsMember } from '../../app/identities.js';
import { jobIdFor, redisConnection } from '../../queue/redis.js';
import type { Runtime } from '../../runtime.js';
import type { PacedKey } from '../rate-limiter.js';
import { CONVERSATION_THREAD, TEAMS_SEND_LIMITS } from './notifier.js';

export const TEAMS_ROSTER_QUEUE = 'teams-roster';

/** What a later turn needs of the activity that asked for the work (its context is closed once answered). */
export interface TurnOrigin {
  reference: Partial<ConversationReference>;
  channelData: unknown;
  conversation: Record<string, unknown>;
  tenantId?: string;
}

export type RosterJob =
  | { kind: 'team'; origin: TurnOrigin }
  | { kind: 'conversation'; origin: TurnOrigin; personId: string; member: TeamsMember }
  | { kind: 'personal'; origin: TurnOrigin; memberId: string };

export interface TeamsRoster {
  /** Queues the work; `key` makes a repeated activity (a retry by Teams) one job while it is waiting. */
  add(job: RosterJob, key: string): Promise<void>;
  close(): Promise<void>;
}

const JOB_OPTIONS = { attempts: 12, backoff: { type: 'exponential' as const, delay: 2_000 }, removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 } };

export function startTeamsRoster(runtime: Runtime, adapter: CloudAdapter, appId: string): TeamsRoster {
  const { deps, logger, pacing } = runtime;
  const prefix = runtime.config.QUEUE_PREFIX;
  const connections: Redis[] = [];
  const conn = () => {
    const c = redisConnection(runtime.config.REDIS_URL ?? '');
    c.on('error', (e) => logger.warn({ err: e.message }, 'redis connection error (teams roster)'));
    connections.push(c);
    return c;
  };
  const queue = new Queue(TEAMS_ROSTER_QUEUE, { connection: conn(), prefix });
  const add = async (job: RosterJob, key: string) => {
    await queue.add(job.kind, job, { jobId: jobIdFor(`${job.kind}.${key}`), ...JOB_OPTIONS });
  };

  const tenantKey = (tenantId: string | undefined): PacedKey[] => [{ key: `teams:tenant:${tenantId ?? 'tenant'}`, windows: TEAMS_SEND_LIMITS.perTenant }];

  /** One Bot Connector call through the tenant's pacing; a 429 holds the tenant for every process. */
  async function paced<T>(tenantId: string | undefined, call: () => Promise<T>): Promise<T> {
    // counted from when the connector answered, as the notifier's sends on the same key are (takeSettled)
    const settle = await pacing.takeSettled(tenantKey(tenantId));
    try {
      return await call().finally(settle);
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      const retryAfter = Number((error as { response?: { headers?: { get?(name: string): string | undefined } } }).response?.headers?.get?.('retry-after'));
      if (status === 429) await pacing.pause(tenantKey(tenantId)[0]!.key, (Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1) * 1000);
      throw error;
    }
  }

  /** Runs `work` in a turn on the origin's conversation, throwing what it throws (the adapter would swallow it). */
  async function inTurn(origin: TurnOrigin, work: (context: TurnContext) => Promise<void>): Promise<void> {
    let failure: unknown;
    await adapter.continueConversationAsync(appId, origin.reference, async (context) => {
      try {
        context.activity.channelData = origin.channelData;
        context.activity.conversation = { ...context.activity.conversation, ...origin.conversation } as never;
        // retries are the queue's, each through the pacing: the connector client's own policy would resend outside it
        const connector = context.turnState.get(adapter.ConnectorClientKey) as { client?: { pipeline?: { removePolicy(policy: { name: string }): unknown } } } | undefined;
        connector?.client?.pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
        await work(context);
      } catch (error) {
        failure = error;
      }
    });
    if (failure) throw failure;
  }

  async function readTeam(origin: TurnOrigin): Promise<void> {
    await inTurn(origin, async (context) => {
      const members: TeamsMember[] = [];
      let continuationToken: string | undefined;
      do {
        const page = await paced(origin.tenantId, () => TeamsInfo.getPagedMembers(context, 500, continuationToken));
        for (const m of page.members ?? []) members.push({ id: m.id, aadObjectId: m.aadObjectId, email: m.email, userPrincipalName: m.userPrincipalName });
        continuationToken = page.continuationToken || undefined;
      } while (continuationToken && members.length < 100_000);
      const matched = await matchTeamsRoster(deps, origin.tenantId, members);
      const waiting: typeof matched = [];
      for (const m of matched) if (!(await deps.deliveries.get(CONVERSATION_THREAD, m.person.id, 'teams'))) waiting.push(m);
      await queue.addBulk(
        waiting.map(({ person, member }) => ({
          name: 'conversation',
          data: { kind: 'conversation', origin, personId: person.id, member } satisfies RosterJob,
          opts: { jobId: jobIdFor(`conversation.${person.id}`), ...JOB_OPTIONS },
        })),
      );
      logger.info({ members: members.length, matched: matched.length, conversations: waiting.length }, 'teams roster read');
      // people in no team with the app: installed for them through Graph, once the conversations above are open
      const organisationId = matched[0]?.person.organisationId;
      if (organisationId && runtime.teamsInstalls) await runtime.teamsInstalls.request(organisationId, { delayMs: 60_000 });
    });
  }

  async function openConversation(job: Extract<RosterJob, { kind: 'conversation' }>): Promise<void> {
    if (await deps.deliveries.get(CONVERSATION_THREAD, job.personId, 'teams')) return;
    const { origin, member } = job;
    await inTurn(origin, async (context) => {
      const connector = context.turnState.get(adapter.ConnectorClientKey) as { conversations: { createConversation(p: unknown): Promise<{ id?: string }> } };
      const result = await paced(origin.tenantId, () =>
        connector.conversations.createConversation({
          isGroup: false,
          bot: origin.reference.bot,
          members: [{ id: member.id }],
          tenantId: origin.tenantId,
          channelData: { tenant: { id: origin.tenantId } },
        }),
      );
      if (!result.id) throw new Error('the Bot Connector created no conversation');
      const reference: Partial<ConversationReference> = {
        ...origin.reference,
        activityId: undefined,
        user: { id: member.id, name: '', aadObjectId: member.aadObjectId } as never,
        conversation: { id: result.id, isGroup: false, conversationType: 'personal', tenantId: origin.tenantId, name: '' } as never,
      };
      await deps.deliveries.put(CONVERSATION_THREAD, job.personId, 'teams', { reference: JSON.stringify(reference) });
      await deps.people.setReachability(job.personId, 'teams', true, deps.clock.now());
    });
  }

  async function matchInstaller(job: Extract<RosterJob, { kind: 'personal' }>): Promise<void> {
    const { origin } = job;
    await inTurn(origin, async (context) => {
      const member = await paced(origin.tenantId, () => TeamsInfo.getMember(context, job.memberId));
      const matched = await matchTeamsRoster(deps, origin.tenantId, [{ id: member.id, aadObjectId: member.aadObjectId, email: member.email, userPrincipalName: member.userPrincipalName }]);
      const found = matched[0];
      if (!found) {
        logger.info({}, 'teams installation by someone not matched');
        return;
      }
      // the installation's own conversation is theirs: reminders reach them there
      const reference = { ...origin.reference, activityId: undefined };
      await deps.deliveries.put(CONVERSATION_THREAD, found.person.id, 'teams', { reference: JSON.stringify(reference) });
      await deps.people.setReachability(found.person.id, 'teams', true, deps.clock.now());
      logger.info({ personId: found.person.id }, 'teams installation matched');
    });
  }

  const worker = runtime.workers
    ? new Worker(
        TEAMS_ROSTER_QUEUE,
        async (job: Job) => {
          const data = job.data as RosterJob;
          try {
            if (data.kind === 'team') return await readTeam(data.origin);
            if (data.kind === 'conversation') return await openConversation(data);
            return await matchInstaller(data);
          } catch (error) {
            // the team, the member or the bot's access is not there: trying again would change nothing
            const status = (error as { statusCode?: number }).statusCode;
            if (status === 400 || status === 401 || status === 403 || status === 404) throw new UnrecoverableError(`the Bot Connector answered ${status}`);
            throw error;
          }
        },
        { connection: conn(), prefix, concurrency: 4 },
      )
    : undefined;
  worker?.on('failed', (job, error) => logger.warn({ kind: job?.name, attempts: job?.attemptsMade, err: error.message }, 'teams roster work failed'));
  worker?.on('error', (error) => logger.warn({ queue: TEAMS_ROSTER_QUEUE, err: error.message }, 'worker error'));

  return {
    add,
    async close() {
      await worker?.close().catch(() => undefined);
      await queue.close().catch(() => undefined);
      for (const c of connections) await c.quit().catch(() => c.disconnect());
    },
  };
}
