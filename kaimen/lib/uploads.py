"""Checks on files users attach (SECURITY.md, "Files from users"): the ledger's progress reports
and contributions, accountability's explanations.

Run before anything stores or opens the file: a size cap; the extension and the content agree
(xlsx/docx are ZIP packages with ``[Content_Types].xml`` and their main part, PDF starts
``%PDF-``, PNG and JPEG carry their signatures); legacy or encrypted OLE files (``D0 CF 11 E0``)
and macro parts (``vbaProject.bin``) are refused; a ZIP's declared sizes, entry count and
compression ratio are checked from its directory, without decompressing, so a zip bomb is
refused in milliseconds; XML parts declaring entities are refused.

Pure Python (no Django); messages are Chinese, for the person who uploaded the file.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from kaimen.lib import packages
from kaimen.lib.errors import ValidationError

KINDS = {
    ".xlsx": "xlsx",
    ".docx": "docx",
    ".pdf": "pdf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
}
ZIP_LIMITS = packages.ZipLimits(
    max_entries=1_000, max_uncompressed=100 * 1024 * 1024, max_ratio=100
)
OLE_MAGIC = packages.OLE_MAGIC
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
}
_LABEL = {"docx": "Word(.docx)", "xlsx": "Excel(.xlsx)"}


def _refuse(name: str, what: str, how: str, code: str) -> ValidationError:
    return ValidationError(f"附件“{name}”{what}。{how}", field="files", code=code)


def extension_of(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def check_attachment(fh: BinaryIO, *, name: str, size: int, max_bytes: int) -> str:
    """The attachment's kind ("xlsx", "docx", "pdf", "png", "jpeg"), or ValidationError."""
    if size > max_bytes:
        raise _refuse(
            name,
            f"大小为 {size / 1024 / 1024:.1f} MB,超过上限 {max_bytes / 1024 / 1024:.0f} MB",
            "请压缩图片或拆分文件后再上传",
            "too_large",
        )
    if size == 0:
        raise _refuse(name, "是空文件", "请检查是否选错了文件", "empty")
    kind = KINDS.get(extension_of(name))
    if kind is None:
        raise _refuse(
            name,
            "的类型不受支持",
            "附件只接受 Excel(.xlsx)、Word(.docx)、PDF 和图片(.png、.jpg)",
            "type",
        )
    fh.seek(0)
    head = fh.read(16)
    fh.seek(0)
    if head.startswith(OLE_MAGIC):
        raise _refuse(
            name,
            "是旧版 Office 文件(.doc/.xls)或加了密码的文件",
            "请在 Office 或 WPS 中去掉密码,另存为 .docx 或 .xlsx 后再上传",
            "ole",
        )
    if kind in _SIGNATURES:
        if not head.startswith(_SIGNATURES[kind]):
            raise _refuse(
                name,
                f"的内容不是扩展名所说的 {kind.upper()} 格式",
                "请不要修改文件扩展名,按文件的真实类型上传",
                "mismatch",
            )
        return kind
    if not head.startswith(b"PK\x03\x04"):
        raise _refuse(
            name,
            f"的内容不是 {_LABEL[kind]} 文件",
            "请不要修改文件扩展名,按文件的真实类型上传",
            "mismatch",
        )
    _check_package(fh, name=name, kind=kind)
    fh.seek(0)
    return kind


def _check_package(fh: BinaryIO, *, name: str, kind: str) -> None:
    try:
        package = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(
            name, "已损坏,无法打开", "请用 Office 或 WPS 打开后重新另存再上传", "corrupted"
        ) from exc
    with package:
        infos = package.infolist()
        # The directory's declared sizes are checked before any part is decompressed.
        if packages.bomb_signal(infos, ZIP_LIMITS):
            raise _refuse(
                name,
                "解压后体积异常(疑似“压缩炸弹”)",
                "请上传正常的 Office 文件;如确为大文件,请删除其中的图片后再试",
                "zip_bomb",
            )
        if packages.is_encrypted(infos):
            raise _refuse(name, "已加密", "请去掉密码后另存再上传", "encrypted")
        names = {info.filename for info in infos}
        if packages.has_macros(names):
            raise _refuse(
                name,
                "含有宏代码",
                "请另存为不含宏的 .xlsx 或 .docx 文件后再上传",
                "macro",
            )
        found = packages.office_kind(names)
        if found != kind:
            what = (
                f"实际是 {_LABEL[found]} 文件,却以 {extension_of(name)} 为扩展名"
                if found in _LABEL
                else f"不是 {_LABEL[kind]} 文件(缺少正文部分)"
            )
            raise _refuse(name, what, "请按文件的真实类型上传,不要修改扩展名", "mismatch")
        if packages.entity_declaring_part(package):
            raise _refuse(
                name,
                "含有 XML 实体声明,可能是恶意构造的文件",
                "请用 Office 或 WPS 重新另存后再上传",
                "xml_entities",
            )


def safe_file_name(name: str) -> str:
    """The user's file name as shown back to them: no directories, no control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    return base[-120:] or "upload"


@dataclass(frozen=True)
class CheckedFile:
    upload: BinaryIO  # a Django UploadedFile: read in chunks(), named, sized
    name: str
    kind: str


def check_uploads(uploads: Sequence, *, max_files: int, max_bytes: int) -> list[CheckedFile]:
    """Check every upload of one form before any is stored: all pass, or nothing is kept."""
    if len(uploads) > max_files:
        raise ValidationError(f"一次最多上传 {max_files} 个附件。", field="files")
    checked = []
    for upload in uploads:
        name = safe_file_name(upload.name or "")
        kind = check_attachment(upload, name=name, size=upload.size or 0, max_bytes=max_bytes)
        checked.append(CheckedFile(upload, name, kind))
    return checked
