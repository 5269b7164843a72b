"""Messages rendered from the Jinja2 templates in `oms/notifications/templates/<language>/`.

Each kind has three: `<kind>.subject` (one line), `<kind>.txt` and `<kind>.html` (which
extend the language's `_layout`). HTML is autoescaped, text and subject are not; a
variable a template names but the context lacks is an error, not an empty string.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from oms.enums import NotificationKind
from oms.notifications.language import DEFAULT, LANGUAGES

SUBJECT_MAX = 500
"The stored subject's length (Notification.subject)."


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@cache
def environment() -> Environment:
    """The one template environment (made on first use, never at import)."""
    return Environment(
        loader=PackageLoader("oms.notifications", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False,
                                     default=False),
        undefined=StrictUndefined, keep_trailing_newline=False, trim_blocks=False,
    )


def render(kind: NotificationKind, language: str, context: Mapping[str, Any]) -> Rendered:
    """Subject, text and HTML of `kind` in `language` (English when it has no templates)."""
    return Rendered(subject(kind, language, context), _one(kind, language, "txt", context),
                    _one(kind, language, "html", context))


def subject(kind: NotificationKind, language: str, context: Mapping[str, Any]) -> str:
    """The subject alone, on one line."""
    line = " ".join(_one(kind, language, "subject", context).split())
    return line[:SUBJECT_MAX]


def _one(kind: NotificationKind, language: str, part: str, context: Mapping[str, Any]) -> str:
    lang = language if language in LANGUAGES else DEFAULT
    template = environment().get_template(f"{lang}/{kind.lower()}.{part}")
    return template.render(**context).strip() + ("\n" if part != "subject" else "")
