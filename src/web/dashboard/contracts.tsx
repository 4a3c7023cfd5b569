/**
 * The contracts screen (`#admin/contracts`): the organisation's supervision contracts with a search and a filter
 * (active, waiting for a first session, ended), and a form to create one or change an active one's terms, on the
 * administration API (`/tab/api/admin/contracts`). The API checks everything with the same rules as the contracts
 * CSV import; a refusal names the field and is shown at it. Ending a contract keeps its history.
 */
import { Button, Checkbox, Field, Input, MessageBar, MessageBarBody, MessageBarTitle, Select } from '@fluentui/react-components';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { ContractInput, ContractStatus, ContractsView, ContractView, ErrorResponse } from '../tab/api-types.js';
import { send, useApi } from './api.js';
import { AdminHead, useTitle } from './admin.js';
import { PlaygroundBanner, Problem } from './App.js';
import { Chip, dayText, Loading, plural } from './ui.js';

type Status = 'all' | ContractStatus;
const STATUSES: Array<[Status, string]> = [
  ['all', 'All'],
  ['active', 'Active'],
  ['waiting', 'Waiting'],
  ['ended', 'Ended'],
];
const STATUS_TONE: Record<ContractStatus, 'ok' | 'warn' | 'neutral'> = { active: 'ok', waiting: 'warn', ended: 'neutral' };
const STATUS_TEXT: Record<ContractStatus, string> = { active: 'Active', waiting: 'Waiting for a first session', ended: 'Ended' };

const CADENCES: Array<[string, string]> = [
  ['weekly', 'Weekly'],
  ['fortnightly', 'Fortnightly'],
  ['every-n-weeks', 'Every few weeks'],
  ['monthly', 'Monthly'],
  ['half-termly', 'Half-termly'],
  ['termly', 'Termly'],
  ['yearly', 'Yearly'],
];
const LEVELS: Array<[string, string]> = [
  ['1', '1 — within the school'],
  ['2', '2 — another school in the trust'],
  ['3', '3 — an outside agency'],
];

/** The form's labels, to name a refused field in words. */
const LABELS: Record<string, string> = {
  reference: 'Reference',
  kind: 'Kind',
  supervisorId: 'Supervisor',
  superviseeIds: 'Supervisees',
  external: 'Supervised from outside',
  cadence: 'How often',
  durationMinutes: 'Length',
  location: 'Location',
  format: 'Format',
  level: 'Level',
  disputeRoute: 'Who hears a dispute',
  agendaTemplate: 'Agenda template',
  startDate: 'Start date',
  reviewDueDate: 'Review date',
  preferredTime: 'Preferred time',
};

interface Draft {
  kind: 'one-to-one' | 'group';
  supervisorId: string;
  superviseeIds: string[];
  external: boolean;
  cadenceKind: string;
  weeks: string;
  durationMinutes: string;
  location: string;
  format: 'face-to-face' | 'video' | 'phone';
  level: '1' | '2' | '3';
  disputeRoute: 'line-manager' | 'safeguarding-governor';
  agendaTemplate: 'general' | 'dsl';
  startDate: string;
  reviewDueDate: string;
  preferredTime: string;
}

const EMPTY: Draft = {
  kind: 'one-to-one',
  supervisorId: '',
  superviseeIds: [''],
  external: false,
  cadenceKind: 'every-n-weeks',
  weeks: '4',
  durationMinutes: '60',
  location: '',
  format: 'face-to-face',
  level: '1',
  disputeRoute: 'line-manager',
  agendaTemplate: 'general',
  startDate: '',
  reviewDueDate: '',
  preferredTime: '15:45',
};

function draftOf(c: ContractView): Draft {
  const weeks = /^every (\d+) weeks$/.exec(c.cadence)?.[1];
  return {
    kind: c.kind,
    supervisorId: c.supervisor.id,
    superviseeIds: c.supervisees.map((s) => s.id),
    external: c.external,
    cadenceKind: weeks ? (weeks === '2' ? 'fortnightly' : 'every-n-weeks') : c.cadence,
    weeks: weeks ?? '4',
    durationMinutes: String(c.durationMinutes),
    location: c.location,
    format: c.format,
    level: String(c.level) as Draft['level'],
    disputeRoute: c.disputeRoute,
    agendaTemplate: c.agendaTemplate,
    startDate: c.startDate,
    reviewDueDate: c.reviewDueDate,
    preferredTime: c.preferredTime,
  };
}

