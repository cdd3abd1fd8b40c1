"""Quote + its parsed context -> Stance toward Russia–North Korea cooperation, with the evidence behind it.

An explainable scorer: cue phrases from ``resources/stance_cues.toml`` are matched on lemmas (spaCy ``Matcher``,
built once per vocab) inside the quote's segments; each cue's polarity is then modified from the dependency parse of
the article's own sentences (negation and negating predicates flip it; hedges, contrast, concession, conditionals,
questions, another actor as the clause subject or as the approver of the tie, "concerned about ..." presupposition,
a tie noun under a worry predicate, a cue that is part of a document's name and a motive in an infinitive of purpose
damp it). The weighted sum
gives the score and label. Sentiment (VADER) is computed beside it and never used as stance. The quote's context
(its paragraph and the neighbouring ones) decides ``on_target``; the article is never re-parsed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan
from spacy.util import filter_spans
from spacy.vocab import Vocab
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis.lexicons import load_toml
from analysis.nlp import doc_text
from analysis.records import Cue, Quote, Span, Stance

VERSION = "5"

CUES_FILE = "stance_cues.toml"
TARGETS_FILE = "stance_targets.toml"
_MAX_SCOPE_DEPTH = 6  # ancestors looked at for a negating / worry predicate; beyond it the parse is unreliable
_CONTEXT_PARAGRAPHS = 2  # paragraphs before and after the quote's own that count as its context


@dataclass(frozen=True, slots=True)
class CueSpec:
    """One lexicon entry."""

    phrase: str
    family: str
    polarity: int
    weight: float
    negated_weight: float  # weight when negated: a denied exchange is a stronger claim than a stated one
    topical: bool = False  # counts only when its clause is about the tie or its activity (trend verbs: "grow")
    attributive: bool = False  # before a noun, counts only when the noun names the tie's activity or goods


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The cue lexicon and modifier word lists, as loaded from the resources."""

    cues: tuple[CueSpec, ...]
    threshold: float
    scale: float
    caps: dict[str, float]  # family -> most its un-negated cues may add up to
    factors: dict[str, float]
    negators: frozenset[str]
    scope_negators: frozenset[str]
    hedges: frozenset[str]
    contrast: frozenset[str]
    concessive: frozenset[str]
    conditional: frozenset[str]
    worry: frozenset[str]
    danger: frozenset[str]
    documents: frozenset[str]
    approval: frozenset[str]
    document_families: frozenset[str]
    purpose_families: frozenset[str]
    targets: tuple[str, ...]
    other_actors: tuple[str, ...]
    other_actors_cased: tuple[str, ...]
    tie: tuple[str, ...]
    activity: tuple[str, ...]
    reporting_doubt: frozenset[str]
    reporting_alarm: frozenset[str] = frozenset()
    reporting_caution: frozenset[str] = frozenset()
    confidence: dict[str, Any] = field(default_factory=dict)


@cache
def lexicon() -> Lexicon:
    """The curated cue lexicon and target terms, parsed once per process."""
    data = load_toml(CUES_FILE)
    targets = load_toml(TARGETS_FILE)
    cues = []
    for family in data["family"]:
        for entry in family["phrases"]:
            phrase, _, weight = entry.partition(":")
            base = float(weight) if weight else float(family["weight"])
            negated = float(family.get("negated_weight", base))
            cues.append(CueSpec(phrase.strip(), family["name"], int(family["polarity"]), base, max(base, negated),
                                bool(family.get("topical", False)), bool(family.get("attributive", False))))
    mods = data["modifiers"]
    return Lexicon(
        cues=tuple(cues),
        threshold=float(data["scoring"]["threshold"]),
        caps={f["name"]: float(f["cap"]) for f in data["family"] if "cap" in f},
        scale=float(data["scoring"]["scale"]),
        factors={k: float(v) for k, v in data["factors"].items() if not isinstance(v, list)},
        document_families=frozenset(data["factors"]["document_name_families"]),
        purpose_families=frozenset(data["factors"]["purpose_families"]),
        negators=frozenset(mods["negators"]),
        scope_negators=frozenset(mods["scope_negators"]),
        hedges=frozenset(mods["hedges"]),
        contrast=frozenset(mods["contrast"]),
        concessive=frozenset(mods["concessive"]),
        conditional=frozenset(mods["conditional"]),
        worry=frozenset(mods["worry"]),
        danger=frozenset(mods["danger"]),
        documents=frozenset(mods["documents"]),
        approval=frozenset(mods["approval"]),
        targets=tuple(targets["target"]),
        other_actors=tuple(targets["other_actor"]),
        other_actors_cased=tuple(targets["other_actor_cased"]),
        tie=tuple(targets["tie"]),
        activity=tuple(targets["activity"]),
        reporting_doubt=frozenset(mods["reporting_doubt"]),
        reporting_alarm=frozenset(mods["reporting_alarm"]),
        reporting_caution=frozenset(mods["reporting_caution"]),
        confidence=dict(data["confidence"]),
    )


