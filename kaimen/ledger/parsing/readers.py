"""Reading a speech or plan from .txt, .docx or .pdf into plain text, one paragraph or line a line.

Every failure is a ``ParseError`` whose message says what is wrong, with which file, and what
to do about it, in Chinese: the office sees it as it is. Files come from users, so the checks of
SECURITY.md ("Files from users") run before any parser opens them: a size cap, content that
agrees with the extension, no legacy or encrypted OLE files, no macros, no zip bombs, no XML
entity declarations, and PDF extraction in a child process with a time and memory limit.
"""

from __future__ import annotations

import codecs
import json
import re
import subprocess
import sys
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kaimen.lib import packages
from kaimen.lib.errors import KaimenError

MAX_FILE_BYTES = 50 * 1024 * 1024
ZIP_LIMITS = packages.ZipLimits(
    max_entries=2_000, max_uncompressed=200 * 1024 * 1024, max_ratio=200
)
MAX_PDF_PAGES = 500
PDF_TIME_LIMIT = 60.0
PDF_MEMORY_LIMIT_MB = 1_024

_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "cp936", "euc_cn"}
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]\s*)?(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*\d{1,4})?\s*(?:[-—–－])?\s*$"
)
_PROJECT_ROOT = Path(__file__).resolve().parents[3]


class ParseError(KaimenError):
    """A file that cannot be read, with a message for the person who uploaded it."""

    default_message = "无法读取该文件。"
    default_code = "unreadable"


@dataclass(frozen=True)
class SourceText:
    text: str
    kind: str  # "txt" | "docx" | "xlsx" | "pdf"
    # Whether lines were wrapped at a fixed width: True for PDF (a text layer is lines on a
    # page), False for Word (a paragraph is a paragraph), None for plain text (detect).
    hard_wrapped: bool | None
    encoding: str | None = None


def _fail(name: str, what: str, how: str, code: str) -> ParseError:
    return ParseError(f"无法读取“{name}”:{what}。{how}", code=code, target=name)


# ---------------------------------------------------------------------------------------------
# Plain text


def _chinese_share(text: str) -> float:
    """Share of characters that belong in a Chinese document (hanzi, CJK punctuation, ASCII)."""
    if not text:
        return 0.0
    good = 0
    for ch in text:
        cp = ord(ch)
        if (
            0x4E00 <= cp <= 0x9FFF  # CJK unified ideographs
            or 0x3400 <= cp <= 0x4DBF  # extension A (䶮)
            or 0x20000 <= cp <= 0x3134F  # extensions B-G
            or 0x3000 <= cp <= 0x30FF  # CJK punctuation, kana
            or 0xFF00 <= cp <= 0xFFEF  # full-width forms
            or 0x2000 <= cp <= 0x206F  # general punctuation (“” — …)
            or 0x2460 <= cp <= 0x24FF  # ①②③
            or 0x00A0 <= cp <= 0x024F  # Latin-1 and Latin Extended (·, ×, é)
            or 0xAC00 <= cp <= 0xD7AF  # Hangul
            or (ch.isascii() and (ch.isprintable() or ch in "\n\r\t\f"))
        ):
            good += 1
    return good / len(text)


def _hanzi_share(text: str) -> float:
    non_ascii = [ch for ch in text if not ch.isascii()]
    if not non_ascii:
        return 0.0
    return sum(1 for ch in non_ascii if "\u4e00" <= ch <= "\u9fff") / len(non_ascii)


