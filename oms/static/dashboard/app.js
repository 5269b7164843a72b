// The dashboard shell: the token (sessionStorage), the connection indicator and hash routing.

import {el, field, replace, state} from "./dom.js";
import {HttpClient, LiveSocket} from "./graphql.js";
import {Alerts} from "./alerts.js";
import {OrderFeed} from "./orderfeed.js";
import * as feedView from "./views/feed.js";
import * as kpiView from "./views/kpis.js";
import * as nodeView from "./views/nodes.js";
import * as orderView from "./views/order.js";
import * as replayView from "./views/replay.js";
import * as skuView from "./views/sku.js";

const TOKEN_KEY = "oms.dashboard.token";
const HTTP_URL = new URL("/graphql", location.href).href;
const WS_URL = HTTP_URL.replace(/^http/, "ws");
const VIEWS = {feed: feedView, kpis: kpiView, nodes: nodeView, sku: skuView, orders: orderView,
  replay: replayView};
const STATUS_TEXT = {
  offline: "not connected", connecting: "connecting…", live: "live",
  reconnecting: "reconnecting…", refused: "refused",
};

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const connection = document.getElementById("connection");
const signoutButton = document.getElementById("signout");
let session = null;
let unmount = null;

function showStatus({state: name, retryInMs}) {
  connection.dataset.state = name;
  connection.textContent = retryInMs ? `reconnecting in ${Math.ceil(retryInMs / 1000)} s…` : STATUS_TEXT[name];
}

function tokenForm(message) {
  const input = el("input", {type: "password", name: "token", autocomplete: "off", required: true,
    spellcheck: "false", placeholder: "oms_…"});
  const form = el("form", {class: "card sign-in", id: "token-form"},
    el("h2", {}, "Paste an API token"),
    el("p", {}, "A token with orders:read (or admin) shows every view. It is kept in this tab only ",
      "(sessionStorage) and sent to this server alone. The demo prints one when it starts."),
    message ? state("error", message) : null,
    field("API token", input),
    el("button", {type: "submit"}, "Open the dashboard"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    signIn(input.value.trim());
  });
  replace(main, form);
  input.focus();
}

async function signIn(token) {
  replace(main, state("loading", "Checking the token…"));
  const api = new HttpClient(HTTP_URL, token);
  let channels;
  try {
    channels = (await api.query("query DashboardChannels { channels { code name currency } }")).channels;
  } catch (error) {
    const refused = error.code === "UNAUTHENTICATED";
    if (refused) sessionStorage.removeItem(TOKEN_KEY);
    tokenForm(refused ? `The server refused this token (${error.message}). Paste another one.`
      : `Could not check the token: ${error.message}`);
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  api.onUnauthenticated = () => signOut("The server no longer accepts this token. Paste another one.");
  const socket = new LiveSocket(WS_URL, token, {
    onStatus: showStatus,
    onRefused: () => signOut("The live connection refused this token (revoked or expired?). Paste another one."),
  });
  session = {api, socket, feed: new OrderFeed(socket), alerts: new Alerts(socket), channels};
  nav.hidden = false;
  signoutButton.hidden = false;
  route();
}

function signOut(message) {
  unmount?.();
  unmount = null;
  session?.feed.close();
  session?.alerts.close();
  session?.socket.close();
  session = null;
  sessionStorage.removeItem(TOKEN_KEY);
  nav.hidden = true;
  signoutButton.hidden = true;
  showStatus({state: "offline"});
  tokenForm(message);
}

/** "#/orders/abc?x=1" -> {name: "orders", rest: "abc", params} */
function parseHash() {
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  const [name, ...rest] = path.split("/");
  return {name: VIEWS[name] ? name : "feed", rest: decodeURIComponent(rest.join("/")), params: new URLSearchParams(query)};
}

function route() {
  if (!session) return;
  unmount?.();
  const {name, rest, params} = parseHash();
  for (const link of nav.querySelectorAll("a")) {
    if (link.getAttribute("href") === `#/${name}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const container = el("section", {class: "view", id: `view-${name}`});
  replace(main, container);
  unmount = VIEWS[name].mount(container, session, {rest, params});
}

window.addEventListener("hashchange", () => {
  route();
  main.focus({preventScroll: true});
});
signoutButton.addEventListener("click", () => signOut(null));

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) signIn(saved);
else tokenForm(null);
