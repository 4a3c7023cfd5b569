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
    reporters: ['default'],
    onConsoleLog(log) {
      captureConsole(log);
    },
  },
});
