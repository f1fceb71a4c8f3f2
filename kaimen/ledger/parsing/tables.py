"""Task tables (任务分解表): rows of tasks with their owners and deadlines.

A district's task division usually comes as a Word table or a spreadsheet with columns such as
序号 / 重点任务 / 具体措施 / 牵头单位 / 配合单位 / 责任单位 / 完成时限, sometimes a column per
quarter, a category column merged down its rows, or a category row merged across the table.
The readers hand such a table to the parser as one line a row, cells separated by a tab, merged
cells repeated in every grid column they cover. A table copied out of Word into plain text often
arrives flattened, one cell a line; ``flattened_rows`` recognises that shape by its header.

Pure Python: this module only decides what the columns are and which lines are rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CELL_SEPARATOR = "\t"

# Header words, most specific first: "责任单位（牵头）" is a lead column, not a shared one.
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("seq", re.compile(r"^(?:序号|编号|序)$")),
    ("lead", re.compile(r"牵头|主责|主办")),
    ("co", re.compile(r"配合|协办|协助|参与|协同")),
    ("leader", re.compile(r"领导")),
    (
        "resp",
        re.compile(r"责任(?:单位|部门|主体|处室)|实施(?:单位|主体)|承办单位|(?:部门|单位|处室)$"),
    ),
    ("deadline", re.compile(r"时限|完成时间|时间节点|完成期限|截止")),
    ("quarter", re.compile(r"^(?:第?[一二三四1-4]季度|[一二三四]季度目标)")),
    ("category", re.compile(r"类别|分类|领域|板块|专项|方面")),
    (
        "measures",
        re.compile(
            r"措施|举措|具体内容|主要内容|工作内容|目标要求|工作目标|推进计划|具体工作|进度安排"
            r"|时间安排|计划安排|工作计划"
        ),
    ),
    ("task", re.compile(r"任务|事项|实事|项目|重点工作|工作名称|名称|内容")),
)
_BARE_NUMBER = re.compile(r"^\d{1,3}[.、．]?$")
_TOTAL = re.compile(r"^(?:总分|合计|总计|小计|共计)$")
_CATEGORY_LINE = re.compile(r"^[一二三四五六七八九十]{1,3}[、.．]\S")


def column_role(header: str) -> str | None:
    """What a header cell names: seq, task, measures, lead, co, resp, deadline, quarter …"""
    text = "".join(header.split())
    if not text or len(text) > 16:
        return None
    for role, pattern in _ROLES:
        if pattern.search(text):
            return role
    return None


def header_roles(cells: list[str]) -> list[str | None] | None:
    """The role of each column if ``cells`` is a task table's header, else None.

    A header names what to do (a task or measures column) and who or when (a unit or deadline
    column); 序号 alone with two other known columns is enough.
    """
    roles = [column_role(c) for c in cells]
    if "task" not in roles and roles.count("measures") >= 2:
        # 改革举措 | 主要内容: the first names the task, the second describes it.
        roles[roles.index("measures")] = "task"
    if "task" not in roles and "measures" not in roles and None in roles[1:]:
        # 民生实事 / 考核内容 …: the first column no header word names holds the task.
        roles[roles.index(None, 1)] = "task"
    known = {r for r in roles if r}
    does = known & {"task", "measures"}
    who = known & {"lead", "co", "resp", "deadline", "quarter"}
    if (does and who) or ("seq" in known and (len(known) >= 3 or (does and len(cells) >= 4))):
        return roles
    return None


@dataclass
class TableRow:
    seq: str
    cells: dict[str, str]
    category: str = ""
    quarters: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Table:
    rows: list[TableRow]
    # Category rows merged across the table, in order, each with the index of its first row.
    sections: list[tuple[str, int]] = field(default_factory=list)


def _clean(cell: str) -> str:
    return " ".join(cell.split())


def read_grid(grid: list[list[str]]) -> Table | None:
    """A table from its rows of cells (header rows first), or None if it is no task table.

    Header rows are the leading rows whose cells name columns; when a header spans two rows
    (责任单位 over 牵头单位 | 配合单位), the texts of a column are read together.
    """
    header_end = 0
    roles: list[str | None] | None = None
    for i, row in enumerate(grid[:4]):
        roles = header_roles([_clean(c) for c in row])
        if roles is not None:
            header_end = i + 1
            break
    if roles is None:
        return None
    below = header_roles([_clean(c) for c in grid[header_end]]) if header_end < len(grid) else None
    if below is not None:
        # A second header row refines the first: 牵头单位 | 配合单位 under a merged 责任单位.
        roles = [b or a for a, b in zip(roles, below, strict=False)]
        header_end += 1
    headers = [_clean(c) for c in grid[header_end - 1]]
    pairs = [
        c
        for c in range(len(headers) - 1)
        if headers[c] and headers[c] == headers[c + 1] and roles[c] not in ("seq", None)
    ]
    table = Table(rows=[])
    category = ""
    for raw in grid[header_end:]:
        cells = [_clean(c) for c in raw]
        filled = [c for c in cells if c]
        if not filled:
            continue
        if len(set(filled)) == 1 and len(cells) > 2 and not _BARE_NUMBER.match(filled[0]):
            # One text merged across the row: a category (一、项目建设).
            table.sections.append((filled[0], len(table.rows)))
            continue
        seq_col = roles.index("seq") if "seq" in roles else None
        seq = cells[seq_col] if seq_col is not None and seq_col < len(cells) else ""
        if seq and _CATEGORY_LINE.match(seq + "x") and not seq[-1:].isalnum():
            # 一、 in the 序号 cell: a category row whose name is in the next cells.
            name = next((c for c in cells[seq_col + 1 :] if c), "")
            table.sections.append((seq + name, len(table.rows)))
            continue
        if not seq and seq_col is not None and _TOTAL.match(filled[0]):
            continue  # 总分 / 合计: a sum, not a task
        row = TableRow(seq="", cells={})
        skip: set[int] = set()
        for col in pairs:
            if col + 1 < len(cells) and cells[col] and cells[col + 1] != cells[col]:
                # A header over two columns whose cells differ in this row: the first holds
                # a group (merged down its rows), the second a unit or a sub-item.
                row.category = cells[col]
                if _UNIT_CELL.match(cells[col + 1]):
                    row.cells["lead"] = cells[col + 1]
                skip.update((col, col + 1))
        for col, text in enumerate(cells):
            role = roles[col] if col < len(roles) else None
            if not text or role is None or role == "leader" or col in skip:
                continue
            if role == "quarter":
                row.quarters.append((headers[col] if col < len(headers) else "", text))
            elif role == "seq":
                row.seq = text
            elif role == "category":
                row.category = text
            elif role not in row.cells:
                row.cells[role] = text
            elif row.cells[role] != text and role in ("lead", "co", "resp"):
                row.cells[role] += "、" + text
        if row.category:
            category = row.category
        elif "category" in roles:
            row.category = category
        if row.cells.get("task") or row.cells.get("measures"):
            table.rows.append(row)
    return table if table.rows else None


def flattened_rows(lines: list[str], start: int) -> tuple[list[list[str]], int] | None:
    """A table flattened to one cell a line, starting at ``lines[start]``: its grid and the
    index just past it; None unless at least three header words stand on consecutive lines.

    Rows are told apart by their 序号 (1, 2, 3 …); a row's cells fill the columns in order.
    """
    headers: list[str] = []
    i = start
    while i < len(lines) and len(headers) < 12:
        if not lines[i].strip():
            i += 1  # a blank line between cells, as a page's table often leaves
            continue
        if not _header_like(lines[i]):
            break
        headers.append(lines[i].strip())
        i += 1
    if len(headers) < 3 or header_roles(headers) is None or column_role(headers[0]) != "seq":
        return None
    width = len(headers)
    roles = header_roles(headers) or []
    grid: list[list[str]] = [headers]
    expected = 1
    current: list[str] | None = None
    while i < len(lines):
        line = lines[i].strip()
        number = line.rstrip(".、．")
        if not line:
            i += 1
            continue
        if _CATEGORY_LINE.match(line) and (current is None or len(current) >= width - 1):
            # A category row between rows: 一、知识产权保护方面（共5项）
            if current is not None:
                grid.extend(_fit(part, roles) for part in _split_row(current, width))
                current = None
            grid.append([line] * width)
        elif (
            number.isdigit() and len(line) <= 4 and _next_row(int(number), expected, current, width)
        ):
            if current is not None:
                grid.extend(_fit(part, roles) for part in _split_row(current, width))
            current = [number]
            expected = int(number) + 1
        elif current is None or len(current) >= 2 * width:
            break
        else:
            current.append(line)
        i += 1
    if current is not None:
        grid.extend(_fit(part, roles) for part in _split_row(current, width))
    return (grid, i) if len(grid) > 1 else None


def _next_row(number: int, expected: int, current: list[str] | None, width: int) -> bool:
    """Whether a bare number starts the next row: the next 序号, or a later one once the row
    before is complete (a published table may leave rows out: 14, then 21)."""
    if number == expected:
        return True
    complete = current is None or len(current) >= width - 1
    return complete and expected < number <= expected + 30


def _header_like(line: str) -> bool:
    """A header cell on its own line: a known column, or a short label such as 推广范围."""
    text = "".join(line.split())
    if _CATEGORY_LINE.match(text):
        return False
    if column_role(text) is not None:
        return True
    return (
        0 < len(text) <= 8
        and not text[0].isdigit()
        and not _CATEGORY_LINE.match(text)
        and not any(ch in text for ch in "，,。；;：:、")
    )


def _header_tokens(line: str) -> list[str]:
    """A header line's words: runs of single characters are one spaced-out word (工 作 任 务)."""
    words: list[str] = []
    run = ""
    for token in line.split():
        if len(token) == 1:
            run += token
            continue
        if run:
            words.append(run)
            run = ""
        words.append(token)
    if run:
        words.append(run)
    return words


