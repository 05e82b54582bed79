// The levers page of `immsim serve`. Its rule: what is on screen always matches the inputs on
// screen. A change marks the results out of date at once and runs again; an invalid field clears
// them and says what is wrong next to the field; an answer to older inputs is thrown away.
'use strict';

const C = JSON.parse(document.getElementById('config').textContent);
const LETTERS = 'ABC';
const COLORS = ['#1f77b4', '#d62728', '#2ca02c'];
const DASHES = ['dash', 'dot', 'dashdot'];
const form = document.getElementById('levers');
const holder = document.getElementById('scenarios');
const chart = document.getElementById('chart');
const summary = document.getElementById('summary');
const effectsTable = document.getElementById('effects');
const statusLine = document.getElementById('status');
const errorLine = document.getElementById('error');
const progressBox = document.getElementById('progress-box');
const progressBar = document.getElementById('progress');
const csvButton = document.getElementById('download-csv');
const areaBox = document.getElementById('area-box');
const areaSelect = document.getElementById('area');
const regimes = Object.fromEntries(C.regimes.map(r => [r.name, r]));

let generation = 0;   // bumped by every change of the inputs
let shown = null;     // {scenarios, results} on screen, null when nothing is
let inflight = null;  // the AbortController of the running request

const number = (v, digits = 0) =>
  v === null || v === undefined ? '–' : v.toLocaleString('en-US', {maximumFractionDigits: digits});
const shownValue = (lever, v) => (lever.percent ? Math.round(v * 1e6) / 1e4 : v);
const sentValue = (lever, v) => (lever.percent ? v / 100 : v);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v; else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

function field(id, label, control, unit, hint) {
  const row = el('div', {class: 'input-row'}, control);
  if (unit) row.append(el('span', {class: 'unit', text: unit}));
  const box = el('div', {class: 'field'}, el('label', {for: id, text: label}), row,
    el('span', {class: 'field-error', role: 'alert', hidden: ''}));
  if (hint) box.append(el('small', {class: 'hint', text: hint}));
  return box;
}

function scenarioBox(index, values) {
  const L = LETTERS[index];
  const box = el('fieldset', {class: 'scenario', 'data-index': String(index)});
  const legend = el('legend', {text: `Scenario ${L}`});
  if (index > 0) {
    const remove = el('button', {type: 'button', class: 'remove', text: 'Remove'});
    remove.onclick = () => { const all = readAll(); all.splice(index, 1); build(all); changed(true); };
    legend.append(remove);
  }
  box.append(legend);
  const select = el('select', {id: `${L}-regime`, name: 'regime'});
  for (const r of C.regimes) {
    const option = el('option', {value: r.name, text: `${r.title} (${r.in_force})`});
    if (r.name === (values.regime || C.default_regime)) option.selected = true;
    select.append(option);
  }
  const regimeBox = field(`${L}-regime`, 'Regime (priorities and detainer policy)', select, '',
    `In force ${regimes[select.value].in_force}.`);
  select.addEventListener('change', () => {
    regimeBox.querySelector('.hint').textContent = `In force ${regimes[select.value].in_force}.`;
  });
  box.append(regimeBox);
  for (const lever of C.levers) {
    const today = shownValue(lever, lever.today);
    const input = el('input', {id: `${L}-${lever.name}`, name: lever.name, type: 'number',
      min: String(shownValue(lever, lever.min)), max: String(shownValue(lever, lever.max)),
      step: String(lever.step), required: '', title: lever.description});
    input.value = String(values[lever.name] ?? today);
    box.append(field(input.id, lever.label, input, lever.unit,
      `Today (${C.start_words}): ${number(today, 2)} ${lever.unit}`));
  }
  const actions = el('div', {class: 'scenario-actions'});
  const scenarioButton = el('button', {type: 'button', text: `Scenario ${L} file`});
  scenarioButton.onclick = () => download(index, '/api/scenario', `scenario-${L}.yaml`, 'text/yaml');
  const reportButton = el('button', {type: 'button', text: `Scenario ${L} report`});
  if (index === 0) reportButton.id = 'download-report';
  reportButton.onclick = () => download(index, '/api/report', `report-${L}.html`, 'text/html');
  actions.append(scenarioButton, reportButton);
  box.append(actions);
  return box;
}

