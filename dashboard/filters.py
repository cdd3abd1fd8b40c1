"""The dashboard's filter state: a frozen, hashable object, its URL form, and its SQL form.

No Streamlit here: the same ``Filters`` drive the app (cache key, query string) and ``stance charts``.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date

from analysis.records import INSTITUTION_TYPES

KINDS: tuple[str, ...] = ("direct", "indirect")
STANCES: tuple[int, ...] = (-1, 0, 1)
# The one-click preset: analysts most often ask "what do the think tanks say?".
THINK_TANK_TYPES: tuple[str, ...] = ("think_tank",)
# Groups with fewer quotes are left out of rankings by default: 3 keeps most institutions on a real corpus while
# dropping one- and two-quote groups (charts still tag groups under ``charts.SMALL_GROUP`` as "few").
DEFAULT_MIN_QUOTES = 3
# Quotes whose stored model confidence is below this are "low confidence": the stance helper measured observed
# accuracy of about 0.6 below 0.6 and 0.66-0.87 above it. The sidebar can hide them; by default every quote is shown.
LOW_CONFIDENCE = 0.6
DESCRIBE_NAMES = 6  # a summary names up to this many picked values, then "+ k more"
TYPE_LABELS = {"think_tank": "Think tank", "university": "University", "government": "Government",
               "international_org": "International org.", "military": "Military", "media": "Media",
               "other": "Other", "unknown": "Unknown"}

# URL query-string keys; short so a shared link stays readable.
_KEYS = {
    "institution_types": "type",
    "institutions": "inst",
    "outlets": "outlet",
    "speakers": "speaker",
    "date_from": "from",
    "date_to": "to",
    "stances": "stance",
    "kinds": "kind",
    "on_target_only": "on_target",
    "min_quotes": "min",
    "search": "q",
    "hide_low_confidence": "lowconf",
    "every_copy": "copies",
}


@dataclass(frozen=True, slots=True)
class Filters:
    """Every sidebar filter; empty tuples mean "all". Hashable, so it keys ``st.cache_data``."""

    institution_types: tuple[str, ...] = ()
    institutions: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    stances: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()
    on_target_only: bool = True
    min_quotes: int = DEFAULT_MIN_QUOTES
    search: str = ""
    hide_low_confidence: bool = False
    # Off: a republished copy's repeat of a quote is left out, so each story's quote counts once (issue 14).
    every_copy: bool = False

    def think_tanks(self) -> Filters:
        """The think-tank preset: only think-tank speakers, other filters kept (picked institutions are kept by
        the app when they are think tanks; see ``keep_of_types``)."""
        return replace(self, institution_types=THINK_TANK_TYPES, institutions=())

    @property
    def dated_only(self) -> bool:
        """A date range excludes articles with unknown dates (they cannot be placed in it)."""
        return self.date_from is not None or self.date_to is not None


def describe(f: Filters) -> str:
    """A one-line summary of the active filters, for chart subtitles and exports."""
    parts = []
    if f.institution_types:
        parts.append("types: " + ", ".join(TYPE_LABELS.get(t, t) for t in f.institution_types))
    if f.institutions:
        parts.append("institutions: " + _names(f.institutions))
    if f.outlets:
        parts.append("outlets: " + _names(f.outlets))
    if f.speakers:
        parts.append("speakers: " + _names(f.speakers))
    if f.date_from or f.date_to:
        parts.append(f"{f.date_from or '…'} to {f.date_to or '…'}")
    if f.stances:
        parts.append("stance " + "/".join(f"{s:+d}" if s else "0" for s in f.stances))
    if f.kinds:
        parts.append("/".join(f.kinds))
    if f.search:
        parts.append(f"search “{f.search}”")
    if f.hide_low_confidence:
        parts.append(f"confidence ≥ {LOW_CONFIDENCE:.0%}")
    parts.append("on-target only" if f.on_target_only else "all quotes")
    parts.append("every republished copy" if f.every_copy else "each story once")
    return "; ".join(parts)


def _names(values: Sequence[str]) -> str:
    shown = ", ".join(values[:DESCRIBE_NAMES])
    return shown + (f" + {len(values) - DESCRIBE_NAMES} more" if len(values) > DESCRIBE_NAMES else "")


def keep_of_types(institutions: Sequence[str], types_of: Mapping[str, str], types: Sequence[str]) -> tuple[
        tuple[str, ...], tuple[str, ...]]:
    """Split picked institutions into (kept: of one of ``types``, dropped: of another type)."""
    if not types:
        return tuple(institutions), ()
    kept = tuple(i for i in institutions if types_of.get(i) in types)
    return kept, tuple(i for i in institutions if i not in kept)


def clamp_dates(f: Filters, lo: date | None, hi: date | None) -> tuple[Filters, list[str]]:
    """Dates moved into the store's [lo, hi] (a stale or crafted link), with one sentence per change."""
    notes: list[str] = []
    if lo is None or hi is None:
        if f.date_from or f.date_to:
            notes.append("The store has no dated articles, so the link's date range is ignored.")
        return replace(f, date_from=None, date_to=None), notes

    def clamp(name: str, value: date | None) -> date | None:
        if value is None or lo <= value <= hi:
            return value
        moved = lo if value < lo else hi
        notes.append(f"The “{name}” date {value.isoformat()} is outside the stored articles' dates "
                     f"({lo.isoformat()} to {hi.isoformat()}); using {moved.isoformat()}.")
        return moved

    start, end = clamp("from", f.date_from), clamp("to", f.date_to)
    if start and end and start > end:
        notes.append(f"The “from” date {start.isoformat()} is after the “to” date {end.isoformat()}; swapped.")
        start, end = end, start
    return replace(f, date_from=start, date_to=end), notes


