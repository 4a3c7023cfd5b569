/** Reminders that are right, as Slack receives them through its Web API (test/support/reminder-journeys.ts). */
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { describeReminderJourneys } from '../../support/reminder-journeys.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';

let slack: FakeSlack;
const SLACK_IDS: Record<string, string> = { sup: 'USUP', amy: 'UAMY', ben: 'UBEN', dsl: 'UDSL', head: 'UHEAD' };

describeReminderJourneys('Slack', {
  async start(w) {
    slack = await startFakeSlack();
    const config = loadConfig({
      MONGODB_URI: w.mongoUrl,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: testQueuePrefix(),
      SLACK_SIGNING_SECRET: 'slack-signing-secret-for-tests',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      PLAYGROUND: 'off',
      LOG_LEVEL: 'silent',
    });
    const bot: Bot = await startBot(config, createLogger('silent'), { clock: w.clock });
    return bot;
  },
  arrived: (person, text) => slack.of('chat.postMessage').some((c) => c.body.channel === `D${SLACK_IDS[person]}` && JSON.stringify(c.body).includes(text)),
  close: async () => slack?.close(),
});
