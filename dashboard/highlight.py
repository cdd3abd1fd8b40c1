"""The article paragraph around a quote, as escaped HTML with the quote's segments marked."""

from __future__ import annotations

import html
from collections.abc import Sequence

MARK_STYLE = "background:#fde68a;padding:0 2px;border-radius:2px"
BOX_STYLE = ("border-left:4px solid #9ca3af;padding:0.6em 1em;background:#f9fafb;"
             "font-size:1.02rem;line-height:1.6;white-space:pre-wrap")


def _spans(segments: Sequence[object], start: int, end: int, length: int) -> list[tuple[int, int]]:
    out = []
    for seg in segments:
        if isinstance(seg, list | tuple) and len(seg) == 2 and all(isinstance(v, int) for v in seg):
            s, e = int(seg[0]), int(seg[1])
            if 0 <= s < e <= length:
                out.append((s, e))
    if not out and 0 <= start < end <= length:
        out.append((start, end))
    return sorted(out)


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) of the paragraph(s) (newline-separated) containing the range."""
    lo = text.rfind("\n", 0, max(0, start)) + 1
    hi = text.find("\n", max(end, start))
    return lo, len(text) if hi < 0 else hi


def paragraph_html(text: str, segments: Sequence[object], start: int, end: int) -> str:
    """The paragraph holding the quote, every character escaped, each quote segment in a <mark>."""
    spans = _spans(segments, start, end, len(text))
    if not spans:
        return f'<div style="{BOX_STYLE}">(quote offsets are outside the stored article text)</div>'
    lo, hi = paragraph_bounds(text, spans[0][0], spans[-1][1])
    parts: list[str] = []
    pos = lo
    for s, e in spans:
        if s < pos:
            continue  # overlapping segments: keep the first
        parts.append(html.escape(text[pos:s]))
        parts.append(f'<mark style="{MARK_STYLE}">{html.escape(text[s:e])}</mark>')
        pos = e
    parts.append(html.escape(text[pos:hi]))
    return f'<div style="{BOX_STYLE}">{"".join(parts)}</div>'
