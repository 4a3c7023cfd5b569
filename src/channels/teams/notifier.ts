/**
 * Puts outbox messages in front of people in Teams, proactively (`continueConversationAsync` with the
 * conversation reference kept from their last activity). Messages on the same thread (one record card per
 * person) update the card sent before. A person who has not installed the app (403
 * BotNotInConversationRoster, or no reference yet) is reported unreachable and shows in `/overdue`.
 *
 * Teams limits bots per conversation (7 messages a second, 8 in 2 s, 60 in 30 s, 1,800 an hour) and per
 * tenant (50 a second): sends wait for a free slot, in windows shared by every process of the deployment
 * (`RateLimiter`, in Redis); a 429's Retry-After holds the tenant for all of them. 429, 412, 502 and 504 are retried with exponential
 * back-off and jitter; after that the error goes back to the notifications queue, which retries it.
 */
import { type CloudAdapter, CardFactory, type ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import { type AppDeps, type ChannelNotifier, type OutboxMessage, RecipientUnreachableError } from '../../app/ports.js';
import type { Person } from '../../domain/types.js';
import type { PacedKey, RateLimiter, RateWindow } from '../rate-limiter.js';
import { renderCard } from './cards.js';

export const CONVERSATION_THREAD = 'teams-conversation';

const RETRYABLE = new Set([412, 429, 502, 504]);

/** Microsoft's published limits for a bot: per conversation, and per tenant across its conversations. */
export const TEAMS_SEND_LIMITS: { perConversation: RateWindow[]; perTenant: RateWindow[] } = {
  perConversation: [
    { limit: 7, windowMs: 1_000 },
    { limit: 8, windowMs: 2_000 },
    { limit: 60, windowMs: 30_000 },
    { limit: 1_800, windowMs: 3_600_000 },
  ],
  perTenant: [{ limit: 50, windowMs: 1_000 }],
};

export class TeamsNotifier implements ChannelNotifier {
  readonly platform = 'teams' as const;
  constructor(
    private readonly deps: Pick<AppDeps, 'deliveries' | 'people'>,
    private readonly pacing: RateLimiter,
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly logger: Logger,
    private readonly retry = { attempts: 4, baseMs: 500 },
  ) {}

  canReach(person: Person): boolean {
    return Boolean(person.identities.teamsAadObjectId);
  }

  async deliver(person: Person, message: OutboxMessage): Promise<void> {
    // the person's conversation and this thread's card so far, in one read
    const [stored, previous] = await this.deps.deliveries.getEach([CONVERSATION_THREAD, ...(message.threadKey ? [message.threadKey] : [])], person.id, 'teams');
    if (!stored?.reference) throw new RecipientUnreachableError('teams', 'the app is not installed for this person');
    const reference = JSON.parse(stored.reference) as Partial<ConversationReference>;
    const view = message.view;
    let refreshIds: string[] = [];
    if (view.type === 'record-sheet') {
      const parties = await this.deps.people.getMany([view.supervisor.id, ...view.supervisees.map((s) => s.id)]);
      refreshIds = parties.map((p) => p.identities.teamsAadObjectId).filter((id): id is string => Boolean(id));
    }
    const attachment = CardFactory.adaptiveCard(renderCard(view, refreshIds));
    const conversationId = reference.conversation?.id ?? person.id;
    const tenantId = reference.conversation?.tenantId ?? person.identities.teamsTenantId ?? 'tenant';
    const keys: PacedKey[] = [
      { key: `teams:conversation:${conversationId}`, windows: TEAMS_SEND_LIMITS.perConversation },
      { key: `teams:tenant:${tenantId}`, windows: TEAMS_SEND_LIMITS.perTenant },
    ];
    await this.withRetries(keys, async () => {
      let failure: unknown;
      await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
        // The adapter hands an error thrown here to its onTurnError, which logs it and returns: the send would
        // count as delivered and the message be lost (P5, a 429 past the connector's own retries). Keep it and
        // throw it below, so the retries and then the queue deal with it.
        try {
          // Retries are this notifier's, each through the rate limiter: the connector client's own retry policy
          // resent a 429 after its Retry-After outside the pacing, where it met a full window again (P5)
          const connector = context.turnState.get(this.adapter.ConnectorClientKey) as { client?: { pipeline?: { removePolicy(policy: { name: string }): unknown } } } | undefined;
          connector?.client?.pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
          // slots are taken right before each attempt (a retry too), after the adapter's own set-up, so that
          // sends reach Teams as they were paced; the conversation's and the tenant's in one step, shared by
          // every process of the deployment
          // counted in the windows from when Teams answered, not from the slot (see RateLimiter.takeSettled)
          const settle = await this.pacing.takeSettled(keys);
          let sent: { id?: string } | undefined;
          try {
            if (previous?.activityId) {
              await context.updateActivity({ id: previous.activityId, type: 'message', attachments: [attachment], conversation: reference.conversation as never });
              return;
            }
            sent = await context.sendActivity({ attachments: [attachment] });
          } finally {
            await settle();
          }
          if (message.threadKey && sent?.id) await this.deps.deliveries.put(message.threadKey, person.id, 'teams', { activityId: sent.id });
        } catch (error) {
          failure = error;
        }
      });
      if (failure) throw failure;
    });
  }

  private async withRetries(keys: PacedKey[], send: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await send();
        return;
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        const code = (error as { code?: string; body?: { error?: { code?: string } } }).body?.error?.code ?? (error as { code?: string }).code;
        if (status === 403 || code === 'BotNotInConversationRoster' || code === 'ConversationBlockedByUser') {
          throw new RecipientUnreachableError('teams', code ?? 'forbidden');
        }
        if (!status || !RETRYABLE.has(status) || attempt >= this.retry.attempts) throw error;
        const delay = this.retry.baseMs * 2 ** (attempt - 1);
        // at least as long as a 429's Retry-After says
        const retryAfter = Number((error as { response?: { headers?: { get?(name: string): string | undefined } } }).response?.headers?.get?.('retry-after'));
        const jittered = Math.max(delay / 2 + Math.random() * delay, Number.isFinite(retryAfter) ? retryAfter * 1000 : 0);
        // Retry-After holds the tenant for every process (Teams does not say which of its limits was hit)
        if (status === 429 && Number.isFinite(retryAfter)) {
          for (const k of keys) if (k.key.startsWith('teams:tenant:')) await this.pacing.pause(k.key, retryAfter * 1000);
        }
        this.logger.info({ status, attempt, delayMs: Math.round(jittered) }, 'teams send retried');
        await new Promise((r) => setTimeout(r, jittered));
      }
    }
  }
}
