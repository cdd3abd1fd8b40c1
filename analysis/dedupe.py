"""Near-duplicate article bodies (one story, many copies) and copied quotes. Pure: no file or database access.

A body becomes a set of word shingles (``SHINGLE_WORDS`` consecutive words after folding case, accents and
punctuation), summarised by a MinHash signature (``datasketch``) of ``NUM_PERM`` values. Candidates are found by
LSH banding (``BANDS`` bands of ``ROWS`` values: two bodies sharing one band key are compared), and a candidate
joins the story when its estimated overlap passes the thresholds below. The overlap is measured as containment
(shared shingles over the shorter body's shingles) because a republished copy is often trimmed or padded with a
new headline and site boilerplate; Jaccard alone would punish the padding. The thresholds were tuned by
``bench/bench_dedupe.py`` on dev + extra-tune with synthetic copies (trimmed, re-headlined, reworded,
boilerplate-wrapped) and all real article pairs as negatives.

The store keeps each signature and its band keys (``analysis.stories``), so matching is incremental: an
article that arrives later joins the story of the first copy stored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np
from datasketch import MinHash

from analysis.lexicons import load_toml

SHINGLE_WORDS = 3
NUM_PERM = 128
ROWS = 2  # values per LSH band: a pair with Jaccard 0.2 is compared with p≈0.93, 0.3 with p≈0.998, 0.02 with p≈0.03
BANDS = NUM_PERM // ROWS
MIN_SHINGLES = 25  # a body shorter than this (a stub, a caption) never joins or founds a multi-copy story
MIN_CONTAINMENT = 0.4  # shared shingles / the shorter body's shingles
MIN_JACCARD = 0.12  # ...and a floor on plain Jaccard, so a short piece of boilerplate is not "contained"
QUOTE_OVERLAP = 0.6  # shared words / the shorter quote's words: a trimmed or reworded copy of the same quote
_SEED = 1
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\*{3,}")


@dataclass(frozen=True, slots=True)
class Signature:
    """A body's MinHash values and its number of distinct shingles (to turn Jaccard into containment)."""

    values: np.ndarray  # uint64, length NUM_PERM
    shingles: int

    def to_bytes(self) -> bytes:
        return self.values.astype("<u8").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, shingles: int) -> Signature:
        return cls(np.frombuffer(data, dtype="<u8").astype(np.uint64), int(shingles))


@dataclass(frozen=True, slots=True)
class Overlap:
    jaccard: float
    containment: float


def words(text: str) -> list[str]:
    """Lower-case ASCII-folded words of a text (punctuation, quotes and dashes dropped)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return _WORD.findall(folded)


@cache
def _boilerplate() -> tuple[tuple[str, ...], int]:
    data = load_toml("boilerplate.toml")
    return tuple(str(p) for p in data.get("phrases", [])), int(data.get("min_line_words", 0))


def content_words(text: str) -> list[str]:
    """The words of the body that carry the story: very short lines (bylines, datelines, captions) and
    boilerplate sentences (``resources/boilerplate.toml``) left out."""
    phrases, min_words = _boilerplate()
    kept: list[str] = []
    for line in text.splitlines():
        if len(words(line)) < min_words:
            continue
        for sentence in _SENTENCE_END.split(line):
            ws = words(sentence)
            joined = f" {' '.join(ws)} "
            if not any(f" {p} " in joined for p in phrases):
                kept.extend(ws)
    return kept


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[str]:
    """The distinct runs of ``k`` consecutive content words (the whole text as one shingle when shorter)."""
    ws = content_words(text)
    if len(ws) < k:
        return {" ".join(ws)} if ws else set()
    return {" ".join(ws[i : i + k]) for i in range(len(ws) - k + 1)}


_SCHEME = "affine32"  # datasketch's 32-bit scheme, pinned so signatures stay comparable across versions


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    return MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=_SCHEME).permutations


def signature(text: str, k: int = SHINGLE_WORDS) -> Signature:
    """The MinHash signature of a body (the same on every machine: seeded permutations, SHA-1 of shingles)."""
    grams = shingles(text, k)
    mh = MinHash(num_perm=NUM_PERM, seed=_SEED, permutations=_permutations(), scheme=_SCHEME)
    if grams:
        mh.update_batch([g.encode("utf-8") for g in grams])
    return Signature(np.asarray(mh.hashvalues, dtype=np.uint64), len(grams))


def band_keys(sig: Signature) -> list[int]:
    """One signed 64-bit key per LSH band (band index mixed in), stable across processes."""
    rows = sig.values[: BANDS * ROWS].reshape(BANDS, ROWS)
    with np.errstate(over="ignore"):
        mixed = (rows * _MIX[:ROWS]).sum(axis=1, dtype=np.uint64)
        mixed ^= np.arange(BANDS, dtype=np.uint64) * np.uint64(0x100000001B3)
    return [int(v) for v in mixed.view(np.int64)]


def overlap(a: Signature, b: Signature) -> Overlap:
    """Estimated Jaccard and containment of two bodies' shingle sets."""
    if not a.shingles or not b.shingles:
        return Overlap(0.0, 0.0)
    jaccard = float(np.mean(a.values == b.values))
    shared = jaccard * (a.shingles + b.shingles) / (1.0 + jaccard)
    return Overlap(jaccard, min(1.0, shared / min(a.shingles, b.shingles)))


def same_story(a: Signature, b: Signature) -> bool:
    """True when one body is a (trimmed, padded or lightly reworded) copy of the other."""
    if min(a.shingles, b.shingles) < MIN_SHINGLES:
        return False
    o = overlap(a, b)
    return o.containment >= MIN_CONTAINMENT and o.jaccard >= MIN_JACCARD


def quote_overlap(a: str, b: str) -> float:
    """Shared words over the shorter quote's words (0 when either is empty)."""
    wa, wb = set(words(a)), set(words(b))
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def same_quote(a: str, b: str) -> bool:
    """Two quotes (already known to share a speaker) are one statement copied."""
    return quote_overlap(a, b) >= QUOTE_OVERLAP
