// The layer graph of a run's model as SVG: layers in rows by depth (longest path from an input),
// an arrow per connection. Drawn from the run's 'graph' artifact (nodes and edges).

const SVG = 'http://www.w3.org/2000/svg';
const BOX_W = 200;
const BOX_H = 46;
const GAP_X = 24;
const GAP_Y = 34;

function svgEl(name, attrs, text) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Row of each node: 0 for inputs, else 1 + the deepest of its sources (nodes come in call order). */
function depths(graph) {
  const depth = new Map();
  const sources = new Map(graph.nodes.map((n) => [n.name, []]));
  for (const [from, to] of graph.edges) sources.get(to)?.push(from);
  graph.nodes.forEach((n, i) => {
    const from = sources.get(n.name);
    // A graph without edges (a subclassed model) is drawn as its layers in order.
    if (graph.edges.length === 0) depth.set(n.name, i);
    else depth.set(n.name, from.length ? 1 + Math.max(...from.map((f) => depth.get(f) ?? 0)) : 0);
  });
  return depth;
}

function drawLayerGraph(container, graph) {
  container.innerHTML = '';
  if (!graph?.nodes.length) return;
  const depth = depths(graph);
  const rows = [];
  for (const n of graph.nodes) (rows[depth.get(n.name)] ??= []).push(n);
  const widest = Math.max(...rows.map((r) => r?.length ?? 0));
  const width = widest * (BOX_W + GAP_X) + GAP_X;
  const height = rows.length * (BOX_H + GAP_Y) + GAP_Y;
  const svg = svgEl('svg', {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    class: 'layer-graph',
  });
  const defs = svgEl('defs', {});
  const marker = svgEl('marker', {
    id: 'arrow',
    viewBox: '0 0 10 10',
    refX: 10,
    refY: 5,
    markerWidth: 7,
    markerHeight: 7,
    orient: 'auto',
  });
  marker.appendChild(svgEl('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#666' }));
  defs.appendChild(marker);
  svg.appendChild(defs);
  const at = new Map();
  rows.forEach((row, r) => {
    const offset = (width - row.length * (BOX_W + GAP_X) + GAP_X) / 2;
    row.forEach((n, k) => {
      at.set(n.name, { x: offset + k * (BOX_W + GAP_X), y: GAP_Y + r * (BOX_H + GAP_Y) });
    });
  });
  for (const [from, to] of graph.edges) {
    const a = at.get(from);
    const b = at.get(to);
    if (!a || !b) continue;
    svg.appendChild(
      svgEl('line', {
        x1: a.x + BOX_W / 2,
        y1: a.y + BOX_H,
        x2: b.x + BOX_W / 2,
        y2: b.y,
        stroke: '#666',
        'marker-end': 'url(#arrow)',
        class: 'edge',
        'data-from': from,
        'data-to': to,
      }),
    );
  }
  for (const n of graph.nodes) {
    const { x, y } = at.get(n.name);
    const g = svgEl('g', { class: 'node', 'data-name': n.name, transform: `translate(${x},${y})` });
    g.appendChild(
      svgEl('rect', { width: BOX_W, height: BOX_H, rx: 6, fill: '#eef3fb', stroke: '#47c' }),
    );
    g.appendChild(
      svgEl('text', { x: 8, y: 18, 'font-weight': 'bold' }, `${n.name} (${n.className})`),
    );
    g.appendChild(
      svgEl(
        'text',
        { x: 8, y: 36, 'font-size': 11 },
        `${n.outputShape}  ${n.params.toLocaleString('en-US')} params`,
      ),
    );
    svg.appendChild(g);
  }
  container.appendChild(svg);
}

window.keelGraph = { drawLayerGraph };
