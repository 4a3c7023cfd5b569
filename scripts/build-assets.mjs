// `npm run build`, after tsc: copies what the compiled code reads next to itself (the demo school's calendar
// data, the tab's static files) from src/ to dist/, so `node dist/main.js` finds them where tsx would.
import { cpSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function copy(from, to) {
  for (const name of readdirSync(from)) {
    const source = path.join(from, name);
    const target = path.join(to, name);
    if (statSync(source).isDirectory()) copy(source, target);
    else if (!name.endsWith('.ts')) cpSync(source, target);
  }
}
copy('src', 'dist');
