/**
 * Retention and subject access, for the DSL and deputies (`/tab#retention`): the school's retention schedule with
 * its sources, the records due for destruction (chosen and approved here, never destroyed by themselves), the
 * legal holds in force, and a subject access response — each flagged passage kept or redacted before the
 * response is released as PDF or JSON.
 */
import { Button, Checkbox, Field, Input, MessageBar, MessageBarBody, Radio, RadioGroup, Select, Textarea } from '@fluentui/react-components';
import { type FormEvent, useLayoutEffect, useRef, useState } from 'react';
import type { SubjectAccessReview } from '../../app/evidence/subject-access.js';
import type { DestructionResult, RetentionOverview } from '../../app/retention.js';
import type { StaffView } from '../tab/api-types.js';
import { download, send, useApi } from './api.js';
import { PlaygroundBanner, Problem } from './App.js';
import { Chip, dayText, Icon, Loading, plural } from './ui.js';

function useTitle(title: string | undefined): void {
  useLayoutEffect(() => {
    if (title) document.title = title;
  }, [title]);
}

type Message = { tone: 'success' | 'error'; text: string } | undefined;
const json = (value: unknown) => JSON.stringify(value);
const errorOf = (body: unknown) => (body as { error?: string }).error ?? 'That did not work.';

function Said({ message }: { message: Message }) {
  if (!message) return null;
  return (
    <MessageBar intent={message.tone} role="status">
      <MessageBarBody>{message.text}</MessageBarBody>
    </MessageBar>
  );
}

export function RetentionPage() {
  const [load, reload] = useApi<[RetentionOverview, StaffView]>(['/retention', '/people']);
  // while a change is read back, the page stays as it was (with what it said about the change)
  const shown = useRef<[RetentionOverview, StaffView]>(undefined);
  if (load.state === 'ok') shown.current = load.data;
  useTitle(shown.current ? `Retention — ${shown.current[1].organisationName}` : undefined);
  if (load.state === 'loading' && !shown.current) return <Loading />;
  if (load.state !== 'ok' && load.state !== 'loading') return <Problem load={load} />;
  const [v, staff] = shown.current as [RetentionOverview, StaffView];
  return (
    <>
      <PlaygroundBanner />
      <div className="page-head">
        <div>
          <h1>Retention and subject access</h1>
          <p className="sub">{staff.organisationName} · for the DSL and deputies</p>
        </div>
      </div>
      <Schedule v={v} reload={reload} />
      <Due v={v} reload={reload} />
      <Holds v={v} staff={staff} reload={reload} />
      <SubjectAccess staff={staff} />
    </>
  );
}

function Schedule({ v, reload }: { v: RetentionOverview; reload: () => void }) {
  const [years, setYears] = useState({ supervisionYears: String(v.schedule.supervisionYears), riskOrDecisionYears: String(v.schedule.riskOrDecisionYears) });
  const [message, setMessage] = useState<Message>();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const answer = await send('PUT', '/retention/schedule', json({ supervisionYears: Number(years.supervisionYears), riskOrDecisionYears: Number(years.riskOrDecisionYears) }), 'application/json');
    setMessage(answer.status === 200 ? { tone: 'success', text: 'The schedule is saved.' } : { tone: 'error', text: errorOf(answer.body) });
    if (answer.status === 200) reload();
  };
  return (
    <section className="card" aria-labelledby="schedule-title">
      <div className="card-head">
        <h2 id="schedule-title">Retention schedule</h2>
        {v.schedule.isDefault ? <Chip tone="neutral">Defaults</Chip> : null}
      </div>
      <form onSubmit={(e) => void save(e)} className="form-row">
        <Field label="Supervision records: years after the relationship ends">
          <Input id="supervision-years" type="number" min={1} max={100} value={years.supervisionYears} onChange={(_e, d) => setYears({ ...years, supervisionYears: d.value })} />
        </Field>
        <Field label="Linked to a risk of harm or a case decision: years">
          <Input id="risk-years" type="number" min={1} max={100} value={years.riskOrDecisionYears} onChange={(_e, d) => setYears({ ...years, riskOrDecisionYears: d.value })} />
        </Field>
        <Button type="submit" appearance="primary">
          Save the schedule
        </Button>
      </form>
      <Said message={message} />
      <ul className="small">
        {v.sources.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ul>
    </section>
  );
}

