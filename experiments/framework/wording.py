"""Counted nouns in reader-facing text: "1 seed", "3 seeds", never "3 seed(s)"."""
from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """`word` for exactly one, else `many` (default: `word` + "s")."""
    return word if n == 1 else many or f"{word}s"


def count(n: int, word: str, many: str | None = None) -> str:
    """'1 seed', '3 seeds', '0 runs'."""
    return f"{n} {plural(n, word, many)}"
