"""analysis.outlets (publisher / host / cited source) and analysis.people (one id per person)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from analysis import outlets, people
from analysis.lexicons import load_tsv


@pytest.mark.parametrize(
    ("line", "url", "publisher", "host", "source"),
    [
        ("The Korea Times (via PressReader)", None, "The Korea Times", "PressReader", None),
        ("Euromaidan Press, citing Reuters", None, "Euromaidan Press", "Euromaidan Press", "Reuters"),
        ("Kyiv Post (republished by Example Mirror)", None, "Kyiv Post", "Example Mirror", None),
        ("Example Gazette (relaying AFP)", None, "AFP", "Example Gazette", None),
        ("Example Gazette (Associated Press)", None, "Associated Press", "Example Gazette", None),
        ("Example Blog (unattributed copy, apparently of a New York Times report)", None, "The New York Times",
         "Example Blog", None),
        ("Example Blog (aggregator; reworded copy of an Al Jazeera report, not named)", None, "Al Jazeera",
         "Example Blog", None),
        ("Example Daily (AP report)", None, "Associated Press", "Example Daily", None),
        ("Example Daily (Reuters analysis; Reuters not named in the text)", None, "Reuters", "Example Daily", None),
        ("Example Daily (syndicated report)", None, "Example Daily", "Example Daily", None),
        ("Example Weekly (US)", None, "Example Weekly", "Example Weekly", None),
        ("Ukrinform (republished by Example Mirror), citing Bloomberg", None, "Ukrinform", "Example Mirror",
         "Bloomberg"),
        ("Example Aggregator (relaying RIA Novosti on Global Times)", None, "RIA Novosti", "Example Aggregator",
         "Global Times"),
        ("The Gazette, Springfield (Associated Press)", None, "Associated Press", "The Gazette, Springfield", None),
        (None, "https://edition.cnn.com/2024/story", "CNN", "CNN", None),
        ("NHK World-Japan", None, "NHK", "NHK", None),
        ("RBC-Ukraine", None, "RBC-Ukraine", "RBC-Ukraine", None),  # not RBC (Russia)
    ],
)
def test_outlet_line_split(line: str | None, url: str | None, publisher: str, host: str, source: str | None) -> None:
    credit = outlets.split_outlet(line, url)
    assert (credit.publisher, credit.host, credit.source) == (publisher, host, source)


def test_registry_gives_country_and_state_ownership() -> None:
    tass = outlets.split_outlet("TASS")
    assert (tass.country, tass.ownership, tass.state_owned) == ("RU", "state", True)
    nyt = outlets.split_outlet("New York Times")
    assert (nyt.publisher, nyt.country, nyt.state_owned) == ("The New York Times", "US", False)
    assert outlets.split_outlet("Unknown Local Paper").state_owned is None
    assert outlets.lookup("Time") is not None and outlets.lookup("The Times") is not None
    assert outlets.lookup("Time").name != outlets.lookup("The Times").name  # type: ignore[union-attr]


def test_registry_rows_are_complete_and_aliases_unambiguous() -> None:
    seen: dict[str, str] = {}
    for row in load_tsv("outlet_registry.tsv"):
        assert row["ownership"] in {"state", "public", "private", "unknown"}, row["name"]
        assert row["note"], row["name"]
        for alias in (row["name"], *filter(None, row["aliases"].split("|"))):
            key = outlets.fold(alias)
            assert seen.setdefault(key, row["name"]) == row["name"], f"{alias!r} names two outlets"


@pytest.mark.parametrize(
    "spellings",
    [
        ("Vladimir Putin", "Vladimir V. Putin", "Vladimir Vladimirovich Putin", "VLADIMIR PUTIN"),
        ("Volodymyr Zelensky", "Volodymyr Zelenskyy", "Volodymyr Zelenskiy", "Vladimir Zelensky"),
        ("Kim Jong Un", "Kim Jong-un", "Kim Jong-Un"),
        ("Sergey Lavrov", "Sergei Lavrov"),
        ("Vassily Nebenzia", "Vasily Nebenzya"),
        ("Kyrylo Budanov", "Kirill Budanov"),
        ("Jean H. Lee", "Jean Lee"),
        ("Lena Okafor-Smith", "Lena Okafor Smith", "Léna Okafor-Smith"),
    ],
)
def test_spellings_of_one_person_share_an_id(spellings: tuple[str, ...]) -> None:
    ids = {people.identify(s).id for s in spellings}
    assert len(ids) == 1, ids
    assert people.identify(spellings[-1]).as_written == spellings[-1]


@pytest.mark.parametrize(
    "family",
    [
        ("Kim Jong Un", "Kim Yo Jong", "Kim Taewoo", "Kim Jong Il", "Kim Jong Nam", "Kim Yong Chol", "Kim Il Sung"),
        ("Lee Jae-myung", "Lee Jae-yong", "Lee Sang-min", "Lee Jong-seok"),
        ("Park Jin", "Park Ji-won", "Park Won-gon", "Park Geun-hye"),
        ("Choe Son Hui", "Choe Ryong Hae", "Choi Sun-hee"),
        ("Yoon Suk Yeol", "Yun Sun", "Yoon Young-kwan"),
        ("Ri Son Gwon", "Ri Il Hwan", "Ri Pyong Chol"),
        ("Jean Lee", "Jean Li", "John Lee"),
        ("Anna Ivanova", "Ana Ivanova", "Anna Ivanov"),
    ],
)
def test_different_people_sharing_a_surname_stay_apart(family: tuple[str, ...]) -> None:
    ids = [people.identify(name).id for name in family]
    assert len(set(ids)) == len(ids), [(a, b) for a, b in itertools.combinations(family, 2)
                                       if people.identify(a).id == people.identify(b).id]


def test_a_surname_alone_joins_a_full_name_only_with_support_in_the_article() -> None:
    text = ("Russian President Vladimir Putin met the delegation on Monday. Putin said the talks were useful. "
            "Foreign Minister Sergei Lavrov was also present.")
    joined = people.identify("Putin", text)
    assert (joined.id, joined.name, joined.as_written) == (people.identify("Vladimir Putin").id, "Vladimir Putin",
                                                           "Putin")
    alone = people.identify("Putin", "Mr. Putin spoke to reporters in the evening.")
    assert alone.id != people.identify("Vladimir Putin").id
    two = "Analyst Maria Orlova and economist Pavel Orlova both spoke. Orlova said it would fail."
    assert people.identify("Orlova", two).id == people.identify("Orlova").id  # ambiguous: not joined
    via_speakers = people.identify("Okafor", "Okafor said so.", ["Lena Okafor", "Raj Patel"])
    assert via_speakers.id == people.identify("Lena Okafor").id


def test_a_bare_east_asian_family_name_never_joins() -> None:
    text = "North Korean leader Kim Jong Un watched the launch. Kim said the test was a success."
    assert people.identify("Kim", text).id == "kim"


def test_curated_people_are_distinct_identities() -> None:
    rows = load_tsv("people.tsv")
    ids = [people.identify(r["name"]).id for r in rows]
    assert len(set(ids)) == len(ids)
    for row in rows:
        for alias in filter(None, row["aliases"].split("|")):
            assert people.identify(alias).name == row["name"], alias


def test_no_two_gold_speakers_are_merged_unless_only_spelling_differs(shared_dir: Path) -> None:
    """On every labelled corpus: two gold speakers of one article never share a person id, and speakers merged
    across articles differ only by middle initials, patronymics, transliteration or a curated alias."""
    from collections import defaultdict

    from analysis import goldset
    from analysis.store import speaker_key

    curated = {people.identify(r["name"]).id for r in load_tsv("people.tsv")}
    checked = 0
    for corpus in goldset.corpora(shared_dir).values():
        per_article: dict[str, set[str]] = defaultdict(set)
        for row in goldset.corpus_gold(corpus):
            if row.get("speaker"):
                per_article[row["article"]].add(str(row["speaker"]))
        by_id: dict[str, set[str]] = defaultdict(set)
        for names in per_article.values():
            ids = [people.identify(n).id for n in names]
            assert len(set(ids)) == len(ids), f"{corpus.name}: two speakers of one article merged"
            for n, pid in zip(names, ids, strict=True):
                by_id[pid].add(n)
            checked += len(names)
        for pid, group in by_id.items():
            if len({speaker_key(n) for n in group}) < 2 or pid in curated:
                continue
            firsts = {people.skeleton(people.core_words(n)[0]) for n in group}
            lasts = {people.skeleton(people.core_words(n)[-1]) for n in group}
            assert len(firsts) == 1 and len(lasts) == 1, f"{corpus.name}: {len(group)} spellings merged"
    assert checked > 1000
