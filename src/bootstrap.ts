/** Builds the runtime: store, queues, notifiers. Shared by `main.ts`, the local start script and tests. */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { systemClock } from './app/clock.js';
import type { AppDeps, ChannelNotifier, Clock } from './app/ports.js';
import type { Config } from './config.js';
import { startQueues } from './queue/queues.js';
import type { Runtime } from './runtime.js';
import { connectStore } from './store/connection.js';

export interface BootstrapOptions {
  clock?: Clock;
  notifiers?: ChannelNotifier[];
  workers?: boolean;
  sweepSeconds?: number;
}

export async function startRuntime(config: Config, logger: Logger, options: BootstrapOptions = {}): Promise<Runtime> {
  if (!config.MONGODB_URI) throw new Error('MONGODB_URI is required (npm start starts a local server when it is unset)');
  if (!config.REDIS_URL) throw new Error('REDIS_URL is required (npm start starts a local server when it is unset)');
  const store = await connectStore(config.MONGODB_URI);
  const deps: AppDeps = { ...store.stores, clock: options.clock ?? systemClock, newId: () => randomUUID() };
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
  return { config, deps, store, queues, logger, notifiers };
}

export async function stopRuntime(runtime: Runtime): Promise<void> {
  await runtime.queues.close();
  await runtime.store.close();
}
