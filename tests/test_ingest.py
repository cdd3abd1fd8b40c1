"""analysis.ingest: every input format, metadata normalisation, stable ids and one problem line per bad input."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.fetch import UnsafeURL, check_url
from analysis.ingest import (
    IngestProblem,
    article_id,
    decode_bytes,
    outlet_from_url,
    parse_date,
    parse_text_article,
    read_paths,
)
from analysis.records import Article
from analysis.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "ingest" / "corpus"
SETTINGS = Settings()
CP1252_TEXT = (
    "\u201cThe talks went well,\u201d said the envoy\u2019s aide, Ren\u00e9 Dubois \u2014 a former attach\u00e9 in "
    "Seoul. The caf\u00e9 by the port was busy."
)


def _read(*sources: str | Path, settings: Settings = SETTINGS) -> tuple[list[Article], list[IngestProblem]]:
    items = list(read_paths(list(sources), settings))
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, IngestProblem)]


# ---------------------------------------------------------------------------------------------- formats


def test_header_txt_body_and_metadata() -> None:
    [article], problems = _read(FIXTURES / "header_article.txt")
    assert problems == []
    assert article.name == "header_article.txt"
    assert article.outlet == "Harbour Ledger"
    assert article.date == "2024-03-05"
    assert article.url == "https://www.example-harbour-ledger.test/world/ties"
    assert article.title is None  # "unknown"
    assert article.text.startswith("Moscow and Pyongyang signed")
    assert "outlet:" not in article.text
    start = article.text.index("The two sides")
    assert article.text[start : start + 13] == "The two sides"  # offsets refer to the body


def test_raw_txt_keeps_title_line_in_text() -> None:
    [article], _ = _read(FIXTURES / "nested" / "raw_article.txt")
    assert article.title == "Shipping lanes busy as envoys trade visits"
    assert article.text.startswith("Shipping lanes busy")
    assert article.outlet is None and article.date is None and article.url is None


def test_html_main_text_and_metadata() -> None:
    [article], problems = _read(FIXTURES / "page.html")
    assert problems == []
    assert article.title == "Envoys meet in the far east"
    assert article.date == "2024-07-19"
    assert article.outlet == "Northern Wire"  # trafilatura's site name (no header, no known domain)
    assert "partnership is deepening" in article.text
    assert "Subscribe" not in article.text  # boilerplate dropped


def test_jsonl_rows_and_row_level_problems() -> None:
    path = FIXTURES / "rows.jsonl"
    articles, problems = _read(path)
    assert [a.name for a in articles] == ["rows.jsonl:1", "reyes-interview"]
    assert articles[0].outlet == "Valley Courier" and articles[0].date == "2024-02-01"
    assert articles[1].date is None
    assert articles[0].source == f"{path}:1"
    assert [(p.source, p.reason.split(" (")[0]) for p in problems] == [
        (f"{path}:3", "missing or empty 'text'"),
        (f"{path}:4", "malformed JSON row"),
    ]


def test_csv_rows_and_row_level_problems() -> None:
    path = FIXTURES / "rows.csv"
    articles, problems = _read(path)
    assert [a.name for a in articles] == ["rows.csv:1", "rows.csv:4"]
    assert articles[0].text.startswith('"The bridge will change little,"')
    assert articles[1].outlet == "TASS"  # no outlet column value: from the URL via outlets.tsv
    assert articles[1].date == "2024-06-10"
    assert [p.source for p in problems] == [f"{path}:2", f"{path}:3"]
    assert "malformed CSV row" in problems[0].reason and "missing or empty 'text'" in problems[1].reason


def test_directory_is_read_recursively_in_order() -> None:
    articles, problems = _read(FIXTURES)
    names = [a.name for a in articles]
    assert "raw_article.txt" in names and "header_article.txt" in names and "page.html" in names
    assert len(articles) == 7 and len(problems) == 4


def test_corpus_folder_documentation_is_not_read_as_articles(tmp_path: Path) -> None:
    """A corpus folder as it comes: articles, a README and an annotation file beside them."""
    (tmp_path / "one.txt").write_text("outlet: Test Wire\ndate: unknown\nurl: unknown\ntitle: One\n\nBody one.\n")
    (tmp_path / "README.md").write_text("# About this folder\n\nNotes for annotators.\n")
    (tmp_path / "gold.jsonl").write_text('{"article": "one.txt", "quote": "x"}\n' * 3)
    articles, problems = _read(tmp_path)
    assert [a.name for a in articles] == ["one.txt"]
    assert [(Path(p.source).name, "not an article corpus" in p.reason) for p in problems] == [("gold.jsonl", True)]
    explicit, _ = _read(tmp_path / "README.md")  # named explicitly, Markdown is still read as text
    assert [a.name for a in explicit] == ["README.md"]


def test_jsonl_rows_without_text_after_good_rows_are_reported_per_row(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"text": "A body."}\n{"title": "no text"}\n{"text": "Another body."}\n')
    articles, problems = _read(path)
    assert len(articles) == 2
    assert [(p.source, p.reason) for p in problems] == [(f"{path}:2", "missing or empty 'text'")]


# ---------------------------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-09-14", "2023-09-14"),
        ("2023-09-14T10:00:00+09:00", "2023-09-14"),
        ("September 14, 2023", "2023-09-14"),
        ("14 Sep 2023", "2023-09-14"),
        ("2023/09/14", "2023-09-14"),
        ("unknown", None),
        ("", None),
        (None, None),
        ("next Tuesday", None),
        ("2023-13-45", None),
    ],
)
def test_parse_date(value: str | None, expected: str | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://tass.com/politics/1", "TASS"),
        ("https://www.koreaherald.com/view.php?ud=1", "The Korea Herald"),
        ("https://edition.cnn.com/2024/world", "CNN"),
        ("https://en.yna.co.kr/view/AEN1", "Yonhap News Agency"),
        ("https://kyivindependent.com/story", "The Kyiv Independent"),
        ("https://unknown-site.test/a", None),
        (None, None),
    ],
)
def test_outlet_from_url(url: str | None, expected: str | None) -> None:
    assert outlet_from_url(url) == expected


def test_header_without_outlet_uses_url_alias() -> None:
    text = "date: unknown\nurl: https://www.japantimes.co.jp/news/1\ntitle: T\n\nBody line one.\n"
    article = parse_text_article(text, name="x.txt", source="x.txt")
    assert article.outlet == "The Japan Times"
    assert article.text == "Body line one."


def test_first_line_looking_like_a_label_is_not_a_header() -> None:
    text = "Analysis: why the ports matter\n\nBody.\n"
    article = parse_text_article(text, name="x.txt", source="x.txt")
    assert article.title == "Analysis: why the ports matter"
    assert article.text.startswith("Analysis:")


def test_stable_id_ignores_whitespace_but_not_url() -> None:
    assert article_id("A  quote\nhere ", "u") == article_id("A quote here", "u")
    assert article_id("A quote here", "u") != article_id("A quote here", "v")
    first, _ = _read(FIXTURES)
    second, _ = _read(FIXTURES)
    assert [a.id for a in first] == [a.id for a in second]


# ---------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Caf\u00e9 owners said".encode(), "Caf\u00e9 owners said"),
        ("\ufeffBOM text".encode(), "BOM text"),
        (CP1252_TEXT.encode("cp1252"), CP1252_TEXT),  # curly quotes and dashes of a Windows-encoded article
    ],
)
def test_decode_bytes(data: bytes, expected: str) -> None:
    assert decode_bytes(data) == expected


def test_bad_files_among_good_ones(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("outlet: X\ndate: 2024-01-01\nurl: unknown\ntitle: T\n\nA body.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\n ")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "big.txt").write_bytes(b"word " * 400)
    (tmp_path / "nohtml.html").write_text("<html><body><script>x()</script></body></html>", encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes(CP1252_TEXT.encode("cp1252"))
    articles, problems = _read(tmp_path, settings=Settings(max_bytes=1500))
    assert sorted(a.name for a in articles) == ["good.txt", "latin.txt"]
    assert next(a for a in articles if a.name == "latin.txt").text == CP1252_TEXT
    reasons = {Path(p.source).name: p.reason for p in problems}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.txt"] == "empty file"
    assert reasons["binary.txt"] == "binary file (not text)"
    assert "over the 1,500-byte limit" in reasons["big.txt"]
    assert "no main text" in reasons["nohtml.html"]
    assert len(problems) == 5


def test_missing_path_is_a_problem() -> None:
    _, problems = _read("/nonexistent/dir/file.txt")
    assert problems == [IngestProblem("/nonexistent/dir/file.txt", "no such file or directory")]


# ---------------------------------------------------------------------------------------------- URLs


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        return


@pytest.fixture()
def local_server() -> Iterator[str]:
    """A throwaway http.server on 127.0.0.1 serving the fixture corpus."""
    handler = lambda *a, **k: _Handler(*a, directory=str(FIXTURES), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_url_fetched_with_flag(local_server: str) -> None:
    url = f"{local_server}/page.html"
    [article], problems = _read(url, settings=Settings(allow_private_urls=True))
    assert problems == []
    assert article.title == "Envoys meet in the far east"
    assert article.url == url and article.source == url
    assert "deepening quickly" in article.text


def test_url_refused_without_flag(local_server: str) -> None:
    url = f"{local_server}/page.html"
    articles, [problem] = _read(url)
    assert articles == []
    assert problem.source == url
    assert problem.reason.startswith("refused:") and "--allow-private-urls" in problem.reason


def test_url_over_size_limit(local_server: str) -> None:
    _, [problem] = _read(f"{local_server}/page.html", settings=Settings(allow_private_urls=True, max_bytes=100))
    assert "limit" in problem.reason


def test_url_http_error(local_server: str) -> None:
    _, [problem] = _read(f"{local_server}/missing.html", settings=Settings(allow_private_urls=True))
    assert "404" in problem.reason


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.org/a.txt", "gopher://example.org/", "http:///no-host"],
)
def test_non_http_urls_refused_even_with_flag(url: str) -> None:
    with pytest.raises(UnsafeURL):
        check_url(url, allow_private=True)
    _, [problem] = _read(url, settings=Settings(allow_private_urls=True))
    assert problem.reason.startswith("refused:")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x",
        "http://localhost:8080/x",
        "http://10.1.2.3/x",
        "http://192.168.0.10/x",
        "http://172.16.5.4/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://0.0.0.0/x",
    ],
)
def test_private_targets_refused(url: str) -> None:
    with pytest.raises(UnsafeURL, match="private/loopback/link-local"):
        check_url(url, allow_private=False)
    check_url(url, allow_private=True)  # allowed with the flag


# ---------------------------------------------------------------------------------------------- hostile input (issue 15)

GOOD_BODY = "outlet: X\ndate: 2024-01-01\nurl: unknown\ntitle: T\n\nA good body.\n"


def test_only_regular_files_are_opened(tmp_path: Path) -> None:
    """FIFO, device link and dangling link in a folder are each named with a reason; none is opened (a FIFO
    opened for reading would block for ever, /dev/zero would read without end)."""
    import os

    (tmp_path / "good.txt").write_text(GOOD_BODY)
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "no-such-target")
    articles, problems = _read(tmp_path)
    assert [a.name for a in articles] == ["good.txt"]
    reasons = {Path(p.source).name: p.reason for p in problems}
    assert reasons == {
        "pipe.txt": "not a regular file (FIFO); not opened",
        "zero.txt": "not a regular file (character device); not opened",
        "gone.txt": "dangling symbolic link (its target does not exist)",
    }
    _, [named] = _read(tmp_path / "pipe.txt")  # named explicitly: the same rule
    assert named.reason == "not a regular file (FIFO); not opened"


def test_a_file_growing_past_its_stat_size_is_cut_at_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The size from stat is never trusted: at most max_bytes + 1 bytes are read, whatever stat said."""
    import os

    import analysis.ingest as ingest

    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * 1000)
    real_stat = os.stat

    def tiny_stat(p: object, *a: object, **k: object) -> os.stat_result:
        st = real_stat(p, *a, **k)  # type: ignore[arg-type]
        return os.stat_result((st.st_mode, *st[1:6], 0, *st[7:]))  # claims size 0, like a device or /proc file

    monkeypatch.setattr(ingest.os, "stat", tiny_stat)
    _, [problem] = _read(path, settings=Settings(max_bytes=100))
    assert problem.reason == "file is over the 100-byte limit (--max-bytes)"