def decode_text(data: bytes, *, name: str = "文件") -> tuple[str, str]:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, GBK or GB18030."""
    if not data.strip():
        raise _fail(name, "文件是空的", "请检查是否上传了正确的文件。", "empty")
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", data)]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", data)]
    elif b"\x00" in data[:8192]:
        raise _fail(
            name,
            "这不是文本文件(含有二进制内容)",
            "请上传 .txt、.docx 或 .pdf 格式的讲话稿。",
            "binary",
        )
    else:
        candidates = [("utf-8", data)]
    for encoding, raw in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            # A file cut short (a download stopped, a copy truncated at a byte count) ends in
            # half a character; the rest is good UTF-8 and loses only that character.
            if exc.reason != "unexpected end of data" or exc.end != len(raw):
                continue
            try:
                text = raw[: exc.start].decode(encoding)
            except UnicodeDecodeError:
                continue
        return _check_plausible(text, name), encoding

    # Not UTF-8: most likely GBK (Windows Notepad's "ANSI" on a Chinese system) or GB18030,
    # its superset, which also covers rare characters in names (䶮). charset-normalizer weighs
    # the candidates; GB-family answers are all decoded as GB18030.
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None and len(data) >= 64:
        # Random bytes in the 0x81-0xFE range decode as GB18030 hanzi; only charset-normalizer's
        # "no encoding makes sense of this" tells them from a real file.
        raise _fail(
            name,
            "内容看起来不是文字(可能是二进制文件或编码无法识别)",
            "请上传 .txt、.docx 或 .pdf 格式的讲话稿;文本文件请保存为 UTF-8 或 GBK 编码。",
            "binary",
        )
    guesses: list[str] = []
    if best is not None:
        guesses.append("gb18030" if best.encoding.lower() in _GB_FAMILY else best.encoding)
    # Short texts fool the detector (四个汉字 in GBK "look like" Big5): GB18030 always competes.
    if "gb18030" not in guesses:
        guesses.append("gb18030")
    decoded: list[tuple[float, str, str]] = []
    for encoding in guesses:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        decoded.append((_hanzi_share(text), encoding, text))
    if not decoded:
        raise _fail(
            name,
            "无法识别文字编码(不是 UTF-8、GBK 或 GB18030)",
            "请用记事本或 WPS 打开后“另存为”UTF-8 编码的文本,或直接上传 Word 文件。",
            "encoding",
        )
    decoded.sort(key=lambda d: d[0], reverse=True)
    _, encoding, text = decoded[0]
    return _check_plausible(text, name), encoding


def _check_plausible(text: str, name: str) -> str:
    if not text.strip():
        raise _fail(name, "文件中没有文字", "请检查是否上传了正确的文件。", "empty")
    if _chinese_share(text) < 0.8:
        raise _fail(
            name,
            "内容看起来不是文字(可能是二进制文件或编码无法识别)",
            "请上传 .txt、.docx 或 .pdf 格式的讲话稿;文本文件请保存为 UTF-8 或 GBK 编码。",
            "binary",
        )
    return text


def read_txt(path: Path) -> SourceText:
    text, encoding = decode_text(path.read_bytes(), name=path.name)
    return SourceText(text, "txt", None, encoding)


# ---------------------------------------------------------------------------------------------
# Word


def _check_zip(path: Path, expected: str = "docx") -> None:
    """Refuse zip bombs, macros and XML entity declarations before python-docx or openpyxl
    opens the file."""
    name = path.name
    label = "Excel(.xlsx)" if expected == "xlsx" else "Word(.docx)"
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _fail(
            name,
            "文件已损坏或不是 Word(.docx)文件",
            "请用 Word 或 WPS 打开后重新“另存为”.docx 再上传。",
            "corrupted",
        ) from exc
    with zf:
        infos = zf.infolist()
        bomb = packages.bomb_signal(infos, ZIP_LIMITS)
        if bomb and bomb.reason == "entries":
            raise _fail(
                name, "文件内部条目过多,疑似恶意文件", "请上传正常的 Word 文件。", "zip_bomb"
            )
        if bomb:
            raise _fail(
                name,
                "文件解压后体积异常巨大(疑似“压缩炸弹”)",
                "请上传正常的 Word 文件;如确为大文件,请删除其中的图片后再试。",
                "zip_bomb",
            )
        names = {i.filename for i in infos}
        if packages.office_kind(names) != expected:
            raise _fail(
                name,
                f"这不是 {label} 文件（缺少正文部分）",
                "请确认文件类型；其他文件请不要改扩展名上传。",
                f"not_{expected}",
            )
        if packages.has_macros(names):
            raise _fail(
                name,
                "文件含有宏代码",
                "请在 Word 中另存为不含宏的 .docx 文件后再上传。",
                "macro",
            )
        if packages.entity_declaring_part(zf):
            raise _fail(
                name,
                "文件含有 XML 实体声明,可能是恶意构造的文件",
                "请用 Word 重新另存为 .docx 后再上传。",
                "xml_entities",
            )


_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"


def _roman(n: int) -> str:
    out = []
    for value, sym in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def format_list_number(n: int, fmt: str) -> str:
    """A counter in one of Word's w:numFmt styles (chineseCounting 3 → 三)."""
    from kaimen.ledger.parsing.structure import int_to_cn

    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting",
               "japaneseCounting", "koreanCounting", "ideographDigital"):  # fmt: skip
        if fmt == "ideographDigital":
            return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
        return int_to_cn(n)
    if fmt in ("chineseLegalSimplified", "ideographLegalTraditional"):
        return "".join(_CN_LEGAL[int(d)] for d in str(n)) if n < 10 else int_to_cn(n)
    if fmt in ("ideographTraditional", "ideographZodiac"):
        return _HEAVENLY_STEMS[(n - 1) % 10]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).upper() if fmt == "upperRoman" else _roman(n)
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


