"""Stance scorer on sentences written for these tests: each cue family, negation, hedging, contrast,
sentiment vs stance, other actors and the off-target check."""

from __future__ import annotations

import pytest
from spacy.language import Language

from analysis import stance
from analysis.records import Quote, Span, Stance


def score(nlp: Language, text: str, quoted: str | None = None) -> Stance:
    """Score ``quoted`` (default: the whole text) as a direct quote inside ``text``."""
    doc = nlp(text)
    part = quoted or text
    start = text.index(part)
    quote = Quote(segments=(Span(start, start + len(part)),), kind="direct", text=part)
    return stance.score_stance(doc, quote)


def modifiers(verdict: Stance) -> set[str]:
    return {m for c in verdict.evidence if c.modifier for m in c.modifier.split("+")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # growth
        ("Moscow and Pyongyang keep deepening their military ties.", 1),
        ("The two governments will step up cooperation on energy and transport.", 1),
        # alliance / strength
        ("North Korea is now a true military ally of Russia.", 1),
        ("Their relationship with Moscow has become a steadfast alliance.", 1),
        # benefit / matched needs
        ("It is a win-win arrangement for Moscow and Pyongyang.", 1),
        ("Moscow and Pyongyang have needs that are matched almost perfectly.", 1),
        ("The shells could be a game changer on the front.", 1),
        # urgent need (desperation framing is +1 by the guideline)
        ("The Kremlin is in urgent need of artillery rounds from Pyongyang.", 1),
        ("Moscow is desperately looking for ammunition wherever it can find it.", 1),
        # commitment / plans
        ("Moscow and Pyongyang are considering joint naval drills next year.", 1),
        ("Pyongyang pledged to send more workers to the Russian Far East.", 1),
        # limited
        ("The partnership is largely transactional and limited to a few deals.", -1),
        ("Their ties with Moscow are a marriage of convenience.", -1),
        # doubt
        ("Russia is unlikely to share its most sensitive missile designs.", -1),
        ("I am skeptical that the shipments to Russia will arrive at scale.", -1),
        # cost / backfire
        ("Courting Pyongyang could backfire on the Kremlin.", -1),
        ("For Moscow, North Korea remains a toxic partner.", -1),
        # descriptive / procedural -> 0
        ("The delegation arrived in Vladivostok on Tuesday morning.", 0),
        ("The talks will cover trade, transport and culture.", 0),
        # plain exchange facts stay 0 however many there are; the same words negated are a claim of limits
        ("North Korea sent shells, supplied rockets and delivered ammunition to Russia, which provided fuel.", 0),
        ("Korean builders would be a real asset for Russia's reconstruction effort.", 1),
    ],
)
def test_cue_families(nlp: Language, text: str, expected: int) -> None:
    verdict = score(nlp, text)
    assert verdict.label == expected, verdict.evidence
    if expected:
        assert verdict.evidence, "a non-zero stance must show the cues behind it"
        assert any(c.polarity == expected for c in verdict.evidence)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The new weapons are not a game changer for Moscow.", -1),
        ("North Korea is not a real ally of Russia.", -1),
        ("Pyongyang is no real ally of Moscow.", -1),
        ("Russia has never transferred advanced technology to Pyongyang.", -1),
        ("Russia does not transfer missile technology even to its partners.", -1),
        ("I doubt that the deliveries to Moscow would be decisive.", -1),
        ("It is doubtful that the shells will make a big difference.", -1),
        ("It is unclear whether Moscow would be willing to provide such technology.", -1),
        ("The possibility of a technology transfer is low.", -1),
        ("The troops were sent without proper planning, coordination or equipment.", -1),
    ],
)
def test_negation_flips_cues(nlp: Language, text: str, expected: int) -> None:
    verdict = score(nlp, text)
    assert verdict.label == expected, verdict.evidence
    assert verdict.score * expected > 0


def test_negated_cue_is_marked_in_evidence(nlp: Language) -> None:
    verdict = score(nlp, "These munitions are not going to be a game changer.")
    flipped = [c for c in verdict.evidence if c.modifier and "negated" in c.modifier]
    assert flipped and flipped[0].polarity == -1 and "game changer" in flipped[0].phrase.lower()
    assert flipped[0].span is not None


