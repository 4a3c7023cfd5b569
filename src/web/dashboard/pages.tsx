/** The safeguarding leads' overview, an auditor's list of staff, and one person's supervision history. */
import { Button, Field, Input } from '@fluentui/react-components';
import { type ReactNode, useLayoutEffect, useRef, useState } from 'react';
import type { DashboardView, OverdueSummaryView, PersonHistoryView, StaffView } from '../tab/api-types.js';
import { download, send, useApi } from './api.js';
import { PlaygroundBanner, Problem, useShell } from './App.js';
import { Chip, Icon, initials, Loading, pct, plural, recordTone, type Tone } from './ui.js';

function useTitle(title: string | undefined): void {
  useLayoutEffect(() => {
    if (title) document.title = title;
  }, [title]);
}

function Kpi({ id, label, value, detail, ratio, tone }: { id: string; label: string; value: string; detail: string; ratio?: number | null; tone?: string }) {
  const band = ratio === null || ratio === undefined ? null : Math.max(0, Math.min(10, Math.round(ratio * 10))) * 10;
  return (
    <div className={`card kpi ${tone ?? ''}`} id={id}>
      <span className="label">{label}</span>
      <span className="value">{value}</span>
      {band === null ? null : (
        <div className="meter" aria-hidden="true">
          <span className={`w${band}`} />
        </div>
      )}
      <span className="detail">{detail}</span>
    </div>
  );
}

