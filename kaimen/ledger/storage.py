"""Where the ledger keeps uploaded files: under MEDIA_ROOT (outside every web root: nothing
serves that directory), in generated names, read back only by permission-checked views.

Settings (optional, read at call time): ``LEDGER_FILES_ROOT`` (default MEDIA_ROOT/ledger),
``LEDGER_ATTACHMENT_MAX_BYTES`` (default 20 MB) and ``LEDGER_SOURCE_MAX_BYTES`` (default 20 MB).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from kaimen.core.errors import NotFound

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_STORED_NAME = re.compile(r"^[0-9a-f]{32}$")
SOURCES = "sources"
ATTACHMENTS = "attachments"


def root() -> Path:
    configured = getattr(settings, "LEDGER_FILES_ROOT", None)
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "ledger"


def attachment_max_bytes() -> int:
    return int(getattr(settings, "LEDGER_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def source_max_bytes() -> int:
    return int(getattr(settings, "LEDGER_SOURCE_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class Stored:
    name: str
    sha256: str
    size: int


def hash_chunks(chunks: Iterable[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def save(area: str, chunks: Iterable[bytes]) -> Stored:
    """Write ``chunks`` to a new file with a random name; only the owner may read it."""
    folder = root() / area
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16)
    path = folder / name
    digest = hashlib.sha256()
    size = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Stored(name=name, sha256=digest.hexdigest(), size=size)


def path_of(area: str, name: str) -> Path:
    # Stored names are generated here; anything else in a row would be a tampered database.
    if not _STORED_NAME.match(name or ""):
        raise NotFound()
    return root() / area / name


def open_stored(area: str, name: str) -> BinaryIO:
    try:
        return path_of(area, name).open("rb")
    except FileNotFoundError as exc:
        raise NotFound() from exc


def remove(area: str, name: str) -> None:
    with contextlib.suppress(NotFound, FileNotFoundError):
        path_of(area, name).unlink()
