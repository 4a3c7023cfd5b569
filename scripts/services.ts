/**
 * Local Redis and MongoDB-wire servers for tests, the local try-out and benchmarks.
 *
 * Redis comes from Debian's `redis-server` (installed when missing). The MongoDB-wire server is, in order:
 * `MONGODB_URI` when given, a `mongod` on PATH, or DocumentDB on PostgreSQL 15 (built once from pinned sources,
 * `documentdb.ts`). Every server listens on a free loopback port and is stopped by the handle that started it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
export { alive } from './documentdb.js';
import { documentDbUrl, ensureCluster, ensureDocumentDb, startGateway, startPostgres, stopPostgres, waitForSql } from './documentdb.js';

export interface RunningService {
  url: string;
  port: number;
  process: ChildProcess | null;
  stop(): Promise<void>;
  /** DocumentDB only: PostgreSQL behind the gateway, stopped and started on its own (the gateway keeps running). */
  database?: { stop(): Promise<void>; start(): Promise<void> };
}

function log(message: string): void {
  if (process.env.SERVICES_QUIET !== '1') process.stderr.write(`[services] ${message}\n`);
}

function which(command: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing is listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/** Installs Debian's redis-server when it is missing. */
export function ensureRedisServer(): string {
  const found = which('redis-server');
  if (found) return found;
  log('redis-server not found: installing it with apt-get');
  execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server'], {
    stdio: 'inherit',
  });
  const installed = which('redis-server');
  if (!installed) throw new Error('redis-server could not be installed');
  return installed;
}

function stopProcess(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface RedisOptions {
  port?: number;
  dir?: string;
  /** AOF `everysec` and `noeviction`, as production should run. */
  persistent?: boolean;
}

export async function startRedis(options: RedisOptions = {}): Promise<RunningService> {
  const binary = ensureRedisServer();
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'redis-'));
  mkdirSync(dir, { recursive: true });
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--daemonize', 'no', '--save', ''];
  args.push('--maxmemory-policy', 'noeviction');
  if (options.persistent) args.push('--appendonly', 'yes', '--appendfsync', 'everysec');
  else args.push('--appendonly', 'no');
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: child,
    async stop() {
      await stopProcess(child);
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface MongoOptions {
  port?: number;
  dir?: string;
  database?: string;
  /** `mongod` or `documentdb` (the default when no `mongod` is on PATH); `MONGO_ENGINE` in the environment. */
  engine?: MongoEngine;
}

export type MongoEngine = 'mongod' | 'documentdb';

/** The engine `startMongo` will run: a `mongod` on PATH, else DocumentDB, unless `MONGO_ENGINE` says otherwise. */
export function chosenEngine(requested = process.env.MONGO_ENGINE): MongoEngine {
  if (requested === 'mongod' || requested === 'documentdb') return requested;
  if (requested) throw new Error(`MONGO_ENGINE must be mongod or documentdb, not "${requested}"`);
  return which('mongod') ? 'mongod' : 'documentdb';
}

/** Where `npm start` and `npm run demo:load` keep the local engine's data: each engine its own folder. */
export function localMongoDir(dataDir: string, engine: MongoEngine = chosenEngine()): string {
  return path.join(dataDir, engine === 'documentdb' ? 'documentdb' : 'mongo');
}

/**
 * `MONGODB_URI` when set, else `mongod` on PATH, else DocumentDB on PostgreSQL 15 (built from pinned sources
 * once, see `documentdb.ts`).
 */
export async function startMongo(options: MongoOptions = {}): Promise<RunningService> {
  const database = options.database ?? 'supervision';
  const given = process.env.MONGODB_URI;
  if (given) return { url: given, port: 0, process: null, stop: async () => {} };
  const engine = options.engine ?? chosenEngine();
  if (engine === 'documentdb') return startDocumentDb(options, database);
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'mongo-'));
  mkdirSync(dir, { recursive: true });
  const child = spawn(which('mongod') ?? 'mongod', ['--bind_ip', '127.0.0.1', '--port', String(port), '--dbpath', dir, '--quiet'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForPort(port);
  return {
    url: `mongodb://127.0.0.1:${port}/${database}`,
    port,
    process: child,
    async stop() {
      await stopProcess(child);
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * DocumentDB: a PostgreSQL 15 cluster with the extensions, and the MongoDB-wire gateway in front of it. The
 * handle's port is the gateway's; `stop()` stops both (PostgreSQL with a fast shutdown). Started again with
 * the same `dir` and `port`, it is the same server with the same data.
 */
async function startDocumentDb(options: MongoOptions, database: string): Promise<RunningService> {
  const build = await ensureDocumentDb();
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'documentdb-'));
  const gatewayPort = options.port ?? (await freePort());
  const cluster = await ensureCluster(dir);
  let postgres = startPostgres(cluster);
  await waitForSql(cluster);
  const gateway = startGateway(build, cluster, gatewayPort);
  await waitForPort(gatewayPort);
  const url = documentDbUrl(cluster, gatewayPort, database);
  return {
    url,
    port: gatewayPort,
    process: gateway,
    async stop() {
      await stopProcess(gateway);
      await stopPostgres(cluster, postgres);
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
    database: {
      stop: () => stopPostgres(cluster, postgres),
      async start() {
        postgres = startPostgres(cluster);
        await waitForSql(cluster);
      },
    },
  };
}
