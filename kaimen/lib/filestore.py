"""Files users upload, kept outside every web root in generated names.

Each app that keeps files (the ledger's speeches and attachments, the units' explanations in
accountability) has a ``FileStore`` rooted in its own folder under MEDIA_ROOT (or where a setting
says). A file is written under a random 128-bit name with mode 0600 and its SHA-256 computed on
the way; it is read back only through a permission-checked view, by the name stored in a row.
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

from kaimen.lib.errors import NotFound

_STORED_NAME = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Stored:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class FileStore:
    """Files under ``settings.<root_setting>`` or, when that is unset, MEDIA_ROOT/<folder>.

    ``area`` names a subfolder (the ledger keeps speeches and attachments apart); the settings
    are read at call time, so tests may point a store at a temporary folder.
    """

    root_setting: str
    folder: str

    def root(self) -> Path:
        configured = getattr(settings, self.root_setting, None)
        return Path(configured) if configured else Path(settings.MEDIA_ROOT) / self.folder

    def save(self, chunks: Iterable[bytes], *, area: str = "") -> Stored:
        """Write ``chunks`` to a new file with a random name that only the owner may read."""
        folder = self.root() / area if area else self.root()
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

    def path_of(self, name: str, *, area: str = "") -> Path:
        # Stored names are generated here; anything else in a row would be a tampered database.
        if not _STORED_NAME.match(name or ""):
            raise NotFound()
        return (self.root() / area if area else self.root()) / name

    def open_stored(self, name: str, *, area: str = "") -> BinaryIO:
        try:
            return self.path_of(name, area=area).open("rb")
        except FileNotFoundError as exc:
            raise NotFound() from exc

    def remove(self, name: str, *, area: str = "") -> None:
        with contextlib.suppress(NotFound, FileNotFoundError):
            self.path_of(name, area=area).unlink()
