"""The pipeline's tokenizer wrapper: linear on long runs without spaces, identical to spaCy's elsewhere."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language

from analysis.nlp import LONG_RUN, RunSafeTokenizer


def test_pipeline_uses_the_run_safe_tokenizer(nlp: Language) -> None:
    assert isinstance(nlp.tokenizer, RunSafeTokenizer)


def test_ten_thousand_quotation_marks_tokenize_in_linear_time(nlp: Language) -> None:
    text = 'She said "' + '"' * 10_000 + '" and left. ' + "x" * 3_000 + " end."
    started = time.perf_counter()
    doc = nlp.tokenizer(text)
    assert time.perf_counter() - started < 1.0  # spaCy's own tokenizer needs ~30 s on this
    assert doc.text == text
    assert sum(1 for t in doc if t.text == '"') >= 10_000
    assert max(len(t.text) for t in doc) <= 50


def test_ordinary_text_is_tokenized_exactly_as_spacy_does(nlp: Language) -> None:
    text = 'Mr. Kim said: "The deal is real," adding that ties (in 2024) had deepened.\n\n  Next  line.'
    assert not LONG_RUN.search(text)
    ours = [(t.text, t.whitespace_) for t in nlp.tokenizer(text)]
    theirs = [(t.text, t.whitespace_) for t in nlp.tokenizer.base(text)]
    assert ours == theirs


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["word", "said", "\n", " ", "  ", ",", "Kim"]),
                          st.text(alphabet='"“”\'.,xX-', min_size=200, max_size=600)), max_size=12))
def test_text_and_offsets_are_kept_around_long_runs(nlp: Language, parts: list[str]) -> None:
    text = " ".join(parts)
    doc = nlp.tokenizer(text)
    assert doc.text == text
    for token in doc:
        assert text[token.idx : token.idx + len(token.text)] == token.text


def test_seeded_text_is_used_only_when_it_fits(nlp: Language) -> None:
    from analysis.nlp import doc_text, seed_text

    doc = nlp("Ties are deepening, she said.  ")
    seed_text(doc, "not the same length")
    assert doc_text(doc) == doc.text  # a string of another length is never taken for the Doc's text
    fresh = nlp("Ties are deepening, she said.  ")
    seed_text(fresh, "Ties are deepening, she said.  ")
    assert fresh.user_data["analysis.text"] == "Ties are deepening, she said.  " == doc_text(fresh)
