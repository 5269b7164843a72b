// What-if: the orders of a window replayed through a tried routing rule (replaySourcing), beside
// what placement did. The server writes nothing; the figures and changed orders are in replayresult.js.

import {el, field, replace, select, state} from "../dom.js";
import {replayResult} from "./replayresult.js";

const DAY = 24 * 3600 * 1000;
const MAX_LIMIT = 50000;
const NEW_RULE = "";
// RoutingWeightsInput's fields and defaults as the schema says (introspection, when the server
// allows it), so a new criterion shows up here; these stand in where introspection is off.
const WEIGHT_FIELDS = `query ReplayWeightFields { __type(name: "RoutingWeightsInput") { inputFields { name defaultValue } } }`;
const KNOWN_WEIGHTS = {distance: 1, cost: 0, priority: 0, backlog: 0, processingTime: 0};
const rulesQuery = (weights) => `query ReplayRules {
  routingRules { id name rank active channels deliveryMethods effectiveFrom effectiveTo splitPolicy
    maxSplits preferNodeTypes respectCapacity allowBackorder weights { ${weights.join(" ")} } }
  nodes { type }
}`;
const REPLAY = `query Replay($input: SourcingReplayInput!) { replaySourcing(input: $input) {
  ordersInWindow changedOrders elapsedMs
  actual { ...ReplayOutcome } replayed { ...ReplayOutcome }
  examples(first: 20) { order { id number }
    actual { node { code } sku quantity } replayed { node { code } sku quantity } }
} }
fragment ReplayOutcome on SourcingOutcome {
  orders fullySourced backorderedUnits shipments splitRate meanDistanceKm capacityBreaches
  nodeLoad { node { code name } units fulfillments }
}`;

export function mount(root, {api, channels}) {
  const body = el("div", {}, state("loading", "Loading the routing rules…"));
  replace(root, el("section", {class: "card"}, el("h2", {}, "What-if replay"),
    el("p", {class: "muted"}, "Replays the orders placed in a window through a tried rule, on the stock each ",
      "order met or today's, beside what was done. Nothing is written."), body));
  let closed = false;
  let generation = 0; // a run's answer is shown only if no later run was asked
  const run = async (input, answer) => {
    const mine = ++generation;
    replace(answer, state("loading", "Replaying the window…"));
    try {
      const {replaySourcing} = await api.query(REPLAY, {input});
      if (!closed && mine === generation) replace(answer, replayResult(replaySourcing));
    } catch (error) {
      if (!closed && mine === generation) replace(answer, state("error", `Replay refused: ${error.message}`));
    }
  };
  (async () => {
    try {
      const weights = await weightDefaults(api);
      const {routingRules, nodes} = await api.query(rulesQuery(Object.keys(weights)));
      if (!closed) replace(body, new ReplayForm({rules: routingRules, weights, channels, nodes, run}).root);
    } catch (error) {
      if (!closed) replace(body, state("error", `Routing rules unavailable: ${error.message}`));
    }
  })();
  return () => { closed = true; };
}

async function weightDefaults(api) {
  const answer = await api.query(WEIGHT_FIELDS).catch(() => null);
  const fields = answer?.__type?.inputFields;
  if (!fields?.length) return KNOWN_WEIGHTS;
  return Object.fromEntries(fields.map((f) => [f.name, Number(f.defaultValue ?? 0)]));
}

/** "2026-12-02T07:30" in the browser's time zone, for a datetime-local input. */
function localInput(ms) {
  const at = new Date(ms);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

const spaced = (name) => name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);