def _token_patterns(phrase: str) -> list[list[dict[str, Any]]]:
    """A lemma-based and a lowercase-word-based Matcher pattern for one phrase ("*" = one optional token,
    "word/POS" = the word with that coarse part of speech, e.g. "need/VERB" so the noun "needs" does not match)."""
    patterns: list[list[dict[str, Any]]] = []
    for attr in ("LEMMA", "LOWER"):
        pattern: list[dict[str, Any]] = []
        for w in phrase.split():
            word, _, pos = w.partition("/")
            if word == "*":
                pattern.append({"OP": "?"})
            else:
                pattern.append({attr: word, "POS": pos} if pos else {attr: word})
        patterns.append(pattern)
    return patterns


@dataclass(frozen=True)
class _Matchers:
    cues: Matcher
    targets: PhraseMatcher
    others: PhraseMatcher
    others_cased: PhraseMatcher
    tie: PhraseMatcher
    topic: PhraseMatcher  # the tie and its activity (no country names: "Russia's population grows" is not it)


@cache
def _matchers(vocab: Vocab) -> _Matchers:
    """Matchers built once per vocab (the pipeline keeps one vocab, so this runs once per process)."""
    lex = lexicon()
    cue_matcher = Matcher(vocab)
    for i, spec in enumerate(lex.cues):
        cue_matcher.add(f"cue{i}", _token_patterns(spec.phrase))

    def phrases(terms: Iterable[str], attr: str) -> PhraseMatcher:
        matcher = PhraseMatcher(vocab, attr=attr)
        tokenizer_doc = [Doc(vocab, words=t.replace("-", " - ").split()) for t in terms]
        matcher.add("T", tokenizer_doc)
        return matcher

    return _Matchers(
        cues=cue_matcher,
        targets=phrases(lex.targets, "LOWER"),
        others=phrases(lex.other_actors, "LOWER"),
        others_cased=phrases(lex.other_actors_cased, "ORTH"),
        tie=phrases(lex.tie, "LOWER"),
        topic=phrases(lex.activity, "LOWER"),
    )


@cache
def _vader() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def sentiment(text: str) -> float:
    """VADER compound score of the text (-1..1): reported beside stance, never used as stance."""
    return float(_vader().polarity_scores(text)["compound"])


# ------------------------------------------------------------------------------------------- quote geometry


def quote_spans(doc: Doc, quote: Quote) -> list[SpacySpan]:
    """The quote's segments as token spans of the parsed article (expanded to whole tokens)."""
    spans = []
    for seg in quote.segments:
        span = doc.char_span(seg.start, seg.end, alignment_mode="expand")
        if span is not None and len(span):
            spans.append(span)
    return spans


def _paragraph_bounds(text: str, start: int, end: int, extra: int) -> tuple[int, int]:
    """Char range of the paragraph(s) holding [start, end) plus ``extra`` non-empty paragraphs on each side."""
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    hi = len(text) if hi < 0 else hi
    for _ in range(extra):
        while lo > 0:
            lo = text.rfind("\n", 0, lo - 1) + 1
            if text[lo : text.find("\n", lo)].strip():
                break
        while hi < len(text):
            nxt = text.find("\n", hi + 1)
            prev, hi = hi, len(text) if nxt < 0 else nxt
            if text[prev:hi].strip():
                break
    return lo, hi


def is_on_target(doc: Doc, quote: Quote) -> bool:
    """Whether the quote, its sentences or its paragraph context mention Russia–North Korea relations at all.

    Conservative by design: predictions marked off-target are dropped downstream, so only a quote whose whole
    neighbourhood (its paragraph and two non-empty paragraphs each side) never touches the topic is off-target.
    """
    lo, hi = _paragraph_bounds(doc_text(doc), quote.start, quote.end, _CONTEXT_PARAGRAPHS)
    for sent in _sentences(doc, quote):
        lo, hi = min(lo, sent.start_char), max(hi, sent.end_char)
    context = doc.char_span(lo, hi, alignment_mode="expand")
    if context is None:
        return True
    m = _matchers(doc.vocab)
    return _terms_in(context, m.targets) or _terms_in(context, m.tie)


