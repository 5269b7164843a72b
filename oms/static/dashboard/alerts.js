// Operations alerts for the whole page: webhook endpoints the server disabled after too many
// failed attempts (`webhookAlerts`), newest first. A token without the webhooks scope is
// refused the subscription: the alerts are then simply not shown.

const ALERTS = `subscription WebhookAlerts {
  webhookAlerts { type endpointId url reason consecutiveFailures at }
}`;

const KEEP = 50;

export class Alerts {
  constructor(socket) {
    this.items = [];
    this.unavailable = false;
    this.listeners = new Set();
    this.stop = socket.subscribe({
      query: ALERTS,
      next: (data) => this.received(data.webhookAlerts),
      error: (error) => this.failed(error),
    });
  }

  received(alert) {
    this.items.unshift(alert);
    this.items.length = Math.min(this.items.length, KEEP);
    this.notify();
  }

  failed(error) {
    this.unavailable = error.code === "FORBIDDEN";
    this.notify();
  }

  listen(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  notify() {
    for (const fn of this.listeners) fn();
  }

  close() {
    this.stop();
    this.listeners.clear();
  }
}