/** Sessions held and due per half term: an accessible SVG, drawn at the width it has so its text stays legible. */
function Chart({ view }: { view: DashboardView }) {
  const rows = view.halfTerms;
  const box = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(640);
  useLayoutEffect(() => {
    const measure = () => setWidth(Math.round(Math.max(300, Math.min(640, (box.current?.clientWidth ?? 688) - 40))));
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, []);
  const W = width;
  const H = W < 480 ? 240 : 280;
  const pad = { l: 36, r: 8, t: 16, b: 46 };
  const max = Math.max(1, ...rows.flatMap((r) => [r.due, r.held]));
  const step = max <= 5 ? 1 : max <= 10 ? 2 : max <= 25 ? 5 : Math.ceil(max / 5 / 5) * 5;
  const top = Math.ceil(max / step) * step;
  const plotH = H - pad.t - pad.b;
  const plotW = W - pad.l - pad.r;
  const y = (v: number) => pad.t + plotH - (v / top) * plotH;
  const group = plotW / Math.max(1, rows.length);
  const bw = Math.min(34, group * 0.32);
  const desc = rows.map((r) => `${r.name} ${r.schoolYear}: ${r.held} held of ${r.due} due`).join('; ');
  const ticks: number[] = [];
  for (let v = 0; v <= top; v += step) ticks.push(v);
  const t = view.totals;
  return (
    <section className="card" aria-labelledby="chart-heading" id="chart-card" ref={box}>
      <div className="card-head">
        <div>
          <h2 id="chart-heading">Sessions held and due</h2>
          <p>Per half term; due is what each contract’s cadence asks for.</p>
        </div>
        <div className="legend" aria-hidden="true">
          <span>
            <i className="swatch due" />
            Due
          </span>
          <span>
            <i className="swatch held" />
            Held
          </span>
        </div>
      </div>
      <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="chart-title chart-desc" preserveAspectRatio="xMidYMid meet">
        <title id="chart-title">Sessions held and due, by half term</title>
        <desc id="chart-desc">{desc}</desc>
        {rows.map((r, i) => (r.current ? <rect key={`band-${r.name}-${r.schoolYear}`} className="current-band" x={pad.l + i * group + 2} y={pad.t - 8} width={group - 4} height={plotH + 8} rx={6} /> : null))}
        {ticks.map((v) => (
          <g key={`tick-${v}`}>
            <line className="grid-line" x1={pad.l} x2={W - pad.r} y1={y(v)} y2={y(v)} />
            <text className="axis-text" x={pad.l - 8} y={y(v) + 4} textAnchor="end">
              {v}
            </text>
          </g>
        ))}
        {rows.map((r, i) => {
          const cx = pad.l + i * group + group / 2;
          const bars = [
            { cls: 'bar-due', v: r.due, x: cx - bw - 2, label: `${r.name} ${r.schoolYear}: ${r.due} due` },
            { cls: 'bar-held', v: r.held, x: cx + 2, label: `${r.name} ${r.schoolYear}: ${r.held} held` },
          ];
          return (
            <g key={`${r.name}-${r.schoolYear}`}>
              {bars.map((b) => {
                const height = Math.max(b.v > 0 ? 2 : 0, y(0) - y(b.v));
                return (
                  <g key={b.cls}>
                    <rect className={b.cls} x={b.x} y={y(0) - height} width={bw} height={height} rx={3} data-value={b.v}>
                      <title>{b.label}</title>
                    </rect>
                    <text className="value-text" x={b.x + bw / 2} y={y(0) - height - 5} textAnchor="middle">
                      {b.v}
                    </text>
                  </g>
                );
              })}
              <text className="x-text" x={cx} y={H - pad.b + 18} textAnchor="middle">
                {W < 480 ? r.name.replace(/^(\w{3})\w* /, '$1 ') : r.name}
              </text>
              <text className="x-sub" x={cx} y={H - pad.b + 33} textAnchor="middle">
                {r.current ? 'this half term' : r.schoolYear}
              </text>
            </g>
          );
        })}
      </svg>
      <details className="table-toggle">
        <summary>Show the figures as a table</summary>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Supervision figures by half term</caption>
            <thead>
              <tr>
                <th scope="col">Half term</th>
                {['Due', 'Held', 'On time', 'Due, not held', 'Signed', 'Actions due', 'Closed on time'].map((h) => (
                  <th scope="col" className="num" key={h}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.name}-${r.schoolYear}`}>
                  <th scope="row">
                    {r.name} {r.schoolYear}
                    <div className="muted small">{r.rangeText}</div>
                  </th>
                  {[r.due, r.held, r.heldOnTime, r.notHeld, r.signed, r.actionsDue, r.actionsClosedOnTime].map((v, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed
                    <td className="num" key={i}>
                      {v}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <td>Total</td>
                {[t.due, t.held, t.heldOnTime, t.notHeld, t.signed, t.actionsDue, t.actionsClosedOnTime].map((v, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed
                  <td className="num" key={i}>
                    {v}
                  </td>
                ))}
              </tr>
            </tfoot>
          </table>
        </div>
      </details>
    </section>
  );
}

/** The balance of supervision (Leeds briefing: support, quality assurance, development). */
function BalanceCard({
  balance,
  unbalanced,
  sinceText,
  missing,
}: {
  balance: DashboardView['balance'];
  unbalanced?: DashboardView['unbalanced'];
  sinceText: string;
  missing?: string[];
}) {
  const max = Math.max(1, balance.sessions);
  let list: ReactNode = null;
  if (unbalanced) {
    list = unbalanced.length ? (
      <>
        <h3 className="section-title">
          No personal support or professional development since {sinceText}
          <span className="count">{unbalanced.length}</span>
        </h3>
        <ul className="small" id="unbalanced">
          {unbalanced.map((u) => (
            <li key={u.personId}>
              <PersonLink id={u.personId} name={u.personName} /> — no {u.missing.map((m) => m.toLowerCase()).join(' and no ')}
            </li>
          ))}
        </ul>
      </>
    ) : (
      <p className="muted small">Nobody supervised since {sinceText} has gone two terms without personal support or professional development.</p>
    );
  } else if (missing?.length) {
    list = (
      <p className="small" id="unbalanced">
        <Chip tone="warn">Out of balance</Chip> No {missing.map((m) => m.toLowerCase()).join(' and no ')} since {sinceText}.
      </p>
    );
  }
  return (
    <section className="card" aria-labelledby="balance-heading" id="balance">
      <div className="card-head">
        <div>
          <h2 id="balance-heading">Balance of supervision</h2>
          <p>
            Signed sessions from {balance.fromText} to {balance.toText} that touched each function.
          </p>
        </div>
      </div>
      <dl className="facts">
        {balance.functions.map((f) => (
          <div className="fact" key={f.key}>
            <dt>{f.label}</dt>
            <dd data-function={f.key}>
              {`${f.sessions} of ${balance.sessions} ${balance.sessions === 1 ? 'session' : 'sessions'} `}
              <meter min={0} max={max} value={f.sessions} aria-hidden="true" />
            </dd>
          </div>
        ))}
      </dl>
      {list}
    </section>
  );
}

const SECTIONS: Array<[keyof Pick<OverdueSummaryView, 'sessions' | 'notEngaging' | 'records' | 'actions' | 'reviews' | 'caseDecisions' | 'escalations' | 'handovers' | 'training' | 'signatures'>, string]> = [
  ['sessions', 'Overdue for supervision'],
  ['notEngaging', 'Not engaging (sessions not happening, or not answered)'],
  ['signatures', 'Waiting for signatures (days since the agreement was sent)'],
  ['records', 'Records not yet confirmed'],
  ['actions', 'Late actions'],
  ['reviews', 'Contract reviews due'],
  ['caseDecisions', 'Case decisions not on the child’s file'],
  ['escalations', 'Risk-of-harm escalations not acknowledged'],
  ['handovers', 'Handovers not written (a supervisor changed)'],
  ['training', 'Supervision training lapsed or lapsing within a half term'],
];

/** The DSL starts a contract before everyone has agreed, with a reason (white-laith B); audited. */
function StartEarly({ contractId }: { contractId: string }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [said, setSaid] = useState<{ ok: boolean; text: string } | undefined>();
  const start = async () => {
    const answer = await send<{ text?: string; error?: string }>('POST', `/contracts/${encodeURIComponent(contractId)}/start`, JSON.stringify({ reason }), 'application/json');
    const body = answer.body as { text?: string; error?: string };
    setSaid(answer.status === 200 ? { ok: true, text: body.text ?? 'Started.' } : { ok: false, text: body.error ?? 'Not started; try again.' });
  };
  if (said?.ok) return <div className="small started-early">{said.text}</div>;
  if (!open)
    return (
      <Button size="small" onClick={() => setOpen(true)}>
        Start now…
      </Button>
    );
  return (
    <div className="start-early">
      <Field label="Why start before everyone has agreed?" validationMessage={said?.text}>
        <Input value={reason} maxLength={1000} onChange={(_e, d) => setReason(d.value)} />
      </Field>
      <Button size="small" appearance="primary" onClick={() => void start()}>
        Start the contract
      </Button>
    </div>
  );
}

function PersonLink({ id, name }: { id?: string; name: string }) {
  return id ? (
    <a className="person-link" href={`#person/${encodeURIComponent(id)}`}>
      {name}
    </a>
  ) : (
    name
  );
}

function OverdueCard({ overdue }: { overdue: OverdueSummaryView }) {
  const total = SECTIONS.reduce((n, [k]) => n + (overdue.counts[k] ?? 0), 0) + overdue.counts.unreachable;
  const rows = (key: (typeof SECTIONS)[number][0]): Array<OverdueSummaryView['records'][number] & { lastSessionText?: string }> => overdue[key] ?? [];
  return (
    <section className="card" aria-labelledby="overdue-heading" id="overdue">
      <div className="card-head">
        <div>
          <h2 id="overdue-heading">Needs attention</h2>
          <p>The same list as /overdue in chat. Days are school days for sessions and records.</p>
        </div>
      </div>
      {SECTIONS.filter(([key]) => rows(key).length > 0).map(([key, title]) => (
        <div key={key}>
          <h3 className="section-title">
            {title}
            <span className="count">{rows(key).length}</span>
          </h3>
          <div className="table-wrap">
            <table data-section={key}>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Detail</th>
                  <th scope="col" className="num">
                    Days
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows(key).map((r) => (
                  <tr data-person={r.personId} key={`${r.refId}-${r.personId}`}>
                    <td>
                      <PersonLink id={r.personId} name={r.personName} />
                    </td>
                    <td>
                      {r.detail}
                      {r.lastSessionText !== undefined ? <div className="muted small">Last session: {r.lastSessionText}</div> : null}
                      {key === 'signatures' && !r.detail.includes('started early') ? <StartEarly contractId={r.refId} /> : null}
                    </td>
                    <td className="num">
                      <Chip tone={r.daysOverdue > 10 ? 'bad' : 'warn'}>{r.daysOverdue}</Chip>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
      {overdue.unreachable.length ? (
        <>
          <h3 className="section-title">
            Not reachable in chat<span className="count">{overdue.unreachable.length}</span>
          </h3>
          <ul className="small">
            {overdue.unreachable.map((u) => (
              <li key={`${u.personId}-${u.platform}`}>
                <PersonLink id={u.personId} name={u.personName} /> — {u.platform}, since {u.sinceText}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {total === 0 ? (
        <div className="empty">
          <Icon name="check" />
          Everyone is up to date — nothing is overdue.
        </div>
      ) : null}
    </section>
  );
}

function StaffCard({ view, overdue, hint = 'Open a person’s supervision history.' }: { view: StaffView | DashboardView; overdue?: OverdueSummaryView; hint?: string }) {
  const behind = new Set(overdue ? overdue.sessions.map((r) => r.personId) : []);
  return (
    <section className="card" aria-labelledby="staff-heading" id="staff">
      <div className="card-head">
        <div>
          <h2 id="staff-heading">Staff</h2>
          <p>{hint}</p>
        </div>
      </div>
      <ul className="staff-list">
        {view.staff.map((p) => (
          <li key={p.id}>
            <a href={`#person/${encodeURIComponent(p.id)}`}>
              <span className="avatar" aria-hidden="true">
                {initials(p.name)}
              </span>
              <span>
                <span className="name">{p.name}</span>
                <span className="role">{p.roleText}</span>
              </span>
              {behind.has(p.id) ? <Chip tone="bad">Overdue</Chip> : null}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function OverviewPage() {
  const [load] = useApi<[DashboardView, OverdueSummaryView]>(['/dashboard', '/overdue']);
  const [problem, setProblem] = useState<Parameters<typeof Problem>[0]['load'] | undefined>();
  useTitle(load.state === 'ok' ? `Supervision overview — ${load.data[0].organisationName}` : undefined);
  if (problem) return <Problem load={problem} />;
  if (load.state === 'loading') return <Loading />;
  if (load.state !== 'ok') return <Problem load={load} />;
  const [view, overdue] = load.data;
  const t = view.totals;
  const r = view.rates;
  const tone = (ratio: number | null) => (ratio === null ? '' : ratio >= 0.9 ? 'good' : ratio < 0.7 ? 'alert' : '');
  const save = async (path: string, name: string) => {
    const refused = await download(path, name).catch((error) => ({ status: 0, body: {}, error }));
    if (refused) setProblem(refused.status ? { state: 'problem', status: refused.status, body: refused.body } : { state: 'failed', error: refused });
  };
  return (
    <>
      <PlaygroundBanner />
      <div className="page-head">
        <div>
          <h1>Supervision overview</h1>
          <p className="sub">
            {view.organisationName} · as at {view.generatedAtText}
          </p>
        </div>
        <div className="toolbar no-print">
          <Button id="export-overdue" icon={<Icon name="download" />} onClick={() => void save('/overdue.csv', 'overdue.csv')}>
            Overdue list (CSV)
          </Button>
          <Button id="export-figures" icon={<Icon name="download" />} onClick={() => void save('/figures.csv', 'supervision-figures.csv')}>
            Figures (CSV)
          </Button>
          <Button icon={<Icon name="print" />} onClick={() => window.print()}>
            Print
          </Button>
        </div>
      </div>
      <div className="grid kpis">
        <Kpi
          id="kpi-overdue"
          label="Overdue for supervision"
          value={String(overdue.counts.sessions)}
          detail={overdue.counts.sessions === 0 ? 'Everyone has been supervised' : `${plural(overdue.counts.records, 'record')} unconfirmed · ${plural(overdue.counts.actions, 'late action')}`}
          tone={overdue.counts.sessions > 0 ? 'alert' : 'good'}
        />
        <Kpi
          id="kpi-ontime"
          label="Sessions held on time"
          value={pct(r.onTime)}
          detail={t.notHeld > 0 ? `${t.heldOnTime} of ${t.held + t.notHeld} — ${t.notHeld} due and not held` : `${t.heldOnTime} of ${t.held} held`}
          ratio={r.onTime}
          tone={tone(r.onTime)}
        />
        <Kpi id="kpi-signed" label="Records signed by both" value={pct(r.signed)} detail={`${t.signed} of ${t.held} sessions`} ratio={r.signed} tone={tone(r.signed)} />
        <Kpi id="kpi-actions" label="Actions closed on time" value={pct(r.actionsOnTime)} detail={`${t.actionsClosedOnTime} of ${t.actionsDue} due so far`} ratio={r.actionsOnTime} tone={tone(r.actionsOnTime)} />
      </div>
      {/* on a phone the list that needs action comes straight after the figures */}
      <div className="grid overview">
        <Chart view={view} />
        <OverdueCard overdue={overdue} />
        <StaffCard view={view} overdue={overdue} />
      </div>
      {view.balance ? <BalanceCard balance={view.balance} unbalanced={view.unbalanced} sinceText={view.unbalancedSinceText} /> : null}
    </>
  );
}

/** An auditor: signed records, person by person. */
export function InspectionPage() {
  const [load] = useApi<[StaffView]>(['/people']);
  useTitle(load.state === 'ok' ? `Supervision records — ${load.data[0].organisationName}` : undefined);
  if (load.state === 'loading') return <Loading />;
  if (load.state !== 'ok') return <Problem load={load} />;
  const [view] = load.data;
  return (
    <>
      <PlaygroundBanner />
      <div className="page-head">
        <div>
          <h1>Supervision records</h1>
          <p className="sub">{view.organisationName} · for inspection</p>
        </div>
      </div>
      <div className="banner info" role="note">
        <span>As an auditor you can open and print every record both parties have signed. Records still being written or confirmed are not shown.</span>
      </div>
      <StaffCard view={view} hint="Choose a person to see their signed records." />
    </>
  );
}

export function RecordState({ state, label }: { state: string; label: string }) {
  return <Chip tone={recordTone(state)}>{label}</Chip>;
}

export function PersonPage({ personId }: { personId: string }) {
  const { me } = useShell();
  const [load] = useApi<[PersonHistoryView]>([`/people/${encodeURIComponent(personId)}`]);
  useTitle(load.state === 'ok' ? `${load.data[0].person.name} — supervision history` : undefined);
  if (load.state === 'loading') return <Loading />;
  if (load.state !== 'ok') return <Problem load={load} what="person" />;
  const [v] = load.data;
  const lead = me.canSeeDashboard || me.canBrowseHistories;
  const sessionTone = (status: string): Tone => (status === 'held' ? 'ok' : status === 'missed' ? 'bad' : 'neutral');
  return (
    <>
      <PlaygroundBanner />
      {lead ? (
        <a className="back no-print" href="#overview">
          {me.canSeeDashboard ? 'Overview' : 'All staff'}
        </a>
      ) : null}
      <div className="page-head">
        <div>
          <h1>{v.person.name}</h1>
          <p className="sub">
            {v.person.roleText} · {v.organisationName}
          </p>
        </div>
      </div>
      {v.contracts.length ? (
        <div className="grid contracts">
          {v.contracts.map((c) => (
            <section className="card" data-contract={c.id} key={c.id}>
              <div className="card-head">
                <h2>{c.role === 'supervisee' ? `Supervised by ${c.withNames.join(', ') || '—'}` : `Supervises ${c.withNames.join(', ') || '—'}`}</h2>
                {c.role === 'supervisee' ? c.overdue ? <Chip tone="bad">Overdue</Chip> : <Chip tone="ok">Up to date</Chip> : null}
              </div>
              <dl className="facts">
                <dt>Cadence</dt>
                <dd>{`${c.cadenceText}, ${c.durationMinutes} min${c.kind === 'group' ? ' (group)' : ''}`}</dd>
                <dt>Last held</dt>
                <dd>{c.lastHeldText}</dd>
                <dt>Next</dt>
                <dd>{c.nextText}</dd>
                {c.role === 'supervisee' ? (
                  <>
                    <dt>Due by</dt>
                    <dd>{c.overdue ? `Overdue since ${c.overdueFromText}` : `before ${c.overdueFromText}`}</dd>
                  </>
                ) : null}
                <dt>Review due</dt>
                <dd>
                  {c.reviewDueText}
                  {c.reviewOverdue ? (
                    <>
                      {' '}
                      <Chip tone="warn">Past due</Chip>
                    </>
                  ) : null}
                </dd>
              </dl>
            </section>
          ))}
        </div>
      ) : (
        <div className="card">
          <p className="muted">No supervision contract yet.</p>
        </div>
      )}
      {v.balance && v.contracts.some((c) => c.role === 'supervisee') ? <BalanceCard balance={v.balance} sinceText={v.missingSinceText} missing={v.missing} /> : null}
      <div className="grid two">
        <div className="stack">
          <section className="card" aria-labelledby="records-heading" id="records">
            <div className="card-head">
              <h2 id="records-heading">Records</h2>
              <p>Only the records you may open are listed.</p>
            </div>
            {v.records.length ? (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Date</th>
                      <th scope="col" className="hide-narrow">
                        Supervisor
                      </th>
                      <th scope="col">Status</th>
                      <th scope="col">
                        <span className="visually-hidden">Open</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {v.records.map((r) => (
                      <tr data-record={r.recordId} data-version={String(r.version)} className={r.supersededText ? 'superseded' : undefined} key={`${r.recordId}@${r.version}`}>
                        <td>
                          {r.dateText}
                          {r.version > 1 || r.supersededText ? <div className="muted small">version {r.version}</div> : null}
                        </td>
                        <td className="hide-narrow">{r.supervisorName}</td>
                        <td>{r.supersededText ? <Chip tone="neutral" className="superseded">{r.supersededText}</Chip> : <RecordState state={r.state} label={r.stateLabel} />}</td>
                        {/* the version this viewer may open (an auditor: the signed one, even while a correction is drafted) */}
                        <td className="num">
                          <a href={`#record/${encodeURIComponent(r.recordId)}/${r.version}`}>View</a>
                          {' · '}
                          <a href={`/tab/records/${encodeURIComponent(r.recordId)}/print?version=${r.version}`}>Print</a>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p className="muted">No records you can open.</p>
            )}
          </section>
          {v.handovers.length ? (
            <section className="card" aria-labelledby="handovers-heading" id="handovers">
              <div className="card-head">
                <h2 id="handovers-heading">Handovers</h2>
                <p>When a supervisor changed: who wrote the handover, when, and what was carried over.</p>
              </div>
              <ul className="small">
                {v.handovers.map((h) => (
                  <li key={h.id} data-handover={h.id}>
                    <strong>
                      {h.fromName} to {h.toName}
                    </strong>
                    {' — '}
                    {h.stateText}. {h.carriedOverText}.
                    {h.themes ? <div className="typed">Themes: {h.themes}</div> : null}
                    {h.note ? <div className="typed">Note for the incoming supervisor: {h.note}</div> : null}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          <section className="card" aria-labelledby="actions-heading">
            <div className="card-head">
              <h2 id="actions-heading">Open actions</h2>
            </div>
            {v.actions.length ? (
              <ul className="small">
                {v.actions.map((a) => (
                  <li key={a.id}>
                    {a.text || 'An action from a record you cannot open'} — due {a.dueText}
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
        <section className="card" aria-labelledby="sessions-heading" id="sessions">
          <div className="card-head">
            <h2 id="sessions-heading">Sessions</h2>
          </div>
          {v.sessions.length ? (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">With</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {v.sessions.slice(0, 20).map((x) => (
                    <tr key={x.id} data-session={x.id}>
                      <td>{x.dateText}</td>
                      <td>
                        {x.withNames.join(', ')}
                        {x.attendance?.length ? (
                          <ul className="attendance muted small" aria-label="Attendance">
                            {x.attendance.map((a) => (
                              <li key={a.name} data-attendance={a.state}>
                                {a.name}: {a.stateText}
                              </li>
                            ))}
                          </ul>
                        ) : null}
                      </td>
                      <td>
                        <Chip tone={sessionTone(x.status)}>{x.statusLabel}</Chip>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">No sessions yet.</p>
          )}
        </section>
      </div>
    </>
  );
}
