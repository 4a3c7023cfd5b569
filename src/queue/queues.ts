/**
 * The queues: `commands` (every state change, one job per interaction), `notifications` (outbox rows on their
 * way to Slack, Teams or the playground, routed to a delivery lane per platform, `notifications-<platform>`,
 * each paced to its platform's rate limits) and `reminders` (delayed jobs rebuilt from MongoDB).
 * Redis holds work in flight only; MongoDB holds the truth, so losing Redis loses nothing confirmed.
 */
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { ChainableCommander, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type Command, commandSchema, runCommand } from '../app/commands.js';
import type { UseCaseResult } from '../app/errors.js';
import { type AppDeps, type ChannelNotifier, type OutboxMessage, type OutboxRow, type PersonAsRead, type Platform, RecipientUnreachableError, type ReminderScheduler } from '../app/ports.js';
import type { Organisation, Reminder, SupervisionContract } from '../domain/types.js';
import { jobIdFor, redisConnection } from './redis.js';
import { reminderMessages } from './reminder-views.js';
import { askForNextYearDates } from '../app/sessions.js';
import { askForReviews } from '../app/review.js';
import { withReadMemo } from '../store/read-memo.js';

export interface QueueOptions {
  redisUrl: string;
  prefix: string;
  deps: AppDeps;
  notifiers: ChannelNotifier[];
  logger: Logger;
  concurrency?: number;
  /** Run workers in this process (tests and the single-process deployment do). */
  workers?: boolean;
  /** Seconds between sweeps that re-queue undelivered outbox rows and due reminders. */
  sweepSeconds?: number;
  stalledIntervalMs?: number;
  lockDurationMs?: number;
  /**
   * Messages waiting in a platform's lane beyond which reminders wait to be fired (while every lane fed lately
   * has as many): default 100, two seconds of Teams' rate.
   */
  laneBuffer?: number;
  /**
   * Reminders a worker fires at once (its timers' jobs, and the sweep's): default three times `concurrency`. Each
   * is a few reads and writes, and at 20 a worker wrote Teams' messages slower than Teams takes them (P7); the
   * lanes' buffer keeps what more write from running ahead.
   */
  reminderConcurrency?: number;
  /**
   * Hours ahead a reminder is put on its timer (default 24): start-up times only those due within them, and the
   * sweep times the rest as they come within them. Every start put every unsent reminder on a timer: a trust's
   * 60,000 took 9 s of a start-up that shares the worker with the prompts it sends (P7), and a local authority's
   * 300,000 over four weeks were held as BullMQ jobs in Redis (P6). A reminder a command writes is timed at once,
   * however far ahead; one found due with no timer is fired by the sweep.
   */
  timerHorizonHours?: number;
}

export interface Queues {
  dispatch(command: Command): Promise<void>;
  /**
   * Dispatches and waits for the result; `pending` when it takes longer than `timeoutMs`. With `answerLate`, a
   * person told "on its way" gets the result in their chat when the command finishes.
   */
  dispatchAndWait(command: Command, timeoutMs: number, options?: { answerLate?: boolean }): Promise<UseCaseResult | 'pending'>;
  /** Moves every undelivered outbox row onto the notifications queue. */
  flushOutbox(): Promise<number>;
  /** Fires every reminder due by the app clock (also what the playground's clock control uses). */
  fireDueReminders(): Promise<number>;
  /** Every contract's next session and its reminders from MongoDB; those due within the horizon on their timers. */
  rebuildReminders(): Promise<number>;
  /** The sweep's part: puts on their timers the reminders the horizon has come to since it last did. */
  timeComingReminders(): Promise<void>;
  scheduler: ReminderScheduler;
  commands: Queue;
  close(): Promise<void>;
}

const PLATFORMS: Platform[] = ['slack', 'teams', 'playground'];

/** Adds to a pipeline the read of what the sweep asks of a BullMQ job: whether it exists and whether it finished. */
const readJob = (pipeline: ChainableCommander, jobKey: string) => pipeline.hmget(jobKey, 'timestamp', 'finishedOn');
/** A job read by `readJob` that exists and has not finished: a worker still has it to run (or is running it). */
const unfinished = (reply: [Error | null, unknown] | undefined): boolean => {
  const [error, fields] = reply ?? [];
  const [created, finished] = (fields ?? []) as Array<string | null>;
  return !error && created != null && finished == null;
};

