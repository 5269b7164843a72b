// One order: lines, fulfillments, its events live (orderUpdates after: the last event id)
// and the sourcing decision.

import {coalesce, el, field, format, replace, state} from "../dom.js";
import {sourcingPanel} from "./sourcing.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ORDER_FIELDS = `fragment OrderPage on Order {
  id number status paymentStatus customerEmail deliveryMethod createdAt
  channel { code } total { amount currency }
  shippingAddress { city postalCode country location { latitude longitude } }
  pickupNode { code name location { latitude longitude } }
  lines { id sku quantity allocatedQuantity backorderedQuantity shippedQuantity deliveredQuantity
    cancelledQuantity returnedQuantity unitPrice { amount currency } }
  fulfillments { id status carrier trackingNumber reason createdAt node { code name } lines { sku quantity } }
}`;
const ORDER = `query OrderPage($id: ID, $number: String) {
  order(id: $id, number: $number) { ...OrderPage events { id type status message at } }
}
${ORDER_FIELDS}`;
const UPDATES = `subscription OrderPageUpdates($id: ID!, $after: ID) {
  orderUpdates(orderId: $id, after: $after) { event { id type status message at } order { ...OrderPage } }
}
${ORDER_FIELDS}`;

export function mount(root, session, {rest}) {
  const input = el("input", {name: "order", value: rest, required: true, autocomplete: "off",
    placeholder: "order id or number, e.g. WEB-000042"});
  const form = el("form", {class: "controls"}, field("Order", input), el("button", {type: "submit"}, "Open"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = `#/orders/${encodeURIComponent(input.value.trim())}`;
  });
  const body = el("div", {}, rest ? state("loading", "Loading the order…")
    : state("empty", "Enter an order id or number, or pick an order in the live feed."));
  replace(root, el("section", {class: "card"}, el("h2", {}, "Order"), form), body);
  if (!rest) return () => {};
  const page = new OrderPage(body, session);
  page.open(UUID.test(rest) ? {id: rest} : {number: rest});
  return () => page.close();
}

class OrderPage {
  constructor(body, {api, socket}) {
    this.body = body;
    this.api = api;
    this.socket = socket;
    this.events = [];
    this.order = null;
    this.decision = el("section", {class: "card", id: "sourcing"}, state("loading", "Loading the sourcing decision…"));
    this.summary = el("div");
    this.timeline = el("ol", {class: "timeline", id: "timeline"});
    this.reloadDecision = coalesce(() => this.loadDecision(), 300);
    this.stop = () => {};
  }

  async open(key) {
    let order;
    try {
      order = (await this.api.query(ORDER, key)).order;
    } catch (error) {
      replace(this.body, state("error", `Could not load the order: ${error.message}`));
      return;
    }
    if (!order) {
      replace(this.body, state("empty", `No order ${key.id || key.number} (or not one this token may see).`));
      return;
    }
    this.order = order;
    this.events = order.events;
    replace(this.body, this.summary, this.decision,
      el("section", {class: "card"}, el("h3", {}, "Events"), this.timeline));
    this.render();
    this.loadDecision();
    this.stop = this.socket.subscribe({
      query: UPDATES,
      variables: () => ({id: this.order.id, after: this.events.at(-1)?.id ?? null}),
      next: (data) => this.updated(data.orderUpdates),
      error: (error) => this.timeline.before(state("error", `Live updates stopped: ${error.message}`)),
    });
  }

  updated({event, order}) {
    if (this.events.some((e) => e.id === event.id)) return;
    this.events.push(event);
    this.order = order;
    this.render();
    this.reloadDecision();
  }

  async loadDecision() {
    try {
      const data = await this.api.query(`query OrderDecision($id: ID!) { sourcingDecision(orderId: $id) {
        rule { name } allocations { sku quantity node { code } } backordered { sku quantity }
        candidates { score selected excluded reasons node { code name type location { latitude longitude } } } } }`,
      {id: this.order.id});
      replace(this.decision, sourcingPanel(data.sourcingDecision, this.order));
    } catch (error) {
      replace(this.decision, state("error", `Sourcing decision unavailable: ${error.message}`));
    }
  }

  render() {
    replace(this.summary, summary(this.order), lines(this.order), fulfillments(this.order));
    replace(this.timeline, this.events.map((e) => el("li", {dataset: {eventId: e.id}},
      el("time", {datetime: e.at}, format.when(e.at)), " ", el("strong", {}, e.type), " ",
      el("span", {class: `pill status-${e.status.toLowerCase()}`}, e.status),
      e.message ? el("span", {class: "message"}, ` ${e.message}`) : null)));
  }

  close() {
    this.stop();
    this.reloadDecision.cancel();
  }
}

function summary(order) {
  const address = order.shippingAddress;
  const where = address ? [address.postalCode, address.city, address.country].filter(Boolean).join(" ")
    : order.pickupNode ? `pickup at ${order.pickupNode.code}` : "–";
  const facts = [["number", order.number], ["status", order.status], ["payment", order.paymentStatus],
    ["channel", order.channel.code], ["customer", order.customerEmail], ["total", format.money(order.total)],
    ["delivery", `${order.deliveryMethod} · ${where}`], ["placed", format.when(order.createdAt)]];
  return el("section", {class: "card", id: "order-summary", dataset: {orderId: order.id}},
    el("h3", {}, `Order ${order.number}`),
    el("dl", {class: "facts"}, facts.map(([k, v]) => [el("dt", {}, k), el("dd", {"data-fact": k}, v)])));
}

function lines(order) {
  const columns = ["sku", "quantity", "allocatedQuantity", "backorderedQuantity", "shippedQuantity",
    "deliveredQuantity", "cancelledQuantity", "returnedQuantity"];
  return el("section", {class: "card table-wrap"}, el("h3", {}, "Lines"),
    el("table", {class: "data", id: "order-lines"},
      el("thead", {}, el("tr", {}, ["sku", "qty", "allocated", "backordered", "shipped", "delivered",
        "cancelled", "returned", "unit price"].map((h) => el("th", {scope: "col"}, h)))),
      el("tbody", {}, order.lines.map((line) => el("tr", {},
        columns.map((c, i) => (i === 0 ? el("th", {scope: "row"}, line[c]) : el("td", {}, format.int(line[c])))),
        el("td", {}, format.money(line.unitPrice)))))));
}

function fulfillments(order) {
  if (!order.fulfillments.length) return el("section", {class: "card"}, el("h3", {}, "Fulfillments"),
    state("empty", "No fulfillment yet."));
  return el("section", {class: "card table-wrap"}, el("h3", {}, "Fulfillments"),
    el("table", {class: "data", id: "order-fulfillments"},
      el("thead", {}, el("tr", {}, ["node", "status", "lines", "carrier", "tracking", "reason"]
        .map((h) => el("th", {scope: "col"}, h)))),
      el("tbody", {}, order.fulfillments.map((f) => el("tr", {dataset: {node: f.node.code}},
        el("th", {scope: "row"}, f.node.code),
        el("td", {}, el("span", {class: `pill status-${f.status.toLowerCase()}`}, f.status)),
        el("td", {}, f.lines.map((l) => `${l.quantity} × ${l.sku}`).join(", ")),
        el("td", {}, f.carrier || "–"), el("td", {}, f.trackingNumber || "–"), el("td", {}, f.reason || "–"))))));
}
