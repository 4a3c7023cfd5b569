/**
 * P2: a Teams `adaptiveCard/action` invoke → the HTTP response carrying the refreshed card, at 100 requests/s
 * for 60 s (BENCH_P2_SECONDS shortens it; BENCH_P2_RATE changes the rate), against the bot in its own process
 * (local, unauthenticated Teams mode on loopback; compiled, and by default a web and a worker process as
 * deployed — BENCH_P2_SHAPE=single for one), with a local Bot Connector taking what it sends. Half the
 * invokes are commands through the queue (acknowledge an escalation), half are reads (refresh a record card).
 * Open-loop: requests leave on schedule whether or not earlier ones have been answered. Target p99 ≤ 100 ms.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { systemClock } from '../../src/app/clock.js';
import { saveContract } from '../../src/app/sessions.js';
import { loadConfig } from '../../src/config.js';
import { connectStore } from '../../src/store/connection.js';
import { startFakeConnector } from '../../test/support/fake-connector.js';
import { contract, person, school } from '../../test/support/school.js';
import { freePort, startMongo, startRedis, waitForPort } from '../services.js';
import { botEntry } from './compiled.js';
import { type BenchResult, percentile, round } from './result.js';

const RATE = Number(process.env.BENCH_P2_RATE ?? 100);
/** `split` (default): a web process answering Teams and a worker process running the queues, as deployed. */
const SHAPE = process.env.BENCH_P2_SHAPE === 'single' ? 'single' : 'split';
const SECONDS = Number(process.env.BENCH_P2_SECONDS ?? 60);

export async function run(): Promise<BenchResult[]> {
  const [mongo, redis] = await Promise.all([startMongo(), startRedis()]);
  if (mongo.process?.pid) execFileSync('renice', ['-n', '19', '-p', String(mongo.process.pid)], { stdio: 'ignore' });
  const connector = await startFakeConnector();
  const store = await connectStore(mongo.url);
  const org = school();
  await store.stores.organisations.upsert(org);
  const people = [person('dsl', ['dsl']), person('sup', ['supervisor']), ...Array.from({ length: 20 }, (_, i) => person(`s${i}`, ['supervisee']))].map((p) => ({
    ...p,
    identities: { teamsAadObjectId: `aad-${p.id}`, teamsTenantId: 't1' },
  }));
  for (const p of people) await store.stores.people.upsert(p);
  const deps = { ...store.stores, clock: systemClock, newId: randomUUID };
  for (let i = 0; i < 20; i++) await saveContract(deps, org, contract({ id: `c${i}`, superviseeIds: [`s${i}`], startDate: '2025-09-01' }));
  await store.close();

  const port = await freePort();
  const env = { ...process.env, MONGODB_URI: mongo.url, REDIS_URL: redis.url, PORT: String(port), HOST: '127.0.0.1', PLAYGROUND: 'off', LOG_LEVEL: 'silent' };
  loadConfig(env);
  const entry = botEntry();
  const bot = spawn(process.execPath, entry.args, { env: { ...env, ROLE: SHAPE === 'split' ? 'web' : 'all' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const workerPort = await freePort();
  const worker = SHAPE === 'split' ? spawn(process.execPath, entry.args, { env: { ...env, ROLE: 'worker', PORT: String(workerPort) }, stdio: ['ignore', 'ignore', 'inherit'] }) : null;
  await waitForPort(port);
  if (worker) await waitForPort(workerPort);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });

  const invoke = (i: number): Promise<number> => {
    const user = i % 2 === 0 ? 'dsl' : `s${i % 20}`;
    const action = i % 2 === 0 ? { type: 'Action.Execute', verb: 'escalation.acknowledge', data: { escalationId: `esc-${i}` } } : { type: 'Action.Execute', verb: 'record.refresh', data: { recordId: `rec.c${i % 20}.none` } };
    const body = JSON.stringify({
      type: 'invoke', name: 'adaptiveCard/action', id: `inv-${i}`, timestamp: new Date().toISOString(), channelId: 'msteams', serviceUrl: connector.url,
      from: { id: `29:${user}`, aadObjectId: `aad-${user}` }, conversation: { id: `conv-${user}`, tenantId: 't1', conversationType: 'personal' }, recipient: { id: '28:bot' },
      value: { action },
    });
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/messages', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  };

  try {
    for (let i = 0; i < 40; i++) await invoke(i);
    const total = RATE * SECONDS;
    const latencies: number[] = [];
    let errors = 0;
    const inFlight: Promise<void>[] = [];
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / RATE - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(invoke(1000 + i).then((ms) => void latencies.push(ms), () => void errors++));
    }
    await Promise.all(inFlight);
    latencies.sort((a, b) => a - b);
    const p99 = round(percentile(latencies, 99));
    return [
      {
        id: 'P2',
        value: p99,
        unit: 'ms',
        target: '<= 100',
        pass: p99 <= 100 && errors === 0,
        measured: `Teams adaptiveCard/action invokes → card response (${SHAPE === 'split' ? 'a web process answering and a worker process running the queues' : 'the bot in one process'}, ${entry.label}, database server at the lowest CPU priority), ${total} requests at ${RATE}/s for ${SECONDS} s, half queued commands and half reads, ${errors} errors; p50 ${round(percentile(latencies, 50))} ms, p99 ${p99} ms, max ${round(latencies.at(-1) ?? Number.NaN)} ms`,
        p50: round(percentile(latencies, 50)),
        p99,
        requests: total,
        errors,
      },
    ];
  } finally {
    agent.destroy();
    for (const child of [bot, worker]) {
      if (!child || child.exitCode !== null) continue;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await connector.close();
    await Promise.all([mongo.stop(), redis.stop()]);
  }
}
