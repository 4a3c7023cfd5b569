/** Everything a channel needs at run time, built once by `main.ts` (or by a test). */
import type { Logger } from 'pino';
import type { RateLimiter } from './channels/rate-limiter.js';
import type { Config } from './config.js';
import type { AppDeps, ChannelNotifier } from './app/ports.js';
import type { ExportJobs } from './queue/exports.js';
import type { Queues } from './queue/queues.js';
import type { RetentionReview } from './queue/retention.js';
import type { TeamsInstalls } from './queue/teams-install.js';
import type { StoreHandle } from './store/connection.js';
import type { OverdueIndex } from './store/overdue-index.js';

export interface Runtime {
  config: Config;
  deps: AppDeps;
  store: StoreHandle;
  queues: Queues;
  /** Whether this process runs the queue workers (a worker process or the single process) or only enqueues. */
  workers: boolean;
  logger: Logger;
  /** Channels add their notifier here before the queues start delivering. */
  notifiers: ChannelNotifier[];
  overdueIndex: OverdueIndex;
  /** Platform send pacing shared by every process of the deployment (windows in Redis). */
  pacing: RateLimiter;
  /** Inspection bundles: built by a worker, polled for progress, downloaded by whoever asked. */
  exports?: ExportJobs;
  /** The daily retention review (a worker's job); `runOnce` runs it now. */
  retention?: RetentionReview;
  /** With Graph and TEAMS_APP_CATALOG_ID: the Teams app installed for people in no team with it. */
  teamsInstalls?: TeamsInstalls;
  /** Channels register what they must close; run before the queues and stores close. */
  closers: Array<() => Promise<void>>;
  /** Stops the queues and closes Redis and MongoDB. */
  close(): Promise<void>;
}
