/**
 * Puts outbox messages in front of people in Slack: a DM from the bot, and for messages on the same thread
 * (one record card per person) an update of the message sent before. The DM's channel id is opened once per
 * person (`conversations.open`) and stored (deliveries): conversations.open is Tier 3 (about 50 a minute per
 * workspace), and opening the DM again after every restart made a morning's reminders to a large school wait
 * on it (P5).
 *
 * Sends keep within Slack's limits instead of being answered 429: chat.postMessage about one message per
 * second per channel and, per workspace, "several hundred a minute" (paced at 300 a minute, at most 6 in a
 * second); chat.update and conversations.open are Tier 3 (50 a minute each). The windows are shared by every
 * process of the deployment (`RateLimiter`, in Redis), keyed by workspace, method and DM channel. A 429 pauses
 * the method's key for every process as long as `Retry-After` says, then the call is sent again; any other
 * failure is thrown, so the notifications queue retries the message — nothing is dropped. A person Slack
 * does not know (deactivated, removed) is reported as unreachable and shows in `/overdue`.
 */
import { createHash } from 'node:crypto';
import { webApi } from '@slack/bolt';
import { type AppDeps, type ChannelNotifier, type OutboxMessage, RecipientUnreachableError } from '../../app/ports.js';
import type { Person } from '../../domain/types.js';
import type { PacedKey, RateLimiter, RateWindow } from '../rate-limiter.js';
import { paginate, render } from './blocks.js';

const UNREACHABLE = new Set(['user_not_found', 'account_inactive', 'cannot_dm_bot', 'user_disabled', 'invalid_users', 'users_not_found']);
/** Where a person's DM channel id is kept (deliveries), once Slack has told it. */
export const DM_THREAD = 'slack-dm';

export interface SlackLimits {
  /** chat.postMessage per DM channel. */
  perChannel: RateWindow[];
  /** chat.postMessage per workspace. */
  workspace: RateWindow[];
  /** chat.update per workspace (Tier 3). */
  updates: RateWindow[];
  /** conversations.open per workspace (Tier 3). */
  opens: RateWindow[];
}

export const SLACK_SEND_LIMITS: SlackLimits = {
  perChannel: [{ limit: 1, windowMs: 1_000 }],
  workspace: [
    { limit: 300, windowMs: 60_000 },
    // a little above the average, so that the minute's limit binds and not this one's margin
    { limit: 6, windowMs: 1_000 },
    // and no more than four to the half second: six let go together at the start of each second reached Slack
    // spread over as long as a busy process took to send them, and the next second's six, sent promptly, met the
    // last of them in Slack's second (P7: 429s in pairs). Two to the quarter second met none either, but sends
    // held up by a busy worker could not catch up, and Slack's share fell to 81–85 % in slow runs
    { limit: 4, windowMs: 500 },
  ],
  updates: [{ limit: 50, windowMs: 60_000 }],
  opens: [{ limit: 50, windowMs: 60_000 }],
};

/**
 * The pacing key of a workspace. A deployment with one bot token (one school) keys it by a digest of the token,
 * which every process of the deployment shares; an installed workspace by its team id.
 */