function inputOf(d: Draft): ContractInput {
  const minutes = Number(d.durationMinutes);
  return {
    kind: d.kind,
    supervisorId: d.supervisorId,
    superviseeIds: d.kind === 'one-to-one' ? d.superviseeIds.slice(0, 1) : d.superviseeIds.filter(Boolean),
    external: d.external,
    cadence: d.cadenceKind === 'every-n-weeks' ? `every ${d.weeks.trim()} weeks` : d.cadenceKind,
    durationMinutes: d.durationMinutes.trim() === '' || Number.isNaN(minutes) ? (d.durationMinutes as unknown as number) : minutes,
    location: d.location,
    format: d.format,
    level: Number(d.level) as 1 | 2 | 3,
    disputeRoute: d.disputeRoute,
    agendaTemplate: d.agendaTemplate,
    startDate: d.startDate,
    ...(d.reviewDueDate ? { reviewDueDate: d.reviewDueDate } : {}),
    ...(d.preferredTime ? { preferredTime: d.preferredTime } : {}),
  };
}

/** A year after a `YYYY-MM-DD` day, as the API defaults the review date. */
const aYearOn = (day: string) => (/^\d{4}-\d{2}-\d{2}$/.test(day) ? `${Number(day.slice(0, 4)) + 1}${day.slice(4)}`.replace(/-02-29$/, '-03-01') : '');

type Editing = { mode: 'new' } | { mode: 'edit'; contract: ContractView } | undefined;

export function ContractsPage() {
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<Status>('all');
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<Editing>();
  const [done, setDone] = useState<string | undefined>();
  const params = new URLSearchParams({ ...(search ? { q: search } : {}), ...(status !== 'all' ? { status } : {}) }).toString();
  const [load, reload] = useApi<[ContractsView]>([`/admin/contracts${params ? `?${params}` : ''}`]);
  useTitle('Contracts');
  // the search is asked of the server a moment after typing stops
  useEffect(() => {
    const t = setTimeout(() => setSearch(query.trim()), 250);
    return () => clearTimeout(t);
  }, [query]);
  if (load.state !== 'ok' && load.state !== 'loading') return <Problem load={load} />;
  const v = load.state === 'ok' ? load.data[0] : undefined;
  const saved = (c: ContractView, what: string) => {
    setEditing(undefined);
    setDone(`${what}: ${c.supervisor.name} with ${c.supervisees.map((s) => s.name).join(', ')}.`);
    reload();
  };
  return (
    <>
      <PlaygroundBanner />
      <AdminHead title="Contracts" sub="Who supervises whom, how often, where, and who hears a dispute." />
      {done ? (
        <MessageBar intent="success" id="contract-done">
          <MessageBarBody>{done}</MessageBarBody>
        </MessageBar>
      ) : null}
      {editing && v ? (
        <ContractForm key={editing.mode === 'edit' ? editing.contract.id : 'new'} editing={editing} people={v.people} onCancel={() => setEditing(undefined)} onSaved={saved} />
      ) : null}
      <section className="card" aria-labelledby="contracts-heading" id="contracts">
        <div className="card-head">
          <h2 id="contracts-heading">Contracts</h2>
          {!editing ? (
            <Button
              appearance="primary"
              onClick={() => {
                setDone(undefined);
                setEditing({ mode: 'new' });
              }}
            >
              New contract
            </Button>
          ) : null}
        </div>
        <div className="people-tools">
          <Field label="Search by name or location">
            <Input type="search" value={query} onChange={(_e, d) => setQuery(d.value)} />
          </Field>
          <fieldset className="filters">
            <legend className="visually-hidden">Show</legend>
            {STATUSES.map(([s, label]) => (
              <Button key={s} size="small" appearance={status === s ? 'primary' : 'secondary'} aria-pressed={status === s} onClick={() => setStatus(s)}>
                {label}
                {v && s !== 'all' ? ` (${v.counts[s]})` : ''}
              </Button>
            ))}
          </fieldset>
        </div>
        {!v ? (
          <Loading />
        ) : v.contracts.length ? (
          <ul className="plain contract-list" id="contract-list">
            {v.contracts.map((c) => (
              <ContractRow
                key={c.id}
                c={c}
                onEdit={() => {
                  setDone(undefined);
                  setEditing({ mode: 'edit', contract: c });
                  window.scrollTo({ top: 0 });
                }}
                onEnded={(ended) => saved(ended, 'Ended')}
              />
            ))}
          </ul>
        ) : (
          <p className="muted">{search || status !== 'all' ? 'No contract matches.' : 'No contracts yet: add one here, or import the contracts CSV.'}</p>
        )}
      </section>
    </>
  );
}

