/**
 * Slack's OAuth install flow for many workspaces (`@slack/oauth`, through Bolt's `ExpressReceiver`): the
 * `installationStore` Bolt reads on every request (`authorize`) and writes when a workspace installs the app, kept
 * in MongoDB (`slackInstallations`, tokens encrypted), and the pages the person installing sees afterwards.
 * A workspace belongs to the organisation whose `slackTeamId` it is; one installed before any organisation claims it
 * is kept, and its people are told "this workspace is not linked to a school yet" until the admin links it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ExpressReceiverOptions, type Installation, type InstallationQuery, type InstallationStore, type Logger, LogLevel } from '@slack/bolt';

/** `installerOptions.callbackOptions` as Bolt takes them (`@slack/oauth`'s `CallbackOptions`). */
type CallbackOptions = NonNullable<NonNullable<ExpressReceiverOptions['installerOptions']>['callbackOptions']>;
import type { Runtime } from '../../runtime.js';

/** What the bot asks of a workspace: the commands, DMs, its App Home, and matching staff by email. */
export const SLACK_SCOPES = ['commands', 'chat:write', 'im:history', 'im:write', 'users:read', 'users:read.email'];

const html = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (res: ServerResponse, status: number, title: string, body: string) => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title></head><body><h1>${html(title)}</h1><p>${html(body)}</p></body></html>`);
};

export function slackInstallStore(runtime: Runtime): { store: InstallationStore; callbacks: CallbackOptions } {
  const { deps, logger } = runtime;
  const store: InstallationStore = {
    async storeInstallation(installation: Installation) {
      const kept = await deps.slackInstallations.store(installation as unknown as Record<string, unknown>, deps.clock.now());
      // ids only: who installed, which workspace, which organisation claims it
      logger.info({ teamId: kept.teamId, enterpriseId: kept.enterpriseId, linked: Boolean(kept.organisationId) }, 'slack workspace installed');
      if (kept.organisationId) {
        await deps.audit.append({
          organisationId: kept.organisationId,
          actorId: 'slack',
          action: 'slack.installed',
          subject: { kind: 'organisation', id: kept.organisationId },
          detail: { ...(kept.teamId ? { teamId: kept.teamId } : {}), ...(kept.enterpriseId ? { enterpriseId: kept.enterpriseId } : {}) },
          at: deps.clock.now(),
        });
      }
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      const found = await deps.slackInstallations.fetch(query);
      if (!found) throw new Error('no installation of the app for this workspace');
      return found as unknown as Installation;
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      await deps.slackInstallations.remove(query);
    },
  };
  const callbacks: CallbackOptions = {
    success: (installation: Installation, _options: unknown, _req: IncomingMessage, res: ServerResponse) => {
      const name = installation.team?.name ?? installation.enterprise?.name ?? 'your workspace';
      page(res, 200, 'Supervision Bot is installed', `Installed in ${name}. If this workspace is not linked to your school yet, your school’s admin links it in the dashboard (Organisation page); people can then use /supervision and /overdue.`);
    },
    failure: (error: Error & { code?: string }, _options: unknown, _req: IncomingMessage, res: ServerResponse) => {
      // the code only: a failed install's message may carry what Slack answered
      logger.warn({ code: error.code }, 'slack install did not finish');
      page(res, 400, 'The installation did not finish', 'Nothing was installed. Start again from the install link (it works once, in the browser that opened it).');
    },
  };
  return { store, callbacks };
}

/**
 * Bolt's receiver (and its install flow) logging through the bot's logger: an error by its code and message only,
 * never a request's body; debug and info dropped.
 */
export function receiverLogger(logger: Runtime['logger']): Logger {
  const line = (args: unknown[]) => {
    const error = args.find((a): a is Error & { code?: string } => a instanceof Error);
    const words = args.filter((a): a is string => typeof a === 'string').join(' ').slice(0, 200);
    return error ? { err: error.message.slice(0, 200), code: error.code } : { msg: words };
  };
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...args: unknown[]) => logger.warn(line(args), 'slack receiver'),
    error: (...args: unknown[]) => logger.warn(line(args), 'slack receiver error'),
    setLevel: () => undefined,
    getLevel: () => LogLevel.WARN,
    setName: () => undefined,
  };
}
