"""Where the ledger keeps uploaded files: under MEDIA_ROOT (outside every web root: nothing
serves that directory), in generated names, read back only by permission-checked views.

Settings (optional, read at call time): ``LEDGER_FILES_ROOT`` (default MEDIA_ROOT/ledger),
``LEDGER_ATTACHMENT_MAX_BYTES`` (default 20 MB) and ``LEDGER_SOURCE_MAX_BYTES`` (default 20 MB).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from kaimen.lib.filestore import FileStore, Stored

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
SOURCES = "sources"
ATTACHMENTS = "attachments"
STORE = FileStore("LEDGER_FILES_ROOT", "ledger")


def root() -> Path:
    return STORE.root()


def attachment_max_bytes() -> int:
    return int(getattr(settings, "LEDGER_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def source_max_bytes() -> int:
    return int(getattr(settings, "LEDGER_SOURCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def hash_chunks(chunks: Iterable[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def save(area: str, chunks: Iterable[bytes]) -> Stored:
    return STORE.save(chunks, area=area)


def path_of(area: str, name: str) -> Path:
    return STORE.path_of(name, area=area)


def open_stored(area: str, name: str) -> BinaryIO:
    return STORE.open_stored(name, area=area)


def remove(area: str, name: str) -> None:
    STORE.remove(name, area=area)


__all__ = [
    "ATTACHMENTS",
    "SOURCES",
    "STORE",
    "Stored",
    "attachment_max_bytes",
    "hash_chunks",
    "open_stored",
    "path_of",
    "remove",
    "root",
    "save",
    "source_max_bytes",
]
