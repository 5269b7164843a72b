"""GraphiQL works without the internet: the page the browser gets at /graphql references only
scripts and styles this server serves (no CDN), keeps the examples and the demo token, and its
bundle speaks graphql-transport-ws for subscriptions."""
from __future__ import annotations

from collections.abc import AsyncIterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from oms.app import GRAPHIQL_ASSETS, GRAPHIQL_ASSETS_URL, create_app
from oms.config import Settings
from resolvers.examples import EXAMPLES

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CONTENT_TYPES = {"script": ("text/javascript", "application/javascript"), "stylesheet": ("text/css",)}


class References(HTMLParser):
    """Every URL the page makes the browser fetch: scripts, stylesheets, icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.found.append(("script", str(values["src"])))
        elif tag == "link" and values.get("href"):
            self.found.append((str(values.get("rel")), str(values["href"])))
        elif tag in ("img", "iframe", "source") and values.get("src"):
            self.found.append((tag, str(values["src"])))


@pytest.fixture
async def browser(database: Settings, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setenv("OMS_GRAPHIQL_TOKEN", "demo-secret-123")
    app = create_app(database, manage_db=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as http:
            yield http


async def page_references(http: httpx.AsyncClient) -> tuple[str, list[tuple[str, str]]]:
    page = await http.get("/graphql", headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    parser = References()
    parser.feed(page.text)
    return page.text, parser.found


async def test_every_script_and_stylesheet_is_served_here(browser: httpx.AsyncClient) -> None:
    html, references = await page_references(browser)
    kinds = [kind for kind, _ in references]
    assert kinds.count("script") >= 3 and kinds.count("stylesheet") >= 1
    for kind, url in references:
        if url.startswith("data:"):
            continue
        target = urlsplit(urljoin("http://oms.test/graphql", url))
        assert target.netloc == "oms.test", f"{url} is fetched from another host"
        assert target.path.startswith(GRAPHIQL_ASSETS_URL + "/")
        response = await browser.get(url)
        assert response.status_code == 200, url
        content_type = response.headers["content-type"].split(";")[0]
        assert content_type in CONTENT_TYPES[kind], (url, content_type)
    assert "https://" not in html and "http://" not in html


async def test_the_page_keeps_the_examples_and_the_demo_token(browser: httpx.AsyncClient) -> None:
    html, _ = await page_references(browser)
    assert "query Availability" in html and EXAMPLES.splitlines()[0][:40] in html
    assert "Bearer demo-secret-123" in html


async def test_the_bundle_runs_subscriptions_over_graphql_transport_ws() -> None:
    bundle = (GRAPHIQL_ASSETS / "graphiql" / "graphiql.min.js").read_text(encoding="utf-8")
    # createFetcher (from @graphiql/toolkit) opens graphql-ws's client for subscriptions.
    assert "graphql-transport-ws" in bundle and "createWebsocketsFetcherFromUrl" in bundle


def test_each_bundled_package_keeps_its_license() -> None:
    for package in ("react", "react-dom", "graphiql", "@graphiql/plugin-explorer"):
        assert (GRAPHIQL_ASSETS / package / "LICENSE").read_text().strip(), package
    assert "graphiql@" in (GRAPHIQL_ASSETS / "THIRD-PARTY-NOTICES.txt").read_text()
