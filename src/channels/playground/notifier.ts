/**
 * Puts outbox messages in each person's playground chat. Everyone in the database can be reached: the
 * playground is a local try-out where a visitor can be anyone. A message on a thread (one record card, one
 * escalation, one agenda prompt per person) replaces the one before, as the card is updated in Teams.
 */
import type { ChannelNotifier, OutboxMessage } from '../../app/ports.js';
import type { NotificationView } from '../../app/views.js';
import type { Person } from '../../domain/types.js';
import { inboxId, type PlaygroundInbox } from '../../store/playground-inbox.js';

/** The thread a view belongs to, as the use cases name it on the outbox (records.ts, effects.ts, reminder-views.ts). */
export function threadKeyOf(view: NotificationView): string | undefined {
  if (view.type === 'record-sheet') return `record:${view.recordId}`;
  if (view.type === 'escalation') return `escalation:${view.escalationId}`;
  if (view.type === 'agenda-prompt') return `agenda:${view.sessionId}`;
  if (view.type === 'session-check') return `session-check:${view.sessionId}`;
  if (view.type === 'session-request') return `request:${view.requestId}`;
  if (view.type === 'handover-form' || view.type === 'handover') return `handover:${view.handoverId}`;
  if (view.type === 'agreement') return `agreement:${view.contractId}`;
  if (view.type === 'contract-review') return `review:${view.contractId}`;
  return undefined;
}

export class PlaygroundNotifier implements ChannelNotifier {
  readonly platform = 'playground' as const;
  constructor(private readonly inbox: PlaygroundInbox) {}

  canReach(_person: Person): boolean {
    return true;
  }

  async deliver(person: Person, message: OutboxMessage): Promise<void> {
    await this.inbox.put({ id: inboxId(person.id, message.threadKey ?? message.id), personId: person.id, from: 'bot', view: message.view, at: message.createdAt });
  }
}
