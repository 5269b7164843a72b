// KPIs of a window and channel (orderMetrics), with the orders per bucket as a bar series.

import {el, field, format, replace, select, state} from "../dom.js";
import {barList, seriesChart} from "../svgplot.js";

const HOUR = 3600 * 1000;
// window -> [buckets, bucket length, label of the series, how to name a bucket]
const WINDOWS = {
  "24h": [24, HOUR, "Orders per hour", (d) => `${String(d.getHours()).padStart(2, "0")}h`],
  "7d": [28, 6 * HOUR, "Orders per 6 hours", (d) => `${d.getDate()}/${d.getMonth() + 1}`],
  "30d": [30, 24 * HOUR, "Orders per day", (d) => `${d.getDate()}/${d.getMonth() + 1}`],
};
const REFRESH_MS = 30000;

const KPIS = `query Kpis($from: DateTime!, $to: DateTime!, $channel: String, $buckets: Int!) {
  orderMetrics(from: $from, to: $to, channel: $channel) {
    ordersOverTime(buckets: $buckets) { from orders }
    orders units revenue { amount currency } byStatus { status count }
    fillRate splitRate backorderRate cancellationRate returnRate
    meanShippingDistanceKm meanHoursToShip topReturnReasons(first: 5) { reason count }
  }
}`;

export function mount(root, {api, channels}) {
  const windowSelect = select("window", [["24h", "last 24 hours"], ["7d", "last 7 days"], ["30d", "last 30 days"]], "24h");
  const channelSelect = select("channel", [["", "every channel"], ...channels.map((c) => [c.code, c.name])], "");
  const refresh = el("button", {type: "button"}, "Refresh");
  const body = el("div", {class: "kpi-body"}, state("loading", "Loading KPIs…"));
  replace(root, el("section", {class: "card"},
    el("h2", {}, "KPIs"),
    el("div", {class: "controls"}, field("Window", windowSelect), field("Channel", channelSelect), refresh),
    body));
  let generation = 0;
  const load = async () => {
    const mine = ++generation;
    const [buckets, size, title, label] = WINDOWS[windowSelect.value];
    const to = Math.ceil(Date.now() / size) * size;
    const from = to - buckets * size;
    const channel = channelSelect.value || null;
    try {
      const kpis = await api.query(KPIS, {from: new Date(from).toISOString(),
        to: new Date(to).toISOString(), channel, buckets});
      if (mine !== generation) return;
      const points = kpis.orderMetrics.ordersOverTime.map((bucket) => ({
        label: label(new Date(bucket.from)), value: bucket.orders}));
      replace(body, render(kpis.orderMetrics, seriesChart({points, title, labelEvery: Math.ceil(buckets / 8)})));
    } catch (error) {
      if (mine === generation) replace(body, state("error", `KPIs unavailable: ${error.message}`));
    }
  };
  for (const control of [windowSelect, channelSelect]) control.addEventListener("change", load);
  refresh.addEventListener("click", load);
  load();
  const timer = setInterval(load, REFRESH_MS);
  return () => clearInterval(timer);
}

function card(label, value, name) {
  return el("div", {class: "figure-card"}, el("span", {class: "label"}, label),
    el("strong", {"data-figure": name}, value));
}

function render(m, series) {
  const rates = [["fill rate", m.fillRate], ["split rate", m.splitRate], ["backorder rate", m.backorderRate],
    ["cancellation rate", m.cancellationRate], ["return rate", m.returnRate]];
  return el("div", {},
    el("div", {class: "figures"},
      card("orders", format.int(m.orders), "orders"),
      card("units", format.int(m.units), "units"),
      card("revenue", m.revenue.length ? m.revenue.map(format.money).join(" · ") : "–", "revenue"),
      ...rates.map(([label, value]) => card(label, format.pct(value), label.replace(" ", "-"))),
      card("mean shipping distance", format.num(m.meanShippingDistanceKm, " km"), "distance"),
      card("mean hours to ship", format.num(m.meanHoursToShip, " h"), "hours-to-ship")),
    m.orders === 0 ? state("empty", "No orders were placed in this window.") : null,
    el("div", {class: "grid two"},
      series,
      barList({rows: rates.map(([label, value]) => ({label, value, text: format.pct(value)})), max: 1,
        title: "Rates (share of orders or units)"}),
      m.byStatus.length ? barList({title: "Orders of the window per current status",
        rows: m.byStatus.map((s) => ({label: s.status, value: s.count, className: `bar status-${s.status.toLowerCase()}`}))})
        : null,
      m.topReturnReasons.length ? barList({title: "Top return reasons (units)",
        rows: m.topReturnReasons.map((r) => ({label: r.reason, value: r.count}))})
        : state("empty", "No returns in this window.")));
}
