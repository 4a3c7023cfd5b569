/** Builds the runtime: store, queues, notifiers. Shared by `main.ts`, the local start script and tests. */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { systemClock } from './app/clock.js';
import type { AppDeps, ChannelNotifier, Clock } from './app/ports.js';
import { type Config, graphEnabled, teamsInstallEnabled } from './config.js';
import { loadAuditKey } from './app/evidence/keys.js';
import { startAnchoring } from './queue/anchoring.js';
import { RateLimiter } from './channels/rate-limiter.js';
import { GraphCalendar } from './channels/graph.js';
import { startOutlookSync } from './queue/outlook-sync.js';
import { startTeamsInstalls, type TeamsInstalls } from './queue/teams-install.js';
import { startExports } from './queue/exports.js';
import { startRetentionReview } from './queue/retention.js';
import { startQueues } from './queue/queues.js';
import type { Runtime } from './runtime.js';
import { redisConnection } from './queue/redis.js';
import { connectStore } from './store/connection.js';
import { masterKeyFromEnvironment } from './store/encryption.js';
import { overdueIndex } from './store/overdue-index.js';

export interface BootstrapOptions {
  clock?: Clock;
  notifiers?: ChannelNotifier[];
  /** Run the queue workers, the sweep and the periodic index repair here (false: only enqueue, as a web process). */
  workers?: boolean;
  sweepSeconds?: number;
  overdueRefreshMinutes?: number;
}

export async function startRuntime(config: Config, logger: Logger, options: BootstrapOptions = {}): Promise<Runtime> {
  if (!config.MONGODB_URI) throw new Error('MONGODB_URI is required (npm start starts a local server when it is unset)');
  if (!config.REDIS_URL) throw new Error('REDIS_URL is required (npm start starts a local server when it is unset)');
  // the master key that wraps the data keys: the configured one, or outside production the data directory's
  const masterKey = masterKeyFromEnvironment({ DATA_MASTER_KEY: config.DATA_MASTER_KEY, DATA_MASTER_KEY_FILE: config.DATA_MASTER_KEY_FILE, NODE_ENV: config.NODE_ENV, DATA_DIR: process.env.DATA_DIR });
  const store = await connectStore(config.MONGODB_URI, { masterKey });
  const redis = redisConnection(config.REDIS_URL);
  redis.on('error', (e) => logger.warn({ err: e.message }, 'redis connection error'));
  const index = overdueIndex(store.stores, redis, config.QUEUE_PREFIX);
  const pacing = new RateLimiter(redis, config.QUEUE_PREFIX);
  const deps: AppDeps = { ...index.stores, overdueSource: index.source, clock: options.clock ?? systemClock, newId: () => randomUUID(), auditKey: loadAuditKey(config) };
  const notifiers: ChannelNotifier[] = [...(options.notifiers ?? [])];
  const queues = await startQueues({
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    deps,
    notifiers,
    logger,
    concurrency: config.WORKER_CONCURRENCY,
    workers: options.workers,
    sweepSeconds: options.sweepSeconds,
  });
  // repairs the /overdue index after anything a crash between a MongoDB write and its index write left behind
  // (a worker's job: a web process keeps its CPU for acknowledgements)
  const workers = options.workers !== false;
  const refreshMinutes = options.overdueRefreshMinutes ?? 15;
  const refresh = workers
    ? setInterval(() => {
        index.rebuildAll().catch((e) => logger.warn({ err: (e as Error).message }, 'overdue index rebuild failed'));
      }, refreshMinutes * 60_000)
    : undefined;
  refresh?.unref();
  const closers: Array<() => Promise<void>> = [];
  // the audit chain's head is signed at an interval by a worker holding the key (and at every export)
  if (workers && deps.auditKey?.canSign) {
    const anchoring = await startAnchoring({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, deps, logger, minutes: config.AUDIT_ANCHOR_MINUTES });
    closers.push(() => anchoring.close());
  }
  // the daily retention review lists what is due for the DSL; it never destroys anything
  const retention = workers ? await startRetentionReview({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, deps, logger }) : undefined;
  if (retention) closers.push(() => retention.close());
  let teamsInstalls: TeamsInstalls | undefined;
  if (graphEnabled(config)) {
    // sessions as Outlook events in the supervisor's calendar, kept in step from the queue
    const calendar = new GraphCalendar({
      tenantId: config.GRAPH_TENANT_ID as string,
      clientId: config.GRAPH_CLIENT_ID as string,
      clientSecret: config.GRAPH_CLIENT_SECRET as string,
      baseUrl: config.GRAPH_BASE_URL,
      tokenUrl: config.GRAPH_TOKEN_URL,
      logger,
    });
    const outlook = startOutlookSync({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, deps, calendar, logger, workers });
    deps.outlookSync = outlook;
    closers.push(() => outlook.close());
    logger.info({ graph: config.GRAPH_BASE_URL }, 'outlook events on (microsoft graph)');
    if (teamsInstallEnabled(config)) {
      // the Teams app installed for people in no team with it, so reminders reach them too
      teamsInstalls = startTeamsInstalls({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, deps, graph: calendar, catalogAppId: config.TEAMS_APP_CATALOG_ID as string, pacing, logger, workers });
      const installs = teamsInstalls;
      closers.push(() => installs.close());
      logger.info({}, 'teams app installation through microsoft graph on');
    }
  }
  const close = async () => {
    clearInterval(refresh);
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
    await queues.close();
    await redis.quit().catch(() => redis.disconnect());
    await store.close();
  };
  const exports = await startExports({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, deps, connection: store.connection, logger, workers });
  closers.push(() => exports.close());
  return { config, deps, store, queues, workers, logger, notifiers, overdueIndex: index, pacing, exports, retention, teamsInstalls, closers, close };
}

export async function stopRuntime(runtime: Runtime): Promise<void> {
  await runtime.close();
}
