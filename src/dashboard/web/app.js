// The Keel dashboard page: runs table, comparison chart (uPlot), run details (artifacts, summary,
// layer graph, evaluation, histograms), live updates (SSE); graph.js and studies.js draw the rest.

const state = {
  runs: [],
  selected: new Set(),
  sort: { key: 'startedAt', dir: -1 },
  series: new Map(),
  chart: null,
  detail: null,
};
const $ = (id) => document.getElementById(id);
const colors = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
];

async function getJson(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

function cell(run, key) {
  if (key === 'tags') return run.tags.join(',');
  if (key === 'loss' || key === 'accuracy') return run.summary[key] ?? run.summary[`test_${key}`];
  return run[key];
}

function renderRuns() {
  const q = $('filter').value.toLowerCase();
  const { key, dir } = state.sort;
  const rows = state.runs
    .filter(
      (r) =>
        !q ||
        [r.id, r.name, r.status, r.tags.join(' '), JSON.stringify(r.params)]
          .join(' ')
          .toLowerCase()
          .includes(q),
    )
    .sort((a, b) => {
      const x = cell(a, key),
        y = cell(b, key);
      return (x === y ? 0 : x === undefined ? 1 : y === undefined ? -1 : x < y ? -1 : 1) * dir;
    });
  for (const th of document.querySelectorAll('th[data-key]')) {
    th.classList.toggle('sorted', th.dataset.key === key);
    th.dataset.dir = dir > 0 ? ' ▲' : ' ▼';
  }
  $('runs').tBodies[0].innerHTML = rows
    .map((r) => {
      const fmt = (v) => (typeof v === 'number' ? v.toFixed(4) : '');
      return `<tr data-id="${r.id}"><td><input type="checkbox" ${state.selected.has(r.id) ? 'checked' : ''}></td>
        <td class="name">${r.name}</td><td class="status">${r.status}</td>
        <td>${new Date(r.startedAt * 1000).toLocaleString()}</td><td class="loss">${fmt(cell(r, 'loss'))}</td>
        <td class="accuracy">${fmt(cell(r, 'accuracy'))}</td><td>${r.tags.join(', ')}</td></tr>`;
    })
    .join('');
}

async function loadRuns() {
  state.runs = await getJson('/api/runs');
  renderRuns();
}

function smooth(values, weight) {
  if (!weight) return values;
  let last = null;
  return values.map((v) =>
    v == null ? v : (last = last == null ? v : last * weight + (1 - weight) * v),
  );
}

async function fetchSeries(id) {
  const key = $('metric').value;
  const scope = $('scope').value;
  if (!key) return;
  const s = await getJson(
    `/api/runs/${id}/metrics/${encodeURIComponent(key)}?scope=${scope}&max=2000`,
  );
  state.series.set(id, s);
}

function drawChart() {
  const ids = [...state.selected].filter((id) => state.series.has(id));
  const xKind = $('xaxis').value;
  const xOf = (s, i) =>
    xKind === 'step' ? s.step[i] : xKind === 'wall' ? s.wall[i] : s.wall[i] - s.wall[0];
  const xs = [
    ...new Set(
      ids.flatMap((id) => {
        const s = state.series.get(id);
        return s.step.map((_, i) => xOf(s, i));
      }),
    ),
  ].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const w = Number($('smoothing').value);
  const data = [
    xs,
    ...ids.map((id) => {
      const s = state.series.get(id);
      const ys = new Array(xs.length).fill(null);
      s.value.forEach((v, i) => {
        ys[index.get(xOf(s, i))] = v;
      });
      return smooth(ys, w);
    }),
  ];
  const log = $('logscale').checked;
  const opts = {
    width: Math.min(1000, window.innerWidth - 60),
    height: 320,
    scales: { x: { time: xKind === 'wall' }, y: log ? { distr: 3 } : {} },
    series: [
      { label: xKind },
      ...ids.map((id, k) => ({
        label: state.runs.find((r) => r.id === id)?.name ?? id,
        stroke: colors[k % colors.length],
        spanGaps: true,
      })),
    ],
  };
  if (state.chart) state.chart.destroy();
  $('chart').innerHTML = '';
  state.chart = ids.length ? new uPlot(opts, data, $('chart')) : null;
  window.__keel.chartPoints = ids.map((id) => state.series.get(id).step.length);
  window.__keel.updates++;
}

async function refreshChart() {
  await Promise.all([...state.selected].map(fetchSeries));
  drawChart();
}

async function showDetail(id) {
  const d = await getJson(`/api/runs/${id}`);
  state.detail = id;
  $('detail-title').textContent = `${d.run.name} (${d.run.id}) — ${d.run.status}`;
  const keys = [...new Set(d.keys.filter((k) => k.scope === $('scope').value).map((k) => k.key))];
  const metric = $('metric');
  if (!keys.includes(metric.value)) {
    metric.innerHTML = keys.map((k) => `<option>${k}</option>`).join('');
    metric.value = keys.includes('loss') ? 'loss' : (keys[0] ?? '');
  }
  const names = d.artifacts.map((a) => a.name);
  $('artifacts').innerHTML = d.artifacts.length
    ? `<h3>Artifacts</h3><ul>${d.artifacts
        .map(
          (a) =>
            `<li><a download href="/api/runs/${id}/download?name=${encodeURIComponent(a.name)}">${a.name}</a> (${a.kind}, ${a.bytes.toLocaleString('en-US')} bytes)</li>`,
        )
        .join('')}</ul>`
    : '';
  $('summary').textContent = names.includes('summary')
    ? (await getJson(`/api/runs/${id}/artifacts/summary`)).text
    : '';
  $('summary-title').hidden = !names.includes('summary');
  $('graph-title').hidden = !names.includes('graph');
  window.keelGraph.drawLayerGraph(
    $('graph'),
    names.includes('graph') ? await getJson(`/api/runs/${id}/artifacts/graph`) : null,
  );
  $('confusion').innerHTML = '';
  $('worst').innerHTML = '';
  if (names.includes('evaluation')) {
    const e = await getJson(`/api/runs/${id}/artifacts/evaluation`);
    const max = Math.max(1, ...e.matrix.flat());
    $('confusion').innerHTML =
      `<h3>Confusion matrix (accuracy ${e.accuracy.toFixed(4)})</h3><table><tr><th>true \\ predicted</th>${e.classNames.map((c) => `<th>${c}</th>`).join('')}</tr>${e.matrix
        .map(
          (row, t) =>
            `<tr><th>${e.classNames[t]}</th>${row.map((n) => `<td style="background: rgba(70,120,200,${(n / max).toFixed(3)})">${n}</td>`).join('')}</tr>`,
        )
        .join('')}</table>`;
    $('worst').innerHTML = `<h3 style="width:100%">Worst classified</h3>${e.worst
      .map(
        (s) =>
          `<figure>${s.image ? `<img src="${s.image}" alt="sample ${s.index}">` : ''}<figcaption>#${s.index}: ${e.classNames[s.label]} → ${e.classNames[s.predicted]} (p=${s.pTrue.toFixed(2)})</figcaption></figure>`,
      )
      .join('')}`;
  }
  const hists = await getJson(`/api/runs/${id}/histograms`);
  const lastEpoch = Math.max(-1, ...hists.map((h) => h.epoch));
  $('histograms').innerHTML = hists.length
    ? `<h3>Weight histograms, epoch <input id="hist-epoch" type="number" min="0" max="${lastEpoch}" value="${lastEpoch}"></h3><div id="hist-bars"></div>`
    : '';
  const drawHists = () => {
    const epoch = Number($('hist-epoch').value);
    $('hist-bars').innerHTML = hists
      .filter((h) => h.epoch === epoch)
      .map((h) => {
        const top = Math.max(1, ...h.counts);
        return `<div class="hist"><b>${h.weight}</b> [${h.min.toFixed(3)}, ${h.max.toFixed(3)}]<br>${h.counts.map((c) => `<span class="bar" style="height:${Math.round((40 * c) / top)}px"></span>`).join('')}</div>`;
      })
      .join('');
  };
  if (hists.length) {
    $('hist-epoch').onchange = drawHists;
    drawHists();
  }
}

function connect() {
  const events = new EventSource('/api/events');
  events.onopen = () => {
    $('live').textContent = 'live';
  };
  events.onerror = () => {
    $('live').textContent = 'reconnecting…';
  };
  events.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    window.__keel.events++;
    const key = $('metric').value;
    const scope = $('scope').value;
    let changed = false;
    for (const r of msg.rows) {
      const s = state.series.get(r.runId);
      if (!s || r.key !== key || r.scope !== scope || !state.selected.has(r.runId)) continue;
      s.step.push(r.step);
      s.wall.push(r.wall);
      s.value.push(r.value);
      changed = true;
    }
    if (changed) {
      const t = performance.now();
      drawChart();
      window.__keel.lastUpdateMs = performance.now() - t;
    }
    if (msg.runsChanged) loadRuns();
    // studies.js may still be loading when the first event arrives; it loads the studies itself then.
    if (msg.studiesChanged) window.keelStudies?.loadStudies();
  };
}

window.__keel = { updates: 0, events: 0, chartPoints: [], lastUpdateMs: 0, studyUpdates: 0 };
$('filter').oninput = renderRuns;
for (const th of document.querySelectorAll('th[data-key]')) {
  th.onclick = () => {
    const key = th.dataset.key;
    state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : 1 };
    renderRuns();
  };
}
$('runs').onclick = async (e) => {
  const tr = e.target.closest('tr[data-id]');
  if (!tr) return;
  const id = tr.dataset.id;
  if (e.target.type === 'checkbox') {
    if (e.target.checked) state.selected.add(id);
    else {
      state.selected.delete(id);
      state.series.delete(id);
    }
    if (state.selected.size === 1 || !$('metric').value) await showDetail(id);
    await refreshChart();
  } else {
    await showDetail(id);
  }
};
for (const id of ['metric', 'scope', 'xaxis']) $(id).onchange = refreshChart;
$('smoothing').oninput = drawChart;
$('logscale').onchange = drawChart;
loadRuns().then(() => {
  window.__keel.ready = true;
});
connect();