function ContractRow({ c, onEdit, onEnded }: { c: ContractView; onEdit: () => void; onEnded: (c: ContractView) => void }) {
  const [asking, setAsking] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const end = async () => {
    const answer = await send<ContractView>('POST', `/admin/contracts/${encodeURIComponent(c.id)}/end`, '{}', 'application/json');
    if (answer.status === 200) onEnded(answer.body as ContractView);
    else setProblem((answer.body as ErrorResponse).error ?? 'Not ended; try again.');
  };
  const headingId = `contract-${c.id}`;
  return (
    <li className="contract" data-contract={c.id} data-status={c.status} aria-labelledby={headingId}>
      <div className="contract-head">
        <h3 id={headingId}>
          {c.supervisor.name} <span className="muted">with</span> {c.supervisees.map((s) => s.name).join(', ')}
        </h3>
        <Chip tone={STATUS_TONE[c.status]}>{STATUS_TEXT[c.status]}</Chip>
      </div>
      <dl className="facts">
        <dt>Kind</dt>
        <dd>
          {c.kind === 'group' ? `Group of ${c.supervisees.length}` : 'One-to-one'}
          {c.external ? ', supervised from outside' : ''} · level {c.level}
        </dd>
        <dt>How often</dt>
        <dd>
          {c.cadence.replace(/^\w/, (l) => l.toUpperCase())}, {c.durationMinutes} minutes, {c.format}
        </dd>
        <dt>Where</dt>
        <dd>{c.location}</dd>
        <dt>Dispute heard by</dt>
        <dd>{c.disputeRoute === 'line-manager' ? 'The line manager' : 'The safeguarding governor'}</dd>
        <dt>Dates</dt>
        <dd>
          From {dayText(c.startDate)}, review {dayText(c.reviewDueDate)}
          {c.endedOn ? `, ended ${dayText(c.endedOn)}` : ''}
        </dd>
        <dt>Sessions</dt>
        <dd>
          {plural(c.sessionsHeld, 'held', 'held')}
          {c.nextSessionAt ? `; next ${dayText(c.nextSessionAt.slice(0, 10))}` : ''}
        </dd>
        <dt>Agreement</dt>
        <dd className="agreement" data-waiting={c.agreement.waiting ? 'yes' : 'no'}>
          {c.agreement.signed.length > 0 ? `Signed by ${c.agreement.signed.map((x) => `${x.name} (${x.signedText})`).join(', ')}` : c.agreement.waiting ? 'Not signed yet' : 'Agreed'}
          {c.agreement.waiting ? `; waiting for ${c.agreement.waitingNames.join(', ')}${c.agreement.since ? ` since ${c.agreement.since}` : ''}` : ''}
          {c.agreement.startedEarly ? '; started by the DSL before everyone agreed' : ''}
        </dd>
      </dl>
      {c.status !== 'ended' ? (
        <div className="toolbar">
          <Button size="small" onClick={onEdit} aria-describedby={headingId}>
            Edit
          </Button>
          {asking ? (
            <>
              <span className="small">End it? Its sessions, records and actions are kept; no more sessions are booked.</span>
              <Button size="small" appearance="primary" onClick={() => void end()} aria-describedby={headingId}>
                Yes, end the contract
              </Button>
              <Button size="small" onClick={() => setAsking(false)}>
                Keep it
              </Button>
            </>
          ) : (
            <Button size="small" onClick={() => setAsking(true)} aria-describedby={headingId}>
              End…
            </Button>
          )}
        </div>
      ) : null}
      {problem ? (
        <p className="small bad-text" role="alert">
          {problem}
        </p>
      ) : null}
    </li>
  );
}