def _sentences(doc: Doc, quote: Quote) -> list[SpacySpan]:
    seen: dict[int, SpacySpan] = {}
    for span in quote_spans(doc, quote):
        for tok in span:
            sent = tok.sent
            seen.setdefault(sent.start, sent)
    return [seen[k] for k in sorted(seen)]


# ------------------------------------------------------------------------------------------- modifiers


_CLAUSE_BARRIERS = frozenset({"conj", "ROOT", "parataxis", "advcl", "relcl", "appos"})


def _ancestors(tok: Token, limit: int = _MAX_SCOPE_DEPTH, barriers: frozenset[str] = frozenset({"ROOT"})) -> Iterator[Token]:
    """Heads above ``tok``, stopping when leaving a token whose relation is a barrier (a conjunct, say, does
    not inherit its sibling's negation)."""
    current = tok
    for _ in range(limit):
        if current.dep_ in barriers or current.head is current:
            return
        current = current.head
        yield current


def _has_neg_child(tok: Token, lex: Lexicon, before: int | None = None, below: Token | None = None) -> bool:
    """A negating child of ``tok``; with ``before``, only one left of that token index (a "not" after a noun
    opens the contrasted apposition: in "a transaction, not an alliance" it negates the alliance); with ``below``
    (the child the cue hangs from), a ", not" after that child's phrase belongs to the next one ("is a regular
    service, not an occasional delivery")."""
    def apposed(c: Token) -> bool:
        return below is not None and c.i > below.right_edge.i and c.i > 0 and c.doc[c.i - 1].text == ","

    return any(
        (c.dep_ == "neg" or (c.lower_ in lex.negators and c.dep_ in ("det", "advmod", "neg", "preconj"))
         or _few(c) or (c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in _EMPTY_SUBJECTS))
        and (before is None or c.i < before) and not apposed(c)
        for c in tok.children
    )


# a subject that says nothing does it: "very little survives", "nothing has changed", "none lasted"
_EMPTY_SUBJECTS = frozenset({"nothing", "none", "nobody", "little", "few", "neither", "no one"})


def _few(tok: Token) -> bool:
    """"few signs of ..." negates what follows; "a few signs" does not."""
    return tok.lower_ == "few" and tok.dep_ in ("amod", "det") and not (tok.i and tok.doc[tok.i - 1].lower_ == "a")


def _scope_heads(tok: Token) -> Iterator[Token]:
    """Heads whose negation scopes over ``tok``: up through its clause and into the clauses that embed it
    (ccomp / xcomp), but not across a verb conjunct or an adverbial / relative clause. Conjoined nouns share
    their first conjunct's negation ("without planning, coordination or equipment")."""
    current = tok
    for _ in range(_MAX_SCOPE_DEPTH):
        if current.head is current or current.dep_ in ("ROOT", "parataxis", "advcl", "relcl", "appos"):
            return
        if current.dep_ == "conj" and current.pos_ in ("VERB", "AUX"):
            return
        current = current.head
        yield current


def _negations(cue: SpacySpan, lex: Lexicon) -> int:
    """How many negations scope over the cue: neg children on it or its heads, negating predicates above it
    ("doubt that ...") or beside its head ("it is unclear whether ...", "the possibility ... is low")."""
    if any(t.lower_ in lex.negators or t.lemma_ == "not" or t.lower_ == "few" for t in cue):
        return 0  # the phrase spells out its own negation ("not compatible", "probably not", "few signs")
    in_cue = {t.i for t in cue}
    own = _has_neg_child(cue.root, lex, before=cue.end if cue.root.pos_ in ("NOUN", "PROPN") else None)
    count = int(own or _preceded_by_negator(cue, lex))
    if cue.root.dep_ in ("xcomp", "advcl", "ccomp") and _too_to(cue.root.head):
        count += 1
    if _deflated_subject(cue):
        count += 1
    contrasted = False
    below = cue.root
    for anc in _scope_heads(cue.root):
        if anc.i in in_cue:
            below = anc
            continue
        # a "not" after a noun opens a contrasted apposition ("a regular service, not an occasional delivery")
        noun_before = anc.i if anc.pos_ in ("NOUN", "PROPN") else None
        if below.dep_ != "conj" and (_has_neg_child(anc, lex, before=noun_before, below=below)
                                  or anc.lower_ == "without"):
            count += 1
        if below.dep_ == "conj" and anc.lower_ == "without":
            count += 1
        if _is_scope_negator(anc, lex):
            count += 1
        count += sum(
            1 for c in anc.children
            if c is not below and c.dep_ in ("acomp", "attr", "advmod", "oprd") and _is_scope_negator(c, lex)
            and c.i < below.i
        )
        if _contrasted_away(anc):
            count += 1
            contrasted = True
        below = anc
    if below.dep_ == "advcl" and _is_scope_negator(below.head, lex):
        count += 1  # "unlikely that the alliance will progress" is often parsed as an adverbial clause
    if not contrasted and _after_rather_than(cue):
        count += 1
    return count


