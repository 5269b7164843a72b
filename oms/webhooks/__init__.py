"""Signed webhooks made from the outbox.

- `events`: which committed outbox events mean which `WebhookEventType`, and their bodies.
- `endpoints`: endpoints as an admin edits them (URL checks in `destinations`).
- `fanout`: in the relay's transaction, one `WebhookDelivery` per event and matching endpoint.
- `claims`, `sender`, `outcomes`: each process sends due deliveries (claimed, so never by two
  processes at once), one at a time per endpoint, and records what came of it.
"""
