/**
 * P1: a signed Slack slash command or block action → the HTTP acknowledgement, at 200 requests/s for 60 s
 * (BENCH_P1_SECONDS shortens it), against the running bot with its queues, Redis and MongoDB-wire server,
 * and a local Slack Web API taking what the bot posts afterwards (in a process of its own, `slack-standin.ts`, so
 * that the replies do not share the load generator's event loop). Requests are sent open-loop (on a fixed
 * schedule, whether or not earlier ones have been answered), so a slow ack shows as latency. Target p99 ≤ 50 ms.
 * Deployed shape: a web process (ROLE=web) acknowledges and enqueues, a worker process (ROLE=worker) runs the
 * work (`BENCH_P1_SHAPE=single` for one process), both compiled (`node dist/main.js`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../src/app/clock.js';
import { saveContract } from '../../src/app/sessions.js';
import { loadConfig } from '../../src/config.js';
import { connectStore } from '../../src/store/connection.js';
import { contract, person, school } from '../../test/support/school.js';
import { freePort, startMongo, startRedis, waitForPort } from '../services.js';
import { botEntry } from './compiled.js';
import { type BenchResult, percentile, round } from './result.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RATE = Number(process.env.BENCH_P1_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_P1_SECONDS ?? 60);
const SECRET = 'p1-signing-secret';
/** `split` (default): a web process (ROLE=web) that acknowledges and a worker process (ROLE=worker); `single`: one process (ROLE=all). */
const SHAPE = process.env.BENCH_P1_SHAPE === 'single' ? 'single' : 'split';
const SHARE_CPU = process.env.BENCH_P1_SHARE_CPU === '1';
/** The bot's run and the bare app's take turns in this many slices (see below). */
const SLICES = Math.max(1, Math.round(Number(process.env.BENCH_P1_SLICES ?? 6)));

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Milliseconds a process's main thread (its event loop) has so far spent ready to run but waiting for a CPU. */
function runQueueMs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
}

/** Sets a process's CPU priority; leaves it as it is where that is not allowed (a negative nice needs root). */
function renice(pid: number | undefined, nice: number): boolean {
  if (!pid) return false;
  try {
    execFileSync('renice', ['-n', String(nice), '-p', String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The Slack stand-in in its own process (`slack-standin.ts`): its work is not the load generator's. */
async function slackStandIn(): Promise<{ url: string; apiUrl: string; answered(): Promise<number>; close(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'slack-standin.ts')], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  // Slack's servers are not on the bot's machine: the stand-in only answers the worker's replies, so it runs at
  // the worker's priority and does not take the acknowledging process's CPU
  if (!SHARE_CPU) renice(child.pid, 10);
  const address = await new Promise<{ url: string; apiUrl: string }>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { url: string; apiUrl: string });
    });
    child.once('exit', (code) => reject(new Error(`the Slack stand-in exited (${code})`)));
  });
  return {
    ...address,
    answered: () =>
      new Promise<number>((resolve) => {
        child.once('message', (m) => resolve((m as { answered: number }).answered));
        child.send('count');
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send('close');
      }),
  };
}

