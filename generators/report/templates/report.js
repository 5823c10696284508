// dl-lab report, in-page behaviour: group, filter and sort the runs table, show a run's details
// when it is opened, and compare two runs.
// Plain browser JavaScript with no dependencies; it reads only the JSON embedded in the page.
(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('dl-lab-data').textContent);
  // Each distinct metric definition is stored once; runs refer to it by index.
  for (const run of data.runs) {
    for (const key of Object.keys(run.definitions)) run.definitions[key] = data.definitions[run.definitions[key]];
  }
  const runs = new Map(data.runs.map((run) => [run.tag, run]));

  /** A DOM element with attributes and children (text is always set as text, never parsed as HTML). */
  const el = (tag, attributes = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  };

  /** Integers whole, other numbers to 6 significant digits (as the command line prints them). */
  const formatNumber = (value, signed = false) => {
    if (value === null || value === undefined) return '—';
    const text = Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
    return signed && value > 0 ? `+${text}` : text;
  };

  // ---- the runs table: groups (fold with ▾), sorting (click a header; again to reverse), filtering.
  // Empty cells sort last; ties keep tag order. Sorting orders runs within their group and groups by
  // their first run; "group: none" sorts every run together.
  const table = document.getElementById('runs-table');
  if (table) {
    const body = table.tBodies[0];
    const headers = [...table.tHead.rows[0].cells];
    const runRows = [...body.querySelectorAll('tr.run')];
    const groupRows = new Map([...body.querySelectorAll('tr.group')].map((row) => [row.dataset.group, row]));
    const folded = new Set();
    const groupSizes = new Map();
    for (const row of runRows) groupSizes.set(row.dataset.group, (groupSizes.get(row.dataset.group) ?? 0) + 1);
    const groupBy = document.getElementById('group-by');
    const filterBox = document.getElementById('filter');
    const filterCount = document.getElementById('filter-count');
    const filterError = document.getElementById('filter-error');
    let order = runRows;

    const arrange = () => {
      const grouped = groupBy.value === 'group';
      const children = [];
      if (grouped) {
        const members = new Map();
        for (const row of order) {
          const list = members.get(row.dataset.group) ?? [];
          list.push(row);
          members.set(row.dataset.group, list);
        }
        for (const [name, rows] of members) {
          const header = groupRows.get(name);
          if (header) children.push(header);
          children.push(...rows);
        }
      } else children.push(...order);
      body.replaceChildren(...children);
      applyFilter();
    };

    const sortBy = (index) => {
      const header = headers[index];
      const ascending = header.getAttribute('aria-sort') !== 'ascending';
      for (const other of headers) other.removeAttribute('aria-sort');
      header.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      const numeric = header.dataset.type === 'number';
      const key = (row) => row.cells[index].dataset.sort ?? '';
      order = [...runRows].sort((a, b) => {
        const x = key(a);
        const y = key(b);
        if (x === '' || y === '') return x === y ? a.dataset.tag.localeCompare(b.dataset.tag) : x === '' ? 1 : -1;
        const byValue = numeric ? Number(x) - Number(y) : x.localeCompare(y, 'en', { numeric: true });
        return (ascending ? byValue : -byValue) || a.dataset.tag.localeCompare(b.dataset.tag, 'en', { numeric: true });
      });
      arrange();
    };
    headers.forEach((header, index) => header.querySelector('button').addEventListener('click', () => sortBy(index)));
    groupBy.addEventListener('change', arrange);

    // The filter: words match a run's tag or group (any case); FIELD OP VALUE terms work as in
    // `dl-lab runs --where` (= != > >= < <= ~ !~ over tag, status, group, experiment, variant, seed,
    // created, primary, hp.<key>, metrics.<key>, results.<key> or a bare metric/result key).
    const field = (run, name) => {
      const builtin = {
        tag: run.tag, status: run.status, group: run.group, created: run.created_at, primary: run.primary_value,
        primary_metric: run.primary_metric, commit: run.commit, dirty: run.dirty, demo: run.demo,
        experiment: run.experiment?.name, variant: run.experiment?.variant, seed: run.experiment?.seed ?? run.hyperparameters.seed,
        verify: run.verify.ok ? 'ok' : 'failed', kind: run.record ? 'experiment' : 'run',
      };
      if (name in builtin) return builtin[name] ?? undefined;
      if (name.startsWith('hp.')) return run.hyperparameters[name.slice(3)];
      if (name.startsWith('metrics.')) return run.metrics[name.slice(8)];
      if (name.startsWith('results.')) return run.results[name.slice(8)];
      return run.metrics[name] ?? run.results[name];
    };
    const asNumber = (text) => (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : undefined);
    const asText = (value) => (typeof value === 'string' ? value : JSON.stringify(value));
    const term = (text) => {
      const match = /^([^\s<>=!~]+)(>=|<=|!=|!~|==?|>|<|~)(.+)$/.exec(text);
      if (!match) {
        const word = text.toLowerCase();
        return (run) => run.tag.toLowerCase().includes(word) || run.group.toLowerCase().includes(word);
      }
      const [, name, op, wanted] = match;
      // As `dl-lab runs --where` refuses it: `test_accuracy=>0.9` is not `=` with the text ">0.9".
      if ((op === '=' || op === '==' || op === '!=') && /^[<>=!~]/.test(wanted)) {
        throw new Error(`${text}: ${op}${/^[<>=!~]+/.exec(wanted)[0]} is not an operator: OP is one of >= <= != !~ = > < ~`);
      }
      const number = asNumber(wanted);
      const get = (run) => field(run, name);
      if (op === '~' || op === '!~') {
        const pattern = new RegExp(wanted);
        return (run) => { const v = get(run); return v !== undefined && v !== null && pattern.test(asText(v)) === (op === '~'); };
      }
      const equal = (v) => (typeof v === 'number' && number !== undefined ? v === number : asText(v) === wanted);
      if (op === '=' || op === '==') return (run) => { const v = get(run); return v !== undefined && v !== null && equal(v); };
      if (op === '!=') return (run) => { const v = get(run); return v !== undefined && v !== null && !equal(v); };
      const holds = (o) => (op === '>=' ? o >= 0 : op === '<=' ? o <= 0 : op === '>' ? o > 0 : o < 0);
      return (run) => {
        const v = get(run);
        if (number !== undefined) return typeof v === 'number' && holds(v - number);
        return typeof v === 'string' && holds(v < wanted ? -1 : v > wanted ? 1 : 0);
      };
    };
    let matches = () => true;
    const applyFilter = () => {
      const grouped = groupBy.value === 'group';
      const shown = new Map();
      let count = 0;
      for (const row of runRows) {
        const hit = matches(runs.get(row.dataset.tag));
        if (hit) {
          count++;
          shown.set(row.dataset.group, (shown.get(row.dataset.group) ?? 0) + 1);
        }
        row.hidden = !hit || (grouped && folded.has(row.dataset.group));
      }
      for (const [name, header] of groupRows) {
        header.hidden = !grouped || !shown.get(name);
        const total = groupSizes.get(name);
        const counter = header.querySelector('.count');
        if (counter) counter.textContent = shown.get(name) === total ? `${total} runs` : `${shown.get(name) ?? 0} of ${total} runs`;
      }
      filterCount.textContent = count === runRows.length ? `${count} runs` : `${count} of ${runRows.length} runs`;
    };
    const setFilter = (text) => {
      try {
        const terms = text.trim().split(/\s+/).filter(Boolean).map(term);
        matches = (run) => terms.every((test) => test(run));
        filterError.textContent = '';
      } catch (error) {
        filterError.textContent = `filter: ${error.message}`;
        return;
      }
      applyFilter();
    };
    let pending;
    filterBox.addEventListener('input', () => {
      clearTimeout(pending);
      pending = setTimeout(() => setFilter(filterBox.value), runRows.length > 2000 ? 150 : 0);
    });
    body.addEventListener('click', (event) => {
      const toggle = event.target.closest('button.toggle');
      if (toggle) {
        const name = toggle.closest('tr').dataset.group;
        if (folded.has(name)) folded.delete(name);
        else folded.add(name);
        toggle.setAttribute('aria-expanded', String(!folded.has(name)));
        toggle.textContent = folded.has(name) ? '▸' : '▾';
        applyFilter();
      }
      const variant = event.target.closest('button.variant');
      if (variant) {
        filterBox.value = variant.dataset.filter;
        setFilter(filterBox.value);
      }
    });
    if (filterBox.value) setFilter(filterBox.value);
  }

  // ---- run details, drawn from the embedded data when a run is opened (#run-<tag>).
  const details = document.getElementById('run-details');
  const dateText = (iso) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '—');
  const direction = (run, key) => {
    const definition = run.definitions[key];
    if (!definition) return '';
    return definition.higher_is_better === null ? '—' : definition.higher_is_better ? '↑' : '↓'; // null: no better direction
  };
  const badge = (ok, text) => el('span', { class: `badge ${ok ? 'ok' : 'fail'}` }, text);
  const verifyBadge = (run) => badge(run.verify.ok, run.verify.ok ? 'verify ok' : `verify FAILED (${run.verify.problems.length})`);

  const valuesTable = (run, title, values) => {
    const keys = Object.keys(values);
    if (keys.length === 0) return '';
    const head = el('tr', {}, el('th', {}, 'key'), el('th', { class: 'num' }, 'value'), el('th', {}, 'unit'), el('th', {}, 'better'), el('th', {}, 'definition'));
    const rows = keys.map((key) => el('tr', key === run.primary_metric ? { class: 'primary' } : {},
      el('td', {}, el('code', {}, key)), el('td', { class: 'num', title: String(values[key]) }, formatNumber(values[key])),
      el('td', {}, run.definitions[key]?.unit ?? ''), el('td', {}, direction(run, key)), el('td', { class: 'definition' }, run.definitions[key]?.definition ?? '')));
    return el('table', { class: 'numbers' }, el('caption', {}, title), el('thead', {}, head), el('tbody', {}, ...rows));
  };

  // Curves: the panels and series the server laid out (the run's own figure files have the full
  // figure); drawn here as plain SVG polylines, one panel per metric family.
  const SVG = 'http://www.w3.org/2000/svg';
  const COLOURS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#57606a'];
  const svg = (tag, attributes = {}, ...children) => {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  };
  const curvePanel = (curves, panel) => {
    const W = 360, H = 220, L = 52, R = 10, T = 24, B = 30;
    const values = panel.series.flatMap((series) => series.values.filter((v) => v !== null));
    const epochs = curves.epochs;
    let [lo, hi] = [Math.min(...values), Math.max(...values)];
    if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
    const [e0, e1] = [epochs[0], epochs[epochs.length - 1] === epochs[0] ? epochs[0] + 1 : epochs[epochs.length - 1]];
    const x = (e) => L + ((e - e0) / (e1 - e0)) * (W - L - R);
    const y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
    const node = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': panel.title },
      svg('text', { x: L, y: 15, 'font-size': 13, 'font-weight': 600 }, panel.title),
      svg('rect', { x: L, y: T, width: W - L - R, height: H - T - B, fill: 'none', stroke: '#d9dee3' }),
      svg('text', { x: L - 4, y: T + 9, 'font-size': 10, 'text-anchor': 'end' }, formatNumber(hi)),
      svg('text', { x: L - 4, y: H - B, 'font-size': 10, 'text-anchor': 'end' }, formatNumber(lo)),
      svg('text', { x: L, y: H - B + 13, 'font-size': 10 }, String(e0)),
      svg('text', { x: W - R, y: H - B + 13, 'font-size': 10, 'text-anchor': 'end' }, String(epochs[epochs.length - 1])),
      svg('text', { x: (L + W - R) / 2, y: H - 4, 'font-size': 10, 'text-anchor': 'middle' }, 'epoch'));
    if (curves.mark !== null && curves.mark >= e0 && curves.mark <= e1) {
      node.append(svg('line', { x1: x(curves.mark), x2: x(curves.mark), y1: T, y2: H - B, stroke: '#57606a', 'stroke-dasharray': '4 3' }, svg('title', {}, `best epoch (${curves.mark})`)));
    }
    panel.series.forEach((series, i) => {
      // A gap (null) breaks the line.
      let path = '';
      let pen = 'M';
      series.values.forEach((v, j) => {
        if (v === null) { pen = 'M'; return; }
        path += `${pen}${x(epochs[j]).toFixed(1)},${y(v).toFixed(1)}`;
        pen = 'L';
      });
      node.append(svg('path', { d: path, fill: 'none', stroke: COLOURS[i % COLOURS.length], 'stroke-width': 1.6 }, svg('title', {}, series.label)));
      node.append(svg('text', { x: W - R - 4, y: T + 12 + 12 * i, 'font-size': 10, 'text-anchor': 'end', fill: COLOURS[i % COLOURS.length] }, series.label));
    });
    return node;
  };
  const curvesFigure = (run) => {
    if (!run.curves) return el('p', { class: 'empty' }, 'No history recorded: no curves.');
    const caption = `Training history (${run.curves.epochs.length} epochs)${run.curves.mark ? `, best epoch ${run.curves.mark}` : ''}`;
    return el('figure', { class: 'curves' }, el('div', { class: 'panels' }, ...run.curves.panels.map((panel) => curvePanel(run.curves, panel))), el('figcaption', {}, caption));
  };

  const experimentSection = (record) => {
    const rows = record.variants.map((variant) => el('tr', {},
      el('td', {}, el('code', {}, variant.name)),
      el('td', { class: 'num' }, variant.n === null ? '—' : String(variant.n)),
      el('td', { class: 'num' }, formatNumber(variant.mean)),
      el('td', { class: 'num' }, variant.ci95 ? `[${formatNumber(variant.ci95[0])}, ${formatNumber(variant.ci95[1])}]` : '—'),
      el('td', {}, ...variant.members.flatMap((tag, i) => [i ? ', ' : '', el('a', { href: `#run-${tag}` }, tag)]))));
    const head = el('tr', {}, el('th', {}, 'variant'), el('th', { class: 'num' }, 'n'), el('th', { class: 'num' }, 'mean'), el('th', { class: 'num' }, '95 % CI'), el('th', {}, 'members'));
    return el('table', { class: 'numbers experiment' }, el('caption', {}, `experiment ${record.name} (record version ${record.version}): ${record.primary_metric ?? 'primary metric'} per variant`), el('thead', {}, head), el('tbody', {}, ...rows));
  };

  const runArticle = (run) => {
    const article = el('article', { class: 'run', id: `run-${run.tag}` });
    const title = el('h3', {}, `${run.tag} `, verifyBadge(run));
    if (run.demo) title.append(' ', el('span', { class: 'badge demo' }, 'demo'));
    if (run.status !== 'completed') title.append(' ', badge(false, run.status));
    article.append(title);
    if (run.note) article.append(el('p', { class: 'note' }, run.note));
    if (run.status_reason) article.append(el('p', { class: 'fail' }, `${run.status}: ${run.status_reason}`));
    if (!run.verify.ok) article.append(el('ul', { class: 'problems' }, ...run.verify.problems.map((p) => el('li', {}, p))));
    if (!run.readable) {
      article.append(el('p', {}, 'This run\u2019s files cannot be read (', el('code', {}, run.run_dir), ').'));
      return article;
    }
    const meta = [
      ['folder', el('code', {}, run.run_dir)],
      ['created', dateText(run.created_at)],
      ['commit', run.commit ? `${run.commit}${run.branch ? ` on ${run.branch}` : ''}${run.dirty ? ' (dirty)' : ''}` : 'no git information'],
      ['primary metric', run.primary_metric ? `${run.primary_metric} = ${formatNumber(run.primary_value)} ${direction(run, run.primary_metric)}` : '—'],
      ['experiment', run.experiment ? `${run.experiment.name}${run.experiment.variant ? `, variant ${run.experiment.variant}` : ''}${run.experiment.seed !== null ? `, seed ${run.experiment.seed}` : ''}` : '—'],
      ['data', Object.entries(run.data).map(([name, digest]) => `${name} ${digest.slice(0, 12)}…`).join(', ') || 'none recorded'],
      ['environment', Object.entries(run.environment).map(([key, value]) => `${key} ${value}`).join(' · ')],
    ];
    article.append(el('dl', { class: 'meta' }, ...meta.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])));
    if (run.record) article.append(experimentSection(run.record));
    article.append(curvesFigure(run));
    article.append(el('div', { class: 'tables' }, valuesTable(run, 'metrics (summary.json)', run.metrics), valuesTable(run, 'results (analysis.json)', run.results)));
    const hp = Object.entries(run.hyperparameters);
    if (hp.length) {
      article.append(el('details', {}, el('summary', {}, 'hyperparameters'),
        el('table', { class: 'kv' }, el('tbody', {}, ...hp.map(([key, value]) => el('tr', {}, el('td', {}, el('code', {}, key)), el('td', {}, typeof value === 'string' ? value : JSON.stringify(value))))))));
    }
    return article;
  };

  const openFromHash = () => {
    const tag = decodeURIComponent(location.hash.slice(1)).replace(/^run-/, '');
    const run = location.hash.startsWith('#run-') ? runs.get(tag) : undefined;
    if (!details || !run) return;
    details.replaceChildren(runArticle(run));
    details.firstChild.scrollIntoView({ block: 'start' });
  };
  window.addEventListener('hashchange', openFromHash);
  openFromHash();

  // ---- compare view: the same rules as `dl-lab compare` (delta = B − A, judged by higher_is_better).
  const selectA = document.getElementById('compare-a');
  const selectB = document.getElementById('compare-b');
  const view = document.getElementById('compare-view');
  if (!selectA || !selectB || !view) return;

  const sameDefinition = (x, y) => x && y && x.definition === y.definition && x.unit === y.unit && x.higher_is_better === y.higher_is_better;

  const notComparableReasons = (a, b) => {
    const reasons = [];
    for (const name of new Set([...Object.keys(a.data), ...Object.keys(b.data)])) {
      if (!(name in b.data)) reasons.push(`dataset ${name} is used by A only`);
      else if (!(name in a.data)) reasons.push(`dataset ${name} is used by B only`);
      else if (a.data[name] !== b.data[name]) reasons.push(`dataset ${name}: sha256 ${a.data[name].slice(0, 12)}… (A) differs from ${b.data[name].slice(0, 12)}… (B)`);
    }
    for (const key of Object.keys(a.definitions)) {
      if (key in b.definitions && !sameDefinition(a.definitions[key], b.definitions[key])) reasons.push(`metric ${key} is defined differently`);
    }
    if (a.primary_metric !== b.primary_metric) reasons.push(`primary metric differs: A ranks by ${a.primary_metric}, B by ${b.primary_metric}`);
    return reasons;
  };

  const verdict = (key, x, y, a, b) => {
    if (x === undefined) return 'only in B';
    if (y === undefined) return 'only in A';
    if (!sameDefinition(a.definitions[key], b.definitions[key])) return '⚠ not comparable';
    if (x === y) return 'equal';
    // higher_is_better null: the metric has no better direction, so a change is only a change.
    if (a.definitions[key].higher_is_better === null) return 'no direction';
    return (y > x) === a.definitions[key].higher_is_better ? 'better' : 'worse';
  };

  const numberTable = (title, a, b, valuesA, valuesB) => {
    const keys = [...new Set([...Object.keys(valuesA), ...Object.keys(valuesB)])];
    if (keys.length === 0) return '';
    const rows = keys.map((key) => {
      const x = valuesA[key];
      const y = valuesB[key];
      const result = verdict(key, x, y, a, b);
      return el(
        'tr',
        key === b.primary_metric ? { class: 'primary' } : {},
        el('td', {}, el('code', {}, key)),
        el('td', { class: 'num' }, formatNumber(x)),
        el('td', { class: 'num' }, formatNumber(y)),
        el('td', { class: 'num' }, x === undefined || y === undefined ? '—' : formatNumber(y - x, true)),
        el('td', { class: `verdict ${result.startsWith('⚠') ? 'not-comparable' : result.replace(/\s+/g, '-')}` }, result),
      );
    });
    const head = el('tr', {}, el('th', {}, 'key'), ...['A', 'B', 'delta (B − A)'].map((label) => el('th', { class: 'num' }, label)), el('th', {}, 'B vs A'));
    return el('table', { class: 'numbers compare' }, el('caption', {}, title), el('thead', {}, head), el('tbody', {}, ...rows));
  };

  const hyperparameterTable = (a, b) => {
    const keys = [...new Set([...Object.keys(a.hyperparameters), ...Object.keys(b.hyperparameters)])];
    const show = (value) => (value === undefined ? '(absent)' : typeof value === 'string' ? value : JSON.stringify(value));
    const differing = keys.filter((key) => JSON.stringify(a.hyperparameters[key]) !== JSON.stringify(b.hyperparameters[key]));
    if (differing.length === 0) return el('p', {}, 'Same hyperparameters.');
    const rows = differing.map((key) => el('tr', {}, el('td', {}, el('code', {}, key)), el('td', {}, show(a.hyperparameters[key])), el('td', {}, show(b.hyperparameters[key]))));
    return el('table', { class: 'kv compare' }, el('caption', {}, 'hyperparameters that differ'), el('thead', {}, el('tr', {}, el('th', {}, 'key'), el('th', {}, 'A'), el('th', {}, 'B'))), el('tbody', {}, ...rows));
  };

  const render = () => {
    const a = runs.get(selectA.value);
    const b = runs.get(selectB.value);
    view.replaceChildren();
    if (!a || !b) return;
    const warnings = [];
    for (const [side, run] of [['A', a], ['B', b]]) {
      if (!run.verify.ok) warnings.push(`${side} (${run.tag}) FAILS VERIFICATION: its files are not as sealed`);
    }
    const reasons = notComparableReasons(a, b);
    if (warnings.length) view.append(el('div', { class: 'banner fail' }, ...warnings.map((w) => el('p', {}, `⚠ ${w}`))));
    if (reasons.length) {
      view.append(el('div', { class: 'banner not-comparable' }, el('p', {}, el('strong', {}, '⚠ NOT COMPARABLE'), ': A and B differ in what their numbers measure.'), el('ul', {}, ...reasons.map((r) => el('li', {}, r)))));
    }
    view.append(
      numberTable('metrics (summary.json)', a, b, a.metrics, b.metrics),
      numberTable('results (analysis.json)', a, b, a.results, b.results),
      hyperparameterTable(a, b),
      el('p', { class: 'hint' }, 'The same on the command line: ', el('code', {}, `dl-lab compare ${a.tag} ${b.tag}`)),
    );
  };
  selectA.addEventListener('change', render);
  selectB.addEventListener('change', render);
  render();
})();
