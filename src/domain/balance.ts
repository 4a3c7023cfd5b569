/**
 * The balance of supervision (Leeds briefing): supervision serves three functions — personal support and
 * reflection, quality assurance, professional development — and there should be "a balance between these
 * three functions … over the entire supervision process". Each record topic (stour App. B) counts towards one
 * of them; the balance is read from the records both parties signed.
 */
import { addDays, isCalendarDate } from './calendar.js';
import type { HalfTerm, LocalDate, RecordSheet, RecordTopic } from './types.js';

export const FUNCTIONS = ['support', 'quality', 'development'] as const;
export type SupervisionFunction = (typeof FUNCTIONS)[number];

export const FUNCTION_LABELS: Record<SupervisionFunction, string> = {
  support: 'Personal support and reflection',
  quality: 'Quality assurance',
  development: 'Professional development',
};

/**
 * stour App. B topics → Leeds functions: the impact of the work on the person is support and reflection;
 * performance and organisational issues are the quality-assurance (managerial) function; professional
 * development including training is development.
 */
export const TOPIC_FUNCTION: Record<RecordTopic, SupervisionFunction> = {
  'impact-on-individual': 'support',
  performance: 'quality',
  organisational: 'quality',
  'professional-development': 'development',
};

export interface Balance {
  /** Signed records in the period. */
  sessions: number;
  /** Of those, how many touched each function. */
  support: number;
  quality: number;
  development: number;
}

type Signed = Pick<RecordSheet, 'id' | 'version' | 'state' | 'date' | 'topics' | 'superviseeIds'>;

/** The newest signed version of each record: what both parties agreed (a correction being drafted does not count yet). */
export function signedRecords<T extends Signed>(records: T[]): T[] {
  const newest = new Map<string, T>();
  for (const r of records) {
    if (r.state !== 'signed') continue;
    const seen = newest.get(r.id);
    if (!seen || seen.version < r.version) newest.set(r.id, r);
  }
  return [...newest.values()];
}

/** How many signed sessions from `from` to `to` (inclusive) touched each function. */
export function balanceOf(records: Signed[], from: LocalDate, to: LocalDate): Balance {
  const balance: Balance = { sessions: 0, support: 0, quality: 0, development: 0 };
  for (const r of signedRecords(records)) {
    if (r.date < from || r.date > to) continue;
    balance.sessions++;
    const touched = new Set(r.topics.map((t) => TOPIC_FUNCTION[t]));
    for (const f of touched) balance[f]++;
  }
  return balance;
}

/** The first day of the year up to and including `today` (a year ago tomorrow). */
export function lastYearFrom(today: LocalDate): LocalDate {
  const back = `${Number(today.slice(0, 4)) - 1}${today.slice(4)}`;
  return addDays(isCalendarDate(back) ? back : `${back.slice(0, 8)}28`, 1);
}

/**
 * The first day of "two terms" back: the start of the term before the one `today` is in (or, in a holiday,
 * before the term just ended). Terms are Autumn, Spring and Summer, each starting with its first half term.
 */
export function twoTermsBefore(halfTerms: HalfTerm[], today: LocalDate): LocalDate {
  const starts = halfTerms
    .filter((h) => h.half === 1 && h.start <= today)
    .map((h) => h.start)
    .sort();
  return starts[starts.length - 2] ?? starts[0] ?? addDays(today, -240);
}

/**
 * The functions a person's sessions have not touched since `from`, of the two the Leeds briefing warns are
 * crowded out by case management: personal support and reflection, and professional development. Empty when
 * the person had no signed session in the period (their supervision is overdue instead) or touched both.
 */
export function neglectedFunctions(records: Signed[], from: LocalDate, to: LocalDate): SupervisionFunction[] {
  const b = balanceOf(records, from, to);
  if (b.sessions === 0) return [];
  return (['support', 'development'] as const).filter((f) => b[f] === 0);
}
