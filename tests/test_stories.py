"""Issue 14 in the store: copies of one story counted once, copied quotes linked, publishers and people merged.

Every article here is invented for the test (fictional wire, people and institutions).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import dedupe
from analysis.export import quotes_frame
from analysis.ingest import article_id
from analysis.pipeline import PIPELINE_VERSION, ArticleResult
from analysis.records import Affiliation, Article, Cue, Quote, ScoredQuote, Span, Speaker, Stance
from analysis.store import Store

RAIL_QUOTE = "This line turns a trickle into a steady flow of goods"
SLOW_QUOTE = "The bridge is old and the gauge is different, so progress will be slow"
QUOTA_QUOTE = "The quota is small and the boats are old, so the catch will stay modest"
BACKGROUND = (
    "Pyongyang has sought new trade routes since its ties with Moscow deepened after a summit last year, and "
    "both governments have promised to expand rail and road links."
)
CREDIT = "Reporting by Anna Lee; Editing by Mark Hill"

RAIL = "\n".join([
    "VLADIVOSTOK, May 2 (Harbor Wire) - Russia and North Korea agreed on Thursday to open a second rail freight "
    "line across the Tumen River, officials from both sides said after two days of talks in the port city.",
    "The new line would carry coal, timber and fertiliser and could double the tonnage that crosses the border "
    "each month, according to a statement from the regional transport ministry.",
    f'"{RAIL_QUOTE}," said Marta Kovalenko, a logistics researcher at the Eastern Shipping Institute. She added '
    "that the first trains could run before the winter.",
    "Officials did not say how the project would be financed or whether Chinese operators would be allowed to "
    "use the line, and neither side published a timetable for the works.",
    BACKGROUND,
    f'"{SLOW_QUOTE}," said Tomas Berg, a former railway official who now advises shipping firms in the region.',
    CREDIT,
])

# A republished copy: a new headline line, a site banner, and the end (Berg's paragraph, the credit) cut off.
RAIL_TRIMMED_COPY = "\n".join([
    "Moscow and Pyongyang to add a second cross-border freight railway",
    "Subscribe to our newsletter for the latest regional headlines every morning.",
    *RAIL.split("\n")[:5],
])

# A machine-reworded copy: about one word in six replaced, the quotes kept.
RAIL_REWORDED_COPY = "\n".join([
    "Russia and North Korea agreed on Thursday to launch a second rail cargo line across the Tumen River, "
    "officials from both countries said following two days of talks in the port city.",
    "The new line would transport coal, timber and fertiliser and might double the tonnage that crosses the "
    "frontier every month, according to a statement from the regional transport ministry.",
    f'"{RAIL_QUOTE}," said Marta Kovalenko, a logistics researcher at the Eastern Shipping Institute. She noted '
    "that the first trains may run before the winter.",
    "Officials did not say how the project would be funded or whether Chinese operators would be permitted to "
    "use the line, and neither side released a timetable for the works.",
    "Pyongyang has sought fresh trade routes since its relations with Moscow deepened after a summit last year, "
    "and both governments have pledged to expand rail and road links.",
    f'"{SLOW_QUOTE}," said Tomas Berg, an ex-railway official who now advises shipping companies in the region.',
])

# The same wire, the same day, a different story: same dateline, background paragraph and credit line.
FISHERIES = "\n".join([
    "VLADIVOSTOK, May 2 (Harbor Wire) - North Korean fishing crews will be allowed to work in Russian waters off "
    "Sakhalin under a quota deal signed on Thursday, the regional fisheries agency said.",
    "The agreement sets a yearly catch limit for pollock and crab and lets North Korean vessels refuel at two "
    "Russian harbours, the agency said in a short notice on its website.",
    f'"{QUOTA_QUOTE}," said Ivan Sorokin, a fisheries economist at the Pacific Marine College. He said the deal '
    "mattered more as a political signal than as a source of food.",
    BACKGROUND,
    CREDIT,
])

# Another outlet's own analysis a week later that repeats Sorokin's line: a different story, the same quote.
FAR_EAST_REVIEW = "\n".join([
    "The Russian Far East has become the busiest corner of Moscow's dealings with Pyongyang, from labour "
    "contracts in construction to tourist flights and a new bridge for road traffic.",
    "Analysts in Khabarovsk and Seoul disagree on how much of this activity is real trade and how much is "
    "ceremony staged for the cameras during official visits.",
    f'Ivan Sorokin, who studies the fisheries sector, put it bluntly last week: "{QUOTA_QUOTE}."',
    "Local businesses say payment remains the hardest problem, since banks on both sides fear secondary "
    "sanctions and most deals are settled in cash or by barter.",
])


def make_article(text: str, name: str, outlet: str, url: str, date: str = "2024-05-02") -> Article:
    return Article(id=article_id(text, url), name=name, text=text, outlet=outlet, date=date, url=url)


def scored(article: Article, phrase: str, speaker: str, label: int = 1) -> ScoredQuote:
    start = article.text.index(phrase)
    return ScoredQuote(
        article=article,
        quote=Quote(segments=(Span(start, start + len(phrase)),), kind="direct", text=phrase),
        speaker=Speaker(speaker),
        affiliation=Affiliation(role="researcher", institution="Eastern Shipping Institute",
                                institution_type="think_tank"),
        stance=Stance(label=label, score=0.5 * label, confidence=0.8, evidence=(Cue("flow", 1, 1.0),)),
        pipeline_version=PIPELINE_VERSION,
    )


def rail_result(text: str, name: str, outlet: str, url: str) -> ArticleResult:
    article = make_article(text, name, outlet, url)
    found = [scored(article, RAIL_QUOTE, "Marta Kovalenko")]
    if SLOW_QUOTE in text:
        found.append(scored(article, SLOW_QUOTE, "Tomas Berg", label=-1))
    return ArticleResult(article, tuple(found))


def quote_result(text: str, name: str, outlet: str, url: str, date: str = "2024-05-02") -> ArticleResult:
    article = make_article(text, name, outlet, url, date)
    return ArticleResult(article, (scored(article, QUOTA_QUOTE, "Ivan Sorokin", label=-1),))


def story_of(store: Store, name: str) -> tuple[str, bool]:
    df = store.query_df(
        "SELECT s.story_id, s.is_copy FROM article_stories s JOIN articles a ON a.id = s.article_id WHERE a.name = ?",
        (name,),
    )
    return str(df["story_id"][0]), bool(df["is_copy"][0])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "stories.duckdb")


ORIGINAL = ("rail.txt", "Harbor Wire", "https://harbor.example/rail")


def test_trimmed_copy_with_a_new_headline_joins_the_story_and_its_quote_counts_once(store: Store) -> None:
    store.write_results([rail_result(RAIL, *ORIGINAL)])
    store.write_results([rail_result(RAIL_TRIMMED_COPY, "copy.txt", "Daily Relay (republished from Harbor Wire)",
                                     "https://relay.example/copy")])
    original_story, original_is_copy = story_of(store, "rail.txt")
    assert (original_is_copy, story_of(store, "copy.txt")) == (False, (original_story, True))
    every = store.query_df("SELECT count(*) AS n FROM quotes_story")["n"][0]
    distinct = store.query_df("SELECT count(*) AS n FROM quotes_distinct")["n"][0]
    assert (every, distinct) == (3, 2)
    carriers = store.query_df(
        "SELECT c.copies, c.outlets FROM quote_carriers c JOIN quotes q ON q.id = c.canonical_quote_id "
        "WHERE q.quote = ?", (RAIL_QUOTE,)
    )
    assert int(carriers["copies"][0]) == 2
    assert sorted(carriers["outlets"][0]) == ["Daily Relay (republished from Harbor Wire)", "Harbor Wire"]
    person = store.query_df("SELECT quotes, quotes_every_copy, stories FROM person_stats WHERE person = ?",
                            ("Marta Kovalenko",))
    assert person.iloc[0].tolist() == [1, 2, 1]


def test_machine_reworded_copy_joins_the_story(store: Store) -> None:
    store.write_results([
        rail_result(RAIL, *ORIGINAL),
        rail_result(RAIL_REWORDED_COPY, "reworded.txt", "Spin Digest", "https://spin.example/r"),
    ])  # one batch: the copy must see the original written just before it
    assert story_of(store, "reworded.txt") == (story_of(store, "rail.txt")[0], True)
    assert store.query_df("SELECT count(*) AS n FROM quotes_distinct")["n"][0] == 2


def test_two_stories_from_one_wire_on_one_day_do_not_merge(store: Store) -> None:
    store.write_results([
        rail_result(RAIL, *ORIGINAL),
        quote_result(FISHERIES, "fish.txt", "Harbor Wire", "https://harbor.example/fish"),
    ])
    assert story_of(store, "fish.txt") == (store.query_df(
        "SELECT id FROM articles WHERE name = 'fish.txt'")["id"][0], False)
    assert story_of(store, "rail.txt")[1] is False


def test_the_same_quote_in_two_different_stories_counts_in_each(store: Store) -> None:
    store.write_results([quote_result(FISHERIES, "fish.txt", "Harbor Wire", "https://harbor.example/fish")])
    store.write_results([quote_result(FAR_EAST_REVIEW, "review.txt", "Far East Review", "https://fer.example/r",
                                      date="2024-05-09")])
    df = store.query_df("SELECT story_id, is_copy, canonical_quote_id, id FROM quotes_story ORDER BY article_name")
    assert df["story_id"].nunique() == 2
    assert not df["is_copy"].any()
    assert (df["canonical_quote_id"] == df["id"]).all()


def test_reanalysing_keeps_the_story_and_backfill_rebuilds_it(store: Store) -> None:
    first = rail_result(RAIL, *ORIGINAL)
    copy = rail_result(RAIL_TRIMMED_COPY, "copy.txt", "Daily Relay", "https://relay.example/copy")
    store.write_results([first])
    store.write_results([copy])
    before = story_of(store, "copy.txt")
    store.write_results([copy])  # re-analysis of the copy alone
    assert story_of(store, "copy.txt") == before
    assert store.record_stories(rebuild=True) == 2
    assert story_of(store, "copy.txt") == before
    assert store.query_df("SELECT count(*) AS n FROM quotes_distinct")["n"][0] == 2


def test_views_carry_publisher_host_and_person(store: Store) -> None:
    wire = rail_result(RAIL, "rail.txt", "The Korea Times (via PressReader)", "https://www.pressreader.com/x")
    store.write_results([wire])
    row = store.query_df(
        "SELECT DISTINCT publisher, host, publisher_country, publisher_state_owned FROM quotes_story"
    ).iloc[0].tolist()
    assert row == ["The Korea Times", "PressReader", "KR", False]
    exported = quotes_frame(store)
    for column in ("story_id", "is_copy", "canonical_quote_id", "publisher", "host", "source_outlet", "person_id",
                   "person_name"):
        assert column in exported.columns
    assert set(exported["person_id"]) == {"martakovalenko", "tomasberg"}
    outlets = store.query_df("SELECT publisher, country, state_owned, quotes FROM outlet_stats")
    assert outlets.iloc[0].tolist() == ["The Korea Times", "KR", False, 2]


def test_signature_is_stable_and_band_keys_fit_bigint() -> None:
    a, b = dedupe.signature(RAIL), dedupe.signature(RAIL)
    assert a.to_bytes() == b.to_bytes()
    assert dedupe.Signature.from_bytes(a.to_bytes(), a.shingles).to_bytes() == a.to_bytes()
    keys = dedupe.band_keys(a)
    assert len(keys) == dedupe.BANDS and all(-(2**63) <= k < 2**63 for k in keys)
    assert dedupe.same_story(a, dedupe.signature(RAIL_TRIMMED_COPY))
    assert not dedupe.same_story(a, dedupe.signature(FISHERIES))
    assert not dedupe.same_story(dedupe.signature("Too short to judge."), dedupe.signature("Too short to judge."))


def test_cli_counts_each_story_once_unless_asked_for_every_copy(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    from analysis.cli import main

    store.write_results([rail_result(RAIL, *ORIGINAL)])
    store.write_results([rail_result(RAIL_TRIMMED_COPY, "copy.txt", "Daily Relay", "https://relay.example/copy")])
    store.write_results([quote_result(FISHERIES, "fish.txt", "Harbor Wire", "https://harbor.example/fish")])
    assert main(["institutions", "--db", str(store.path)]) == 0
    distinct = capsys.readouterr().out
    assert main(["institutions", "--every-copy", "--db", str(store.path)]) == 0
    every = capsys.readouterr().out
    row = next(line for line in distinct.splitlines() if line.startswith("Eastern Shipping Institute"))
    assert row.split()[4] == "3"  # two rail quotes and one fisheries quote, the copy's repeat not counted
    row = next(line for line in every.splitlines() if line.startswith("Eastern Shipping Institute"))
    assert row.split()[4] == "4"
    assert main(["stories", "--db", str(store.path)]) == 0
    out = capsys.readouterr().out
    assert "articles 3, stories 2, multi copy stories 1, quotes every copy 4, quotes 3" in out
    assert "rail.txt" in out


def test_read_helpers_for_the_dashboard(store: Store) -> None:
    from analysis import story_views

    store.write_results([rail_result(RAIL, "rail.txt", "TASS", "https://tass.example/rail")])
    store.write_results([rail_result(RAIL_TRIMMED_COPY, "copy.txt", "Daily Relay (relaying TASS)",
                                     "https://relay.example/copy")])
    store.write_results([quote_result(FISHERIES, "fish.txt", "Kyodo News", "https://kyodo.example/fish")])
    copy_quote = store.query_df("SELECT id FROM quotes_story WHERE is_copy")["id"][0]
    carriers = story_views.quote_carriers(store, copy_quote)
    assert list(carriers["article_name"]) == ["copy.txt", "rail.txt"]
    assert set(carriers["publisher"]) == {"TASS"} and set(carriers["host"]) == {"TASS", "Daily Relay"}
    by_state = story_views.outlet_breakdown(store, "state_owned")
    assert dict(zip(by_state["state_owned"], by_state["quotes"], strict=True)) == {"state or public": 2, "private": 1}
    every = story_views.outlet_breakdown(store, "country", every_copy=True)
    assert dict(zip(every["country"], every["quotes"], strict=True)) == {"RU": 3, "JP": 1}
    table = story_views.people_table(store)
    assert table.set_index("person")["quotes"].to_dict() == {"Marta Kovalenko": 1, "Tomas Berg": 1,
                                                             "Ivan Sorokin": 1}
    assert story_views.institutions_table(store, every_copy=True)["quotes"].tolist() == [4]
