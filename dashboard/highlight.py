"""The article paragraph around a quote, as escaped HTML with the quote's segments marked and search hits /
stance cue words underlined (in the quote and around it)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

MARK_STYLE = "background:#fde68a;padding:0 2px;border-radius:2px"
HIT_STYLE = "text-decoration:underline 2px #7c3aed;text-underline-offset:3px;font-weight:600"
BOX_STYLE = ("border-left:4px solid #9ca3af;padding:0.6em 1em;background:#f9fafb;"
             "font-size:1.02rem;line-height:1.6;white-space:pre-wrap;overflow-wrap:anywhere")


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


def term_spans(text: str, terms: Iterable[str], lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """Case-insensitive occurrences of each term (at least 2 characters) in ``text[lo:hi]``."""
    hi = len(text) if hi is None else hi
    hay = text[lo:hi].casefold()
    out: list[tuple[int, int]] = []
    for term in {t.strip().casefold() for t in terms if t and len(t.strip()) >= 2}:
        pos = hay.find(term)
        while pos >= 0:
            out.append((lo + pos, lo + pos + len(term)))
            pos = hay.find(term, pos + len(term))
    return out


def _runs(lo: int, hi: int, quote: list[tuple[int, int]], hits: list[tuple[int, int]]) -> list[tuple[int, int, bool, bool]]:
    """[lo, hi) cut at every span edge: (start, end, in a quote segment, in a hit)."""
    cuts = sorted({lo, hi, *(p for s, e in quote + hits for p in (s, e) if lo < p < hi)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        in_q = any(s <= a and b <= e for s, e in quote)
        in_h = any(s <= a and b <= e for s, e in hits)
        out.append((a, b, in_q, in_h))
    return out


def paragraph_html(text: str, segments: Sequence[object], start: int, end: int, terms: Iterable[str] = ()) -> str:
    """The paragraph holding the quote, every character escaped, each quote segment in a <mark>, each
    occurrence of ``terms`` (the search text, the stance cue phrases) underlined."""
    spans = _spans(segments, start, end, len(text))
    if not spans:
        return f'<div style="{BOX_STYLE}">(quote offsets are outside the stored article text)</div>'
    lo, hi = paragraph_bounds(text, spans[0][0], spans[-1][1])
    kept: list[tuple[int, int]] = []
    for s, e in spans:  # overlapping segments: keep the first
        if not kept or s >= kept[-1][1]:
            kept.append((s, e))
    hits = term_spans(text, terms, lo, hi)
    parts: list[str] = []
    for a, b, in_q, in_h in _runs(lo, hi, kept, hits):
        piece = html.escape(text[a:b])
        if in_h:
            piece = f'<span style="{HIT_STYLE}">{piece}</span>'
        if in_q:
            piece = f'<mark style="{MARK_STYLE}">{piece}</mark>'
        parts.append(piece)
    return f'<div style="{BOX_STYLE}">{"".join(parts)}</div>'
