"""The notifier strategy: how a rendered message reaches its recipient.

A notifier has a `medium` (stored on each notification it sends) and one method, `send`,
that answers SENT (handed over), RECORDED (nothing to send it with, by configuration) or
raises (the sender retries it later). The process's notifier is made once, at start-up,
by the factory `OMS_NOTIFIER` names (`module:callable`, called with the settings); the
default is the built-in email notifier (`oms.notifications.email`).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from oms.enums import NotificationKind, NotificationStatus

if TYPE_CHECKING:
    from oms.config import Settings

DEFAULT_FACTORY = "oms.notifications.email:EmailNotifier.from_settings"


@dataclass(frozen=True)
class Message:
    kind: NotificationKind
    recipient: str
    language: str
    subject: str
    text: str
    html: str


class Notifier(Protocol):
    medium: str

    async def send(self, message: Message) -> NotificationStatus:
        """SENT or RECORDED; raise when it could not be sent now (it is retried)."""
        ...


def notifier_for(settings: Settings) -> Notifier:
    """The notifier the settings name (`OMS_NOTIFIER`), made with them."""
    module, _, attr = (settings.notifier or DEFAULT_FACTORY).partition(":")
    target: object = importlib.import_module(module)
    for name in attr.split("."):
        target = getattr(target, name)
    if not callable(target):
        raise TypeError(f"OMS_NOTIFIER: {settings.notifier} is not callable")
    notifier: Notifier = target(settings)
    return notifier
