"""A TCP forwarder a test puts between a server and PostgreSQL (or Redis), to fail the link.

- `cut()`: every open connection is closed and new ones are refused (the port stops
  listening), as a database restart looks from the application's side;
- `hold()`: what clients send is kept, not forwarded (answers to what went before still
  come back), as a stalled link looks: nothing fails, nothing moves;
- `restore()`: connections are accepted and forwarded again (a held link flows on).
"""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

CHUNK = 65536


class TcpProxy:
    """A forwarder on a free local port to `upstream_host:upstream_port`."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.Task[None]] = set()
        self._pumps: set[asyncio.Task[None]] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    def route(self, url: str) -> str:
        """`url` (postgres://, redis://) through this proxy instead of straight upstream."""
        parts = urlsplit(url)
        user = parts.netloc.rpartition("@")[0]
        netloc = f"{user}@127.0.0.1:{self.port}" if user else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    async def cut(self) -> None:
        """Refuse new connections and close every open one."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for pump in list(self._pumps):
            pump.cancel()
        await asyncio.gather(*self._links, return_exceptions=True)

    def hold(self) -> None:
        """Stop forwarding what clients send (connections stay open)."""
        self._flowing.clear()

    async def restore(self) -> None:
        """Listen again on the same port and let held data flow."""
        self._flowing.set()
        if self._server is None:
            await self.start()

    async def close(self) -> None:
        """Let held data go and close everything."""
        self._flowing.set()
        await self.cut()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        link = asyncio.current_task()
        assert link is not None
        self._links.add(link)
        pumps = {asyncio.ensure_future(self._pump(reader, up_writer, held=True)),
                 asyncio.ensure_future(self._pump(up_reader, writer, held=False))}
        self._pumps |= pumps
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            for end in (writer, up_writer):
                end.transport.abort()
            self._pumps -= pumps
            self._links.discard(link)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    held: bool) -> None:
        while data := await reader.read(CHUNK):
            if held:
                await self._flowing.wait()
            writer.write(data)
            await writer.drain()


@contextlib.asynccontextmanager
async def proxy_for(url: str) -> AsyncIterator[TcpProxy]:
    """A proxy to the host and port of `url` for the block (`proxy.route(url)` goes through it)."""
    parts = urlsplit(url)
    assert parts.hostname and parts.port, f"{url}: needs a host and a port"
    proxy = TcpProxy(parts.hostname, parts.port)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.close()