_DEFLATING = frozenset({"overblown", "exaggerated", "overstated", "overdone", "less", "little"})


def _after_rather_than(cue: SpacySpan) -> bool:
    """The cue follows "rather than" / "instead of" closely ("buys time rather than a breakthrough"), however the
    parse attaches it."""
    before = [t.lower_ for t in cue.doc[max(cue.sent.start, cue.start - 4) : cue.start]]
    pairs = set(zip(before, before[1:], strict=False))
    return ("rather", "than") in pairs or ("instead", "of") in pairs


def _deflated_subject(cue: SpacySpan) -> bool:
    """The cue is the subject of a deflating predicate ("the quality problems mattered less than thought", "the
    threat is overblown"): the claim is that it counts for little."""
    if cue.root.dep_ not in ("nsubj", "nsubjpass"):
        return False
    head = cue.root.head
    return head.lower_ in _DEFLATING or any(
        c.lower_ in _DEFLATING and c.dep_ in ("acomp", "advmod", "oprd", "dobj") and c.i > cue.root.i
        for c in head.children)


def _contrasted_away(tok: Token) -> bool:
    """``tok`` opens the rejected side of a comparison: "symbolism rather than actual cooperation", "more of a
    calculation than a genuine friendship", "instead of a real alliance"."""
    if tok.lower_ == "than":
        before = tok.doc[tok.i - 1].lower_ if tok.i else ""
        window = [t.lower_ for t in tok.doc[max(tok.sent.start, tok.i - 7) : tok.i]]
        more_of = any(a == "more" and b == "of" for a, b in zip(window, window[1:], strict=False))
        return before == "rather" or tok.head.lower_ in ("more", "rather") or more_of
    if tok.lower_ == "from" and tok.dep_ == "prep":
        # "moving from symbolic gestures to a working relationship": the "from" side is what is left behind
        return any(c.dep_ == "prep" and c.lower_ in ("to", "into") and c.i > tok.i for c in tok.head.children)
    return tok.lower_ == "of" and tok.i > 0 and tok.doc[tok.i - 1].lower_ == "instead"


def _too_to(tok: Token) -> bool:
    """"too good to walk away from": the clause under "too ADJ" is what will not happen."""
    return tok.pos_ in ("ADJ", "ADV") and any(c.lower_ == "too" and c.dep_ == "advmod" for c in tok.children)


def _preceded_by_negator(cue: SpacySpan, lex: Lexicon) -> bool:
    """A noun cue in apposition or conjunction right after "not" ("a transaction, not an alliance"): the parse
    hangs the "not" on the first conjunct, so the cue's own children do not show it."""
    if cue.root.dep_ not in ("appos", "conj") or cue.root.pos_ not in ("NOUN", "PROPN", "ADJ"):
        return False
    i = cue.start - 1
    while i >= 0 and cue.doc[i].pos_ in ("DET", "ADJ") and i > cue.start - 3:
        i -= 1
    return i >= 0 and cue.doc[i].lower_ in ("not", "no", "never")


def _is_scope_negator(tok: Token, lex: Lexicon) -> bool:
    return tok.lemma_.lower() in lex.scope_negators or tok.lower_ in lex.scope_negators


def _hedged(cue: SpacySpan, lex: Lexicon) -> bool:
    root = cue.root
    heads = [root, *list(_ancestors(root, 2, _CLAUSE_BARRIERS))]
    return any(c.lower_ in lex.hedges and c.dep_ in ("aux", "advmod") for h in heads for c in h.children) or any(
        h.lemma_ in lex.hedges for h in heads[1:]
    )


