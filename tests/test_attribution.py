"""Speaker resolution on short articles written for these tests (not taken from the corpus)."""

from __future__ import annotations

import pytest
from spacy.language import Language

from analysis.attribution import attribute
from analysis.names import name_key
from analysis.quotes import find_quotes


def _speakers(nlp: Language, text: str) -> list[tuple[str, str | None]]:
    doc = nlp(text)
    return [(a.quote.text, a.speaker.name if a.speaker else None) for a in attribute(doc, find_quotes(doc))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # pronoun -> the person introduced before
        (
            "Andrew Collins is a historian at a university in Leeds.\n\n"
            "He said the railway deal would struggle to attract investors.",
            [("the railway deal would struggle to attract investors", "Andrew Collins")],
        ),
        # surname -> full name
        (
            "Maria Santos, an economist, studies sanctions.\n\n"
            "Santos said the new port would handle little traffic this year.",
            [("the new port would handle little traffic this year", "Maria Santos")],
        ),
        # honorific with a Korean family-name-first name
        (
            "Park Jiwon, a researcher in Seoul, spoke on Monday.\n\n"
            "Mr. Park said the exchange of technology remained very limited.",
            [("the exchange of technology remained very limited", "Park Jiwon")],
        ),
        # descriptor -> the expert introduced before
        (
            "“Trade will not grow much,” said Thomas Green, a professor at Carlton College.\n\n"
            "The expert added that the border crossing was too small for heavy freight.",
            [
                ("Trade will not grow much", "Thomas Green"),
                ("the border crossing was too small for heavy freight", "Thomas Green"),
            ],
        ),
        # descriptor introduced before the name
        (
            "A Polish expert, Jakub Nowak, said the alliance would weaken over time.",
            [("the alliance would weaken over time", "Jakub Nowak")],
        ),
        # hyphenated given name, family name first, introduced outside any attribution
        (
            "That was how Song Ji-hoon, a lecturer in Busan, saw the visit.\n\n"
            "Song said the new ferry route would carry few passengers.",
            [("the new ferry route would carry few passengers", "Song Ji-hoon")],
        ),
        # a nationality descriptor resolves to the one president named before
        (
            "President Ivan Sorokin toured the plant on Monday.\n\n"
            "The Russian president said the factory would double its output next year.",
            [("the factory would double its output next year", "Ivan Sorokin")],
        ),
        # a surname seen before the full name
        (
            "“Supplies will keep flowing for months,” Ferreira said.\n\n"
            "Luis Ferreira, who teaches at a naval school, has written on the subject.",
            [("Supplies will keep flowing for months", "Luis Ferreira")],
        ),
    ],
)
def test_resolution(nlp: Language, text: str, expected: list[tuple[str, str | None]]) -> None:
    assert _speakers(nlp, text) == expected


def test_same_surname_people_stay_apart(nlp: Language) -> None:
    text = (
        "Kim Jong Un met the visiting delegation on Friday.\n\n"
        "Kim Taewoo, a former official, said the visit changed little on the ground.\n\n"
        "Mr. Kim added that the talks would continue in the autumn."
    )
    got = _speakers(nlp, text)
    assert got == [
        ("the visit changed little on the ground", "Kim Taewoo"),
        ("the talks would continue in the autumn", "Kim Taewoo"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Analysts said the shipments would continue through the winter.",
        "A ministry spokesperson said the talks would resume next month.",
        "The Pentagon said the missiles had been moved to the coast.",
        "The agency reported that the two leaders would meet again soon.",
        "Ukraine's general military staff said the border units were short of shells.",
    ],
)
def test_unnamed_or_organisation_speakers_get_none(nlp: Language, text: str) -> None:
    assert all(speaker is None for _, speaker in _speakers(nlp, text))


def test_mentions_cover_every_reference_in_order(nlp: Language) -> None:
    text = (
        "Elena Rossi, a senior fellow at a research institute, studies the region.\n\n"
        "Rossi said the new bridge would carry little freight.\n\n"
        "She added that both sides were overselling the project."
    )
    doc = nlp(text)
    attributed = attribute(doc, find_quotes(doc))
    speakers = {a.speaker for a in attributed if a.speaker}
    assert len(speakers) == 1
    speaker = speakers.pop()
    assert speaker.name == "Elena Rossi"
    spans = [text[m.start : m.end] for m in speaker.mentions]
    assert spans[0] == "Elena Rossi"
    assert "Rossi" in spans[1:] and "She" in spans


