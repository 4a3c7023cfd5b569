/**
 * A queue worker in its own process, so a test can kill -9 it mid-job. Writes to the real store are
 * slowed by WRITE_DELAY_MS so that the kill lands while a job is in flight. With SLACK_API_URL and/or
 * TEAMS=1 it delivers notifications through the real Slack and Teams notifiers (to the stand-ins), paced by
 * the limiter shared in Redis, as a deployed worker does.
 */
import { randomUUID } from 'node:crypto';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import { AdjustableClock } from '../../src/app/clock.js';
import type { AppDeps, ChannelNotifier } from '../../src/app/ports.js';
import { RateLimiter } from '../../src/channels/rate-limiter.js';
import { SlackNotifier } from '../../src/channels/slack/notifier.js';
import { TeamsNotifier } from '../../src/channels/teams/notifier.js';
import { createLogger } from '../../src/logger.js';
import { startQueues } from '../../src/queue/queues.js';
import { redisConnection } from '../../src/queue/redis.js';
import { connectStore } from '../../src/store/connection.js';

const env = process.env as Record<string, string>;
const store = await connectStore(env.MONGO_URL as string);
const clock = new AdjustableClock();
clock.set(new Date(env.CLOCK_AT as string));
const delay = Number(env.WRITE_DELAY_MS ?? '0');
const slow = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A) => {
  await new Promise((r) => setTimeout(r, delay));
  return fn(...a);
};
const records = { ...store.stores.records, replace: slow(store.stores.records.replace) };
const deps: AppDeps = { ...store.stores, records, clock, newId: () => randomUUID() };
const logger = createLogger('silent');
const notifiers: ChannelNotifier[] = [];
if (env.SLACK_API_URL || env.TEAMS === '1') {
  const pacing = new RateLimiter(redisConnection(env.REDIS_URL as string), env.PREFIX as string);
  if (env.SLACK_API_URL) notifiers.push(new SlackNotifier(deps, pacing, 'xoxb-fleet', env.SLACK_API_URL));
  if (env.TEAMS === '1') {
    // local Teams without credentials, as the notifier tests: the conversation references point at the stand-in
    const credentials = new ConfigurationServiceClientCredentialFactory({ MicrosoftAppId: '', MicrosoftAppPassword: '' } as never);
    const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '' }, credentials));
    adapter.onTurnError = async () => undefined;
    notifiers.push(new TeamsNotifier(deps, pacing, adapter, '', logger));
  }
}
await startQueues({
  redisUrl: env.REDIS_URL as string,
  prefix: env.PREFIX as string,
  deps,
  notifiers,
  logger,
  concurrency: Number(env.CONCURRENCY ?? '5'),
  lockDurationMs: Number(env.LOCK_MS ?? '2000'),
  stalledIntervalMs: Number(env.LOCK_MS ?? '2000') / 2,
  sweepSeconds: 3600,
});
process.stdout.write('ready\n');
