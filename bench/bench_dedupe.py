"""Issue 14 against its hand-made key (bench/dedupe_key.toml), and the cost of near-duplicate detection.

    python bench/bench_dedupe.py                  # stories, publishers, people on dev + extra-tune
    python bench/bench_dedupe.py --sweep          # ... plus the containment-threshold sweep
    python bench/bench_dedupe.py --throughput 10000   # dedupe cost on 10,000 bodies vs the pipeline's

Stories: the real files (no real copies among them, see the key) plus synthetic copies of every file built in
memory (never written anywhere): trimmed with a new headline, wrapped in site boilerplate, lightly and more heavily
reworded, sentences dropped. All go through a temporary store (``Store.write_results``, so the incremental LSH
index is what is measured) in a shuffled order; precision and recall are over pairs of articles in one story.
Hard negatives (two different files cut to 150 words and given the same wire furniture and background
paragraph) go through a second store: every merge there is a false one.
People: the pipeline's and the gold's speaker strings on dev + extra-tune, pairs of strings that today's
speaker_key keeps apart; a pair is merged when two of their mentions get one person id. Every labelled corpus's
gold speakers are also checked for merges (validation corpora in aggregate only).
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import sys
import tempfile
import time
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analysis import dedupe, outlets, people, stories  # noqa: E402
from analysis.goldset import corpora, corpus_articles, corpus_gold  # noqa: E402
from analysis.ingest import article_id  # noqa: E402
from analysis.pipeline import ArticleResult  # noqa: E402
from analysis.records import Article  # noqa: E402
from analysis.store import Store, speaker_key  # noqa: E402

KEY = REPO / "bench" / "dedupe_key.toml"
BANNER = "Subscribe to our newsletter for the latest headlines and follow us on social media for updates."
FOOTER = ("All rights reserved. This material may not be published, broadcast, rewritten or redistributed "
          "without permission. Read more of the latest world news and analysis from our international desk.")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


# ----------------------------------------------------------------------------------------- synthetic copies


def _trim(text: str, keep: float) -> str:
    words = text.split(" ")
    return " ".join(words[: max(1, int(len(words) * keep))])


def _reword(text: str, rng: random.Random, rate: float) -> str:
    """Replace about ``rate`` of the words with a different word (a stand-in for a machine paraphraser)."""
    return "\n".join(
        " ".join(f"{w[::-1]}x" if rng.random() < rate else w for w in line.split(" ")) for line in text.split("\n")
    )


def _drop_sentences(text: str, rng: random.Random, rate: float) -> str:
    return "\n".join(" ".join(s for s in _SENTENCE.split(line) if rng.random() >= rate) for line in text.split("\n"))


def copies_of(text: str, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, body) of the synthetic copies of one body."""
    return [
        ("trimmed 60% + new headline", "A new headline written for the republished copy\n" + _trim(text, 0.6)),
        ("trimmed 35%", _trim(text, 0.35)),
        ("boilerplate-wrapped", f"{BANNER}\n{text}\n{FOOTER}"),
        ("reworded 10%", _reword(text, rng, 0.10)),
        ("reworded 20%", _reword(text, rng, 0.20)),
        ("20% sentences dropped + reworded 10%", _reword(_drop_sentences(text, rng, 0.2), rng, 0.1)),
        ("trimmed 50% + reworded 15% + boilerplate", f"{BANNER}\n{_reword(_trim(text, 0.5), rng, 0.15)}\n{FOOTER}"),
    ]


def hard_negatives(bodies: Sequence[str]) -> list[tuple[str, str]]:
    """Pairs of different bodies cut to 150 words with the same furniture and a shared 45-word background."""
    pairs = []
    for j in range(0, len(bodies) - 2, 2):
        background = " ".join(bodies[j + 2].split(" ")[-45:])
        a, b = (" ".join(bodies[i].split(" ")[:150]) for i in (j, j + 1))
        pairs.append((f"{BANNER}\n{a}\n{background}\n{FOOTER}", f"{BANNER}\n{b}\n{background}\n{FOOTER}"))
    return pairs


# ----------------------------------------------------------------------------------------- measures


def pair_scores(truth: dict[str, str], predicted: dict[str, str]) -> tuple[float, float, int, int]:
    """Precision and recall of "same cluster" over item pairs; (precision, recall, true pairs, predicted pairs)."""
    items = sorted(truth)
    true_pairs = {(a, b) for a, b in itertools.combinations(items, 2) if truth[a] == truth[b]}
    pred_pairs = {(a, b) for a, b in itertools.combinations(items, 2) if predicted[a] == predicted[b]}
    hit = len(true_pairs & pred_pairs)
    precision = hit / len(pred_pairs) if pred_pairs else 1.0
    recall = hit / len(true_pairs) if true_pairs else 1.0
    return precision, recall, len(true_pairs), len(pred_pairs)


