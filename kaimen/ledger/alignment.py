"""Where each proposed ledger item sits in the source text, so the review screen can link an
item to its sentence.

The parser rejoins hard-wrapped lines and folds some characters, so an item's text is not a
substring of the extracted text: both are compared with whitespace removed and NFKC-folded
(full-width "," and half-width "," compare equal), and the match is mapped back to offsets in
the original. Items are found in document order, each search starting after the previous match.
Pure Python.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# When an item's full text is not found (the parser changed a character we do not fold), its
# opening is enough to place it.
_HEAD_CHARS = 12


def _fold(text: str) -> tuple[str, list[int]]:
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        for folded in unicodedata.normalize("NFKC", ch):
            if not folded.isspace():
                chars.append(folded)
                index.append(i)
    return "".join(chars), index


@dataclass(frozen=True)
class Span:
    start: int
    end: int


class Locator:
    def __init__(self, source: str, *, start: int = 0) -> None:
        self.folded, self.index = _fold(source)
        self.cursor = next((i for i, at in enumerate(self.index) if at >= start), len(self.index))

    def find(self, text: str, *, marker: str = "", advance: bool = True) -> Span | None:
        """The span of ``text`` (with its ``marker`` when that stands just before it)."""
        needle, _ = _fold(text)
        if not needle:
            return None
        pos = self.folded.find(needle, self.cursor)
        length = len(needle)
        if pos < 0:
            pos = self.folded.find(needle[:_HEAD_CHARS], self.cursor)
            if pos < 0:
                return None
            length = min(length, len(self.folded) - pos)
        start = pos
        folded_marker, _ = _fold(marker)
        if folded_marker and self.folded[max(0, pos - len(folded_marker)) : pos] == folded_marker:
            start = pos - len(folded_marker)
        last = pos + length - 1
        if advance:
            self.cursor = pos + length
        return Span(self.index[start], self.index[last] + 1)


@dataclass(frozen=True)
class Segment:
    text: str
    key: object | None  # the item a stretch of source belongs to, None for text between items


def segments(source: str, spans: list[tuple[object, Span]]) -> list[Segment]:
    """The source cut into stretches for display; overlapping spans keep the earlier item."""
    out: list[Segment] = []
    at = 0
    for key, span in sorted(spans, key=lambda pair: pair[1].start):
        start = max(span.start, at)
        if span.end <= start:
            continue
        if start > at:
            out.append(Segment(source[at:start], None))
        out.append(Segment(source[start : span.end], key))
        at = span.end
    if at < len(source):
        out.append(Segment(source[at:], None))
    return out
