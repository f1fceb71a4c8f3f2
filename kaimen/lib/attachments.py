"""Files users attach to a record (the ledger's progress reports and contributions,
accountability's explanations): one row shape, one way to store them, one way to serve them.

The flow, the same in every app: ``kaimen.lib.uploads.check_uploads`` checks every file of the
form before any is kept; ``store_all`` writes them to the app's ``FileStore`` before the
transaction (a file system is not transactional) and ``remove_all`` takes them away again if the
transaction fails; ``new_rows`` makes the rows the service inserts in its transaction; the app's
permission-checked view answers with ``download``.

An app's attachment model subclasses ``StoredAttachment`` (abstract: each app keeps its own
table) and adds the key to what the file is attached to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import BinaryIO, TypeVar

from django.conf import settings
from django.db import models
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from kaimen.lib.filestore import FileStore, Stored
from kaimen.lib.uploads import CheckedFile

# What a download is served as, by the kind ``check_attachment`` found.
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    # Kingsoft WPS has no registered media types; the download is a file to save either way.
    "wps": "application/octet-stream",
    "et": "application/octet-stream",
    "ofd": "application/ofd",
    "txt": "text/plain",
}


class StoredAttachment(models.Model):
    """A file kept outside any web root under a generated name and served only through a
    permission-checked view."""

    original_name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(max_length=5)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=100, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


Saved = tuple[CheckedFile, Stored]
A = TypeVar("A", bound=StoredAttachment)


def store_all(checked: Iterable[CheckedFile], store: FileStore, *, area: str = "") -> list[Saved]:
    """Write every checked upload to ``store``; if one fails, the ones written are removed."""
    stored: list[Saved] = []
    try:
        for item in checked:
            stored.append((item, store.save(item.upload.chunks(), area=area)))
    except BaseException:
        remove_all(stored, store, area=area)
        raise
    return stored


def remove_all(stored: Iterable[Saved], store: FileStore, *, area: str = "") -> None:
    for _item, saved in stored:
        store.remove(saved.name, area=area)


def new_rows(model: type[A], stored: Sequence[Saved], *, actor, at: datetime, **owner) -> list[A]:
    """Unsaved ``model`` rows for the stored files, attached to ``owner`` (e.g. ``task=…``)."""
    return [
        model(
            original_name=item.name,
            kind=item.kind,
            size=saved.size,
            sha256=saved.sha256,
            stored_name=saved.name,
            uploaded_by=actor,
            uploaded_at=at,
            **owner,
        )
        for item, saved in stored
    ]


def file_response(handle: BinaryIO, filename: str, content_type: str) -> FileResponse:
    """A download: RFC 6266 Content-Disposition (Django writes filename* for non-ASCII names),
    nosniff, and no caching of a business document on shared office computers."""
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def download(attachment: StoredAttachment, store: FileStore, *, area: str = "") -> FileResponse:
    """Serve an attachment the caller has checked the user may read (NotFound if the file is
    gone)."""
    handle = store.open_stored(attachment.stored_name, area=area)
    return file_response(handle, attachment.original_name, CONTENT_TYPES[attachment.kind])
