// The sourcing decision of an order: every candidate with its score and reasons, the selected
// nodes highlighted, and the same node plot with the chosen nodes and the destination.

import {el, state, svg} from "../dom.js";
import {nodePlot} from "../svgplot.js";

export function sourcingPanel(decision, order) {
  const heading = el("h3", {}, "Sourcing decision");
  if (!decision) return [heading, state("empty", "No sourcing decision recorded for this order.")];
  const selected = new Set([
    ...decision.candidates.filter((c) => c.selected).map((c) => c.node.code),
    ...decision.allocations.map((a) => a.node.code),
  ]);
  return [
    heading,
    el("p", {}, "Rule: ", el("strong", {}, decision.rule?.name ?? "default (no rule matched)"), ". ",
      decision.allocations.length ? `Allocated: ${decision.allocations.map((a) => `${a.quantity} × ${a.sku} at ${a.node.code}`).join(", ")}.`
        : "Nothing allocated.",
      decision.backordered.length ? ` Backordered: ${decision.backordered.map((b) => `${b.quantity} × ${b.sku}`).join(", ")}.` : ""),
    el("div", {class: "grid two"},
      el("div", {class: "table-wrap"}, candidates(decision.candidates, selected)),
      nodePlot({
        title: "Candidates, the chosen nodes (ringed) and the destination",
        selected,
        destination: destinationOf(order),
        nodes: decision.candidates.map((c) => ({
          code: c.node.code, name: c.node.name, latitude: c.node.location?.latitude,
          longitude: c.node.location?.longitude, detail: `score ${c.score.toFixed(2)}`,
          colour: selected.has(c.node.code) ? "#e8590c" : c.excluded ? "#b0b8c4" : "#4c6ef5",
        })),
      }),
      destinationOf(order) ? null : state("empty", "The destination has no coordinates: sourcing measured from the country's centre.")),
  ];
}

function destinationOf(order) {
  const point = order.shippingAddress?.location || order.pickupNode?.location;
  if (!point) return null;
  const label = order.shippingAddress ? order.shippingAddress.city : `pickup ${order.pickupNode.code}`;
  return {latitude: point.latitude, longitude: point.longitude, label};
}

function scoreBar(score) {
  return svg("svg", {viewBox: "0 0 100 10", class: "score", role: "img", "aria-label": `score ${score.toFixed(2)}`},
    svg("rect", {x: 0, y: 0, width: 100, height: 10, class: "track"}),
    svg("rect", {x: 0, y: 0, width: Math.max(0, Math.min(1, score)) * 100, height: 10, class: "bar"}));
}

function candidates(list, selected) {
  if (!list.length) return state("empty", "No candidate node.");
  return el("table", {class: "data", id: "candidates"},
    el("caption", {}, "Candidates: score in 0..1, higher is better; excluded ones were screened out"),
    el("thead", {}, el("tr", {}, ["node", "type", "score", "", "reasons"].map((h) => el("th", {scope: "col"}, h)))),
    el("tbody", {}, list.map((c) => el("tr", {
      dataset: {node: c.node.code, selected: String(selected.has(c.node.code))},
      class: selected.has(c.node.code) ? "selected" : c.excluded ? "excluded" : null,
    },
    el("th", {scope: "row"}, c.node.code, selected.has(c.node.code) ? el("span", {class: "pill chosen"}, " chosen") : null),
    el("td", {}, c.node.type),
    el("td", {}, c.score.toFixed(2)),
    el("td", {}, scoreBar(c.score)),
    el("td", {}, c.excluded ? el("em", {}, "excluded: ") : null, c.reasons.join("; "))))));
}
