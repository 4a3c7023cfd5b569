/**
 * Inspection bundles as queued work: the dashboard asks, a worker builds the zip (reporting its progress on
 * the job), and the zip is kept in MongoDB (GridFS bucket `exports`) for the person who asked to download,
 * then deleted after a day. Redis holds only the job; the bundle never passes through it.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Queue, Worker } from 'bullmq';
import { mongo } from 'mongoose';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { type BundleInput, type BundleProgress, buildInspectionBundle } from '../app/evidence/bundle.js';
import type { AppDeps } from '../app/ports.js';
import { redisConnection } from './redis.js';

const KEEP_MS = 24 * 3600_000;

export interface ExportStatus {
  id: string;
  state: 'waiting' | 'running' | 'ready' | 'failed';
  progress: BundleProgress;
  fileName?: string;
  error?: string;
}

export interface ExportJobs {
  start(actorId: string, range: BundleInput): Promise<string>;
  /** Null for a job that does not exist or was asked for by someone else. */
  status(id: string, actorId: string): Promise<ExportStatus | null>;
  download(id: string, actorId: string): Promise<{ fileName: string; stream: Readable } | null>;
  close(): Promise<void>;
}

interface JobData {
  actorId: string;
  range: BundleInput;
}

export async function startExports(options: { redisUrl: string; prefix: string; deps: AppDeps; connection: Connection; logger: Logger; workers: boolean }): Promise<ExportJobs> {
  const { deps, logger } = options;
  const conns = [redisConnection(options.redisUrl), ...(options.workers ? [redisConnection(options.redisUrl)] : [])];
  for (const c of conns) c.on('error', (e) => logger.warn({ err: e.message }, 'redis connection error'));
  const queue = new Queue('exports', { connection: conns[0] as (typeof conns)[number], prefix: options.prefix });
  const bucket = () => new mongo.GridFSBucket(options.connection.db as unknown as mongo.Db, { bucketName: 'exports' });

  const worker = options.workers
    ? new Worker(
        'exports',
        async (job) => {
          const data = job.data as JobData;
          const built = await buildInspectionBundle(deps, data.actorId, data.range, (p) => job.updateProgress({ ...p }));
          const upload = bucket().openUploadStream(job.id as string, { metadata: { requesterId: data.actorId, fileName: built.fileName, createdAt: new Date() } });
          await new Promise<void>((resolve, reject) => {
            upload.on('finish', () => resolve());
            upload.on('error', reject);
            upload.end(built.zip);
          });
          return { fileName: built.fileName };
        },
        { connection: conns[1] as (typeof conns)[number], prefix: options.prefix, concurrency: 1 },
      )
    : undefined;
  worker?.on('failed', (job, e) => logger.warn({ jobId: job?.id, err: e.message }, 'inspection bundle failed'));

  async function sweep(): Promise<void> {
    const old = await bucket().find({ 'metadata.createdAt': { $lt: new Date(Date.now() - KEEP_MS) } }).toArray();
    for (const f of old) await bucket().delete(f._id).catch(() => undefined);
  }

  return {
    async start(actorId, range) {
      await sweep().catch((e) => logger.warn({ err: (e as Error).message }, 'old exports not swept'));
      const id = randomUUID();
      await queue.add('bundle', { actorId, range } satisfies JobData, { jobId: id, attempts: 2, removeOnComplete: { age: KEEP_MS / 1000 }, removeOnFail: { age: KEEP_MS / 1000 } });
      return id;
    },
    async status(id, actorId) {
      // the state is read before the job, so a job seen as completed was read with its return value
      const state = await queue.getJobState(id);
      const job = await queue.getJob(id);
      if (!job || (job.data as JobData).actorId !== actorId) return null;
      const progress = (typeof job.progress === 'object' ? job.progress : { done: 0, total: 0, step: 'waiting' }) as BundleProgress;
      const mapped: ExportStatus['state'] = state === 'completed' ? 'ready' : state === 'failed' ? 'failed' : state === 'active' ? 'running' : 'waiting';
      return {
        id,
        state: mapped,
        progress,
        fileName: mapped === 'ready' ? (job.returnvalue as { fileName: string } | undefined)?.fileName : undefined,
        // the reason a person can act on (a refusal); an outage is described, never its text
        error: mapped === 'failed' ? 'the bundle could not be built; try again, or ask your administrator to look at the worker logs' : undefined,
      };
    },
    async download(id, actorId) {
      const [file] = await bucket().find({ filename: id, 'metadata.requesterId': actorId }).limit(1).toArray();
      if (!file) return null;
      return { fileName: (file.metadata as { fileName: string }).fileName, stream: bucket().openDownloadStream(file._id) };
    },
    async close() {
      await worker?.close();
      await queue.close();
      await Promise.all(conns.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
