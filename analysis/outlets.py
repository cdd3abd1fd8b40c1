"""Who published an article and where it was read: the outlet line split into publisher, host and cited source.

An outlet line often says more than one outlet: "The Korea Times (via PressReader)" (publisher The Korea Times,
host PressReader), "Euromaidan Press, citing Reuters" (publisher Euromaidan Press, cited source Reuters),
"Kayhan International (relaying Reuters)" or "Bravo Bulletin (unattributed copy, apparently of a New York Times
report)" (the story is the wire's or the paper's: publisher Reuters / The New York Times, host the relaying site).
The cue phrases are read here; outlet names are canonicalised with the curated registry
``resources/outlet_registry.tsv`` (name, aliases, domains, country, ownership, kind), unknown names are kept as
written. Pure: no I/O beyond reading the packaged registry once.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from dataclasses import dataclass
from functools import cache

from analysis.lexicons import load_tsv

STATE_OWNERSHIP = frozenset({"state", "public"})
# A named outlet hosts a copy of the main outlet's story.
_HOST_CUE = re.compile(r"\b(?:via|republished by|reposted by|reprinted by|carried by|syndicated by|hosted (?:on|by))\s+"
                       r"(?P<rest>.+)", re.IGNORECASE)
# The main outlet carries the named outlet's story (a relay, a republication, a copy).
_ORIGIN_CUE = re.compile(r"\b(?:relaying|republishing|reprinting|quoting|copied from|reprinted from|"
                         r"copy\b.*?\bof|translation\b.*?\bof)\s+(?P<rest>.+)", re.IGNORECASE)
# The main outlet wrote its own story from the named outlet's reporting.
_SOURCE_CUE = re.compile(r"\b(?:citing|according to|based on|with reporting from)\s+(?P<rest>.+)", re.IGNORECASE)
# "AP report", "Reuters analysis": the named (registered) outlet's story.
_STORY_NOUN = re.compile(r"^(?:an?\s+|the\s+)?(?P<rest>.+?)\s+(?:report|reporting|analysis|story|article|dispatch|"
                         r"copy|feature)\b", re.IGNORECASE)
_TAIL_CUE = re.compile(r",?\s+\b(?P<cue>citing|according to|via|republished by|relaying)\s+(?P<rest>[^,]+)$",
                       re.IGNORECASE)
_PAREN = re.compile(r"\(([^()]*)\)")
_LEADING_ARTICLE = re.compile(r"^(?:an?|the)\s+(?=[a-z0-9])|^(?:an?)\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Outlet:
    """One registry entry."""

    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]
    country: str | None
    ownership: str  # state | public | private | unknown
    kind: str

    @property
    def state_owned(self) -> bool:
        """Owned or funded by a state: government-run ("state") or a public-service broadcaster/agency ("public")."""
        return self.ownership in STATE_OWNERSHIP


@dataclass(frozen=True, slots=True)
class OutletCredit:
    """What the outlet line (and the URL) say about an article's provenance."""

    publisher: str | None  # whose story it is (canonical when registered)
    host: str | None  # the site it was read from (the publisher itself for an original)
    source: str | None = None  # an outlet the story cites or relays reporting from
    country: str | None = None  # the publisher's country (registry), ISO 3166 alpha-2
    ownership: str | None = None  # the publisher's ownership (registry): state | public | private | unknown

    @property
    def state_owned(self) -> bool | None:
        if self.ownership is None or self.ownership == "unknown":
            return None
        return self.ownership in STATE_OWNERSHIP


def fold(name: str) -> str:
    """A lookup key for an outlet name: accents, case, punctuation and a leading "The" folded away."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("&", " and ")
    text = re.sub(r"^\s*the\s+", "", text)
    return re.sub(r"[^a-z0-9]", "", text)


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split("|") if v.strip())


@cache
def registry() -> tuple[Outlet, ...]:
    """The curated outlet registry, loaded once per process."""
    return tuple(
        Outlet(
            name=row["name"], aliases=_split(row.get("aliases", "")), domains=_split(row.get("domains", "")),
            country=row.get("country") or None, ownership=row.get("ownership") or "unknown",
            kind=row.get("kind") or "unknown",
        )
        for row in load_tsv("outlet_registry.tsv")
    )


@cache
def _by_key() -> dict[str, Outlet]:
    table: dict[str, Outlet] = {}
    for outlet in registry():
        for alias in (outlet.name, *outlet.aliases):
            table.setdefault(fold(alias), outlet)
    return table


@cache
def _by_domain() -> dict[str, Outlet]:
    return {d.lower(): o for o in registry() for d in o.domains}


@cache
def _mention_pattern() -> re.Pattern[str]:
    """Every registered name and alias as a whole word, longest first, case-sensitive (outlet names are
    capitalised, and short aliases like "AP" or "Time" must not match ordinary words)."""
    names = sorted({a for o in registry() for a in (o.name, *o.aliases)}, key=len, reverse=True)
    return re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w])")


def lookup(name: str | None) -> Outlet | None:
    """The registry entry for an outlet name or alias (or a bare domain), else None."""
    if not name or not name.strip():
        return None
    hit = _by_key().get(fold(name))
    domain = name.strip().lower()
    if hit is None and re.fullmatch(r"[\w.-]+\.[a-z]{2,}", domain):
        hit = lookup_domain("http://" + domain)
        if hit is not None and hit.kind == "host" and domain not in hit.domains:
            return None  # "someone.blogspot.com" is a site of its own on the platform, not the platform
    return hit


def lookup_domain(url: str | None) -> Outlet | None:
    """The registry entry for a URL's host or any parent domain, else None."""
    if not url:
        return None
    host = (urllib.parse.urlsplit(url).hostname or "").lower().rstrip(".")
    labels = host.split(".")
    table = _by_domain()
    for i in range(len(labels) - 1):
        hit = table.get(".".join(labels[i:]))
        if hit:
            return hit
    return None


