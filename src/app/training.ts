/**
 * Supervisors trained (template line manager (f)): the DSL's list in `/overdue` and on the dashboard of the
 * supervisors whose supervision training has lapsed or lapses within a half term (src/domain/training.ts).
 */
import { daysBetween } from '../domain/overdue.js';
import { halfTermHorizon, trainingState } from '../domain/training.js';
import type { Organisation } from '../domain/types.js';
import { calendarOf } from './context.js';
import type { AppDeps } from './ports.js';
import { formatDate } from './present.js';
import type { OverdueRow } from './views.js';

export async function trainingRowsOf(deps: AppDeps, org: Organisation, today: string): Promise<OverdueRow[]> {
  const horizon = halfTermHorizon(today, calendarOf(org));
  // one indexed read of the few with a training date, not everyone on the staff
  const people = await deps.people.trained(org.id);
  return people.flatMap((p) => {
    if (p.active === false) return [];
    const t = trainingState(p, today, horizon);
    if (t.state !== 'lapsed' && t.state !== 'lapsing') return [];
    return [
      {
        personId: p.id,
        personName: p.name,
        detail: t.state === 'lapsed' ? `supervision training lapsed ${formatDate(org, t.lapsesOn)} — trained ${formatDate(org, p.supervisionTrainingDate as string)}` : `supervision training lapses ${formatDate(org, t.lapsesOn)} — book the renewal`,
        daysOverdue: t.state === 'lapsed' ? daysBetween(t.lapsesOn, today) : 0,
        refId: `training:${p.id}`,
      },
    ];
  });
}
