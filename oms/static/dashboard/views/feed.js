// Live order feed (newest first) and the count of orders in each status, kept current.

import {coalesce, el, format, replace, state} from "../dom.js";
import {barList} from "../svgplot.js";

const STATUSES = ["CREATED", "BACKORDERED", "PARTIALLY_ALLOCATED", "ALLOCATED", "IN_FULFILLMENT",
  "PARTIALLY_SHIPPED", "SHIPPED", "DELIVERED", "CANCELLED", "RETURNED"];

const COUNTS = `query StatusCounts {
  all: orders(first: 0) { totalCount }
  ${STATUSES.map((s) => `${s}: orders(filter: {status: [${s}]}, first: 0) { totalCount }`).join("\n  ")}
}`;

export function mount(root, {api, feed, alerts, socket}) {
  const counts = el("div", {class: "counts"}, state("loading", "Counting orders…"));
  const list = el("ol", {class: "feed", id: "feed-list", "aria-live": "polite"});
  const notice = el("div");
  const alertList = el("ul", {class: "alerts", id: "alert-list", "aria-live": "assertive"});
  const alertCard = el("section", {class: "card", "aria-labelledby": "alerts-title", id: "alerts"},
    el("h2", {id: "alerts-title"}, "Alerts"), alertList);
  replace(root, alertCard,
    el("div", {class: "grid two"},
      el("section", {class: "card", "aria-labelledby": "counts-title"},
        el("h2", {id: "counts-title"}, "Orders by status"), counts),
      el("section", {class: "card", "aria-labelledby": "feed-title"},
        el("h2", {id: "feed-title"}, "Live order events"), notice, list)));

  const loadCounts = async () => {
    try {
      replace(counts, statusBars(await api.query(COUNTS)));
    } catch (error) {
      replace(counts, state("error", `Counts unavailable: ${error.message}`));
    }
  };
  const refreshCounts = coalesce(loadCounts, 300);
  const render = () => {
    replace(notice, feed.error ? state("error", `The feed stopped: ${feed.error.message}`) : null,
      feed.gap ? state("empty", "The connection was away longer than the server keeps events: some "
        + "were not replayed, and the feed goes on from when it came back.") : null);
    if (!feed.events.length) {
      replace(list, el("li", {class: "state state-empty"}, "No order events yet: they appear here as they happen."));
      return;
    }
    replace(list, feed.events.map(eventItem));
  };
  const renderAlerts = () => {
    alertCard.hidden = alerts.unavailable;
    replace(alertList, alerts.items.length ? alerts.items.map(alertItem)
      : el("li", {class: "state state-empty"}, "No alerts: disabled webhook endpoints show here."));
  };
  loadCounts();
  render();
  renderAlerts();
  const stopAlerts = alerts.listen(renderAlerts);
  const stopListening = feed.listen(() => { render(); refreshCounts(); });
  const stopStatus = socket.watchStatus(({state: now}) => { if (now === "live") refreshCounts(); });
  return () => { stopListening(); stopAlerts(); stopStatus(); refreshCounts.cancel(); };
}

function statusBars(data) {
  const rows = STATUSES.filter((s) => data[s].totalCount > 0)
    .map((s) => ({label: s, value: data[s].totalCount, className: `bar status-${s.toLowerCase()}`}));
  return el("div", {},
    el("p", {class: "figure"}, el("strong", {"data-figure": "orders-total"}, format.int(data.all.totalCount)), " orders"),
    rows.length ? barList({rows, title: "Orders per current status"}) : state("empty", "No orders yet."),
    el("dl", {class: "status-counts"}, rows.map((r) => [el("dt", {}, r.label),
      el("dd", {"data-status": r.label}, format.int(r.value))])));
}

function alertItem(alert) {
  return el("li", {class: "alert-item", dataset: {endpointId: alert.endpointId}},
    el("span", {class: "pill status-cancelled"}, alert.type),
    el("span", {}, alert.url),
    el("span", {class: "message"}, alert.reason),
    el("time", {datetime: alert.at}, format.time(alert.at)));
}

function eventItem({event, order}) {
  return el("li", {class: "feed-item", dataset: {eventId: event.id, orderId: order.id}},
    el("a", {href: `#/orders/${encodeURIComponent(order.id)}`, class: "order-link"}, order.number),
    el("span", {class: "event-type"}, event.type),
    el("span", {class: `pill status-${event.status.toLowerCase()}`}, event.status),
    el("span", {class: "muted"}, order.channel.code),
    el("span", {class: "muted"}, format.money(order.total)),
    el("time", {datetime: event.at}, format.time(event.at)),
    event.message ? el("span", {class: "message"}, event.message) : null);
}
