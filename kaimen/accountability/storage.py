"""Where the units' explanation attachments live: under MEDIA_ROOT (which nothing serves), in
generated names, read back only through the permission-checked download view.

The checks on the file itself (size, type against content, zip bombs, macros, XML entities) are
the ledger's attachment checks, shared: ``kaimen.ledger.files.check_attachment``.

Settings (optional, read at call time): ``ACCOUNTABILITY_FILES_ROOT`` (default
MEDIA_ROOT/accountability) and ``ACCOUNTABILITY_ATTACHMENT_MAX_BYTES`` (default 20 MB).
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


def root() -> Path:
    configured = getattr(settings, "ACCOUNTABILITY_FILES_ROOT", None)
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "accountability"


def max_bytes() -> int:
    return int(getattr(settings, "ACCOUNTABILITY_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class Stored:
    name: str
    sha256: str
    size: int


def save(chunks: Iterable[bytes]) -> Stored:
    """Write ``chunks`` to a new file with a random name that only the owner may read."""
    folder = root()
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


def path_of(name: str) -> Path:
    # Stored names are generated here; anything else in a row would be a tampered database.
    if not _STORED_NAME.match(name or ""):
        raise NotFound()
    return root() / name


def open_stored(name: str) -> BinaryIO:
    try:
        return path_of(name).open("rb")
    except FileNotFoundError as exc:
        raise NotFound() from exc


def remove(name: str) -> None:
    with contextlib.suppress(NotFound, FileNotFoundError):
        path_of(name).unlink()