def _in_clause_marked(cue: SpacySpan, words: frozenset[str]) -> bool:
    """The cue sits in an adverbial clause or prepositional phrase introduced by one of ``words``."""
    for anc in (cue.root, *_ancestors(cue.root, _MAX_SCOPE_DEPTH)):
        if anc.lower_ in words and anc.dep_ in ("prep", "mark"):
            return True
        if anc.dep_ == "advcl" and any(c.lower_ in words and c.dep_ == "mark" for c in anc.children):
            return True
    return False


def _contrasted(cue: SpacySpan, quote_tokens: set[int], lex: Lexicon) -> bool:
    """A contrast marker follows the cue in its sentence, or opens a later sentence of the quote ("... Probably.
    But it is not going to be a game changer")."""
    for tok in cue.doc[cue.end :]:
        if tok.i not in quote_tokens or tok.lower_ not in lex.contrast:
            continue
        if tok.is_sent_start or (tok.sent == cue.sent and tok.dep_ in ("cc", "advmod", "mark")):
            return True
    return False


def _terms_in(span: SpacySpan | Doc, matcher: PhraseMatcher) -> bool:
    return bool(matcher(span))


def _clause_subject(tok: Token) -> SpacySpan | None:
    """The subject of the clause the token belongs to (nsubj / nsubjpass / expletive-free)."""
    for head in (tok, *_ancestors(tok, _MAX_SCOPE_DEPTH)):
        if head.pos_ in ("VERB", "AUX") or head.dep_ == "ROOT":
            for child in head.children:
                if child.dep_ in ("nsubj", "nsubjpass"):
                    doc = tok.doc
                    return doc[child.left_edge.i : child.right_edge.i + 1]
            if head.dep_ not in ("xcomp", "aux", "acomp"):
                return None
    return None


def _about_other_actor(cue: SpacySpan, m: _Matchers, polarity: int) -> bool:
    """The cue's clause subject, or its "to/for" beneficiary, is another actor and not the tie itself.

    A limiting cue whose clause names the tie ("Beijing may not approve of this alliance") stays: a third party
    constraining the cooperation is a judgement of its prospects, while a third party's praise or worry is not.
    """
    def other(span: SpacySpan) -> bool:
        return (_terms_in(span, m.others) or _terms_in(span, m.others_cased)) and not _terms_in(span, m.tie)

    owners = [c for c in cue.root.children if (c.dep_ in ("compound", "poss", "nmod") and c.i < cue.start)
              or (c.dep_ == "prep" and c.lower_ in ("between", "of", "by") and c.i >= cue.end)]
    if any(other(cue.doc[c.left_edge.i : c.right_edge.i + 1]) for c in owners):
        return True  # "the U.S. alliances", "Seoul's partnership": the cue names another actor's tie
    if polarity < 0 and any(c.dep_ == "dobj" and other(doc_span(c)) for c in cue.root.children):
        return True  # "complicates the American strategy": the cost falls on another actor
    acts = [c for c in cue.root.children if c.dep_ == "xcomp" and c.pos_ == "VERB"]
    if polarity > 0 and any(o.dep_ == "dobj" and other(cue.doc[o.i : o.i + 1]) for act in acts for o in act.children):
        return True  # "ready to impose sanctions": the act promised is another actor's (or against the tie)
    if _under_other_approval(cue, lexicon(), other):
        return True  # "Beijing supports Moscow's drive to deepen ties": a third party's policy, not the tie's strength
    subject = _clause_subject(cue.root)
    if subject is not None and other(subject) and not _overlaps(subject, cue):
        if polarity < 0 and _terms_in(cue.sent, m.tie) and not _terms_in(subject, m.tie):
            clause = cue.doc[subject.root.head.left_edge.i : subject.root.head.right_edge.i + 1]
            return not _terms_in(clause, m.tie)
        return True
    doc = cue.doc
    for child in cue.root.children:
        if child.dep_ == "prep" and child.lower_ in ("to", "for"):
            obj = doc[child.left_edge.i : child.right_edge.i + 1]
            if other(obj):
                return True
    return False


