"""Reading articles: header .txt, raw .txt, HTML, JSONL, CSV and http(s) URLs -> ``Article``.

The only module that reads files or the network (fetching itself, with its deadline and address pinning, is in
``analysis.fetch``). An input is read only if it is a regular file (or a URL / row) within the limits; every
other or bad input becomes one ``IngestProblem`` naming the source (``path`` or ``path:row``, escaped by
``display_name``) and the reason; the rest of the batch goes on.
"""

from __future__ import annotations

import csv
import errno
import http.client
import io
import json
import os
import re
import stat
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path, PurePosixPath

from analysis.fetch import UnsafeURL, fetch_url
from analysis.lexicons import load_tsv
from analysis.records import Article, stable_hash
from analysis.settings import Settings

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
CSV_SUFFIXES = frozenset({".csv"})
KNOWN_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | CSV_SUFFIXES
# A directory walk leaves out Markdown: in a corpus folder it is the folder's documentation, not an article
# (a .md file named explicitly is still read as text).
DIRECTORY_SUFFIXES = KNOWN_SUFFIXES - {".md"}
MISSING_TEXT = "missing or empty 'text'"
HEADER_KEYS = frozenset({"outlet", "date", "url", "title"})
UNKNOWN_VALUES = frozenset({"", "unknown", "none", "null", "n/a", "na", "-"})
ROW_NAME_KEYS = ("name", "id")
READ_CHUNK = 64 * 1024
CSV_ERRORS_BEFORE_GIVING_UP = 20  # malformed CSV rows reported one by one; past this the rest of the file is skipped

_HEADER_LINE = re.compile(r"^(?P<key>[A-Za-z_]+):[ \t]*(?P<value>.*)$")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# Day-first and month-name formats seen in news metadata; ISO first because it is the corpus convention.
_DATE_FORMATS = (
    "%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y",
    "%B %d %Y", "%b %d %Y", "%d.%m.%Y", "%A, %B %d, %Y", "%a, %d %b %Y",
)


@dataclass(frozen=True, slots=True)
class IngestProblem:
    """An input that could not be read: ``source`` is a path, ``path:row`` or URL (printable, see display_name)."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{display_name(self.source)}: {display_name(self.reason)}"


# ---------------------------------------------------------------------------------------------- small helpers

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as os.fsdecode / surrogateescape carries it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def display_name(name: object) -> str:
    """A file name, path or row name as stored and printed: valid UTF-8 on one line.

    Bytes that are not UTF-8 (carried by Python as surrogate escapes) become ``\\xNN``; control characters,
    line separators and lone surrogates become ``\\xNN`` / ``\\uNNNN``, so a name cannot forge output lines.
    """
    text = os.fsdecode(name) if isinstance(name, bytes | os.PathLike) else str(name)
    return _UNPRINTABLE.sub(_escape_char, text)


def clean_text(text: str) -> str:
    """Text safe to store: lone surrogates (from JSON escapes) become U+FFFD; length and offsets unchanged."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def is_url(source: str | Path) -> bool:
    """True when the source looks like a URL (any scheme; unsafe ones are refused later, with a reason)."""
    return isinstance(source, str) and bool(_URL_SCHEME.match(source.strip()))


