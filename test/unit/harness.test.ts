import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { testMongoUrl, testRedisUrl } from '../support/services.js';

describe('test servers', () => {
  it('a real Redis answers', async () => {
    const redis = new Redis(testRedisUrl());
    expect(await redis.ping()).toBe('PONG');
    await redis.quit();
  });
  it('a real MongoDB-wire server stores and reads a document', async () => {
    const conn = await mongoose.createConnection(testMongoUrl('harness')).asPromise();
    await conn.collection('probe').insertOne({ _id: 'a' as never, n: 1 });
    expect(await conn.collection('probe').findOne({ _id: 'a' as never })).toMatchObject({ n: 1 });
    await conn.dropDatabase();
    await conn.close();
  });
});
