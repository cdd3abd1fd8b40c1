"""A fallback fold of raw outlet lines, for articles the store has no story row for (a Parquet dataset, a store
not yet backfilled): everywhere else the dashboard uses the store's ``publisher`` (the outlet registry of issue 14,
``analysis.outlets``), see ``dashboard.queries.source``.

Raw outlet strings carry the syndication path: "X (republished by Y)", "X (via Y)", "X, citing Reuters",
"X / Y". The outlet that published the article is X; what follows names a source or a re-publisher.
"""

from __future__ import annotations

import re

# A trailing parenthetical about syndication, or a trailing ", citing ..." / " via ..." clause.
_SUFFIX = re.compile(
    r"""\s*(?:
        \((?:\s*(?:republished|reprinted|syndicated|distributed)\b[^)]*|\s*(?:via|from|citing|source:?)\s[^)]*)\)
      | ,?\s+(?:citing|via|quoting)\s+.+
      | ,\s*(?:republished|reprinted)\s+(?:by|from)\s+.+
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_SPACE = re.compile(r"\s+")


def canonical_outlet(raw: str | None) -> str | None:
    """The publishing outlet in a raw outlet string; ``None`` stays ``None``; an all-suffix string is kept."""
    if raw is None:
        return None
    name = _SPACE.sub(" ", raw).strip()
    previous = None
    while previous != name:  # "X (via Y), citing Z"
        previous = name
        name = _SUFFIX.sub("", name).strip(" ,;")
    return name or _SPACE.sub(" ", raw).strip() or raw
