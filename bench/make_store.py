"""Generate a synthetic DuckDB store of N quotes (fictional people, institutions and outlets).

Used by the dashboard benchmark and tests: the schema comes from ``analysis.store.migrate``, the rows are
random but deterministic for a seed, and institution types lean differently so filters visibly change charts.

    .venv/bin/python bench/make_store.py --quotes 100000 --out /tmp/bench.duckdb
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from analysis.store import migrate, speaker_key

# (name, type, lean): lean is the probability shift toward +1 (positive) or -1 (negative).
INSTITUTIONS: tuple[tuple[str, str, float], ...] = (
    ("Northgate Institute for Strategic Studies", "think_tank", -0.45),
    ("Harbour Policy Forum", "think_tank", -0.30),
    ("Meridian Center for Eurasian Affairs", "think_tank", -0.15),
    ("Eastwind Peace Foundation", "think_tank", 0.10),
    ("Lindqvist Institute of Asian Security", "think_tank", -0.35),
    ("Riverside University", "university", -0.10),
    ("Kestrel National University", "university", 0.00),
    ("Aldmoor College of Law", "university", -0.20),
    ("Ministry of Foreign Concerns of Valoria", "government", 0.40),
    ("Office of the President of Ostrava", "government", 0.55),
    ("State Department of Marland", "government", -0.50),
    ("Council of Coastal Nations", "international_org", -0.25),
    ("United Maritime Assembly", "international_org", -0.10),
    ("Joint Staff of the Northern Command", "military", -0.30),
    ("Valorian Defence Academy", "military", 0.35),
    ("Evening Ledger", "media", 0.00),
    ("Granite Energy Consortium", "other", 0.20),
)
OUTLETS: tuple[str, ...] = (
    "The Daily Compass", "Harbour Times", "Eastern Wire", "Global Ledger", "The Morning Lantern",
    "Pacific Courier", "Continental Review", "The Northern Post", "Capital Herald", "Asia Dispatch",
)
FIRST = ("Mara", "Ivo", "Lena", "Tomas", "Yuna", "Oskar", "Rhea", "Pavel", "Sora", "Nadia", "Emil", "Hana",
         "Kirill", "Mina", "Jonas", "Ada", "Taro", "Vera", "Luka", "Ines", "Boris", "Dae", "Elin", "Fedor")
LAST = ("Arden", "Brask", "Calder", "Dorn", "Esk", "Falk", "Gorin", "Hale", "Ivers", "Jarl", "Kade", "Lorne",
        "Marek", "Norv", "Orlo", "Pask", "Quill", "Rusk", "Sarn", "Tave", "Ulm", "Vask", "Wend", "Yarl")
ROLES = ("senior fellow", "professor", "director", "research fellow", "spokesperson", "analyst", "minister")
# Fictional quote phrasings, one list per stance; evidence phrases are the cue inside each.
QUOTES: dict[int, tuple[tuple[str, str], ...]] = {
    1: (
        ("The partnership is a win-win arrangement for both capitals", "win-win"),
        ("Closer ties will bring stability and growth to the region", "bring stability"),
        ("This cooperation is natural and beneficial for neighbours", "beneficial"),
    ),
    0: (
        ("It is too early to say what the agreement will change", "too early to say"),
        ("The details of the deal remain unclear to outside observers", "remain unclear"),
        ("Both sides have their own reasons for the meeting", "own reasons"),
    ),
    -1: (
        ("The arms transfers are a dangerous violation of sanctions", "dangerous"),
        ("This alliance threatens security across the whole region", "threatens security"),
        ("The deal rewards aggression and undermines nonproliferation", "undermines"),
    ),
}


def _stance(rng: random.Random, lean: float) -> int:
    r = rng.random()
    pos = max(0.05, 0.3 + lean / 2)
    neg = max(0.05, 0.3 - lean / 2)
    return 1 if r < pos else (-1 if r < pos + neg else 0)


def generate(n_quotes: int, *, seed: int = 0, demo: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(articles, quotes) DataFrames shaped like the store tables; deterministic for a seed."""
    rng = random.Random(seed)
    n_speakers = max(8, min(4000, n_quotes // 25))
    speakers = []
    for i in range(n_speakers):
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST) + i) % len(LAST)]}"
        if i >= len(FIRST) * len(LAST) // 2:
            name += f" {chr(65 + (i // 97) % 26)}."
        inst, itype, lean = INSTITUTIONS[rng.randrange(len(INSTITUTIONS))]
        speakers.append((name, rng.choice(ROLES), inst, itype, lean))
    start = date(2022, 1, 1)
    now = datetime(2025, 7, 1, 12, 0, 0)
    articles: list[dict[str, object]] = []
    quotes: list[dict[str, object]] = []
    qi = 0
    ai = 0
    while qi < n_quotes:
        per = min(rng.randint(2, 8), n_quotes - qi)
        art_id = f"a{ai:07d}"
        name = f"synthetic_{ai:07d}.txt"
        undated = rng.random() < 0.04
        day = None if undated else start + timedelta(days=rng.randrange(1270))
        paragraphs = [f"Synthetic report {ai} on the fictional summit."]
        offset = len(paragraphs[0]) + 1
        for _ in range(per):
            speaker, role, inst, itype, lean = speakers[rng.randrange(n_speakers)]
            stance = _stance(rng, lean)
            text, cue = rng.choice(QUOTES[stance])
            kind = "direct" if rng.random() < 0.7 else "indirect"
            if kind == "direct":
                prefix = f"{speaker}, a {role} at the {inst}, said: \u201c"
                para = f"{prefix}{text}.\u201d"
            else:
                prefix = f"{speaker} of the {inst} said that "
                para = f"{prefix}{text}."
            s = offset + len(prefix)
            e = s + len(text)
            score = stance * (0.35 + rng.random() * 0.6) if stance else (rng.random() - 0.5) * 0.3
            quotes.append({
                "id": f"q{qi:08d}", "article_id": art_id, "speaker": speaker,
                "speaker_key": speaker_key(speaker), "role": role, "institution": inst,
                "institution_type": itype, "institution_known": True, "former": rng.random() < 0.05,
                "quote": text, "kind": kind, "start_char": s, "end_char": e,
                "segments": json.dumps([[s, e]]), "stance": stance, "score": round(score, 4),
                "confidence": round(0.5 + rng.random() / 2, 4),
                "evidence": json.dumps([{"phrase": cue, "polarity": stance or 1, "weight": 1.0,
                                          "modifier": None}] if stance else []),
                "on_target": rng.random() < 0.9, "sentiment": round(rng.random() * 2 - 1, 4),
                "pipeline_version": "synthetic",
            })
            paragraphs.append(para)
            offset += len(para) + 1
            qi += 1
        articles.append({
            "id": art_id, "name": name, "outlet": OUTLETS[rng.randrange(len(OUTLETS))], "date": day,
            "url": f"https://example.org/news/{ai}", "title": f"Synthetic report {ai}",
            "text": "\n".join(paragraphs),
            "source": f"data/articles/{name}" if demo else f"/synthetic/{name}",
            "ingested_at": now, "pipeline_version": "synthetic",
        })
        ai += 1
    return pd.DataFrame(articles), pd.DataFrame(quotes)


def build_store(path: Path, n_quotes: int, *, seed: int = 0, demo: bool = False) -> Path:
    """Create (or replace) a store at ``path`` holding ``n_quotes`` synthetic quotes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    articles, quotes = generate(n_quotes, seed=seed, demo=demo)
    con = duckdb.connect(str(path))
    try:
        migrate(con)
        con.register("articles_df", articles)
        con.register("quotes_df", quotes)
        cols_a = ", ".join(articles.columns)
        cols_q = ", ".join(quotes.columns)
        con.execute(f"INSERT INTO articles ({cols_a}) SELECT {cols_a} FROM articles_df")
        con.execute(f"INSERT INTO quotes ({cols_q}) SELECT {cols_q} FROM quotes_df")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line: build a synthetic store."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("bench/out/bench.duckdb"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--demo", action="store_true", help="mark sources as the bundled demo corpus")
    args = parser.parse_args(argv)
    build_store(args.out, args.quotes, seed=args.seed, demo=args.demo)
    print(f"wrote {args.quotes} quotes to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
