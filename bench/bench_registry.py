"""Institution lookup speed on a synthetic registry of N entries (default 5,000) beside the curated one.

The synthetic names are invented combinations ("Halvern Institute for Maritime Studies", "University of
Tessaly"), each with an acronym; queries mix exact names, acronyms, a registry name inside a longer one (a centre
of a university), misspellings (fuzzy) and unknown names (the worst case: every step runs and misses).

Usage: .venv/bin/python bench/bench_registry.py [--entries 5000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import itertools
import random
import time
from collections.abc import Iterator

from analysis.institution_names import Registry, build_registry, lookup
from analysis.lexicons import load_tsv

STEMS = ("Hal", "Ver", "Tes", "Mor", "Kal", "Bren", "Ost", "Lum", "Sar", "Dov", "Quin", "Zel", "Ard", "Fen", "Grav",
         "Pell", "Rho", "Tam", "Ul", "Wex")
ENDS = ("ern", "aly", "ova", "ik", "ston", "ford", "ia", "mark", "ville", "oru")
KINDS = (("{} Institute for Regional Studies", "think_tank"), ("University of {}", "university"),
         ("{} Ministry of Foreign Affairs", "government"), ("{} Naval Command", "military"),
         ("{} Daily Courier", "media"), ("{} Strategy Partners", "other"), ("{} Centre for {} Policy", "think_tank"))
TOPICS = ("Maritime", "Arctic", "Energy", "Nuclear", "Trade", "Peninsula", "Border", "Eurasian", "Pacific", "Arms")


def synthetic_rows(n: int) -> Iterator[dict[str, str]]:
    """``n`` invented registry rows (up to 5,600), each with a distinct name and acronym."""
    places = ("".join(p) for p in itertools.product(STEMS, ENDS, ("", "a", "o", "in")))
    pairs = itertools.product(places, KINDS)
    topics = itertools.cycle(TOPICS)
    for k, (place, (template, type_)) in zip(range(n), pairs, strict=False):
        name = template.format(place, next(topics)) if template.count("{}") == 2 else template.format(place)
        acronym = "".join(w[0] for w in name.split() if w[0].isupper()) + str(k)
        yield {"canonical": name, "type": type_, "country": "-", "aliases": acronym, "generic": ""}


def registry_with(n: int) -> Registry:
    return build_registry([*load_tsv("institutions.tsv"), *synthetic_rows(n)])


def queries(registry: Registry, n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    names = [e.canonical for e in registry.entries]
    out: list[str] = []
    for k in range(n):
        name = rng.choice(names)
        form = k % 5
        if form == 0:
            out.append(name)
        elif form == 1:
            out.append(f"Center for Regional Security Studies at {name}")
        elif form == 2:
            cut = rng.randrange(1, max(2, len(name) - 1))
            out.append(name[:cut] + name[cut + 1 :])  # a dropped letter: fuzzy
        elif form == 3:
            out.append(rng.choice([e.aliases[0] for e in registry.entries if e.aliases]))
        else:
            out.append(f"{rng.choice(STEMS)}qua Observatory of Wandering Thought {k}")  # unknown
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    started = time.perf_counter()
    registry = registry_with(args.entries)
    built = time.perf_counter() - started
    asked = queries(registry, args.queries)
    started = time.perf_counter()
    known = sum(1 for q in asked if (r := lookup(registry, q)) is not None and r.known)
    seconds = time.perf_counter() - started
    print(f"registry: {len(registry.entries)} entries, {len(registry.by_name)} names, built in {built:.2f} s")
    print(f"lookups: {len(asked)} uncached in {seconds:.2f} s = {1000 * seconds / len(asked):.2f} ms each; "
          f"{known} resolved to an entry")


if __name__ == "__main__":
    main()