def _under_other_approval(cue: SpacySpan, lex: Lexicon, other: Callable[[SpacySpan], bool]) -> bool:
    """The cue sits (within a few heads) under a verb of approval or condemnation whose subject is another actor; an
    infinitive attached as an adverbial clause is still that verb's object ("supports the initiative to boost ties")."""
    current = cue.root
    for _ in range(4):
        infinitive = current.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in current.children)
        if current.head is current or (current.dep_ in ("ROOT", "advcl", "relcl", "parataxis") and not infinitive):
            return False
        anc = current = current.head
        if anc.pos_ == "VERB" and anc.lemma_.lower() in lex.approval:
            subjects = [c for c in anc.children if c.dep_ in ("nsubj", "nsubjpass")]
            return any(other(doc_span(c)) for c in subjects)
    return False


def doc_span(tok: Token) -> SpacySpan:
    """The token's subtree as a span."""
    return tok.doc[tok.left_edge.i : tok.right_edge.i + 1]


def _overlaps(a: SpacySpan, b: SpacySpan) -> bool:
    return a.start < b.end and b.start < a.end


def _presupposed(cue: SpacySpan, lex: Lexicon) -> bool:
    """The cue describes the object of someone's worry ("concerned about the deepening ties") rather than a claim."""
    if cue.root.pos_ == "VERB" and cue.root.dep_ in ("ROOT", "ccomp", "conj"):
        return False
    for anc in _ancestors(cue.root, 4):
        if anc.lemma_.lower() in lex.worry or anc.lower_ in lex.worry:
            return True
        if anc.pos_ in ("VERB", "AUX") and anc.dep_ in ("ROOT", "ccomp", "conj"):
            break
    return False


def _danger_framed(cue: SpacySpan, lex: Lexicon) -> bool:
    """A growth word qualified as dangerous or illegal ("a dangerous expansion"): normative framing, not a
    judgement of the cooperation's strength (stance 0 by the guideline)."""
    return any(c.dep_ in ("amod", "advmod", "conj") and c.lemma_.lower() in lex.danger for c in cue.root.children)


# ------------------------------------------------------------------------------------------- scoring


@dataclass(frozen=True, slots=True)
class _Scored:
    cue: Cue
    value: float
    family: str


def _limited_topic(cue: SpacySpan, negative_tokens: set[int], lex: Lexicon) -> bool:
    """A positive noun that is the subject of a clause whose predicate carries a limiting cue ("the partnership
    remains limited") or a worry / danger word ("the alliance is a cause for concern", "the pact is alarming"):
    the noun names the topic, the predicate makes the call (a limit) or none (a worry, stance 0)."""
    root = cue.root
    if root.pos_ not in ("NOUN", "PROPN") or root.dep_ not in ("nsubj", "nsubjpass"):
        return False
    predicate = [t for t in root.head.subtree if t.i not in range(cue.start, cue.end) and t.i > root.i]
    return any(t.i in negative_tokens for t in root.head.subtree if t.i not in range(cue.start, cue.end)) or any(
        t.lemma_.lower() in lex.worry or t.lower_ in lex.danger or t.lemma_.lower() in lex.danger for t in predicate)


_GOAL_VERBS = frozenset({"want", "seek", "look", "aim", "hope", "try", "wish", "strive", "attempt"})


def _in_purpose(cue: SpacySpan) -> bool:
    """The cue sits in an infinitive of purpose or of a goal ("... to gain access", "seeks to bolster"): what a
    side is after is its motive, not a judgement that the tie delivers it."""
    tok = cue.root
    for _ in range(3):
        if any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children) and (
                tok.dep_ == "advcl" or (tok.dep_ == "xcomp" and tok.head.lemma_.lower() in _GOAL_VERBS)):
            return True
        if tok.head is tok or tok.dep_ in ("ROOT", "relcl", "ccomp", "parataxis"):
            return False
        tok = tok.head
    return False


def _names_document(cue: SpacySpan, lex: Lexicon) -> bool:
    """The cue is part of a document's name ("the comprehensive strategic partnership treaty", "the mutual
    assistance clause"): naming what was signed states no judgement of the tie's strength (a signing is a
    procedural fact, stance 0); a predicate about the document still can ("the treaty deepens ...")."""
    tok = cue.root
    for _ in range(3):
        if tok.dep_ not in ("compound", "amod", "nmod") or tok.head is tok:
            return False
        tok = tok.head
        if tok.lemma_.lower() in lex.documents:
            return True
    return False


