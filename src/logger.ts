/**
 * Structured logs. The rule is that free text (agenda items, concerns, notes, reasons, decisions) is never
 * passed to the logger — only ids, states and counts. The redaction list is a second line of defence.
 */
import pino, { type Logger } from 'pino';

const FREE_TEXT_FIELDS = ['text', 'notes', 'reason', 'decision', 'rationale', 'resolution', 'concerns', 'items', 'body', 'view', 'input'];

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'supervision-bot' },
      redact: { paths: [...FREE_TEXT_FIELDS, ...FREE_TEXT_FIELDS.map((f) => `*.${f}`)], censor: '[redacted]' },
    },
    destination,
  );
}
