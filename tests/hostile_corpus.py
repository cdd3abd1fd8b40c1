"""A bad-input and hostile-input corpus (issue 15), generated: ``python tests/hostile_corpus.py OUT_DIR``.

Every case is a folder with ONE good article beside the hostile input(s), and a ``Case`` that says what an
ingest of that folder must do: which articles are stored, which inputs are named on stderr (with a reason
fragment), the exit code, and the time and memory budget of the whole run (model load included). All text is
invented here; nothing comes from a real corpus. ``tests/test_hostile.py`` runs every case in CI.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

GOOD = (
    "outlet: Test Wire\ndate: 2024-03-01\nurl: https://wire.test/{slug}\ntitle: {slug}\n\n"
    '"The ferry link will carry more freight every year," said Mara Quill, an analyst at the Tidewater '
    "Institute, on day {slug}.\n"
)
# Budgets for one `stance ingest` of a case folder in a fresh process (spaCy load included), on a slow shared
# CI machine; a hang (FIFO), an unbounded read (/dev/zero) or a super-linear stage blows them by far.
SECONDS = 150.0
MEGABYTES = 1500


@dataclass(frozen=True)
class Case:
    name: str
    issue: str  # the issue-15 case number(s) it covers
    good: tuple[str, ...]  # article names that must be stored
    bad: tuple[tuple[str, str], ...] = ()  # (name fragment, reason fragment) each named on a "skipped" line
    exit_code: int = 0
    seconds: float = SECONDS
    megabytes: int = MEGABYTES
    args: tuple[str, ...] = ()
    stderr_must_not_have_line_starting: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()  # fragments of the final summary line
    long_offsets: bool = False  # check that a quote beyond 1,000,000 characters has exact offsets
    extra: dict[str, str] = field(default_factory=dict)


def good(folder: Path, slug: str, name: str | None = None) -> str:
    file = name or f"good-{slug}.txt"
    (folder / file).write_text(GOOD.format(slug=slug), encoding="utf-8")
    return file


def quote_bombs(folder: Path) -> Case:
    """Case 1: many quotation marks (the quotes helper makes quote finding linear)."""
    words = " ".join(f'"w{i}"' for i in range(1000))  # ~1,000 short quoted words in ~7 KB
    (folder / "many-quotes.txt").write_text(f"title: Quotes\n\nAn official said {words} and left.\n", encoding="utf-8")
    (folder / "straight-marks.txt").write_text("title: Marks\n\n" + '"' * 20_000 + "\n", encoding="utf-8")
    return Case("c01-quote-bombs", "1", (good(folder, "c01"), "many-quotes.txt", "straight-marks.txt"), seconds=90)


def long_body(folder: Path) -> Case:
    """Case 2: a body over spaCy's 1,000,000-character max_length (E088), with a quote after the limit."""
    head = '"The rail link will carry more freight," said Oskar Brandt, a researcher at Northgate University.\n\n'
    tail = '"The fuel deal will not last the winter," said Ilse Varga, a fellow at the Eastmark Forum.\n'
    padding = (" " * 499 + "\n") * 2001  # cheap to parse (whitespace), but counts against max_length
    (folder / "long.txt").write_text("title: Long\n\n" + head + padding + tail, encoding="utf-8")
    return Case("c02-long-body", "2", (good(folder, "c02"), "long.txt"), long_offsets=True)


def deep_jsonl(folder: Path) -> Case:
    """Case 3: a JSONL row nested 100,000 deep (RecursionError), a 5,000-digit number, a lone surrogate."""
    rows = [
        json.dumps({"name": "row-first", "text": GOOD.format(slug="c03a").split("\n\n", 1)[1]}),
        '{"text": "deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"text": "digits", "x": ' + "9" * 5000 + "}",
        '{"name": "row-surrogate", "text": "Body with a lone \\ud800 surrogate, said nobody."}',
    ]
    (folder / "rows.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return Case(
        "c03-deep-jsonl", "3", (good(folder, "c03"), "row-first", "row-surrogate"),
        bad=(("rows.jsonl:2", "nested too deeply"), ("rows.jsonl:3", "number too long")),
    )


