/**
 * The `teams-install` queue: with Microsoft Graph set up (`GRAPH_*` and `TEAMS_APP_CATALOG_ID`), the Teams app is
 * installed for each person the bot has no one-to-one conversation with — someone in no team the app is in —
 * through `POST /users/{id}/teamwork/installedApps`. Teams then sends the bot the installation (an
 * `installationUpdate` in the person's own chat), whose conversation is kept as theirs (`src/channels/teams/bot.ts`;
 * someone linked to nobody is matched by their Teams profile on the `teams-roster` queue).
 *
 * One job a person (job id by person, so asking twice while one waits is one job). Calls are paced (`graph:
 * installedApps`, shared by every process); Graph's client gets a new token on 401, waits out a 429's
 * Retry-After and backs 5xx off, and the queue retries after that. Installed already (409) is success; a person
 * Entra does not know (404) or an app registration without the permission (403) is noted for the admin and not
 * retried. Where each person stands is a Redis hash (`<prefix>:teams-install`), read by the admin's list.
 */
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AppDeps } from '../app/ports.js';
import { GraphError } from '../channels/graph.js';
import type { RateLimiter, RateWindow } from '../channels/rate-limiter.js';
import { CONVERSATION_THREAD } from '../channels/teams/notifier.js';
import { jobIdFor, redisConnection } from './redis.js';

export const TEAMS_INSTALL_QUEUE = 'teams-install';

/** Graph's per-app limits are per tenant and unpublished for this call: ten a second keeps well inside them. */
export const GRAPH_INSTALL_LIMITS: RateWindow[] = [{ limit: 10, windowMs: 1_000 }];

export interface TeamsAppInstaller {
  installTeamsApp(user: string, catalogAppId: string): Promise<'installed' | 'already'>;
}

export interface InstallState {
  state: 'requested' | 'failed';
  at: string;
  /** Why it failed, in words (no personal text). */
  reason?: string;
}

export interface TeamsInstalls {
  /** Queues an installation for every active person of the organisation the bot cannot message in Teams; how many. */
  request(organisationId: string, options?: { delayMs?: number }): Promise<number>;
  /** Where each person's installation stands, by person id. */
  states(): Promise<Map<string, InstallState>>;
  close(): Promise<void>;
}

/** Active people the bot has no Teams conversation with. */
export async function withoutTeamsConversation(deps: AppDeps, organisationId: string) {
  const people = (await deps.people.byOrganisation(organisationId)).filter((p) => p.active !== false);
  const waiting = [];
  for (const p of people) if (!(await deps.deliveries.get(CONVERSATION_THREAD, p.id, 'teams'))) waiting.push(p);
  return waiting;
}

export function startTeamsInstalls(options: { redisUrl: string; prefix: string; deps: AppDeps; graph: TeamsAppInstaller; catalogAppId: string; pacing: RateLimiter; logger: Logger; workers: boolean }): TeamsInstalls {
  const { deps, graph, logger, pacing, prefix } = options;
  const connections: Redis[] = [];
  const conn = () => {
    const c = redisConnection(options.redisUrl);
    c.on('error', (e) => logger.warn({ err: e.message }, 'redis connection error (teams install)'));
    connections.push(c);
    return c;
  };
  const redis = conn();
  const statesKey = `${prefix}:teams-install`;
  const note = (personId: string, state: InstallState) => redis.hset(statesKey, personId, JSON.stringify(state));
  const queue = new Queue(TEAMS_INSTALL_QUEUE, { connection: conn(), prefix });

  async function install(personId: string): Promise<void> {
    const person = await deps.people.get(personId);
    if (!person || person.active === false) return;
    // reached meanwhile (a team's roster, or they opened the app themselves): nothing to install
    if (await deps.deliveries.get(CONVERSATION_THREAD, person.id, 'teams')) {
      await redis.hdel(statesKey, person.id);
      return;
    }
    const user = person.identities.teamsAadObjectId ?? person.email;
    await pacing.take([{ key: 'graph:installedApps', windows: GRAPH_INSTALL_LIMITS }]);
    try {
      const answer = await graph.installTeamsApp(user, options.catalogAppId);
      await note(person.id, { state: 'requested', at: deps.clock.now().toISOString() });
      logger.info({ personId: person.id, answer }, 'teams app installed for a person');
    } catch (error) {
      if (error instanceof GraphError && (error.status === 404 || error.status === 403 || error.status === 400)) {
        const reason =
          error.status === 404
            ? 'Microsoft Entra has no user with this person’s email or object id'
            : error.status === 403
              ? 'the app registration lacks TeamsAppInstallation.ReadWriteForUser.All, or the app is blocked for this person'
              : 'Microsoft Graph refused the installation';
        await note(person.id, { state: 'failed', at: deps.clock.now().toISOString(), reason });
        throw new UnrecoverableError(`installation refused (${error.status})`);
      }
      throw error;
    }
  }

  const worker = options.workers
    ? new Worker(TEAMS_INSTALL_QUEUE, async (job) => install((job.data as { personId: string }).personId), { connection: conn(), prefix, concurrency: 4 })
    : undefined;
  worker?.on('failed', (job, error) => logger.warn({ personId: (job?.data as { personId?: string } | undefined)?.personId, attempts: job?.attemptsMade, err: error.message }, 'teams app installation failed'));
  worker?.on('error', (error) => logger.warn({ queue: TEAMS_INSTALL_QUEUE, err: error.message }, 'worker error'));

  return {
    async request(organisationId, requestOptions = {}) {
      const waiting = await withoutTeamsConversation(deps, organisationId);
      await queue.addBulk(
        waiting.map((p) => ({
          name: 'install',
          data: { personId: p.id },
          opts: { jobId: jobIdFor(`install.${p.id}`), delay: requestOptions.delayMs ?? 0, attempts: 8, backoff: { type: 'exponential' as const, delay: 5_000 }, removeOnComplete: true, removeOnFail: true },
        })),
      );
      return waiting.length;
    },
    async states() {
      const all = await redis.hgetall(statesKey);
      return new Map(Object.entries(all).map(([id, v]) => [id, JSON.parse(v) as InstallState]));
    },
    async close() {
      await worker?.close().catch(() => undefined);
      await queue.close().catch(() => undefined);
      for (const c of connections) await c.quit().catch(() => c.disconnect());
    },
  };
}
