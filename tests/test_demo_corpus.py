"""The fictional demo corpus in data/ is what data/README.md promises (no NLP pipeline is run here).

Checks the article files (header, length, outlets, dates, fictional domains), the gold annotation
(schema, allowed values, exact quote segments, coverage of stances and institution types) and the
figures stated in the README.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from analysis.records import INSTITUTION_TYPES, SEGMENT_JOINER

DATA = Path(__file__).resolve().parents[1] / "data"
ARTICLES = sorted((DATA / "articles").glob("*.txt"))
GOLD_PATH = DATA / "demo_gold.jsonl"
README = DATA / "README.md"

HEADER = ("outlet: ", "date: ", "url: ", "title: ")
GOLD_KEYS = {
    "article", "speaker", "role", "institution", "institution_type", "former",
    "quote", "kind", "stance", "stance_note",
}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FICTIONAL_URL = re.compile(r"https://[a-z0-9-]+(\.[a-z0-9-]+)*\.example/\S+")


def split_article(path: Path) -> tuple[dict[str, str], str]:
    """Header fields and body of a demo article; raises AssertionError on a malformed header."""
    lines = path.read_text(encoding="utf-8").split("\n")
    header: dict[str, str] = {}
    for i, prefix in enumerate(HEADER):
        assert lines[i].startswith(prefix), f"{path.name}: line {i + 1} should start with {prefix!r}"
        value = lines[i][len(prefix):]
        assert value.strip() == value and value, f"{path.name}: empty or untrimmed {prefix.strip()}"
        header[prefix.rstrip(": ")] = value
    assert lines[4] == "", f"{path.name}: line 5 must be blank"
    return header, "\n".join(lines[5:])


HEADERS = {p.name: split_article(p)[0] for p in ARTICLES}
BODIES = {p.name: split_article(p)[1] for p in ARTICLES}
GOLD: list[dict[str, Any]] = [
    json.loads(line) for line in GOLD_PATH.read_text(encoding="utf-8").splitlines() if line.strip()
]


def readme_figure(label: str) -> int:
    """A figure stated in the README's summary line, e.g. '46 articles'."""
    match = re.search(rf"\b(\d+) {label}\b", README.read_text(encoding="utf-8"))
    assert match, f"README states no '<n> {label}'"
    return int(match.group(1))


def test_corpus_size_matches_readme() -> None:
    assert len(ARTICLES) >= 44
    assert readme_figure("articles") == len(ARTICLES)
    assert readme_figure("gold quotes") == len(GOLD)
    assert readme_figure("outlets") == len({h["outlet"] for h in HEADERS.values()})


def test_readme_says_the_data_is_fictional() -> None:
    top = README.read_text(encoding="utf-8")[:600]
    assert "FICTIONAL" in top


@pytest.mark.parametrize("name", [p.name for p in ARTICLES])
def test_article_shape(name: str) -> None:
    header, body = HEADERS[name], BODIES[name]
    assert header["date"] == "unknown" or ISO_DATE.fullmatch(header["date"])
    assert FICTIONAL_URL.fullmatch(header["url"]), f"{name}: url must be on a reserved .example domain"
    paragraphs = body.strip("\n").split("\n\n")
    assert all(p.strip() == p and p and "\n" not in p for p in paragraphs), f"{name}: one paragraph per line"
    assert 250 <= len(body.split()) <= 600


def test_outlets_are_many_and_each_has_a_few_articles() -> None:
    outlets = Counter(h["outlet"] for h in HEADERS.values())
    assert len(outlets) >= 8
    assert min(outlets.values()) >= 3, outlets


def test_dates_span_three_years_with_some_unknown() -> None:
    dates = [h["date"] for h in HEADERS.values()]
    years = Counter(d[:4] for d in dates if d != "unknown")
    assert set(years) == {"2023", "2024", "2025"}
    assert min(years.values()) >= 10, years
    assert dates.count("unknown") >= 2


