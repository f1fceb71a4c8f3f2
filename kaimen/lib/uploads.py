"""Checks on files users attach (SECURITY.md, "Files from users"): the ledger's progress reports
and contributions, accountability's explanations.

Run before anything stores or opens the file: a size cap; the extension and the content agree
(xlsx/docx are ZIP packages with ``[Content_Types].xml`` and their main part, PDF starts
``%PDF-``, PNG and JPEG carry their signatures); macro parts (``vbaProject.bin``) are refused; a
ZIP's declared sizes, entry count and compression ratio are checked from its directory, without
decompressing, so a zip bomb is refused in milliseconds; XML parts declaring entities are refused.

What the intranet also uses:

- the legacy binary formats .doc and .xls, and Kingsoft WPS's .wps and .et, are OLE2 compound
  files (``D0 CF 11 E0``): read with ``olefile``, they must be a valid compound file holding
  the main stream of what the extension says (``WordDocument`` for .doc/.wps, ``Workbook`` or
  ``Book`` for .xls/.et), with no VBA storage (macros) and no encryption. Newer WPS saves .wps
  and .et as OOXML packages: those are checked as .docx and .xlsx are;
- .ofd (GB/T 33190, the national layout format) is a ZIP package with ``OFD.xml`` at its root,
  checked as an Office package is;
- .txt must decode as UTF-8 or GB18030 and hold no NUL byte.

Pure Python (no Django); messages are Chinese, for the person who uploaded the file.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

import olefile

from kaimen.lib import packages
from kaimen.lib.errors import ValidationError

KINDS = {
    ".xlsx": "xlsx",
    ".docx": "docx",
    ".pdf": "pdf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".doc": "doc",
    ".xls": "xls",
    ".wps": "wps",
    ".et": "et",
    ".ofd": "ofd",
    ".txt": "txt",
}
# For the file input's ``accept`` attribute: the browser's file dialog offers these first.
ACCEPT_ATTR = ",".join(KINDS)
ACCEPTED = (
    "Word（.docx、.doc）、Excel（.xlsx、.xls）、WPS（.wps、.et）、OFD、PDF、"
    "纯文本（.txt）和图片（.png、.jpg）"
)
ZIP_LIMITS = packages.ZipLimits(
    max_entries=1_000, max_uncompressed=100 * 1024 * 1024, max_ratio=100
)
OLE_MAGIC = packages.OLE_MAGIC
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
}
_LABEL = {
    "docx": "Word（.docx）",
    "xlsx": "Excel（.xlsx）",
    "doc": "Word（.doc）",
    "xls": "Excel（.xls）",
    "wps": "WPS 文字（.wps）",
    "et": "WPS 表格（.et）",
    "ofd": "OFD（.ofd）",
    "txt": "纯文本（.txt）",
}
# The OLE2 stream that holds the body of each legacy format (MS-DOC, MS-XLS; WPS writes the same
# binary formats under its own extensions). BIFF5 workbooks name theirs "Book".
_OLE_MAIN_STREAMS = {
    "doc": ("worddocument",),
    "wps": ("worddocument",),
    "xls": ("workbook", "book"),
    "et": ("workbook", "book"),
}
_OLE_LABEL_BY_STREAM = {"worddocument": "Word 文档（.doc）", "workbook": "Excel 表格（.xls）"}
# Storages that hold VBA code: Word's "Macros", Excel's "_VBA_PROJECT_CUR", and a bare "VBA".
_OLE_MACRO_STORAGES = {"macros", "_vba_project_cur", "_vba_project", "vba"}
# Encrypted OOXML is wrapped in a compound file with these streams (MS-OFFCRYPTO).
_OLE_ENCRYPTED_STREAMS = {"encryptioninfo", "encryptedpackage"}
# Newer WPS saves .wps and .et as OOXML packages.
_ZIP_KIND = {"docx": "docx", "xlsx": "xlsx", "wps": "docx", "et": "xlsx"}
_TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
_FIB_ENCRYPTED = 0x0100  # MS-DOC FibBase: fEncrypted, in the flags word at offset 0x0A
_BIFF_FILEPASS = 0x002F  # MS-XLS: the record that says the workbook is encrypted


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
            f"大小为 {size / 1024 / 1024:.1f} MB，超过上限 {max_bytes / 1024 / 1024:.0f} MB",
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
            f"附件只接受 {ACCEPTED}",
            "type",
        )
    fh.seek(0)
    head = fh.read(16)
    fh.seek(0)
    if kind == "txt":
        _check_text(fh, name=name)
    elif head.startswith(OLE_MAGIC) and kind in _ZIP_KIND.keys() | _OLE_MAIN_STREAMS.keys():
        _check_compound(fh, name=name, kind=kind)
    elif kind in _SIGNATURES:
        if not head.startswith(_SIGNATURES[kind]):
            raise _refuse(
                name,
                f"的内容不是扩展名所说的 {kind.upper()} 格式",
                "请不要修改文件扩展名，按文件的真实类型上传",
                "mismatch",
            )
    elif not head.startswith(packages.ZIP_MAGIC) or kind in ("doc", "xls"):
        # A .doc or .xls that is a ZIP package is a .docx or .xlsx renamed.
        raise _refuse(
            name,
            f"的内容不是 {_LABEL[kind]} 文件",
            "请不要修改文件扩展名，按文件的真实类型上传",
            "mismatch",
        )
    else:
        _check_package(fh, name=name, kind=kind)
    fh.seek(0)
    return kind


def _check_text(fh: BinaryIO, *, name: str) -> None:
    data = fh.read()
    if b"\x00" in data:
        raise _refuse(
            name,
            "含有空字符（NUL），不是纯文本文件",
            "请上传用记事本或 WPS 另存的 .txt 文件，其他文件请按真实类型上传",
            "mismatch",
        )
    for encoding in _TEXT_ENCODINGS:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return
    raise _refuse(
        name,
        "的文字编码无法识别（既不是 UTF-8，也不是 GB18030/GBK）",
        "请在记事本中“另存为”，编码选 UTF-8 后再上传",
        "encoding",
    )


def _check_compound(fh: BinaryIO, *, name: str, kind: str) -> None:
    """A legacy Office or WPS file: a valid compound file holding what its extension says."""
    if kind not in _OLE_MAIN_STREAMS:
        # An OLE2 file under .docx/.xlsx is a password-protected package or a renamed .doc/.xls.
        raise _refuse(
            name,
            "是加了密码的 Office 文件，或是把旧版 .doc/.xls 文件改成了新的扩展名",
            "请在 Office 或 WPS 中去掉密码；旧版文件请保留原来的扩展名（.doc、.xls）上传",
            "ole",
        )
    try:
        ole = olefile.OleFileIO(fh)
    except Exception as exc:  # olefile raises OSError and assorted errors on broken files
        raise _refuse(
            name, "已损坏，无法打开", "请用 Office 或 WPS 打开后重新另存再上传", "corrupted"
        ) from exc
    try:
        entries = [
            [part.lower() for part in path] for path in ole.listdir(streams=True, storages=True)
        ]
        names = {path[0] for path in entries if len(path) == 1}
        if any(part in _OLE_MACRO_STORAGES for path in entries for part in path):
            raise _refuse(
                name,
                "含有宏代码",
                "请在 Office 或 WPS 中另存为不含宏的文件（如 .docx、.xlsx）后再上传",
                "macro",
            )
        if names & _OLE_ENCRYPTED_STREAMS or _is_encrypted_binary(ole, names):
            raise _refuse(name, "已加密", "请在 Office 或 WPS 中去掉密码后另存再上传", "encrypted")
        if not names.intersection(_OLE_MAIN_STREAMS[kind]):
            found = next(
                (label for stream, label in _OLE_LABEL_BY_STREAM.items() if stream in names),
                None,
            )
            what = (
                f"实际是 {found}，却以 {extension_of(name)} 为扩展名"
                if found
                else f"不是 {_LABEL[kind]} 文件（缺少正文部分）"
            )
            raise _refuse(name, what, "请按文件的真实类型上传，不要修改扩展名", "mismatch")
    finally:
        ole.close()


def _is_encrypted_binary(ole, names: set[str]) -> bool:
    """Whether a binary .doc or .xls says it is password-protected."""
    try:
        if "worddocument" in names:
            fib = ole.openstream("WordDocument").read(12)
            return len(fib) == 12 and bool(int.from_bytes(fib[10:12], "little") & _FIB_ENCRYPTED)
        stream = "Workbook" if "workbook" in names else "Book" if "book" in names else None
        if stream is None:
            return False
        data = ole.openstream(stream).read(64 * 1024)
    except OSError:
        return False
    # FILEPASS follows the globals' BOF record at once; a few records are enough to find it.
    offset = 0
    for _ in range(64):
        if offset + 4 > len(data):
            break
        record, length = (
            int.from_bytes(data[offset : offset + 2], "little"),
            int.from_bytes(data[offset + 2 : offset + 4], "little"),
        )
        if record == _BIFF_FILEPASS:
            return True
        offset += 4 + length
    return False


def _check_package(fh: BinaryIO, *, name: str, kind: str) -> None:
    try:
        package = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(
            name, "已损坏，无法打开", "请用 Office 或 WPS 打开后重新另存再上传", "corrupted"
        ) from exc
    with package:
        infos = package.infolist()
        # The directory's declared sizes are checked before any part is decompressed.
        if packages.bomb_signal(infos, ZIP_LIMITS):
            raise _refuse(
                name,
                "解压后体积异常（疑似“压缩炸弹”）",
                "请上传正常的 Office 文件；如确为大文件，请删除其中的图片后再试",
                "zip_bomb",
            )
        if packages.is_encrypted(infos):
            raise _refuse(name, "已加密", "请去掉密码后另存再上传", "encrypted")
        names = {info.filename for info in infos}
        if kind == "ofd":
            if "OFD.xml" not in names:
                raise _refuse(
                    name,
                    "不是 OFD 版式文件（压缩包根目录缺少 OFD.xml）",
                    "请上传由版式软件导出的 .ofd 文件，不要修改扩展名",
                    "mismatch",
                )
        elif packages.has_macros(names):
            raise _refuse(
                name,
                "含有宏代码",
                "请另存为不含宏的 .xlsx 或 .docx 文件后再上传",
                "macro",
            )
        found = packages.office_kind(names) if kind != "ofd" else "ofd"
        if kind != "ofd" and found != _ZIP_KIND.get(kind):
            what = (
                f"实际是 {_LABEL[found]} 文件，却以 {extension_of(name)} 为扩展名"
                if found in _LABEL
                else f"不是 {_LABEL[kind]} 文件（缺少正文部分）"
            )
            raise _refuse(name, what, "请按文件的真实类型上传，不要修改扩展名", "mismatch")
        if packages.entity_declaring_part(package):
            raise _refuse(
                name,
                "含有 XML 实体声明，可能是恶意构造的文件",
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
        raise ValidationError(f"一次最多上传 {max_files} 个附件，请分几次提交。", field="files")
    checked = []
    for upload in uploads:
        name = safe_file_name(upload.name or "")
        kind = check_attachment(upload, name=name, size=upload.size or 0, max_bytes=max_bytes)
        checked.append(CheckedFile(upload, name, kind))
    return checked
