// The DSL dashboard. Inside Teams it signs in with Teams SSO (teams-js) and follows the Teams theme; in a plain
// browser on the local try-out it works as a chosen demo person. Everything shown comes from /tab/api, which
// checks the caller's permissions exactly as chat does. Text is always set with textContent, never as HTML.
(() => {
  const API = '/tab/api';
  const COOKIE = 'playground_person';
  const main = document.getElementById('main');
  const state = { teams: false, me: null, playground: false };

  // ---------- DOM helpers ----------
  const SVG_NS = 'http://www.w3.org/2000/svg';
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
  }
  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
  }
  function setAttrs(el, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.setAttribute('class', v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  function append(el, children) {
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }
  const icon = (paths) => s('svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' }, paths.map((d) => s('path', { d })));
  const ICONS = {
    download: ['M12 3v12', 'm7 10 5 5 5-5', 'M5 21h14'],
    print: ['M6 9V3h12v6', 'M6 18H4a2 2 0 0 1-2-2v-5a2 2 0 0 1 2-2h16a2 2 0 0 1 2 2v5a2 2 0 0 1-2 2h-2', 'M6 14h12v7H6z'],
    shield: ['M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Z', 'M12 8v4', 'M12 16h.01'],
    lock: ['M5 11h14v10H5z', 'M8 11V7a4 4 0 0 1 8 0v4'],
    user: ['M20 21a8 8 0 0 0-16 0', 'M12 13a5 5 0 1 0 0-10 5 5 0 0 0 0 10Z'],
    check: ['M20 6 9 17l-5-5'],
  };
  const initials = (name) => name.split(/\s+/).filter(Boolean).slice(0, 2).map((p) => p[0].toUpperCase()).join('');
  const pct = (r) => (r === null || r === undefined ? '—' : `${Math.round(r * 100)}%`);
  /** `2026-12-01` → `Tue 1 Dec 2026`, as the bot writes dates in chat. */
  const dayText = (day) =>
    new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).replace(/,/g, '');
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many || `${one}s`}`;

  function show(...nodes) {
    main.replaceChildren(...nodes.filter(Boolean));
    main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
  function loading() {
    main.replaceChildren(h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading…'));
  }

  // ---------- identity ----------
  function getCookie(name) {
    for (const part of document.cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === name) return decodeURIComponent(v.join('='));
    }
    return undefined;
  }
  function setPerson(id) {
    // biome-ignore lint/suspicious/noDocumentCookie: cookieStore is not available in every Teams webview
    document.cookie = `${COOKIE}=${encodeURIComponent(id)}; path=/; SameSite=Lax`;
  }
  function switchPerson() {
    clearPerson();
    void route();
  }
  function choose(id) {
    setPerson(id);
    void route();
  }
  function clearPerson() {
    // biome-ignore lint/suspicious/noDocumentCookie: cookieStore is not available in every Teams webview
    document.cookie = `${COOKIE}=; path=/; max-age=0; SameSite=Lax`;
  }

  /** Teams hosts tabs in a frame (web, desktop) or a webview with a native bridge (mobile). */
  async function connectTeams() {
    const teams = window.microsoftTeams;
    const framed = window.parent !== window || Boolean(window.nativeInterface);
    if (!teams || !framed) return false;
    try {
      await Promise.race([teams.app.initialize(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 4000))]);
      const context = await teams.app.getContext();
      applyTheme(context?.app?.theme);
      teams.app.registerOnThemeChangeHandler(applyTheme);
      teams.app.notifySuccess?.();
      return true;
    } catch {
      return false;
    }
  }
  function applyTheme(theme) {
    document.documentElement.dataset.theme = theme === 'dark' || theme === 'contrast' ? theme : 'default';
  }

  class SignInError extends Error {}
  /** A newer navigation started while this one waited for the API: its page is no longer wanted. */
  class Superseded extends Error {}
  let navigation = 0;

  async function api(path, init) {
    const headers = { accept: 'application/json' };
    if (state.teams) {
      // teams-js caches the token and renews it before it expires
      let token;
      try {
        token = await window.microsoftTeams.authentication.getAuthToken();
      } catch (error) {
        throw new SignInError(String(error?.message || error || 'Teams did not give a sign-in token'));
      }
      headers.authorization = `Bearer ${token}`;
    }
    const res = await fetch(`${API}${path}`, { credentials: 'same-origin', ...init, headers });
    return res;
  }
  async function json(path) {
    const mine = navigation;
    const res = await api(path);
    if (mine !== navigation) throw new Superseded();
    let body = {};
    try {
      body = await res.json();
    } catch {
      body = {};
    }
    return { status: res.status, body };
  }

  // ---------- pages: notices ----------
  function notice({ iconName = 'shield', title, lines, actions = [], detail }) {
    return h(
      'div',
      { class: 'card notice', role: 'region', 'aria-labelledby': 'notice-title' },
      h('div', { class: 'icon' }, icon(ICONS[iconName])),
      h('h1', { id: 'notice-title' }, title),
      lines.map((l) => h('p', null, l)),
      detail ? h('p', { class: 'small' }, `Details: ${detail}`) : null,
      actions.length ? h('div', { class: 'toolbar' }, actions) : null,
    );
  }
  function switchPersonButton(label = 'Choose someone else') {
    if (!state.playground) return null;
    return h('button', { class: 'button', type: 'button', onclick: switchPerson }, icon(ICONS.user), label);
  }
  function refused(message) {
    show(
      notice({
        iconName: 'lock',
        title: 'This overview is for your safeguarding leads',
        lines: [
          message || 'Only the Designated Safeguarding Lead, deputies and the headteacher can see the whole school’s supervision.',
          'Your own sessions, agenda and records are in your chat with Supervision Bot, in Teams or Slack.',
        ],
        actions: [switchPersonButton()],
      }),
    );
  }
  /** A record or history that is not this person's to see: nothing about whether it exists. */
  function notYours() {
    show(
      notice({
        iconName: 'lock',
        title: 'You can’t open this',
        lines: [
          'Supervision records are confidential: only the people in the session, their safeguarding lead, or an auditor once the record is signed can open one.',
          'If you think you should see it, ask your DSL.',
        ],
        actions: [state.me?.canSeeDashboard ? h('a', { class: 'button primary', href: '/tab' }, 'Back to the overview') : null, switchPersonButton()].filter(Boolean),
      }),
    );
  }
  function signInProblem(message) {
    show(
      notice({
        iconName: 'shield',
        title: 'We couldn’t sign you in',
        lines: ['Supervision Bot could not confirm who you are.', 'Close and reopen the tab. If this keeps happening, ask your DSL to check that you are set up in Supervision Bot.'],
        detail: message,
      }),
    );
  }
  function failed() {
    show(
      notice({
        iconName: 'shield',
        title: 'The overview could not load just now',
        lines: ['Nothing has been lost. Please try again in a moment.'],
        actions: [h('button', { class: 'button primary', type: 'button', onclick: () => route() }, 'Try again')],
      }),
    );
  }
  /** Shared handling of an API answer that is not 200. Returns true when it was handled. */
  function handled(status, body, what = 'overview') {
    if (status === 200) return false;
    if (status === 401 && (state.playground || body.playground)) {
      picker().catch((error) => {
        if (!(error instanceof Superseded)) failed();
      });
    }
    else if (status === 401) signInProblem(body.error);
    else if (status === 403 && what !== 'overview') notYours();
    else if (status === 403) refused(body.error);
    else if (status === 400) {
      show(notice({ title: 'That page does not exist', lines: [body.error || 'The address is not valid.'], actions: [h('a', { class: 'button primary', href: '/tab' }, 'Back to the overview')] }));
    } else failed();
    return true;
  }

  // ---------- local try-out: who are you? ----------
  async function picker() {
    state.playground = true;
    renderWho(null);
    const { status, body } = await json('/playground/people');
    if (status !== 200) return signInProblem('open this page from the Supervision app in Microsoft Teams');
    const people = body.people || [];
    const leads = people.filter((p) => p.lead);
    const others = people.filter((p) => !p.lead);
    const list = (items) =>
      h(
        'ul',
        null,
        items.map((p) =>
          h(
            'li',
            null,
            h(
              'button',
              { type: 'button', 'data-person': p.id, onclick: () => choose(p.id) },
              h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(p.name)),
              h('span', null, h('span', { class: 'name' }, p.name), h('span', { class: 'role' }, p.roleText)),
            ),
          ),
        ),
      );
    show(
      h(
        'div',
        { class: 'card picker' },
        h('h1', null, 'Who are you?'),
        h('p', { class: 'intro' }, 'This is the local try-out: choose a person from the demo school to see the overview as they would in Teams. In Teams, your Microsoft 365 sign-in decides.'),
        leads.length ? [h('h2', { class: 'section-title' }, 'Safeguarding leads'), list(leads)] : null,
        others.length ? [h('h2', { class: 'section-title' }, 'Everyone else'), list(others)] : null,
      ),
    );
  }

  function renderWho(me) {
    const who = document.getElementById('who');
    const org = document.getElementById('org-name');
    if (!me) {
      who.replaceChildren();
      org.textContent = '';
      return;
    }
    org.textContent = me.organisationName;
    who.replaceChildren(
      h('span', { class: 'who-text' }, h('strong', null, me.person.name), me.person.roleText),
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(me.person.name)),
    );
  }
  function playgroundBanner() {
    if (!state.playground || !state.me) return null;
    return h(
      'div',
      { class: 'banner no-print', role: 'note' },
      h('span', null, `Local try-out — you are seeing this as ${state.me.person.name}.`),
      h('button', { class: 'link-button', type: 'button', onclick: switchPerson }, 'Switch person'),
    );
  }

  // ---------- downloads ----------
  async function download(path, fallbackName) {
    const res = await api(path, { headers: {} });
    if (res.status !== 200) {
      const body = await res.json().catch(() => ({}));
      return handled(res.status, body);
    }
    const blob = await res.blob();
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') || '')?.[1] || fallbackName;
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: name, class: 'visually-hidden' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  // ---------- the overview ----------
  function kpi({ label, value, detail, ratio, tone, id }) {
    const band = ratio === null || ratio === undefined ? null : Math.max(0, Math.min(10, Math.round(ratio * 10))) * 10;
    return h(
      'div',
      { class: `card kpi ${tone || ''}`, id },
      h('span', { class: 'label' }, label),
      h('span', { class: 'value' }, value),
      band === null ? null : h('div', { class: 'meter', 'aria-hidden': 'true' }, h('span', { class: `w${band}` })),
      h('span', { class: 'detail' }, detail),
    );
  }

  function chart(view) {
    const rows = view.halfTerms;
    // drawn at the width it will have, so its text stays legible on a phone
    const W = Math.round(Math.max(300, Math.min(640, main.clientWidth - 48)));
    const H = W < 480 ? 240 : 280;
    const pad = { l: 36, r: 8, t: 16, b: 46 };
    const max = Math.max(1, ...rows.flatMap((r) => [r.due, r.held]));
    const step = max <= 5 ? 1 : max <= 10 ? 2 : max <= 25 ? 5 : Math.ceil(max / 5 / 5) * 5;
    const top = Math.ceil(max / step) * step;
    const plotH = H - pad.t - pad.b;
    const plotW = W - pad.l - pad.r;
    const y = (v) => pad.t + plotH - (v / top) * plotH;
    const group = plotW / Math.max(1, rows.length);
    const bw = Math.min(34, group * 0.32);
    const desc = rows.map((r) => `${r.name} ${r.schoolYear}: ${r.held} held of ${r.due} due`).join('; ');
    const svg = s(
      'svg',
      { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'chart-title chart-desc', preserveAspectRatio: 'xMidYMid meet' },
      s('title', { id: 'chart-title' }, 'Sessions held and due, by half term'),
      s('desc', { id: 'chart-desc' }, desc),
    );
    rows.forEach((r, i) => {
      if (r.current) svg.append(s('rect', { class: 'current-band', x: pad.l + i * group + 2, y: pad.t - 8, width: group - 4, height: plotH + 8, rx: 6 }));
    });
    for (let v = 0; v <= top; v += step) {
      svg.append(s('line', { class: 'grid-line', x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v) }));
      svg.append(s('text', { class: 'axis-text', x: pad.l - 8, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
    }
    rows.forEach((r, i) => {
      const cx = pad.l + i * group + group / 2;
      const bars = [
        { cls: 'bar-due', v: r.due, x: cx - bw - 2, label: `${r.name} ${r.schoolYear}: ${r.due} due` },
        { cls: 'bar-held', v: r.held, x: cx + 2, label: `${r.name} ${r.schoolYear}: ${r.held} held` },
      ];
      for (const b of bars) {
        const height = Math.max(b.v > 0 ? 2 : 0, y(0) - y(b.v));
        svg.append(s('rect', { class: b.cls, x: b.x, y: y(0) - height, width: bw, height, rx: 3, 'data-value': b.v }, s('title', null, b.label)));
        svg.append(s('text', { class: 'value-text', x: b.x + bw / 2, y: y(0) - height - 5, 'text-anchor': 'middle' }, String(b.v)));
      }
      svg.append(s('text', { class: 'x-text', x: cx, y: H - pad.b + 18, 'text-anchor': 'middle' }, W < 480 ? r.name.replace(/^(\w{3})\w* /, '$1 ') : r.name));
      svg.append(s('text', { class: 'x-sub', x: cx, y: H - pad.b + 33, 'text-anchor': 'middle' }, r.current ? 'this half term' : r.schoolYear));
    });
    const table = h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        null,
        h('caption', { class: 'visually-hidden' }, 'Supervision figures by half term'),
        h(
          'thead',
          null,
          h('tr', null, h('th', { scope: 'col' }, 'Half term'), ['Due', 'Held', 'On time', 'Due, not held', 'Signed', 'Actions due', 'Closed on time'].map((t) => h('th', { scope: 'col', class: 'num' }, t))),
        ),
        h(
          'tbody',
          null,
          rows.map((r) =>
            h(
              'tr',
              null,
              h('th', { scope: 'row' }, `${r.name} ${r.schoolYear}`, h('div', { class: 'muted small' }, r.rangeText)),
              [r.due, r.held, r.heldOnTime, r.notHeld, r.signed, r.actionsDue, r.actionsClosedOnTime].map((v) => h('td', { class: 'num' }, v)),
            ),
          ),
        ),
        h(
          'tfoot',
          null,
          h(
            'tr',
            null,
            h('td', null, 'Total'),
            [view.totals.due, view.totals.held, view.totals.heldOnTime, view.totals.notHeld, view.totals.signed, view.totals.actionsDue, view.totals.actionsClosedOnTime].map((v) => h('td', { class: 'num' }, v)),
          ),
        ),
      ),
    );
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'chart-heading', id: 'chart-card' },
      h(
        'div',
        { class: 'card-head' },
        h('div', null, h('h2', { id: 'chart-heading' }, 'Sessions held and due'), h('p', null, 'Per half term; due is what each contract’s cadence asks for.')),
        h('div', { class: 'legend', 'aria-hidden': 'true' }, h('span', null, h('i', { class: 'swatch due' }), 'Due'), h('span', null, h('i', { class: 'swatch held' }), 'Held')),
      ),
      svg,
      h('details', { class: 'table-toggle' }, h('summary', null, 'Show the figures as a table'), table),
    );
  }

  // ---------- the balance of supervision (Leeds briefing: support, quality assurance, development) ----------
  function balanceCard(balance, unbalanced, sinceText, missing) {
    const max = Math.max(1, balance.sessions);
    let list = null;
    if (unbalanced) {
      list = unbalanced.length
        ? [
            h('h3', { class: 'section-title' }, `No personal support or professional development since ${sinceText}`, h('span', { class: 'count' }, unbalanced.length)),
            h('ul', { class: 'small', id: 'unbalanced' }, unbalanced.map((u) => h('li', null, personLink(u.personId, u.personName), ` — no ${u.missing.map((m) => m.toLowerCase()).join(' and no ')}`))),
          ]
        : h('p', { class: 'muted small' }, `Nobody supervised since ${sinceText} has gone two terms without personal support or professional development.`);
    } else if (missing && missing.length) {
      list = h('p', { class: 'small', id: 'unbalanced' }, h('span', { class: 'chip warn' }, 'Out of balance'), ` No ${missing.map((m) => m.toLowerCase()).join(' and no ')} since ${sinceText}.`);
    }
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'balance-heading', id: 'balance' },
      h(
        'div',
        { class: 'card-head' },
        h('div', null, h('h2', { id: 'balance-heading' }, 'Balance of supervision'), h('p', null, `Signed sessions from ${balance.fromText} to ${balance.toText} that touched each function.`)),
      ),
      h(
        'dl',
        { class: 'facts' },
        balance.functions.map((f) => [
          h('dt', null, f.label),
          h('dd', { 'data-function': f.key }, `${f.sessions} of ${balance.sessions} ${balance.sessions === 1 ? 'session' : 'sessions'} `, h('meter', { min: 0, max, value: f.sessions, 'aria-hidden': 'true' })),
        ]),
      ),
      list,
    );
  }

  const SECTIONS = [
    ['sessions', 'Overdue for supervision'],
    ['records', 'Records not yet confirmed'],
    ['actions', 'Late actions'],
    ['reviews', 'Contract reviews due'],
    ['caseDecisions', 'Case decisions not on the child’s file'],
    ['escalations', 'Risk-of-harm escalations not acknowledged'],
  ];
  function personLink(id, name) {
    return id ? h('a', { class: 'person-link', href: `#person/${encodeURIComponent(id)}` }, name) : name;
  }
  function overdueCard(overdue) {
    const total = SECTIONS.reduce((n, [k]) => n + overdue.counts[k], 0) + overdue.counts.unreachable;
    const body = [];
    for (const [key, title] of SECTIONS) {
      const rows = overdue[key];
      if (!rows.length) continue;
      body.push(
        h('h3', { class: 'section-title' }, title, h('span', { class: 'count' }, rows.length)),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { 'data-section': key },
            h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Person'), h('th', { scope: 'col' }, 'Detail'), h('th', { scope: 'col', class: 'num' }, 'Days'))),
            h(
              'tbody',
              null,
              rows.map((r) =>
                h(
                  'tr',
                  { 'data-person': r.personId },
                  h('td', null, personLink(r.personId, r.personName)),
                  h('td', null, r.detail, key === 'sessions' ? h('div', { class: 'muted small' }, `Last session: ${r.lastSessionText}`) : null),
                  h('td', { class: 'num' }, h('span', { class: `chip ${r.daysOverdue > 10 ? 'bad' : 'warn'}` }, r.daysOverdue)),
                ),
              ),
            ),
          ),
        ),
      );
    }
    if (overdue.unreachable.length) {
      body.push(
        h('h3', { class: 'section-title' }, 'Not reachable in chat', h('span', { class: 'count' }, overdue.unreachable.length)),
        h('ul', { class: 'small' }, overdue.unreachable.map((u) => h('li', null, personLink(u.personId, u.personName), ` — ${u.platform}, since ${u.sinceText}`))),
      );
    }
    if (total === 0) body.push(h('div', { class: 'empty' }, icon(ICONS.check), 'Everyone is up to date — nothing is overdue.'));
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'overdue-heading', id: 'overdue' },
      h('div', { class: 'card-head' }, h('div', null, h('h2', { id: 'overdue-heading' }, 'Needs attention'), h('p', null, 'The same list as /overdue in chat. Days are school days for sessions and records.'))),
      body,
    );
  }

  function staffCard(view, overdue, hint = 'Open a person’s supervision history.') {
    const behind = new Set(overdue ? overdue.sessions.map((r) => r.personId) : []);
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'staff-heading', id: 'staff' },
      h('div', { class: 'card-head' }, h('div', null, h('h2', { id: 'staff-heading' }, 'Staff'), h('p', null, hint))),
      h(
        'ul',
        { class: 'staff-list' },
        view.staff.map((p) =>
          h(
            'li',
            null,
            h(
              'a',
              { href: `#person/${encodeURIComponent(p.id)}` },
              h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(p.name)),
              h('span', null, h('span', { class: 'name' }, p.name), h('span', { class: 'role' }, p.roleText)),
              behind.has(p.id) ? h('span', { class: 'chip bad' }, 'Overdue') : null,
            ),
          ),
        ),
      ),
    );
  }

  async function overview() {
    loading();
    const [dash, over] = await Promise.all([json('/dashboard'), json('/overdue')]);
    if (handled(dash.status, dash.body) || handled(over.status, over.body)) return;
    const view = dash.body;
    const overdue = over.body;
    const t = view.totals;
    const r = view.rates;
    const tone = (ratio) => (ratio === null ? '' : ratio >= 0.9 ? 'good' : ratio < 0.7 ? 'alert' : '');
    document.title = `Supervision overview — ${view.organisationName}`;
    show(
      playgroundBanner(),
      h(
        'div',
        { class: 'page-head' },
        h('div', null, h('h1', null, 'Supervision overview'), h('p', { class: 'sub' }, `${view.organisationName} · as at ${view.generatedAtText}`)),
        h(
          'div',
          { class: 'toolbar no-print' },
          h('button', { class: 'button', type: 'button', id: 'export-overdue', onclick: () => download('/overdue.csv', 'overdue.csv') }, icon(ICONS.download), 'Overdue list (CSV)'),
          h('button', { class: 'button', type: 'button', id: 'export-figures', onclick: () => download('/figures.csv', 'supervision-figures.csv') }, icon(ICONS.download), 'Figures (CSV)'),
          h('button', { class: 'button', type: 'button', onclick: () => window.print() }, icon(ICONS.print), 'Print'),
        ),
      ),
      h(
        'div',
        { class: 'grid kpis' },
        kpi({
          id: 'kpi-overdue',
          label: 'Overdue for supervision',
          value: String(overdue.counts.sessions),
          detail: overdue.counts.sessions === 0 ? 'Everyone has been supervised' : `${plural(overdue.counts.records, 'record')} unconfirmed · ${plural(overdue.counts.actions, 'late action')}`,
          tone: overdue.counts.sessions > 0 ? 'alert' : 'good',
        }),
        kpi({ id: 'kpi-ontime', label: 'Sessions held on time', value: pct(r.onTime), detail: t.notHeld > 0 ? `${t.heldOnTime} of ${t.held + t.notHeld} — ${t.notHeld} due and not held` : `${t.heldOnTime} of ${t.held} held`, ratio: r.onTime, tone: tone(r.onTime) }),
        kpi({ id: 'kpi-signed', label: 'Records signed by both', value: pct(r.signed), detail: `${t.signed} of ${t.held} sessions`, ratio: r.signed, tone: tone(r.signed) }),
        kpi({ id: 'kpi-actions', label: 'Actions closed on time', value: pct(r.actionsOnTime), detail: `${t.actionsClosedOnTime} of ${t.actionsDue} due so far`, ratio: r.actionsOnTime, tone: tone(r.actionsOnTime) }),
      ),
      // on a phone the list that needs action comes straight after the figures
      h('div', { class: 'grid overview' }, chart(view), overdueCard(overdue), staffCard(view, overdue)),
      view.balance ? balanceCard(view.balance, view.unbalanced, view.unbalancedSinceText) : null,
    );
  }

  // ---------- an auditor: signed records, person by person ----------
  async function inspection() {
    loading();
    const { status, body } = await json('/people');
    if (handled(status, body)) return;
    document.title = `Supervision records — ${body.organisationName}`;
    show(
      playgroundBanner(),
      h(
        'div',
        { class: 'page-head' },
        h('div', null, h('h1', null, 'Supervision records'), h('p', { class: 'sub' }, `${body.organisationName} · for inspection`)),
      ),
      h('div', { class: 'banner info', role: 'note' }, h('span', null, 'As an auditor you can open and print every record both parties have signed. Records still being written or confirmed are not shown.')),
      staffCard(body, null, 'Choose a person to see their signed records.'),
    );
  }

  // ---------- a person's history ----------
  function recordState(state, label) {
    const tone = state === 'signed' ? 'ok' : state === 'disputed' ? 'bad' : state === 'awaiting-confirmation' ? 'warn' : 'neutral';
    return h('span', { class: `chip ${tone}` }, label);
  }
  async function person(id) {
    loading();
    const { status, body } = await json(`/people/${encodeURIComponent(id)}`);
    if (handled(status, body, 'person')) return;
    const v = body;
    document.title = `${v.person.name} — supervision history`;
    const lead = state.me?.canSeeDashboard || state.me?.canBrowseHistories;
    show(
      playgroundBanner(),
      lead ? h('a', { class: 'back no-print', href: '#' }, state.me?.canSeeDashboard ? 'Overview' : 'All staff') : null,
      h('div', { class: 'page-head' }, h('div', null, h('h1', null, v.person.name), h('p', { class: 'sub' }, `${v.person.roleText} · ${v.organisationName}`))),
      v.contracts.length
        ? h(
            'div',
            { class: 'grid contracts' },
            v.contracts.map((c) =>
              h(
                'section',
                { class: 'card', 'data-contract': c.id },
                h(
                  'div',
                  { class: 'card-head' },
                  h('h2', null, c.role === 'supervisee' ? `Supervised by ${c.withNames.join(', ') || '—'}` : `Supervises ${c.withNames.join(', ') || '—'}`),
                  c.role === 'supervisee' ? (c.overdue ? h('span', { class: 'chip bad' }, 'Overdue') : h('span', { class: 'chip ok' }, 'Up to date')) : null,
                ),
                h(
                  'dl',
                  { class: 'facts' },
                  h('dt', null, 'Cadence'),
                  h('dd', null, `${c.cadenceText}, ${c.durationMinutes} min${c.kind === 'group' ? ' (group)' : ''}`),
                  h('dt', null, 'Last held'),
                  h('dd', null, c.lastHeldText),
                  h('dt', null, 'Next'),
                  h('dd', null, c.nextText),
                  c.role === 'supervisee' ? [h('dt', null, 'Due by'), h('dd', null, c.overdue ? `Overdue since ${c.overdueFromText}` : `before ${c.overdueFromText}`)] : null,
                  h('dt', null, 'Review due'),
                  h('dd', null, c.reviewDueText, c.reviewOverdue ? [' ', h('span', { class: 'chip warn' }, 'Past due')] : null),
                ),
              ),
            ),
          )
        : h('div', { class: 'card' }, h('p', { class: 'muted' }, 'No supervision contract yet.')),
      v.balance && v.contracts.some((c) => c.role === 'supervisee') ? balanceCard(v.balance, null, v.missingSinceText, v.missing) : null,
      h(
        'div',
        { class: 'grid two' },
        h(
          'div',
          { class: 'stack' },
          h(
            'section',
            { class: 'card', 'aria-labelledby': 'records-heading', id: 'records' },
            h('div', { class: 'card-head' }, h('h2', { id: 'records-heading' }, 'Records'), h('p', null, 'Only the records you may open are listed.')),
            v.records.length
              ? h(
                  'div',
                  { class: 'table-wrap' },
                  h(
                    'table',
                    null,
                    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col', class: 'hide-narrow' }, 'Supervisor'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Open')))),
                    h(
                      'tbody',
                      null,
                      v.records.map((r) =>
                        h(
                          'tr',
                          { 'data-record': r.recordId, 'data-version': String(r.version), class: r.supersededText ? 'superseded' : null },
                          h('td', null, r.dateText, r.version > 1 || r.supersededText ? h('div', { class: 'muted small' }, `version ${r.version}`) : null),
                          h('td', { class: 'hide-narrow' }, r.supervisorName),
                          h('td', null, r.supersededText ? h('span', { class: 'chip neutral superseded' }, r.supersededText) : recordState(r.state, r.stateLabel)),
                          // the version this viewer may open (an auditor: the signed one, even while a correction is drafted)
                          h(
                            'td',
                            { class: 'num' },
                            h('a', { href: `#record/${encodeURIComponent(r.recordId)}/${r.version}` }, 'View'),
                            ' · ',
                            h('a', { href: `/tab/records/${encodeURIComponent(r.recordId)}/print?version=${r.version}` }, 'Print'),
                          ),
                        ),
                      ),
                    ),
                  ),
                )
              : h('p', { class: 'muted' }, 'No records you can open.'),
          ),
          h(
            'section',
            { class: 'card', 'aria-labelledby': 'actions-heading' },
            h('div', { class: 'card-head' }, h('h2', { id: 'actions-heading' }, 'Open actions')),
            v.actions.length
              ? h(
                  'ul',
                  { class: 'small' },
                  v.actions.map((a) => h('li', null, a.text || 'An action from a record you cannot open', ' — due ', a.dueText, a.late ? [' ', h('span', { class: 'chip bad' }, 'Late')] : null)),
                )
              : h('p', { class: 'muted' }, 'No open actions.'),
          ),
        ),
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'sessions-heading', id: 'sessions' },
          h('div', { class: 'card-head' }, h('h2', { id: 'sessions-heading' }, 'Sessions')),
          v.sessions.length
            ? h(
                'div',
                { class: 'table-wrap' },
                h(
                  'table',
                  null,
                  h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, 'With'), h('th', { scope: 'col' }, 'Status'))),
                  h(
                    'tbody',
                    null,
                    v.sessions.slice(0, 20).map((x) =>
                      h(
                        'tr',
                        null,
                        h('td', null, x.dateText),
                        h('td', null, x.withNames.join(', ')),
                        h('td', null, h('span', { class: `chip ${x.status === 'held' ? 'ok' : x.status === 'missed' ? 'bad' : 'neutral'}` }, x.statusLabel)),
                      ),
                    ),
                  ),
                ),
              )
            : h('p', { class: 'muted' }, 'No sessions yet.'),
        ),
      ),
    );
  }

  // ---------- a record, ready to print ----------
  async function record(id, printOnly, version) {
    loading();
    const { status, body } = await json(`/records/${encodeURIComponent(id)}${/^[1-9]\d{0,3}$/.test(version || '') ? `?version=${version}` : ''}`);
    if (handled(status, body, 'record')) return;
    const r = body.record;
    const topics = new Map(r.topicOptions.map((t) => [t.value, t.label]));
    const section = (title, content) => h('section', null, h('h2', null, title), content);
    const none = (text) => h('p', { class: 'none' }, text);
    const superseded = r.supersededByVersion !== undefined && r.supersededByVersion !== null;
    const tone = superseded ? 'neutral' : r.state === 'signed' ? 'ok' : r.state === 'disputed' ? 'bad' : r.state === 'awaiting-confirmation' ? 'warn' : 'neutral';
    document.title = `Supervision record ${r.dateText} — ${r.supervisees.map((p) => p.name).join(', ')}`;
    const sheet = h(
      'article',
      { class: 'sheet', 'aria-labelledby': 'record-title', id: 'record-sheet' },
      h(
        'header',
        { class: 'sheet-head' },
        h('div', null, h('div', { class: 'school' }, body.organisationName), h('h1', { id: 'record-title' }, 'Supervision record')),
        h('span', { class: `chip ${tone}` }, superseded ? `Superseded by version ${r.supersededByVersion}` : r.stateLabel),
      ),
      superseded
        ? h(
            'p',
            { class: 'superseded-note', role: 'note' },
            `Superseded: version ${r.supersededByVersion} corrects this record. This signed version is kept unchanged, as it was signed.`,
          )
        : null,
      r.correction
        ? h('p', { class: 'correction-note', role: 'note' }, `Corrects version ${r.correction.supersedesVersion} — started by ${r.correction.byName} on ${r.correction.atText}: `, r.correction.reason)
        : null,
      h(
        'dl',
        { class: 'sheet-meta' },
        h('div', null, h('dt', null, 'Date of session'), h('dd', null, r.dateText)),
        h('div', null, h('dt', null, 'Version'), h('dd', null, String(r.version))),
        h('div', null, h('dt', null, 'Supervisor'), h('dd', null, r.supervisor.name)),
        h('div', null, h('dt', null, r.supervisees.length > 1 ? 'Supervisees' : 'Supervisee'), h('dd', null, r.supervisees.map((p) => p.name).join(', '))),
      ),
      section('Topics discussed', r.topics.length ? h('ul', null, r.topics.map((t) => h('li', null, topics.get(t) || t))) : none('None recorded.')),
      section('Notes', r.notes ? h('p', { class: 'notes' }, r.notes) : none('No notes.')),
      section(
        'Concerns',
        r.concerns.length ? h('ul', null, r.concerns.map((c) => h('li', null, c.riskOfHarm ? [h('span', { class: 'risk' }, 'Risk of harm: '), c.text] : c.text))) : none('No concerns recorded.'),
      ),
      section(
        'Case decisions',
        r.caseDecisions.length
          ? h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                null,
                h('thead', null, h('tr', null, ['Child', 'Decision', 'Rationale', 'Follow-up', 'On child’s file'].map((t) => h('th', { scope: 'col' }, t)))),
                h(
                  'tbody',
                  null,
                  r.caseDecisions.map((d) =>
                    h('tr', null, h('td', null, d.childRef), h('td', null, d.decision), h('td', null, d.rationale), h('td', null, d.followUpByName), h('td', null, d.copied ? 'Copied' : `Due ${d.copyDueText}`)),
                  ),
                ),
              ),
            )
          : none('No case decisions.'),
      ),
      section(
        'Actions agreed',
        r.actions.length
          ? h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                null,
                h('thead', null, h('tr', null, ['Action', 'By whom', 'Due'].map((t) => h('th', { scope: 'col' }, t)))),
                h('tbody', null, r.actions.map((a) => h('tr', null, h('td', null, a.text), h('td', null, a.ownerName), h('td', { class: 'num' }, dayText(a.dueDate))))),
              ),
            )
          : none('No actions agreed.'),
      ),
      r.previousActions.length ? section('Actions from the previous session', h('ul', null, r.previousActions.map((a) => h('li', null, `${a.text} — ${a.outcomeText || a.outcome}`)))) : null,
      r.nextSessionText ? section('Next session', h('p', null, r.nextSessionText)) : null,
      r.dispute
        ? section(
            'Change requested',
            h('p', null, `${r.dispute.byName} on ${r.dispute.atText}${r.dispute.routedToName ? `, referred to ${r.dispute.routedToName}` : ''}: `, r.dispute.reason),
          )
        : null,
      section(
        'Confirmation',
        h(
          'div',
          { class: 'signatures' },
          r.confirmations.map((c) => h('div', { class: 'signature' }, h('strong', null, c.name), h('span', { class: 'state' }, `Confirmed ${c.atText}`))),
          r.awaiting.map((p) => h('div', { class: 'signature' }, h('strong', null, p.name), h('span', { class: 'state' }, 'Not yet confirmed'))),
        ),
      ),
      h(
        'footer',
        { class: 'sheet-foot' },
        h('p', null, r.signedText ? `${r.signedText}. A signed record does not change; a correction is a new version both sign again.` : 'This record is not yet signed by both parties.'),
        h('p', null, `Confidential safeguarding supervision record, the property of ${body.organisationName}. Opened by ${state.me?.person.name ?? 'an authorised viewer'}.`),
      ),
    );
    show(
      playgroundBanner(),
      h(
        'div',
        { class: 'record-tools' },
        printOnly ? h('a', { class: 'back', href: '/tab' }, 'Overview') : h('button', { class: 'back link-button', type: 'button', onclick: () => history.back() }, 'Back'),
        h('div', { class: 'toolbar' }, h('button', { class: 'button primary', type: 'button', onclick: () => window.print() }, icon(ICONS.print), 'Print')),
      ),
      sheet,
    );
  }

  // ---------- routing ----------
  async function route() {
    navigation++;
    // each page is awaited here, so a failure anywhere in it lands in this catch
    try {
      loading();
      if (!state.teams) state.playground = true;
      const me = await json('/me');
      if (me.status === 401) {
        state.me = null;
        if (me.body.playground) return await picker();
        return signInProblem(me.body.error);
      }
      if (me.status !== 200) return failed();
      state.me = me.body;
      state.playground = Boolean(me.body.playground) && !state.teams;
      renderWho(me.body);
      const print = /^\/tab\/records\/([^/]+)\/print\/?$/.exec(location.pathname);
      if (print) return await record(decodeURIComponent(print[1]), true, new URLSearchParams(location.search).get('version'));
      const hash = location.hash.replace(/^#/, '');
      const [kind, ...rest] = hash.split('/');
      const arg = decodeURIComponent(rest.join('/'));
      if (kind === 'person' && arg) return await person(arg);
      if (kind === 'record' && rest[0]) return await record(decodeURIComponent(rest[0]), false, rest[1]);
      if (!me.body.canSeeDashboard && me.body.canBrowseHistories) return await inspection();
      if (!me.body.canSeeDashboard) return refused();
      return await overview();
    } catch (error) {
      if (error instanceof Superseded) return;
      if (error instanceof SignInError) signInProblem(`Teams did not give a sign-in token (${error.message})`);
      else failed();
    }
  }

  async function start() {
    state.teams = await connectTeams();
    if (!state.teams) {
      // local try-out: `?as=priya` picks the demo person (the server accepts it only on a loopback address)
      const params = new URLSearchParams(location.search);
      const as = params.get('as');
      if (as && /^[A-Za-z0-9._-]{1,100}$/.test(as)) {
        setPerson(as);
        params.delete('as');
        const query = params.toString();
        history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`);
      }
      if (!getCookie(COOKIE)) state.playground = true;
    }
    window.addEventListener('hashchange', () => void route());
    // a printed overview carries the figures as a table too
    window.addEventListener('beforeprint', () => {
      for (const d of document.querySelectorAll('details.table-toggle')) {
        d.dataset.wasOpen = String(d.open);
        d.open = true;
      }
    });
    window.addEventListener('afterprint', () => {
      for (const d of document.querySelectorAll('details.table-toggle')) d.open = d.dataset.wasOpen === 'true';
    });
    await route();
  }

  void start();
})();
