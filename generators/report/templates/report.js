// dl-lab report, in-page behaviour: sort the runs table by any column, and compare two runs.
// Plain browser JavaScript with no dependencies; it reads only the JSON embedded in the page.
(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('dl-lab-data').textContent);
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

  // ---- sorting: click a header; again to reverse. Empty cells stay last; ties keep tag order.
  const table = document.getElementById('runs-table');
  if (table) {
    const headers = [...table.tHead.rows[0].cells];
    const sortBy = (index) => {
      const header = headers[index];
      const ascending = header.getAttribute('aria-sort') !== 'ascending';
      for (const other of headers) other.removeAttribute('aria-sort');
      header.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      const numeric = header.dataset.type === 'number';
      const key = (row) => row.cells[index].dataset.sort ?? '';
      const body = table.tBodies[0];
      const rows = [...body.rows].sort((a, b) => {
        const x = key(a);
        const y = key(b);
        if (x === '' || y === '') return x === y ? a.dataset.tag.localeCompare(b.dataset.tag) : x === '' ? 1 : -1;
        const order = numeric ? Number(x) - Number(y) : x.localeCompare(y, 'en', { numeric: true });
        return (ascending ? order : -order) || a.dataset.tag.localeCompare(b.dataset.tag, 'en', { numeric: true });
      });
      body.append(...rows);
    };
    headers.forEach((header, index) => header.querySelector('button').addEventListener('click', () => sortBy(index)));
  }

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
