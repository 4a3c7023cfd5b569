import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '../../../src/config.js';

interface Service {
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }>;
  image?: string;
  ports?: unknown[];
  expose?: unknown[];
  network_mode?: string;
  volumes?: string[];
  healthcheck?: { test?: string[] };
}

// what a deployment's .env holds (compose refuses to start without the three passwords and the master key)
const SECRETS = { MONGO_ROOT_PASSWORD: 'r00tpass1', MONGO_APP_PASSWORD: 'app9pass', REDIS_PASSWORD: 'red1spass', DATA_MASTER_KEY: 'a'.repeat(64) };
const raw = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service> };

/** `docker-compose config` offline (Debian's docker-compose needs no Docker engine): the file as compose reads it. */
function composeConfig(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(MONGO_|REDIS_PASSWORD|DATA_MASTER_KEY)/.test(k))) as Record<string, string>;
  const r = spawnSync('docker-compose', ['-f', 'docker-compose.yml', '--project-directory', '.', 'config'], { env: { ...clean, ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const resolved = (): { services: Record<string, Service> } => {
  const r = composeConfig(SECRETS);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.status).toBe(0);
  return parse(r.stdout) as { services: Record<string, Service> };
};

describe('docker-compose.yml', () => {
  it('is valid for docker-compose (checked offline) once .env gives the passwords', () => {
    // Debian's docker-compose validates without a Docker engine; .ci/run installs it
    execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { env: { ...process.env, ...SECRETS } });
  });

  it('refuses to start without each password, naming it', () => {
    for (const missing of Object.keys(SECRETS)) {
      const { [missing]: _gone, ...rest } = SECRETS as Record<string, string>;
      const r = composeConfig(rest);
      expect(r.status, missing).not.toBe(0);
      expect(r.stderr).toContain(`set ${missing} in .env`);
    }
  });

  it('runs MongoDB 7 and Redis 7 with AOF everysec and noeviction, before the bot', () => {
    expect(raw.services.mongo?.image).toBe('mongo:7');
    expect(raw.services.redis?.image).toBe('redis:7');
    const redis = (raw.services.redis?.command ?? []).join(' ');
    expect(redis).toContain('--appendonly yes');
    expect(redis).toContain('--appendfsync everysec');
    expect(redis).toContain('--maxmemory-policy noeviction');
    expect(Object.keys(raw.services.bot?.depends_on ?? {}).sort()).toEqual(['mongo', 'redis']);
  });

  it('runs MongoDB as a single-node replica set with authentication: a key file, a root user and an app user from .env', () => {
    const { services } = resolved();
    const mongo = services.mongo as Service;
    const command = mongo.command ?? [];
    expect(command).toContain('--auth');
    expect(command[command.indexOf('--replSet') + 1]).toBe('rs0');
    const keyFile = command[command.indexOf('--keyFile') + 1] as string;
    expect(keyFile).toMatch(/^\/keyfile\//);
    // the key file is written by a one-off step into a volume the mongo service mounts read-only
    expect(mongo.depends_on?.['mongo-keyfile']?.condition).toBe('service_completed_successfully');
    expect((services['mongo-keyfile']?.entrypoint ?? []).join(' ')).toContain(keyFile);
    expect((mongo.volumes ?? []).some((v) => /:\/keyfile:ro$/.test(v))).toBe(true);
    expect(mongo.environment?.MONGO_INITDB_ROOT_PASSWORD).toBe(SECRETS.MONGO_ROOT_PASSWORD);
    expect(mongo.environment?.MONGO_APP_PASSWORD).toBe(SECRETS.MONGO_APP_PASSWORD);
    // the app user is created at the first start by the init script, with readWrite on its own database only
    expect((mongo.volumes ?? []).some((v) => v.includes('scripts/docker/mongo-init.js:/docker-entrypoint-initdb.d/'))).toBe(true);
    const init = readFileSync('scripts/docker/mongo-init.js', 'utf8');
    expect(init).toContain('MONGO_APP_PASSWORD');
    expect(init).toMatch(/role: 'readWrite', db: 'supervision'/);
    // the health check initiates the replica set and waits for this member to be primary
    const health = (mongo.healthcheck?.test ?? []).join(' ');
    expect(health).toContain("rs.initiate({ _id: 'rs0'");
    expect(health).toContain('isWritablePrimary');
  });

  it('runs Redis with a password', () => {
    const { services } = resolved();
    const command = services.redis?.command ?? [];
    expect(command[command.indexOf('--requirepass') + 1]).toBe(SECRETS.REDIS_PASSWORD);
    // redis-cli (the health check) logs in from the environment, so the password is not on its command line
    expect(services.redis?.environment?.REDISCLI_AUTH).toBe(SECRETS.REDIS_PASSWORD);
  });

  it('publishes no port of MongoDB or Redis outside the compose network', () => {
    const { services } = resolved();
    for (const name of ['mongo', 'redis', 'mongo-keyfile']) {
      expect(services[name]?.ports, name).toBeUndefined();
      expect(services[name]?.network_mode, name).toBeUndefined();
    }
    expect(services.worker?.ports).toBeUndefined();
  });

  it('gives the bot and the worker credentials in MONGODB_URI and REDIS_URL', () => {
    const { services } = resolved();
    for (const name of ['bot', 'worker']) {
      const env = services[name]?.environment ?? {};
      const mongo = new URL(env.MONGODB_URI as string);
      expect(mongo.username).toBe('supervision');
      expect(mongo.password).toBe(SECRETS.MONGO_APP_PASSWORD);
      expect(mongo.host).toBe('mongo:27017');
      expect(mongo.searchParams.get('replicaSet')).toBe('rs0');
      expect(mongo.searchParams.get('authSource')).toBe('supervision');
      const redis = new URL(env.REDIS_URL as string);
      expect(redis.password).toBe(SECRETS.REDIS_PASSWORD);
      expect(redis.host).toBe('redis:6379');
    }
  });

  it('gives the bot only variables its configuration knows, and the configuration accepts them', () => {
    const env = resolved().services.bot?.environment ?? {};
    const known = new Set(Object.keys(configSchema.shape));
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    const parsed = configSchema.safeParse(env);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  it('runs the bot as a web process and a worker process from the same image', () => {
    expect(raw.services.bot?.environment?.ROLE).toBe('web');
    expect(raw.services.worker?.environment?.ROLE).toBe('worker');
    expect(raw.services.worker?.ports).toBeUndefined();
    expect(Object.keys(raw.services.worker?.depends_on ?? {}).sort()).toEqual(['mongo', 'redis']);
    const { ROLE: _web, ...web } = raw.services.bot?.environment ?? {};
    const { ROLE: _worker, NODE_OPTIONS: heap, ...worker } = raw.services.worker?.environment ?? {};
    expect(worker).toEqual(web);
    // the worker's heap is capped (start-up's garbage would otherwise grow it far past what is live: P6)
    expect(heap).toMatch(/^--max-old-space-size=\$\{WORKER_HEAP_MB:-\d+\}$/);
  });
});
