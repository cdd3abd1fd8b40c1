"""Crash safety and concurrent use of the store: a subprocess ingest killed mid-run, and an ingest running while
this process reads and writes overrides (as the dashboard does)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from spacy.language import Language

from analysis import service
from analysis.ingest import read_paths
from analysis.pipeline import analyze
from analysis.records import Article
from analysis.settings import Settings
from analysis.store import Store

REPO = Path(__file__).resolve().parents[1]
FIRST = ("Dana", "Oren", "Mira", "Petra", "Tomas", "Ines", "Kofi", "Lena")
LAST = ("Whitfield", "Castellano", "Holloway", "Lindqvist", "Reyes", "Moreau", "Mensah", "Okafor")
PLACES = ("Meridian Policy Institute", "Lakeside University", "Coastal Strategy Centre", "Fjordline Institute")


def write_corpus(directory: Path, count: int) -> Path:
    """``count`` small header-format articles, each with one attributed quote."""
    directory.mkdir()
    for i in range(count):
        person = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"
        (directory / f"gen_{i:03d}.txt").write_text(
            f"outlet: Test Wire\ndate: 2024-02-{i % 28 + 1:02d}\nurl: https://wire.test/{i}\ntitle: Item {i}\n\n"
            f"Officials met on day {i} to discuss fuel, ports and flights.\n"
            f'"Shipment number {i} shows the partnership is growing every month," said {person}, an analyst at '
            f"the {PLACES[i % len(PLACES)]}.\n",
            encoding="utf-8",
        )
    return directory


def start_ingest(corpus: Path, db: Path, batch_size: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "analysis", "ingest", str(corpus), "--db", str(db), "--batch-size", str(batch_size)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "STANCE_DB": str(db)},
    )


def count(store: Store, sql: str) -> int:
    return int(store.query_df(sql).iloc[0, 0])


def test_kill_during_ingest_then_clean_rerun(tmp_path: Path, nlp: Language) -> None:
    total, batch = 120, 2
    corpus = write_corpus(tmp_path / "corpus", total)
    db = tmp_path / "s.duckdb"
    expected = {
        r.article.id: len(r.quotes)
        for r in analyze([a for a in read_paths([corpus], Settings()) if isinstance(a, Article)], nlp)
    }
    assert len(expected) == total and sum(expected.values()) >= total  # every article has its quote

    proc = start_ingest(corpus, db, batch)
    assert proc.stderr is not None
    for line in proc.stderr:  # a progress line is printed after each batch commits
        match = re.match(r"articles: (\d+)/", line)
        if match and int(match.group(1)) >= batch:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    store = Store(db)
    stored = count(store, "SELECT count(*) FROM articles")
    assert 0 < stored < total and stored % batch == 0  # whole batches only
    per_article = store.query_df(
        "SELECT a.id, count(q.id) AS n FROM articles a LEFT JOIN quotes q ON q.article_id = a.id GROUP BY a.id"
    )
    assert {r.id: r.n for r in per_article.itertuples()} == {i: expected[i] for i in per_article["id"]}
    assert count(store, "SELECT count(*) FROM quotes WHERE article_id NOT IN (SELECT id FROM articles)") == 0

    report = service.ingest_sources([corpus], Settings(db_path=db, batch_size=batch))
    assert (report.read, report.already_stored, report.articles) == (total, stored, total - stored)
    assert count(store, "SELECT count(*) FROM articles") == total
    assert count(store, "SELECT count(*) FROM quotes") == sum(expected.values())


def test_ingest_and_overrides_at_the_same_time(tmp_path: Path) -> None:
    total, batch = 40, 2
    corpus = write_corpus(tmp_path / "corpus", total)
    db = tmp_path / "s.duckdb"
    store = Store(db)
    store.initialise()
    proc = start_ingest(corpus, db, batch)
    written: dict[str, int] = {}
    seen_counts: list[int] = []
    i = 0
    try:
        while proc.poll() is None or i < 5:
            quote_id = f"analyst-{i}"
            stance = (i % 3) - 1
            store.set_override(quote_id, stance, f"note {i}")
            written[quote_id] = stance
            seen_counts.append(count(store, "SELECT count(*) FROM articles"))
            if i % 4 == 3:
                store.clear_override(f"analyst-{i - 1}")
                del written[f"analyst-{i - 1}"]
            i += 1
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert f"read {total} article(s)" in err
    assert seen_counts == sorted(seen_counts)  # readers see whole batches appear, never disappear
    assert all(n % batch == 0 for n in seen_counts)
    assert any(0 < n < total for n in seen_counts), seen_counts  # the loop really overlapped the writes
    stored = store.query_df("SELECT quote_id, stance FROM overrides")
    assert dict(zip(stored["quote_id"], stored["stance"], strict=True)) == written  # nothing lost
    assert count(store, "SELECT count(*) FROM articles") == total
