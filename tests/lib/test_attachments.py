"""kaimen.lib.attachments: storing a form's files is all or nothing, and a download is served as
an attachment that the browser neither sniffs nor caches."""

from __future__ import annotations

import io

import pytest

from kaimen.lib.attachments import file_response, remove_all, store_all
from kaimen.lib.filestore import FileStore
from kaimen.lib.uploads import CheckedFile


class Upload:
    def __init__(self, data: bytes, *, fail: bool = False) -> None:
        self.data, self.fail = data, fail

    def chunks(self):
        yield self.data
        if self.fail:
            raise OSError("disk full")


@pytest.fixture
def store(settings, tmp_path) -> FileStore:
    settings.TEST_FILES_ROOT = tmp_path / "files"
    return FileStore("TEST_FILES_ROOT", "test")


def _files(store: FileStore) -> list:
    root = store.root()
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_store_all_keeps_every_file_or_none(store):
    good = CheckedFile(Upload(b"a"), "a.pdf", "pdf")
    stored = store_all([good, good], store, area="x")
    assert len(stored) == 2
    assert len(_files(store)) == 2
    remove_all(stored, store, area="x")
    assert _files(store) == []
    with pytest.raises(OSError, match="disk full"):
        store_all([good, CheckedFile(Upload(b"b", fail=True), "b.pdf", "pdf")], store)
    assert _files(store) == []


def test_file_response_is_a_non_cached_non_sniffed_attachment():
    response = file_response(io.BytesIO(b"x"), "进展.pdf", "application/pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''" in response["Content-Disposition"]