def _score_cue(
    cue: SpacySpan, spec: CueSpec, quote_tokens: set[int], negative_tokens: set[int], lex: Lexicon, m: _Matchers
) -> _Scored:
    factor = 1.0
    mods: list[str] = []
    weight = spec.weight
    if _negations(cue, lex) % 2:
        weight = spec.negated_weight
        factor *= lex.factors["negated"]
        mods.append("negated")
    if _hedged(cue, lex):
        factor *= lex.factors["hedged"]
        mods.append("hedged")
    if _contrasted(cue, quote_tokens, lex):
        factor *= lex.factors["contrast"]
        mods.append("contrast")
    if _in_clause_marked(cue, lex.concessive):
        factor *= lex.factors["concession"]
        mods.append("concession")
    if _in_clause_marked(cue, lex.conditional):
        factor *= lex.factors["conditional"]
        mods.append("conditional")
    if cue.sent.text.rstrip().rstrip("”\"'’").endswith("?"):
        factor *= lex.factors["question"]
        mods.append("question")
    if _about_other_actor(cue, m, spec.polarity):
        factor *= lex.factors["other_actor"]
        mods.append("other actor")
    if spec.polarity > 0 and _limited_topic(cue, negative_tokens, lex):
        # "the partnership remains limited": a noun naming the tie as the subject is the topic, not the claim
        factor *= lex.factors["topic"]
        mods.append("topic")
    if spec.polarity > 0 and spec.family in lex.document_families and _names_document(cue, lex):
        factor *= lex.factors["document_name"]
        mods.append("document name")
    if spec.polarity > 0 and spec.family in lex.purpose_families and _in_purpose(cue):
        # "wants to support Russia to gain access to technology": a side's motive, not a call on the tie
        factor *= lex.factors["purpose"]
        mods.append("purpose")
    if spec.polarity > 0 and _danger_framed(cue, lex):
        factor *= lex.factors["danger"]
        mods.append("danger framing")
    if spec.polarity > 0 and _presupposed(cue, lex):
        factor *= lex.factors["presupposed"]
        mods.append("presupposed")
    value = spec.polarity * weight * factor
    doc = cue.doc
    start = doc[cue.start].idx
    end = doc[cue.end - 1].idx + len(doc[cue.end - 1])
    evidence = Cue(
        phrase=cue.text,
        polarity=1 if value > 0 else -1,
        weight=round(abs(value), 3),
        modifier="+".join(mods) or None,
        span=Span(start, end),
    )
    return _Scored(evidence, value, spec.family)


def _topical(cue: SpacySpan, m: _Matchers) -> bool:
    """The cue's clause names the tie or its activity ("the deliveries have grown", "trade will double"), or its
    subject is a pronoun that most likely refers back to it ("it is spreading")."""
    head = cue.root
    for _ in range(3):
        if head.pos_ in ("VERB", "AUX") or head.head is head:
            break
        head = head.head
    if any(c.dep_ in ("nsubj", "nsubjpass") and c.pos_ == "PRON" for c in head.children):
        return True
    clause = cue.doc[head.left_edge.i : head.right_edge.i + 1]
    if _terms_in(clause, m.topic):
        return True
    # a conjoined verb shares its first conjunct's subject ("the relationship rested on the war and could fade")
    if head.dep_ == "conj" and not any(c.dep_ in ("nsubj", "nsubjpass") for c in head.children):
        subjects = [c for c in head.head.children if c.dep_ in ("nsubj", "nsubjpass")]
        return any(_terms_in(cue.doc[c.left_edge.i : c.right_edge.i + 1], m.topic) or c.pos_ == "PRON"
                   for c in subjects)
    return False


def _names_goods(cue: SpacySpan, m: _Matchers) -> bool:
    """An attributive cue ("poor quality photos") is about the noun it precedes: it counts only when that noun
    is the tie's activity or what is exchanged; used any other way (predicate, "of poor quality") it counts."""
    nxt = cue.doc[cue.end] if cue.end < len(cue.doc) else None
    if nxt is None or nxt.pos_ not in ("NOUN", "PROPN") or cue.root.dep_ not in ("amod", "compound", "nmod"):
        return True
    return _terms_in(cue.doc[nxt.i : nxt.i + 1], m.topic) or _terms_in(cue.doc[nxt.i : nxt.i + 1], m.targets)


