// GraphQL over HTTP (fetch) and over websockets (graphql-transport-ws), with a bearer token.

export class GraphQLError extends Error {
  constructor(errors, data = null) {
    super(errors.map((e) => e.message).join("; "));
    this.errors = errors;
    this.data = data;
    this.code = errors[0]?.extensions?.code || "ERROR";
  }
}

function failure(code, message) {
  return new GraphQLError([{message, extensions: {code}}]);
}

/** Queries over HTTP; an UNAUTHENTICATED answer also calls `onUnauthenticated`. */
export class HttpClient {
  constructor(url, token, onUnauthenticated) {
    this.url = url;
    this.token = token;
    this.onUnauthenticated = onUnauthenticated;
  }

  async query(query, variables = {}) {
    let response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: {"Content-Type": "application/json", Authorization: `Bearer ${this.token}`},
        body: JSON.stringify({query, variables}),
      });
    } catch (exc) {
      throw failure("NETWORK", `the server did not answer (${exc.message})`);
    }
    let body;
    try {
      body = await response.json();
    } catch {
      throw failure(`HTTP_${response.status}`, `the server answered HTTP ${response.status}`);
    }
    if (body.errors?.length) {
      const error = new GraphQLError(body.errors, body.data);
      if (error.code === "UNAUTHENTICATED") this.onUnauthenticated?.(error);
      throw error;
    }
    return body.data;
  }
}

const PROTOCOL = "graphql-transport-ws";
const CLOSED_FOR_TOKEN = 4403;
const PING_EVERY_MS = 5000;
const SILENT_LIMIT_MS = 25000;

/** Wait before reconnect attempt `n` (0, 1, ...): 0.25 s doubling up to 5 s, with jitter. */
export function backoff(attempt) {
  const base = Math.min(5000, 250 * 2 ** attempt);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/**
 * One websocket carrying any number of subscriptions, reconnecting with backoff.
 * `onStatus({state, retryInMs})`: connecting | live | reconnecting | refused.
 * A subscription's `variables()` is asked again each time it is (re)sent, so it can pass
 * `after:` the last thing it received; errors whose code is in `retryOn` resubscribe.
 */
export class LiveSocket {
  constructor(url, token, {onStatus, onRefused} = {}) {
    this.url = url;
    this.token = token;
    this.statusWatchers = new Set(onStatus ? [onStatus] : []);
    this.onRefused = onRefused || (() => {});
    this.subscriptions = new Set();
    this.running = new Map(); // message id -> subscription
    this.nextId = 1;
    this.attempt = 0;
    this.acked = false;
    this.stopped = false;
    this.ws = null;
    this.timers = new Set();
    this.connect();
  }

  subscribe({query, variables = () => ({}), next, error, retryOn = ["SUBSCRIBER_TOO_SLOW"]}) {
    const sub = {query, variables, next, error, retryOn, id: null};
    this.subscriptions.add(sub);
    if (this.acked) this.send(sub);
    return () => this.unsubscribe(sub);
  }

  /** Call `fn({state, retryInMs})` on every change of the connection's state. */
  watchStatus(fn) {
    this.statusWatchers.add(fn);
    return () => this.statusWatchers.delete(fn);
  }

  status(change) {
    this.state = change.state;
    for (const fn of this.statusWatchers) fn(change);
  }

  unsubscribe(sub) {
    this.subscriptions.delete(sub);
    if (sub.id !== null && this.running.delete(sub.id) && this.acked) {
      this.ws.send(JSON.stringify({id: sub.id, type: "complete"}));
    }
    sub.id = null;
  }

  close() {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    clearInterval(this.heartbeat);
    this.ws?.close(1000, "bye");
  }

  later(fn, ms) {
    const timer = setTimeout(() => { this.timers.delete(timer); fn(); }, ms);
    this.timers.add(timer);
  }

  connect() {
    this.status({state: this.attempt === 0 ? "connecting" : "reconnecting"});
    const ws = new WebSocket(this.url, PROTOCOL);
    this.ws = ws;
    this.lastHeard = Date.now();
    ws.onopen = () => ws.send(JSON.stringify({
      type: "connection_init", payload: {authorization: `Bearer ${this.token}`},
    }));
    ws.onmessage = (event) => this.receive(JSON.parse(event.data));
    ws.onclose = (event) => this.closed(ws, event);
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => this.beat(ws), PING_EVERY_MS);
  }

  beat(ws) {
    if (ws !== this.ws || ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastHeard > SILENT_LIMIT_MS) ws.close(4000, "no answer");
    else ws.send(JSON.stringify({type: "ping"}));
  }

  closed(ws, event) {
    if (ws !== this.ws || this.stopped) return;
    this.acked = false;
    this.running.clear();
    for (const sub of this.subscriptions) sub.id = null;
    if (event.code === CLOSED_FOR_TOKEN) {
      this.stopped = true;
      clearInterval(this.heartbeat);
      this.status({state: "refused"});
      this.onRefused(event.reason || "the token was refused");
      return;
    }
    const wait = backoff(this.attempt++);
    this.status({state: "reconnecting", retryInMs: wait});
    this.later(() => this.connect(), wait);
  }

  receive(message) {
    this.lastHeard = Date.now();
    const sub = message.id ? this.running.get(message.id) : null;
    switch (message.type) {
      case "connection_ack":
        this.acked = true;
        this.attempt = 0;
        this.status({state: "live"});
        for (const each of this.subscriptions) this.send(each);
        break;
      case "ping":
        this.ws.send(JSON.stringify({type: "pong"}));
        break;
      case "next":
        sub?.next(message.payload.data, message.payload.errors);
        break;
      case "error":
        if (sub) this.failed(sub, new GraphQLError(message.payload));
        break;
      case "complete":
        if (sub) { this.running.delete(sub.id); sub.id = null; }
        break;
    }
  }

  failed(sub, error) {
    this.running.delete(sub.id);
    sub.id = null;
    if (sub.retryOn.includes(error.code)) {
      this.later(() => { if (this.subscriptions.has(sub) && this.acked && sub.id === null) this.send(sub); },
        backoff(0));
    } else {
      this.subscriptions.delete(sub);
      sub.error?.(error);
    }
  }

  send(sub) {
    sub.id = String(this.nextId++);
    this.running.set(sub.id, sub);
    this.ws.send(JSON.stringify({
      id: sub.id, type: "subscribe", payload: {query: sub.query, variables: sub.variables()},
    }));
  }
}
