/**
 * The record page's own actions, for the people the record allows: Confirm and Ask for a change (a party who
 * has not confirmed the version shown), and the supervisor's Edit form while the record is not signed by both.
 * Each is the chat's own command (the API puts it on the queue); the page then reloads the record.
 */
import { Button, Checkbox, Field, Input, MessageBar, MessageBarBody, Select, Textarea } from '@fluentui/react-components';
import { type FormEvent, useState } from 'react';
import type { RecordActionResponse, RecordEditBody, RecordResponse, RecordSheetView } from '../tab/api-types.js';
import { type Answer, send } from './api.js';

type Limits = RecordResponse['limits'];
const n = (x: number) => x.toLocaleString('en-GB');

/** What a refusal says, without the field's path the API puts in front of it for programs. */
function said(answer: Answer<RecordActionResponse>): string {
  const body = answer.body as { error?: string; field?: string };
  const text = body.error ?? 'Not saved just now; try again in a moment.';
  return body.field && text.startsWith(`${body.field}: `) ? text.slice(body.field.length + 2) : text;
}

function Outcome({ answer, id }: { answer?: Answer<RecordActionResponse>; id: string }) {
  if (!answer || answer.status === 200) return null;
  if (answer.status === 202)
    return (
      <MessageBar intent="info" id={id}>
        <MessageBarBody>On its way — the record shows it in a moment.</MessageBarBody>
      </MessageBar>
    );
  return (
    <MessageBar intent="error" id={id} role="alert">
      <MessageBarBody>{said(answer)}</MessageBarBody>
    </MessageBar>
  );
}

