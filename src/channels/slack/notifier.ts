/**
 * Puts outbox messages in front of people in Slack: a DM from the bot, and for messages on the same thread
 * (one record card per person) an update of the message sent before. Slack allows about one message per
 * second per channel: sends to the same DM are spaced. A 429 is waited out as `Retry-After` says; any other
 * failure is thrown, so the notifications queue retries the message — nothing is dropped. A person Slack
 * does not know (deactivated, removed) is reported as unreachable and shows in `/overdue`.
 */
import { webApi } from '@slack/bolt';
import { type AppDeps, type ChannelNotifier, type OutboxMessage, RecipientUnreachableError } from '../../app/ports.js';
import type { Person } from '../../domain/types.js';
import { paginate, render } from './blocks.js';

const UNREACHABLE = new Set(['user_not_found', 'account_inactive', 'cannot_dm_bot', 'user_disabled', 'invalid_users', 'users_not_found']);
const PER_CHANNEL_MS = 1_000;

export class SlackNotifier implements ChannelNotifier {
  readonly platform = 'slack' as const;
  readonly client: webApi.WebClient;
  private readonly dms = new Map<string, string>();
  private readonly nextSlot = new Map<string, number>();

  constructor(
    private readonly deps: Pick<AppDeps, 'deliveries'>,
    token: string,
    apiUrl?: string,
  ) {
    this.client = new webApi.WebClient(token, {
      ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
      // 429: wait for Retry-After and try again; other failures go back to the queue, which retries them
      rejectRateLimitedCalls: false,
      retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
      logLevel: webApi.LogLevel.ERROR,
    });
  }

  canReach(person: Person): boolean {
    return Boolean(person.identities.slackUserId);
  }

  /** Waits for the channel's next free slot (about one message per second per channel). */
  private async pace(channel: string): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot.get(channel) ?? 0);
    this.nextSlot.set(channel, slot + PER_CHANNEL_MS);
    if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
  }

  private async dm(userId: string): Promise<string> {
    const known = this.dms.get(userId);
    if (known) return known;
    const opened = await this.client.conversations.open({ users: userId });
    const channel = opened.channel?.id;
    if (!channel) throw new Error('conversations.open returned no channel');
    this.dms.set(userId, channel);
    return channel;
  }

  async deliver(person: Person, message: OutboxMessage): Promise<void> {
    const userId = person.identities.slackUserId;
    if (!userId) throw new RecipientUnreachableError('slack', 'no Slack account');
    try {
      const channel = await this.dm(userId);
      const pages = paginate(render(message.view));
      const previous = message.threadKey ? await this.deps.deliveries.get(message.threadKey, person.id, 'slack') : null;
      const first = pages[0];
      if (!first) return;
      if (previous?.ts && previous.channel) {
        await this.pace(previous.channel);
        await this.client.chat.update({ channel: previous.channel, ts: previous.ts, text: first.text, blocks: first.blocks });
        return;
      }
      for (const [i, page] of pages.entries()) {
        await this.pace(channel);
        const sent = await this.client.chat.postMessage({ channel, text: page.text, blocks: page.blocks });
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
