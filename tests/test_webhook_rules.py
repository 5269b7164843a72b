"""The pure parts of webhooks: which outbox events mean which webhook events, the retry
schedule the README documents, URL checks and the signature."""
from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import orjson
import pytest

from oms.config import Settings
from oms.events import topics
from oms.webhooks import schedule, signing
from oms.webhooks.destinations import is_private, url_problem
from oms.webhooks.events import events_of, types_of

pytestmark = pytest.mark.no_database


def order_event(type: str, previous: str | None = None) -> dict[str, object]:
    return topics.order_event("o1", 7, "web", None, type, "SHIPPED", None, None,
                              datetime(2026, 1, 1, tzinfo=UTC), previous)


@pytest.mark.parametrize(("type", "previous", "expected"), [
    ("ORDER_CREATED", None, ["ORDER_CREATED"]),
    ("ORDER_CREATED", "CREATED", ["ORDER_CREATED"]),
    ("ALLOCATED", None, []),
    ("FULFILLMENT_ACCEPTED", "ALLOCATED", ["ORDER_STATUS_CHANGED"]),
    ("FULFILLMENT_SHIPPED", None, ["FULFILLMENT_SHIPPED"]),
    ("FULFILLMENT_SHIPPED", "IN_FULFILLMENT", ["FULFILLMENT_SHIPPED", "ORDER_STATUS_CHANGED"]),
    ("FULFILLMENT_DELIVERED", None, ["FULFILLMENT_DELIVERED"]),
    ("PICKED_UP", None, ["FULFILLMENT_DELIVERED"]),
    ("CANCELLED", "ALLOCATED", ["ORDER_CANCELLED", "ORDER_STATUS_CHANGED"]),
    ("LINES_CANCELLED", None, []),
    ("RETURN_REQUESTED", None, ["RETURN_REQUESTED"]),
    ("RETURN_RECEIVED", None, ["RETURN_RECEIVED"]),
    ("REFUNDED", None, ["REFUND_ISSUED"]),
])
def test_order_history_entries_map_to_webhook_events(type: str, previous: str | None,
                                                     expected: list[str]) -> None:
    assert types_of(topics.ORDER_EVENT, order_event(type, previous)) == expected


def test_other_topics_map_one_to_one_and_internal_ones_to_nothing() -> None:
    assert types_of(topics.STOCK_CHANGED, {"skus": ["A"]}) == ["STOCK_CHANGED"]
    assert types_of(topics.FULFILLMENT_CREATED, {}) == ["FULFILLMENT_CREATED"]
    assert types_of("stock.low", {}) == ["STOCK_LOW"]
    assert types_of("reservation.expired", {}) == ["RESERVATION_EXPIRED"]
    for internal in (topics.TOKEN_REVOKED, "routing_rule.changed", "node.changed",
                     topics.WEBHOOK_ENDPOINT_DISABLED):
        assert types_of(internal, {}) == []


def test_each_webhook_event_of_a_row_has_its_own_stable_id_and_the_contract_body() -> None:
    at = datetime(2026, 3, 1, 10, tzinfo=UTC)
    shipped, changed = events_of(41, topics.ORDER_EVENT,
                                 order_event("FULFILLMENT_SHIPPED", "IN_FULFILLMENT"), at)
    assert (shipped.id, changed.id) == ("evt_41_fulfillment_shipped", "evt_41_order_status_changed")
    assert events_of(41, topics.ORDER_EVENT, order_event("FULFILLMENT_SHIPPED", "x"), at)[0].id \
        == shipped.id
    body = orjson.loads(changed.body())
    assert body == {"id": changed.id, "type": "ORDER_STATUS_CHANGED",
                    "createdAt": "2026-03-01T10:00:00+00:00",
                    "data": {"orderId": "o1", "channel": "web", "customerRef": None,
                             "status": "SHIPPED", "previousStatus": "IN_FULFILLMENT"}}
    (stock,) = events_of(42, topics.STOCK_CHANGED, {"skus": ["A"]}, at)
    assert stock.channel is None


def test_the_default_schedule_spans_about_a_day() -> None:
    defaults = Settings()
    delays = [schedule.nominal_delay(defaults.webhook_retry_base_seconds, k)
              for k in range(1, defaults.webhook_max_attempts)]
    assert delays[:9] == [30, 60, 120, 240, 480, 960, 1920, 3840, 7680]
    assert delays[9:] == [15360] * 4
    assert 20 * 3600 < sum(delays) < 22 * 3600
    assert sum(delays) * (1 + schedule.JITTER) < 27 * 3600
    for k in range(1, 15):
        assert schedule.nominal_delay(2, k) <= schedule.retry_delay(2, k) <= \
            schedule.nominal_delay(2, k) * (1 + schedule.JITTER)


@pytest.mark.parametrize(("url", "problem"), [
    ("https://erp.example.com/hooks", None), ("http://93.184.215.14:8080/x", None),
    ("ftp://example.com/", "http"), ("mailto:x@example.com", "http"), ("//example.com", "http"),
    ("http://", "no host"), ("http://a:b@example.com/", "credentials"),
    ("http://example.com:99999/", "not a URL"),
])
def test_url_checks(url: str, problem: str | None) -> None:
    found = url_problem(url)
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize(("address", "private"), [
    ("127.0.0.1", True), ("10.0.0.1", True), ("172.16.5.4", True), ("192.168.1.1", True),
    ("169.254.169.254", True), ("0.0.0.0", True), ("100.64.0.1", True), ("::1", True),
    ("fe80::1", True), ("fd00::1", True), ("::ffff:10.0.0.1", True), ("224.0.0.1", True),
    ("93.184.215.14", False), ("2606:4700::1111", False),
])
def test_private_addresses(address: str, private: bool) -> None:
    assert is_private(address) is private


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    headers = signing.headers("whsec_x", "evt_1_order_created", 1_700_000_000, '{"a":1}')
    assert headers["OMS-Webhook-Signature"] == \
        "v1=" + hmac.new(b"whsec_x", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert signing.verify("whsec_x", "1700000000", b'{"a":1}', headers["OMS-Webhook-Signature"])
    assert not signing.verify("whsec_y", "1700000000", b'{"a":1}', headers["OMS-Webhook-Signature"])
