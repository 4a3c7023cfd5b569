/**
 * After a major incident (loughton §5), for the DSL, a deputy and the headteacher (`#incidents`): declare one —
 * its private name, an optional message for staff, who was involved (named people, a line manager's team, or
 * everyone) — and see each incident's uptake as counts. Nobody's reasons are asked for or shown.
 */
import { Button, Checkbox, Field, Input, MessageBar, MessageBarBody, Select, Textarea } from '@fluentui/react-components';
import { type FormEvent, useLayoutEffect, useState } from 'react';
import type { IncidentsView } from '../../app/incidents.js';
import { type Answer, send, useApi } from './api.js';
import { PlaygroundBanner, Problem } from './App.js';
import { Loading } from './ui.js';

type Scope = 'people' | 'team' | 'everyone';

export function IncidentsPage() {
  const [load, reload] = useApi<[IncidentsView]>(['/incidents']);
  useLayoutEffect(() => {
    document.title = 'Incidents — supervision';
  }, []);
  if (load.state === 'loading') return <Loading />;
  if (load.state !== 'ok') return <Problem load={load} />;
  const [v] = load.data;
  return (
    <>
      <PlaygroundBanner />
      <div className="page-head">
        <div>
          <h1>After a major incident</h1>
          <p className="sub">Extra supervision is offered to all staff involved (loughton §5). Only you and the other safeguarding leads see an incident’s name.</p>
        </div>
      </div>
      <Uptake v={v} />
      <Declare v={v} onDone={reload} />
    </>
  );
}

function Uptake({ v }: { v: IncidentsView }) {
  return (
    <section className="card" aria-labelledby="uptake-heading">
      <div className="card-head">
        <h2 id="uptake-heading">Uptake</h2>
      </div>
      {v.incidents.length === 0 ? (
        <p id="no-incidents">No major incident has been declared.</p>
      ) : (
        <table className="table" id="uptake-table">
          <thead>
            <tr>
              <th scope="col">Incident</th>
              <th scope="col">Declared</th>
              <th scope="col">Offered</th>
              <th scope="col">Accepted</th>
              <th scope="col">Not now</th>
              <th scope="col">Not answered</th>
              <th scope="col">Held</th>
            </tr>
          </thead>
          <tbody>
            {v.incidents.map((i) => (
              <tr key={i.id} data-incident={i.id}>
                <th scope="row">{i.incidentName}</th>
                <td>
                  {i.declaredOnText} by {i.declaredByName}
                </td>
                <td data-count="offered">{i.offered}</td>
                <td data-count="accepted">{i.accepted}</td>
                <td data-count="not-now">{i.notNow}</td>
                <td data-count="waiting">{i.waiting}</td>
                <td data-count="held">{i.held}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Declare({ v, onDone }: { v: IncidentsView; onDone: () => void }) {
  const [incidentName, setName] = useState('');
  const [messageToStaff, setMessage] = useState('');
  const [scope, setScope] = useState<Scope>('people');
  const [chosen, setChosen] = useState<string[]>([]);
  const [team, setTeam] = useState(v.teams[0]?.lineManagerId ?? '');
  const [answer, setAnswer] = useState<Answer<{ incidentId: string; offered: number }> | undefined>();
  const [busy, setBusy] = useState(false);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const body = {
        incidentName,
        ...(messageToStaff.trim() ? { messageToStaff } : {}),
        scope,
        ...(scope === 'people' ? { personIds: chosen } : {}),
        ...(scope === 'team' ? { lineManagerId: team } : {}),
      };
      const a = await send<{ incidentId: string; offered: number }>('POST', '/incidents', JSON.stringify(body), 'application/json');
      setAnswer(a);
      if (a.status === 201) onDone();
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="declare-heading">
      <div className="card-head">
        <h2 id="declare-heading">Offer extra supervision after an incident</h2>
      </div>
      <form onSubmit={(e) => void save(e)} className="org-form">
        <Field label="Name of the incident" hint="Only the safeguarding leads see it; staff never do." required>
          <Input id="incident-name" value={incidentName} onChange={(_e, d) => setName(d.value)} />
        </Field>
        <Field label="Message for staff (optional)" hint="Shown on the offer. Without one it says “after a recent incident”.">
          <Textarea id="incident-message" value={messageToStaff} onChange={(_e, d) => setMessage(d.value)} />
        </Field>
        <Field label="Who was involved">
          <Select id="incident-scope" value={scope} onChange={(_e, d) => setScope(d.value as Scope)}>
            <option value="people">Named people</option>
            <option value="team">A team</option>
            <option value="everyone">Everyone on the staff</option>
          </Select>
        </Field>
        {scope === 'team' ? (
          <Field label="Team">
            <Select id="incident-team" value={team} onChange={(_e, d) => setTeam(d.value)}>
              {v.teams.map((t) => (
                <option key={t.lineManagerId} value={t.lineManagerId}>
                  {t.name} ({t.size})
                </option>
              ))}
            </Select>
          </Field>
        ) : null}
        {scope === 'people' ? (
          <fieldset className="people-choice" id="incident-people">
            <legend>People involved</legend>
            {v.people.map((p) => (
              <Checkbox
                key={p.id}
                label={p.name}
                checked={chosen.includes(p.id)}
                onChange={(_e, d) => setChosen((c) => (d.checked ? [...c, p.id] : c.filter((id) => id !== p.id)))}
              />
            ))}
          </fieldset>
        ) : null}
        <div className="toolbar">
          <Button type="submit" appearance="primary" disabled={busy}>
            Offer extra supervision
          </Button>
        </div>
      </form>
      {answer?.status === 201 ? (
        <MessageBar intent="success" id="declared">
          <MessageBarBody>Offered to {(answer.body as { offered: number }).offered} people. Each has been asked in chat.</MessageBarBody>
        </MessageBar>
      ) : answer ? (
        <MessageBar intent="error" id="declare-refused">
          <MessageBarBody>{(answer.body as { error?: string }).error ?? 'Not sent just now; try again in a moment.'}</MessageBarBody>
        </MessageBar>
      ) : null}
    </section>
  );
}
