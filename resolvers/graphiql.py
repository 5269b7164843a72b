"""The GraphiQL page: Strawberry's, served whole by this server (no CDN), with our examples
and, for the demo, a token in the headers editor."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from oms.app import GRAPHIQL_ASSETS_URL

TEMPLATE = Path(__file__).resolve().parent / "graphiql.html"


def graphiql_page(examples: str, token: str | None = None) -> str:
    """The page's HTML; its scripts and styles come from `GRAPHIQL_ASSETS_URL`."""
    headers = json.dumps({"Authorization": f"Bearer {token}"}, indent=2) if token else None
    return (_template()
            .replace("{{ASSETS}}", GRAPHIQL_ASSETS_URL)
            .replace("{{EXAMPLES}}", _script_literal(examples))
            .replace("{{HEADERS}}", _script_literal(headers)))


@cache
def _template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


def _script_literal(value: object) -> str:
    """`value` as a JavaScript literal that cannot close the <script> it is written in."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
