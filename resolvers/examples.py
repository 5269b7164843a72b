"""Operations preloaded in GraphiQL, so a newcomer can press play."""

EXAMPLES = """# Welcome to the OMS. Set the header Authorization: Bearer <token>
# (the demo prints an admin token and preloads it below). Pick an operation with the play button.

query Availability {
  availability(channel: "web", skus: ["SKU-0001", "SKU-0002"]) {
    sku
    available
    byNode { node { code type } available }
  }
}

query PickupNearMilan {
  availability(channel: "store-pickup", skus: ["SKU-0001"], deliveryMethod: PICKUP_IN_STORE,
               near: {latitude: 45.4642, longitude: 9.19}, limit: 5) {
    available
    byNode { node { code name } available distanceKm }
  }
}

query Nodes {
  nodes { code name type active priority canShip canPickup backlog location { latitude longitude } }
}

query Channels {
  channels { code type currency buffer allocationPercent nodeTypes excludedNodes { code } }
}

# What-if: the week's orders replayed with node priority instead of distance, on the stock each
# order met; nothing is written. Set the window to one where orders were placed.
query WhatIfReplay {
  replaySourcing(input: {from: "2026-03-01T00:00:00Z", to: "2026-03-08T00:00:00Z",
                         rules: [{name: "priority first", rank: 0, weights: {distance: 0, priority: 1}}]}) {
    ordersInWindow
    changedOrders
    actual { fullySourced backorderedUnits shipments meanDistanceKm capacityBreaches }
    replayed { fullySourced backorderedUnits shipments meanDistanceKm capacityBreaches }
    examples(first: 3) {
      order { number }
      actual { node { code } sku quantity }
      replayed { node { code } sku quantity }
    }
  }
}

mutation Receive {
  adjustInventory(adjustments: [{sku: "SKU-0001", nodeCode: "WH-MIL", delta: 10, reason: "PO 4711"}]) {
    updated
    userErrors { code message field }
  }
}

mutation ShipFulfillment {
  shipFulfillment(input: {fulfillmentId: "<from order.fulfillments>", carrier: "BRT",
                          trackingNumber: "BRT-0001"}) {
    fulfillment { status carrier trackingNumber node { code } }
    order { status paymentStatus events { type message } }
    userErrors { code message field }
  }
}

mutation ReturnInStore {
  requestReturn(input: {orderId: "<order id>", channel: "store-pickup",
                        lines: [{orderLineId: "<order line id>", quantity: 1, reason: "too small"}]}) {
    return { id number status }
    userErrors { code message field }
  }
}
"""
