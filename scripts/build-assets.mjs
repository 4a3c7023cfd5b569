// `npm run build`, after tsc: copies what the compiled code reads next to itself (the demo school's calendar
// data) from src/ to dist/, so `node dist/main.js` finds them where tsx would. The dashboard's sources are not
// copied: its bundle is built into build/dashboard/ (scripts/dashboard.ts), which dist/ finds as src/ does.
import { cpSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function copy(from, to) {
  for (const name of readdirSync(from)) {
    const source = path.join(from, name);
    const target = path.join(to, name);
    if (source === path.join('src', 'web', 'dashboard')) continue;
    if (statSync(source).isDirectory()) copy(source, target);
    else if (!name.endsWith('.ts')) cpSync(source, target);
  }
}
copy('src', 'dist');
