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