def non_utf8_name(folder: Path) -> Case:
    """Case 4: a file name with a byte that is not UTF-8 (stored and printed as \\xNN)."""
    raw = os.fsencode(folder) + b"/caf\xe9-report.txt"
    with open(raw, "wb") as fh:
        fh.write(GOOD.format(slug="c04-latin").encode("utf-8"))
    return Case("c04-non-utf8-name", "4", (good(folder, "c04"), "caf\\xe9-report.txt"))


def special_files(folder: Path) -> Case:
    """Cases 11 and 12: a FIFO (hangs a plain open), a link to /dev/zero (reads for ever), a dangling link."""
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "dangling.txt").symlink_to(folder / "no-such-target.txt")
    return Case(
        "c11-special-files", "11, 12", (good(folder, "c11"),),
        bad=(("pipe.txt", "not a regular file (FIFO)"), ("zero.txt", "not a regular file (character device)"),
             ("dangling.txt", "dangling symbolic link")),
        seconds=120,
    )


def huge_csv_cell(folder: Path) -> Case:
    """Case 13: a CSV cell of 200,000 characters (over the csv module's 131,072 default) between good rows."""
    big = "Filler words about ports and fuel. " * 6000
    lines = [
        "name,title,text",
        'row-before,Before,"""The ferry link will grow,"" said Mara Quill, an analyst at the Tidewater Institute."',
        f'row-huge,Huge,"{big}"',
        'row-after,After,"""The fuel deal will fail,"" said Oskar Brandt, a researcher at Northgate University."',
    ]
    (folder / "rows.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Case("c13-huge-csv-cell", "13", (good(folder, "c13"), "row-before", "row-huge", "row-after"))


def forged_lines(folder: Path) -> Case:
    """Case 14: a newline in a file name must not forge a stderr line (here: a fake summary)."""
    (folder / "x\nread 99 article(s), skipped 0, quotes found 99.txt").write_bytes(b"")
    return Case(
        "c14-newline-name", "14", (good(folder, "c14"),),
        bad=(("x\\x0aread 99 article(s)", "empty file"),),
        stderr_must_not_have_line_starting=("read 99",),
    )


def duplicates(folder: Path) -> Case:
    """Case 15: the same article twice in one run on a fresh store is a duplicate, not "already stored"."""
    name = good(folder, "c15")
    (folder / "zz-copy.txt").write_text(GOOD.format(slug="c15"), encoding="utf-8")  # read second
    return Case(
        "c15-duplicates", "15", (name,), summary=("read 2 article(s), 0 already stored, skipped 0, 1 duplicate(s) within this run",)
    )


def misc_bad_files(folder: Path) -> Case:
    """Everyday bad input beside the hostile kind: empty, binary, oversized, undecodable HTML, a nested HTML bomb."""
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "oversized.txt").write_bytes(b"word " * 300_000)
    (folder / "nested.html").write_text("<html><body>" + "<div>" * 50_000 + "deep" + "</div>" * 50_000 + "</body></html>")
    return Case(
        "c00-misc-bad-files", "-", (good(folder, "c00"),),
        bad=(("empty.txt", "empty file"), ("binary.txt", "binary file"), ("oversized.txt", "over the 1,000,000-byte limit")),
        args=("--max-bytes", "1000000"),
    )


def nothing_readable(folder: Path) -> Case:
    """Only bad input: named, and exit code 1 (nothing could be read)."""
    os.mkfifo(folder / "only-pipe.txt")
    (folder / "only-empty.txt").write_bytes(b"")
    return Case(
        "c99-nothing-readable", "exit codes", (), exit_code=1,
        bad=(("only-pipe.txt", "FIFO"), ("only-empty.txt", "empty file")), seconds=60,
    )


BUILDERS: tuple[Callable[[Path], Case], ...] = (
    misc_bad_files, long_body, deep_jsonl, non_utf8_name, special_files, huge_csv_cell, forged_lines, duplicates,
    nothing_readable,
)


def build(root: Path, builders: tuple[Callable[[Path], Case], ...] = BUILDERS) -> list[tuple[Case, Path]]:
    """Write every case under ``root`` (one folder each); the cases with their folders."""
    cases = []
    for builder in builders:
        folder = root / builder.__name__
        folder.mkdir(parents=True)
        cases.append((builder(folder), folder))
    return cases


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for case, folder in build(out, (*BUILDERS, quote_bombs)):
        print(f"{case.name:22} issue case {case.issue:8} {folder}")
