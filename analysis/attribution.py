"""Quote + Doc -> Speaker. First version: a mention resolves to the PERSON entity whose name contains it."""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc

from analysis.records import AttributedQuote, Quote, Speaker, Span

VERSION = "0"


def attribute(doc: Doc, quotes: Sequence[Quote]) -> list[AttributedQuote]:
    people = [e for e in doc.ents if e.label_ == "PERSON"]
    out = []
    for q in quotes:
        speaker = None
        if q.speaker_mention is not None:
            words = set(doc.text[q.speaker_mention.start : q.speaker_mention.end].split())
            for ent in people:
                if words & set(ent.text.split()):
                    speaker = Speaker(ent.text, (Span(ent.start_char, ent.end_char),))
                    break
        out.append(AttributedQuote(q, speaker))
    return out
