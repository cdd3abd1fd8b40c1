"""Scoring extracted quotes against gold rows (the definitions of ../shared/tools/score_quotes.py).

A prediction matches a gold quote of the same article (compared by base file name) when the F-measure of their
word overlap is at least 0.5, or when it holds at least 80% of the words of a gold quote of four or more words.
Recall counts gold quotes matched; precision counts predictions matching some gold quote. Speaker, institution,
type, kind and stance are judged per matched gold quote against its best match (highest (F, cover)).
Predictions without a speaker, or with ``on_target`` false, are ignored.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path, PurePath
from typing import Any

Row = Mapping[str, Any]
STANCE_LABELS: tuple[int, ...] = (-1, 0, 1)
MATCH_F = 0.5  # word-overlap F-measure for a match
MATCH_COVER = 0.8  # share of the gold quote's words a prediction must hold for a cover match
COVER_MIN_WORDS = 4  # shorter gold quotes need the F-measure
NAME_SIMILARITY = 0.85  # SequenceMatcher ratio for speaker and institution names

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Match:
    gold: int
    pred: int


def tokens(text: str | None) -> list[str]:
    """Lower-cased alphanumeric words; the typographic apostrophe counts as the straight one."""
    return _WORD.findall((text or "").lower().replace("’", "'"))


def _common(a: list[str], b: list[str]) -> int:
    return sum((Counter(a) & Counter(b)).values())


def word_f(gold: str | None, pred: str | None) -> float:
    """F-measure of the multiset word overlap of two quotes."""
    g, p = tokens(gold), tokens(pred)
    if not g or not p:
        return 0.0
    common = _common(g, p)
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def coverage(gold: str | None, pred: str | None) -> float:
    """Share of the gold quote's words found in the prediction (0 for gold quotes under four words)."""
    g = tokens(gold)
    if len(g) < COVER_MIN_WORDS:
        return 0.0
    return _common(g, tokens(pred)) / len(g)


def _letters(name: str | None) -> str:
    return re.sub(r"[^a-z]", "", (name or "").lower())


def speaker_matches(gold: str | None, pred: str | None) -> bool:
    """Same person: equal letters, or close spellings (ratio >= 0.85)."""
    g, p = _letters(gold), _letters(pred)
    if not g or not p:
        return False
    return g == p or SequenceMatcher(None, g, p).ratio() >= NAME_SIMILARITY


def institution_matches(gold: str | None, pred: str | None) -> bool:
    """Same institution by words (ratio >= 0.85); an empty gold needs an empty prediction."""
    g, p = " ".join(tokens(gold)), " ".join(tokens(pred))
    if not g:
        return not p
    if not p:
        return False
    return g == p or SequenceMatcher(None, g, p).ratio() >= NAME_SIMILARITY


def _article(row: Row) -> str:
    return PurePath(str(row.get("article", ""))).name


def usable_predictions(pred: Sequence[Row]) -> list[Row]:
    """Predictions that count: a non-empty speaker and not marked off-target."""
    return [p for p in pred if str(p.get("speaker") or "").strip() and p.get("on_target", True) is not False]


def match_quotes(gold: Sequence[Row], pred: Sequence[Row]) -> tuple[list[Match], set[int]]:
    """Best prediction per matched gold quote, and the indices of every prediction matching some gold quote."""
    by_article: dict[str, list[int]] = {}
    for j, p in enumerate(pred):
        by_article.setdefault(_article(p), []).append(j)
    matches: list[Match] = []
    used: set[int] = set()
    for i, g in enumerate(gold):
        best: tuple[tuple[float, float], int] | None = None
        for j in by_article.get(_article(g), []):
            f, c = word_f(g["quote"], pred[j].get("quote")), coverage(g["quote"], pred[j].get("quote"))
            if f >= MATCH_F or c >= MATCH_COVER:
                used.add(j)
                if best is None or (f, c) > best[0]:
                    best = ((f, c), j)
        if best is not None:
            matches.append(Match(i, best[1]))
    return matches, used