@pytest.mark.parametrize(
    ("plain", "hedged"),
    [
        ("Pyongyang will deepen its ties with Moscow.", "Pyongyang may deepen its ties with Moscow."),
        ("The alliance is failing.", "The alliance could perhaps be failing."),
    ],
)
def test_hedges_damp_but_keep_direction(nlp: Language, plain: str, hedged: str) -> None:
    strong, weak = score(nlp, plain), score(nlp, hedged)
    assert strong.score * weak.score > 0
    assert abs(weak.score) < abs(strong.score)
    assert "hedged" in modifiers(weak)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "X, but Y": Y decides
        ("North Korea may bolster Russia's stocks, but that is not likely to make a huge difference.", -1),
        ("Both sides have much to gain, but the tie is largely transactional.", -1),
        ("The economies are hardly compatible, but Moscow and Pyongyang are clearly deepening military ties.", 1),
        ("Can the shells help Russia? Probably. But they are not going to be a game changer.", -1),
        # concession: the "despite" clause counts for little
        ("Despite closer ties, China's leverage makes it unlikely that the alliance will progress much.", -1),
    ],
)
def test_contrast_and_concession(nlp: Language, text: str, expected: int) -> None:
    verdict = score(nlp, text)
    assert verdict.label == expected, verdict.evidence
    assert modifiers(verdict) & {"contrast", "concession"}


@pytest.mark.parametrize(
    ("text", "expected_stance", "sentiment_sign"),
    [
        # negative sentiment, stance 0: danger framing without a judgement of strength
        ("This is a dangerous and alarming expansion of an illegal arms trade.", 0, -1),
        # negative sentiment, stance +1: urgent need
        ("Russia is in urgent need of shells, with its arsenal depleted and exhausted after two years of war.", 1, -1),
        # positive sentiment, stance -1
        ("The summit was a great and friendly show, but the partnership with Moscow remains limited.", -1, 1),
    ],
)
def test_sentiment_is_not_stance(nlp: Language, text: str, expected_stance: int, sentiment_sign: int) -> None:
    verdict = score(nlp, text)
    assert verdict.label == expected_stance, verdict.evidence
    assert verdict.sentiment * sentiment_sign > 0
    assert verdict.sentiment == pytest.approx(stance.sentiment(text))


@pytest.mark.parametrize(
    "text",
    [
        "Beijing is deeply concerned about the deepening military cooperation between Moscow and Pyongyang.",
        "Washington is ready to impose fresh sanctions if the two sign any deal.",
        "Seoul will strengthen its alliance with the United States in response.",
        "We urge North Korea to cease its arms negotiations with Russia.",
    ],
)
def test_other_actors_and_worry_are_zero(nlp: Language, text: str) -> None:
    verdict = score(nlp, text)
    assert verdict.label == 0, verdict.evidence
    assert verdict.on_target


def test_third_party_veto_still_limits(nlp: Language) -> None:
    verdict = score(nlp, "Moscow may seek closer relations with Pyongyang, but Beijing may not approve of this alliance.")
    assert verdict.label == -1, verdict.evidence


@pytest.mark.parametrize(
    ("text", "quoted", "expected"),
    [
        # unrelated quote in an unrelated neighbourhood -> off target, stance 0
        ("The central bank kept rates unchanged.\n\nInflation is falling faster than we expected, the governor said.\n\n"
         "Markets rose slightly.", "Inflation is falling faster than we expected", False),
        # unrelated wording but the paragraph is about the topic -> on target
        ("Putin and Kim met in Vladivostok on Wednesday.\n\n\"We have time,\" the president said.",
         "We have time", True),
        # topic only two paragraphs away still counts (conservative)
        ("North Korea sent shells to Russia.\n\nThe weather was mild.\n\n\"It was a long day,\" he said.",
         "It was a long day", True),
    ],
)
def test_on_target(nlp: Language, text: str, quoted: str, expected: bool) -> None:
    verdict = score(nlp, text, quoted)
    assert verdict.on_target is expected
    if not expected:
        assert verdict.label == 0 and verdict.score == 0.0


def test_split_quote_uses_only_its_segments(nlp: Language) -> None:
    text = "\"Their needs are matched,\" he said of Moscow, adding that the weather was \"not good at all.\""
    doc = nlp(text)
    first, second = "Their needs are matched", "not good at all"
    a, b = text.index(first), text.index(second)
    quote = Quote(segments=(Span(a, a + len(first)), Span(b, b + len(second))), kind="direct",
                  text=f"{first} … {second}")
    verdict = stance.score_stance(doc, quote)
    assert verdict.label == 1
    assert all(c.span and (a <= c.span.start < a + len(first) or b <= c.span.start) for c in verdict.evidence)


def test_output_ranges_and_matchers_cached(nlp: Language) -> None:
    verdict = score(nlp, "Russia and North Korea are deepening a win-win alliance.")
    assert -1.0 <= verdict.score <= 1.0 and 0.0 <= verdict.confidence <= 1.0
    assert verdict.label == 1 and verdict.confidence > 0.5
    assert stance._matchers(nlp.vocab) is stance._matchers(nlp.vocab)