export function workspaceKey(token: string, teamId?: string): string {
  return teamId ? `team-${teamId}` : `token-${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}

/** One workspace's clients and pacing: the single token's, or an installed workspace's. */
export interface SlackLane {
  /** For replies to what a person did (not paced here): a 429 is waited out as Retry-After says. */
  readonly client: webApi.WebClient;
  /** For the paced sends: a 429 comes back to `paced`. */
  readonly sender: webApi.WebClient;
  /** The pacing key of the workspace (`workspaceKey`). */
  readonly workspace: string;
}

/** How a notifier finds its token: one bot token, or each workspace's installation (the OAuth flow). */
export type SlackTokens = { token: string } | { installed: true };

export class SlackNotifier implements ChannelNotifier {
  readonly platform = 'slack' as const;
  /** The single token's lane; where workspaces are installed, a client without a token (nothing is sent with it). */
  private readonly single: SlackLane;
  /** Installed workspaces' lanes, by token (a workspace installed again has a new token, hence a new lane). */
  private readonly lanes = new Map<string, SlackLane>();
  /** Workspace and Slack user id → DM channel id, as far as this process has seen (the rest is in deliveries). */
  private readonly dms = new Map<string, string>();
  private readonly options: webApi.WebClientOptions;
  private readonly installed: boolean;

  constructor(
    private readonly deps: Pick<AppDeps, 'deliveries'> & Partial<Pick<AppDeps, 'organisations' | 'slackInstallations'>>,
    private readonly pacing: RateLimiter,
    tokens: SlackTokens | string,
    apiUrl?: string,
    private readonly limits: SlackLimits = SLACK_SEND_LIMITS,
    teamId?: string,
  ) {
    this.options = {
      ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
      retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
      logLevel: webApi.LogLevel.ERROR,
    };
    const given = typeof tokens === 'string' ? { token: tokens } : tokens;
    this.installed = 'installed' in given;
    this.single = this.lane('token' in given ? given.token : undefined, teamId);
  }

  /** For replies where one token serves the deployment; see `laneFor` for installed workspaces. */
  get client(): webApi.WebClient {
    return this.single.client;
  }

  private lane(token: string | undefined, teamId?: string): SlackLane {
    return {
      workspace: workspaceKey(token ?? '', teamId),
      client: new webApi.WebClient(token, { ...this.options, rejectRateLimitedCalls: false }),
      // a 429 comes back to `paced`: its Retry-After pauses the method for every process, then it is sent again
      sender: new webApi.WebClient(token, { ...this.options, rejectRateLimitedCalls: true }),
    };
  }

  /**
   * The lane of an installed workspace, with the token its installation holds now (read each time: an
   * uninstalled workspace has none, and a re-installed one a new token); null when it has no installation.
   * Where one token serves the deployment, that token's lane.
   */
  async laneFor(workspace: { teamId?: string; enterpriseId?: string; isEnterpriseInstall?: boolean }): Promise<SlackLane | null> {
    if (!this.installed) return this.single;
    if (!this.deps.slackInstallations || (!workspace.teamId && !workspace.enterpriseId)) return null;
    const installation = (await this.deps.slackInstallations.fetch(workspace)) as { bot?: { token?: string } } | null;
    const token = installation?.bot?.token;
    if (!token) return null;
    let lane = this.lanes.get(token);
    if (!lane) {
      lane = this.lane(token, workspace.teamId ?? workspace.enterpriseId);
      if (this.lanes.size > 1_000) this.lanes.clear();
      this.lanes.set(token, lane);
    }
    return lane;
  }

  /** A person's lane: their organisation's workspace (its `slackTeamId`) where workspaces are installed. */
  private async laneOf(person: Person): Promise<SlackLane | null> {
    if (!this.installed) return this.single;
    const org = await this.deps.organisations?.get(person.organisationId);
    return org?.slackTeamId ? this.laneFor({ teamId: org.slackTeamId }) : null;
  }

  private key(lane: SlackLane, method: string, windows: RateWindow[]): PacedKey {
    return { key: `slack:${lane.workspace}:${method}`, windows };
  }

  private channelKey(lane: SlackLane, userId: string): PacedKey {
    return { key: `slack:${lane.workspace}:dm:${userId}`, windows: this.limits.perChannel };
  }

  /**
   * One Web API call through the shared pacing: its slots in every key at once, and on a 429 the method's key
   * paused for every process as long as Retry-After says, then the call paced and sent again.
   */
  private async paced<T>(keys: PacedKey[], call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.pacing.take(keys);
      try {
        return await call();
      } catch (error) {
        const e = error as { code?: string; retryAfter?: number };
        if (e.code !== webApi.ErrorCode.RateLimitedError || attempt >= 5) throw error;
        const method = keys.find((k) => !k.key.includes(':dm:')) ?? keys[0];
        if (method) await this.pacing.pause(method.key, Math.max(1, e.retryAfter ?? 1) * 1000);
      }
    }
  }

  canReach(person: Person): boolean {
    return Boolean(person.identities.slackUserId);
  }

  /**
   * The DM channel with a Slack user: remembered, stored for a known person, and opened (paced) only when
   * neither has it. Also what a reply to someone without a `response_url` goes through.
   */
  async dm(userId: string, person?: Person, lane: SlackLane = this.single): Promise<string> {
    const cacheKey = `${lane.workspace}:${userId}`;
    const cached = this.dms.get(cacheKey);
    if (cached) return cached;
    const stored = person ? await this.deps.deliveries.get(DM_THREAD, person.id, 'slack') : null;
    let channel = stored?.userId === userId ? stored.channel : undefined;
    if (!channel) {
      const opened = await this.paced([this.key(lane, 'conversations.open', this.limits.opens)], () => lane.sender.conversations.open({ users: userId }));
      channel = opened.channel?.id;
      if (!channel) throw new Error('conversations.open returned no channel');
      if (person) await this.deps.deliveries.put(DM_THREAD, person.id, 'slack', { channel, userId });
    }
    if (this.dms.size > 100_000) this.dms.clear();
    this.dms.set(cacheKey, channel);
    return channel;
  }

  async deliver(person: Person, message: OutboxMessage): Promise<void> {
    const userId = person.identities.slackUserId;
    if (!userId) throw new RecipientUnreachableError('slack', 'no Slack account');
    // installed workspaces: the person's organisation's installation; none (uninstalled, never linked) reaches nobody
    const lane = await this.laneOf(person);
    if (!lane) throw new RecipientUnreachableError('slack', 'app_not_installed');
    try {
      const pages = paginate(render(message.view));
      const previous = message.threadKey ? await this.deps.deliveries.get(message.threadKey, person.id, 'slack') : null;
      const first = pages[0];
      if (!first) return;
      if (previous?.ts && previous.channel) {
        const { channel, ts } = previous;
        await this.paced([this.channelKey(lane, userId), this.key(lane, 'chat.update', this.limits.updates)], () =>
          lane.sender.chat.update({ channel, ts, text: first.text, blocks: first.blocks }),
        );
        return;
      }
      const channel = await this.dm(userId, person, lane);
      for (const [i, page] of pages.entries()) {
        const sent = await this.paced([this.channelKey(lane, userId), this.key(lane, 'chat.postMessage', this.limits.workspace)], () =>
          lane.sender.chat.postMessage({ channel, text: page.text, blocks: page.blocks }),
        );
        if (i === 0 && message.threadKey && sent.ts) {
          await this.deps.deliveries.put(message.threadKey, person.id, 'slack', { channel: sent.channel ?? channel, ts: sent.ts });
        }
      }
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code && UNREACHABLE.has(code)) throw new RecipientUnreachableError('slack', code);
      throw error;
    }
  }
}
