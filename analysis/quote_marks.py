"""Pass 1 of quote finding: quotation marks paired per paragraph, on the article text alone (no parse).

Straight, curly and guillemet double marks nest; single marks count only outside double marks; an unbalanced mark
is skipped, or runs to the paragraph end when it opens the paragraph (a quotation continued in the next one).
``MarkSet`` indexes one paragraph's spans so the later passes ask "is this offset quoted?" by bisection: an article
with thousands of quotation marks must stay linear.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from analysis.records import Span

OPEN_MARKS = "“«„"
CLOSE_MARKS = "”»"
STRAIGHT = '"'


@dataclass(frozen=True, slots=True)
class Marked:
    """A span inside quotation marks: ``inner`` is the trimmed content, ``outer`` includes the marks."""

    inner: Span
    outer: Span
    closed: bool


@dataclass(frozen=True, slots=True)
class MarkSet:
    """The quoted spans of one paragraph sorted by start, with the starts and the running maximum of the ends, so
    "is this offset quoted?" and "which spans overlap this range?" are bisections, not scans (an article with
    thousands of quotation marks must stay linear)."""

    items: tuple[Marked, ...]
    starts: tuple[int, ...]
    max_ends: tuple[int, ...]  # max_ends[k] = max(outer.end of items[: k + 1])

    @classmethod
    def of(cls, marks: Iterable[Marked]) -> MarkSet:
        items = tuple(sorted(marks, key=lambda m: (m.outer.start, m.outer.end)))
        ends: list[int] = []
        for m in items:
            ends.append(max(ends[-1], m.outer.end) if ends else m.outer.end)
        return cls(items, tuple(m.outer.start for m in items), tuple(ends))

    def __iter__(self) -> Iterator[Marked]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def covering(self, pos: int) -> bool:
        """True when ``pos`` lies inside some span's marks."""
        k = bisect_right(self.starts, pos) - 1
        return k >= 0 and self.max_ends[k] > pos

    def overlapping(self, start: int, end: int) -> list[Marked]:
        """The spans whose marks overlap [start, end), in order."""
        k = bisect_left(self.starts, end) - 1
        out: list[Marked] = []
        while k >= 0 and self.max_ends[k] > start:
            if self.items[k].outer.end > start:
                out.append(self.items[k])
            k -= 1
        out.reverse()
        return out

    def last_start_before(self, pos: int) -> int:
        """The largest span start below ``pos`` (-1 when none)."""
        k = bisect_left(self.starts, pos) - 1
        return self.starts[k] if k >= 0 else -1

    def index_of(self, m: Marked) -> int:
        return bisect_left(self.starts, m.outer.start)


def paragraphs(text: str) -> list[Span]:
    """Non-empty lines of the text (one paragraph per line in the corpus)."""
    out = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            out.append(Span(pos, pos + len(line)))
        pos += len(line) + 1
    return out


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Strip whitespace and a final period/comma (keep ? and !)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",."):
        if text[end - 1] == "." and end - start >= 3 and text[end - 3 : end] == "...":
            break
        end -= 1
    return start, end


def find_marked(text: str, para: Span) -> Iterator[Marked]:
    """Quoted spans of one paragraph; an unclosed span runs to the paragraph end only when it opens the paragraph.

    Double marks nest (a stack); a closing mark with no closer after it in the paragraph closes every open level
    (a quotation whose inner mark was never closed). Single marks count only outside double marks.
    """
    stack: list[int] = []
    single_at: int | None = None
    i = para.start
    has_double = _has_double(text, para)
    last_closer = _last_closer(text, para)
    while i < para.end:
        c = text[i]
        prev = text[i - 1] if i > para.start else " "
        nxt = text[i + 1] if i + 1 < para.end else " "
        width = 1
        closer = (
            c in CLOSE_MARKS
            or (c == STRAIGHT and bool(stack) and (nxt.isspace() or not nxt.isalnum() or not prev.isspace()))
            or (c == "'" and nxt == "'" and bool(stack))
            or (c in OPEN_MARKS and bool(stack) and (prev.isalnum() or (prev in ",.?!" and nxt.isspace())))
        )
        if c == "'" and nxt == "'":
            width = 2
        if stack and closer and not (c in OPEN_MARKS and prev.isspace()):
            if len(stack) == 1 or last_closer < i + width:  # no closer after this one in the paragraph
                start = stack[0]
                stack.clear()
                s, e = trim(text, start + 1, i)
                if e > s:
                    yield Marked(Span(s, e), Span(start, i + width), True)
            else:
                stack.pop()
            i += width
            continue
        if c in OPEN_MARKS or (c == STRAIGHT and not nxt.isspace() and single_at is None):
            stack.append(i)
        elif not stack and not has_double:
            if single_at is None and c == "‘" and not prev.isalnum() and nxt.isalpha():
                single_at = i
            elif single_at is not None and c == "’" and not nxt.isalpha():
                s, e = trim(text, single_at + 1, i)
                if e > s:
                    yield Marked(Span(s, e), Span(single_at, i + 1), True)
                single_at = None
        i += 1
    if stack and text[para.start : stack[0]].strip() == "":
        s, e = trim(text, stack[0] + 1, para.end)
        if e > s:
            yield Marked(Span(s, e), Span(stack[0], para.end), False)


def _last_closer(text: str, para: Span) -> int:
    """Offset of the paragraph's last closing or straight mark (-1 when none): found once, so each closing mark
    asks "is there a closer after me?" in constant time."""
    return max(text.rfind(m, para.start, para.end) for m in CLOSE_MARKS + STRAIGHT)


def _has_double(text: str, para: Span) -> bool:
    chunk = text[para.start : para.end]
    return any(m in chunk for m in OPEN_MARKS + CLOSE_MARKS + STRAIGHT)