/** Confirm, or Ask for a change with the reason: for a party who has not confirmed this version. */
export function ConfirmOrAsk({ r, onDone }: { r: RecordSheetView; onDone: () => void }) {
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<Answer<RecordActionResponse> | undefined>();
  if (!r.canConfirm && !r.canDispute) return null;
  const post = async (path: string, body: object) => {
    setBusy(true);
    try {
      const a = await send<RecordActionResponse>('POST', `/records/${encodeURIComponent(r.recordId)}/${path}`, JSON.stringify(body), 'application/json');
      setAnswer(a);
      if (a.status === 200 || a.status === 202) {
        setAsking(false);
        setReason('');
        onDone();
      }
    } finally {
      setBusy(false);
    }
  };
  const ask = (e: FormEvent) => {
    e.preventDefault();
    void post('dispute', { reason });
  };
  return (
    <section className="card record-actions no-print" aria-labelledby="record-actions-heading">
      <h2 id="record-actions-heading">{r.canConfirm ? 'Is this record accurate?' : 'Your confirmation is given'}</h2>
      <p className="small">
        {r.canConfirm
          ? 'Confirm it if it is an accurate record of the session, or ask for a change and say what should change.'
          : 'You have confirmed this version. You can still ask for a change until everyone has confirmed it.'}
      </p>
      {asking ? (
        <form onSubmit={ask} className="org-form">
          <Field label="What should change" hint="Up to 2,000 characters. Both of you are told, and the supervisor edits the record." required>
            <Textarea id="dispute-reason" value={reason} maxLength={2000} onChange={(_e, d) => setReason(d.value)} />
          </Field>
          <div className="toolbar">
            <Button type="submit" appearance="primary" disabled={busy}>
              Send the request
            </Button>
            <Button type="button" disabled={busy} onClick={() => setAsking(false)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <div className="toolbar">
          {r.canConfirm ? (
            <Button appearance="primary" disabled={busy} onClick={() => void post('confirm', { version: r.version })}>
              Confirm
            </Button>
          ) : null}
          {r.canDispute ? (
            <Button disabled={busy} onClick={() => setAsking(true)}>
              Ask for a change
            </Button>
          ) : null}
        </div>
      )}
      <Outcome answer={answer} id="record-action-problem" />
    </section>
  );
}

type Concern = RecordEditBody['concerns'][number];
type Action = RecordEditBody['actions'][number];
type Decision = RecordEditBody['caseDecisions'][number];

/** The supervisor's form, filled in with the version shown; Save writes it as the chat form does. */
export function EditRecord({ r, limits, onSaved, onCancel }: { r: RecordSheetView; limits: Limits; onSaved: () => void; onCancel: () => void }) {
  const [notes, setNotes] = useState(r.notes);
  const [concerns, setConcerns] = useState<Concern[]>(r.concerns.map((c) => ({ text: c.text, riskOfHarm: c.riskOfHarm })));
  const [actions, setActions] = useState<Action[]>(r.actions.map((a) => ({ text: a.text, ownerId: a.ownerId, dueDate: a.dueDate })));
  const [decisions, setDecisions] = useState<Decision[]>(r.caseDecisions.map((d) => ({ childRef: d.childRef, decision: d.decision, rationale: d.rationale, followUpById: d.followUpById })));
  const [nextDate, setNextDate] = useState(r.nextSessionDate ?? '');
  const [nextTime, setNextTime] = useState(r.nextSessionTime ?? '15:45');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<Answer<RecordActionResponse> | undefined>();
  const people = r.ownerOptions;
  const firstPerson = people[0]?.id ?? '';
  const set = <T,>(list: T[], i: number, patch: Partial<T>) => list.map((x, j) => (j === i ? { ...x, ...patch } : x));

  const save = async (submit: boolean) => {
    setBusy(true);
    try {
      const body: RecordEditBody = {
        version: r.version,
        notes,
        concerns,
        actions,
        caseDecisions: decisions,
        nextSession: nextDate ? { date: nextDate, time: nextTime || '15:45' } : null,
        submit,
      };
      const a = await send<RecordActionResponse>('POST', `/records/${encodeURIComponent(r.recordId)}/draft`, JSON.stringify(body), 'application/json');
      setAnswer(a);
      if (a.status === 200 || a.status === 202) onSaved();
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void save(true);
  };

  return (
    <section className="card record-edit no-print" aria-labelledby="record-edit-heading">
      <h2 id="record-edit-heading">{r.editLabel || 'Edit the record'}</h2>
      <p className="small">Saved as the record of the session of {r.dateText}. Sending it asks everyone in the session to confirm it again.</p>
      <form onSubmit={onSubmit} className="org-form">
        <Field label={`Discussion (up to ${n(limits.notes)} characters)`}>
          <Textarea id="edit-notes" value={notes} maxLength={limits.notes} resize="vertical" rows={6} onChange={(_e, d) => setNotes(d.value)} />
        </Field>

        <fieldset className="edit-rows" id="edit-concerns">
          <legend>Concerns</legend>
          {concerns.map((c, i) => (
            <div className="edit-row" key={`concern-${i.toString()}`}>
              <Field label={`Concern ${i + 1} (up to ${n(limits.concern)} characters)`}>
                <Textarea value={c.text} maxLength={limits.concern} onChange={(_e, d) => setConcerns(set(concerns, i, { text: d.value }))} />
              </Field>
              <Checkbox label={`Concern ${i + 1} is a risk of harm (the DSL is told now)`} checked={c.riskOfHarm} onChange={(_e, d) => setConcerns(set(concerns, i, { riskOfHarm: d.checked === true }))} />
              <Button type="button" appearance="subtle" onClick={() => setConcerns(concerns.filter((_, j) => j !== i))}>
                Remove concern {i + 1}
              </Button>
            </div>
          ))}
          {concerns.length < limits.concerns ? (
            <Button type="button" onClick={() => setConcerns([...concerns, { text: '', riskOfHarm: false }])}>
              Add a concern
            </Button>
          ) : null}
        </fieldset>

        <fieldset className="edit-rows" id="edit-actions">
          <legend>Actions agreed</legend>
          {actions.map((a, i) => (
            <div className="edit-row" key={`action-${i.toString()}`}>
              <Field label={`Action ${i + 1} (up to ${n(limits.action)} characters)`}>
                <Input value={a.text} maxLength={limits.action} onChange={(_e, d) => setActions(set(actions, i, { text: d.value }))} />
              </Field>
              <Field label={`Action ${i + 1}: by whom`}>
                <Select value={a.ownerId} onChange={(_e, d) => setActions(set(actions, i, { ownerId: d.value }))}>
                  <option value="">Pick who</option>
                  {people.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field label={`Action ${i + 1}: by when`}>
                <Input type="date" value={a.dueDate} onChange={(_e, d) => setActions(set(actions, i, { dueDate: d.value }))} />
              </Field>
              <Button type="button" appearance="subtle" onClick={() => setActions(actions.filter((_, j) => j !== i))}>
                Remove action {i + 1}
              </Button>
            </div>
          ))}
          {actions.length < limits.actions ? (
            <Button type="button" onClick={() => setActions([...actions, { text: '', ownerId: firstPerson, dueDate: '' }])}>
              Add an action
            </Button>
          ) : null}
        </fieldset>

        <fieldset className="edit-rows" id="edit-decisions">
          <legend>Case decisions</legend>
          {decisions.map((d, i) => (
            <div className="edit-row" key={`decision-${i.toString()}`}>
              <Field label={`Case decision ${i + 1}: the child (initials or a school reference, never a name)`}>
                <Input value={d.childRef} maxLength={limits.childRef} onChange={(_e, v) => setDecisions(set(decisions, i, { childRef: v.value }))} />
              </Field>
              <Field label={`Case decision ${i + 1}: the decision (up to ${n(limits.decision)} characters)`}>
                <Textarea value={d.decision} maxLength={limits.decision} onChange={(_e, v) => setDecisions(set(decisions, i, { decision: v.value }))} />
              </Field>
              <Field label={`Case decision ${i + 1}: the rationale (up to ${n(limits.rationale)} characters)`}>
                <Textarea value={d.rationale} maxLength={limits.rationale} onChange={(_e, v) => setDecisions(set(decisions, i, { rationale: v.value }))} />
              </Field>
              <Field label={`Case decision ${i + 1}: who follows up`}>
                <Select value={d.followUpById} onChange={(_e, v) => setDecisions(set(decisions, i, { followUpById: v.value }))}>
                  <option value="">Pick who</option>
                  {people.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </Select>
              </Field>
              <Button type="button" appearance="subtle" onClick={() => setDecisions(decisions.filter((_, j) => j !== i))}>
                Remove case decision {i + 1}
              </Button>
            </div>
          ))}
          {decisions.length < limits.caseDecisions ? (
            <Button type="button" onClick={() => setDecisions([...decisions, { childRef: '', decision: '', rationale: '', followUpById: r.supervisor.id }])}>
              Add a case decision
            </Button>
          ) : null}
        </fieldset>

        <fieldset className="edit-rows" id="edit-next">
          <legend>Next session</legend>
          <div className="edit-row">
            <Field label="Next session: date (a school day within a year)">
              <Input type="date" value={nextDate} onChange={(_e, d) => setNextDate(d.value)} />
            </Field>
            <Field label="Next session: time">
              <Input type="time" value={nextTime} onChange={(_e, d) => setNextTime(d.value)} />
            </Field>
          </div>
        </fieldset>

        <div className="toolbar">
          <Button type="submit" appearance="primary" disabled={busy}>
            Save and send to confirm
          </Button>
          <Button type="button" disabled={busy} onClick={() => void save(false)}>
            Save as a draft
          </Button>
          <Button type="button" appearance="subtle" disabled={busy} onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
      <Outcome answer={answer} id="record-edit-problem" />
    </section>
  );
}
