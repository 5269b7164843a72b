// Small charts drawn as inline SVG: a longitude/latitude plot of nodes, vertical bars for a
// series, horizontal bars for shares and counts. No map tiles, no library.

import {el, svg} from "./dom.js";

const W = 640;
const H = 420;
const PAD = 28;
const LABEL_AT_MOST = 12; // more nodes than this: only the selected ones are labelled

/** Colour of a node's load (backlog / daily capacity); unlimited capacity is neutral. */
export function loadColour(utilization) {
  if (utilization === null || utilization === undefined) return "#7b8aa3";
  const t = Math.max(0, Math.min(1, utilization));
  const [from, to, u] = t < 0.5 ? [[46, 158, 91], [224, 161, 0], t * 2] : [[224, 161, 0], [214, 69, 69], (t - 0.5) * 2];
  const mix = from.map((c, i) => Math.round(c + (to[i] - c) * u));
  return `rgb(${mix.join(",")})`;
}

function projection(points) {
  const lats = points.map((p) => p.latitude);
  const lons = points.map((p) => p.longitude);
  const mid = ((Math.min(...lats) + Math.max(...lats)) / 2) * (Math.PI / 180);
  const xs = lons.map((lon) => lon * Math.cos(mid));
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...lats), Math.max(...lats)];
  const span = Math.max(x1 - x0, (y1 - y0) * ((W - 2 * PAD) / (H - 2 * PAD)), 0.5);
  const scale = (W - 2 * PAD) / span;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return {
    x: (lon) => W / 2 + (lon * Math.cos(mid) - cx) * scale,
    y: (lat) => H / 2 - (lat - cy) * scale,
    degrees: span,
  };
}

function graticule(project, points) {
  const step = project.degrees > 12 ? 5 : project.degrees > 4 ? 2 : 1;
  const lines = [];
  const lats = points.map((p) => p.latitude);
  const lons = points.map((p) => p.longitude);
  for (let lat = Math.floor(Math.min(...lats) / step - 2) * step; lat <= Math.max(...lats) + 2 * step; lat += step) {
    lines.push(svg("line", {x1: 0, x2: W, y1: project.y(lat), y2: project.y(lat), class: "gridline"}));
    lines.push(svg("text", {x: 4, y: project.y(lat) - 3, class: "grid-label"}, `${lat}°`));
  }
  for (let lon = Math.floor(Math.min(...lons) / step - 3) * step; lon <= Math.max(...lons) + 3 * step; lon += step) {
    lines.push(svg("line", {x1: project.x(lon), x2: project.x(lon), y1: 0, y2: H, class: "gridline"}));
  }
  return lines;
}

/**
 * Nodes at their coordinates. `nodes`: [{code, name, latitude, longitude, colour, detail}];
 * `selected`: codes drawn highlighted; `destination`: {latitude, longitude, label} or null.
 */
export function nodePlot({nodes, selected = new Set(), destination = null, title}) {
  const placed = nodes.filter((n) => n.latitude !== null && n.latitude !== undefined);
  const everything = destination ? [...placed, destination] : placed;
  const figure = el("figure", {class: "plot"});
  if (!everything.length) {
    figure.append(el("p", {class: "state state-empty"}, "No node has coordinates to plot."));
    return figure;
  }
  const project = projection(everything);
  const chart = svg("svg", {viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title, class: "node-plot"},
    svg("title", {}, title), graticule(project, everything));
  if (destination) {
    for (const node of placed.filter((n) => selected.has(n.code))) {
      chart.append(svg("line", {class: "route", x1: project.x(node.longitude), y1: project.y(node.latitude),
        x2: project.x(destination.longitude), y2: project.y(destination.latitude)}));
    }
  }
  const labelled = placed.length <= LABEL_AT_MOST;
  for (const node of [...placed].sort((a, b) => selected.has(a.code) - selected.has(b.code))) {
    chart.append(nodeMark(node, project, selected.has(node.code), labelled));
  }
  if (destination) chart.append(destinationMark(destination, project));
  figure.append(chart, el("figcaption", {}, title));
  return figure;
}

function nodeMark(node, project, isSelected, labelled) {
  const x = project.x(node.longitude);
  const y = project.y(node.latitude);
  const label = `${node.code} ${node.name || ""}${node.detail ? ` — ${node.detail}` : ""}${isSelected ? " (selected)" : ""}`;
  return svg("g", {class: isSelected ? "node selected" : "node", "data-code": node.code, tabindex: 0,
    "aria-label": label},
  svg("title", {}, label),
  svg("circle", {cx: x, cy: y, r: isSelected ? 9 : 6, fill: node.colour || "#4c6ef5"}),
  isSelected || labelled ? svg("text", {x: x + 12, y: y + 4, class: isSelected ? "mark-label" : "grid-label"},
    node.code) : null);
}

function destinationMark(destination, project) {
  const x = project.x(destination.longitude);
  const y = project.y(destination.latitude);
  const label = destination.label || "destination";
  return svg("g", {class: "destination", tabindex: 0, "aria-label": `destination ${label}`},
    svg("title", {}, `destination: ${label}`),
    svg("path", {d: `M${x} ${y - 11} L${x + 9} ${y} L${x} ${y + 11} L${x - 9} ${y} Z`}),
    svg("text", {x: x + 12, y: y + 4, class: "mark-label"}, label));
}

/** Vertical bars for a series: [{label, value}], every `labelEvery`-th label shown. */
export function seriesChart({points, title, labelEvery = 1}) {
  const width = 640;
  const height = 180;
  const max = Math.max(1, ...points.map((p) => p.value));
  const slot = (width - 40) / Math.max(1, points.length);
  const chart = svg("svg", {viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title, class: "series"},
    svg("title", {}, title),
    svg("line", {x1: 30, x2: width, y1: height - 24, y2: height - 24, class: "axis"}),
    svg("text", {x: 0, y: 12, class: "grid-label"}, String(max)));
  points.forEach((point, i) => {
    const h = ((height - 40) * point.value) / max;
    const x = 34 + i * slot;
    chart.append(svg("rect", {x, y: height - 24 - h, width: Math.max(1, slot - 3), height: h, class: "bar"},
      svg("title", {}, `${point.label}: ${point.value}`)));
    if (i % labelEvery === 0) chart.append(svg("text", {x, y: height - 8, class: "grid-label"}, point.label));
  });
  return el("figure", {class: "chart"}, chart, el("figcaption", {}, title));
}

/** Horizontal bars: [{label, value, text}] scaled to `max` (default: the largest). */
export function barList({rows, title, max = null}) {
  const width = 640;
  const row = 26;
  const top = Math.max(max ?? 0, ...rows.map((r) => r.value), 1e-9);
  const chart = svg("svg", {viewBox: `0 0 ${width} ${Math.max(row, rows.length * row)}`, role: "img",
    "aria-label": title, class: "bars"}, svg("title", {}, title));
  rows.forEach((r, i) => {
    const y = i * row;
    chart.append(
      svg("text", {x: 0, y: y + 17, class: "bar-label"}, r.label),
      svg("rect", {x: 200, y: y + 4, width: 340, height: row - 8, class: "track"}),
      svg("rect", {x: 200, y: y + 4, width: (340 * r.value) / top, height: row - 8, class: r.className || "bar"}),
      svg("text", {x: 548, y: y + 17, class: "bar-value"}, r.text ?? String(r.value)));
  });
  return el("figure", {class: "chart"}, chart, el("figcaption", {}, title));
}
