from __future__ import annotations


async def test_health_and_nodes(api):
    health = await api.client.get("/healthz")
    assert health.status_code == 200 and health.json()["database"] == "ok"
    data = await api("mutation { upsertNode(input: {code: \"WH1\", name: \"Main\", type: WAREHOUSE}) { node { code priority backlog } userErrors { code } } }")
    assert data["upsertNode"] == {"node": {"code": "WH1", "priority": 100, "backlog": 0}, "userErrors": []}
