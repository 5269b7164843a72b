"""What a token's limits let it write: the channels and nodes of a token or routing rule it
creates lie within its own, and a limited token makes nothing that reaches everywhere
(an empty list means every channel, or every node). The tokens it sees and revokes are
those it could have made."""
from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from oms.catalog import check_channel_codes
from oms.errors import ErrorCode, Problems

if TYPE_CHECKING:
    from oms.auth import Principal
    from oms.models import Company


async def check_channels_within(problems: Problems, writer: Principal | None, codes: list[str],
                                what: str, *path: str) -> None:
    """UNKNOWN_CHANNEL at path + index for a code naming no channel or one outside the
    writer's limits; INVALID_INPUT at path when a channel-limited writer names none, which
    would make `what` reach every channel. No writer: the operator (CLI, demo), unlimited."""
    await check_channel_codes(problems, codes, *path, within=writer)
    if writer is not None and writer.channels and not codes:
        problems.add(ErrorCode.INVALID_INPUT, f"a channel-limited token cannot make {what} for "
                     "every channel: name channels within its limits", *path)


def check_nodes_within(problems: Problems, writer: Principal | None, codes: list[str],
                       what: str, *path: str) -> None:
    """NODE_NOT_ALLOWED at path + index for a code outside the writer's node limits;
    INVALID_INPUT at path when a node-limited writer names none (every node)."""
    if writer is None:
        return
    for i, code in enumerate(codes):
        if not writer.sees_node(code):
            problems.add(ErrorCode.NODE_NOT_ALLOWED, f"this token may not act at node {code}",
                         *path, i)
    if writer.nodes and not codes:
        problems.add(ErrorCode.INVALID_INPUT, f"a node-limited token cannot make {what} for "
                     "every node: name nodes within its limits", *path)


def within_limits(viewer: Principal | None, channels: Collection[str],
                  nodes: Collection[str]) -> bool:
    """Whether a token limited to `channels` and `nodes` is at most as wide as `viewer`
    (None: the operator): some of its channels when it is channel-limited, some of its nodes
    when it is node-limited, as the checks above ask of a token it creates."""
    return viewer is None or (_some_of(channels, viewer.channels)
                              and _some_of(nodes, viewer.nodes))


def _some_of(codes: Collection[str], limits: frozenset[str]) -> bool:
    return not limits or (bool(codes) and limits.issuperset(codes))


def sees_company(viewer: Principal | None, company: Company) -> bool:
    """Whether `viewer` (None: the operator) may see and use this company: its channels are
    within the viewer's (as a token's are), and a company's token sees its own only."""
    if viewer is None:
        return True
    if viewer.company_code is not None and viewer.company_code != company.code:
        return False
    return within_limits(viewer, company.channels, ())