function readAll() {
  return [...holder.querySelectorAll('fieldset.scenario')].map(box => {
    const values = {regime: box.querySelector('select[name=regime]').value};
    for (const lever of C.levers) values[lever.name] = box.querySelector(`input[name=${lever.name}]`).value;
    return values;
  });
}

function build(all) {
  holder.replaceChildren(...all.map((values, i) => scenarioBox(i, values)));
  document.getElementById('add').disabled = all.length >= C.max_scenarios;
}

// --- checking inputs -----------------------------------------------------------------------

function labelOf(input) { return input.closest('.field').querySelector('label').textContent; }
function unitOf(input) { return input.closest('.field').querySelector('.unit')?.textContent ?? ''; }

function problemWith(input) {
  if (input.tagName === 'SELECT') return regimes[input.value] ? '' : 'choose a regime';
  const text = input.value.trim();
  if (text === '' || input.validity.badInput) return 'enter a number';
  const v = Number(text);
  const [min, max] = [Number(input.min), Number(input.max)];
  if (!Number.isFinite(v)) return 'enter a number';
  if (v < min) return `must be at least ${number(min, 2)} (${unitOf(input)})`;
  if (v > max) return `must be at most ${number(max, 2)} (${unitOf(input)})`;
  if (input.step === '1' && !Number.isInteger(v)) return 'must be a whole number';
  return '';
}

function showProblem(input, message) {
  const slot = input.closest('.field').querySelector('.field-error');
  slot.textContent = message ? `${labelOf(input)}: ${message}` : '';
  slot.hidden = !message;
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
}

function checkAll() {
  let ok = true;
  for (const input of form.querySelectorAll('input, select')) {
    const problem = problemWith(input);
    showProblem(input, problem);
    ok = ok && !problem;
  }
  return ok;
}

function request() {
  const horizon = Number(form.elements.horizon_years.value);
  const seed = Number(form.elements.seed.value);
  return [...holder.querySelectorAll('fieldset.scenario')].map(box => {
    const body = {regime: box.querySelector('select[name=regime]').value, horizon_years: horizon, seed};
    for (const lever of C.levers) {
      const v = sentValue(lever, Number(box.querySelector(`input[name=${lever.name}]`).value));
      if (Math.abs(v - lever.today) > 1e-9 * Math.max(1, Math.abs(lever.today))) body[lever.name] = v;
    }
    return body;
  });
}

// Problems the server found ("scenarios.1.officers: ...", "regime: ...") go next to their field.
function showServerProblems(problems) {
  const loose = [];
  for (const problem of problems) {
    const m = /^(?:scenarios\.(\d+)\.)?(\w+): (.*)$/.exec(problem);
    const scope = m && m[1] !== undefined ? holder.querySelectorAll('fieldset.scenario')[Number(m[1])] : null;
    const input = m && ((scope || holder.querySelector('fieldset.scenario'))?.querySelector(`[name=${m[2]}]`)
      || form.querySelector(`#shared [name=${m[2]}]`));
    if (input) showProblem(input, m[3]); else loose.push(problem);
  }
  errorLine.textContent = loose.join('; ');
  errorLine.hidden = !loose.length;
}

// --- what is on screen ---------------------------------------------------------------------

function setStatus(text) { statusLine.textContent = text; }

function clearResults() {
  if (window.Plotly) for (const gd of chart.querySelectorAll('.js-plotly-plot')) Plotly.purge(gd);
  chart.replaceChildren();
  chart.classList.remove('stale');
  delete chart.dataset.removals;
  summary.replaceChildren();
  summary.classList.remove('stale');
  effectsTable.replaceChildren();
  effectsTable.classList.remove('stale');
  csvButton.disabled = true;
  shown = null;
}

function markStale() {
  if (!shown) return;
  chart.classList.add('stale');
  summary.classList.add('stale');
  effectsTable.classList.add('stale');
  csvButton.disabled = true;
  setStatus('The inputs changed: the results above are out of date until the run finishes.');
}

