/**
 * `npm start`: the whole bot on a laptop. Starts a local Redis and a local MongoDB-wire server (a `mongod` on
 * PATH, else DocumentDB on PostgreSQL 15, built once from pinned sources) with their data under ./data/ unless
 * REDIS_URL / MONGODB_URI are given, loads the demo school into
 * an empty database, starts the bot and prints the URL to open. Ctrl-C stops everything it started; a second
 * start keeps the data.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateAuditKey } from '../src/app/evidence/keys.js';
import { z } from 'zod';
import { startBot } from '../src/bot.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { loadDemoSchool } from '../src/demo/school.js';
import { newMasterKeyText } from '../src/store/encryption.js';
import { createLogger } from '../src/logger.js';
import { ensureDashboard } from './dashboard.js';
import { chosenEngine, localMongoDir, type RunningService, startMongo, startRedis } from './services.js';

const dataDir = path.resolve(process.env.DATA_DIR ?? 'data');
const started: RunningService[] = [];

async function stopServices(): Promise<void> {
  for (const s of started.reverse()) await s.stop().catch(() => undefined);
}

/** SCHOOL=blank starts an empty database without the demo school, to go through the first-run setup. */
const schoolOption = z.enum(['demo', 'blank'], { message: 'SCHOOL must be demo or blank' }).default('demo');

async function main(): Promise<void> {
  const chosen = schoolOption.safeParse(process.env.SCHOOL?.trim() || undefined);
  if (!chosen.success) {
    process.stderr.write(`${chosen.error.issues[0]?.message}\n`);
    process.exit(1);
  }
  const school = chosen.data;
  let config = parseConfig(process.env);
  // the dashboard's browser bundle, when missing or older than its sources
  const built = await ensureDashboard();
  if (built) process.stderr.write(`[start] dashboard built in ${built.ms} ms (build/dashboard)\n`);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (!config.REDIS_URL) {
    mkdirSync(path.join(dataDir, 'redis'), { recursive: true });
    const redis = await startRedis({ dir: path.join(dataDir, 'redis'), persistent: true });
    started.push(redis);
    env.REDIS_URL = redis.url;
    process.stderr.write(`[start] Redis on ${redis.url} (data in ${path.join(dataDir, 'redis')})\n`);
  }
  let mongoDir = '';
  if (!config.MONGODB_URI) {
    const engine = chosenEngine();
    mongoDir = localMongoDir(dataDir, engine);
    mkdirSync(mongoDir, { recursive: true });
    const mongo = await startMongo({ dir: mongoDir, engine });
    started.push(mongo);
    env.MONGODB_URI = mongo.url;
    process.stderr.write(`[start] ${engine} on 127.0.0.1:${mongo.port} (data in ${mongoDir})\n`);
  }
  if (!config.AUDIT_SIGNING_KEY && !config.AUDIT_SIGNING_KEY_FILE && !config.AUDIT_PUBLIC_KEY_FILE) {
    // a local key for the audit trail's signed checkpoints, kept beside (not in) the database
    const keyFile = path.join(dataDir, 'audit-signing-key.pem');
    if (!existsSync(keyFile)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(keyFile, generateAuditKey().privateKeyPem, { mode: 0o600 });
      process.stderr.write(`[start] audit signing key written to ${keyFile} (back it up with the data)\n`);
    }
    env.AUDIT_SIGNING_KEY_FILE = keyFile;
  }
  if (!config.DATA_MASTER_KEY && !config.DATA_MASTER_KEY_FILE) {
    // the master key of encryption at rest, kept beside (not in) the database like the audit key
    const keyFile = path.join(dataDir, 'data-master.key');
    if (!existsSync(keyFile)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(keyFile, newMasterKeyText(), { mode: 0o600 });
      process.stderr.write(`[start] master key of encryption at rest written to ${keyFile} (back it up with the data)\n`);
    }
    env.DATA_MASTER_KEY_FILE = keyFile;
  }
  config = parseConfig(env);
  const logger = createLogger(config.LOG_LEVEL);
  const bot = await startBot(config, logger, {
    prepare: async (runtime) => {
      if ((await runtime.deps.organisations.list()).length > 0) return;
      if (school === 'blank') {
        process.stderr.write('[start] empty database and SCHOOL=blank: no demo school; the setup link follows\n');
        return;
      }
      process.stderr.write('[start] empty database: loading the demo school…\n');
      const loaded = await loadDemoSchool(runtime.deps);
      process.stderr.write(`[start] demo school loaded: ${loaded.people} people, ${loaded.contracts} contracts\n`);
    },
  });
  const loopback = ['127.0.0.1', '::1', 'localhost'].includes(config.HOST);
  const channels = [
    config.SLACK_BOT_TOKEN ? 'Slack (/slack/events)' : '',
    config.MicrosoftAppId ? 'Teams (/api/messages)' : loopback ? 'Teams (/api/messages, local and unauthenticated — e.g. the Bot Framework Emulator)' : '',
  ].filter(Boolean);
  process.stdout.write(
    `\nSupervision Bot is running on ${bot.url} (health: ${bot.url}/healthz)\n` +
      (config.PLAYGROUND && loopback ? `  playground: ${bot.url}/playground/ — be anyone at ${school === 'blank' ? 'the school once its staff are imported' : 'the demo school'} and move the clock on\n` : '') +
      `  channels: ${channels.length > 0 ? channels.join(', ') : 'none configured (set the Slack or Teams variables, README "Configuration")'}\n` +
      (bot.setupUrl ? `  set up your school (once, within 24 hours): ${bot.setupUrl}\n` : '') +
      `  data: ${mongoDir || 'MONGODB_URI'}\n  Stop: Ctrl-C\n\n`,
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('[start] stopping…\n');
    await bot.stop().catch(() => undefined);
    await stopServices();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

function parseConfig(env: NodeJS.ProcessEnv) {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

main().catch(async (error) => {
  process.stderr.write(`[start] failed: ${(error as Error).stack ?? error}\n`);
  await stopServices();
  process.exit(1);
});