def test_lexicon_entries_are_well_formed() -> None:
    lex = stance.lexicon()
    assert len(lex.cues) > 200
    assert {c.polarity for c in lex.cues} == {-1, 0, 1}
    words = [w.partition("/") for c in lex.cues for w in c.phrase.split()]
    # a polar cue counts when stated, or (a stated worry, weight 0) only when denied
    assert all(0 < c.weight <= 2 or (c.weight == 0 and c.negated_weight > 0) for c in lex.cues if c.polarity)
    assert all(c.weight == 0 for c in lex.cues if not c.polarity)  # idioms only block a span
    assert all(word == word.lower() and pos in ("", "VERB", "NOUN", "ADJ", "ADV", "PRON") for word, _, pos in words)
    families = {c.family for c in lex.cues}
    assert {"growth", "alliance", "benefit", "need", "commitment", "limited", "doubt", "cost"} <= families


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # trend verbs count when the clause names the tie or its activity
        ("Rail freight between Russia and North Korea has doubled and keeps rising month by month.", 1),
        ("Exports from Pyongyang to Moscow are growing steadily.", 1),
        # ... and not when they describe something else
        ("Russia's population in the Far East keeps shrinking while Moscow's budget for roads is growing.", 0),
        # durability
        ("The arms pipeline between Moscow and Pyongyang is here to stay and shows no sign of slowing.", 1),
        ("These ties with Russia will outlast the war in Ukraine.", 1),
        # depth / new level
        ("The Moscow visit marked a turning point: relations with Pyongyang reached their highest level.", 1),
        # small / symbolic / old
        ("Trade with Pyongyang is a rounding error for Moscow, and the pact looks good only on paper.", -1),
        ("North Korea's stockpile is finite and ageing, and much of it is unreliable.", -1),
        ("Big Russian lenders will stay away from any deal with Pyongyang.", -1),
        ("Pyongyang still has not received the fighter jets it asked Moscow for.", -1),
        ("North Korea can not pay for Russian grain in cash.", -1),
        ("A transaction, not an alliance, is what binds Moscow and Pyongyang.", -1),
        # risk / cost
        ("The arrangement with Moscow carries real risks for Pyongyang.", -1),
    ],
)
def test_trajectory_and_limit_families(nlp: Language, text: str, expected: int) -> None:
    verdict = score(nlp, text)
    assert verdict.label == expected, verdict.evidence
    if expected:
        assert any(c.polarity == expected for c in verdict.evidence)


@pytest.mark.parametrize(
    ("text", "quoted", "expected"),
    [
        # the doubting verb sits outside the reported clause, yet it carries the judgement
        ("Kim Su-ah doubted that the new rail link with Russia would earn Pyongyang much.",
         "the new rail link with Russia would earn Pyongyang much", -1),
        ("Ivan Petrov dismissed the idea that Moscow would send fighter jets to Pyongyang.",
         "Moscow would send fighter jets to Pyongyang", -1),
        # an ordinary reporting verb adds nothing
        ("Kim Su-ah said that the new rail link with Russia would open next month.",
         "the new rail link with Russia would open next month", 0),
    ],
)
def test_doubting_reporting_verb(nlp: Language, text: str, quoted: str, expected: int) -> None:
    doc = nlp(text)
    start = text.index(quoted)
    quote = Quote(segments=(Span(start, start + len(quoted)),), kind="indirect", text=quoted)
    verdict = stance.score_stance(doc, quote)
    assert verdict.label == expected, verdict.evidence
    if expected:
        assert any(c.modifier == "reporting verb" for c in verdict.evidence)


@pytest.mark.parametrize(
    "text",
    [
        # generic verbs of making and giving are not evidence either way
        "Moscow is not sending its envoy to the ceremony in Pyongyang this year.",
        "The Russian embassy in Pyongyang was built in the 1950s and gives onto a wide avenue.",
    ],
)
def test_generic_verbs_are_not_cues(nlp: Language, text: str) -> None:
    verdict = score(nlp, text)
    assert verdict.label == 0 and not verdict.evidence, verdict.evidence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # quality of what is exchanged (VERSION 4): poor quality -> -1, a real gain -> +1
        ("These rockets from Pyongyang are of low quality and many are inaccurate.", -1),
        ("Frankly, the troops Pyongyang sent are expendable, little more than cannon fodder.", -1),
        ("For Moscow's gunners the new rounds are a real upgrade over what they had.", 1),
        # capacity words count when denied
        ("Moscow can't give Pyongyang much, and it knows that.", -1),
        ("Pyongyang does not offer much in return for the oil.", -1),
        # the rejected side of a comparison
        ("The visit was about symbolism rather than actual cooperation.", -1),
        ("The deal with Moscow is simply too good for Pyongyang to walk away from.", 1),
        ("Their bond is more of a cold calculation than a genuine friendship between Moscow and Pyongyang.", -1),
        ("The two armies are moving from symbolic gestures to real joint training with Moscow.", 1),
        ("The shells buy Moscow time rather than a breakthrough against Kyiv.", -1),
        ("The quality problems of Pyongyang's shells mattered less than Western analysts thought.", 1),
        ("Rail traffic from Pyongyang to Moscow is a regular service now, not an occasional delivery.", 1),
        ("Pyongyang played Moscow and Beijing against each other throughout the Cold War.", 0),
        # a worry stated is no call; a worry denied dismisses the tie
        ("The arms Pyongyang sends to Moscow should not cause any concern in Kyiv.", -1),
        # "another matter": promising versus handing over
        ("Signing papers is easy; delivering the jets to Pyongyang is another matter.", -1),
        # complementarity and forecasts of deliveries
        ("Moscow and Pyongyang need each other more than ever.", 1),
        ("I expect Pyongyang will send more workers to Russian building sites.", 1),
    ],
)
def test_assessment_shapes(nlp: Language, text: str, expected: int) -> None:
    verdict = score(nlp, text)
    assert verdict.label == expected, verdict.evidence


