"""The ``stance`` command: wiring only (argparse -> ingest / pipeline / store / service / evaluate / export).

Exit codes: 0 done (ingest/extract: at least one article read); 1 ingest/extract read nothing; 2 a usage,
database or model error, printed as ONE line on stderr (no traceback); 130 interrupted. Every file name, URL
and row name printed is escaped (see ``analysis.ingest.display_name``), so input cannot forge output lines.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from analysis.settings import Settings

if TYPE_CHECKING:
    from analysis.store import Store


class UserError(Exception):
    """A mistake the user can fix; printed as one line, no traceback."""


# ---------------------------------------------------------------------------------------------- helpers

# The stance vocabulary shared with the dashboard (dashboard/charts.py STANCE_NAMES): an assessment, not approval.
STANCE_WORDS = {1: "deepening", 0: "no call", -1: "limited"}


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        db_path=Path(args.db) if getattr(args, "db", None) else None,
        max_bytes=getattr(args, "max_bytes", None),
        allow_private_urls=True if getattr(args, "allow_private_urls", False) else None,
        batch_size=getattr(args, "batch_size", None),
        workers=getattr(args, "workers", None),
        engine=getattr(args, "engine", None),
        scheduler=getattr(args, "scheduler", None),
        parquet_dir=Path(args.parquet_dir) if getattr(args, "parquet_dir", None) else None,
        partition_size=getattr(args, "partition_size", None),
    )


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Progress:
    """A rich progress bar on a terminal, plain lines otherwise (logs, pipes, CI)."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self._bar: object | None = None
        self._task: object | None = None
        self._last = -1

    def __enter__(self) -> Progress:
        if self.stream.isatty():
            from rich.console import Console
            from rich.progress import Progress as RichProgress

            bar = RichProgress(console=Console(file=self.stream), transient=True)  # stdout may carry JSON lines
            bar.start()
            self._task = bar.add_task(self.label, total=None)
            self._bar = bar
        return self

    def __call__(self, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total or None)  # type: ignore[attr-defined]
        elif done != self._last:
            self._last = done
            print(f"{self.label}: {done}/{total}" if total else f"{self.label}: {done}", file=self.stream, flush=True)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------- commands


def cmd_extract(args: argparse.Namespace) -> int:
    """Analyse files without a database; one JSON line per quote."""
    from analysis.ingest import IngestProblem, read_paths
    from analysis.nlp import load_nlp
    from analysis.records import Article
    from analysis.service import analyse

    settings = _settings(args)
    problems: list[IngestProblem] = []
    counts = {"read": 0, "quotes": 0}

    def problem(item: IngestProblem) -> None:
        problems.append(item)
        _err(f"skipped {item}")

    def articles() -> Iterator[Article]:
        for item in read_paths(args.paths, settings):
            if isinstance(item, IngestProblem):
                problem(item)
            else:
                counts["read"] += 1
                yield item

    nlp = load_nlp(settings.spacy_model)
    out = _open_out(args.out)
    try:
        for result in analyse(articles(), nlp, batch_size=settings.batch_size, on_problem=problem):
            for quote in result.quotes:
                out.write(json.dumps(quote.to_row(), ensure_ascii=False) + "\n")
                counts["quotes"] += 1
    finally:
        if out is not sys.stdout:
            out.close()
    _err(_summary(counts["read"], problems, counts["quotes"]))
    return 0 if counts["read"] else 1


def _open_out(out: str | None) -> TextIO:
    if not out or out == "-":
        return sys.stdout
    path = Path(out)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror}") from exc


def _summary(
    read: int, problems: Sequence[object], quotes: int, already: int | None = None, duplicates: int = 0
) -> str:
    from analysis.ingest import IngestProblem, display_name

    reasons: dict[str, int] = {}
    for p in problems:
        if isinstance(p, IngestProblem):
            key = display_name(_reason_kind(p.reason))  # a server's reason phrase may carry control characters
            reasons[key] = reasons.get(key, 0) + 1
    why = "; ".join(f"{n} {r}" for r, n in sorted(reasons.items(), key=lambda kv: -kv[1]))
    stored = f", {already} already stored" if already is not None else ""
    twice = f", {duplicates} duplicate(s) within this run" if duplicates else ""
    return (
        f"read {read} article(s){stored}, skipped {len(problems)}{f' ({why})' if why else ''}{twice}, "
        f"quotes found {quotes}"
    )


def _reason_kind(reason: str) -> str:
    """A short category of a skip reason for the summary (sizes, hosts and rows left out)."""
    if reason.startswith("refused"):
        return "refused URL"
    if "limit" in reason and ("bytes" in reason or "download" in reason):
        return "over the size limit"
    return reason.split(" (")[0].split(":")[0]


