/**
 * P6: resident memory of one bot process (`node dist/main.js`, as production runs it) holding 10,000 contracts
 * (target RSS ≤ 250 MB) and 50,000 (a local authority, ≤ 400 MB), measured once it has rebuilt every contract's
 * next session and reminders from MongoDB at start-up; start-up time reported. The contracts, their people,
 * each contract's next session and its compliance summary are inserted before the bot starts (as a running
 * school has them); the bot writes the reminders. RSS is read every second for P6_SETTLE_SECONDS (30) once it listens: the last reading is the figure, VmHWM the peak;
 * both must be within the target. The bot runs with the worker's heap cap (`WORKER_HEAP_MB`, as docker-compose.yml).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoTermDates } from '../../src/demo/school.js';
import { SchoolCalendar } from '../../src/domain/calendar.js';
import { proposeSessionTimes, sessionOverdueFrom } from '../../src/domain/cadence.js';
import type { Organisation, Person, SupervisionContract } from '../../src/domain/types.js';
import { connectStore } from '../../src/store/connection.js';
import { startMongo, startRedis } from '../services.js';
import { botEntry } from './compiled.js';
import { type BenchResult, round } from './result.js';

/**
 * The sizes measured, one bot process each: a large trust (10,000 contracts, RSS ≤ 250 MB) and a local
 * authority (50,000, ≤ 400 MB). `P6_CONTRACTS` measures one size alone.
 */
const SIZES = (process.env.P6_CONTRACTS ?? '10000,50000').split(',').map(Number);
const targetMb = (contracts: number) => (contracts <= 10_000 ? 250 : 400);
/** RSS is sampled every second for this long after start-up; the last sample is the steady figure. */
const SETTLE_MS = Number(process.env.P6_SETTLE_SECONDS ?? 30) * 1000;
/**
 * The worker's old-space cap, as docker-compose.yml starts the worker (`WORKER_HEAP_MB`, default 256; 0 for none):
 * without it V8 lets start-up's garbage grow the heap far past what is live before collecting it.
 */
const HEAP_MB = Number(process.env.WORKER_HEAP_MB ?? 256);
const heapArgs = HEAP_MB > 0 ? [`--max-old-space-size=${HEAP_MB}`] : [];
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  if (!line) throw new Error(`no ${field} for process ${pid}`);
  return Number(line.replace(/\D+/g, ''));
}

async function seed(mongoUrl: string, CONTRACTS: number): Promise<void> {
  const store = await connectStore(mongoUrl);
  try {
    const org: Organisation = {
      id: 'trust', name: 'Aire Valley Learning Trust', kind: 'trust', timezone: 'Europe/London', termDates: demoTermDates(),
      supportContacts: [{ name: 'Education Support Partnership', phone: '08000 562 561' }], dslIds: ['p0'], deputyDslIds: ['p1'], headteacherId: 'p2', overdueGraceDays: 0, reminderTime: '08:30',
    };
    await store.stores.organisations.upsert(org);
    const supervisorOf = (i: number) => `p${3 + 20 * Math.floor(i / 20)}`;
    const people: Person[] = Array.from({ length: CONTRACTS }, (_, i) => ({
      id: `p${i}`, organisationId: 'trust', name: `Staff ${i}`, email: `p${i}@trust.example`, identities: {},
      roles: i === 0 ? ['dsl'] : i === 1 ? ['deputy-dsl'] : i === 2 ? ['headteacher'] : i % 20 === 3 ? ['supervisor'] : ['supervisee'],
      lineManagerId: supervisorOf(i),
    }));
    // reviews fall due within the coming year, as in a running school (not all at once on the day it starts)
    const reviewDueDate = new Date(Date.now() + 300 * 86_400_000).toISOString().slice(0, 10);
    const contracts: SupervisionContract[] = people.map((p, i) => ({
      id: `c${i}`, organisationId: 'trust', kind: 'one-to-one', level: 1, external: false, supervisorIds: [supervisorOf(i)], superviseeIds: [p.id],
      cadence: { kind: 'every-n-weeks', weeks: 4 }, onRequest: false, durationMinutes: 60, location: 'Meeting room', format: 'face-to-face', noticeDays: 7,
      agendaTemplate: 'general', preferredTime: ['08:00', '12:30', '15:45'][i % 3] as string, startDate: '2025-09-01', reviewDueDate,
      signatures: [], disputeRoute: 'safeguarding-governor', active: true,
    }));
    const cal = new SchoolCalendar(org);
    const now = new Date();
    // next sessions three weeks or more ahead, as on most days of a term: their reminders are stored, none due within
    // the day start-up puts on timers
    const from = new Date(now.getTime() + 21 * 86_400_000);
    const sessions: Record<string, unknown>[] = [];
    const compliance: Record<string, unknown>[] = [];
    for (const c of contracts) {
      const [startsAt] = proposeSessionTimes(c, from, undefined, cal, 1);
      if (!startsAt) throw new Error(`no session proposed for ${c.id}`);
      sessions.push({ _id: `${c.id}.${cal.localDate(startsAt)}`, organisationId: 'trust', contractId: c.id, startsAt, durationMinutes: 60, status: 'scheduled' });
      compliance.push({
        _id: c.id, organisationId: 'trust', supervisorIds: c.supervisorIds, superviseeIds: c.superviseeIds, nextScheduledAt: startsAt,
        sessionOverdueFrom: sessionOverdueFrom(c, undefined, cal, 0), reviewDueDate: c.reviewDueDate, sessionsHeld: 0, sessionsHeldOnTime: 0, updatedAt: now,
      });
    }
    for (let i = 0; i < CONTRACTS; i += 5_000) {
      await store.models.people.insertMany(people.slice(i, i + 5_000).map(({ id, ...p }) => ({ _id: id, ...p })), { ordered: false });
      await store.models.contracts.insertMany(contracts.slice(i, i + 5_000).map(({ id, ...c }) => ({ _id: id, ...c })), { ordered: false });
      await store.models.sessions.insertMany(sessions.slice(i, i + 5_000), { ordered: false });
      await store.models.compliance.insertMany(compliance.slice(i, i + 5_000), { ordered: false });
    }
  } finally {
    await store.close();
  }
}

