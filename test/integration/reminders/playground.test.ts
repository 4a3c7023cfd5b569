/** Reminders that are right, as they arrive in the playground's chat (test/support/reminder-journeys.ts). */
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { describeReminderJourneys } from '../../support/reminder-journeys.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';

let bot: Bot;

describeReminderJourneys('the playground', {
  async start(w) {
    const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
    bot = await startBot(config, createLogger('silent'), { clock: w.clock });
    return bot;
  },
  async arrived(person, text) {
    const res = await fetch(`${bot.url}/playground/api/inbox`, { headers: { 'x-playground-person': person } });
    return JSON.stringify(await res.json()).includes(text);
  },
  async close() {},
});
