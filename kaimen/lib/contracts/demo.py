"""The demo district (``kaimen demo``): each app registers the loader of its own demo data from
its ``AppConfig.ready()``; the command runs them in ``order`` (ties: registration order)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import import_string

Write = Callable[[str], None]


@dataclass(frozen=True)
class DemoLoader:
    name: str  # "ledger"
    # loads (idempotent) and writes what it did, line by line; a dotted path is imported when
    # the command runs, so registering costs nothing at start-up
    run: str | Callable[[Write], None]
    order: int = 100  # a loader runs after every loader it needs (lower first)

    def __call__(self, write: Write) -> None:
        run = import_string(self.run) if isinstance(self.run, str) else self.run
        run(write)


_loaders: list[DemoLoader] = []


def register(loader: DemoLoader) -> DemoLoader:
    for existing in _loaders:
        if existing.name == loader.name:
            if existing == loader:
                return existing
            raise ValueError(f"demo loader {loader.name!r} is already registered")
    _loaders.append(loader)
    return loader


def loaders() -> list[DemoLoader]:
    return sorted(_loaders, key=lambda loader: loader.order)  # stable: ties keep their order