/** Start-up's phases as the bot logs them ("reminders rebuilt"): reading, booking, writing reminders, timers. */
type Phases = { readMs?: number; bookingMs?: number; syncMs?: number; scheduleMs?: number; rssMb?: Record<string, number> };

function startBot(env: Record<string, string>): { child: ChildProcess; listening: Promise<{ reminders: number; phases: Phases }> } {
  const child = spawn(process.execPath, [...heapArgs, ...botEntry().args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const listening = new Promise<{ reminders: number; phases: Phases }>((resolve, reject) => {
    let buffered = '';
    let phases: Phases = {};
    const log = process.env.P6_LOG;
    child.stdout?.on('data', (d: Buffer) => {
      // `P6_LOG=<file>`: the bot's own log, to see where start-up goes
      if (log) appendFileSync(log, d);
      buffered += d.toString();
      for (const line of buffered.split('\n')) {
        if (line.includes('"reminders rebuilt"')) {
          const { readMs, bookingMs, syncMs, scheduleMs, rssMb } = JSON.parse(line) as Phases;
          phases = { readMs, bookingMs, syncMs, scheduleMs, rssMb };
        }
        if (line.includes('supervision bot listening')) resolve({ reminders: (JSON.parse(line) as { reminders: number }).reminders, phases });
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code) => reject(new Error(`the bot exited during start-up (${code})`)));
  });
  return { child, listening };
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const contracts of SIZES) results.push(await measure(contracts));
  return results;
}

async function measure(CONTRACTS: number): Promise<BenchResult> {
  const [mongo, redis] = await Promise.all([startMongo({ database: 'p6' }), startRedis()]);
  let child: ChildProcess | undefined;
  try {
    await seed(mongo.url, CONTRACTS);
    const entry = botEntry();
    const started = performance.now();
    const bot = startBot({ MONGODB_URI: mongo.url, REDIS_URL: redis.url, PORT: '0', LOG_LEVEL: 'info', QUEUE_PREFIX: 'p6' });
    child = bot.child;
    const { reminders, phases } = await bot.listening;
    const startMs = round(performance.now() - started, 0);
    const pid = child.pid as number;
    const samples: number[] = [];
    for (let waited = 0; waited < SETTLE_MS; waited += 1000) {
      samples.push(round(statusKb(pid, 'VmRSS') / 1024, 1));
      await new Promise((r) => setTimeout(r, 1000));
    }
    const rssMb = round(statusKb(pid, 'VmRSS') / 1024, 1);
    const atListenMb = samples[0] ?? rssMb;
    const peakMb = round(statusKb(pid, 'VmHWM') / 1024, 1);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const measured = `VmRSS of one bot process (${[...heapArgs, entry.label].join(' ')}) holding ${CONTRACTS} contracts, ${CONTRACTS} people and their next sessions, ${SETTLE_MS / 1000} s after start-up rebuilt their reminders from MongoDB and put the ${reminders} due within a day on their timers (start-up ${startMs} ms: reading ${phases.readMs} ms, writing reminders ${phases.syncMs} ms, timers ${phases.scheduleMs} ms; most RSS seen in each, MB: ${JSON.stringify(phases.rssMb ?? {})}; ${atListenMb} MB when it began listening, peak VmHWM ${peakMb} MB, which the target holds too; load average ${load})`;
    const target = targetMb(CONTRACTS);
    const id = CONTRACTS === 10_000 ? 'P6' : `P6-${CONTRACTS / 1000}k`;
    return { id, value: rssMb, unit: 'MB', target: `<= ${target}`, pass: rssMb <= target && peakMb <= target, measured, peakMb, heapMb: HEAP_MB, atListenMb, startMs, phases, contracts: CONTRACTS, reminders, loadAverage: load };
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await Promise.all([mongo.stop(), redis.stop()]);
  }
}
