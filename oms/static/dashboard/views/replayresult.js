// The answer of a what-if replay: the outcome figures, actual vs tried, with the difference and
// whether it is better; the units per node side by side; the changed orders side by side.

import {el, format, state, svg} from "../dom.js";

// [field, label, what it counts, how it is shown, 1: more is better, -1: less is better, 0: neither]
const FIGURES = [
  ["orders", "orders replayed", null, "int", 0],
  ["fullySourced", "fully sourced", "orders whose every unit found a node", "int", 1],
  ["backorderedUnits", "backordered units", null, "int", -1],
  ["shipments", "shipments", "nodes shipping, summed over orders", "int", -1],
  ["splitRate", "split rate", "orders sent to more than one node", "pct", -1],
  ["meanDistanceKm", "mean distance", "node to customer, per shipment", "km", -1],
  ["capacityBreaches", "capacity breaches", "fulfillments beyond a node's daily capacity, day by day", "int", -1],
];
const signed = new Intl.NumberFormat("en", {maximumFractionDigits: 1, signDisplay: "exceptZero"});
const SHOW = {int: format.int, pct: format.pct, km: (n) => format.num(n, " km")};
const DIFFERENCE = {int: (d) => signed.format(d), pct: (d) => `${signed.format(d * 100)} pts`,
  km: (d) => `${signed.format(d)} km`};

export function replayResult(replay) {
  if (replay.ordersInWindow === 0) {
    return state("empty", "No orders were placed in this window (on this channel): nothing to replay.");
  }
  const sampled = replay.actual.orders < replay.ordersInWindow;
  return [
    el("p", {id: "replay-summary"},
      el("strong", {"data-figure": "replayed-orders"}, format.int(replay.actual.orders)), " of ",
      el("strong", {"data-figure": "orders-in-window"}, format.int(replay.ordersInWindow)),
      ` orders of the window replayed${sampled ? " (a sample: raise the limit for all)" : ""}; `,
      el("strong", {"data-figure": "changed-orders"}, format.int(replay.changedOrders)),
      ` sourced differently by the tried rule (${format.num(replay.elapsedMs)} ms).`),
    el("div", {class: "grid two"},
      el("div", {class: "table-wrap"}, outcomeTable(replay)),
      el("div", {class: "table-wrap"}, loadTable(replay))),
    changes(replay),
  ];
}

function verdict(better, difference) {
  if (!better) return null;
  if (difference === 0) return "same";
  return better * difference > 0 ? "better" : "worse";
}

function outcomeTable({actual, replayed}) {
  return el("table", {class: "data", id: "replay-outcome"},
    el("caption", {}, "What was done (actual) and what the tried rule does, over the replayed orders"),
    el("thead", {}, el("tr", {}, ["figure", "actual", "tried", "difference", "tried is"].map((h) => el("th", {scope: "col"}, h)))),
    el("tbody", {}, FIGURES.map(([name, label, meaning, kind, better]) => {
      const difference = replayed[name] - actual[name];
      const judged = verdict(better, difference);
      return el("tr", {dataset: {figure: name, verdict: judged ?? "none"}},
        el("th", {scope: "row"}, label, meaning ? el("span", {class: "muted"}, meaning) : null),
        el("td", {dataset: {side: "actual", value: actual[name]}}, SHOW[kind](actual[name])),
        el("td", {dataset: {side: "replayed", value: replayed[name]}}, SHOW[kind](replayed[name])),
        el("td", {dataset: {side: "difference"}}, DIFFERENCE[kind](difference)),
        el("td", {class: judged ? `verdict-${judged}` : null}, judged ?? "–"));
    })));
}

function loadBar(units, max, side) {
  return svg("svg", {viewBox: "0 0 100 10", class: "load", role: "img", "aria-label": `${side}: ${units} units`},
    svg("rect", {x: 0, y: 0, width: 100, height: 10, class: "track"}),
    svg("rect", {x: 0, y: 0, width: (100 * units) / max, height: 10, class: side === "tried" ? "bar tried" : "bar"}));
}

function loadTable({actual, replayed}) {
  const nodes = new Map();
  for (const [side, outcome] of [["actual", actual], ["replayed", replayed]]) {
    for (const load of outcome.nodeLoad) {
      const row = nodes.get(load.node.code) ?? {node: load.node, actual: null, replayed: null};
      row[side] = load;
      nodes.set(load.node.code, row);
    }
  }
  if (!nodes.size) return state("empty", "No node ships anything, actual or tried.");
  const units = (load) => load?.units ?? 0;
  const max = Math.max(1, ...[...nodes.values()].flatMap((r) => [units(r.actual), units(r.replayed)]));
  const rows = [...nodes.values()].sort((a, b) => Math.max(units(b.actual), units(b.replayed))
    - Math.max(units(a.actual), units(a.replayed)) || a.node.code.localeCompare(b.node.code));
  return el("table", {class: "data", id: "replay-load"},
    el("caption", {}, "Units per node, actual and tried (bars to one scale), and fulfillments"),
    el("thead", {}, el("tr", {}, ["node", "actual units", "tried units", "fulfillments, actual → tried"]
      .map((h) => el("th", {scope: "col"}, h)))),
    el("tbody", {}, rows.map((row) => el("tr", {dataset: {node: row.node.code}},
      el("th", {scope: "row"}, row.node.code, el("span", {class: "muted"}, ` ${row.node.name}`)),
      el("td", {dataset: {side: "actual", value: units(row.actual)}}, loadBar(units(row.actual), max, "actual"), ` ${units(row.actual)}`),
      el("td", {dataset: {side: "replayed", value: units(row.replayed)}}, loadBar(units(row.replayed), max, "tried"), ` ${units(row.replayed)}`),
      el("td", {}, `${format.int(row.actual?.fulfillments ?? 0)} → ${format.int(row.replayed?.fulfillments ?? 0)}`)))));
}

function allocations(list) {
  if (!list.length) return "nothing (every unit backordered)";
  return list.map((a) => `${a.quantity} × ${a.sku} at ${a.node.code}`).join(", ");
}

function changes({changedOrders, examples}) {
  const heading = el("h3", {}, "Changed orders");
  if (!changedOrders) return el("section", {class: "changed"}, heading, state("empty", "The tried rule sources every replayed order as it was sourced."));
  return el("section", {class: "changed"}, heading,
    el("p", {class: "muted"}, `The first ${examples.length} of ${changedOrders}, oldest first: where the units went, and where the tried rule sends them.`),
    el("ol", {class: "changes", id: "replay-examples"}, examples.map((diff) => el("li", {dataset: {orderId: diff.order.id}},
      el("a", {class: "order-link", href: `#/orders/${encodeURIComponent(diff.order.id)}`}, diff.order.number),
      el("dl", {class: "sides"},
        el("dt", {}, "actual"), el("dd", {dataset: {side: "actual"}}, allocations(diff.actual)),
        el("dt", {}, "tried"), el("dd", {dataset: {side: "replayed"}}, allocations(diff.replayed)))))));
}
