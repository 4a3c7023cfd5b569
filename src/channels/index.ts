/** The channels the configuration switches on, in mount order. */
import type { Runtime } from '../runtime.js';
import { slackInstallEnabled } from '../config.js';
import { type ChannelNotifier, RecipientUnreachableError } from '../app/ports.js';
import type { Mount } from '../server.js';
import { guardedNotifier } from './content-guard.js';
import { publicBase, withLink } from './conversation.js';

export async function mountsFor(runtime: Runtime): Promise<Mount[]> {
  const mounts: Mount[] = [];
  const { config } = runtime;
  const installed = slackInstallEnabled(config);
  if (installed || (config.SLACK_BOT_TOKEN && (config.SLACK_SIGNING_SECRET || config.SLACK_APP_TOKEN))) {
    const { createSlackChannel } = await import('./slack/app.js');
    const slack = createSlackChannel(runtime, {
      ...(installed
        ? { install: { clientId: config.SLACK_CLIENT_ID as string, clientSecret: config.SLACK_CLIENT_SECRET as string, stateSecret: config.SLACK_STATE_SECRET as string } }
        : { botToken: config.SLACK_BOT_TOKEN }),
      signingSecret: config.SLACK_SIGNING_SECRET ?? '',
      appToken: config.SLACK_APP_TOKEN,
      apiUrl: config.SLACK_API_URL,
    });
    runtime.notifiers.push(guardedNotifier(runtime, withLinks(slack.notifier, publicBase(config))));
    runtime.closers.push(() => slack.close());
    mounts.push(slack.mount);
    runtime.logger.info({ mode: config.SLACK_APP_TOKEN ? 'socket' : 'http', workspaces: installed ? 'installed' : 'one' }, 'slack channel on');
  }
  const loopback = ['127.0.0.1', '::1', 'localhost'].includes(config.HOST);
  if (config.MicrosoftAppId || loopback) {
    const { createTeamsChannel } = await import('./teams/bot.js');
    const teams = createTeamsChannel(runtime, {
      appId: config.MicrosoftAppId,
      appPassword: config.MicrosoftAppPassword,
      appType: config.MicrosoftAppType,
      tenantId: config.MicrosoftAppTenantId,
      certificateThumbprint: config.MicrosoftAppCertificateThumbprint,
      certificatePrivateKey: config.MicrosoftAppCertificatePrivateKey,
      openIdMetadataUrl: config.BotOpenIdMetadata,
    });
    // Local try-out without an app id has no Teams installation to miss: someone who has not opened the Bot
    // Framework Emulator is not "unreachable" (the playground reaches everyone), so /overdue does not say so.
    runtime.notifiers.push(guardedNotifier(runtime, withLinks(config.MicrosoftAppId || !(config.PLAYGROUND && loopback) ? teams.notifier : quietWhenNotInstalled(teams.notifier), publicBase(config))));
    mounts.push((app) => teams.mount(app));
    if (config.MicrosoftAppId) runtime.logger.info({ appType: config.MicrosoftAppType }, 'teams channel on: every request must carry a valid Bot Framework token');
    else runtime.logger.warn({ host: config.HOST }, 'teams channel on WITHOUT authentication (no MicrosoftAppId, loopback only): for local try-out');
  }
  // the playground: a web chat for trying the bot out with the demo school, never on a public address
  if (config.PLAYGROUND && loopback) {
    const { createPlaygroundChannel } = await import('./playground/index.js');
    const playground = createPlaygroundChannel(runtime);
    runtime.notifiers.push(playground.notifier);
    mounts.push(playground.mount);
    runtime.logger.info({ path: '/playground' }, 'playground on (local try-out)');
  }
  // the DSL dashboard tab: always on; its API names the caller by Teams SSO (or the demo person locally)
  const { tabMount } = await import('../web/tab/router.js');
  mounts.push(tabMount());
  // the admin API: imports, contracts and chat identities
  const { importsApiMount } = await import('../web/admin/imports-api.js');
  mounts.push(importsApiMount());
  // the first-run setup page, opened by the single-use link the bot logs on an empty database
  const { setupMount } = await import('../web/admin/setup.js');
  mounts.push(setupMount());
  // each person's private calendar feed, by the secret in its address
  const { calendarMount } = await import('../web/calendar.js');
  mounts.push(calendarMount());
  return mounts;
}

/** Messages leave with their links whole: an invite's address is the bot's public address and its path. */
function withLinks(notifier: ChannelNotifier, base: string): ChannelNotifier {
  return {
    platform: notifier.platform,
    canReach: (person) => notifier.canReach(person),
    deliver: (person, message) => notifier.deliver(person, { ...message, view: withLink(message.view, base) }),
  };
}

function quietWhenNotInstalled(notifier: ChannelNotifier): ChannelNotifier {
  return {
    platform: notifier.platform,
    canReach: (person) => notifier.canReach(person),
    async deliver(person, message) {
      try {
        await notifier.deliver(person, message);
      } catch (error) {
        if (!(error instanceof RecipientUnreachableError)) throw error;
      }
    },
  };
}
