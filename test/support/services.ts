/** Per-file isolation on the shared test servers: a fresh database name and a fresh queue prefix. */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';

export function testMongoUrl(label = 'test'): string {
  const base = new URL(inject('mongoUrl'));
  base.pathname = `/${label.replace(/[^a-z0-9]/gi, '_').slice(0, 20)}_${randomUUID().slice(0, 8)}`;
  return base.toString();
}

export function testRedisUrl(): string {
  return inject('redisUrl');
}

export function testQueuePrefix(): string {
  return `t${randomUUID().slice(0, 8)}`;
}
