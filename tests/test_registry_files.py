"""Schema and hygiene of every institution registry file: institutions.tsv and resources/institutions/*.tsv.

test_registry.py checks institutions.tsv alone; these tests check all files together, because a clash between two
files (the same alias for two bodies, a canonical name written twice) is silent at load time: the first file wins.
"""

from __future__ import annotations

import time
from collections import Counter
from functools import cache

import pytest
from spacy.lang.en.stop_words import STOP_WORDS

from analysis.institutions import REGISTRY_FILE, REGISTRY_FOLDER, load_patterns, load_registry, norm, resolve
from analysis.lexicons import load_tsv, resource_files, resource_text
from analysis.records import INSTITUTION_TYPES

FOLDER_FILES = resource_files(REGISTRY_FOLDER, ".tsv")
ALL_FILES = (REGISTRY_FILE, *FOLDER_FILES)
HEADER = ["canonical", "type", "country", "aliases", "generic", "source"]

# ISO 3166-1 alpha-2 (officially assigned codes); '-' marks an international body.
_ISO_CODES = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC
CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD
GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH
KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW
MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC
SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY
UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
ISO_3166_ALPHA2 = frozenset(_ISO_CODES.split())

# Aliases shorter than three letters are kept only where the field uses them for one body alone.
SHORT_ALIAS_ALLOWLIST = frozenset({"rt", "ap", "ft", "dw", "ui", "un", "eu", "g7", "g 7"})
# Acronyms that spell an English stop word; lookups are case-insensitive, so each one is a known risk kept on purpose.
STOP_WORD_ACRONYM_ALLOWLIST = frozenset({"who"})


def _names(row: dict[str, str]) -> list[str]:
    return [row["canonical"], *(a.strip() for a in row["aliases"].split("|") if a.strip())]


@cache
def _rows() -> tuple[tuple[str, dict[str, str]], ...]:
    return tuple((file, row) for file in ALL_FILES for row in load_tsv(file))


def test_the_registry_spans_several_files_and_kinds() -> None:
    assert len(FOLDER_FILES) >= 8
    rows = _rows()
    assert len(rows) >= 2000
    by_type = Counter(row["type"] for _, row in rows)
    for type_ in INSTITUTION_TYPES:
        assert by_type[type_] >= 50, (type_, by_type[type_])


@pytest.mark.parametrize("file", FOLDER_FILES)
def test_folder_file_has_a_description_and_the_header(file: str) -> None:
    lines = [ln for ln in resource_text(file).splitlines() if ln.strip()]
    assert lines[0].startswith("#"), "a registry file starts with a comment saying what it covers and its sources"
    header = next(ln for ln in lines if not ln.startswith("#"))
    assert header.split("\t") == HEADER
    for line in lines:
        if not line.startswith("#"):
            assert len(line.split("\t")) == len(HEADER), line


@pytest.mark.parametrize("file", ALL_FILES)
def test_rows_have_a_valid_type_country_and_source(file: str) -> None:
    for row in load_tsv(file):
        assert row["canonical"], row
        assert row["type"] in INSTITUTION_TYPES, row
        assert row["country"] == "-" or row["country"] in ISO_3166_ALPHA2, row
        if file != REGISTRY_FILE:
            assert row["source"], row


def test_canonical_names_are_unique_across_files() -> None:
    counts = Counter(norm(row["canonical"]) for _, row in _rows())
    assert sorted(name for name, n in counts.items() if n > 1) == []


def test_no_name_maps_to_two_bodies() -> None:
    owner: dict[str, str] = {}
    clashes = []
    for file, row in _rows():
        for name in {norm(n) for n in _names(row)}:
            if name in owner and owner[name] != row["canonical"]:
                clashes.append((file, name, owner[name], row["canonical"]))
            owner.setdefault(name, row["canonical"])
    assert clashes == []


def test_generic_forms_are_unique_per_country_across_files() -> None:
    # one body may list both spellings of a form ("defence ministry", "defense ministry"), which share a key
    owners: dict[tuple[str, str], set[str]] = {}
    for _, row in _rows():
        for generic in row["generic"].split("|"):
            if generic.strip():
                owners.setdefault((row["country"], norm(generic)), set()).add(row["canonical"])
    assert [key for key, names in owners.items() if len(names) > 1] == []


def test_no_alias_is_too_short_a_word_or_a_country() -> None:
    countries = set(load_patterns().country_words)
    bad = []
    for file, row in _rows():
        for name in _names(row):
            key = norm(name)
            if len(key.replace(" ", "")) < 3 and key not in SHORT_ALIAS_ALLOWLIST:
                bad.append((file, name, "short"))
            if key in STOP_WORDS and key not in STOP_WORD_ACRONYM_ALLOWLIST:
                bad.append((file, name, "English stop word"))
            if key in countries:
                bad.append((file, name, "country word"))
    assert bad == []


def test_the_whole_registry_loads_fast() -> None:
    """CPU time, not wall time: the registry is indexed once per process, and shared machines are busy."""
    load_tsv.cache_clear()
    start = time.process_time()
    registry = load_registry.__wrapped__()
    elapsed = time.process_time() - start
    assert len(registry.entries) == len(_rows())
    assert elapsed < 3.0, elapsed


def test_unknown_names_resolve_fast() -> None:
    """Every unknown name is scanned against all registry names; a bigger registry must not stall a batch."""
    load_registry()
    names = [f"Institute of Applied Stuff Number {i}" for i in range(100)]
    start = time.process_time()
    for name in names:
        resolve(name)
    assert (time.process_time() - start) / len(names) < 0.02


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Peterson Institute for International Economics", "Peterson Institute for International Economics"),
        ("the Russian navy", "Russian Navy"),
        ("South Korea's navy", "Republic of Korea Navy"),
        ("Japan's coast guard", "Japan Coast Guard"),
        ("China's coast guard", "China Coast Guard"),
        ("U.S. Coast Guard", "U.S. Coast Guard"),
        ("Senate Foreign Relations Committee", "Senate Foreign Relations Committee"),
        ("FBI", "Federal Bureau of Investigation"),
        ("Polish Defence Ministry", "Polish Ministry of National Defence"),
        ("Australia's Department of Defence", "Australian Department of Defence"),
        ("Hanwha Ocean", "Hanwha Ocean"),
        ("Davis Center for Russian and Eurasian Studies", "Harvard University"),
        ("Kennan Institute", "Wilson Center"),
    ],
)
def test_new_bodies_resolve_to_their_canonical_form(written: str, canonical: str) -> None:
    resolved = resolve(written)
    assert resolved is not None and resolved.known
    assert resolved.name == canonical


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        # a variant spelling of a registered name must not be captured by a shorter registry name inside it
        ("Asan Institute of Policy Studies", "Asan Institute for Policy Studies"),
        ("Samsung Heavy Industries", "Samsung Heavy Industries"),
        ("Lithuania's State Security Department", "Lithuanian State Security Department"),
        ("North Korea's Ministry of State Security", "DPRK Ministry of State Security"),
    ],
)
def test_short_registry_names_do_not_capture_longer_ones(written: str, canonical: str) -> None:
    resolved = resolve(written)
    assert resolved is not None and resolved.name == canonical


def test_every_registry_country_has_country_words() -> None:
    """A generic form ("foreign ministry") names a body only with a country word; a country of the registry
    without one would leave its generic forms unreachable."""
    words_for = set(load_patterns().country_words.values())
    countries = {entry.country for entry in load_registry().entries} - {"-"}
    assert sorted(countries - words_for) == []
    assert set(words_for) <= ISO_3166_ALPHA2
