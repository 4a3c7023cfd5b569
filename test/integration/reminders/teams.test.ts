/** Reminders that are right, as Teams receives them through the Bot Connector (test/support/reminder-journeys.ts). */
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { describeReminderJourneys, GROUP } from '../../support/reminder-journeys.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';

let teams: FakeConnector;
let n = 0;

describeReminderJourneys('Teams', {
  async start(w) {
    teams = await startFakeConnector();
    const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
    const bot: Bot = await startBot(config, createLogger('silent'), { clock: w.clock });
    // each person has the bot installed: their conversation is known
    for (const person of GROUP) {
      const res = await fetch(`${bot.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id: `m${++n}`,
          type: 'installationUpdate',
          action: 'add',
          timestamp: new Date().toISOString(),
          channelId: 'msteams',
          serviceUrl: teams.url,
          recipient: { id: '28:bot' },
          from: { id: `29:${person}`, aadObjectId: `aad-${person}` },
          conversation: { id: `conv-${person}`, tenantId: 'tenant-1', conversationType: 'personal' },
        }),
      });
      if (res.status >= 300) throw new Error(`installation for ${person}: ${res.status}`);
    }
    return bot;
  },
  arrived: (person, text) => teams.calls.some((c) => c.conversationId === `conv-${person}` && JSON.stringify(c.body).includes(text)),
  close: async () => teams?.close(),
});