def _article(text: str, name: str) -> Article:
    url = f"https://bench.example/{name}"
    return Article(id=article_id(text, url), name=name, text=text, url=url)


def store_stories(items: Sequence[Article], path: Path, batch: int = 16) -> dict[str, str]:
    """Story id of each article after writing them in order through a store; by article name."""
    store = Store(path)
    for start in range(0, len(items), batch):
        store.write_results([ArticleResult(a, ()) for a in items[start : start + batch]])
    df = store.query_df("SELECT a.name, s.story_id FROM articles a JOIN article_stories s ON s.article_id = a.id")
    return dict(zip(df["name"], df["story_id"], strict=True))


def bench_stories(articles: Sequence[Article], seed: int) -> None:
    rng = random.Random(seed)
    truth: dict[str, str] = {}
    items: list[Article] = []
    kinds: dict[str, str] = {}
    for a in articles:
        truth[a.name] = a.name
        items.append(_article(a.text, a.name))
        for n, (kind, body) in enumerate(copies_of(a.text, rng)):
            name = f"{a.name}#copy{n}"
            truth[name], kinds[name] = a.name, kind
            items.append(_article(body, name))
    rng.shuffle(items)
    with tempfile.TemporaryDirectory() as tmp:
        predicted = store_stories(items, Path(tmp) / "s.duckdb")
        negatives = hard_negatives([a.text for a in articles])
        neg_items = [_article(body, f"neg{j}{side}") for j, pair in enumerate(negatives) for side, body in
                     zip("ab", pair, strict=True)]
        neg_pred = store_stories(neg_items, Path(tmp) / "n.duckdb")
    p, r, tp, pp = pair_scores(truth, predicted)
    print(f"stories: {len(articles)} real files + {len(items) - len(articles)} synthetic copies, shuffled, "
          f"through the store")
    print(f"  pair precision {p:.3f}  recall {r:.3f}  ({tp} true pairs, {pp} predicted)")
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for name, kind in kinds.items():
        by_kind[kind].append(predicted[name] == predicted[truth[name]])
    for kind, hits in by_kind.items():
        print(f"  copy joined its original: {sum(hits)}/{len(hits)}  {kind}")
    real = [a.name for a in articles]
    real_merges = sum(1 for x, y in itertools.combinations(real, 2) if predicted[x] == predicted[y])
    merged = sum(1 for j in range(len(negatives)) if neg_pred[f"neg{j}a"] == neg_pred[f"neg{j}b"])
    print(f"  real files merged with each other: {real_merges} pairs (key: none)")
    print(f"  hard negatives (two stories, one wire's furniture + shared background) merged: {merged}/{len(negatives)}")


def sweep(articles: Sequence[Article], seed: int) -> None:
    """Containment threshold vs pair precision/recall (pure: signatures compared directly, LSH applied)."""
    rng = random.Random(seed)
    sigs: list[tuple[str, dedupe.Signature]] = []
    for a in articles:
        sigs.append((a.name, dedupe.signature(a.text)))
        sigs += [(a.name, dedupe.signature(body)) for _, body in copies_of(a.text, rng)]
    negs = [(dedupe.signature(x), dedupe.signature(y)) for x, y in hard_negatives([a.text for a in articles])]
    keys = [set(dedupe.band_keys(s)) for _, s in sigs]
    saved = dedupe.MIN_CONTAINMENT
    print("sweep: containment threshold -> pair precision / recall, hard-negative merges")
    try:
        for threshold in (0.3, 0.35, 0.4, 0.45, 0.5, 0.6):
            dedupe.MIN_CONTAINMENT = threshold
            tp = fp = fn = 0
            for (i, (na, sa)), (j, (nb, sb)) in itertools.combinations(enumerate(sigs), 2):
                same = bool(keys[i] & keys[j]) and dedupe.same_story(sa, sb)
                truth = na == nb
                tp += same and truth
                fp += same and not truth
                fn += truth and not same
            neg = sum(dedupe.same_story(x, y) for x, y in negs)
            print(f"  {threshold:.2f}: precision {tp / max(1, tp + fp):.3f}  recall {tp / max(1, tp + fn):.3f}  "
                  f"hard negatives merged {neg}/{len(negs)}")
    finally:
        dedupe.MIN_CONTAINMENT = saved


# ----------------------------------------------------------------------------------------- publishers