function Due({ v, reload }: { v: RetentionOverview; reload: () => void }) {
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState<Message>();
  const approve = async () => {
    if (!window.confirm(`Destroy the text of ${plural(chosen.size, 'record')}? This cannot be undone; a tombstone stays in the audit trail.`)) return;
    const answer = await send<DestructionResult>('POST', '/retention/destroy', json({ recordIds: [...chosen] }), 'application/json');
    setMessage(answer.status === 200 ? { tone: 'success', text: `${plural((answer.body as DestructionResult).destroyed.length, 'record')} destroyed; each version left a tombstone in the audit trail.` } : { tone: 'error', text: errorOf(answer.body) });
    if (answer.status === 200) {
      setChosen(new Set());
      reload();
    }
  };
  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setChosen(next);
  };
  return (
    <section className="card" aria-labelledby="due-title">
      <div className="card-head">
        <h2 id="due-title">Due for destruction</h2>
        <Chip tone={v.due.length > 0 ? 'warn' : 'ok'}>{plural(v.due.length, 'record')}</Chip>
      </div>
      <p className="small">Nothing is destroyed until you approve it. {v.destroyed > 0 ? `${plural(v.destroyed, 'record')} destroyed so far.` : ''}</p>
      {v.due.length === 0 ? (
        <p>No record has reached the end of its retention period.</p>
      ) : (
        <table className="table" id="due-table">
          <thead>
            <tr>
              <th scope="col">Choose</th>
              <th scope="col">Session</th>
              <th scope="col">People</th>
              <th scope="col">Rule</th>
              <th scope="col">Due since</th>
            </tr>
          </thead>
          <tbody>
            {v.due.map((d) => (
              <tr key={d.recordId} data-record={d.recordId}>
                <td>
                  <Checkbox aria-label={`Choose the record of ${d.dateText}`} disabled={d.heldBy.length > 0} checked={chosen.has(d.recordId)} onChange={(_e, c) => toggle(d.recordId, c.checked === true)} />
                </td>
                <td>{d.dateText}</td>
                <td>{`${d.supervisorName} with ${d.superviseeNames.join(', ')}`}</td>
                <td>{`${d.years} years (${d.rule === 'supervision' ? 'supervision' : 'risk of harm or case decision'}) after ${dayText(d.relationshipEndedOn)}`}</td>
                <td>{d.heldBy.length > 0 ? <Chip tone="bad">Legal hold</Chip> : d.dueText}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="toolbar">
        <Button id="approve-destruction" appearance="primary" disabled={chosen.size === 0} onClick={() => void approve()}>
          {`Approve destruction of ${plural(chosen.size, 'record')}`}
        </Button>
      </div>
      <Said message={message} />
    </section>
  );
}

function Holds({ v, staff, reload }: { v: RetentionOverview; staff: StaffView; reload: () => void }) {
  const [form, setForm] = useState({ kind: 'person', id: '', reason: '' });
  const [message, setMessage] = useState<Message>();
  const place = async (e: FormEvent) => {
    e.preventDefault();
    const answer = await send('POST', '/retention/holds', json({ target: { kind: form.kind, id: form.id }, reason: form.reason }), 'application/json');
    setMessage(answer.status === 201 ? { tone: 'success', text: 'The hold is in force.' } : { tone: 'error', text: errorOf(answer.body) });
    if (answer.status === 201) {
      setForm({ ...form, reason: '' });
      reload();
    }
  };
  const release = async (holdId: string) => {
    const answer = await send('POST', `/retention/holds/${holdId}/release`, '{}', 'application/json');
    setMessage(answer.status === 200 ? { tone: 'success', text: 'The hold is released.' } : { tone: 'error', text: errorOf(answer.body) });
    if (answer.status === 200) reload();
  };
  return (
    <section className="card" aria-labelledby="holds-title">
      <div className="card-head">
        <h2 id="holds-title">Legal holds</h2>
      </div>
      {v.holds.length === 0 ? <p>No hold is in force.</p> : null}
      <ul>
        {v.holds.map((h) => (
          <li key={h.id}>
            {`${h.targetName}, placed by ${h.placedByName}: `}
            {h.reason}{' '}
            <Button size="small" onClick={() => void release(h.id)}>
              Release
            </Button>
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => void place(e)}>
        <Field label="Hold">
          <Select value={form.kind} onChange={(_e, d) => setForm({ ...form, kind: d.value })}>
            <option value="person">a person's records</option>
            <option value="record">one record (by its id)</option>
          </Select>
        </Field>
        {form.kind === 'person' ? (
          <Field label="Person">
            <Select value={form.id} onChange={(_e, d) => setForm({ ...form, id: d.value })}>
              <option value="">Choose…</option>
              {staff.staff.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </Select>
          </Field>
        ) : (
          <Field label="Record id">
            <Input value={form.id} onChange={(_e, d) => setForm({ ...form, id: d.value })} />
          </Field>
        )}
        <Field label="Why (a complaint, a police enquiry, a serious case review)">
          <Textarea value={form.reason} onChange={(_e, d) => setForm({ ...form, reason: d.value })} />
        </Field>
        <Button type="submit">Place the hold</Button>
      </form>
      <Said message={message} />
    </section>
  );
}

function SubjectAccess({ staff }: { staff: StaffView }) {
  const [personId, setPersonId] = useState('');
  const [review, setReview] = useState<SubjectAccessReview>();
  const [choices, setChoices] = useState<Record<string, 'keep' | 'redact'>>({});
  const [message, setMessage] = useState<Message>();
  const start = async () => {
    const answer = await send<SubjectAccessReview>('POST', '/subject-access', json({ personId }), 'application/json');
    if (answer.status === 201 || answer.status === 200) {
      const r = answer.body as SubjectAccessReview;
      setReview(r);
      setChoices({});
      setMessage(undefined);
    } else setMessage({ tone: 'error', text: errorOf(answer.body) });
  };
  const decide = async () => {
    if (!review) return;
    const answer = await send<SubjectAccessReview>('POST', `/subject-access/${review.id}/decisions`, json({ decisions: choices }), 'application/json');
    if (answer.status === 200) {
      setReview(answer.body as SubjectAccessReview);
      setMessage({ tone: 'success', text: 'The review is saved: the response can be released.' });
    } else setMessage({ tone: 'error', text: errorOf(answer.body) });
  };
  const release = async (format: 'pdf' | 'json') => {
    if (!review) return;
    const problem = await download(`/subject-access/${review.id}/release.${format}`, `subject-access.${format}`);
    if (problem) setMessage({ tone: 'error', text: errorOf(problem.body) });
  };
  return (
    <section className="card" aria-labelledby="sar-title">
      <div className="card-head">
        <h2 id="sar-title">Subject access request</h2>
      </div>
      <p className="small">Everything held about a person (UK GDPR Art. 15). Other people’s words in their records are listed first: keep or redact each, then release the response.</p>
      <div className="form-row">
        <Field label="Person">
          <Select id="sar-person" value={personId} onChange={(_e, d) => setPersonId(d.value)}>
            <option value="">Choose…</option>
            {staff.staff.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </Select>
        </Field>
        <Button id="sar-start" disabled={personId === ''} onClick={() => void start()}>
          Start the response
        </Button>
      </div>
      {review ? (
        <>
          <h3>{`${review.person.name}: ${plural(review.passages.length, 'passage')} to review`}</h3>
          <ol className="passages">
            {review.passages.map((p) => (
              <li key={p.id} data-passage={p.id}>
                <p>
                  <strong>{`${p.dateText} — ${p.label}`}</strong> <span className="small">{`(${p.why})`}</span>
                </p>
                <blockquote>{p.text}</blockquote>
                <RadioGroup layout="horizontal" aria-label={`${p.dateText} ${p.label}`} value={choices[p.id] ?? p.decision ?? ''} onChange={(_e, d) => setChoices({ ...choices, [p.id]: d.value as 'keep' | 'redact' })}>
                  <Radio value="keep" label="Keep" />
                  <Radio value="redact" label="Redact" />
                </RadioGroup>
              </li>
            ))}
          </ol>
          <div className="toolbar">
            <Button id="sar-decide" appearance="primary" onClick={() => void decide()}>
              Save the review
            </Button>
            <Button id="sar-pdf" icon={<Icon name="download" />} disabled={!review.decided} onClick={() => void release('pdf')}>
              Release as PDF
            </Button>
            <Button id="sar-json" icon={<Icon name="download" />} disabled={!review.decided} onClick={() => void release('json')}>
              Release as JSON
            </Button>
          </div>
        </>
      ) : null}
      <Said message={message} />
    </section>
  );
}
