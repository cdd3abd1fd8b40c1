"""Institution accuracy on a labelled corpus with gold speakers (independent of the quote and attribution stages).

For each gold row: the article is parsed once, the speaker is rebuilt from the gold name (mentions = every
occurrence of the full name and of its surname / honorific forms), the quote is located by substring, and
``institutions.affiliate`` is called. Prints institution accuracy (the shared scorer's ``same_institution`` on rows
whose gold institution is non-null) and institution_type accuracy (all rows), with the misses.

Corpora are those of ``analysis.goldset.corpora`` (dev, demo, extra-tune, skeptic, ...). A validation split
(extra-val) prints its aggregate figures only, never its rows, so no rule is written from them.

Usage: .venv/bin/python bench/institutions_eval.py [--corpus dev extra-tune ...] [--shared ../shared] [--all]
"""

from __future__ import annotations

import argparse
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from spacy.language import Language

from analysis import goldset, institutions
from analysis.evaluate import institution_matches
from analysis.nlp import load_nlp
from analysis.records import Quote, Span, Speaker

HONORIFICS = ("Mr.", "Mr", "Ms.", "Ms", "Mrs.", "Dr.", "Dr", "Prof.")


def _occurrences(body: str, needle: str) -> list[Span]:
    # not followed by another capitalised name part ("Park" in "Park Ji-hoon" is someone else)
    pattern = re.compile(rf"(?<![\w-]){re.escape(needle)}(?![\w-])(?! [A-Z][a-z]+-)")
    return [Span(m.start(), m.end()) for m in pattern.finditer(body)]


def locate_speaker(body: str, name: str) -> Speaker:
    """Mentions: the full name, then surname / honorific forms; first full-name introduction first."""
    full = _occurrences(body, name)
    parts = [p for p in name.split() if len(p) > 1]
    short: list[Span] = []
    forms = {parts[-1], parts[0]} if len(parts) > 1 else set(parts)
    for form in forms:
        for h in HONORIFICS:
            short += _occurrences(body, f"{h} {form}")
        short += _occurrences(body, form)
    inside = [(s.start, s.end) for s in full]
    short = [s for s in short if not any(a <= s.start and s.end <= b for a, b in inside)]
    rest = sorted(set(full[1:] + short), key=lambda s: s.start)
    ordered = ([full[0]] if full else []) + rest
    return Speaker(name=name, mentions=tuple(ordered))


def locate_quote(body: str, row: dict[str, Any], speaker: Speaker) -> Quote:
    """The gold quote, with the speaker's mention nearest to it as the attribution site."""
    quote = goldset.locate_quote(body, row["quote"], row["kind"]) or Quote(
        segments=(Span(0, 0),), kind="indirect", text=row["quote"]
    )
    near = [
        m for m in speaker.mentions
        if abs(m.start - quote.end) < 300 or abs(quote.start - m.end) < 300 or quote.start <= m.start <= quote.end
    ]
    mention = min(near, key=lambda m: min(abs(m.start - quote.end), abs(quote.start - m.end)), default=None)
    return replace(quote, speaker_mention=mention)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--all", action="store_true", help="print every row, not only the misses")
    parser.add_argument("--corpus", nargs="*", default=["dev"], help="corpus names (default: dev)")
    args = parser.parse_args()
    available = goldset.corpora(args.shared)
    unknown = [n for n in args.corpus if n not in available]
    if unknown:
        parser.error(f"unknown corpus {', '.join(unknown)}; known: {', '.join(available)}")
    nlp = load_nlp()
    for name in args.corpus:
        corpus = available[name]
        print(f"== {name} ({corpus.split})")
        evaluate(corpus, nlp, show_rows=corpus.split != "validation", show_all=args.all)


def evaluate(corpus: goldset.Corpus, nlp: Language, *, show_rows: bool, show_all: bool) -> tuple[float, float]:
    """(institution_acc, institution_type_acc) with gold speakers; misses printed when ``show_rows``."""
    articles = {a.name: a for a in goldset.corpus_articles(corpus)}
    gold = [row for row in goldset.corpus_gold(corpus) if row["article"] in articles]
    names = sorted({row["article"] for row in gold})
    bodies = {name: articles[name].text for name in names}
    docs = dict(zip(names, nlp.pipe(bodies[n] for n in names), strict=True))
    inst_total = inst_ok = type_ok = 0
    for row in gold:
        body, doc = bodies[row["article"]], docs[row["article"]]
        speaker = locate_speaker(body, row["speaker"])
        quote = locate_quote(body, row, speaker)
        aff = institutions.affiliate(doc, speaker, quote)
        t_ok = (row.get("institution_type") or None) == (aff.institution_type or None)
        type_ok += t_ok
        i_ok = True
        if row.get("institution"):
            inst_total += 1
            i_ok = institution_matches(row["institution"], aff.institution)
            inst_ok += i_ok
        if show_rows and (show_all or not (t_ok and i_ok)):
            mark = "  " if t_ok and i_ok else "XX"
            print(
                f"{mark} {row['article'][:18]:18} {row['speaker'][:20]:20} gold=({row['institution']}, "
                f"{row['institution_type']}, {row['role']}) got=({aff.institution}, {aff.institution_type}, "
                f"{aff.role}, former={aff.former}, known={aff.known})"
            )
    inst_acc = inst_ok / inst_total if inst_total else 0.0
    type_acc = type_ok / len(gold) if gold else 0.0
    print(f"institution_acc: {inst_acc:.3f} ({inst_ok}/{inst_total})")
    print(f"institution_type_acc: {type_acc:.3f} ({type_ok}/{len(gold)})")
    return inst_acc, type_acc


if __name__ == "__main__":
    main()