class ReplayForm {
  constructor({rules, weights, channels, nodes, run}) {
    this.rules = [...rules].sort((a, b) => a.rank - b.rank || a.name.localeCompare(b.name));
    this.defaults = weights;
    this.channels = channels;
    const to = Math.ceil(Date.now() / 60000) * 60000; // the inputs keep minutes: this minute's orders count
    this.from = el("input", {type: "datetime-local", name: "from", required: true, value: localInput(to - 7 * DAY)});
    this.to = el("input", {type: "datetime-local", name: "to", required: true, value: localInput(to)});
    this.channel = select("channel", [["", "every channel"], ...channels.map((c) => [c.code, c.name])], "");
    this.stock = select("stock", [["AT_ORDER_TIME", "as each order met it (from the ledger)"], ["CURRENT", "today's"]], "AT_ORDER_TIME");
    this.limit = el("input", {type: "number", name: "limit", min: 1, max: MAX_LIMIT, step: 1, value: 5000, required: true});
    this.start = select("rule", [...this.rules.map((r) => [r.id, `${r.name} (rank ${r.rank}${r.active ? "" : ", inactive"})`]),
      [NEW_RULE, "a new rule"]], this.rules[0]?.id ?? NEW_RULE);
    this.rank = el("input", {type: "number", name: "rank", step: 1, required: true});
    this.weights = Object.fromEntries(Object.keys(weights).map((name) =>
      [name, el("input", {type: "number", name: `weight-${name}`, min: 0, step: "any", required: true})]));
    this.maxSplits = el("input", {type: "number", name: "maxSplits", min: 1, step: 1, required: true});
    this.splitPolicy = select("splitPolicy", [["ALLOW_SPLIT", "allow splits"], ["SHIP_COMPLETE", "ship complete"]], "ALLOW_SPLIT");
    this.preferNodeTypes = el("input", {name: "preferNodeTypes", autocomplete: "off", placeholder: "e.g. STORE, WAREHOUSE"});
    this.respectCapacity = el("input", {type: "checkbox", name: "respectCapacity"});
    const types = [...new Set(nodes.map((n) => n.type))].sort().join(", ") || "none";
    this.answer = el("div", {id: "replay-answer", "aria-live": "polite"},
      state("empty", "Set a window and a tried rule, then replay."));
    this.root = el("div", {}, this.form(types, run), this.answer);
    this.start.addEventListener("change", () => this.fill());
    this.fill();
  }

  form(types, run) {
    const form = el("form", {id: "replay-form", class: "replay-form"},
      el("fieldset", {class: "controls"}, el("legend", {}, "Orders"),
        field("Placed from", this.from), field("to (exclusive)", this.to), field("Channel", this.channel),
        field("Stock", this.stock), field("At most (orders, sampled)", this.limit)),
      el("fieldset", {class: "controls"}, el("legend", {}, "Tried rule"),
        field("Start from", this.start), field("Rank (lowest applies first)", this.rank),
        field("Max splits", this.maxSplits), field("Split policy", this.splitPolicy),
        field(`Preferred node types, most preferred first (here: ${types})`, this.preferNodeTypes),
        field("Respect daily capacity", this.respectCapacity)),
      el("fieldset", {class: "controls", id: "replay-weights"}, el("legend", {}, "Weights of the score (0 = ignored)"),
        Object.entries(this.weights).map(([name, input]) => field(spaced(name), input))),
      el("button", {type: "submit"}, "Replay"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      run(this.input(), this.answer);
    });
    return form;
  }

  picked() {
    return this.rules.find((r) => r.id === this.start.value) ?? null;
  }

  /** The tried rule's fields from the live rule picked, or a new rule's defaults. */
  fill() {
    const rule = this.picked();
    const lowest = this.rules.length ? Math.min(...this.rules.map((r) => r.rank)) - 1 : 1;
    this.rank.value = rule ? rule.rank : lowest;
    for (const [name, input] of Object.entries(this.weights)) input.value = rule ? rule.weights[name] : this.defaults[name];
    this.maxSplits.value = rule ? rule.maxSplits : 3;
    this.splitPolicy.value = rule ? rule.splitPolicy : "ALLOW_SPLIT";
    this.preferNodeTypes.value = rule ? rule.preferNodeTypes.join(", ") : "";
    this.respectCapacity.checked = rule ? rule.respectCapacity : true;
  }

  /** The SourcingReplayInput: the window, and the tried rule (a live one keeps its id and the rest of its fields). */
  input() {
    const live = this.picked();
    const edited = {
      rank: Number(this.rank.value), active: true,
      weights: Object.fromEntries(Object.entries(this.weights).map(([name, input]) => [name, Number(input.value)])),
      maxSplits: Number(this.maxSplits.value), splitPolicy: this.splitPolicy.value,
      preferNodeTypes: this.preferNodeTypes.value.split(",").map((t) => t.trim().toUpperCase()).filter(Boolean),
      respectCapacity: this.respectCapacity.checked,
    };
    const rule = live ? {id: live.id, name: live.name, channels: live.channels, deliveryMethods: live.deliveryMethods,
      effectiveFrom: live.effectiveFrom, effectiveTo: live.effectiveTo, allowBackorder: live.allowBackorder, ...edited}
      // every channel the token sees: what a channel-limited token may name, and all of them for others
      : {name: "what-if", channels: this.channel.value ? [this.channel.value] : this.channels.map((c) => c.code), ...edited};
    return {
      from: new Date(this.from.value).toISOString(), to: new Date(this.to.value).toISOString(),
      channel: this.channel.value || null, stock: this.stock.value, limit: Number(this.limit.value), rules: [rule],
    };
  }
}
