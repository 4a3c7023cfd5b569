/**
 * The audit page (`/tab#audit`), for the DSL, deputies and an auditor: "Verify" checks the whole audit trail
 * (every link, every signed checkpoint, every sent record version against its entry) and says "Verified N
 * entries up to <hash>" or where it first breaks; "Download inspection bundle" builds a bundle for a date range
 * on the server, shows the worker's progress, and downloads the zip when it is ready.
 */
import { Button, Field, Input, MessageBar, MessageBarBody, MessageBarTitle, ProgressBar } from '@fluentui/react-components';
import { type FormEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { VerificationReport } from '../../app/evidence/verify.js';
import type { ExportStatus } from '../../queue/exports.js';
import { download, getJson, send } from './api.js';
import { PlaygroundBanner, Refused, useShell } from './App.js';
import { Icon } from './ui.js';

const errorOf = (body: unknown, fallback: string) => (body as { error?: string }).error || fallback;

export function AuditPage() {
  const { me } = useShell();
  useLayoutEffect(() => {
    document.title = `Audit trail and inspection bundle — ${me.organisationName}`;
  }, [me.organisationName]);
  if (!me.canAudit) return <Refused message="Only the DSL, a deputy DSL or an auditor can check the audit trail and download an inspection bundle." />;
  return (
    <>
      <PlaygroundBanner />
      <div className="page-head">
        <div>
          <h1>Audit trail and inspection bundle</h1>
          <p className="sub">{me.organisationName} · for the DSL, deputies and auditors</p>
        </div>
      </div>
      <Verify />
      <Bundle />
    </>
  );
}

type Check = { state: 'idle' } | { state: 'checking' } | { state: 'done'; report: VerificationReport } | { state: 'failed'; text: string };

function Verify() {
  const [check, setCheck] = useState<Check>({ state: 'idle' });
  const run = async () => {
    setCheck({ state: 'checking' });
    try {
      const answer = await getJson<VerificationReport>('/audit/verify');
      if (answer.status === 200) setCheck({ state: 'done', report: answer.body as VerificationReport });
      else setCheck({ state: 'failed', text: errorOf(answer.body, 'The check could not run just now; try again in a moment.') });
    } catch {
      setCheck({ state: 'failed', text: 'The check could not run just now; try again in a moment.' });
    }
  };
  const report = check.state === 'done' ? check.report : undefined;
  return (
    <section className="card audit-card" aria-labelledby="verify-title" id="verify">
      <h2 id="verify-title">Check the audit trail</h2>
      <p>
        Every change in Supervision Bot is an entry in a chain, each carrying the hash of the one before; the chain’s head is signed at intervals with a key kept outside the database. The check
        reads every entry, every signed checkpoint and every record sent or signed, and reports the first place where they do not agree.
      </p>
      <div className="toolbar">
        <Button appearance="primary" id="verify-button" icon={<Icon name="check" />} disabled={check.state === 'checking'} onClick={() => void run()}>
          Verify
        </Button>
      </div>
      <div aria-live="polite" className="audit-live">
        {check.state === 'checking' ? (
          <Field label="Checking every entry">
            <ProgressBar thickness="large" aria-label="Checking every entry" />
          </Field>
        ) : null}
        {check.state === 'failed' ? (
          <MessageBar intent="error" id="verify-result" data-ok="false">
            <MessageBarBody>{check.text}</MessageBarBody>
          </MessageBar>
        ) : null}
        {report ? (
          <MessageBar intent={report.ok ? 'success' : 'error'} id="verify-result" data-ok={String(report.ok)}>
            <MessageBarBody>
              <MessageBarTitle>{report.ok ? 'The audit trail verifies' : `The audit trail breaks at entry ${report.break?.seq}`}</MessageBarTitle>
              <span className="verify-text">{report.text}</span>
            </MessageBarBody>
          </MessageBar>
        ) : null}
        {report?.break ? (
          <dl className="facts" id="verify-break">
            <dt>Entry</dt>
            <dd>{report.break.seq}</dd>
            <dt>What broke</dt>
            <dd>{report.break.kind}</dd>
            <dt>Expected</dt>
            <dd className="mono">{report.break.expected}</dd>
            <dt>Found</dt>
            <dd className="mono">{report.break.found}</dd>
          </dl>
        ) : null}
        {report ? (
          <p className="muted small">
            Checked {new Date(report.checkedAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}
            {report.ok
              ? `: ${report.entries} entries, ${report.checkpoints.count} signed checkpoints${report.checkpoints.checked ? ` (key ${report.checkpoints.keyId})` : ' (no audit key configured to check them)'}, ${report.records.checked} record versions.`
              : `. Nothing from entry ${report.break?.seq} on can be relied on until the break is explained; the export of a bundle carries this report.`}
          </p>
        ) : null}
      </div>
    </section>
  );
}

type Build = { state: 'idle' } | { state: 'starting' } | { state: 'building'; id: string; status?: ExportStatus } | { state: 'ready'; id: string; status: ExportStatus } | { state: 'failed'; text: string };

function Bundle() {
  const [range, setRange] = useState({ from: '', to: '' });
  const [build, setBuild] = useState<Build>({ state: 'idle' });
  const [problem, setProblem] = useState<string | undefined>();
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const poll = (id: string) => {
    timer.current = window.setTimeout(() => {
      void getJson<ExportStatus>(`/exports/${id}`)
        .then((answer) => {
          if (answer.status !== 200) return setBuild({ state: 'failed', text: errorOf(answer.body, 'The bundle could not be followed; start it again.') });
          const status = answer.body as ExportStatus;
          if (status.state === 'ready') return setBuild({ state: 'ready', id, status });
          if (status.state === 'failed') return setBuild({ state: 'failed', text: status.error ?? 'The bundle could not be built; try again.' });
          setBuild({ state: 'building', id, status });
          poll(id);
        })
        .catch(() => poll(id));
    }, 400);
  };
  const start = async (e: FormEvent) => {
    e.preventDefault();
    window.clearTimeout(timer.current);
    setProblem(undefined);
    setBuild({ state: 'starting' });
    const body = { ...(range.from ? { from: range.from } : {}), ...(range.to ? { to: range.to } : {}) };
    const answer = await send<{ id: string }>('POST', '/exports', JSON.stringify(body), 'application/json').catch(() => ({ status: 0, body: {} }));
    if (answer.status !== 202) {
      setBuild({ state: 'idle' });
      setProblem(errorOf(answer.body, 'The bundle could not be started just now; try again in a moment.'));
      return;
    }
    const id = (answer.body as { id: string }).id;
    setBuild({ state: 'building', id });
    poll(id);
  };
  const save = async (id: string, fileName?: string) => {
    setProblem(undefined);
    const refused = await download(`/exports/${id}/download`, fileName ?? 'inspection-bundle.zip').catch(() => ({ status: 0, body: {} }));
    if (refused) setProblem(errorOf(refused.body, 'The bundle could not be downloaded just now; try again in a moment.'));
  };

  const status = build.state === 'building' || build.state === 'ready' ? build.status : undefined;
  const total = status?.progress.total ?? 0;
  const done = status?.progress.done ?? 0;
  const busy = build.state === 'starting' || build.state === 'building';
  const label = build.state === 'ready' ? `Ready: ${total} of ${total} steps` : total > 0 ? `Building: ${done} of ${total} steps` : 'Waiting for the worker';
  return (
    <section className="card audit-card" aria-labelledby="bundle-title" id="bundle">
      <h2 id="bundle-title">Inspection bundle</h2>
      <p>
        One zip for an inspector: each person’s supervision file as PDF and JSON, an index of the files with their SHA-256, the audit trail for the dates chosen, the whole trail’s
        verification report, the signed checkpoints and the public key that checks them. Leave the dates empty for everything. Making a bundle is itself an entry in the audit trail.
      </p>
      <form className="audit-range" onSubmit={(e) => void start(e)}>
        <Field label="From">
          <Input id="bundle-from" type="date" value={range.from} onChange={(_e, d) => setRange({ ...range, from: d.value })} />
        </Field>
        <Field label="To">
          <Input id="bundle-to" type="date" value={range.to} onChange={(_e, d) => setRange({ ...range, to: d.value })} />
        </Field>
        <div className="toolbar">
          <Button appearance="primary" type="submit" id="bundle-start" icon={<Icon name="download" />} disabled={busy}>
            Download inspection bundle
          </Button>
        </div>
      </form>
      <div aria-live="polite" className="audit-live">
        {build.state !== 'idle' && build.state !== 'failed' ? (
          <Field label={build.state === 'starting' ? 'Starting' : label} id="bundle-progress-field">
            <ProgressBar
              id="bundle-progress"
              thickness="large"
              value={build.state === 'ready' ? 1 : total > 0 ? done / total : undefined}
              aria-label="Inspection bundle"
              aria-valuetext={build.state === 'starting' ? 'Starting' : label}
              data-state={build.state}
            />
          </Field>
        ) : null}
        {build.state === 'ready' ? (
          <div className="toolbar">
            <Button appearance="primary" id="bundle-download" icon={<Icon name="download" />} onClick={() => void save(build.id, build.status.fileName)}>
              Save {build.status.fileName ?? 'the bundle'}
            </Button>
          </div>
        ) : null}
        {build.state === 'failed' ? (
          <MessageBar intent="error">
            <MessageBarBody>{build.text}</MessageBarBody>
          </MessageBar>
        ) : null}
        {problem ? (
          <MessageBar intent="error" id="bundle-problem">
            <MessageBarBody>{problem}</MessageBarBody>
          </MessageBar>
        ) : null}
      </div>
    </section>
  );
}
