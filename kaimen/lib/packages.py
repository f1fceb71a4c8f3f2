"""What an uploaded Office package (docx, xlsx) must not be, read from its ZIP directory.

Three doors take Office files in: attachments to progress reports, speeches to be parsed and
the statistics bureau's workbooks. Each words its refusal for its own users, but the facts are
the same and are found here, before any part is decompressed (SECURITY.md, uploads): a zip bomb
is judged from the sizes the directory declares, macros from the part names, encryption from
the entry flags, and XML entity declarations from the first bytes of each XML part.

Pure Python; no Django.
"""

from __future__ import annotations

import zipfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls, and any password-protected file
ZIP_MAGIC = b"PK\x03\x04"
MAIN_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}
_ENTITY_MARKS = (b"<!DOCTYPE", b"<!ENTITY")
_HEAD_BYTES = 4096


@dataclass(frozen=True)
class ZipLimits:
    """How big an honest package may be: entries, declared bytes inflated, compression ratio.

    The ratio is judged only on parts of ``ratio_from_bytes`` or more: a small XML part
    compresses 1:100 honestly, and only a big one can hurt.
    """

    max_entries: int
    max_uncompressed: int
    max_ratio: int
    ratio_from_bytes: int = 1024 * 1024


@dataclass(frozen=True)
class BombSignal:
    """Why a package looks like a zip bomb, with the figures a message may quote."""

    reason: str  # "entries" | "ratio" | "total"
    entries: int
    total: int
    member: str = ""
    compressed: int = 0
    declared: int = 0


def bomb_signal(infos: Sequence[zipfile.ZipInfo], limits: ZipLimits) -> BombSignal | None:
    """The first sign of a zip bomb in the directory: too many entries, one part inflating far
    beyond the ratio, or too many bytes in all. None when the package looks honest."""
    total = sum(info.file_size for info in infos)
    if len(infos) > limits.max_entries:
        return BombSignal("entries", len(infos), total)
    for info in infos:
        if info.file_size >= limits.ratio_from_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            return BombSignal(
                "ratio",
                len(infos),
                total,
                member=info.filename,
                compressed=info.compress_size,
                declared=info.file_size,
            )
    if total > limits.max_uncompressed:
        return BombSignal("total", len(infos), total)
    return None


def is_encrypted(infos: Sequence[zipfile.ZipInfo]) -> bool:
    """Whether any entry carries ZIP encryption (flag bit 0)."""
    return any(info.flag_bits & 0x1 for info in infos)


def has_macros(names: Collection[str]) -> bool:
    """Whether the package holds a VBA project (xlsm, docm, or one renamed to x)."""
    return any(name.lower().endswith("vbaproject.bin") for name in names)


def office_kind(names: Collection[str]) -> str | None:
    """Which Office package the part names make this ("docx", "xlsx", "pptx"), if any."""
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for kind, part in MAIN_PARTS.items() if part in names), None)


def entity_declaring_part(package: zipfile.ZipFile) -> str | None:
    """The first XML part that declares a DOCTYPE or entities (billion laughs, XXE), if any.

    Office never writes them; only the first 4 KiB of each part are read, where a declaration
    must stand.
    """
    for info in package.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        with package.open(info) as part:
            head = part.read(_HEAD_BYTES).upper()
        if any(mark in head for mark in _ENTITY_MARKS):
            return info.filename
    return None
