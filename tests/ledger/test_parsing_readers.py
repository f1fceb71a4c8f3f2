"""Reading .txt, .docx and .pdf files; every file here is built by the test itself."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest

from kaimen.ledger.parsing import ParseError, parse_file, parse_text
from kaimen.ledger.parsing.readers import decode_text, read_document, read_pdf

HERE = Path(__file__).resolve()


def _speech() -> str | None:
    root = HERE.parents[2]
    for candidate in (
        Path(os.environ.get("KAIMEN_CORPUS_DIR", "")),
        root / "corpus",
        root.parent / "shared" / "corpus",
    ):
        path = candidate / "2025-q1-kaimenhong-speech.txt"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None


SPEECH = _speech()
needs_speech = pytest.mark.skipif(SPEECH is None, reason="reference corpus not found")

SAMPLE = "关于开展“早春行动”的实施方案\n一、总体要求\n(一)加快建立工作机制,制定推进方案。\n"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------------
# Plain text


def test_utf8_file_is_decoded(tmp_path: Path) -> None:
    source = read_document(_write(tmp_path, "a.txt", SAMPLE.encode("utf-8")))
    assert source.text == SAMPLE
    assert source.encoding == "utf-8"
    assert source.hard_wrapped is None


def test_utf8_file_cut_in_the_middle_of_a_character_keeps_the_rest(tmp_path: Path) -> None:
    data = SAMPLE.encode("utf-8") + "落实".encode()[:4]  # 落 whole, 实 cut after one byte
    source = read_document(_write(tmp_path, "a.txt", data))
    assert source.text == SAMPLE + "落"
    assert source.encoding == "utf-8"


def test_invalid_utf8_in_the_middle_is_not_taken_for_a_cut_file(tmp_path: Path) -> None:
    # Only a cut at the very end is forgiven: a stray byte inside is not UTF-8 at all, so the
    # file is judged as another encoding (here: refused), never silently mended.
    data = SAMPLE.encode("utf-8")[:30] + b"\xe8" + SAMPLE.encode("utf-8")[30:]
    with pytest.raises(ParseError):
        read_document(_write(tmp_path, "a.txt", data))


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    source = read_document(_write(tmp_path, "a.txt", b"\xef\xbb\xbf" + SAMPLE.encode("utf-8")))
    assert source.text == SAMPLE
    assert parse_text(source.text).title == "关于开展“早春行动”的实施方案"


def test_gbk_file_is_decoded(tmp_path: Path) -> None:
    source = read_document(_write(tmp_path, "a.txt", SAMPLE.encode("gbk")))
    assert source.text == SAMPLE
    assert source.encoding == "gb18030"


def test_gb18030_file_with_characters_outside_gbk_is_decoded(tmp_path: Path) -> None:
    # 䶮 (U+4DAE) is not in GBK; GB18030 writes it with four bytes.
    text = "关于表彰刘䶮等同志的决定\n一、表彰对象\n(一)区商务局刘䶮同志。\n"
    data = text.encode("gb18030")
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    assert read_document(_write(tmp_path, "a.txt", data)).text == text


@needs_speech
def test_gbk_reference_speech_parses_like_utf8(tmp_path: Path) -> None:
    path = _write(tmp_path, "speech.txt", SPEECH.encode("gbk"))
    assert parse_file(path).to_dict() == parse_text(SPEECH).to_dict()


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as err:
        read_document(_write(tmp_path, "empty.txt", b""))
    assert "空" in err.value.message
    assert "empty.txt" in err.value.message
    with pytest.raises(ParseError):
        decode_text(b"  \n\n ", name="blank.txt")


def test_binary_garbage_is_refused(tmp_path: Path) -> None:
    garbage = bytes((i * 97 + 13) % 256 for i in range(4096))
    with pytest.raises(ParseError) as err:
        read_document(_write(tmp_path, "junk.txt", garbage))
    assert err.value.code == "binary"
    assert "不是" in err.value.message


def test_high_bytes_that_happen_to_decode_as_gb18030_are_refused(tmp_path: Path) -> None:
    # Bytes 0x81-0xFE pair up into valid GB18030 characters: decoding alone cannot tell.
    garbage = bytes(0x81 + (i * 131 + 7) % 0x7E for i in range(4096))
    with pytest.raises(ParseError) as err:
        read_document(_write(tmp_path, "junk.txt", garbage))
    assert err.value.code == "binary"


def test_short_gbk_text_is_not_mistaken_for_big5(tmp_path: Path) -> None:
    assert read_document(_write(tmp_path, "a.txt", "区商务局".encode("gbk"))).text == "区商务局"


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = _write(tmp_path, "big.txt", SAMPLE.encode("utf-8") * 10)
    with pytest.raises(ParseError) as err:
        read_document(path, max_bytes=100)
    assert err.value.code == "too_large"
    assert "上限" in err.value.message


def test_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as err:
        read_document(tmp_path / "nope.txt")
    assert err.value.code == "not_found"


# ---------------------------------------------------------------------------------------------
# Word


def _add_numbering(
    document, levels: list[tuple[str, str]], *, abstract_id: int = 90, num_id: int = 90
) -> str:
    """A w:abstractNum with one w:lvl per (numFmt, lvlText), and a w:num pointing at it."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/><w:suff w:val="nothing"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    numbering = document.part.numbering_part.element
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">{lvls}</w:abstractNum>'
    )
    num = parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'
    )
    # abstractNum elements must come before num elements in numbering.xml.
    first_num = numbering.find(num.tag)
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(num)
    return str(num_id)


