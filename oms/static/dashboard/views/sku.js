// SKU lookup: what a channel may promise, and the positions at each node, kept live with
// stockUpdates(initial: true) (the current totals first, then every change).

import {coalesce, el, field, format, replace, select, state} from "../dom.js";
import {nodePlot} from "../svgplot.js";

const MAX_SKUS = 10;
const STOCK = `subscription SkuStock($channel: String!, $skus: [String!]!) {
  stockUpdates(channel: $channel, skus: $skus, initial: true) { sku channel available at }
}`;

function lookupQuery(count) {
  const vars = Array.from({length: count}, (_, i) => `$s${i}: String!`).join(", ");
  const positions = Array.from({length: count}, (_, i) => `p${i}: inventory(sku: $s${i}) {
    node { code name location { latitude longitude } } onHand reserved safetyStock available }`).join("\n  ");
  return `query SkuLookup($channel: String!, $skus: [String!]!, ${vars}) {
  availability(channel: $channel, skus: $skus, includeEmpty: true) { sku available byNode { node { code } available } }
  ${positions}
}`;
}

export function mount(root, {api, socket, channels}, {params}) {
  const skuInput = el("input", {name: "skus", value: params.get("skus") || "", required: true,
    placeholder: "SKU-0001, SKU-0002", autocomplete: "off"});
  const channelSelect = select("channel", channels.map((c) => [c.code, c.name]),
    params.get("channel") || channels[0]?.code);
  const form = el("form", {class: "controls"}, field("SKUs (comma-separated)", skuInput),
    field("Channel", channelSelect), el("button", {type: "submit"}, "Look up"));
  const body = el("div", {}, state("empty", "Enter one or more SKUs."));
  replace(root, el("section", {class: "card"}, el("h2", {}, "SKU lookup"), form, body));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams({skus: skuInput.value, channel: channelSelect.value});
    location.hash = `#/sku?${query}`;
  });
  const skus = [...new Set((params.get("skus") || "").split(",").map((s) => s.trim()).filter(Boolean))];
  if (!channels.length) {
    replace(body, state("empty", "No channel is visible to this token."));
    return () => {};
  }
  if (!skus.length) return () => {};
  if (skus.length > MAX_SKUS) {
    replace(body, state("error", `At most ${MAX_SKUS} SKUs at once.`));
    return () => {};
  }
  return watch(body, api, socket, channelSelect.value, skus);
}

function watch(body, api, socket, channel, skus) {
  const live = new Map(); // sku -> {available, at}
  let answer = null;
  const show = () => { if (answer) replace(body, skus.map((sku, i) => skuCard(sku, channel, answer, i, live.get(sku)))); };
  const load = async () => {
    const vars = {channel, skus};
    skus.forEach((sku, i) => { vars[`s${i}`] = sku; });
    try {
      answer = await api.query(lookupQuery(skus.length), vars);
      show();
    } catch (error) {
      replace(body, state("error", `Lookup failed: ${error.message}`));
    }
  };
  const reload = coalesce(load, 250);
  replace(body, state("loading", "Looking up…"));
  load();
  const stop = socket.subscribe({
    query: STOCK,
    variables: () => ({channel, skus}),
    next: (data) => {
      const update = data.stockUpdates;
      live.set(update.sku, update);
      show();
      const shown = answer?.availability.find((a) => a.sku === update.sku)?.available;
      if (shown !== undefined && shown !== update.available) reload(); // positions moved too
    },
    error: (error) => replace(body, state("error", `Live stock stopped: ${error.message}`)),
  });
  return () => { stop(); reload.cancel(); };
}

function skuCard(sku, channel, answer, index, live) {
  const availability = answer.availability.find((a) => a.sku === sku);
  const positions = answer[`p${index}`];
  const promised = new Map((availability?.byNode || []).map((n) => [n.node.code, n.available]));
  const total = live ? live.available : availability?.available ?? 0;
  return el("article", {class: "card sku", dataset: {sku}},
    el("h3", {}, sku),
    el("p", {class: "figure"}, el("strong", {"data-figure": "available"}, format.int(total)),
      ` promisable on ${channel}`, live ? el("span", {class: "muted"}, ` · updated ${format.time(live.at)}`) : null),
    positions.length ? el("div", {class: "grid two"},
      positionTable(positions, promised),
      nodePlot({title: `Nodes holding ${sku}`, nodes: positions.map((p) => ({
        code: p.node.code, name: p.node.name, latitude: p.node.location?.latitude,
        longitude: p.node.location?.longitude, colour: p.available > 0 ? "#2e9e5b" : "#b0b8c4",
        detail: `${p.available} available`}))}))
      : state("empty", "No node holds this SKU."));
}

function positionTable(positions, promised) {
  return el("table", {class: "data positions"},
    el("caption", {}, "Positions per node"),
    el("thead", {}, el("tr", {}, ["node", "on hand", "reserved", "safety", "available", "promisable"]
      .map((h) => el("th", {scope: "col"}, h)))),
    el("tbody", {}, positions.map((p) => el("tr", {dataset: {node: p.node.code}},
      el("th", {scope: "row"}, p.node.code),
      ...[p.onHand, p.reserved, p.safetyStock, p.available, promised.get(p.node.code) ?? 0]
        .map((n) => el("td", {}, format.int(n)))))));
}