export async function run(): Promise<BenchResult[]> {
  const [mongo, redis] = await Promise.all([startMongo(), startRedis()]);
  // On a small machine the local database server shares the CPUs with the bot; in production it has its own
  // host. Lower its priority so the bot's acknowledgements are measured, not the database's CPU use.
  if (!SHARE_CPU) renice(mongo.process?.pid, 19);
  // The load generator is the clock that times each acknowledgement, and stands in for Slack, which is not on this
  // machine either: it runs ahead of the bot's processes, so a late timestamp is not counted as a late ack (the
  // same for the bot's run and the bare app's; BENCH_P1_SHARE_CPU=1 leaves every priority as it is).
  const clientNice = SHARE_CPU ? 0 : Number(process.env.BENCH_P1_CLIENT_NICE ?? -10);
  const clientReniced = clientNice !== 0 && renice(process.pid, clientNice);
  const slack = await slackStandIn();
  const store = await connectStore(mongo.url);
  const org = school();
  await store.stores.organisations.upsert(org);
  const people = [person('dsl', ['dsl']), person('sup', ['supervisor']), ...Array.from({ length: 20 }, (_, i) => person(`s${i}`, ['supervisee']))].map((p) => ({
    ...p,
    identities: { slackUserId: `U${p.id.toUpperCase()}` },
  }));
  for (const p of people) await store.stores.people.upsert(p);
  const deps = { ...store.stores, clock: systemClock, newId: randomUUID };
  for (let i = 0; i < 20; i++) await saveContract(deps, org, contract({ id: `c${i}`, superviseeIds: [`s${i}`], startDate: '2025-09-01' }));
  await store.close();

  // the bot runs in its own process, as in production; this process only sends load and plays Slack
  const port = await freePort();
  const env = {
    ...process.env,
    MONGODB_URI: mongo.url,
    REDIS_URL: redis.url,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    PLAYGROUND: 'off',
    LOG_LEVEL: 'silent',
    // a Slack deployment: on a loopback address the bot also serves Teams for local try-out, which loads
    // botbuilder into the acknowledging process (BENCH_P1_TEAMS=on to measure with it)
    ...(process.env.BENCH_P1_TEAMS === 'on' ? {} : { HOST: '0.0.0.0' }),
  };
  loadConfig(env);
  const entry = botEntry();
  const profile = process.env.BENCH_P1_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_P1_PROFILE}`] : [];
  // BENCH_P1_WEB_FLAGS: node flags for the acknowledging process (e.g. --trace-gc), its output to BENCH_P1_WEB_OUT
  const webFlags = process.env.BENCH_P1_WEB_FLAGS?.split(' ').filter(Boolean) ?? [];
  const webOut = process.env.BENCH_P1_WEB_OUT ? openSync(process.env.BENCH_P1_WEB_OUT, 'w') : 'ignore';
  const web = spawn(process.execPath, [...profile, ...webFlags, ...entry.args], { env: { ...env, ROLE: SHAPE === 'split' ? 'web' : 'all' }, stdio: ['ignore', webOut, 'inherit'] });
  const workerPort = await freePort();
  const worker = SHAPE === 'split' ? spawn(process.execPath, entry.args, { env: { ...env, ROLE: 'worker', PORT: String(workerPort) }, stdio: ['ignore', 'ignore', 'inherit'] }) : null;
  // On a small machine the worker shares the CPUs with the web process; deployed, it runs on its own. It runs
  // at a lower priority here so that the acknowledgements are measured, not the work queued behind them.
  if (!SHARE_CPU) renice(worker?.pid, 10);
  // a process started from here takes the load generator's priority; the acknowledging process runs at the usual one
  if (clientReniced) renice(web.pid, 0);
  await waitForPort(port);
  if (worker) await waitForPort(workerPort);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });

  const send = (target: number, path: string, body: string): Promise<number> => {
    const ts = Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: target, path, method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-slack-request-timestamp': ts, 'x-slack-signature': signature } },
        (res) => {
          // the acknowledgement is the status line Slack waits for
          const acked = performance.now() - started;
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(acked) : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
  const slash = (i: number) =>
    new URLSearchParams({ token: 't', team_id: 'T1', api_app_id: 'A1', channel_id: 'D1', user_id: `US${i % 20}`, command: '/supervision', text: i % 2 ? 'next' : 'actions', trigger_id: `t${i}`, response_url: `${slack.url}/response/${i}` }).toString();
  const action = (i: number) =>
    new URLSearchParams({
      payload: JSON.stringify({ type: 'block_actions', team: { id: 'T1' }, api_app_id: 'A1', token: 't', trigger_id: `t${i}`, user: { id: 'UDSL' }, response_url: `${slack.url}/response/${i}`, actions: [{ type: 'button', action_id: 'escalation_acknowledge', block_id: 'b', value: `esc-${i}`, action_ts: `${i}.1` }] }),
    }).toString();

  // a command from someone the bot does not know: the work after the ack is one lookup and one reply
  const unknownUser = (i: number) =>
    new URLSearchParams({ token: 't', team_id: 'T1', api_app_id: 'A1', channel_id: 'D1', user_id: 'UNOBODY', command: '/overdue', text: '', trigger_id: `t${i}`, response_url: `${slack.url}/response/${i}` }).toString();
  /** Warms up, then sends RATE requests a second for SECONDS open-loop to `target`; each request's time to its ack. */
  const drive = async (target: number, seconds: number, warm: boolean) => {
    // warm up connections and code paths
    if (warm) for (let i = 0; i < 50; i++) await send(target, '/slack/commands', slash(i));
    const total = Math.round(RATE * seconds);
    const latencies: number[] = [];
    /** [sent at, ms to the ack] per request, written to BENCH_P1_TIMELINE when given (to see when the slow ones happen). */
    const timeline: Array<[number, number]> = [];
    let errors = 0;
    const inFlight: Promise<void>[] = [];
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const sentAt = performance.now() - start;
      const p = (process.env.BENCH_P1_MIX === 'ack-only' ? send(target, '/slack/commands', unknownUser(i)) : i % 2 === 0 ? send(target, '/slack/commands', slash(i)) : send(target, '/slack/interactions', action(i))).then(
        (ms) => {
          latencies.push(ms);
          timeline.push([round(sentAt, 1), round(ms, 2)]);
        },
        () => void errors++,
      );
      inFlight.push(p);
    }
    await Promise.all(inFlight);
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    return { total, latencies, timeline, errors, elapsed };
  };
  /**
   * `drive`, and where the time went: the acknowledging process's CPU and its event loop's wait for a CPU per
   * request, and the load generator's own CPU share and event-loop delay (is the clock itself late?) — added up
   * over the slices of one side of the run (`tally`, then `summary`).
   */
  const tally = () => ({
    latencies: [] as number[],
    timeline: [] as Array<[number, number]>,
    errors: 0,
    total: 0,
    elapsed: 0,
    cpuS: 0,
    runQueueMs: 0,
    clientCpuUs: 0,
    clientRunQueueMs: 0,
    loop: monitorEventLoopDelay({ resolution: 5 }),
  });
  type Tally = ReturnType<typeof tally>;
  const measure = async (t: Tally, pid: number, target: number, seconds: number, warm: boolean) => {
    t.loop.enable();
    const clientCpu = process.cpuUsage();
    const [cpu, waited, clientWaited] = [cpuSeconds(pid), runQueueMs(pid), runQueueMs(process.pid)];
    const r = await drive(target, seconds, warm);
    t.loop.disable();
    const used = process.cpuUsage(clientCpu);
    const offset = t.elapsed * 1000;
    t.latencies.push(...r.latencies);
    for (const [at, ms] of r.timeline) t.timeline.push([round(at + offset, 1), ms]);
    t.errors += r.errors;
    t.total += r.total;
    t.elapsed += r.elapsed;
    t.cpuS += cpuSeconds(pid) - cpu;
    t.runQueueMs += runQueueMs(pid) - waited;
    t.clientCpuUs += used.user + used.system;
    t.clientRunQueueMs += runQueueMs(process.pid) - clientWaited;
  };
  const summary = (t: Tally) => ({
    total: t.total,
    latencies: t.latencies.sort((a, b) => a - b),
    timeline: t.timeline,
    errors: t.errors,
    elapsed: t.elapsed,
    cpuMs: round((t.cpuS * 1000) / t.total, 2),
    runQueueMs: round(t.runQueueMs / t.total, 3),
    clientCpuShare: round(t.clientCpuUs / 1e6 / t.elapsed, 2),
    clientLoopP99: round(t.loop.percentile(99) / 1e6, 1),
    clientRunQueueMs: round(t.clientRunQueueMs / t.total, 3),
  });
  /** Waits (up to `ms`) until the worker has posted a reply for each of `requests` acknowledged requests. */
  const caughtUp = async (requests: number, ms: number) => {
    const until = Date.now() + ms;
    while (Date.now() < until && (await slack.answered()) < requests) await new Promise((r) => setTimeout(r, 200));
  };
  let bare: ReturnType<typeof spawn> | undefined;
  try {
    // the floor on this machine, in the same run: a bare Bolt app that only acknowledges, under the same load while
    // the bot's processes stay up. The two take turns in slices (BENCH_P1_SLICES, 6; 1 runs the bot's whole run,
    // then the bare app's): the machine's speed drifts within a run (the bare app's CPU a request has differed by
    // 40 % between two runs a minute apart), and in turns the drift falls on both sides alike. Each slice of the
    // bare app starts once the worker has replied to the bot's requests so far, so it shares the cores with none
    // of the bot's work.
    const barePort = await freePort();
    bare = spawn(process.execPath, [path.join(here, 'bare-bolt.mjs')], { env: { ...process.env, SLACK_SIGNING_SECRET: SECRET, PORT: String(barePort) }, stdio: ['ignore', 'ignore', 'inherit'] });
    if (clientReniced) renice(bare.pid, 0);
    await waitForPort(barePort);
    const botTally = tally();
    const bareTally = tally();
    for (let slice = 0; slice < SLICES; slice++) {
      await measure(botTally, web.pid as number, port, SECONDS / SLICES, slice === 0);
      await caughtUp(botTally.total + 50, 15_000);
      await measure(bareTally, bare.pid as number, barePort, SECONDS / SLICES, slice === 0);
    }
    const bot = summary(botTally);
    const floor = summary(bareTally);
    const { total, latencies, timeline, errors, elapsed } = bot;
    if (process.env.BENCH_P1_TIMELINE) writeFileSync(process.env.BENCH_P1_TIMELINE, timeline.map((t) => t.join(' ')).join('\n'));
    const webCpuMs = bot.cpuMs;
    const { clientCpuShare, clientLoopP99 } = bot;
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    // how far the worker got with the work behind the acks (not part of the target)
    const answered = await slack.answered();
    const p99 = round(percentile(latencies, 99));

    const bareP99 = round(percentile(floor.latencies, 99));
    const ratio = round(p99 / bareP99, 2);
    return [
      {
        id: 'P1',
        value: p99,
        unit: 'ms',
        target: '<= 50',
        pass: p99 <= 50 && errors === 0,
        measured: `signed /supervision commands and block actions → HTTP ack (${SHAPE === 'split' ? 'a web process acknowledging and a worker process' : 'one process'}, ${entry.label}${SHARE_CPU ? '' : SHAPE === 'split' ? ', database server and worker at lower CPU priority' : ', database server at lower CPU priority'}${process.env.BENCH_P1_TEAMS === 'on' ? ', Teams channel loaded' : ''}), ${total} requests at ${RATE}/s for ${SECONDS} s (achieved ${round(total / elapsed, 1)}/s), ${errors} errors; p50 ${round(percentile(latencies, 50))} ms, p99 ${p99} ms, max ${round(latencies.at(-1) ?? Number.NaN)} ms; web process ${webCpuMs} ms CPU and ${bot.runQueueMs} ms waiting for a CPU a request; ${answered} replies posted by the worker by the end; load generator ${clientCpuShare} of a core, event-loop delay p99 ${clientLoopP99} ms, ${bot.clientRunQueueMs} ms waiting for a CPU a request${clientReniced ? ` (at nice ${clientNice})` : ''}; load average at the end ${load}`,
        p50: round(percentile(latencies, 50)),
        p99,
        requests: total,
        errors,
        shape: SHAPE,
        webCpuMsPerRequest: webCpuMs,
        webRunQueueMsPerRequest: bot.runQueueMs,
        clientRunQueueMsPerRequest: bot.clientRunQueueMs,
        clientNice: clientReniced ? clientNice : 0,
        answered,
        clientCpuShare,
        clientLoopP99Ms: clientLoopP99,
        loadAverage: load,
        bareBoltP99: bareP99,
      },
      {
        id: 'P1-bolt-ratio',
        value: ratio,
        unit: '× a bare Bolt app',
        target: '<= 2',
        pass: ratio <= 2 && errors === 0 && floor.errors === 0,
        measured: `the bot's ack p99 ${p99} ms against a bare Bolt app that only acknowledges (same endpoints, signing secret and load, ${floor.total} requests at ${RATE}/s, same machine, same run, the two taking turns in ${SLICES} slice${SLICES === 1 ? '' : 's'}): p50 ${round(percentile(floor.latencies, 50))} ms, p99 ${bareP99} ms, ${floor.errors} errors; the bare app ${floor.cpuMs} ms CPU and ${floor.runQueueMs} ms waiting for a CPU a request; load generator event-loop delay p99 ${floor.clientLoopP99} ms (${bot.clientLoopP99} ms in the bot's run)`,
        botP99: p99,
        bareBoltP99: bareP99,
        bareBoltP50: round(percentile(floor.latencies, 50)),
        bareCpuMsPerRequest: floor.cpuMs,
        bareRunQueueMsPerRequest: floor.runQueueMs,
        clientLoopP99MsBare: floor.clientLoopP99,
        clientLoopP99MsBot: bot.clientLoopP99,
      },
    ];
  } finally {
    agent.destroy();
    for (const child of [web, worker, bare]) {
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await slack.close();
    await Promise.all([mongo.stop(), redis.stop()]);
  }
}