const commandJobOptions = {
  attempts: 25,
  backoff: { type: 'exponential' as const, delay: 500 },
  // kept a day so that a late duplicate of the same interaction is still recognised
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export async function startQueues(options: QueueOptions): Promise<Queues> {
  const { deps, logger, prefix } = options;
  const connections: Redis[] = [];
  const conn = () => {
    const c = redisConnection(options.redisUrl);
    c.on('error', (e) => logger.warn({ err: e.message }, 'redis connection error'));
    connections.push(c);
    return c;
  };
  const commands = new Queue('commands', { connection: conn(), prefix });
  const notificationsConnection = conn();
  const notifications = new Queue('notifications', { connection: notificationsConnection, prefix });
  const reminders = new Queue('reminders', { connection: conn(), prefix });
  type Waiter = { done(value: UseCaseResult | 'pending'): void; fail(error: Error): void };
  const waiters = new Map<string, Waiter[]>();
  /**
   * The commands' completions, read from their event stream once someone first waits for one: a process that
   * never waits (a Slack web process, a worker) does not read every command's events (P1).
   */
  let events: Promise<QueueEvents> | undefined;
  const listening = (): Promise<QueueEvents> => {
    events ??= (async () => {
      const connection = conn();
      // read from the stream's end as it is now, not from wherever it has got to when the reader's first XREAD goes
      // out (a round trip after it is ready): a command added once this resolves and finished before that read is
      // still seen, so the first waiter of a process does not wait out its timeout for an event it missed
      const e = new QueueEvents('commands', { connection, prefix, lastEventId: await streamEnd(connection, `${prefix}:commands:events`) });
      e.on('completed', ({ jobId, returnvalue }) => {
        const list = waiters.get(jobId);
        if (!list) return;
        const value = (typeof returnvalue === 'string' ? safeParse(returnvalue) : returnvalue) as UseCaseResult;
        for (const w of [...list]) w.done(value);
      });
      e.on('failed', ({ jobId, failedReason }) => {
        const list = waiters.get(jobId);
        if (!list) return;
        for (const w of [...list]) w.fail(new Error(failedReason || 'the command failed'));
      });
      await e.waitUntilReady();
      return e;
    })();
    // a stream not reached (Redis down) is tried again by the next waiter
    events.catch(() => {
      events = undefined;
    });
    return events;
  };
  const workers: Worker[] = [];

  /**
   * Who answers a command someone waits for: the waiting request, or (once it has said "on its way") the
   * worker, through the person's chat. Each side claims the command's key once, atomically; whoever claims it
   * first decides, so a result is given exactly once however close the finish is to the deadline.
   */
  const claims = conn();
  const ANSWER_KEPT_MS = 24 * 3600_000;
  const answerKey = (jobId: string) => `${prefix}:answer:${jobId}`;
  const claim = async (jobId: string, by: 'late' | 'done'): Promise<boolean> => (await claims.set(answerKey(jobId), by, 'PX', ANSWER_KEPT_MS, 'NX')) === 'OK';
  /** The answer a person was promised "in a moment", as a message in their chat. */
  async function answerInChat(command: Command, result: UseCaseResult): Promise<OutboxMessage[]> {
    const actor = await deps.people.get(command.actorId);
    if (!actor) return [];
    const view = result.ok ? (result.view ?? { type: 'text' as const, text: 'Done.' }) : result.error;
    return [{ id: `late.${command.commandId}`, organisationId: actor.organisationId, recipientId: actor.id, view, createdAt: deps.clock.now() }];
  }

  const scheduler: ReminderScheduler = {
    async schedule(list: Reminder[]) {
      const now = deps.clock.now().getTime();
      await reminders.addBulk(
        list.map((r) => ({
          name: r.kind,
          data: { reminderId: r.id },
          opts: { jobId: jobIdFor(r.id), delay: Math.max(0, r.dueAt.getTime() - now), attempts: 20, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 30 * 24 * 3600 }, removeOnFail: { age: 30 * 24 * 3600 } },
        })),
      );
    },
    async unschedule(ids: string[]) {
      for (const id of ids) {
        const job = await reminders.getJob(jobIdFor(id));
        if (job && (await job.isDelayed())) await job.remove().catch(() => undefined);
      }
    },
  };
  deps.reminderScheduler = scheduler;

  const notificationJobOptions = { attempts: 50, backoff: { type: 'exponential' as const, delay: 1000 }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 7 * 24 * 3600 } };
  const notify = (ids: Array<{ id: string; type: string }>) =>
    notifications.addBulk(
      ids.map((row) => ({
        name: row.type,
        data: { outboxId: row.id },
        opts: { jobId: jobIdFor(row.id), ...notificationJobOptions },
      })),
    );

  /**
   * Routes the pending rows that no queue is still to work on: what a crash left between storing a row and
   * queueing it, or between one platform's lane and the next. A row waiting in its platform's lane (Slack's, at a
   * few a second, for minutes on a busy morning) or in the router is left alone: routing it again read the row
   * and its person only to find the lane's job there (P5: every sweep re-routed up to 500 rows while Teams was
   * sending). One pipelined read of every row's jobs; a job with no finish time is still to be run.
   */
  async function flushOutbox(): Promise<number> {
    const rows = await deps.outbox.pending(500);
    if (rows.length === 0) return 0;
    const check = notificationsConnection.pipeline();
    const perRow = 1 + options.notifiers.length;
    for (const row of rows) {
      const id = jobIdFor(row.id);
      readJob(check, notifications.toKey(id));
      for (const n of options.notifiers) readJob(check, lane(n.platform).toKey(`${id}.${n.platform}`));
    }
    const jobs = (await check.exec()) ?? [];
    const unqueued = rows.filter((_, i) => !jobs.slice(i * perRow, (i + 1) * perRow).some(unfinished));
    if (unqueued.length > 0) await notify(unqueued.map((row) => ({ id: row.id, type: row.view.type })));
    return unqueued.length;
  }

  /**
   * One lane (queue and worker) per platform, each pacing itself to its platform's rate limits: with one queue
   * for every platform, the messages waiting for a Slack slot (a few hundred a minute per workspace) filled
   * every worker slot, and Teams (50 a second per tenant) went at Slack's pace (P5). A message for someone on
   * several platforms goes through their lanes one after the other, so only one lane writes its outbox row at
   * a time (a filtered update is not atomic on FerretDB).
   */
  const lanes = new Map<Platform, Queue>();
  const lane = (platform: Platform): Queue => {
    let queue = lanes.get(platform);
    if (!queue) {
      queue = new Queue(`notifications-${platform}`, { connection: conn(), prefix });
      lanes.set(platform, queue);
    }
    return queue;
  };

  /**
   * What the router has just read, handed to the lane in this process so that it need not read the row and the
   * person again (two round trips of the few a message costs). Taken once; a retry or another process reads.
   */
  const handed = new Map<string, { row: OutboxRow; person: PersonAsRead; at: number }>();
  const HANDED_MS = 30_000;
  const HANDED_MAX = 2_000;

  /**
   * Backpressure. A morning's (or a trust's) reminders fired as fast as the worker can read them turned into
   * thousands of messages waiting in the lanes, far ahead of what the platforms take, and the CPU spent doing so
   * was the lanes' own: Teams' sends waited longer for their slots and held their places in the windows longer
   * (P7: 1,300 Teams and 4,700 Slack messages waiting, Teams at 92 % of its rate). A reminder fired later loses
   * nothing, as its message would wait in the lane anyway; so reminders wait while every lane fed in the last
   * minute has `laneBuffer` messages waiting, and go on as soon as one has room. A lane not fed lately is not
   * counted, so a platform with no traffic, or one held for minutes by its Retry-After, stops nothing for long.
   */
  const laneBuffer = options.laneBuffer ?? 100;
  const reminderConcurrency = options.reminderConcurrency ?? 3 * (options.concurrency ?? 20);
  const fedAt = new Map<Platform, number>();
  let laneCheck: { at: number; room: Promise<boolean> } | undefined;
  const lanesHaveRoom = (): Promise<boolean> => {
    const now = Date.now();
    if (laneCheck && now - laneCheck.at < 100) return laneCheck.room;
    const fed = [...fedAt].filter(([, at]) => now - at < 60_000).map(([platform]) => platform);
    const room =
      fed.length === 0
        ? Promise.resolve(true)
        : Promise.all(fed.map((platform) => lane(platform).getWaitingCount())).then(
            (waiting) => waiting.some((n) => n < laneBuffer),
            // a lane whose length cannot be read holds nothing up
            () => true,
          );
    laneCheck = { at: now, room };
    return room;
  };
  // a process shutting down lets its held reminders go (their messages wait in the lanes for the next), so that
  // closing its workers, which waits for their jobs, is not held up by a full lane
  let closing = false;
  const roomInLanes = async (): Promise<void> => {
    while (!closing && !(await lanesHaveRoom())) await new Promise((r) => setTimeout(r, 100));
  };

  /** Hands the row to the next platform that still has to reach the person, or marks it delivered. */
  async function handOn(row: OutboxRow, person: PersonAsRead, done: Set<Platform>, justDelivered?: Platform): Promise<void> {
    const next = options.notifiers.find((n) => !done.has(n.platform) && n.canReach(person));
    if (!next) {
      await deps.outbox.markDelivered(row.id, deps.clock.now(), justDelivered);
      return;
    }
    if (justDelivered) await deps.outbox.markPlatformDelivered(row.id, justDelivered);
    const jobId = `${jobIdFor(row.id)}.${next.platform}`;
    for (const [key, entry] of handed) {
      if (handed.size < HANDED_MAX && Date.now() - entry.at < HANDED_MS) break;
      handed.delete(key);
    }
    handed.set(jobId, { row: { ...row, deliveredPlatforms: [...done] }, person, at: Date.now() });
    fedAt.set(next.platform, Date.now());
    await lane(next.platform).add(row.view.type, { outboxId: row.id }, { jobId, ...notificationJobOptions });
  }

  /** The notifications queue: routes an outbox row to the lane of the first platform that must reach the person. */
  async function deliver(outboxId: string): Promise<void> {
    const row = await deps.outbox.get(outboxId);
    if (!row || row.status === 'delivered') return;
    const person = await deps.people.get(row.recipientId);
    if (!person) {
      await deps.outbox.markDelivered(row.id, deps.clock.now());
      return;
    }
    await handOn(row, person, new Set(row.deliveredPlatforms ?? []));
  }

  /** A platform's lane: delivers the row there, then hands it on. */
  async function deliverOn(platform: Platform, job: Job): Promise<void> {
    const outboxId = (job.data as { outboxId: string }).outboxId;
    const mine = job.id ? handed.get(job.id) : undefined;
    if (job.id) handed.delete(job.id);
    const fresh = mine && job.attemptsMade === 0 && Date.now() - mine.at < HANDED_MS ? mine : undefined;
    const row = fresh?.row ?? (await deps.outbox.get(outboxId));
    if (!row || row.status === 'delivered') return;
    const person = fresh?.person ?? (await deps.people.get(row.recipientId));
    if (!person) {
      await deps.outbox.markDelivered(row.id, deps.clock.now());
      return;
    }
    const done = new Set(row.deliveredPlatforms ?? []);
    const notifier = options.notifiers.find((n) => n.platform === platform);
    if (!notifier || done.has(platform) || !notifier.canReach(person)) {
      await handOn(row, person, done);
      return;
    }
    try {
      await notifier.deliver(person, row);
      // a person read as reachable there has nothing to clear: no second read of them for every delivery (P5).
      // Read by the router moments ago at most; a person found unreachable since by another delivery is cleared
      // by the next that reads them, or when they install the app
      if (person.unreachableOn?.includes(platform)) await deps.people.setReachability(person.id, platform, true, deps.clock.now());
    } catch (error) {
      if (!(error instanceof RecipientUnreachableError)) {
        await deps.outbox.markAttempt(row.id, (error as Error).message ?? 'error');
        throw error;
      }
      // Teams 403 BotNotInConversationRoster: shown in /overdue as "not reachable", not retried.
      await deps.people.setReachability(person.id, error.platform, false, deps.clock.now());
      logger.warn({ outboxId: row.id, platform: error.platform }, 'recipient not reachable');
    }
    done.add(platform);
    await handOn(row, person, done, platform);
  }

  /**
   * Sends on what a unit of work has just written to the outbox. A message this call stored (`stored`) is new
   * and pending as written, so it goes straight to the lane of the first platform that must reach its recipient,
   * with the row and the person handed over (the recipient is usually remembered from the unit's own reads): no
   * router job, and no reading back of the row. Anything else — stored before (a retried command), or a
   * recipient not found — goes through the notifications queue, which reads the row as stored.
   */
  async function sendOn(messages: OutboxMessage[], stored: string[]): Promise<void> {
    const fresh = new Set(stored);
    const routed: OutboxMessage[] = [];
    for (const message of messages) {
      const person = fresh.has(message.id) ? await deps.people.get(message.recipientId) : null;
      if (!person) {
        routed.push(message);
        continue;
      }
      await handOn({ ...message, status: 'pending', attempts: 0 }, person, new Set());
    }
    if (routed.length > 0) await notify(routed.map((m) => ({ id: m.id, type: m.view.type })));
  }

  const horizonMs = (options.timerHorizonHours ?? 24) * 3_600_000;
  /** How far ahead (app clock) this process has timed the stored reminders; unset until start-up's rebuild. */
  let timedUntil: number | undefined;
  /**
   * Puts on their timers the unsent reminders due after `after` and within the horizon, a page at a time in small
   * slices (`onPage` after each page); a job already there is left as it is.
   */
  async function timeUpcoming(after: Date | undefined, onPage: () => void = () => undefined): Promise<number> {
    const until = deps.clock.now().getTime() + horizonMs;
    let timed = 0;
    for await (const page of deps.reminders.pendingTimers(5_000, { after, until: new Date(until) })) {
      for (let i = 0; i < page.length; i += 200) await scheduler.schedule(page.slice(i, i + 200) as Reminder[]);
      timed += page.length;
      onPage();
    }
    timedUntil = Math.max(timedUntil ?? until, until);
    return timed;
  }
  /** The sweep's part: once the horizon has moved on a quarter of an hour, the reminders it has come to. */
  const TOP_UP_MS = 15 * 60_000;
  async function timeComingReminders(): Promise<void> {
    if (timedUntil === undefined || deps.clock.now().getTime() + horizonMs - timedUntil < TOP_UP_MS) return;
    await timeUpcoming(new Date(timedUntil));
  }

  async function processReminder(reminderId: string): Promise<boolean> {
    await roomInLanes();
    const reminder = await deps.reminders.get(reminderId);
    if (!reminder || reminder.sent) return false;
    // The DB decides whether it has fired: a rebuilt or duplicated job finds it sent and does nothing.
    const messages = await reminderMessages(deps, reminder);
    if (!(await deps.reminders.markSent(reminder.id, deps.clock.now()))) return false;
    // straight on to be delivered: flushing the outbox here read the whole outbox for every reminder (P5)
    await sendOn(messages, await deps.outbox.enqueue(messages));
    return true;
  }

  async function fireDueReminders(): Promise<number> {
    // from the summer half term on, next year's term dates are asked for (once, then weekly)
    for (const org of await deps.organisations.list()) await askForNextYearDates(deps, org).catch((e) => logger.warn({ err: (e as Error).message }, 'term dates not asked for'));
    // a month before a contract's review date, its supervisor gets the review card (once per review date)
    for (const org of await deps.organisations.list()) await askForReviews(deps, org).catch((e) => logger.warn({ err: (e as Error).message }, 'reviews not asked for'));
    const now = deps.clock.now();
    const due = await deps.reminders.pending(new Date(0), new Date(now.getTime() + 1));
    let fired = 0;
    for (let i = 0; i < due.length; i += 200) {
      const slice = due.slice(i, i + 200);
      // one whose job is waiting for a worker or running is the queue's: at the instant a morning's reminders
      // fall due, the sweep read each again beside the workers (P5). A job lost, finished (run before the
      // reminder was moved), or still on its timer is the sweep's: timers run on real time, and the
      // playground's clock (and a test's) brings reminders due before their timers come round
      // (one pipelined read of each job's finish time and timer, not BullMQ's job state: that searches the
      // waiting list, as long as the morning's reminders)
      const check = notificationsConnection.pipeline();
      for (const r of slice) {
        readJob(check, reminders.toKey(jobIdFor(r.id)));
        check.zscore(reminders.toKey('delayed'), jobIdFor(r.id));
      }
      const jobs = (await check.exec()) ?? [];
      const mine = slice.filter((_, j) => {
        const [timerError, timer] = jobs[2 * j + 1] ?? [];
        return !(unfinished(jobs[2 * j]) && !timerError && timer == null);
      });
      fired += await fireInTurn(mine);
    }
    return fired;
  }

  /**
   * Fires reminders in the order given, except that those due at the same instant go side by side (as many at
   * once as `reminderConcurrency`), one recipient's still one after another: a trust whose prompts all came due
   * while no worker ran had them fired one at a time, slower than Teams takes them (P7).
   */
  async function fireInTurn(list: Reminder[]): Promise<number> {
    let fired = 0;
    for (let i = 0; i < list.length; ) {
      const at = (list[i] as Reminder).dueAt.getTime();
      const byRecipient = new Map<string, Reminder[]>();
      for (; i < list.length && (list[i] as Reminder).dueAt.getTime() === at; i++) {
        const r = list[i] as Reminder;
        const key = r.recipientIds.join(',');
        const group = byRecipient.get(key);
        if (group) group.push(r);
        else byRecipient.set(key, [r]);
      }
      const groups = [...byRecipient.values()];
      let next = 0;
      const runner = async () => {
        for (let group = groups[next++]; group; group = groups[next++]) for (const r of group) if (await processReminder(r.id)) fired++;
      };
      await Promise.all(Array.from({ length: Math.min(reminderConcurrency, groups.length) }, runner));
    }
    return fired;
  }

  /**
   * Every active contract's next session and its reminders, from MongoDB, onto the timer. Read in a few whole
   * reads per organisation (its compliance summaries, the upcoming sessions, its stored reminders) and written
   * in bulk: FerretDB scans a whole collection for any filter but `_id`, and round trips per contract made a
   * start-up with 10,000 contracts take 50–80 ms a contract (P6). A contract whose summary or next session is
   * not as expected takes the one-by-one path, as a command would.
   */
  async function rebuildReminders(): Promise<number> {
    const { sessionIdFor } = await import('../app/sessions.js');
    const { bookNextSessions, ioTurns } = await import('../app/booking-pass.js');
    const { Timetable } = await import('../domain/booking.js');
    const { calendarOf } = await import('../app/context.js');
    const { remindersForSession } = await import('../domain/reminders.js');
    const { followUpsForSession } = await import('../domain/engagement.js');
    const now = deps.clock.now();
    // where start-up goes, phase by phase (P6, P7): logged once at the end, ids and counts only
    const phases = { readMs: 0, bookingMs: 0, syncMs: 0, scheduleMs: 0 };
    let mark = performance.now();
    // and the most memory seen at the end of each step of a phase (MB)
    const rssMb = { readMs: 0, bookingMs: 0, syncMs: 0, scheduleMs: 0 };
    const sampleRss = (phase: keyof typeof phases) => {
      rssMb[phase] = Math.max(rssMb[phase], Math.round(process.memoryUsage.rss() / 1_048_576));
    };
    const lap = (phase: keyof typeof phases) => {
      const at = performance.now();
      phases[phase] += at - mark;
      mark = at;
      sampleRss(phase);
    };
    const orgs = new Map((await deps.organisations.list()).map((o) => [o.id, o]));
    const calendars = new Map<string, ReturnType<typeof calendarOf>>();
    const calendar = (org: Organisation) => {
      const known = calendars.get(org.id);
      if (known) return known;
      const cal = calendarOf(org);
      calendars.set(org.id, cal);
      return cal;
    };
    // who supervises each contract, for the booking pass's timetable (ids only: a few MB for a local authority)
    const supervisorsOf = new Map<string, string[]>();
    // contracts whose next session has passed or is missing (a trust's sessions passed unrecorded at once, P7)
    const unsettled = new Map<string, SupervisionContract[]>();
    let wanted: Reminder[] = [];
    // written a slice at a time: a local authority's reminders held at once cost hundreds of MB (P6)
    const flush = async () => {
      lap('readMs');
      for (let i = 0; i < wanted.length; i += 5_000) await deps.reminders.syncMany(wanted.slice(i, i + 5_000));
      wanted = [];
      lap('syncMs');
    };
    // Every active contract, 2,000 at a time in `_id` order, with its summary and the session the summary names
    // read by id: nothing of a local authority's size is held at once (P6).
    for (let after: string | undefined; ; ) {
      const page = await deps.contracts.activePage(after, 2_000);
      if (page.length === 0) break;
      after = (page[page.length - 1] as SupervisionContract).id;
      const summaries = new Map((await deps.compliance.forContracts(page.map((c) => c.id))).map((c) => [c.contractId, c]));
      const named = new Map<string, string>();
      for (const contract of page) {
        const org = orgs.get(contract.organisationId);
        const next = summaries.get(contract.id)?.nextScheduledAt;
        if (org && next && next.getTime() > now.getTime()) named.set(contract.id, sessionIdFor(org, contract.id, next));
      }
      const sessions = new Map((await deps.sessions.getMany([...named.values()])).map((x) => [x.id, x]));
      const turn = ioTurns();
      for (const contract of page) {
        await turn();
        const org = orgs.get(contract.organisationId);
        if (!org) continue;
        supervisorsOf.set(contract.id, contract.supervisorIds);
        const next = summaries.get(contract.id)?.nextScheduledAt;
        const session = sessions.get(named.get(contract.id) ?? '');
        if (next && session?.status === 'scheduled' && session.startsAt.getTime() === next.getTime()) {
          const cal = calendar(org);
          wanted.push(...remindersForSession(session, contract, org, cal), ...followUpsForSession(session, contract, org, cal));
          continue;
        }
        // no summary, or its next session has passed: booked in bulk below
        const list = unsettled.get(org.id) ?? [];
        list.push(contract);
        unsettled.set(org.id, list);
      }
      await flush();
      collectGarbage();
    }
    if (unsettled.size > 0) {
      // the booked sessions, so that no supervisor or room is booked twice at once
      const upcoming = await deps.sessions.scheduledBetween(new Date(now.getTime() + 1), new Date('9999-12-31T00:00:00Z'));
      for (const [orgId, contracts] of unsettled) {
        unsettled.delete(orgId);
        const org = orgs.get(orgId) as Organisation;
        const timetable = new Timetable();
        for (const x of upcoming) if (x.organisationId === orgId) timetable.add(x, supervisorsOf.get(x.contractId) ?? [], x.room);
        lap('readMs');
        const pass = await bookNextSessions(deps, org, contracts, timetable);
        const before = phases.bookingMs;
        lap('bookingMs');
        const ms = Math.round(phases.bookingMs - before);
        if (pass.booked > 0) logger.info({ organisationId: org.id, booked: pass.booked, contracts: contracts.length, ms }, 'next sessions booked at start-up');
        // (not spread into the list: a local authority's booking pass gives hundreds of thousands)
        wanted = pass.reminders;
        await flush();
        collectGarbage();
      }
    }
    supervisorsOf.clear();
    // only what a timer needs, a page at a time and in small slices: a large trust's reminders and their BullMQ
    // jobs held at once cost hundreds of MB at start-up (P6); and only those due within the horizon, the sweep
    // timing the rest as they come within it
    const scheduled = await timeUpcoming(undefined, () => {
      sampleRss('scheduleMs');
      collectGarbage();
    });
    lap('scheduleMs');
    logger.info(
      {
        reminders: scheduled,
        ...Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)])),
        rssMb: { read: rssMb.readMs, booking: rssMb.bookingMs, sync: rssMb.syncMs, schedule: rssMb.scheduleMs },
      },
      'reminders rebuilt',
    );
    return scheduled;
  }

  if (options.workers !== false) {
    const workerOptions = {
      prefix,
      concurrency: options.concurrency ?? 20,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      lockDuration: options.lockDurationMs ?? 30_000,
      // A stalled job is one whose worker died (kill -9, OOM, a deploy); stalled jobs go back to the head of the
      // queue, so the same few are hit by every crash in a row. Failing them after a handful would lose a
      // confirmation someone made, and handlers cannot crash a process by input, so allow many.
      maxStalledCount: 100,
    };
    workers.push(
      new Worker(
        'commands',
        async (job: Job) => withReadMemo(async () => {
          const command = commandSchema.safeParse(job.data);
          if (!command.success) throw new UnrecoverableError('malformed command');
          // the messages this command wrote go straight on to be delivered (sendOn); the sweep catches any
          // a crash left behind, so a command never has to scan the outbox
          const written: OutboxMessage[] = [];
          const stored: string[] = [];
          const outbox = {
            ...deps.outbox,
            enqueue: async (messages: OutboxMessage[]) => {
              const ids = await deps.outbox.enqueue(messages);
              written.push(...messages);
              stored.push(...ids);
              return ids;
            },
          };
          const result = await runCommand({ ...deps, outbox }, command.data);
          // the person was told the result would follow: it goes to their chat (once, by the claim)
          if (!(await claim(job.id as string, 'done'))) await outbox.enqueue(await answerInChat(command.data, result));
          if (written.length > 0) {
            await sendOn(written, stored).catch((e) => logger.warn({ err: (e as Error).message }, 'notifications not queued; the sweep will retry'));
          }
          return result;
        }, 'commands'),
        { ...workerOptions, connection: conn() },
      ),
      // each job reads its people, organisation, contract and session once (src/store/read-memo.ts)
      new Worker('notifications', async (job: Job) => withReadMemo(() => deliver((job.data as { outboxId: string }).outboxId), 'notifications'), { ...workerOptions, connection: conn() }),
      ...PLATFORMS.map(
        (platform) => new Worker(`notifications-${platform}`, async (job: Job) => withReadMemo(() => deliverOn(platform, job), 'notifications'), { ...workerOptions, connection: conn() }),
      ),
      new Worker('reminders', async (job: Job) => withReadMemo(() => processReminder((job.data as { reminderId: string }).reminderId), 'reminders'), {
        ...workerOptions,
        concurrency: reminderConcurrency,
        connection: conn(),
      }),
    );
    for (const w of workers) {
      w.on('failed', (job, err) => logger.warn({ queue: w.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed'));
      w.on('error', (err) => logger.warn({ queue: w.name, err: err.message }, 'worker error'));
    }
  }

  // the sweep is workers' work: a process that only enqueues (a web process) keeps its CPU for requests
  const sweepMs = (options.sweepSeconds ?? 15) * 1000;
  // one sweep at a time: one that finds a morning's reminders due outlasts the interval, and the next read them all
  // again beside it
  let sweeping = false;
  const sweep =
    options.workers !== false
      ? setInterval(() => {
          if (sweeping) return;
          sweeping = true;
          Promise.all([flushOutbox(), fireDueReminders(), timeComingReminders()])
            .catch((e) => logger.warn({ err: (e as Error).message }, 'sweep failed'))
            .finally(() => {
              sweeping = false;
            });
        }, sweepMs)
      : undefined;
  sweep?.unref();

  return {
    async dispatch(command) {
      await commands.add(command.type, command, { jobId: jobIdFor(command.commandId), ...commandJobOptions });
    },
    async dispatchAndWait(command, timeoutMs, dispatchOptions = {}) {
      const jobId = jobIdFor(command.commandId);
      await listening();
      // one listener for all waiters (a listener per job costs O(waiters) on every completion)
      const outcome = new Promise<UseCaseResult | 'pending'>((resolve, reject) => {
        const late = async (): Promise<UseCaseResult | 'pending'> => {
          if (!dispatchOptions.answerLate || (await claim(jobId, 'late'))) return 'pending';
          // the worker claimed it first: it has finished, and its result is answered here
          return ((await commands.getJob(jobId))?.returnvalue as UseCaseResult | undefined) ?? 'pending';
        };
        const timer = setTimeout(() => {
          late().then(
            (value) => settle(() => resolve(value)),
            () => settle(() => resolve('pending')),
          );
        }, timeoutMs);
        const waiter: Waiter = {
          done: (value) => settle(() => resolve(value)),
          // an attempt that failed is retried by the queue; the person told it is on its way gets its result
          fail: (e) => {
            settle(() => undefined);
            const claimed = dispatchOptions.answerLate ? claim(jobId, 'late').catch(() => false) : Promise.resolve(false);
            void claimed.then(() => reject(e));
          },
        };
        function settle(fn: () => void) {
          clearTimeout(timer);
          const list = waiters.get(jobId);
          if (list) {
            const i = list.indexOf(waiter);
            if (i >= 0) list.splice(i, 1);
            if (list.length === 0) waiters.delete(jobId);
          }
          fn();
        }
        const list = waiters.get(jobId) ?? [];
        list.push(waiter);
        waiters.set(jobId, list);
      });
      const job = await commands.add(command.type, command, { jobId, ...commandJobOptions });
      const state = await job.getState();
      if (state === 'completed') {
        const done = (await commands.getJob(jobId))?.returnvalue as UseCaseResult | undefined;
        for (const w of [...(waiters.get(jobId) ?? [])]) w.done(done ?? 'pending');
      } else if (state === 'failed') {
        for (const w of [...(waiters.get(jobId) ?? [])]) w.fail(new Error(job.failedReason || 'the command failed'));
      }
      return outcome;
    },
    flushOutbox,
    fireDueReminders,
    rebuildReminders,
    timeComingReminders,
    scheduler,
    commands,
    async close() {
      closing = true;
      clearInterval(sweep);
      if (deps.reminderScheduler === scheduler) deps.reminderScheduler = undefined;
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([commands.close(), notifications.close(), reminders.close(), ...(events ? [events.then((e) => e.close()).catch(() => undefined)] : []), ...[...lanes.values()].map((q) => q.close())]);
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

/**
 * Start-up reads and writes a large trust's reminders once (30,000 for 10,000 contracts), and V8 grows the heap
 * to hold that garbage, then keeps the memory resident. Run with `node --expose-gc` (as the image and
 * `npm run start:dist` do), the rebuild collects between its phases so it never does (P6); without the flag
 * this does nothing.
 */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** The id of a Redis stream's newest entry, or the id before any entry when it has none (or does not exist yet). */
export async function streamEnd(redis: Redis, key: string): Promise<string> {
  const [newest] = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
  return newest?.[0] ?? '0-0';
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
