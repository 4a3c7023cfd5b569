/**
 * My supervision: a person's own next session and its agenda, the records waiting for them, their actions and
 * their history — and for a supervisor, the people they supervise, each opening the same page for that person.
 */
import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import { useLayoutEffect } from 'react';
import type { MySupervisionView } from '../tab/api-types.js';
import { useApi } from './api.js';
import { PlaygroundBanner, Problem } from './App.js';
import { Chip, initials, Loading, recordTone } from './ui.js';

const recordHref = (recordId: string, version: number) => `#record/${encodeURIComponent(recordId)}/${version}`;

export function MinePage({ personId }: { personId?: string }) {
  const [load] = useApi<[MySupervisionView]>([personId ? `/mine/${encodeURIComponent(personId)}` : '/mine']);
  const v = load.state === 'ok' ? load.data[0] : undefined;
  useLayoutEffect(() => {
    if (v) document.title = v.own ? `My supervision — ${v.organisationName}` : `${v.person.name} — supervision`;
  }, [v]);
  if (load.state === 'loading') return <Loading />;
  if (load.state !== 'ok' || !v) return load.state === 'ok' ? null : <Problem load={load} what="person" />;
  const next = v.nextSession;
  return (
    <>
      <PlaygroundBanner />
      {v.own ? null : (
        <a className="back no-print" href="/tab/me">
          My supervision
        </a>
      )}
      <div className="page-head">
        <div>
          <h1>{v.own ? 'My supervision' : v.person.name}</h1>
          <p className="sub">{v.own ? `${v.person.name} · ${v.organisationName}` : `${v.person.roleText} · supervised by you`}</p>
        </div>
      </div>
      <div className="grid two mine">
        <div className="stack">
          <section className="card" aria-labelledby="next-heading" id="next-session">
            <div className="card-head">
              <h2 id="next-heading">Next session</h2>
            </div>
            {next ? (
              <>
                <p className="next-when">{next.startsAtText}</p>
                <dl className="facts">
                  <dt>With</dt>
                  <dd>{next.withNames.join(', ') || '—'}</dd>
                  <dt>Where</dt>
                  <dd>{next.location || '—'}</dd>
                  <dt>Length</dt>
                  <dd>{next.durationMinutes} min</dd>
                </dl>
                <h3 className="section-title">
                  Agenda<span className="count zero">{next.agenda.length}</span>
                </h3>
                {next.agenda.length ? (
                  <ul className="agenda" id="agenda">
                    {next.agenda.map((i) => (
                      <li key={i.id} data-item={i.id}>
                        <span className="agenda-text">{i.text}</span>
                        <span className="muted small">
                          {' '}
                          — {i.authorName}, {i.categoryLabel.toLowerCase()}
                          {i.informalText ? ` · ${i.informalText}` : ''}
                        </span>
                        {i.riskOfHarm ? (
                          <>
                            {' '}
                            <Chip tone="bad">Risk of harm</Chip>
                          </>
                        ) : null}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className="muted small">Nothing on the agenda yet. Add to it in your chat with Supervision Bot.</p>
                )}
              </>
            ) : (
              <p className="muted">No session booked.</p>
            )}
          </section>
          <section className="card" aria-labelledby="waiting-heading" id="waiting">
            <div className="card-head">
              <h2 id="waiting-heading">Records waiting{v.own ? ' for you' : ''}</h2>
            </div>
            {v.waiting.length ? (
              <ul className="plain">
                {v.waiting.map((r) => (
                  <li key={r.recordId} data-record={r.recordId}>
                    <a href={recordHref(r.recordId, r.version)}>{r.dateText}</a> with {r.withNames.join(', ') || '—'} <Chip tone={recordTone(r.state)}>{r.what}</Chip>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">Nothing is waiting.</p>
            )}
            {v.own && v.waiting.length ? (
              <MessageBar intent="info" className="hint">
                <MessageBarBody>Confirm or ask for a change from the record’s card in your chat with Supervision Bot.</MessageBarBody>
              </MessageBar>
            ) : null}
          </section>
          <section className="card" aria-labelledby="my-actions-heading" id="actions">
            <div className="card-head">
              <h2 id="my-actions-heading">{v.own ? 'My actions' : 'Their actions'}</h2>
            </div>
            {v.actions.length ? (
              <ul className="plain">
                {v.actions.map((a) => (
                  <li key={a.id} data-action={a.id}>
                    {a.text || 'An action from a record you cannot open'} <span className="muted small">— due {a.dueText}</span>
                    {a.late ? (
                      <>
                        {' '}
                        <Chip tone="bad">Late</Chip>
                      </>
                    ) : null}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">No open actions.</p>
            )}
          </section>
        </div>
        <div className="stack">
          {v.own && v.supervisees.length ? (
            <section className="card" aria-labelledby="supervisees-heading" id="supervisees">
              <div className="card-head">
                <h2 id="supervisees-heading">People I supervise</h2>
              </div>
              <ul className="staff-list">
                {v.supervisees.map((p) => (
                  <li key={p.id}>
                    <a href={`#supervisee/${encodeURIComponent(p.id)}`} data-supervisee={p.id}>
                      <span className="avatar" aria-hidden="true">
                        {initials(p.name)}
                      </span>
                      <span>
                        <span className="name">{p.name}</span>
                        <span className="role">Next: {p.nextText}</span>
                      </span>
                      {p.waiting || p.lateActions ? <Chip tone="warn">{[p.waiting ? `${p.waiting} waiting` : '', p.lateActions ? `${p.lateActions} late` : ''].filter(Boolean).join(' · ')}</Chip> : null}
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          <section className="card" aria-labelledby="history-heading" id="history">
            <div className="card-head">
              <h2 id="history-heading">History</h2>
              <p>Records {v.own ? 'you' : 'they'} can open, newest first.</p>
            </div>
            {v.history.records.length ? (
              <div className="table-wrap">
                <table id="records">
                  <thead>
                    <tr>
                      <th scope="col">Date</th>
                      <th scope="col">With</th>
                      <th scope="col">Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    {v.history.records.map((r) => (
                      <tr key={r.recordId} data-record={r.recordId}>
                        <td>
                          <a href={recordHref(r.recordId, r.version)}>{r.dateText}</a>
                        </td>
                        <td>{r.withNames.join(', ')}</td>
                        <td>
                          <Chip tone={recordTone(r.state)}>{r.stateLabel}</Chip>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p className="muted">No records yet.</p>
            )}
            <h3 className="section-title">Past sessions</h3>
            {v.history.sessions.length ? (
              <ul className="plain small">
                {v.history.sessions.map((s) => (
                  <li key={s.id}>
                    {s.dateText} — {s.withNames.join(', ')} · {s.statusLabel}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted small">None yet.</p>
            )}
          </section>
        </div>
      </div>
    </>
  );
}
