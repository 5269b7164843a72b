"""Where a webhook may be sent: http(s) only, and no private, loopback or link-local address
unless the deployment allows them (`OMS_WEBHOOK_ALLOW_PRIVATE`: tests, on-premise receivers).

A name is resolved when the endpoint is saved and again before each attempt, so a name
that later points inward is refused too (the attempt fails with the reason).
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

SCHEMES = ("http", "https")


def url_problem(url: str) -> str | None:
    """Why `url` is no webhook URL (None: it is one)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as exc:
        return f"not a URL ({exc})"
    if parts.scheme not in SCHEMES:
        return "the URL must be http:// or https://"
    if not parts.hostname:
        return "the URL names no host"
    if parts.username or parts.password:
        return "the URL must not carry credentials (the signature authenticates deliveries)"
    return None


def is_private(address: str) -> bool:
    """Whether `address` (an IP) is one a public receiver never has."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


async def private_destination(url: str) -> str | None:
    """The private address `url`'s host is or resolves to (None: all public, or the name
    does not resolve now, which the attempt itself will report)."""
    host = urlsplit(url).hostname or ""
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return host
    try:
        return host if is_private(host) else None
    except ValueError:
        pass
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return None
    return next((str(info[4][0]) for info in found if is_private(str(info[4][0]))), None)