function changed(runNow) {
  generation += 1;
  if (inflight) inflight.abort();
  progressBox.hidden = true;
  errorLine.hidden = true;
  if (!checkAll()) {
    clearResults();
    progressBox.hidden = true;
    setStatus('Nothing to show: correct the field marked in red.');
    return;
  }
  markStale();
  if (runNow) run();
}

async function readStream(response, onLine) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const {done, value} = await reader.read();
    if (value) buffer += decoder.decode(value, {stream: true});
    let cut;
    while ((cut = buffer.indexOf('\n')) >= 0) {
      onLine(JSON.parse(buffer.slice(0, cut)));
      buffer = buffer.slice(cut + 1);
    }
    if (done) return;
  }
}

async function run() {
  const mine = ++generation;
  if (inflight) inflight.abort();
  errorLine.hidden = true;
  if (!checkAll()) { clearResults(); setStatus('Nothing to show: correct the field marked in red.'); return; }
  const scenarios = request();
  const years = scenarios[0].horizon_years;
  inflight = new AbortController();
  const t0 = performance.now();
  progressBar.value = 0;
  progressBox.hidden = false;
  setStatus(`Running ${scenarios.length} scenario${scenarios.length > 1 ? 's' : ''} of ${years} years (about ${years * 2 * scenarios.length} s at most)…`);
  let results = null;
  try {
    const response = await fetch('/api/runs', {method: 'POST', signal: inflight.signal,
      headers: {'Content-Type': 'application/json'}, body: JSON.stringify({scenarios})});
    if (!response.ok) {
      const answer = await response.json().catch(() => ({}));
      throw Object.assign(new Error('rejected'), {problems: [].concat(answer.detail || response.statusText)});
    }
    await readStream(response, line => {
      if (mine !== generation) return;
      if (line.error) throw Object.assign(new Error('failed'), {problems: line.error});
      if (line.results) results = line.results;
      if (line.progress !== undefined) {
        progressBar.value = line.progress;
        setStatus(`Running ${line.running}… ${Math.round(line.progress * 100)}%`);
      }
    });
    if (mine !== generation) return;
    if (!results) throw Object.assign(new Error('no answer'), {problems: ['the server stopped before answering']});
    draw(scenarios, results);
    setStatus(`Done in ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
  } catch (err) {
    if (mine !== generation) return;
    clearResults();
    showServerProblems(err.problems || [`the request failed: ${err.message}`]);
    setStatus('Nothing to show: the run did not complete.');
  } finally {
    if (mine === generation) progressBox.hidden = true;
  }
}

// The area picker: shown when the results carry areas, keeping the area chosen across runs.
function pickAreas(results) {
  const areas = results[0].areas;
  if (!areas) { areaBox.hidden = true; areaSelect.value = ''; return; }
  const chosen = areaSelect.value;
  areaSelect.replaceChildren(el('option', {value: '', text: 'The nation'}),
    ...Object.entries(areas).map(([code, a]) => el('option', {value: code, text: a.label})));
  areaSelect.value = chosen in areas ? chosen : '';
  areaBox.hidden = false;
}

// What the charts and the table show: the nation, or the area picked (its outcomes only).
function view(res) {
  const area = areaBox.hidden ? '' : areaSelect.value;
  if (!area || !res.areas || !res.areas[area]) {
    return {series: res.series, baseline: res.baseline, outcomes: C.outcomes, where: ''};
  }
  const mine = res.areas[area];
  const none = Object.fromEntries(Object.entries(mine.series).map(([k, v]) => [k, v.map(() => null)]));
  return {series: mine.series, baseline: res.baseline_areas?.[area]?.series ?? none,
    outcomes: C.outcomes.filter(o => o.name in mine.series), where: mine.label};
}

function draw(scenarios, results) {
  clearResults();
  pickAreas(results);
  const views = results.map(view);
  const outcomes = views[0].outcomes;
  const where = views[0].where;
  const regimesRun = [...new Set(scenarios.map(s => s.regime))];
  // every box in the grid first, so that each chart is drawn at its own width
  const boxes = outcomes.map(o => el('div', {class: 'plot', id: `chart-${o.name}`}));
  chart.append(...boxes);
  outcomes.forEach((outcome, i) => {
    const scaled = list => list.map(v => (v === null ? null : v * outcome.scale));
    const traces = results.map((res, k) => ({
      x: res.fiscal_years.map(String), y: scaled(views[k].series[outcome.name]),
      name: `Scenario ${LETTERS[k]}`, type: 'scatter', mode: 'lines+markers',
      line: {color: COLORS[k], width: 2.5}}));
    regimesRun.forEach((regime, j) => {  // on top, dashed: visible where a scenario is the baseline
      const k = scenarios.findIndex(s => s.regime === regime);
      traces.push({x: results[k].fiscal_years.map(String), y: scaled(views[k].baseline[outcome.name]),
        name: regimesRun.length > 1 ? `baseline: today's capacities, ${regime}` : "baseline: today's capacities",
        type: 'scatter', mode: 'lines', line: {color: '#333', dash: DASHES[j], width: 1.5}});
    });
    const yTitle = `${outcome.label} (${outcome.unit})`;
    Plotly.newPlot(boxes[i], traces, {
      title: {text: where ? `${outcome.label}: ${where}` : outcome.label, x: 0, xanchor: 'left'},
      xaxis: {title: {text: 'fiscal year'}, type: 'category'},
      yaxis: {title: {text: yTitle.length > 34 ? `${outcome.label}<br>(${outcome.unit})` : yTitle}, rangemode: 'tozero'},
      legend: {orientation: 'h', y: -0.3}, height: 380,
      margin: {l: 70, r: 15, t: 50, b: 20}, font: {family: 'system-ui, sans-serif'},
    }, {responsive: true, displaylogo: false});
  });
  chart.dataset.removals = String(views[0].series.removals.reduce((a, b) => a + b, 0));
  drawTable(scenarios, results);
  drawEffects(results);
  shown = {scenarios, results};
  csvButton.disabled = false;
}