function ContractForm({
  editing,
  people,
  onCancel,
  onSaved,
}: {
  editing: NonNullable<Editing>;
  people: ContractsView['people'];
  onCancel: () => void;
  onSaved: (c: ContractView, what: string) => void;
}) {
  const [d, setD] = useState<Draft>(() => (editing.mode === 'edit' ? draftOf(editing.contract) : EMPTY));
  const [refusal, setRefusal] = useState<{ field: string; error: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const top = useRef<HTMLHeadingElement>(null);
  const id = useId();
  useEffect(() => top.current?.focus(), []);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setRefusal(undefined);
    setD((x) => ({ ...x, [key]: value }));
  };
  const at = (field: string) => (refusal && (refusal.field === field || refusal.field.startsWith(`${field}.`)) ? refusal : undefined);
  const state = (field: string) => (at(field) ? { validationState: 'error' as const, validationMessage: messageOf(at(field)!) } : {});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const body = JSON.stringify(inputOf(d));
      const answer =
        editing.mode === 'edit'
          ? await send<ContractView>('PUT', `/admin/contracts/${encodeURIComponent(editing.contract.id)}`, body, 'application/json')
          : await send<ContractView>('POST', '/admin/contracts', body, 'application/json');
      if (answer.status === 200 || answer.status === 201) onSaved(answer.body as ContractView, editing.mode === 'edit' ? 'Saved' : 'Created');
      else {
        const err = answer.body as ErrorResponse;
        setRefusal({ field: err.field ?? '', error: err.error ?? 'Not saved; try again.' });
      }
    } finally {
      setBusy(false);
    }
  };
  const heading = editing.mode === 'edit' ? `Edit the contract of ${editing.contract.supervisees.map((s) => s.name).join(', ')}` : 'New contract';
  const chosen = new Set([d.supervisorId, ...d.superviseeIds]);
  return (
    <section className="card" aria-labelledby={`${id}-heading`} id="contract-form">
      <div className="card-head">
        <h2 id={`${id}-heading`} tabIndex={-1} ref={top}>
          {heading}
        </h2>
      </div>
      {refusal ? (
        <MessageBar intent="error" id="contract-refusal">
          <MessageBarBody>
            <MessageBarTitle>Not saved</MessageBarTitle>
            {messageOf(refusal)}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="form-grid">
          <Field label="Kind" {...state('kind')}>
            <Select value={d.kind} onChange={(_e, x) => set('kind', x.value as Draft['kind'])}>
              <option value="one-to-one">One-to-one</option>
              <option value="group">Group</option>
            </Select>
          </Field>
          <Field label="Supervisor" {...state('supervisorId')}>
            <Select value={d.supervisorId} onChange={(_e, x) => set('supervisorId', x.value)}>
              <option value="">Choose…</option>
              {people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <fieldset className="supervisees">
          <legend>{d.kind === 'group' ? 'Supervisees' : 'Supervisee'}</legend>
          {(d.kind === 'group' ? d.superviseeIds : d.superviseeIds.slice(0, 1)).map((s, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the list, edited in place
            <div className="supervisee-row" key={i}>
              <Field label={d.kind === 'group' ? `Supervisee ${i + 1}` : 'Supervisee'} {...(refusal?.field === `superviseeIds.${i}` || (refusal?.field === 'superviseeIds' && i === 0) ? state('superviseeIds') : {})}>
                <Select
                  value={s}
                  onChange={(_e, x) =>
                    set(
                      'superviseeIds',
                      d.superviseeIds.map((y, j) => (j === i ? x.value : y)),
                    )
                  }
                >
                  <option value="">Choose…</option>
                  {people
                    .filter((p) => p.id === s || !chosen.has(p.id))
                    .map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name}
                      </option>
                    ))}
                </Select>
              </Field>
              {d.kind === 'group' && d.superviseeIds.length > 1 ? (
                <Button
                  size="small"
                  aria-label={`Remove supervisee ${i + 1}`}
                  onClick={() =>
                    set(
                      'superviseeIds',
                      d.superviseeIds.filter((_y, j) => j !== i),
                    )
                  }
                >
                  Remove
                </Button>
              ) : null}
            </div>
          ))}
          {d.kind === 'group' ? (
            <Button size="small" onClick={() => set('superviseeIds', [...d.superviseeIds, ''])}>
              Add a supervisee
            </Button>
          ) : null}
          <p className="muted small">A group supervised from outside the school has at most six supervisees.</p>
        </fieldset>
        <div className="form-grid">
          <Field label="Level" {...state('level')}>
            <Select
              value={d.level}
              onChange={(_e, x) => {
                set('level', x.value as Draft['level']);
                if (x.value === '3') set('external', true);
              }}
            >
              {LEVELS.map(([v, t]) => (
                <option key={v} value={v}>
                  {t}
                </option>
              ))}
            </Select>
          </Field>
          <Field {...state('external')}>
            <Checkbox checked={d.external} onChange={(_e, x) => set('external', Boolean(x.checked))} label="Supervised from outside the school" />
          </Field>
          <Field label="How often" {...state('cadence')}>
            <Select value={d.cadenceKind} onChange={(_e, x) => set('cadenceKind', x.value)}>
              {CADENCES.map(([v, t]) => (
                <option key={v} value={v}>
                  {t}
                </option>
              ))}
            </Select>
          </Field>
          {d.cadenceKind === 'every-n-weeks' ? (
            <Field label="Every how many weeks" hint="2 to 26" {...state('cadence')}>
              <Input type="number" min={2} max={26} value={d.weeks} onChange={(_e, x) => set('weeks', x.value)} />
            </Field>
          ) : null}
          <Field label="Length in minutes" hint="30 to 120" {...state('durationMinutes')}>
            <Input type="number" min={30} max={120} step={5} value={d.durationMinutes} onChange={(_e, x) => set('durationMinutes', x.value)} />
          </Field>
          <Field label="Preferred time" {...state('preferredTime')}>
            <Input type="time" value={d.preferredTime} onChange={(_e, x) => set('preferredTime', x.value)} />
          </Field>
          <Field label="Location" {...state('location')}>
            <Input value={d.location} onChange={(_e, x) => set('location', x.value)} maxLength={200} />
          </Field>
          <Field label="Format" {...state('format')}>
            <Select value={d.format} onChange={(_e, x) => set('format', x.value as Draft['format'])}>
              <option value="face-to-face">Face to face</option>
              <option value="video">Video call</option>
              <option value="phone">Phone</option>
            </Select>
          </Field>
          <Field label="Who hears a dispute" {...state('disputeRoute')}>
            <Select value={d.disputeRoute} onChange={(_e, x) => set('disputeRoute', x.value as Draft['disputeRoute'])}>
              <option value="line-manager">The line manager</option>
              <option value="safeguarding-governor">The safeguarding governor</option>
            </Select>
          </Field>
          <Field label="Agenda template" {...state('agendaTemplate')}>
            <Select value={d.agendaTemplate} onChange={(_e, x) => set('agendaTemplate', x.value as Draft['agendaTemplate'])}>
              <option value="general">General</option>
              <option value="dsl">DSL supervision</option>
            </Select>
          </Field>
          <Field label="Start date" {...state('startDate')}>
            <Input type="date" value={d.startDate} onChange={(_e, x) => set('startDate', x.value)} />
          </Field>
          <Field label="Review date" hint={d.reviewDueDate ? undefined : `Left empty: a year on${aYearOn(d.startDate) ? `, ${dayText(aYearOn(d.startDate))}` : ''}`} {...state('reviewDueDate')}>
            <Input type="date" value={d.reviewDueDate} onChange={(_e, x) => set('reviewDueDate', x.value)} />
          </Field>
        </div>
        <div className="toolbar">
          <Button type="submit" appearance="primary" disabled={busy}>
            {editing.mode === 'edit' ? 'Save changes' : 'Create contract'}
          </Button>
          <Button onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
        </div>
      </form>
    </section>
  );
}

/** A refusal in words: the field as the form labels it, then why. */
function messageOf(r: { field: string; error: string }): string {
  const [head, index] = r.field.split('.');
  const label = head && LABELS[head] ? `${LABELS[head]}${index !== undefined ? ` ${Number(index) + 1}` : ''}` : undefined;
  const why = r.field && r.error.startsWith(`${r.field}: `) ? r.error.slice(r.field.length + 2) : r.error;
  return label ? `${label}: ${why}` : why;
}
