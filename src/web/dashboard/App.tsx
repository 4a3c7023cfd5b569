/** The shell (top bar, navigation, footer), who is signed in, and which page the address asks for. */
import { Button } from '@fluentui/react-components';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { ErrorResponse, MeResponse, PickerResponse } from '../tab/api-types.js';
import { clearPerson, type Load, SignInError, session, setPerson, useApi } from './api.js';
import { ImportPage, OrganisationPage, PeoplePage, SetupPage, TermsPage } from './admin.js';
import { AuditPage } from './audit.js';
import { ContractsPage } from './contracts.js';
import { GovernorsPage } from './governors.js';
import { MinePage } from './mine.js';
import { InspectionPage, OverviewPage, PersonPage } from './pages.js';
import { RecordPage } from './record.js';
import { IncidentsPage } from './incidents.js';
import { RetentionPage } from './retention.js';
import { Icon, initials, LinkButton, Loading, Notice } from './ui.js';

interface Shell {
  me: MeResponse;
  /** The local try-out (not inside Teams). */
  playground: boolean;
  switchPerson: () => void;
  retry: () => void;
}
const ShellContext = createContext<Shell | null>(null);
/** Asks for /me and the page again (after a person is chosen on the try-out, or "Try again"). */
const RetryContext = createContext<() => void>(() => location.reload());
export const useShell = (): Shell => {
  const shell = useContext(ShellContext);
  if (!shell) throw new Error('outside the shell');
  return shell;
};

type Route =
  | { page: 'overview' }
  | { page: 'mine'; personId?: string }
  | { page: 'governors'; term?: string }
  | { page: 'setup' }
  | { page: 'terms'; year?: number }
  | { page: 'import' }
  | { page: 'organisation' }
  | { page: 'people' }
  | { page: 'retention' }
  | { page: 'audit' }
  | { page: 'incidents' }
  | { page: 'contracts' }
  | { page: 'person'; personId: string }
  | { page: 'record'; recordId: string; version?: string; print: boolean };

