/**
 * Starts one real Redis and one real MongoDB-wire server for the whole test run; each test file isolates
 * itself with its own database name and queue prefix (see `test/support/services.ts`).
 */
import type { TestProject } from 'vitest/node';
import { type RunningService, startMongo, startRedis } from '../../scripts/services.js';

let redis: RunningService | undefined;
let mongo: RunningService | undefined;

export async function setup(project: TestProject): Promise<void> {
  [redis, mongo] = await Promise.all([startRedis(), startMongo()]);
  project.provide('redisUrl', redis.url);
  project.provide('mongoUrl', mongo.url);
}

export async function teardown(): Promise<void> {
  await Promise.all([redis?.stop(), mongo?.stop()]);
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    mongoUrl: string;
  }
}