def test_idioms_block_their_cue_words(nlp: Language) -> None:
    """A set phrase holding a cue word makes no call and leaves no evidence ("a permanent member of ...")."""
    verdict = score(nlp, "Russia is a permanent member of the Security Council and Pyongyang knows it.")
    assert verdict.label == 0 and not verdict.evidence


def test_attributive_quality_cue_needs_exchanged_goods(nlp: Language) -> None:
    assert score(nlp, "Moscow sent Pyongyang's army some poor quality photos of the launch.").label == 0
    assert score(nlp, "Pyongyang sent Moscow poor quality shells.").label == -1


def test_another_actors_alliance_is_not_the_tie(nlp: Language) -> None:
    """A cue naming another actor's tie ("the U.S. alliances") counts for little."""
    verdict = score(nlp, "Moscow wants to weaken the U.S. alliances in Asia, analysts in Pyongyang say.")
    assert verdict.label == 0, verdict.evidence
    assert "other actor" in modifiers(verdict)


def test_confidence_follows_the_margin() -> None:
    """Confidence is the measured accuracy of the verdict's region: higher the further a ±1 clears the line, and a 0
    just under the line is less sure than a 0 with no cue at all."""
    lex = stance.lexicon()
    near, far = stance.confidence(lex.threshold + 0.01, 1, True), stance.confidence(3.0, -1, True)
    assert 0.5 < near < far <= 1.0
    assert stance.confidence(0.4, 0, True) < stance.confidence(0.0, 0, False)
    assert stance.confidence(0.05, 0, True) < 0.6  # cancelling cues: "low" confidence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # VERSION 5: a cue that names a document states what was signed, not how strong the tie is
        ("Moscow and Pyongyang signed the comprehensive strategic partnership treaty on Wednesday.", 0),
        ("The mutual assistance clause was drafted in Moscow.", 0),
        ("Russia and North Korea have built a strategic partnership that keeps deepening.", 1),
        # ... while an evaluation of the document is a judgement
        ("It is a historic treaty for Russia and North Korea.", 1),
        # a tie noun whose predicate is a worry: normative, no call on strength
        ("The alliance between Russia and North Korea is a major cause for concern.", 0),
        ("The alliance between Russia and North Korea is a real alliance.", 1),
        # a stated worry counts nothing; a denied one is a sceptical call
        ("There is no cause for concern about the Russia and North Korea deal.", -1),
        # another actor's approval of the tie is its own policy, not the tie's strength
        ("The Japanese government strongly condemned Moscow's plan to deepen ties with Pyongyang.", 0),
        ("Moscow has decided to deepen ties with Pyongyang.", 1),
    ],
)
def test_procedural_and_normative_shapes(nlp: Language, text: str, expected: int) -> None:
    assert score(nlp, text).label == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # VERSION 5: what a side is after (an infinitive of purpose or goal) is its motive, not a call on the tie
        ("Pyongyang wants to help Moscow to gain access to better engines.", 0),
        ("Pyongyang will gain access to better engines.", 1),
        # an infinitive under another actor's approval is still that actor's policy
        ("The Chinese authorities support Moscow's initiative to boost ties with Pyongyang, a spokesman said.", 0),
        ("Moscow has launched an initiative to boost ties with Pyongyang.", 1),
        # a pledge whose act is another actor's measure ("ready to impose sanctions") says nothing of the tie
        ("The officials said they were ready to impose fresh sanctions on Pyongyang.", 0),
        ("The officials said they were ready to send more troops to Pyongyang.", 1),
    ],
)
def test_motive_and_policy_shapes(nlp: Language, text: str, expected: int) -> None:
    assert score(nlp, text).label == expected
