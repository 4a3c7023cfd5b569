import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

/** Console output of the test workers (Bolt's and botbuilder's own logging) joins the run's captured logs. */
let consoleBytes = 0;
const CONSOLE_LIMIT = 32 * 1024 * 1024;
function captureConsole(log: string): void {
  const dir = process.env.LOG_CAPTURE_DIR;
  if (!dir || consoleBytes > CONSOLE_LIMIT) return;
  consoleBytes += log.length;
  appendFileSync(path.join(dir, 'console.log'), log.endsWith('\n') ? log : `${log}\n`);
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // two files at a time: most of a file's time is spent waiting on Redis, the database engine and the bot's
    // queues, so two share the machine's two cores well (vitest's default is cores - 1: one at a time here)
    maxWorkers: 2,
    reporters: ['default'],
    onConsoleLog(log) {
      captureConsole(log);
    },
  },
});
