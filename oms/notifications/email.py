"""The built-in notifier: email over SMTP (aiosmtplib) when `OMS_SMTP_URL` is set, else
every message is RECORDED only.

`OMS_SMTP_URL`: `smtp://[user:password@]host[:port]` (plain), `smtp+starttls://...`
(STARTTLS) or `smtps://...` (TLS from the start); `OMS_SMTP_FROM` is the sender address.
"""
from __future__ import annotations

from email.message import EmailMessage
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import aiosmtplib

from oms.enums import NotificationStatus
from oms.notifications.notifier import Message

if TYPE_CHECKING:
    from oms.config import Settings

SMTP_SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
"URL scheme -> default port."
TIMEOUT_SECONDS = 10.0


class EmailNotifier:
    medium = "EMAIL"

    def __init__(self, smtp_url: str | None, sender: str,
                 timeout: float = TIMEOUT_SECONDS) -> None:
        self.smtp_url = smtp_url
        self.sender = sender
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> EmailNotifier:
        return cls(settings.smtp_url, settings.smtp_from)

    async def send(self, message: Message) -> NotificationStatus:
        if not self.smtp_url:
            return NotificationStatus.RECORDED
        url = urlsplit(self.smtp_url)
        await aiosmtplib.send(
            self.email(message), hostname=url.hostname, port=url.port or SMTP_SCHEMES[url.scheme],
            username=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else None,
            use_tls=url.scheme == "smtps", start_tls=url.scheme == "smtp+starttls",
            timeout=self.timeout)
        return NotificationStatus.SENT

    def email(self, message: Message) -> EmailMessage:
        """A multipart/alternative mail: the text part, then the HTML one."""
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail.set_content(message.text)
        mail.add_alternative(message.html, subtype="html")
        mail["Content-Language"] = message.language  # after the content, which clears Content-*
        return mail


def check_smtp_url(url: str) -> str | None:
    """What is wrong with an `OMS_SMTP_URL`, or None."""
    parts = urlsplit(url)
    if parts.scheme not in SMTP_SCHEMES:
        return f"scheme must be one of {', '.join(sorted(SMTP_SCHEMES))}, got {parts.scheme!r}"
    try:
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError as exc:
        return str(exc)
    return None if parts.hostname else "a host is needed, e.g. smtp://mail.example.com:25"