def _numbered(paragraph, num_id: str, ilvl: int) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    ppr = paragraph._p.get_or_add_pPr()
    ppr.insert(
        0,
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
        ),
    )


_GB_LEVELS = [("chineseCounting", "%1、"), ("chineseCounting", "(%2)"), ("decimal", "%3.")]


def test_docx_numbering_is_turned_back_into_markers(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    num_id = _add_numbering(document, _GB_LEVELS)
    document.add_paragraph("关于开展“早春行动”的实施方案")
    for text, level in [
        ("总体要求", 0),
        ("加快建立工作机制。", 1),
        ("制定推进方案。", 2),
        ("开展专项督查。", 2),
        ("强化要素保障。", 1),
        ("保障措施", 0),
        ("加强组织领导。", 1),
    ]:
        _numbered(document.add_paragraph(text), num_id, level)
    path = tmp_path / "plan.docx"
    document.save(str(path))

    source = read_document(path)
    assert source.hard_wrapped is False
    assert source.text.split("\n") == [
        "关于开展“早春行动”的实施方案",
        "一、总体要求",
        "(一)加快建立工作机制。",
        "1.制定推进方案。",
        "2.开展专项督查。",
        "(二)强化要素保障。",
        "二、保障措施",
        "(一)加强组织领导。",
    ]
    doc = parse_file(path)
    assert [n.marker for n in doc.nodes] == ["一、", "二、"]
    assert [n.marker for n in doc.nodes[0].children[0].children] == ["1.", "2."]


def test_docx_tables_are_read_cell_by_cell(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("任务清单")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "一、招商引资"
    table.cell(0, 1).text = "区投资促进局"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "(一)开展产业链招商,引进配套企业。"
    path = tmp_path / "table.docx"
    document.save(str(path))

    lines = [ln for ln in read_document(path).text.split("\n") if ln]
    assert lines == [
        "任务清单",
        "一、招商引资",
        "区投资促进局",
        "(一)开展产业链招商,引进配套企业。",
    ]


@needs_speech
def test_docx_with_word_numbering_parses_like_the_reference_text(tmp_path: Path) -> None:
    import docx

    from kaimen.ledger.parsing.structure import (
        _split_title,
        match_heading_marker,
        normalize_text,
        split_paragraphs,
    )

    lines = normalize_text(SPEECH).split("\n")
    title, rest = _split_title(lines)
    document = docx.Document()
    num_id = _add_numbering(document, _GB_LEVELS)
    document.add_paragraph(title)
    for paragraph in split_paragraphs(lines[rest:]):
        found = match_heading_marker(paragraph)
        if found is None:
            document.add_paragraph(paragraph)
            continue
        level = ["cn", "cn_paren", "arabic", "arabic_paren", "circled"].index(found.kind)
        _numbered(document.add_paragraph(paragraph[found.end :]), num_id, level)
    path = tmp_path / "speech.docx"
    document.save(str(path))

    from_word = parse_file(path).to_dict()
    from_text = parse_text(SPEECH).to_dict()
    assert from_word["title"] == from_text["title"]
    assert from_word["nodes"] == from_text["nodes"]


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("一、总体要求")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _rezip(
    data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def test_zip_bomb_is_refused_quickly(tmp_path: Path) -> None:
    bomb = _rezip(_docx_bytes(), add={"word/media/image1.bin": b"\0" * (20 * 1024 * 1024)})
    path = _write(tmp_path, "bomb.docx", bomb)
    started = time.monotonic()
    with pytest.raises(ParseError) as err:
        read_document(path)
    assert time.monotonic() - started < 2
    assert err.value.code == "zip_bomb"


def test_docx_with_xml_entities_is_refused_without_echoing_them(tmp_path: Path) -> None:
    data = _docx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        document_xml = zf.read("word/document.xml").decode("utf-8")
    body_start = document_xml.index("<w:document")
    evil = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        + document_xml[body_start:].replace("总体要求", "&xxe;")
    )
    path = _write(tmp_path, "xxe.docx", _rezip(data, replace={"word/document.xml": evil.encode()}))
    with pytest.raises(ParseError) as err:
        read_document(path)
    assert err.value.code == "xml_entities"
    assert "root:" not in err.value.message
    assert "passwd" not in err.value.message


def test_docx_with_macros_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "macro.docx", _rezip(_docx_bytes(), add={"word/vbaProject.bin": b"x"}))
    with pytest.raises(ParseError) as err:
        read_document(path)
    assert err.value.code == "macro"


def test_legacy_or_encrypted_word_file_is_refused_with_advice(tmp_path: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024
    with pytest.raises(ParseError) as err:
        read_document(_write(tmp_path, "old.doc", ole))
    assert err.value.code == "ole"
    assert ".docx" in err.value.message


def test_corrupted_docx_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as err:
        read_document(_write(tmp_path, "broken.docx", b"PK\x03\x04" + b"\x00garbage" * 20))
    assert err.value.code == "corrupted"


def test_spreadsheet_renamed_to_docx_is_refused(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "renamed.docx"
    Workbook().save(path)
    with pytest.raises(ParseError) as err:
        read_document(path)
    assert err.value.code == "not_docx"


def test_docx_renamed_to_xlsx_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as err:
        read_document(_write(tmp_path, "renamed.xlsx", _docx_bytes()))
    assert err.value.code == "not_xlsx"


# ---------------------------------------------------------------------------------------------
# PDF


def pdf_with_text(pages: list[list[str]]) -> bytes:
    """A minimal PDF whose text layer holds ``pages`` (lines of Chinese text).

    The font is a Type0/Identity-H font whose codes are the Unicode code points, with a
    ToUnicode CMap mapping them back: exactly what a text extractor needs, no font file.
    """
    chars = sorted({ch for page in pages for line in page for ch in line})
    blocks = []
    for i in range(0, len(chars), 100):
        chunk = chars[i : i + 100]
        pairs = "\n".join(f"<{ord(c):04X}> <{ord(c):04X}>" for c in chunk)
        blocks.append(f"{len(chunk)} beginbfchar\n{pairs}\nendbfchar")
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode()
    objects: dict[int, bytes] = {}
    kids = []
    for index, page in enumerate(pages):
        page_id, content_id = 7 + 2 * index, 8 + 2 * index
        kids.append(page_id)
        ops = ["BT", "/F1 12 Tf", "16 TL", "50 780 Td"]
        ops += ["<" + "".join(f"{ord(c):04X}" for c in line) + "> Tj T*" for line in page]
        ops.append("ET")
        stream = "\n".join(ops).encode()
        objects[content_id] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
        objects[page_id] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>"
        ).encode()
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kid_refs = " ".join(f"{k} 0 R" for k in kids)
    objects[2] = f"<< /Type /Pages /Kids [{kid_refs}] /Count {len(kids)} >>".encode()
    objects[3] = (
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Song /Encoding /Identity-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 6 0 R >>"
    )
    objects[4] = (
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Song "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/FontDescriptor 5 0 R /DW 1000 /CIDToGIDMap /Identity >>"
    )
    objects[5] = (
        b"<< /Type /FontDescriptor /FontName /Song /Flags 4 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>"
    )
    objects[6] = b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def test_pdf_text_layer_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "plan.pdf", pdf_with_text([SAMPLE.strip().split("\n")]))
    source = read_document(path)
    assert source.kind == "pdf"
    assert source.hard_wrapped is True
    assert source.text.split("\n") == SAMPLE.strip().split("\n")


@needs_speech
def test_pdf_of_the_reference_speech_with_page_numbers_parses_like_the_text(tmp_path: Path) -> None:
    lines = SPEECH.rstrip("\n").split("\n")
    # Three pages, each with a page number in the official "— n —" style at the foot.
    pages = [
        [*lines[i : i + 40], f"— {n} —"] for n, i in enumerate(range(0, len(lines), 40), start=1)
    ]
    path = _write(tmp_path, "speech.pdf", pdf_with_text(pages))
    assert parse_file(path).to_dict() == parse_text(SPEECH).to_dict()


def test_scanned_pdf_gets_clear_message(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(ParseError) as err:
        read_document(path)
    assert err.value.code == "pdf_no_text"
    assert "没有文字层" in err.value.message
    assert "扫描件" in err.value.message
    assert "OCR" in err.value.message
    assert "Word" in err.value.message
    assert "scan.pdf" in err.value.message


def test_corrupted_pdf_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as err:
        read_document(_write(tmp_path, "broken.pdf", b"%PDF-1.4\n" + b"\x00\x01garbage" * 50))
    assert err.value.code.startswith("pdf_")


def test_pdf_extraction_has_a_time_limit(tmp_path: Path) -> None:
    path = _write(tmp_path, "plan.pdf", pdf_with_text([["一、总体要求", "(一)建立机制。"]]))
    started = time.monotonic()
    with pytest.raises(ParseError) as err:
        read_pdf(path, time_limit=0.01)
    assert err.value.code == "pdf_timeout"
    assert time.monotonic() - started < 5


def test_pdf_can_be_read_in_process(tmp_path: Path) -> None:
    path = _write(tmp_path, "plan.pdf", pdf_with_text([["一、总体要求", "(一)建立工作机制。"]]))
    assert read_pdf(path, isolate=False).text == "一、总体要求\n(一)建立工作机制。"


def test_pdf_content_with_wrong_extension_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "plan.docx", pdf_with_text([["一、总体要求"]]))
    with pytest.raises(ParseError) as err:
        read_document(path)
    assert err.value.code == "mismatch"
