/**
 * Slack's Web API and `response_url`s for a benchmark, in a process of their own (as Slack is not in the
 * client's): the bot's replies would otherwise share the load generator's event loop and delay its clock on the
 * very acknowledgements it times (P1). Prints `{ url, apiUrl }` once listening; over IPC, `'count'` is answered
 * with how many replies and calls it has taken, and `'close'` stops it.
 */
import { startFakeSlack } from '../../test/support/fake-slack.js';

const slack = await startFakeSlack();
process.stdout.write(`${JSON.stringify({ url: slack.url, apiUrl: slack.apiUrl })}\n`);
process.on('message', (message) => {
  if (message === 'count') process.send?.({ answered: slack.responses.length + slack.calls.length });
  if (message === 'close') void slack.close().finally(() => process.exit(0));
});
process.on('disconnect', () => void slack.close().finally(() => process.exit(0)));
