"""Store failures reach the user as ONE line (exit code 2) and leave the database as it was (issue 15, case 10).

Garbage and truncated files, ``--db`` naming a directory, a read-only database, a full disk (a file-size limit
in a subprocess, which fails DuckDB's writes exactly as ENOSPC does), and an old v1 store for read commands.
"""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from test_store import sample_results  # shared record builders (pytest puts tests/ on sys.path)

import analysis.store as store_module
from analysis import cli
from analysis.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError, StoreOutdated, schema_version

REPO = Path(__file__).resolve().parents[1]
ARTICLE = "title: T\n\n\"The rail deal will grow,\" said Mara Quill, an analyst at the Tidewater Institute.\n"



def _refuse_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every read-write open fail as DuckDB fails on a file it may not write (the tests may run as root,
    who could write a mode-0444 file anyway); read-only opens work as usual."""
    real_connect = duckdb.connect

    def connect(path: str, read_only: bool = False, **kwargs: object) -> duckdb.DuckDBPyConnection:
        if not read_only:
            raise duckdb.IOException(f'IO Error: Cannot open file "{path}": Permission denied')
        return real_connect(path, read_only=True)

    monkeypatch.setattr(store_module.duckdb, "connect", connect)

def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_commands(db: Path) -> list[list[str]]:
    return [
        ["institutions", "--db", str(db)],
        ["explain", "q1", "--db", str(db)],
        ["export", "--format", "csv", "--out", str(db.parent / "x.csv"), "--db", str(db)],
    ]


def write_commands(db: Path, corpus: Path) -> list[list[str]]:
    return [
        ["override", "q1", "--stance", "1", "--db", str(db)],
        ["ingest", str(corpus), "--db", str(db)],
        ["reanalyze", "--db", str(db)],
    ]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    return folder


def _one_line_error(code: int, err: str, expected: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err and "cannot rollback" not in err
    lines = [line for line in err.splitlines() if "error:" in line]
    assert len(lines) == 1 and expected in lines[0], err


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_damaged_file_is_one_line_and_left_alone(
    tmp_path: Path, corpus: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    db = tmp_path / "s.duckdb"
    if damage == "garbage":
        db.write_bytes(os.urandom(20_000))
    else:
        store = Store(db)
        for _ in range(30):
            store.write_results(sample_results())
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 2])
    before = digest(db)
    damaged = 0
    for argv in read_commands(db) + write_commands(db, corpus):
        code, _, err = run(capsys, *argv)
        if damage == "garbage":
            _one_line_error(code, err, "is not a readable DuckDB database")
        else:  # a query that only touches intact blocks of a truncated file may still answer ("no quote with id")
            assert code in (0, 2) and "Traceback" not in err and err.count("error:") <= 1, err
        damaged += "is not a readable DuckDB database" in err
    assert damaged >= (6 if damage == "garbage" else 3)
    assert digest(db) == before


def test_db_pointing_at_a_directory(tmp_path: Path, corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "folder.duckdb"
    db.mkdir()
    for argv in read_commands(db) + write_commands(db, corpus):
        code, _, err = run(capsys, *argv)
        _one_line_error(code, err, "is a directory, not a DuckDB database file")
    assert list(db.iterdir()) == []


def test_read_only_database(
    tmp_path: Path, corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB's error for a file it may not write (a mode 0444 file for a normal user; the tests may run as
    root, who can write anyway, so the error is raised where DuckDB raises it: on a read-write open)."""
    db = tmp_path / "s.duckdb"
    Store(db).write_results(sample_results())
    quote_id = str(Store(db).query_df("SELECT id FROM quotes LIMIT 1")["id"][0])
    before = digest(db)
    _refuse_writes(monkeypatch)
    for argv in write_commands(db, corpus):
        argv = [quote_id if a == "q1" else a for a in argv]
        code, _, err = run(capsys, *argv)
        if argv[0] == "reanalyze":  # nothing stale: no write needed, so nothing to refuse
            assert code == 0, err
            continue
        _one_line_error(code, err, "it is read-only")
    code, out, _ = run(capsys, "explain", quote_id, "--db", str(db))  # reading still works
    assert code == 0 and f"quote {quote_id}" in out
    assert digest(db) == before