def macro_f1(pairs: Sequence[tuple[int, int]], labels: Sequence[int] = STANCE_LABELS) -> float:
    """Mean F1 over the labels that occur in gold or prediction."""
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in pairs)
        fp = sum(g != label and p == label for g, p in pairs)
        fn = sum(g == label and p != label for g, p in pairs)
        if tp + fp + fn == 0:
            continue
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def _ratio(num: int, den: int) -> float:
    return round(num / den, 3) if den else 0.0


def confusion(pairs: Sequence[tuple[int, int]]) -> dict[str, dict[str, int]]:
    """Stance confusion matrix: ``{gold: {pred: count}}`` over the matched quotes."""
    return {str(g): {str(p): sum(pair == (g, p) for pair in pairs) for p in STANCE_LABELS} for g in STANCE_LABELS}


def score(gold: Sequence[Row], pred: Sequence[Row]) -> dict[str, Any]:
    """Every figure of the shared scorer (same keys and rounding), plus ``stance_confusion``."""
    pred = usable_predictions(pred)
    matches, used = match_quotes(gold, pred)
    found = len(matches)
    precision = len(used) / len(pred) if pred else 0.0
    recall = found / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    speaker_ok = [speaker_matches(gold[m.gold]["speaker"], pred[m.pred].get("speaker")) for m in matches]
    with_inst = [m for m in matches if gold[m.gold].get("institution")]
    inst_ok = sum(institution_matches(gold[m.gold]["institution"], pred[m.pred].get("institution")) for m in with_inst)
    type_ok = sum(
        (gold[m.gold].get("institution_type") or None) == (pred[m.pred].get("institution_type") or None)
        for m in matches
    )
    kind_ok = sum(gold[m.gold].get("kind") == pred[m.pred].get("kind") for m in matches)
    judged = [(m, ok) for m, ok in zip(matches, speaker_ok, strict=True) if pred[m.pred].get("stance") is not None]
    pairs = [(int(gold[m.gold]["stance"]), int(pred[m.pred]["stance"])) for m, _ in judged]
    end_to_end = sum(ok and g == p for (_, ok), (g, p) in zip(judged, pairs, strict=True))
    matched = {m.gold for m in matches}
    return {
        "gold": len(gold), "pred": len(pred), "gold_found": found, "pred_correct": len(used),
        "quote_precision": round(precision, 3), "quote_recall": round(recall, 3), "quote_f1": round(f1, 3),
        "speaker_acc": _ratio(sum(speaker_ok), found),
        "institution_acc": _ratio(inst_ok, len(with_inst)),
        "institution_type_acc": _ratio(type_ok, found),
        "kind_acc": _ratio(kind_ok, found),
        "stance_macro_f1": round(macro_f1(pairs), 3),
        "stance_acc": _ratio(sum(g == p for g, p in pairs), len(pairs)),
        "end_to_end_recall": _ratio(end_to_end, len(gold)),
        "missed": [f"{g['speaker']}: {g['quote'][:70]}" for i, g in enumerate(gold) if i not in matched],
        "spurious": [
            f"{p.get('speaker')}: {str(p.get('quote'))[:70]}" for j, p in enumerate(pred) if j not in used
        ],
        "stance_confusion": confusion(pairs),
    }


def load_rows(path: str | Path) -> list[dict[str, Any]]:
    """JSON-lines rows; ValueError naming ``path:line`` for a line that is not a JSON object."""
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise ValueError(f"{path}:{number}: not a JSON object")
        rows.append(row)
    return rows


def format_report(result: Mapping[str, Any]) -> str:
    """The scorer's plain-text layout, then the stance confusion matrix (rows gold, columns predicted)."""
    lines = []
    for key, value in result.items():
        if key == "stance_confusion":
            continue
        if isinstance(value, list):
            lines.append(f"{key} ({len(value)}):")
            lines.extend(f"    {item}" for item in value)
        else:
            lines.append(f"{key}: {value}")
    matrix = result.get("stance_confusion") or {}
    lines.append("stance confusion (rows gold, columns predicted):")
    lines.append("gold\\pred " + "".join(f"{label:>6}" for label in STANCE_LABELS))
    for g in STANCE_LABELS:
        row = matrix.get(str(g), {})
        lines.append(f"{g:>9} " + "".join(f"{row.get(str(p), 0):>6}" for p in STANCE_LABELS))
    return "\n".join(lines)
