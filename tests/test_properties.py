"""Property: extraction and attribution never raise, and every quote is made of exact substrings of the text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from analysis.attribution import attribute
from analysis.quotes import find_quotes
from analysis.records import SEGMENT_JOINER

_PIECES = st.sampled_from([
    '"', "“", "”", "‘", "’", "«", "»", "''", ":", ",", ".", "?", "\n", "\n\n", " ", "said", "told reporters",
    "according to", "he", "she", "the expert", "Mr. Kim", "Anna Lind", "Kim Jong Un", "that", "Ivo Marek:",
    "The deal", "will fail", "é", "ß", "中文", "—", "(", ")", "[x]", "…",
])
_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=60).map(" ".join),
    st.lists(_PIECES, max_size=80).map("".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXT)
def test_extraction_never_raises_and_offsets_are_exact(nlp: Language, text: str) -> None:
    doc = nlp(text)
    quotes = find_quotes(doc)
    attributed = attribute(doc, quotes)
    assert len(attributed) == len(quotes)
    for q in quotes:
        assert q.segments
        parts = [text[s.start : s.end] for s in q.segments]
        assert all(0 <= s.start < s.end <= len(text) for s in q.segments)
        assert q.text == SEGMENT_JOINER.join(parts)
        assert q.kind in {"direct", "indirect"}
    for a in attributed:
        if a.speaker is not None:
            assert a.speaker.name
            for m in a.speaker.mentions:
                assert 0 <= m.start < m.end <= len(text)
