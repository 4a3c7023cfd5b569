/**
 * Where "Keep supervision content out of chat" is applied: every view a channel sends a person passes through
 * `guard`, which asks the person's organisation and, with the setting on, hands the view to `keepContentOut`
 * (`src/app/content-out-of-chat.ts`). The notifiers are wrapped here; the conversations (Teams, the playground)
 * and Slack's work call `guard` on each answer.
 */
import { keepContentOut } from '../app/content-out-of-chat.js';
import type { ChannelNotifier, Platform } from '../app/ports.js';
import type { NotificationView } from '../app/views.js';
import type { Organisation } from '../domain/types.js';
import type { Runtime } from '../runtime.js';
import { publicBase, teamsTabLink } from './conversation.js';
import { organisationWithin } from './timely-organisation.js';

/**
 * The address of a dashboard page as the platform opens it: in Teams the tab's deep link to that page (it signs
 * in with SSO); in Slack and the playground the page itself, which asks a Slack user to sign in with `dashboard`.
 */
export function dashboardUrl(config: Runtime['config'], platform: Platform): (page: string) => string {
  const appId = config.MicrosoftAppId;
  if (platform === 'teams' && appId) return (page) => teamsTabLink(appId, page);
  const base = publicBase(config);
  return (page) => `${base}${page}`;
}

/** The view as the organisation allows it into chat. */
export function guardView(org: Pick<Organisation, 'keepContentOutOfChat'> | null | undefined, view: NotificationView, url: (page: string) => string): NotificationView {
  return org?.keepContentOutOfChat === true ? keepContentOut(view, url) : view;
}

export type Guard = (organisationId: string, view: NotificationView) => Promise<NotificationView>;

/** How long an answer waits for the organisation's setting (a person is waiting; Teams allows five seconds in all). */
const SETTING_WAIT_MS = 1500;

/**
 * The guard for one channel. The setting is read for every view; while the database is down or slow the answer
 * goes on with the setting as last read, and with none read yet as if it were on (fail closed: an answer then is
 * an apology or a refusal, which carries nobody's words anyway).
 */
export function contentGuard(runtime: Runtime, platform: Platform): Guard {
  const url = dashboardUrl(runtime.config, platform);
  const known = new Map<string, boolean>();
  return async (organisationId, view) => {
    try {
      const org = await organisationWithin(runtime.deps, organisationId, SETTING_WAIT_MS);
      if (org !== 'slow') {
        if (org) known.set(organisationId, org.keepContentOutOfChat === true);
        return guardView(org, view, url);
      }
    } catch {
      // the database failing: as last read, below
    }
    return guardView({ keepContentOutOfChat: known.get(organisationId) ?? true }, view, url);
  };
}

/** Every message a notifier delivers, as the recipient's organisation allows it into chat. */
export function guardedNotifier(runtime: Runtime, notifier: ChannelNotifier): ChannelNotifier {
  const guard = contentGuard(runtime, notifier.platform);
  return {
    platform: notifier.platform,
    canReach: (person) => notifier.canReach(person),
    deliver: async (person, message) => notifier.deliver(person, { ...message, view: await guard(person.organisationId, message.view) }),
  };
}