def cmd_eval(args: argparse.Namespace) -> int:
    """Score predictions against gold with the shared scorer's definitions."""
    from analysis.evaluate import format_report, load_rows, score

    try:
        gold, pred = load_rows(args.gold), load_rows(args.pred)
    except OSError as exc:
        raise UserError(f"cannot read {exc.filename}: {exc.strerror}") from exc
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    result = score(gold, pred)
    print(json.dumps(result, ensure_ascii=False, indent=1) if args.json else format_report(result))
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Read, analyse and store articles."""
    from analysis.service import ingest_sources

    settings = _settings(args)
    if settings.workers < 1:
        raise UserError("--workers must be at least 1")
    if settings.scheduler and settings.engine != "dask":
        raise UserError("--scheduler needs --engine dask")
    if settings.engine == "dask" and importlib.util.find_spec("distributed") is None:
        raise UserError("--engine dask needs dask[distributed] installed (pip install 'dask[distributed]')")
    label = "partitions" if settings.engine == "dask" else "articles"
    try:
        with Progress(label) as progress:
            report = ingest_sources(
                args.sources, settings, on_progress=progress, on_problem=lambda p: _err(f"skipped {p}")
            )
    except (FileExistsError, OSError) as exc:
        raise UserError(str(exc)) from exc
    _err(_summary(report.read, report.skipped, report.quotes, report.already_stored, report.duplicates))
    return 0 if report.read else 1


def cmd_reanalyze(args: argparse.Namespace) -> int:
    """Re-run the pipeline on stored articles whose pipeline version is stale (or all with --force)."""
    from analysis.service import reanalyze

    settings = _settings(args)
    _store(args)  # a friendly error when there is no database
    with Progress("re-analysed") as progress:
        done, quotes = reanalyze(
            settings, force=args.force, on_progress=progress, on_problem=lambda p: _err(f"failed {p}")
        )
    _err(f"re-analysed {done} article(s), quotes found {quotes}")
    return 0


def cmd_override(args: argparse.Namespace) -> int:
    """Set or clear an analyst's stance for one quote."""
    store = _store(args)
    if not _quote_exists(store, args.quote_id):
        raise UserError(f"no quote with id {args.quote_id!r}")
    if args.clear:
        store.clear_override(args.quote_id)
        print(f"override cleared for {args.quote_id}")
    else:
        if args.stance is None:
            raise UserError("give --stance -1|0|1 (or --clear)")
        store.set_override(args.quote_id, args.stance, args.note)
        print(f"override set for {args.quote_id}: stance {args.stance:+d} ({STANCE_WORDS[args.stance]})")
    return 0


def _quote_exists(store: Store, quote_id: str) -> bool:
    df = store.query_df("SELECT 1 FROM quotes WHERE id = ?", (quote_id,))
    return not df.empty


def cmd_explain(args: argparse.Namespace) -> int:
    """Everything the store knows about one quote, and why it got its stance."""
    store = _store(args)
    df = store.query_df("SELECT * FROM quotes_effective WHERE id = ?", (args.quote_id,))
    if df.empty:
        raise UserError(f"no quote with id {args.quote_id!r}")
    print(format_explanation(df.iloc[0].to_dict()))
    return 0


def format_explanation(row: dict[str, object]) -> str:
    """A readable account of one quotes_effective row."""
    def text(value: object) -> str:
        return "—" if value is None or value != value else str(value)  # NaN != NaN

    lines = [
        f"quote {row['id']} ({row['kind']}) in {text(row.get('article_name'))} [{text(row.get('outlet'))}, "
        f"{text(row.get('date'))}]",
        f"  “{row['quote']}”",
        f"speaker: {row['speaker']}" + (f", {row['role']}" if row.get("role") and row["role"] == row["role"] else ""),
        f"institution: {text(row.get('institution'))} ({text(row.get('institution_type'))})"
        + (" [former]" if row.get("former") else "")
        + ("" if row.get("institution_known", True) else " [not in the registry]"),
        f"model stance: {int(row['model_stance']):+d} ({STANCE_WORDS.get(int(row['model_stance']), '?')})  score {float(row['score']):+.3f}  "  # type: ignore[call-overload,arg-type]
        f"confidence {float(row['confidence']):.2f}  on target: {bool(row['on_target'])}",  # type: ignore[arg-type]
        f"sentiment (VADER compound, not stance): {float(row['sentiment']):+.3f}",  # type: ignore[arg-type]
        "evidence:",
    ]
    evidence = json.loads(str(row.get("evidence") or "[]"))
    if not evidence:
        lines.append("  (no cue)")
    for cue in evidence:
        modifier = f", {cue['modifier']}" if cue.get("modifier") else ""
        lines.append(f"  {int(cue['polarity']):+d} x{float(cue['weight']):.2f}  “{cue['phrase']}”{modifier}")
    if row.get("overridden"):
        note = f" — {row['override_note']}" if row.get("override_note") and row["override_note"] == row["override_note"] else ""
        lines.append(f"analyst override: {int(row['effective_stance']):+d} "  # type: ignore[call-overload]
                     f"({STANCE_WORDS.get(int(row['effective_stance']), '?')}){note}")  # type: ignore[call-overload]
    else:
        lines.append("analyst override: none")
    return "\n".join(lines)