def normalise_text(text: str) -> str:
    """The text as hashed for the article id: NFC, whitespace runs collapsed, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def article_id(text: str, url: str | None) -> str:
    """Stable id of an article: the same body and URL always give the same id."""
    return stable_hash(normalise_text(text), url or "")


def clean_value(value: object) -> str | None:
    """A metadata value stripped, with `unknown`-like placeholders turned into None."""
    if value is None:
        return None
    text = str(value).strip()
    return None if text.lower() in UNKNOWN_VALUES else text


def parse_date(value: object) -> str | None:
    """An ISO yyyy-mm-dd date from common news date formats; None for unknown or unparseable."""
    text = clean_value(value)
    if text is None:
        return None
    iso = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$", text)
    if iso:
        text = iso.group(1)
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return parsed.isoformat() if date(1900, 1, 1) <= parsed <= date(2100, 1, 1) else None
    return None


@cache
def _outlet_aliases() -> dict[str, str]:
    return {row["domain"].lower(): row["outlet"] for row in load_tsv("outlets.tsv") if row.get("domain")}


def outlet_from_url(url: str | None) -> str | None:
    """The canonical outlet for a URL's host (or any parent domain) from ``resources/outlets.tsv``."""
    if not url:
        return None
    host = (urllib.parse.urlsplit(url).hostname or "").lower().rstrip(".")
    aliases = _outlet_aliases()
    labels = host.split(".")
    for i in range(len(labels) - 1):
        hit = aliases.get(".".join(labels[i:]))
        if hit:
            return hit
    return None


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), else the encoding charset-normalizer detects; ValueError if none fits."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ValueError("undecodable bytes (not UTF-8 and no other encoding detected)")
    return str(best)


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > max(8, len(head) // 20)


_FILE_KINDS = (
    (stat.S_ISDIR, "directory"), (stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"),
)


def _not_regular(mode: int) -> str:
    kind = next((name for test, name in _FILE_KINDS if test(mode)), "special file")
    return f"not a regular file ({kind}); not opened"


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; ValueError/OSError with a reason otherwise.

    Anything else (FIFO, device, socket, directory, dangling link) is refused before it is opened for reading,
    and the opened descriptor is checked again (the path may have been swapped in between). The size is never
    trusted: at most ``limit + 1`` bytes are read.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise ValueError("dangling symbolic link (its target does not exist)") from None
        raise ValueError("vanished before it could be read (no such file)") from None
    except ValueError as exc:  # "embedded null byte"
        raise ValueError("file name contains a NUL byte") from exc
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(_not_regular(info.st_mode))
    if info.st_size > limit:
        raise ValueError(f"file is {info.st_size:,} bytes, over the {limit:,}-byte limit (--max-bytes)")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ValueError("vanished before it could be read (no such file)") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise ValueError(_not_regular(opened.st_mode))
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(READ_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if total > limit:
        raise ValueError(f"file is over the {limit:,}-byte limit (--max-bytes)")
    return b"".join(chunks)


def _read_text(path: Path, settings: Settings) -> str:
    """The decoded content of a regular file within the size limit, or ValueError/OSError with a reason."""
    return _decode_checked(read_regular_file(path, settings.max_bytes))


def _decode_checked(data: bytes) -> str:
    if not data.strip():
        raise ValueError("empty file")
    if _looks_binary(data) and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("binary file (not text)")
    text = decode_bytes(data).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ValueError("empty file")
    return text


# ---------------------------------------------------------------------------------------------- formats


def _make_article(
    *, name: str, text: str, source: str, title: object = None, outlet: object = None,
    date_value: object = None, url: object = None, sitename: object = None,
) -> Article:
    url_s = _clean_field(url)
    outlet_s = _clean_field(outlet) or outlet_from_url(url_s) or _clean_field(sitename)
    text = clean_text(text)
    return Article(
        id=article_id(text, url_s),
        name=display_name(name),
        text=text,
        title=_clean_field(title),
        outlet=outlet_s,
        date=parse_date(date_value),
        url=url_s,
        source=display_name(source),
    )


def _clean_field(value: object) -> str | None:
    """A metadata value (title, outlet, URL) on one line and storable: clean_value, lone surrogates replaced,
    line breaks and other control characters turned into spaces."""
    text = clean_value(value)
    if text is None:
        return None
    return clean_value(_UNPRINTABLE.sub(" ", clean_text(text))) if _UNPRINTABLE.search(text) else text


def parse_text_article(text: str, *, name: str, source: str) -> Article:
    """A .txt article: the header format (outlet/date/url/title, blank line, body) or raw text.

    Raw text keeps the whole text as the body (the title line included: quotes may sit in it) and takes
    the first non-empty line as the title.
    """
    lines = text.split("\n")
    header: dict[str, str] = {}
    i = 0
    while i < len(lines) and lines[i].strip():
        match = _HEADER_LINE.match(lines[i].strip())
        if not match or match.group("key").lower() not in HEADER_KEYS:
            header = {}
            break
        header[match.group("key").lower()] = match.group("value")
        i += 1
    if header and (i >= len(lines) or not lines[i].strip()):
        body = "\n".join(lines[i + 1 :]).strip("\n")
        if not body.strip():
            raise ValueError("header but no body text")
        return _make_article(
            name=name, text=body, source=source, title=header.get("title"), outlet=header.get("outlet"),
            date_value=header.get("date"), url=header.get("url"),
        )
    title = next((ln.strip() for ln in lines if ln.strip()), None)
    return _make_article(name=name, text=text, source=source, title=title)


def parse_html_article(html: str, *, name: str, source: str, url: str | None = None) -> Article:
    """Main text and metadata (title, date, site name) of an HTML page via trafilatura."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        raise ValueError("no main text found in the HTML")
    return _make_article(
        name=name, text=text, source=source, title=getattr(doc, "title", None),
        date_value=getattr(doc, "date", None), url=url or getattr(doc, "url", None),
        sitename=getattr(doc, "sitename", None),
    )


def _row_article(row: Mapping[str, object], *, base: str, number: int, source: str) -> Article:
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(MISSING_TEXT)
    given = next((clean_value(row.get(k)) for k in ROW_NAME_KEYS if clean_value(row.get(k))), None)
    return _make_article(
        name=given or f"{base}:{number}", text=text.replace("\r\n", "\n"), source=source,
        title=row.get("title"), outlet=row.get("outlet"), date_value=row.get("date"), url=row.get("url"),
    )


def parse_jsonl(text: str, *, base: str, source: str) -> Iterator[Article | IngestProblem]:
    """One article per JSON line (row = line number); bad rows become problems naming ``source:row``.

    A file in which no row has a text (an annotation file, say) is one problem, not one per row."""
    held: list[IngestProblem] = []  # problems before the first article, in case the whole file is not a corpus
    seen_article = False
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        problem: IngestProblem | None = None
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problem = IngestProblem(where, f"malformed JSON row ({exc.msg})")
        except RecursionError:
            problem = IngestProblem(where, "malformed JSON row (nested too deeply)")
        except ValueError as exc:  # an integer past Python's 4,300-digit limit
            problem = IngestProblem(where, "malformed JSON row (number too long)" if "digits" in str(exc)
                                    else "malformed JSON row (unreadable value)")
        else:
            if not isinstance(row, dict):
                problem = IngestProblem(where, "malformed row (not a JSON object)")
            else:
                try:
                    article = _row_article(row, base=base, number=number, source=where)
                except ValueError as exc:
                    problem = IngestProblem(where, str(exc))
                else:
                    if not seen_article:
                        seen_article = True
                        yield from held
                    yield article
        if problem is not None:
            if seen_article:
                yield problem
            else:
                held.append(problem)
    if not seen_article and held:
        if all(p.reason == MISSING_TEXT for p in held):
            yield IngestProblem(source, f"no row has a 'text' field ({len(held)} rows): not an article corpus")
        else:
            yield from held


def parse_csv(text: str, *, base: str, source: str) -> Iterator[Article | IngestProblem]:
    """One article per CSV row (row 1 = the first row after the header); needs a ``text`` column.

    A cell may be as long as the file (the csv module's default cap of 131,072 characters is raised to the
    file size limit); a malformed row is reported and reading goes on with the next one."""
    if csv.field_size_limit() < len(text):
        csv.field_size_limit(len(text))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        yield IngestProblem(source, f"malformed CSV header ({exc})" if isinstance(exc, csv.Error) else "empty CSV")
        return
    if "text" not in header:
        yield IngestProblem(source, "CSV has no 'text' column")
        return
    number = errors = 0
    while True:
        number += 1
        where = f"{source}:{number}"
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors += 1
            if errors >= CSV_ERRORS_BEFORE_GIVING_UP:
                yield IngestProblem(where, f"malformed CSV row ({exc}); {errors} malformed rows, rest of the file skipped")
                return
            yield IngestProblem(where, f"malformed CSV row ({exc})")
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            yield IngestProblem(where, f"malformed CSV row ({len(cells)} fields, the header has {len(header)})")
            continue
        try:
            yield _row_article(dict(zip(header, cells, strict=True)), base=base, number=number, source=where)
        except ValueError as exc:
            yield IngestProblem(where, str(exc))


def read_file(path: Path, settings: Settings) -> Iterator[Article | IngestProblem]:
    """The article(s) of one regular file, by suffix; unknown suffixes are read as text."""
    source = display_name(path)
    try:
        text = _read_text(path, settings)
    except (OSError, ValueError) as exc:
        yield IngestProblem(source, _reason(exc))
        return
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from parse_jsonl(text, base=path.name, source=source)
    elif suffix in CSV_SUFFIXES:
        yield from parse_csv(text, base=path.name, source=source)
    else:
        try:
            if suffix in HTML_SUFFIXES or (suffix not in TEXT_SUFFIXES and _is_html(text)):
                yield parse_html_article(text, name=path.name, source=source)
            else:
                yield parse_text_article(text, name=path.name, source=source)
        except ValueError as exc:
            yield IngestProblem(source, str(exc))
        except Exception as exc:  # a hostile page must not stop the batch
            yield IngestProblem(source, f"could not be parsed ({type(exc).__name__})")


def _is_html(text: str) -> bool:
    return bool(re.match(r"\s*(<!doctype html|<html)", text[:512], re.IGNORECASE))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, OSError) and exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc)


# ---------------------------------------------------------------------------------------------- URLs (fetching: analysis.fetch)


def url_name(url: str) -> str:
    """A readable article name for a URL: host plus the last path segment."""
    parts = urllib.parse.urlsplit(url)
    last = PurePosixPath(parts.path).name
    return f"{parts.hostname or 'url'}{'/' + last if last else ''}"[:120]


def read_url(url: str, settings: Settings) -> Article | IngestProblem:
    """Fetch one URL and extract its article (HTML via trafilatura, text/plain as a text article)."""
    try:
        data, content_type, final = fetch_url(url, settings)
        text = _decode_checked(data)
        if content_type == "text/plain":
            article = parse_text_article(text, name=url_name(url), source=url)
            if article.url is None:
                article = _make_article(
                    name=article.name, text=article.text, source=url, title=article.title,
                    outlet=article.outlet, date_value=article.date, url=final,
                )
            return article
        return parse_html_article(text, name=url_name(url), source=url, url=final)
    except UnsafeURL as exc:
        return IngestProblem(url, f"refused: {exc}")
    except urllib.error.HTTPError as exc:
        return IngestProblem(url, f"HTTP error {exc.code} {exc.reason}")
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, UnsafeURL):
            return IngestProblem(url, f"refused: {exc.reason}")
        return IngestProblem(url, f"could not fetch ({exc.reason})")
    except TimeoutError as exc:
        return IngestProblem(url, str(exc) if "limit" in str(exc) else "could not fetch (timed out)")
    except (OSError, ValueError) as exc:
        return IngestProblem(url, _reason(exc))
    except http.client.HTTPException as exc:  # a malformed response (bad status line, too many headers)
        return IngestProblem(url, f"could not fetch (malformed HTTP response: {type(exc).__name__})")
    except Exception as exc:  # a hostile page must not stop the batch
        return IngestProblem(url, f"could not be parsed ({type(exc).__name__})")


# ---------------------------------------------------------------------------------------------- entry point


def walk_corpus(directory: Path, on_problem: Callable[[IngestProblem], None] | None = None) -> Iterator[Path]:
    """The article files under a directory (recursive, sorted; hidden paths and documentation left out).

    Every entry with an article suffix is yielded whatever its type, so the reader names a FIFO, device or
    dangling link instead of dropping it silently; a subdirectory that cannot be listed is reported through
    ``on_problem``. Symbolic links to directories are not followed (no loops, no escaping the folder).
    """
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        if on_problem:
            on_problem(IngestProblem(display_name(directory), f"directory could not be listed ({_reason(exc)})"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            yield from walk_corpus(path, on_problem)
        elif path.suffix.lower() in DIRECTORY_SUFFIXES:
            yield path


def read_paths(paths: Iterable[str | Path], settings: Settings) -> Iterator[Article | IngestProblem]:
    """Articles (and problems) from files, directories (recursive, known suffixes) and http(s) URLs, in order."""
    for raw in paths:
        if is_url(raw):
            yield read_url(str(raw).strip(), settings)
            continue
        if "\x00" in str(raw):
            yield IngestProblem(display_name(raw), "file name contains a NUL byte")
            continue
        path = Path(raw)
        try:
            is_dir = path.is_dir()
            present = is_dir or path.exists() or path.is_symlink()
        except OSError as exc:  # e.g. a path inside a folder this user may not enter
            yield IngestProblem(display_name(path), _reason(exc))
            continue
        if is_dir:  # a link to a directory named on the command line is followed: it is meant
            yield from _read_directory(path, settings)
        elif present:
            yield from read_file(path, settings)
        else:
            yield IngestProblem(display_name(path), "no such file or directory")


def _read_directory(path: Path, settings: Settings) -> Iterator[Article | IngestProblem]:
    problems: list[IngestProblem] = []
    found = False
    for file in walk_corpus(path, problems.append):
        yield from problems
        problems.clear()
        found = True
        yield from read_file(file, settings)
    yield from problems
    if not found and not problems:
        yield IngestProblem(display_name(path), "directory holds no .txt/.html/.jsonl/.csv files")