def _limit_file_size(size: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing the process
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def test_disk_full_during_ingest_is_one_line_and_the_store_unchanged(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3):
        filler = f"Officials met on day {i} to talk about ports and fuel. " * 600
        (corpus / f"a{i}.txt").write_text(f"title: T{i}\n\n{ARTICLE.split(chr(10), 2)[2]}{filler}\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    Store(db).initialise()
    size = 64 * 1024  # under the ~100 KB of article text the batch would write
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "ingest", str(corpus), "--db", str(db)],
        cwd=REPO, capture_output=True, text=True, timeout=600, preexec_fn=lambda: _limit_file_size(size),
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    _one_line_error(result.returncode, result.stderr, f"could not write to {db}")
    assert "the database is unchanged" in result.stderr
    store = Store(db)
    assert int(store.query_df("SELECT count(*) FROM articles").iloc[0, 0]) == 0
    assert store.initialise() == SCHEMA_VERSION  # still a working store: the next run can complete the work


def _v1_store(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute(MIGRATIONS[0])
    con.execute("INSERT INTO articles VALUES ('a1', 'a.txt', NULL, NULL, NULL, NULL, 'body', NULL, now(), 'old')")
    con.execute(
        "INSERT INTO quotes VALUES ('q1', 'a1', 'Lena Okafor', 'lenaokafor', NULL, 'Harbor Institute', 'think_tank',"
        " TRUE, FALSE, 'body', 'direct', 0, 4, '[[0, 4]]', 1, 0.5, 0.9, '[]', TRUE, 0.0, 'old')"
    )
    assert schema_version(con) == 1
    con.close()


def test_read_commands_migrate_an_old_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "v1.duckdb"
    _v1_store(db)
    code, out, err = run(capsys, "institutions", "--db", str(db))  # needs the v2 view institution_stats
    assert code == 0, err
    assert "Harbor Institute" in out
    con = duckdb.connect(str(db), read_only=True)
    assert schema_version(con) == SCHEMA_VERSION
    con.close()


def test_an_old_store_that_cannot_be_migrated_says_which_version_it_needs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "v1.duckdb"
    _v1_store(db)
    _refuse_writes(monkeypatch)
    with pytest.raises(StoreOutdated, match=f"schema version 1 and this version of stance needs {SCHEMA_VERSION}"):
        Store(db).query_df("SELECT * FROM institution_stats")
    code, _, err = run(capsys, "institutions", "--db", str(db))
    _one_line_error(code, err, f"needs {SCHEMA_VERSION}")


def test_a_foreign_duckdb_file_is_not_touched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "other.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE sales (n INTEGER)")
    con.close()
    before = digest(db)
    code, _, err = run(capsys, "institutions", "--db", str(db))
    _one_line_error(code, err, "not a stance store")
    assert digest(db) == before


def test_a_failed_write_does_not_hide_its_error_behind_rollback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an I/O error DuckDB has aborted the transaction; the store's rollback must not raise a second error."""
    store = Store(tmp_path / "s.duckdb")
    store.initialise()
    real_connect = duckdb.connect

    class FailingConnection:
        def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
            self._con = con

        def executemany(self, *args: object) -> None:
            self._con.rollback()  # what DuckDB does internally when the write hits a full disk
            raise duckdb.IOException('IO Error: Could not write file "s.duckdb.wal": No space left on device')

        def __getattr__(self, name: str) -> object:
            return getattr(self._con, name)

    monkeypatch.setattr(store_module.duckdb, "connect", lambda *a, **k: FailingConnection(real_connect(*a, **k)))
    with pytest.raises(StoreError, match=r"\(disk full\); the database is unchanged$"):
        store.write_results(sample_results())
    monkeypatch.setattr(store_module.duckdb, "connect", real_connect)
    assert int(store.query_df("SELECT count(*) FROM articles").iloc[0, 0]) == 0