def where_sql(f: Filters) -> tuple[str, list[object]]:
    """A WHERE clause over ``queries.source`` (``quotes_effective`` columns plus the issue-14 story, publisher
    and person columns; ``outlet`` is the publisher there) and its parameters (values are always bound)."""
    clauses: list[str] = []
    params: list[object] = []

    def any_of(column: str, values: Sequence[object]) -> None:
        if values:
            clauses.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)

    any_of("institution_type", f.institution_types)
    any_of("institution", f.institutions)
    any_of("outlet", f.outlets)
    any_of("speaker", f.speakers)
    any_of("effective_stance", f.stances)
    any_of("kind", f.kinds)
    if f.date_from is not None:
        clauses.append("date >= ?")
        params.append(f.date_from)
    if f.date_to is not None:
        clauses.append("date <= ?")
        params.append(f.date_to)
    if f.on_target_only:
        clauses.append("on_target")
    if f.hide_low_confidence:
        clauses.append("confidence >= ?")
        params.append(LOW_CONFIDENCE)
    if f.search.strip():
        # ILIKE with bound pattern; escape the LIKE wildcards so a search for "50%" means that text.
        pattern = "%" + f.search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append(
            "(quote ILIKE ? ESCAPE '\\' OR speaker ILIKE ? ESCAPE '\\' "
            "OR coalesce(institution, '') ILIKE ? ESCAPE '\\' OR coalesce(title, '') ILIKE ? ESCAPE '\\')"
        )
        params.extend([pattern] * 4)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _parse_int(value: str | None, default: int) -> int:
    try:
        return max(1, int(value)) if value else default
    except ValueError:
        return default


def to_query(f: Filters) -> dict[str, str | list[str]]:
    """The URL query-string form: only non-default values, lists as repeated keys."""
    default = Filters()
    out: dict[str, str | list[str]] = {}
    for field in fields(Filters):
        value = getattr(f, field.name)
        if value == getattr(default, field.name):
            continue
        key = _KEYS[field.name]
        if isinstance(value, tuple):
            out[key] = [str(v) for v in value]
        elif isinstance(value, bool):
            out[key] = "1" if value else "0"
        elif isinstance(value, date):
            out[key] = value.isoformat()
        else:
            out[key] = str(value)
    return out


def from_query(params: Mapping[str, Sequence[str]]) -> Filters:
    """Parse the query string (each key -> all its values); unknown or malformed values are ignored."""

    def many(name: str) -> tuple[str, ...]:
        return tuple(v for v in params.get(_KEYS[name], ()) if v)

    def one(name: str) -> str | None:
        values = params.get(_KEYS[name], ())
        return values[-1] if values else None

    stances = tuple(int(v) for v in many("stances") if v.lstrip("-").isdigit() and int(v) in STANCES)
    on_target = one("on_target_only")
    return Filters(
        institution_types=tuple(v for v in many("institution_types") if v in INSTITUTION_TYPES),
        institutions=many("institutions"),
        outlets=many("outlets"),
        speakers=many("speakers"),
        date_from=_parse_date(one("date_from")),
        date_to=_parse_date(one("date_to")),
        stances=stances,
        kinds=tuple(v for v in many("kinds") if v in KINDS),
        on_target_only=on_target != "0" if on_target is not None else True,
        min_quotes=_parse_int(one("min_quotes"), DEFAULT_MIN_QUOTES),
        search=one("search") or "",
        hide_low_confidence=one("hide_low_confidence") == "1",
        every_copy=one("every_copy") == "1",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The filter options of ``stance charts`` (same meaning as the sidebar)."""
    parser.add_argument("--institution-type", action="append", default=[], choices=INSTITUTION_TYPES)
    parser.add_argument("--think-tanks", action="store_true", help="preset: think-tank speakers only")
    parser.add_argument("--institution", action="append", default=[])
    parser.add_argument("--outlet", action="append", default=[])
    parser.add_argument("--speaker", action="append", default=[])
    parser.add_argument("--from", dest="date_from", type=date.fromisoformat, default=None)
    parser.add_argument("--to", dest="date_to", type=date.fromisoformat, default=None)
    parser.add_argument("--stance", action="append", type=int, default=[], choices=STANCES)
    parser.add_argument("--kind", action="append", default=[], choices=KINDS)
    parser.add_argument("--all-targets", action="store_true", help="include quotes not about the cooperation")
    parser.add_argument("--min-quotes", type=int, default=DEFAULT_MIN_QUOTES)
    parser.add_argument("--search", default="")
    parser.add_argument("--hide-low-confidence", action="store_true",
                        help=f"leave out quotes whose stance confidence is below {LOW_CONFIDENCE}")
    parser.add_argument("--every-copy", action="store_true",
                        help="count every republished copy of a story's quote (default: each story once)")


def from_arguments(ns: argparse.Namespace) -> Filters:
    """Filters from the parsed ``stance charts`` options."""
    f = Filters(
        institution_types=tuple(ns.institution_type),
        institutions=tuple(ns.institution),
        outlets=tuple(ns.outlet),
        speakers=tuple(ns.speaker),
        date_from=ns.date_from,
        date_to=ns.date_to,
        stances=tuple(ns.stance),
        kinds=tuple(ns.kind),
        on_target_only=not ns.all_targets,
        min_quotes=max(1, ns.min_quotes),
        search=ns.search,
        hide_low_confidence=bool(getattr(ns, "hide_low_confidence", False)),
        every_copy=bool(getattr(ns, "every_copy", False)),
    )
    return f.think_tanks() if ns.think_tanks else f
