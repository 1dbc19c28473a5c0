// Search UI: results as you type on the search page; live results under the header box on
// other pages (this file is loaded there on the box's first focus). The index logic is in
// search-core.mjs, imported by URL because theme files are published under hashed names.
// Page data is only ever inserted with textContent: titles and bodies are never markup.

const page = document.getElementById('search');
const headerForm = document.querySelector('form.site-search');
if (page) initPage(page);
else if (headerForm) initHeader(headerForm);

function core(el) {
  return import(el.dataset.core || new URL('search-core.mjs', import.meta.url).href);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c); // strings become text nodes
  return node;
}

/** Text with [start, end) ranges wrapped in <mark>. */
function marked(tag, text, ranges, attrs) {
  const node = el(tag, attrs);
  let pos = 0;
  for (const [a, b] of ranges) {
    if (a < pos) continue;
    node.append(text.slice(pos, a), el('mark', {}, text.slice(a, b)));
    pos = b;
  }
  node.append(text.slice(pos));
  return node;
}

function countText(strings, n) {
  if (!n) return strings.none || '0';
  if (n === 1 && strings.count_one) return strings.count_one;
  return (strings.count || '{count}').replace('{count}', n.toLocaleString());
}

function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

/** Arrow keys move between the links of ``list``; Escape goes back to ``input``. */
function arrowKeys(input, list) {
  const links = () => [...list.querySelectorAll('a')];
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && links().length) { e.preventDefault(); links()[0].focus(); }
  });
  list.addEventListener('keydown', (e) => {
    const all = links(), i = all.indexOf(document.activeElement);
    if (i < 0) return;
    if (e.key === 'ArrowDown' && i + 1 < all.length) { e.preventDefault(); all[i + 1].focus(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); (i ? all[i - 1] : input).focus(); }
    else if (e.key === 'Escape') { e.preventDefault(); input.focus(); }
  });
}

function resultItem(r, mod) {
  const li = el('li', { class: 'search-result', lang: r.lang });
  li.append(el('a', { href: r.url }, marked('span', r.title, r.titleRanges, { class: 'search-title' })));
  const meta = el('p', { class: 'search-meta' });
  // standalone pages (About, Contact) have no date
  if (r.date) meta.append(el('time', { datetime: r.date }, mod.formatDate(r.date, document.documentElement.lang)));
  for (const tag of r.tags) meta.append(' ', el('span', { class: 'search-tag' }, tag));
  if (meta.childNodes.length) li.append(meta);
  if (r.heading) li.append(el('p', { class: 'search-section' }, r.heading));
  if (r.parts.length) {
    const p = el('p', { class: 'search-snippet' });
    for (const [text, hit] of r.parts) p.append(hit ? el('mark', {}, text) : text);
    li.append(p);
  }
  return li;
}