function tableRows(scenarios, results) {
  const rows = [];
  results.forEach((res, k) => {
    const v = view(res);
    for (const [which, values] of [[`Scenario ${LETTERS[k]}`, v.series], [`Scenario ${LETTERS[k]}: baseline`, v.baseline]]) {
      res.fiscal_years.forEach((fy, i) => rows.push({
        scenario: which, regime: scenarios[k].regime, fy, area: v.where || 'the nation',
        values: v.outcomes.map(o => (values[o.name][i] === null ? null : values[o.name][i] * o.scale)),
        binding: values === v.series && !v.where ? res.binding[i] : ''}));
    }
  });
  return rows;
}

function drawTable(scenarios, results) {
  const {outcomes, where} = view(results[0]);
  const binds = where ? [] : [el('th', {text: 'binds most weeks'})];  // the capacities are national
  const head = el('tr', {}, el('th', {text: 'scenario'}), el('th', {text: 'FY'}),
    ...outcomes.map(o => el('th', {text: `${o.label} (${o.unit})`})), ...binds);
  const body = tableRows(scenarios, results).filter(r => !r.scenario.endsWith('baseline')).map(r =>
    el('tr', {}, el('td', {text: r.scenario}), el('td', {text: `FY${r.fy}`}),
      ...r.values.map(v => el('td', {text: number(v)})), ...(where ? [] : [el('td', {text: r.binding})])));
  summary.replaceChildren(el('thead', {}, head), el('tbody', {}, ...body));
}

// Costs in constant dollars and what the removals do, a row per scenario and year (national:
// the effects are counted for the nation), the studies' range in brackets where they disagree.
function drawEffects(results) {
  const area = areaBox.hidden ? '' : areaSelect.value;
  if (area) { drawAreaFamilies(results, area); return; }
  const head = el('tr', {}, el('th', {text: 'scenario'}), el('th', {text: 'FY'}),
    ...C.effects.map(e => el('th', {text: `${e.label} (${e.unit})`})));
  const cell = (res, e, i) => {
    const v = res.effects?.[e.name]?.[i];
    if (v === undefined) return '–';
    const low = res.effects[`${e.name}_low`]?.[i], high = res.effects[`${e.name}_high`]?.[i];
    const n = x => number(x * e.scale, e.digits);
    const band = e.banded && low !== undefined ? ` (${n(Math.min(low, high))}–${n(Math.max(low, high))})` : '';
    return n(v) + band;
  };
  const body = results.flatMap((res, k) => res.fiscal_years.map((fy, i) =>
    el('tr', {}, el('td', {text: `Scenario ${LETTERS[k]}`}), el('td', {text: `FY${fy}`}),
      ...C.effects.map(e => el('td', {text: cell(res, e, i)})))));
  effectsTable.replaceChildren(el('thead', {}, head), el('tbody', {}, ...body));
}

