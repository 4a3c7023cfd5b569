/**
 * The bot process: validated configuration, MongoDB, the queues and their workers, the HTTP server with
 * every channel the environment switches on, and reminders rebuilt from MongoDB.
 */
import { startRuntime, stopRuntime } from './bootstrap.js';
import { mountsFor } from './channels/index.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createServer, listen } from './server.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const runtime = await startRuntime(config, logger);
  const app = await createServer(runtime, await mountsFor(runtime));
  const server = await listen(app, config.PORT, config.HOST);
  const rebuilt = await runtime.queues.rebuildReminders();
  logger.info({ port: config.PORT, host: config.HOST, reminders: rebuilt }, 'supervision bot listening');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    server.close();
    await stopRuntime(runtime);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  process.stderr.write(`supervision bot failed to start: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
