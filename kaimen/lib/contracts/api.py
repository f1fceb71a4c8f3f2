"""The JSON API's routers: each app registers its router (a ninja ``Router`` or its dotted
path) from its ``AppConfig.ready()``; ``kaimen/api.py`` mounts them in registration order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RouterEntry:
    prefix: str  # "/v1/ledger/"
    router: Any  # "kaimen.ledger.api.router" or the Router itself
    tags: tuple[str, ...] | None = None


_routers: list[RouterEntry] = []


def register(prefix: str, router: Any, *, tags: list[str] | None = None) -> RouterEntry:
    entry = RouterEntry(prefix, router, tuple(tags) if tags is not None else None)
    for existing in _routers:
        if existing.prefix == prefix:
            if existing == entry:
                return existing
            raise ValueError(f"an API router is already mounted at {prefix!r}")
    _routers.append(entry)
    return entry


def routers() -> list[RouterEntry]:
    return list(_routers)