// An area picked: the families its removals reach (the other effects are counted nationally).
function drawAreaFamilies(results, area) {
  const shown = C.effects.filter(e => C.family_counts.includes(e.name));
  const head = el('tr', {}, el('th', {text: 'scenario'}), el('th', {text: 'FY'}),
    ...shown.map(e => el('th', {text: `${e.label} (${e.unit})`})));
  const body = results.flatMap((res, k) => res.fiscal_years.map((fy, i) =>
    el('tr', {}, el('td', {text: `Scenario ${LETTERS[k]}`}), el('td', {text: `FY${fy}`}),
      ...shown.map(e => el('td', {text: number(res.areas?.[area]?.families?.[e.name]?.[i])})))));
  effectsTable.replaceChildren(el('thead', {}, head), el('tbody', {}, ...body));
}

// --- downloads -----------------------------------------------------------------------------

function save(blob, name) {
  const a = el('a', {href: URL.createObjectURL(blob), download: name});
  document.body.append(a); a.click(); a.remove();
}

async function download(index, path, name, type) {
  if (!checkAll()) { setStatus('Correct the field marked in red first.'); return; }
  const body = request()[index];
  setStatus(`Preparing ${name}…`);
  try {
    const r = await fetch(path, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
    if (!r.ok) { const e = await r.json().catch(() => ({})); throw Object.assign(new Error('rejected'), {problems: [].concat(e.detail || r.statusText)}); }
    save(new Blob([await r.text()], {type}), name);
    setStatus(`Downloaded ${name}.`);
  } catch (err) { showServerProblems(err.problems || [err.message]); setStatus(`Could not prepare ${name}.`); }
}

function downloadCsv() {
  if (!shown) return;
  const quote = s => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const outcomes = view(shown.results[0]).outcomes;
  const byArea = !areaBox.hidden;  // an area column only when the results carry areas
  const head = ['scenario', 'regime', ...(byArea ? ['area'] : []), 'fiscal_year', ...outcomes.map(o => `${o.label} (${o.unit})`), 'binding most weeks'];
  const lines = [head.map(quote).join(',')];
  for (const r of tableRows(shown.scenarios, shown.results)) {
    lines.push([r.scenario, r.regime, ...(byArea ? [r.area] : []), String(r.fy), ...r.values.map(v => (v === null ? '' : String(v))), r.binding].map(quote).join(','));
  }
  save(new Blob([lines.join('\n') + '\n'], {type: 'text/csv'}), 'immsim-tables.csv');
}

// --- wiring --------------------------------------------------------------------------------

document.getElementById('start').textContent = C.start_words;
form.elements.horizon_years.max = String(C.max_years);
document.querySelector('#definitions dl').append(...C.outcomes.flatMap(o =>
  [el('dt', {text: `${o.label} (${o.unit})`}), el('dd', {text: o.definition})]));
build([{}]);
let timer = null;
form.addEventListener('input', () => changed(false));
form.addEventListener('change', () => { clearTimeout(timer); timer = setTimeout(() => changed(true), 250); });
form.addEventListener('submit', event => { event.preventDefault(); run(); });
document.getElementById('run').onclick = run;
document.getElementById('add').onclick = () => {
  const all = readAll();
  if (all.length < C.max_scenarios) { all.push({...all[all.length - 1]}); build(all); changed(true); }
};
csvButton.onclick = downloadCsv;
areaSelect.addEventListener('change', () => { if (shown) draw(shown.scenarios, shown.results); });
run();