def bench_publishers(articles: Sequence[Article], key: dict[str, list[str]]) -> None:
    scored = [a for a in articles if a.name in key]
    right = {"publisher": 0, "host": 0, "source": 0}
    truth: dict[str, str] = {}
    predicted: dict[str, str] = {}
    misses = []
    for a in scored:
        credit = outlets.split_outlet(a.outlet, a.url)
        want = dict(zip(("publisher", "host", "source"), key[a.name], strict=True))
        got = {"publisher": credit.publisher or "", "host": credit.host or "", "source": credit.source or ""}
        for field in right:
            ok = outlets.fold(want[field]) == outlets.fold(got[field])
            right[field] += ok
            if not ok:
                misses.append(f"{a.name[:40]} {field}: key {want[field]!r}, got {got[field]!r}")
        truth[a.name], predicted[a.name] = outlets.fold(want["publisher"]), outlets.fold(got["publisher"])
    n = len(scored)
    p, r, tp, pp = pair_scores(truth, predicted)
    print(f"publishers: {n} keyed files; accuracy publisher {right['publisher'] / n:.3f}  host "
          f"{right['host'] / n:.3f}  cited source {right['source'] / n:.3f}")
    print(f"  same-publisher pairs: precision {p:.3f}  recall {r:.3f}  ({tp} true pairs, {pp} predicted)")
    raw = {a.name: outlets.fold(a.outlet or "") for a in scored}
    rp, rr, _, _ = pair_scores(truth, raw)
    print(f"  (the outlet line as written, for comparison: precision {rp:.3f}  recall {rr:.3f})")
    for line in misses:
        print("  miss:", line)


# ----------------------------------------------------------------------------------------- people


def mentions_for(articles: Sequence[Article], gold: Iterable[dict[str, object]]) -> list[tuple[str, str, str]]:
    """(article, name string, person id) of every speaker the pipeline finds and every gold speaker."""
    from analysis.nlp import load_nlp
    from analysis.pipeline import analyze

    found: list[tuple[str, str, str]] = []
    texts = {a.name: a.text for a in articles}
    names: dict[str, list[str]] = defaultdict(list)
    for result in analyze(articles, load_nlp()):
        for q in result.quotes:
            names[result.article.name].append(q.speaker.name)
    for row in gold:
        names[str(row["article"])].append(str(row["speaker"]))
    for article, strings in names.items():
        for s in strings:
            found.append((article, s, people.identify(s, texts.get(article, ""), strings).id))
    return found


def bench_people(articles: Sequence[Article], gold: list[dict[str, object]], same: list[list[str]]) -> None:
    label = {s: f"group{i}" for i, group in enumerate(same) for s in group}
    found = mentions_for(articles, gold)
    ids_of: dict[str, set[str]] = defaultdict(set)
    for _, s, pid in found:
        ids_of[s].add(pid)
    strings = sorted(ids_of)
    pairs = [(a, b) for a, b in itertools.combinations(strings, 2) if speaker_key(a) != speaker_key(b)]
    true_pairs = {(a, b) for a, b in pairs if label.get(a, a) == label.get(b, b)}
    pred_pairs = {(a, b) for a, b in pairs if ids_of[a] & ids_of[b]}
    hit = true_pairs & pred_pairs
    print(f"people: {len(strings)} distinct speaker strings on dev + extra-tune ({len(found)} mentions)")
    print(f"  merges beyond speaker_key: precision {len(hit) / max(1, len(pred_pairs)):.3f}  recall "
          f"{len(hit) / max(1, len(true_pairs)):.3f}  ({len(true_pairs)} keyed pairs present, "
          f"{len(pred_pairs)} merged)")
    for a, b in sorted(pred_pairs - true_pairs):
        print(f"  WRONG merge: {a!r} + {b!r}")
    for a, b in sorted(true_pairs - pred_pairs):
        print(f"  missed: {a!r} + {b!r}")


def gold_merges() -> None:
    """Gold speakers of every labelled corpus: different people within one article must get different ids;
    cross-article merges listed for tune corpora, counted for validation ones."""
    print("gold speakers of every labelled corpus (merges beyond speaker_key):")
    for name, corpus in corpora().items():
        try:
            gold = corpus_gold(corpus)
        except (OSError, ValueError):
            continue
        per_article: dict[str, set[str]] = defaultdict(set)
        for row in gold:
            if row.get("speaker"):
                per_article[row["article"]].add(str(row["speaker"]))
        within = 0
        by_id: dict[str, set[str]] = defaultdict(set)
        for names in per_article.values():
            ids: dict[str, set[str]] = defaultdict(set)
            for n in names:
                pid = people.identify(n).id
                ids[pid].add(speaker_key(n))
                by_id[pid].add(n)
            within += sum(len(v) > 1 for v in ids.values())
        merged = {k: sorted(v) for k, v in by_id.items() if len({speaker_key(x) for x in v}) > 1}
        print(f"  {name} ({corpus.split}): {sum(len(v) for v in per_article.values())} article speakers, "
              f"within-article merges {within}, cross-article merges {len(merged)}")
        if corpus.split != "validation":
            for group in merged.values():
                print(f"     {' = '.join(group)}")


