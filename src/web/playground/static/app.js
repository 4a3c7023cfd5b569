// The playground page: choose who you are, read your chat with the bot, reply, act on its cards (drawn by the
// Adaptive Cards renderer, as Teams draws them) and move the try-out clock. Plain script, no build step.
(() => {
  const $ = (id) => document.getElementById(id);
  // `tick` orders what the page learns: a poll that was asked before a card's answer arrived is older than that
  // answer, and must not draw the old card back over the one the person is filling in.
  const state = { person: null, people: [], entries: new Map(), polling: null, busy: false, tick: 0, applied: 0 };

  const hostConfig = new AdaptiveCards.HostConfig({
    fontFamily: '"Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif',
    spacing: { small: 4, default: 10, medium: 16, large: 20, extraLarge: 28, padding: 16 },
    separator: { lineThickness: 1, lineColor: '#E1E6EC' },
    fontSizes: { small: 13, default: 15, medium: 17, large: 20, extraLarge: 24 },
    fontWeights: { lighter: 300, default: 400, bolder: 600 },
    containerStyles: {
      default: {
        backgroundColor: '#FFFFFF',
        foregroundColors: {
          default: { default: '#1F2A37', subtle: '#5B6675' },
          accent: { default: '#1D5C96', subtle: '#2F6FA8' },
          good: { default: '#1B6E45', subtle: '#2C7D55' },
          warning: { default: '#8A4B0F', subtle: '#9A5A1E' },
          attention: { default: '#A8261B', subtle: '#B3392E' },
        },
      },
      emphasis: {
        backgroundColor: '#F3F6F9',
        foregroundColors: { default: { default: '#1F2A37', subtle: '#5B6675' } },
      },
    },
    actions: { maxActions: 5, spacing: 'default', buttonSpacing: 8, showCard: { actionMode: 'inline', inlineTopMargin: 12 }, actionsOrientation: 'horizontal', actionAlignment: 'left' },
    inputs: { label: { inputSpacing: 'small', requiredInputs: { weight: 'bolder', suffix: ' *' }, optionalInputs: { weight: 'bolder' } }, errorMessage: { size: 'small', color: 'attention' } },
    factSet: { title: { weight: 'bolder', color: 'default', size: 'default', wrap: true, maxWidth: 240 }, value: { wrap: true }, spacing: 8 },
  });

  // The templates' own words use bold, italic and line breaks; escape first, so card text is never taken as HTML.
  // No link is ever drawn from markdown: what a person typed reaches the card as TextRuns (never markdown), and
  // the templates write no links.
  const escapeHtml = (t) => t.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const LOCK = '<svg class="lock" viewBox="0 0 16 16" width="14" height="14" role="img" aria-label="Locked"><path fill="currentColor" d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2h.5A1 1 0 0 1 13 8v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h.5zm1.5 0h4V5a2 2 0 1 0-4 0v2z"/></svg> ';
  AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
    result.outputHtml = escapeHtml(text)
      .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[\s(])_(.+?)_(?=[\s).,;:!?]|$)/g, '$1<em>$2</em>')
      .replace(/\n/g, '<br>')
      // drawn rather than left to an emoji font, which many school laptops lack
      .replace(/🔒\s?/g, LOCK);
    result.didProcess = true;
  };

  // ---- the API ----------------------------------------------------------------------------------------------
  async function api(path, options = {}) {
    const headers = { accept: 'application/json', ...(options.body ? { 'content-type': 'application/json' } : {}) };
    if (state.person) headers['x-playground-person'] = state.person.id;
    const res = await fetch(`api/${path}`, { ...options, headers, body: options.body ? JSON.stringify(options.body) : undefined });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      const error = new Error(body?.error?.message || `The bot answered ${res.status}`);
      error.status = res.status;
      throw error;
    }
    return body;
  }

  // ---- who you are --------------------------------------------------------------------------------------------
  const GROUPS = [
    ['Safeguarding leads and governors', (p) => p.roles.some((r) => ['DSL', 'Deputy DSL', 'Headteacher', 'Safeguarding governor', 'Auditor'].includes(r))],
    ['Supervisors', (p) => p.roles.includes('Supervisor')],
    ['Staff (supervisees)', () => true],
  ];

  async function loadPeople() {
    const { people, schools } = await api('people');
    state.people = people;
    if (schools && schools.length) $('school-name').textContent = `${schools.join(', ')} · try-out`;
    const select = $('person');
    select.innerHTML = '';
    const placeholder = new Option('Choose a person…', '');
    placeholder.disabled = true;
    select.add(placeholder);
    const placed = new Set();
    for (const [label, test] of GROUPS) {
      const group = document.createElement('optgroup');
      group.label = label;
      for (const p of people) {
        if (placed.has(p.id) || !test(p)) continue;
        placed.add(p.id);
        group.appendChild(new Option(`${p.name} — ${p.title}`, p.id));
      }
      if (group.children.length) select.appendChild(group);
    }
    const wanted = new URLSearchParams(location.search).get('as') || localStorage.getItem('playground.person');
    const chosen = people.find((p) => p.id === wanted);
    select.value = chosen ? chosen.id : '';
    if (chosen) choose(chosen);
    else if (people.length === 0) showEmpty('Nobody is here yet: open the setup link the bot printed when it started, then import the school’s staff in the dashboard’s set-up.');
    else showEmpty('Choose who you are (top right) to see their chat with the bot.');
  }

  function choose(person) {
    state.person = person;
    localStorage.setItem('playground.person', person.id);
    $('chat-who').textContent = `${person.name} · ${person.title}`;
    state.entries.clear();
    $('transcript').innerHTML = '';
    $('clock-status').textContent = '';
    refresh();
    refreshClock();
  }

  $('person').addEventListener('change', (e) => {
    const person = state.people.find((p) => p.id === e.target.value);
    if (person) choose(person);
  });

  // ---- the chat -----------------------------------------------------------------------------------------------
  function showEmpty(text) {
    const t = $('transcript');
    if (t.querySelector('.entry')) return;
    t.innerHTML = '';
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = text;
    t.appendChild(p);
  }

  function cardElement(entry) {
    const card = new AdaptiveCards.AdaptiveCard();
    card.hostConfig = hostConfig;
    card.onExecuteAction = (action) => onAction(entry.id, action);
    card.parse(entry.card);
    const el = card.render();
    el.classList.add('card');
    return el;
  }

  function entryElement(entry) {
    const wrap = document.createElement('article');
    wrap.className = `entry from-${entry.from}`;
    wrap.dataset.id = entry.id;
    if (entry.kind) wrap.dataset.kind = entry.kind;
    const meta = document.createElement('p');
    meta.className = 'meta';
    meta.textContent = `${entry.from === 'person' ? 'You' : 'Supervision Bot'} · ${entry.atText}`;
    wrap.appendChild(meta);
    if (entry.card) {
      const holder = document.createElement('div');
      holder.className = 'bubble card-holder';
      holder.appendChild(cardElement(entry));
      wrap.appendChild(holder);
    } else {
      const bubble = document.createElement('div');
      bubble.className = `bubble text${entry.kind === 'error' || entry.kind === 'refusal' ? ' notice' : ''}`;
      bubble.textContent = entry.text ?? entry.message ?? '';
      wrap.appendChild(bubble);
    }
    const status = document.createElement('p');
    status.className = 'status error';
    status.setAttribute('role', 'alert');
    wrap.appendChild(status);
    return wrap;
  }

  const signature = (entry) => JSON.stringify([entry.card, entry.message, entry.text]);

  function upsertEntry(entry, { scroll = true } = {}) {
    const t = $('transcript');
    t.querySelector('.empty')?.remove();
    const known = state.entries.get(entry.id);
    const sig = signature(entry);
    if (known && known.sig === sig) return false;
    const el = entryElement(entry);
    if (known?.el?.isConnected) {
      // keep focus where it was when a card the person is reading is redrawn
      const hadFocus = known.el.contains(document.activeElement);
      known.el.replaceWith(el);
      if (hadFocus) el.querySelector('button, input, textarea, select')?.focus();
    } else {
      t.appendChild(el);
      if (scroll) el.scrollIntoView({ block: 'end', behavior: 'instant' });
    }
    state.entries.set(entry.id, { sig, el });
    return true;
  }

  async function refresh() {
    if (!state.person) return;
    const asked = state.person.id;
    const mine = ++state.tick;
    try {
      const { entries } = await api('inbox');
      if (state.person?.id !== asked || state.applied > mine) return;
      state.applied = mine;
      if (entries.length === 0) showEmpty(`No messages yet for ${state.person.name}. Move the clock forward to the next reminder, or say “help”.`);
      let changed = false;
      for (const e of entries) changed = upsertEntry(e) || changed;
      // a new message may come from someone else moving the shared clock: show the time it now is
      if (changed) refreshClock();
    } catch (error) {
      $('composer-status').textContent = error.message;
    }
  }

  async function onAction(entryId, action) {
    const el = state.entries.get(entryId)?.el;
    const status = el?.querySelector('.status');
    if (status) status.textContent = '';
    let verb;
    let data = {};
    if (action instanceof AdaptiveCards.ExecuteAction) {
      verb = action.verb;
      data = { ...(action.data || {}) };
    } else if (action instanceof AdaptiveCards.SubmitAction) {
      ({ verb, ...data } = action.data || {});
    } else if (action instanceof AdaptiveCards.OpenUrlAction) {
      // "Add to calendar": the invite opens (downloads) as a link would
      if (/^https?:\/\//.test(action.url || '')) window.open(action.url, '_blank', 'noopener');
      return;
    } else return;
    const buttons = el ? [...el.querySelectorAll('button')] : [];
    for (const b of buttons) b.disabled = true;
    el?.setAttribute('aria-busy', 'true');
    try {
      const { entry } = await api('actions', { method: 'POST', body: { entryId, verb, data } });
      state.applied = ++state.tick;
      if (entry) upsertEntry(entry);
    } catch (error) {
      if (status) status.textContent = error.message;
      for (const b of buttons) b.disabled = false;
    } finally {
      el?.removeAttribute('aria-busy');
    }
  }

  async function say(text) {
    if (!state.person) {
      $('composer-status').textContent = 'Choose who you are first.';
      $('person').focus();
      return;
    }
    $('composer-status').textContent = '';
    const box = $('composer-text');
    box.disabled = true;
    try {
      await api('messages', { method: 'POST', body: { text } });
      box.value = '';
      await refresh();
    } catch (error) {
      $('composer-status').textContent = error.message;
    } finally {
      box.disabled = false;
      box.focus();
    }
  }

  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('composer-text').value.trim();
    if (text) say(text);
    else $('composer-status').textContent = 'Type a message first.';
  });
  $('composer-text').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $('composer').requestSubmit();
    }
  });
  for (const chip of document.querySelectorAll('[data-say]')) chip.addEventListener('click', () => say(chip.dataset.say));

  // ---- the clock ----------------------------------------------------------------------------------------------
  function showClock(c) {
    const now = $('clock-now');
    now.textContent = c.nowText;
    now.dateTime = c.now;
    $('clock-next').textContent = c.next ? `Next reminder: ${c.next.label}, ${c.next.atText}` : 'No reminders waiting.';
  }

  async function refreshClock() {
    if (!state.person) return;
    try {
      const c = await api('clock');
      // a message about an earlier move of the clock is out of date once the clock shows another time (to the
      // minute: the clock keeps ticking between moves, so its instant differs at every look)
      if ($('clock-now').textContent && $('clock-now').textContent !== c.nowText) $('clock-status').textContent = '';
      showClock(c);
    } catch {}
  }

  async function advance(body) {
    if (!state.person) {
      $('clock-status').textContent = 'Choose who you are first.';
      return;
    }
    const status = $('clock-status');
    status.textContent = 'Moving the clock…';
    try {
      const c = await api('clock', { method: 'POST', body });
      showClock(c);
      status.textContent = `It is now ${c.nowText}. ${c.fired === 0 ? 'No reminders were due.' : c.fired === 1 ? '1 reminder fired.' : `${c.fired} reminders fired.`}`;
      await refresh();
    } catch (error) {
      status.textContent = error.message;
    }
  }

  $('advance-next').addEventListener('click', () => advance({ advance: 'next-reminder' }));
  $('advance-days-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const days = Number($('advance-days').value);
    advance({ advance: 'days', days });
  });

  // ---- start ----------------------------------------------------------------------------------------------------
  loadPeople().catch((error) => showEmpty(`The playground could not load: ${error.message}`));
  setInterval(refresh, 1500);
  setInterval(refreshClock, 5000);
})();