def _reporting_doubt(doc: Doc, quote: Quote, lex: Lexicon) -> _Scored | None:
    """The verb that reports an indirect quote doubts or dismisses it ("doubted that it would earn much"): the
    guideline records only the doubted clause, so the judgement sits in the reporting verb outside the quote."""
    spans = quote_spans(doc, quote)
    inside = {t.i for s in spans for t in s}
    for span in spans:
        for tok in span:
            head = tok.head
            if head.i in inside or head is tok:
                continue
            verb = head
            if verb.lemma_.lower() not in lex.reporting_doubt and (
                verb.dep_ in ("xcomp", "acomp") or verb.pos_ == "NOUN"  # "dismissed the idea that ..."
            ):
                verb = verb.head
            if verb.lemma_.lower() in lex.reporting_doubt or verb.lower_ in lex.reporting_doubt:
                weight = lex.factors["reporting_doubt"]
                cue = Cue(phrase=verb.text, polarity=-1, weight=weight, modifier="reporting verb",
                          span=Span(verb.idx, verb.idx + len(verb)))
                return _Scored(cue, -weight, "doubt")
    return None


def find_cues(doc: Doc, quote: Quote) -> list[_Scored]:
    """Every lexicon cue inside the quote's segments, longest match first, with its modified value."""
    lex = lexicon()
    m = _matchers(doc.vocab)
    spans = quote_spans(doc, quote)
    quote_tokens = {t.i for s in spans for t in s}
    found: list[SpacySpan] = []
    for span in spans:
        for match_id, start, end in m.cues(span):
            found.append(SpacySpan(doc, span.start + start, span.start + end, label=match_id))
    cues = [(c, lex.cues[int(doc.vocab.strings[c.label][3:])]) for c in sorted(filter_spans(found), key=lambda s: s.start)]
    cues = [(c, spec) for c, spec in cues if spec.polarity and (not spec.topical or _topical(c, m))
            and (not spec.attributive or _names_goods(c, m))]
    negative_tokens = {t.i for c, spec in cues if spec.polarity < 0 for t in c}
    scored = [s for s in (_score_cue(c, spec, quote_tokens, negative_tokens, lex, m) for c, spec in cues) if s.value]
    if quote.kind == "indirect":
        reported = _reporting_doubt(doc, quote, lex)
        if reported is not None:
            scored.append(reported)
    return scored


def _total(scored: list[_Scored], lex: Lexicon) -> float:
    """Sum of cue values, each capped family contributing at most its cap in its own direction."""
    by_family: dict[str, float] = {}
    total = 0.0
    for s in scored:
        if s.family in lex.caps and "negated" not in (s.cue.modifier or ""):
            by_family[s.family] = by_family.get(s.family, 0.0) + s.value
        else:
            total += s.value
    for family, value in by_family.items():
        cap = lex.caps[family]
        total += max(-cap, min(cap, value))
    return total


def rule_label(total: float) -> int:
    lex = lexicon()
    return 1 if total >= lex.threshold else -1 if total <= -lex.threshold else 0


def score_stance(doc: Doc, quote: Quote) -> Stance:
    """Stance of the quote toward Russia–North Korea cooperation, with the cues that drove it."""
    lex = lexicon()
    feeling = sentiment(quote.text)
    on_target = is_on_target(doc, quote)
    if not on_target:
        return Stance(label=0, score=0.0, confidence=0.6, evidence=(), on_target=False, sentiment=feeling)
    scored = find_cues(doc, quote)
    total = _total(scored, lex)
    label = rule_label(total)
    return Stance(
        label=label,
        score=round(math.tanh(total / lex.scale), 4),
        confidence=confidence(total, label, bool(scored)),
        evidence=tuple(s.cue for s in scored),
        on_target=True,
        sentiment=feeling,
    )


def confidence(total: float, label: int, has_cues: bool) -> float:
    """The observed accuracy of verdicts like this one (``[confidence]`` in the cue file, measured on the tune
    corpora): a 0 with no cue at all, a 0 with cues that cancel or sit well under the line, a 0 just under it, and
    a ±1 by how far the total clears the threshold (linear between the measured points)."""
    table = lexicon().confidence
    size = abs(total)
    if not label:
        if not has_cues:
            return table["zero_no_cue"]
        return table["zero_faint"] if size < table["faint_below"] else table["zero_under"]
    points = table["polar"]
    if size <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if size <= x1:
            return round(y0 + (y1 - y0) * (size - x0) / (x1 - x0), 4)
    return points[-1][1]