def canonical(name: str | None) -> str | None:
    """The registry's canonical name for an outlet, else the name cleaned as written."""
    if not name:
        return None
    hit = lookup(name)
    if hit:
        return hit.name
    clean = re.sub(r"\s+", " ", name).strip(" \t,;:.\"'“”‘’")
    return clean or None


def _named(rest: str) -> str | None:
    """The outlet named in the text after a cue: the first registered name mentioned, else the words up to a
    story noun ("a Foo Bar report") or a clause break, as written."""
    mentions = list(_mention_pattern().finditer(rest))
    if mentions:
        return mentions[0].group(0)
    m = _STORY_NOUN.match(rest.strip())
    text = m.group("rest") if m else rest
    text = re.split(r"[,;]| on | by | from | in ", text)[0]
    text = _LEADING_ARTICLE.sub("", text.strip())
    return text.strip() or None


def _second_mention(rest: str, first: str) -> str | None:
    names = [m.group(0) for m in _mention_pattern().finditer(rest)]
    others = [n for n in names if lookup(n) != lookup(first)]
    return others[0] if others else None


@dataclass
class _Reading:
    host: str | None = None
    origin: str | None = None
    source: str | None = None


def _read_clause(clause: str, reading: _Reading) -> None:
    """One parenthesised clause (or the tail after the main name): host, origin or cited source."""
    clause = clause.strip()
    if not clause:
        return
    for pattern, slot in ((_HOST_CUE, "host"), (_ORIGIN_CUE, "origin"), (_SOURCE_CUE, "source")):
        m = pattern.search(clause)
        if not m:
            continue
        name = _named(m.group("rest"))
        if name and getattr(reading, slot) is None:
            setattr(reading, slot, name)
            if slot == "origin" and reading.source is None:
                reading.source = _second_mention(m.group("rest"), name)
        return
    whole = lookup(clause)
    if whole is not None:
        if whole.kind == "wire" and reading.origin is None:
            reading.origin = clause  # "Al Arabiya English (Reuters)": a wire story carried by the paper
        return
    m = _STORY_NOUN.match(clause)
    if m and lookup(m.group("rest")) is not None and reading.origin is None:
        reading.origin = m.group("rest")  # "(AP report)", "(Reuters analysis)"


def split_outlet(outlet: str | None, url: str | None = None) -> OutletCredit:
    """Publisher, host and cited source of an article from its outlet line and URL."""
    text = re.sub(r"\s+", " ", outlet or "").strip()
    from_url = lookup_domain(url)
    if not text:
        name = from_url.name if from_url else None
        return _credit(name, name, None)
    reading = _Reading()
    for group in _PAREN.findall(text):
        for clause in group.split(";"):
            _read_clause(clause, reading)
    main = _PAREN.sub(" ", text)
    main = re.sub(r"\s+", " ", main).strip(" ,;")
    tail = _TAIL_CUE.search(main)
    if tail:
        _read_clause(f"{tail.group('cue')} {tail.group('rest')}", reading)
        main = main[: tail.start()].strip(" ,;")
    main_name = canonical(main) or canonical(text)
    publisher = canonical(reading.origin) or main_name
    if reading.host:
        host = canonical(reading.host)
    elif reading.origin:
        host = main_name
    else:
        host = main_name
    source = canonical(reading.source)
    if source is not None and source == publisher:
        source = None
    return _credit(publisher, host, source)


def _credit(publisher: str | None, host: str | None, source: str | None) -> OutletCredit:
    entry = lookup(publisher)
    return OutletCredit(
        publisher=publisher, host=host, source=source,
        country=entry.country if entry else None, ownership=entry.ownership if entry else None,
    )