async function initPage(root) {
  const strings = JSON.parse(root.dataset.strings || '{}');
  const form = root.querySelector('form');
  const input = form.elements.q;
  const status = root.querySelector('#search-status');
  const list = root.querySelector('#search-results');
  const more = root.querySelector('#search-more');
  const choices = root.querySelector('#search-choices');
  const selects = [...form.querySelectorAll('select')];
  const params = new URLSearchParams(location.search);
  input.value = params.get('q') || '';
  for (const s of selects) {
    const v = params.get(s.name);
    if (v) { s.append(el('option', { value: v }, v)); s.value = v; }
  }
  arrowKeys(input, list);

  let mod, searcher;
  try {
    mod = await core(root);
    searcher = new mod.Searcher(root.dataset.index);
  } catch {
    status.textContent = strings.error || 'Search is not available.';
    return;
  }

  let facetsP = null;
  const facets = () => (facetsP ??= searcher.json('facets').then((f) => {
    for (const s of selects) {
      const chosen = s.value;
      s.replaceChildren(el('option', { value: '' }, strings.any || '—'));
      for (const [value, n] of f[s.name] || []) s.append(el('option', { value: String(value) }, `${value} (${n})`));
      s.value = chosen;
    }
  }).catch(() => {}));
  const details = form.querySelector('details');
  if (selects.some((s) => s.value)) { details.open = true; facets(); }
  details.addEventListener('toggle', () => details.open && facets());

  let seq = 0, found = null, next = 0, dropped = 0, picks = {}, lastQuery = null;

  function renderChoices() {
    choices.replaceChildren();
    found.parts.forEach((part, i) => {
      const alternatives = part.choices.length > 1 || (part.mode === 'pinyin' && part.english);
      if (!alternatives) return;
      const group = el('p', { class: 'search-choice-group' }, el('span', {}, strings.choices || ''));
      const chip = (label, value, pressed) => {
        const b = el('button', { type: 'button', class: 'search-chip', 'aria-pressed': String(pressed) }, label);
        b.addEventListener('click', () => { picks = { ...picks, [i]: value }; run(); });
        group.append(' ', b);
      };
      for (const c of part.choices) chip(c, c, part.mode === 'pinyin' && c === part.text);
      if (part.english) chip(`${strings.english || 'English'}: ${lastQuery.trim()}`, '', part.mode === 'words');
      choices.append(group);
    });
    choices.hidden = !choices.childElementCount;
  }

  /** The next page of results; ``fresh`` replaces the list, so old results stay until new ones are ready. */
  async function showMore(token, fresh = false) {
    const page = await searcher.results(found, next, 10);
    if (token !== seq) return;
    next = page.next;
    // Hits without a quoted phrase are only known once read: the count shrinks as they are.
    dropped = (fresh ? 0 : dropped) + page.dropped;
    const items = page.items.map((r) => resultItem(r, mod));
    if (fresh) list.replaceChildren(...items);
    else list.append(...items);
    more.hidden = next >= found.hits.length;
    status.textContent = countText(strings, found.hits.length - dropped);
  }

  async function run() {
    const token = ++seq;
    const q = input.value;
    if (q !== lastQuery) picks = {};
    lastQuery = q;
    const filters = selects.filter((s) => s.value).map((s) => ({ kind: s.name, value: s.value }));
    const url = new URL(location.href);
    url.search = '';
    if (q.trim()) url.searchParams.set('q', q);
    for (const f of filters) url.searchParams.set(f.kind, f.value);
    history.replaceState(null, '', url);
    try {
      const result = await searcher.search(q, { filters, picks });
      if (token !== seq) return;
      found = result;
      next = 0;
      renderChoices();
      if (result.empty) {
        // Nothing searchable typed (only punctuation, emoji, a bare tag:): a calm "no results".
        list.replaceChildren();
        status.textContent = q.trim() ? countText(strings, 0) : '';
        more.hidden = true;
        return;
      }
      await showMore(token, true);
    } catch {
      if (token === seq) status.textContent = strings.error || 'Search is not available.';
    }
  }

  input.addEventListener('input', debounce(run, 120));
  form.addEventListener('submit', (e) => { e.preventDefault(); run(); });
  for (const s of selects) s.addEventListener('change', run);
  more.addEventListener('click', () => {
    const first = list.children.length;
    showMore(seq).then(() => list.children[first]?.querySelector('a')?.focus());
  });
  if (input.value.trim() || selects.some((s) => s.value)) run();
}

/** Header box on other pages: the first results in a panel under it; Enter still submits. */
async function initHeader(form) {
  const input = form.elements.q;
  let mod;
  try { mod = await core(form); } catch { return; } // the form still submits to /search/
  const strings = JSON.parse(form.dataset.strings || '{}');
  const searcher = new mod.Searcher(form.dataset.index || new URL('entry.json', form.action).href);
  const status = el('p', { class: 'search-popup-status', role: 'status', 'aria-live': 'polite' });
  const list = el('ul', { class: 'search-popup-list' });
  const panel = el('div', { class: 'search-popup', hidden: '' }, status, list);
  // Positioned through the CSSOM (allowed under a strict CSP) so that the panel works
  // without theme CSS; site.css may restyle .search-popup.
  form.style.position = 'relative';
  Object.assign(panel.style, {
    position: 'absolute', top: '100%', right: '0', zIndex: '20', width: 'min(30rem, 92vw)',
    maxHeight: '70vh', overflow: 'auto', background: 'var(--bg, Canvas)', color: 'var(--fg, CanvasText)',
    border: '1px solid var(--line, GrayText)', padding: '.5rem .75rem', textAlign: 'start',
  });
  form.append(panel);
  arrowKeys(input, list);
  let seq = 0;
  const close = () => { panel.hidden = true; };
  const run = debounce(async () => {
    const token = ++seq, q = input.value;
    if (!q.trim()) { close(); return; }
    try {
      const found = await searcher.search(q);
      const page = await searcher.results(found, 0, 5);
      if (token !== seq) return;
      status.textContent = countText(strings, found.hits.length - page.dropped);
      list.replaceChildren(...page.items.map((r) => el('li', {}, el('a', { href: r.url }, r.title))));
      if (found.hits.length > page.items.length) {
        const all = new URL(form.action, location.href);
        all.searchParams.set('q', q);
        list.append(el('li', {}, el('a', { href: all.href }, strings.all || '…')));
      }
      panel.hidden = false;
    } catch { close(); }
  }, 150);
  input.addEventListener('input', run);
  form.addEventListener('keydown', (e) => { if (e.key === 'Escape') { close(); input.focus(); } });
  document.addEventListener('click', (e) => { if (!form.contains(e.target)) close(); });
  if (input.value) run();
}
