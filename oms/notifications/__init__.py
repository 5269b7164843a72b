"""Customer notifications: created with the order changes (and restocks) they tell of,
rendered from per-language templates, sent by a pluggable notifier in a background loop.

- `orders`: order events -> notifications, in the change's transaction.
- `back_in_stock`: registrations, and the notices a restock sets off.
- `reminders`: the pickup reminder job.
- `render`, `compose`, `language`: templates, what they are given, which language.
- `notifier`, `email`: the strategy and the built-in SMTP one; `sender`: the loop.
"""
