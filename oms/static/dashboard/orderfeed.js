// The live order feed: one `orderEvents` subscription for the whole page, kept across views.
// After a lost connection (or SUBSCRIBER_TOO_SLOW) it resubscribes with `after:` the cursor of
// the last update received, so the server replays what was missed; event ids drop repeats.
// A cursor older than the server keeps (CURSOR_EXPIRED) restarts the feed from now, saying so.

const UPDATE_FIELDS = `
  event { id type status message at }
  order { id number status channel { code } total { amount currency } }`;

const FEED = `subscription OrderFeed($after: String) {
  orderEvents(after: $after) { cursor ${UPDATE_FIELDS} }
}`;

const KEEP = 200;
const REMEMBER_IDS = 5000;

export class OrderFeed {
  constructor(socket) {
    this.socket = socket;
    this.events = []; // newest first: {event, order}
    this.seen = new Set();
    this.cursor = null;
    this.error = null;
    this.gap = false; // events were lost between two updates shown (an expired cursor)
    this.listeners = new Set();
    this.start();
  }

  start() {
    this.stop = this.socket.subscribe({
      query: FEED,
      variables: () => (this.cursor ? {after: this.cursor} : {}),
      next: (data) => this.received(data.orderEvents),
      error: (error) => this.failed(error),
    });
  }

  received(update) {
    this.cursor = update.cursor;
    if (this.seen.has(update.event.id)) return;
    this.remember(update.event.id);
    this.events.unshift(update);
    this.events.length = Math.min(this.events.length, KEEP);
    this.error = null;
    this.notify(update);
  }

  remember(id) {
    this.seen.add(id);
    if (this.seen.size > REMEMBER_IDS) this.seen.delete(this.seen.values().next().value);
  }

  failed(error) {
    if (error.code === "CURSOR_EXPIRED") {
      this.cursor = null;
      this.gap = true;
      this.start();
    } else {
      this.error = error;
    }
    this.notify(null);
  }

  listen(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  notify(update) {
    for (const fn of this.listeners) fn(update);
  }

  close() {
    this.stop();
    this.listeners.clear();
  }
}
