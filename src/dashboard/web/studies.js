// The tuning studies of `keel tune`: trials table, best value so far, and the Pareto front of
// two-objective studies, refreshed when the server reports that a trial changed.

const studies = { current: null, chart: null };
const $s = (id) => document.getElementById(id);

async function studyJson(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

const fmt = (v) =>
  typeof v !== 'number' ? (v ?? '') : Number.isInteger(v) ? String(v) : v.toPrecision(4);

function trialsTable(view) {
  const names = [...new Set(view.trials.flatMap((t) => Object.keys(t.params)))];
  const objectives = view.objectives.map((o) => `${o.name} (${o.direction})`);
  const front = new Set(view.front);
  const head = ['#', 'state', ...names, ...objectives, 'epochs']
    .map((h) => `<th>${h}</th>`)
    .join('');
  const rows = view.trials
    .map((t) => {
      const cells = [
        t.number,
        t.state,
        ...names.map((n) => fmt(t.params[n])),
        ...view.objectives.map((_, i) => fmt(t.values?.[i])),
        t.intermediate.length,
      ];
      const cls = `${t.state}${front.has(t.number) ? ' pareto' : ''}`;
      return `<tr class="${cls}" data-trial="${t.number}" title="${t.error ?? ''}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
    })
    .join('');
  $s('trials').innerHTML = `<thead><tr>${head}</tr></thead><tbody>${rows}</tbody>`;
}

function bestChart(view) {
  if (studies.chart) studies.chart.destroy();
  studies.chart = null;
  $s('study-best').innerHTML = '';
  if (!view.best.length) return;
  const xs = view.best.map((_, i) => i + 1);
  const o = view.objectives[0];
  studies.chart = new uPlot(
    {
      width: Math.min(700, window.innerWidth - 60),
      height: 240,
      scales: { x: { time: false } },
      series: [
        { label: 'finished trials' },
        { label: `${o.name}`, stroke: '#aaa', width: 0, points: { show: true, size: 6 } },
        { label: `best ${o.name} so far`, stroke: '#d62728', width: 2 },
      ],
    },
    [xs, view.best.map((b) => b.value), view.best.map((b) => b.best)],
    $s('study-best'),
  );
}

/** Objective 1 (x, log scale when it spans a decade: parameter counts) against objective 0 (y). */
function paretoPlot(view) {
  const el = $s('pareto');
  el.innerHTML = '';
  if (view.objectives.length < 2) return;
  const front = new Set(view.front);
  const points = view.trials
    .filter((t) => t.values && (t.state === 'complete' || t.state === 'pruned'))
    .map((t) => ({ n: t.number, x: t.values[1], y: t.values[0], front: front.has(t.number) }));
  if (!points.length) return;
  const W = 520;
  const H = 320;
  const M = 50;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const log = Math.min(...xs) > 0 && Math.max(...xs) / Math.min(...xs) >= 10;
  const tx = (v) => (log ? Math.log10(v) : v);
  const [x0, x1] = [Math.min(...xs.map(tx)), Math.max(...xs.map(tx))];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (v) => M + ((tx(v) - x0) / (x1 - x0 || 1)) * (W - 2 * M);
  const sy = (v) => H - M - ((v - y0) / (y1 - y0 || 1)) * (H - 2 * M);
  const line = points
    .filter((p) => p.front)
    .sort((a, b) => a.x - b.x)
    .map((p) => `${sx(p.x)},${sy(p.y)}`)
    .join(' ');
  const [oy, ox] = view.objectives;
  el.innerHTML = `<h3>Pareto front: ${oy.name} (${oy.direction}) vs ${ox.name} (${ox.direction})</h3>
  <svg width="${W}" height="${H}" class="pareto-plot">
    <line x1="${M}" y1="${H - M}" x2="${W - M}" y2="${H - M}" stroke="#888"/>
    <line x1="${M}" y1="${M}" x2="${M}" y2="${H - M}" stroke="#888"/>
    <text x="${W / 2}" y="${H - 12}" text-anchor="middle">${ox.name}${log ? ' (log)' : ''}: ${fmt(Math.min(...xs))} … ${fmt(Math.max(...xs))}</text>
    <text x="14" y="${H / 2}" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">${oy.name}: ${fmt(y0)} … ${fmt(y1)}</text>
    <polyline points="${line}" fill="none" stroke="#d62728" stroke-width="1.5"/>
    ${points
      .map(
        (p) =>
          `<circle class="${p.front ? 'front' : 'dominated'}" data-trial="${p.n}" cx="${sx(p.x)}" cy="${sy(p.y)}" r="${p.front ? 5 : 3.5}" fill="${p.front ? '#d62728' : '#999'}"><title>trial ${p.n}: ${oy.name} ${fmt(p.y)}, ${ox.name} ${fmt(p.x)}</title></circle>`,
      )
      .join('')}
  </svg>`;
}

async function showStudy(name) {
  if (!name) return;
  const view = await studyJson(`/api/studies/${encodeURIComponent(name)}`);
  studies.current = name;
  $s('study-title').textContent =
    `${view.name}: ${view.algorithm}, ${view.trials.length} trials (${Object.entries(view.counts)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')})`;
  trialsTable(view);
  bestChart(view);
  paretoPlot(view);
  window.__keel.studyUpdates++;
}

async function loadStudies() {
  const list = await studyJson('/api/studies');
  $s('studies-section').hidden = list.length === 0;
  const select = $s('study');
  const names = list.map((s) => s.name);
  select.innerHTML = names.map((n) => `<option>${n}</option>`).join('');
  if (!names.includes(studies.current)) studies.current = names[0] ?? null;
  select.value = studies.current ?? '';
  await showStudy(studies.current);
}

$s('study').onchange = () => showStudy($s('study').value);
window.keelStudies = { loadStudies };
// The first server event may have come before this script was loaded (app.js runs first and
// connects at once), and later events report only changes: so load the studies now as well.
loadStudies();
