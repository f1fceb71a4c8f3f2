"""The ZIP-directory facts every Office upload is judged by (kaimen/lib/packages.py)."""

import io
import zipfile

import pytest

from kaimen.lib import packages

LIMITS = packages.ZipLimits(max_entries=10, max_uncompressed=5_000_000, max_ratio=100)


def _package(parts: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return zipfile.ZipFile(buffer)


def _docx(**extra: bytes) -> zipfile.ZipFile:
    return _package(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>", **extra}
    )


def test_an_honest_package_shows_nothing():
    package = _docx()
    infos = package.infolist()
    assert packages.bomb_signal(infos, LIMITS) is None
    assert not packages.is_encrypted(infos)
    assert not packages.has_macros(package.namelist())
    assert packages.office_kind(package.namelist()) == "docx"
    assert packages.entity_declaring_part(package) is None


def test_too_many_entries_is_a_bomb():
    package = _package({f"part{i}.xml": b"<a/>" for i in range(11)})
    signal = packages.bomb_signal(package.infolist(), LIMITS)
    assert signal is not None
    assert signal.reason == "entries"
    assert signal.entries == 11


def test_a_part_inflating_beyond_the_ratio_is_named_with_its_sizes():
    package = _docx(**{"word/media/zeros.bin": b"\0" * 2_000_000})
    signal = packages.bomb_signal(package.infolist(), LIMITS)
    assert signal is not None
    assert signal.reason == "ratio"
    assert signal.member == "word/media/zeros.bin"
    assert signal.declared == 2_000_000
    assert 0 < signal.compressed < 20_000


def test_small_parts_compress_well_without_alarm_and_the_total_is_capped():
    # 1:1000 on a 500 kB part is below the 1 MiB floor of the ratio rule
    assert packages.bomb_signal(_docx(big=b"\0" * 500_000).infolist(), LIMITS) is None
    stored = _package(
        {f"p{i}.bin": bytes(range(256)) * 4_000 for i in range(6)}, compression=zipfile.ZIP_STORED
    )
    signal = packages.bomb_signal(stored.infolist(), LIMITS)
    assert signal is not None
    assert signal.reason == "total"
    assert signal.total == 6 * 1_024_000


@pytest.mark.parametrize(
    ("names", "kind"),
    [
        ({"[Content_Types].xml", "xl/workbook.xml"}, "xlsx"),
        ({"[Content_Types].xml", "ppt/presentation.xml"}, "pptx"),
        ({"xl/workbook.xml"}, None),  # no content types: not an Office package
        ({"[Content_Types].xml", "other.xml"}, None),
    ],
)
def test_office_kind_comes_from_the_main_part(names, kind):
    assert packages.office_kind(names) == kind


def test_macros_and_entities_are_found():
    assert packages.has_macros(["xl/vbaProject.bin"])
    assert packages.has_macros(["word/VBAPROJECT.BIN"])
    laughs = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><a>&lol;</a>'
    package = _docx(**{"word/styles.xml": laughs})
    assert packages.entity_declaring_part(package) == "word/styles.xml"


def test_encryption_flag_is_read_from_the_directory():
    package = _docx()
    infos = package.infolist()
    infos[0].flag_bits |= 0x1
    assert packages.is_encrypted(infos)