def test_no_body_or_paragraph_duplicated() -> None:
    assert len(set(BODIES.values())) == len(BODIES)
    paragraphs = Counter(p for body in BODIES.values() for p in body.split("\n") if len(p.split()) > 8)
    assert [p for p, n in paragraphs.items() if n > 1] == []


@pytest.mark.parametrize("row", GOLD, ids=lambda r: f"{r['article'][:24]}:{r['speaker']}")
def test_gold_row_schema(row: dict[str, Any]) -> None:
    assert set(row) == GOLD_KEYS
    assert row["article"] in BODIES
    assert isinstance(row["speaker"], str) and len(row["speaker"].split()) >= 2
    for key in ("role", "institution"):
        assert row[key] is None or (isinstance(row[key], str) and row[key] == row[key].strip() != "")
    assert row["institution_type"] is None or row["institution_type"] in INSTITUTION_TYPES
    assert row["institution"] is None or row["institution_type"] is not None
    assert isinstance(row["former"], bool)
    assert row["kind"] in ("direct", "indirect")
    assert row["stance"] in (-1, 0, 1) and not isinstance(row["stance"], bool)
    assert isinstance(row["stance_note"], str) and row["stance_note"].strip()


@pytest.mark.parametrize("row", GOLD, ids=lambda r: f"{r['article'][:24]}:{r['quote'][:20]}")
def test_gold_quote_segments_are_exact_substrings(row: dict[str, Any]) -> None:
    body = BODIES[row["article"]]
    for segment in row["quote"].split(SEGMENT_JOINER):
        assert segment and segment == segment.strip()
        assert segment in body
    assert row["quote"][-1] not in ".,", "a final period/comma is stripped"


def test_gold_speakers_are_named_in_their_article() -> None:
    missing = [
        (r["article"], r["speaker"]) for r in GOLD if r["speaker"].split()[-1] not in BODIES[r["article"]]
        and r["speaker"].split()[0] not in BODIES[r["article"]]
    ]
    assert missing == []


def test_gold_coverage() -> None:
    assert {r["stance"] for r in GOLD} == {-1, 0, 1}
    assert {r["institution_type"] for r in GOLD} >= set(INSTITUTION_TYPES)
    assert {r["kind"] for r in GOLD} == {"direct", "indirect"}
    think_tank_stances = {r["stance"] for r in GOLD if r["institution_type"] == "think_tank"}
    assert think_tank_stances == {-1, 0, 1}
    assert any(SEGMENT_JOINER in r["quote"] for r in GOLD)
    assert any(r["former"] for r in GOLD)
    per_article = Counter(r["article"] for r in GOLD)
    assert set(per_article) == set(BODIES), "every article has gold quotes"
    rows = [json.dumps(r, sort_keys=True) for r in GOLD]
    assert len(set(rows)) == len(rows)


def test_some_experts_recur_across_articles() -> None:
    articles_per_speaker = Counter({(r["speaker"], r["article"]) for r in GOLD if r["institution_type"] != "government"})
    recurring = Counter(speaker for speaker, _ in articles_per_speaker)
    assert sum(1 for n in recurring.values() if n >= 3) >= 4


def test_demo_names_do_not_come_from_the_real_corpus(shared_dir: Path) -> None:
    """The demo is fictional: no real dev speaker or institution and no 8-word run of a real article."""
    real_rows = [
        json.loads(line)
        for f in sorted((shared_dir / "corpus" / "dev").glob("gold_*.jsonl"))
        for line in f.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    real_names = {r["speaker"] for r in real_rows} | {r["institution"] for r in real_rows if r["institution"]}
    assert real_names.isdisjoint({r["speaker"] for r in GOLD} | {r["institution"] for r in GOLD})

    def shingles(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z0-9']+", text.lower())
        return {tuple(words[i : i + 8]) for i in range(len(words) - 7)}

    real = set().union(*(shingles(p.read_text(encoding="utf-8")) for p in (shared_dir / "corpus" / "dev" / "articles").glob("*.txt")))
    copied = {name: shingles(body) & real for name, body in BODIES.items()}
    assert {name: s for name, s in copied.items() if s} == {}
