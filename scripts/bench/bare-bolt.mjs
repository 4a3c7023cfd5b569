/**
 * P1's floor: a bare Bolt app (HTTP receiver, the same endpoints and signing secret) whose handlers only
 * acknowledge. P1 runs it on the same machine in the same run and reports the bot's p99 as a multiple of it.
 * Plain JavaScript, so it runs as the compiled bot does (no TypeScript loader).
 */
import { App, ExpressReceiver, LogLevel } from '@slack/bolt';

const receiver = new ExpressReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  endpoints: { events: '/slack/events', commands: '/slack/commands', interactions: '/slack/interactions' },
  processBeforeResponse: false,
  logLevel: LogLevel.ERROR,
});
const app = new App({ receiver, authorize: async () => ({ botToken: 'xoxb-bare', botId: 'BBARE', botUserId: 'UBARE' }), logLevel: LogLevel.ERROR });
app.command(/.*/, async ({ ack }) => ack());
app.action(/.*/, async ({ ack }) => ack());
receiver.app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
