/**
 * `npm run engine`: makes sure the local MongoDB-wire engine is there — builds DocumentDB from its pinned
 * sources the first time (about three minutes), checks the build cache every time after — and says how long it
 * took. `npm start`, the tests and the benchmarks do the same on their own; CI calls this first so that the
 * build's time is reported apart from the tests'.
 */
import { ensureDocumentDb } from './documentdb.js';
import { chosenEngine } from './services.js';

const engine = process.env.MONGODB_URI ? 'MONGODB_URI' : chosenEngine();
if (engine !== 'documentdb') {
  process.stdout.write(`engine: ${engine}, nothing to build\n`);
} else {
  const started = performance.now();
  const { gateway } = await ensureDocumentDb();
  process.stdout.write(`engine: DocumentDB ready in ${((performance.now() - started) / 1000).toFixed(1)} s (gateway ${gateway})\n`);
}
