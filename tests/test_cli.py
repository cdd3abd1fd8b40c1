"""The `stance` command, driven in-process through analysis.cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.language import Language

from analysis import cli
from analysis.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "ingest" / "corpus"
ROW_KEYS = {
    "id", "article", "speaker", "role", "institution", "institution_type", "former", "quote", "kind", "stance",
    "score", "confidence", "evidence", "on_target", "sentiment", "outlet", "date", "url", "start", "end", "segments",
    "pipeline_version",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_extract_writes_one_json_line_per_quote(
    tmp_path: Path, nlp: Language, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pred.jsonl"
    code, _, err = run(capsys, "extract", str(FIXTURES), "--out", str(out))
    assert code == 0
    assert "read 7 article(s), skipped 4" in err and "quotes found" in err
    assert err.count("skipped ") == 5  # four problem lines and the summary
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows and all(set(r) == ROW_KEYS for r in rows)
    assert {r["article"] for r in rows} <= {
        "header_article.txt", "raw_article.txt", "page.html", "rows.jsonl:1", "reyes-interview", "rows.csv:1",
        "rows.csv:4",
    }
    assert "Dana Whitfield" in {r["speaker"] for r in rows}
    header = (FIXTURES / "header_article.txt").read_text(encoding="utf-8").split("\n\n", 1)[1]
    for row in rows:
        if row["article"] == "header_article.txt":
            first = row["segments"][0]
            assert header[first[0] : first[1]] in row["quote"]  # offsets index the body, not the header


def test_extract_to_stdout(nlp: Language, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "extract", str(FIXTURES / "header_article.txt"))
    assert code == 0
    assert all(json.loads(line)["article"] == "header_article.txt" for line in out.splitlines())


def test_nothing_readable_exits_non_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    code, _, err = run(capsys, "extract", str(tmp_path / "empty.txt"), "--out", str(tmp_path / "o.jsonl"))
    assert code == 1
    assert f"skipped {tmp_path / 'empty.txt'}: empty file" in err
    assert "read 0 article(s), skipped 1 (1 empty file)" in err


def test_eval_prints_metrics_and_confusion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = {"article": "a.txt", "speaker": "Lena Okafor", "institution": None, "institution_type": None,
            "quote": "the navies will train together", "kind": "direct", "stance": 1}
    pred = dict(gold, stance=0)
    (tmp_path / "g.jsonl").write_text(json.dumps(gold) + "\n", encoding="utf-8")
    (tmp_path / "p.jsonl").write_text(json.dumps(pred) + "\n\n", encoding="utf-8")
    code, out, _ = run(capsys, "eval", str(tmp_path / "g.jsonl"), str(tmp_path / "p.jsonl"))
    assert code == 0
    assert "quote_f1: 1.0" in out and "stance_acc: 0.0" in out
    assert "stance confusion (rows gold, columns predicted):" in out
    assert out.splitlines()[-1].split() == ["1", "0", "1", "0"]
    code, out, _ = run(capsys, "eval", str(tmp_path / "g.jsonl"), str(tmp_path / "p.jsonl"), "--json")
    assert json.loads(out)["stance_confusion"]["1"] == {"-1": 0, "0": 1, "1": 0}


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json\n", "p.jsonl:1: not JSON"), ("[1, 2]\n", "p.jsonl:1: not a JSON object"), (None, "cannot read")],
)
def test_eval_user_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    (tmp_path / "g.jsonl").write_text("", encoding="utf-8")
    if content is not None:
        (tmp_path / "p.jsonl").write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "eval", str(tmp_path / "g.jsonl"), str(tmp_path / "p.jsonl"))
    assert code == 2
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_ingest_query_override_explain_export(
    tmp_path: Path, nlp: Language, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "s.duckdb")
    code, _, err = run(capsys, "ingest", str(FIXTURES), "--db", db)
    assert code == 0
    assert "read 7 article(s), 0 already stored, skipped 4" in err
    assert "articles: 7/7" in err  # plain progress lines when stderr is not a terminal
    code, _, err = run(capsys, "ingest", str(FIXTURES), "--db", db)
    assert code == 0 and "read 7 article(s), 7 already stored" in err and "quotes found 0" in err

    store = Store(db)
    quotes = store.query_df("SELECT id, speaker, institution, on_target FROM quotes ORDER BY speaker")
    assert "Dana Whitfield" in set(quotes["speaker"])
    quote_id = quotes["id"][0]

    code, out, _ = run(capsys, "institutions", "--db", db)
    assert code == 0 and "mean_stance" in out
    for name in quotes[quotes["on_target"]]["institution"].dropna():  # the stats are over on-target quotes
        assert name in out

    code, out, _ = run(capsys, "override", quote_id, "--stance", "-1", "--note", "read again", "--db", db)
    assert code == 0 and "stance -1" in out
    code, out, _ = run(capsys, "explain", quote_id, "--db", db)
    assert code == 0
    assert f"quote {quote_id}" in out and "model stance:" in out and "evidence:" in out
    assert "analyst override: -1 (limited) — read again" in out
    code, out, _ = run(capsys, "override", quote_id, "--clear", "--db", db)
    assert code == 0
    code, out, _ = run(capsys, "explain", quote_id, "--db", db)
    assert "analyst override: none" in out

    out_file = tmp_path / "q.csv"
    code, _, err = run(capsys, "export", "--db", db, "--format", "csv", "--out", str(out_file))
    assert code == 0 and f"exported {len(quotes)} quote(s)" in err
    assert out_file.read_text(encoding="utf-8").startswith('"id","article_id","article_name"')


def test_db_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "env.duckdb"
    Store(db).initialise()
    monkeypatch.setenv("STANCE_DB", str(db))
    code, out, _ = run(capsys, "institutions", "--unknown")
    assert code == 0 and out.strip() == "no institutions outside the registry"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "--format", "csv", "--out", "x.csv"], "no database at"),
        (["explain", "nope"], "no database at"),
        (["override", "nope", "--stance", "1"], "no database at"),
        (["institutions"], "no database at"),
        (["reanalyze"], "no database at"),
    ],
)
def test_missing_database_is_a_friendly_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv, "--db", str(tmp_path / "none.duckdb"))
    assert code == 2
    assert message in err and "Traceback" not in err


def test_unknown_quote_is_a_friendly_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.duckdb"
    Store(db).initialise()
    for argv in (["explain", "nope"], ["override", "nope", "--stance", "1"]):
        code, _, err = run(capsys, *argv, "--db", str(db))
        assert code == 2 and "no quote with id 'nope'" in err


def test_charts_delegates_to_dashboard_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import dashboard.report

    seen: list[list[str]] = []
    monkeypatch.setattr(dashboard.report, "main", lambda argv: seen.append(list(argv)) or 0)
    code, _, _ = run(capsys, "charts", "--db", "x.duckdb", "--out", "charts", "--format", "svg", "--outlet", "TASS")
    assert code == 0
    assert seen == [["--outlet", "TASS", "--db", "x.duckdb", "--out", "charts", "--format", "svg"]]
