"""The kinds of institution: the registry's values and the labels people read."""

from __future__ import annotations

# The kinds of institution, as stored (keys) and as people read them (labels), in every output.
KIND_LABELS = {
    "bank": "Bank",
    "credit_union": "Credit union",
    "insurer": "Insurer",
    "neobank": "Neobank",
    "card_issuer": "Card issuer",
    "investment": "Investment",
    "other": "Other",
}


def kind_label(kind: str) -> str:
    """'credit_union' -> 'Credit union'."""
    return KIND_LABELS.get(kind, str(kind).replace("_", " ").capitalize())