def spaced_rows(lines: list[str], start: int) -> tuple[list[list[str]], int] | None:
    """A table whose cells are separated by spaces (序号 工作任务 牵头部门 / 1 …… 财政部), as
    text copied from a web page or a PDF keeps it: its grid and the index just past it.

    The first and the last columns hold no spaces (a number, unit names), so a row's first
    word is its 序号, its last words the trailing columns, and the rest the task.
    """
    headers = _header_tokens(lines[start])
    roles = header_roles(headers)
    if roles is None or roles[0] != "seq" or len(headers) < 3:
        return None
    width = len(headers)
    grid: list[list[str]] = [headers]
    expected = 1
    i = start + 1
    while i < len(lines):
        words = lines[i].split()
        if not words:
            i += 1
            continue
        if words[0].rstrip(".、．") != str(expected) or len(words) < width:
            break
        tail = width - 2
        grid.append([words[0], " ".join(words[1 : len(words) - tail]), *words[len(words) - tail :]])
        expected += 1
        i += 1
    return (grid, i) if len(grid) > 1 else None


_UNIT_CELL = re.compile(
    r"^[\u4e00-\u9fff（）()]{2,20}(?:局|委|办|中心|部|院|会|政府|公司|指挥部|街道|镇|乡|室|所|队|站|处|厅|署|行|社)$"
)
_TIME_CELL = re.compile(r"\d{1,2}\s*月|年底|年内|季度|[底末]前|长期|持续|常态化|全年")
_UNIT_ROLES = ("lead", "co", "resp")


