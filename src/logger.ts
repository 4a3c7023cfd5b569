/**
 * Structured logs. The rule is that free text (agenda items, concerns, notes, reasons, decisions) is never
 * passed to the logger — only ids, states and counts. The redaction list is a second line of defence.
 *
 * With `LOG_CAPTURE_DIR` set, every logger of the process also writes every line, at `trace` whatever its own
 * level, to one file per process in that directory (at most `LOG_CAPTURE_MAX_MB`, default 32, per file), so
 * that what the bot would log can be inspected after the fact — the test suite checks it for free text.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';

const FREE_TEXT_FIELDS = ['text', 'notes', 'reason', 'statusReason', 'decision', 'rationale', 'resolution', 'concerns', 'items', 'body', 'view', 'input', 'incidentName', 'messageToStaff', 'themes', 'note'];

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  const options = {
    base: { service: 'supervision-bot' },
    redact: { paths: [...FREE_TEXT_FIELDS, ...FREE_TEXT_FIELDS.map((f) => `*.${f}`)], censor: '[redacted]' },
  };
  const capture = captureStream();
  if (!capture) return pino({ ...options, level }, destination);
  const streams: pino.StreamEntry[] = [{ level: 'trace', stream: capture }];
  if (level !== 'silent') streams.push({ level: level as pino.Level, stream: destination ?? pino.destination(1) });
  return pino({ ...options, level: 'trace' }, pino.multistream(streams));
}

let capture: pino.DestinationStream | null | undefined;

/** The process's capture file, bounded in size; null when capture is off. */
function captureStream(): pino.DestinationStream | null {
  if (capture !== undefined) return capture;
  const dir = process.env.LOG_CAPTURE_DIR;
  if (!dir) {
    capture = null;
    return capture;
  }
  mkdirSync(dir, { recursive: true });
  const limit = (Number(process.env.LOG_CAPTURE_MAX_MB) || 32) * 1024 * 1024;
  // synchronous, so a process that is killed loses nothing it logged
  const file = pino.destination({ dest: path.join(dir, `${process.pid}-${Date.now()}.log`), sync: true });
  let written = 0;
  let full = false;
  capture = {
    write(line: string) {
      if (full) return;
      if (written + line.length > limit) {
        full = true;
        file.write(`${JSON.stringify({ level: 40, capture: 'truncated', limitBytes: limit })}\n`);
        return;
      }
      written += line.length;
      file.write(line);
    },
  };
  return capture;
}