def cmd_institutions(args: argparse.Namespace) -> int:
    """Institutions with quote counts and mean stance; --unknown: those not in the registry."""
    store = _store(args)
    if args.unknown:
        df = store.query_df(
            "SELECT institution, any_value(institution_type) AS institution_type, count(*) AS quotes "
            "FROM quotes WHERE NOT institution_known AND institution IS NOT NULL "
            "GROUP BY institution ORDER BY quotes DESC, institution"
        )
    elif args.every_copy:
        df = store.query_df(
            "SELECT institution, institution_type, quotes_every_copy AS quotes, "
            "round(mean_stance_every_copy, 2) AS mean_stance, stories "
            "FROM institution_story_stats ORDER BY quotes DESC, institution"
        )
    else:
        # Each story's quote counted once (a copy's repeat of it is not), spellings of one institution merged.
        df = store.query_df(
            "SELECT institution, institution_type, quotes, round(mean_stance, 2) AS mean_stance, "
            "negative, neutral, positive, quotes_every_copy AS every_copy "
            "FROM institution_story_stats ORDER BY quotes DESC, institution"
        )
    if df.empty:
        print("no institutions" + (" outside the registry" if args.unknown else ""))
        return 0
    print(df.to_string(index=False))
    return 0


def cmd_stories(args: argparse.Namespace) -> int:
    """Give stories, publishers and person ids to stored articles that lack them (all with --rebuild); a summary."""
    store = _store(args)
    done = store.record_stories(rebuild=args.rebuild)
    summary = store.query_df(
        "SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM story_stats) AS stories, "
        "(SELECT count(*) FROM story_stats WHERE articles > 1) AS multi_copy_stories, "
        "(SELECT count(*) FROM quotes_story) AS quotes_every_copy, (SELECT count(*) FROM quotes_distinct) AS quotes, "
        "(SELECT count(DISTINCT person_id) FROM quotes_story) AS people, "
        "(SELECT count(DISTINCT publisher) FROM quotes_story) AS publishers"
    ).iloc[0]
    _err(f"recorded {done} article(s)")
    print(", ".join(f"{k.replace('_', ' ')} {int(v)}" for k, v in summary.items()))
    top = store.query_df(
        "SELECT articles, first_article, publishers, hosts FROM story_stats WHERE articles > 1 "
        "ORDER BY articles DESC, first_article LIMIT ?", (args.top,)
    )
    if not top.empty:
        print(top.to_string(index=False))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Quotes joined with article metadata and effective stance, to CSV, Parquet or JSON lines."""
    from analysis.export import export_quotes

    store = _store(args)
    try:
        count = export_quotes(store, Path(args.out), args.format)
    except OSError as exc:
        raise UserError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    _err(f"exported {count} quote(s) to {args.out}")
    return 0


def cmd_charts(args: argparse.Namespace, rest: Sequence[str]) -> int:
    """Delegate to the dashboard's report module (lazy: the analysis package never needs streamlit)."""
    try:
        from dashboard.report import main as report_main
    except ImportError as exc:
        raise UserError(f"charts need the dashboard package (dashboard.report): {exc}") from exc
    argv = list(rest)
    for flag, value in (("--db", args.db), ("--out", args.out), ("--format", args.format)):
        if value is not None:
            argv += [flag, str(value)]
    result = report_main(argv)
    return int(result or 0)


def _store(args: argparse.Namespace) -> Store:
    from analysis.store import Store

    settings = _settings(args)
    store = Store(settings.db_path)
    if settings.db_path.is_dir():
        raise UserError(f"--db {settings.db_path} is a directory, not a DuckDB database file")
    if not store.exists():
        raise UserError(f"no database at {settings.db_path} (run `stance ingest` first, or pass --db)")
    return store


