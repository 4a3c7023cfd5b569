/**
 * The safeguarding governor's read-only figures (template senior manager (d)): one term's counts month by month,
 * as a chart and a table, and the governors' report to download. No people, no records, no names: the API
 * answers counts only, with small counts hidden.
 */
import { Button } from '@fluentui/react-components';
import { useLayoutEffect, useState } from 'react';
import type { GovernorsReport } from '../tab/api-types.js';
import { download, useApi } from './api.js';
import { PlaygroundBanner, Problem } from './App.js';
import { Loading } from './ui.js';

type Metric = keyof GovernorsReport['total'];
const LABELS: Record<Metric, string> = {
  due: 'Sessions due',
  held: 'Sessions held',
  didNotHappen: 'Did not happen',
  overdue: 'Overdue, not held',
  signed: 'Records signed',
  actionsDue: 'Actions due',
  actionsClosedOnTime: 'Actions closed on time',
};
const CHART: Array<{ key: Metric; fill: string }> = [
  { key: 'due', fill: '#5b6c8f' },
  { key: 'held', fill: '#2e7d32' },
  { key: 'didNotHappen', fill: '#a65f00' },
  { key: 'signed', fill: '#1565c0' },
  { key: 'overdue', fill: '#b71c1c' },
];

function Chart({ report }: { report: GovernorsReport }) {
  const W = 640;
  const H = 260;
  const pad = { l: 36, r: 8, t: 16, b: 34 };
  const values = report.months.flatMap((m) => CHART.map((c) => m.cells[c.key].value ?? 0));
  const max = Math.max(report.threshold, ...values);
  const step = max <= 5 ? 1 : max <= 10 ? 2 : max <= 25 ? 5 : Math.ceil(max / 5 / 5) * 5;
  const top = Math.ceil(max / step) * step;
  const plotH = H - pad.t - pad.b;
  const y = (v: number) => pad.t + plotH - (v / top) * plotH;
  const group = (W - pad.l - pad.r) / Math.max(1, report.months.length);
  const bw = Math.min(18, (group - 12) / CHART.length);
  const ticks: number[] = [];
  for (let v = 0; v <= top; v += step) ticks.push(v);
  const desc = report.months.map((m) => `${m.label}: ${CHART.map((c) => `${LABELS[c.key].toLowerCase()} ${m.cells[c.key].text}`).join(', ')}`).join('; ');
  return (
    <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="gov-chart-title gov-chart-desc" preserveAspectRatio="xMidYMid meet">
      <title id="gov-chart-title">Sessions and records month by month</title>
      <desc id="gov-chart-desc">{desc}</desc>
      {ticks.map((v) => (
        <g key={`tick-${v}`}>
          <line className="grid-line" x1={pad.l} x2={W - pad.r} y1={y(v)} y2={y(v)} />
          <text className="axis-text" x={pad.l - 8} y={y(v) + 4} textAnchor="end">
            {v}
          </text>
        </g>
      ))}
      {report.months.map((m, g) => {
        const x0 = pad.l + g * group + (group - bw * CHART.length) / 2;
        return (
          <g key={m.label}>
            {CHART.map((c, i) => {
              const cell = m.cells[c.key];
              const x = x0 + i * bw;
              if (cell.value === null) {
                // a hidden count: a dashed outline whose height is not the count
                const h = cell.text.startsWith('fewer') ? y(0) - y(report.threshold) : 0;
                return (
                  <rect key={c.key} x={x + 1} y={y(0) - h} width={bw - 3} height={h} fill="none" stroke={c.fill} strokeDasharray="3 2">
                    <title>{`${m.label}: ${LABELS[c.key]} ${cell.text}`}</title>
                  </rect>
                );
              }
              const h = Math.max(cell.value > 0 ? 2 : 0, y(0) - y(cell.value));
              return (
                <rect key={c.key} x={x + 1} y={y(0) - h} width={bw - 3} height={h} fill={c.fill} data-value={cell.value}>
                  <title>{`${m.label}: ${LABELS[c.key]} ${cell.text}`}</title>
                </rect>
              );
            })}
            <text className="x-text" x={pad.l + g * group + group / 2} y={H - pad.b + 18} textAnchor="middle">
              {m.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function GovernorsPage({ term }: { term?: string }) {
  const [load] = useApi<[GovernorsReport]>([`/governors${term ? `?term=${encodeURIComponent(term)}` : ''}`], [term]);
  const [problem, setProblem] = useState<string | undefined>();
  const report = load.state === 'ok' ? load.data[0] : undefined;
  useLayoutEffect(() => {
    if (report) document.title = `Governors’ figures — ${report.term.name}`;
  }, [report]);
  if (load.state === 'loading') return <Loading />;
  if (load.state !== 'ok' || !report) return <Problem load={load as Exclude<typeof load, { state: 'loading' } | { state: 'ok' }>} />;
  const get = async () => {
    setProblem(undefined);
    const refused = await download(`/governors/report.pdf?term=${report.term.id}`, `governors-report-${report.term.id}.pdf`).catch(() => ({ status: 0, body: {} }));
    if (refused) setProblem(('error' in refused.body && refused.body.error) || 'The report could not be made just now; try again in a moment.');
  };
  return (
    <>
      <PlaygroundBanner />
      <div className="page-head">
        <div>
          <h1>Governors’ figures</h1>
          <p className="subtitle">
            {report.organisation.name} · {report.term.name} ({report.term.rangeText}){report.term.current ? ' · still running' : ''}
          </p>
        </div>
        <div className="actions no-print">
          <label htmlFor="term-select">Term </label>
          <select
            id="term-select"
            value={report.term.id}
            onChange={(e) => {
              location.hash = `governors/${e.target.value}`;
            }}
          >
            {report.terms.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
          <Button appearance="primary" id="governors-report" onClick={() => void get()}>
            Download the governors’ report
          </Button>
        </div>
      </div>
      {problem ? (
        <p className="error" role="alert">
          {problem}
        </p>
      ) : null}
      <section className="card" aria-labelledby="gov-intro">
        <h2 id="gov-intro">How supervision was provided</h2>
        <p>People in supervision now: {report.superviseesNow.text}.</p>
        <p>{report.suppressionText}</p>
        <ul>
          {report.rates.map((r) => (
            <li key={r.label}>
              {r.label}: {r.text}
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="gov-chart-heading" id="governors-chart">
        <h2 id="gov-chart-heading">Month by month</h2>
        <p>
          {CHART.map((c) => (
            <span key={c.key} className="legend-item">
              <svg width="12" height="12" aria-hidden="true">
                <rect width="12" height="12" fill={c.fill} />
              </svg>{' '}
              {LABELS[c.key]}{' '}
            </span>
          ))}
        </p>
        <Chart report={report} />
        <div className="table-wrap">
          <table id="governors-table">
            <caption>{`${report.term.name}: counts month by month`}</caption>
            <thead>
              <tr>
                <th scope="col">Measure</th>
                {report.months.map((m) => (
                  <th scope="col" key={m.label}>
                    {m.label}
                  </th>
                ))}
                <th scope="col">Term</th>
              </tr>
            </thead>
            <tbody>
              {(Object.keys(LABELS) as Metric[]).map((k) => (
                <tr key={k}>
                  <th scope="row">{LABELS[k]}</th>
                  {report.months.map((m) => (
                    <td key={m.label}>{m.cells[k].text}</td>
                  ))}
                  <td>{report.total[k].text}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