@dataclass
class _Level:
    fmt: str
    text: str
    start: int


class _WordNumbering:
    """Turns Word's automatic list numbering (w:numPr) back into the markers a reader sees."""

    def __init__(self, document) -> None:
        from docx.oxml.ns import qn

        self.qn = qn
        self.num_to_abstract: dict[str, str] = {}
        self.overrides: dict[tuple[str, int], int] = {}
        self.levels: dict[str, dict[int, _Level]] = {}
        self.counters: dict[str, list[int]] = {}
        self.applied: set[str] = set()
        self.style_numpr: dict[str, tuple[str, int] | None] = {}
        self.styles = self._styles(document)
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        for abstract in numbering.findall(qn("w:abstractNum")):
            abs_id = abstract.get(qn("w:abstractNumId"))
            levels: dict[int, _Level] = {}
            for lvl in abstract.findall(qn("w:lvl")):
                ilvl = int(lvl.get(qn("w:ilvl"), "0"))
                fmt_el = lvl.find(qn("w:numFmt"))
                text_el = lvl.find(qn("w:lvlText"))
                start_el = lvl.find(qn("w:start"))
                fmt = fmt_el.get(qn("w:val")) if fmt_el is not None else "decimal"
                if lvl.find(qn("w:isLgl")) is not None:
                    fmt = "decimal"
                levels[ilvl] = _Level(
                    fmt=fmt or "decimal",
                    text=text_el.get(qn("w:val"), "") if text_el is not None else "",
                    start=int(start_el.get(qn("w:val"), "1")) if start_el is not None else 1,
                )
            self.levels[abs_id] = levels
        for num in numbering.findall(qn("w:num")):
            num_id = num.get(qn("w:numId"))
            abs_el = num.find(qn("w:abstractNumId"))
            if abs_el is None:
                continue
            self.num_to_abstract[num_id] = abs_el.get(qn("w:val"))
            for override in num.findall(qn("w:lvlOverride")):
                start = override.find(qn("w:startOverride"))
                if start is not None:
                    ilvl = int(override.get(qn("w:ilvl"), "0"))
                    self.overrides[(num_id, ilvl)] = int(start.get(qn("w:val"), "1"))

    def _styles(self, document) -> dict[str, object]:
        try:
            root = document.styles.element
        except (KeyError, NotImplementedError, AttributeError):
            return {}
        return {s.get(self.qn("w:styleId")): s for s in root.findall(self.qn("w:style"))}

    def _numpr_of(self, ppr) -> tuple[str | None, int | None]:
        if ppr is None:
            return None, None
        numpr = ppr.find(self.qn("w:numPr"))
        if numpr is None:
            return None, None
        num_el = numpr.find(self.qn("w:numId"))
        ilvl_el = numpr.find(self.qn("w:ilvl"))
        num_id = num_el.get(self.qn("w:val")) if num_el is not None else None
        ilvl = int(ilvl_el.get(self.qn("w:val"), "0")) if ilvl_el is not None else None
        return num_id, ilvl

    def _from_style(self, style_id: str) -> tuple[str, int] | None:
        """Numbering a heading style carries (标题 1 numbered 一、), following w:basedOn."""
        if style_id in self.style_numpr:
            return self.style_numpr[style_id]
        seen: set[str] = set()
        current: str | None = style_id
        found: tuple[str, int] | None = None
        while current and current not in seen:
            seen.add(current)
            style = self.styles.get(current)
            if style is None:
                break
            num_id, ilvl = self._numpr_of(style.find(self.qn("w:pPr")))
            if num_id is not None:
                found = (num_id, ilvl or 0)
                break
            based = style.find(self.qn("w:basedOn"))
            current = based.get(self.qn("w:val")) if based is not None else None
        self.style_numpr[style_id] = found
        return found

    def marker_for(self, p_el) -> str:
        qn = self.qn
        ppr = p_el.find(qn("w:pPr"))
        num_id, ilvl = self._numpr_of(ppr)
        if num_id is None and ppr is not None:
            style_el = ppr.find(qn("w:pStyle"))
            if style_el is not None:
                inherited = self._from_style(style_el.get(qn("w:val")))
                if inherited:
                    num_id, style_ilvl = inherited
                    ilvl = style_ilvl if ilvl is None else ilvl
        if num_id is None or num_id == "0":
            return ""
        ilvl = ilvl or 0
        abs_id = self.num_to_abstract.get(num_id)
        levels = self.levels.get(abs_id or "")
        if not levels or ilvl not in levels:
            return ""
        # Word counts per abstract list: w:num instances that share one continue each other's
        # numbering unless a w:startOverride restarts a level.
        counters = self.counters.setdefault(abs_id or "", [0] * 10)
        if num_id not in self.applied:
            self.applied.add(num_id)
            for (oid, olvl), start in self.overrides.items():
                if oid == num_id and olvl < len(counters):
                    counters[olvl] = start - 1
                    for deeper in range(olvl + 1, len(counters)):
                        counters[deeper] = 0
        level = levels[ilvl]
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else level.start
        for deeper in range(ilvl + 1, len(counters)):
            counters[deeper] = 0

        def substitute(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            lvl = levels.get(k, level)
            value = counters[k] if k < len(counters) and counters[k] else lvl.start
            return format_list_number(value, lvl.fmt)

        return re.sub(r"%([1-9])", substitute, level.text)


def read_docx(path: Path) -> SourceText:
    _check_zip(path)
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from kaimen.ledger.parsing.tables import CELL_SEPARATOR, read_grid

    try:
        document = docx.Document(str(path))
    except Exception as exc:
        # python-docx raises a handful of types (KeyError, ValueError, lxml's XMLSyntaxError,
        # PackageNotFoundError) for one cause: a file Word would have to repair.
        raise _fail(
            path.name,
            "Word 文件已损坏,无法打开",
            "请用 Word 或 WPS 打开后重新“另存为”.docx 再上传。",
            "corrupted",
        ) from exc
    numbering = _WordNumbering(document)
    lines: list[str] = []

    def paragraph_line(p_el, parent) -> None:
        text = Paragraph(p_el, parent).text
        marker = numbering.marker_for(p_el) if text.strip() else ""
        if marker and marker[-1] in ".．" and text[:1].isdigit():
            marker += " "
        lines.append(marker + text)

    def walk(container, parent) -> None:
        for child in container.iterchildren():
            if child.tag == qn("w:p"):
                paragraph_line(child, parent)
            elif child.tag == qn("w:tbl"):
                table = Table(child, parent)
                grid = [[cell.text for cell in row.cells] for row in table.rows]
                if read_grid(grid) is not None:
                    # A task table: one line a row, cells in grid order (merged cells repeated).
                    lines.append("")
                    lines.extend(CELL_SEPARATOR.join(" ".join(c.split()) for c in r) for r in grid)
                    lines.append("")
                    continue
                # A merged cell appears once per grid column it spans. The set holds the
                # elements themselves: lxml proxies' id() can be reused once one is freed.
                seen: set[object] = set()
                for row in table.rows:
                    for cell in row.cells:
                        if cell._tc in seen:
                            continue
                        seen.add(cell._tc)
                        walk(cell._tc, cell)
                lines.append("")
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    walk(content, parent)

    walk(document.element.body, document)
    text = "\n".join(lines)
    if not text.strip():
        raise _fail(path.name, "Word 文件中没有文字", "请检查是否上传了正确的文件。", "empty")
    return SourceText(text, "docx", False, None)


# ---------------------------------------------------------------------------------------------
# Excel


def read_xlsx(path: Path) -> SourceText:
    """A workbook of task tables: each sheet's rows as lines, cells separated by a tab."""
    _check_zip(path, "xlsx")
    import openpyxl

    from kaimen.ledger.parsing.tables import CELL_SEPARATOR

    try:
        workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except Exception as exc:
        # openpyxl raises several types (KeyError, ValueError, lxml errors) for a damaged file.
        raise _fail(
            path.name,
            "Excel 文件已损坏，无法打开",
            "请用 Excel 或 WPS 打开后重新“另存为”.xlsx 再上传。",
            "corrupted",
        ) from exc
    lines: list[str] = []
    try:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells = ["" if v is None else " ".join(str(v).split()) for v in row]
                while cells and not cells[-1]:
                    cells.pop()
                lines.append(CELL_SEPARATOR.join(cells) if len(cells) > 1 else "".join(cells))
            lines.append("")
    finally:
        workbook.close()
    text = "\n".join(lines)
    if not text.strip():
        raise _fail(path.name, "Excel 文件中没有文字", "请检查是否上传了正确的文件。", "empty")
    return SourceText(text, "xlsx", False, None)


# ---------------------------------------------------------------------------------------------
# PDF


def _strip_page_furniture(page_text: str) -> str:
    """Drop page numbers ("— 3 —", "第 3 页") from the top and bottom lines of a page."""
    lines = page_text.split("\n")
    while lines and _PAGE_NUMBER.match(lines[-1]):
        lines.pop()
    while lines and _PAGE_NUMBER.match(lines[0]):
        lines.pop(0)
    return "\n".join(lines)


def _extract_pdf_pages(path: str) -> dict[str, object]:
    """The text layer of every page, or an error code; runs in the worker process."""
    import pdfplumber

    try:
        with pdfplumber.open(path) as pdf:
            if len(pdf.pages) > MAX_PDF_PAGES:
                return {"ok": False, "code": "too_many_pages", "detail": str(len(pdf.pages))}
            pages: list[str] = []
            for page in pdf.pages:
                pages.append(page.extract_text() or "")
                page.close()
    except Exception as exc:
        # pdfminer's errors have no common base class worth naming; the class name tells an
        # encrypted file from a broken one.
        kind = type(exc).__name__
        code = "encrypted" if "Password" in kind or "Encrypt" in kind else "corrupted"
        return {"ok": False, "code": code, "detail": kind}
    return {"ok": True, "pages": pages}


def _pdf_worker_main() -> None:
    """Entry point of the child process: limit memory, extract, print JSON."""
    path, memory_mb = sys.argv[1], int(sys.argv[2])
    try:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # no RLIMIT_AS on this platform: the time limit still holds
    try:
        result = _extract_pdf_pages(path)
    except MemoryError:
        result = {"ok": False, "code": "memory", "detail": ""}
    sys.stdout.write(json.dumps(result, ensure_ascii=False))


def _pdf_pages_isolated(path: Path, time_limit: float, memory_limit_mb: int) -> dict[str, object]:
    # A crafted PDF can make a parser loop or eat memory; a child process can be killed.
    command = [
        sys.executable,
        "-c",
        "from kaimen.ledger.parsing.readers import _pdf_worker_main; _pdf_worker_main()",
        str(path),
        str(memory_limit_mb),
    ]
    try:
        done = subprocess.run(  # noqa: S603 -- fixed interpreter and code; the path is an argv item
            command,
            capture_output=True,
            timeout=time_limit,
            cwd=_PROJECT_ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"ok": False, "code": "timeout", "detail": f"{time_limit:g}"}
    try:
        return json.loads(done.stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        memory = b"MemoryError" in done.stderr or done.returncode < 0
        return {"ok": False, "code": "memory" if memory else "corrupted", "detail": ""}


def read_pdf(
    path: Path,
    *,
    isolate: bool = True,
    time_limit: float = PDF_TIME_LIMIT,
    memory_limit_mb: int = PDF_MEMORY_LIMIT_MB,
) -> SourceText:
    name = path.name
    if isolate:
        result = _pdf_pages_isolated(path, time_limit, memory_limit_mb)
    else:
        result = _extract_pdf_pages(str(path))
    if not result.get("ok"):
        code = str(result.get("code"))
        messages = {
            "encrypted": (
                "PDF 已加密(设置了打开密码)",
                "请去掉密码后重新导出 PDF,或上传 Word 文件。",
            ),
            "too_many_pages": (
                f"PDF 页数过多(超过 {MAX_PDF_PAGES} 页)",
                "请只上传讲话或方案正文。",
            ),
            "timeout": (
                f"PDF 解析超过 {time_limit:g} 秒仍未完成,文件可能有问题",
                "请重新导出 PDF,或上传 Word 文件。",
            ),
            "memory": ("PDF 解析占用内存过多,文件可能有问题", "请重新导出 PDF,或上传 Word 文件。"),
        }
        what, how = messages.get(
            code, ("PDF 文件已损坏,无法打开", "请重新导出 PDF,或上传 Word 文件。")
        )
        raise _fail(name, what, how, f"pdf_{code}")
    pages = [_strip_page_furniture(str(p)) for p in result.get("pages", [])]  # type: ignore[union-attr]
    text = "\n".join(pages)
    if sum(1 for ch in text if not ch.isspace()) < 10:
        raise _fail(
            name,
            "这个 PDF 没有文字层(可能是扫描件)",
            "请先用 OCR 识别成文字,或直接上传 Word 原文件",
            "pdf_no_text",
        )
    return SourceText(unicodedata.normalize("NFC", text), "pdf", True, None)


# ---------------------------------------------------------------------------------------------


def _sniff(head: bytes, suffix: str) -> str:
    if head.startswith(packages.OLE_MAGIC):
        return "ole"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return "text"


def read_document(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> SourceText:
    """Read a .txt, .docx or .pdf; the content decides, the extension must agree with it."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(2048)
    except FileNotFoundError as exc:
        raise _fail(name, "找不到该文件", "请检查文件路径。", "not_found") from exc
    except OSError as exc:
        raise _fail(name, f"无法打开文件({exc.strerror})", "请检查文件权限。", "io") from exc
    if size > max_bytes:
        raise _fail(
            name,
            f"文件大小 {size / 1024 / 1024:.1f} MB,超过上限 {max_bytes / 1024 / 1024:.0f} MB",
            "请只上传讲话或方案正文,删除图片后再试。",
            "too_large",
        )
    if size == 0:
        raise _fail(name, "文件是空的", "请检查是否上传了正确的文件。", "empty")
    suffix = path.suffix.lower()
    kind = _sniff(head, suffix)
    if kind == "ole":
        raise _fail(
            name,
            "这是旧版 Word(.doc)文件或加密的文档",
            "请在 Word 中去掉密码,并“另存为”.docx 后再上传。",
            "ole",
        )
    if kind == "pdf":
        if suffix not in (".pdf", ""):
            raise _fail(
                name, f"文件内容是 PDF,但扩展名是“{suffix}”", "请改正扩展名后再上传。", "mismatch"
            )
        return read_pdf(path)
    if kind == "zip":
        if suffix == ".xlsx":
            return read_xlsx(path)
        if suffix not in (".docx", ""):
            raise _fail(
                name,
                f"扩展名是“{suffix}”，但只支持 Word（.docx）、Excel（.xlsx）、PDF 和文本文件",
                "其他文件请不要改扩展名上传；讲话稿请另存为 .docx 或 .pdf。",
                "mismatch",
            )
        return read_docx(path)
    if suffix in (".docx", ".xlsx", ".pdf", ".doc"):
        raise _fail(
            name,
            f"文件扩展名是“{suffix}”,但内容不是该格式(文件可能已损坏)",
            "请重新导出或另存后再上传。",
            "mismatch",
        )
    return read_txt(path)
