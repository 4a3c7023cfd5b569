// `npm start` on a fresh clone, or after a pull that changed the lock file: install the locked npm packages
// first when any is missing or at another version than the lock file says.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

function installedAsLocked() {
  if (!existsSync('node_modules/.package-lock.json') || !existsSync('node_modules/.bin/tsx')) return false;
  const locked = JSON.parse(readFileSync('package-lock.json', 'utf8')).packages ?? {};
  const installed = JSON.parse(readFileSync('node_modules/.package-lock.json', 'utf8')).packages ?? {};
  // optional packages for other platforms are locked but never installed here
  return Object.entries(locked).every(([name, p]) => name === '' || p.optional || installed[name]?.version === p.version);
}

if (!installedAsLocked()) {
  process.stderr.write('[start] installing npm packages (npm ci)…\n');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}