def test_unlistable_subdirectory_and_vanished_file_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    import analysis.ingest as ingest

    (tmp_path / "good.txt").write_text(GOOD_BODY)
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "inside.txt").write_text(GOOD_BODY)
    (tmp_path / "soon-gone.txt").write_text(GOOD_BODY.replace("good", "other"))
    real_scandir = os.scandir

    def scandir(path: object) -> object:
        if Path(str(path)).name == "locked":  # what a mode-000 folder gives a non-root user
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest.os, "scandir", scandir)
    items = read_paths([tmp_path], SETTINGS)
    seen: list[Article | IngestProblem] = []
    for item in items:
        seen.append(item)
        if isinstance(item, Article) and item.name == "good.txt":
            (tmp_path / "soon-gone.txt").unlink()  # deleted while the run goes on
    problems = {Path(p.source).name: p.reason for p in seen if isinstance(p, IngestProblem)}
    assert problems == {
        "locked": "directory could not be listed (permission denied)",
        "soon-gone.txt": "vanished before it could be read (no such file)",
    }
    assert [a.name for a in seen if isinstance(a, Article)] == ["good.txt"]


def test_names_are_stored_and_printed_escaped(tmp_path: Path) -> None:
    import os

    os.makedirs(tmp_path / "d")
    raw = os.fsencode(tmp_path / "d") + b"/caf\xe9 report.txt"  # Latin-1 byte: not UTF-8
    with open(raw, "wb") as fh:
        fh.write(b"A body from a Latin-1 named file.\n")
    (tmp_path / "d" / "x\nskipped fake: forged.txt").write_text("A second body.\n")
    articles, problems = _read(tmp_path / "d")
    assert problems == []
    names = sorted(a.name for a in articles)
    assert names == ["caf\\xe9 report.txt", "x\\x0askipped fake: forged.txt"]
    for article in articles:
        assert article.source is not None and "\n" not in article.source
        article.name.encode("utf-8")  # storable: no surrogates left
        article.source.encode("utf-8")
    assert str(IngestProblem("a\nb\udcff", "why\r")) == "a\\x0ab\\xff: why\\x0d"


