/** The channels the configuration switches on, in mount order. */
import type { Runtime } from '../runtime.js';
import type { Mount } from '../server.js';

export async function mountsFor(runtime: Runtime): Promise<Mount[]> {
  const mounts: Mount[] = [];
  const { config } = runtime;
  if (config.SLACK_BOT_TOKEN && (config.SLACK_SIGNING_SECRET || config.SLACK_APP_TOKEN)) {
    const { createSlackChannel } = await import('./slack/app.js');
    const slack = createSlackChannel(runtime, {
      botToken: config.SLACK_BOT_TOKEN,
      signingSecret: config.SLACK_SIGNING_SECRET ?? '',
      appToken: config.SLACK_APP_TOKEN,
      apiUrl: config.SLACK_API_URL,
    });
    runtime.notifiers.push(slack.notifier);
    runtime.closers.push(() => slack.close());
    mounts.push(slack.mount);
    runtime.logger.info({ mode: config.SLACK_APP_TOKEN ? 'socket' : 'http' }, 'slack channel on');
  }
  return mounts;
}
