/**
 * How long supervision records are kept, and when one falls due for the DSL to review for destruction.
 *
 * Sources of the defaults:
 * - IRMS Information Management Toolkit for Schools (2019), staff records / supervision: kept for the length of
 *   the relationship plus six years, then reviewed for secure disposal;
 * - the same toolkit, child protection: records linked to a child-protection concern are kept far longer (to
 *   25 years); a supervision record that raised a risk of harm or recorded a case decision about a child is kept
 *   like one;
 * - UK GDPR Art. 5(1)(e) (storage limitation): kept no longer than necessary, so a rule is applied, but never by
 *   itself — the DSL approves each destruction (white-laith contract: records are evidence), and a legal hold
 *   (a complaint, a police enquiry, a serious case review) stops it.
 *
 * Pure: records, contracts and people in; what is due out.
 */
import type { AgendaItem, Escalation, LocalDate, Person, RecordSheet, SupervisionContract } from './types.js';

export interface RetentionSchedule {
  /** Years after the supervisory relationship ends that an ordinary supervision record is kept. */
  supervisionYears: number;
  /** Years for a record linked to a risk-of-harm escalation or a case decision about a child. */
  riskOrDecisionYears: number;
}

export const DEFAULT_RETENTION: RetentionSchedule = { supervisionYears: 6, riskOrDecisionYears: 25 };

export type RetentionRule = 'supervision' | 'risk-or-decision';

export const RULE_TEXT: Record<RetentionRule, string> = {
  supervision: 'supervision record: kept for the years set after the supervisory relationship ends (IRMS toolkit: six years)',
  'risk-or-decision': 'linked to a risk of harm or a case decision: kept for the longer period set (IRMS toolkit, child protection: 25 years)',
};

/** `date` plus whole years; 29 February becomes 28 February in a year that has none. */
export function addYears(date: LocalDate, years: number): LocalDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const year = y + years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = m === 2 && d === 29 && !leap ? 28 : d;
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * When the supervisory relationship of a contract ended: the day the contract ended, or — while it is still
 * marked active — the day the last of its supervisees left. Undefined while it goes on.
 */
export function relationshipEnd(contract: Pick<SupervisionContract, 'active' | 'endedOn' | 'superviseeIds'>, people: ReadonlyMap<string, Pick<Person, 'active' | 'leftAt'>>, timezoneDay: (d: Date) => LocalDate): LocalDate | undefined {
  if (!contract.active && contract.endedOn) return contract.endedOn;
  const left = contract.superviseeIds.map((id) => people.get(id));
  if (left.length === 0 || left.some((p) => !(p?.active === false && p.leftAt))) return undefined;
  return left.map((p) => timezoneDay(p?.leftAt as Date)).sort().at(-1);
}

/** The longer rule applies when any version of the record, its session's agenda or an escalation links it to a risk of harm or a case decision. */
export function ruleFor(versions: readonly RecordSheet[], agenda: readonly Pick<AgendaItem, 'riskOfHarm' | 'escalationId'>[], escalations: readonly Pick<Escalation, 'source'>[]): RetentionRule {
  const recordIds = new Set(versions.map((v) => v.id));
  const linked =
    versions.some((v) => v.caseDecisions.length > 0 || v.concerns.some((c) => c.riskOfHarm || c.escalationId !== undefined)) ||
    agenda.some((a) => a.riskOfHarm || a.escalationId !== undefined) ||
    escalations.some((e) => e.source.recordId !== undefined && recordIds.has(e.source.recordId));
  return linked ? 'risk-or-decision' : 'supervision';
}

export function yearsFor(rule: RetentionRule, schedule: RetentionSchedule): number {
  return rule === 'supervision' ? schedule.supervisionYears : schedule.riskOrDecisionYears;
}
