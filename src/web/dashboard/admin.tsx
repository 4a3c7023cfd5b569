/**
 * The set-up screens, for the organisation's administrators (admin, DSL, headteacher), on the administration
 * API (`/tab/api/admin/…`): the setup checklist, the term dates of a school year as a calendar (entered in a
 * form or from the council's .ics), and the import wizard (upload → preview with every refusal → confirm →
 * progress → result). Every change is previewed first (a dry run); nothing is written until it is confirmed.
 */
import { Button, Checkbox, Field, Input, MessageBar, MessageBarBody, MessageBarTitle, ProgressBar, Select } from '@fluentui/react-components';
import { type FormEvent, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import type { IdentityOverview, ImportPreview, ImportReport, ImportResult, OrganisationView, PeopleFilter, PeopleView, PersonAdminView, SetupChecklist, TermDatesView } from '../tab/api-types.js';
import { type Answer, getJson, send, useApi } from './api.js';
import { PlaygroundBanner, Problem } from './App.js';
import { Chip, dayText, Icon, Loading } from './ui.js';

export function useTitle(title: string | undefined): void {
  useLayoutEffect(() => {
    if (title) document.title = title;
  }, [title]);
}
const yearOf = (label: string) => Number(label.slice(0, 4));

/** Where each checklist item is done. */
const WHERE: Partial<Record<SetupChecklist['items'][number]['key'], (c: SetupChecklist) => { href: string; text: string }>> = {
  organisation: () => ({ href: '#admin/organisation', text: 'Organisation' }),
  dsl: (c) => ({ href: '#admin/organisation', text: c.items.some((i) => i.key === 'dsl' && i.done) ? 'Organisation' : 'Name the DSL' }),
  'term-dates': (c) => ({ href: `#admin/terms/${yearOf(c.schoolYear)}`, text: 'Term dates' }),
  'next-year-term-dates': (c) => ({ href: `#admin/terms/${yearOf(c.schoolYear) + 1}`, text: 'Next year’s term dates' }),
  staff: () => ({ href: '#admin/import', text: 'Import' }),
  identities: () => ({ href: '#admin/people', text: 'People' }),
  contracts: () => ({ href: '#admin/contracts', text: 'Contracts' }),
};

export function SetupPage() {
  const [load] = useApi<[SetupChecklist]>(['/admin/setup']);
  useTitle(load.state === 'ok' ? `Set-up — ${load.data[0].organisation.name}` : undefined);
  if (load.state === 'loading') return <Loading />;
  if (load.state !== 'ok') return <Problem load={load} />;
  const [c] = load.data;
  return (
    <>
      <PlaygroundBanner />
      <AdminHead title="Set-up" sub={`${c.organisation.name} · school year ${c.schoolYear}`} />
      <MessageBar intent={c.ready ? 'success' : 'warning'} className="ready" id="ready">
        <MessageBarBody>
          <MessageBarTitle>{c.ready ? 'Supervision is running' : 'Supervision is not set up yet'}</MessageBarTitle>
          {c.ready ? 'A DSL is named and this year’s term dates are in.' : 'Until a DSL is named and this year’s term dates are in, the bot tells people that supervision is not set up yet.'}
        </MessageBarBody>
      </MessageBar>
      <section className="card" aria-labelledby="checklist-heading" id="checklist">
        <div className="card-head">
          <h2 id="checklist-heading">Checklist</h2>
        </div>
        <ul className="checklist">
          {c.items.map((item) => {
            const where = WHERE[item.key]?.(c);
            return (
              <li key={item.key} data-item={item.key} className={item.done ? 'done' : 'todo'}>
                <span className="check" aria-hidden="true">
                  {item.done ? <Icon name="check" /> : null}
                </span>
                <span className="what">
                  <strong>{item.label}</strong>
                  <span className="muted small">{item.detail}</span>
                </span>
                <span className="state">
                  {item.done ? <Chip tone="ok">Done</Chip> : <Chip tone={item.required ? 'bad' : 'warn'}>{item.required ? 'Needed' : 'To do'}</Chip>}
                  {where ? (
                    <a href={where.href} className="small">
                      {where.text}
                    </a>
                  ) : null}
                </span>
              </li>
            );
          })}
        </ul>
      </section>
      <section className="card" aria-labelledby="counts-heading" id="counts">
        <div className="card-head">
          <h2 id="counts-heading">Staff and contracts</h2>
        </div>
        <dl className="facts">
          <dt>Staff</dt>
          <dd>{c.counts.staff}</dd>
          <dt>Linked to Slack or Teams</dt>
          <dd>{c.counts.linked}</dd>
          <dt>Not linked</dt>
          <dd>{c.counts.unlinked}</dd>
          <dt>Not reachable</dt>
          <dd>{c.counts.unreachable}</dd>
          <dt>Active contracts</dt>
          <dd>{c.counts.activeContracts}</dd>
        </dl>
      </section>
    </>
  );
}

export function AdminHead({ title, sub }: { title: string; sub: string }) {
  return (
    <div className="page-head">
      <div>
        <h1>{title}</h1>
        <p className="sub">{sub}</p>
      </div>
      <nav className="admin-links no-print" aria-label="Set-up">
        <a href="#admin">Checklist</a>
        <a href="#admin/organisation">Organisation</a>
        <a href="#admin/terms">Term dates</a>
        <a href="#admin/import">Import</a>
        <a href="#admin/contracts">Contracts</a>
        <a href="#admin/people">People</a>
      </nav>
    </div>
  );
}

// ---------- the organisation and who holds its safeguarding roles ----------
const DIVISIONS: Array<[OrganisationView['bankHolidayDivision'], string]> = [
  ['england-and-wales', 'England and Wales'],
  ['scotland', 'Scotland'],
  ['northern-ireland', 'Northern Ireland'],
];
/** The roles the form names, each one person (or nobody); a DSL or deputy list keeps any others already named. */
const ROLE_FIELDS = [
  { key: 'dsl', label: 'Designated Safeguarding Lead (DSL)', hint: 'Hears every risk of harm; supervision does not run until one is named.' },
  { key: 'deputy', label: 'Deputy DSL', hint: 'Hears a risk of harm with the DSL.' },
  { key: 'headteacher', label: 'Headteacher', hint: 'Sees the overview; hears a risk of harm when there is no DSL.' },
  { key: 'governor', label: 'Safeguarding governor', hint: 'Hears a disputed record when a contract says so.' },
] as const;
type RoleKey = (typeof ROLE_FIELDS)[number]['key'];

export function OrganisationPage() {
  const [load] = useApi<[OrganisationView]>(['/admin/organisation']);
  useTitle(load.state === 'ok' ? `Organisation — ${load.data[0].name}` : undefined);
  if (load.state === 'loading') return <Loading />;
  if (load.state !== 'ok') return <Problem load={load} />;
  const [v] = load.data;
  return (
    <>
      <PlaygroundBanner />
      <AdminHead title="Organisation" sub={`${v.name}: its name, time zone, bank holidays and who holds the safeguarding roles.`} />
      <OrganisationForm v={v} />
      <SupportContactsForm v={v} />
    </>
  );
}

type ContactRow = { key: number; name: string; phone: string; description: string };

/** Support for staff (loughton "Support"): shown in chat as text — in help, the agenda prompt, after a risk flag, in an incident offer. */
function SupportContactsForm({ v }: { v: OrganisationView }) {
  const [rows, setRows] = useState<ContactRow[]>(() => v.supportContacts.map((c, i) => ({ key: i, name: c.name, phone: c.phone ?? '', description: c.description ?? '' })));
  const [answer, setAnswer] = useState<Answer<OrganisationView> | undefined>();
  const [busy, setBusy] = useState(false);
  const next = useRef(rows.length);
  const change = (key: number, field: 'name' | 'phone' | 'description', value: string) => setRows((r) => r.map((x) => (x.key === key ? { ...x, [field]: value } : x)));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const supportContacts = rows.map((r) => ({ name: r.name, ...(r.phone.trim() ? { phone: r.phone } : {}), ...(r.description.trim() ? { description: r.description } : {}) }));
      setAnswer(await send<OrganisationView>('PATCH', '/admin/organisation', JSON.stringify({ supportContacts }), 'application/json'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="support-heading" id="support">
      <div className="card-head">
        <h2 id="support-heading">Support contacts</h2>
      </div>
      <p className="sub">Shown to staff in chat: in help, on the agenda prompt, after a risk of harm is flagged and when extra supervision is offered after an incident.</p>
      <form onSubmit={(e) => void save(e)} className="org-form">
        {rows.map((r, i) => (
          <fieldset key={r.key} className="support-row">
            <legend>Contact {i + 1}</legend>
            <Field label="Name" required>
              <Input value={r.name} onChange={(_e, d) => change(r.key, 'name', d.value)} />
            </Field>
            <Field label="Telephone">
              <Input value={r.phone} onChange={(_e, d) => change(r.key, 'phone', d.value)} />
            </Field>
            <Field label="What it is for">
              <Input value={r.description} onChange={(_e, d) => change(r.key, 'description', d.value)} />
            </Field>
            <Button type="button" onClick={() => setRows((all) => all.filter((x) => x.key !== r.key))}>
              Remove contact {i + 1}
            </Button>
          </fieldset>
        ))}
        <div className="toolbar">
          <Button
            type="button"
            onClick={() => {
              next.current += 1;
              setRows((all) => [...all, { key: next.current, name: '', phone: '', description: '' }]);
            }}
          >
            Add a contact
          </Button>
          <Button type="submit" appearance="primary" disabled={busy}>
            Save support contacts
          </Button>
        </div>
      </form>
      {answer?.status === 200 ? (
        <MessageBar intent="success" id="support-saved">
          <MessageBarBody>Support contacts saved.</MessageBarBody>
        </MessageBar>
      ) : answer ? (
        <MessageBar intent="error" id="support-refused">
          <MessageBarBody>{(answer.body as { error?: string }).error ?? 'Not saved just now; try again in a moment.'}</MessageBarBody>
        </MessageBar>
      ) : null}
    </section>
  );
}

function OrganisationForm({ v: loaded }: { v: OrganisationView }) {
  // what is stored: as loaded, then as each save answers
  const [v, setV] = useState(loaded);
  const [name, setName] = useState(v.name);
  const [timezone, setTimezone] = useState(v.timezone);
  const [division, setDivision] = useState(v.bankHolidayDivision);
  const [roles, setRoles] = useState<Record<RoleKey, string>>({
    dsl: v.dslIds[0] ?? '',
    deputy: v.deputyDslIds[0] ?? '',
    headteacher: v.headteacherId ?? '',
    governor: v.safeguardingGovernorId ?? '',
  });
  const [keepOut, setKeepOut] = useState(v.keepContentOutOfChat);
  const [workspace, setWorkspace] = useState(v.slackTeamId ?? '');
  const [answer, setAnswer] = useState<Answer<OrganisationView> | undefined>();
  const [busy, setBusy] = useState(false);
  const ids = useId();
  const firstOf = (list: string[], chosen: string) => (chosen ? [chosen, ...list.slice(1).filter((id) => id !== chosen)] : list.slice(1));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const body = {
        name,
        timezone,
        bankHolidayDivision: division,
        dslIds: firstOf(v.dslIds, roles.dsl),
        deputyDslIds: firstOf(v.deputyDslIds, roles.deputy),
        headteacherId: roles.headteacher || null,
        safeguardingGovernorId: roles.governor || null,
        // only the administrator or the DSL may change it, so it is sent only when changed
        ...(keepOut !== v.keepContentOutOfChat ? { keepContentOutOfChat: keepOut } : {}),
        // sent only when changed: linking a workspace moves its installation under this school's key
        ...(workspace !== (v.slackTeamId ?? '') ? { slackTeamId: workspace || null } : {}),
      };
      const a = await send<OrganisationView>('PATCH', '/admin/organisation', JSON.stringify(body), 'application/json');
      setAnswer(a);
      if (a.status === 200) setV(a.body as OrganisationView);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="organisation-heading" id="organisation">
      <div className="card-head">
        <h2 id="organisation-heading">Settings</h2>
      </div>
      {v.people.length === 0 ? (
        <MessageBar intent="warning">
          <MessageBarBody>
            Nobody to name yet: <a href="#admin/import">import your staff</a> first, then come back to name the DSL.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <form onSubmit={(e) => void save(e)} className="org-form">
        <Field label="Name" required>
          <Input value={name} onChange={(_e, d) => setName(d.value)} />
        </Field>
        <Field label="Time zone" hint="Such as Europe/London: reminders go out at this time zone’s clock.">
          <Input value={timezone} onChange={(_e, d) => setTimezone(d.value)} />
        </Field>
        <Field label="Bank holidays">
          <Select id={`${ids}-division`} value={division} onChange={(_e, d) => setDivision(d.value as OrganisationView['bankHolidayDivision'])}>
            {DIVISIONS.map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </Select>
        </Field>
        {ROLE_FIELDS.map((f) => (
          <Field key={f.key} label={f.label} hint={f.hint}>
            <Select value={roles[f.key]} onChange={(_e, d) => setRoles((r) => ({ ...r, [f.key]: d.value }))}>
              <option value="">Nobody yet</option>
              {v.people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} — {p.email}
                </option>
              ))}
            </Select>
          </Field>
        ))}
        <Field
          label="Supervision content in chat"
          hint={
            v.canSetContentOutOfChat
              ? 'When this is on, cards and messages in Slack and Teams say only who, when and what kind, with a button to open it in the dashboard: agenda items, notes, concerns, actions, decisions and reasons stay out of the platforms’ message stores. People can still type into the chat.'
              : 'Only the administrator or the DSL can change this.'
          }
        >
          <Checkbox id="keep-content-out" label="Keep supervision content out of chat" checked={keepOut} disabled={!v.canSetContentOutOfChat} onChange={(_e, d) => setKeepOut(d.checked === true)} />
        </Field>
        {v.slackWorkspaces.length > 0 || v.slackTeamId ? (
          <Field label="Slack workspace" hint="The workspace where your staff use Supervision Bot in Slack, among those that installed it and no other school has linked. Until one is linked, people there are told it is not linked to a school yet.">
            <Select id={`${ids}-slack`} value={workspace} onChange={(_e, d) => setWorkspace(d.value)}>
              <option value="">Not linked</option>
              {v.slackWorkspaces.map((s) => (
                <option key={s.teamId} value={s.teamId}>
                  {s.name ? `${s.name} (${s.teamId})` : s.teamId}
                </option>
              ))}
            </Select>
          </Field>
        ) : null}
        <div className="toolbar">
          <Button type="submit" appearance="primary" disabled={busy}>
            Save
          </Button>
        </div>
      </form>
      {answer?.status === 200 ? (
        <MessageBar intent="success" id="saved">
          <MessageBarBody>
            Saved. <a href="#admin">Back to the checklist</a>
          </MessageBarBody>
        </MessageBar>
      ) : answer ? (
        <MessageBar intent="error" id="refused">
          <MessageBarBody>{(answer.body as { error?: string }).error ?? 'Not saved just now; try again in a moment.'}</MessageBarBody>
        </MessageBar>
      ) : null}
    </section>
  );
}

// ---------- a school year as a calendar ----------
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const iso = (d: Date) => d.toISOString().slice(0, 10);
type DayKind = 'term' | 'inset' | 'bank' | 'holiday' | 'weekend';
const KIND_TEXT: Record<DayKind, string> = { term: 'term day', inset: 'INSET day', bank: 'bank holiday', holiday: 'holiday', weekend: 'weekend' };

function kindOf(day: string, weekday: number, v: TermDatesView): DayKind {
  if (weekday === 0 || weekday === 6) return 'weekend';
  if (v.bankHolidays.includes(day)) return 'bank';
  if (v.insetDays.includes(day)) return 'inset';
  if (v.halfTerms.some((h) => h.start <= day && day <= h.end)) return 'term';
  return 'holiday';
}

function Month({ year, month, v }: { year: number; month: number; v: TermDatesView }) {
  const first = new Date(Date.UTC(year, month, 1));
  const days = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const lead = (first.getUTCDay() + 6) % 7; // Monday first
  const cells: Array<{ day: string; n: number; kind: DayKind } | null> = Array.from({ length: lead }, () => null);
  for (let n = 1; n <= days; n++) {
    const d = new Date(Date.UTC(year, month, n));
    cells.push({ day: iso(d), n, kind: kindOf(iso(d), d.getUTCDay(), v) });
  }
  while (cells.length % 7) cells.push(null);
  const weeks = Array.from({ length: cells.length / 7 }, (_, i) => cells.slice(i * 7, i * 7 + 7));
  return (
    <table className="month" data-month={`${year}-${String(month + 1).padStart(2, '0')}`}>
      <caption>
        {MONTHS[month]} {year}
      </caption>
      <thead>
        <tr>
          {['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].map((d) => (
            <th scope="col" key={d} abbr={d}>
              {d.slice(0, 2)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {weeks.map((w) => (
          <tr key={w.find((c) => c)?.day}>
            {w.map((c, i) =>
              c ? (
                <td key={c.day} className={`day ${c.kind}`} data-day={c.day}>
                  {c.n}
                  {c.kind !== 'term' && c.kind !== 'weekend' ? <span className="visually-hidden">, {KIND_TEXT[c.kind]}</span> : null}
                </td>
              ) : (
                // biome-ignore lint/suspicious/noArrayIndexKey: the empty cells before the 1st and after the last
                <td key={`empty-${i}`} className="day blank">
                  {'\u00a0'}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The six half-term rows of the form, filled from what is stored (or named and empty). */
const HALF_NAMES = ['Autumn 1', 'Autumn 2', 'Spring 1', 'Spring 2', 'Summer 1', 'Summer 2'];

export function TermsPage({ year: asked }: { year?: number }) {
  const [setup] = useApi<[SetupChecklist]>(['/admin/setup']);
  const year = asked ?? (setup.state === 'ok' ? yearOf(setup.data[0].schoolYear) : undefined);
  if (year === undefined) return setup.state === 'loading' ? <Loading /> : setup.state === 'ok' ? null : <Problem load={setup} />;
  return <TermsOfYear key={year} year={year} />;
}

function TermsOfYear({ year }: { year: number }) {
  const [load, reload] = useApi<[TermDatesView]>([`/admin/terms/${year}`]);
  useTitle(load.state === 'ok' ? `Term dates ${load.data[0].label}` : undefined);
  if (load.state === 'loading') return <Loading />;
  if (load.state !== 'ok') return <Problem load={load} />;
  const [v] = load.data;
  return (
    <>
      <PlaygroundBanner />
      <AdminHead title={`Term dates ${v.label}`} sub="The six half terms, INSET days and bank holidays: nothing is scheduled outside term time." />
      <div className="toolbar year-nav no-print">
        <a href={`#admin/terms/${year - 1}`}>← {year - 1}/{String(year).slice(2)}</a>
        <a href={`#admin/terms/${year + 1}`}>
          {year + 1}/{String(year + 2).slice(2)} →
        </a>
      </div>
      <section className="card" aria-labelledby="calendar-heading" id="calendar">
        <div className="card-head">
          <h2 id="calendar-heading">Calendar</h2>
          <div className="legend">
            {(['term', 'inset', 'bank', 'holiday'] as const).map((k) => (
              <span key={k}>
                <i className={`swatch day ${k}`} aria-hidden="true" />
                {KIND_TEXT[k][0]?.toUpperCase()}
                {KIND_TEXT[k].slice(1)}
              </span>
            ))}
          </div>
        </div>
        {v.halfTerms.length === 0 ? (
          <MessageBar intent="warning">
            <MessageBarBody>No term dates for {v.label} yet: enter them below or import the council’s .ics file.</MessageBarBody>
          </MessageBar>
        ) : null}
        <div className="months">
          {[8, 9, 10, 11, 0, 1, 2, 3, 4, 5, 6, 7].map((m) => (
            <Month key={m} year={m >= 8 ? year : year + 1} month={m} v={v} />
          ))}
        </div>
        {v.halfTerms.length ? (
          <ul className="plain small half-terms">
            {v.halfTerms.map((h) => (
              <li key={h.name}>
                <strong>{h.name}</strong>: {dayText(h.start)} to {dayText(h.end)}
              </li>
            ))}
            {v.insetDays.length ? <li>INSET days: {v.insetDays.map(dayText).join(', ')}</li> : null}
          </ul>
        ) : null}
      </section>
      <div className="grid two">
        <TermsForm v={v} onSaved={reload} />
        <section className="card" aria-labelledby="ics-heading" id="ics">
          <div className="card-head">
            <h2 id="ics-heading">From the council’s .ics file</h2>
          </div>
          <FileImport kind="terms-ics" path={(dryRun, file) => `/admin/terms/ics?dryRun=${dryRun}&file=${encodeURIComponent(file)}`} accept=".ics,text/calendar" onDone={reload} />
        </section>
      </div>
    </>
  );
}

function TermsForm({ v, onSaved }: { v: TermDatesView; onSaved: () => void }) {
  const rowsOf = (view: TermDatesView) => HALF_NAMES.map((name) => view.halfTerms.find((h) => h.name === name) ?? { name, start: '', end: '' });
  const [rows, setRows] = useState(() => rowsOf(v));
  const [inset, setInset] = useState(v.insetDays.join(', '));
  // dates stored since (from the .ics, or this form saved) fill the form in
  // biome-ignore lint/correctness/useExhaustiveDependencies: rowsOf only reads the view it is given
  useEffect(() => {
    setRows(rowsOf(v));
    setInset(v.insetDays.join(', '));
  }, [v]);
  const [report, setReport] = useState<Answer<ImportReport> | undefined>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<ImportReport | undefined>();
  const body = () => JSON.stringify({ halfTerms: rows.map((r) => ({ name: r.name, start: r.start, end: r.end })), insetDays: inset.split(/[\s,]+/).filter(Boolean) });
  const run = async (dryRun: boolean) => {
    setBusy(true);
    try {
      const answer = await send<ImportReport>('PUT', `/admin/terms/${v.year}?dryRun=${dryRun}`, body(), 'application/json');
      if (dryRun) setReport(answer);
      else if (answer.status === 200) {
        setSaved(answer.body as ImportReport);
        setReport(undefined);
        onSaved();
      } else setReport(answer);
    } finally {
      setBusy(false);
    }
  };
  const edit = (i: number, key: 'start' | 'end', value: string) => {
    setReport(undefined);
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, [key]: value } : r)));
  };
  const clean = report?.status === 200 && (report.body as ImportReport).errors.length === 0;
  return (
    <section className="card" aria-labelledby="form-heading" id="terms-form">
      <div className="card-head">
        <h2 id="form-heading">Enter the dates</h2>
      </div>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void run(true);
        }}
      >
        <div className="half-rows">
          {rows.map((r, i) => (
            <fieldset key={r.name} className="half-row">
              <legend>{r.name}</legend>
              <Field label="First day">
                <Input type="date" value={r.start} onChange={(_e, d) => edit(i, 'start', d.value)} />
              </Field>
              <Field label="Last day">
                <Input type="date" value={r.end} onChange={(_e, d) => edit(i, 'end', d.value)} />
              </Field>
            </fieldset>
          ))}
        </div>
        <Field label="INSET days" hint="Dates as YYYY-MM-DD, separated by commas">
          <Input
            value={inset}
            onChange={(_e, d) => {
              setReport(undefined);
              setInset(d.value);
            }}
          />
        </Field>
        <div className="toolbar">
          <Button type="submit" disabled={busy}>
            Check
          </Button>
          <Button appearance="primary" disabled={busy || !clean} onClick={() => void run(false)}>
            Save
          </Button>
        </div>
      </form>
      {report ? <ReportView answer={report} /> : null}
      {saved ? <ResultView report={saved} /> : null}
    </section>
  );
}

// ---------- the import wizard ----------
/** What the wizard imports: staff and contracts through the imports API, term dates through the terms API. */
const KINDS = [
  { kind: 'sds', label: 'Staff: a School Data Sync export (orgs.csv, users.csv, roles.csv)', accept: '.csv,text/csv', multiple: true },
  { kind: 'staff', label: 'Staff: the staff template (CSV)', accept: '.csv,text/csv', multiple: false },
  { kind: 'contracts', label: 'Supervision contracts (CSV)', accept: '.csv,text/csv', multiple: false },
  { kind: 'terms-ics', label: 'Term dates (the council’s .ics file)', accept: '.ics,text/calendar', multiple: false },
] as const;

export function ImportPage() {
  const [kind, setKind] = useState<string>(KINDS[0].kind);
  const id = useId();
  useTitle('Import');
  const chosen = KINDS.find((k) => k.kind === kind);
  return (
    <>
      <PlaygroundBanner />
      <AdminHead title="Import" sub="Upload a file: you see what it would change, and every problem in it, before anything is written." />
      <section className="card" aria-labelledby="wizard-heading" id="wizard">
        <div className="card-head">
          <h2 id="wizard-heading">Import a file</h2>
        </div>
        <Field label="What the file holds">
          <Select id={id} value={kind} onChange={(_e, d) => setKind(d.value)}>
            {KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </Select>
        </Field>
        {chosen?.kind === 'terms-ics' ? (
          <FileImport key={chosen.kind} kind={chosen.kind} path={(dryRun, file) => `/admin/terms/ics?dryRun=${dryRun}&file=${encodeURIComponent(file)}`} accept={chosen.accept} />
        ) : chosen ? (
          <PeopleImport key={chosen.kind} kind={chosen.kind} accept={chosen.accept} multiple={chosen.multiple} />
        ) : null}
      </section>
    </>
  );
}

async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

type PeopleStep =
  | { step: 'choose' }
  | { step: 'previewing'; sent: number }
  | { step: 'preview'; answer: Answer<ImportPreview> }
  | { step: 'importing'; done: number; total: number }
  | { step: 'done'; answer: Answer<ImportResult> };

/** Staff (SDS or the template) and contracts: preview with every problem, confirm, progress from the server, result. */
function PeopleImport({ kind, accept, multiple }: { kind: string; accept: string; multiple: boolean }) {
  const [files, setFiles] = useState<File[]>([]);
  const [step, setStep] = useState<PeopleStep>({ step: 'choose' });
  const [deactivate, setDeactivate] = useState(false);
  const [failed, setFailed] = useState<string | undefined>();
  const polling = useRef<number | undefined>(undefined);
  const inputId = useId();
  const previewFiles = async () => {
    setFailed(undefined);
    setStep({ step: 'previewing', sent: 0 });
    try {
      const body = JSON.stringify({ kind, files: await Promise.all(files.map(async (f) => ({ name: f.name, content: await base64Of(f) }))) });
      const answer = await send<ImportPreview>('POST', '/api/admin/imports', body, 'application/json', (sent) => setStep({ step: 'previewing', sent }));
      setStep({ step: 'preview', answer });
    } catch (error) {
      setFailed((error as Error).message);
      setStep({ step: 'choose' });
    }
  };
  const confirm = async (token: string, total: number) => {
    setFailed(undefined);
    setStep({ step: 'importing', done: 0, total });
    // the server reports its progress while it writes
    polling.current = window.setInterval(() => {
      void getJson<ImportResult>(`/api/admin/imports/${token}`).then((a) => {
        const p = a.status === 200 ? (a.body as ImportResult).progress : undefined;
        if (p) setStep((s) => (s.step === 'importing' ? { step: 'importing', done: p.done, total: p.total } : s));
      });
    }, 300);
    try {
      const answer = await send<ImportResult>('POST', `/api/admin/imports/${token}/confirm`, JSON.stringify({ deactivateMissing: deactivate }), 'application/json');
      setStep({ step: 'done', answer });
    } catch (error) {
      setFailed((error as Error).message);
      setStep({ step: 'choose' });
    } finally {
      window.clearInterval(polling.current);
    }
  };
  const preview = step.step === 'preview' && step.answer.status === 200 ? (step.answer.body as ImportPreview) : undefined;
  const at = { choose: 0, previewing: 0, preview: 1, importing: 2, done: 3 }[step.step];
  return (
    <div className="wizard" data-kind={kind} data-step={step.step}>
      <ol className="steps" aria-label="Steps">
        {['Upload', 'Preview', 'Confirm', 'Result'].map((s, i) => (
          <li key={s} aria-current={i === at ? 'step' : undefined} className={i < at ? 'past' : i === at ? 'now' : ''}>
            {s}
          </li>
        ))}
      </ol>
      <div className="file-field">
        <label htmlFor={inputId}>{multiple ? 'Files' : 'File'}</label>
        <input
          id={inputId}
          type="file"
          accept={accept}
          multiple={multiple}
          className="file-input"
          onChange={(e) => {
            setFiles([...(e.target.files ?? [])]);
            setStep({ step: 'choose' });
          }}
        />
      </div>
      <div className="toolbar">
        <Button appearance={preview?.token ? 'secondary' : 'primary'} disabled={files.length === 0 || step.step === 'previewing' || step.step === 'importing'} onClick={() => void previewFiles()}>
          Preview
        </Button>
        {preview ? (
          <Button appearance="primary" disabled={!preview.token} onClick={() => preview.token && void confirm(preview.token, preview.created + preview.updated + (deactivate ? preview.deactivated : 0))}>
            Confirm import
          </Button>
        ) : null}
      </div>
      {step.step === 'previewing' ? (
        <Field label="Checking the files">
          <ProgressBar value={step.sent < 1 ? step.sent : undefined} thickness="large" aria-label="Checking the files" />
        </Field>
      ) : null}
      {step.step === 'importing' ? (
        <Field label={`Importing${step.total ? `: ${step.done} of ${step.total}` : ''}`}>
          <ProgressBar value={step.total ? step.done / step.total : undefined} thickness="large" aria-label="Importing" className="import-progress" />
        </Field>
      ) : null}
      {failed ? (
        <MessageBar intent="error">
          <MessageBarBody>{failed}</MessageBarBody>
        </MessageBar>
      ) : null}
      {step.step === 'preview' && !preview ? <RefusedAnswer answer={step.answer} /> : null}
      {preview ? (
        <div className="report" data-errors={preview.errors.length}>
          <Counts r={preview} dry />
          {preview.ignored ? <p className="muted small">{preview.ignored} rows left out on purpose (students, guardians).</p> : null}
          {preview.errors.length ? (
            <>
              <MessageBar intent="error">
                <MessageBarBody>
                  {preview.errors.length === 1 ? 'One problem' : `${preview.errors.length} problems`}: nothing will be written until the files are fixed and uploaded again.
                </MessageBarBody>
              </MessageBar>
              <Problems list={preview.errors} caption="Problems" id="errors" />
            </>
          ) : (
            <MessageBar intent="success">
              <MessageBarBody>No problems. Nothing is written until you confirm.</MessageBarBody>
            </MessageBar>
          )}
          {preview.warnings.length ? <Problems list={preview.warnings} caption="Warnings (nothing refused)" id="warnings" /> : null}
          <ChangeLists lists={preview.lists} />
          {preview.token && preview.deactivated > 0 ? (
            <Checkbox
              checked={deactivate}
              onChange={(_e, d) => setDeactivate(Boolean(d.checked))}
              label={`Deactivate ${preview.deactivated === 1 ? 'the 1 person these files no longer list' : `the ${preview.deactivated} people these files no longer list`} (their records are kept, their contracts end, their open actions go to their supervisor)`}
            />
          ) : null}
        </div>
      ) : null}
      {step.step === 'done' ? (
        step.answer.status === 200 ? (
          <div className="result" id="result">
            <MessageBar intent="success">
              <MessageBarBody>
                <MessageBarTitle>Imported</MessageBarTitle>
                Written whole; importing the same files again changes nothing.
              </MessageBarBody>
            </MessageBar>
            <Counts r={step.answer.body as ImportResult} />
          </div>
        ) : (
          <RefusedAnswer answer={step.answer} />
        )
      ) : null}
    </div>
  );
}

function RefusedAnswer({ answer }: { answer: Answer<unknown> }) {
  return (
    <MessageBar intent="error" className="report" data-status={answer.status}>
      <MessageBarBody>{(answer.body as { error?: string }).error ?? 'The files could not be checked just now; try again in a moment.'}</MessageBarBody>
    </MessageBar>
  );
}

function ChangeLists({ lists }: { lists: ImportPreview['lists'] }) {
  const parts: Array<[string, ImportPreview['lists']['created']]> = [
    ['To create', lists.created],
    ['To update', lists.updated],
    ['To deactivate', lists.deactivated],
  ];
  return (
    <>
      {parts
        .filter(([, l]) => l.length > 0)
        .map(([title, l]) => (
          <details key={title} className="change-list">
            <summary>
              {title} ({l.length})
            </summary>
            <ul className="plain small">
              {l.map((c) => (
                <li key={c.id}>
                  {c.name}
                  {c.email ? <span className="muted"> — {c.email}</span> : null}
                  {c.fields?.length ? <span className="muted"> ({c.fields.join(', ')})</span> : null}
                </li>
              ))}
            </ul>
          </details>
        ))}
    </>
  );
}

type Step = { step: 'choose' } | { step: 'previewing'; sent: number } | { step: 'preview'; answer: Answer<ImportReport> } | { step: 'importing'; sent: number } | { step: 'done'; answer: Answer<ImportReport> };

/** upload → preview (dry run) with every refusal → confirm → progress → result. */
function FileImport({ kind, path, accept, onDone }: { kind: string; path: (dryRun: boolean, file: string) => string; accept: string; onDone?: () => void }) {
  const [file, setFile] = useState<File | undefined>();
  const [step, setStep] = useState<Step>({ step: 'choose' });
  const [failed, setFailed] = useState<string | undefined>();
  const inputId = useId();
  const upload = async (dryRun: boolean) => {
    if (!file) return;
    setFailed(undefined);
    const progress = (sent: number) => setStep(dryRun ? { step: 'previewing', sent } : { step: 'importing', sent });
    progress(0);
    try {
      const answer = await send<ImportReport>('POST', path(dryRun, file.name), file, file.type || 'application/octet-stream', progress);
      setStep(dryRun ? { step: 'preview', answer } : { step: 'done', answer });
      if (!dryRun && answer.status === 200) onDone?.();
    } catch (error) {
      setFailed((error as Error).message);
      setStep({ step: 'choose' });
    }
  };
  const preview = step.step === 'preview' ? step.answer : undefined;
  const clean = preview?.status === 200 && (preview.body as ImportReport).errors.length === 0;
  return (
    <div className="wizard" data-kind={kind} data-step={step.step}>
      <ol className="steps" aria-label="Steps">
        {['Upload', 'Preview', 'Confirm', 'Result'].map((s, i) => {
          const at = { choose: 0, previewing: 0, preview: 1, importing: 2, done: 3 }[step.step];
          return (
            <li key={s} aria-current={i === at ? 'step' : undefined} className={i < at ? 'past' : i === at ? 'now' : ''}>
              {s}
            </li>
          );
        })}
      </ol>
      <div className="file-field">
        <label htmlFor={inputId}>File</label>
        <input
          id={inputId}
          type="file"
          accept={accept}
          className="file-input"
          onChange={(e) => {
            setFile(e.target.files?.[0]);
            setStep({ step: 'choose' });
          }}
        />
      </div>
      <div className="toolbar">
        <Button appearance={clean ? 'secondary' : 'primary'} disabled={!file || step.step === 'previewing' || step.step === 'importing'} onClick={() => void upload(true)}>
          Preview
        </Button>
        {preview ? (
          <Button appearance="primary" disabled={!clean} onClick={() => void upload(false)}>
            Confirm import
          </Button>
        ) : null}
      </div>
      {step.step === 'previewing' || step.step === 'importing' ? (
        <Field label={step.step === 'previewing' ? 'Checking the file' : 'Importing'} validationState="none">
          {/* the upload's share sent; then the server's work, shown as under way */}
          <ProgressBar value={step.sent < 1 ? step.sent : undefined} thickness="large" aria-label={step.step === 'previewing' ? 'Checking the file' : 'Importing'} />
        </Field>
      ) : null}
      {failed ? (
        <MessageBar intent="error">
          <MessageBarBody>{failed}</MessageBarBody>
        </MessageBar>
      ) : null}
      {preview ? <ReportView answer={preview} /> : null}
      {step.step === 'done' ? step.answer.status === 200 ? <ResultView report={step.answer.body as ImportReport} /> : <ReportView answer={step.answer} /> : null}
    </div>
  );
}

/** A dry run's answer: what would change, or every refusal with its file, row and column. */
function ReportView({ answer }: { answer: Answer<ImportReport> }) {
  if (answer.status !== 200 && answer.status !== 422) {
    return (
      <MessageBar intent="error" className="report" data-status={answer.status}>
        <MessageBarBody>{(answer.body as { error?: string }).error ?? 'The file could not be checked just now; try again in a moment.'}</MessageBarBody>
      </MessageBar>
    );
  }
  const r = answer.body as ImportReport;
  return (
    <div className="report" data-errors={r.errors.length}>
      <Counts r={r} dry />
      {r.errors.length ? (
        <>
          <MessageBar intent="error">
            <MessageBarBody>
              {r.errors.length === 1 ? 'One problem' : `${r.errors.length} problems`}: nothing will be written until the file is fixed and uploaded again.
            </MessageBarBody>
          </MessageBar>
          <Problems list={r.errors} caption="Problems" id="errors" />
        </>
      ) : (
        <MessageBar intent="success">
          <MessageBarBody>No problems. Nothing is written until you confirm.</MessageBarBody>
        </MessageBar>
      )}
      {r.warnings.length ? <Problems list={r.warnings} caption="Warnings (nothing refused)" id="warnings" /> : null}
    </div>
  );
}

function Problems({ list, caption, id }: { list: ImportReport['errors']; caption: string; id: string }) {
  return (
    <div className="table-wrap">
      <table id={id}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col" className="num">
              Row
            </th>
            <th scope="col">Column</th>
            <th scope="col">Problem</th>
          </tr>
        </thead>
        <tbody>
          {list.map((p) => (
            <tr key={`${p.file}|${p.row}|${p.column}|${p.message}`}>
              <td>{p.file}</td>
              <td className="num">{p.row || '—'}</td>
              <td>{p.column || '—'}</td>
              <td>{p.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Counts({ r, dry }: { r: Pick<ImportReport, 'created' | 'updated' | 'unchanged' | 'deactivated'>; dry?: boolean }) {
  const items: Array<[string, number]> = [
    [dry ? 'To create' : 'Created', r.created],
    [dry ? 'To update' : 'Updated', r.updated],
    ['Unchanged', r.unchanged],
    [dry ? 'To deactivate' : 'Deactivated', r.deactivated],
  ];
  return (
    <dl className="counts">
      {items.map(([label, n]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{n}</dd>
        </div>
      ))}
    </dl>
  );
}

function ResultView({ report }: { report: ImportReport }) {
  return (
    <div className="result" id="result">
      <MessageBar intent="success">
        <MessageBarBody>
          <MessageBarTitle>Imported</MessageBarTitle>
          Written whole; importing the same file again changes nothing.
        </MessageBarBody>
      </MessageBar>
      <Counts r={report} />
    </div>
  );
}

// ---------- people: roles, chat identities, contracts ----------
const FILTERS: Array<[PeopleFilter, string]> = [
  ['all', 'All'],
  ['unlinked', 'Not linked'],
  ['partly', 'One platform only'],
  ['unreachable', 'Not reachable'],
  ['no-contract', 'No contract'],
  ['leavers', 'Leavers'],
];
const CHAT: Record<PersonAdminView['chat'], { tone: 'ok' | 'warn' | 'bad' | 'neutral'; text: string }> = {
  linked: { tone: 'ok', text: 'Slack and Teams' },
  partly: { tone: 'warn', text: '' },
  unlinked: { tone: 'bad', text: 'Neither Slack nor Teams linked' },
  left: { tone: 'neutral', text: 'Left' },
};
const ROLE_TEXT: Record<string, string> = { supervisee: 'supervisee', supervisor: 'supervisor', dsl: 'DSL', 'deputy-dsl': 'deputy DSL', headteacher: 'headteacher', governor: 'governor', auditor: 'auditor', admin: 'admin' };

function chatText(p: PersonAdminView): string {
  if (p.unreachable) return `${p.unreachable.platform === 'teams' ? 'Teams' : p.unreachable.platform} refused a message since ${dayText(p.unreachable.since.slice(0, 10))}`;
  if (p.chat === 'partly') return p.slackUserId ? 'Slack only' : 'Teams only';
  return CHAT[p.chat].text;
}

/** The staff with their roles, chat identities and contracts; search and filters; the one-click link for who wrote unmatched. */
export function PeoplePage() {
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const [filter, setFilter] = useState<PeopleFilter>('all');
  const params = new URLSearchParams({ ...(search ? { q: search } : {}), ...(filter !== 'all' ? { filter } : {}) }).toString();
  const [load, reload] = useApi<[PeopleView]>([`/admin/people${params ? `?${params}` : ''}`]);
  const [ids, reloadIds] = useApi<[IdentityOverview]>(['/api/admin/identities']);
  useTitle('People and chat identities');
  useEffect(() => {
    const t = setTimeout(() => setSearch(query.trim()), 250);
    return () => clearTimeout(t);
  }, [query]);
  if (load.state !== 'ok' && load.state !== 'loading') return <Problem load={load} />;
  if (ids.state !== 'ok' && ids.state !== 'loading') return <Problem load={ids} />;
  const v = load.state === 'ok' ? load.data[0] : undefined;
  const linkable = ids.state === 'ok' ? [...ids.data[0].unlinked, ...ids.data[0].partly].sort((a, b) => a.name.localeCompare(b.name)) : [];
  return (
    <>
      <PlaygroundBanner />
      <AdminHead title="People" sub="Your staff, their roles, their Slack and Teams accounts and their contracts." />
      <section className="card" aria-labelledby="people-heading" id="people">
        <div className="card-head">
          <h2 id="people-heading">Staff</h2>
        </div>
        <div className="people-tools">
          <Field label="Search by name or email">
            <Input type="search" value={query} onChange={(_e, d) => setQuery(d.value)} />
          </Field>
          <fieldset className="filters">
            <legend className="visually-hidden">Show</legend>
            {FILTERS.map(([f, label]) => (
              <Button key={f} size="small" appearance={filter === f ? 'primary' : 'secondary'} aria-pressed={filter === f} onClick={() => setFilter(f)}>
                {label}
                {v && f !== 'all' ? ` (${v.counts[f]})` : ''}
              </Button>
            ))}
          </fieldset>
        </div>
        {!v ? (
          <Loading />
        ) : v.people.length ? (
          <div className="table-wrap">
            <table id="people-table">
              <caption className="visually-hidden">{`${v.people.length} ${v.people.length === 1 ? 'person' : 'people'}`}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className="hide-narrow">
                    Roles
                  </th>
                  <th scope="col">Chat</th>
                  <th scope="col">Contracts</th>
                </tr>
              </thead>
              <tbody>
                {v.people.map((p) => (
                  <tr key={p.id} data-person={p.id} data-kind={p.unreachable && p.chat !== 'left' ? 'unreachable' : p.chat}>
                    <td>
                      <strong>{p.name}</strong>
                      <span className="muted small block">{p.email}</span>
                      {p.lineManager ? <span className="muted small block">Line manager: {p.lineManager.name}</span> : null}
                      {p.leftAt ? <span className="muted small block">Left {dayText(p.leftAt.slice(0, 10))}</span> : null}
                      {p.chat !== 'left' && (p.training || p.roles.some((r) => SUPERVISING.includes(r)) || p.contracts.some((c) => c.role === 'supervisor')) ? <Training person={p} onSaved={reload} /> : null}
                    </td>
                    <td className="hide-narrow">{p.roles.map((r) => ROLE_TEXT[r] ?? r).join(', ')}</td>
                    <td>
                      <Chip tone={p.unreachable && p.chat !== 'left' ? 'bad' : CHAT[p.chat].tone}>{chatText(p)}</Chip>
                      {p.slackUserId ? <span className="muted small block">Slack {p.slackUserId}</span> : null}
                    </td>
                    <td>
                      {p.contracts.length ? (
                        <ul className="plain small">
                          {p.contracts.map((c) => (
                            <li key={`${c.id}-${c.role}`}>
                              {c.role === 'supervisee' ? 'Supervised by' : 'Supervises'} {c.withNames.join(', ')}
                            </li>
                          ))}
                        </ul>
                      ) : (
                        <span className="muted small">None</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">{search || filter !== 'all' ? 'Nobody matches.' : 'No staff yet: import them first.'}</p>
        )}
      </section>
      {ids.state === 'ok' && (ids.data[0].teams.installs || ids.data[0].teams.waiting.length) ? <TeamsWaiting teams={ids.data[0].teams} onAsked={reloadIds} /> : null}
      <section className="card" aria-labelledby="unmatched-heading" id="unmatched">
        <div className="card-head">
          <h2 id="unmatched-heading">Wrote to the bot, not matched</h2>
          <p>Link each to the person they are: one click.</p>
        </div>
        {ids.state !== 'ok' ? (
          <Loading />
        ) : ids.data[0].unmatched.length ? (
          <ul className="plain">
            {ids.data[0].unmatched.map((u) => (
              <Unmatched
                key={`${u.platform}:${u.userId}`}
                sender={u}
                people={linkable}
                onLinked={() => {
                  reloadIds();
                  reload();
                }}
              />
            ))}
          </ul>
        ) : (
          <p className="muted">Nobody.</p>
        )}
      </section>
    </>
  );
}

/** Who the bot has no Teams conversation with, where the app's installation stands, and (with Graph) a button to install it. */
function TeamsWaiting({ teams, onAsked }: { teams: IdentityOverview['teams']; onAsked: () => void }) {
  const [note, setNote] = useState<string | undefined>();
  const install = async () => {
    const answer = await send<{ queued?: number; error?: string }>('POST', '/api/admin/identities/teams/install', '', 'application/json');
    setNote(answer.status === 202 ? `Installing the app for ${(answer.body as { queued: number }).queued} people; Teams tells the bot as each is done.` : ((answer.body as { error?: string }).error ?? 'Not started; try again.'));
    onAsked();
  };
  const stateText = (p: IdentityOverview['teams']['waiting'][number]) =>
    p.state === 'requested' ? 'Installed, waiting for Teams' : p.state === 'failed' ? `Not installed: ${p.reason ?? 'refused'}` : 'App not installed';
  return (
    <section className="card" aria-labelledby="teams-waiting-heading" id="teams-waiting">
      <div className="card-head">
        <h2 id="teams-waiting-heading">Teams cannot reach them yet</h2>
        <p>{teams.installs ? 'People in no team with the app: it can be installed for them through Microsoft Graph.' : 'Linked in Teams, but the app is not installed for them: add it to a team they are in.'}</p>
      </div>
      {teams.installs ? (
        <p>
          <Button appearance="primary" onClick={install} disabled={teams.waiting.length === 0}>
            Install the app for them
          </Button>
        </p>
      ) : null}
      {note ? (
        <p role="status" className="muted">
          {note}
        </p>
      ) : null}
      {teams.waiting.length ? (
        <ul className="plain">
          {teams.waiting.map((p) => (
            <li key={p.id} data-person={p.id} data-state={p.state}>
              <strong>{p.name}</strong> <span className="muted small">{p.email}</span> <Chip tone={p.state === 'failed' ? 'bad' : 'warn'}>{stateText(p)}</Chip>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">Teams reaches everyone.</p>
      )}
    </section>
  );
}

/** Roles that supervise: their supervision training is recorded here (template line manager (f)). */
const SUPERVISING: readonly string[] = ['supervisor', 'dsl', 'deputy-dsl', 'headteacher'];

/** A supervisor's supervision training: when, how often renewed, when it lapses; the admin changes it here. */
function Training({ person, onSaved }: { person: PersonAdminView; onSaved: () => void }) {
  const [open, setOpen] = useState(false);
  const [date, setDate] = useState(person.training?.date ?? '');
  const [months, setMonths] = useState(String(person.training?.renewalMonths ?? 24));
  const [problem, setProblem] = useState<string | undefined>();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const answer = await send<unknown>('PUT', `/admin/people/${encodeURIComponent(person.id)}/training`, JSON.stringify({ date, renewalMonths: Number(months) }), 'application/json');
    if (answer.status === 200) {
      setOpen(false);
      setProblem(undefined);
      onSaved();
    } else setProblem((answer.body as { error?: string }).error ?? 'Not saved; try again.');
  };
  return (
    <span className="small block training" data-training={person.training?.lapsesOn ?? 'none'}>
      <span className="muted">
        {person.training ? `Supervision training ${dayText(person.training.date)}; lapses ${dayText(person.training.lapsesOn)}` : 'No supervision training recorded'}
      </span>{' '}
      {open ? (
        <form className="training-form" onSubmit={(e) => void save(e)}>
          <Field label="Trained on" size="small">
            <Input type="date" size="small" value={date} onChange={(_e, d) => setDate(d.value)} />
          </Field>
          <Field label="Renewed every (months)" size="small">
            <Input type="number" size="small" min={6} max={60} value={months} onChange={(_e, d) => setMonths(d.value)} />
          </Field>
          <Button size="small" appearance="primary" type="submit" disabled={!date}>
            Save
          </Button>
          {problem ? <span className="small bad-text">{problem}</span> : null}
        </form>
      ) : (
        <Button size="small" appearance="subtle" onClick={() => setOpen(true)} aria-label={`${person.training ? 'Change' : 'Set'} ${person.name}’s supervision training`}>
          {person.training ? 'Change' : 'Set'}
        </Button>
      )}
    </span>
  );
}

function Unmatched({ sender, people, onLinked }: { sender: IdentityOverview['unmatched'][number]; people: Array<{ id: string; name: string; email: string }>; onLinked: () => void }) {
  // the person whose email the platform gave is chosen already; the admin still confirms with the click
  const [personId, setPersonId] = useState(() => (sender.email ? (people.find((p) => p.email.toLowerCase() === sender.email?.toLowerCase())?.id ?? '') : ''));
  const [problem, setProblem] = useState<string | undefined>();
  const id = useId();
  const link = async () => {
    const answer = await send<unknown>('POST', '/api/admin/identities/link', JSON.stringify({ personId, platform: sender.platform, userId: sender.userId }), 'application/json');
    if (answer.status === 200) onLinked();
    else setProblem((answer.body as { error?: string }).error ?? 'Not linked; try again.');
  };
  return (
    <li className="unmatched" data-user={sender.userId}>
      <span>
        <strong>{sender.name ?? sender.userId}</strong> <span className="muted small">
          ({sender.platform === 'slack' ? 'Slack' : 'Teams'}, {sender.email ? `${sender.email}, ` : ''}
          {sender.userId})
        </span>
      </span>
      <label htmlFor={id} className="visually-hidden">
        Who is {sender.name ?? sender.userId}?
      </label>
      <Select id={id} value={personId} onChange={(_e, d) => setPersonId(d.value)} size="small">
        <option value="">Who is this?</option>
        {people.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </Select>
      <Button size="small" appearance="primary" disabled={!personId} onClick={() => void link()}>
        Link
      </Button>
      {problem ? <span className="small bad-text">{problem}</span> : null}
    </li>
  );
}
