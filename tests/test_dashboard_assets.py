"""The dashboard as files, without a browser: /dashboard and every module it imports are
served by the app (with a policy that lets the page reach this server only), all written
here (no URL of another host in them), and no module writes markup from strings."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import urljoin

import httpx
import pytest

from oms.app import DASHBOARD_ASSETS
from oms.config import Settings
from tests.helpers import app_client

IMPORT = re.compile(r"""(?:^|\n)\s*import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["']""")
JS_TYPES = ("text/javascript", "application/javascript")
MARKUP = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(")
REFERENCE = re.compile(r"""(?:src|href)="([^"#][^"]*)\"""")


@pytest.fixture
async def http(database: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(database) as client:
        yield client


async def test_the_page_and_every_module_it_imports_are_served_here(http: httpx.AsyncClient) -> None:
    page = await http.get("/dashboard")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "connect-src 'self'" in policy and "script-src 'self'" in policy
    pending = [urljoin("http://oms.test/dashboard", ref) for ref in REFERENCE.findall(page.text)]
    fetched: set[str] = set()
    while pending:
        url = pending.pop()
        if url in fetched or url.startswith("data:"):
            continue
        fetched.add(url)
        answer = await http.get(url)
        assert answer.status_code == 200, url
        if url.endswith(".js"):
            assert answer.headers["content-type"].split(";")[0] in JS_TYPES
            pending += [urljoin(url, spec) for spec in IMPORT.findall(answer.text)]
    served = {url.removeprefix("http://oms.test/static/dashboard/") for url in fetched if url.endswith(".js")}
    on_disk = {str(p.relative_to(DASHBOARD_ASSETS)) for p in DASHBOARD_ASSETS.rglob("*.js")}
    assert served == on_disk  # every module is reachable from the page, none is left over


@pytest.mark.no_database
def test_the_files_name_no_other_host_and_build_no_markup_from_strings() -> None:
    for path in DASHBOARD_ASSETS.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert re.findall(r"\b(?:https?|wss?)://(?!www\.w3\.org/2000/svg)", text) == [], path
            assert not MARKUP.search(text), path
