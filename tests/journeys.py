"""GraphQL operations for fulfillment, cancellation and return journeys, and their checks."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.order_helpers import ORDER_FIELDS, place

JOURNEY_ORDER = ORDER_FIELDS.replace(
    "shippedQuantity cancelledQuantity",
    "shippedQuantity deliveredQuantity cancelledQuantity returnedQuantity",
).replace("fulfillments { id status", "fulfillments { id status carrier trackingNumber")
FULFILLMENT_PAYLOAD = """
  fulfillment { id status carrier trackingNumber node { code } lines { sku quantity } }
  order { @ }
  userErrors { code message field }
""".replace("@", JOURNEY_ORDER)
STEPS = {
    "accept": "acceptFulfillment", "pick": "markPicked", "pack": "markPacked",
    "ready": "markReadyForPickup", "deliver": "markDelivered", "pickedUp": "markPickedUp",
}
CANCEL = """
mutation($input: CancelOrderInput!) {
  cancelOrder(input: $input) { order { @ } userErrors { code message field } }
}""".replace("@", JOURNEY_ORDER)
ORDER = "query($id: ID!) { order(id: $id) { @ } }".replace("@", JOURNEY_ORDER)
RETURN_FIELDS = """
  id number status refund { amount currency } receivedAt { code } createdAt
  order { id status paymentStatus lines { sku returnedQuantity } }
  lines { sku quantity reason disposition orderLine { id sku } }
"""
REQUEST_RETURN = """
mutation($input: RequestReturnInput!) {
  requestReturn(input: $input) { return { @ } userErrors { code message field } }
}""".replace("@", RETURN_FIELDS)
RECEIVE_RETURN = """
mutation($input: ReceiveReturnInput!) {
  receiveReturn(input: $input) { return { @ } userErrors { code message field } }
}""".replace("@", RETURN_FIELDS)
REFUND_RETURN = """
mutation($id: ID!) {
  refundReturn(returnId: $id) { return { @ } userErrors { code message field } }
}""".replace("@", RETURN_FIELDS)
RETURN = "query($id: ID!) { return(id: $id) { @ } }".replace("@", RETURN_FIELDS)


async def place_paid(api: Any, *lines: tuple[str, int], price: str = "10.00",
                     **extra: Any) -> dict[str, Any]:
    """Place an order carrying an authorized payment for its total; returns it."""
    total = sum(qty for _, qty in lines) * Decimal(price)
    payment = {"reference": "psp-1", "amount": {"amount": f"{total:.2f}", "currency": "EUR"}}
    return await place(api, *lines, price=price, payment=payment, **extra)


async def step(api: Any, name: str, fulfillment_id: str) -> dict[str, Any]:
    """Run one node step (accept, pick, pack, ready, deliver, pickedUp); returns the payload."""
    field = STEPS[name]
    data = await api("mutation($id: ID!) { " + field + "(fulfillmentId: $id) { "
                     + FULFILLMENT_PAYLOAD + " } }", {"id": fulfillment_id})
    return data[field]


async def ship(api: Any, fulfillment_id: str, carrier: str = "BRT",
               tracking: str = "TRK-1") -> dict[str, Any]:
    data = await api("mutation($input: ShipFulfillmentInput!) { shipFulfillment(input: $input) "
                     "{ " + FULFILLMENT_PAYLOAD + " } }",
                     {"input": {"fulfillmentId": fulfillment_id, "carrier": carrier,
                                "trackingNumber": tracking}})
    return data["shipFulfillment"]


async def reject(api: Any, fulfillment_id: str, reason: str) -> dict[str, Any]:
    data = await api("mutation($id: ID!, $reason: String!) { rejectFulfillment("
                     "fulfillmentId: $id, reason: $reason) { " + FULFILLMENT_PAYLOAD + " } }",
                     {"id": fulfillment_id, "reason": reason})
    return data["rejectFulfillment"]


async def ok(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def walk(api: Any, fulfillment_id: str, *names: str) -> dict[str, Any]:
    """Run steps that must all succeed ("ship" ships); returns the last payload."""
    payload: dict[str, Any] = {}
    for name in names:
        payload = await ok(await (ship(api, fulfillment_id) if name == "ship"
                                  else step(api, name, fulfillment_id)))
    return payload


async def cancel(api: Any, order_id: str, reason: str = "customer asked",
                 lines: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"orderId": order_id, "reason": reason}
    if lines is not None:
        body["orderLineIds"] = lines
    return (await api(CANCEL, {"input": body}))["cancelOrder"]


async def order(api: Any, order_id: str) -> dict[str, Any]:
    return (await api(ORDER, {"id": order_id}))["order"]


def events(order_data: dict[str, Any]) -> list[str]:
    return [e["type"] for e in order_data["events"]]


def fulfillment_at(order_data: dict[str, Any], node_code: str,
                   status: str | None = None) -> dict[str, Any]:
    found = [f for f in order_data["fulfillments"] if f["node"]["code"] == node_code
             and (status is None or f["status"] == status)]
    assert len(found) == 1, order_data["fulfillments"]
    return found[0]


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def request_return(api: Any, order_id: str, *lines: tuple[str, int],
                         channel: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"orderId": order_id, "lines": [
        {"orderLineId": line_id, "quantity": qty, "reason": "does not fit"}
        for line_id, qty in lines]}
    if channel:
        body["channel"] = channel
    return (await api(REQUEST_RETURN, {"input": body}))["requestReturn"]


async def receive_return(api: Any, return_id: str, node_code: str,
                         *lines: tuple[str, int, str]) -> dict[str, Any]:
    body = {"returnId": return_id, "nodeCode": node_code, "lines": [
        {"orderLineId": line_id, "quantity": qty, "disposition": disposition}
        for line_id, qty, disposition in lines]}
    return (await api(RECEIVE_RETURN, {"input": body}))["receiveReturn"]


async def refund_return(api: Any, return_id: str) -> dict[str, Any]:
    return (await api(REFUND_RETURN, {"id": return_id}))["refundReturn"]


def line_id(order_data: dict[str, Any], sku: str) -> str:
    return next(line["id"] for line in order_data["lines"] if line["sku"] == sku)
