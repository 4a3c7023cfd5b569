// `npm start` on a fresh clone: install the locked npm packages first when they are missing.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('node_modules/.package-lock.json') || !existsSync('node_modules/.bin/tsx')) {
  process.stderr.write('[start] installing npm packages (npm ci)…\n');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}
