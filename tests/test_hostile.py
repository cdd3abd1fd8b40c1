"""The hostile-input corpus (tests/hostile_corpus.py), each case ingested by the real CLI in a fresh process.

Per case: no traceback, every good article stored, every bad input named with its reason, the documented exit
code, a wall-clock and peak-memory budget for the process, and a re-run that changes nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from hostile_corpus import BUILDERS, Case, build, quote_bombs

REPO = Path(__file__).resolve().parents[1]


def ingest(folder: Path, db: Path, args: tuple[str, ...], timeout: float) -> tuple[int, str, float, float]:
    """(exit code, stderr, seconds, peak RSS in MB) of one `stance ingest` in a child process."""
    started = time.monotonic()
    err_path = db.with_suffix(".stderr")
    with err_path.open("w+b") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "analysis", "ingest", str(folder), "--db", str(db), *args],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=err, env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                pytest.fail(f"ingest of {folder.name} ran past {timeout:.0f} s (killed)")
            time.sleep(0.05)
        seconds = time.monotonic() - started
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, text, seconds, usage.ru_maxrss / 1024


def stored(db: Path) -> tuple[list[str], int]:
    if not db.exists():
        return [], 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM articles ORDER BY name").fetchall()]
        quotes = con.execute("SELECT count(*) FROM quotes").fetchone()
    finally:
        con.close()
    return names, int(quotes[0]) if quotes else 0


def check_case(case: Case, folder: Path, db: Path) -> None:
    code, err, seconds, megabytes = ingest(folder, db, case.args, timeout=case.seconds * 2)
    assert "Traceback" not in err, err
    assert code == case.exit_code, err
    assert seconds <= case.seconds, f"{case.name}: {seconds:.1f} s over the {case.seconds:.0f} s budget"
    assert megabytes <= case.megabytes, f"{case.name}: {megabytes:.0f} MB over the {case.megabytes} MB budget"
    skipped = [line for line in err.splitlines() if line.startswith("skipped ")]
    for fragment, reason in case.bad:
        assert any(fragment in line and reason in line for line in skipped), f"{fragment!r} not named:\n{err}"
    for forged in case.stderr_must_not_have_line_starting:
        assert not any(line.startswith(forged) for line in err.splitlines()), err
    summary = err.strip().splitlines()[-1]
    assert summary.startswith("read "), err
    for fragment in case.summary:
        assert fragment in summary, summary
    names, quotes = stored(db)
    assert sorted(set(case.good)) == sorted(n for n in names if n in case.good), (names, err)
    assert set(names) <= set(case.good) | {"nested.html"}, names  # nothing else slipped in
    for name in names:
        name.encode("utf-8")  # stored names are valid UTF-8 (escaped)
    named = len(skipped) + int(summary.split("read ", 1)[1].split(" ", 1)[0])
    assert named >= len(case.good) + len(case.bad)  # every input is either read or named
    if case.long_offsets:
        con = duckdb.connect(str(db), read_only=True)
        rows = con.execute(
            "SELECT a.text, q.start_char, q.end_char, q.quote FROM quotes q JOIN articles a ON a.id = q.article_id "
            "WHERE length(a.text) > 1000000 ORDER BY q.start_char"
        ).fetchall()
        con.close()
        assert len(rows) == 2 and rows[-1][1] > 1_000_000, rows
        for text, start, end, quote in rows:
            assert text[start:end] == quote

    # Re-run: idempotent (nothing new analysed, nothing changed), same exit code, still no traceback.
    code2, err2, _, _ = ingest(folder, db, case.args, timeout=case.seconds * 2)
    assert "Traceback" not in err2 and code2 == case.exit_code, err2
    assert stored(db) == (names, quotes)
    if names:
        assert "quotes found 0" in err2.strip().splitlines()[-1], err2


@pytest.mark.parametrize("builder", BUILDERS, ids=[b.__name__ for b in BUILDERS])
def test_hostile_case(builder: object, tmp_path: Path) -> None:
    [(case, folder)] = build(tmp_path / "corpus", (builder,))  # type: ignore[arg-type]
    check_case(case, folder, tmp_path / "s.duckdb")


def test_quote_mark_bombs_within_budget(tmp_path: Path) -> None:
    """Issue 15 case 1 (quote finding cubic in quotation marks), owned by the quotes fix: this test fails until
    that fix is merged, and passes after it (same harness and budget as every other case)."""
    [(case, folder)] = build(tmp_path / "corpus", (quote_bombs,))
    check_case(case, folder, tmp_path / "s.duckdb")
