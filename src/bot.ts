/**
 * One bot process in the role the configuration gives it (`ROLE`):
 * - `all` (the default, one process): the runtime with its queue workers, the HTTP server with every channel
 *   the configuration switches on, and the reminders rebuilt from MongoDB;
 * - `web`: the HTTP server only — requests are verified, acknowledged and put on the queues; no workers, no
 *   sweeps, no rebuild, so acknowledgements never share the CPU with queued work;
 * - `worker`: the queue workers (commands, notifications, reminders, Slack work) with the channels' notifiers,
 *   the reminders rebuilt, and `/healthz` only.
 * `main.ts` runs it in production and `scripts/start.ts` for the local try-out.
 */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { AdjustableClock, systemClock } from './app/clock.js';
import { deliverWaitingEscalations } from './app/effects.js';
import { isEmpty } from './app/admin/first-run.js';
import { createSetupLink } from './app/admin/links.js';
import type { Clock } from './app/ports.js';
import { startRuntime, stopRuntime } from './bootstrap.js';
import { mountsFor } from './channels/index.js';
import type { Config } from './config.js';
import type { Runtime } from './runtime.js';
import { createServer, listen } from './server.js';
import { savedClockOffset } from './store/playground-clock.js';

export interface Bot {
  runtime: Runtime;
  server: Server;
  url: string;
  /** On an empty database: the single-use setup link (24 hours) that creates the organisation and its first admin. */
  setupUrl?: string;
  stop(): Promise<void>;
}

export interface BotOptions {
  /** Runs once the database is connected, before anything listens (e.g. loading the demo school). */
  prepare?: (runtime: Runtime) => Promise<void>;
  clock?: Clock;
}

export async function startBot(config: Config, logger: Logger, options: BotOptions = {}): Promise<Bot> {
  // the playground's clock control moves only the playground's process; production uses real time
  const clock = options.clock ?? (config.PLAYGROUND ? new AdjustableClock() : systemClock);
  const role = config.ROLE;
  const runtime = await startRuntime(config, logger, { clock, workers: role !== 'web' });
  try {
    // the playground's clock carries on where it was moved to before a restart
    if (!options.clock && clock instanceof AdjustableClock) {
      const offset = await savedClockOffset(runtime.store.connection);
      if (offset > 0) {
        clock.advance(offset);
        logger.info({ offsetMs: offset }, 'playground clock restored');
      }
    }
    await options.prepare?.(runtime);
    // a worker builds the channels too: their notifiers deliver, and Slack's queued work runs there
    const mounts = await mountsFor(runtime);
    const web = await createServer(runtime, role === 'worker' ? [] : mounts);
    const server = await listen(web, config.PORT, config.HOST);
    const reminders = role === 'web' ? undefined : await runtime.queues.rebuildReminders();
    // a risk of harm raised while the school had nobody to hear it goes to the safeguarding leads named since
    if (role !== 'web') for (const org of await runtime.deps.organisations.list()) await deliverWaitingEscalations(runtime.deps, org);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
    const url = `http://${host}:${port}`;
    logger.info({ url, role, reminders }, 'supervision bot listening');
    // first run: nobody can sign in yet, so the log carries the one link that sets the organisation up
    let setupUrl: string | undefined;
    if (role !== 'worker' && (await isEmpty(runtime.deps))) {
      const link = await createSetupLink(runtime.deps);
      setupUrl = `${(config.PUBLIC_BASE_URL ?? url).replace(/\/+$/, '')}${link.path}`;
      logger.info({ setupUrl, expiresAt: link.expiresAt.toISOString() }, 'first run: open the setup link to create the organisation and its first admin (it works once, for 24 hours)');
    }
    let stopped = false;
    return {
      runtime,
      server,
      url,
      setupUrl,
      async stop() {
        if (stopped) return;
        stopped = true;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await stopRuntime(runtime);
      },
    };
  } catch (error) {
    await stopRuntime(runtime).catch(() => undefined);
    throw error;
  }
}