# ----------------------------------------------------------------------------------------- throughput


def synthetic_bodies(pool: Sequence[str], n: int, seed: int) -> list[str]:
    """``n`` distinct bodies of 12–30 sentences drawn from the corpus sentence pool (about one in ten a light
    copy of an earlier body), so the LSH index sees a realistic mix of one topic's stories and copies."""
    rng = random.Random(seed)
    sentences = [s for body in pool for s in _SENTENCE.split(body.replace("\n", " ")) if len(s.split()) >= 6]
    bodies: list[str] = []
    for _ in range(n):
        if bodies and rng.random() < 0.1:
            bodies.append(_trim(rng.choice(bodies), 0.7))
        else:
            bodies.append("\n".join(rng.sample(sentences, rng.randint(12, 30))))
    return bodies


def throughput(n: int, seed: int, pipeline_sample: int) -> None:
    """The dedupe step alone on ``n`` bodies (signature, LSH join against everything stored before, outlet split,
    rows written: ``stories.record`` in an in-memory migrated store, batches of 16 as the ingest writes them)
    against the pipeline's per-article cost on a sample of the same bodies. The denominator leaves out the store
    write itself, so the percentage is an upper bound of the slowdown."""
    import duckdb

    from analysis.store import migrate

    pool = [a.text for c in ("dev", "extra-tune", "skeptic", "polnear-train") for a in corpus_articles(corpora()[c])]
    bodies = synthetic_bodies(pool, n, seed)
    items = [_article(b, f"b{i:05d}") for i, b in enumerate(bodies)]
    started = time.perf_counter()
    for a in items:
        dedupe.band_keys(dedupe.signature(a.text))
    signature_s = time.perf_counter() - started

    con = duckdb.connect(":memory:")
    migrate(con)
    per_batch: list[float] = []
    for start in range(0, len(items), 16):
        batch = [stories.StoredArticle(a.id, a.text, a.outlet, a.url) for a in items[start : start + 16]]
        t0 = time.perf_counter()
        con.begin()
        stories.record(con, batch)
        con.commit()
        per_batch.append(time.perf_counter() - t0)
    copies = con.execute("SELECT count(*) FROM article_stories WHERE is_copy").fetchone()
    con.close()
    record_s = sum(per_batch)
    tenth = max(1, len(per_batch) // 10)
    first, last = sum(per_batch[:tenth]) / (16 * tenth), sum(per_batch[-tenth:]) / (16 * tenth)

    from analysis.nlp import load_nlp
    from analysis.pipeline import analyze

    sample = [replace(a, name=f"p{i}") for i, a in enumerate(items[:pipeline_sample])]
    nlp = load_nlp()
    list(analyze(sample[:4], nlp))  # warm up
    t0 = time.perf_counter()
    list(analyze(sample, nlp))
    pipeline_ms = 1000 * (time.perf_counter() - t0) / len(sample)
    record_ms = 1000 * record_s / n
    print(f"throughput on {n} bodies (batches of 16; {copies[0] if copies else 0} joined an earlier story):")
    print(f"  signature + band keys alone: {1000 * signature_s / n:.2f} ms/article")
    print(f"  dedupe step (stories.record: signature, LSH join, outlet split, rows): {record_ms:.2f} ms/article "
          f"(first tenth {1000 * first:.2f}, last tenth {1000 * last:.2f} ms/article)")
    print(f"  pipeline (spaCy parse + stages), {len(sample)}-article sample: {pipeline_ms:.1f} ms/article")
    print(f"  ingest slowdown from dedupe: {100 * record_ms / pipeline_ms:.1f}% (budget 10%; store write excluded "
          f"from the base, so this is an upper bound)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sweep", action="store_true", help="also sweep the containment threshold")
    parser.add_argument("--no-people", action="store_true", help="skip the people bench (it runs the pipeline)")
    parser.add_argument("--throughput", type=int, metavar="N", help="only time dedupe on N synthetic bodies")
    parser.add_argument("--pipeline-sample", type=int, default=60, help="articles timed through the pipeline")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    if args.throughput:
        throughput(args.throughput, args.seed, args.pipeline_sample)
        return 0
    key = tomllib.loads(KEY.read_text(encoding="utf-8"))
    articles = corpus_articles(corpora()["dev"]) + corpus_articles(corpora()["extra-tune"])
    articles = [a for a in articles if a.name in key["publishers"]]  # the dev folder's files (not the seeds)
    bench_stories(articles, args.seed)
    if args.sweep:
        sweep(articles, args.seed)
    bench_publishers(articles, key["publishers"])
    if not args.no_people:
        gold = corpus_gold(corpora()["dev"]) + corpus_gold(corpora()["extra-tune"])
        bench_people(articles, [g for g in gold if g["article"] in key["publishers"]], key["people"]["same"])
    gold_merges()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
