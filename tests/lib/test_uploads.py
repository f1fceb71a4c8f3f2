"""kaimen.lib.uploads on the formats of the intranet: legacy Word and Excel, Kingsoft WPS, OFD
and plain text, each checked for what it claims to be, for macros and for its structure."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from openpyxl import Workbook

from kaimen.lib.errors import ValidationError
from kaimen.lib.uploads import check_attachment
from tests.lib.compound import build, storage, stream

FILES = Path(__file__).parent / "files"
DOC = (FILES / "progress.doc").read_bytes()
XLS = (FILES / "ledger.xls").read_bytes()
CAP = 1024 * 1024


def check(name: str, data: bytes, *, cap: int = CAP) -> str:
    return check_attachment(io.BytesIO(data), name=name, size=len(data), max_bytes=cap)


def refused(name: str, data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check(name, data)
    assert caught.value.field == "files"
    assert f"“{name}”" in caught.value.message
    return caught.value


def docx_bytes() -> bytes:
    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("进展情况")
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def ofd_bytes(*, root: bool = True, huge: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        if root:
            zf.writestr("OFD.xml", '<?xml version="1.0"?><ofd:OFD Version="1.0"/>')
        zf.writestr("Doc_0/Document.xml", "<ofd:Document/>")
        if huge:
            with zf.open("Doc_0/Res/zeros.bin", "w", force_zip64=True) as part:
                for _ in range(150):
                    part.write(b"\x00" * (1024 * 1024))
    return out.getvalue()


def test_genuine_doc_and_xls_are_accepted():
    assert check("进展.doc", DOC) == "doc"
    assert check("台账.xls", XLS) == "xls"


def test_wps_and_et_are_accepted_as_binary_or_as_ooxml():
    # WPS writes the Word and Excel binary formats under its own names, and newer WPS saves OOXML.
    assert check("进展.wps", DOC) == "wps"
    assert check("台账.et", XLS) == "et"
    assert check("进展.wps", docx_bytes()) == "wps"
    assert check("台账.et", xlsx_bytes()) == "et"


def test_a_wps_or_et_holding_the_other_kind_is_refused():
    assert "实际是 Excel" in refused("进展.wps", XLS).message
    assert "实际是 Word" in refused("台账.et", DOC).message
    assert "实际是 Excel" in refused("进展.wps", xlsx_bytes()).message


def test_a_doc_with_a_vba_storage_is_refused():
    word = build(stream("WordDocument", b"\xec\xa5" + b"\x00" * 10), stream("1Table", b"\x00"))
    assert check("无宏.doc", word) == "doc"
    with_macros = build(
        stream("WordDocument", b"\xec\xa5" + b"\x00" * 10),
        storage("Macros", storage("VBA", stream("dir", b"\x01"))),
    )
    error = refused("有宏.doc", with_macros)
    assert error.code == "macro"
    assert "宏" in error.message
    assert "另存为" in error.message


def test_an_xls_with_a_vba_project_is_refused():
    workbook = build(
        stream("Workbook", b"\x09\x08\x10\x00" + b"\x00" * 16),
        storage("_VBA_PROJECT_CUR", storage("VBA", stream("dir", b"\x01"))),
    )
    assert refused("有宏.xls", workbook).code == "macro"


def test_password_protected_binary_files_are_refused():
    flags = (0x0100).to_bytes(2, "little")  # FibBase.fEncrypted
    word = build(stream("WordDocument", b"\xec\xa5" + b"\x00" * 8 + flags))
    assert refused("加密.doc", word).code == "encrypted"
    bof = b"\x09\x08\x10\x00" + b"\x00" * 16
    filepass = b"\x2f\x00\x06\x00" + b"\x01\x00" + b"\x00" * 4
    assert refused("加密.xls", build(stream("Workbook", bof + filepass))).code == "encrypted"
    wrapped = build(stream("EncryptionInfo", b"\x04\x00"), stream("EncryptedPackage", b"\x00"))
    assert refused("加密.doc", wrapped).code == "encrypted"


def test_an_encrypted_or_legacy_file_named_docx_is_refused_with_how_to_fix():
    error = refused("进展.docx", DOC)
    assert error.code == "ole"
    assert "（.doc、.xls）" in error.message


def test_renamed_files_are_refused():
    exe = b"MZ\x90\x00\x03" + b"\x00" * 200
    assert "不是 Word（.doc）" in refused("进展.doc", exe).message
    assert "不是 Word（.doc）" in refused("进展.doc", docx_bytes()).message
    assert "不是 Excel（.xls）" in refused("台账.xls", xlsx_bytes()).message
    assert "实际是 Word" in refused("台账.xls", DOC).message
    assert "实际是 Excel" in refused("进展.doc", XLS).message
    assert "不是 WPS 文字" in refused("进展.wps", exe).message


def test_a_compound_file_without_its_main_stream_or_broken_is_refused():
    assert "缺少正文部分" in refused("空.doc", build(stream("Other", b"\x00"))).message
    broken = DOC[:700]
    assert refused("坏.doc", broken).code == "corrupted"


def test_ofd_is_a_package_with_ofd_xml_at_its_root():
    assert check("通知.ofd", ofd_bytes()) == "ofd"
    assert "OFD.xml" in refused("通知.ofd", ofd_bytes(root=False)).message
    assert refused("通知.ofd", DOC).code == "mismatch"
    assert refused("通知.ofd", b"%PDF-1.7\n").code == "mismatch"


def test_an_ofd_zip_bomb_is_refused_from_its_directory():
    assert refused("炸弹.ofd", ofd_bytes(huge=True)).code == "zip_bomb"


def test_text_in_utf8_or_gb18030_is_accepted():
    assert check("说明.txt", "本周完成招商对接3次。".encode()) == "txt"
    assert check("说明.txt", "本周完成招商对接3次。".encode("gb18030")) == "txt"
    assert check("说明.txt", "\ufeff进展".encode()) == "txt"


def test_text_with_nul_bytes_or_no_chinese_encoding_is_refused():
    assert "空字符" in refused("说明.txt", "Progress 进展".encode("utf-16-le")).message
    error = refused("说明.txt", b"\xff\xfe\xff\xff")
    assert error.code == "encoding"
    assert "UTF-8" in error.message


def test_the_unsupported_message_lists_what_is_accepted():
    message = refused("进展.exe", b"MZ").message
    for kind in (".doc", ".xls", ".wps", ".et", "OFD", ".txt"):
        assert kind in message


def test_the_size_cap_applies_to_every_kind():
    error = refused_with_cap("台账.xls", XLS, cap=len(XLS) - 1)
    assert error.code == "too_large"


def refused_with_cap(name: str, data: bytes, *, cap: int) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check(name, data, cap=cap)
    return caught.value
