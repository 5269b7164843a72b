"""The delivery workflow: the one table, and the only writers of `WebhookDelivery.status`.

PENDING -> DELIVERED (a 2xx answer) | RETRYING (failed, due again) | FAILED (the last attempt
failed, or the endpoint was disabled); RETRYING likewise; DELIVERED and FAILED -> PENDING
(`redeliverWebhook`).
"""
from __future__ import annotations

from oms.enums import WebhookDeliveryStatus as DS
from oms.workflow import Workflow

DELIVERY = Workflow("webhook delivery", DS.PENDING, {
    DS.PENDING: frozenset({DS.DELIVERED, DS.RETRYING, DS.FAILED}),
    DS.RETRYING: frozenset({DS.DELIVERED, DS.RETRYING, DS.FAILED}),
    DS.DELIVERED: frozenset({DS.PENDING}),
    DS.FAILED: frozenset({DS.PENDING}),
})
OPEN = (DS.PENDING, DS.RETRYING)
"Waiting for an attempt."
