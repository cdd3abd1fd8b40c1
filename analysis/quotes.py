"""Doc -> Quote candidates. First version: direct quotes in marks attributed to the nearest reporting verb's subject."""

from __future__ import annotations

import re

from spacy.tokens import Doc

from analysis.records import Quote, Span

VERSION = "0"
_QUOTED = re.compile(r"[\"“«]([^\"”»\n]{3,}?)[\"”»]")
_REPORTING = {"say", "tell", "add", "note", "explain", "warn", "argue", "stress"}


def find_quotes(doc: Doc) -> list[Quote]:
    found = []
    for m in _QUOTED.finditer(doc.text):
        start, end = m.span(1)
        mention = None
        sent = doc.char_span(start, end, alignment_mode="expand")
        if sent is not None:
            for tok in sent.sent:
                if tok.lemma_ in _REPORTING:
                    subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
                    if subj:
                        s = subj[0]
                        mention = Span(s.left_edge.idx, s.right_edge.idx + len(s.right_edge))
        found.append(Quote(segments=(Span(start, end),), kind="direct", text=doc.text[start:end], speaker_mention=mention))
    return found