def _split_row(cells: list[str], width: int) -> list[list[str]]:
    """A flattened row holding two tasks under one 序号 (its cell merged down two rows): after a
    short time line (5月底前动工) more lines follow than a row can hold. Each task is a row."""
    if len(cells) <= width:
        return [cells]
    for at in range(2, len(cells) - 1):
        line = cells[at]
        if len(line) <= 12 and "。" not in line and _TIME_CELL.search(line):
            rest = cells[at + 1 :]
            if rest and not _UNIT_CELL.match(rest[0]):
                return [cells[: at + 1], *_split_row([cells[0], *rest], width)]
    return [cells]


def _fit(cells: list[str], roles: list[str | None]) -> list[str]:
    """A flattened row's lines to the table's columns.

    A row's lines are as many as its filled cells, not as many as the columns: unit names
    (区发改局, one a line when several share a task) go to the unit columns, a time at the end
    to the deadline column, and the other lines fill the remaining columns in order.
    """
    width = len(roles)
    if len(cells) == width:
        return cells
    out = [""] * width
    out[0] = cells[0]
    rest = cells[1:]
    deadline_col = width - 1 if roles[-1] == "deadline" else None
    if deadline_col is not None and len(rest) > 1 and _TIME_CELL.search(rest[-1]):
        out[deadline_col] = rest.pop()
    unit_cols = [c for c in range(1, width) if roles[c] in _UNIT_ROLES]
    units = [r for r in rest if _UNIT_CELL.match(r)] if unit_cols else []
    texts = [r for r in rest if r not in units]
    if unit_cols and units:
        if len(unit_cols) == 1:
            out[unit_cols[0]] = "、".join(units)
        else:
            out[unit_cols[0]] = units[0]
            out[unit_cols[1]] = "、".join(units[1:])
    free = [c for c in range(1, width) if c not in unit_cols and c != deadline_col]
    if not free:
        return out
    for col, text in zip(free, texts, strict=False):
        out[col] = text
    if len(texts) > len(free):
        # More lines than text columns: the last column takes them (a long measures cell).
        out[free[-1]] = "".join(texts[len(free) - 1 :])
    return out


def owner_annotation(row: TableRow) -> str:
    """The row's unit and deadline cells as an annotation in the form plans write beside an
    item, for the owners module to read: （区发改局牵头，区财政局配合；完成时限：3月底前）."""
    parts: list[str] = []
    if row.cells.get("lead"):
        parts.append(f"{row.cells['lead']}牵头")
    if row.cells.get("co"):
        parts.append(f"{row.cells['co']}配合")
    if row.cells.get("resp") and not row.cells.get("lead"):
        parts.append(f"责任单位：{row.cells['resp']}")
    owners = "，".join(parts)
    deadline = row.cells.get("deadline", "")
    if deadline:
        owners = f"{owners}；完成时限：{deadline}" if owners else f"完成时限：{deadline}"
    return f"（{owners}）" if owners else ""
