"""Speaker + Doc -> Affiliation. First version: no affiliation found."""

from __future__ import annotations

from spacy.tokens import Doc

from analysis.records import Affiliation, Quote, Speaker

VERSION = "0"


def affiliate(doc: Doc, speaker: Speaker, quote: Quote) -> Affiliation:
    return Affiliation()