function routeOf(): Route {
  const print = /^\/tab\/records\/([^/]+)\/print\/?$/.exec(location.pathname);
  if (print?.[1]) {
    const version = new URLSearchParams(location.search).get('version') ?? undefined;
    return { page: 'record', recordId: decodeURIComponent(print[1]), version, print: true };
  }
  const [kind, ...rest] = location.hash.replace(/^#/, '').split('/');
  if (kind === 'record' && rest[0]) return { page: 'record', recordId: decodeURIComponent(rest[0]), version: rest[1], print: false };
  if (kind === 'admin') {
    if (rest[0] === 'terms') return { page: 'terms', year: /^\d{4}$/.test(rest[1] ?? '') ? Number(rest[1]) : undefined };
    if (rest[0] === 'import') return { page: 'import' };
    if (rest[0] === 'organisation') return { page: 'organisation' };
    if (rest[0] === 'people') return { page: 'people' };
    if (rest[0] === 'contracts') return { page: 'contracts' };
    return { page: 'setup' };
  }
  if (kind === 'retention') return { page: 'retention' };
  if (kind === 'audit') return { page: 'audit' };
  if (kind === 'incidents') return { page: 'incidents' };
  if (kind === 'governors') return { page: 'governors', term: /^(autumn|spring|summer)-\d{4}$/.test(rest[0] ?? '') ? rest[0] : undefined };
  if (kind === 'person' && rest.length > 0) return { page: 'person', personId: decodeURIComponent(rest.join('/')) };
  if (/^\/tab\/me\/?$/.test(location.pathname)) return { page: 'mine', personId: kind === 'supervisee' && rest[0] ? decodeURIComponent(rest[0]) : undefined };
  return { page: 'overview' };
}

function useRoute(): Route {
  const [route, setRoute] = useState(routeOf);
  useEffect(() => {
    const on = () => setRoute(routeOf());
    window.addEventListener('hashchange', on);
    window.addEventListener('popstate', on);
    return () => {
      window.removeEventListener('hashchange', on);
      window.removeEventListener('popstate', on);
    };
  }, []);
  return route;
}

/** A page's answer that is not 200: a refusal, a sign-in problem, the try-out's picker, or an outage. */
export function Problem({ load, what = 'overview' }: { load: Exclude<Load<unknown>, { state: 'loading' } | { state: 'ok' }>; what?: 'overview' | 'record' | 'person' }) {
  const shell = useContext(ShellContext);
  const retry = useContext(RetryContext);
  if (load.state === 'failed') {
    if (load.error instanceof SignInError) return <SignInProblem detail={`Teams did not give a sign-in token (${load.error.message})`} />;
    return <Failed retry={retry} />;
  }
  const { status, body } = load;
  if (status === 401 && (shell?.playground || body.playground)) return <Picker />;
  if (status === 401) return <SignInProblem detail={body.error} />;
  if (status === 403 && what !== 'overview') return <NotYours />;
  if (status === 403) return <Refused message={body.error} />;
  if (status === 400) return <Notice title="That page does not exist" lines={[body.error || 'The address is not valid.']} actions={<LinkButton href="/tab" primary>Back to the overview</LinkButton>} />;
  return <Failed retry={retry} />;
}

function SwitchPerson({ label = 'Choose someone else' }: { label?: string }) {
  const shell = useContext(ShellContext);
  if (!shell?.playground) return null;
  return (
    <Button icon={<Icon name="user" />} onClick={shell.switchPerson}>
      {label}
    </Button>
  );
}

export function Refused({ message }: { message?: string }) {
  return (
    <Notice
      icon="lock"
      title="This overview is for your safeguarding leads"
      lines={[
        message || 'Only the Designated Safeguarding Lead, deputies and the headteacher can see the whole school’s supervision.',
        'Your own sessions, agenda, records and actions are on My supervision, and in your chat with Supervision Bot.',
      ]}
      actions={
        <>
          <LinkButton href="/tab/me" primary>
            Open My supervision
          </LinkButton>
          <SwitchPerson />
        </>
      }
    />
  );
}

function NotYours() {
  const shell = useContext(ShellContext);
  return (
    <Notice
      icon="lock"
      title="You can’t open this"
      lines={[
        'Supervision records are confidential: only the people in the session, their safeguarding lead, or an auditor once the record is signed can open one.',
        'If you think you should see it, ask your DSL.',
      ]}
      actions={
        <>
          {shell?.me.canSeeDashboard ? (
            <LinkButton href="/tab" primary>
              Back to the overview
            </LinkButton>
          ) : null}
          <SwitchPerson />
        </>
      }
    />
  );
}

function SignInProblem({ detail }: { detail?: string }) {
  return (
    <Notice
      title="We couldn’t sign you in"
      lines={[
        'Supervision Bot could not confirm who you are.',
        'In Microsoft Teams, close and reopen the tab. From Slack, type dashboard to Supervision Bot for a sign-in link.',
        'If this keeps happening, ask your DSL to check that you are set up in Supervision Bot.',
      ]}
      detail={detail}
    />
  );
}

function Failed({ retry }: { retry: () => void }) {
  return (
    <Notice
      title="The overview could not load just now"
      lines={['Nothing has been lost. Please try again in a moment.']}
      actions={
        <Button appearance="primary" onClick={retry}>
          Try again
        </Button>
      }
    />
  );
}

/** The local try-out: choose a person of the school (the demo school, or the people imported) (the server accepts this only on a loopback address). */
function Picker() {
  const retry = useContext(RetryContext);
  const [load] = useApi<[PickerResponse]>(['/playground/people']);
  if (load.state === 'loading') return <Loading />;
  if (load.state !== 'ok') return <SignInProblem detail="open this page from the Supervision app in Microsoft Teams" />;
  const people = load.data[0].people;
  const choose = (id: string) => {
    setPerson(id);
    retry();
  };
  const list = (items: PickerResponse['people']) => (
    <ul>
      {items.map((p) => (
        <li key={p.id}>
          <button type="button" data-person={p.id} onClick={() => choose(p.id)}>
            <span className="avatar" aria-hidden="true">
              {initials(p.name)}
            </span>
            <span>
              <span className="name">{p.name}</span>
              <span className="role">{p.roleText}</span>
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
  const leads = people.filter((p) => p.lead);
  const others = people.filter((p) => !p.lead);
  return (
    <div className="card picker">
      <h1>Who are you?</h1>
      <p className="intro">This is the local try-out: choose a person of the school to see the dashboard as they would in Teams. In Teams, your Microsoft 365 sign-in decides.</p>
      {leads.length ? (
        <>
          <h2 className="section-title">Safeguarding leads</h2>
          {list(leads)}
        </>
      ) : null}
      {others.length ? (
        <>
          <h2 className="section-title">Everyone else</h2>
          {list(others)}
        </>
      ) : null}
    </div>
  );
}

export function PlaygroundBanner() {
  const shell = useContext(ShellContext);
  if (!shell?.playground) return null;
  return (
    <div className="banner no-print" role="note">
      <span>Local try-out — you are seeing this as {shell.me.person.name}.</span>
      <button className="link-button" type="button" onClick={shell.switchPerson}>
        Switch person
      </button>
    </div>
  );
}

function Nav({ me, route }: { me: MeResponse; route: Route }) {
  const tabs: Array<{ value: string; label: string; href: string }> = [];
  if (me.canSeeDashboard) tabs.push({ value: 'overview', label: 'Overview', href: '/tab' });
  else if (me.canBrowseHistories) tabs.push({ value: 'overview', label: 'Records', href: '/tab' });
  tabs.push({ value: 'mine', label: 'My supervision', href: '/tab/me' });
  if (me.canSeeGovernance) tabs.push({ value: 'governors', label: 'Governors’ figures', href: '/tab#governors' });
  if (me.canAdminister) tabs.push({ value: 'admin', label: 'Set-up', href: '/tab#admin' });
  if (me.canManageRetention) tabs.push({ value: 'retention', label: 'Retention', href: '/tab#retention' });
  if (me.canAudit) tabs.push({ value: 'audit', label: 'Audit', href: '/tab#audit' });
  if (me.canDeclareIncident) tabs.push({ value: 'incidents', label: 'Incidents', href: '/tab#incidents' });
  if (tabs.length < 2 || route.page === 'record') return null;
  const selected = route.page === 'mine' ? 'mine' : route.page === 'governors' ? 'governors' : route.page === 'retention' ? 'retention' : route.page === 'audit' ? 'audit' : route.page === 'incidents' ? 'incidents' : ['setup', 'organisation', 'terms', 'import', 'people', 'contracts'].includes(route.page) ? 'admin' : 'overview';
  // plain links: each is a page of its own (the Teams tabs open /tab and /tab/me)
  return (
    <nav className="nav no-print" aria-label="Pages">
      {tabs.map((t) => (
        <a key={t.value} href={t.href} className="nav-link" aria-current={t.value === selected ? 'page' : undefined}>
          {t.label}
        </a>
      ))}
    </nav>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'record':
      return <RecordPage recordId={route.recordId} version={route.version} print={route.print} />;
    case 'person':
      return <PersonPage personId={route.personId} />;
    case 'mine':
      return <MinePage personId={route.personId} />;
    case 'governors':
      return <GovernorsPage term={route.term} />;
    case 'setup':
      return <SetupPage />;
    case 'terms':
      return <TermsPage year={route.year} />;
    case 'import':
      return <ImportPage />;
    case 'organisation':
      return <OrganisationPage />;
    case 'people':
      return <PeoplePage />;
    case 'retention':
      return <RetentionPage />;
    case 'audit':
      return <AuditPage />;
    case 'incidents':
      return <IncidentsPage />;
    case 'contracts':
      return <ContractsPage />;
    default:
      return <Home />;
  }
}

function Home() {
  const { me } = useShell();
  if (me.canSeeDashboard) return <OverviewPage />;
  if (me.canBrowseHistories) return <InspectionPage />;
  // the safeguarding governor: the figures only
  if (me.canSeeGovernance) return <GovernorsPage />;
  // an administrator who is not a safeguarding lead (a business manager) starts at the set-up
  if (me.canAdminister) return <SetupPage />;
  return <Refused />;
}

export function App() {
  const route = useRoute();
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  const [load] = useApi<[MeResponse]>(['/me'], [attempt]);
  const main = useRef<HTMLElement>(null);
  // on the try-out, `?as=priya` picks the demo person
  useState(() => {
    if (session.teams) return;
    const params = new URLSearchParams(location.search);
    const as = params.get('as');
    if (as && /^[A-Za-z0-9._-]{1,100}$/.test(as)) {
      setPerson(as);
      params.delete('as');
      const query = params.toString();
      history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`);
    }
  });
  // each new page starts at the top, with the focus on its content
  // biome-ignore lint/correctness/useExhaustiveDependencies: on each navigation
  useEffect(() => {
    main.current?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [route, attempt]);
  // a printed overview carries the figures as a table too
  useEffect(() => {
    const before = () => {
      for (const d of document.querySelectorAll<HTMLDetailsElement>('details.table-toggle')) {
        d.dataset.wasOpen = String(d.open);
        d.open = true;
      }
    };
    const after = () => {
      for (const d of document.querySelectorAll<HTMLDetailsElement>('details.table-toggle')) d.open = d.dataset.wasOpen === 'true';
    };
    window.addEventListener('beforeprint', before);
    window.addEventListener('afterprint', after);
    return () => {
      window.removeEventListener('beforeprint', before);
      window.removeEventListener('afterprint', after);
    };
  }, []);

  const me = load.state === 'ok' ? load.data[0] : undefined;
  const playground = me ? me.playground && !session.teams : !session.teams;
  const shell: Shell | null = me
    ? {
        me,
        playground,
        switchPerson: () => {
          clearPerson();
          retry();
        },
        retry,
      }
    : null;
  let content: ReactNode;
  if (load.state === 'loading') content = <Loading />;
  else if (load.state === 'ok') content = <Page key={attempt} route={route} />;
  else if (load.state === 'problem' && load.status === 401 && (load.body as ErrorResponse).playground) content = <Picker key={attempt} />;
  else content = <Problem load={load} />;
  return (
    <RetryContext.Provider value={retry}>
    <ShellContext.Provider value={shell}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <a className="brand" href="/tab">
            <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
              <path d="M16 2.5 4.5 7v8.2c0 7.2 4.9 12.6 11.5 14.3 6.6-1.7 11.5-7.1 11.5-14.3V7L16 2.5Z" />
              <path className="brand-tick" d="m10.5 16.2 3.8 3.8 7.4-7.6" />
            </svg>
            <span className="brand-text">
              <span className="brand-name">Supervision</span>
              <span className="brand-org" id="org-name">
                {me?.organisationName ?? ''}
              </span>
            </span>
          </a>
          {me ? <Nav me={me} route={route} /> : null}
          <div className="who" id="who">
            {me ? (
              <>
                <span className="who-text">
                  <strong>{me.person.name}</strong>
                  {me.person.roleText}
                </span>
                <span className="avatar" aria-hidden="true">
                  {initials(me.person.name)}
                </span>
              </>
            ) : null}
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        {content}
      </main>
      <footer className="footer">
        <p>
          Supervision records are confidential and the property of the school. Only the people in the session, their DSL or deputy, the person hearing a dispute about one, or an auditor once it
          is signed can open one.
        </p>
      </footer>
    </ShellContext.Provider>
    </RetryContext.Provider>
  );
}
