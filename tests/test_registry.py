"""Schema of the institution registry (analysis/resources/institutions.tsv) and the affiliation patterns."""

from __future__ import annotations

from collections import Counter

import pytest

from analysis.institutions import load_patterns, load_registry, norm
from analysis.lexicons import load_toml, load_tsv
from analysis.records import INSTITUTION_TYPES

ROWS = load_tsv("institutions.tsv")


def test_registry_is_broad() -> None:
    assert len(ROWS) >= 250
    by_type = Counter(row["type"] for row in ROWS)
    for type_ in ("think_tank", "university", "government", "international_org", "military", "media"):
        assert by_type[type_] >= 8 or type_ in {"international_org", "military"} and by_type[type_] >= 5, type_


def test_every_row_is_complete() -> None:
    for row in ROWS:
        assert row["canonical"], row
        assert row["type"] in INSTITUTION_TYPES, row
        assert row["country"] == "-" or (len(row["country"]) == 2 and row["country"].isupper()), row


def test_canonical_names_are_unique() -> None:
    counts = Counter(norm(row["canonical"]) for row in ROWS)
    assert [name for name, n in counts.items() if n > 1] == []


def test_no_alias_is_shared_between_entries() -> None:
    owner: dict[str, str] = {}
    clashes = []
    for row in ROWS:
        names = {norm(row["canonical"])} | {norm(a) for a in row["aliases"].split("|") if a.strip()}
        for name in names:
            if name in owner and owner[name] != row["canonical"]:
                clashes.append((name, owner[name], row["canonical"]))
            owner[name] = row["canonical"]
    assert clashes == []


def test_generic_forms_are_unique_per_country() -> None:
    owners: dict[tuple[str, str], set[str]] = {}
    for row in ROWS:
        for generic in row["generic"].split("|"):
            if generic.strip():
                owners.setdefault((row["country"], norm(generic)), set()).add(row["canonical"])
    assert [key for key, names in owners.items() if len(names) > 1] == []


def test_no_alias_is_a_bare_country_word() -> None:
    countries = set(load_patterns().country_words)
    aliases = set(load_registry().by_name)
    assert aliases & countries == set()


def test_type_rules_use_valid_types() -> None:
    rules = load_toml("affiliation.toml")["types"]["rules"]
    assert {rule[0] for rule in rules} <= set(INSTITUTION_TYPES)


@pytest.mark.parametrize(
    "name",
    ["Asan Institute for Policy Studies", "Korea Institute for National Unification", "Kookmin University",
     "Carnegie Endowment for International Peace", "Royal United Services Institute", "Kremlin", "NATO",
     "Valdai Discussion Club", "MGIMO University", "Lowy Institute", "NK News", "Yonhap News Agency"],
)
def test_field_institutions_are_registered(name: str) -> None:
    assert norm(name) in load_registry().by_name