@pytest.mark.parametrize(
    ("name", "key"),
    [("Kim Jong-un", ("kim", "jong-un")), ("Patrick S. Ryder", ("patrick", "s", "ryder")), ("Cha Min - seok", ("cha", "min-seok"))],
)
def test_name_key(name: str, key: tuple[str, ...]) -> None:
    assert name_key(name) == key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a speech noun with a possessive speaker, the that-clause after an intervening phrase
        (
            "Seoul voiced concern over Igor Brannikov's suggestion during his visit that naval cooperation "
            "with North Korea will be expanded.",
            [("naval cooperation with North Korea will be expanded", "Igor Brannikov")],
        ),
        # the speech noun's speaker in a "by" phrase
        (
            "Officials dismissed the suggestion by Igor Brannikov that naval cooperation with North Korea will "
            "be expanded.",
            [("naval cooperation with North Korea will be expanded", "Igor Brannikov")],
        ),
        (
            "Critics doubted Igor Brannikov's pledge that grain deliveries would resume in spring.",
            [("grain deliveries would resume in spring", "Igor Brannikov")],
        ),
        (
            "Officials rejected Igor Brannikov's claim on Monday that the sanctions were illegal.",
            [("the sanctions were illegal", "Igor Brannikov")],
        ),
    ],
)
def test_speech_noun_speakers(nlp: Language, text: str, expected: list[tuple[str, str | None]]) -> None:
    assert _speakers(nlp, text) == expected


@pytest.mark.parametrize(
    ("text", "not_speaker"),
    [
        # the that-clause belongs to the person who said it, not to the owner of the remarks
        (
            "Igor Brannikov said in response to Marta Lindqvist's remarks on Monday that the sanctions were illegal.",
            "Marta Lindqvist",
        ),
        # an organisation behind the suggestion is no speaker
        ("The ministry mocked the suggestion by the Kremlin that sanctions would fail.", "Kremlin"),
    ],
)
def test_speech_noun_does_not_steal_or_invent_speakers(nlp: Language, text: str, not_speaker: str) -> None:
    assert not_speaker not in {speaker for _, speaker in _speakers(nlp, text)}


_DEPUTY = "Igor Brannikov is Russia's deputy foreign minister. He arrived in Pyongyang on Monday. "


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a descriptor naming the official introduced by a copula in a non-speech sentence
        (
            _DEPUTY + "Asked about arms sales, the Russian deputy minister said nothing was off the table.",
            [("nothing was off the table", "Igor Brannikov")],
        ),
        # nationality of the descriptor must fit the person's title
        (
            _DEPUTY + "Asked about arms sales, the Japanese deputy minister said nothing was off the table.",
            [("nothing was off the table", None)],
        ),
        # a rank the person was not introduced with
        (
            "Igor Brannikov is Russia's foreign minister. "
            "Asked about arms sales, the Russian deputy minister said nothing was off the table.",
            [("nothing was off the table", None)],
        ),
        # an indefinite descriptor stays unnamed
        (
            _DEPUTY + "Asked about arms sales, a Russian deputy minister said nothing was off the table.",
            [("nothing was off the table", None)],
        ),
        # "North Korean" is North Korea, not South Korea
        (
            "North Korean leader Kim Jong Un met South Korean President Yoon Suk Yeol. "
            "The North Korean leader said the talks had gone well.",
            [("the talks had gone well", "Kim Jong Un")],
        ),
    ],
)
def test_descriptor_must_fit_introduced_title(nlp: Language, text: str, expected: list[tuple[str, str | None]]) -> None:
    assert _speakers(nlp, text) == expected


def test_subjects_introduced_with_an_appositive_title(nlp: Language) -> None:
    text = (
        "Bae Jun-ho, spokesperson for South Korea’s Office for Border Affairs, said Seoul had “clear signs” that "
        "foreign engineers had helped with the launch.\n\n"
        "Lena Okafor, a fellow at a maritime institute, said the speed of the repair was telling.\n\n"
        "Seo Min-gyu, a professor at Hallim Lakeside University, was more cautious. He said one launch did not "
        "prove a transfer of technology."
    )
    assert [speaker for _, speaker in _speakers(nlp, text)] == ["Bae Jun-ho", "Lena Okafor", "Seo Min-gyu"]
