"""Quote finding and attribution mechanisms added for coverage the rules were not written against (issue 11), on
short texts written for these tests (not taken from any corpus)."""

from __future__ import annotations

from spacy.language import Language

from analysis.attribution import attribute
from analysis.names import name_run
from analysis.quotes import find_quotes


def _speakers(nlp: Language, text: str) -> list[tuple[str, str, str | None]]:
    doc = nlp(text)
    return [(a.quote.kind, a.quote.text, a.speaker.name if a.speaker else None)
            for a in attribute(doc, find_quotes(doc))]


def test_reporter_in_a_relative_clause_is_the_noun_it_modifies(nlp: Language) -> None:
    text = ("Officials agreed, said Maria Santos, who warned that the new pipeline would bring higher prices to every "
            "household.")
    found = _speakers(nlp, text)
    assert ("indirect", "the new pipeline would bring higher prices to every household", "Maria Santos") in found


def test_clause_long_quotation_without_a_cue_takes_the_neighbouring_speaker(nlp: Language) -> None:
    text = ("The port deal is larger than expected, Andrew Collins, a historian at a college in Leeds, said.\n"
            "Under the agreement, “the two sides will ship grain and coal through the northern route every month.”")
    found = _speakers(nlp, text)
    assert ("direct", "the two sides will ship grain and coal through the northern route every month",
            "Andrew Collins") in found


def test_short_quotation_without_a_cue_stays_a_scare_quote(nlp: Language) -> None:
    text = ("Andrew Collins, a historian, said the deal was large.\n"
            "The plan opens a “new chapter” for the region.")
    assert all("new chapter" not in q for _, q, _ in _speakers(nlp, text))


def test_less_common_speech_verbs_report_a_clause(nlp: Language) -> None:
    for verb in ("denied", "joked", "testified", "reminded reporters"):
        text = f"Maria Santos {verb} that the committee had never seen the second contract."
        found = _speakers(nlp, text)
        assert ("indirect", "the committee had never seen the second contract", "Maria Santos") in found, verb


def test_name_particles_stay_inside_a_name(nlp: Language) -> None:
    doc = nlp("Retired colonel Hamish de Vries-Holt said the troops were badly trained.")
    tok = next(t for t in doc if t.text.startswith("Vries"))
    run = name_run(tok)
    assert run is not None and doc[run[0] : run[1]].text == "Hamish de Vries-Holt"
    assert name_run(next(t for t in doc if t.text == "de")) is None


def test_pronoun_skips_a_person_named_inside_the_report(nlp: Language) -> None:
    text = ("Lena Brandt, an analyst in Berlin, said Viktor Orlov was likely to visit the port next month.\n"
            "“The visit would mostly be symbolic for both sides,” she added.")
    found = _speakers(nlp, text)
    assert ("direct", "The visit would mostly be symbolic for both sides", "Lena Brandt") in found


def test_function_word_surname_stays_in_the_name(nlp: Language) -> None:
    doc = nlp("Meanwhile, Go Min-jae, a researcher at a Seoul institute, said little.")
    runs = {doc[r[0] : r[1]].text for t in doc if t.text in {"Go", "Min", "jae"} and (r := name_run(t))}
    assert "Go Min-jae" in runs
