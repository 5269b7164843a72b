// Nodes: backlog against daily capacity, utilization, rejections, and where they are.

import {coalesce, el, field, format, replace, select, state} from "../dom.js";
import {loadColour, nodePlot} from "../svgplot.js";

const NODES = `query DashboardNodes {
  nodes { code name type active dailyCapacity backlog location { latitude longitude } address { city country } }
}`;
const LOADS = `query NodeLoads($from: DateTime!, $to: DateTime!) {
  orderMetrics(from: $from, to: $to) { nodes { node { code } fulfillments units rejections utilization } }
}`;
const WINDOW_HOURS = {"24h": 24, "7d": 168, "30d": 720};

export function mount(root, {api, feed}) {
  const windowSelect = select("window", [["24h", "last 24 hours"], ["7d", "last 7 days"], ["30d", "last 30 days"]], "24h");
  const body = el("div", {}, state("loading", "Loading nodes…"));
  replace(root, el("section", {class: "card"}, el("h2", {}, "Nodes"),
    el("div", {class: "controls"}, field("Fulfillments and rejections of", windowSelect)), body));
  let generation = 0;
  const load = async () => {
    const mine = ++generation;
    const to = Date.now();
    const from = to - WINDOW_HOURS[windowSelect.value] * 3600 * 1000;
    try {
      const [{nodes}, loads] = await Promise.all([api.query(NODES), api.query(LOADS,
        {from: new Date(from).toISOString(), to: new Date(to + 60000).toISOString()}).catch((error) => error)]);
      if (mine === generation) replace(body, render(nodes, loads));
    } catch (error) {
      if (mine === generation) replace(body, state("error", `Nodes unavailable: ${error.message}`));
    }
  };
  windowSelect.addEventListener("change", load);
  const reload = coalesce(load, 1000);
  const stop = feed.listen(reload);
  load();
  return () => { stop(); reload.cancel(); };
}

function utilization(node) {
  return node.dailyCapacity ? node.backlog / node.dailyCapacity : null;
}

function render(nodes, loads) {
  if (!nodes.length) return state("empty", "No nodes yet: create some with upsertNode.");
  const byCode = new Map(loads instanceof Error ? [] : loads.orderMetrics.nodes.map((l) => [l.node.code, l]));
  const points = nodes.map((n) => ({code: n.code, name: n.name, latitude: n.location?.latitude,
    longitude: n.location?.longitude, colour: loadColour(utilization(n)),
    detail: `backlog ${n.backlog}${n.dailyCapacity ? ` of ${n.dailyCapacity} a day` : ""}`}));
  return el("div", {class: "grid two"},
    el("div", {}, nodePlot({nodes: points, title: "Node locations, coloured by backlog over daily capacity"}),
      legend()),
    el("div", {class: "table-wrap"},
      loads instanceof Error ? state("error", `Fulfillment figures unavailable: ${loads.message}`) : null,
      table(nodes, byCode)));
}

function legend() {
  const swatch = (colour, text) => el("li", {}, el("span", {class: "swatch", "data-colour": colour}), text);
  const list = el("ul", {class: "legend"}, swatch(loadColour(0), "idle"), swatch(loadColour(0.5), "half full"),
    swatch(loadColour(1), "at or over capacity"), swatch(loadColour(null), "unlimited capacity"));
  for (const span of list.querySelectorAll(".swatch")) span.style.backgroundColor = span.dataset.colour;
  return list;
}

function table(nodes, byCode) {
  const sorted = [...nodes].sort((a, b) => (utilization(b) ?? -1) - (utilization(a) ?? -1) || b.backlog - a.backlog);
  return el("table", {class: "data", id: "node-table"},
    el("caption", {}, "Backlog now; fulfillments, units and rejections of the window"),
    el("thead", {}, el("tr", {}, ["node", "type", "backlog / capacity", "utilization", "fulfillments",
      "units", "rejections"].map((h) => el("th", {scope: "col"}, h)))),
    el("tbody", {}, sorted.map((n) => {
      const load = byCode.get(n.code);
      const share = utilization(n);
      const meter = el("meter", {min: 0, max: n.dailyCapacity || Math.max(1, n.backlog), value: n.backlog,
        high: (n.dailyCapacity || 1) * 0.8, optimum: 0});
      return el("tr", {dataset: {node: n.code}, class: n.active ? null : "inactive"},
        el("th", {scope: "row"}, n.code, el("span", {class: "muted"}, ` ${n.name}`)),
        el("td", {}, n.type),
        el("td", {}, meter, ` ${n.backlog} / ${n.dailyCapacity ?? "∞"}`),
        el("td", {}, share === null ? "–" : format.pct(share)),
        el("td", {}, format.int(load?.fulfillments ?? 0)),
        el("td", {}, format.int(load?.units ?? 0)),
        el("td", {class: load?.rejections ? "warn" : null}, format.int(load?.rejections ?? 0)));
    })));
}