def test_nul_byte_in_a_name_is_a_sentence() -> None:
    _, [problem] = _read("bad\x00name.txt")
    assert problem.reason == "file name contains a NUL byte"
    assert "\x00" not in str(problem)


def test_deeply_nested_and_huge_number_json_rows_are_named(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    deep = '{"text": "x", "n": ' + "[" * 100_000 + "]" * 100_000 + "}"
    digits = '{"text": "y", "n": ' + "9" * 5000 + "}"
    path.write_text('{"text": "First body."}\n' + deep + "\n" + digits + '\n{"text": "Last body.", "t": "\\ud800"}\n')
    articles, problems = _read(path)
    assert [a.text for a in articles] == ["First body.", "Last body."]
    assert [(p.source, p.reason) for p in problems] == [
        (f"{path}:2", "malformed JSON row (nested too deeply)"),
        (f"{path}:3", "malformed JSON row (number too long)"),
    ]


def test_lone_surrogates_in_json_text_become_replacement_characters(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"text": "Body \\ud800 here.", "title": "line\\nbreak", "name": "n\\u2028m"}\n')
    [article], _ = _read(path)
    assert article.text == "Body \ufffd here." and article.title == "line break" and article.name == "n\\u2028m"
    article.text.encode("utf-8")


def test_a_huge_csv_cell_loses_only_its_own_row(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    huge = "word " * 40_000  # 200,000 characters: over the csv module's default 131,072 field limit
    path.write_text(f'title,text\nA,"{huge}"\nB,"After the big one."\nC,"Bad "quote" row\nD,"Last one."\n')
    articles, problems = _read(path)
    assert [a.title for a in articles][:2] == ["A", "B"]
    assert articles[0].text == huge and "D" in [a.title for a in articles]
    assert all("rest of the file skipped" not in p.reason for p in problems)


# ---------------------------------------------------------------------------------------------- URL deadline, pinning


class _Drip(http.server.BaseHTTPRequestHandler):
    """Sends its headers, then one byte of body every 0.2 s (never finishing in time)."""

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        import time

        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(100_000):
                self.wfile.write(b"a")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            return

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


def test_slow_drip_download_stops_at_the_total_deadline() -> None:
    import time

    from analysis.fetch import fetch_url

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/slow.txt"
        started = time.monotonic()
        with pytest.raises(TimeoutError, match="longer than the 1.5-second limit"):
            fetch_url(url, Settings(allow_private_urls=True), deadline=1.5)
        assert time.monotonic() - started < 4  # the per-read timeout (20 s) never came into play
    finally:
        server.shutdown()
        server.server_close()


def test_dns_rebinding_cannot_move_the_fetch_to_loopback(local_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A resolver that answers a public address first and 127.0.0.1 afterwards: the fetch resolves ONCE per
    connection, checks, and connects to the checked address, so the loopback page is never fetched."""
    import analysis.fetch as fetch

    port = int(local_server.rsplit(":", 1)[1])
    answers = iter(["93.184.216.34"] + ["127.0.0.1"] * 10)
    calls: list[str] = []
    connected: list[tuple[str, int]] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return [next(answers)]

    real_connect = fetch.socket.socket.connect

    def record_connect(sock: object, address: tuple[str, int]) -> None:
        connected.append(address)
        raise ConnectionRefusedError(111, "refused in the test (no internet)")

    monkeypatch.setattr(fetch, "resolve_host", rebinding)
    monkeypatch.setattr(fetch.socket.socket, "connect", record_connect)
    _, [problem] = _read(f"http://rebind.test:{port}/page.html")
    monkeypatch.setattr(fetch.socket.socket, "connect", real_connect)
    assert calls == ["rebind.test"]  # resolved once
    assert connected == [("93.184.216.34", port)]  # connected to the address that was checked, not re-resolved
    assert "could not fetch" in problem.reason

    answers = iter(["127.0.0.1"])
    _, [problem] = _read(f"http://rebind.test:{port}/page.html")
    assert problem.reason.startswith("refused:") and "127.0.0.1" in problem.reason


def test_redirect_to_a_private_address_is_checked_on_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    """A public name that redirects to a name resolving to loopback: the redirect's connection is refused."""
    import analysis.fetch as fetch

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(302)
            self.send_header("Location", f"http://inside.test:{self.server.server_address[1]}/secret")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    # outside.test is "public" for the check but served locally; inside.test resolves to loopback.
    table = {"outside.test": ["93.184.216.34"], "inside.test": ["127.0.0.1"]}
    monkeypatch.setattr(fetch, "resolve_host", lambda host, port: table[host])
    real_connect = fetch.socket.socket.connect
    monkeypatch.setattr(
        fetch.socket.socket, "connect",
        lambda sock, addr: real_connect(sock, ("127.0.0.1", addr[1]) if addr[0] == "93.184.216.34" else addr),
    )
    try:
        _, [problem] = _read(f"http://outside.test:{port}/start")
    finally:
        server.shutdown()
        server.server_close()
    assert problem.reason.startswith("refused:") and "inside.test" in problem.reason


def test_upload_names_with_nul_newline_and_separators(tmp_path: Path, nlp: object) -> None:
    """An uploaded file's name is only a label: NUL, newline and path separators are escaped, never used."""
    from analysis.service import ingest_upload
    from analysis.store import Store

    settings = Settings(db_path=tmp_path / "s.duckdb")
    report = ingest_upload("../evil\x00name\n.txt", GOOD_BODY.encode(), settings)
    assert (report.read, report.articles, report.skipped) == (1, 1, ())
    names = Store(settings.db_path).query_df("SELECT name, source FROM articles")
    assert list(names["name"]) == ["evil\\x00name\\x0a.txt"]
    assert list(names["source"]) == ["upload:evil\\x00name\\x0a.txt"]
    rows = ingest_upload("rows\n.jsonl", b'{"text": "A row body."}\n{"text": ', settings)
    assert rows.articles == 1
    assert [p.source for p in rows.skipped] == ["rows\\x0a.jsonl:2"]
