"""Where the units' explanation attachments live: under MEDIA_ROOT (which nothing serves), in
generated names, read back only through the permission-checked download view.

The checks on the file itself (size, type against content, zip bombs, macros, XML entities) are
shared with the ledger: ``kaimen.lib.uploads.check_attachment``.

Settings (optional, read at call time): ``ACCOUNTABILITY_FILES_ROOT`` (default
MEDIA_ROOT/accountability) and ``ACCOUNTABILITY_ATTACHMENT_MAX_BYTES`` (default 20 MB).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from kaimen.lib.filestore import FileStore, Stored

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
STORE = FileStore("ACCOUNTABILITY_FILES_ROOT", "accountability")


def root() -> Path:
    return STORE.root()


def max_bytes() -> int:
    return int(getattr(settings, "ACCOUNTABILITY_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def save(chunks: Iterable[bytes]) -> Stored:
    return STORE.save(chunks)


def path_of(name: str) -> Path:
    return STORE.path_of(name)


def open_stored(name: str) -> BinaryIO:
    return STORE.open_stored(name)


def remove(name: str) -> None:
    STORE.remove(name)


__all__ = ["STORE", "Stored", "max_bytes", "open_stored", "path_of", "remove", "root", "save"]