# ---------------------------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="stance", description="Who says what about Russia–North Korea cooperation: quotes, speakers, stance."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def db_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", help="DuckDB file (default: $STANCE_DB or data/stance.duckdb)")

    p = sub.add_parser("ingest", help="read, analyse and store articles (files, directories, http(s) URLs)")
    p.add_argument("sources", nargs="+", metavar="PATH_OR_URL")
    db_arg(p)
    p.add_argument("--max-bytes", type=int, help="skip files/downloads larger than this (default 5 MB)")
    p.add_argument("--allow-private-urls", action="store_true", help="allow loopback/private URL targets")
    p.add_argument("--batch-size", type=int, help="articles per transaction (default 16)")
    scale = p.add_argument_group("scale (see docs/scale.md)")
    scale.add_argument("--workers", type=int, help="analysis processes (default 1: in this process; $STANCE_WORKERS)")
    scale.add_argument("--engine", choices=("local", "dask"), help="local (default) or a Dask distributed cluster")
    scale.add_argument("--scheduler", metavar="ADDRESS",
                       help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster of --workers)")
    scale.add_argument("--parquet-dir", metavar="DIR",
                       help="dask: write the Parquet partitions here and keep them (storage every worker sees)")
    scale.add_argument("--partition-size", type=int, help="dask: articles (files or JSONL lines) per partition")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("extract", help="analyse files without a database; JSON lines on stdout or --out")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--out", help="output file (default: stdout)")
    p.add_argument("--max-bytes", type=int, help="skip files larger than this (default 5 MB)")
    p.add_argument("--allow-private-urls", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("eval", help="score predictions against gold (same metrics as score_quotes.py)")
    p.add_argument("gold", metavar="GOLD")
    p.add_argument("pred", metavar="PRED")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("export", help="export quotes with article metadata and effective stance")
    db_arg(p)
    p.add_argument("--format", choices=("csv", "parquet", "jsonl"), default="csv")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("reanalyze", help="re-run the pipeline on stored articles with an older pipeline version")
    db_arg(p)
    p.add_argument("--force", action="store_true", help="re-analyse every article")
    p.add_argument("--batch-size", type=int, help="articles per transaction (default 16)")
    p.add_argument("--workers", type=int, help="analysis processes (default 1: in this process)")
    p.set_defaults(func=cmd_reanalyze)

    p = sub.add_parser("override", help="set (or --clear) an analyst's stance for a quote")
    p.add_argument("quote_id", metavar="QUOTE_ID")
    p.add_argument("--stance", type=int, choices=(-1, 0, 1),
                   help="+1 deepening (the speaker judges the cooperation real, substantial or growing), 0 no call, "
                        "-1 limited (constrained or doomed); an assessment, not approval")
    p.add_argument("--note")
    p.add_argument("--clear", action="store_true")
    db_arg(p)
    p.set_defaults(func=cmd_override)

    p = sub.add_parser("explain", help="show a quote, its speaker, institution, stance evidence and override")
    p.add_argument("quote_id", metavar="QUOTE_ID")
    db_arg(p)
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("institutions", help="institutions with quote counts and mean stance")
    db_arg(p)
    p.add_argument("--unknown", action="store_true", help="only institutions not in the registry")
    p.add_argument("--every-copy", action="store_true",
                   help="count every republished copy of a quote (default: each story's quote once)")
    p.set_defaults(func=cmd_institutions)

    p = sub.add_parser("stories", help="near-duplicate stories, publishers and person ids for stored articles")
    db_arg(p)
    p.add_argument("--rebuild", action="store_true",
                   help="redo every article (after the outlet or people registries changed)")
    p.add_argument("--top", type=int, default=10, help="list the stories with most copies (default 10)")
    p.set_defaults(func=cmd_stories)

    p = sub.add_parser("charts", help="write stance charts (delegates to dashboard.report); filters pass through")
    db_arg(p)
    p.add_argument("--out", help="output directory")
    p.add_argument("--format", choices=("png", "svg", "html"))
    p.set_defaults(func=cmd_charts, passthrough=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``stance`` and ``python -m analysis``; returns the exit code."""
    from analysis.nlp import ModelNotFound

    parser = build_parser()
    raw = list(sys.argv[1:] if argv is None else argv)
    if raw and raw[0] == "charts":
        args, rest = parser.parse_known_args(raw)
    else:
        args, rest = parser.parse_args(raw), []
    handlers: tuple[type[BaseException], ...] = (UserError, ModelNotFound, *_store_errors())
    try:
        if getattr(args, "passthrough", False):
            return cmd_charts(args, rest)
        func: Callable[[argparse.Namespace], int] = args.func
        return func(args)
    except handlers as exc:
        from analysis.ingest import display_name

        _err(f"stance {args.command}: error: {display_name(str(exc))}")  # one line, even with a newline in a path
        return 2
    except KeyboardInterrupt:
        _err(f"stance {args.command}: interrupted")
        return 130
    except BrokenPipeError:
        return 0


def _store_errors() -> Iterable[type[BaseException]]:
    from analysis.store import StoreBusy, StoreError, StoreMissing, StoreReadOnly

    return (StoreMissing, StoreBusy, StoreError, StoreReadOnly)
