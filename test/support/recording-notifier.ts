/** A channel that only notes what it was asked to deliver, for tests that count deliveries. */
import type { ChannelNotifier, OutboxMessage, Platform } from '../../src/app/ports.js';
import type { Person } from '../../src/domain/types.js';

export interface RecordingNotifier extends ChannelNotifier {
  delivered: Array<{ personId: string; message: OutboxMessage }>;
  /** How many times each outbox message id was delivered. */
  counts(): Map<string, number>;
}

export function recordingNotifier(platform: Platform = 'playground'): RecordingNotifier {
  const delivered: RecordingNotifier['delivered'] = [];
  return {
    platform,
    delivered,
    canReach: () => true,
    async deliver(person: Person, message: OutboxMessage) {
      delivered.push({ personId: person.id, message });
    },
    counts() {
      const counts = new Map<string, number>();
      for (const d of delivered) counts.set(d.message.id, (counts.get(d.message.id) ?? 0) + 1);
      return counts;
    },
  };
}
