/** A record as an A4 sheet, on screen and on paper. */
import { Button } from '@fluentui/react-components';
import { type ReactNode, useLayoutEffect, useState } from 'react';
import type { RecordResponse } from '../tab/api-types.js';
import { useApi } from './api.js';
import { PlaygroundBanner, Problem, useShell } from './App.js';
import { ConfirmOrAsk, EditRecord } from './record-actions.js';
import { Chip, dayText, Icon, Loading, recordTone } from './ui.js';

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
const None = ({ text }: { text: string }) => <p className="none">{text}</p>;

export function RecordPage({ recordId, version, print }: { recordId: string; version?: string; print: boolean }) {
  const { me } = useShell();
  const query = /^[1-9]\d{0,3}$/.test(version ?? '') ? `?version=${version}` : '';
  const [load, reload] = useApi<[RecordResponse]>([`/records/${encodeURIComponent(recordId)}${query}`]);
  const [editing, setEditing] = useState(false);
  const r = load.state === 'ok' ? load.data[0].record : undefined;
  useLayoutEffect(() => {
    if (r) document.title = `Supervision record ${r.dateText} — ${r.supervisees.map((p) => p.name).join(', ')}`;
  }, [r]);
  if (load.state === 'loading') return <Loading />;
  if (load.state !== 'ok' || !r) return load.state === 'ok' ? null : <Problem load={load} what="record" />;
  const organisationName = load.data[0].organisationName;
  const topics = new Map(r.topicOptions.map((t) => [t.value as string, t.label]));
  const superseded = r.supersededByVersion !== undefined && r.supersededByVersion !== null;
  return (
    <>
      <PlaygroundBanner />
      <div className="record-tools">
        {print ? (
          <a className="back" href="/tab">
            Overview
          </a>
        ) : (
          <button className="back link-button" type="button" onClick={() => history.back()}>
            Back
          </button>
        )}
        <div className="toolbar">
          {r.canEdit && !superseded && !print && !editing ? (
            <Button appearance="primary" onClick={() => setEditing(true)}>
              Edit
            </Button>
          ) : null}
          <Button appearance={r.canEdit && !print ? 'secondary' : 'primary'} icon={<Icon name="print" />} onClick={() => window.print()}>
            Print
          </Button>
        </div>
      </div>
      {print || superseded ? null : editing && r.canEdit ? (
        <EditRecord
          key={`${r.recordId}@${r.version}`}
          r={r}
          limits={load.data[0].limits}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            reload();
          }}
        />
      ) : (
        <ConfirmOrAsk key={`${r.recordId}@${r.version}:${r.state}`} r={r} onDone={reload} />
      )}
      <article className="sheet" aria-labelledby="record-title" id="record-sheet">
        <header className="sheet-head">
          <div>
            <div className="school">{organisationName}</div>
            <h1 id="record-title">Supervision record</h1>
          </div>
          <Chip tone={superseded ? 'neutral' : recordTone(r.state)}>{superseded ? `Superseded by version ${r.supersededByVersion}` : r.stateLabel}</Chip>
        </header>
        {superseded ? (
          <p className="superseded-note" role="note">
            Superseded: version {r.supersededByVersion} corrects this record. This signed version is kept unchanged, as it was signed.
          </p>
        ) : null}
        {r.correction ? (
          <p className="correction-note" role="note">
            Corrects version {r.correction.supersedesVersion} — started by {r.correction.byName} on {r.correction.atText}: {r.correction.reason}
          </p>
        ) : null}
        <dl className="sheet-meta">
          <div>
            <dt>Date of session</dt>
            <dd>{r.dateText}</dd>
          </div>
          <div>
            <dt>Version</dt>
            <dd>{String(r.version)}</dd>
          </div>
          <div>
            <dt>Supervisor</dt>
            <dd>{r.supervisor.name}</dd>
          </div>
          <div>
            <dt>{r.supervisees.length > 1 ? 'Supervisees' : 'Supervisee'}</dt>
            <dd>{r.supervisees.map((p) => p.name).join(', ')}</dd>
          </div>
        </dl>
        <Section title="Topics discussed">
          {r.topics.length ? (
            <ul>
              {r.topics.map((t) => (
                <li key={t}>{topics.get(t) || t}</li>
              ))}
            </ul>
          ) : (
            <None text="None recorded." />
          )}
        </Section>
        <Section title="Notes">{r.notes ? <p className="notes">{r.notes}</p> : <None text="No notes." />}</Section>
        <Section title="Concerns">
          {r.concerns.length ? (
            <ul>
              {r.concerns.map((c) => (
                <li key={c.id}>
                  {c.riskOfHarm ? <span className="risk">Risk of harm: </span> : null}
                  {c.text}
                </li>
              ))}
            </ul>
          ) : (
            <None text="No concerns recorded." />
          )}
        </Section>
        <Section title="Case decisions">
          {r.caseDecisions.length ? (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    {['Child', 'Decision', 'Rationale', 'Follow-up', 'On child’s file'].map((t) => (
                      <th scope="col" key={t}>
                        {t}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {r.caseDecisions.map((d) => (
                    <tr key={d.id}>
                      <td>{d.childRef}</td>
                      <td>{d.decision}</td>
                      <td>{d.rationale}</td>
                      <td>{d.followUpByName}</td>
                      <td>{d.copied ? 'Copied' : `Due ${d.copyDueText}`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <None text="No case decisions." />
          )}
        </Section>
        <Section title="Actions agreed">
          {r.actions.length ? (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    {['Action', 'By whom', 'Due'].map((t) => (
                      <th scope="col" key={t}>
                        {t}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {r.actions.map((a) => (
                    <tr key={a.id}>
                      <td>{a.text}</td>
                      <td>{a.ownerName}</td>
                      <td className="num">{dayText(a.dueDate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <None text="No actions agreed." />
          )}
        </Section>
        {r.previousActions.length ? (
          <Section title="Actions from the previous session">
            <ul>
              {r.previousActions.map((a) => (
                <li key={a.id}>
                  {a.text} — {a.outcomeText || a.outcome}
                </li>
              ))}
            </ul>
          </Section>
        ) : null}
        {r.nextSessionText ? (
          <Section title="Next session">
            <p>{r.nextSessionText}</p>
          </Section>
        ) : null}
        {r.dispute ? (
          <Section title="Change requested">
            <p>
              {`${r.dispute.byName} on ${r.dispute.atText}${r.dispute.routedToName ? `, referred to ${r.dispute.routedToName}` : ''}: `}
              {r.dispute.reason}
            </p>
          </Section>
        ) : null}
        <Section title="Confirmation">
          <div className="signatures">
            {r.confirmations.map((c) => (
              <div className="signature" key={`c-${c.name}`}>
                <strong>{c.name}</strong>
                <span className="state">Confirmed {c.atText}</span>
              </div>
            ))}
            {r.awaiting.map((p) => (
              <div className="signature" key={`a-${p.id}`}>
                <strong>{p.name}</strong>
                <span className="state">Not yet confirmed</span>
              </div>
            ))}
          </div>
        </Section>
        <footer className="sheet-foot">
          <p>{r.signedText ? `${r.signedText}. A signed record does not change; a correction is a new version both sign again.` : 'This record is not yet signed by both parties.'}</p>
          <p>
            Confidential safeguarding supervision record, the property of {organisationName}. Opened by {me.person.name || 'an authorised viewer'}.
          </p>
        </footer>
      </article>
    </>
  );
}
