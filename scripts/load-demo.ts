/**
 * `npm run demo:load`: loads the demo school into the database at MONGODB_URI (or the local one under
 * ./data/ that `npm start` uses, started for the duration). Leaves an existing demo school as it is.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { systemClock } from '../src/app/clock.js';
import { loadDemoSchool } from '../src/demo/school.js';
import { connectStore } from '../src/store/connection.js';
import { localMongoDir, startMongo } from './services.js';

const env = z
  .object({ MONGODB_URI: z.string().startsWith('mongodb', 'must be a mongodb:// URL').optional(), DATA_DIR: z.string().default('data') })
  .safeParse(process.env);
if (!env.success) {
  process.stderr.write(`invalid configuration: ${env.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
  process.exit(1);
}
const mongo = env.data.MONGODB_URI ? null : await startMongo({ dir: localMongoDir(path.resolve(env.data.DATA_DIR)) });
const store = await connectStore(env.data.MONGODB_URI ?? (mongo?.url as string));
try {
  const result = await loadDemoSchool({ ...store.stores, clock: systemClock, newId: () => randomUUID() });
  process.stdout.write(result.loaded ? `demo school loaded: ${result.people} people, ${result.contracts} contracts\n` : 'the demo school is already loaded\n');
} finally {
  await store.close();
  await mongo?.stop();
}
